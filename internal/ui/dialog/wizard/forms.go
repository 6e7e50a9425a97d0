package wizard

import (
	"reflect"
	"strings"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// The wizard's forms are huh forms, embedded as child models: the wizard
// hands them keys and their own messages, and reads form.State after each
// update. They never Run() inside Bubble Tea (only in RunAccessible).

// formMsg carries a message one of the wizard's huh forms asked for (its
// field moves, its cursor's blink) back through the root, which routes
// every WizardMsg to the wizard while it is open. gen drops what an old
// form asked for.
type formMsg struct {
	gen int
	msg tea.Msg
}

func (formMsg) WizardMsg() {}

var cmdType = reflect.TypeOf(tea.Cmd(nil))

// wrapCmd makes the messages cmd yields formMsgs, so that they come back to
// the wizard. Batches and sequences are wrapped command by command; the
// program's own requests (window size, background colour) pass as they are,
// since the program must see them.
func wrapCmd(gen int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return wrapMsg(gen, cmd()) }
}

func wrapMsg(gen int, msg tea.Msg) tea.Msg {
	switch m := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		cmds := make([]tea.Cmd, len(m))
		for i, c := range m {
			cmds[i] = wrapCmd(gen, c)
		}
		return tea.BatchMsg(cmds)
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == cmdType { // tea.Sequence's unexported message
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = wrapCmd(gen, v.Index(i).Interface().(tea.Cmd))
		}
		return tea.Sequence(cmds...)()
	}
	if strings.HasPrefix(reflect.TypeOf(msg).PkgPath(), "charm.land/bubbletea/") {
		return msg
	}
	return formMsg{gen: gen, msg: msg}
}

// huhTheme draws the forms with tmtui's styles, so that NO_COLOR's plain
// styles give plain forms; the selection still shows by its "> " marker, an
// error by its "*" and its words.
func huhTheme(s styles.Styles) huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles {
		t := huh.ThemeBase(false)
		t.FieldSeparator = lipgloss.NewStyle().SetString("\n") // one line between fields: the secrets fit 80x24
		for _, f := range []*huh.FieldStyles{&t.Focused, &t.Blurred} {
			f.Title = s.DialogTitle
			f.Description = s.Muted
			f.ErrorIndicator = s.Bad.SetString(" *")
			f.ErrorMessage = s.Bad.SetString(" *")
			f.SelectSelector = s.Value.SetString(styles.Marker)
			f.Option = lipgloss.NewStyle()
			f.SelectedOption = s.Value
			f.TextInput.Placeholder = s.Muted
			f.TextInput.Prompt = s.Label
			f.FocusedButton = s.Selected.Padding(0, 1)
			f.BlurredButton = lipgloss.NewStyle().Padding(0, 1)
		}
		t.Blurred.SelectSelector = lipgloss.NewStyle().SetString(styles.Unmarked)
		t.Help = s.Help
		return t
	})
}

// newForm applies what every wizard form shares.
func newForm(s styles.Styles, width int, groups ...*huh.Group) *huh.Form {
	return huh.NewForm(groups...).
		WithTheme(huhTheme(s)).
		WithShowHelp(false).
		WithWidth(max(30, width)).
		WithKeyMap(formKeys())
}

// formKeys are huh's defaults without its quit key: esc and ctrl+c belong
// to the wizard and the root.
func formKeys() *huh.KeyMap {
	k := huh.NewDefaultKeyMap()
	k.Quit.SetEnabled(false)
	return k
}

// choice is one option of a select.
type choice struct {
	label string
	value string
}

func selectField(title, desc string, value *string, choices []choice) *huh.Select[string] {
	opts := make([]huh.Option[string], len(choices))
	for i, c := range choices {
		opts[i] = huh.NewOption(c.label, c.value)
	}
	return huh.NewSelect[string]().Title(title).Description(desc).Options(opts...).Value(value)
}
