package charts_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// lintSDK runs the Helm v4 SDK's lint in strict mode, as `helm lint
// --strict` does, and returns every message above INFO and every error.
func lintSDK(t *testing.T, vals map[string]any) (findings []string, infos []string) {
	t.Helper()
	l := action.NewLint()
	l.Strict = true
	l.Namespace = "taskmaster"
	res := l.Run([]string{chartDir}, vals)
	if res.TotalChartsLinted != 1 {
		findings = append(findings, fmt.Sprintf("%d charts linted, want 1", res.TotalChartsLinted))
	}
	for _, m := range res.Messages {
		if m.Severity > support.InfoSev {
			findings = append(findings, m.Error())
		} else {
			infos = append(infos, m.Error())
		}
	}
	for _, err := range res.Errors {
		findings = append(findings, err.Error())
	}
	return findings, infos
}

// Strict lint reports nothing at all for the defaults and for every ci
// file: no error, no warning, not even an INFO.
func TestLintStrictWithTheSDK(t *testing.T) {
	for name, v := range valueSets(t) {
		findings, infos := lintSDK(t, v)
		if len(findings) > 0 {
			t.Errorf("%s: lint --strict reports:\n%s", name, strings.Join(findings, "\n"))
		}
		for _, i := range infos {
			t.Errorf("%s: lint INFO: %s", name, i)
		}
	}
}

// The same lint fails on bad values: it is not a lint that passes anything.
func TestLintStrictWithTheSDKFailsOnBadValues(t *testing.T) {
	findings, _ := lintSDK(t, vals("backend.replicaCount", 4))
	if !strings.Contains(strings.Join(findings, "\n"), "/backend/replicaCount") {
		t.Errorf("lint of replicaCount 4 reports %q, want a schema error", findings)
	}
	findings, _ = lintSDK(t, vals("frontend.service.type", "ExternalName"))
	if !strings.Contains(strings.Join(findings, "\n"), "/frontend/service/type") {
		t.Errorf("lint of service type ExternalName reports %q, want a schema error", findings)
	}
}

// The real helm v4 CLI agrees: `helm lint --strict` passes the defaults and
// every ci file, and fails a bad values file.
func TestLintStrictWithTheHelmCLI(t *testing.T) {
	out, err := testenv.RunHelm(t, "lint", "--strict", chartDir)
	if err != nil || !strings.Contains(out, "1 chart(s) linted, 0 chart(s) failed") || strings.Contains(out, "[INFO]") || strings.Contains(out, "[WARNING]") || strings.Contains(out, "[ERROR]") {
		t.Errorf("helm lint --strict (defaults): %v\n%s", err, out)
	}
	for _, f := range ciValueFiles(t) {
		out, err := testenv.RunHelm(t, "lint", "--strict", chartDir, "--values", f)
		if err != nil || !strings.Contains(out, "1 chart(s) linted, 0 chart(s) failed") || strings.Contains(out, "[INFO]") || strings.Contains(out, "[WARNING]") || strings.Contains(out, "[ERROR]") {
			t.Errorf("helm lint --strict --values %s: %v\n%s", f, err, out)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("frontend:\n  replicaCount: 0\n  image:\n    pullPolicy: Always\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = testenv.RunHelm(t, "lint", "--strict", chartDir, "--values", bad)
	if err == nil || !strings.Contains(out, "/frontend/replicaCount") || !strings.Contains(out, "/frontend/image/pullPolicy") {
		t.Errorf("helm lint of bad values: err %v, want a failure naming both values\n%s", err, out)
	}
}
