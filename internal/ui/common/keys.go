package common

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
)

// KeyDef is one remappable key of a pane (or of the root): its name in the
// config file, its default keys and its help text.
type KeyDef struct {
	Name     string   // in the config file, under the pane's section: "scale_up"
	Keys     []string // as Bubble Tea names them: "+", "enter", "shift+tab", "ctrl+c"
	Help     string   // the key as help shows it; empty: the keys joined with "/"
	Desc     string   // what it does, a few words
	Mutating bool     // changes something: hidden in read-only mode, guarded
}

// KeySection is the keys of one pane or of the root, as the config file
// groups them.
type KeySection struct {
	Name string // "global", "pods", "logs", "release", "images"
	Defs []KeyDef
}

// Overrides maps a section and a key name to the keys the user chose.
type Overrides map[string]map[string][]string

// Bind makes the binding for def, with the user's keys if the config file
// names any. readOnly disables (and so hides) a mutating key.
func Bind(section string, def KeyDef, o Overrides, readOnly bool) key.Binding {
	keys, helpKey := def.Keys, def.Help
	if user, ok := o[section][def.Name]; ok {
		keys, helpKey = user, ""
	}
	if helpKey == "" {
		helpKey = strings.Join(keys, "/")
	}
	b := key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, def.Desc))
	if def.Mutating && readOnly {
		b.SetEnabled(false)
	}
	return b
}

// Bindings binds every key of a section, by name.
func Bindings(s KeySection, o Overrides, readOnly bool) map[string]key.Binding {
	m := make(map[string]key.Binding, len(s.Defs))
	for _, d := range s.Defs {
		m[d.Name] = Bind(s.Name, d, o, readOnly)
	}
	return m
}

// namedKeys are the non-printing keys Bubble Tea names.
var namedKeys = map[string]bool{
	"enter": true, "tab": true, "esc": true, "space": true, "backspace": true,
	"delete": true, "insert": true, "up": true, "down": true, "left": true,
	"right": true, "home": true, "end": true, "pgup": true, "pgdown": true,
}

var modifiers = map[string]bool{"ctrl": true, "alt": true, "shift": true, "meta": true, "super": true, "hyper": true}

// ValidKey says whether s names a key as Bubble Tea reports it: an optional
// chain of modifiers ("ctrl+", "alt+", "shift+") and one key, either a
// single character or a name such as "enter", "pgdown" or "f5".
func ValidKey(s string) bool {
	if s == "" {
		return false
	}
	if s == "+" || utf8.RuneCountInString(s) == 1 {
		return s != " "
	}
	parts := strings.Split(s, "+")
	base := parts[len(parts)-1]
	mods := parts[:len(parts)-1]
	if base == "" && len(parts) >= 2 && parts[len(parts)-2] == "" {
		// "ctrl++": the key is "+" itself.
		base, mods = "+", parts[:len(parts)-2]
	}
	for _, m := range mods {
		if !modifiers[m] {
			return false
		}
	}
	switch {
	case utf8.RuneCountInString(base) == 1:
		return true
	case namedKeys[base]:
		return true
	case len(base) >= 2 && base[0] == 'f':
		for _, r := range base[1:] {
			if r < '0' || r > '9' {
				return false
			}
		}
		return len(base) <= 3
	}
	return false
}
