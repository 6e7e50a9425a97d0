package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A real helm CLI the tests run. hack/helmcli.sh builds it before `go test`
// starts (hack/with-test-env.sh runs it, as make test does), so that no
// test's clock pays for a build, and hands its path over in env. Their
// versions are the ones go.mod requires (they are its tools).
type helmTool struct {
	env    string // the variable that holds its path
	module string // the Go module its command is in, which says its major version
	name   string

	once sync.Once
	path string
	err  error
}

var (
	helm4 = &helmTool{env: "TMTUI_HELM_CLI", module: "helm.sh/helm/v4", name: "Helm 4"}
	helm3 = &helmTool{env: "TMTUI_HELM3_CLI", module: "helm.sh/helm/v3", name: "Helm 3"}
)

// HelmCLI returns the path of the Helm 4 CLI, which the tests hold the
// chart, and the releases tmtui makes through the SDK, against. It fails
// the test when hack/helmcli.sh has not built it; it skips only under
// -short.
func HelmCLI(t testing.TB) string { t.Helper(); return helm4.require(t) }

// Helm3CLI is HelmCLI for the Helm 3 CLI, which makes releases as people
// who have not moved to Helm 4 still do (client-side apply).
func Helm3CLI(t testing.TB) string { t.Helper(); return helm3.require(t) }

func (h *helmTool) require(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs the %s CLI (%s, built by hack/helmcli.sh); skipped under -short (make test runs it)", h.name, h.env)
	}
	h.once.Do(func() { h.path, h.err = h.check() })
	if h.err != nil {
		t.Fatalf("%v\nRun the tests through hack/with-test-env.sh (as make test does), which builds the helm CLIs first, or build them and export their paths yourself: eval \"$(bash hack/helmcli.sh)\"", h.err)
	}
	return h.path
}

// check makes sure env names an executable built from the right module, so
// that a swapped or stale variable fails here and not as a puzzling CLI
// error in the middle of a test.
func (h *helmTool) check() (string, error) {
	bin := os.Getenv(h.env)
	if bin == "" {
		return "", fmt.Errorf("%s is not set: no %s CLI to run", h.env, h.name)
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s=%s is not an executable (%v)", h.env, bin, err)
	}
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		return "", fmt.Errorf("%s=%s: go version -m: %v", h.env, bin, err)
	}
	want := h.module + "/cmd/helm"
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "path" {
			if f[1] != want {
				return "", fmt.Errorf("%s=%s is a build of %s, want %s", h.env, bin, f[1], want)
			}
			return bin, nil
		}
	}
	return "", fmt.Errorf("%s=%s records no Go package path: not a helm built by hack/helmcli.sh", h.env, bin)
}

// RunHelm runs the Helm 4 CLI with its own empty config, cache and data
// folders (nothing of the user's), and returns its combined output.
// Requests to any non-loopback address go to a closed proxy port and fail,
// so the CLI cannot reach the network behind the test's back.
func RunHelm(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return runHelm(t, HelmCLI(t), args)
}

// RunHelm3 is RunHelm with the Helm 3 CLI.
func RunHelm3(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return runHelm(t, Helm3CLI(t), args)
}

func runHelm(t testing.TB, bin string, args []string) (string, error) {
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
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
