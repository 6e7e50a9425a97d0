package helm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Every workflow of the package against the sandbox's real API server, and
// the real helm CLI reading what it made. Each test has a namespace of its
// own, so they run side by side.

// The fake secret values the release reads from taskmaster-secret. Tests
// search Helm's records for them: none may ever be there.
var fakeSecret = map[string]string{
	"database-url":   "postgresql://user:pass@db.invalid/app",
	"openai-api-key": "sk-fake-openai-key-for-tmtui-tests",
	"jwt-secret":     "fake-jwt-secret-for-tmtui-tests-0123456789",
}

type sandboxRelease struct {
	t         *testing.T
	sb        testenv.Sandbox
	cs        kubernetes.Interface
	ns        string
	client    *helm.Client
	logPath   string
	helmFlags []string // --namespace, --kubeconfig, --kube-context for the helm CLI
}

// newSandboxRelease makes a namespace with the Secret the chart reads, and a
// Client for release taskmaster in it whose Helm log goes to a file (shown
// when the test fails). chartDir "" is the built-in chart.
func newSandboxRelease(t *testing.T, chartDir string) *sandboxRelease {
	t.Helper()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-secret"}, StringData: fakeSecret}
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := &sandboxRelease{t: t, sb: sb, cs: cs, ns: ns, logPath: filepath.Join(t.TempDir(), "tmtui.log"),
		helmFlags: []string{"--namespace", ns, "--kubeconfig", sb.Kubeconfig, "--kube-context", sb.Context}}
	r.client = r.newClient(chartDir)
	t.Cleanup(func() {
		if t.Failed() {
			data, _ := os.ReadFile(r.logPath)
			t.Logf("tmtui log (Helm's lines):\n%s", data)
		}
	})
	return r
}

