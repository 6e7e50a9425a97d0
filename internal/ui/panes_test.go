package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

func TestFocusKeys(t *testing.T) {
	r := newWorld().connected(t, 120, 40)
	if r.m.Focus() != common.PodsPane {
		t.Fatalf("starts on %v, want Pods", r.m.Focus())
	}
	steps := []struct {
		key  string
		want common.PaneID
	}{
		{"tab", common.LogsPane}, {"tab", common.ImagesPane}, {"shift+tab", common.LogsPane},
		{"1", common.ImagesPane}, {"2", common.ReleasePane}, {"3", common.PodsPane}, {"4", common.LogsPane},
	}
	for _, s := range steps {
		r.press(s.key)
		if r.m.Focus() != s.want {
			t.Fatalf("after %s focus is %v, want %v", s.key, r.m.Focus(), s.want)
		}
		if !strings.Contains(r.screen(), "▶ "+string(rune('1'+int(s.want)))+" "+s.want.String()) {
			t.Errorf("after %s the screen does not mark %v as focused", s.key, s.want)
		}
	}
}

func TestWideShowsAllFourCompactShowsSummaries(t *testing.T) {
	w := newWorld()
	wide := w.connected(t, 120, 40).screen()
	for _, want := range []string{"1 Images", "2 Release", "▶ 3 Pods", "4 Logs", "taskmaster-backend:1.2.0", "rev 3", "CrashLoopBackOff", "GET /api/tasks/29"} {
		if !strings.Contains(wide, want) {
			t.Errorf("120x40 lacks %q:\n%s", want, wide)
		}
	}
	compact := w.connected(t, 80, 24).screen()
	lines := strings.Split(compact, "\n")
	for i, want := range []string{"  1 Images  │ taskmaster-backend:1.2.0 182 MB ✓ within aim", "  2 Release │ taskmaster rev 3 ✓ deployed"} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("80x24 line %d = %q, want a summary starting %q", i+1, lines[i+1], want)
		}
	}
	if !strings.Contains(compact, "╔═ ▶ 3 Pods") || !strings.Contains(compact, "  4 Logs    │ all pods · following") {
		t.Errorf("80x24 does not give the room to Pods:\n%s", compact)
	}
}

func TestZoomFillsTheScreenAndBack(t *testing.T) {
	r := newWorld().connected(t, 120, 40)
	r.press("z")
	s := r.screen()
	if !r.m.Zoomed() || !strings.Contains(s, "▶ 3 Pods (zoomed)") || strings.Contains(s, "1 Images") || strings.Contains(s, "4 Logs") {
		t.Fatalf("z did not zoom the Pods pane:\n%s", s)
	}
	r.press("z")
	if r.m.Zoomed() || !strings.Contains(r.screen(), "4 Logs") {
		t.Error("z again did not come back")
	}
}

func TestTooSmallSaysSo(t *testing.T) {
	r := newWorld().connected(t, 59, 20)
	if !strings.Contains(r.screen(), "make the terminal larger") || !strings.Contains(r.screen(), "59×20") {
		t.Errorf("screen:\n%s", r.screen())
	}
}

func TestScaleOnALocalContextRunsWithASpinnerAndReports(t *testing.T) {
	w := newWorld()
	r := w.connected(t, 120, 40)
	act := uitest.Run(t, r.Update(uitest.Key("+")))
	if len(act) != 1 {
		t.Fatalf("+ gave %d messages", len(act))
	}
	run := r.Update(act[0])
	if r.m.dialog != nil {
		t.Fatal("a local scale asked for confirmation")
	}
	if !strings.Contains(r.screen(), "scale backend to 3…") {
		t.Errorf("running work is not shown:\n%s", r.screen())
	}
	readsBefore := w.releaseReads.Load()
	r.settle(run)
	if got := w.pods.calls(); len(got) != 1 || got[0] != (scaleCall{"taskmaster-backend", 3, ""}) {
		t.Errorf("calls = %+v", got)
	}
	// Scaling is a Helm upgrade: a new revision, so the release is read again.
	if w.releaseReads.Load() <= readsBefore {
		t.Error("the release pane did not read the release again after the scale")
	}
	if len(r.m.tasks) != 0 || !strings.Contains(r.screen(), "✓ scaled taskmaster-backend to 3") {
		t.Errorf("the result is not reported:\n%s", r.screen())
	}
	// Success fades.
	r.Update(statusExpiredMsg{id: r.m.status.id})
	if strings.Contains(r.screen(), "scaled taskmaster-backend") {
		t.Error("the success line did not fade")
	}
}

