package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

type fakeHealth struct {
	results []HealthResult
	err     error
	calls   int
	mu      sync.Mutex
}

func (f *fakeHealth) CheckHealth(ctx context.Context) ([]HealthResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("the check has no deadline")
	}
	return f.results, f.err
}

var (
	backendOK      = HealthResult{Component: "backend", URL: "http://127.0.0.1:40001/health", Via: ViaPortForward, Status: 200, Latency: 12 * time.Millisecond}
	frontendOK     = HealthResult{Component: "frontend", URL: "http://127.0.0.1:40002/", Via: ViaPortForward, Status: 200, Latency: 9 * time.Millisecond}
	frontendLB     = HealthResult{Component: "frontend", URL: "http://localhost:3000/", Via: ViaLoadBalancer, Status: 200, Latency: 3 * time.Millisecond}
	backendFailing = HealthResult{Component: "backend", URL: "http://127.0.0.1:40001/health", Via: ViaPortForward, Status: 503, Latency: 4 * time.Millisecond}
)

type opener struct {
	mu   sync.Mutex
	urls []string
	err  error
}

func (o *opener) open(url string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.urls = append(o.urls, url)
	return o.err
}

func (o *opener) opened() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.urls...)
}

func healthWorld(h *fakeHealth, o *opener) *world {
	w := newWorld()
	w.health = h
	if o != nil {
		w.opts.OpenURL = o.open
	}
	return w
}

func TestHealthKeyRunsTheCheckWithASpinnerAndReports(t *testing.T) {
	h := &fakeHealth{results: []HealthResult{backendOK, frontendOK}}
	w := healthWorld(h, nil)
	w.opts.ReadOnly = true // checking changes nothing: it stays in read-only mode
	r := w.connected(t, 160, 40)
	if !strings.Contains(r.screen(), "h check health") {
		t.Errorf("the help line lacks h:\n%s", r.screen())
	}
	cmd := r.Update(uitest.Key("h"))
	if !strings.Contains(r.screen(), "checking health…") {
		t.Errorf("the check is not shown running:\n%s", r.screen())
	}
	if r.m.dialog != nil {
		t.Fatal("a health check asked for confirmation")
	}
	r.settle(cmd)
	want := "✓ health: backend 200 in 12ms (port-forward) · frontend 200 in 9ms (port-forward)"
	if len(r.m.tasks) != 0 || !strings.Contains(r.screen(), want) {
		t.Errorf("the result is not reported as %q:\n%s", want, r.screen())
	}
	if h.calls != 1 {
		t.Errorf("CheckHealth called %d times", h.calls)
	}
}

func TestFailingHealthCheckIsAnErrorThatSaysWhatToDo(t *testing.T) {
	h := &fakeHealth{results: []HealthResult{backendFailing, {Component: "frontend", Err: errors.New(`no running pod matches "app.kubernetes.io/component=frontend"`)}}}
	r := healthWorld(h, nil).connected(t, 240, 40)
	r.press("h")
	s := r.screen()
	for _, want := range []string{"✗ health: backend 503 in 4ms (port-forward)", "frontend failed: no running pod matches", "see the pods (3) and their logs (4)", "press h to check again", "(x dismiss)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the error lacks %q:\n%s", want, s)
		}
	}
	r.Update(statusExpiredMsg{id: r.m.status.id})
	if !strings.Contains(r.screen(), "✗ health:") {
		t.Error("the failure faded")
	}

	h.results, h.err = nil, errors.New("context deadline exceeded")
	r.press("x", "h")
	if !strings.Contains(r.screen(), "✗ health check failed: context deadline exceeded") {
		t.Errorf("a failed check is not reported:\n%s", r.screen())
	}
}