func (r *sandboxRelease) newClient(chartDir string) *helm.Client {
	r.t.Helper()
	f, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { f.Close() })
	c, err := helm.New(helm.Options{
		Connection: k8s.ConnectOptions{Kubeconfig: r.sb.Kubeconfig, Context: r.sb.Context, Namespace: r.ns},
		ChartDir:   chartDir,
		Logger:     slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// helmCLI runs the real helm CLI on the test's namespace.
func (r *sandboxRelease) helmCLI(args ...string) string {
	r.t.Helper()
	return r.runCLI("helm", testenv.RunHelm, args)
}

// runCLI runs a helm CLI (run: testenv.RunHelm or RunHelm3) on this
// release's cluster and namespace, and fails the test when it fails.
func (r *sandboxRelease) runCLI(name string, run func(testing.TB, ...string) (string, error), args []string) string {
	r.t.Helper()
	out, err := run(r.t, append(args, r.helmFlags...)...)
	if err != nil {
		r.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func (r *sandboxRelease) install(o helm.Overrides) *helm.Release {
	r.t.Helper()
	rel, err := r.client.Install(r.t.Context(), helm.InstallOptions{Overrides: o, ApplyOptions: helm.ApplyOptions{Timeout: time.Minute}})
	if err != nil {
		r.t.Fatalf("install: %v", err)
	}
	if rel.Revision != 1 || rel.Status != helm.StatusDeployed {
		r.t.Fatalf("install: revision %d %s", rel.Revision, rel.Status)
	}
	return rel
}

func (r *sandboxRelease) apply(p *helm.Plan, err error) *helm.Release {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("plan: %v", err)
	}
	rel, err := r.client.Apply(r.t.Context(), p, helm.ApplyOptions{Timeout: time.Minute})
	if err != nil {
		r.t.Fatalf("apply %s: %v", p.Op, err)
	}
	return rel
}

// waitPods waits until the release's app pods are exactly want (component ->
// count), each Running and Ready with the image given for its component (any
// image when none is given), none on its way out.
func (r *sandboxRelease) waitPods(want map[string]int, images map[string]string) []corev1.Pod {
	r.t.Helper()
	var pods []corev1.Pod
	testenv.Eventually(r.t, 45*time.Second, func() error {
		list, err := r.cs.CoreV1().Pods(r.ns).List(r.t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=taskmaster,app.kubernetes.io/component!=test"})
		if err != nil {
			return err
		}
		got := map[string]int{}
		for _, p := range list.Items {
			comp := p.Labels["app.kubernetes.io/component"]
			got[comp]++
			if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || !ready(p) {
				return fmt.Errorf("pod %s is %s (ready %v, deleting %v)", p.Name, p.Status.Phase, ready(p), p.DeletionTimestamp != nil)
			}
			if img, ok := images[comp]; ok && p.Spec.Containers[0].Image != img {
				return fmt.Errorf("pod %s runs %s, want %s", p.Name, p.Spec.Containers[0].Image, img)
			}
		}
		for comp, n := range want {
			if got[comp] != n {
				return fmt.Errorf("%d %s pods, want %d (have %v)", got[comp], comp, n, got)
			}
		}
		if len(got) != len(want) {
			return fmt.Errorf("pods of %v, want %v", got, want)
		}
		pods = list.Items
		return nil
	})
	return pods
}

func ready(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// replicas is the Deployment's spec.replicas.
func (r *sandboxRelease) replicas(comp helm.Component) int {
	r.t.Helper()
	d, err := r.cs.AppsV1().Deployments(r.ns).Get(r.t.Context(), "taskmaster-"+string(comp), metav1.GetOptions{})
	if err != nil {
		r.t.Fatal(err)
	}
	return int(*d.Spec.Replicas)
}

// cliValues is `helm get values` by the real CLI, as JSON.
func (r *sandboxRelease) cliValues(args ...string) map[string]any {
	r.t.Helper()
	out := r.helmCLI(append([]string{"get", "values", "taskmaster", "--output", "json"}, args...)...)
	var vals map[string]any
	if err := json.Unmarshal([]byte(out), &vals); err != nil {
		r.t.Fatalf("helm get values: %v\n%s", err, out)
	}
	return vals
}

func at(vals map[string]any, path ...string) any {
	var cur any = vals
	for _, k := range path {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	return cur
}

type cliRevision struct {
	Revision    int    `json:"revision"`
	Status      string `json:"status"`
	Description string `json:"description"`
}

func (r *sandboxRelease) cliHistory() []cliRevision {
	r.t.Helper()
	out := r.helmCLI("history", "taskmaster", "--output", "json")
	var h []cliRevision
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		r.t.Fatalf("helm history: %v\n%s", err, out)
	}
	return h
}

func statuses(h []helm.Release) []string {
	var out []string
	for _, r := range h {
		out = append(out, fmt.Sprintf("%d %s", r.Revision, r.Status))
	}
	return out
}

// Install (from a chart folder), an upgrade shown as a diff first, `helm
// test`, a rollback to revision 1 shown as a diff first, three revisions of
// history, uninstall; the helm CLI reads the same history and values, and no
// revision's values hold a secret.
func TestReleaseLifecycleOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, filepath.Join("..", "..", "charts", "taskmaster"))
	ctx := t.Context()
	if r.client.ChartSource() == "built-in" {
		t.Fatal("the client ignores the chart folder")
	}

	events := make(chan helm.Event, 64)
	rel, err := r.client.Install(ctx, helm.InstallOptions{ApplyOptions: helm.ApplyOptions{Timeout: time.Minute, Events: events}})
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	if rel.Revision != 1 || rel.Status != helm.StatusDeployed || !strings.Contains(rel.Notes, r.ns) {
		t.Fatalf("install: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	close(events)
	var last helm.Event
	for ev := range events {
		last = ev
	}
	if last.Step != helm.StepDone || !strings.Contains(last.Message, "revision 1") {
		t.Errorf("last install event: %+v", last)
	}

	// Upgrade: the plan shows the diff, and changes nothing yet.
	plan, err := r.client.PlanUpgrade(ctx, helm.Overrides{
		ImageTags: map[helm.Component]string{helm.Backend: "1.0.1"},
		Config:    map[helm.Component]map[string]string{helm.Backend: {"APP_ENV": "staging"}},
	})
	if err != nil {
		t.Fatalf("plan upgrade: %v", err)
	}
	dep := plan.Diff.Find("Deployment", "taskmaster-backend")
	if dep == nil || dep.Change != helm.Changed || !strings.Contains(dep.Unified, "-        image: taskmaster-backend:1.0.0\n") || !strings.Contains(dep.Unified, "+        image: taskmaster-backend:1.0.1\n") {
		t.Fatalf("upgrade diff does not show the backend's new image:\n%s", plan.Diff)
	}
	if cm := plan.Diff.Find("ConfigMap", "taskmaster-backend"); cm == nil || !strings.Contains(cm.Unified, "+  APP_ENV: staging\n") {
		t.Errorf("upgrade diff does not show the new setting:\n%s", plan.Diff)
	}
	if plan.Diff.Find("Deployment", "taskmaster-frontend") != nil {
		t.Errorf("upgrade diff changes the frontend:\n%s", plan.Diff)
	}
	if h, _ := r.client.History(ctx); len(h) != 1 {
		t.Fatalf("planning made a revision: %v", statuses(h))
	}
	rel = r.apply(plan, nil)
	if rel.Revision != 2 || rel.Status != helm.StatusDeployed || rel.Images[helm.Backend] != "taskmaster-backend:1.0.1" {
		t.Fatalf("upgrade: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.1"})

	// helm test, through the SDK.
	res, err := r.client.Test(ctx, helm.ApplyOptions{Timeout: time.Minute})
	if err != nil || !res.Passed || len(res.Tests) != 1 || res.Tests[0].Name != "taskmaster-test-backend-health" || res.Tests[0].Phase != "Succeeded" {
		t.Fatalf("helm test: %+v, %v", res, err)
	}

	// Rollback to 1: the diff first, then revision 1's pods.
	plan, err = r.client.PlanRollback(ctx, 1)
	if err != nil {
		t.Fatalf("plan rollback: %v", err)
	}
	dep = plan.Diff.Find("Deployment", "taskmaster-backend")
	if plan.To != 1 || plan.From.Revision != 2 || dep == nil || !strings.Contains(dep.Unified, "-        image: taskmaster-backend:1.0.1\n") || !strings.Contains(dep.Unified, "+        image: taskmaster-backend:1.0.0\n") {
		t.Fatalf("rollback diff:\n%s", plan.Diff)
	}
	rel = r.apply(plan, nil)
	if rel.Revision != 3 || rel.RollbackOf != 1 || rel.Status != helm.StatusDeployed {
		t.Fatalf("rollback: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	cm, err := r.cs.CoreV1().ConfigMaps(r.ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
	if err != nil || cm.Data["APP_ENV"] != "production" {
		t.Errorf("backend ConfigMap after the rollback: %v, %v", cm.Data, err)
	}

	// History, values, manifest, notes of any revision.
	hist, err := r.client.History(ctx)
	if got := statuses(hist); err != nil || !slices.Equal(got, []string{"1 superseded", "2 superseded", "3 deployed"}) {
		t.Fatalf("history: %v, %v", got, err)
	}
	v2, err := r.client.Values(ctx, 2, false)
	if err != nil || at(v2, "backend", "image", "tag") != "1.0.1" {
		t.Errorf("values of revision 2: %v, %v", v2, err)
	}
	m2, err := r.client.Manifest(ctx, 2)
	if err != nil || !strings.Contains(m2, "taskmaster-backend:1.0.1") || !strings.Contains(m2, "kind: Service") {
		t.Errorf("manifest of revision 2: %v\n%s", err, m2)
	}
	if notes, err := r.client.Notes(ctx, 1); err != nil || !strings.Contains(notes, r.ns) {
		t.Errorf("notes of revision 1: %q, %v", notes, err)
	}

	// The real helm CLI reads the same history and values.
	cli := r.cliHistory()
	if len(cli) != 3 || cli[0].Status != "superseded" || cli[1].Status != "superseded" || cli[2].Status != "deployed" || cli[2].Description != "Rollback to 1" {
		t.Errorf("helm history: %+v", cli)
	}
	if tag := at(r.cliValues("--revision", "2"), "backend", "image", "tag"); tag != "1.0.1" {
		t.Errorf("helm get values --revision 2: backend.image.tag = %v", tag)
	}
	for rev := 1; rev <= 3; rev++ {
		out := r.helmCLI("get", "values", "taskmaster", "--all", "--revision", strconv.Itoa(rev))
		if !strings.Contains(out, "existingSecret: taskmaster-secret") {
			t.Errorf("helm get values --all --revision %d does not look like all values:\n%s", rev, out)
		}
		for key, v := range fakeSecret {
			if strings.Contains(out, v) {
				t.Errorf("helm get values --all --revision %d shows the secret %s", rev, key)
			}
		}
	}

	// Uninstall: gone for tmtui and for the CLI, pods included.
	if err := r.client.Uninstall(ctx, helm.ApplyOptions{Timeout: time.Minute}); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	if _, err := r.client.Status(ctx); !errors.Is(err, helm.ErrNotInstalled) {
		t.Errorf("status after uninstall: %v", err)
	}
	if out, err := testenv.RunHelm(t, append([]string{"status", "taskmaster"}, r.helmFlags...)...); err == nil || !strings.Contains(out, "not found") {
		t.Errorf("helm status after uninstall: %v\n%s", err, out)
	}
	if d, err := r.cs.AppsV1().Deployments(r.ns).List(ctx, metav1.ListOptions{}); err != nil || len(d.Items) != 0 {
		t.Errorf("deployments left after uninstall: %v", err)
	}
	testenv.Eventually(t, 2*time.Minute, func() error {
		pods, err := r.cs.CoreV1().Pods(r.ns).List(ctx, metav1.ListOptions{})
		if err == nil && len(pods.Items) > 0 {
			err = fmt.Errorf("%d pods left after uninstall", len(pods.Items))
		}
		return err
	})
	// Helm's own log lines went to tmtui's log, and no secret with them.
	data, err := os.ReadFile(r.logPath)
	if err != nil || !strings.Contains(string(data), "preparing upgrade") {
		t.Errorf("Helm's log lines are not in the log file (%v)", err)
	}
	for key, v := range fakeSecret {
		if strings.Contains(string(data), v) {
			t.Errorf("the log file holds the secret %s", key)
		}
	}
}

// Uninstall waits until the chart's objects are gone, a Deployment that a
// finalizer holds in Terminating included, and succeeds once it goes. Helm's
// own wait (v4.3.1) could stop early and call that Deployment a failure
// (see waitDeleted), which failed a clean uninstall.
func TestUninstallWaitsForADeploymentHeldByAFinalizerOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	r.install(helm.Overrides{})
	const hold = "tmtui.test/hold"
	deps := r.cs.AppsV1().Deployments(r.ns)
	setHold := func(on bool) {
		t.Helper()
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			d, err := deps.Get(ctx, "taskmaster-frontend", metav1.GetOptions{})
			if err != nil {
				return err
			}
			d.Finalizers = slices.DeleteFunc(d.Finalizers, func(f string) bool { return f == hold })
			if on {
				d.Finalizers = append(d.Finalizers, hold)
			}
			_, err = deps.Update(ctx, d, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatalf("finalizer %s on=%v: %v", hold, on, err)
		}
	}
	setHold(true)

	done := make(chan error, 1)
	go func() { done <- r.client.Uninstall(ctx, helm.ApplyOptions{Timeout: time.Minute}) }()
	testenv.Eventually(t, 2*time.Minute, func() error {
		d, err := deps.Get(ctx, "taskmaster-frontend", metav1.GetOptions{})
		if err == nil && d.DeletionTimestamp == nil {
			err = errors.New("the frontend Deployment is not being deleted yet")
		}
		return err
	})
	select {
	case err := <-done:
		t.Fatalf("uninstall returned while the frontend Deployment was held in Terminating: %v", err)
	case <-time.After(2 * time.Second):
	}
	setHold(false)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("uninstall: %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("uninstall did not end within 90 s of the hold going")
	}
	if _, err := deps.Get(ctx, "taskmaster-frontend", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the frontend Deployment after the uninstall: %v, want not found", err)
	}
	if _, err := r.client.Status(ctx); !errors.Is(err, helm.ErrNotInstalled) {
		t.Errorf("status after uninstall: %v", err)
	}
}

// An upgrade to an image that crash-loops fails at its timeout, Helm rolls
// it back by itself, and the error names the failing pod and its reason.
func TestCrashloopUpgradeFailsAndRollsBackOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	r.install(helm.Overrides{})
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, nil)

	plan, err := r.client.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "crashloop"}})
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 20 * time.Second
	events := make(chan helm.Event, 256)
	start := time.Now()
	_, err = r.client.Apply(ctx, plan, helm.ApplyOptions{Timeout: timeout, Events: events})
	took := time.Since(start)
	var opErr *helm.OperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("upgrade to crashloop: %v (want an *OperationError)", err)
	}
	// The wait gives up at the timeout, never sooner, whatever the load.
	// (How soon after it the rollback ends is a time, not a behaviour: make
	// chaos measures it through tmux.)
	t.Logf("the upgrade failed and was rolled back %s after it started (timeout %s)", took.Round(100*time.Millisecond), timeout)
	if took < timeout {
		t.Errorf("the upgrade failed after %s, before its %s timeout ran out", took, timeout)
	}
	if len(opErr.Pods) == 0 || !crashLooping(opErr.Pods[0]) || opErr.Pods[0].Image != "taskmaster-backend:crashloop" ||
		!strings.HasPrefix(opErr.Pods[0].Name, "taskmaster-backend-") {
		t.Fatalf("failing pods: %+v", opErr.Pods)
	}
	msg := err.Error()
	t.Logf("the error a user sees: %s", msg)
	for _, want := range []string{"pod " + opErr.Pods[0].Name + ": " + opErr.Pods[0].Reason, "restarts", "rolled back to revision 1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	if !opErr.RolledBack || opErr.RolledBackTo != 1 || opErr.After == nil || opErr.After.Revision != 3 || opErr.After.Status != helm.StatusDeployed {
		t.Errorf("after the failure: %+v, now %+v", opErr, opErr.After)
	}
	sawCrash, sawRollback := false, false
	for len(events) > 0 {
		ev := <-events
		sawCrash = sawCrash || (ev.Step == helm.StepWait && strings.Contains(ev.Message, "CrashLoopBackOff"))
		sawRollback = sawRollback || (ev.Step == helm.StepRollback && strings.Contains(ev.Message, "rolling back"))
	}
	if !sawCrash || !sawRollback {
		t.Errorf("progress events: CrashLoopBackOff reported %v, rollback reported %v", sawCrash, sawRollback)
	}
	hist, _ := r.client.History(ctx)
	if got := statuses(hist); !slices.Equal(got, []string{"1 superseded", "2 failed", "3 deployed"}) {
		t.Errorf("history: %v", got)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
}

// An install whose backend crash-loops fails at its timeout and is
// uninstalled by Helm; the error names the pod and its reason.
func TestCrashloopInstallFailsAndIsUninstalledOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	const timeout = 15 * time.Second
	start := time.Now()
	_, err := r.client.Install(ctx, helm.InstallOptions{
		Overrides:    helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "crashloop"}},
		ApplyOptions: helm.ApplyOptions{Timeout: timeout},
	})
	took := time.Since(start)
	var opErr *helm.OperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("install with a crash-looping backend: %v (want an *OperationError)", err)
	}
	t.Logf("the error a user sees: %s", err)
	t.Logf("the install failed and was uninstalled %s after it started (timeout %s)", took.Round(100*time.Millisecond), timeout)
	if took < timeout {
		t.Errorf("the install failed after %s, before its %s timeout ran out", took, timeout)
	}
	if len(opErr.Pods) == 0 || !crashLooping(opErr.Pods[0]) || !strings.Contains(err.Error(), "pod "+opErr.Pods[0].Name+": "+opErr.Pods[0].Reason) {
		t.Errorf("failing pods: %+v", opErr.Pods)
	}
	if !opErr.RolledBack || opErr.After != nil || !strings.Contains(err.Error(), "uninstalled, nothing of it is left") {
		t.Errorf("rollback of the install: %+v", opErr)
	}
	if _, err := r.client.Status(ctx); !errors.Is(err, helm.ErrNotInstalled) {
		t.Errorf("status after the failed install: %v", err)
	}
	if d, err := r.cs.AppsV1().Deployments(r.ns).List(ctx, metav1.ListOptions{}); err != nil || len(d.Items) != 0 {
		t.Errorf("deployments left after the failed install: %v", err)
	}
}

