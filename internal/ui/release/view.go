package release

import (
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
	if m.status.Installed {
		lines = append(lines, s.TableHeader.Render(styles.Unmarked+"REV  STATE          CHART                  APP      AGE  DESCRIPTION"))
		rows := max(1, m.height-2)
		first := max(0, m.cursor-rows+1)
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
