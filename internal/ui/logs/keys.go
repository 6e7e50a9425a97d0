package logs

import (
	"charm.land/bubbles/v2/key"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// Keys is the pane's section of the config file, with the defaults.
var Keys = common.KeySection{Name: "logs", Defs: []common.KeyDef{
	{Name: "up", Keys: []string{"up", "k"}, Help: "↑/k", Desc: "scroll up"},
	{Name: "down", Keys: []string{"down", "j"}, Help: "↓/j", Desc: "scroll down"},
	{Name: "page_up", Keys: []string{"pgup"}, Desc: "page up"},
	{Name: "page_down", Keys: []string{"pgdown"}, Desc: "page down"},
	{Name: "top", Keys: []string{"g", "home"}, Help: "g", Desc: "top"},
	{Name: "bottom", Keys: []string{"G", "end"}, Help: "G", Desc: "bottom"},
	{Name: "follow", Keys: []string{"f"}, Desc: "follow on/off"},
	{Name: "filter", Keys: []string{"/"}, Desc: "filter"},
	{Name: "wrap", Keys: []string{"w"}, Desc: "wrap"},
	{Name: "timestamps", Keys: []string{"t"}, Desc: "timestamps"},
	{Name: "previous", Keys: []string{"p"}, Desc: "previous container"},
	{Name: "all_pods", Keys: []string{"a"}, Desc: "this pod/all pods"},
	{Name: "save", Keys: []string{"s"}, Desc: "save to file"},
	{Name: "clear", Keys: []string{"esc"}, Desc: "clear filter"},
	{Name: "build_output", Keys: []string{"b"}, Desc: "build output/pod logs"},
}}

type keyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Follow, Filter, Wrap, Timestamps, Previous, AllPods, Save, Clear key.Binding
	Build                                                                                                     key.Binding // shown once a build has written output
}

func newKeyMap(o common.Overrides, readOnly bool) keyMap {
	b := common.Bindings(Keys, o, readOnly)
	k := keyMap{
		Up: b["up"], Down: b["down"], PageUp: b["page_up"], PageDown: b["page_down"],
		Top: b["top"], Bottom: b["bottom"], Follow: b["follow"], Filter: b["filter"],
		Wrap: b["wrap"], Timestamps: b["timestamps"], Previous: b["previous"],
		AllPods: b["all_pods"], Save: b["save"], Clear: b["clear"],
		Build: b["build_output"],
	}
	k.Build.SetEnabled(false)
	return k
}

// typingKeys is what help shows while a filter is typed.
var typingKeys = []key.Binding{
	key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
	key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
}

func (m *Model) ShortHelp() []key.Binding {
	if m.filtering {
		return typingKeys
	}
	k := m.keys
	return []key.Binding{k.Follow, k.Filter, k.Wrap, k.Timestamps, k.Previous, k.AllPods, k.Top, k.Bottom, k.Save, k.Build}
}

func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Follow, k.Filter, k.Clear, k.Wrap, k.Timestamps},
		{k.Previous, k.AllPods, k.Save, k.Build},
	}
}
