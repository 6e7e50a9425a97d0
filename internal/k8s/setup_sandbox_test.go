package k8s

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/taskmaster-ai/tmtui/internal/logging"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Tests of the setup workflows (namespace, secret, restart) against the
// sandbox's real API server.

// setupSandboxClient connects to the sandbox as tmtui does, and counts the
// requests that change something.
func setupSandboxClient(t *testing.T, namespace string) (*Client, *requestLog) {
	t.Helper()
	c, _, err := Connect(t.Context(), ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: namespace})
	if err != nil {
		t.Fatal(err)
	}
	log := &requestLog{}
	cfg := rest.CopyConfig(c.config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return log.wrap(rt) })
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{clientset: cs, config: cfg, info: c.info}, log
}

type requestLog struct {
	mu     sync.Mutex
	writes []string // "PATCH /api/v1/...", for every request but GET
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method != http.MethodGet {
			l.mu.Lock()
			l.writes = append(l.writes, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
			l.mu.Unlock()
		}
		return rt.RoundTrip(r)
	})
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.writes
	l.writes = nil
	return w
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// captureLogFile sends every log line (slog, klog, API warnings) to a file of
// the test's, as tmtui does, and returns a function that reads it.
func captureLogFile(t *testing.T) func() string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tmtui.log")
	prev := slog.Default()
	f, err := logging.Setup(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Back to the defaults of a test binary, before the file closes.
		slog.SetDefault(prev)
		klog.ClearLogger()
		klog.SetOutput(os.Stderr)
		klog.LogToStderr(true)
		rest.SetDefaultWarningHandler(rest.WarningLogger{})
		f.Close()
	})
	return func() string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
}

