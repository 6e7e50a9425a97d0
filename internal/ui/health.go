package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// How a health check reached its service (HealthResult.Via).
const (
	ViaLoadBalancer = "LoadBalancer" // the frontend's published address answered
	ViaPortForward  = "port-forward" // through a port-forward to a pod
)

// HealthResult is the outcome of one component's check.
type HealthResult struct {
	Component string        // backend or frontend
	URL       string        // what was asked; "" when nothing could be
	Via       string        // ViaLoadBalancer, ViaPortForward, or "" without an answer
	Status    int           // HTTP status; 0 without an answer
	Latency   time.Duration // of the whole answer
	Err       error         // why there was no answer
}

// Healthy is a 2xx or 3xx answer.
func (r HealthResult) Healthy() bool { return r.Err == nil && r.Status >= 200 && r.Status < 400 }

// HealthService checks the release's services once: the backend's /health
// and the frontend's /, through the LoadBalancer or a port-forward. It runs
// in a command, so it may block.
type HealthService interface {
	CheckHealth(ctx context.Context) ([]HealthResult, error)
}

// healthTimeout bounds one check, port-forwards included.
const healthTimeout = 30 * time.Second

const healthTitle = "checking health"

// healthDoneMsg reports one check; gen tells an old session's from the
// current one's.
type healthDoneMsg struct {
	id, gen int
	results []HealthResult
	err     error
}

func checkHealthCmd(ctx context.Context, svc HealthService, id, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, healthTimeout)
		defer cancel()
		results, err := svc.CheckHealth(ctx)
		return healthDoneMsg{id: id, gen: gen, results: results, err: err}
	}
}

// openedMsg reports an attempt to open a URL in the browser.
type openedMsg struct {
	url string
	err error
}

func openURLCmd(open func(string) error, url string) tea.Cmd {
	return func() tea.Msg { return openedMsg{url: url, err: open(url)} }
}

// healthReport is the status line of a check: one line on success, an error
// that says what failed and what to do otherwise. frontendURL is the
// LoadBalancer's address of the frontend when it answered there.
func healthReport(results []HealthResult, err error, podsKey, logsKey, healthKey string) (text string, frontendURL string, failure error) {
	if err != nil {
		return "", "", fmt.Errorf("health check failed: %v; check the cluster connection and press %s to try again", err, healthKey)
	}
	if len(results) == 0 {
		return "", "", fmt.Errorf("health check failed: nothing was checked; press %s to try again", healthKey)
	}
	parts := make([]string, len(results))
	healthy := true
	for i, r := range results {
		parts[i] = healthPart(r)
		if !r.Healthy() {
			healthy = false
		}
		if r.Component == "frontend" && r.Healthy() && r.Via == ViaLoadBalancer {
			frontendURL = r.URL
		}
	}
	line := "health: " + strings.Join(parts, " · ")
	if !healthy {
		return "", frontendURL, errors.New(line + fmt.Sprintf(" — see the pods (%s) and their logs (%s), then press %s to check again", podsKey, logsKey, healthKey))
	}
	return line, frontendURL, nil
}

func healthPart(r HealthResult) string {
	if r.Err != nil {
		return fmt.Sprintf("%s failed: %v", r.Component, r.Err)
	}
	if r.Status == 0 {
		return r.Component + " did not answer"
	}
	s := fmt.Sprintf("%s %d in %s", r.Component, r.Status, latency(r.Latency))
	if r.Via != "" {
		s += " (" + r.Via + ")"
	}
	return s
}

// latency is short: 12ms, 0.4ms, 1.25s.
func latency(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d.Round(time.Millisecond).Milliseconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// noLoadBalancer is what o says without a LoadBalancer address.
func noLoadBalancer(healthKey string) error {
	return fmt.Errorf("no LoadBalancer address: the frontend is reachable only through a port-forward (press %s)", healthKey)
}
