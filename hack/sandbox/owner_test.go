package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A pid is only half a name: the owner is the process with that pid and
// that start time, so a pid reused by another process is not the owner.
func TestOwnerIsThePidAndItsStartTime(t *testing.T) {
	t.Setenv(ownerEnv, strconv.Itoa(os.Getpid()))
	me, err := ownerFromEnv()
	if err != nil || me == nil || !me.alive() {
		t.Fatalf("this process as owner: %+v (%v)", me, err)
	}
	if other := (&Owner{PID: me.PID, Started: "Thu Jan  1 00:00:00 1970"}); other.alive() {
		t.Error("an owner with this pid but another start time counts as alive")
	}

	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	gone := &Owner{PID: sleep.Process.Pid, Started: processStart(sleep.Process.Pid)}
	if !gone.alive() {
		t.Fatalf("a running sleep does not count as alive: %+v", gone)
	}
	_ = sleep.Process.Kill()
	_ = sleep.Wait()
	if gone.alive() {
		t.Error("an owner that has ended counts as alive")
	}

	t.Setenv(ownerEnv, "not-a-pid")
	if _, err := ownerFromEnv(); err == nil {
		t.Error("a malformed owner was accepted")
	}
}

// kwokctl kills whatever a pid file names. After a killed run the number
// may belong to anyone: a file that names no process of the sandbox goes
// before kwokctl reads it.
func TestPidFilesNamingOtherProcessesAreRemovedBeforeKwokctlReadsThem(t *testing.T) {
	s := newTestSandbox(t, t.TempDir(), "scrub")
	pids := filepath.Join(s.kwokDir(), "clusters", s.name, "pids")
	if err := os.MkdirAll(pids, 0o755); err != nil {
		t.Fatal(err)
	}
	stranger := exec.Command("sleep", "60")
	if err := stranger.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stranger.Process.Kill(); _ = stranger.Wait() })
	for name, content := range map[string]string{"etcd.pid": strconv.Itoa(stranger.Process.Pid), "kube-apiserver.pid": "garbage"} {
		if err := os.WriteFile(filepath.Join(pids, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.scrubPidFiles()
	if left, _ := filepath.Glob(filepath.Join(pids, "*.pid")); len(left) != 0 {
		t.Errorf("pid files left that name no process of the sandbox: %v", left)
	}
	if !alive(stranger.Process.Pid) {
		t.Error("the process a stale pid file named was harmed")
	}
}

// A sandbox whose processes all run is waited for while it is slow to
// answer; one of which a process is gone is given up at once.
func TestWaitHealthyWaitsForASlowSandboxAndNotForAHalfDeadOne(t *testing.T) {
	ctx := context.Background()
	calls := 0
	slow := func(context.Context) error {
		calls++
		if calls < 4 {
			return errors.New("context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
		}
		return nil
	}
	allRun := func() error { return nil }
	if err := waitHealthy(ctx, time.Minute, allRun, slow); err != nil || calls != 4 {
		t.Fatalf("a slow sandbox: %v after %d calls; want it waited for", err, calls)
	}

	asked := false
	schedulerGone := func() error { return fmt.Errorf("%w: kube-scheduler is not running", errHalfDead) }
	err := waitHealthy(ctx, time.Hour, schedulerGone, func(context.Context) error { asked = true; return nil })
	if !errors.Is(err, errHalfDead) || asked {
		t.Fatalf("a half-dead sandbox: %v (asked: %v); want errHalfDead without asking it", err, asked)
	}

	never := func(context.Context) error { return errors.New("connection refused") }
	if err := waitHealthy(ctx, time.Second, allRun, never); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("a sandbox that never answers: %v", err)
	}
}

// A run that is killed leaves its sandbox running. The next sweep stops it
// and removes its folder, and leaves alone a sandbox whose owner lives.
func TestSweepStopsTheSandboxOfAnEndedOwnerAndNoOther(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of its own; skipped under -short (make test runs it)")
	}
	root, err := cacheRoot()
	if err != nil {
		t.Fatal(err)
	}
	owner := exec.Command("sleep", "600")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = owner.Process.Kill(); _ = owner.Wait() })
	name := fmt.Sprintf("tmtui-sweep-%d", os.Getpid())
	dir := runDir(root, name)
	t.Cleanup(func() { _, _ = goRunSandbox(t, nil, "--name", name, "down") })
	if out, err := goRunSandbox(t, []string{fmt.Sprintf("%s=%d", ownerEnv, owner.Process.Pid)}, "--name", name, "up"); err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	if ps := processesMentioning(dir); len(ps) < 6 {
		t.Fatalf("want the sandbox's six processes running; found %v", ps)
	}

	// Beside it: a sandbox folder of a live owner (this test), a folder
	// `up` made aside and never renamed, and a private sandbox's folder
	// with no owner record and nothing running.
	livePath := runDir(root, fmt.Sprintf("tmtui-sweep-live-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(livePath) })
	t.Setenv(ownerEnv, strconv.Itoa(os.Getpid()))
	me, _ := ownerFromEnv()
	live := &sandbox{name: filepath.Base(livePath), root: root}
	if err := live.createRunDir(me); err != nil {
		t.Fatal(err)
	}
	aside := filepath.Join(filepath.Dir(dir), fmt.Sprintf(".%s.new-%d-123", name, owner.Process.Pid))
	private := runDir(root, fmt.Sprintf("tmtui-private-sweep%d", os.Getpid()))
	for _, d := range []string{aside, private} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
	}

	_ = owner.Process.Kill()
	_ = owner.Wait()
	out, err := goRunSandbox(t, nil, "sweep")
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, out)
	}
	if !strings.Contains(out, fmt.Sprintf("Sandbox %q was left by process %d, which is gone", name, owner.Process.Pid)) {
		t.Errorf("sweep did not say which sandbox it stopped and why:\n%s", out)
	}
	if ps := processesMentioning(dir); len(ps) != 0 {
		t.Errorf("processes of the swept sandbox still run: %v", ps)
	}
	for _, gone := range []string{dir, aside, private} {
		if _, err := os.Stat(gone); !os.IsNotExist(err) {
			t.Errorf("%s is left after sweep", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(livePath, ownerFile)); err != nil {
		t.Errorf("sweep removed the sandbox of a live owner: %v", err)
	}
}

func goRunSandbox(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", "."}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
