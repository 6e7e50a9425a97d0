package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// TestProgramFailRetryConnectQuit runs the whole program: the first attempt
// fails, r retries, the second succeeds, q quits.
func TestProgramFailRetryConnectQuit(t *testing.T) {
	attempts := make(chan struct{}, 2)
	connect := func(ctx context.Context) (Cluster, error) {
		attempts <- struct{}{}
		if len(attempts) == 1 {
			return Cluster{Info: ClusterInfo{Context: "tmtui-sandbox"}}, errUnreachable
		}
		return Cluster{Info: sandbox}, nil
	}
	tm := teatest.NewTestModel(t, New(Options{Connect: connect, Context: "tmtui-sandbox", NoColor: true}),
		teatest.WithInitialTermSize(120, 40))

	waitForScreen(t, tm, "press q to quit")
	tm.Send(tea.KeyPressMsg{Code: 'r', Text: "r"})
	waitForScreen(t, tm, "v1.36.3")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})

	final := tm.FinalModel(t, teatest.WithFinalTimeout(uitest.WaitLimit)).(Model)
	if final.state != connected || len(attempts) != 2 {
		t.Errorf("ended in state %d after %d attempts, want connected after 2", final.state, len(attempts))
	}
	assertScreen(t, screen(final), "context tmtui-sandbox", "namespace taskmaster")
}

func waitForScreen(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(want))
	}, teatest.WithDuration(uitest.WaitLimit), teatest.WithCheckInterval(10*time.Millisecond))
}

// TestProgramFocusZoomScale runs the whole program against the fakes: move
// focus, zoom and unzoom, scale the backend up and see the result.
func TestProgramFocusZoomScale(t *testing.T) {
	w := newWorld()
	tm := teatest.NewTestModel(t, New(w.options()), teatest.WithInitialTermSize(120, 40))

	waitForScreen(t, tm, "CrashLoopBackOff")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: 'z', Text: "z"})
	waitForScreen(t, tm, "4 Logs (zoomed)")
	tm.Send(tea.KeyPressMsg{Code: 'z', Text: "z"})
	tm.Send(tea.KeyPressMsg{Code: '3', Text: "3"})
	tm.Send(tea.KeyPressMsg{Code: '+', Text: "+"})
	waitForScreen(t, tm, "scaled taskmaster-backend to 3")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})

	final := tm.FinalModel(t, teatest.WithFinalTimeout(uitest.WaitLimit)).(Model)
	if final.Focus() != 2 || final.Zoomed() {
		t.Errorf("ended with focus %v zoomed %v, want Pods unzoomed", final.Focus(), final.Zoomed())
	}
	if got := w.pods.calls(); len(got) != 1 || got[0] != (scaleCall{"taskmaster-backend", 3, ""}) {
		t.Errorf("scale calls = %+v", got)
	}
	assertScreen(t, screen(final), "✓ scaled taskmaster-backend to 3", "▶ 3 Pods", "4 Logs")
}

func send(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(uitest.Key(k))
	}
}

// TestProgramUpgradeWithItsDiff runs the whole program: the upgrade form,
// a new tag typed, the diff that shows it, y, and the result.
func TestProgramUpgradeWithItsDiff(t *testing.T) {
	w := newWorld()
	ops := newOps()
	w.release = ops
	tm := teatest.NewTestModel(t, New(w.options()), teatest.WithInitialTermSize(120, 40))

	waitForScreen(t, tm, "CrashLoopBackOff")
	send(tm, "2", "u")
	waitForScreen(t, tm, "backend image tag")
	send(tm, "ctrl+u", "2", ".", "0", ".", "0", "enter")
	waitForScreen(t, tm, "taskmaster-backend:2.0.0")
	send(tm, "y")
	waitForScreen(t, tm, "upgraded taskmaster: revision 4 deployed")
	send(tm, "q")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(uitest.WaitLimit)).(Model)
	if got := ops.Calls(); !slicesContain(got, "apply upgrade-token") || ops.changes[0].Tags["backend"] != "2.0.0" {
		t.Errorf("calls %v, change %+v", got, ops.changes)
	}
	assertScreen(t, screen(final), "✓ upgraded taskmaster: revision 4 deployed")
}

// TestProgramRollbackWithItsDiff runs the whole program: pick revision 1 in
// the history, its diff, y, and the result.
func TestProgramRollbackWithItsDiff(t *testing.T) {
	w := newWorld()
	ops := newOps()
	w.release = ops
	tm := teatest.NewTestModel(t, New(w.options()), teatest.WithInitialTermSize(120, 40))

	waitForScreen(t, tm, "CrashLoopBackOff")
	send(tm, "2", "down", "down", "b")
	// One wait: each reads the output on from where the last stopped.
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Roll back taskmaster to revision 1")) && bytes.Contains(b, []byte("APP_ENV: production"))
	}, teatest.WithDuration(uitest.WaitLimit), teatest.WithCheckInterval(10*time.Millisecond))
	send(tm, "y")
	waitForScreen(t, tm, "✓ upgraded taskmaster")
	send(tm, "q")

	tm.FinalModel(t, teatest.WithFinalTimeout(uitest.WaitLimit))
	if len(ops.applied) != 1 || ops.applied[0].Op != "rollback" || ops.applied[0].To != 1 {
		t.Errorf("applied %+v; want the rollback to revision 1", ops.applied)
	}
}
