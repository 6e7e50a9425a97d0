// Package uitest helps the UI's tests: key presses by name, and running a
// model's commands until it settles, without a terminal.
package uitest

import (
	"strings"
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

// Run executes cmd and the commands of any batch or sequence it returns,
// collecting their messages. A command still running after wait (a timer, a
// stream with nothing to say) is left behind.
func Run(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(wait):
		return nil
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, Run(c, wait)...)
		}
		return out
	case nil:
		return nil
	}
	return []tea.Msg{msg}
}

// Updater is a pane or a model whose Update returns only a command.
type Updater interface{ Update(tea.Msg) tea.Cmd }

// Settle feeds cmd's messages to u, and the messages of the commands that
// returns, until nothing more arrives within wait (or after max rounds).
func Settle(u Updater, cmd tea.Cmd, wait time.Duration) {
	queue := Run(cmd, wait)
	for i := 0; len(queue) > 0 && i < 1000; i++ {
		msg := queue[0]
		queue = append(queue[1:], Run(u.Update(msg), wait)...)
	}
}
