package ui

import (
	"context"
	"fmt"
	"image/color"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// clock is the fixed time of every screen test, so ages never drift.
var clock = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

type scaleCall struct {
	deployment   string
	replicas     int32
	confirmation string
}

type fakePods struct {
	mu     sync.Mutex
	snap   pods.Snapshot
	scales []scaleCall
	// chans, when set, are handed out one per WatchPods call instead of a
	// closed channel holding snap.
	chans []chan pods.Snapshot
}

func (f *fakePods) WatchPods(context.Context) (<-chan pods.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.chans) > 0 {
		ch := f.chans[0]
		f.chans = f.chans[1:]
		return ch, nil
	}
	ch := make(chan pods.Snapshot, 1)
	ch <- f.snap
	close(ch)
	return ch, nil
}

func (f *fakePods) ScaleDeployment(_ context.Context, d string, n int32, conf string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scales = append(f.scales, scaleCall{d, n, conf})
	return nil
}
func (f *fakePods) RestartDeployment(context.Context, string, string) error { return nil }
func (f *fakePods) DeletePod(_ context.Context, p, conf string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scales = append(f.scales, scaleCall{"delete " + p, 0, conf})
	return nil
}

func (f *fakePods) calls() []scaleCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]scaleCall(nil), f.scales...)
}

type fakeLogs struct{ lines []logs.Line }

func (f *fakeLogs) StreamLogs(_ context.Context, q logs.Query) (<-chan logs.Batch, error) {
	ch := make(chan logs.Batch, 1)
	var ls []logs.Line
	for _, l := range f.lines {
		if q.Pod == "" || l.Pod == q.Pod {
			ls = append(ls, l)
		}
	}
	ch <- logs.Batch{Lines: ls}
	close(ch)
	return ch, nil
}

// fakeRelease counts its Status reads (when given a counter), to show
// when the release pane reads the release again.
type fakeRelease struct{ statusReads *atomic.Int32 }

func (f fakeRelease) Status(context.Context) (release.Status, error) {
	if f.statusReads != nil {
		f.statusReads.Add(1)
	}
	return release.Status{Installed: true, Name: "taskmaster", Revision: 3, State: "deployed", Chart: "taskmaster-0.1.0", AppVersion: "1.2.0", Updated: clock.Add(-2 * time.Hour)}, nil
}
func (fakeRelease) History(context.Context) ([]release.Revision, error) {
	return []release.Revision{
		{Number: 3, State: "deployed", Chart: "taskmaster-0.1.0", AppVersion: "1.2.0", Updated: clock.Add(-2 * time.Hour), Description: "Upgrade complete"},
		{Number: 2, State: "superseded", Chart: "taskmaster-0.1.0", AppVersion: "1.1.0", Updated: clock.Add(-26 * time.Hour), Description: "Upgrade complete"},
		{Number: 1, State: "superseded", Chart: "taskmaster-0.1.0", AppVersion: "1.0.0", Updated: clock.Add(-72 * time.Hour), Description: "Install complete"},
	}, nil
}
func (fakeRelease) Content(_ context.Context, rev int, k release.Kind) (string, error) {
	return fmt.Sprintf("%s of %d", k, rev), nil
}

type fakeImages struct{}

func (fakeImages) ListImages(context.Context) ([]images.Image, error) {
	return []images.Image{
		{Repository: "taskmaster-backend", Present: true, Tag: "1.2.0", Size: 182_000_000, Verdict: images.WithinAim, Aim: 300_000_000, Max: 500_000_000, Previous: "1.1.0", SizeChange: 12_000_000},
		{Repository: "taskmaster-frontend", Present: true, Tag: "1.2.0", Size: 171_000_000, Verdict: images.WithinBudget, Aim: 150_000_000, Max: 200_000_000, Previous: "1.1.0", SizeChange: -3_000_000},
	}, nil
}

// podSnapshot is the release with n backend pods (one crashing) and a frontend.
func podSnapshot(n int) pods.Snapshot {
	s := pods.Snapshot{Conn: pods.ConnLive, Deployments: []pods.Deployment{
		{Name: "taskmaster-backend", Component: "backend", Desired: int32(n), Ready: int32(n - 1), Updated: int32(n)},
		{Name: "taskmaster-frontend", Component: "frontend", Desired: 1, Ready: 1, Updated: 1},
	}}
	for i := range n {
		p := pods.Pod{Name: fmt.Sprintf("taskmaster-backend-7d9f8c6b5-%05d", i), Component: "backend", Status: "Running", Ready: true,
			ReadyContainers: 1, Containers: 1, Created: clock.Add(-time.Duration(i+1) * time.Minute), Node: "kwok-node-0"}
		if i == 1 {
			p.Status, p.Ready, p.ReadyContainers, p.Restarts, p.Reason = "CrashLoopBackOff", false, 0, 7, "CrashLoopBackOff"
		}
		s.Pods = append(s.Pods, p)
	}
	s.Pods = append(s.Pods, pods.Pod{Name: "taskmaster-frontend-5c4b7f9d8-h6j2n", Component: "frontend", Status: "Running", Ready: true,
		ReadyContainers: 1, Containers: 1, Created: clock.Add(-3 * time.Hour), Node: "kwok-node-0"})
	return s
}

