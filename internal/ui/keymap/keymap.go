// Package keymap reads tmtui's config file (os.UserConfigDir()/tmtui/config.yaml):
// the user's key bindings, and the settings tmtui remembers for them, such
// as the folder each image was last built from (settings.go):
//
//	keys:
//	  pods:
//	    scale_up: "+"
//	    delete: [d, x]
//	  global:
//	    zoom: Z
//	images:
//	  backend:
//	    folder: ~/src/taskmaster/backend
//
// Every mistake is reported with the file and line and what to do, never a
// panic: malformed YAML, an unknown section or key name, a binding that
// names no key or a key that does not exist, and two bindings on one key
// where both would be live at once.
package keymap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

// DefaultPath is where the config file lives: tmtui/config.yaml in the
// user's config directory (~/.config on Linux, ~/Library/Application
// Support on macOS, %AppData% on Windows).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user config directory: %w", err)
	}
	return filepath.Join(dir, "tmtui", "config.yaml"), nil
}

// Load reads path. A missing file is not an error: every key keeps its
// default.
func Load(path string, sections []common.KeySection, shared string) (common.Overrides, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return common.Overrides{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the config file: %w", err)
	}
	return Parse(data, path, sections, shared)
}

// Parse reads the config file's contents; file names it in errors.
// sections are the root's and every pane's keys; shared names the section
// whose keys are live together with each of the others (the global keys),
// for the clash check.
func Parse(data []byte, file string, sections []common.KeySection, shared string) (common.Overrides, error) {
	over := common.Overrides{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return over, nil // an empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the config file must be a mapping with a \"keys:\" section", file, root.Line)
	}
	bySection := map[string]common.KeySection{}
	var sectionNames []string
	for _, s := range sections {
		bySection[s.Name] = s
		sectionNames = append(sectionNames, s.Name)
	}
	sort.Strings(sectionNames)

	var errs []error
	at := func(n *yaml.Node, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", file, n.Line, fmt.Sprintf(format, a...)))
	}
	lines := map[string]int{} // "pods.scale_up" -> line, for clash messages
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "keys":
		case imagesSetting:
			errs = append(errs, checkImages(file, v)...)
			continue
		default:
			at(k, "unknown setting %q (known: keys, %s)", k.Value, imagesSetting)
			continue
		}
		if v.Kind != yaml.MappingNode {
			if v.Tag == "!!null" {
				continue
			}
			at(v, "keys: must map sections (%s) to bindings", strings.Join(sectionNames, ", "))
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			sk, sv := v.Content[j], v.Content[j+1]
			sec, ok := bySection[sk.Value]
			if !ok {
				at(sk, "unknown section %q under keys (known: %s)", sk.Value, strings.Join(sectionNames, ", "))
				continue
			}
			if sv.Kind != yaml.MappingNode {
				if sv.Tag == "!!null" {
					continue
				}
				at(sv, "keys.%s: must map key names to keys, e.g. %s: x", sec.Name, sec.Defs[0].Name)
				continue
			}
			for n := 0; n+1 < len(sv.Content); n += 2 {
				nk, nv := sv.Content[n], sv.Content[n+1]
				if !slices.ContainsFunc(sec.Defs, func(d common.KeyDef) bool { return d.Name == nk.Value }) {
					at(nk, "unknown key %q in keys.%s (known: %s)", nk.Value, sec.Name, defNames(sec))
					continue
				}
				keys, err := keyList(nv)
				where := "keys." + sec.Name + "." + nk.Value
				switch {
				case err != nil:
					at(nv, "%s: %v", where, err)
					continue
				case len(keys) == 0:
					at(nv, "%s names no key: give a key or a list of keys, e.g. %s: [x, ctrl+x]", where, nk.Value)
					continue
				}
				bad := false
				for _, key := range keys {
					if !common.ValidKey(key) {
						at(nv, "%s: %q is not a key name (examples: x, +, enter, esc, space, tab, shift+tab, ctrl+d, alt+up, pgdown, f5)", where, key)
						bad = true
					}
				}
				if bad {
					continue
				}
				if over[sec.Name] == nil {
					over[sec.Name] = map[string][]string{}
				}
				over[sec.Name][nk.Value] = keys
				lines[sec.Name+"."+nk.Value] = nk.Line
			}
		}
	}
	errs = append(errs, clashes(file, sections, shared, over, lines)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return over, nil
}

// keyList accepts one key as a scalar or several as a sequence.
func keyList(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, errors.New("a list of keys must hold plain keys, e.g. [x, ctrl+x]")
			}
			if strings.TrimSpace(c.Value) != "" {
				out = append(out, c.Value)
			}
		}
		return out, nil
	}
	return nil, errors.New("give a key or a list of keys, e.g. [x, ctrl+x]")
}

func defNames(s common.KeySection) string {
	var names []string
	for _, d := range s.Defs {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

// clashes finds two bindings on one key that are live at once: within a
// section, or between a section and the shared (global) one.
func clashes(file string, sections []common.KeySection, shared string, over common.Overrides, lines map[string]int) []error {
	effective := func(sec common.KeySection, d common.KeyDef) []string {
		if k, ok := over[sec.Name][d.Name]; ok {
			return k
		}
		return d.Keys
	}
	var global *common.KeySection
	for i := range sections {
		if sections[i].Name == shared {
			global = &sections[i]
		}
	}
	var errs []error
	seen := map[string]bool{}
	for _, sec := range sections {
		owner := map[string]string{} // key -> "section.name"
		add := func(s common.KeySection) {
			for _, d := range s.Defs {
				id := s.Name + "." + d.Name
				for _, k := range effective(s, d) {
					prev, taken := owner[k]
					if !taken {
						owner[k] = id
						continue
					}
					if prev == id {
						continue
					}
					pair := prev + "|" + id
					if seen[pair] {
						continue
					}
					seen[pair] = true
					line := max(lines[id], lines[prev])
					errs = append(errs, fmt.Errorf("%s:%d: keys.%s and keys.%s both use %q; give one of them another key", file, line, prev, id, k))
				}
			}
		}
		if global != nil && sec.Name != shared {
			add(*global)
		}
		add(sec)
	}
	return errs
}
