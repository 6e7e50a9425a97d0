package preflight

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Preflight against the sandbox's real API server, in namespaces of the
// tests' own, in the states a user meets: nothing set up, half set up,
// complete, and broken.

func randomName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// sandboxOptions checks namespace ns of the sandbox, with a chart whose
// frontend LoadBalancer publishes on lbPort and images that all exist.
func sandboxOptions(t *testing.T, ns string, lbPort int) Options {
	values := chartValues()
	values["frontend"].(map[string]any)["service"].(map[string]any)["port"] = float64(lbPort)
	return Options{
		Connect:     k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns},
		Chart:       Chart{AppVersion: "1.0.0", Values: values},
		ImageLister: fakeImages{have: map[string]bool{"taskmaster-backend:1.0.0": true, "taskmaster-frontend:1.0.0": true}},
	}
}

// verdicts is "cluster=ok context=ok ...", for one comparison per state.
func verdicts(r Report) string {
	var parts []string
	for _, c := range r.Checks {
		parts = append(parts, c.ID+"="+string(c.Status))
	}
	return strings.Join(parts, " ")
}

func assertCheck(t *testing.T, r Report, id string, status Status, detail string) {
	t.Helper()
	c, ok := r.Find(id)
	if !ok {
		t.Errorf("no %s check in %s", id, verdicts(r))
		return
	}
	if c.Status != status || !strings.Contains(c.Detail, detail) {
		t.Errorf("%s: %s %q, want %s with %q", id, c.Status, c.Detail, status, detail)
	}
	if c.Status != OK && c.Fix == "" {
		t.Errorf("%s is %s without a fix", id, c.Status)
	}
}

func TestSandboxPreflightNothingSetUp(t *testing.T) {
	ns := randomName("tmtui-absent-") // never created
	r := Run(t.Context(), sandboxOptions(t, ns, testenv.FreePort(t)))

	want := "cluster=ok context=ok namespace=warn secret=warn release=ok images=ok ports=ok permissions=ok"
	if verdicts(r) != want {
		t.Errorf("verdicts %s\nwant     %s\n%+v", verdicts(r), want, r.Checks)
	}
	assertCheck(t, r, CheckCluster, OK, "context tmtui-sandbox at https://127.0.0.1:")
	assertCheck(t, r, CheckCluster, OK, "Kubernetes v1.36.3")
	assertCheck(t, r, CheckContext, OK, "tmtui-sandbox is a cluster on this machine")
	assertCheck(t, r, CheckNamespace, Warn, ns+" does not exist yet")
	assertCheck(t, r, CheckSecret, Warn, "taskmaster-secret does not exist (no namespace "+ns+" yet)")
	assertCheck(t, r, CheckRelease, OK, "taskmaster is not installed yet")
	assertCheck(t, r, CheckPermissions, OK, "permissions the workflows need in "+ns+" are granted")
	if r.Failed() {
		t.Error("a cluster with nothing set up yet failed the report")
	}
}

func TestSandboxPreflightNamespaceWithoutSecret(t *testing.T) {
	ns := testenv.Namespace(t, testenv.Clientset(t))
	r := Run(t.Context(), sandboxOptions(t, ns, testenv.FreePort(t)))

	want := "cluster=ok context=ok namespace=ok secret=warn release=ok images=ok ports=ok permissions=ok"
	if verdicts(r) != want {
		t.Errorf("verdicts %s\nwant     %s\n%+v", verdicts(r), want, r.Checks)
	}
	assertCheck(t, r, CheckNamespace, OK, ns+" exists")
	assertCheck(t, r, CheckSecret, Warn, "taskmaster-secret does not exist in "+ns)
	if c, _ := r.Find(CheckSecret); !strings.Contains(c.Fix, "setup") {
		t.Errorf("secret fix %q does not point at setup", c.Fix)
	}
	if r.Failed() {
		t.Error("a half set-up namespace failed the report")
	}
}

