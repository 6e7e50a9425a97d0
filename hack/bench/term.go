package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// term drives programs in a tmux server of the benchmark's own (its own
// socket), so no one else's tmux session is ever touched.
type term struct {
	sock string
}

// newTerm starts the server with a session that lives as long as the
// bench: a server whose last session ends exits, and a session started in
// that moment fails with "server exited unexpectedly".
func newTerm(dir string) (*term, error) {
	t := &term{sock: filepath.Join(dir, "tmux.sock")}
	if _, err := t.tmux("new-session", "-d", "-s", "keep", "exec sleep 86400"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *term) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", t.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// session is one program in a 160x48 window.
type session struct {
	t    *term
	name string
	pid  int
}

// start runs argv with env in a new session; the program replaces the
// shell (exec), so the pane's pid is the program's.
func (t *term) start(name, dir string, env, argv []string) (*session, error) {
	cmd := "exec env"
	for _, e := range env {
		cmd += " " + shellQuote(e)
	}
	for _, a := range argv {
		cmd += " " + shellQuote(a)
	}
	if _, err := t.tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "48", "-c", dir, cmd); err != nil {
		return nil, err
	}
	out, err := t.tmux("display", "-p", "-t", name, "#{pane_pid}")
	if err != nil {
		return nil, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		return nil, fmt.Errorf("pane pid %q: %w", out, err)
	}
	return &session{t: t, name: name, pid: pid}, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *session) screen() string {
	out, _ := s.t.tmux("capture-pane", "-p", "-t", s.name)
	return out
}

// keys sends tmux key names ("l", "Enter", "+").
func (s *session) keys(k ...string) error {
	_, err := s.t.tmux(append([]string{"send-keys", "-t", s.name}, k...)...)
	return err
}

// literal types text as it is.
func (s *session) literal(text string) error {
	_, err := s.t.tmux("send-keys", "-t", s.name, "-l", text)
	return err
}

// waitFor polls the screen every 10 ms until ok says yes, and returns how
// long that took from since.
func (s *session) waitFor(since time.Time, limit time.Duration, ok func(string) bool) (time.Duration, error) {
	deadline := since.Add(limit)
	for {
		scr := s.screen()
		if ok(scr) {
			return time.Since(since), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s: gave up after %s; the screen was:\n%s", s.name, limit, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *session) stop() {
	_, _ = s.t.tmux("kill-session", "-t", s.name)
	// The program gets SIGHUP from tmux; make sure it is gone before the
	// next measurement starts.
	for range 100 {
		if !alive(s.pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	if p, err := os.FindProcess(s.pid); err == nil {
		_ = p.Kill()
	}
}

func (t *term) kill() { _, _ = t.tmux("kill-server") }

func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// A zombie (state Z) has exited.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

// podName matches a full pod name of the release, as a pods list shows it
// (the logs pane shows short tags only).
var podName = regexp.MustCompile(`taskmaster-(backend|frontend)-[a-z0-9]{6,10}-[a-z0-9]{5}`)

var seqRe = regexp.MustCompile(`seq=(\d+)`)

// maxSeq is the highest seq=N on a screen, or -1.
func maxSeq(screen string) int {
	best := -1
	for _, m := range seqRe.FindAllStringSubmatch(screen, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > best {
			best = n
		}
	}
	return best
}

// proc samples a process's CPU time and resident memory from /proc (Linux).
type procSample struct {
	at  time.Time
	cpu time.Duration // user + system
	rss int64         // bytes
	// anon is the part of rss that is the process's own memory (heap,
	// stacks), not pages of its executable mapped from the page cache.
	anon int64
}

func sample(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	// Fields after the command: state is f[0]; utime and stime are the
	// 14th and 15th fields of the line, f[11] and f[12] here, in ticks.
	if len(f) < 13 {
		return s, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s.cpu = time.Duration(ut+st) * time.Second / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			s.rss = kB(v)
		}
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			s.anon = kB(v)
		}
	}
	return s, nil
}

func kB(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
	return n << 10
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

func cpuPercent(a, b procSample) float64 {
	return 100 * (b.cpu - a.cpu).Seconds() / b.at.Sub(a.at).Seconds()
}
