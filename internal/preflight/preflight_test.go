package preflight

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// chartValues are the parts of charts/taskmaster/values.yaml preflight reads.
func chartValues() map[string]any {
	return map[string]any{
		"backend": map[string]any{
			"image":   map[string]any{"repository": "taskmaster-backend", "tag": ""},
			"service": map[string]any{"type": "ClusterIP", "port": float64(8000)},
		},
		"frontend": map[string]any{
			"image":   map[string]any{"repository": "taskmaster-frontend", "tag": ""},
			"service": map[string]any{"type": "LoadBalancer", "port": float64(3000)},
		},
		"secrets":             map[string]any{"existingSecret": "taskmaster-secret", "create": false},
		"networkPolicy":       map[string]any{"enabled": false},
		"podDisruptionBudget": map[string]any{"enabled": false},
	}
}

func TestPlanFromChartDefaults(t *testing.T) {
	p := planFor("taskmaster", chartValues(), "1.0.0")
	if fmt.Sprint(p.images) != "[taskmaster-backend:1.0.0 taskmaster-frontend:1.0.0]" {
		t.Errorf("images %v", p.images)
	}
	if fmt.Sprint(p.loadBalancers) != "[{taskmaster-frontend 3000}]" {
		t.Errorf("load balancers %v", p.loadBalancers)
	}
	if p.secretName != "taskmaster-secret" || p.chartSecret || len(p.optionalKinds) != 0 {
		t.Errorf("plan %+v", p)
	}
}

func TestPlanFollowsTheReleaseValues(t *testing.T) {
	values := mergeValues(chartValues(), map[string]any{
		"backend": map[string]any{
			"image":   map[string]any{"tag": "dev"},
			"service": map[string]any{"type": "LoadBalancer"},
		},
		"frontend":            map[string]any{"service": map[string]any{"type": "ClusterIP"}},
		"secrets":             map[string]any{"create": true},
		"networkPolicy":       map[string]any{"enabled": true},
		"podDisruptionBudget": map[string]any{"enabled": true},
	})
	p := planFor("demo", values, "1.0.0")
	if fmt.Sprint(p.images) != "[taskmaster-backend:dev taskmaster-frontend:1.0.0]" {
		t.Errorf("images %v", p.images)
	}
	if fmt.Sprint(p.loadBalancers) != "[{demo-backend 8000}]" {
		t.Errorf("load balancers %v", p.loadBalancers)
	}
	if p.secretName != "demo-secret" || !p.chartSecret {
		t.Errorf("secret %q (chart renders it: %v)", p.secretName, p.chartSecret)
	}
	var optional []string
	for _, perm := range p.neededPermissions() {
		if perm.Only != "" {
			optional = append(optional, perm.String())
		}
	}
	want := "[watch secrets get networkpolicies.networking.k8s.io list networkpolicies.networking.k8s.io watch networkpolicies.networking.k8s.io create networkpolicies.networking.k8s.io patch networkpolicies.networking.k8s.io delete networkpolicies.networking.k8s.io get poddisruptionbudgets.policy list poddisruptionbudgets.policy watch poddisruptionbudgets.policy create poddisruptionbudgets.policy patch poddisruptionbudgets.policy delete poddisruptionbudgets.policy]"
	if fmt.Sprint(optional) != want {
		t.Errorf("optional permissions %v", optional)
	}
	for _, perm := range planFor("demo", chartValues(), "1").neededPermissions() {
		if perm.Only != "" {
			t.Errorf("%s is asked for though the chart does not render it", perm)
		}
	}
}

