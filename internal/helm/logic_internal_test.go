package helm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/kube"
	kubefake "helm.sh/helm/v4/pkg/kube/fake"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes/fake"
)

// These tests run the Helm actions against an in-memory release store and a
// Kubernetes client that applies nothing: they prove this package's logic
// (plans, staleness, bounds, recovery choices). The same workflows are
// proven against the sandbox cluster in sandbox_test.go.

func memoryClient(t *testing.T) (*Client, *storage.Storage) {
	t.Helper()
	c, store, _ := memoryClientWith(t)
	return c, store
}

// strictKubeClient applies nothing, as kubefake.PrintingKubeClient, but
// refuses the update options Helm's real client refuses before it sends
// anything (ForceConflicts with a client-side apply, among others): it
// hands them to Helm's real client with no objects to update. failWaits
// makes the next waits for readiness fail, as an upgrade whose pods never
// become ready.
type strictKubeClient struct {
	kubefake.PrintingKubeClient
	helms     *kube.Client
	failWaits atomic.Int32
}

func newStrictKubeClient(t *testing.T) *strictKubeClient {
	// Never read: there are no objects to send.
	flags := genericclioptions.NewConfigFlags(false)
	nowhere := filepath.Join(t.TempDir(), "no-kubeconfig")
	flags.KubeConfig = &nowhere
	return &strictKubeClient{PrintingKubeClient: kubefake.PrintingKubeClient{Out: io.Discard}, helms: kube.New(flags)}
}

func (k *strictKubeClient) Update(current, target kube.ResourceList, opts ...kube.ClientUpdateOption) (*kube.Result, error) {
	if _, err := k.helms.Update(nil, nil, opts...); err != nil {
		return &kube.Result{}, err
	}
	return k.PrintingKubeClient.Update(current, target, opts...)
}

func (k *strictKubeClient) GetWaiterWithOptions(ws kube.WaitStrategy, opts ...kube.WaitOption) (kube.Waiter, error) {
	w, err := k.PrintingKubeClient.GetWaiterWithOptions(ws, opts...)
	return &failingWaiter{Waiter: w, k: k}, err
}

type failingWaiter struct {
	kube.Waiter
	k *strictKubeClient
}

func (w *failingWaiter) Wait(resources kube.ResourceList, timeout time.Duration) error {
	if w.k.failWaits.Add(-1) >= 0 {
		return errors.New("resource Deployment/tm-memory/taskmaster-backend not ready: context deadline exceeded")
	}
	w.k.failWaits.Store(0)
	return w.Waiter.Wait(resources, timeout)
}

// memoryClientWith is memoryClient, and the Kubernetes client that every
// operation's configuration shares.
func memoryClientWith(t *testing.T) (*Client, *storage.Storage, *strictKubeClient) {
	t.Helper()
	kc := newStrictKubeClient(t)
	mem := driver.NewMemory()
	mem.SetNamespace("tm-memory")
	store := storage.Init(mem)
	logger := slog.New(slog.DiscardHandler)
	c := &Client{release: DefaultReleaseName, namespace: "tm-memory", logger: logger, mutating: make(chan struct{}, 1), scaling: make(chan struct{}, 1), now: time.Now}
	c.newConfig = func() (*action.Configuration, error) {
		cfg := action.NewConfiguration(action.ConfigurationSetLogger(logger.Handler()))
		cfg.Releases = store
		cfg.KubeClient = kc
		caps := common.DefaultCapabilities.Copy()
		caps.KubeVersion = common.KubeVersion{Version: "v1.36.3", Major: "1", Minor: "36"}
		cfg.Capabilities = caps
		return cfg, nil
	}
	return c, store, kc
}

