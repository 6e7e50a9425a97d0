package crash

import (
	"fmt"
	"reflect"
	"runtime/debug"

	tea "charm.land/bubbletea/v2"
)

// commandPanic is a panic recovered on a command's goroutine, carried to the
// event loop to be raised there, where Recover can catch it.
type commandPanic struct {
	value any
	stack []byte
}

func (p *commandPanic) Error() string { return fmt.Sprintf("panic in a command: %v", p.value) }

type commandPanicMsg struct{ p *commandPanic }

// model wraps tmtui's root model: every command it returns is guarded, so
// that a panic on a goroutine of Bubble Tea's comes back to the event loop,
// and from there out of Program.Run.
type model struct {
	inner     tea.Model
	h         *Handler
	panicView bool // the test hook's "view" panic
}

// wrap wraps m so that panics in its commands reach h.
func wrap(m tea.Model, h *Handler) tea.Model { return model{inner: m, h: h} }

func (m model) Init() tea.Cmd { return guard(m.inner.Init()) }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case commandPanicMsg:
		panic(msg.p)
	case signalMsg:
		m.h.onSignal(msg.code)
		return m, nil
	}
	var injected tea.Cmd
	switch testPanicOn(msg) {
	case "update":
		panic("tmtuitest: injected panic in Update")
	case "cmd":
		injected = func() tea.Msg { panic("tmtuitest: injected panic in a command") }
	case "view":
		m.panicView = true
	}
	inner, cmd := m.inner.Update(msg)
	m.inner = inner
	return m, guard(tea.Batch(cmd, injected))
}

func (m model) View() tea.View {
	if m.panicView {
		panic("tmtuitest: injected panic in View")
	}
	return m.inner.View()
}

var cmdType = reflect.TypeFor[tea.Cmd]()

// guard returns c wrapped so that a panic in it becomes a commandPanicMsg,
// and so that the commands of the batch or sequence it returns are guarded
// too (Bubble Tea runs those on goroutines of their own).
func guard(c tea.Cmd) tea.Cmd {
	if c == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = commandPanicMsg{&commandPanic{value: r, stack: debug.Stack()}}
			}
		}()
		return guardMsg(c())
	}
}

func guardMsg(msg tea.Msg) tea.Msg {
	if batch, ok := msg.(tea.BatchMsg); ok {
		out := make(tea.BatchMsg, len(batch))
		for i, c := range batch {
			out[i] = guard(c)
		}
		return out
	}
	// tea.Sequence's message type is unexported, but it is a []tea.Cmd
	// underneath: copy it, keeping its type, with every command guarded.
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			out.Index(i).Set(reflect.ValueOf(guard(c)))
		}
		return out.Interface()
	}
	return msg
}
