package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
)

// This file adapts the engine's operations (internal/helm) to the release
// pane's workflows: install, upgrade and rollback with their diffs,
// uninstall, helm test and recovering a stuck release.

var _ release.Operator = (*releaseService)(nil)

func (r *releaseService) Current(ctx context.Context) (release.Settings, error) {
	s := release.Settings{Tags: map[string]string{}, Replicas: map[string]int{}, Config: map[string]map[string]string{},
		MinReplicas: helm.DefaultBounds.Min, MaxReplicas: helm.DefaultBounds.Max}
	rel, err := r.helm.Status(ctx)
	if errors.Is(err, helm.ErrNotInstalled) {
		vals, appVersion, err := r.helm.ChartDefaults()
		if err != nil {
			return s, err
		}
		fillSettings(&s, vals, nil, appVersion)
		return s, nil
	}
	if err != nil {
		return s, err
	}
	vals, err := r.helm.Values(ctx, 0, true)
	if err != nil {
		return s, err
	}
	fillSettings(&s, vals, rel.Images, rel.AppVersion)
	if b, err := r.helm.ReplicaBounds(ctx, helm.Backend); err == nil {
		s.MinReplicas, s.MaxReplicas = b.Min, b.Max
	}
	return s, nil
}

// fillSettings reads each component's tag, replica count and plain
// settings from a release's (or the chart's) values. An empty tag is the
// chart's appVersion; images, when known, say the tag that runs.
func fillSettings(s *release.Settings, vals map[string]any, images map[helm.Component]string, appVersion string) {
	for _, c := range release.Components {
		comp, _ := vals[c].(map[string]any)
		image, _ := comp["image"].(map[string]any)
		tag, _ := image["tag"].(string)
		if ref, ok := images[helm.Component(c)]; ok {
			if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
				tag = ref[i+1:]
			}
		}
		if tag == "" {
			tag = appVersion
		}
		s.Tags[c] = tag
		switch n := comp["replicaCount"].(type) {
		case int:
			s.Replicas[c] = n
		case int64:
			s.Replicas[c] = int(n)
		case float64:
			s.Replicas[c] = int(n)
		}
		cfg := map[string]string{}
		if m, ok := comp["config"].(map[string]any); ok {
			for k, v := range m {
				cfg[k] = fmt.Sprint(v)
			}
		}
		s.Config[c] = cfg
	}
}

func overridesOf(c release.Change) helm.Overrides {
	o := helm.Overrides{}
	for comp, tag := range c.Tags {
		if o.ImageTags == nil {
			o.ImageTags = map[helm.Component]string{}
		}
		o.ImageTags[helm.Component(comp)] = tag
	}
	for comp, n := range c.Replicas {
		if o.Replicas == nil {
			o.Replicas = map[helm.Component]int{}
		}
		o.Replicas[helm.Component(comp)] = n
	}
	for comp, cfg := range c.Config {
		if o.Config == nil {
			o.Config = map[helm.Component]map[string]string{}
		}
		o.Config[helm.Component(comp)] = cfg
	}
	return o
}

// withEvents runs an engine operation with a progress channel whose events
// go to the pane's channel, and returns once no more will.
func withEvents(events chan<- release.Progress, timeout time.Duration, run func(helm.ApplyOptions) error) error {
	ch := make(chan helm.Event, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			select {
			case events <- progressOf(ev):
			default:
			}
		}
	}()
	err := run(helm.ApplyOptions{Events: ch, Timeout: timeout})
	close(ch)
	<-done
	return err
}

func progressOf(ev helm.Event) release.Progress {
	p := release.Progress{Step: string(ev.Step), Message: ev.Message}
	if ev.Pods != nil {
		p.Pods = make([]release.PodProgress, 0, len(ev.Pods))
	}
	for _, pod := range ev.Pods {
		p.Pods = append(p.Pods, release.PodProgress{Name: pod.Name, Ready: pod.Ready, Phase: pod.Phase,
			Problem: pod.Problem(), Deleted: pod.Deleted})
	}
	return p
}

