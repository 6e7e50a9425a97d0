package common

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Fit crops or pads s to exactly w columns and h lines, so that a pane never
// pushes the layout out of shape however long its content is.
func Fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = Pad(l, w)
	}
	return strings.Join(lines, "\n")
}

// Pad cuts s to w columns (with an ellipsis) or pads it with spaces to w.
func Pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

// Age renders a duration the way kubectl's AGE column does: 45s, 12m, 3h, 5d.
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// Size renders bytes in the units `docker images` uses (MB = 10^6 bytes).
func Size(n int64) string {
	switch {
	case n >= 1_000_000_000:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1_000_000:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1_000:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// Input is a one-line text field: printable keys type, backspace deletes,
// ctrl+u clears. It is smaller than bubbles' textinput on purpose: no
// cursor blink, so screens stay still and golden files stable.
type Input struct {
	Value string
}

// Key applies a key press; it returns false for keys it does not edit with.
func (in *Input) Key(keystroke, text string) bool {
	switch keystroke {
	case "backspace":
		if in.Value != "" {
			r := []rune(in.Value)
			in.Value = string(r[:len(r)-1])
		}
		return true
	case "ctrl+u":
		in.Value = ""
		return true
	case "space":
		in.Value += " "
		return true
	}
	if text != "" && !strings.ContainsAny(text, "\x1b\r\n\t") {
		in.Value += text
		return true
	}
	return false
}

// View shows the value with a block cursor.
func (in Input) View() string { return in.Value + "█" }

// Wrap breaks plain text at spaces into lines of at most width columns (a
// longer word gets a line of its own). Unlike lipgloss it never breaks at a
// hyphen, so names and flags stay whole.
func Wrap(s string, width int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && ansi.StringWidth(line)+1+ansi.StringWidth(w) > width {
				out = append(out, line)
				line = w
				continue
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		out = append(out, line)
	}
	return out
}
