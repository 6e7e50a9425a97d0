package pods

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Glyphs go with every state's word, so a state never rests on colour.
const (
	glyphReady   = "✓"
	glyphWaiting = "…"
	glyphProblem = "✗"
)

// StatusCell is a pod's status as the table shows it: a glyph, kubectl's
// status word and, when it adds something, the reason.
func StatusCell(p Pod) string {
	g := glyphWaiting
	switch {
	case p.Reason != "" && !p.Terminating:
		g = glyphProblem
	case p.Ready && !p.Terminating:
		g = glyphReady
	}
	s := g + " " + p.Status
	if p.Reason != "" && p.Reason != p.Status {
		s += " (" + p.Reason + ")"
	}
	return s
}

// Row renders one pod as the table's cells, in the order of columns.
func Row(p Pod, now time.Time) []string {
	return []string{
		p.Name,
		p.Component,
		fmt.Sprintf("%d/%d", p.ReadyContainers, p.Containers),
		StatusCell(p),
		fmt.Sprint(p.Restarts),
		common.Age(now.Sub(p.Created)),
		p.Node,
	}
}

type column struct {
	title string
	width int
	cell  int // index of its cell in Row
}

// Columns lays the table out in width columns (after the row marker): the
// name takes what the others leave; on a narrow pane the least telling
// columns go first (node, component, restarts, age).
func Columns(width int) []column {
	cols := []column{
		{"NAME", 0, 0}, {"COMPONENT", 9, 1}, {"READY", 5, 2}, {"STATUS", 22, 3}, {"RESTARTS", 8, 4}, {"AGE", 4, 5}, {"NODE", 12, 6},
	}
	avail := width - len(styles.Marker)
	fixed := func() int {
		n := 0
		for _, c := range cols[1:] {
			n += c.width + 1
		}
		return n
	}
	for _, drop := range []string{"NODE", "COMPONENT", "RESTARTS", "AGE"} {
		if avail-fixed() >= 24 {
			break
		}
		cols = slices.DeleteFunc(cols, func(c column) bool { return c.title == drop })
	}
	cols[0].width = max(8, avail-fixed())
	return cols
}

func renderCells(cells []string, cols []column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v := ""
		if c.cell < len(cells) {
			v = cells[c.cell]
		}
		parts[i] = common.Pad(v, c.width)
	}
	return strings.Join(parts, " ")
}