func logLines(n int) []logs.Line {
	out := make([]logs.Line, n)
	for i := range out {
		pod := "taskmaster-backend-7d9f8c6b5-00000"
		if i%3 == 2 {
			pod = "taskmaster-frontend-5c4b7f9d8-h6j2n"
		}
		out[i] = logs.Line{Pod: pod, Container: "app", Time: clock.Add(time.Duration(i-n) * time.Second),
			Text: fmt.Sprintf("GET /api/tasks/%d 200 in %dms", i, 3+i%40)}
	}
	return out
}

type world struct {
	pods         *fakePods
	logs         *fakeLogs
	info         ClusterInfo
	opts         Options
	images       images.Service
	health       HealthService // nil: the session has none
	releaseReads atomic.Int32
	release      release.Service  // nil: fakeRelease, which cannot change anything
	wallClock    func() time.Time // nil: time.Now; when a dialog's grace period ends
}

func newWorld() *world {
	return &world{
		pods:   &fakePods{snap: podSnapshot(2)},
		logs:   &fakeLogs{lines: logLines(30)},
		info:   sandbox,
		images: fakeImages{},
		// Status lines stay until a test fades them, so that a success
		// line's timer does not keep a wait for every command waiting.
		opts: Options{NoColor: true, StatusFade: -1},
	}
}

func (w *world) options() Options {
	o := w.opts
	o.Connect = func(context.Context) (Cluster, error) {
		var rel release.Service = fakeRelease{statusReads: &w.releaseReads}
		if w.release != nil {
			rel = w.release
		}
		return Cluster{Info: w.info, Services: Services{Pods: w.pods, Logs: w.logs, Release: rel, Health: w.health}}, nil
	}
	o.Context = w.info.Context
	o.Images = w.images
	o.Now = fixedNow
	o.SaveDir = ""
	return o
}

// root drives the value-typed root model through a uitest.Driver, which
// hands every command's message to Update, a late one included.
type root struct {
	t testing.TB
	m Model
	d *uitest.Driver
}

// waitLimit only ends a test that would otherwise hang; the waits end on a
// state, long before it on any machine.
const waitLimit = uitest.WaitLimit

func newRoot(t testing.TB, o Options) *root {
	r := &root{t: t, m: New(o)}
	r.d = uitest.NewDriver(r)
	return r
}

func (r *root) Update(msg tea.Msg) tea.Cmd {
	next, cmd := r.m.Update(msg)
	r.m = next.(Model)
	return cmd
}

// settle runs cmd and hands Update every message until every command has
// answered (the fakes answer at once, the spinner stops when nothing
// runs, status lines do not fade by themselves), failing the test when
// that does not come.
func (r *root) settle(cmd tea.Cmd) {
	r.t.Helper()
	if !r.d.Idle(cmd, waitLimit) {
		r.t.Fatalf("waited %v for every command to answer; %d still running; tasks %v:\n%s", waitLimit, r.d.Running(), r.m.tasks, r.screen())
	}
}

// until runs cmd and hands Update messages until done is true, failing the
// test when it is not; what names the state waited for.
func (r *root) until(cmd tea.Cmd, what string, done func() bool) {
	r.t.Helper()
	if !r.d.Until(cmd, done, waitLimit) {
		r.t.Fatalf("waited %v for %s; %d commands running; screen:\n%s", waitLimit, what, r.d.Running(), r.screen())
	}
}

func (r *root) press(keys ...string) {
	r.t.Helper()
	for _, k := range keys {
		r.settle(r.Update(uitest.Key(k)))
	}
}

func (r *root) screen() string { return r.m.View().Content }

// connected starts the model against the fakes and waits until it is
// connected, every pane's first load has landed and every command has
// answered, however slow the machine.
func (w *world) connected(t testing.TB, width, height int) *root {
	t.Helper()
	r := newRoot(t, w.options())
	if w.wallClock != nil {
		r.m.wallClock = w.wallClock
	}
	// The wizard's preflight would be read again every 5 s for as long as
	// it is shown, and a wait for every command to answer would never end.
	r.m.wizardRefresh = -1
	r.Update(tea.WindowSizeMsg{Width: width, Height: height})
	r.until(r.m.Init(), "connected, with every pane's first load", func() bool {
		if r.m.state != connected {
			return false
		}
		loaded, _ := r.m.release.State()
		return loaded && r.m.pods.Received() && (r.m.imagesFn == nil || r.m.images.Loaded()) && r.m.logs.Len() >= len(w.logs.lines)
	})
	r.settle(nil)
	return r
}

var lightGrey = color.RGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}