// crashLooping says a failing pod was reported as the crash-looping one it
// is. The kwok sandbox keeps such a container waiting in CrashLoopBackOff
// with a growing restart count; a real kubelet also shows it, between two
// back-offs, terminated (reason Error) or briefly running, not Ready, and the
// report keeps the last reason it saw. So any crash reason will do, as long
// as the container has been restarted: never the moment the wait ended.
func crashLooping(p helm.PodState) bool {
	return p.Restarts > 0 && (p.Reason == "CrashLoopBackOff" || p.Reason == "Error")
}

// Cancelling an upgrade ends its wait at once; Helm rolls it back, and that
// rollback is waited for and recorded as deployed.
func TestCancelledUpgradeRollsBackOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	r.install(helm.Overrides{})
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, nil)
	plan, err := r.client.PlanUpgrade(t.Context(), helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "unready"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := make(chan helm.Event, 256)
	cancelled := make(chan time.Time, 1)
	go func() {
		// Cancel once the new pod runs, never Ready: mid-wait.
		for ev := range events {
			if ev.Step == helm.StepWait && slices.ContainsFunc(ev.Pods, func(p helm.PodState) bool { return p.Image == "taskmaster-backend:unready" && p.Phase == "Running" }) {
				cancelled <- time.Now()
				cancel()
				return
			}
		}
	}()
	_, err = r.client.Apply(ctx, plan, helm.ApplyOptions{Timeout: time.Minute, Events: events})
	close(events)
	var at time.Time
	select {
	case at = <-cancelled:
	default:
		t.Fatalf("the upgrade ended before it was cancelled: %v", err)
	}
	var opErr *helm.OperationError
	if !errors.As(err, &opErr) || !errors.Is(err, context.Canceled) || !opErr.Cancelled {
		t.Fatalf("cancelled upgrade: %v", err)
	}
	// The cancel, not the minute's timeout, ended Helm's wait: Helm's own
	// error names the cancel and no deadline. (That says "at once" without
	// timing it on a machine whose load is not ours to know.) Helm does not
	// always wrap the context's error: cancelled while its status watcher
	// starts, it says "reporter failed to start: event funnel closed:
	// context canceled" as text, so the text is what is checked.
	t.Logf("the upgrade returned %s after it was cancelled", time.Since(at).Round(100*time.Millisecond))
	helmSays := opErr.Err.Error()
	byCancel := errors.Is(opErr.Err, context.Canceled) || strings.Contains(helmSays, context.Canceled.Error())
	byTimeout := errors.Is(opErr.Err, context.DeadlineExceeded) || strings.Contains(helmSays, context.DeadlineExceeded.Error()) ||
		strings.Contains(helmSays, "timed out")
	if !byCancel || byTimeout {
		t.Errorf("Helm's error %v: want its wait ended by the cancel (context canceled), not by its timeout", opErr.Err)
	}
	if !opErr.RolledBack || opErr.RolledBackTo != 1 || opErr.After == nil || opErr.After.Status != helm.StatusDeployed || opErr.After.Revision != 3 {
		t.Errorf("after the cancel: %+v now %+v", opErr, opErr.After)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
}

// While a change runs in this process, the release is pending but not
// stuck: another Client of the same release (the pods pane's scaling, the
// wizard's) neither offers a recovery nor plans a second change on top; it
// says the release is busy. Once the change ends, both work again.
func TestAChangeRunningHereIsBusyNotStuckOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	r.install(helm.Overrides{})
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, nil)
	plan, err := r.client.PlanUpgrade(t.Context(), helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "unready"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := make(chan helm.Event, 256)
	done := make(chan error, 1)
	go func() {
		_, err := r.client.Apply(ctx, plan, helm.ApplyOptions{Timeout: time.Minute, Events: events})
		close(events)
		done <- err
	}()
	go func() {
		for range events {
		}
	}()
	other := r.newClient("")
	testenv.Eventually(t, 2*time.Minute, func() error {
		select {
		case err := <-done:
			done <- err
			return fmt.Errorf("the upgrade ended before it was seen pending: %v", err)
		default:
		}
		st, err := other.Status(t.Context())
		if err == nil && st.Status != helm.StatusPendingUpgrade {
			err = fmt.Errorf("status %s", st.Status)
		}
		return err
	})
	if stuck, err := other.DetectStuck(t.Context()); err != nil || stuck != nil {
		t.Errorf("a change running here was taken for stuck: %+v, %v", stuck, err)
	}
	var busy *helm.BusyError
	_, err = other.PlanScale(t.Context(), helm.Backend, 2)
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), "busy with another change") || !strings.Contains(err.Error(), "wait until it finishes") {
		t.Errorf("a scale planned mid-upgrade: %v (want a *BusyError)", err)
	}
	// A scale (one key in the Pods pane) waits for its turn instead: it
	// ends here with its context, having written nothing.
	wctx, wcancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	_, err = other.Scale(wctx, helm.Backend, 2, helm.ApplyOptions{Timeout: time.Minute})
	wcancel()
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &busy) {
		t.Errorf("a scale asked mid-upgrade: %v (want it to wait for its turn until its context ended)", err)
	}
	if n := r.replicas(helm.Backend); n != 1 {
		t.Errorf("a scale still waiting for its turn set %d backend replicas", n)
	}
	cancel()
	<-done
	if stuck, err := other.DetectStuck(t.Context()); err != nil || stuck != nil {
		t.Errorf("after the upgrade ended: stuck %+v, %v", stuck, err)
	}
	if _, err := other.Scale(t.Context(), helm.Backend, 2, helm.ApplyOptions{Timeout: time.Minute}); err != nil {
		t.Errorf("a scale after the upgrade ended: %v", err)
	}
}

