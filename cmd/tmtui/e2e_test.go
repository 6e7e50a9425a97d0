package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
)

// The newcomer's first minutes, as a person has them: the real binary in a
// real terminal (tmux), read off the screen, quit with a key.

func TestTmuxShowsSandboxContextAndVersionAndQuitsOnQ(t *testing.T) {
	t.Parallel()
	kubeconfig := testenv.Kubeconfig(t)
	term := startInTmux(t, "--kubeconfig", kubeconfig)

	screen := term.waitFor("v1.36.3", 15*time.Second)
	for _, want := range []string{"tmtui-sandbox", "v1.36.3", "taskmaster"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	term.send("q")
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("tmtui exited %d after q, want 0", code)
	}
	term.assertLogsStayedOffScreen(screen)
}

func TestTmuxUnreachableClusterIsExplainedAndQuitsCleanly(t *testing.T) {
	t.Parallel()
	kubeconfig := unreachableKubeconfig(t)
	term := startInTmux(t, "--kubeconfig", kubeconfig)

	screen := term.waitFor("unreachable", 20*time.Second)
	for _, want := range []string{"cluster unreachable at https://127.0.0.1:", "Docker Desktop", "q"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "goroutine") || strings.Contains(screen, "panic") {
		t.Errorf("a stack trace reached the screen:\n%s", screen)
	}
	term.send("q")
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("tmtui exited %d after q, want 0", code)
	}
	term.assertLogsStayedOffScreen(screen)
}

// The README's first command: with no cluster answering, make demo opens
// tmtui on the sandbox (reusing the running one, as here, or starting it).
func TestTmuxMakeDemoOpensTmtuiOnSandboxWhenNoClusterAnswers(t *testing.T) {
	t.Parallel()
	testenv.RequireSandbox(t)
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	term := startCommandInTmux(t, []string{"KUBECONFIG=" + unreachableKubeconfig(t)}, "make", "--no-print-directory", "-C", root, "demo")

	screen := term.waitFor("v1.36.3", 3*time.Minute)
	if !strings.Contains(screen, "context tmtui-sandbox") {
		t.Errorf("make demo did not open tmtui on the sandbox:\n%s", screen)
	}
	term.send("q")
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("make demo exited %d after q, want 0", code)
	}
}

