package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// cellOf finds text on the screen: its column and line.
func cellOf(t *testing.T, screen, text string) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return len([]rune(line[:i])), y
		}
	}
	t.Fatalf("%q is not on the screen:\n%s", text, screen)
	return 0, 0
}

func TestMouseClickFocusesAndSelectsWheelScrolls(t *testing.T) {
	w := newWorld()
	w.release = newOps()
	w.opts.Mouse = true
	r := w.connected(t, 120, 40)
	if r.m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("--mouse does not turn mouse reporting on")
	}
	// Click a revision in the Release pane: focus first, then the row.
	x, y := cellOf(t, r.screen(), "2  · superseded")
	r.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if r.m.Focus() != common.ReleasePane {
		t.Fatalf("a click on the Release pane did not focus it (focus %v)", r.m.Focus())
	}
	x, y = cellOf(t, r.screen(), "2  · superseded")
	r.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if !strings.Contains(r.screen(), "›   2  · superseded") {
		t.Errorf("the click did not select revision 2:\n%s", r.screen())
	}
	// Click the crashing pod's row.
	x, y = cellOf(t, r.screen(), "taskmaster-backend-7d9f8c6b5-00001")
	r.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	x, y = cellOf(t, r.screen(), "taskmaster-backend-7d9f8c6b5-00001")
	r.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if r.m.Focus() != common.PodsPane || !strings.Contains(r.screen(), "› taskmaster-backend-7d9f8c6b5-00001") {
		t.Errorf("clicking a pod did not focus the pane and select it:\n%s", r.screen())
	}
	// The wheel over the Release pane moves its selection without focusing it.
	x, y = cellOf(t, r.screen(), "Release")
	r.Update(tea.MouseWheelMsg{X: x, Y: y + 2, Button: tea.MouseWheelDown})
	if r.m.Focus() != common.PodsPane || !strings.Contains(r.screen(), "›   1  · superseded") {
		t.Errorf("the wheel did not scroll the Release pane:\n%s", r.screen())
	}
}

func TestMouseIsOffByDefaultAndIgnoredUnderADialog(t *testing.T) {
	w := newWorld()
	r := w.connected(t, 120, 40)
	if r.m.View().MouseMode != tea.MouseModeNone {
		t.Error("mouse reporting is on without --mouse")
	}
	x, y := cellOf(t, r.screen(), "Release")
	r.Update(tea.MouseClickMsg{X: x, Y: y + 1, Button: tea.MouseLeft})
	if r.m.Focus() != common.PodsPane {
		t.Error("a click moved the focus with the mouse off")
	}
	w.opts.Mouse = true
	r = w.connected(t, 120, 40)
	r.press("down", "d") // the delete question is open
	r.Update(tea.MouseClickMsg{X: x, Y: y + 1, Button: tea.MouseLeft})
	if r.m.Focus() != common.PodsPane || r.m.dialog == nil {
		t.Error("a click went under an open dialog")
	}
}
