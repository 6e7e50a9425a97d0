package images

import (
	"charm.land/bubbles/v2/key"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Keys is the pane's section of the config file, with the defaults.
var Keys = common.KeySection{Name: "images", Defs: []common.KeyDef{
	{Name: "up", Keys: []string{"up", "k"}, Help: "↑/k", Desc: "up"},
	{Name: "down", Keys: []string{"down", "j"}, Help: "↓/j", Desc: "down"},
	{Name: "refresh", Keys: []string{"r"}, Desc: "refresh"},
	{Name: "build", Keys: []string{"b"}, Desc: "build image", Mutating: true},
	{Name: "remove", Keys: []string{"d"}, Desc: "remove tag", Mutating: true},
	{Name: "cancel", Keys: []string{"c"}, Desc: "cancel build"},
}}

type keyMap struct{ Up, Down, Refresh, Build, Remove, Cancel key.Binding }

func newKeyMap(o common.Overrides, readOnly bool) keyMap {
	b := common.Bindings(Keys, o, readOnly)
	return keyMap{Up: b["up"], Down: b["down"], Refresh: b["refresh"], Build: b["build"], Remove: b["remove"], Cancel: b["cancel"]}
}

// promptKeys are what help shows while the build prompt is open.
var promptKeys = []key.Binding{
	key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "build")),
	key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "folder/tag")),
	key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
}

func (m *Model) ShortHelp() []key.Binding {
	if m.prompt != nil {
		return promptKeys
	}
	k := m.keys
	return []key.Binding{k.Build, k.Remove, k.Cancel, k.Refresh}
}

func (m *Model) FullHelp() [][]key.Binding {
	if m.prompt != nil {
		return [][]key.Binding{promptKeys}
	}
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Refresh}, {k.Build, k.Remove, k.Cancel}}
}
