package k8s

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestIsLocalContext(t *testing.T) {
	tests := []struct {
		name, server string
		want         bool
	}{
		{"docker-desktop", "https://kubernetes.docker.internal:6443", true},
		{"docker-desktop", "https://203.0.113.7:6443", true}, // the name alone decides
		{"kind-dev", "https://203.0.113.7:6443", true},
		{"k3d-mycluster", "https://0.0.0.0:6550", true},
		{"minikube", "https://192.168.49.2:8443", true},
		{"rancher-desktop", "https://192.168.5.15:6443", true},
		{"orbstack", "https://192.168.139.2:26443", true},
		{"colima", "https://192.168.106.2:6443", true},
		{"colima-work", "https://192.168.106.3:6443", true},
		{"tmtui-sandbox", "https://127.0.0.1:32764", true},
		{"tmtui-private-0a1b2c3d", "https://127.0.0.1:40000", true},
		{"anything", "https://127.0.0.1:6443", true},
		{"anything", "https://127.8.9.10:6443", true},
		{"anything", "https://[::1]:6443", true},
		{"anything", "https://localhost:6443", true},
		{"anything", "https://LOCALHOST:6443", true},
		{"anything", "https://kubernetes.docker.internal:6443", true},
		{"prod", "https://k8s.example.com", false},
		{"prod", "https://203.0.113.7:6443", false},
		{"prod", "https://192.168.1.10:6443", false}, // a LAN is not this machine
		{"gke_project_europe-west1_main", "https://34.0.0.1", false},
		{"kind", "https://10.0.0.1", false},              // kind's contexts are kind-<name>
		{"my-kind-cluster", "https://10.0.0.1", false},   // prefix, not substring
		{"Docker-Desktop", "https://10.0.0.1", false},    // names are exact
		{"prod", "https://localhost.example.com", false}, // not loopback
		{"prod", "", false},
		{"prod", "::not a url", false},
	}
	for _, tt := range tests {
		if got := IsLocalContext(tt.name, tt.server); got != tt.want {
			t.Errorf("IsLocalContext(%q, %q) = %v, want %v", tt.name, tt.server, got, tt.want)
		}
	}
}