func TestDoctorAgainstSandboxAndUnreachableCluster(t *testing.T) {
	t.Parallel()
	kubeconfig := testenv.Kubeconfig(t)
	bin := buildTmtui(t)
	logFile := filepath.Join(t.TempDir(), "tmtui.log")

	out, err := exec.Command(bin, "doctor", "--kubeconfig", kubeconfig, "--log-file", logFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "context tmtui-sandbox") || !strings.Contains(string(out), "Kubernetes v1.36.3") {
		t.Fatalf("doctor on the sandbox: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "doctor", "--kubeconfig", unreachableKubeconfig(t), "--log-file", logFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != doctorUnreachable {
		t.Fatalf("doctor on an unreachable cluster: err %v, want exit status %d", err, doctorUnreachable)
	}
	if !strings.Contains(stdout.String(), "FAIL") || !strings.Contains(stdout.String(), "cluster unreachable") {
		t.Errorf("doctor did not say the cluster is unreachable:\n%s", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("doctor wrote to stderr (logs belong in the log file):\n%s", stderr.String())
	}
}

// unreachableKubeconfig points at a loopback port where nothing listens.
func unreachableKubeconfig(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster:
    server: https://127.0.0.1:%d
    insecure-skip-tls-verify: true
contexts:
- name: gone
  context: {cluster: gone, user: gone}
current-context: gone
users:
- name: gone
  user: {token: not-a-real-token}
`, port)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The real binaries the end-to-end tests run, built once per test process
// into binDir (made and removed by TestMain). Parallel tests ask at once,
// so each build is behind a sync.Once, and its error is kept for every
// test that asks after it failed.
var (
	binDir    string
	plainBin  = &goBuild{name: "tmtui"}
	taggedBin = &goBuild{name: "tmtui-tmtuitest", tags: "tmtuitest"} // see buildTestTmtui
)

type goBuild struct {
	name, tags string
	once       sync.Once
	bin        string
	err        error
}

// get builds the binary on the first call, and waits for that build on
// every later one.
func (b *goBuild) get() (string, error) {
	b.once.Do(func() {
		if binDir == "" {
			b.err = errors.New("no folder for the built binaries: TestMain makes it")
			return
		}
		args := []string{"build", "-o", filepath.Join(binDir, b.name)}
		if b.tags != "" {
			args = append(args, "-tags", b.tags)
		}
		if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			return
		}
		b.bin = filepath.Join(binDir, b.name)
	})
	return b.bin, b.err
}

// must is the binary, or the test's end when it could not be built.
func (b *goBuild) must(t *testing.T) string {
	t.Helper()
	bin, err := b.get()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// buildTmtui is the real binary.
func buildTmtui(t *testing.T) string { t.Helper(); return plainBin.must(t) }

func TestMain(m *testing.M) {
	if op := os.Getenv(chaosChildEnv); op != "" {
		os.Exit(runChaosChild(op)) // the process a chaos test kills
	}
	flag.Parse()
	dir, err := os.MkdirTemp("", "tmtui-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	// A whole run (make test) builds both binaries side by side before any
	// test asks: one after the other, inside the first tests that need
	// them, they held up every parallel test for over a minute. A run of
	// chosen tests (-run) or of the short ones builds only what it uses.
	var prebuilt sync.WaitGroup
	if !testing.Short() && flag.Lookup("test.run").Value.String() == "" {
		for _, b := range []*goBuild{plainBin, taggedBin} {
			prebuilt.Go(func() { _, _ = b.get() })
		}
	}
	code := m.Run()
	// Every test has ended, and so has every build: nothing writes into
	// the folder or runs from it any more.
	prebuilt.Wait()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// tmuxTerm is tmtui running in a 120x40 window of a tmux server of the
// test's own (a private socket), so no session of the person running the
// tests is ever touched.
type tmuxTerm struct {
	t        *testing.T
	socket   string
	exitFile string
	logFile  string
}

func startInTmux(t *testing.T, args ...string) *tmuxTerm {
	t.Helper()
	bin := buildTmtui(t)
	term := startCommandInTmux(t, nil, append([]string{bin}, args...)...)
	return term
}

// startCommandInTmux runs argv (with extra environment) in the window and
// records its exit status. A tmtui in argv[0] gets a log file of the test's.
func startCommandInTmux(t *testing.T, env []string, argv ...string) *tmuxTerm {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test in tmux; skipped under -short (make test runs it)")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the end-to-end tests: apt-get install tmux")
	}
	dir := t.TempDir()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	term := &tmuxTerm{t: t, socket: "tmtui-e2e-" + hex.EncodeToString(b),
		exitFile: filepath.Join(dir, "exit"), logFile: filepath.Join(dir, "tmtui.log")}
	if filepath.Base(argv[0]) == "tmtui" {
		argv = append(argv, "--log-file", term.logFile)
	} else {
		term.logFile = ""
	}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	script := fmt.Sprintf("%s; echo $? > %s", strings.Join(quoted, " "), term.exitFile)
	cmd := exec.Command("tmux", "-L", term.socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "sh", "-c", script)
	// tmux hands its server's environment to the window: the server is
	// started here, with the test's variables (TMTUI_CACHE_DIR too).
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

func (m *tmuxTerm) screen() string {
	out, _ := exec.Command("tmux", "-L", m.socket, "capture-pane", "-p").Output()
	return string(out)
}

func (m *tmuxTerm) waitFor(text string, limit time.Duration) string {
	m.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := m.screen()
		if strings.Contains(s, text) {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("%q not on screen within %s:\n%s", text, limit, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (m *tmuxTerm) send(keys ...string) {
	m.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"-L", m.socket, "send-keys"}, keys...)...).CombinedOutput(); err != nil {
		m.t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

// exitCode waits for tmtui to end and returns its exit status.
func (m *tmuxTerm) exitCode(limit time.Duration) int {
	m.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(m.exitFile); err == nil && len(bytes.TrimSpace(data)) > 0 {
			var code int
			fmt.Sscan(string(data), &code)
			return code
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.t.Fatalf("tmtui still running %s after the key; screen:\n%s", limit, m.screen())
	return -1
}

// assertLogsStayedOffScreen checks that the log file got the log lines and
// the screen none of them.
func (m *tmuxTerm) assertLogsStayedOffScreen(screen string) {
	m.t.Helper()
	logs, err := os.ReadFile(m.logFile)
	if err != nil || len(logs) == 0 {
		m.t.Errorf("nothing was logged to %s (%v)", m.logFile, err)
	}
	for _, marker := range []string{"level=", "INFO", "WARN", "ERROR"} {
		if strings.Contains(screen, marker) {
			m.t.Errorf("a log line (%q) reached the screen:\n%s", marker, screen)
		}
	}
}

// The panes on a release shaped like the chart's: pods listed, a restart
// rolled, a log line that arrives while the pane is open, the images of the
// Docker engine, and q.
func TestTmuxPanesShowTheReleaseRestartItFollowItsLogsAndListImages(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	dockerHost := testenv.DockerHost(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	chartDeployment(t, cs, ns, "backend")
	chartDeployment(t, cs, ns, "frontend")
	backend, frontend := readyPod(t, cs, ns, "backend", ""), readyPod(t, cs, ns, "frontend", "")

	term := startCommandInTmux(t, []string{"DOCKER_HOST=" + dockerHost}, buildTmtui(t), "--kubeconfig", sb.Kubeconfig, "-n", ns)
	screen := term.waitUntil(20*time.Second, "both pods Running 1/1", func(s string) bool {
		return podRow(s, backend, "1/1", "Running") && podRow(s, frontend, "1/1", "Running")
	})
	// The Images pane shows the engine's answer for both repositories
	// (with an image or "no image"), not that the engine is unreachable.
	screen = term.waitUntil(30*time.Second, "the images of both repositories", func(s string) bool {
		return imageRow.MatchString(s) && strings.Contains(s, "taskmaster-frontend ") && !strings.Contains(s, "listing images")
	})
	if strings.Contains(screen, "not reachable") {
		t.Errorf("the Images pane says the engine is not reachable with DOCKER_HOST=%s:\n%s", dockerHost, screen)
	}
	// Scaling is a Helm upgrade, and these Deployments are no Helm
	// release: once the Release pane says so, + and - are not offered.
	screen = term.waitUntil(30*time.Second, "the release read as not installed", func(s string) bool {
		return strings.Contains(s, "is not installed")
	})
	if strings.Contains(screen, "scale up") {
		t.Errorf("help offers scaling with no Helm release to scale:\n%s", screen)
	}

	// r on the selected (backend) pod: a local cluster asks nothing.
	term.send("r")
	term.waitFor("restarting taskmaster-backend", 30*time.Second)
	replacement := readyPod(t, cs, ns, "backend", backend)
	term.waitUntil(30*time.Second, "the restarted backend pod in place of the old one", func(s string) bool {
		return podRow(s, replacement, "1/1", "Running") && !strings.Contains(s, backend)
	})

	term.send("4")
	screen = term.waitFor("▶ 4 Logs", 30*time.Second) // focused
	if !strings.Contains(screen, "all pods · following") {
		t.Fatalf("the Logs pane does not follow all pods:\n%s", screen)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	marker := "e2e-marker-" + hex.EncodeToString(b)
	res, err := http.Get(sb.BackendURL + "/health?" + marker)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	screen = term.waitFor(marker, 15*time.Second)
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, marker) && !strings.Contains(line, "["+logs.Tag(replacement)+"]") {
			t.Errorf("the marker's line is not tagged with the new pod %s: %s", replacement, line)
		}
	}

	term.send("q")
	if strings.Contains(term.screen(), "Quit while work runs?") {
		term.send("y")
	}
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("tmtui exited %d after q, want 0", code)
	}
	// The Logs pane shows the app's own INFO lines; tmtui's are slog's
	// key=value lines, which belong in its log file only.
	if logged, err := os.ReadFile(term.logFile); err != nil || !strings.Contains(string(logged), "restarted deployment") {
		t.Errorf("the restart is not in tmtui's log file (%v)", err)
	}
	if strings.Contains(screen, "level=") || strings.Contains(screen, "msg=") {
		t.Errorf("a log line of tmtui's reached the screen:\n%s", screen)
	}
}

// A laptop's Kubernetes going away and coming back: the header says so,
// nothing breaks, and the Pods pane is live again afterwards. (How soon it
// says so is a promise held by TestChaosAPIServerRestartedDuringATmuxSession
// under make chaos; here the waits only catch what never happens.)
func TestTmuxSaysReconnectingWhileTheAPIServerIsAwayAndRecovers(t *testing.T) {
	t.Parallel()
	p := testenv.PrivateSandbox(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", p.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := testenv.Namespace(t, cs)
	chartDeployment(t, cs, ns, "backend")
	before := readyPod(t, cs, ns, "backend", "")

	term := startInTmux(t, "--kubeconfig", p.Kubeconfig, "-n", ns)
	term.waitUntil(20*time.Second, "the backend pod Running 1/1", func(s string) bool { return podRow(s, before, "1/1", "Running") })

	p.StopAPIServer(t)
	screen := term.waitFor("reconnecting", time.Minute)
	if !strings.Contains(screen, before) {
		t.Errorf("the Pods pane dropped the last known pod while reconnecting:\n%s", screen)
	}

	p.StartAPIServer(t)
	term.waitUntil(30*time.Second, "the header without reconnecting", func(s string) bool { return !strings.Contains(s, "reconnecting") })
	// Live again: a pod of the release made now shows up. (A bare pod: a
	// Deployment's replacement would wait for the restarted controller
	// manager's leader election, some 15 s.)
	live := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend-after-restart", Labels: map[string]string{
			k8s.InstanceLabel: "taskmaster", k8s.ComponentLabel: "backend"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "backend", Image: "taskmaster-backend:1.0.0"}}},
	}
	if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), live, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	screen = term.waitFor(live.Name, time.Minute)
	if !strings.Contains(screen, before) {
		t.Errorf("the backend pod from before is gone from the Pods pane:\n%s", screen)
	}
	for _, bad := range []string{"panic", "goroutine"} {
		if strings.Contains(screen, bad) {
			t.Errorf("%q on screen:\n%s", bad, screen)
		}
	}
	term.send("q")
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("tmtui exited %d after q, want 0", code)
	}
}

// imageRow is the Images pane's row of the backend repository: its newest
// image with a size, or the word that it has none.
var imageRow = regexp.MustCompile(`taskmaster-backend(:\S+\s+[\d.]+ [kMG]?B|\s+✗ no image)`)

// podRow says whether the screen has a row for pod with the ready count and
// status given.
func podRow(screen, pod, ready, status string) bool {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, pod+" ") && strings.Contains(line, " "+ready+" ") && strings.Contains(line, status) {
			return true
		}
	}
	return false
}

// readyPod waits for a Running and Ready pod of the component other than
// not, and no other one that is not being deleted, and returns its name.
func readyPod(t *testing.T, cs kubernetes.Interface, ns, component, not string) string {
	t.Helper()
	var name string
	testenv.Eventually(t, 2*time.Minute, func() error {
		list, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: k8s.ReleaseSelector("taskmaster", component)})
		if err != nil {
			return err
		}
		var live []corev1.Pod
		for _, p := range list.Items {
			if p.DeletionTimestamp == nil {
				live = append(live, p)
			}
		}
		if len(live) != 1 {
			return fmt.Errorf("%d %s pods not being deleted, want 1", len(live), component)
		}
		p := live[0]
		ready := false
		for _, c := range p.Status.Conditions {
			ready = ready || (c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue)
		}
		if p.Name == not || p.Status.Phase != corev1.PodRunning || !ready {
			return fmt.Errorf("%s pod %s: %s, ready %v", component, p.Name, p.Status.Phase, ready)
		}
		name = p.Name
		return nil
	})
	return name
}

// waitUntil polls the screen until ok accepts it.
func (m *tmuxTerm) waitUntil(limit time.Duration, what string, ok func(screen string) bool) string {
	m.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := m.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("no %s on screen within %s:\n%s", what, limit, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
