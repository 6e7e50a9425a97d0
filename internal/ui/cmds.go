package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// connectTimeout bounds a whole attempt, credential plugins included; the
// engine applies its own shorter limit to the request itself.
const connectTimeout = 20 * time.Second

// actionTimeout bounds one guarded action (a scale, a delete).
const actionTimeout = 2 * time.Minute

// connectResultMsg reports one connection attempt. gen tells a stale attempt
// (superseded by a retry) from the current one.
type connectResultMsg struct {
	gen      int
	info     ClusterInfo
	services Services
	err      error
}

// connectCmd runs connect off the UI goroutine. It copies what it needs and
// never touches the model.
func connectCmd(connect ConnectFunc, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		c, err := connect(ctx)
		return connectResultMsg{gen: gen, info: c.Info, services: c.Services, err: err}
	}
}

// taskDoneMsg ends a guarded action; result goes to the pane that asked.
type taskDoneMsg struct {
	id     int
	route  common.Route
	result tea.Msg
}

// runTask runs an approved action within the session's context.
func runTask(ctx context.Context, id int, r common.Route, a common.Action, confirmation string) tea.Cmd {
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = actionTimeout
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		result := a.Run(ctx, confirmation)
		if a.Progress != nil {
			close(a.Progress)
		}
		return taskDoneMsg{id: id, route: r, result: result}
	}
}

// progressMsg is one message an action sent while it ran.
type progressMsg struct {
	route common.Route
	msg   tea.Msg
	ch    <-chan tea.Msg
}

// readProgress is the re-arming reader of an action's progress channel; it
// ends when runTask closes the channel.
func readProgress(r common.Route, ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return progressMsg{route: r, msg: msg, ch: ch}
	}
}

// dialogGrace is how long a dialog that opened by itself ignores keys.
const dialogGrace = 400 * time.Millisecond

// statusExpiredMsg fades a status line that is not an error.
type statusExpiredMsg struct{ id int }

func expireStatus(id int, after time.Duration) tea.Cmd {
	return tea.Tick(after, func(time.Time) tea.Msg { return statusExpiredMsg{id: id} })
}
