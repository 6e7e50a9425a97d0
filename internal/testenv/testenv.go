// Package testenv hands integration tests the real things they run against:
// the sandbox cluster (a real API server with a simulated node) and a real
// Docker engine.
//
// `make test` (hack/with-test-env.sh) starts both once, before `go test`,
// of the run's own, and passes them on in TMTUI_SANDBOX_STATE and
// DOCKER_HOST (docs/testing.md). A plain `go test ./...` without them
// starts what is missing here (under a file lock, since go test runs
// packages as parallel processes) and leaves it running for the next run;
// `make sandbox-down` and `hack/dockerd.sh stop` stop them.
//
// Under `go test -short` every integration test is skipped, and says so.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Sandbox is a running sandbox cluster, as its sandbox.json describes it.
type Sandbox struct {
	Name        string `json:"name"`
	Context     string `json:"context"`
	Kubeconfig  string `json:"kubeconfig"`
	Server      string `json:"server"`
	BackendURL  string `json:"backendURL"`  // the backend stand-in, straight (not through the cluster)
	FrontendURL string `json:"frontendURL"` // the frontend stand-in, straight
	BackendLog  string `json:"backendLog"`  // the CRI log file the backend pods' logs come from
	FrontendLog string `json:"frontendLog"`
	Node        string `json:"node"` // the real node's name; empty without one
}

const skipShort = "integration test: needs the sandbox cluster and a Docker engine; skipped under -short (make test runs it)"

var (
	sandboxOnce sync.Once
	sandbox     Sandbox
	sandboxErr  error
)

// RequireSandbox returns the running sandbox, starting it if needed. It
// fails the test when the sandbox cannot be had; it never skips but under
// -short.
func RequireSandbox(t testing.TB) Sandbox {
	t.Helper()
	if testing.Short() {
		t.Skip(skipShort)
	}
	sandboxOnce.Do(func() { sandbox, sandboxErr = findSandbox() })
	if sandboxErr != nil {
		t.Fatalf("sandbox cluster: %v", sandboxErr)
	}
	return sandbox
}

// Kubeconfig is the path of the sandbox's kubeconfig (context tmtui-sandbox).
func Kubeconfig(t testing.TB) string { return RequireSandbox(t).Kubeconfig }

// RESTConfig is a client configuration for the sandbox.
func RESTConfig(t testing.TB) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", Kubeconfig(t))
	if err != nil {
		t.Fatalf("sandbox kubeconfig: %v", err)
	}
	return cfg
}

// Clientset is a client for the sandbox.
func Clientset(t testing.TB) *kubernetes.Clientset {
	t.Helper()
	cs, err := kubernetes.NewForConfig(RESTConfig(t))
	if err != nil {
		t.Fatalf("sandbox client: %v", err)
	}
	return cs
}

// Namespace creates a namespace of the test's own, deleted when the test
// ends, so tests in parallel never see each other's objects.
func Namespace(t testing.TB, cs kubernetes.Interface) string {
	t.Helper()
	name := "tmtui-test-" + randomSuffix()
	ctx := context.Background()
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: name, Labels: map[string]string{"app.kubernetes.io/managed-by": "tmtui-tests"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func findSandbox() (Sandbox, error) {
	if p := os.Getenv("TMTUI_SANDBOX_STATE"); p != "" {
		return readState(p)
	}
	root, err := RepoRoot()
	if err != nil {
		return Sandbox{}, err
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "tmtui-sandbox-up.lock"))
	if err != nil {
		return Sandbox{}, err
	}
	defer unlock()
	dir := filepath.Join(root, "hack", "sandbox")
	// `up` reuses a running sandbox in a second, and builds and starts one
	// otherwise (the first build takes minutes).
	if out, err := goRun(dir, "up"); err != nil {
		return Sandbox{}, fmt.Errorf("starting it (hack/sandbox: go run . up): %v\n%s", err, out)
	}
	out, err := goRun(dir, "kubeconfig")
	if err != nil {
		return Sandbox{}, fmt.Errorf("locating it: %v\n%s", err, out)
	}
	return readState(filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "sandbox.json"))
}

func goRun(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", append([]string{"run", "."}, args...)...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.Bytes(), err
}

