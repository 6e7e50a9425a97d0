package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/dialog"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// fakeOps is a release that can be changed: it records every call and
// answers like the engine (internal/helm), with progress.
type fakeOps struct {
	fakeRelease
	mu        sync.Mutex
	installed bool
	state     string
	calls     []string
	changes   []release.Change
	applied   []release.Plan
	fail      error // the next operation's error
}

func newOps() *fakeOps { return &fakeOps{installed: true, state: "deployed"} }

func (f *fakeOps) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeOps) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeOps) Status(ctx context.Context) (release.Status, error) {
	f.mu.Lock()
	installed, state := f.installed, f.state
	f.mu.Unlock()
	if !installed {
		return release.Status{Name: "taskmaster"}, nil
	}
	st, err := f.fakeRelease.Status(ctx)
	st.State = state
	return st, err
}

func (f *fakeOps) Current(context.Context) (release.Settings, error) {
	f.record("current")
	return release.Settings{
		Tags:        map[string]string{"backend": "1.2.0", "frontend": "1.2.0"},
		Replicas:    map[string]int{"backend": 1, "frontend": 1},
		Config:      map[string]map[string]string{"backend": {"APP_ENV": "production"}, "frontend": {}},
		MinReplicas: 1, MaxReplicas: 3,
	}, nil
}

func (f *fakeOps) Install(_ context.Context, c release.Change, ev chan<- release.Progress) (string, error) {
	f.record("install")
	f.mu.Lock()
	f.changes = append(f.changes, c)
	f.installed = true
	f.mu.Unlock()
	ev <- release.Progress{Step: "wait", Message: "waiting for the pods", Pods: []release.PodProgress{{Name: "taskmaster-backend-abc", Phase: "Pending"}}}
	return "installed taskmaster: revision 1 deployed, every pod Ready", nil
}

func (f *fakeOps) PlanUpgrade(_ context.Context, c release.Change) (release.Plan, error) {
	f.record("plan-upgrade")
	f.mu.Lock()
	f.changes = append(f.changes, c)
	f.mu.Unlock()
	return release.Plan{Op: "upgrade", From: 3, Unchanged: 6, Token: "upgrade-token", Objects: []dialog.DiffObject{{
		Name: "Deployment/taskmaster-backend", Change: "changed",
		Unified: "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-        image: taskmaster-backend:1.2.0\n+        image: taskmaster-backend:" + c.Tags["backend"] + "\n",
	}}}, nil
}

func (f *fakeOps) PlanRollback(_ context.Context, rev int) (release.Plan, error) {
	f.record("plan-rollback")
	return release.Plan{Op: "rollback", From: 3, To: rev, Unchanged: 6, Token: "rollback-token", Notes: []string{"replica counts stay as they run now: backend 1"},
		Objects: []dialog.DiffObject{{Name: "ConfigMap/taskmaster-backend", Change: "changed", Unified: "-  APP_ENV: staging\n+  APP_ENV: production\n"}}}, nil
}

func (f *fakeOps) Apply(_ context.Context, p release.Plan, ev chan<- release.Progress) (string, error) {
	f.record("apply " + p.Token.(string))
	f.mu.Lock()
	f.applied = append(f.applied, p)
	err := f.fail
	f.mu.Unlock()
	ev <- release.Progress{Step: "wait", Message: "waiting for the rollout", Pods: []release.PodProgress{
		{Name: "taskmaster-backend-new", Phase: "Running", Problem: "CrashLoopBackOff (container backend)"},
		{Name: "taskmaster-backend-old", Ready: true, Phase: "Running"}}}
	if err != nil {
		return "", err
	}
	return "upgraded taskmaster: revision 4 deployed, every pod Ready", nil
}

func (f *fakeOps) Uninstall(context.Context, chan<- release.Progress) (string, error) {
	f.record("uninstall")
	f.mu.Lock()
	f.installed = false
	f.mu.Unlock()
	return "uninstalled taskmaster", nil
}

func (f *fakeOps) Test(context.Context, chan<- release.Progress) (string, error) {
	f.record("test")
	return "helm test passed: taskmaster-test-health", nil
}

func (f *fakeOps) Stuck(context.Context) (*release.Stuck, error) {
	f.record("stuck")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.HasPrefix(f.state, "pending-") {
		return nil, nil
	}
	return &release.Stuck{Revision: 4, State: f.state, Since: clock.Add(-3 * time.Minute), Plan: "roll back to revision 3"}, nil
}

