package logs

import (
	"sort"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.filtering {
		switch msg.String() {
		case "enter":
			m.filtering = false
		case "esc":
			m.filtering = false
			m.setFilter("")
		default:
			in := m.filter
			if in.Key(msg.Keystroke(), msg.Text) {
				m.setFilter(in.Value)
			}
		}
		return nil
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(1, m.bodyHeight()))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(1, m.bodyHeight()))
	case key.Matches(msg, k.Top):
		m.follow = false
		m.anchor = m.seqAt(min(m.Visible(), m.bodyHeight()) - 1)
	case key.Matches(msg, k.Bottom):
		m.follow = true
	case key.Matches(msg, k.Follow):
		m.follow = !m.follow
		if !m.follow {
			m.anchor = m.lastSeq()
		}
	case key.Matches(msg, k.Filter):
		m.filtering = true
	case key.Matches(msg, k.Clear):
		m.setFilter("")
	case key.Matches(msg, k.Wrap):
		m.wrap = !m.wrap
	case key.Matches(msg, k.Timestamps):
		m.timestamps = !m.timestamps
	case key.Matches(msg, k.Previous):
		if m.showBuild {
			return nil
		}
		if m.pod == "" || m.allPods {
			return common.Status("the previous container's log is per pod: open a pod's logs with l in the Pods pane")
		}
		m.previous = !m.previous
		return m.restart()
	case key.Matches(msg, k.AllPods):
		if m.pod == "" {
			return common.Status("showing all pods; open one pod's logs with l in the Pods pane")
		}
		m.allPods = !m.allPods
		m.previous = false
		return m.restart()
	case key.Matches(msg, k.Build):
		m.show(!m.showBuild)
	case key.Matches(msg, k.Save):
		return saveCmd(m.route, m.saveDir, m.saveName(), m.buf.lines(), m.timestamps)
	}
	return nil
}

// bodyHeight is the lines left for log lines under the pane's settings line.
func (m *Model) bodyHeight() int { return max(1, m.height-1) }

// seqAt is the seq of the line at a position among the visible lines.
func (m *Model) seqAt(pos int) uint64 {
	pos = max(0, pos)
	if m.matches != nil {
		if len(m.matches) == 0 {
			return m.buf.first
		}
		return m.matches[min(pos, len(m.matches)-1)]
	}
	return m.buf.first + uint64(min(pos, max(0, m.buf.len()-1)))
}

// posOf is the position of the last visible line at or before seq.
func (m *Model) posOf(seq uint64) int {
	if m.matches != nil {
		return sort.Search(len(m.matches), func(i int) bool { return m.matches[i] > seq }) - 1
	}
	if seq < m.buf.first {
		return -1
	}
	return min(int(seq-m.buf.first), m.buf.len()-1)
}

func (m *Model) lastSeq() uint64 { return m.seqAt(m.Visible() - 1) }

// scroll moves the view by delta lines; reaching the bottom follows again.
func (m *Model) scroll(delta int) {
	if m.Visible() == 0 {
		return
	}
	pos := m.Visible() - 1
	if !m.follow {
		pos = m.posOf(m.anchor)
	}
	pos = min(max(pos+delta, min(m.bodyHeight(), m.Visible())-1), m.Visible()-1)
	m.anchor = m.seqAt(pos)
	m.follow = pos == m.Visible()-1 && delta > 0
}