func TestDeleteAsksAndDefaultsToNo(t *testing.T) {
	w := newWorld()
	r := w.connected(t, 120, 40)
	r.press("down", "d")
	if r.m.dialog == nil || !strings.Contains(r.screen(), "Delete pod taskmaster-backend-7d9f8c6b5-00001?") || !strings.Contains(r.screen(), "[ No ]") {
		t.Fatalf("d did not ask:\n%s", r.screen())
	}
	r.press("enter")
	if r.m.dialog != nil || len(w.pods.calls()) != 0 || !strings.Contains(r.screen(), "cancelled: delete pod") {
		t.Fatalf("enter on the default deleted or did not close:\n%s", r.screen())
	}
	r.press("d", "y")
	if got := w.pods.calls(); len(got) != 1 || got[0].deployment != "delete taskmaster-backend-7d9f8c6b5-00001" {
		t.Errorf("y did not delete: %+v", got)
	}
}

func TestRemoteContextAsksForTheContextName(t *testing.T) {
	w := newWorld()
	w.info = ClusterInfo{Context: "prod-eu", Server: "https://k8s.example.com:6443", ServerVersion: "v1.36.3", Namespace: "taskmaster"}
	r := w.connected(t, 120, 40)
	if !strings.Contains(r.screen(), "context prod-eu [REMOTE]") {
		t.Errorf("no REMOTE badge:\n%s", r.screen())
	}
	for _, k := range []string{"+", "-", "r"} {
		r.press(k)
		if r.m.dialog == nil || r.m.dialog.Require != "prod-eu" {
			t.Fatalf("%s on a remote context did not ask for the name", k)
		}
		r.press("esc")
	}
	r.press("+")
	if !strings.Contains(r.screen(), "type prod-eu to confirm") {
		t.Errorf("dialog:\n%s", r.screen())
	}
	r.press("y", "enter")
	if r.m.dialog == nil || len(w.pods.calls()) != 0 {
		t.Fatal("a wrong name was accepted")
	}
	r.press("backspace")
	for _, k := range uitest.Type("prod-eu") {
		r.settle(r.Update(k))
	}
	r.press("enter")
	if got := w.pods.calls(); len(got) != 1 || got[0] != (scaleCall{"taskmaster-backend", 3, "prod-eu"}) {
		t.Errorf("calls = %+v (the engine must get the typed name to check again)", got)
	}
}

func TestReadOnlyHidesMutatingKeysAndRefusesActions(t *testing.T) {
	w := newWorld()
	w.opts.ReadOnly = true
	r := w.connected(t, 160, 48)
	s := r.screen()
	if !strings.Contains(s, "READ-ONLY") {
		t.Error("the header does not say read-only")
	}
	for _, hidden := range []string{"scale up", "rollout restart", "delete pod"} {
		if strings.Contains(s, hidden) {
			t.Errorf("read-only help shows %q", hidden)
		}
	}
	r.press("+", "-", "r", "d")
	if r.m.dialog != nil || len(w.pods.calls()) != 0 || len(r.m.tasks) != 0 {
		t.Error("a mutating key did something in read-only mode")
	}
	// Even an action a pane asks for on its own is refused at the guard.
	r.Update(common.ActionMsg{Route: common.Route{Pane: common.PodsPane}, Action: common.Action{Title: "scale backend to 3"}})
	if !strings.Contains(r.screen(), "read-only mode: scale backend to 3 is not allowed") {
		t.Errorf("the guard did not refuse:\n%s", r.screen())
	}
	r.press("?")
	if strings.Contains(r.screen(), "scale up") || !strings.Contains(r.screen(), "logs") {
		t.Errorf("full help in read-only:\n%s", r.screen())
	}
}

