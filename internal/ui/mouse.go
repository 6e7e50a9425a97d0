package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Mouse support is optional (--mouse, or mouse: true in the config file):
// while a terminal reports the mouse it no longer selects text by itself,
// which many users want more than clicks.
//
// A click focuses the pane under it and, in a pane with rows, selects the
// row; the wheel scrolls the pane under the pointer, focused or not.

// rect is a pane's box on the screen, frame included.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// paneRects says where each shown pane's box is, from the same arithmetic
// as layout and panesView. A pane shown as a one-line summary has a box
// one line high (a click there focuses it).
func (m Model) paneRects() map[common.PaneID]rect {
	body := m.height - chrome
	top := 1 // the header's line
	out := map[common.PaneID]rect{}
	switch m.mode() {
	case modeZoom:
		out[m.focus] = rect{0, top, m.width, body}
	case modeWide:
		t, ph, lh := wideRows(body)
		left := m.width / 2
		out[common.ImagesPane] = rect{0, top, left, t}
		out[common.ReleasePane] = rect{left, top, m.width - left, t}
		out[common.PodsPane] = rect{0, top + t, m.width, ph}
		out[common.LogsPane] = rect{0, top + t + ph, m.width, lh}
	default:
		y := top
		for _, id := range common.Panes {
			h := 1
			if id == m.focus {
				h = body - (len(common.Panes) - 1)
			}
			out[id] = rect{0, y, m.width, h}
			y += h
		}
	}
	return out
}

// paneAt is the pane under the cell (x, y), with the cell in the pane's
// own coordinates (inside its frame).
func (m Model) paneAt(x, y int) (id common.PaneID, px, py int, ok bool) {
	for id, r := range m.paneRects() {
		if r.contains(x, y) {
			return id, x - r.x - 1, y - r.y - 1, true
		}
	}
	return 0, 0, 0, false
}

func (m Model) handleMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if !m.mouse || m.state != connected || m.dialog != nil || len(m.dialogs) > 0 || m.showHelp {
		return m, nil
	}
	mouse := msg.Mouse()
	id, px, py, ok := m.paneAt(mouse.X, mouse.Y)
	if !ok {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft {
			return m, nil
		}
		if id != m.focus {
			m.setFocus(id)
			return m, nil // the pane's size changed: its rows are elsewhere now
		}
		if c, ok := m.pane(id).(common.Clicker); ok && px >= 0 && py >= 0 {
			return m, c.Click(px, py)
		}
	case tea.MouseWheelMsg:
		if m.pane(id).Capturing() {
			return m, nil
		}
		k := "down"
		if msg.Button == tea.MouseWheelUp {
			k = "up"
		}
		return m, m.pane(id).Update(tea.KeyPressMsg{Code: keyCode(k)})
	}
	return m, nil
}

func keyCode(k string) rune {
	if k == "up" {
		return tea.KeyUp
	}
	return tea.KeyDown
}