func (f *fakeOps) Recover(context.Context, chan<- release.Progress) (string, error) {
	f.record("recover")
	f.mu.Lock()
	f.state = "deployed"
	f.mu.Unlock()
	return "recovered taskmaster: revision 5 deployed", nil
}

// opsWorld is the fake world with a release that can be changed, the
// Release pane focused.
func opsWorld(t *testing.T, ops *fakeOps) (*world, *root) {
	t.Helper()
	w := newWorld()
	w.release = ops
	r := w.connected(t, 120, 40)
	r.press("2")
	return w, r
}

func typeText(r *root, s string) {
	for _, k := range uitest.Type(s) {
		r.Update(k)
	}
}

func TestUpgradeIsFormThenDiffThenConfirmThenProgress(t *testing.T) {
	ops := newOps()
	_, r := opsWorld(t, ops)
	r.press("u")
	if len(r.m.dialogs) != 1 || !strings.Contains(r.screen(), "Upgrade taskmaster") || !strings.Contains(r.screen(), "backend image tag") {
		t.Fatalf("u did not open the upgrade form:\n%s", r.screen())
	}
	r.press("ctrl+u")
	typeText(r, "1.3.0")
	r.press("enter")
	if got := ops.Calls(); !slicesContain(got, "plan-upgrade") || slicesContain(got, "apply upgrade-token") {
		t.Fatalf("enter on the form: calls %v (a plan, and nothing applied yet)", got)
	}
	if c := ops.changes[0]; c.Tags["backend"] != "1.3.0" || len(c.Tags) != 1 || len(c.Replicas) != 0 || len(c.Config) != 0 {
		t.Errorf("the change asked for = %+v; only the backend tag changed", c)
	}
	scr := r.screen()
	for _, want := range []string{"Upgrade taskmaster (revision 3)", "1 changed, 6 unchanged", "~ changed Deployment/taskmaster-backend",
		"+        image: taskmaster-backend:1.3.0", "y/enter apply"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the diff lacks %q:\n%s", want, scr)
		}
	}
	r.press("y")
	if got := ops.Calls(); !slicesContain(got, "apply upgrade-token") {
		t.Fatalf("y did not apply: %v", got)
	}
	if len(r.m.dialogs) != 0 || len(r.m.tasks) != 0 {
		t.Errorf("dialogs %d tasks %d left after the upgrade", len(r.m.dialogs), len(r.m.tasks))
	}
	if scr := r.screen(); !strings.Contains(scr, "✓ upgraded taskmaster: revision 4 deployed") {
		t.Errorf("the result is not shown:\n%s", scr)
	}
}

func TestUpgradeProgressNamesFailingPods(t *testing.T) {
	ops := newOps()
	ops.fail = errors.New("upgrade of taskmaster (revision 4) failed; pod taskmaster-backend-new: CrashLoopBackOff (container backend); the release was rolled back to revision 3")
	_, r := opsWorld(t, ops)
	r.press("u", "enter")
	// Progress arrives while the action runs: run it step by step.
	act := uitest.Run(t, r.Update(uitest.Key("y")))
	if len(act) != 1 {
		t.Fatalf("y gave %d messages", len(act))
	}
	msgs := uitest.Run(t, r.Update(act[0]))
	var done []any
	for _, msg := range msgs {
		if _, ok := msg.(taskDoneMsg); ok {
			done = append(done, msg)
			continue
		}
		r.d.Start(r.Update(msg))
	}
	// The task runs until its end is handed over below, and its spinner
	// with it: wait for the progress, not for every command.
	r.until(nil, "the upgrade's live progress", func() bool {
		scr := r.screen()
		return strings.Contains(scr, "▶ upgrade release taskmaster") && strings.Contains(scr, "✗ taskmaster-backend-new CrashLoopBackOff") &&
			strings.Contains(scr, "1/2 pods ready")
	})
	for _, d := range done {
		r.settle(r.Update(d))
	}
	scr := r.screen()
	if !strings.Contains(scr, "✗ upgrade of taskmaster (revision 4) failed; pod taskmaster-backend-new: CrashLoopBackOff") {
		t.Errorf("the failure and its pod are not shown:\n%s", scr)
	}
	if r.m.status.kind != statusError {
		t.Errorf("a failed upgrade is not an error in the status line: %+v", r.m.status)
	}
}

