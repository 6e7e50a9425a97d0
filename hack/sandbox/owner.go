package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A sandbox started for one run or one test records the process it belongs
// to, its owner: hack/with-test-env.sh gives its own pid, testenv's
// PrivateSandbox the test binary's, the sandbox tool's own lifecycle test
// the test's. A run that is killed (SIGKILL, a timeout panic, a session
// ended) never stops its sandboxes; the next `up` or `sweep` stops every
// sandbox whose owner is gone. A sandbox without an owner (`make
// sandbox-up`, the shared one a plain `go test` starts) belongs to a person
// and is never swept.

// ownerEnv names the owner's pid for `up`; the Makefile's sandbox-up passes
// the environment through, so the lifecycle test can set it too.
const ownerEnv = "TMTUI_SANDBOX_OWNER"

const ownerFile = "owner.json"

// Owner is a process, named by its pid and its start time: a pid alone can
// belong to any process once the owner has ended, so both must match.
type Owner struct {
	PID     int    `json:"pid"`
	Started string `json:"started"`
}

// processStart is when a process started, as ps prints it, or "" when it
// does not run (or is a zombie).
func processStart(pid int) string {
	if pid <= 0 || zombie(pid) {
		return ""
	}
	out, err := exec.Command("ps", "-o", "lstart=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// ownerFromEnv is the owner `up` records, from TMTUI_SANDBOX_OWNER.
func ownerFromEnv() (*Owner, error) {
	v := os.Getenv(ownerEnv)
	if v == "" {
		return nil, nil
	}
	pid, err := strconv.Atoi(v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: not a pid", ownerEnv, v)
	}
	started := processStart(pid)
	if started == "" {
		return nil, fmt.Errorf("%s=%d: no such process", ownerEnv, pid)
	}
	return &Owner{PID: pid, Started: started}, nil
}

func (o *Owner) alive() bool { return processStart(o.PID) == o.Started }

func (s *sandbox) readOwner() (*Owner, error) {
	data, err := os.ReadFile(filepath.Join(s.dir(), ownerFile))
	if err != nil {
		return nil, err
	}
	var o Owner
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// createRunDir makes the run folder with its owner record already inside,
// by renaming a folder made aside: a sweep never sees a sandbox of a live
// owner without its record.
func (s *sandbox) createRunDir(owner *Owner) error {
	runs := filepath.Dir(s.dir())
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(runs, fmt.Sprintf(".%s.new-%d-", s.name, os.Getpid()))
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o700); err != nil {
		return err
	}
	if owner != nil {
		data, _ := json.Marshal(owner)
		if err := os.WriteFile(filepath.Join(tmp, ownerFile), data, 0o600); err != nil {
			os.RemoveAll(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, s.dir()); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("creating %s (is another `up` of %q running?): %w", s.dir(), s.name, err)
	}
	return nil
}

// sweep stops every sandbox under the cache root whose owner is gone, and
// the folders of private sandboxes of which no process is left. One sweep
// runs at a time, so two never stop the same sandbox at once.
func sweep(ctx context.Context, root string, out func(format string, args ...any)) error {
	runs := filepath.Dir(runDir(root, "x"))
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(filepath.Join(runs, ".sweep.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	entries, err := os.ReadDir(runs)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			// A folder `up` made aside and never renamed, when the `up`
			// that made it is gone: nothing was started from it.
			if _, rest, ok := strings.Cut(name, ".new-"); ok {
				pid, _, _ := strings.Cut(rest, "-")
				if n, err := strconv.Atoi(pid); err == nil && !alive(n) {
					os.RemoveAll(filepath.Join(runs, name))
				}
			}
			continue
		}
		s := &sandbox{name: name, root: root, out: os.Stdout}
		owner, err := s.readOwner()
		switch {
		case err == nil && owner.alive():
			continue
		case err == nil:
			out("Sandbox %q was left by process %d, which is gone: stopping it.\n", name, owner.PID)
		case errors.Is(err, os.ErrNotExist) && strings.HasPrefix(name, "tmtui-private-") && len(processesMentioning(s.dir())) == 0:
			// A private sandbox made before owners were recorded, with
			// nothing of it running: only its folder is left.
			out("Private sandbox %q has no process left: removing its folder.\n", name)
		default:
			continue
		}
		if err := s.Down(ctx); err != nil {
			errs = append(errs, fmt.Errorf("sweeping %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// tryLockFile takes an exclusive lock on path if no one holds it; unlock is
// nil when someone does.
func tryLockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// scrubPidFiles removes kwokctl's pid files that no longer name a process
// of this sandbox. kwokctl's delete and stop kill whatever pid such a file
// names, without asking what it is: after a reboot, or a control plane
// killed with the run that started it, that number may belong to anyone.
func (s *sandbox) scrubPidFiles() {
	files, _ := filepath.Glob(filepath.Join(s.kwokDir(), "clusters", s.name, "pids", "*.pid"))
	if len(files) == 0 {
		return
	}
	ours := map[int]bool{}
	for _, pid := range processesMentioning(s.dir()) {
		ours[pid] = true
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || perr != nil || !ours[pid] {
			os.Remove(f)
		}
	}
}