func TestQuitWhileWorkRunsAsksFirst(t *testing.T) {
	r := newWorld().connected(t, 120, 40)
	act := uitest.Run(t, r.Update(uitest.Key("+")))
	r.Update(act[0]) // the scale runs; its command is never executed here
	if cmd := r.Update(uitest.Key("q")); cmd != nil {
		t.Fatal("q quit while work runs")
	}
	if !strings.Contains(r.screen(), "Quit while work runs?") || !strings.Contains(r.screen(), "scale backend to 3") {
		t.Fatalf("no question:\n%s", r.screen())
	}
	r.press("n")
	if r.m.dialog != nil {
		t.Fatal("n did not close the question")
	}
	r.Update(uitest.Key("q"))
	ctx := r.m.sessionCtx
	if cmd := r.Update(uitest.Key("y")); cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Fatal("y quit before the running work stopped: a release could be left pending")
		}
	}
	if ctx.Err() == nil || !strings.Contains(r.screen(), "quitting: stopping the running work") {
		t.Fatalf("y did not stop the work and say so (ctx %v):\n%s", ctx.Err(), r.screen())
	}
	// The work returns (Helm has undone it): now tmtui quits.
	cmd := r.Update(taskDoneMsg{id: r.m.tasks[0].id, route: common.Route{Pane: common.PodsPane, Gen: r.m.gen}})
	if cmd == nil {
		t.Fatal("tmtui did not quit once the work stopped")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("tmtui did not quit once the work stopped")
	}
}