func TestUpgradeCancelledAtTheDiffChangesNothing(t *testing.T) {
	for _, k := range []string{"n", "esc"} {
		ops := newOps()
		_, r := opsWorld(t, ops)
		r.press("u", "enter", k)
		if slicesContain(ops.Calls(), "apply upgrade-token") || len(r.m.dialogs) != 0 {
			t.Errorf("%s at the diff applied or stayed open: %v", k, ops.Calls())
		}
		if !strings.Contains(r.screen(), "nothing was changed") {
			t.Errorf("%s: no word that nothing changed:\n%s", k, r.screen())
		}
	}
	ops := newOps()
	_, r := opsWorld(t, ops)
	r.press("u", "esc")
	if slicesContain(ops.Calls(), "plan-upgrade") || len(r.m.dialogs) != 0 {
		t.Errorf("esc on the form planned or stayed open: %v", ops.Calls())
	}
}

func TestUpgradeFormRefusesBadValues(t *testing.T) {
	ops := newOps()
	_, r := opsWorld(t, ops)
	r.press("u")
	cases := []struct {
		field int
		text  string
		want  string
	}{
		{0, "-bad", `"-" cannot be in a tag`},
		{0, "", "a tag is needed"},
		{2, "9", "a whole number from 1 to 3"},
		{3, "zero", "a whole number from 1 to 3"},
		{4, "APP_ENV", `"APP_ENV" is not KEY=value`},
		{4, "bad key=1", `"bad key" is not a setting name`},
	}
	for _, c := range cases {
		f := r.m.dialogs[0].(*dialog.Form)
		for f.Cursor() != c.field {
			r.press("tab")
		}
		r.press("ctrl+u")
		typeText(r, c.text)
		r.press("enter")
		if len(r.m.dialogs) != 1 || !strings.Contains(r.screen(), c.want) {
			t.Errorf("%q in field %d: want %q shown and the form kept:\n%s", c.text, c.field, c.want, r.screen())
		}
		r.press("ctrl+u")
		typeText(r, []string{"1.2.0", "1.2.0", "1", "1", "APP_ENV=production", ""}[c.field])
	}
	if slicesContain(ops.Calls(), "plan-upgrade") {
		t.Errorf("a bad form was planned: %v", ops.Calls())
	}
}

func TestRollbackPicksTheSelectedRevisionAndShowsItsDiff(t *testing.T) {
	ops := newOps()
	_, r := opsWorld(t, ops)
	r.press("b")
	if slicesContain(ops.Calls(), "plan-rollback") || !strings.Contains(r.screen(), "revision 3 is the one running") {
		t.Fatalf("b on the running revision:\n%s", r.screen())
	}
	r.press("down", "b")
	scr := r.screen()
	for _, want := range []string{"Roll back taskmaster to revision 2", "From revision 3 back to the content of revision 2, as a new revision 4",
		"! replica counts stay as they run now", "+  APP_ENV: production"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the rollback diff lacks %q:\n%s", want, scr)
		}
	}
	r.press("y")
	if !slicesContain(ops.Calls(), "apply rollback-token") || ops.applied[0].To != 2 {
		t.Errorf("y did not roll back to 2: %v", ops.Calls())
	}
}

func TestUninstallAsksForTheReleaseNameTyped(t *testing.T) {
	ops := newOps()
	_, r := opsWorld(t, ops)
	r.press("D")
	if r.m.dialog == nil || r.m.dialog.Require != "taskmaster" || !strings.Contains(r.screen(), "type taskmaster to confirm") {
		t.Fatalf("D did not ask for the name:\n%s", r.screen())
	}
	typeText(r, "taskmastr")
	r.press("enter")
	if slicesContain(ops.Calls(), "uninstall") || r.m.dialog == nil {
		t.Fatal("a wrong name uninstalled")
	}
	r.press("esc")
	if r.m.dialog != nil || slicesContain(ops.Calls(), "uninstall") {
		t.Fatal("esc did not cancel")
	}
	r.press("D")
	typeText(r, "taskmaster")
	r.press("enter")
	if !slicesContain(ops.Calls(), "uninstall") {
		t.Fatalf("the typed name did not uninstall: %v", ops.Calls())
	}
	if !strings.Contains(r.screen(), "release taskmaster is not installed") {
		t.Errorf("the pane does not show the release gone:\n%s", r.screen())
	}
}

func TestRemoteUninstallAsksForTheContextThenTheRelease(t *testing.T) {
	ops := newOps()
	w := newWorld()
	w.release = ops
	w.info = ClusterInfo{Context: "prod-eu", Server: "https://k8s.example.com:6443", Namespace: "taskmaster"}
	r := w.connected(t, 120, 40)
	r.press("2", "D")
	if r.m.dialog == nil || r.m.dialog.Require != "prod-eu" {
		t.Fatal("REMOTE did not ask for the context first")
	}
	typeText(r, "prod-eu")
	r.press("enter")
	if r.m.dialog == nil || r.m.dialog.Require != "taskmaster" {
		t.Fatal("then the release name was not asked")
	}
	typeText(r, "taskmaster")
	r.press("enter")
	if !slicesContain(ops.Calls(), "uninstall") {
		t.Errorf("not uninstalled: %v", ops.Calls())
	}
}

