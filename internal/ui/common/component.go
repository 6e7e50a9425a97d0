// Package common holds what the root model and its panes share: the
// Component interface, the routing of async results to panes, the action
// guard's request type, key definitions and small text helpers. It imports
// no pane, so every pane can import it.
package common

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// PaneID names one of the four panes. Async results carry it so that the
// root hands them to the pane that asked (gh-dash's routing).
type PaneID int

const (
	ImagesPane PaneID = iota
	ReleasePane
	PodsPane
	LogsPane
)

// Panes is every pane in focus order (tab, and the keys 1-4).
var Panes = []PaneID{ImagesPane, ReleasePane, PodsPane, LogsPane}

func (p PaneID) String() string {
	switch p {
	case ImagesPane:
		return "Images"
	case ReleasePane:
		return "Release"
	case PodsPane:
		return "Pods"
	case LogsPane:
		return "Logs"
	}
	return "?"
}

// Route addresses an async result: the pane it belongs to and the session
// generation it was started in. The root drops a result whose generation is
// not the current one (it came from an old context or namespace).
type Route struct {
	Pane PaneID
	Gen  int
}

// Routing returns the route itself; embedding a Route makes a message Routed.
func (r Route) Routing() Route { return r }

// Routed is a message that belongs to one pane and one generation.
type Routed interface{ Routing() Route }

// Component is one pane (soft-serve's pattern). Panes are pointers and
// Update changes them in place: the root owns exactly one of each and calls
// them from Update only, so nothing else can see a half-changed pane.
type Component interface {
	help.KeyMap
	Init() tea.Cmd
	// Update handles a key (only when the pane has focus) or a message routed
	// to it. It never does IO: work runs in the returned command.
	Update(msg tea.Msg) tea.Cmd
	// View renders the pane's content, without frame, in the size last set.
	View() string
	SetSize(width, height int)
	SetStyles(s styles.Styles)
	// Summary is the pane in one line, shown when it lacks the room for more.
	Summary() string
	// Capturing is true while the pane takes typed text (a filter), when
	// global keys must not fire.
	Capturing() bool
}

// Clicker is a pane whose rows a mouse click selects. x and y are the
// clicked cell inside the pane's frame (the first line of its content is
// y 0).
type Clicker interface {
	Click(x, y int) tea.Cmd
}
