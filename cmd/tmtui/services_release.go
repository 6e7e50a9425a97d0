package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
)

// releaseService adapts internal/helm to the release pane: status, history,
// and the notes, values and manifest of any revision (Secret data hidden by
// the engine).
type releaseService struct {
	helm *helm.Client
	// timeout bounds each operation's wait for ready pods (--timeout);
	// zero is the engine's default.
	timeout time.Duration
}

var _ release.Service = (*releaseService)(nil)

func (r *releaseService) Status(ctx context.Context) (release.Status, error) {
	rel, err := r.helm.Status(ctx)
	if errors.Is(err, helm.ErrNotInstalled) {
		return release.Status{Name: r.helm.ReleaseName()}, nil
	}
	if err != nil {
		return release.Status{}, err
	}
	return release.Status{
		Installed: true, Name: rel.Name, Revision: rel.Revision, State: string(rel.Status),
		Chart: rel.Chart, AppVersion: rel.AppVersion, Updated: rel.Updated,
	}, nil
}

func (r *releaseService) History(ctx context.Context) ([]release.Revision, error) {
	rels, err := r.helm.History(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]release.Revision, 0, len(rels))
	for _, rel := range rels {
		out = append(out, release.Revision{
			Number: rel.Revision, State: string(rel.Status), Chart: rel.Chart,
			AppVersion: rel.AppVersion, Updated: rel.Updated, Description: rel.Description,
		})
	}
	// The pane lists the newest first.
	slices.SortFunc(out, func(a, b release.Revision) int { return b.Number - a.Number })
	return out, nil
}

func (r *releaseService) Content(ctx context.Context, revision int, kind release.Kind) (string, error) {
	switch kind {
	case release.Notes:
		return r.helm.Notes(ctx, revision)
	case release.Manifest:
		return r.helm.Manifest(ctx, revision)
	case release.Values:
		vals, err := r.helm.Values(ctx, revision, false)
		if err != nil {
			return "", err
		}
		if len(vals) == 0 {
			return "# no values given: the chart's defaults apply\n", nil
		}
		out, err := yaml.Marshal(vals)
		return string(out), err
	}
	return "", fmt.Errorf("unknown content %q", kind)
}

// helmServices builds, per connection, the Helm client that serves the
// release pane and the scale function of the pods pane. Scaling is a Helm
// upgrade: the release's values own the replica count (docs/scaling.md).
// Without a Helm client both are left out and their panes say so.
func helmServices(o k8s.ConnectOptions, timeout time.Duration) func(release string) (*releaseService, scaleFunc) {
	return func(name string) (*releaseService, scaleFunc) {
		hc, err := helm.New(helm.Options{Connection: o, ReleaseName: name, Logger: slog.Default()})
		if err != nil {
			slog.Warn("helm unavailable: release pane and scaling left out", "err", err)
			return nil, nil
		}
		scale := func(ctx context.Context, component string, replicas int32, _ k8s.Approval) error {
			// The pods adapter has asked the guard already; the approval
			// only proves it did.
			_, err := hc.Scale(ctx, helm.Component(component), int(replicas), helm.ApplyOptions{Timeout: timeout})
			return err
		}
		return &releaseService{helm: hc, timeout: timeout}, scale
	}
}