func TestQuitTwiceWhileStoppingQuitsAtOnce(t *testing.T) {
	r := newWorld().connected(t, 120, 40)
	act := uitest.Run(t, r.Update(uitest.Key("+")))
	r.Update(act[0])
	r.Update(uitest.Key("q"))
	r.Update(uitest.Key("y"))
	cmd := r.Update(uitest.Key("q"))
	if cmd == nil {
		t.Fatal("a second q did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("a second q did not quit")
	}
}

func TestErrorsStayUntilDismissed(t *testing.T) {
	r := newWorld().connected(t, 120, 40)
	r.Update(common.StatusMsg{Err: errors.New("cannot scale taskmaster-backend: deployments.apps is forbidden; ask your admin for edit rights")})
	r.Update(statusExpiredMsg{id: r.m.status.id})
	if !strings.Contains(r.screen(), "✗ cannot scale taskmaster-backend") || !strings.Contains(r.screen(), "(x dismiss)") {
		t.Fatalf("the error faded or says nothing of dismissing:\n%s", r.screen())
	}
	r.press("x")
	if strings.Contains(r.screen(), "cannot scale") {
		t.Error("x did not dismiss the error")
	}
	r.Update(common.StatusMsg{Info: "backend is at its maximum"})
	if !strings.Contains(r.screen(), "· backend is at its maximum") {
		t.Error("info is not shown")
	}
}

func TestHelpShowsEveryPanesKeys(t *testing.T) {
	r := newWorld().connected(t, 160, 48)
	if !strings.Contains(r.screen(), "+ scale up") || !strings.Contains(r.screen(), "? all keys") {
		t.Errorf("the help line lacks the focused pane's keys:\n%s", r.screen())
	}
	r.press("?")
	s := r.screen()
	for _, want := range []string{"global", "tab", "Images", "Release", "manifest", "Pods", "delete pod", "Logs", "previous container", "save to file"} {
		if !strings.Contains(s, want) {
			t.Errorf("full help lacks %q:\n%s", want, s)
		}
	}
	r.press("esc")
	if strings.Contains(r.screen(), "previous container") {
		t.Error("esc did not close the help")
	}
}

func TestLogsKeyOpensThePodsLogs(t *testing.T) {
	r := newWorld().connected(t, 120, 40)
	r.press("l")
	if r.m.Focus() != common.LogsPane || !strings.Contains(r.screen(), "taskmaster-backend-7d9f8c6b5-00000 · following") {
		t.Errorf("l did not open the pod's logs:\n%s", r.screen())
	}
	// Logs keys reach the Logs pane now that it has focus.
	r.press("f")
	if !strings.Contains(r.screen(), "· paused") {
		t.Error("f did not reach the Logs pane")
	}
	// Filtering takes every key, global ones too.
	r.press("/", "q", "z", "1")
	if r.m.Focus() != common.LogsPane || r.m.Zoomed() || !strings.Contains(r.screen(), "filter: qz1█") {
		t.Errorf("typed keys leaked to global keys:\n%s", r.screen())
	}
}

func TestResultsOfAnOldSessionAreDropped(t *testing.T) {
	w := newWorld()
	old := make(chan pods.Snapshot, 1)
	fresh := make(chan pods.Snapshot, 1)
	w.pods.chans = []chan pods.Snapshot{old, fresh}
	r := newRoot(t, w.options())
	r.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	var connect connectResultMsg
	for _, msg := range uitest.Run(t, r.m.Init()) {
		if c, ok := msg.(connectResultMsg); ok {
			connect = c
		}
	}
	var oldStart tea.Msg
	for _, msg := range uitest.Run(t, r.Update(connect)) {
		if rt, ok := msg.(common.Routed); ok && rt.Routing().Pane == common.PodsPane {
			oldStart = msg
		}
	}
	if oldStart == nil {
		t.Fatal("the first session did not start a pod watch")
	}
	// A second session (a context or namespace switch) starts before the
	// first session's watch reports.
	r.m.gen++
	r.d.Start(r.m.startSession(Services{Pods: w.pods}))
	fresh <- podSnapshot(3)
	close(fresh)
	r.until(nil, "the second session's three backend pods", func() bool {
		return strings.Contains(r.screen(), "taskmaster-backend-7d9f8c6b5-00002")
	})
	r.settle(r.Update(oldStart))
	old <- podSnapshot(1)
	close(old)
	if r.Update(oldStart) != nil {
		t.Error("a result of the old session reached the pane")
	}
	if r.m.ActionPending() {
		t.Error("unexpected dialog")
	}
	r.Update(common.ActionMsg{Route: common.Route{Pane: common.PodsPane, Gen: r.m.gen - 1}, Action: common.Action{Title: "scale"}})
	if len(r.m.tasks) != 0 {
		t.Error("an action of the old session ran")
	}
}

func TestBackgroundColourPicksTheTheme(t *testing.T) {
	w := newWorld()
	w.opts.NoColor = false
	r := w.connected(t, 120, 40)
	dark := r.screen()
	r.Update(tea.BackgroundColorMsg{Color: lightGrey})
	if r.screen() == dark || !strings.Contains(r.screen(), "\x1b[") {
		t.Error("a light background did not change the colours")
	}
	w.opts.NoColor = true
	plain := w.connected(t, 120, 40)
	plain.Update(tea.BackgroundColorMsg{Color: lightGrey})
	if strings.Contains(plain.screen(), "\x1b[") {
		t.Error("NO_COLOR screen has escape sequences")
	}
	if !strings.Contains(plain.screen(), "› taskmaster-backend-7d9f8c6b5-00000") {
		t.Error("the plain screen does not mark the selection")
	}
}

func TestConfigRemapsRootAndPaneKeys(t *testing.T) {
	w := newWorld()
	w.opts.Keys = common.Overrides{"global": {"zoom": {"Z"}}, "pods": {"scale_up": {"u"}}}
	r := w.connected(t, 120, 40)
	r.press("z")
	if r.m.Zoomed() {
		t.Error("z still zooms after being remapped")
	}
	r.press("Z")
	if !r.m.Zoomed() {
		t.Error("Z does not zoom")
	}
	act := uitest.Run(t, r.Update(uitest.Key("u")))
	if len(act) != 1 {
		t.Fatal("u did not scale")
	}
	if _, ok := act[0].(common.ActionMsg); !ok {
		t.Errorf("u gave %T", act[0])
	}
}