func mustInstall(t *testing.T, c *Client, o Overrides) *Release {
	t.Helper()
	rel, err := c.Install(t.Context(), InstallOptions{Overrides: o})
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// applier returns apply, which applies what a Plan* call returns:
// apply(c.PlanUpgrade(ctx, o)).
func applier(t *testing.T, c *Client) func(*Plan, error) *Release {
	return func(p *Plan, err error) *Release {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		rel, err := c.Apply(t.Context(), p, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return rel
	}
}

func TestInstallThenUpgradePlanShowsOnlyWhatChanges(t *testing.T) {
	c, _ := memoryClient(t)
	apply := applier(t, c)
	events := make(chan Event, 16)
	rel, err := c.Install(t.Context(), InstallOptions{ApplyOptions: ApplyOptions{Events: events}})
	if err != nil {
		t.Fatal(err)
	}
	if rel.Revision != 1 || rel.Status != StatusDeployed || rel.Images[Backend] != "taskmaster-backend:1.0.0" || rel.Replicas[Backend] != 1 {
		t.Errorf("installed %+v", rel)
	}
	close(events)
	var steps []Step
	for ev := range events {
		steps = append(steps, ev.Step)
	}
	if !slices.Contains(steps, StepStart) || steps[len(steps)-1] != StepDone {
		t.Errorf("install events: %v", steps)
	}

	p, err := c.PlanUpgrade(t.Context(), Overrides{Config: map[Component]map[string]string{Backend: {"APP_ENV": "staging"}}})
	if err != nil {
		t.Fatal(err)
	}
	cm := p.Diff.Find("ConfigMap", "taskmaster-backend")
	if cm == nil || !strings.Contains(cm.Unified, "+  APP_ENV: staging") {
		t.Fatalf("plan diff lacks the ConfigMap change:\n%s", p.Diff)
	}
	// The backend's pods roll (their template carries the config's checksum);
	// nothing of the frontend changes.
	if p.Diff.Find("Deployment", "taskmaster-backend") == nil || p.Diff.Find("Deployment", "taskmaster-frontend") != nil {
		t.Errorf("plan diff objects: %s", p.Diff.Summary())
	}
	if p.From.Revision != 1 || p.Op != OpUpgrade {
		t.Errorf("plan from %d op %s", p.From.Revision, p.Op)
	}
	up := apply(p, nil)
	if up.Revision != 2 || up.Status != StatusDeployed {
		t.Errorf("upgraded to %+v", up)
	}
	vals, err := c.Values(t.Context(), 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if env, _ := stringAt(vals, "backend", "config", "APP_ENV"); env != "staging" {
		t.Errorf("revision 2's values: %v", vals)
	}

	// The plan was made from revision 1: applying it again is refused.
	if _, err := c.Apply(t.Context(), p, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "plan it again") {
		t.Errorf("a stale plan was applied: %v", err)
	}
	// Upgrades reuse values: an unrelated change keeps APP_ENV.
	apply(c.PlanUpgrade(t.Context(), Overrides{ImageTags: map[Component]string{Frontend: "1.0.1"}}))
	vals, _ = c.Values(t.Context(), 0, true)
	if env, _ := stringAt(vals, "backend", "config", "APP_ENV"); env != "staging" {
		t.Errorf("revision 3 lost APP_ENV: %v", vals["backend"])
	}
}

func TestInstallRefusesAnInstalledOrStuckRelease(t *testing.T) {
	c, store := memoryClient(t)
	mustInstall(t, c, Overrides{})
	if _, err := c.Install(t.Context(), InstallOptions{}); err == nil || !strings.Contains(err.Error(), "upgrade it instead") {
		t.Errorf("second install: %v", err)
	}
	markLast(t, store, rcommon.StatusPendingUpgrade)
	var stuck *StuckError
	if _, err := c.Install(t.Context(), InstallOptions{}); !errors.As(err, &stuck) || stuck.Stuck.RollbackTo != 0 {
		// Revision 1 itself is the pending one here: nothing before it.
		t.Errorf("install over a stuck release: %v", err)
	}
	if _, err := c.PlanUpgrade(t.Context(), Overrides{}); !errors.As(err, &stuck) {
		t.Errorf("upgrade of a stuck release: %v", err)
	}
}

// markLast rewrites the latest revision's status, as a process killed
// mid-operation leaves it.
func markLast(t *testing.T, store *storage.Storage, st rcommon.Status) {
	t.Helper()
	r, err := store.Last(DefaultReleaseName)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := asV1(r)
	rel.Info.Status = st
	if err := store.Update(rel); err != nil {
		t.Fatal(err)
	}
}

func TestScaleIsAnUpgradeWithinTheChartsBounds(t *testing.T) {
	c, _ := memoryClient(t)
	apply := applier(t, c)
	mustInstall(t, c, Overrides{})
	rel, err := c.Scale(t.Context(), Backend, 3, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rel.Revision != 2 || rel.Replicas[Backend] != 3 || rel.Replicas[Frontend] != 1 || !strings.Contains(rel.Description, "Scale backend to 3") {
		t.Errorf("after scale: %+v", rel)
	}
	if b, err := c.ReplicaBounds(t.Context(), Frontend); err != nil || b != (Bounds{Min: 1, Max: 3}) {
		t.Errorf("bounds from the chart's schema: %+v, %v", b, err)
	}
	// At the bound, and past it: a clear refusal, nothing recorded.
	var be *BoundsError
	if _, err := c.Scale(t.Context(), Backend, 4, ApplyOptions{}); !errors.As(err, &be) || be.Bounds != (Bounds{1, 3}) || !strings.Contains(err.Error(), "at most 3") {
		t.Errorf("scale to 4: %v", err)
	}
	if _, err := c.Scale(t.Context(), Frontend, 0, ApplyOptions{}); !errors.As(err, &be) || !strings.Contains(err.Error(), "at least 1") {
		t.Errorf("scale to 0: %v", err)
	}
	if _, err := c.Scale(t.Context(), "database", 1, ApplyOptions{}); err == nil {
		t.Error("scaled an unknown component")
	}
	// The count in force: no new revision.
	same, err := c.Scale(t.Context(), Backend, 3, ApplyOptions{})
	if err != nil || same.Revision != 2 {
		t.Errorf("scale to the same count: %+v, %v", same, err)
	}
	// An upgrade keeps the count.
	up := apply(c.PlanUpgrade(t.Context(), Overrides{ImageTags: map[Component]string{Backend: "1.0.1"}}))
	if up.Replicas[Backend] != 3 || up.Images[Backend] != "taskmaster-backend:1.0.1" {
		t.Errorf("after upgrade: %+v", up)
	}
	// Install-time overrides are bounded too.
	c2, _ := memoryClient(t)
	if _, err := c2.Install(t.Context(), InstallOptions{Overrides: Overrides{Replicas: map[Component]int{Frontend: 9}}}); !errors.As(err, &be) {
		t.Errorf("install with 9 replicas: %v", err)
	}
}

func TestRollbackKeepsTheReplicaCountsThatRun(t *testing.T) {
	c, _ := memoryClient(t)
	apply := applier(t, c)
	mustInstall(t, c, Overrides{})                                                                  // 1: backend 1.0.0, 1 replica
	apply(c.PlanUpgrade(t.Context(), Overrides{ImageTags: map[Component]string{Backend: "1.0.1"}})) // 2
	if _, err := c.Scale(t.Context(), Backend, 2, ApplyOptions{}); err != nil {                     // 3: 2 replicas
		t.Fatal(err)
	}

	p, err := c.PlanRollback(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	dep := p.Diff.Find("Deployment", "taskmaster-backend")
	if dep == nil || !strings.Contains(dep.Unified, "-        image: taskmaster-backend:1.0.1") || strings.Contains(dep.Unified, "replicas:") {
		t.Errorf("rollback diff: the image goes back, the replica count stays:\n%s", p.Diff)
	}
	if p.mode != modeUpgradeExact || p.To != 1 || !strings.Contains(strings.Join(p.Notes, "\n"), "backend keeps its 2 replicas") {
		t.Errorf("plan mode %d to %d notes %q", p.mode, p.To, p.Notes)
	}
	rel := apply(p, nil)
	if rel.Revision != 4 || rel.RollbackOf != 1 || rel.Replicas[Backend] != 2 || rel.Images[Backend] != "taskmaster-backend:1.0.0" || !strings.HasPrefix(rel.Description, "Rollback to 1, keeping replicas backend=2") {
		t.Errorf("after rollback: %+v", rel)
	}

	// Same counts on both sides: a plain Helm rollback.
	p, err = c.PlanRollback(t.Context(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.mode != modeRollback {
		t.Errorf("rollback to a revision with the same counts is mode %d", p.mode)
	}
	rel = apply(p, nil)
	if rel.Revision != 5 || rel.RollbackOf != 3 || rel.Images[Backend] != "taskmaster-backend:1.0.1" {
		t.Errorf("after plain rollback: %+v", rel)
	}
	if _, err := c.PlanRollback(t.Context(), 5); err == nil || !strings.Contains(err.Error(), "the one running") {
		t.Errorf("rollback to the running revision: %v", err)
	}
	if _, err := c.PlanRollback(t.Context(), 9); err == nil || !strings.Contains(err.Error(), "revisions 1 to 5") {
		t.Errorf("rollback to a missing revision: %v", err)
	}
}

func TestStuckInstallIsUninstalledAndStuckUpgradeRolledBack(t *testing.T) {
	c, store := memoryClient(t)
	apply := applier(t, c)
	if s, err := c.DetectStuck(t.Context()); s != nil || err != nil {
		t.Errorf("nothing installed: %+v, %v", s, err)
	}
	mustInstall(t, c, Overrides{})
	if s, err := c.DetectStuck(t.Context()); s != nil || err != nil {
		t.Errorf("a deployed release is stuck: %+v, %v", s, err)
	}

	markLast(t, store, rcommon.StatusPendingInstall)
	s, err := c.DetectStuck(t.Context())
	if err != nil || s == nil || s.Release.Status != StatusPendingInstall || s.RollbackTo != 0 || !strings.HasPrefix(s.Plan, "uninstall") {
		t.Fatalf("pending-install: %+v, %v", s, err)
	}
	after, err := c.Recover(t.Context(), ApplyOptions{})
	if err != nil || after != nil {
		t.Fatalf("recover pending-install: %+v, %v", after, err)
	}
	if _, err := c.Status(t.Context()); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("after recovery: %v", err)
	}

	mustInstall(t, c, Overrides{})
	apply(c.PlanUpgrade(t.Context(), Overrides{Replicas: map[Component]int{Frontend: 2}}))
	// Revision 2 becomes a pending-upgrade, with revision 1 still deployed as
	// a killed upgrade leaves them.
	markLast(t, store, rcommon.StatusPendingUpgrade)
	r1, _ := store.Get(DefaultReleaseName, 1)
	rel1, _ := asV1(r1)
	rel1.Info.Status = rcommon.StatusDeployed
	_ = store.Update(rel1)

	s, err = c.DetectStuck(t.Context())
	if err != nil || s == nil || s.RollbackTo != 1 || s.Release.Revision != 2 {
		t.Fatalf("pending-upgrade: %+v, %v", s, err)
	}
	var stuckErr *StuckError
	if _, err := c.PlanRollback(t.Context(), 1); !errors.As(err, &stuckErr) || !strings.Contains(err.Error(), "roll back to revision 1") {
		t.Errorf("planning over a stuck release: %v", err)
	}
	after, err = c.Recover(t.Context(), ApplyOptions{})
	if err != nil || after == nil || after.Revision != 3 || after.Status != StatusDeployed || after.RollbackOf != 1 {
		t.Fatalf("recover pending-upgrade: %+v, %v", after, err)
	}
	hist, _ := c.History(t.Context())
	if len(hist) != 3 || hist[1].Status != StatusFailed || !strings.Contains(hist[1].Description, "Interrupted") {
		t.Errorf("history after recovery: %+v", hist)
	}
	if s, _ := c.DetectStuck(t.Context()); s != nil {
		t.Errorf("still stuck: %+v", s)
	}
}

// madeByHelm3 rewrites every revision as the Helm 3 CLI records it: with no
// apply method, which Helm v4 reads as client-side apply.
func madeByHelm3(t *testing.T, store *storage.Storage) {
	t.Helper()
	all, err := store.History(DefaultReleaseName)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		rel, _ := asV1(r)
		rel.ApplyMethod = ""
		if err := store.Update(rel); err != nil {
			t.Fatal(err)
		}
	}
}

// appliedWith is how Helm recorded that revision's objects were applied.
func appliedWith(t *testing.T, store *storage.Storage, revision int) string {
	t.Helper()
	r, err := store.Get(DefaultReleaseName, revision)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := asV1(r)
	return rel.ApplyMethod
}

// Every change tmtui makes to a release whose revisions were applied
// client-side (made by Helm 3) applies server-side and forces conflicts.
// With Helm's default "auto", each of them was refused: "forceConflicts
// enabled when serverSideApply disabled".
func TestChangesToAReleaseMadeClientSideApplyServerSide(t *testing.T) {
	c, store, kc := memoryClientWith(t)
	apply := applier(t, c)
	ctx := t.Context()
	mustInstall(t, c, Overrides{}) // 1
	step := func(name string, want int, rel *Release, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rel.Revision != want || rel.Status != StatusDeployed {
			t.Fatalf("%s: revision %d %s, want %d deployed", name, rel.Revision, rel.Status, want)
		}
		if m := appliedWith(t, store, want); m != "ssa" {
			t.Errorf("%s: revision %d applied with %q, want ssa", name, want, m)
		}
		madeByHelm3(t, store) // and the next change starts from client-side revisions again
	}
	madeByHelm3(t, store)

	step("upgrade", 2, apply(c.PlanUpgrade(ctx, Overrides{ImageTags: map[Component]string{Backend: "1.0.1"}})), nil)
	rel, err := c.Scale(ctx, Backend, 2, ApplyOptions{})
	step("scale", 3, rel, err)
	p, err := c.PlanRollback(ctx, 1)
	if err != nil || p.mode != modeUpgradeExact {
		t.Fatalf("rollback to 1 keeping 2 replicas: %+v, %v", p, err)
	}
	step("rollback as an upgrade", 4, apply(p, nil), nil)
	p, err = c.PlanRollback(ctx, 3)
	if err != nil || p.mode != modeRollback {
		t.Fatalf("plain rollback to 3: %+v, %v", p, err)
	}
	step("plain rollback", 5, apply(p, nil), nil)

	// A killed upgrade (6) over the deployed 5.
	apply(c.PlanUpgrade(ctx, Overrides{ImageTags: map[Component]string{Backend: "1.0.2"}}))
	markLast(t, store, rcommon.StatusPendingUpgrade)
	r5, _ := store.Get(DefaultReleaseName, 5)
	rel5, _ := asV1(r5)
	rel5.Info.Status = rcommon.StatusDeployed
	if err := store.Update(rel5); err != nil {
		t.Fatal(err)
	}
	madeByHelm3(t, store)
	rel, err = c.Recover(ctx, ApplyOptions{})
	step("recovery", 7, rel, err)
	if rel.RollbackOf != 5 {
		t.Errorf("recovery rolled back to %d, want 5", rel.RollbackOf)
	}

	// An upgrade that never becomes ready (8): Helm's own rollback of it
	// (9) inherits the apply method.
	kc.failWaits.Store(1)
	p, err = c.PlanUpgrade(ctx, Overrides{ImageTags: map[Component]string{Backend: "unready"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Apply(ctx, p, ApplyOptions{})
	var opErr *OperationError
	if !errors.As(err, &opErr) || !opErr.RolledBack || opErr.RolledBackTo != 7 || opErr.After == nil || opErr.After.Revision != 9 {
		t.Fatalf("a failed upgrade: %v (%+v), want it rolled back to 7 as revision 9", err, opErr)
	}
	for rev, want := range map[int]string{8: "ssa", 9: "ssa"} {
		if m := appliedWith(t, store, rev); m != want {
			t.Errorf("revision %d applied with %q, want %s", rev, m, want)
		}
	}
}

func TestValuesAndManifestHideSecretValues(t *testing.T) {
	c, store := memoryClient(t)
	mustInstall(t, c, Overrides{})
	// A release made with secrets.create=true (by the helm CLI, say): its
	// values hold the secrets; tmtui never shows them.
	r, _ := store.Last(DefaultReleaseName)
	rel, _ := asV1(r)
	rel.Config = map[string]any{"secrets": map[string]any{"create": true, "values": map[string]any{"jwtSecret": "fixture-jwt-value", "geminiApiKey": ""}}}
	rel.Manifest += "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: taskmaster-secret\ndata:\n  jwt-secret: Zml4dHVyZS1qd3QtdmFsdWU=\n"
	_ = store.Update(rel)
	for _, all := range []bool{false, true} {
		vals, err := c.Values(t.Context(), 1, all)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(vals)
		if strings.Contains(string(data), "fixture-jwt-value") || !strings.Contains(string(data), `"jwtSecret":"(hidden)"`) {
			t.Errorf("values (all=%v): %s", all, data)
		}
	}
	m, err := c.Manifest(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m, "Zml4dHVyZS1qd3QtdmFsdWU=") || !strings.Contains(m, "jwt-secret: (hidden)") || !strings.Contains(m, "kind: Deployment") {
		t.Errorf("manifest:\n%s", m)
	}
	notes, err := c.Notes(t.Context(), 1)
	if err != nil || !strings.Contains(notes, "tm-memory") {
		t.Errorf("notes: %q, %v", notes, err)
	}
}

func TestOperationsStopWaitingForTheLockWithTheirContext(t *testing.T) {
	c, _ := memoryClient(t)
	unlock, err := c.lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Install(ctx, InstallOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("install while another operation runs: %v", err)
	}
	done, cancelDone := context.WithCancel(t.Context())
	cancelDone()
	if _, err := c.History(done); !errors.Is(err, context.Canceled) {
		t.Errorf("history with a cancelled context: %v", err)
	}
}

func readPodFixture(t *testing.T, name string) []corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pods", name))
	if err != nil {
		t.Fatal(err)
	}
	var list corev1.PodList
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func TestFailingPodsAreTheNotReadyOnesWithReasonsFirst(t *testing.T) {
	var states []PodState
	for i := range readPodFixture(t, "upgrade-to-crashloop.json") {
		pods := readPodFixture(t, "upgrade-to-crashloop.json")
		states = append(states, podStateOf(&pods[i]))
	}
	failing := failingPods(states)
	var got []string
	for _, p := range failing {
		got = append(got, p.Name+": "+p.Problem())
	}
	want := []string{
		"taskmaster-backend-7c4b1-new: CrashLoopBackOff (container backend, 4 restarts, image taskmaster-backend:crashloop)",
		"taskmaster-frontend-5f5f-pending: Unschedulable (image taskmaster-frontend:1.0.1)",
		"taskmaster-frontend-5f5f-unready: running but not Ready (image taskmaster-frontend:unready)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("failing pods:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := waitSummary(states); s != "backend 1/2 ready, frontend 0/2 ready, test 0/1 ready; taskmaster-backend-7c4b1-new: CrashLoopBackOff, taskmaster-frontend-5f5f-pending: Unschedulable" {
		t.Errorf("summary: %q", s)
	}

	err := &OperationError{Op: OpUpgrade, Release: "taskmaster", Revision: 2, Pods: failing[:1], RolledBack: true, RolledBackTo: 1,
		After: &Release{Revision: 3, Status: StatusDeployed}, Err: errors.New("context deadline exceeded\nmore")}
	want1 := "upgrade of taskmaster (revision 2) failed; pod taskmaster-backend-7c4b1-new: CrashLoopBackOff (container backend, 4 restarts, image taskmaster-backend:crashloop); the release was rolled back to revision 1 (now revision 3, deployed) (helm: context deadline exceeded ...)"
	if err.Error() != want1 {
		t.Errorf("error:\n%s\nwant\n%s", err, want1)
	}
	// Helm's rollback failed too: the error says so, and what stands.
	err.RolledBack, err.After = false, &Release{Revision: 3, Status: StatusFailed, RollbackOf: 1}
	if !strings.Contains(err.Error(), "rolling back to revision 1 failed too: the release is failed at revision 3") {
		t.Errorf("error after a failed rollback: %s", err)
	}
	inst := &OperationError{Op: OpInstall, Release: "taskmaster", Revision: 1, Pods: failing[:1], RolledBack: true}
	if !strings.HasPrefix(inst.Error(), "install of taskmaster failed; pod taskmaster-backend-7c4b1-new: CrashLoopBackOff") || !strings.Contains(inst.Error(), "uninstalled, nothing of it is left") {
		t.Errorf("install error: %s", inst)
	}
}

// The recorder remembers why a pod failed after Helm's rollback has taken
// its container statuses away and deleted it.
func TestPodRecorderKeepsTheReasonOfADeletedPod(t *testing.T) {
	pods := readPodFixture(t, "upgrade-to-crashloop.json")
	crash := pods[1].DeepCopy()
	crash.Namespace = "tm"
	crash.Labels["app.kubernetes.io/instance"] = "taskmaster"
	cs := fake.NewClientset()
	events := make(chan Event, 64)
	em := emitter{ch: events, op: OpUpgrade, now: time.Now, logger: slog.New(slog.DiscardHandler)}
	r := startPodRecorder(t.Context(), cs, "tm", "taskmaster", em)
	ctx := t.Context()
	if _, err := cs.CoreV1().Pods("tm").Create(ctx, crash, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(r.snapshot()) == 1 && r.snapshot()[0].Reason == "CrashLoopBackOff" })
	going := crash.DeepCopy()
	going.Status.ContainerStatuses = nil
	now := metav1.Now()
	going.DeletionTimestamp = &now
	if _, err := cs.CoreV1().Pods("tm").Update(ctx, going, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().Pods("tm").Delete(ctx, crash.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { s := r.snapshot(); return len(s) == 1 && s[0].Deleted })
	seen := r.finish()
	if len(seen) != 1 || seen[0].Reason != "CrashLoopBackOff" || seen[0].Restarts != 4 || !seen[0].Deleted {
		t.Errorf("recorded %+v", seen)
	}
	if f := failingPods(seen); len(f) != 1 {
		t.Errorf("the deleted crashing pod is not blamed: %+v", f)
	}
	select {
	case ev := <-events:
		if ev.Step != StepWait || len(ev.Pods) == 0 {
			t.Errorf("event %+v", ev)
		}
	case <-time.After(time.Minute):
		t.Error("no progress event about the pods")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStatusValuesMirrorHelms(t *testing.T) {
	for _, pair := range [][2]string{
		{string(StatusDeployed), rcommon.StatusDeployed.String()}, {string(StatusFailed), rcommon.StatusFailed.String()},
		{string(StatusPendingInstall), rcommon.StatusPendingInstall.String()}, {string(StatusPendingUpgrade), rcommon.StatusPendingUpgrade.String()},
		{string(StatusPendingRollback), rcommon.StatusPendingRollback.String()}, {string(StatusSuperseded), rcommon.StatusSuperseded.String()},
		{string(StatusUninstalling), rcommon.StatusUninstalling.String()}, {string(StatusUninstalled), rcommon.StatusUninstalled.String()},
	} {
		if pair[0] != pair[1] {
			t.Errorf("status %q is %q in Helm", pair[0], pair[1])
		}
	}
	if !StatusPendingRollback.Pending() || StatusFailed.Pending() {
		t.Error("Pending is wrong")
	}
}

// Scale leaves the old count alone only when the API server said it did not
// write: after a timeout or a request cut off in flight, the write may have
// happened, and a failed scale must put the old count back.
func TestRefusedTellsAnAnswerFromAnUnknownOutcome(t *testing.T) {
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{apierrors.NewNotFound(gr, "taskmaster-backend"), true},
		{apierrors.NewForbidden(gr, "taskmaster-backend", errors.New("no")), true},
		{fmt.Errorf("scale: %w", apierrors.NewConflict(gr, "taskmaster-backend", errors.New("changed"))), true},
		{apierrors.NewTimeoutError("slow", 1), false},
		{apierrors.NewServerTimeout(gr, "update", 1), false},
		{context.Canceled, false},
		{&url.Error{Op: "Put", URL: "https://127.0.0.1:6443", Err: context.DeadlineExceeded}, false},
	} {
		if got := refused(c.err); got != c.want {
			t.Errorf("refused(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// Two scales asked at once (+ on the backend, then at once on the frontend)
// run one after the other, whole: each plans from what the other left, so
// neither is refused as planned on an old revision and neither undoes the
// other's count.
func TestScalesAskedAtOnceRunOneAfterTheOther(t *testing.T) {
	c, _ := memoryClient(t)
	applier(t, c)
	mustInstall(t, c, Overrides{})
	errs := make(chan error, 2)
	for _, comp := range []Component{Backend, Frontend} {
		go func() {
			_, err := c.Scale(t.Context(), comp, 2, ApplyOptions{})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a scale asked beside another: %v", err)
		}
	}
	st, err := c.Status(t.Context())
	if err != nil || st.Revision != 3 || st.Replicas[Backend] != 2 || st.Replicas[Frontend] != 2 {
		t.Errorf("after both scales: revision %d, replicas %v (%v); want revision 3 with 2 backends and 2 frontends", st.Revision, st.Replicas, err)
	}
}
