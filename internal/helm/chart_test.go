package helm_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/helm"
)

// writeFiles makes a folder of the given files (path -> content).
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const minimalChartYAML = "apiVersion: v2\nname: mini\nversion: 0.1.0\n"

func TestCheckChartDirRefusesWhatIsNotAChart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(file, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		dir    string
		reason string
	}{
		"missing":           {filepath.Join(t.TempDir(), "nope"), "does not exist"},
		"a file":            {file, "is a file"},
		"empty folder":      {t.TempDir(), "no Chart.yaml"},
		"values only":       {writeFiles(t, map[string]string{"values.yaml": "a: 1\n", "templates/x.yaml": "kind: ConfigMap\n"}), "no Chart.yaml"},
		"broken Chart.yaml": {writeFiles(t, map[string]string{"Chart.yaml": "name: [unclosed\n"}), "not a valid Helm chart"},
		"no version":        {writeFiles(t, map[string]string{"Chart.yaml": "apiVersion: v2\nname: mini\n", "templates/x.yaml": "a: b\n"}), "version is required"},
		"apiVersion v1":     {writeFiles(t, map[string]string{"Chart.yaml": "apiVersion: v1\nname: mini\nversion: 0.1.0\n", "templates/x.yaml": "a: b\n"}), "apiVersion"},
		"no templates":      {writeFiles(t, map[string]string{"Chart.yaml": minimalChartYAML}), "no templates"},
	} {
		t.Run(name, func(t *testing.T) {
			err := helm.CheckChartDir(tc.dir)
			var ce *helm.ChartError
			if !errors.As(err, &ce) {
				t.Fatalf("CheckChartDir = %v; want a *ChartError", err)
			}
			if !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), "cannot be used") {
				t.Errorf("error %q does not say %q", err, tc.reason)
			}
		})
	}
}

func TestCheckChartDirAcceptsTheChartFolder(t *testing.T) {
	if err := helm.CheckChartDir(filepath.Join("..", "..", "charts", "taskmaster")); err != nil {
		t.Fatal(err)
	}
	if err := helm.CheckChartDir(writeFiles(t, map[string]string{"Chart.yaml": minimalChartYAML, "templates/cm.yaml": "kind: ConfigMap\n"})); err != nil {
		t.Errorf("a minimal chart: %v", err)
	}
}

func TestBoundsErrorSaysTheLimit(t *testing.T) {
	hi := (&helm.BoundsError{Component: helm.Backend, Requested: 4, Bounds: helm.Bounds{Min: 1, Max: 3}}).Error()
	lo := (&helm.BoundsError{Component: helm.Frontend, Requested: 0, Bounds: helm.Bounds{Min: 1, Max: 3}}).Error()
	if !strings.Contains(hi, "at most 3") || !strings.Contains(hi, "backend") {
		t.Errorf("above the bound: %q", hi)
	}
	if !strings.Contains(lo, "at least 1") || !strings.Contains(lo, "uninstall") {
		t.Errorf("below the bound: %q", lo)
	}
}