func TestPermissionNames(t *testing.T) {
	tests := map[string]Permission{
		"patch secrets":                          {Verb: "patch", Resource: "secrets"},
		"patch deployments.apps":                 {Verb: "patch", Group: "apps", Resource: "deployments"},
		"update deployments.apps/scale":          {Verb: "update", Group: "apps", Resource: "deployments", Subresource: "scale"},
		"create pods/portforward":                {Verb: "create", Resource: "pods", Subresource: "portforward"},
		"get poddisruptionbudgets.policy":        {Verb: "get", Group: "policy", Resource: "poddisruptionbudgets"},
		"list networkpolicies.networking.k8s.io": {Verb: "list", Group: "networking.k8s.io", Resource: "networkpolicies"},
	}
	for want, p := range tests {
		if p.String() != want {
			t.Errorf("%+v.String() = %q, want %q", p, p.String(), want)
		}
	}
	seen := map[string]bool{}
	for _, p := range Permissions {
		if seen[p.String()] {
			t.Errorf("%s is listed twice", p)
		}
		seen[p.String()] = true
		if p.Why == "" {
			t.Errorf("%s does not say which workflow needs it", p)
		}
	}
}

// helmPayload encodes a release record as Helm's Secret driver does.
func helmPayload(t *testing.T, appVersion string, chartVals, config map[string]any) []byte {
	t.Helper()
	rec := map[string]any{
		"name": "taskmaster", "version": 1, "namespace": "taskmaster",
		"info":   map[string]any{"status": "deployed"},
		"chart":  map[string]any{"metadata": map[string]any{"name": "taskmaster", "version": "0.1.0", "appVersion": appVersion}, "values": chartVals},
		"config": config,
	}
	js, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(js)
	zw.Close()
	return []byte(base64.StdEncoding.EncodeToString(buf.Bytes()))
}

func helmRecordSecret(t *testing.T, release string, revision int, status string, payload []byte) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:   fmt.Sprintf("sh.helm.release.v1.%s.v%d", release, revision),
			Labels: map[string]string{"owner": "helm", "name": release, "status": status, "version": fmt.Sprint(revision)},
		},
		Type: helmReleaseType,
		Data: map[string][]byte{helmReleaseKey: payload},
	}
}

