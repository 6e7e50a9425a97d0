package keymap_test

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
)

// FuzzParse feeds the config parser any bytes: it must never panic; what it
// accepts must name known sections and keys with valid, non-clashing
// bindings and survive being written back out; what it refuses must be
// explained with the file's name on every line.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "keys:\n", "keys:\n  pods:\n    scale_up: u\n    delete: [D, ctrl+d]\n  global:\n    zoom: Z\n",
		"keys:\n  pods: [\n", "- a\n", "colour: red\n", "keys:\n  podz:\n    up: k\n", "keys:\n  pods:\n    scal_up: u\n",
		"keys:\n  pods:\n    scale_up: \"\"\n", "keys:\n  logs:\n    save: []\n", "keys:\n  pods:\n    delete: ctrl+\n",
		"keys:\n  pods:\n    delete: r\n", "keys:\n  logs:\n    wrap: z\n", "keys:\n  pods:\n    delete: [[d]]\n",
		"keys:\n  pods:\n    delete: {a: b}\n", "keys: &a\n  pods: *a\n", "keys:\n  pods:\n    delete: ctrl++\n",
		"keys:\n  global:\n    zoom: f12\n", "keys: [1]\n", "keys:\n  pods:\n    delete: !!binary ZA==\n", "\xff\xfe",
		"keys:\n  pods:\n    delete: d\n  pods:\n    delete: x\n",
	} {
		f.Add([]byte(s))
	}
	sections := ui.KeySections()
	f.Fuzz(func(t *testing.T, data []byte) {
		over, err := keymap.Parse(data, "config.yaml", sections, "global")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "config.yaml:") {
					t.Fatalf("an error line that does not name the file: %q (all: %q)", line, err)
				}
			}
			return
		}
		checkValid(t, over, sections)

		// Written back as a config file, the bindings read the same.
		doc, merr := yaml.Marshal(map[string]common.Overrides{"keys": over})
		if merr != nil {
			t.Fatalf("marshal %v: %v", over, merr)
		}
		again, err := keymap.Parse(doc, "config.yaml", sections, "global")
		if err != nil {
			t.Fatalf("the file written from %v does not parse: %v\n%s", over, err, doc)
		}
		if len(over) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(over, again) {
			t.Fatalf("round trip changed the bindings: %v -> %v\n%s", over, again, doc)
		}
	})
}

func checkValid(t *testing.T, over common.Overrides, sections []common.KeySection) {
	t.Helper()
	for name, keys := range over {
		i := slices.IndexFunc(sections, func(s common.KeySection) bool { return s.Name == name })
		if i < 0 {
			t.Fatalf("accepted unknown section %q", name)
		}
		for _, def := range slices.Sorted(maps.Keys(keys)) {
			if !slices.ContainsFunc(sections[i].Defs, func(d common.KeyDef) bool { return d.Name == def }) {
				t.Fatalf("accepted unknown key %s.%s", name, def)
			}
			if len(keys[def]) == 0 {
				t.Fatalf("accepted %s.%s with no key", name, def)
			}
			for _, k := range keys[def] {
				if !common.ValidKey(k) {
					t.Fatalf("accepted %s.%s = %q, which is not a key", name, def, k)
				}
			}
		}
	}
}
