package helm_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Bad input at the engine's boundary. tmtui has no command-line flag or
// environment variable for values overrides or a chart folder yet (the
// wizard and the release pane hand them to internal/helm), so the cases
// are given to the engine as the UI would give them. Each is refused with
// its own message, and nothing reaches the cluster: no release record, no
// object, and an installed release keeps its revision and values.

// assertNothingChanged checks that the namespace holds no release record
// but the ones listed, and no Deployment but those of an installed release.
func (r *sandboxRelease) assertNothingChanged(wantRevisions int) {
	r.t.Helper()
	secrets, err := r.cs.CoreV1().Secrets(r.ns).List(r.t.Context(), metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil || len(secrets.Items) != wantRevisions {
		r.t.Errorf("%d release records in %s (%v), want %d", len(secrets.Items), r.ns, err, wantRevisions)
	}
	deps, err := r.cs.AppsV1().Deployments(r.ns).List(r.t.Context(), metav1.ListOptions{})
	want := 0
	if wantRevisions > 0 {
		want = 2
	}
	if err != nil || len(deps.Items) != want {
		r.t.Errorf("%d Deployments in %s (%v), want %d", len(deps.Items), r.ns, err, want)
	}
}

func TestValuesOverridesThatBreakTheSchemaAreRefusedOnSandbox(t *testing.T) {
	t.Parallel()
	installed := newSandboxRelease(t, "")
	installed.install(helm.Overrides{})
	before := installed.cliValues("--all")
	empty := newSandboxRelease(t, "")
	count := testenv.Count(t, testenv.SectionBadInput, "Values overrides that break the schema")

	set := func(s ...string) helm.Overrides { return helm.Overrides{Set: s} }
	for _, tc := range []struct {
		name string
		o    helm.Overrides
		want string
	}{
		{"replicas above the chart's bound", helm.Overrides{Replicas: map[helm.Component]int{helm.Backend: 5}}, "backend cannot have 5 replicas: the chart allows at most 3 (from 1 to 3)"},
		{"replicas below the chart's bound", helm.Overrides{Replicas: map[helm.Component]int{helm.Frontend: 0}}, "frontend cannot have 0 replicas: the chart needs at least 1"},
		{"replicas above the bound by --set", set("backend.replicaCount=9"), "values for taskmaster break the chart's schema: backend.replicaCount: maximum: got 9, want 3 (backend.replicaCount: Number of backend pods.)"},
		{"replicas of the wrong type", set("backend.replicaCount=two"), "break the chart's schema: backend.replicaCount: got string, want integer"},
		{"a service type not in the enum", set("frontend.service.type=Ingress"), "break the chart's schema: frontend.service.type: value must be one of 'ClusterIP', 'NodePort', 'LoadBalancer'"},
		{"a port out of range", set("backend.service.port=70000"), "break the chart's schema: backend.service.port: maximum: got 70,000, want 65,535"},
		{"an unknown key", set("backend.replicas=2"), "break the chart's schema: backend: additional properties 'replicas' not allowed"},
		{"an unknown top-level key", set("database.host=db.invalid"), "break the chart's schema: (top level): additional properties 'database' not allowed"},
		{"the tag latest", set("backend.image.tag=latest"), "break the chart's schema: backend.image.tag: 'not' failed (backend.image.tag: Image tag; empty means the chart's appVersion. `latest` is refused"},
		{"a pull policy that would pull", set("frontend.image.pullPolicy=Always"), "break the chart's schema: frontend.image.pullPolicy: value must be one of 'IfNotPresent', 'Never'"},
		{"a malformed --set", set("backend.replicaCount"), "key \"replicaCount\" has no value"},
		{"a secret in values", set("secrets.jwtSecret=fake-jwt-secret-for-tmtui-tests-0123456789"), "values under \"secrets\" are refused"},
		{"an image tag with a colon", helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "1.0:1"}}, `image tag "1.0:1" for backend: want a plain tag`},
		{"an unknown component", helm.Overrides{Replicas: map[helm.Component]int{"database": 1}}, "database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count.Trial(t)
			_, perr := installed.client.PlanUpgrade(t.Context(), tc.o)
			_, ierr := empty.client.Install(t.Context(), helm.InstallOptions{Overrides: tc.o, ApplyOptions: helm.ApplyOptions{Timeout: time.Minute}})
			for what, err := range map[string]error{"upgrade": perr, "install": ierr} {
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
					t.Errorf("%s: %v\nwant an error with %q", what, err, tc.want)
				} else {
					t.Logf("%s: %v", what, err)
				}
				if err != nil && (strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), "panic")) {
					t.Errorf("%s: a crash in the error: %v", what, err)
				}
			}
		})
	}
	installed.assertNothingChanged(1)
	empty.assertNothingChanged(0)
	if after := installed.cliValues("--all"); !equalJSON(t, before, after) {
		t.Errorf("the installed release's values changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestChartFoldersThatAreNotChartsAreRefusedOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	count := testenv.Count(t, testenv.SectionBadInput, "A chart folder that is not a chart")
	chartYAML := "apiVersion: v2\nname: mini\nversion: 0.1.0\n"
	template := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mini\n"
	file := filepath.Join(t.TempDir(), "Chart.yaml")
	if err := os.WriteFile(file, []byte(chartYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dir  string
		want string
	}{
		{"a path that does not exist", filepath.Join(t.TempDir(), "nope"), "it does not exist"},
		{"a file", file, "it is a file, not a folder"},
		{"an empty folder", t.TempDir(), "it is not a Helm chart: it has no Chart.yaml"},
		{"values and templates without Chart.yaml", writeFiles(t, map[string]string{"values.yaml": "a: 1\n", "templates/cm.yaml": template}), "it has no Chart.yaml"},
		{"Chart.yaml that is not YAML", writeFiles(t, map[string]string{"Chart.yaml": "name: [unclosed\n", "templates/cm.yaml": template}), "it is not a valid Helm chart"},
		{"Chart.yaml without a version", writeFiles(t, map[string]string{"Chart.yaml": "apiVersion: v2\nname: mini\n", "templates/cm.yaml": template}), "it is not a valid Helm chart: validation: chart.metadata.version is required"},
		{"an apiVersion v1 chart", writeFiles(t, map[string]string{"Chart.yaml": "apiVersion: v1\nname: mini\nversion: 0.1.0\n", "templates/cm.yaml": template}), `apiVersion "v1"`},
		{"no templates", writeFiles(t, map[string]string{"Chart.yaml": chartYAML, "values.yaml": "a: 1\n"}), "it has no templates"},
		{"values.yaml that is not YAML", writeFiles(t, map[string]string{"Chart.yaml": chartYAML, "values.yaml": "a: [\n", "templates/cm.yaml": template}), "it is not a valid Helm chart"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count.Trial(t)
			cerr := helm.CheckChartDir(tc.dir)
			_, nerr := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: r.sb.Kubeconfig, Context: r.sb.Context, Namespace: r.ns}, ChartDir: tc.dir})
			for what, err := range map[string]error{"CheckChartDir": cerr, "New": nerr} {
				var ce *helm.ChartError
				if !errorsAs(err, &ce) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "chart folder ") {
					t.Errorf("%s(%s): %v\nwant a *ChartError with %q", what, tc.dir, err, tc.want)
				}
			}
		})
	}
	r.assertNothingChanged(0)
}

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

