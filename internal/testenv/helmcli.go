package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// HelmVersion is the real helm CLI the tests hold the chart, and the
// releases tmtui makes through the SDK, against.
const HelmVersion = "v4.3.1"

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// HelmCLI returns the path of the helm v4 CLI, built from the module proxy
// into tmtui's cache folder (TMTUI_CACHE_DIR, else the user's cache folder)
// the first time, under a file lock so parallel test processes build it once.
// It skips only under -short.
func HelmCLI(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the helm " + HelmVersion + " CLI, built from the module proxy on first use; skipped under -short (make test runs it)")
	}
	helmOnce.Do(func() { helmPath, helmErr = ensureHelm() })
	if helmErr != nil {
		t.Fatalf("helm CLI: %v", helmErr)
	}
	return helmPath
}

// RunHelm runs the helm CLI with its own empty config, cache and data
// folders (nothing of the user's), and returns its combined output.
// Requests to any non-loopback address go to a closed proxy port and fail,
// so the CLI cannot reach the network behind the test's back.
func RunHelm(t testing.TB, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(HelmCLI(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

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

func ensureHelm() (string, error) {
	root, err := cacheRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "tools", "helm-"+HelmVersion)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "helm")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	unlock, err := buildLock(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if isHelmVersion(bin) {
		return bin, nil
	}
	// Built into a folder of its own and renamed into place, so a reader
	// never sees half a binary.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "install", "helm.sh/helm/v4/cmd/helm@"+HelmVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-buildvcs=false", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install helm.sh/helm/v4/cmd/helm@%s: %v\n%s", HelmVersion, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, filepath.Base(bin)), bin); err != nil {
		return "", err
	}
	if !isHelmVersion(bin) {
		return "", fmt.Errorf("%s was built but is not helm %s", bin, HelmVersion)
	}
	return bin, nil
}

// isHelmVersion reads the module version Go recorded in the binary (helm's
// own `version` prints only v4.3 when built with go install).
func isHelmVersion(bin string) bool {
	if _, err := os.Stat(bin); err != nil {
		return false
	}
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "mod" && f[1] == "helm.sh/helm/v4" {
			return f[2] == HelmVersion
		}
	}
	return false
}