func TestReadReleaseTakesTheHighestRevision(t *testing.T) {
	payload := helmPayload(t, "2.0.0", chartValues(), map[string]any{"backend": map[string]any{"image": map[string]any{"tag": "dev"}}})
	records := []*corev1.Secret{
		helmRecordSecret(t, "taskmaster", 1, "superseded", payload),
		helmRecordSecret(t, "taskmaster", 10, "pending-upgrade", payload), // 10 > 9: numbers, not strings
		helmRecordSecret(t, "taskmaster", 9, "deployed", payload),
		helmRecordSecret(t, "other", 11, "deployed", payload),
	}
	notHelm := helmRecordSecret(t, "taskmaster", 12, "deployed", payload)
	notHelm.Name, notHelm.Type = "lookalike", corev1.SecretTypeOpaque
	cs := fake.NewClientset()
	for _, s := range append(records, notHelm) {
		s.Namespace = "taskmaster"
		if _, err := cs.CoreV1().Secrets("taskmaster").Create(t.Context(), s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ReadRelease(t.Context(), cs, "taskmaster", "taskmaster")
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision != 10 || r.Status != ReleasePendingUpgrade || !r.Pending() || !r.Exists() {
		t.Errorf("release %+v", r)
	}
	p := planFor("taskmaster", r.values, r.appVersion)
	if fmt.Sprint(p.images) != "[taskmaster-backend:dev taskmaster-frontend:2.0.0]" {
		t.Errorf("images from the release: %v", p.images)
	}

	none, err := ReadRelease(t.Context(), cs, "taskmaster", "absent")
	if err != nil || none.Exists() || none.Status != ReleaseNone {
		t.Errorf("absent release: %+v, %v", none, err)
	}
}

func TestReadReleaseSurvivesAnUnreadableRecord(t *testing.T) {
	cs := fake.NewClientset(helmRecordSecret(t, "taskmaster", 3, "failed", []byte("not base64!")))
	r, err := ReadRelease(t.Context(), cs, "", "taskmaster")
	if err != nil || r.Revision != 3 || r.Status != ReleaseFailed || r.values != nil {
		t.Errorf("release %+v, %v", r, err)
	}
}

func TestReleaseVerdicts(t *testing.T) {
	tests := []struct {
		status   string
		revision int
		want     Status
		detail   string
	}{
		{ReleaseNone, 0, OK, "taskmaster is not installed yet"},
		{ReleaseDeployed, 3, OK, "taskmaster revision 3 is deployed"},
		{ReleaseUninstalled, 2, OK, "taskmaster revision 2 was uninstalled (its history is kept)"},
		{ReleaseFailed, 2, Fail, "taskmaster revision 2 failed"},
		{ReleasePendingInstall, 1, Fail, "taskmaster revision 1 is stuck in pending-install (an operation was interrupted, or is still running)"},
		{ReleasePendingUpgrade, 4, Fail, "taskmaster revision 4 is stuck in pending-upgrade (an operation was interrupted, or is still running)"},
		{ReleasePendingRollback, 5, Fail, "taskmaster revision 5 is stuck in pending-rollback (an operation was interrupted, or is still running)"},
		{ReleaseUninstalling, 2, Warn, "taskmaster revision 2 is being uninstalled"},
		{ReleaseSuperseded, 2, Warn, `taskmaster revision 2 has state "superseded"`},
	}
	for _, tt := range tests {
		c := releaseCheck(ReleaseInfo{Name: "taskmaster", Status: tt.status, Revision: tt.revision}, nil)
		if c.Status != tt.want || c.Detail != tt.detail {
			t.Errorf("%q: %s %q, want %s %q", tt.status, c.Status, c.Detail, tt.want, tt.detail)
		}
		if (c.Status == OK) != (c.Fix == "") {
			t.Errorf("%q: fix %q does not match status %s", tt.status, c.Fix, c.Status)
		}
	}
}

type fakeImages struct {
	have map[string]bool
	err  error
}

func (f fakeImages) HasImage(_ context.Context, ref string) (bool, error) { return f.have[ref], f.err }

func TestImagesVerdicts(t *testing.T) {
	refs := []string{"taskmaster-backend:1.0.0", "taskmaster-frontend:1.0.0"}
	c := imagesCheck(t.Context(), fakeImages{have: map[string]bool{refs[0]: true, refs[1]: true}}, refs)
	if c.Status != OK || c.Detail != "taskmaster-backend:1.0.0, taskmaster-frontend:1.0.0 present" {
		t.Errorf("all present: %+v", c)
	}
	c = imagesCheck(t.Context(), fakeImages{have: map[string]bool{refs[0]: true}}, refs)
	if c.Status != Warn || c.Detail != "not found locally: taskmaster-frontend:1.0.0" || !strings.Contains(c.Fix, "docker build -t taskmaster-frontend:1.0.0") {
		t.Errorf("one missing: %+v", c)
	}
	c = imagesCheck(t.Context(), fakeImages{err: errors.New("docker engine not reachable at unix:///x.sock")}, refs)
	if c.Status != Warn || !strings.Contains(c.Detail, "not reachable at unix:///x.sock") {
		t.Errorf("engine down: %+v", c)
	}
	if c := imagesCheck(t.Context(), nil, refs); c.Status != Warn {
		t.Errorf("no engine: %+v", c)
	}
}

func TestSplitImageRef(t *testing.T) {
	for ref, want := range map[string]string{
		"taskmaster-backend:1.0.0":      "taskmaster-backend 1.0.0",
		"taskmaster-backend":            "taskmaster-backend latest",
		"localhost:5000/taskmaster:dev": "localhost:5000/taskmaster dev",
		"localhost:5000/taskmaster":     "localhost:5000/taskmaster latest",
	} {
		repo, tag := splitImageRef(ref)
		if repo+" "+tag != want {
			t.Errorf("splitImageRef(%q) = %q %q", ref, repo, tag)
		}
	}
}

// heldPort listens on a loopback port until the test ends.
func heldPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestPortVerdicts(t *testing.T) {
	taken, free := heldPort(t), testenv.FreePort(t)
	p := plan{loadBalancers: []loadBalancer{{"taskmaster-frontend", taken}, {"taskmaster-backend", free}}}

	c := portsCheck(t.Context(), p, ReleaseInfo{}, nil)
	want := fmt.Sprintf("taken by another program: localhost:%d (for taskmaster-frontend); free: %d", taken, free)
	if c.Status != Warn || c.Detail != want || !strings.Contains(c.Fix, fmt.Sprintf("stop what listens on port %d", taken)) {
		t.Errorf("taken port: %+v\nwant detail %q", c, want)
	}

	// Deployed, with its LoadBalancer on the port: that is the release's own.
	ownService := func(_ context.Context, name string) (*corev1.Service, error) {
		return &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: int32(taken)}}}}, nil
	}
	c = portsCheck(t.Context(), p, ReleaseInfo{Revision: 1, Status: ReleaseDeployed}, ownService)
	if c.Status != OK || c.Detail != fmt.Sprintf("free: %d; held by the release's LoadBalancer: %d", free, taken) {
		t.Errorf("the release's own port: %+v", c)
	}
	// A ClusterIP service does not hold a local port: someone else does.
	clusterIP := func(_ context.Context, name string) (*corev1.Service, error) {
		return &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Ports: []corev1.ServicePort{{Port: int32(taken)}}}}, nil
	}
	if c := portsCheck(t.Context(), p, ReleaseInfo{Revision: 1, Status: ReleaseDeployed}, clusterIP); c.Status != Warn {
		t.Errorf("ClusterIP on the port: %+v", c)
	}
	if c := portsCheck(t.Context(), plan{}, ReleaseInfo{}, nil); c.Status != OK || !strings.Contains(c.Detail, "no LoadBalancer") {
		t.Errorf("no load balancer: %+v", c)
	}
}