// The child half of the killed-operation tests: TestMain runs it instead of
// the tests when childOpEnv is set, in a process the parent kills.
const childOpEnv = "TMTUI_HELM_TEST_CHILD_OP"

func TestMain(m *testing.M) {
	if op := os.Getenv(childOpEnv); op != "" {
		os.Exit(runChildOp(op))
	}
	os.Exit(m.Run())
}

// runChildOp installs, or upgrades, release taskmaster with a backend
// image that never becomes Ready, so that it waits until it is killed.
func runChildOp(op string) int {
	c, err := helm.New(helm.Options{
		Connection: k8s.ConnectOptions{Kubeconfig: os.Getenv("CHILD_KUBECONFIG"), Context: os.Getenv("CHILD_CONTEXT"), Namespace: os.Getenv("CHILD_NAMESPACE")},
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	never := helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "unready"}}
	opts := helm.ApplyOptions{Timeout: 3 * time.Minute}
	ctx := context.Background()
	switch op {
	case "install":
		_, err = c.Install(ctx, helm.InstallOptions{Overrides: never, ApplyOptions: opts})
	case "upgrade":
		var p *helm.Plan
		if p, err = c.PlanUpgrade(ctx, never); err == nil {
			_, err = c.Apply(ctx, p, opts)
		}
	default:
		if err = chaosChildOp(ctx, c, op); err == nil {
			return 0 // a chaos operation may finish before its kill
		}
	}
	fmt.Fprintln(os.Stderr, "child finished, which it should not have:", err)
	return 3
}

