package ui

import "charm.land/bubbles/v2/key"

// keyMap holds the root's global keys. Keys that do nothing in the current
// state are disabled, which also hides them from the help line.
type keyMap struct {
	Retry key.Binding
	Quit  key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Retry: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry"), key.WithDisabled()),
		Quit:  key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

func (k keyMap) ShortHelp() []key.Binding  { return []key.Binding{k.Retry, k.Quit} }
func (k keyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
