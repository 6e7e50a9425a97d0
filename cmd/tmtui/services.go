package main

import (
	"cmp"
	"context"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/preflight"
	"github.com/taskmaster-ai/tmtui/internal/ui"
)

// This file and services_*.go are the one place that knows both the engine
// and the UI: they adapt internal/k8s and internal/docker to the small
// interfaces the panes declare, in the panes' own types.

// scaleFunc sets a component's (backend, frontend) replica count, once the
// guard has approved the change. Scaling belongs to Helm, which owns the
// replica count (docs/scaling.md), so it is not the Kubernetes client's.
type scaleFunc func(ctx context.Context, component string, replicas int32, approval k8s.Approval) error

// wiring is what main hands the connector beyond the connection options.
type wiring struct {
	release string // the Helm release; "" means preflight.DefaultRelease
	// helm makes the release pane's service and the scale function of one
	// connection. nil, or nil results, leave them out: the release pane
	// says it is not available and the pods pane hides + and -.
	helm func(release string) (*releaseService, scaleFunc)
}

// connector connects to the cluster and builds the panes' services over
// that connection. Each connection (a retry, another context) gets services
// of its own; the UI ends the old ones' watches with their session.
func connector(o k8s.ConnectOptions, w wiring) ui.ConnectFunc {
	release := cmp.Or(w.release, preflight.DefaultRelease)
	return func(ctx context.Context) (ui.Cluster, error) {
		client, info, err := k8s.Connect(ctx, o)
		c := ui.Cluster{Info: ui.ClusterInfo{
			Context:       info.Context,
			Server:        info.Server,
			ServerVersion: info.ServerVersion,
			Namespace:     info.Namespace,
			Local:         k8s.IsLocalContext(info.Context, info.Server),
		}}
		if err != nil {
			return c, err
		}
		var (
			rel   *releaseService
			scale scaleFunc
		)
		if w.helm != nil {
			rel, scale = w.helm(release)
		}
		c.Services = ui.Services{
			Pods:   &podsService{client: client, namespace: info.Namespace, release: release, scale: scale},
			Logs:   &logsService{client: client, namespace: info.Namespace, release: release},
			Health: &healthService{client: client, namespace: info.Namespace, release: release},
		}
		if rel != nil { // a nil *releaseService must not become a non-nil interface
			c.Services.Release = rel
		}
		return c, nil
	}
}
