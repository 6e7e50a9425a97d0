package dialog

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Field is one line of a Form.
type Field struct {
	Label string
	Value string
	Hint  string // shown under the field while it has the cursor
	// Check says what is wrong with a value, nil when it is fine. It runs
	// as the user types, so the message shows before enter.
	Check func(string) error
}

// Form is a short form: a few one-line fields, tab to move, enter to go
// on, esc to leave. It never runs work: on enter, with every field valid,
// it returns what Submit makes of the values.
type Form struct {
	Title  string
	Intro  string
	Fields []Field
	// Submit turns the values (in field order) into the command to run.
	Submit func(values []string) tea.Cmd

	cursor int
	inputs []common.Input
	tried  bool // enter was pressed: show every field's problem
}

var _ common.Dialog = (*Form)(nil)

func (f *Form) init() {
	if f.inputs == nil {
		f.inputs = make([]common.Input, len(f.Fields))
		for i, fl := range f.Fields {
			f.inputs[i].Value = fl.Value
		}
	}
}

// Values are the fields' current values.
func (f *Form) Values() []string {
	f.init()
	out := make([]string, len(f.inputs))
	for i, in := range f.inputs {
		out[i] = strings.TrimSpace(in.Value)
	}
	return out
}

// Cursor is the field being edited.
func (f *Form) Cursor() int { return f.cursor }

func (f *Form) problem(i int) error {
	if f.Fields[i].Check == nil {
		return nil
	}
	return f.Fields[i].Check(strings.TrimSpace(f.inputs[i].Value))
}

func (f *Form) Update(msg tea.Msg) (tea.Cmd, bool) {
	f.init()
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch k.String() {
	case "esc", "ctrl+c":
		return common.Status("cancelled: " + strings.ToLower(f.Title)), true
	case "tab", "down":
		f.cursor = (f.cursor + 1) % len(f.Fields)
	case "shift+tab", "up":
		f.cursor = (f.cursor + len(f.Fields) - 1) % len(f.Fields)
	case "enter":
		f.tried = true
		for i := range f.Fields {
			if f.problem(i) != nil {
				f.cursor = i
				return nil, false
			}
		}
		return f.Submit(f.Values()), true
	default:
		f.inputs[f.cursor].Key(k.Keystroke(), k.Text)
	}
	return nil, false
}

func (f *Form) View(s styles.Styles, width, _ int) string {
	f.init()
	inner := max(24, min(72, width-s.Dialog.GetHorizontalFrameSize()))
	labelW := 0
	for _, fl := range f.Fields {
		labelW = max(labelW, len([]rune(fl.Label)))
	}
	lines := []string{s.DialogTitle.Render(f.Title), ""}
	if f.Intro != "" {
		lines = append(lines, wrap(f.Intro, inner), "")
	}
	for i, fl := range f.Fields {
		label := fmt.Sprintf("%-*s", labelW, fl.Label)
		value := f.inputs[i].Value
		marker := styles.Unmarked
		if i == f.cursor {
			value, marker = f.inputs[i].View(), styles.Marker
		}
		line := marker + label + "  " + value
		if i == f.cursor {
			line = s.Selected.Render(line)
		}
		lines = append(lines, line)
		if err := f.problem(i); err != nil && (f.tried || i == f.cursor) {
			lines = append(lines, styles.Unmarked+s.Bad.Render("✗ "+err.Error()))
		} else if i == f.cursor && fl.Hint != "" {
			lines = append(lines, styles.Unmarked+s.Muted.Render(fl.Hint))
		}
	}
	lines = append(lines, "", s.Muted.Render("tab/↑/↓ field · enter continue · esc cancel"))
	return s.Dialog.Width(inner + s.Dialog.GetHorizontalFrameSize()).Render(strings.Join(lines, "\n"))
}
