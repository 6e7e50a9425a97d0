package dialog

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// DiffObject is one object a change would add, remove or change.
type DiffObject struct {
	Name    string // Kind/name
	Change  string // added, removed, changed
	Hook    bool   // a Helm hook (the test pod): made when its hook runs
	Unified string // unified diff of its YAML; Secret values already hidden
}

// Diff shows what a change would do, object by object, and asks to go
// ahead: y applies, n or esc leaves with nothing changed.
type Diff struct {
	Title     string
	Summary   string   // one line above the objects: "upgrade from revision 3"
	Notes     []string // what else to know before saying yes
	Objects   []DiffObject
	Unchanged int
	// Apply is the command that makes the change (a Request for the
	// action, which the root's guard then checks).
	Apply tea.Cmd

	vp     viewport.Model
	ready  bool
	w, h   int
	styles styles.Styles
}

var _ common.Dialog = (*Diff)(nil)

func (d *Diff) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch k.String() {
	case "y", "Y", "enter":
		return d.Apply, true
	case "n", "N", "esc", "ctrl+c", "q":
		return common.Status("cancelled: " + strings.ToLower(d.Title) + "; nothing was changed"), true
	}
	if d.ready {
		d.vp, _ = d.vp.Update(msg)
	}
	return nil, false
}

// Body is the diff as text, without colour: what the viewer scrolls.
func (d *Diff) Body(s styles.Styles) string {
	var b strings.Builder
	if len(d.Objects) == 0 {
		b.WriteString("Nothing would change in the cluster.\n")
	}
	for _, o := range d.Objects {
		hook := ""
		if o.Hook {
			hook = " (hook: made when it runs)"
		}
		fmt.Fprintf(&b, "%s %s %s%s\n", changeGlyph(o.Change), o.Change, o.Name, hook)
		for _, l := range strings.Split(strings.TrimRight(o.Unified, "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
				b.WriteString(s.Muted.Render(l))
			case strings.HasPrefix(l, "+"):
				b.WriteString(s.Good.Render(l))
			case strings.HasPrefix(l, "-"):
				b.WriteString(s.Bad.Render(l))
			case strings.HasPrefix(l, "@@"):
				b.WriteString(s.Muted.Render(l))
			default:
				b.WriteString(l)
			}
			b.WriteByte('\n')
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func changeGlyph(c string) string {
	switch c {
	case "added":
		return "+"
	case "removed":
		return "-"
	}
	return "~"
}

// Counts says how many objects change, in words.
func (d *Diff) Counts() string {
	n := map[string]int{}
	for _, o := range d.Objects {
		n[o.Change]++
	}
	var parts []string
	for _, c := range []string{"changed", "added", "removed"} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
		}
	}
	parts = append(parts, fmt.Sprintf("%d unchanged", d.Unchanged))
	return strings.Join(parts, ", ")
}

func (d *Diff) View(s styles.Styles, width, height int) string {
	frameW, frameH := s.Dialog.GetHorizontalFrameSize(), s.Dialog.GetVerticalFrameSize()
	inner := max(24, min(100, width-frameW))
	head := []string{s.DialogTitle.Render(d.Title)}
	if d.Summary != "" {
		head = append(head, wrap(d.Summary, inner))
	}
	head = append(head, d.Counts())
	for _, n := range d.Notes {
		head = append(head, s.Warn.Render(wrap("! "+n, inner)))
	}
	head = append(head, "")
	foot := []string{"", s.Muted.Render("y/enter apply · n/esc cancel · ↑/↓/pgup/pgdn scroll")}
	headText := strings.Join(head, "\n")
	body := d.Body(s)
	bodyH := max(3, height-frameH-strings.Count(headText, "\n")-1-len(foot))
	bodyH = min(bodyH, strings.Count(body, "\n")+1)
	if !d.ready || d.w != inner || d.h != bodyH || !sameStyles(d.styles, s) {
		offset := d.vp.YOffset()
		d.vp = viewport.New(viewport.WithWidth(inner), viewport.WithHeight(bodyH))
		d.vp.SetContent(body)
		d.vp.SetYOffset(offset)
		d.ready, d.w, d.h, d.styles = true, inner, bodyH, s
	}
	if d.vp.TotalLineCount() > bodyH {
		foot[0] = s.Muted.Render(fmt.Sprintf("%d%% of the diff", int(d.vp.ScrollPercent()*100)))
	}
	return s.Dialog.Width(inner + frameW).Render(headText + "\n" + d.vp.View() + "\n" + strings.Join(foot, "\n"))
}

func sameStyles(a, b styles.Styles) bool {
	return a.Good.GetForeground() == b.Good.GetForeground() && a.Bad.GetForeground() == b.Bad.GetForeground()
}
