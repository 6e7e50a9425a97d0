package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// The newcomer's first minutes, as a person has them: the real binary in a
// real terminal (tmux), read off the screen, quit with a key.

func TestTmuxShowsSandboxContextAndVersionAndQuitsOnQ(t *testing.T) {
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

var builtTmtui string

// buildTmtui builds the real binary once per test process.
func buildTmtui(t *testing.T) string {
	t.Helper()
	if builtTmtui != "" {
		return builtTmtui
	}
	dir, err := os.MkdirTemp("", "tmtui-e2e-bin")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "tmtui")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	builtTmtui = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtTmtui != "" {
		os.RemoveAll(filepath.Dir(builtTmtui))
	}
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