func TestHelmTestReportsItsResult(t *testing.T) {
	ops := newOps()
	_, r := opsWorld(t, ops)
	r.press("t")
	if !slicesContain(ops.Calls(), "test") || !strings.Contains(r.screen(), "helm test passed: taskmaster-test-health") {
		t.Errorf("t: %v\n%s", ops.Calls(), r.screen())
	}
}

func TestInstallWhenNothingIsInstalled(t *testing.T) {
	ops := newOps()
	ops.installed = false
	w, r := opsWorld(t, ops)
	_ = w
	for _, k := range []string{"u", "b", "D", "t"} {
		if r.press(k); len(r.m.dialogs) != 0 || r.m.dialog != nil {
			t.Errorf("%s opened something with nothing installed", k)
		}
	}
	if strings.Contains(r.m.helpLine(), "upgrade") || !strings.Contains(r.m.helpLine(), "i install") {
		t.Errorf("help offers the wrong keys: %s", r.m.helpLine())
	}
	r.press("3")
	if strings.Contains(r.m.helpLine(), "scale up") {
		t.Errorf("+ is offered with no release to scale: %s", r.m.helpLine())
	}
	r.press("2", "i")
	if !strings.Contains(r.screen(), "Install taskmaster") {
		t.Fatalf("i did not open the install form:\n%s", r.screen())
	}
	r.press("enter")
	if !slicesContain(ops.Calls(), "install") {
		t.Fatalf("enter did not install: %v", ops.Calls())
	}
	if c := ops.changes[0]; c.Replicas["backend"] != 1 || c.Replicas["frontend"] != 1 {
		t.Errorf("install change = %+v", c)
	}
	if !strings.Contains(r.screen(), "✓ installed taskmaster") {
		t.Errorf("no result:\n%s", r.screen())
	}
	r.press("3")
	if !strings.Contains(r.m.helpLine(), "scale up") {
		t.Errorf("+ is not offered once installed: %s", r.m.helpLine())
	}
}

func TestStuckReleaseOffersRecoveryByItself(t *testing.T) {
	ops := newOps()
	ops.state = "pending-upgrade"
	w := newWorld()
	w.release = ops
	// The wall clock stands still until the test moves it: a key comes
	// within the grace period because the test says so, not because the
	// machine was quick.
	wall := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	w.wallClock = func() time.Time { return wall }
	r := w.connected(t, 120, 40)
	r.press("2")
	if r.m.dialog == nil || !strings.Contains(r.screen(), "Recover release taskmaster: roll back to revision 3?") ||
		!strings.Contains(r.screen(), "Revision 4 has been pending-upgrade for 3m") {
		t.Fatalf("a stuck release did not offer recovery:\n%s", r.screen())
	}
	// A key typed for the panes just as it opened does not answer it.
	wall = wall.Add(dialogGrace - time.Millisecond)
	r.press("y")
	if slicesContain(ops.Calls(), "recover") || r.m.dialog == nil {
		t.Fatal("a key within the grace period answered the question")
	}
	wall = wall.Add(time.Millisecond)
	r.press("y")
	if !slicesContain(ops.Calls(), "recover") {
		t.Fatalf("y did not recover: %v", ops.Calls())
	}
	if !strings.Contains(r.screen(), "✓ recovered taskmaster: revision 5 deployed") {
		t.Errorf("no result:\n%s", r.screen())
	}
	// Once recovered, no second offer; R says there is nothing to do.
	r.press("R")
	if r.m.dialog != nil {
		t.Error("recovery offered again")
	}
}

func TestReadOnlyHidesEveryReleaseChange(t *testing.T) {
	ops := newOps()
	w := newWorld()
	w.release = ops
	w.opts.ReadOnly = true
	r := w.connected(t, 120, 40)
	r.press("2", "u", "b", "D", "t", "i", "R", "down", "b")
	if got := ops.Calls(); len(got) != 0 || len(r.m.dialogs) != 0 || r.m.dialog != nil {
		t.Errorf("read-only mode changed or asked: %v", got)
	}
	for _, word := range []string{"upgrade", "roll back", "uninstall", "helm test", "install"} {
		if strings.Contains(r.m.helpLine(), word) {
			t.Errorf("read-only help offers %q: %s", word, r.m.helpLine())
		}
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