// killMidOperation runs op in a child process and kills it (SIGKILL) once
// the release records want and the backend Deployment exists: the process
// dies between applying the objects and recording the outcome.
func (r *sandboxRelease) killMidOperation(op string, want helm.Status) {
	r.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childOpEnv+"="+op,
		"CHILD_KUBECONFIG="+r.sb.Kubeconfig, "CHILD_CONTEXT="+r.sb.Context, "CHILD_NAMESPACE="+r.ns)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()
	testenv.Eventually(r.t, 60*time.Second, func() error {
		select {
		case err := <-exited:
			exited <- err
			r.t.Fatalf("the child %s ended by itself: %v\n%s", op, err, out.String())
		default:
		}
		st, err := r.client.Status(r.t.Context())
		if err != nil {
			return err
		}
		if st.Status != want {
			return fmt.Errorf("release is %s, waiting for %s", st.Status, want)
		}
		d, err := r.cs.AppsV1().Deployments(r.ns).Get(r.t.Context(), "taskmaster-backend", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Spec.Template.Spec.Containers[0].Image != "taskmaster-backend:unready" {
			return errors.New("the backend Deployment is not applied yet")
		}
		return nil
	})
	if err := cmd.Process.Kill(); err != nil {
		r.t.Fatal(err)
	}
	if err := <-exited; err == nil || !strings.Contains(err.Error(), "killed") {
		r.t.Fatalf("child: %v, want killed", err)
	}
	exited <- nil
}

