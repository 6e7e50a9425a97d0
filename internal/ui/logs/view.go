package logs

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Tag is the short per-pod tag of merged logs: the component and the pod's
// own suffix ("taskmaster-backend-7d9f8c6b5-x2k4p" -> "backend-x2k4p"),
// dropping the release name and the template hash all pods share.
func Tag(pod string) string {
	parts := strings.Split(pod, "-")
	if len(parts) < 4 {
		return pod
	}
	return parts[len(parts)-3] + "-" + parts[len(parts)-1]
}

// Render is one line as the pane shows it (without styles): the tag when
// several pods are merged, the time when asked for, the text.
func Render(l Line, tag, timestamps bool) string {
	var b strings.Builder
	if l.Notice {
		b.WriteString("— ")
	}
	if l.Source != "" {
		b.WriteString("[" + l.Source + "] ")
	}
	if tag && l.Pod != "" {
		b.WriteString("[" + Tag(l.Pod) + "] ")
	}
	if timestamps && !l.Time.IsZero() {
		b.WriteString(l.Time.UTC().Format("15:04:05.000") + " ")
	}
	// Tabs and stray escapes from a container would tear the layout.
	b.WriteString(strings.ReplaceAll(ansi.Strip(l.Text), "\t", "    "))
	return b.String()
}

// SettingsLine says, in words, what the pane shows and how.
func (m *Model) SettingsLine() string {
	var parts []string
	switch {
	case m.showBuild:
		what := m.buildSource + " output"
		if m.buildStatus != "" {
			what += " (" + m.buildStatus + ")"
		}
		parts = append(parts, what)
	case m.allPods || m.pod == "":
		parts = append(parts, "all pods")
	case m.previous:
		parts = append(parts, m.pod+" (previous container)")
	default:
		parts = append(parts, m.pod)
	}
	if m.follow {
		parts = append(parts, "following")
	} else {
		parts = append(parts, "paused")
	}
	if m.wrap {
		parts = append(parts, "wrap on")
	}
	if m.timestamps {
		parts = append(parts, "timestamps on")
	}
	switch {
	case m.filtering:
		parts = append(parts, "filter: "+m.filter.View())
	case m.filter.Value != "":
		parts = append(parts, "filter: "+m.filter.Value)
	}
	if m.ended && !m.showBuild {
		parts = append(parts, "stream ended")
	}
	return strings.Join(parts, " · ")
}

// View renders the settings line and the last lines that fit, from the
// bottom up, so a frame costs the lines shown and not the buffer's size.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	s := m.styles
	head := s.Muted.Render(m.SettingsLine())
	switch {
	case m.showBuild:
	case m.svc == nil:
		return common.Fit(s.Muted.Render("logs are not available in this session"), m.width, m.height)
	case m.err != nil:
		return common.Fit(head+"\n"+s.Bad.Render("✗ "+m.err.Error()), m.width, m.height)
	}
	h := m.bodyHeight()
	var out []string // bottom up
	pos := m.Visible() - 1
	if !m.follow {
		pos = m.posOf(m.anchor)
	}
	tag := m.allPods || m.pod == ""
	for ; pos >= 0 && len(out) < h; pos-- {
		l := m.buf.at(m.seqAt(pos))
		text := Render(l, tag, m.timestamps)
		if !m.wrap {
			text = ansi.Truncate(text, m.width, "…")
			if l.Notice {
				text = s.Muted.Render(text)
			}
			out = append(out, text)
			continue
		}
		wrapped := strings.Split(ansi.Hardwrap(text, m.width, true), "\n")
		for i := len(wrapped) - 1; i >= 0 && len(out) < h; i-- {
			out = append(out, wrapped[i])
		}
	}
	if len(out) == 0 {
		msg := "no log lines yet"
		if m.filter.Value != "" {
			msg = "no line matches the filter"
		}
		out = append(out, s.Muted.Render(msg))
	}
	lines := make([]string, 0, len(out)+1)
	lines = append(lines, head)
	for i := len(out) - 1; i >= 0; i-- {
		lines = append(lines, out[i])
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

// Summary is the pane in one line.
func (m *Model) Summary() string {
	if m.svc == nil && !m.showBuild {
		return "not available"
	}
	if m.err != nil && !m.showBuild {
		return "✗ cannot read logs"
	}
	last := "no lines yet"
	if m.Visible() > 0 {
		last = Render(m.buf.at(m.lastSeq()), m.allPods || m.pod == "" || m.showBuild, false)
	}
	return m.SettingsLine() + " · " + last
}
