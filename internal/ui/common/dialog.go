package common

import (
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Dialog is a window a pane opens over the panes: a form, a diff to
// confirm. Only the front dialog gets keys. A dialog never runs work: when
// it is done it returns the command its opener prepared (a Request for the
// action it confirmed, say), and the root closes it.
type Dialog interface {
	// Update handles one message (key presses, mostly). done closes the
	// dialog; cmd runs either way.
	Update(msg tea.Msg) (cmd tea.Cmd, done bool)
	// View renders the dialog in at most width x height cells.
	View(s styles.Styles, width, height int) string
}

// OpenDialogMsg asks the root to put a dialog in front.
type OpenDialogMsg struct {
	Route
	Dialog Dialog
	// Unasked marks a dialog that opens by itself (not on a key the user
	// pressed): keys are ignored for a moment, so that typing meant for
	// the panes does not answer it.
	Unasked bool
}

// OpenDialog returns the command that opens d.
func OpenDialog(r Route, d Dialog) tea.Cmd {
	return func() tea.Msg { return OpenDialogMsg{Route: r, Dialog: d} }
}
