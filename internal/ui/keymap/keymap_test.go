package keymap_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
)

func parse(t *testing.T, yaml string) (common.Overrides, error) {
	t.Helper()
	return keymap.Parse([]byte(yaml), "config.yaml", ui.KeySections(), "global")
}

func TestRemapsKeys(t *testing.T) {
	o, err := parse(t, "keys:\n  pods:\n    scale_up: u\n    delete: [D, ctrl+d]\n  global:\n    zoom: Z\n")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o["pods"]["scale_up"], []string{"u"}) || !slices.Equal(o["pods"]["delete"], []string{"D", "ctrl+d"}) || !slices.Equal(o["global"]["zoom"], []string{"Z"}) {
		t.Errorf("overrides = %v", o)
	}
}

func TestEmptyAndMissingFilesKeepDefaults(t *testing.T) {
	for _, doc := range []string{"", "keys:\n", "keys:\n  pods:\n"} {
		if o, err := parse(t, doc); err != nil || len(o) != 0 {
			t.Errorf("%q: %v %v", doc, o, err)
		}
	}
	o, err := keymap.Load(filepath.Join(t.TempDir(), "none.yaml"), ui.KeySections(), "global")
	if err != nil || len(o) != 0 {
		t.Errorf("missing file: %v %v", o, err)
	}
}

func TestErrorsSayWhatAndWhere(t *testing.T) {
	tests := []struct {
		name, doc string
		wants     []string
	}{
		{"malformed", "keys:\n  pods: [\n", []string{"config.yaml: not valid YAML", "line"}},
		{"not a mapping", "- a\n", []string{"config.yaml:1:", `"keys:"`}},
		{"unknown setting", "colour: red\n", []string{"config.yaml:1:", `unknown setting "colour"`}},
		{"unknown section", "keys:\n  podz:\n    up: k\n", []string{"config.yaml:2:", `unknown section "podz"`, "pods"}},
		{"unknown key", "keys:\n  pods:\n    scal_up: u\n", []string{"config.yaml:3:", `unknown key "scal_up" in keys.pods`, "scale_up"}},
		{"names no key", "keys:\n  pods:\n    scale_up: \"\"\n", []string{"config.yaml:3:", "keys.pods.scale_up names no key"}},
		{"empty list", "keys:\n  logs:\n    save: []\n", []string{"config.yaml:3:", "keys.logs.save names no key"}},
		{"null", "keys:\n  logs:\n    save:\n", []string{"config.yaml:3:", "names no key"}},
		{"not a key", "keys:\n  pods:\n    delete: ctrl+\n", []string{"config.yaml:3:", `"ctrl+" is not a key name`}},
		{"bad modifier", "keys:\n  pods:\n    delete: cmd+d\n", []string{`"cmd+d" is not a key name`}},
		{"clash in a pane", "keys:\n  pods:\n    delete: r\n", []string{"config.yaml:3:", "keys.pods.restart and keys.pods.delete both use \"r\""}},
		{"clash with global", "keys:\n  logs:\n    wrap: z\n", []string{"config.yaml:3:", "keys.global.zoom and keys.logs.wrap both use \"z\""}},
		{"global clashes with a pane", "keys:\n  global:\n    zoom: l\n", []string{"config.yaml:3:", "keys.global.zoom and keys.pods.logs both use \"l\""}},
		{"nested list", "keys:\n  pods:\n    delete: [[d]]\n", []string{"config.yaml:3:", "plain keys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(t, tt.doc)
			if err == nil {
				t.Fatalf("no error; overrides %v", o)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestSameKeyInTwoPanesIsNoClash(t *testing.T) {
	// Panes' keys are live only while that pane has focus.
	if _, err := parse(t, "keys:\n  logs:\n    save: d\n"); err != nil {
		t.Error(err)
	}
}

func TestDefaultsDoNotClash(t *testing.T) {
	for _, s := range ui.KeySections() {
		for _, d := range s.Defs {
			for _, k := range d.Keys {
				if !common.ValidKey(k) {
					t.Errorf("default %s.%s uses %q, which ValidKey rejects", s.Name, d.Name, k)
				}
			}
		}
	}
	// Restating every default must pass the clash check.
	var b strings.Builder
	b.WriteString("keys:\n")
	for _, s := range ui.KeySections() {
		b.WriteString("  " + s.Name + ":\n")
		for _, d := range s.Defs {
			b.WriteString("    " + d.Name + ": [")
			for i, k := range d.Keys {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(`"` + k + `"`)
			}
			b.WriteString("]\n")
		}
	}
	if _, err := parse(t, b.String()); err != nil {
		t.Errorf("the defaults clash:\n%v", err)
	}
}

func TestLoadReadsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("keys:\n  pods:\n    bogus: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := keymap.Load(path, ui.KeySections(), "global")
	if err == nil || !strings.Contains(err.Error(), path+":3:") {
		t.Errorf("err = %v", err)
	}
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{
		"x": true, "+": true, "?": true, "G": true, "enter": true, "shift+tab": true, "ctrl+c": true, "alt+up": true,
		"f5": true, "f12": true, "ctrl++": true, "": false, " ": false, "ctrl+": false, "hyperspace": false, "f": true, "fx": false, "cmd+d": false,
	} {
		if got := common.ValidKey(k); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", k, got, want)
		}
	}
}