func TestSandboxApplySecretCreatesAndUpdatesInOneApply(t *testing.T) {
	readLog := captureLogFile(t)
	ns := testenv.Namespace(t, testenv.Clientset(t))
	c, requests := setupSandboxClient(t, ns)
	ctx := t.Context()
	approval := localApproval(t, c)
	var errorTexts []string

	// Create.
	res, err := c.ApplySecret(ctx, approval, ns, validSecretValues())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || fmt.Sprint(res.Changed) != "[database-url openai-api-key gemini-api-key jwt-secret]" || len(res.Kept) != 0 {
		t.Errorf("create: %+v", res)
	}
	writes := requests.take()
	if len(writes) != 1 || !strings.HasPrefix(writes[0], "PATCH ") || !strings.HasSuffix(writes[0], "application/apply-patch+yaml") {
		t.Errorf("create sent %q, want one server-side apply", writes)
	}
	s := getSecret(t, c, ns)
	assertSecretData(t, s, map[string]string{
		SecretKeyDatabaseURL: fakeDatabaseURL, SecretKeyOpenAIAPIKey: fakeOpenAIKey,
		SecretKeyGeminiAPIKey: fakeGeminiKey, SecretKeyJWTSecret: fakeJWTSecret,
	})
	if s.Type != corev1.SecretTypeOpaque || s.Labels[ManagedByLabel] != ManagedByTmtui {
		t.Errorf("type %q, labels %v", s.Type, s.Labels)
	}
	if !managedBy(s.ManagedFields, FieldManager, metav1.ManagedFieldsOperationApply) {
		t.Errorf("no apply by %q in managedFields: %+v", FieldManager, s.ManagedFields)
	}

	// Update with the database URL and the OpenAI key left empty: kept.
	newJWT, err := GenerateJWTSecret()
	if err != nil {
		t.Fatal(err)
	}
	const newGemini = "test-gemini-rotated-1111111111"
	res, err = c.ApplySecret(ctx, approval, ns, SecretValues{GeminiAPIKey: newGemini, JWTSecret: newJWT})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || fmt.Sprint(res.Changed) != "[gemini-api-key jwt-secret]" || fmt.Sprint(res.Kept) != "[database-url openai-api-key]" {
		t.Errorf("update: %+v", res)
	}
	if writes := requests.take(); len(writes) != 1 {
		t.Errorf("update sent %q, want one apply", writes)
	}
	assertSecretData(t, getSecret(t, c, ns), map[string]string{
		SecretKeyDatabaseURL: fakeDatabaseURL, SecretKeyOpenAIAPIKey: fakeOpenAIKey,
		SecretKeyGeminiAPIKey: newGemini, SecretKeyJWTSecret: newJWT,
	})

	// Everything empty: every value kept, nothing lost.
	res, err = c.ApplySecret(ctx, approval, ns, SecretValues{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 0 || len(res.Kept) != 4 {
		t.Errorf("empty update: %+v", res)
	}
	if writes := requests.take(); len(writes) != 0 {
		t.Errorf("an update that changes nothing sent %q", writes)
	}
	assertSecretData(t, getSecret(t, c, ns), map[string]string{
		SecretKeyDatabaseURL: fakeDatabaseURL, SecretKeyOpenAIAPIKey: fakeOpenAIKey,
		SecretKeyGeminiAPIKey: newGemini, SecretKeyJWTSecret: newJWT,
	})

	state, err := c.ReadSecretState(ctx, ns)
	if err != nil || !state.Exists || len(state.Keys) != 4 || len(state.Missing) != 0 {
		t.Errorf("ReadSecretState = %+v, %v", state, err)
	}

	// Failures: invalid input, and a namespace that does not exist.
	_, err = c.ApplySecret(ctx, approval, ns, SecretValues{DatabaseURL: "mysql://user:pass@db.invalid/app", OpenAIAPIKey: "sk-test with-space"})
	if err == nil {
		t.Fatal("invalid input accepted")
	}
	errorTexts = append(errorTexts, err.Error())
	if writes := requests.take(); len(writes) != 0 {
		t.Errorf("invalid input sent %q", writes)
	}
	_, err = c.ApplySecret(ctx, approval, "tmtui-absent-"+ns, validSecretValues())
	if err == nil || !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "does not exist; create it first") {
		t.Errorf("apply into a missing namespace: %v", err)
	}
	errorTexts = append(errorTexts, err.Error())

	// No value anywhere: errors, the log file, the namespace's events.
	planted := []string{fakeDatabaseURL, fakeOpenAIKey, fakeGeminiKey, fakeJWTSecret, newGemini, newJWT, "user:pass", "sk-test with-space"}
	events, err := c.clientset.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logText := readLog()
	if !strings.Contains(logText, "secret applied") {
		t.Errorf("the log file lacks the applies:\n%s", logText)
	}
	places := map[string]string{"log file": logText, "events": fmt.Sprintf("%+v", events.Items), "errors": strings.Join(errorTexts, "\n")}
	for where, text := range places {
		for _, v := range planted {
			if strings.Contains(text, v) {
				t.Errorf("the %s contain a secret value (%.12s...)", where, v)
			}
		}
	}
}

func getSecret(t *testing.T, c *Client, ns string) *corev1.Secret {
	t.Helper()
	s, err := c.clientset.CoreV1().Secrets(ns).Get(t.Context(), SecretName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func assertSecretData(t *testing.T, s *corev1.Secret, want map[string]string) {
	t.Helper()
	if len(s.Data) != len(want) {
		t.Errorf("secret has keys %v, want %d", keysOf(s.Data), len(want))
	}
	for k, v := range want {
		if string(s.Data[k]) != v {
			t.Errorf("key %s does not hold the expected value", k) // never print values
		}
	}
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func managedBy(fields []metav1.ManagedFieldsEntry, manager string, op metav1.ManagedFieldsOperationType) bool {
	for _, f := range fields {
		if f.Manager == manager && f.Operation == op {
			return true
		}
	}
	return false
}

// tempNamespaceName is a fresh name for EnsureNamespace to create; the
// namespace is deleted when the test ends.
func tempNamespaceName(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	name := fmt.Sprintf("tmtui-ns-%d", time.Now().UnixNano()%1e10)
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

func TestSandboxEnsureNamespaceIsIdempotent(t *testing.T) {
	c, requests := setupSandboxClient(t, "")
	ctx := t.Context()
	approval := localApproval(t, c)
	name := tempNamespaceName(t, c.clientset)

	res, err := c.EnsureNamespace(ctx, approval, name, NamespaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.ManagedBy != ManagedByTmtui {
		t.Errorf("first: %+v", res)
	}
	if w := requests.take(); len(w) != 1 || !strings.HasPrefix(w[0], "POST /api/v1/namespaces") {
		t.Errorf("first ensure sent %q, want one create", w)
	}
	ns, err := c.clientset.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns.Labels[ManagedByLabel] != ManagedByTmtui {
		t.Errorf("labels %v", ns.Labels)
	}
	if _, ok := ns.Labels[PodSecurityEnforceLabel]; ok {
		t.Errorf("pod security label set without being asked: %v", ns.Labels)
	}

	res, err = c.EnsureNamespace(ctx, approval, name, NamespaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || !res.AlreadyExists || len(res.LabelsAdded) != 0 {
		t.Errorf("second: %+v", res)
	}
	if w := requests.take(); len(w) != 0 {
		t.Errorf("second ensure of the same namespace sent %q, want nothing", w)
	}

	// Asking for restricted later labels the existing namespace, once.
	res, err = c.EnsureNamespace(ctx, approval, name, NamespaceOptions{Restricted: true})
	if err != nil || fmt.Sprint(res.LabelsAdded) != "["+PodSecurityEnforceLabel+"]" {
		t.Errorf("restricting: %+v, %v", res, err)
	}
	if w := requests.take(); len(w) != 1 || !strings.HasPrefix(w[0], "PATCH ") {
		t.Errorf("restricting sent %q, want one patch", w)
	}
	if res, _ := c.EnsureNamespace(ctx, approval, name, NamespaceOptions{}); len(res.LabelsAdded) != 0 {
		t.Errorf("ensuring without restricted afterwards changed labels: %+v", res)
	}
	ns, _ = c.clientset.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if ns.Labels[PodSecurityEnforceLabel] != PodSecurityRestricted {
		t.Errorf("the restricted label was removed: %v", ns.Labels)
	}
}

func TestSandboxEnsureNamespaceRestrictedIsEnforced(t *testing.T) {
	c, _ := setupSandboxClient(t, "")
	ctx := t.Context()
	name := tempNamespaceName(t, c.clientset)
	res, err := c.EnsureNamespace(ctx, localApproval(t, c), name, NamespaceOptions{Restricted: true})
	if err != nil || !res.Created {
		t.Fatalf("%+v, %v", res, err)
	}
	ns, err := c.clientset.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns.Labels[PodSecurityEnforceLabel] != PodSecurityRestricted || ns.Labels[ManagedByLabel] != ManagedByTmtui {
		t.Errorf("labels %v", ns.Labels)
	}
	// The API server now refuses a pod that runs as root.
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "root"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox:test"}}}}
	_, err = c.clientset.CoreV1().Pods(name).Create(ctx, pod, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "restricted") {
		t.Errorf("a pod breaking the restricted standard was not refused: %v", err)
	}
}

func TestSandboxEnsureNamespaceRespectsAnotherManager(t *testing.T) {
	c, _ := setupSandboxClient(t, "")
	ns := testenv.Namespace(t, c.clientset) // labelled managed-by tmtui-tests
	res, err := c.EnsureNamespace(t.Context(), localApproval(t, c), ns, NamespaceOptions{Restricted: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.ManagedBy != "tmtui-tests" || fmt.Sprint(res.LabelsAdded) != "["+PodSecurityEnforceLabel+"]" {
		t.Errorf("%+v", res)
	}
	got, _ := c.clientset.CoreV1().Namespaces().Get(t.Context(), ns, metav1.GetOptions{})
	if got.Labels[ManagedByLabel] != "tmtui-tests" {
		t.Errorf("the other manager's label was replaced: %v", got.Labels)
	}
}

func TestEnsureNamespaceRejectsBadNamesWithoutARequest(t *testing.T) {
	tests := []struct{ name, want string }{
		{"", "it is empty"},
		{"TaskMaster", "it has capital letters; use lowercase"},
		{"task_master", "it may hold only lowercase letters, digits and '-'"},
		{"task.master", "it may hold only lowercase letters, digits and '-'"},
		{"-taskmaster", "it must start and end with a letter or digit"},
		{"taskmaster-", "it must start and end with a letter or digit"},
		{strings.Repeat("a", 64), "it is 64 characters long, the most is 63"},
	}
	for _, tt := range tests {
		rc := newRecordingClient(t)
		_, err := rc.EnsureNamespace(t.Context(), localApproval(t, rc.Client), tt.name, NamespaceOptions{})
		want := fmt.Sprintf("invalid namespace name %q: %s (a namespace name is up to 63 lowercase letters, digits and '-', starting and ending with a letter or digit)", tt.name, tt.want)
		if err == nil || err.Error() != want {
			t.Errorf("EnsureNamespace(%q) = %v\nwant %s", tt.name, err, want)
		}
		if got := rc.sent(); len(got) != 0 {
			t.Errorf("EnsureNamespace(%q) sent %v", tt.name, got)
		}
	}
	for _, ok := range []string{"taskmaster", "a", "tm-1", strings.Repeat("a", 63)} {
		if err := ValidateNamespaceName(ok); err != nil {
			t.Errorf("ValidateNamespaceName(%q) = %v", ok, err)
		}
	}
}

func TestSandboxRestartSecretConsumersRollsThem(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	c, _ := setupSandboxClient(t, ns)
	ctx := t.Context()

	uses := testDeployment("uses", corev1.Container{Name: "backend", Image: "taskmaster-backend:test", Env: []corev1.EnvVar{{
		Name: "DATABASE_URL", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: SecretName}, Key: SecretKeyDatabaseURL}},
	}}})
	other := testDeployment("other", corev1.Container{Name: "frontend", Image: "taskmaster-frontend:test"})
	for _, d := range []*appsv1.Deployment{uses, other} {
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"uses", "other"} {
		waitRolledOut(t, cs, ns, name)
	}
	before, err := cs.AppsV1().Deployments(ns).Get(ctx, "other", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	oldPods := podNames(t, cs, ns, "app=uses")

	consumers, err := c.SecretConsumers(ctx, ns, SecretName)
	if err != nil || fmt.Sprint(consumers) != "[uses]" {
		t.Fatalf("SecretConsumers = %v, %v", consumers, err)
	}
	if _, err := c.RestartSecretConsumers(ctx, Approval{}, ns, SecretName); err == nil {
		t.Fatal("a restart without approval went through")
	}
	restarted, err := c.RestartSecretConsumers(ctx, localApproval(t, c), ns, SecretName)
	if err != nil || fmt.Sprint(restarted) != "[uses]" {
		t.Fatalf("RestartSecretConsumers = %v, %v", restarted, err)
	}

	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "uses", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stamp := d.Spec.Template.Annotations[RestartedAtAnnotation]
	if _, err := time.Parse(time.RFC3339, stamp); err != nil {
		t.Fatalf("template annotation %s = %q: %v", RestartedAtAnnotation, stamp, err)
	}
	// The deployment rolls: a new ReplicaSet, new pods carrying the stamp,
	// the old pods gone.
	waitRolledOut(t, cs, ns, "uses")
	testenv.Eventually(t, 60*time.Second, func() error {
		rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=uses"})
		if err != nil {
			return err
		}
		if len(rss.Items) != 2 {
			return fmt.Errorf("%d replica sets, want the old and the new", len(rss.Items))
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=uses"})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil {
				return fmt.Errorf("pod %s is still terminating", p.Name)
			}
			if oldPods[p.Name] {
				return fmt.Errorf("old pod %s still there", p.Name)
			}
			if p.Annotations[RestartedAtAnnotation] != stamp {
				return fmt.Errorf("pod %s lacks the restart stamp", p.Name)
			}
		}
		if len(pods.Items) != 1 {
			return fmt.Errorf("%d pods, want 1", len(pods.Items))
		}
		return nil
	})
	after, _ := cs.AppsV1().Deployments(ns).Get(ctx, "other", metav1.GetOptions{})
	if after.Generation != before.Generation {
		t.Errorf("the deployment that does not use the secret was restarted too (generation %d -> %d)", before.Generation, after.Generation)
	}
}

func testDeployment(name string, container corev1.Container) *appsv1.Deployment {
	one := int32(1)
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{container}},
			},
		},
	}
}

// waitRolledOut waits until the deployment's current generation is fully
// rolled out and available, by kubectl's rules.
func waitRolledOut(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, func() error {
		d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		s := d.Status
		if s.ObservedGeneration < d.Generation || s.UpdatedReplicas != *d.Spec.Replicas ||
			s.Replicas != s.UpdatedReplicas || s.AvailableReplicas != s.UpdatedReplicas {
			return fmt.Errorf("deployment %s not rolled out: %+v", name, s)
		}
		return nil
	})
}

func podNames(t *testing.T, cs kubernetes.Interface, ns, selector string) map[string]bool {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range pods.Items {
		out[p.Name] = true
	}
	if len(out) == 0 {
		t.Fatalf("no pods match %s", selector)
	}
	return out
}
