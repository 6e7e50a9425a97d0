package helm_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/taskmaster-ai/tmtui/internal/helm"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "diff", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// secretFixtureValues are every secret value in the fixtures, decoded and
// encoded: none may appear in a diff.
var secretFixtureValues = []string{
	"postgresql://user:old-pass@db.invalid/app", "postgresql://user:new-pass@db.invalid/app",
	"old-jwt-secret-value", "fixture-new-gemini-key", "sk-fixture-old-openai-key", "sk-fixture-new-openai-key",
	"old-pass", "new-pass",
}

func fixtureDiff(t *testing.T) helm.ManifestDiff {
	t.Helper()
	d, err := helm.DiffManifests(readFixture(t, "running.yaml"), readFixture(t, "proposed.yaml"), "tm-fixture")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiffManifestsReportsEachObjectOnce(t *testing.T) {
	d := fixtureDiff(t)
	var got []string
	for _, o := range d.Objects {
		got = append(got, string(o.Change)+" "+o.Key.String())
	}
	want := []string{
		"changed ConfigMap/tm-fixture/taskmaster-backend",
		// Named with and without its namespace: the same object.
		"changed Deployment/tm-fixture/taskmaster-backend",
		"added NetworkPolicy/tm-fixture/taskmaster-backend",
		"changed Secret/tm-fixture/taskmaster-secret",
		"removed Service/tm-fixture/taskmaster-frontend",
	}
	if !slices.Equal(got, want) {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The hook pod is the same on both sides; key order and the "# Source"
	// comments are no change.
	if d.Unchanged != 1 || d.Summary() != "3 changed, 1 added, 1 removed, 1 unchanged" {
		t.Errorf("summary %q (unchanged %d)", d.Summary(), d.Unchanged)
	}
}

func TestDiffManifestsShowsTheChangedLines(t *testing.T) {
	d := fixtureDiff(t)
	cm := d.Find("ConfigMap", "taskmaster-backend")
	if cm == nil {
		t.Fatal("no diff for the ConfigMap")
	}
	for _, line := range []string{"-  APP_ENV: production", "+  APP_ENV: staging", "--- a/ConfigMap/tm-fixture/taskmaster-backend", "+++ b/ConfigMap/tm-fixture/taskmaster-backend"} {
		if !strings.Contains(cm.Unified, line+"\n") {
			t.Errorf("ConfigMap diff lacks %q:\n%s", line, cm.Unified)
		}
	}
	if strings.Contains(cm.Unified, "PORT") && strings.Contains(cm.Unified, "-  PORT") {
		t.Errorf("an unchanged key shows as removed:\n%s", cm.Unified)
	}
	dep := d.Find("Deployment", "taskmaster-backend")
	for _, line := range []string{"-  replicas: 1", "+  replicas: 3", "-      - image: taskmaster-backend:1.0.0", "+      - image: taskmaster-backend:1.0.1"} {
		if !strings.Contains(dep.Unified, line+"\n") {
			t.Errorf("Deployment diff lacks %q:\n%s", line, dep.Unified)
		}
	}
	added := d.Find("NetworkPolicy", "taskmaster-backend")
	if added == nil || !strings.Contains(added.Unified, "+kind: NetworkPolicy") || strings.Contains(added.Unified, "\n-") {
		t.Errorf("an added object is shown whole, as + lines: %+v", added)
	}
	golden.RequireEqual(t, d.String())
}

func TestDiffManifestsNeverShowsSecretValues(t *testing.T) {
	d := fixtureDiff(t)
	s := d.Find("Secret", "taskmaster-secret")
	if s == nil {
		t.Fatal("the Secret's changes are not reported")
	}
	text := d.String()
	for _, v := range secretFixtureValues {
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
			if strings.Contains(text, form) {
				t.Errorf("the diff shows the secret value %q", form)
			}
		}
	}
	// Which keys change is shown, without their values.
	for _, line := range []string{
		"+  database-url: (hidden, changed)", "-  database-url: (hidden)",
		"+  gemini-api-key: (hidden)", "+  openai-api-key: (hidden, changed)",
	} {
		if !strings.Contains(s.Unified, line+"\n") {
			t.Errorf("Secret diff lacks %q:\n%s", line, s.Unified)
		}
	}
	if strings.Contains(s.Unified, "jwt-secret: (hidden, changed)") || strings.Contains(s.Unified, "-  jwt-secret") {
		t.Errorf("an unchanged secret key is shown as changed:\n%s", s.Unified)
	}
}

func TestDiffManifestsOfASecretAddedOrRemovedHidesItsValues(t *testing.T) {
	secret := readFixture(t, "running.yaml")
	for _, tc := range []struct{ from, to string }{{"", secret}, {secret, ""}} {
		d, err := helm.DiffManifests(tc.from, tc.to, "tm-fixture")
		if err != nil {
			t.Fatal(err)
		}
		s := d.Find("Secret", "taskmaster-secret")
		if s == nil || !strings.Contains(s.Unified, "database-url: (hidden)") {
			t.Fatalf("Secret diff: %+v", s)
		}
		for _, v := range secretFixtureValues {
			if strings.Contains(d.String(), v) || strings.Contains(d.String(), base64.StdEncoding.EncodeToString([]byte(v))) {
				t.Errorf("the diff shows %q", v)
			}
		}
	}
}

func TestDiffManifestsOfEqualManifestsIsEmpty(t *testing.T) {
	m := readFixture(t, "running.yaml")
	d, err := helm.DiffManifests(m, m, "tm-fixture")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Empty() || d.Unchanged != 5 || d.String() != "no changes\n" {
		t.Errorf("diff of a manifest with itself: %+v", d)
	}
}

func TestDiffManifestsRefusesADocumentWithoutKind(t *testing.T) {
	_, err := helm.DiffManifests("apiVersion: v1\nmetadata:\n  name: x\n", "", "ns")
	if err == nil || !strings.Contains(err.Error(), "no kind") {
		t.Errorf("err = %v, want one about the missing kind", err)
	}
	_, err = helm.DiffManifests("", "kind: [unclosed", "ns")
	if err == nil || !strings.Contains(err.Error(), "new manifest") {
		t.Errorf("err = %v, want one naming the new manifest", err)
	}
}

func TestMaskSecretsKeepsOtherObjectsAndHidesSecretValues(t *testing.T) {
	masked, err := helm.MaskSecrets(readFixture(t, "running.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range secretFixtureValues {
		if strings.Contains(masked, v) || strings.Contains(masked, base64.StdEncoding.EncodeToString([]byte(v))) {
			t.Errorf("masked manifest shows %q", v)
		}
	}
	for _, want := range []string{"# Source: taskmaster/templates/secret.yaml", "database-url: (hidden)", "APP_ENV: \"production\"", "image: \"taskmaster-backend:1.0.0\""} {
		if !strings.Contains(masked, want) {
			t.Errorf("masked manifest lacks %q:\n%s", want, masked)
		}
	}
}
