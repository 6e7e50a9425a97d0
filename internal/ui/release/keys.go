package release

import (
	"strings"

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
	{Name: "install", Keys: []string{"i"}, Desc: "install", Mutating: true},
	{Name: "upgrade", Keys: []string{"u"}, Desc: "upgrade", Mutating: true},
	{Name: "rollback", Keys: []string{"b"}, Desc: "roll back to selected", Mutating: true},
	{Name: "uninstall", Keys: []string{"D"}, Desc: "uninstall", Mutating: true},
	{Name: "test", Keys: []string{"t"}, Desc: "helm test", Mutating: true},
	{Name: "recover", Keys: []string{"R"}, Desc: "recover stuck release", Mutating: true},
}}

type keyMap struct {
	Up, Down, Notes, Values, Manifest, Refresh, Back     key.Binding
	Install, Upgrade, Rollback, Uninstall, Test, Recover key.Binding
	readOnly                                             bool
}

func newKeyMap(o common.Overrides, readOnly bool) keyMap {
	b := common.Bindings(Keys, o, readOnly)
	k := keyMap{Up: b["up"], Down: b["down"], Notes: b["notes"], Values: b["values"],
		Manifest: b["manifest"], Refresh: b["refresh"], Back: b["back"],
		Install: b["install"], Upgrade: b["upgrade"], Rollback: b["rollback"], Uninstall: b["uninstall"],
		Test: b["test"], Recover: b["recover"], readOnly: readOnly}
	k.sync(false, false, "")
	return k
}

// sync shows the keys that do something now: install when nothing is
// installed, the rest when something is, recover when it is stuck. In
// read-only mode, or without a way to change the release, none of them.
func (k *keyMap) sync(canChange, installed bool, state string) {
	on := canChange && !k.readOnly
	stuck := strings.HasPrefix(state, "pending-")
	k.Install.SetEnabled(on && !installed)
	k.Upgrade.SetEnabled(on && installed && !stuck)
	k.Rollback.SetEnabled(on && installed && !stuck)
	k.Uninstall.SetEnabled(on && installed)
	k.Test.SetEnabled(on && installed && !stuck)
	k.Recover.SetEnabled(on && stuck)
}

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.viewing {
		return []key.Binding{k.Up, k.Down, k.Back}
	}
	return []key.Binding{k.Install, k.Upgrade, k.Rollback, k.Recover, k.Notes, k.Values, k.Manifest}
}

func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Refresh}, {k.Notes, k.Values, k.Manifest, k.Back},
		{k.Install, k.Upgrade, k.Rollback, k.Uninstall, k.Test, k.Recover}}
}
