package charts_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

// Free-form maps: README lists them as a whole, as well as their default keys.
var freeFormMaps = []string{"backend.config", "frontend.config"}

// Every key of values.yaml, maps included, has a comment of its own above it.
func TestEveryValueIsDocumentedInValuesYAML(t *testing.T) {
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal([]byte(readFile(t, filepath.Join(chartDir, "values.yaml"))), &doc); err != nil {
		t.Fatal(err)
	}
	var undocumented []string
	var walk func(n *yamlv3.Node, path string)
	walk = func(n *yamlv3.Node, path string) {
		if n.Kind != yamlv3.MappingNode {
			return
		}
		for i := 0; i < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			p := strings.TrimPrefix(path+"."+key.Value, ".")
			if strings.TrimSpace(strings.TrimLeft(key.HeadComment, "# \n")) == "" {
				undocumented = append(undocumented, p)
			}
			walk(val, p)
		}
	}
	walk(doc.Content[0], "")
	if len(undocumented) > 0 {
		t.Errorf("values.yaml keys without a comment above them: %v", undocumented)
	}
}

// README.md's table lists exactly the values of values.yaml, with the same
// defaults.
func TestReadmeListsEveryValueWithItsDefault(t *testing.T) {
	var values map[string]any
	if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(chartDir, "values.yaml"))), &values); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var flatten func(m map[string]any, path string)
	flatten = func(m map[string]any, path string) {
		for k, v := range m {
			p := strings.TrimPrefix(path+"."+k, ".")
			if slices.Contains(freeFormMaps, p) {
				want[p] = jsonOf(t, v)
			}
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				flatten(sub, p)
				continue
			}
			want[p] = jsonOf(t, v)
		}
	}
	flatten(values, "")
	if len(want) < 30 {
		t.Fatalf("found only %d values in values.yaml: %v", len(want), want)
	}

	got := map[string]string{}
	for _, line := range strings.Split(readFile(t, filepath.Join(chartDir, "README.md")), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		key := strings.Trim(strings.TrimSpace(cells[1]), "`")
		def := strings.Trim(strings.TrimSpace(cells[3]), "`")
		if _, dup := got[key]; dup {
			t.Errorf("README lists %s twice", key)
		}
		got[key] = def
	}

	for _, k := range sortedKeys(want) {
		def, ok := got[k]
		switch {
		case !ok:
			t.Errorf("README does not list %s (default %s)", k, want[k])
		case def != want[k]:
			t.Errorf("README gives %s the default %s; values.yaml has %s", k, def, want[k])
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("README lists %s, which values.yaml does not have", k)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
