package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// Versions of everything the sandbox builds. go.mod pins them (the build
// uses its build list); here they key the cache folder, so a change builds
// afresh and never mixes binaries of two versions. TestVersionsAreGoMods
// keeps the two in step.
const (
	kubeVersion = "v1.36.3"
	etcdVersion = "v3.6.16"
	kwokVersion = "v0.8.0"
	// CoreDNS, the real node's cluster DNS (cmd/coredns), is built in this
	// module too, and keys the node's folder (node_build.go).
	corednsVersion = "v1.13.1"
)

// DefaultName is the cluster's name and its kubeconfig context.
const DefaultName = "tmtui-sandbox"

// cacheRoot is the folder outside the repository where builds and running
// clusters live. TMTUI_CACHE_DIR overrides it (CI points it at a folder that
// outlives the clone).
func cacheRoot() (string, error) {
	if d := os.Getenv("TMTUI_CACHE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: set TMTUI_CACHE_DIR: %w", err)
	}
	return filepath.Join(d, "tmtui"), nil
}

// binDir holds the built control plane, one folder per set of versions.
func binDir(root string) string {
	return filepath.Join(root, "sandbox", fmt.Sprintf("k8s-%s_etcd-%s_kwok-%s", kubeVersion, etcdVersion, kwokVersion), "bin")
}

// runDir holds one running cluster: kwok's work folder, the kubeconfig, the
// stand-ins' logs and the state file.
func runDir(root, name string) string {
	return filepath.Join(root, "sandbox", "run", name)
}