// A process killed mid-install leaves a pending-install release, which
// blocks everything; recovery uninstalls it, and an install then works.
func TestKilledInstallIsDetectedAndRecoveredOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	r.killMidOperation("install", helm.StatusPendingInstall)

	stuck, err := r.client.DetectStuck(ctx)
	if err != nil || stuck == nil || stuck.Release.Status != helm.StatusPendingInstall || stuck.RollbackTo != 0 || !strings.HasPrefix(stuck.Plan, "uninstall") {
		t.Fatalf("detect: %+v, %v", stuck, err)
	}
	if h := r.cliHistory(); len(h) != 1 || h[0].Status != "pending-install" {
		t.Errorf("helm history of the killed install: %+v", h)
	}
	var stuckErr *helm.StuckError
	if _, err := r.client.Install(ctx, helm.InstallOptions{}); !errors.As(err, &stuckErr) {
		t.Errorf("install over the stuck release: %v, want a *StuckError", err)
	}

	after, err := r.client.Recover(ctx, helm.ApplyOptions{Timeout: time.Minute})
	if err != nil || after != nil {
		t.Fatalf("recover: %+v, %v", after, err)
	}
	if _, err := r.client.Status(ctx); !errors.Is(err, helm.ErrNotInstalled) {
		t.Errorf("status after recovery: %v", err)
	}
	if d, err := r.cs.AppsV1().Deployments(r.ns).List(ctx, metav1.ListOptions{}); err != nil || len(d.Items) != 0 {
		t.Errorf("deployments left after recovery: %v", err)
	}

	r.install(helm.Overrides{})
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
}

// A process killed mid-upgrade leaves a pending-upgrade release; recovery
// rolls back to the last deployed revision, and upgrades work again.
func TestKilledUpgradeIsRolledBackToTheLastDeployedOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	r.install(helm.Overrides{})
	r.killMidOperation("upgrade", helm.StatusPendingUpgrade)

	stuck, err := r.client.DetectStuck(ctx)
	if err != nil || stuck == nil || stuck.Release.Revision != 2 || stuck.RollbackTo != 1 {
		t.Fatalf("detect: %+v, %v", stuck, err)
	}
	var stuckErr *helm.StuckError
	if _, err := r.client.PlanUpgrade(ctx, helm.Overrides{}); !errors.As(err, &stuckErr) || !strings.Contains(err.Error(), "roll back to revision 1") {
		t.Errorf("upgrade over the stuck release: %v", err)
	}
	after, err := r.client.Recover(ctx, helm.ApplyOptions{Timeout: time.Minute})
	if err != nil || after == nil || after.Revision != 3 || after.Status != helm.StatusDeployed || after.RollbackOf != 1 {
		t.Fatalf("recover: %+v, %v", after, err)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	h := r.cliHistory()
	if len(h) != 3 || h[0].Status != "superseded" || h[1].Status != "failed" || !strings.HasPrefix(h[1].Description, "Interrupted") || h[2].Status != "deployed" {
		t.Errorf("helm history after recovery: %+v", h)
	}
	rel := r.apply(r.client.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "1.0.1"}}))
	if rel.Revision != 4 || rel.Status != helm.StatusDeployed {
		t.Errorf("upgrade after recovery: %+v", rel)
	}
}

