package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Action is a change to the cluster (or anything else that mutates) that a
// pane asks for. The root's guard decides whether it runs: hidden in
// read-only mode, a typed context name on a REMOTE context, a yes/no
// question when Ask is set. Panes never run a mutating command themselves.
type Action struct {
	// Title names the change in the confirmation and in the status line
	// while it runs, e.g. "delete pod taskmaster-backend-7d9f".
	Title string
	// Ask asks yes or no (default No) even on a local context: for
	// destructive changes.
	Ask bool
	// Body says more in the confirmation (what will happen, why it asks).
	Body string
	// Unasked marks an action offered by itself, not on a key press (the
	// recovery of a stuck release found at start): its question ignores
	// keys for a moment, so typing meant for the panes does not answer it.
	Unasked bool
	// Type is text the user must type to confirm (the release's name for
	// an uninstall), asked even on a local context.
	Type string
	// Timeout bounds Run; 0 means the root's default for a quick change.
	Timeout time.Duration
	// Progress, when set, carries messages from Run while it works (a
	// rollout's pods); the root routes each to the pane that asked, and
	// closes the channel once Run has returned. Run must send without
	// blocking, and never after it returns.
	Progress chan tea.Msg
	// Run does the work, in a command. It must only use values copied when
	// the action was made, never the pane. confirmation is what the user
	// typed to confirm on a REMOTE context ("" on a local one), for the
	// engine to check again. The message it returns is routed to the pane;
	// if it is an Outcome, the status line shows it.
	Run func(ctx context.Context, confirmation string) tea.Msg
}

// ActionMsg carries an Action from a pane to the root.
type ActionMsg struct {
	Route
	Action Action
}

// Request returns the command that hands an action to the root's guard.
func Request(r Route, a Action) tea.Cmd {
	return func() tea.Msg { return ActionMsg{Route: r, Action: a} }
}

// Outcome is a result the status line reports: an error (which stays until
// dismissed) or a line of success (which fades).
type Outcome interface {
	Outcome() (success string, err error)
}

// StatusMsg asks the root to show a line in the status line, e.g. "backend
// is at its maximum of 3 replicas". Info fades; an Err stays.
type StatusMsg struct {
	Info string
	Err  error
}

// Status returns the command that shows an info line.
func Status(info string) tea.Cmd { return func() tea.Msg { return StatusMsg{Info: info} } }

// StatusErr returns the command that shows an error until it is dismissed.
func StatusErr(err error) tea.Cmd { return func() tea.Msg { return StatusMsg{Err: err} } }

// OpenLogsMsg asks the root to focus the Logs pane on one pod.
type OpenLogsMsg struct{ Pod string }
