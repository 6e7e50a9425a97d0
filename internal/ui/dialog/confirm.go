// Package dialog holds the dialogs that sit over the panes. Only the front
// dialog gets keys; a dialog answers with a plain Result that the root turns
// into commands (crush's pattern), so dialogs never run work themselves.
package dialog

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Result is what a key did to a dialog.
type Result int

const (
	Open      Result = iota // still open
	Cancelled               // closed without doing anything
	Confirmed               // the user said yes (or typed the name)
)

// Confirm asks before a change. Without Require it is a yes/no question
// whose default is No; with Require the user must type that text (the
// context's name on a REMOTE context) and press enter.
type Confirm struct {
	Title   string
	Body    string
	Require string

	yes      bool
	input    common.Input
	mismatch bool
}

// Typed is what the user typed (for Require).
func (c *Confirm) Typed() string { return c.input.Value }

// Yes reports whether yes is selected (for a yes/no question).
func (c *Confirm) Yes() bool { return c.yes }

// Update applies one key press.
func (c *Confirm) Update(msg tea.KeyPressMsg) Result {
	k := msg.String()
	if c.Require != "" {
		switch k {
		case "esc", "ctrl+c":
			return Cancelled
		case "enter":
			if c.input.Value == c.Require {
				return Confirmed
			}
			c.mismatch = true
			return Open
		}
		c.mismatch = false
		c.input.Key(msg.Keystroke(), msg.Text)
		return Open
	}
	switch k {
	case "y", "Y":
		return Confirmed
	case "n", "N", "esc", "ctrl+c":
		return Cancelled
	case "left", "right", "tab", "shift+tab", "h", "l":
		c.yes = !c.yes
	case "enter":
		if c.yes {
			return Confirmed
		}
		return Cancelled
	}
	return Open
}

// View renders the dialog in at most width columns.
func (c *Confirm) View(s styles.Styles, width int) string {
	inner := max(20, min(64, width-4-s.Dialog.GetHorizontalFrameSize()))
	lines := []string{s.DialogTitle.Render(c.Title), ""}
	if c.Body != "" {
		lines = append(lines, wrap(c.Body, inner), "")
	}
	if c.Require != "" {
		lines = append(lines, "type "+c.Require+" to confirm:", "> "+c.input.View())
		if c.mismatch {
			lines = append(lines, s.Bad.Render("✗ that is not "+c.Require+"; type it exactly, or esc to cancel"))
		}
		lines = append(lines, "", s.Muted.Render("enter confirm · esc cancel"))
	} else {
		no, yes := "[ No ]", "  Yes  "
		if c.yes {
			no, yes = "  No  ", "[ Yes ]"
		}
		lines = append(lines, no+"  "+yes, "", s.Muted.Render("y yes · n/esc no · ←/→ choose · enter"))
	}
	return s.Dialog.Width(inner + s.Dialog.GetHorizontalFrameSize()).Render(strings.Join(lines, "\n"))
}

func wrap(s string, width int) string { return strings.Join(common.Wrap(s, width), "\n") }
