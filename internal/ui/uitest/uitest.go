// Package uitest helps the UI's tests: key presses by name, and running a
// model's commands until they have answered or the model is in the state a
// test waits for, without a terminal.
package uitest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

var named = map[string]rune{
	"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "space": tea.KeySpace,
	"backspace": tea.KeyBackspace, "delete": tea.KeyDelete, "up": tea.KeyUp, "down": tea.KeyDown,
	"left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
}

// Key returns the key press Bubble Tea would deliver for a key name as
// bindings spell it: "q", "+", "G", "enter", "shift+tab", "ctrl+c".
func Key(s string) tea.KeyPressMsg {
	var mod tea.KeyMod
	base := s
	for {
		i := strings.Index(base, "+")
		if i <= 0 || i == len(base)-1 {
			break
		}
		switch base[:i] {
		case "ctrl":
			mod |= tea.ModCtrl
		case "alt":
			mod |= tea.ModAlt
		case "shift":
			mod |= tea.ModShift
		}
		base = base[i+1:]
	}
	if r, ok := named[base]; ok {
		k := tea.KeyPressMsg{Code: r, Mod: mod}
		if base == "space" {
			k.Text = " "
		}
		return k
	}
	r, _ := utf8.DecodeRuneInString(base)
	k := tea.KeyPressMsg{Code: r, Mod: mod}
	if mod == 0 {
		k.Text = base
	}
	return k
}

// Type returns the key presses that type text.
func Type(text string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range text {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// WaitLimit only ends a test that would otherwise hang: the waits here end
// when every command has answered, long before it on any machine.
const WaitLimit = 30 * time.Second

// Run executes cmd and the commands of any batch it returns, each in a
// goroutine of its own, and returns their messages once every one has
// answered. It fails t when one has not within WaitLimit: Run is for
// commands that answer by themselves (a key's request, a fake's answer),
// not for a stream left open or a timer that re-arms.
func Run(t testing.TB, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	msgs := make(chan tea.Msg)
	running := 0
	start := func(c tea.Cmd) {
		if c != nil {
			running++
			go func() { msgs <- c() }()
		}
	}
	start(cmd)
	var out []tea.Msg
	limit := time.After(WaitLimit)
	for running > 0 {
		select {
		case msg := <-msgs:
			running--
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			default:
				out = append(out, msg)
			}
		case <-limit:
			t.Fatalf("waited %v for every command to answer; %d still running, messages so far: %v", WaitLimit, running, out)
		}
	}
	return out
}

// Updater is a pane or a model whose Update returns only a command.
type Updater interface{ Update(tea.Msg) tea.Cmd }

// Idle hands u the messages of cmd, and of every command Update returns,
// until every one has answered, through a Driver; it fails t when that has
// not come within WaitLimit.
func Idle(t testing.TB, u Updater, cmd tea.Cmd) {
	t.Helper()
	d := NewDriver(u)
	if !d.Idle(cmd, WaitLimit) {
		t.Fatalf("waited %v for every command to answer; %d still running", WaitLimit, d.Running())
	}
}
