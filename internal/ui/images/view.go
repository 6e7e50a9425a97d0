package images

import (
	"fmt"
	"strings"

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

func (m *Model) unreachableText() string {
	why := "no Docker engine is configured"
	if m.err != nil {
		why = m.err.Error()
	}
	return "✗ Docker engine not reachable: " + why + ". The rest of tmtui works; start Docker and press r."
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
		if i == m.cursor {
			lines = append(lines, s.Selected.Render(styles.Marker+Row(img)))
		} else {
			lines = append(lines, styles.Unmarked+Row(img))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, s.Muted.Render("no images"))
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

func (m *Model) Summary() string {
	switch {
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
