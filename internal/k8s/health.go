package k8s

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HealthCheck is one service to ask whether it is well.
type HealthCheck struct {
	Component string // backend or frontend
	Selector  string // its pods
	Port      int    // the pods' port
	Path      string // e.g. /health
	// PreferredURL is a base URL tried first, briefly: where a LoadBalancer
	// service answers on the developer's machine (Docker Desktop publishes
	// them on localhost). Empty: always through a port-forward.
	PreferredURL string
}

// DefaultFrontendURL is where Docker Desktop publishes the frontend's
// LoadBalancer service.
const DefaultFrontendURL = "http://localhost:3000"

// ReleaseHealthChecks are the checks of the chart's two services: the
// backend's GET /health through a port-forward to 8000, and the frontend's
// GET / at frontendURL (DefaultFrontendURL in the app; "" to skip it) when
// something answers there, else through a port-forward to 3000.
func ReleaseHealthChecks(release, frontendURL string) []HealthCheck {
	return []HealthCheck{
		{Component: ComponentBackend, Selector: ReleaseSelector(release, ComponentBackend), Port: 8000, Path: "/health"},
		{Component: ComponentFrontend, Selector: ReleaseSelector(release, ComponentFrontend), Port: 3000, Path: "/", PreferredURL: frontendURL},
	}
}

// HealthVia says how a check reached its service.
type HealthVia string

const (
	ViaPreferred   HealthVia = "preferred"    // the PreferredURL answered (a LoadBalancer)
	ViaPortForward HealthVia = "port-forward" // through a port-forward to a pod
)

// HealthResult is the outcome of one check.
type HealthResult struct {
	Component string
	URL       string    // what was asked
	Via       HealthVia // "" when nothing could be asked
	Pod       string    // the pod the port-forward reached
	Status    int       // HTTP status; 0 without an answer
	Latency   time.Duration
	Err       string // why there was no answer, one line
	Checked   time.Time
}

// Healthy is a 2xx or 3xx answer.
func (r HealthResult) Healthy() bool { return r.Err == "" && r.Status >= 200 && r.Status < 400 }

// HealthOptions say what WatchHealth checks, and how often.
type HealthOptions struct {
	Namespace string // empty: the client's namespace
	Checks    []HealthCheck
	Interval  time.Duration // between rounds; default 5 s
	Timeout   time.Duration // per request, and for a port-forward to get ready; default 5 s
	// PreferredTimeout bounds the try of a PreferredURL; default 300 ms, so
	// that nothing answering there costs little.
	PreferredTimeout time.Duration
}

const (
	defaultHealthInterval  = 5 * time.Second
	defaultHealthTimeout   = 5 * time.Second
	defaultPreferredTimout = 300 * time.Millisecond
)

// WatchHealth runs the checks now and then every Interval, all checks of a
// round at once, and sends each round's results in the order of Checks.
// Port-forwards are opened when first needed and kept, moving to another
// pod when theirs is replaced. Like WatchRelease's, the channel holds the
// latest round only; it closes once ctx is done and the forwards are shut.
func (c *Client) WatchHealth(ctx context.Context, o HealthOptions) (<-chan []HealthResult, error) {
	if len(o.Checks) == 0 {
		return nil, errors.New("health: no checks")
	}
	for _, ch := range o.Checks {
		if ch.Component == "" || ch.Path == "" || !strings.HasPrefix(ch.Path, "/") {
			return nil, fmt.Errorf("health: check %+v needs a component and a path starting with /", ch)
		}
	}
	h := &healthWatch{
		c:    c,
		o:    o,
		fwds: make(map[int]*Forward),
		http: &http.Client{Transport: &http.Transport{
			// Never through a proxy, and a new connection each time, so that a
			// check always goes through the current forward.
			Proxy:             nil,
			DisableKeepAlives: true,
		}},
	}
	h.o.Interval = positiveOr(o.Interval, defaultHealthInterval)
	h.o.Timeout = positiveOr(o.Timeout, defaultHealthTimeout)
	h.o.PreferredTimeout = positiveOr(o.PreferredTimeout, defaultPreferredTimout)
	out := make(chan []HealthResult, 1)
	go h.run(ctx, out)
	return out, nil
}

// CheckHealth runs the checks once, and shuts the port-forwards it opened.
func (c *Client) CheckHealth(ctx context.Context, o HealthOptions) ([]HealthResult, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rounds, err := c.WatchHealth(wctx, o)
	if err != nil {
		return nil, err
	}
	results, ok := <-rounds
	cancel()
	for range rounds { // until the forwards are shut
	}
	if !ok {
		return nil, ctx.Err()
	}
	return results, nil
}

type healthWatch struct {
	c    *Client
	o    HealthOptions
	http *http.Client

	mu   sync.Mutex
	fwds map[int]*Forward // by index in Checks
}

func (h *healthWatch) run(ctx context.Context, out chan []HealthResult) {
	defer close(out)
	fctx, cancelForwards := context.WithCancel(ctx)
	defer func() {
		cancelForwards()
		for _, f := range h.fwds {
			<-f.Done()
		}
	}()
	tick := time.NewTicker(h.o.Interval)
	defer tick.Stop()
	for {
		results := make([]HealthResult, len(h.o.Checks))
		var wg sync.WaitGroup
		for i, check := range h.o.Checks {
			wg.Go(func() { results[i] = h.check(ctx, fctx, i, check) })
		}
		wg.Wait()
		if ctx.Err() != nil {
			return
		}
		select {
		case out <- results:
		default:
			select {
			case <-out:
			default:
			}
			out <- results
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (h *healthWatch) check(ctx, fctx context.Context, i int, check HealthCheck) HealthResult {
	r := HealthResult{Component: check.Component, Checked: time.Now()}
	if check.PreferredURL != "" {
		url := strings.TrimSuffix(check.PreferredURL, "/") + check.Path
		if status, latency, err := h.get(ctx, url, h.o.PreferredTimeout); err == nil {
			r.URL, r.Via, r.Status, r.Latency = url, ViaPreferred, status, latency
			return r
		}
	}
	f, err := h.forward(fctx, i, check)
	if err != nil {
		r.Err = oneLine(err)
		return r
	}
	wctx, cancel := context.WithTimeout(ctx, h.o.Timeout)
	state, err := f.WaitReady(wctx)
	cancel()
	r.Pod = state.Pod
	if err != nil {
		r.Err = oneLine(err)
		return r
	}
	r.URL, r.Via = state.URL()+check.Path, ViaPortForward
	r.Status, r.Latency, err = h.get(ctx, r.URL, h.o.Timeout)
	if err != nil {
		r.Err = oneLine(err)
	}
	return r
}

func (h *healthWatch) forward(fctx context.Context, i int, check HealthCheck) (*Forward, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.fwds[i]; ok {
		return f, nil
	}
	f, err := h.c.StartForward(fctx, ForwardOptions{Namespace: h.o.Namespace, Selector: check.Selector, Port: check.Port})
	if err != nil {
		return nil, err
	}
	h.fwds[i] = f
	return f, nil
}

// get asks url and times the whole answer, body included.
func (h *healthWatch) get(ctx context.Context, url string, timeout time.Duration) (status int, latency time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := h.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, time.Since(start), err
}
