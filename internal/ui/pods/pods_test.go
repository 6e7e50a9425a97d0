package pods

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

var now = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

func fixture(t testing.TB) Snapshot {
	t.Helper()
	data, err := os.ReadFile("testdata/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

type call struct {
	what, name   string
	replicas     int32
	confirmation string
}

type fakeService struct {
	mu    sync.Mutex
	snaps []Snapshot
	calls []call
	err   error
}

func (f *fakeService) WatchPods(ctx context.Context) (<-chan Snapshot, error) {
	ch := make(chan Snapshot, len(f.snaps))
	for _, s := range f.snaps {
		ch <- s
	}
	close(ch)
	return ch, f.err
}

func (f *fakeService) record(c call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	return f.err
}

func (f *fakeService) ScaleDeployment(_ context.Context, d string, n int32, conf string) error {
	return f.record(call{"scale", d, n, conf})
}
func (f *fakeService) RestartDeployment(_ context.Context, d, conf string) error {
	return f.record(call{"restart", d, 0, conf})
}
func (f *fakeService) DeletePod(_ context.Context, p, conf string) error {
	return f.record(call{"delete", p, 0, conf})
}

// newPane returns a sized pane showing the fixture, fed through its watch.
func newPane(t *testing.T, o Options) (*Model, *fakeService) {
	t.Helper()
	svc := &fakeService{snaps: []Snapshot{fixture(t)}}
	o.Now = func() time.Time { return now }
	m := New(o)
	m.SetSize(118, 12)
	uitest.Idle(t, m, m.Start(context.Background(), 7, svc))
	if !m.received {
		t.Fatal("the watch's snapshot did not reach the pane")
	}
	return m, svc
}

func msgOf(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return cmd()
}

func action(t *testing.T, cmd tea.Cmd) common.ActionMsg {
	t.Helper()
	a, ok := msgOf(t, cmd).(common.ActionMsg)
	if !ok {
		t.Fatalf("command did not ask for an action")
	}
	if a.Route != (common.Route{Pane: common.PodsPane, Gen: 7}) {
		t.Errorf("action routed to %+v, want the pods pane of generation 7", a.Route)
	}
	return a
}

func TestRowsFromFixture(t *testing.T) {
	s := fixture(t)
	want := [][]string{
		{"taskmaster-backend-7d9f8c6b5-x2k4p", "backend", "1/1", "✓ Running", "0", "1h", "kwok-node-0"},
		{"taskmaster-backend-7d9f8c6b5-q8z7m", "backend", "0/1", "✗ CrashLoopBackOff", "7", "4m", "kwok-node-0"},
		{"taskmaster-frontend-5c4b7f9d8-h6j2n", "frontend", "0/1", "✗ ContainerCreating", "0", "2d", ""},
	}
	for i, p := range s.Pods {
		if got := Row(p, now); !slices.Equal(got, want[i]) {
			t.Errorf("row %d = %q, want %q", i, got, want[i])
		}
	}
}

func TestStatusCellNamesTheReasonAndAGlyph(t *testing.T) {
	tests := []struct {
		p    Pod
		want string
	}{
		{Pod{Status: "Running", Ready: true}, "✓ Running"},
		{Pod{Status: "Running", Reason: "NotReady"}, "✗ Running (NotReady)"},
		{Pod{Status: "Pending"}, "… Pending"},
		{Pod{Status: "Terminating", Ready: true, Terminating: true}, "… Terminating"},
	}
	for _, tt := range tests {
		if got := StatusCell(tt.p); got != tt.want {
			t.Errorf("StatusCell(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestDeploymentLineShowsBounds(t *testing.T) {
	ds := []Deployment{{Component: "backend", Desired: 3, Ready: 3}, {Component: "frontend", Desired: 1, Ready: 0, Rollout: "0 of 1 updated"}}
	got := DeploymentLine(ds, 1, 3)
	want := "backend 3/3 ready (at max 3) │ frontend 0/1 ready (at min 1) · 0 of 1 updated"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDetailLinesExplainTheProblem(t *testing.T) {
	p := fixture(t).Pods[1]
	got := strings.Join(DetailLines(p, now), "\n")
	for _, want := range []string{
		"waiting    CrashLoopBackOff",
		"message    back-off 5m0s restarting failed container=backend",
		"hint       the container keeps exiting",
		"Ready            ✗ False ContainersNotReady: containers with unready status: [backend]",
		"1m ago  BackOff: Back-off restarting failed container backend (×12)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("details lack %q:\n%s", want, got)
		}
	}
	if !strings.Contains(strings.Join(DetailLines(fixture(t).Pods[2], now), "\n"), "(not scheduled)") {
		t.Error("an unscheduled pod's node is not explained")
	}
}

func TestColumnsFillTheWidth(t *testing.T) {
	for _, w := range []int{50, 76, 118, 158} {
		cols := Columns(w)
		total := len("› ") - 1
		for _, c := range cols {
			total += c.width + 1
		}
		if total > w {
			t.Errorf("width %d: columns take %d", w, total)
		}
		if w >= 118 && cols[len(cols)-1].title != "NODE" {
			t.Errorf("width %d drops the node column", w)
		}
		if w < 76 {
			row := renderCells(Row(fixture(t).Pods[1], now), cols)
			if !strings.Contains(row, "✗ CrashLoopBackOff") || strings.Contains(row, "kwok-node-0") {
				t.Errorf("width %d: cells land in the wrong columns: %q", w, row)
			}
		}
	}
}

func TestViewMarksTheSelectedRow(t *testing.T) {
	m, _ := newPane(t, Options{})
	m.Update(uitest.Key("down"))
	lines := strings.Split(m.View(), "\n")
	if !strings.HasPrefix(lines[3], "› taskmaster-backend-7d9f8c6b5-q8z7m") {
		t.Errorf("the selected row lacks its marker:\n%s", m.View())
	}
	if !strings.HasPrefix(lines[2], "  taskmaster-backend-7d9f8c6b5-x2k4p") {
		t.Errorf("an unselected row is marked:\n%s", m.View())
	}
	if !strings.Contains(lines[0], "backend 1/2 ready") {
		t.Errorf("no deployment line: %q", lines[0])
	}
}

func TestUpDownMoveAndStayInBounds(t *testing.T) {
	m, _ := newPane(t, Options{})
	for _, step := range []struct {
		key  string
		want int
	}{{"up", 0}, {"down", 1}, {"j", 2}, {"down", 2}, {"k", 1}} {
		m.Update(uitest.Key(step.key))
		if m.cursor != step.want {
			t.Fatalf("after %s cursor = %d, want %d", step.key, m.cursor, step.want)
		}
	}
}

func TestSelectionFollowsThePodAcrossSnapshots(t *testing.T) {
	m, _ := newPane(t, Options{})
	m.Update(uitest.Key("down")) // q8z7m
	s := fixture(t)
	s.Pods = s.Pods[1:] // the first pod went away
	m.Update(snapshotMsg{snap: s})
	if p, _ := m.Selected(); p.Name != "taskmaster-backend-7d9f8c6b5-q8z7m" {
		t.Errorf("selection moved to %q", p.Name)
	}
}

// On a slow start the watch's first snapshot can hold only the frontend. A
// selection the user never made follows the first row as the pods come, so
// + acts on the pod shown first, not on whichever came first.
func TestUnchosenSelectionFollowsTheFirstRow(t *testing.T) {
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(118, 12)
	m.Start(context.Background(), 7, &fakeService{}) // the snapshots come below, one by one
	full := fixture(t)
	frontendOnly := full
	frontendOnly.Pods = full.Pods[2:]
	m.Update(snapshotMsg{snap: frontendOnly})
	m.Update(snapshotMsg{snap: full})
	if p, _ := m.Selected(); p.Name != full.Pods[0].Name {
		t.Fatalf("selected %q, want the first row %q", p.Name, full.Pods[0].Name)
	}
	if a := action(t, m.Update(uitest.Key("+"))); !strings.Contains(a.Action.Title, "backend") {
		t.Errorf("+ asked for %q, want the backend scaled", a.Action.Title)
	}

	// Once the user moves it, the selection stays on their pod wherever it sorts.
	m.Update(uitest.Key("down"))
	chosen := full.Pods[1].Name
	reordered := full
	reordered.Pods = []Pod{full.Pods[2], full.Pods[0], full.Pods[1]}
	m.Update(snapshotMsg{snap: reordered})
	if p, _ := m.Selected(); p.Name != chosen {
		t.Errorf("after the user chose %q the selection moved to %q", chosen, p.Name)
	}

	// Their pod went away: the first row is selected, and follows again.
	m.Update(snapshotMsg{snap: frontendOnly})
	m.Update(snapshotMsg{snap: full})
	if p, _ := m.Selected(); p.Name != full.Pods[0].Name {
		t.Errorf("after the chosen pod went away: selected %q, want the first row %q", p.Name, full.Pods[0].Name)
	}
}

// Opening a pod's details chooses it: they do not turn into another pod's.
func TestDetailsKeepTheirPod(t *testing.T) {
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(118, 12)
	full := fixture(t)
	m.Update(snapshotMsg{snap: full})
	m.Update(uitest.Key("enter"))
	m.Update(snapshotMsg{snap: Snapshot{Conn: full.Conn, Deployments: full.Deployments, Pods: []Pod{full.Pods[2], full.Pods[0], full.Pods[1]}}})
	if p, _ := m.Selected(); !m.details || p.Name != full.Pods[0].Name {
		t.Errorf("details show %q (open %v), want %q", p.Name, m.details, full.Pods[0].Name)
	}
}

func TestScaleUpAsksForAnActionThatScales(t *testing.T) {
	m, svc := newPane(t, Options{})
	a := action(t, m.Update(uitest.Key("+")))
	if a.Action.Title != "scale backend to 3" || a.Action.Ask {
		t.Errorf("action = %q ask=%v", a.Action.Title, a.Action.Ask)
	}
	res := a.Action.Run(context.Background(), "typed")
	if len(svc.calls) != 1 || svc.calls[0] != (call{"scale", "taskmaster-backend", 3, "typed"}) {
		t.Errorf("calls = %+v", svc.calls)
	}
	if o, ok := res.(common.Outcome); !ok {
		t.Error("result is not an outcome for the status line")
	} else if text, err := o.Outcome(); err != nil || text != "scaled taskmaster-backend to 3" {
		t.Errorf("outcome = %q, %v", text, err)
	}
}

func TestScaleDownAsksForAnActionThatScales(t *testing.T) {
	m, svc := newPane(t, Options{})
	a := action(t, m.Update(uitest.Key("-")))
	a.Action.Run(context.Background(), "")
	if len(svc.calls) != 1 || svc.calls[0] != (call{"scale", "taskmaster-backend", 1, ""}) {
		t.Errorf("calls = %+v", svc.calls)
	}
}

func TestScaleStopsAtTheBoundsAndSaysSo(t *testing.T) {
	m, _ := newPane(t, Options{MaxReplicas: 2})
	st, ok := msgOf(t, m.Update(uitest.Key("+"))).(common.StatusMsg)
	if !ok || !strings.Contains(st.Info, "maximum of 2 replicas") {
		t.Errorf("+ at the maximum: %+v", st)
	}
	m.Update(uitest.Key("down"))
	m.Update(uitest.Key("down")) // frontend, 1 replica
	st, ok = msgOf(t, m.Update(uitest.Key("-"))).(common.StatusMsg)
	if !ok || !strings.Contains(st.Info, "minimum of 1 replica") {
		t.Errorf("- at the minimum: %+v", st)
	}
	if !strings.Contains(m.View(), "(at max 2)") || !strings.Contains(m.View(), "(at min 1)") {
		t.Errorf("the bounds are not shown:\n%s", m.View())
	}
}

func TestRestartAsksForARolloutRestart(t *testing.T) {
	m, svc := newPane(t, Options{})
	a := action(t, m.Update(uitest.Key("r")))
	a.Action.Run(context.Background(), "")
	if a.Action.Title != "rollout restart taskmaster-backend" || svc.calls[0].what != "restart" {
		t.Errorf("title %q calls %+v", a.Action.Title, svc.calls)
	}
}

func TestDeleteAsksFirstAndDeletesTheSelectedPod(t *testing.T) {
	m, svc := newPane(t, Options{})
	m.Update(uitest.Key("down"))
	a := action(t, m.Update(uitest.Key("d")))
	if !a.Action.Ask {
		t.Error("delete does not ask first")
	}
	svc.err = errors.New("pods \"x\" is forbidden")
	res := a.Action.Run(context.Background(), "")
	if svc.calls[0] != (call{"delete", "taskmaster-backend-7d9f8c6b5-q8z7m", 0, ""}) {
		t.Errorf("calls = %+v", svc.calls)
	}
	if _, err := res.(common.Outcome).Outcome(); err == nil || !strings.Contains(err.Error(), "cannot delete pod") {
		t.Errorf("a failed delete reports %v", err)
	}
}

func TestEnterShowsDetailsAndEscGoesBack(t *testing.T) {
	m, _ := newPane(t, Options{})
	m.Update(uitest.Key("down"))
	m.Update(uitest.Key("enter"))
	if !m.Details() || !strings.Contains(m.View(), "hint       the container keeps exiting") {
		t.Fatalf("enter did not show the details:\n%s", m.View())
	}
	m.Update(uitest.Key("down"))
	if m.scroll != 1 {
		t.Errorf("down in details scrolls to %d, want 1", m.scroll)
	}
	m.Update(uitest.Key("esc"))
	if m.Details() {
		t.Error("esc did not close the details")
	}
}

func TestLogsOpensTheSelectedPodsLogs(t *testing.T) {
	m, _ := newPane(t, Options{})
	m.Update(uitest.Key("down"))
	got, ok := msgOf(t, m.Update(uitest.Key("l"))).(common.OpenLogsMsg)
	if !ok || got.Pod != "taskmaster-backend-7d9f8c6b5-q8z7m" {
		t.Errorf("l sent %+v", got)
	}
	m.Update(uitest.Key("enter"))
	if _, ok := msgOf(t, m.Update(uitest.Key("l"))).(common.OpenLogsMsg); !ok {
		t.Error("l in the details does not open the logs")
	}
}

func TestReadOnlyHidesEveryMutatingKey(t *testing.T) {
	m, svc := newPane(t, Options{ReadOnly: true})
	for _, k := range []string{"+", "-", "r", "d"} {
		if cmd := m.Update(uitest.Key(k)); cmd != nil {
			t.Errorf("%s did something in read-only mode: %#v", k, cmd())
		}
	}
	var shown []string
	for _, group := range m.FullHelp() {
		for _, b := range group {
			if b.Enabled() {
				shown = append(shown, b.Help().Desc)
			}
		}
	}
	for _, hidden := range []string{"scale up", "scale down", "rollout restart", "delete pod"} {
		if slices.Contains(shown, hidden) {
			t.Errorf("read-only help still shows %q", hidden)
		}
	}
	if !slices.Contains(shown, "logs") {
		t.Error("read-only hides the logs key, which changes nothing")
	}
	if len(svc.calls) != 0 {
		t.Errorf("calls in read-only mode: %+v", svc.calls)
	}
}

// cannotScale is a service that declares it cannot scale in this session.
type cannotScale struct{ *fakeService }

func (cannotScale) CanScale() bool { return false }

func TestServiceThatCannotScaleHidesPlusAndMinusOnly(t *testing.T) {
	svc := &fakeService{snaps: []Snapshot{fixture(t)}}
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(118, 12)
	uitest.Idle(t, m, m.Start(context.Background(), 7, cannotScale{svc}))
	for _, k := range []string{"+", "-"} {
		if cmd := m.Update(uitest.Key(k)); cmd != nil {
			t.Errorf("%s did something though the service cannot scale: %#v", k, cmd())
		}
	}
	shown := map[string]bool{}
	for _, b := range append(m.ShortHelp(), slices.Concat(m.FullHelp()...)...) {
		if b.Enabled() {
			shown[b.Help().Desc] = true
		}
	}
	if shown["scale up"] || shown["scale down"] {
		t.Errorf("help offers scaling the service cannot do: %v", shown)
	}
	if !shown["rollout restart"] || !shown["delete pod"] {
		t.Errorf("help lost keys the service can do: %v", shown)
	}
	action(t, m.Update(uitest.Key("r")))

	// The next session's service can scale: the keys come back.
	uitest.Idle(t, m, m.Start(context.Background(), 8, &fakeService{snaps: []Snapshot{fixture(t)}}))
	if cmd := m.Update(uitest.Key("+")); cmd == nil {
		t.Error("+ stayed hidden in a session that can scale")
	}
	if len(svc.calls) != 0 {
		t.Errorf("calls: %+v", svc.calls)
	}
}

func TestRemappedKeyReplacesTheDefault(t *testing.T) {
	m, _ := newPane(t, Options{Keys: common.Overrides{"pods": {"scale_up": {"u"}}}})
	if cmd := m.Update(uitest.Key("+")); cmd != nil {
		t.Error("+ still scales after being remapped")
	}
	action(t, m.Update(uitest.Key("u")))
	if !key.Matches(uitest.Key("u"), m.keys.ScaleUp) || m.keys.ScaleUp.Help().Key != "u" {
		t.Error("help does not show the remapped key")
	}
}

func TestWatchErrorIsShown(t *testing.T) {
	svc := &fakeService{err: errors.New("pods is forbidden: User cannot list pods; ask for the view role")}
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(80, 10)
	uitest.Idle(t, m, m.Start(context.Background(), 1, svc))
	if !strings.Contains(m.View(), "cannot watch the pods: pods is forbidden") {
		t.Errorf("view:\n%s", m.View())
	}
}

func TestReconnectingSnapshotIsMarked(t *testing.T) {
	m, _ := newPane(t, Options{})
	s := fixture(t)
	s.Conn = ConnReconnecting
	m.Update(snapshotMsg{snap: s})
	if !m.Reconnecting() || !strings.Contains(m.View(), "⟳ last known state") {
		t.Errorf("reconnecting is not shown:\n%s", m.View())
	}
}

func TestSummary(t *testing.T) {
	m, _ := newPane(t, Options{})
	want := "3 pods, 1 ready, ✗ 2 with problems · › taskmaster-backend-7d9f8c6b5-x2k4p"
	if got := m.Summary(); got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}
