package release

import (
	"charm.land/bubbles/v2/key"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Keys is the pane's section of the config file, with the defaults.
var Keys = common.KeySection{Name: "release", Defs: []common.KeyDef{
	{Name: "up", Keys: []string{"up", "k"}, Help: "↑/k", Desc: "up"},
	{Name: "down", Keys: []string{"down", "j"}, Help: "↓/j", Desc: "down"},
	{Name: "notes", Keys: []string{"n"}, Desc: "notes"},
	{Name: "values", Keys: []string{"v"}, Desc: "values"},
	{Name: "manifest", Keys: []string{"m"}, Desc: "manifest"},
	{Name: "refresh", Keys: []string{"r"}, Desc: "refresh"},
	{Name: "back", Keys: []string{"esc"}, Desc: "close viewer"},
}}

type keyMap struct {
	Up, Down, Notes, Values, Manifest, Refresh, Back key.Binding
}

func newKeyMap(o common.Overrides, readOnly bool) keyMap {
	b := common.Bindings(Keys, o, readOnly)
	return keyMap{Up: b["up"], Down: b["down"], Notes: b["notes"], Values: b["values"],
		Manifest: b["manifest"], Refresh: b["refresh"], Back: b["back"]}
}

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.viewing {
		return []key.Binding{k.Up, k.Down, k.Back}
	}
	return []key.Binding{k.Notes, k.Values, k.Manifest, k.Refresh}
}

func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Refresh}, {k.Notes, k.Values, k.Manifest, k.Back}}
}
