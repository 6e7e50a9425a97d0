package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
)

// privateDockerd is a Docker engine of one test's own (hack/dockerd.sh with
// a folder of its own), for tests that stop it: the shared one is never
// touched.
type privateDockerd struct {
	t    *testing.T
	dir  string
	host string
}

func startPrivateDockerd(t *testing.T) *privateDockerd {
	t.Helper()
	testenv.DockerHost(t) // skips under -short, like every Docker test
	// Short, for the socket's path (at most 107 bytes).
	dir, err := os.MkdirTemp("", "chaos-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	d := &privateDockerd{t: t, dir: dir}
	t.Cleanup(func() {
		d.script("stop")
		os.RemoveAll(dir)
	})
	d.start()
	return d
}

func (d *privateDockerd) script(verb string) string {
	d.t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		d.t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(root, "hack", "dockerd.sh"), verb)
	cmd.Env = append(os.Environ(), "TMTUI_DOCKERD_DIR="+d.dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("hack/dockerd.sh %s: %v\n%s", verb, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

func (d *privateDockerd) start() {
	d.t.Helper()
	host, ok := strings.CutPrefix(d.script("start"), "export DOCKER_HOST=")
	if !ok || (d.host != "" && host != d.host) {
		d.t.Fatalf("hack/dockerd.sh start gave %q (before: %q)", host, d.host)
	}
	d.host = host
}

// pid is the engine's process, while it runs.
func (d *privateDockerd) pid() int {
	data, err := os.ReadFile(filepath.Join(d.dir, "dockerd.pid"))
	if err != nil {
		return 0
	}
	var pid int
	fmt.Sscan(string(data), &pid)
	return pid
}

// sleeperContext is a build context whose RUN step takes a minute: a
// static binary that sleeps, run by the engine (no shell, no base image).
func sleeperContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":     "module sleeper\n\ngo 1.26\n",
		"main.go":    "package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc main() {\n\tfmt.Println(\"sleeper: sleeping\")\n\ttime.Sleep(time.Minute)\n}\n",
		"Dockerfile": "FROM scratch\nCOPY sleeper /sleeper\nRUN [\"/sleeper\"]\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", "sleeper", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the sleeper: %v\n%s", err, out)
	}
	for _, name := range []string{"go.mod", "main.go"} {
		os.Remove(filepath.Join(dir, name))
	}
	return dir
}

// The Docker engine stopped in the middle of a build (its RUN step
// running): Build ends with an error that says the engine went away,
// nothing hangs; the images listing, by the engine and by the Images pane's
// service, says the engine is not reachable; and when the engine comes
// back, the same clients list again with no restart of tmtui. That Build
// ends within 5 s of the stop is a promise make chaos holds it to
// (testenv.Promised).
func TestChaosDockerEngineStoppedDuringABuild(t *testing.T) {
	t.Parallel()
	d := startPrivateDockerd(t)
	buildCtx := sleeperContext(t)
	c, err := docker.New(d.host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	svc := newImagesService(d.host)
	if _, err := svc.ListImages(t.Context()); err != nil {
		t.Fatalf("listing with the engine up: %v", err)
	}

	const promisedEnd = 5 * time.Second
	tried := testenv.Repeat(1, 3)
	survived := 0
	var ends, gone []time.Duration
	var failures []string
	for i := range tried {
		ok := func() bool {
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			events := c.Build(ctx, docker.BuildRequest{ContextDir: buildCtx, Tag: fmt.Sprintf("tmtui-chaos/sleeper:%d", i)})
			running := false
			for ev := range events {
				if ev.Result != nil {
					failures = append(failures, fmt.Sprintf("build %d ended before the engine was stopped: %v", i+1, ev.Result.Err))
					return false
				}
				// The sleeper's own line, not the engine's "Running in":
				// a process that is a container's PID 1 ignores SIGTERM
				// until Go's runtime has set up its handlers, and dockerd
				// would then wait its 10 s stop timeout before it kills
				// the step and goes (still answering meanwhile).
				if strings.Contains(ev.Line, "sleeper: sleeping") {
					running = true
					break
				}
			}
			if !running {
				failures = append(failures, fmt.Sprintf("build %d: no RUN step", i+1))
				return false
			}
			pid := d.pid()
			stopped := time.Now()
			stopDone := make(chan struct{})
			go func() {
				defer close(stopDone)
				root, _ := testenv.RepoRoot()
				cmd := exec.Command("bash", filepath.Join(root, "hack", "dockerd.sh"), "stop")
				cmd.Env = append(os.Environ(), "TMTUI_DOCKERD_DIR="+d.dir)
				_ = cmd.Run()
			}()
			var res *docker.BuildResult
			timeout := time.After(2 * time.Minute)
			for res == nil {
				select {
				case ev, open := <-events:
					if !open {
						failures = append(failures, fmt.Sprintf("build %d: the channel closed without a result", i+1))
						return false
					}
					res = ev.Result
				case <-timeout:
					failures = append(failures, fmt.Sprintf("build %d: no result two minutes after the engine was stopped (a hang)", i+1))
					return false
				}
			}
			end := time.Since(stopped)
			ends = append(ends, end)
			<-stopDone
			if pid > 0 && syscall.Kill(pid, 0) == nil {
				failures = append(failures, fmt.Sprintf("build %d: dockerd (pid %d) still runs after hack/dockerd.sh stop", i+1, pid))
			}
			msg := fmt.Sprint(res.Err)
			t.Logf("build %d ended %.2f s after the engine was stopped: %s", i+1, end.Seconds(), msg)
			good := true
			if err := testenv.Promised(t, fmt.Sprintf("build %d: its end after the engine was stopped", i+1), end, promisedEnd); err != nil {
				failures = append(failures, err.Error())
				good = false
			}
			if res.Err == nil || !docker.IsUnreachable(res.Err) || !strings.Contains(msg, "docker engine") || !strings.Contains(msg, d.host) {
				failures = append(failures, fmt.Sprintf("build %d: error %q (unreachable: %v), want one that says the docker engine at %s went away", i+1, msg, docker.IsUnreachable(res.Err), d.host))
				good = false
			}

			// While it is gone: the engine and the pane's service say so.
			_, err := c.ListImages(t.Context(), docker.DefaultBudgets().Images)
			if !docker.IsUnreachable(err) || !strings.Contains(err.Error(), "docker engine not reachable at "+d.host) {
				failures = append(failures, fmt.Sprintf("listing while the engine is gone: %v", err))
				good = false
			}
			_, err = svc.ListImages(t.Context())
			if !errors.Is(err, images.ErrUnreachable) || !strings.Contains(err.Error(), "nothing answers at "+d.host) {
				failures = append(failures, fmt.Sprintf("the Images pane's listing while the engine is gone: %v", err))
				good = false
			}

			// Back: the same clients work again.
			d.start()
			back := time.Now()
			var listErr error
			for time.Since(back) < 30*time.Second {
				if _, listErr = svc.ListImages(t.Context()); listErr == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if listErr != nil {
				failures = append(failures, fmt.Sprintf("the Images pane's listing after the engine came back: %v", listErr))
				return false
			}
			gone = append(gone, time.Since(back))
			if _, err := c.ListImages(t.Context(), docker.DefaultBudgets().Images); err != nil {
				failures = append(failures, fmt.Sprintf("listing after the engine came back: %v", err))
				return false
			}
			return good
		}()
		if ok {
			survived++
		}
	}
	var figures []string
	if len(ends) > 0 {
		figures = append(figures, "Build returned its error "+secondsList(ends)+" after hack/dockerd.sh stop began (promised within "+promisedEnd.String()+")")
	}
	if len(gone) > 0 {
		figures = append(figures, "the images listing (engine and Images pane service) worked again "+secondsList(gone)+" after hack/dockerd.sh start returned")
	}
	testenv.Record(t, &testenv.Result{Section: testenv.SectionFaults, Class: "Docker engine stopped during a build",
		Tried: tried, Survived: survived, Figures: figures})
	for _, f := range failures {
		t.Error(f)
	}
}

// secondsList says the longest of ds and all of them, in seconds.
func secondsList(ds []time.Duration) string {
	longest := ds[0]
	parts := make([]string, len(ds))
	for i, d := range ds {
		longest = max(longest, d)
		parts[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return fmt.Sprintf("within %.2f s (%s s)", longest.Seconds(), strings.Join(parts, ", "))
}
