package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// versionLDFlags make the control plane report its real version; without
// them it says v0.0.0-master and Helm's kubeVersion checks misbehave.
var versionLDFlags = "-s -w" +
	" -X k8s.io/component-base/version.gitVersion=" + kubeVersion +
	" -X k8s.io/component-base/version.gitMajor=1" +
	" -X k8s.io/component-base/version.gitMinor=36"

// A component is one binary of the control plane, built from a package of
// this module's build list: go.mod pins every version (tools.go imports
// them), and paths.go's constants, which key the cache folder, must agree
// with it (TestVersionsAreGoMods).
type component struct {
	name, pkg, ldflags string
}

// Every component is built in this module, with the flags `go run .` builds
// this tool with (no -trimpath): on an empty cache each build reuses the
// packages the ones before it compiled (client-go, apimachinery, api ...),
// where a go.mod of kwok's own would compile them again at its versions.
var components = []component{
	{name: "etcd", pkg: "./cmd/etcd", ldflags: versionLDFlags},
	{name: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok", ldflags: "-s -w"},
	{name: "kwokctl", pkg: "sigs.k8s.io/kwok/cmd/kwokctl", ldflags: "-s -w"},
	{name: "kube-apiserver", pkg: "k8s.io/kubernetes/cmd/kube-apiserver", ldflags: versionLDFlags},
	{name: "kube-controller-manager", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager", ldflags: versionLDFlags},
	{name: "kube-scheduler", pkg: "k8s.io/kubernetes/cmd/kube-scheduler", ldflags: versionLDFlags},
}

// ensureBuilt builds whatever of the control plane is missing from the
// cache. Each binary is written under a temporary name and renamed, so an
// interrupted build never leaves a half-written binary that looks done.
func ensureBuilt(ctx context.Context, root, moduleDir string, out io.Writer) (string, error) {
	dir := binDir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	missing := missingComponents(dir)
	if len(missing) == 0 {
		return dir, nil
	}
	// Two runs on a cold cache would build into the same temporary names;
	// the second waits for the first and then finds the binaries built.
	lock := filepath.Join(filepath.Dir(dir), ".build.lock")
	if unlock, err := tryLockFile(lock); err != nil {
		return "", err
	} else if unlock != nil {
		defer unlock()
	} else {
		fmt.Fprintf(out, "Another process is building the sandbox's control plane (it holds %s): waiting for it ...\n", lock)
		unlock, err := lockFile(lock)
		if err != nil {
			return "", err
		}
		defer unlock()
	}
	if missing = missingComponents(dir); len(missing) == 0 {
		return dir, nil
	}
	fmt.Fprintf(out, "Building the sandbox's control plane into %s\n", dir)
	fmt.Fprintf(out, "(Kubernetes %s, etcd %s, kwok %s; once only, about ten minutes on 2 cores)\n", kubeVersion, etcdVersion, kwokVersion)
	for i, c := range missing {
		start := time.Now()
		fmt.Fprintf(out, "  [%d/%d] %s ...", i+1, len(missing), c.name)
		if err := buildOne(ctx, c, dir, moduleDir); err != nil {
			fmt.Fprintln(out, " failed")
			return "", err
		}
		fmt.Fprintf(out, " done in %s\n", time.Since(start).Round(time.Second))
	}
	return dir, nil
}

func missingComponents(dir string) []component {
	var missing []component
	for _, c := range components {
		if _, err := os.Stat(filepath.Join(dir, c.name)); err != nil {
			missing = append(missing, c)
		}
	}
	return missing
}

func buildOne(ctx context.Context, c component, dir, moduleDir string) error {
	target := filepath.Join(dir, c.name)
	tmp := target + ".partial"
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", c.ldflags, "-o", tmp, c.pkg)
	cmd.Dir = moduleDir
	logs, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building %s: %w\n%s", c.name, err, logs)
	}
	return os.Rename(tmp, target)
}