func TestClusterTooOldFails(t *testing.T) {
	cs := fake.NewClientset()
	cs.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: "v1.24.9"}
	c, reachable := clusterCheck(t.Context(), cs, k8s.ClusterInfo{Context: "old", Server: "https://127.0.0.1:6443"})
	if !reachable || c.Status != Fail || c.Detail != "context old at https://127.0.0.1:6443, Kubernetes v1.24.9" || !strings.Contains(c.Fix, "1.25 or newer") {
		t.Errorf("%+v", c)
	}
	cs.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: "v1.36.3"}
	if c, _ := clusterCheck(t.Context(), cs, k8s.ClusterInfo{}); c.Status != OK {
		t.Errorf("%+v", c)
	}
}

func TestContextVerdicts(t *testing.T) {
	if c := contextCheck(k8s.NewGuard("docker-desktop", "https://kubernetes.docker.internal:6443")); c.Status != OK {
		t.Errorf("%+v", c)
	}
	c := contextCheck(k8s.NewGuard("prod", "https://k8s.example.com"))
	if c.Status != Warn || c.Detail != "prod (https://k8s.example.com) is not a local cluster: every change asks you to type its name first" {
		t.Errorf("%+v", c)
	}
}

func TestReportFailed(t *testing.T) {
	r := Report{Checks: []Check{{ID: "a", Status: OK}, {ID: "b", Status: Warn}}}
	if r.Failed() {
		t.Error("warnings alone failed the report")
	}
	r.Checks = append(r.Checks, Check{ID: "c", Status: Fail})
	if !r.Failed() {
		t.Error("a failed check did not fail the report")
	}
	if c, ok := r.Find("b"); !ok || c.Status != Warn {
		t.Errorf("Find: %+v %v", c, ok)
	}
}
