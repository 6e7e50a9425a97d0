package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// connectTimeout bounds a whole attempt, credential plugins included; the
// engine applies its own shorter limit to the request itself.
const connectTimeout = 20 * time.Second

// connectResultMsg reports one connection attempt. gen tells a stale attempt
// (superseded by a retry) from the current one.
type connectResultMsg struct {
	gen  int
	info ClusterInfo
	err  error
}

// connectCmd runs connect off the UI goroutine. It copies what it needs and
// never touches the model.
func connectCmd(connect ConnectFunc, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		info, err := connect(ctx)
		return connectResultMsg{gen: gen, info: info, err: err}
	}
}
