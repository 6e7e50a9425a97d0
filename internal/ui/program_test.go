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
	connect := func(ctx context.Context) (ClusterInfo, error) {
		attempts <- struct{}{}
		if len(attempts) == 1 {
			return ClusterInfo{Context: "tmtui-sandbox"}, errUnreachable
		}
		return sandbox, nil
	}
	tm := teatest.NewTestModel(t, New(Options{Connect: connect, Context: "tmtui-sandbox", NoColor: true}),
		teatest.WithInitialTermSize(100, 30))

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
