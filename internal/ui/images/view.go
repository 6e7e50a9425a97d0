package images

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// VerdictWord is a verdict with its glyph, never colour alone.
func VerdictWord(v Verdict) string {
	switch v {
	case WithinAim:
		return "✓ within aim"
	case WithinBudget:
		return "! within budget"
	case OverBudget:
		return "✗ over budget"
	}
	return "· no budget"
}

// Change renders the size change since the previous tag.
func Change(img Image) string {
	if img.Previous == "" {
		return "first image"
	}
	sign := "+"
	n := img.SizeChange
	if n < 0 {
		sign, n = "-", -n
	}
	if n == 0 {
		return "±0 since " + img.Previous
	}
	return sign + common.Size(n) + " since " + img.Previous
}

// Row renders one image: repository:tag, size, verdict against the budget,
// change since the last tag.
func Row(img Image) string {
	if !img.Present {
		return fmt.Sprintf("%-22s ✗ no image: build it (docker build) or choose another tag", img.Repository)
	}
	budget := ""
	if img.Max > 0 {
		budget = " of " + common.Size(img.Max)
	}
	return fmt.Sprintf("%-32s %8s  %-16s%s · %s", img.Repository+":"+img.Tag, common.Size(img.Size), VerdictWord(img.Verdict), budget, Change(img))
}

// rowLines is one image in the room there is: the whole row, or, when
// narrow, the row without its padding and budget, or the change since the
// last tag on a line of its own, so that it is never cut off.
func rowLines(img Image, width int) []string {
	full := Row(img)
	if !img.Present || ansi.StringWidth(full) <= width {
		return []string{full}
	}
	head := fmt.Sprintf("%s %s %s", img.Ref(), common.Size(img.Size), VerdictWord(img.Verdict))
	if line := head + " · " + Change(img); ansi.StringWidth(line) <= width {
		return []string{line}
	}
	return []string{head, "  " + Change(img)}
}

func (m *Model) unreachableText() string {
	why := "no Docker engine is configured"
	if m.err != nil {
		why = m.err.Error()
	}
	retry := ""
	if m.svc != nil {
		retry = fmt.Sprintf(" Trying again every %ds; %s tries now.", int(RetryEvery/time.Second), m.keys.Refresh.Help().Key)
	}
	return "✗ Docker engine not reachable: " + why + ". Start Docker Desktop (or the docker service), or set DOCKER_HOST to the engine's address. The rest of tmtui works." + retry
}

// buildLine is the running build with its time against the budget, or how
// the last one ended.
func (m *Model) buildLine() string {
	b := m.build
	if b == nil {
		return ""
	}
	s := m.styles
	if b.running {
		elapsed := max(0, m.now().Sub(b.started))
		line := fmt.Sprintf("… building %s · %s of the %s budget", b.req.Ref(), Clock(elapsed), Clock(BuildBudget))
		if elapsed > BuildBudget {
			return s.Warn.Render(line + " · over budget")
		}
		if m.keys.Cancel.Enabled() {
			line += " · " + m.keys.Cancel.Help().Key + " cancels"
		}
		return line
	}
	style := s.Good
	switch {
	case b.result.Err != nil:
		style = s.Bad
	case b.result.Duration > b.result.Budget:
		style = s.Warn
	}
	// A failure's reason is what to act on: wrapped, never cut off.
	lines := strings.Split(wrap(resultLine(b.req, *b.result), max(20, m.width)), "\n")
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return strings.Join(lines, "\n")
}

// promptLines is the build prompt: the folder, the tag, what to do.
func (m *Model) promptLines() []string {
	p := m.prompt
	s := m.styles
	folder, tag := p.folder.Value, p.tag.Value
	fm, tm := "  ", "  "
	if p.onTag {
		tag, tm = p.tag.View(), styles.Marker
	} else {
		folder, fm = p.folder.View(), styles.Marker
	}
	out := []string{
		s.Value.Render("Build " + p.repo + " from"),
		fm + "folder: " + folder,
		tm + "tag:    " + tag,
	}
	if p.hint != "" {
		out = append(out, s.Bad.Render("✗ "+p.hint))
	} else {
		out = append(out, s.Muted.Render("enter builds · tab folder/tag · esc cancels"))
	}
	return out
}

func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	s := m.styles
	switch {
	case m.Unreachable():
		return common.Fit(s.Warn.Render(wrap(m.unreachableText(), m.width)), m.width, m.height)
	case m.err != nil:
		return common.Fit(s.Bad.Render("✗ "+m.err.Error()), m.width, m.height)
	case !m.loaded:
		return common.Fit(s.Muted.Render("… listing images"), m.width, m.height)
	}
	var lines []string
	for i, img := range m.images {
		for j, l := range rowLines(img, m.width-2) {
			mark := styles.Unmarked
			if i == m.cursor && j == 0 {
				mark = styles.Marker
			}
			if i == m.cursor {
				l = s.Selected.Render(mark + l)
			} else {
				l = mark + l
			}
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		lines = append(lines, s.Muted.Render("no images"))
	}
	if m.prompt != nil {
		lines = append(lines, m.promptLines()...)
	} else if b := m.buildLine(); b != "" {
		lines = append(lines, b)
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

func (m *Model) Summary() string {
	switch {
	case m.prompt != nil:
		return "building " + m.prompt.repo + ": name the folder (enter builds, esc cancels)"
	case m.Building():
		return strings.SplitN(m.buildLine(), "\n", 2)[0]
	case m.Unreachable():
		return "✗ Docker engine not reachable"
	case m.err != nil:
		return "✗ cannot list images"
	case !m.loaded:
		return "… loading"
	}
	var parts []string
	for _, img := range m.images {
		if !img.Present {
			parts = append(parts, img.Repository+" ✗ missing")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s:%s %s %s", img.Repository, img.Tag, common.Size(img.Size), VerdictWord(img.Verdict)))
	}
	return strings.Join(parts, " │ ")
}

// wrap breaks text at spaces to width columns.
func wrap(s string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}