func readState(path string) (Sandbox, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Sandbox{}, fmt.Errorf("%v: is the sandbox running? (make sandbox-up)", err)
	}
	var s Sandbox
	if err := json.Unmarshal(data, &s); err != nil {
		return Sandbox{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// RepoRoot is the folder of tmtui's go.mod, found upwards from the test's
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module github.com/taskmaster-ai/tmtui\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("tmtui's go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Private is a sandbox of one test's own, for tests that take its API
// server away; the shared sandbox must never be disturbed.
type Private struct {
	Sandbox
	dir string // hack/sandbox
}

// PrivateSandbox starts a sandbox for this test alone (about five seconds
// once the control plane is built) and stops it, leaving no process, when
// the test ends. The sandbox records this test process as its owner: should
// the process be killed before its cleanup runs (SIGKILL, a timeout panic),
// the next sandbox `up` or `sweep` stops it.
func PrivateSandbox(t testing.TB) *Private {
	t.Helper()
	return privateSandbox(t)
}

// PrivateSandboxWithNode is a private sandbox with a real node (kubelet,
// containerd, runc) beside kwok's, where pods go unless they tolerate
// kwok's node: real containers, probes and logs (hack/sandbox, --node). It
// needs Linux and root, which CI has; elsewhere the test fails, saying so.
func PrivateSandboxWithNode(t testing.TB) *Private {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Fatalf("a sandbox with a real node needs Linux and root (this is %s, uid %d)", runtime.GOOS, os.Geteuid())
	}
	return privateSandbox(t, "--node")
}

func privateSandbox(t testing.TB, flags ...string) *Private {
	t.Helper()
	RequireSandbox(t) // skips under -short, and makes sure the binaries are built
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := &Private{dir: filepath.Join(root, "hack", "sandbox")}
	name := "tmtui-private-" + randomSuffix()
	t.Cleanup(func() {
		if out, err := goRun(p.dir, "--name", name, "down"); err != nil {
			t.Errorf("stopping private sandbox %s: %v\n%s", name, err, out)
		}
	})
	up := exec.Command("go", append(append([]string{"run", ".", "--name", name}, flags...), "up")...)
	up.Dir = p.dir
	up.Env = append(os.Environ(), fmt.Sprintf("TMTUI_SANDBOX_OWNER=%d", os.Getpid()))
	if out, err := up.CombinedOutput(); err != nil {
		t.Fatalf("starting private sandbox %s: %v\n%s", name, err, out)
	}
	out, err := goRun(p.dir, "--name", name, "kubeconfig")
	if err != nil {
		t.Fatalf("locating private sandbox %s: %v\n%s", name, err, out)
	}
	p.Sandbox, err = readState(filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FreePort is a TCP port free on the machine's loopback just now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StopAPIServer stops the control plane, as a laptop's Kubernetes going
// away would; the kubeconfig and the stand-ins stay.
func (p *Private) StopAPIServer(t testing.TB) {
	t.Helper()
	if out, err := goRun(p.dir, "--name", p.Name, "stop"); err != nil {
		t.Fatalf("stopping the API server: %v\n%s", err, out)
	}
}

// StartAPIServer brings it back on the same address and waits for a Ready node.
func (p *Private) StartAPIServer(t testing.TB) {
	t.Helper()
	if out, err := goRun(p.dir, "--name", p.Name, "start"); err != nil {
		t.Fatalf("starting the API server: %v\n%s", err, out)
	}
}

var (
	dockerOnce sync.Once
	dockerHost string
	dockerErr  error
)

// DockerHost returns the address of a running Docker engine: DOCKER_HOST as
// `make test` sets it, or else the private engine of hack/dockerd.sh,
// started here when it does not run.
func DockerHost(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip(skipShort)
	}
	dockerOnce.Do(func() { dockerHost, dockerErr = findDocker() })
	if dockerErr != nil {
		t.Fatalf("docker engine: %v", dockerErr)
	}
	return dockerHost
}

func findDocker() (string, error) {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "tmtui-dockerd.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	cmd := exec.Command("bash", filepath.Join(root, "hack", "dockerd.sh"), "start")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hack/dockerd.sh start: %v\n%s", err, stderr.Bytes())
	}
	line := strings.TrimSpace(string(out))
	host, ok := strings.CutPrefix(line, "export DOCKER_HOST=")
	if !ok {
		return "", fmt.Errorf("hack/dockerd.sh start printed %q", line)
	}
	return host, nil
}

// Eventually polls check until it returns nil or the time is up, and then
// fails the test with check's last error.
func Eventually(t testing.TB, limit time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
