package keymap

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// imagesSetting is the config file's section for what tmtui remembers per
// image: images.<name>.folder is the folder it was last built from.
const imagesSetting = "images"

// checkImages reports mistakes in the images section, with their lines,
// so that a hand-edited file fails at start-up as clearly as a bad key.
func checkImages(file string, v *yaml.Node) []error {
	var errs []error
	at := func(n *yaml.Node, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", file, n.Line, fmt.Sprintf(format, a...)))
	}
	switch {
	case v.Tag == "!!null":
		return nil
	case v.Kind != yaml.MappingNode:
		at(v, "images: must map image names (backend, frontend) to settings, e.g. backend: {folder: ~/src/app/backend}")
		return errs
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, set := v.Content[i], v.Content[i+1]
		if set.Tag == "!!null" {
			continue
		}
		if set.Kind != yaml.MappingNode {
			at(set, "images.%s: must be settings such as folder: ~/src/app/%s", name.Value, name.Value)
			continue
		}
		for j := 0; j+1 < len(set.Content); j += 2 {
			k, val := set.Content[j], set.Content[j+1]
			switch {
			case k.Value != "folder":
				at(k, "unknown setting %q in images.%s (known: folder)", k.Value, name.Value)
			case val.Kind != yaml.ScalarNode:
				at(val, "images.%s.folder: must be a folder's path", name.Value)
			}
		}
	}
	return errs
}

// ImageFolders reads the folder each image was last built from, by image
// name ("backend"). A missing file is no folder and no error.
func ImageFolders(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the config file: %w", err)
	}
	var doc struct {
		Images map[string]struct {
			Folder string `yaml:"folder"`
		} `yaml:"images"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	out := make(map[string]string, len(doc.Images))
	for name, s := range doc.Images {
		if s.Folder != "" {
			out[name] = s.Folder
		}
	}
	return out, nil
}

// RememberFolder sets images.<image>.folder in the config file at path,
// keeping the rest of the file (key bindings, comments) as it was. The new
// file replaces the old in one rename, so a crash leaves one or the other,
// never half of each; it keeps the old file's permissions, or is private
// to the user (0600) when new. A file that is not valid YAML is left alone:
// overwriting it would lose what the user wrote.
func RememberFolder(path, image, folder string) error {
	data, err := os.ReadFile(path)
	mode := os.FileMode(0o600)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data = nil
	case err != nil:
		return fmt.Errorf("cannot read the config file: %w", err)
	default:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s is not valid YAML (%s): fix it, then build again to remember the folder", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: the config file must be a mapping; fix it to remember the folder", path, root.Line)
	}
	images := mapping(root, imagesSetting)
	settings := mapping(images, image)
	setScalar(settings, "folder", folder)

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("cannot write the config file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("cannot write the config file: %w", err)
	}
	return writeAtomically(path, b.Bytes(), mode)
}

// mapping returns the mapping under key in m, making it (or replacing a
// null) when it is not there.
func mapping(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind != yaml.MappingNode {
				*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			return v
		}
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

func setScalar(m *yaml.Node, key, value string) {
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// writeAtomically writes data to a temporary file beside path and renames
// it over path.
func writeAtomically(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot make the config folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("cannot write the config file: %w", err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(name)
		return fmt.Errorf("cannot write the config file %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("cannot write the config file %s: %w", path, err)
	}
	return nil
}