func TestWithoutAHealthServiceHAndOAreHiddenAndInert(t *testing.T) {
	w := newWorld()
	o := &opener{}
	w.opts.OpenURL = o.open
	r := w.connected(t, 200, 48)
	if strings.Contains(r.screen(), "check health") {
		t.Errorf("the help line shows h without a health service:\n%s", r.screen())
	}
	r.press("h", "o")
	if len(r.m.tasks) != 0 || r.m.status.kind != statusNone || len(o.opened()) != 0 {
		t.Errorf("h or o did something: tasks %v, status %+v, opened %v", r.m.tasks, r.m.status, o.opened())
	}
	r.press("?")
	if s := r.screen(); strings.Contains(s, "check health") || strings.Contains(s, "open frontend") {
		t.Errorf("the full help shows h or o:\n%s", s)
	}
}

func TestFullHelpShowsHealthKeys(t *testing.T) {
	r := healthWorld(&fakeHealth{}, &opener{}).connected(t, 160, 48)
	r.press("?")
	if s := r.screen(); !strings.Contains(s, "check health") || !strings.Contains(s, "open frontend") {
		t.Errorf("the full help lacks h or o:\n%s", s)
	}
}

func TestOpenNeedsALoadBalancerAddress(t *testing.T) {
	h := &fakeHealth{results: []HealthResult{backendOK, frontendOK}}
	o := &opener{}
	r := healthWorld(h, o).connected(t, 200, 40)
	r.press("o")
	want := "no LoadBalancer address: the frontend is reachable only through a port-forward (press h)"
	if !strings.Contains(r.screen(), want) || len(o.opened()) != 0 {
		t.Errorf("o before any check: opened %v\n%s", o.opened(), r.screen())
	}
	r.press("h", "o") // only through a port-forward
	if !strings.Contains(r.screen(), want) || len(o.opened()) != 0 {
		t.Errorf("o after a port-forward check: opened %v\n%s", o.opened(), r.screen())
	}

	h.results = []HealthResult{backendOK, frontendLB}
	r.press("h")
	if !strings.Contains(r.screen(), "frontend 200 in 3ms (LoadBalancer)") {
		t.Errorf("the LoadBalancer is not reported:\n%s", r.screen())
	}
	r.press("o")
	if got := o.opened(); len(got) != 1 || got[0] != "http://localhost:3000/" {
		t.Errorf("opened %v", got)
	}
	if !strings.Contains(r.screen(), "opened http://localhost:3000/ in the browser") {
		t.Errorf("the opening is not reported:\n%s", r.screen())
	}

	o.err = errors.New("xdg-open: executable file not found in $PATH")
	r.press("o")
	if !strings.Contains(r.screen(), "✗ could not open a browser: xdg-open: executable file not found in $PATH; open http://localhost:3000/ yourself") {
		t.Errorf("a failed opening is not reported:\n%s", r.screen())
	}

	// A frontend that stops answering at the LoadBalancer forgets its address.
	h.results = []HealthResult{backendOK, frontendOK}
	r.press("x", "h", "o")
	if len(o.opened()) != 2 || !strings.Contains(r.screen(), want) {
		t.Errorf("o used a stale address: opened %v\n%s", o.opened(), r.screen())
	}
}

func TestHealthKeysAreRemappable(t *testing.T) {
	h := &fakeHealth{results: []HealthResult{backendOK, frontendOK}}
	w := healthWorld(h, &opener{})
	w.opts.Keys = common.Overrides{"global": {"health": {"H"}, "open": {"O"}}}
	r := w.connected(t, 200, 40)
	r.press("h")
	if h.calls != 0 {
		t.Error("h still checks after being remapped")
	}
	r.press("H")
	if h.calls != 1 {
		t.Error("H does not check")
	}
	r.press("O")
	if !strings.Contains(r.screen(), "(press H)") {
		t.Errorf("O does not name the remapped key:\n%s", r.screen())
	}
}

func TestLatencyIsShort(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12*time.Millisecond + 400*time.Microsecond: "12ms",
		400 * time.Microsecond:                     "0.4ms",
		1250 * time.Millisecond:                    "1.25s",
	} {
		if got := latency(d); got != want {
			t.Errorf("latency(%v) = %q, want %q", d, got, want)
		}
	}
}
