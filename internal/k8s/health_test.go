package k8s

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"
)

// closedURL is a loopback URL nothing listens on: on the sandbox no
// LoadBalancer answers, and tests must not depend on what happens to
// listen on localhost:3000.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}

func TestHealthThroughPortForwardFollowsTheReplacedPod(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 1)
	r.deploy(ComponentFrontend, "taskmaster-frontend:1.0.0", 1)
	backend := r.readyPods(ComponentBackend, 1)[0]
	frontend := r.readyPods(ComponentFrontend, 1)[0]

	rounds, err := r.client.WatchHealth(t.Context(), HealthOptions{
		Checks:   ReleaseHealthChecks(r.name, closedURL(t)),
		Interval: 300 * time.Millisecond,
		Timeout:  10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	var round []HealthResult
	select {
	case round = <-rounds:
	case <-time.After(30 * time.Second):
		t.Fatal("no health round within 30 s")
	}
	if len(round) != 2 {
		t.Fatalf("%d results, want backend and frontend", len(round))
	}
	be, fe := round[0], round[1]
	if be.Component != ComponentBackend || !be.Healthy() || be.Status != http.StatusOK || be.Latency <= 0 ||
		be.Via != ViaPortForward || be.Pod != backend || !strings.HasPrefix(be.URL, "http://127.0.0.1:") || !strings.HasSuffix(be.URL, "/health") {
		t.Fatalf("backend result %+v: want 200 from pod %s through a port-forward, with a latency", be, backend)
	}
	if fe.Component != ComponentFrontend || fe.Status != http.StatusOK || fe.Latency <= 0 || fe.Via != ViaPortForward || fe.Pod != frontend || !strings.HasSuffix(fe.URL, "/") {
		t.Fatalf("frontend result %+v: want 200 from pod %s through a port-forward (nothing answers the preferred URL)", fe, frontend)
	}
	t.Logf("backend GET /health %d in %v via %s; frontend GET / %d in %v", be.Status, be.Latency, be.URL, fe.Status, fe.Latency)

	// Replace the backend's pod: the checks move onto its successor.
	r.restart(ComponentBackend)
	deadline := time.After(40 * time.Second)
	var last HealthResult
	for {
		select {
		case round := <-rounds:
			last = round[0]
		case <-deadline:
			t.Fatalf("the health check never reached a new backend pod; last %+v", last)
		}
		if last.Pod != "" && last.Pod != backend && last.Status == http.StatusOK {
			break
		}
	}
	if now := r.readyPods(ComponentBackend, 1)[0]; last.Pod != now {
		t.Errorf("checked pod %s, but the backend's pod is %s", last.Pod, now)
	}
	if last.URL != be.URL {
		t.Logf("local URL moved from %s to %s (the old port was taken)", be.URL, last.URL)
	}
}

func TestForwardSaysWhenNoPodIsReady(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:unready", 1)

	f, err := r.client.StartForward(t.Context(), ForwardOptions{Selector: r.selector(ComponentBackend), Port: 8000})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	s, err := f.WaitReady(ctx)
	if err == nil || s.Ready || !strings.Contains(s.Err, "no Ready pod") {
		t.Fatalf("forward to never-ready pods: state %+v, err %v", s, err)
	}

	results, err := r.client.CheckHealth(t.Context(), HealthOptions{
		Checks:  []HealthCheck{{Component: ComponentBackend, Selector: r.selector(ComponentBackend), Port: 8000, Path: "/health"}},
		Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := results[0]; res.Healthy() || res.Status != 0 || !strings.Contains(res.Err, "no Ready pod") {
		t.Errorf("health with no Ready pod: %+v", res)
	}
}

// TestHealthPrefersTheLoadBalancerWhenItAnswers needs no cluster: when the
// preferred URL answers, no port-forward is opened.
func TestHealthPrefersTheLoadBalancerWhenItAnswers(t *testing.T) {
	var asked string
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.Path
		fmt.Fprint(w, "<html>TaskMaster</html>")
	}))
	defer lb.Close()
	c := &Client{clientset: fake.NewClientset(), info: ClusterInfo{Namespace: "taskmaster"}}

	results, err := c.CheckHealth(t.Context(), HealthOptions{Checks: ReleaseHealthChecks("taskmaster", lb.URL)[1:]})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Via != ViaPreferred || r.Status != http.StatusOK || r.URL != lb.URL+"/" || r.Pod != "" || r.Latency <= 0 || asked != "/" {
		t.Fatalf("result %+v (asked %q): want 200 from the preferred URL's /", r, asked)
	}
}

func TestHealthRejectsBadChecks(t *testing.T) {
	c := &Client{}
	for _, o := range []HealthOptions{{}, {Checks: []HealthCheck{{Component: "backend", Path: "health"}}}} {
		if _, err := c.WatchHealth(t.Context(), o); err == nil {
			t.Errorf("options %+v were accepted", o)
		}
	}
	for _, o := range []ForwardOptions{{Selector: "a=b", Port: 0}, {Selector: "", Port: 8000}, {Selector: "a in (", Port: 8000}} {
		if _, err := c.StartForward(t.Context(), o); err == nil {
			t.Errorf("forward options %+v were accepted", o)
		}
	}
}
