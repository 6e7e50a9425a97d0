package release

import (
	tea "charm.land/bubbletea/v2"
	"fmt"
	"strings"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// StateWord puts a glyph with a release state, so it never rests on colour.
func StateWord(state string) string {
	switch state {
	case "deployed":
		return "✓ deployed"
	case "failed":
		return "✗ failed"
	case "superseded", "uninstalled":
		return "· " + state
	case "":
		return "? unknown"
	}
	return "… " + state // pending-install, pending-upgrade, pending-rollback, uninstalling
}

// HistoryRow renders one revision.
func HistoryRow(r Revision, now time.Time) string {
	return fmt.Sprintf("%3d  %-14s %-22s %-8s %4s  %s", r.Number, StateWord(r.State), r.Chart, r.AppVersion,
		common.Age(now.Sub(r.Updated)), r.Description)
}

// StatusLine renders the release's status in one line.
func StatusLine(s Status, now time.Time) string {
	if !s.Installed {
		return fmt.Sprintf("%s is not installed", orRelease(s.Name))
	}
	return fmt.Sprintf("%s rev %d %s · chart %s · app %s · updated %s ago", s.Name, s.Revision, StateWord(s.State),
		s.Chart, s.AppVersion, common.Age(now.Sub(s.Updated)))
}

func orRelease(n string) string {
	if n == "" {
		return "the release"
	}
	return "release " + n
}

func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	s := m.styles
	switch {
	case m.svc == nil:
		return common.Fit(s.Muted.Render("the release is not available in this session"), m.width, m.height)
	case m.viewing:
		title := fmt.Sprintf("%s of revision %d (esc closes)", m.kind, m.rev)
		return common.Fit(s.PaneTitle.Render(title)+"\n"+m.vp.View(), m.width, m.height)
	case !m.loaded:
		return common.Fit(s.Muted.Render("… reading the release"), m.width, m.height)
	case m.err != nil && !m.status.Installed:
		return common.Fit(s.Bad.Render("✗ "+m.err.Error()), m.width, m.height)
	}
	now := m.now()
	lines := []string{StatusLine(m.status, now)}
	if m.op != nil {
		lines = append(lines, m.opLines(max(1, m.height/2))...)
	}
	if m.status.Installed {
		lines = append(lines, s.TableHeader.Render(styles.Unmarked+"REV  STATE          CHART                  APP      AGE  DESCRIPTION"))
		first, rows := m.firstRow(len(lines))
		for i := first; i < len(m.history) && i < first+rows; i++ {
			row := HistoryRow(m.history[i], now)
			if i == m.cursor {
				lines = append(lines, s.Selected.Render(styles.Marker+row))
			} else {
				lines = append(lines, styles.Unmarked+row)
			}
		}
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

func (m *Model) Summary() string {
	switch {
	case m.svc == nil:
		return "not available"
	case !m.loaded:
		return "… loading"
	case m.err != nil && !m.status.Installed:
		return "✗ cannot read the release"
	}
	return StatusLine(m.status, m.now())
}

// opLines show the running operation (its step and its pods) or how the
// last one ended, in at most n lines.
func (m *Model) opLines(n int) []string {
	s, o := m.styles, m.op
	var lines []string
	switch {
	case o.running:
		line := "▶ " + o.title
		if pods := o.progress.Pods; len(pods) > 0 {
			ready, live := 0, 0
			for _, p := range pods {
				if p.Deleted {
					continue
				}
				live++
				if p.Ready {
					ready++
				}
			}
			line += fmt.Sprintf(" · %d/%d pods ready", ready, live)
		}
		if msg := o.progress.Message; msg != "" && msg != o.title {
			line += " · " + msg
		}
		lines = append(lines, s.Warn.Render(line))
		for _, p := range o.progress.Pods {
			lines = append(lines, "  "+PodLine(p))
		}
	case o.err != nil:
		for _, l := range common.Wrap("✗ "+o.err.Error(), max(20, m.width)) {
			lines = append(lines, s.Bad.Render(l))
		}
	default:
		done := o.result
		if done == "" {
			done = o.title + ": done"
		}
		lines = append(lines, s.Good.Render("✓ "+done))
	}
	if len(lines) > n {
		lines = append(lines[:n-1], fmt.Sprintf("  … and %d more pods", len(lines)-n+1))
	}
	return lines
}

// PodLine renders one pod of a running operation; the glyph carries the
// state, so it never rests on colour.
func PodLine(p PodProgress) string {
	switch {
	case p.Deleted:
		return "· " + p.Name + " gone"
	case p.Ready:
		return "✓ " + p.Name + " Ready"
	case p.Problem != "":
		return "✗ " + p.Name + " " + p.Problem
	}
	phase := p.Phase
	if phase == "" {
		phase = "Pending"
	}
	return "… " + p.Name + " " + phase
}

// firstRow is the first revision shown and how many fit, when the table's
// rows start at line top of the pane.
func (m *Model) firstRow(top int) (first, rows int) {
	rows = max(1, m.height-top)
	return max(0, m.cursor-rows+1), rows
}

// Click selects the revision on the clicked row (the mouse, when it is on).
func (m *Model) Click(_, y int) tea.Cmd {
	if m.viewing || !m.loaded || !m.status.Installed {
		return nil
	}
	top := 2 // the status line and the column headers
	if m.op != nil {
		top += len(m.opLines(max(1, m.height/2)))
	}
	first, rows := m.firstRow(top)
	if i := first + y - top; y >= top && y < top+rows && i < len(m.history) {
		m.cursor = i
	}
	return nil
}
