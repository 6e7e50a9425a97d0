package helm_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

// countingCluster is an API server stand-in that counts the requests it
// gets (and answers none), with a kubeconfig pointing at it whose context
// names namespace "team".
func countingCluster(t *testing.T) (kubeconfig string, requests *atomic.Int32) {
	t.Helper()
	requests = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: counting
  cluster: {server: "` + srv.URL + `"}
users:
- name: u
  user: {token: fake-token}
contexts:
- name: counting
  context: {cluster: counting, user: u, namespace: team}
- name: plain
  context: {cluster: counting, user: u}
current-context: counting
`
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, requests
}

// A chart folder that is not a chart is refused with nothing sent to the
// cluster: at New, and at install or upgrade when it stopped being one
// since.
func TestNotAChartIsRefusedWithNothingSent(t *testing.T) {
	kubeconfig, requests := countingCluster(t)
	conn := k8s.ConnectOptions{Kubeconfig: kubeconfig}
	var ce *helm.ChartError
	if _, err := helm.New(helm.Options{Connection: conn, ChartDir: t.TempDir()}); !errors.As(err, &ce) {
		t.Fatalf("New with an empty folder: %v", err)
	}

	dir := writeFiles(t, map[string]string{"Chart.yaml": minimalChartYAML, "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
	c, err := helm.New(helm.Options{Connection: conn, ChartDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if c.ChartSource() != dir {
		t.Errorf("chart source %q", c.ChartSource())
	}
	if err := os.Remove(filepath.Join(dir, "Chart.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Install(t.Context(), helm.InstallOptions{}); !errors.As(err, &ce) {
		t.Errorf("install from a folder that is no longer a chart: %v", err)
	}
	if _, err := c.PlanUpgrade(t.Context(), helm.Overrides{}); !errors.As(err, &ce) {
		t.Errorf("upgrade from a folder that is no longer a chart: %v", err)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the cluster", n)
	}
}

// The namespace is settled as internal/k8s settles it; nothing is sent.
func TestNewSettlesNamespaceLikeK8sWithoutContactingTheCluster(t *testing.T) {
	kubeconfig, requests := countingCluster(t)
	for _, tc := range []struct {
		conn k8s.ConnectOptions
		want string
	}{
		{k8s.ConnectOptions{Kubeconfig: kubeconfig}, "team"},
		{k8s.ConnectOptions{Kubeconfig: kubeconfig, Namespace: "asked"}, "asked"},
		{k8s.ConnectOptions{Kubeconfig: kubeconfig, Context: "plain"}, k8s.DefaultNamespace},
	} {
		c, err := helm.New(helm.Options{Connection: tc.conn})
		if err != nil {
			t.Fatal(err)
		}
		if c.Namespace() != tc.want || c.ReleaseName() != helm.DefaultReleaseName || c.ChartSource() != "built-in" {
			t.Errorf("%+v: namespace %q release %q chart %q", tc.conn, c.Namespace(), c.ReleaseName(), c.ChartSource())
		}
	}
	if _, err := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: kubeconfig}, ReleaseName: "Not_Valid"}); err == nil {
		t.Error("an invalid release name was accepted")
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the cluster", n)
	}
}
