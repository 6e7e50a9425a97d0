package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Below this size the layout cannot show an error message legibly.
const (
	minWidth  = 40
	minHeight = 10
)

// maxBoxWidth keeps the error box readable on wide terminals.
const maxBoxWidth = 72

func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "tmtui"
	return v
}

func (m Model) render() string {
	// Bubble Tea sends the size right after start; until then there is no layout.
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	bodyHeight := m.height - 2 // one line each for header and footer
	var body string
	switch m.state {
	case connecting:
		body = lipgloss.Place(m.width, bodyHeight, lipgloss.Center, lipgloss.Center, m.connectingView())
	case connected:
		body = lipgloss.Place(m.width, bodyHeight, lipgloss.Left, lipgloss.Top, m.connectedView())
	case failed:
		body = lipgloss.Place(m.width, bodyHeight, lipgloss.Center, lipgloss.Center, m.failedView())
	}
	screen := []string{
		ansi.Truncate(m.header(), m.width, "…"),
		fit(body, m.width, bodyHeight),
		ansi.Truncate(m.help.View(m.keys), m.width, "…"),
	}
	return trimTrailingSpaces(strings.Join(screen, "\n"))
}

// header names the cluster in words, so a glance (or a grep of the screen)
// tells where tmtui would deploy.
func (m Model) header() string {
	s := m.styles
	field := func(label, value string) string {
		return s.Label.Render(label) + " " + s.Value.Render(value)
	}
	parts := []string{s.Brand.Render("tmtui")}
	if m.info.Context != "" {
		parts = append(parts, field("context", m.info.Context))
	}
	switch m.state {
	case connecting:
		parts = append(parts, s.Muted.Render("connecting…"))
	case connected:
		parts = append(parts, field("kubernetes", m.info.ServerVersion), field("namespace", m.info.Namespace))
	case failed:
		parts = append(parts, s.Bad.Render("not connected"))
	}
	return strings.Join(parts, s.Separator.Render(" │ "))
}

func (m Model) connectingView() string {
	target := "the cluster"
	if m.info.Context != "" {
		target = m.info.Context
	}
	return m.spinner.View() + " connecting to " + target + "…"
}

func (m Model) connectedView() string {
	s := m.styles
	rows := [][2]string{
		{"context", m.info.Context},
		{"server", m.info.Server},
		{"version", m.info.ServerVersion},
		{"namespace", m.info.Namespace},
	}
	lines := []string{s.Good.Render("connected"), ""}
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("  %s %s", s.Label.Render(fmt.Sprintf("%-10s", r[0])), s.Value.Render(r[1])))
	}
	return lipgloss.NewStyle().Padding(1, 2).Render(strings.Join(lines, "\n"))
}

func (m Model) failedView() string {
	s := m.styles
	width := min(maxBoxWidth, m.width-4)
	title := "cannot connect"
	if m.info.Context != "" {
		title += " to " + m.info.Context
	}
	help := "press q to quit"
	if m.keys.Retry.Enabled() {
		help = "press r to retry · " + help
	}
	inner := width - s.ErrorBox.GetHorizontalFrameSize()
	content := strings.Join([]string{s.ErrorTitle.Render(title), "", wrapWords(m.err.Error(), inner), "", s.Muted.Render(help)}, "\n")
	return s.ErrorBox.Width(width).Render(content)
}

func (m Model) tooSmall() string {
	msg := fmt.Sprintf("make the terminal larger (at least %d×%d)", minWidth, minHeight)
	wrapped := lipgloss.NewStyle().Width(m.width).Render(msg)
	return trimTrailingSpaces(fit(wrapped, m.width, m.height))
}

// wrapWords wraps plain text at spaces only. Lipgloss also breaks at hyphens,
// which would split a flag such as --kubeconfig across two lines.
func wrapWords(s string, width int) string {
	var lines []string
	for _, paragraph := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(paragraph) {
			switch {
			case line == "":
				line = word
			case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= width:
				line += " " + word
			default:
				lines = append(lines, line)
				line = word
			}
		}
		lines = append(lines, line)
	}
	// A word wider than the box (a long path or URL) still has to break somewhere.
	return ansi.Hardwrap(strings.Join(lines, "\n"), width, true)
}

// fit crops s to w columns and h lines, so that nothing scrolls the screen
// however long a message turns out to be.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "")
	}
	return strings.Join(lines, "\n")
}

// trimTrailingSpaces drops the padding that layout leaves at line ends; the
// terminal shows the same, and golden files stay free of invisible whitespace.
func trimTrailingSpaces(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
