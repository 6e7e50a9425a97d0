package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestChartImagesAreTheChartsDefaultsAsContainerdNamesThem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Chart.yaml", "apiVersion: v2\nname: x\nversion: 0.1.0\nappVersion: \"2.3.4\"\n")
	write("values.yaml", "backend:\n  image:\n    repository: taskmaster-backend\n    tag: \"\"\nfrontend:\n  image:\n    repository: registry.example.test:5000/team/web\n    tag: v9\n")
	got, err := chartImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"backend":  "docker.io/library/taskmaster-backend:2.3.4", // no tag: appVersion
		"frontend": "registry.example.test:5000/team/web:v9",
	}
	for svc, ref := range want {
		if got[svc] == nil || got[svc].String() != ref {
			t.Errorf("%s: %q, want %q", svc, got[svc], ref)
		}
	}

	write("values.yaml", "backend:\n  image:\n    repository: Not/Valid\n")
	if _, err := chartImages(dir); err == nil {
		t.Error("an invalid repository was accepted")
	}
}
