package ui

import (
	"charm.land/bubbles/v2/key"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
)

// GlobalKeys are the root's keys, live whatever pane has focus.
var GlobalKeys = common.KeySection{Name: "global", Defs: []common.KeyDef{
	{Name: "next_pane", Keys: []string{"tab"}, Desc: "next pane"},
	{Name: "prev_pane", Keys: []string{"shift+tab"}, Desc: "previous pane"},
	{Name: "images", Keys: []string{"1"}, Desc: "Images"},
	{Name: "release", Keys: []string{"2"}, Desc: "Release"},
	{Name: "pods", Keys: []string{"3"}, Desc: "Pods"},
	{Name: "logs", Keys: []string{"4"}, Desc: "Logs"},
	{Name: "zoom", Keys: []string{"z"}, Desc: "zoom"},
	{Name: "health", Keys: []string{"h"}, Desc: "check health"},
	{Name: "open", Keys: []string{"o"}, Desc: "open frontend"},
	{Name: "wizard", Keys: []string{"W"}, Desc: "setup wizard", Mutating: true},
	{Name: "dismiss", Keys: []string{"x"}, Desc: "dismiss error"},
	{Name: "help", Keys: []string{"?"}, Desc: "all keys"},
	{Name: "quit", Keys: []string{"q", "ctrl+c"}, Help: "q", Desc: "quit"},
}}

// ConnectionKeys are live only on the connection screens, where no pane
// shows, so they may share keys with the panes.
var ConnectionKeys = common.KeySection{Name: "connection", Defs: []common.KeyDef{
	{Name: "retry", Keys: []string{"r"}, Desc: "retry"},
}}

// KeySections is every remappable key, for the config file.
func KeySections() []common.KeySection {
	return []common.KeySection{GlobalKeys, ConnectionKeys, images.Keys, release.Keys, pods.Keys, logs.Keys}
}

// keyMap holds the root's keys. Keys that do nothing in the current state
// are disabled, which also hides them from the help line.
type keyMap struct {
	Retry, Quit, Next, Prev, Zoom, Dismiss, Help key.Binding
	// Health and Open are enabled once a session has a health service.
	Health, Open key.Binding
	// Wizard is enabled when there is a wizard and changes are allowed.
	Wizard key.Binding
	Focus  [4]key.Binding
}

func newKeyMap(o common.Overrides) keyMap {
	g := common.Bindings(GlobalKeys, o, false)
	k := keyMap{
		Retry: common.Bind(ConnectionKeys.Name, ConnectionKeys.Defs[0], o, false),
		Quit:  g["quit"], Next: g["next_pane"], Prev: g["prev_pane"], Zoom: g["zoom"],
		Dismiss: g["dismiss"], Help: g["help"], Health: g["health"], Open: g["open"], Wizard: g["wizard"],
		Focus: [4]key.Binding{g["images"], g["release"], g["pods"], g["logs"]},
	}
	k.Retry.SetEnabled(false)
	k.Dismiss.SetEnabled(false)
	k.Health.SetEnabled(false)
	k.Open.SetEnabled(false)
	k.Wizard.SetEnabled(false)
	return k
}

// connectionHelp is the help of the connecting and failed screens.
type connectionHelp keyMap

func (k connectionHelp) ShortHelp() []key.Binding  { return []key.Binding{k.Retry, k.Quit} }
func (k connectionHelp) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (k keyMap) full() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Focus[0], k.Focus[1], k.Focus[2], k.Focus[3]}, {k.Zoom, k.Health, k.Open, k.Wizard, k.Dismiss, k.Help, k.Quit}}
}
