package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/ui"
)

// healthService is ui.HealthService over the Kubernetes client: the
// release's two checks, the frontend tried first at the address Docker
// Desktop publishes its LoadBalancer on.
type healthService struct {
	client      *k8s.Client
	namespace   string
	release     string
	frontendURL string // "" means k8s.DefaultFrontendURL
}

var _ ui.HealthService = (*healthService)(nil)

func (s *healthService) CheckHealth(ctx context.Context) ([]ui.HealthResult, error) {
	frontend := s.frontendURL
	if frontend == "" {
		frontend = k8s.DefaultFrontendURL
	}
	results, err := s.client.CheckHealth(ctx, k8s.HealthOptions{
		Namespace: s.namespace,
		Checks:    k8s.ReleaseHealthChecks(s.release, frontend),
	})
	if err != nil {
		return nil, err
	}
	return uiHealthResults(results), nil
}

func uiHealthResults(in []k8s.HealthResult) []ui.HealthResult {
	out := make([]ui.HealthResult, len(in))
	for i, r := range in {
		out[i] = ui.HealthResult{Component: r.Component, URL: r.URL, Status: r.Status, Latency: r.Latency}
		switch r.Via {
		case k8s.ViaPreferred:
			out[i].Via = ui.ViaLoadBalancer
		case k8s.ViaPortForward:
			out[i].Via = ui.ViaPortForward
		}
		if r.Err != "" {
			out[i].Err = errors.New(r.Err)
		}
	}
	return out
}

// openURL opens url in the desktop's browser, without waiting for it.
func openURL(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", cmd.Path, err)
	}
	go cmd.Wait() //nolint:errcheck // reaps the opener; its exit says nothing useful
	return nil
}
