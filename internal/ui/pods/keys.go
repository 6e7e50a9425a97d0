package pods

import (
	"charm.land/bubbles/v2/key"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Keys is the pane's section of the config file, with the defaults.
var Keys = common.KeySection{Name: "pods", Defs: []common.KeyDef{
	{Name: "up", Keys: []string{"up", "k"}, Help: "↑/k", Desc: "up"},
	{Name: "down", Keys: []string{"down", "j"}, Help: "↓/j", Desc: "down"},
	{Name: "scale_up", Keys: []string{"+"}, Desc: "scale up", Mutating: true},
	{Name: "scale_down", Keys: []string{"-"}, Desc: "scale down", Mutating: true},
	{Name: "restart", Keys: []string{"r"}, Desc: "rollout restart", Mutating: true},
	{Name: "delete", Keys: []string{"d"}, Desc: "delete pod", Mutating: true},
	{Name: "details", Keys: []string{"enter"}, Desc: "details"},
	{Name: "logs", Keys: []string{"l"}, Desc: "logs"},
	{Name: "back", Keys: []string{"esc"}, Desc: "back"},
}}

type keyMap struct {
	Up, Down, ScaleUp, ScaleDown, Restart, Delete, Details, Logs, Back key.Binding
}

func newKeyMap(o common.Overrides, readOnly bool) keyMap {
	b := common.Bindings(Keys, o, readOnly)
	return keyMap{
		Up: b["up"], Down: b["down"], ScaleUp: b["scale_up"], ScaleDown: b["scale_down"],
		Restart: b["restart"], Delete: b["delete"], Details: b["details"], Logs: b["logs"], Back: b["back"],
	}
}

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.details {
		return []key.Binding{k.Up, k.Down, k.Logs, k.Back}
	}
	return []key.Binding{k.ScaleUp, k.ScaleDown, k.Restart, k.Delete, k.Details, k.Logs}
}

func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Details, k.Back, k.Logs}, {k.ScaleUp, k.ScaleDown, k.Restart, k.Delete}}
}