// Scaling is an upgrade of the release's values (see Scale): the count
// survives an upgrade and a rollback, no apply conflicts with kubectl or the
// helm CLI, and `helm get values` says what runs.
func TestScaleOwnsTheReplicaCountOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	r.install(helm.Overrides{})
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, nil)

	rel, err := r.client.Scale(ctx, helm.Backend, 3, helm.ApplyOptions{Timeout: time.Minute})
	if err != nil || rel.Revision != 2 || rel.Replicas[helm.Backend] != 3 {
		t.Fatalf("scale to 3: %+v, %v", rel, err)
	}
	r.waitPods(map[string]int{"backend": 3, "frontend": 1}, nil)
	if n := at(r.cliValues(), "backend", "replicaCount"); n != 3.0 {
		t.Errorf("helm get values: backend.replicaCount = %v, running 3", n)
	}
	var be *helm.BoundsError
	if _, err := r.client.Scale(ctx, helm.Backend, 4, helm.ApplyOptions{}); !errors.As(err, &be) || !strings.Contains(err.Error(), "at most 3") {
		t.Errorf("scale to 4: %v", err)
	}

	// An upgrade keeps the count, without a conflict.
	plan, err := r.client.PlanUpgrade(ctx, helm.Overrides{Config: map[helm.Component]map[string]string{helm.Backend: {"APP_ENV": "staging"}}})
	if err != nil {
		t.Fatal(err)
	}
	if dep := plan.Diff.Find("Deployment", "taskmaster-backend"); dep == nil || strings.Contains(dep.Unified, "replicas:") {
		t.Errorf("the upgrade's diff touches the replica count:\n%s", plan.Diff)
	}
	rel = r.apply(plan, nil)
	if rel.Replicas[helm.Backend] != 3 {
		t.Errorf("after upgrade: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 3, "frontend": 1}, nil)
	// Helm, under the helm CLI's own manager name, is the only owner of
	// spec.replicas.
	d, err := r.cs.AppsV1().Deployments(r.ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var owners []string
	for _, mf := range d.ManagedFields {
		if mf.FieldsV1 != nil && strings.Contains(string(mf.FieldsV1.Raw), `"f:replicas"`) && mf.Subresource == "" {
			owners = append(owners, mf.Manager+"/"+string(mf.Operation))
		}
	}
	if !slices.Equal(owners, []string{"helm/Apply"}) {
		t.Errorf("spec.replicas is owned by %v, want helm/Apply alone", owners)
	}

	// A rollback to revision 1 (one replica then) keeps the 3 that run.
	plan, err = r.client.PlanRollback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "backend keeps its 3 replicas") {
		t.Errorf("rollback notes: %q", plan.Notes)
	}
	if dep := plan.Diff.Find("Deployment", "taskmaster-backend"); dep == nil || strings.Contains(dep.Unified, "replicas:") {
		t.Errorf("the rollback's diff touches the replica count:\n%s", plan.Diff)
	}
	rel = r.apply(plan, nil)
	if rel.Revision != 4 || rel.RollbackOf != 1 || rel.Replicas[helm.Backend] != 3 || !strings.HasPrefix(rel.Description, "Rollback to 1") {
		t.Errorf("after rollback: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 3, "frontend": 1}, nil)
	if cm, err := r.cs.CoreV1().ConfigMaps(r.ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{}); err != nil || cm.Data["APP_ENV"] != "production" {
		t.Errorf("the rollback did not restore revision 1's settings: %v, %v", cm.Data, err)
	}
	for _, args := range [][]string{nil, {"--all"}} {
		if n := at(r.cliValues(args...), "backend", "replicaCount"); n != 3.0 || r.replicas(helm.Backend) != 3 {
			t.Errorf("helm get values %v: backend.replicaCount = %v, running %d", args, n, r.replicas(helm.Backend))
		}
	}

	// Scaled behind tmtui's back, as `kubectl scale` does: the next change
	// says so, takes the field back without a conflict, and values rule.
	sc, err := r.cs.AppsV1().Deployments(r.ns).GetScale(ctx, "taskmaster-backend", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc.Spec.Replicas = 2
	if _, err := r.cs.AppsV1().Deployments(r.ns).UpdateScale(ctx, "taskmaster-backend", sc, metav1.UpdateOptions{FieldManager: "kubectl-scale"}); err != nil {
		t.Fatal(err)
	}
	plan, err = r.client.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Frontend: "1.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), "backend runs 2 replicas but the release says 3") {
		t.Errorf("the plan does not warn of the outside scale: %q", plan.Notes)
	}
	r.apply(plan, nil)
	r.waitPods(map[string]int{"backend": 3, "frontend": 1}, map[string]string{"frontend": "taskmaster-frontend:1.0.1"})

	// The helm CLI scales the same release without a conflict, and tmtui
	// reads its count.
	chartDir := filepath.Join("..", "..", "charts", "taskmaster")
	r.helmCLI("upgrade", "taskmaster", chartDir, "--reuse-values", "--set", "backend.replicaCount=2", "--wait", "--timeout", "60s")
	r.waitPods(map[string]int{"backend": 2, "frontend": 1}, nil)
	st, err := r.client.Status(ctx)
	if err != nil || st.Replicas[helm.Backend] != 2 || st.Revision != 6 {
		t.Errorf("tmtui's view after the CLI's upgrade: %+v, %v", st, err)
	}
}

// Scale writes the count to the Deployment at once, before Helm's upgrade
// records it, and leaves Helm the only owner of spec.replicas: the helm
// CLI then scales the same release without a conflict. A scale cancelled
// half-way puts the old count back and leaves no trace of its own.
func TestScaleReachesTheDeploymentFirstAndLeavesHelmTheOwnerOnSandbox(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t, "")
	ctx := t.Context()
	r.install(helm.Overrides{})
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, nil)
	deps := r.cs.AppsV1().Deployments(r.ns)
	replicasOwners := func() (owners []string) {
		d, err := deps.Get(ctx, "taskmaster-backend", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range d.ManagedFields {
			if mf.Subresource == "status" {
				continue // status.replicas, the controller's
			}
			if mf.Manager == helm.ScaleFieldManager || (mf.FieldsV1 != nil && strings.Contains(string(mf.FieldsV1.Raw), `"f:replicas"`)) {
				owners = append(owners, mf.Manager+"/"+string(mf.Operation)+"/"+mf.Subresource)
			}
		}
		return owners
	}

	events := make(chan helm.Event, 256)
	atFirstEvent := make(chan int32, 1)
	go func() {
		first := true
		for range events {
			if first {
				first = false
				d, err := deps.Get(ctx, "taskmaster-backend", metav1.GetOptions{})
				if err == nil {
					atFirstEvent <- *d.Spec.Replicas
				}
			}
		}
	}()
	rel, err := r.client.Scale(ctx, helm.Backend, 2, helm.ApplyOptions{Timeout: time.Minute, Events: events})
	close(events)
	if err != nil || rel.Revision != 2 || rel.Replicas[helm.Backend] != 2 {
		t.Fatalf("scale to 2: %+v, %v", rel, err)
	}
	if n := <-atFirstEvent; n != 2 {
		t.Errorf("when Helm's upgrade began, the Deployment had %d replicas; want the new 2 already", n)
	}
	if owners := replicasOwners(); !slices.Equal(owners, []string{"helm/Apply/"}) {
		t.Errorf("after the scale, spec.replicas is owned by %v; want helm/Apply alone", owners)
	}
	r.helmCLI("upgrade", "taskmaster", filepath.Join("..", "..", "charts", "taskmaster"), "--reuse-values", "--set", "backend.replicaCount=3", "--wait", "--timeout", "60s")
	if n := r.replicas(helm.Backend); n != 3 {
		t.Fatalf("after the helm CLI's upgrade: %d backend replicas, want 3", n)
	}

	// Cancelled as soon as the new count is on the Deployment.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for cctx.Err() == nil {
			if sc, err := deps.GetScale(cctx, "taskmaster-backend", metav1.GetOptions{}); err == nil && sc.Spec.Replicas == 1 {
				cancel()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	if _, err := r.client.Scale(cctx, helm.Backend, 1, helm.ApplyOptions{Timeout: time.Minute}); err == nil {
		t.Fatal("a scale cancelled half-way succeeded")
	}
	testenv.Eventually(t, 2*time.Minute, func() error {
		st, err := r.client.Status(ctx)
		if err != nil {
			return err
		}
		if n := r.replicas(helm.Backend); n != 3 || st.Status != helm.StatusDeployed || st.Replicas[helm.Backend] != 3 {
			return fmt.Errorf("after the cancelled scale: %d replicas, release %s with %d", n, st.Status, st.Replicas[helm.Backend])
		}
		return nil
	})
	// (Its direct write took the field from helm, and putting the old count
	// back leaves it with no owner until Helm's next apply claims it: no
	// one to conflict with.)
	if owners := replicasOwners(); len(owners) > 0 && !slices.Equal(owners, []string{"helm/Apply/"}) {
		t.Errorf("after the cancelled scale, spec.replicas is owned by %v; want helm/Apply or no one", owners)
	}
	r.helmCLI("upgrade", "taskmaster", filepath.Join("..", "..", "charts", "taskmaster"), "--reuse-values", "--set", "backend.replicaCount=2", "--wait", "--timeout", "60s")
	if n := r.replicas(helm.Backend); n != 2 {
		t.Fatalf("after the helm CLI's second upgrade: %d backend replicas, want 2", n)
	}
}

// A folder that is not a chart is refused before anything reaches the
// cluster: no release record, no object.
func TestNotAChartIsRefusedOnSandbox(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	notAChart := writeFiles(t, map[string]string{"values.yaml": "backend:\n  replicaCount: 1\n", "templates/deployment.yaml": "kind: Deployment\n"})
	_, err := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: sb.Kubeconfig, Context: sb.Context, Namespace: ns}, ChartDir: notAChart})
	var ce *helm.ChartError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "not a Helm chart") {
		t.Fatalf("New with a folder that is no chart: %v", err)
	}
	secrets, err := cs.CoreV1().Secrets(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil || len(secrets.Items) != 0 {
		t.Errorf("release records in %s: %d (%v)", ns, len(secrets.Items), err)
	}
	deps, err := cs.AppsV1().Deployments(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil || len(deps.Items) != 0 {
		t.Errorf("deployments in %s: %d (%v)", ns, len(deps.Items), err)
	}
}
