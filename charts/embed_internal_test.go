package charts

import (
	"testing"
	"testing/fstest"
)

// chartFiles applies .helmignore and drops byte order marks, as Helm's
// directory loader does.
func TestChartFilesAppliesHelmignore(t *testing.T) {
	fsys := fstest.MapFS{
		".helmignore":              {Data: []byte("# comment\n*.bak\nscratch/\n")},
		"Chart.yaml":               {Data: []byte("\xEF\xBB\xBFapiVersion: v2\nname: x\nversion: 0.1.0\n")},
		"values.yaml":              {Data: []byte("a: 1\n")},
		"values.yaml.bak":          {Data: []byte("old")},
		"scratch/notes.txt":        {Data: []byte("draft")},
		"templates/cm.yaml":        {Data: []byte("kind: ConfigMap\n")},
		"templates/_helpers.tpl":   {Data: []byte("{{/* */}}")},
		"templates/old.yaml.bak":   {Data: []byte("old")},
		"templates/scratch/a.yaml": {Data: []byte("kind: ConfigMap\n")},
	}
	files, err := chartFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = string(f.Data)
	}
	for _, name := range []string{".helmignore", "Chart.yaml", "values.yaml", "templates/cm.yaml", "templates/_helpers.tpl"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s left out; have %v", name, got)
		}
	}
	for _, name := range []string{"values.yaml.bak", "scratch/notes.txt", "templates/old.yaml.bak", "templates/scratch/a.yaml"} {
		if _, ok := got[name]; ok {
			t.Errorf("%s loaded despite .helmignore", name)
		}
	}
	if got["Chart.yaml"] != "apiVersion: v2\nname: x\nversion: 0.1.0\n" {
		t.Errorf("Chart.yaml = %q, want it without the byte order mark", got["Chart.yaml"])
	}
}