// equalJSON compares two values read from JSON.
func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return string(ja) == string(jb)
}

// A chart folder whose templates render a field Kubernetes does not know is
// refused by the API server itself, which Helm asks to validate strictly
// (tmtui leaves Helm's client-side check off: serverValidates in plan.go):
// the install leaves nothing behind, and the upgrade is rolled back.
func TestAChartWithAFieldTheServerDoesNotKnowIsRefusedOnSandbox(t *testing.T) {
	t.Parallel()
	chartDir := t.TempDir()
	if err := os.CopyFS(chartDir, os.DirFS(filepath.Join("..", "..", "charts", "taskmaster"))); err != nil {
		t.Fatal(err)
	}
	bad := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata:\n  a: b\nreplicass: 2\n"
	if err := os.WriteFile(filepath.Join(chartDir, "templates", "extra.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := func(what string, err error, want ...string) {
		t.Helper()
		for _, w := range append(want, "server-side apply failed for object", "taskmaster-extra") {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant an error with %q", what, err, w)
			}
		}
	}

	fresh := newSandboxRelease(t, chartDir)
	_, err := fresh.client.Install(t.Context(), helm.InstallOptions{ApplyOptions: helm.ApplyOptions{Timeout: time.Minute}})
	refused("install", err, "nothing of it is left", ".replicass: field n")
	fresh.assertNothingChanged(0)

	installed := newSandboxRelease(t, "")
	installed.install(helm.Overrides{})
	p, err := installed.newClient(chartDir).PlanUpgrade(t.Context(), helm.Overrides{})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	_, err = installed.client.Apply(t.Context(), p, helm.ApplyOptions{Timeout: time.Minute})
	refused("upgrade", err, "the release was rolled back to revision 1 (now revision 3, deployed)")
	if got := installed.cliHistory(); len(got) != 3 || got[1].Status != "failed" || got[2].Status != "deployed" {
		t.Errorf("history after the refused upgrade: %+v, want revision 2 failed and 3 deployed", got)
	}
}
