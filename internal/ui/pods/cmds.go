package pods

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

type watchStartedMsg struct {
	common.Route
	ch  <-chan Snapshot
	err error
}

type snapshotMsg struct {
	common.Route
	snap Snapshot
	ch   <-chan Snapshot
}

type watchClosedMsg struct{ common.Route }

// actionDoneMsg reports a scale, restart or delete.
// It goes back to the pane through the root's task, which knows the route.
type actionDoneMsg struct {
	done string // e.g. "scaled backend to 2"
	err  error
}

func (m actionDoneMsg) Outcome() (string, error) { return m.done, m.err }

func watchCmd(ctx context.Context, r common.Route, svc Service) tea.Cmd {
	return func() tea.Msg {
		ch, err := svc.WatchPods(ctx)
		if err != nil {
			err = fmt.Errorf("cannot watch the pods: %w", err)
		}
		return watchStartedMsg{Route: r, ch: ch, err: err}
	}
}

// waitCmd reads the next snapshot; the pane re-arms it after each one.
func waitCmd(r common.Route, ch <-chan Snapshot) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return watchClosedMsg{Route: r}
		}
		return snapshotMsg{Route: r, snap: s, ch: ch}
	}
}

func (m *Model) scaleAction(d Deployment, replicas int32) common.Action {
	svc, name := m.svc, d.Name
	return common.Action{
		Title: fmt.Sprintf("scale %s to %d", d.Component, replicas),
		Run: func(ctx context.Context, confirmation string) tea.Msg {
			err := svc.ScaleDeployment(ctx, name, replicas, confirmation)
			return actionDoneMsg{done: fmt.Sprintf("scaled %s to %d", name, replicas), err: wrap(err, "scale "+name)}
		},
	}
}

func (m *Model) restartAction(d Deployment) common.Action {
	svc, name := m.svc, d.Name
	return common.Action{
		Title: "rollout restart " + d.Name,
		Run: func(ctx context.Context, confirmation string) tea.Msg {
			err := svc.RestartDeployment(ctx, name, confirmation)
			return actionDoneMsg{done: "restarting " + name, err: wrap(err, "restart "+name)}
		},
	}
}

func (m *Model) deleteAction(p Pod) common.Action {
	svc, name := m.svc, p.Name
	return common.Action{
		Title: "delete pod " + name,
		Ask:   true,
		Run: func(ctx context.Context, confirmation string) tea.Msg {
			err := svc.DeletePod(ctx, name, confirmation)
			return actionDoneMsg{done: "deleted pod " + name, err: wrap(err, "delete pod "+name)}
		},
	}
}

func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cannot %s: %w", what, err)
}