func TestSandboxPreflightComplete(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()

	// The secret, as tmtui's setup makes it.
	c, _, err := k8s.Connect(ctx, k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	approval, err := c.Guard().Approve("test", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplySecret(ctx, approval, ns, k8s.SecretValues{
		DatabaseURL: "postgresql://user:pass@db.invalid/app", OpenAIAPIKey: "sk-test-0000", JWTSecret: strings.Repeat("j", 40),
	}); err != nil {
		t.Fatal(err)
	}

	// Real images in the Docker engine, under a tag of this test's; the
	// release's values name that tag, so preflight must read them there.
	tag := randomName("preflight-")
	buildImages(t, testenv.DockerHost(t), "taskmaster-backend:"+tag, "taskmaster-frontend:"+tag)
	engine, err := docker.New(testenv.DockerHost(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })

	// A deployed release whose frontend LoadBalancer holds lbPort, as Docker
	// Desktop would once the release runs.
	lbPort := heldPort(t)
	chartVals := chartValues()
	chartVals["frontend"].(map[string]any)["service"].(map[string]any)["port"] = float64(lbPort)
	config := map[string]any{
		"backend":  map[string]any{"image": map[string]any{"tag": tag}},
		"frontend": map[string]any{"image": map[string]any{"tag": tag}},
	}
	createHelmRecord(t, cs, ns, "taskmaster", 1, ReleaseSuperseded, helmPayload(t, "1.0.0", chartVals, nil))
	createHelmRecord(t, cs, ns, "taskmaster", 2, ReleaseDeployed, helmPayload(t, "1.0.0", chartVals, config))
	_, err = cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-frontend"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "x"},
			Ports: []corev1.ServicePort{{Port: int32(lbPort)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	o := sandboxOptions(t, ns, testenv.FreePort(t)) // the chart's port is not the release's
	o.ImageLister = DockerImages(engine)
	r := Run(ctx, o)

	want := "cluster=ok context=ok namespace=ok secret=ok release=ok images=ok ports=ok permissions=ok"
	if verdicts(r) != want {
		t.Errorf("verdicts %s\nwant     %s\n%+v", verdicts(r), want, r.Checks)
	}
	assertCheck(t, r, CheckSecret, OK, "taskmaster-secret has database-url, openai-api-key, jwt-secret")
	assertCheck(t, r, CheckRelease, OK, "taskmaster revision 2 is deployed")
	assertCheck(t, r, CheckImages, OK, fmt.Sprintf("taskmaster-backend:%s, taskmaster-frontend:%s present", tag, tag))
	assertCheck(t, r, CheckPorts, OK, fmt.Sprintf("held by the release's LoadBalancer: %d", lbPort))
	if r.Failed() || r.Release.Revision != 2 {
		t.Errorf("failed %v, release %+v", r.Failed(), r.Release)
	}

	// The same with images that are not there.
	o.Images = []string{"taskmaster-backend:" + tag, "taskmaster-frontend:absent-" + tag}
	r = Run(ctx, o)
	assertCheck(t, r, CheckImages, Warn, "not found locally: taskmaster-frontend:absent-"+tag)
}

func TestSandboxPreflightBrokenSetUp(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	// A secret someone made by hand without the JWT secret, and an upgrade
	// that failed.
	_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: k8s.SecretName},
		Data:       map[string][]byte{k8s.SecretKeyDatabaseURL: []byte("postgresql://user:pass@db.invalid/app"), k8s.SecretKeyOpenAIAPIKey: []byte("sk-test-0000")},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	payload := helmPayload(t, "1.0.0", chartValues(), nil)
	createHelmRecord(t, cs, ns, "taskmaster", 1, ReleaseSuperseded, payload)
	createHelmRecord(t, cs, ns, "taskmaster", 2, ReleaseFailed, payload)

	r := Run(ctx, sandboxOptions(t, ns, testenv.FreePort(t)))
	assertCheck(t, r, CheckSecret, Fail, "taskmaster-secret lacks jwt-secret")
	assertCheck(t, r, CheckRelease, Fail, "taskmaster revision 2 failed")
	if !r.Failed() {
		t.Error("the report did not fail")
	}
	for _, c := range r.Checks {
		if strings.Contains(c.Detail+c.Fix, "user:pass") || strings.Contains(c.Detail+c.Fix, "sk-test-0000") {
			t.Errorf("check %s quotes a secret value", c.ID)
		}
	}

	// A release stuck half-way, with no secret: both fail.
	ns2 := testenv.Namespace(t, cs)
	createHelmRecord(t, cs, ns2, "demo", 1, ReleasePendingInstall, helmPayload(t, "1.0.0", chartValues(), nil))
	o := sandboxOptions(t, ns2, testenv.FreePort(t))
	o.Release = "demo"
	r = Run(ctx, o)
	assertCheck(t, r, CheckRelease, Fail, "demo revision 1 is stuck in pending-install")
	assertCheck(t, r, CheckSecret, Fail, "taskmaster-secret does not exist in "+ns2)
}

func TestSandboxPreflightWithDockerUnreachable(t *testing.T) {
	ns := testenv.Namespace(t, testenv.Clientset(t))
	sock := filepath.Join(t.TempDir(), "docker.sock") // nothing listens here
	engine, err := docker.New("unix://" + sock)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	o := sandboxOptions(t, ns, testenv.FreePort(t))
	o.ImageLister = DockerImages(engine)
	r := Run(t.Context(), o)
	assertCheck(t, r, CheckImages, Warn, "cannot list local images: ")
	assertCheck(t, r, CheckImages, Warn, sock)
	if r.Failed() {
		t.Errorf("an unreachable Docker engine failed the report: %s", verdicts(r))
	}
}

func TestPreflightUnreachableClusterStillChecksThisMachine(t *testing.T) {
	ln := testenv.FreePort(t)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:%d"}}]
users: [{name: gone, user: {token: not-a-real-token}}]
contexts: [{name: gone, context: {cluster: gone, user: gone}}]
current-context: gone
`, ln)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	o := Options{Connect: k8s.ConnectOptions{Kubeconfig: path}, Chart: Chart{AppVersion: "1.0.0", Values: chartValues()}, ImageLister: fakeImages{}}
	r := Run(t.Context(), o)
	if got := verdicts(r); !strings.HasPrefix(got, "cluster=fail context=ok images=warn ports=") {
		t.Errorf("verdicts %s", got)
	}
	assertCheck(t, r, CheckCluster, Fail, "context gone: cluster unreachable at https://127.0.0.1:")
	if !r.Failed() {
		t.Error("an unreachable cluster did not fail the report")
	}
}

func TestSandboxPermissionsNameExactlyWhatIsMissing(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	const sa = "tmtui-deployer"
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	needed := planFor("taskmaster", chartValues(), "1.0.0").neededPermissions()
	lacking := Permission{Verb: "patch", Resource: "secrets"}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "tmtui"}, Rules: roleRules(needed, lacking)}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "tmtui"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "tmtui"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// As the service account, through an impersonating client.
	cfg := testenv.RESTConfig(t)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":" + sa}
	cfg.QPS, cfg.Burst = 50, 100 // one review per permission, as Run does
	asSA, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, func() error {
		missing, err := MissingPermissions(ctx, asSA, ns, needed)
		if err != nil {
			return err
		}
		if got := describePermissions(missing); got != "patch secrets" {
			return fmt.Errorf("missing %q, want exactly %q", got, "patch secrets")
		}
		return nil
	})

	// The whole preflight, as tmtui doctor runs it with a kubeconfig that
	// impersonates the account.
	r := Run(ctx, Options{
		Connect:     k8s.ConnectOptions{Kubeconfig: impersonatingKubeconfig(t, "system:serviceaccount:"+ns+":"+sa), Namespace: ns},
		Chart:       Chart{AppVersion: "1.0.0", Values: chartValues()},
		ImageLister: fakeImages{have: map[string]bool{"taskmaster-backend:1.0.0": true, "taskmaster-frontend:1.0.0": true}},
	})
	c, _ := r.Find(CheckPermissions)
	if c.Status != Fail || c.Detail != "missing in namespace "+ns+": patch secrets" {
		t.Errorf("permissions check: %+v", c)
	}
	// A namespaced account may not read the namespace object: a warning, not a failure.
	assertCheck(t, r, CheckNamespace, Warn, "your account may not get namespaces")

	// Granting the verb clears it.
	role.Rules = roleRules(needed, Permission{})
	if _, err := cs.RbacV1().Roles(ns).Update(ctx, role, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, func() error {
		missing, err := MissingPermissions(ctx, asSA, ns, needed)
		if err != nil || len(missing) > 0 {
			return fmt.Errorf("missing %v, %v", describePermissions(missing), err)
		}
		return nil
	})
}

// roleRules grants every permission in perms but the one to leave out.
func roleRules(perms []Permission, leaveOut Permission) []rbacv1.PolicyRule {
	var rules []rbacv1.PolicyRule
	for _, p := range perms {
		if p.String() == leaveOut.String() {
			continue
		}
		resource := p.Resource
		if p.Subresource != "" {
			resource += "/" + p.Subresource
		}
		i := slices.IndexFunc(rules, func(r rbacv1.PolicyRule) bool {
			return r.APIGroups[0] == p.Group && r.Resources[0] == resource
		})
		if i < 0 {
			rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{p.Group}, Resources: []string{resource}})
			i = len(rules) - 1
		}
		rules[i].Verbs = append(rules[i].Verbs, p.Verb)
	}
	return rules
}

// impersonatingKubeconfig is the sandbox's kubeconfig acting as user.
func impersonatingKubeconfig(t *testing.T, user string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(testenv.Kubeconfig(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.AuthInfos {
		a.Impersonate = user
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func createHelmRecord(t *testing.T, cs kubernetes.Interface, ns, release string, revision int, status string, payload []byte) {
	t.Helper()
	s := helmRecordSecret(t, release, revision, status, payload)
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// buildImages builds one tiny image (FROM scratch) under every ref with the
// docker CLI, and removes them when the test ends.
func buildImages(t *testing.T, host string, refs ...string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY marker /marker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "marker"), []byte(refs[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-H", host, "build", "-q"}
	for _, r := range refs {
		args = append(args, "-t", r)
	}
	if out, err := exec.Command("docker", append(args, dir)...).CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		args := append([]string{"-H", host, "rmi"}, refs...)
		if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
			t.Errorf("docker rmi: %v\n%s", err, out)
		}
	})
}
