package charts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	ri "helm.sh/helm/v4/pkg/release"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

const instanceSelector = "app.kubernetes.io/instance=" + releaseName

// restrictedNamespace is a namespace of the test's own that enforces the
// Pod Security "restricted" profile, and is shown to refuse a pod that
// breaks it (so that the chart's pods being admitted means something).
func restrictedNamespace(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	ctx := context.Background()
	ns := testenv.Namespace(t, cs)
	obj, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	obj.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	obj.Labels["pod-security.kubernetes.io/enforce-version"] = "latest"
	if _, err := cs.CoreV1().Namespaces().Update(ctx, obj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	loose := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "not-restricted"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "taskmaster-backend:1.0.0"}}},
	}
	_, err = cs.CoreV1().Pods(ns).Create(ctx, loose, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "violates PodSecurity") {
		t.Fatalf("namespace %s admitted a pod that breaks the restricted profile (err %v)", ns, err)
	}
	return ns
}

// premadeSecret is the Secret the chart reads by default, made before the
// install as tmtui's setup makes it (never by the chart).
const premadeSecret = "taskmaster-secret"

// appNamespace is a restricted namespace of the test's own (as
// restrictedNamespace) with premadeSecret in it, fake values only.
func appNamespace(t *testing.T, ctx context.Context, cs kubernetes.Interface) string {
	t.Helper()
	ns := restrictedNamespace(t, cs)
	premade := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: premadeSecret},
		StringData: map[string]string{
			"database-url": "postgresql://user:pass@db.invalid/app", "openai-api-key": "fake-openai-api-key", "jwt-secret": "fake-jwt-secret",
		},
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, premade, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return ns
}

// helmConfig is a Helm SDK configuration for namespace ns of the sandbox.
// Helm logs to a file (dumped when the test fails), never to the terminal.
func helmConfig(t *testing.T, sb testenv.Sandbox, ns string) *action.Configuration {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "helm.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		logFile.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			t.Logf("helm SDK log:\n%s", data)
		}
	})
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug})))
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig, flags.Context, flags.Namespace = &sb.Kubeconfig, &sb.Context, &ns
	if err := cfg.Init(flags, ns, "secret"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func asRelease(t *testing.T, r ri.Releaser, err error) *releasev1.Release {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	rel, ok := r.(*releasev1.Release)
	if !ok {
		t.Fatalf("release is a %T", r)
	}
	return rel
}

func install(t *testing.T, ctx context.Context, cfg *action.Configuration, ns string, v map[string]any) *releasev1.Release {
	t.Helper()
	in := action.NewInstall(cfg)
	in.ReleaseName, in.Namespace = releaseName, ns
	in.WaitStrategy, in.Timeout = kube.StatusWatcherStrategy, 90*time.Second
	r, err := in.RunWithContext(ctx, loadChart(t), v)
	rel := asRelease(t, r, err)
	if rel.Info.Status != rcommon.StatusDeployed || rel.Version != 1 {
		t.Fatalf("install: revision %d is %s, want 1 deployed", rel.Version, rel.Info.Status)
	}
	return rel
}

func uninstall(t *testing.T, cfg *action.Configuration) {
	t.Helper()
	un := action.NewUninstall(cfg)
	// Helm's own wait for the deletion (status watcher, v4.3.1) is racy: it
	// can stop while a Deployment is still Terminating and call that an
	// error (helm/helm#31766). So Helm waits only for hooks here, and each
	// caller waits until nothing of the release is left (leftovers), as
	// tmtui itself does (internal/helm, waitDeleted).
	un.WaitStrategy, un.Timeout = kube.HookOnlyStrategy, 60*time.Second
	// Foreground: the Deployments go only once their pods are gone.
	un.DeletionPropagation = "foreground"
	if _, err := un.Run(releaseName); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
}

// releasePods are the release's app pods (the test hook left out), by
// component.
func releasePods(ctx context.Context, cs kubernetes.Interface, ns string) (map[string][]corev1.Pod, error) {
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: instanceSelector + ",app.kubernetes.io/component!=test"})
	if err != nil {
		return nil, err
	}
	out := map[string][]corev1.Pod{}
	for _, p := range list.Items {
		c := p.Labels["app.kubernetes.io/component"]
		out[c] = append(out[c], p)
	}
	return out, nil
}

