package common

import tea "charm.land/bubbletea/v2"

// BuildOutputMsg carries lines of an image build's output from the Images
// pane to the Logs pane (Route.Pane is LogsPane), which shows them as a
// source of their own, tagged with Source ("build backend").
//
// Next reads the following lines: the Logs pane returns it as its command,
// so the stream is read one batch after another and lines arrive in order.
// It is nil on the last message of a build.
type BuildOutputMsg struct {
	Route
	Build  int    // which build, so that a new build starts a fresh buffer
	Source string // the tag the lines are shown with, e.g. "build backend"
	Lines  []string
	// Status is a word about the build for the Logs pane's settings line:
	// "building", "built in 1:02", "failed".
	Status string
	Next   tea.Cmd
}
