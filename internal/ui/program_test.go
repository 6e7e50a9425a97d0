package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
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

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.state != connected || len(attempts) != 2 {
		t.Errorf("ended in state %d after %d attempts, want connected after 2", final.state, len(attempts))
	}
	assertScreen(t, screen(final), "context tmtui-sandbox", "namespace taskmaster")
}

func waitForScreen(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(want))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
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

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.Focus() != 2 || final.Zoomed() {
		t.Errorf("ended with focus %v zoomed %v, want Pods unzoomed", final.Focus(), final.Zoomed())
	}
	if got := w.pods.calls(); len(got) != 1 || got[0] != (scaleCall{"taskmaster-backend", 3, ""}) {
		t.Errorf("scale calls = %+v", got)
	}
	assertScreen(t, screen(final), "✓ scaled taskmaster-backend to 3", "▶ 3 Pods", "4 Logs")
}