// allRunningAndReady checks that the release has exactly want pods per
// component, each Running and Ready, none on its way out.
func allRunningAndReady(ctx context.Context, cs kubernetes.Interface, ns string, want map[string]int) (map[string][]corev1.Pod, error) {
	pods, err := releasePods(ctx, cs, ns)
	if err != nil {
		return nil, err
	}
	for c, n := range want {
		if len(pods[c]) != n {
			return nil, fmt.Errorf("%d %s pods, want %d", len(pods[c]), c, n)
		}
		for _, p := range pods[c] {
			if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || !podReady(p) {
				return nil, fmt.Errorf("pod %s is %s (ready %v, deleting %v)", p.Name, p.Status.Phase, podReady(p), p.DeletionTimestamp != nil)
			}
		}
	}
	if len(pods) != len(want) {
		return nil, fmt.Errorf("pods of components %v, want %v", sortedKeys(pods), sortedKeys(want))
	}
	return pods, nil
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func uids(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, string(p.UID))
	}
	sort.Strings(out)
	return out
}

// deploymentWatch records every status a Deployment goes through.
type deploymentWatch struct {
	mu       sync.Mutex
	statuses []appsv1.DeploymentStatus
	stop     context.CancelFunc
	done     chan struct{}
}

func watchDeployment(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, name string) *deploymentWatch {
	t.Helper()
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	w, err := cs.AppsV1().Deployments(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name, ResourceVersion: d.ResourceVersion})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	dw := &deploymentWatch{statuses: []appsv1.DeploymentStatus{d.Status}, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(dw.done)
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.ResultChan():
				if !ok {
					return
				}
				if d, isDeployment := ev.Object.(*appsv1.Deployment); isDeployment && ev.Type == watch.Modified {
					dw.mu.Lock()
					dw.statuses = append(dw.statuses, d.Status)
					dw.mu.Unlock()
				}
			}
		}
	}()
	return dw
}

// podWatch records every change of a component's pods, in the API
// server's order.
type podWatch struct {
	mu     sync.Mutex
	events []corev1.Pod
	stop   context.CancelFunc
	done   chan struct{}
}

func watchPods(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, component string) *podWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	w, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/component=" + component})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	pw := &podWatch{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(pw.done)
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.ResultChan():
				if !ok {
					return
				}
				if p, isPod := ev.Object.(*corev1.Pod); isPod {
					pw.mu.Lock()
					pw.events = append(pw.events, *p)
					pw.mu.Unlock()
				}
			}
		}
	}()
	return pw
}

func (pw *podWatch) finish() []corev1.Pod {
	pw.stop()
	<-pw.done
	pw.mu.Lock()
	defer pw.mu.Unlock()
	return slices.Clone(pw.events)
}

func (dw *deploymentWatch) finish() []appsv1.DeploymentStatus {
	dw.stop()
	<-dw.done
	dw.mu.Lock()
	defer dw.mu.Unlock()
	return slices.Clone(dw.statuses)
}