// DeploymentLine sums up the deployments: ready of desired, the rollout when
// one is under way, and the bound when one is reached.
func DeploymentLine(ds []Deployment, lowest, highest int32) string {
	if len(ds) == 0 {
		return "no deployments"
	}
	var parts []string
	for _, d := range ds {
		s := fmt.Sprintf("%s %d/%d ready", d.Component, d.Ready, d.Desired)
		switch {
		case d.Desired >= highest:
			s += fmt.Sprintf(" (at max %d)", highest)
		case d.Desired <= lowest:
			s += fmt.Sprintf(" (at min %d)", lowest)
		}
		if d.Rollout != "" {
			s += " · " + d.Rollout
		}
		if d.Warning != "" && d.Ready < d.Desired {
			// Why pods are missing, when Kubernetes says: a quota, a
			// Pod Security rule, a missing ServiceAccount.
			s += " · ⚠ " + d.Warning
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " │ ")
}

// DetailLines describe one pod: where it runs, what is wrong and what to do,
// its conditions and recent warnings.
func DetailLines(p Pod, now time.Time) []string {
	lines := []string{
		"pod        " + p.Name,
		"component  " + p.Component,
		"status     " + StatusCell(p),
		fmt.Sprintf("ready      %d/%d containers", p.ReadyContainers, p.Containers),
		fmt.Sprintf("restarts   %d", p.Restarts),
		"age        " + common.Age(now.Sub(p.Created)),
		"node       " + orNone(p.Node),
	}
	if p.Reason != "" {
		lines = append(lines, "", "waiting    "+p.Reason)
		if p.Message != "" {
			lines = append(lines, "message    "+p.Message)
		}
		if p.Hint != "" {
			lines = append(lines, "hint       "+p.Hint)
		}
	}
	lines = append(lines, "", "conditions")
	if len(p.Conditions) == 0 {
		lines = append(lines, "  none reported")
	}
	for _, c := range p.Conditions {
		l := fmt.Sprintf("  %-16s %s", c.Type, conditionWord(c.Status))
		if c.Reason != "" {
			l += " " + c.Reason
		}
		if c.Message != "" {
			l += ": " + c.Message
		}
		lines = append(lines, l)
	}
	lines = append(lines, "", "recent warnings")
	if len(p.Warnings) == 0 {
		lines = append(lines, "  none")
	}
	for _, w := range p.Warnings {
		l := fmt.Sprintf("  %s ago  %s: %s", common.Age(now.Sub(w.Last)), w.Reason, w.Message)
		if w.Count > 1 {
			l += fmt.Sprintf(" (×%d)", w.Count)
		}
		lines = append(lines, l)
	}
	return lines
}

func conditionWord(status string) string {
	switch status {
	case "True":
		return glyphReady + " True"
	case "False":
		return glyphProblem + " False"
	}
	return glyphWaiting + " " + status
}

func orNone(s string) string {
	if s == "" {
		return "(not scheduled)"
	}
	return s
}

func (m *Model) detailLines() []string {
	p, ok := m.Selected()
	if !ok {
		return nil
	}
	return DetailLines(p, m.now())
}

// View renders the pane's content.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	s := m.styles
	switch {
	case m.svc == nil:
		return common.Fit(s.Muted.Render("pods are not available in this session"), m.width, m.height)
	case m.err != nil:
		return common.Fit(s.Bad.Render("✗ "+m.err.Error()), m.width, m.height)
	case !m.received:
		return common.Fit(s.Muted.Render("… waiting for the first list of pods"), m.width, m.height)
	}
	if m.details {
		lines := m.detailLines()
		if m.scroll < len(lines) {
			lines = lines[m.scroll:]
		}
		return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
	}

	head := DeploymentLine(m.snap.Deployments, m.min, m.max)
	if m.snap.Conn == ConnReconnecting {
		head = s.Warn.Render("⟳ last known state") + "  " + head
	}
	if m.snap.Problem != "" {
		head = s.Bad.Render("✗ "+m.snap.Problem) + "  " + head
	}
	cols := Columns(m.width)
	titles := make([]string, 7)
	for _, c := range cols {
		titles[c.cell] = c.title
	}
	lines := []string{head, s.TableHeader.Render(styles.Unmarked + renderCells(titles, cols))}
	if len(m.snap.Pods) == 0 {
		lines = append(lines, s.Muted.Render(styles.Unmarked+"no pods"))
	}
	now := m.now()
	end := min(len(m.snap.Pods), m.offset+m.tableRows())
	for i := m.offset; i < end; i++ {
		row := renderCells(Row(m.snap.Pods[i], now), cols)
		if i == m.cursor {
			lines = append(lines, s.Selected.Render(styles.Marker+row))
			continue
		}
		lines = append(lines, styles.Unmarked+row)
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

// Summary is the pane in one line.
func (m *Model) Summary() string {
	switch {
	case m.svc == nil:
		return "not available"
	case m.err != nil:
		return "✗ cannot watch pods"
	case !m.received:
		return "… loading"
	}
	ready, problems := 0, 0
	for _, p := range m.snap.Pods {
		if p.Ready {
			ready++
		}
		if p.Reason != "" {
			problems++
		}
	}
	s := fmt.Sprintf("%d pods, %d ready", len(m.snap.Pods), ready)
	if problems > 0 {
		s += fmt.Sprintf(", ✗ %d with problems", problems)
	}
	if p, ok := m.Selected(); ok {
		s += " · › " + p.Name
	}
	return s
}
