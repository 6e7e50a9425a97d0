package images

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

type listedMsg struct {
	common.Route
	images []Image
	err    error
}

func listCmd(ctx context.Context, r common.Route, svc Service) tea.Cmd {
	return func() tea.Msg {
		imgs, err := svc.ListImages(ctx)
		if err != nil && !errors.Is(err, ErrUnreachable) {
			err = fmt.Errorf("cannot list the images: %w", err)
		}
		return listedMsg{Route: r, images: imgs, err: err}
	}
}

// retryMsg asks an unreachable engine again.
type retryMsg struct{ common.Route }

func retryCmd(r common.Route) tea.Cmd {
	return tea.Tick(RetryEvery, func(time.Time) tea.Msg { return retryMsg{r} })
}

// buildTickMsg redraws a running build's elapsed time.
type buildTickMsg struct {
	common.Route
	id int
}

func tickCmd(r common.Route, id int) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return buildTickMsg{r, id} })
}

// buildAction is the build as the root's guard runs it. The guard's context
// ends when Run returns, and a build outlives that: it runs in the pane's
// session context, with a cancel of its own for the cancel key.
func buildAction(session context.Context, r common.Route, id int, b Builder, mem FolderMemory, req BuildRequest, now func() time.Time) common.Action {
	if session == nil {
		session = context.Background()
	}
	return common.Action{
		Title: fmt.Sprintf("build %s from %s", req.Ref(), req.Folder),
		Run: func(context.Context, string) tea.Msg {
			var saveErr error
			if mem != nil {
				if err := mem.RememberFolder(req.Repository, req.Folder); err != nil {
					saveErr = fmt.Errorf("building %s, but the folder was not remembered: %w", req.Ref(), err)
				}
			}
			ctx, cancel := context.WithCancel(session)
			started := now()
			events, err := b.Build(ctx, req)
			if err != nil {
				cancel()
				return buildStartedMsg{Route: r, id: id, req: req, started: started, err: fmt.Errorf("cannot build %s: %w", req.Ref(), err)}
			}
			return buildStartedMsg{Route: r, id: id, req: req, started: started, events: events, cancel: cancel, saveErr: saveErr}
		},
	}
}

// buildStartedMsg says a build runs (or could not start). As an Outcome,
// the status line shows it.
type buildStartedMsg struct {
	common.Route
	id      int
	req     BuildRequest
	started time.Time
	events  <-chan BuildEvent
	cancel  context.CancelFunc
	err     error
	saveErr error
}

func (m buildStartedMsg) Outcome() (string, error) {
	switch {
	case m.err != nil:
		return "", m.err
	case m.saveErr != nil:
		return "", m.saveErr
	}
	return "building " + m.req.Ref() + ": its output is in the Logs pane", nil
}

// buildDoneMsg ends a build.
type buildDoneMsg struct {
	common.Route
	id     int
	req    BuildRequest
	result BuildResult
}

func (m buildDoneMsg) Outcome() (string, error) {
	line := resultLine(m.req, m.result)
	if m.result.Err != nil && !errors.Is(m.result.Err, context.Canceled) {
		return "", errors.New(line)
	}
	return line, nil
}

// maxBatch bounds the lines one message carries, so a chatty build still
// lets the screen redraw between its batches.
const maxBatch = 200

// readCmd reads what the build has written so far (at least one event) and
// hands it to the Logs pane, whose command reads on; the result goes to
// this pane.
func readCmd(images, logs common.Route, id int, source string, req BuildRequest, events <-chan BuildEvent) tea.Cmd {
	return func() tea.Msg {
		var lines []string
		out := func(next tea.Cmd) tea.Msg {
			return common.BuildOutputMsg{Route: logs, Build: id, Source: source, Lines: lines, Next: next}
		}
		done := func(res BuildResult) tea.Msg {
			d := buildDoneMsg{Route: images, id: id, req: req, result: res}
			if len(lines) == 0 {
				return d
			}
			return out(func() tea.Msg { return d })
		}
		ev, ok := <-events
		for {
			switch {
			case !ok:
				return done(BuildResult{Err: errors.New("the build's output ended without a result")})
			case ev.Result != nil:
				return done(*ev.Result)
			}
			lines = append(lines, ev.Line)
			if len(lines) >= maxBatch {
				return out(readCmd(images, logs, id, source, req, events))
			}
			select {
			case ev, ok = <-events:
			default:
				return out(readCmd(images, logs, id, source, req, events))
			}
		}
	}
}

// resultLine says how a build ended, against its budget.
func resultLine(req BuildRequest, res BuildResult) string {
	budget := res.Budget
	if budget <= 0 {
		budget = BuildBudget
	}
	took := Clock(res.Duration)
	switch {
	case errors.Is(res.Err, context.Canceled):
		return fmt.Sprintf("✗ build of %s cancelled after %s", req.Ref(), took)
	case res.Err != nil:
		return fmt.Sprintf("✗ build of %s failed after %s: %v", req.Ref(), took, res.Err)
	case res.Duration > budget:
		return fmt.Sprintf("! built %s in %s, over the %s budget", req.Ref(), took, Clock(budget))
	}
	return fmt.Sprintf("✓ built %s in %s, within the %s budget", req.Ref(), took, Clock(budget))
}

func removeAction(r common.Route, rm Remover, ref string) common.Action {
	return common.Action{
		Title: "remove image " + ref,
		Ask:   true,
		Run: func(ctx context.Context, _ string) tea.Msg {
			return removedMsg{Route: r, ref: ref, err: rm.Remove(ctx, ref)}
		},
	}
}

// removedMsg reports a removal; the pane lists the images again.
type removedMsg struct {
	common.Route
	ref string
	err error
}

func (m removedMsg) Outcome() (string, error) {
	if m.err != nil {
		return "", fmt.Errorf("cannot remove %s: %w", m.ref, m.err)
	}
	return "removed " + m.ref, nil
}
