package ui

import (
	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
)

// LoadKeys reads the user's key bindings from the config file at path (see
// keymap.DefaultPath). A missing file means the defaults; any mistake in it
// is an error naming the file, the line and what to change.
func LoadKeys(path string) (common.Overrides, error) {
	return keymap.Load(path, KeySections(), GlobalKeys.Name)
}
