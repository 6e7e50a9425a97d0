package ui

import (
	"fmt"
	"image/color"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Below this size no layout is legible; the screen says so instead.
const (
	minWidth  = 60
	minHeight = 15
)

// At this size and above all four panes show in full.
const (
	wideWidth  = 120
	wideHeight = 40
)

// maxBoxWidth keeps the error box readable on wide terminals.
const maxBoxWidth = 72

// chrome is the lines around the panes: header, status line, help line.
const chrome = 3

type layoutMode int

const (
	modeCompact layoutMode = iota // the focused pane, the others one line each
	modeWide                      // all four
	modeZoom                      // the focused pane alone
)

func (m Model) mode() layoutMode {
	switch {
	case m.zoom:
		return modeZoom
	case m.width >= wideWidth && m.height >= wideHeight:
		return modeWide
	}
	return modeCompact
}

// wideRows splits the body: Images and Release side by side on top, then
// Pods, then Logs, each across the width.
func wideRows(body int) (top, pods, logs int) {
	top = max(6, body/4)
	pods = (body - top) / 2
	return top, pods, body - top - pods
}

// layout gives every pane its size for the current mode. It runs in Update
// whenever the size, focus or zoom changes, so View only reads.
func (m *Model) layout() {
	body := m.height - chrome
	if m.width < minWidth || m.height < minHeight {
		return
	}
	inner := func(w, h int) (int, int) { return max(1, w-2), max(1, h-2) }
	switch m.mode() {
	case modeZoom:
		w, h := inner(m.width, body)
		m.pane(m.focus).SetSize(w, h)
	case modeWide:
		top, ph, lh := wideRows(body)
		left := m.width / 2
		m.images.SetSize(inner(left, top))
		m.release.SetSize(inner(m.width-left, top))
		m.pods.SetSize(inner(m.width, ph))
		m.logs.SetSize(inner(m.width, lh))
	default:
		w, h := inner(m.width, body-(len(common.Panes)-1))
		m.pane(m.focus).SetSize(w, h)
	}
}

func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "tmtui"
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

func (m Model) render() string {
	// Bubble Tea sends the size right after start; until then there is no layout.
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.cramped() {
		return m.tooSmall()
	}
	bodyHeight := m.height - chrome
	var body string
	switch m.state {
	case connecting:
		body = lipgloss.Place(m.width, bodyHeight, lipgloss.Center, lipgloss.Center, m.connectingView())
	case connected:
		body = m.panesView(bodyHeight)
		if m.wizard != nil {
			body = m.wizard.View()
		}
	case failed:
		body = lipgloss.Place(m.width, bodyHeight, lipgloss.Center, lipgloss.Center, m.failedView())
	}
	if n := len(m.dialogs); n > 0 && m.state == connected {
		// Only the front one: a dialog behind it is waiting, not shown.
		body = overlay(body, m.dialogs[n-1].View(m.styles, m.width-2, bodyHeight), m.width, bodyHeight)
	}
	if m.dialog != nil {
		body = overlay(body, m.dialog.View(m.styles, m.width), m.width, bodyHeight)
	}
	var helpLine string
	if m.state == connected && m.wizard != nil {
		helpLine = m.styles.Muted.Render("the setup wizard · esc leaves it (what is done stays) · ctrl+c quits")
	} else if m.state == connected {
		helpLine = m.helpLine()
	} else {
		helpLine = m.help.View(connectionHelp(m.keys))
	}
	screen := []string{
		ansi.Truncate(m.header(), m.width, "…"),
		fit(body, m.width, bodyHeight),
		ansi.Truncate(m.statusLine(), m.width, "…"),
		ansi.Truncate(helpLine, m.width, "…"),
	}
	return trimTrailingSpaces(strings.Join(screen, "\n"))
}

// header names the cluster in words, so a glance (or a grep of the screen)
// tells where tmtui would deploy, and whether that is this machine. On a
// narrow terminal the labels shorten before anything is cut.
func (m Model) header() string {
	var h string
	for _, labels := range headerLabels {
		h = m.headerWith(labels)
		if ansi.StringWidth(h) <= m.width {
			break
		}
	}
	return h
}

// headerLabels are the header's labels, longest first.
var headerLabels = []map[string]string{
	{"context": "context", "kubernetes": "kubernetes", "namespace": "namespace", "release": "release", "brand": "tmtui"},
	{"context": "context", "kubernetes": "k8s", "namespace": "ns", "release": "rel", "brand": "tmtui"},
	{"namespace": "ns"},
}

func (m Model) headerWith(labels map[string]string) string {
	s := m.styles
	field := func(label, value string) string {
		if labels[label] == "" {
			return s.Value.Render(value)
		}
		return s.Label.Render(labels[label]) + " " + s.Value.Render(value)
	}
	var parts []string
	if labels["brand"] != "" {
		parts = append(parts, s.Brand.Render(labels["brand"]))
	}
	if m.info.Context != "" {
		ctx := field("context", m.info.Context)
		if m.state == connected {
			if m.info.Local {
				ctx += " " + s.LocalBadge.Render("[LOCAL]")
			} else {
				ctx += " " + s.RemoteBadge.Render("[REMOTE]")
			}
		}
		parts = append(parts, ctx)
	}
	switch m.state {
	case connecting:
		parts = append(parts, s.Muted.Render("connecting…"))
	case connected:
		parts = append(parts, field("kubernetes", m.info.ServerVersion), field("namespace", m.info.Namespace))
		name, rev, st, ok := m.release.Header()
		rel := field("release", name)
		if ok {
			rel += fmt.Sprintf(" rev %d %s", rev, releaseWord(st))
		}
		parts = append(parts, rel)
		if m.pods.Reconnecting() {
			parts = append(parts, s.Warn.Render("⟳ reconnecting"))
		}
		if m.readOnly {
			parts = append(parts, s.Warn.Render("READ-ONLY"))
		}
	case failed:
		parts = append(parts, s.Bad.Render("not connected"))
	}
	return strings.Join(parts, s.Separator.Render(" │ "))
}

func releaseWord(state string) string {
	switch state {
	case "deployed":
		return "✓ deployed"
	case "failed":
		return "✗ failed"
	}
	return "… " + state
}

// helpLine shows the focused pane's keys and the global ones. When they do
// not fit, the least needed go first (zoom, next pane, then the pane's last
// keys), so "? all keys" and "q quit" always show.
func (m Model) helpLine() string {
	g := m.keys
	paneKeys := m.pane(m.focus).ShortHelp()
	extra := []key.Binding{g.Health, g.Next, g.Zoom}
	h := m.help
	h.SetWidth(0) // measure untruncated
	for {
		keys := append(append(append([]key.Binding{}, paneKeys...), g.Dismiss, g.Help, g.Quit), extra...)
		line := h.ShortHelpView(keys)
		if ansi.StringWidth(line) <= m.width || (len(extra) == 0 && len(paneKeys) == 0) {
			return line
		}
		if len(extra) > 0 {
			extra = extra[:len(extra)-1]
		} else {
			paneKeys = paneKeys[:len(paneKeys)-1]
		}
	}
}

// statusLine shows running work with a spinner, then the last result.
func (m Model) statusLine() string {
	s := m.styles
	var parts []string
	if len(m.tasks) > 0 {
		titles := make([]string, len(m.tasks))
		for i, t := range m.tasks {
			titles[i] = t.title
		}
		parts = append(parts, m.spinner.View()+" "+strings.Join(titles, ", ")+"…")
	}
	switch m.status.kind {
	case statusError:
		dismiss := m.keys.Dismiss.Help().Key
		parts = append(parts, s.StatusError.Render("✗ "+m.status.text)+s.Muted.Render(" ("+dismiss+" dismiss)"))
	case statusSuccess:
		parts = append(parts, s.StatusSuccess.Render("✓ "+m.status.text))
	case statusInfo:
		parts = append(parts, s.StatusInfo.Render("· "+m.status.text))
	}
	return strings.Join(parts, "  ")
}

func (m Model) panesView(height int) string {
	if m.showHelp {
		return m.fullHelp()
	}
	switch m.mode() {
	case modeZoom:
		return m.frame(m.focus, m.width, height)
	case modeWide:
		top, ph, lh := wideRows(height)
		left := m.width / 2
		row := lipgloss.JoinHorizontal(lipgloss.Top, m.frame(common.ImagesPane, left, top), m.frame(common.ReleasePane, m.width-left, top))
		return strings.Join([]string{row, m.frame(common.PodsPane, m.width, ph), m.frame(common.LogsPane, m.width, lh)}, "\n")
	}
	var lines []string
	for _, id := range common.Panes {
		if id == m.focus {
			lines = append(lines, m.frame(id, m.width, height-(len(common.Panes)-1)))
			continue
		}
		title := fmt.Sprintf("  %d %-8s", int(id)+1, id.String())
		lines = append(lines, ansi.Truncate(m.styles.Muted.Render(title)+"│ "+m.pane(id).Summary(), m.width, "…"))
	}
	return strings.Join(lines, "\n")
}

// frame draws a pane in a box whose top edge carries its number and name.
// The focused pane's box is double-lined and its title marked, so focus
// shows without colour.
func (m Model) frame(id common.PaneID, w, h int) string {
	st := m.styles.Pane
	title := fmt.Sprintf(" %d %s ", int(id)+1, id)
	if id == m.focus {
		st = m.styles.FocusedPane
		title = fmt.Sprintf(" ▶ %d %s ", int(id)+1, id)
		if m.zoom {
			title += "(zoomed) "
		}
	}
	b := st.GetBorderStyle()
	paint := lipgloss.NewStyle()
	if c := st.GetBorderTopForeground(); c != nil && !isNoColor(c) {
		paint = paint.Foreground(c)
	}
	iw, ih := max(1, w-2), max(1, h-2)
	title = ansi.Truncate(title, iw, "")
	top := paint.Render(b.TopLeft+b.Top) + m.styles.PaneTitle.Render(ansi.Truncate(title, iw-1, "")) +
		paint.Render(strings.Repeat(b.Top, max(0, iw-1-ansi.StringWidth(title)))+b.TopRight)
	lines := []string{top}
	content := strings.Split(common.Fit(m.pane(id).View(), iw, ih), "\n")
	for _, l := range content {
		lines = append(lines, paint.Render(b.Left)+l+paint.Render(b.Right))
	}
	lines = append(lines, paint.Render(b.BottomLeft+strings.Repeat(b.Bottom, iw)+b.BottomRight))
	return strings.Join(lines, "\n")
}

func isNoColor(c color.Color) bool {
	_, ok := c.(lipgloss.NoColor)
	return ok
}

// fullHelp lists every key: the global ones, then each pane's.
func (m Model) fullHelp() string {
	s := m.styles
	sections := []string{s.PaneTitle.Render("Keys (? or esc closes)"), "", s.Label.Render("global"), m.help.FullHelpView(m.keys.full())}
	for _, id := range common.Panes {
		sections = append(sections, "", s.Label.Render(id.String()), m.help.FullHelpView(m.pane(id).FullHelp()))
	}
	return lipgloss.NewStyle().Padding(0, 2).Render(strings.Join(sections, "\n"))
}

func (m Model) connectingView() string {
	target := "the cluster"
	if m.info.Context != "" {
		target = m.info.Context
	}
	return m.spinner.View() + " connecting to " + target + "…"
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

// cramped says whether the terminal is below the smallest usable size.
func (m Model) cramped() bool { return m.width < minWidth || m.height < minHeight }

func (m Model) tooSmall() string {
	msg := fmt.Sprintf("make the terminal larger: tmtui needs at least %d×%d, this one is %d×%d", minWidth, minHeight, m.width, m.height)
	wrapped := wrapWords(msg, m.width)
	return trimTrailingSpaces(fit(wrapped, m.width, m.height))
}

// overlay draws box centred over body, which keeps showing around it.
func overlay(body, box string, w, h int) string {
	lines := strings.Split(fit(body, w, h), "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	boxLines := strings.Split(box, "\n")
	bw := 0
	for _, l := range boxLines {
		bw = max(bw, ansi.StringWidth(l))
	}
	x, y := max(0, (w-bw)/2), max(0, (h-len(boxLines))/2)
	for i, bl := range boxLines {
		if y+i >= len(lines) {
			break
		}
		under := lines[y+i]
		left := ansi.Truncate(under, x, "")
		left += strings.Repeat(" ", x-ansi.StringWidth(left))
		right := ansi.TruncateLeft(under, x+bw, "")
		lines[y+i] = left + bl + strings.Repeat(" ", bw-ansi.StringWidth(bl)) + right
	}
	return strings.Join(lines, "\n")
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
