package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// The terminal is the user's: whatever happens to tmtui (a panic, SIGINT,
// SIGTERM, a terminal too small or too dumb), it is given back as it was:
// the normal screen, the cursor shown, echo and line editing on. Proven in
// tmux with the real binary, built with the tmtuitest tag so that a panic
// can be injected (see internal/crash/testhook_tmtuitest.go).

// buildTestTmtui is the binary built with -tags tmtuitest (taggedBin).
func buildTestTmtui(t *testing.T) string { t.Helper(); return taggedBin.must(t) }

// pane is one tmux window running tmtui; when tmtui ends, the shell records
// its exit code and `stty -a`, then keeps the window open to be read.
type pane struct {
	*tmuxTerm
	home, sttyFile, pidFile string
}

// startPane runs bin with args in a w×h window, with env (KEY=value)
// set for tmtui only, and home as its HOME and cache.
func startPane(t *testing.T, w, h int, env []string, bin string, args ...string) *pane {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test in tmux; skipped under -short (make test runs it)")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the end-to-end tests: apt-get install tmux")
	}
	home := t.TempDir()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	p := &pane{
		tmuxTerm: &tmuxTerm{t: t, socket: "tmtui-term-" + hex.EncodeToString(b),
			exitFile: filepath.Join(home, "exit"), logFile: filepath.Join(home, "tmtui.log")},
		home: home, sttyFile: filepath.Join(home, "stty"), pidFile: filepath.Join(home, "pid"),
	}
	argv := append([]string{"env"}, env...)
	argv = append(argv, "TMTUI_TEST_PIDFILE="+p.pidFile, bin)
	argv = append(argv, args...)
	argv = append(argv, "--log-file", p.logFile)
	script := fmt.Sprintf("%s; echo $? > %s; stty -a > %s; exec sleep 600", shellQuote(argv), p.exitFile, p.sttyFile)
	cmd := exec.Command("tmux", "-L", p.socket, "-f", "/dev/null", "new-session", "-d",
		"-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sh", "-c", script)
	cmd.Env = isolatedEnv(home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

func shellQuote(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// joined is the screen with wrapped lines joined, so a long path reads whole.
func (p *pane) joined() string {
	out, _ := exec.Command("tmux", "-L", p.socket, "capture-pane", "-p", "-J").Output()
	return string(out)
}

func (p *pane) pid() int {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(p.pidFile); err == nil && len(data) > 0 {
			if pid, err := strconv.Atoi(string(data)); err == nil {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.t.Fatal("tmtui wrote no pid file")
	return 0
}

func (p *pane) signal(sig os.Signal) {
	p.t.Helper()
	proc, err := os.FindProcess(p.pid())
	if err == nil {
		err = proc.Signal(sig)
	}
	if err != nil {
		p.t.Fatalf("sending %v: %v", sig, err)
	}
}

var (
	sttyEcho   = regexp.MustCompile(`(^|\s)echo(\s|$)`)
	sttyIcanon = regexp.MustCompile(`(^|\s)icanon(\s|$)`)
)

// assertTerminalRestored checks, after tmtui has ended, that the window is
// on its normal screen with the cursor shown, and that the shell that ran
// tmtui found echo and line editing on.
func (p *pane) assertTerminalRestored() {
	p.t.Helper()
	out, err := exec.Command("tmux", "-L", p.socket, "display-message", "-p", "#{alternate_on} #{cursor_flag}").Output()
	if err != nil {
		p.t.Fatalf("tmux display-message: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "0 1" {
		p.t.Errorf("alternate screen and cursor flags = %q, want \"0 1\" (normal screen, cursor shown)", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	var stty []byte
	for {
		if stty, _ = os.ReadFile(p.sttyFile); len(stty) > 0 {
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the shell wrote no stty -a within 5s of tmtui's end; screen:\n%s", p.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sttyEcho.Match(stty) || !sttyIcanon.Match(stty) {
		p.t.Errorf("stty -a after tmtui: echo or icanon is off:\n%s", stty)
	}
}

func (p *pane) assertNoStackOnScreen(screen string) {
	p.t.Helper()
	for _, marker := range []string{"goroutine ", ".go:", "Caught panic", "runtime."} {
		if strings.Contains(screen, marker) {
			p.t.Errorf("the screen shows %q, part of a stack trace:\n%s", marker, screen)
		}
	}
}

func TestTmuxPanicGoesToACrashFileAndTheTerminalIsRestored(t *testing.T) {
	bin := buildTestTmtui(t) // waits for its build (TestMain) before the tests run side by side
	t.Parallel()
	versionOut, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(versionOut))
	count := testenv.Count(t, testenv.SectionFaults, "SIGTERM, SIGINT and panics")
	for _, tc := range []struct{ where, value string }{
		{"update", "panic: tmtuitest: injected panic in Update"},
		{"cmd", "panic: tmtuitest: injected panic in a command"},
		{"view", "panic: tmtuitest: injected panic in View"},
		{"main", "panic: tmtuitest: injected panic on the main goroutine"},
	} {
		t.Run(tc.where, func(t *testing.T) {
			count.Trial(t)
			t.Parallel()
			rec := newAPIRecorder(t, nil)
			kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
			if err := os.WriteFile(kubeconfig, []byte(kubeconfigFor(rec.srv.URL, rec.caPEM(), "")), 0o600); err != nil {
				t.Fatal(err)
			}
			p := startPane(t, 120, 40, []string{"TMTUI_TEST_PANIC=" + tc.where}, bin, "--kubeconfig", kubeconfig)
			if tc.where != "main" {
				p.waitFor("v1.36.3", 15*time.Second)
				p.send("!")
			}
			if code := p.exitCode(10 * time.Second); code != 1 {
				t.Errorf("exit %d after the panic, want 1", code)
			}
			screen := p.joined()
			m := regexp.MustCompile(`tmtui: crashed \(a bug\); report saved to (\S+crash-\S+\.txt)\n`).FindStringSubmatch(screen)
			if m == nil {
				t.Fatalf("the screen does not say where the crash file is:\n%s", screen)
			}
			if want := filepath.Join(p.home, "cache", "tmtui"); filepath.Dir(m[1]) != want {
				t.Errorf("crash file %s is not in %s", m[1], want)
			}
			p.assertNoStackOnScreen(screen)
			p.assertTerminalRestored()

			report, err := os.ReadFile(m[1])
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"version: " + version, tc.value, "goroutine ", "tmtui/internal/crash"} {
				if !strings.Contains(string(report), want) {
					t.Errorf("crash file lacks %q:\n%s", want, report)
				}
			}
			if fi, err := os.Stat(m[1]); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("crash file mode %v (%v), want 0600", fi.Mode().Perm(), err)
			}
		})
	}
}

func TestTmuxSignalsRestoreTheTerminalAndExit(t *testing.T) {
	bin := buildTestTmtui(t) // waits for its build (TestMain) before the tests run side by side
	t.Parallel()
	count := testenv.Count(t, testenv.SectionFaults, "SIGTERM, SIGINT and panics")
	for _, tc := range []struct {
		name      string
		sig       os.Signal
		code      int
		waitForUI bool
	}{
		{"SIGTERM while drawing", syscall.SIGTERM, 143, true},
		{"SIGINT while drawing", syscall.SIGINT, 130, true},
		{"SIGTERM at start", syscall.SIGTERM, 143, false},
		{"SIGINT at start", syscall.SIGINT, 130, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count.Trial(t)
			t.Parallel()
			rec := newAPIRecorder(t, nil)
			kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
			if err := os.WriteFile(kubeconfig, []byte(kubeconfigFor(rec.srv.URL, rec.caPEM(), "")), 0o600); err != nil {
				t.Fatal(err)
			}
			p := startPane(t, 120, 40, nil, bin, "--kubeconfig", kubeconfig)
			if tc.waitForUI {
				p.waitFor("v1.36.3", 15*time.Second)
			}
			p.signal(tc.sig)
			if code := p.exitCode(10 * time.Second); code != tc.code {
				t.Errorf("exit %d after %v, want %d", code, tc.sig, tc.code)
			}
			p.assertNoStackOnScreen(p.joined())
			p.assertTerminalRestored()
			if files, _ := filepath.Glob(filepath.Join(p.home, "cache", "tmtui", "crash-*")); len(files) > 0 {
				t.Errorf("a signal left crash files: %v", files)
			}
		})
	}
}

func TestTmuxDumbAndTooSmallTerminals(t *testing.T) {
	bin := buildTmtui(t) // waits for its build (TestMain) before the tests run side by side
	t.Parallel()
	count := testenv.Count(t, testenv.SectionBadInput, "Terminal")
	for _, tc := range []struct {
		name    string
		w, h    int
		env     []string
		want    string
		escapes string // "none" or "some" escape sequences drawing the screen; "" unchecked
	}{
		{"TERM=dumb", 120, 40, []string{"TERM=dumb"}, "v1.36.3", "none"},
		{"too small", 40, 10, nil, "make the terminal larger: tmtui needs at least 60×15, this one is 40×10", ""},
		{"too narrow", 59, 40, nil, "make the terminal larger: tmtui needs at least 60×15, this one is 59×40", ""},
		// Not bad input: the colour terminal beside the dumb one shows that
		// a capture with -e does see the colours tmtui draws.
		{"TERM=xterm-256color", 120, 40, nil, "v1.36.3", "some"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.escapes != "some" {
				count.Trial(t)
			}
			t.Parallel()
			rec := newAPIRecorder(t, nil)
			kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
			if err := os.WriteFile(kubeconfig, []byte(kubeconfigFor(rec.srv.URL, rec.caPEM(), "")), 0o600); err != nil {
				t.Fatal(err)
			}
			p := startPane(t, tc.w, tc.h, tc.env, bin, "--kubeconfig", kubeconfig)
			p.waitUntil(15*time.Second, fmt.Sprintf("%q", tc.want), func(string) bool {
				return strings.Contains(strings.ReplaceAll(p.joined(), "\n", " "), tc.want)
			})
			screen := p.joined()
			// An escape sequence whose ESC got lost shows its rest as text.
			if strings.Contains(screen, "[?") || strings.Contains(screen, "[0m") || strings.Contains(screen, "[38;") {
				t.Errorf("escape sequences show as text:\n%q", screen)
			}
			// A dumb terminal is sent no colour or attribute: a capture with
			// -e gives the escape sequences that would draw the screen again.
			if sgr := p.escapes(); tc.escapes != "" && strings.Contains(sgr, "\x1b[") != (tc.escapes == "some") {
				t.Errorf("want %s escape sequences drawing the window, got:\n%q", tc.escapes, sgr)
			}
			p.assertNoStackOnScreen(screen)
			p.send("q")
			if code := p.exitCode(10 * time.Second); code != 0 {
				t.Errorf("exit %d after q, want 0", code)
			}
			p.assertTerminalRestored()
			for _, r := range rec.requests() {
				if method, _, _ := strings.Cut(r, " "); method != "GET" {
					t.Errorf("a write reached the cluster: %s", r)
				}
			}
		})
	}
}