// leftovers lists what is left in ns of the release: its objects, the
// objects Kubernetes made for them, and Helm's own release records.
func leftovers(ctx context.Context, cs kubernetes.Interface, ns string, keepSecret string) ([]string, error) {
	var out []string
	add := func(kind, name string) { out = append(out, kind+"/"+name) }
	all := metav1.ListOptions{}
	deps, err := cs.AppsV1().Deployments(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range deps.Items {
		add("Deployment", o.Name)
	}
	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range rss.Items {
		add("ReplicaSet", o.Name)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range pods.Items {
		add("Pod", o.Name)
	}
	svcs, err := cs.CoreV1().Services(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range svcs.Items {
		add("Service", o.Name)
	}
	eps, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range eps.Items {
		add("EndpointSlice", o.Name)
	}
	cms, err := cs.CoreV1().ConfigMaps(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range cms.Items {
		if o.Name != "kube-root-ca.crt" { // every namespace has it
			add("ConfigMap", o.Name)
		}
	}
	secrets, err := cs.CoreV1().Secrets(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range secrets.Items {
		if o.Name != keepSecret {
			add("Secret", o.Name)
		}
	}
	nps, err := cs.NetworkingV1().NetworkPolicies(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range nps.Items {
		add("NetworkPolicy", o.Name)
	}
	pdbs, err := cs.PolicyV1().PodDisruptionBudgets(ns).List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range pdbs.Items {
		add("PodDisruptionBudget", o.Name)
	}
	return out, nil
}

// The whole life of a release in a namespace that enforces the restricted
// profile: install (all pods Running and Ready), `helm test` with the real
// CLI, an upgrade that changes a setting (the backend's pods are replaced
// without a moment of unavailability, the frontend's are left alone), the
// history as the CLI reads it, and an uninstall that leaves nothing but the
// Secret made beforehand.
func TestInstallUpgradeUninstallOnSandbox(t *testing.T) {
	sb := testenv.RequireSandbox(t)
	t.Parallel()
	cs := testenv.Clientset(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ns := appNamespace(t, ctx, cs)
	kubeArgs := []string{"--namespace", ns, "--kubeconfig", sb.Kubeconfig, "--kube-context", sb.Context}

	cfg := helmConfig(t, sb, ns)

	// Install.
	rel := install(t, ctx, cfg, ns, nil)
	if !strings.Contains(rel.Info.Notes, "namespace "+ns) {
		t.Errorf("release notes do not name the namespace:\n%s", rel.Info.Notes)
	}
	var before map[string][]corev1.Pod
	testenv.Eventually(t, 30*time.Second, func() (err error) {
		before, err = allRunningAndReady(ctx, cs, ns, map[string]int{"backend": 1, "frontend": 1})
		return err
	})

	// helm test, by the real CLI: the hook pod is admitted by the restricted
	// profile, runs, and is deleted once it has passed.
	out, err := testenv.RunHelm(t, append([]string{"test", releaseName, "--timeout", "60s"}, kubeArgs...)...)
	if err != nil || !strings.Contains(out, "TEST SUITE:     taskmaster-test-backend-health") || !strings.Contains(out, "Phase:          Succeeded") {
		t.Fatalf("helm test: %v\n%s", err, out)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		_, err := cs.CoreV1().Pods(ns).Get(ctx, releaseName+"-test-backend-health", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("the passed test pod is still there (err %v)", err)
	})

	// Upgrade: one setting of the backend changes.
	w := watchDeployment(t, ctx, cs, ns, releaseName+"-backend")
	pw := watchPods(t, ctx, cs, ns, "backend")
	up := action.NewUpgrade(cfg)
	up.Namespace = ns
	up.WaitStrategy, up.Timeout = kube.StatusWatcherStrategy, 90*time.Second
	r, err := up.RunWithContext(ctx, releaseName, loadChart(t), vals("backend.config.APP_ENV", "staging"))
	rel = asRelease(t, r, err)
	if rel.Info.Status != rcommon.StatusDeployed || rel.Version != 2 {
		t.Fatalf("upgrade: revision %d is %s, want 2 deployed", rel.Version, rel.Info.Status)
	}
	var after map[string][]corev1.Pod
	testenv.Eventually(t, 30*time.Second, func() (err error) {
		after, err = allRunningAndReady(ctx, cs, ns, map[string]int{"backend": 1, "frontend": 1})
		if err == nil && slices.Equal(uids(after["backend"]), uids(before["backend"])) {
			err = errors.New("the backend pod was not replaced")
		}
		return err
	})
	statuses := w.finish()
	for _, old := range uids(before["backend"]) {
		if slices.Contains(uids(after["backend"]), old) {
			t.Errorf("backend pod %s survived the upgrade", old)
		}
	}
	if !slices.Equal(uids(after["frontend"]), uids(before["frontend"])) {
		t.Errorf("frontend pods %v became %v, though nothing of the frontend changed", uids(before["frontend"]), uids(after["frontend"]))
	}
	// No moment without the one replica wanted: available never drops below
	// it. (status.unavailableReplicas is no measure of that: it counts the
	// surge pod too, before it is even created, so it is 1 for a moment in
	// every maxSurge rollout.)
	for _, s := range statuses {
		if s.AvailableReplicas < 1 {
			t.Errorf("backend had %d available replicas of 1 during the upgrade: %+v", s.AvailableReplicas, s)
		}
	}
	// The surge, from the pods themselves (the Deployment's status may
	// never be written mid-surge when pods start at once): the new pod was
	// Ready before the old one was marked for deletion.
	newReady, oldGoing := -1, -1
	podEvents := pw.finish()
	for i, p := range podEvents {
		old := slices.Contains(uids(before["backend"]), string(p.UID))
		if !old && newReady < 0 && podReady(p) {
			newReady = i
		}
		if old && oldGoing < 0 && p.DeletionTimestamp != nil {
			oldGoing = i
		}
	}
	if newReady < 0 || oldGoing < 0 || newReady > oldGoing {
		t.Errorf("the new backend pod was not Ready before the old one went (ready at event %d, old marked at %d of %d)", newReady, oldGoing, len(podEvents))
	}
	cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, releaseName+"-backend", metav1.GetOptions{})
	if err != nil || cm.Data["APP_ENV"] != "staging" {
		t.Errorf("backend ConfigMap after the upgrade: %v, %v", cm.Data, err)
	}

	// The real CLI reads the release the SDK made.
	out, err = testenv.RunHelm(t, append([]string{"history", releaseName, "--output", "json"}, kubeArgs...)...)
	var history []struct {
		Revision int    `json:"revision"`
		Status   string `json:"status"`
	}
	if err != nil || json.Unmarshal([]byte(out), &history) != nil || len(history) != 2 || history[1].Revision != 2 || history[1].Status != "deployed" || history[0].Status != "superseded" {
		t.Errorf("helm history: %v\n%s", err, out)
	}

	// Uninstall: nothing of the release is left, the Secret made beforehand stays.
	uninstall(t, cfg)
	testenv.Eventually(t, 30*time.Second, func() error {
		left, err := leftovers(ctx, cs, ns, premadeSecret)
		if err == nil && len(left) > 0 {
			err = fmt.Errorf("left after uninstall: %v", left)
		}
		return err
	})
	kept, err := cs.CoreV1().Secrets(ns).Get(ctx, premadeSecret, metav1.GetOptions{})
	if err != nil || string(kept.Data["jwt-secret"]) != "fake-jwt-secret" {
		t.Errorf("the pre-made Secret after uninstall: %v (err %v)", kept, err)
	}
	if out, err := testenv.RunHelm(t, append([]string{"status", releaseName}, kubeArgs...)...); err == nil || !strings.Contains(out, "not found") {
		t.Errorf("helm status after uninstall: err %v\n%s", err, out)
	}
}

// The ci values install too: three and two replicas, the NetworkPolicy and
// the budgets, and a Secret made by the chart, which uninstall removes.
func TestInstallCIValuesOnSandbox(t *testing.T) {
	sb := testenv.RequireSandbox(t)
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := restrictedNamespace(t, cs)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := helmConfig(t, sb, ns)

	v := readValues(t, chartDir+"/ci/ha-values.yaml")
	for k, val := range readValues(t, chartDir+"/ci/create-secret-values.yaml") {
		v[k] = val
	}
	install(t, ctx, cfg, ns, v)
	testenv.Eventually(t, 30*time.Second, func() error {
		_, err := allRunningAndReady(ctx, cs, ns, map[string]int{"backend": 3, "frontend": 2})
		return err
	})
	s, err := cs.CoreV1().Secrets(ns).Get(ctx, "taskmaster-secret", metav1.GetOptions{})
	if err != nil || string(s.Data["database-url"]) != "postgresql://user:pass@db.invalid/app" {
		t.Errorf("the chart's Secret: %v (err %v)", s, err)
	}
	left, err := leftovers(ctx, cs, ns, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NetworkPolicy/taskmaster-backend", "PodDisruptionBudget/taskmaster-backend", "PodDisruptionBudget/taskmaster-frontend", "Secret/taskmaster-secret"} {
		if !slices.Contains(left, want) {
			t.Errorf("no %s among %v", want, left)
		}
	}

	uninstall(t, cfg)
	testenv.Eventually(t, 30*time.Second, func() error {
		left, err := leftovers(ctx, cs, ns, "")
		if err == nil && len(left) > 0 {
			err = fmt.Errorf("left after uninstall: %v", left)
		}
		return err
	})
}