func (r *releaseService) Install(ctx context.Context, c release.Change, events chan<- release.Progress) (string, error) {
	var rel *helm.Release
	err := withEvents(events, r.timeout, func(o helm.ApplyOptions) (err error) {
		rel, err = r.helm.Install(ctx, helm.InstallOptions{Overrides: overridesOf(c), ApplyOptions: o})
		return err
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("installed %s: revision %d %s, every pod Ready", rel.Name, rel.Revision, rel.Status), nil
}

func (r *releaseService) PlanUpgrade(ctx context.Context, c release.Change) (release.Plan, error) {
	p, err := r.helm.PlanUpgrade(ctx, overridesOf(c))
	if err != nil {
		return release.Plan{}, err
	}
	return planOf(p), nil
}

func (r *releaseService) PlanRollback(ctx context.Context, revision int) (release.Plan, error) {
	p, err := r.helm.PlanRollback(ctx, revision)
	if err != nil {
		return release.Plan{}, err
	}
	return planOf(p), nil
}

func planOf(p *helm.Plan) release.Plan {
	out := release.Plan{Op: string(p.Op), From: p.From.Revision, To: p.To, Unchanged: p.Diff.Unchanged, Notes: p.Notes, Token: p}
	for _, o := range p.Diff.Objects {
		out.Objects = append(out.Objects, dialog.DiffObject{Name: o.Key.Kind + "/" + o.Key.Name, Change: string(o.Change), Hook: o.Hook, Unified: o.Unified})
	}
	return out
}

func (r *releaseService) Apply(ctx context.Context, p release.Plan, events chan<- release.Progress) (string, error) {
	hp, ok := p.Token.(*helm.Plan)
	if !ok {
		return "", errors.New("internal error: the plan did not come from this session; plan again")
	}
	var rel *helm.Release
	err := withEvents(events, r.timeout, func(o helm.ApplyOptions) (err error) {
		rel, err = r.helm.Apply(ctx, hp, o)
		return err
	})
	if err != nil {
		return "", err
	}
	if hp.Op == helm.OpRollback {
		return fmt.Sprintf("rolled back %s to revision %d: now revision %d %s", rel.Name, hp.To, rel.Revision, rel.Status), nil
	}
	return fmt.Sprintf("upgraded %s: revision %d %s, every pod Ready", rel.Name, rel.Revision, rel.Status), nil
}

func (r *releaseService) Uninstall(ctx context.Context, events chan<- release.Progress) (string, error) {
	err := withEvents(events, r.timeout, func(o helm.ApplyOptions) error { return r.helm.Uninstall(ctx, o) })
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("uninstalled %s: its objects and pods are gone (the namespace and its Secret stay)", r.helm.ReleaseName()), nil
}

func (r *releaseService) Test(ctx context.Context, events chan<- release.Progress) (string, error) {
	var res *helm.TestResult
	err := withEvents(events, r.timeout, func(o helm.ApplyOptions) (err error) {
		res, err = r.helm.Test(ctx, o)
		return err
	})
	if err != nil {
		if res != nil && strings.TrimSpace(res.Logs) != "" {
			last := strings.Split(strings.TrimSpace(res.Logs), "\n")
			err = fmt.Errorf("%w; the test pod said: %s", err, last[len(last)-1])
		}
		return "", err
	}
	names := make([]string, len(res.Tests))
	for i, t := range res.Tests {
		names[i] = t.Name
	}
	return fmt.Sprintf("helm test passed: %s", strings.Join(names, ", ")), nil
}

func (r *releaseService) Stuck(ctx context.Context) (*release.Stuck, error) {
	s, err := r.helm.DetectStuck(ctx)
	if err != nil || s == nil {
		return nil, err
	}
	return &release.Stuck{Revision: s.Release.Revision, State: string(s.Release.Status), Since: s.Release.Updated, Plan: s.Plan}, nil
}

func (r *releaseService) Recover(ctx context.Context, events chan<- release.Progress) (string, error) {
	var rel *helm.Release
	err := withEvents(events, r.timeout, func(o helm.ApplyOptions) (err error) {
		rel, err = r.helm.Recover(ctx, o)
		return err
	})
	if err != nil {
		return "", err
	}
	if rel == nil {
		return fmt.Sprintf("recovered %s: it was never deployed, so it is uninstalled cleanly", r.helm.ReleaseName()), nil
	}
	return fmt.Sprintf("recovered %s: revision %d %s", rel.Name, rel.Revision, rel.Status), nil
}
