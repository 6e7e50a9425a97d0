package pods

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.details {
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Details):
			m.details = false
		case key.Matches(msg, k.Up):
			m.scroll = max(0, m.scroll-1)
		case key.Matches(msg, k.Down):
			m.scroll = min(m.scroll+1, max(0, len(m.detailLines())-m.height))
		case key.Matches(msg, k.Logs):
			return m.openLogs()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Details):
		if _, ok := m.Selected(); ok {
			// Looking at a pod's details is choosing it: the details stay
			// on it when another pod sorts first.
			m.details, m.scroll, m.chosen = true, 0, true
		}
	case key.Matches(msg, k.Logs):
		return m.openLogs()
	case key.Matches(msg, k.ScaleUp):
		return m.scale(+1)
	case key.Matches(msg, k.ScaleDown):
		return m.scale(-1)
	case key.Matches(msg, k.Restart):
		d, ok := m.selectedDeployment()
		if !ok {
			return common.Status("select a pod of a deployment to restart it")
		}
		return common.Request(m.route, m.restartAction(d))
	case key.Matches(msg, k.Delete):
		p, ok := m.Selected()
		if !ok {
			return common.Status("no pod selected")
		}
		return common.Request(m.route, m.deleteAction(p))
	}
	return nil
}

func (m *Model) openLogs() tea.Cmd {
	p, ok := m.Selected()
	if !ok {
		return nil
	}
	return func() tea.Msg { return common.OpenLogsMsg{Pod: p.Name} }
}

func (m *Model) selectedDeployment() (Deployment, bool) {
	p, ok := m.Selected()
	if !ok {
		return Deployment{}, false
	}
	return m.snap.DeploymentOf(p)
}

// scale asks for the selected pod's deployment to grow or shrink by one,
// within the bounds; at a bound it says so instead.
func (m *Model) scale(delta int32) tea.Cmd {
	d, ok := m.selectedDeployment()
	if !ok {
		return common.Status("select a pod of a deployment to scale it")
	}
	want := d.Desired + delta
	switch {
	case want > m.max:
		return common.Status(fmt.Sprintf("%s is at its maximum of %d replicas (bounds %d..%d)", d.Component, m.max, m.min, m.max))
	case want < m.min:
		return common.Status(fmt.Sprintf("%s is at its minimum of %d replica (bounds %d..%d)", d.Component, m.min, m.min, m.max))
	}
	return common.Request(m.route, m.scaleAction(d, want))
}

// Click selects the pod on the clicked row (the mouse, when it is on).
func (m *Model) Click(_, y int) tea.Cmd {
	if m.details || !m.received {
		return nil
	}
	if i := m.offset + y - 2; y >= 2 && i < len(m.snap.Pods) {
		m.move(i - m.cursor)
	}
	return nil
}