// multiKubeconfig writes a kubeconfig with a local and a remote cluster.
func multiKubeconfig(t *testing.T, current string) string {
	t.Helper()
	return writeFile(t, fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: %q
clusters:
- name: dd
  cluster: {server: "https://kubernetes.docker.internal:6443"}
- name: prod
  cluster: {server: "https://k8s.example.com"}
users:
- name: u
  user: {token: not-a-real-token}
contexts:
- name: docker-desktop
  context: {cluster: dd, user: u}
- name: prod
  context: {cluster: prod, user: u, namespace: apps}
- name: dangling
  context: {cluster: gone, user: u}
`, current))
}

func TestListContexts(t *testing.T) {
	path := multiKubeconfig(t, "prod")
	got, err := ListContexts(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []ContextInfo{
		{Name: "dangling", Cluster: "gone", User: "u"},
		{Name: "docker-desktop", Cluster: "dd", User: "u", Server: "https://kubernetes.docker.internal:6443", Local: true},
		{Name: "prod", Cluster: "prod", User: "u", Server: "https://k8s.example.com", Namespace: "apps", Current: true},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListContexts =\n%+v\nwant\n%+v", got, want)
	}

	cur, err := CurrentContext(path)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Name != "prod" || cur.Local || !cur.Current {
		t.Errorf("CurrentContext = %+v, want remote prod", cur)
	}
}

func TestListContextsErrorsAreConnectErrors(t *testing.T) {
	isolate(t)
	_, err := ListContexts("")
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Kind != KindNoConfig {
		t.Errorf("ListContexts without a kubeconfig: %v, want a %s ConnectError", err, KindNoConfig)
	}
	_, err = CurrentContext(multiKubeconfig(t, ""))
	if !errors.As(err, &ce) || ce.Kind != KindContextNotFound {
		t.Errorf("CurrentContext without current-context: %v, want %s", err, KindContextNotFound)
	}
}

func TestSwitchContextLeavesTheKubeconfigAlone(t *testing.T) {
	path := multiKubeconfig(t, "docker-desktop")
	before := readKubeconfigText(t, path)

	o, err := SwitchContext(ConnectOptions{Kubeconfig: path, Namespace: "mine"}, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if o != (ConnectOptions{Kubeconfig: path, Context: "prod", Namespace: "mine"}) {
		t.Errorf("SwitchContext = %+v", o)
	}
	if after := readKubeconfigText(t, path); after != before {
		t.Errorf("SwitchContext rewrote the kubeconfig:\n%s", after)
	}
	if cur, _ := CurrentContext(path); cur.Name != "docker-desktop" {
		t.Errorf("current context is now %q", cur.Name)
	}

	orig := ConnectOptions{Kubeconfig: path, Context: "docker-desktop"}
	o, err = SwitchContext(orig, "nope")
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Kind != KindContextNotFound || !strings.Contains(err.Error(), "docker-desktop, prod") {
		t.Errorf("switching to a missing context: %v", err)
	}
	if o != orig {
		t.Errorf("a failed switch changed the options to %+v", o)
	}
	if _, err := SwitchContext(orig, ""); err == nil {
		t.Error("switching to an empty name succeeded")
	}
}

func TestGuardAllowsLocalClusters(t *testing.T) {
	g := NewGuard("docker-desktop", "https://kubernetes.docker.internal:6443")
	if !g.Local {
		t.Fatal("docker-desktop is not local")
	}
	a, err := g.Approve(`install release "taskmaster"`, "")
	if err != nil {
		t.Fatalf("local cluster refused: %v", err)
	}
	if err := a.Verify("docker-desktop", "https://kubernetes.docker.internal:6443"); err != nil {
		t.Errorf("approval does not verify for its own cluster: %v", err)
	}
}

func TestGuardRefusesRemoteClustersWithoutTheContextName(t *testing.T) {
	g := NewGuard("prod", "https://k8s.example.com")
	for _, typed := range []string{"", "yes", "Prod", "pro"} {
		_, err := g.Approve(`create secret "taskmaster-secret"`, typed)
		if !errors.Is(err, ErrConfirmationRequired) {
			t.Fatalf("confirmation %q: err %v, want ErrConfirmationRequired", typed, err)
		}
		var re *RemoteContextError
		if !errors.As(err, &re) || re.Context != "prod" {
			t.Fatalf("confirmation %q: %T %v", typed, err, err)
		}
		assertContains(t, err.Error(), `refusing to create secret "taskmaster-secret" on remote context "prod" (https://k8s.example.com)`, `"prod"`)
	}
	_, err := g.Approve("scale deployment taskmaster-backend", "")
	assertContains(t, err.Error(), `type the context name "prod" to confirm`)

	a, err := g.Approve("scale deployment taskmaster-backend", " prod ")
	if err != nil {
		t.Fatalf("the typed context name was refused: %v", err)
	}
	if a.Context() != "prod" {
		t.Errorf("approval is for %q", a.Context())
	}
}

func TestApprovalIsBoundToItsCluster(t *testing.T) {
	a, err := NewGuard("kind-a", "https://127.0.0.1:1").Approve("x", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify("kind-b", "https://127.0.0.1:2"); err == nil {
		t.Error("an approval for kind-a verified for kind-b")
	}
	if err := a.Verify("kind-a", "https://127.0.0.1:2"); err == nil {
		t.Error("an approval verified for another server under the same context name")
	}
	if err := (Approval{}).Verify("kind-a", "https://127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "not approved") {
		t.Errorf("the zero Approval verified: %v", err)
	}
	if _, err := (Guard{}).Approve("x", ""); err == nil {
		t.Error("a guard without a context approved")
	}
}

func TestClientGuardFollowsTheConnection(t *testing.T) {
	c := &Client{info: ClusterInfo{Context: "prod", Server: "https://k8s.example.com"}}
	if g := c.Guard(); g.Local || g.Context != "prod" {
		t.Errorf("Guard() = %+v", g)
	}
	local := &Client{info: ClusterInfo{Context: "x", Server: "https://127.0.0.1:6443"}}
	a, err := local.Guard().Approve("x", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.verifyApproval(a); err == nil {
		t.Error("an approval for the local client verified for the remote one")
	}
	if err := local.verifyApproval(a); err != nil {
		t.Error(err)
	}
}

func readKubeconfigText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
