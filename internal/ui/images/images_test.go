package images

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// listOnly is a Service that can only list: no build, no remove.
type listOnly struct {
	mu     sync.Mutex
	images []Image
	err    error
	calls  int
}

func (f *listOnly) ListImages(context.Context) ([]Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.images, f.err
}

func (f *listOnly) set(imgs []Image, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images, f.err = imgs, err
}

func (f *listOnly) listed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeService builds (from lines the test gives), removes and remembers.
type fakeService struct {
	listOnly
	lines      []string
	result     BuildResult
	startErr   error
	buildCtx   context.Context
	requests   []BuildRequest
	removed    []string
	remembered map[string]string
	wait       chan struct{} // when set, the build waits for it (or ctx) before its result
}

func (f *fakeService) Build(ctx context.Context, req BuildRequest) (<-chan BuildEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	if f.startErr != nil {
		return nil, f.startErr
	}
	f.buildCtx = ctx
	ch := make(chan BuildEvent, len(f.lines)+1)
	for _, l := range f.lines {
		ch <- BuildEvent{Line: l}
	}
	res, wait := f.result, f.wait
	go func() {
		defer close(ch)
		if wait != nil {
			select {
			case <-wait:
			case <-ctx.Done():
				res = BuildResult{Duration: 12 * time.Second, Budget: BuildBudget, Err: ctx.Err()}
			}
		}
		ch <- BuildEvent{Result: &res}
	}()
	return ch, nil
}

func (f *fakeService) Remove(_ context.Context, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, ref)
	return nil
}

func (f *fakeService) RememberFolder(repo, folder string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.remembered == nil {
		f.remembered = map[string]string{}
	}
	f.remembered[repo] = folder
	return nil
}

const mb = 1_000_000

var clock = time.Date(2026, 11, 25, 17, 2, 0, 0, time.UTC)

func fixture() []Image {
	return []Image{
		{Repository: "taskmaster-backend", Present: true, Tag: "1.2.0", Size: 182 * mb, Verdict: WithinAim, Aim: 300 * mb, Max: 500 * mb, Previous: "1.1.0", SizeChange: 12 * mb, Folder: "/src/taskmaster/backend"},
		{Repository: "taskmaster-frontend", Present: true, Tag: "1.2.0", Size: 171 * mb, Verdict: WithinBudget, Aim: 150 * mb, Max: 200 * mb, Previous: "1.1.0", SizeChange: -3 * mb},
	}
}

// pane is a started pane over svc, at 100x8, its clock at now (which the
// test may move).
func pane(t *testing.T, svc Service, o Options) (*Model, *time.Time) {
	t.Helper()
	now := clock
	o.Now = func() time.Time { return now }
	m := New(o)
	m.SetSize(100, 8)
	uitest.Idle(t, m, m.Start(context.Background(), 1, svc))
	return m, &now
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = m.Update(uitest.Key(k))
	}
	return cmd
}

func typeText(m *Model, s string) {
	for _, k := range uitest.Type(s) {
		m.Update(k)
	}
}

// only runs cmd and returns its one message.
func only(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	msgs := uitest.Run(t, cmd)
	if len(msgs) != 1 {
		t.Fatalf("messages = %#v, want one", msgs)
	}
	return msgs[0]
}

func actionOf(t *testing.T, cmd tea.Cmd) common.ActionMsg {
	t.Helper()
	a, ok := only(t, cmd).(common.ActionMsg)
	if !ok {
		t.Fatalf("not an action: %#v", a)
	}
	if a.Route != (common.Route{Pane: common.ImagesPane, Gen: 1}) {
		t.Errorf("action routed to %+v", a.Route)
	}
	return a
}

func TestRowsFromFixture(t *testing.T) {
	want := []string{
		"taskmaster-backend:1.2.0           182 MB  ✓ within aim     of 500 MB · +12 MB since 1.1.0",
		"taskmaster-frontend:1.2.0          171 MB  ! within budget  of 200 MB · -3 MB since 1.1.0",
	}
	for i, img := range fixture() {
		if got := Row(img); got != want[i] {
			t.Errorf("Row %d =\n%q\nwant\n%q", i, got, want[i])
		}
	}
	if got := Row(Image{Repository: "taskmaster-frontend"}); !strings.Contains(got, "✗ no image") {
		t.Errorf("missing image: %q", got)
	}
	if got := Change(Image{Present: true}); got != "first image" {
		t.Errorf("Change of a first image = %q", got)
	}
	if got := VerdictWord(OverBudget); got != "✗ over budget" {
		t.Errorf("VerdictWord = %q", got)
	}
}

// The change since the last tag is never cut off: narrow panes drop the
// padding and the budget, then give the change a line of its own.
func TestNarrowRowsKeepTheChangeSinceTheLastTag(t *testing.T) {
	img := fixture()[0]
	if got := rowLines(img, 70); len(got) != 1 || got[0] != "taskmaster-backend:1.2.0 182 MB ✓ within aim · +12 MB since 1.1.0" {
		t.Errorf("at 70: %q", got)
	}
	if got := rowLines(img, 56); len(got) != 2 || got[1] != "  +12 MB since 1.1.0" {
		t.Errorf("at 56: %q", got)
	}
	m, _ := pane(t, &listOnly{images: fixture()}, Options{})
	m.SetSize(58, 6)
	if !strings.Contains(m.View(), "-3 MB since 1.1.0") {
		t.Errorf("narrow view lost the change:\n%s", m.View())
	}
}

func TestListAndKeys(t *testing.T) {
	svc := &listOnly{images: fixture()}
	m, _ := pane(t, svc, Options{})
	if !strings.HasPrefix(m.View(), "› taskmaster-backend:1.2.0") {
		t.Errorf("view:\n%s", m.View())
	}
	press(m, "down", "j")
	if m.Cursor() != 1 {
		t.Errorf("cursor = %d", m.Cursor())
	}
	press(m, "k", "up")
	if m.Cursor() != 0 {
		t.Errorf("cursor = %d", m.Cursor())
	}
	uitest.Idle(t, m, press(m, "r"))
	if svc.listed() != 2 {
		t.Errorf("r listed %d times in all, want 2", svc.listed())
	}
	// A service that only lists offers neither build nor remove.
	if press(m, "b") != nil || press(m, "d") != nil || m.Capturing() {
		t.Error("b or d did something without a builder or remover")
	}
	if enabled(m.ShortHelp()) != "r" {
		t.Errorf("keys offered: %q", enabled(m.ShortHelp()))
	}
}

// enabled is the keys help offers, space-separated.
func enabled(bs []key.Binding) string {
	var out []string
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b.Help().Key)
		}
	}
	return strings.Join(out, " ")
}

// Build: b opens the prompt with the remembered folder and a fresh tag;
// typing edits it, enter asks the guard; the action remembers the folder
// and starts the build, whose lines go to the Logs pane, one batch after
// another, and whose result comes back here with the time against the
// budget.
func TestBuildPromptThenBuildStreamsToTheLogsPane(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()},
		lines:  []string{"Step 1/2 : FROM scratch", "Step 2/2 : COPY app /app", "Successfully built 0123abcd"},
		result: BuildResult{Duration: 62 * time.Second, Budget: 5 * time.Minute}}
	m, now := pane(t, svc, Options{})
	if got := enabled(m.ShortHelp()); got != "b d r" {
		t.Errorf("keys offered: %q", got)
	}
	if press(m, "b") != nil || !m.Capturing() {
		t.Fatal("b did not open the prompt")
	}
	v := m.View()
	if !strings.Contains(v, "Build taskmaster-backend from") || !strings.Contains(v, "› folder: /src/taskmaster/backend█") || !strings.Contains(v, "tag:    dev-20261125-1702") {
		t.Errorf("prompt:\n%s", v)
	}
	if enabled(m.ShortHelp()) != "enter tab esc" {
		t.Errorf("prompt keys: %q", enabled(m.ShortHelp()))
	}
	// While the prompt is open, keys type: b and d are letters.
	press(m, "ctrl+u")
	typeText(m, "/src/app/bd")
	press(m, "backspace", "tab", "backspace", "backspace", "backspace", "backspace")
	typeText(m, "rc1")
	if p := m.prompt; p.folder.Value != "/src/app/b" || p.tag.Value != "dev-20261125-rc1" {
		t.Errorf("typed folder %q tag %q", p.folder.Value, p.tag.Value)
	}
	press(m, "esc")
	if m.Capturing() || len(svc.requests) != 0 {
		t.Fatal("esc did not close the prompt without building")
	}

	press(m, "b") // esc dropped what was typed
	if m.prompt.folder.Value != "/src/taskmaster/backend" || m.prompt.tag.Value != "dev-20261125-1702" {
		t.Errorf("prompt offers %q %q, want the remembered folder and a fresh tag", m.prompt.folder.Value, m.prompt.tag.Value)
	}
	press(m, "ctrl+u")
	typeText(m, "/src/app/b")
	a := actionOf(t, press(m, "enter"))
	if m.Capturing() {
		t.Error("enter left the prompt open")
	}
	if a.Action.Title != "build taskmaster-backend:dev-20261125-1702 from /src/app/b" || a.Action.Ask {
		t.Errorf("action %q ask %v", a.Action.Title, a.Action.Ask)
	}
	// The guard's context ends when Run returns; the build must outlive it.
	guardCtx, endGuard := context.WithCancel(context.Background())
	started := a.Action.Run(guardCtx, "")
	endGuard()
	if svc.remembered["taskmaster-backend"] != "/src/app/b" {
		t.Errorf("remembered %v", svc.remembered)
	}
	if want := (BuildRequest{Repository: "taskmaster-backend", Tag: "dev-20261125-1702", Folder: "/src/app/b"}); len(svc.requests) != 1 || svc.requests[0] != want {
		t.Errorf("requests %+v", svc.requests)
	}
	if svc.buildCtx.Err() != nil {
		t.Error("the build's context ended with the guard's")
	}
	if text, err := started.(common.Outcome).Outcome(); err != nil || !strings.Contains(text, "Logs pane") {
		t.Errorf("started outcome %q %v", text, err)
	}

	msgs := uitest.Run(t, m.Update(started))
	if !m.Building() || enabled(m.ShortHelp()) != "d c r" {
		t.Errorf("building %v, keys %q", m.Building(), enabled(m.ShortHelp()))
	}
	var out common.BuildOutputMsg
	for _, msg := range msgs {
		if o, ok := msg.(common.BuildOutputMsg); ok {
			out = o
		}
	}
	if out.Route != (common.Route{Pane: common.LogsPane, Gen: 1}) || out.Source != "build backend" || out.Status != "building" ||
		len(out.Lines) != 1 || out.Lines[0] != "building taskmaster-backend:dev-20261125-1702 from /src/app/b" {
		t.Fatalf("first output %+v", out)
	}
	if m.Busy() != "build of taskmaster-backend:dev-20261125-1702" {
		t.Errorf("Busy = %q", m.Busy())
	}
	*now = now.Add(42 * time.Second)
	if !strings.Contains(m.View(), "… building taskmaster-backend:dev-20261125-1702 · 0:42 of the 5:00 budget · c cancels") {
		t.Errorf("running view:\n%s", m.View())
	}
	lines := only(t, out.Next).(common.BuildOutputMsg)
	if strings.Join(lines.Lines, "|") != "Step 1/2 : FROM scratch|Step 2/2 : COPY app /app|Successfully built 0123abcd" || lines.Route.Pane != common.LogsPane {
		t.Errorf("lines %+v", lines)
	}
	done, ok := only(t, lines.Next).(buildDoneMsg)
	if !ok || done.Route.Pane != common.ImagesPane {
		t.Fatalf("after the lines: %#v", done)
	}
	if text, err := done.Outcome(); err != nil || text != "✓ built taskmaster-backend:dev-20261125-1702 in 1:02, within the 5:00 budget" {
		t.Errorf("done outcome %q %v", text, err)
	}
	before := svc.listed()
	msgs = uitest.Run(t, m.Update(done))
	if m.Building() || m.Busy() != "" || !strings.Contains(m.View(), "✓ built taskmaster-backend:dev-20261125-1702 in 1:02, within the 5:00 budget") {
		t.Errorf("after the build:\n%s", m.View())
	}
	var last common.BuildOutputMsg
	listedAgain := false
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case common.BuildOutputMsg:
			last = msg
		case listedMsg:
			listedAgain = true
		}
	}
	if last.Status != "built in 1:02" || last.Next != nil || !listedAgain || svc.listed() != before+1 {
		t.Errorf("last output %+v, listed again %v", last, listedAgain)
	}
	if svc.buildCtx.Err() == nil {
		t.Error("the finished build's context was not released")
	}
	if press(m, "b"); m.prompt.folder.Value != "/src/app/b" {
		t.Errorf("the next build offers %q, want the folder built from", m.prompt.folder.Value)
	}
}

func TestBuildPromptSaysWhatIsMissing(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()}}
	m, _ := pane(t, svc, Options{})
	press(m, "down", "b", "ctrl+u")
	if m.prompt.repo != "taskmaster-frontend" || m.prompt.folder.Value != "" {
		t.Errorf("prompt for %q with %q", m.prompt.repo, m.prompt.folder.Value)
	}
	if press(m, "enter") != nil || !strings.Contains(m.View(), "✗ name the folder that holds the Dockerfile") {
		t.Errorf("no folder:\n%s", m.View())
	}
	typeText(m, "/src/f")
	press(m, "tab")
	typeText(m, ":x")
	if press(m, "enter") != nil || !strings.Contains(m.View(), "✗ a tag is letters") {
		t.Errorf("bad tag:\n%s", m.View())
	}
	if len(svc.requests) != 0 {
		t.Error("built with a bad prompt")
	}
}

func TestBuildThatCannotStartOrFailsSaysWhy(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()}, startErr: errors.New("no Dockerfile in /src/f")}
	m, _ := pane(t, svc, Options{})
	press(m, "b")
	started := actionOf(t, press(m, "enter")).Action.Run(context.Background(), "")
	if _, err := started.(common.Outcome).Outcome(); err == nil || !strings.Contains(err.Error(), "cannot build taskmaster-backend:dev-20261125-1702: no Dockerfile") {
		t.Errorf("outcome err = %v", err)
	}
	m.Update(started)
	if m.Building() || !strings.Contains(m.View(), "✗ build of taskmaster-backend:dev-20261125-1702 failed after 0:00: cannot build") {
		t.Errorf("view:\n%s", m.View())
	}
	d := buildDoneMsg{req: BuildRequest{Repository: "r", Tag: "t"}, result: BuildResult{Duration: 3 * time.Second, Err: errors.New("build failed: COPY failed")}}
	if _, err := d.Outcome(); err == nil || err.Error() != "✗ build of r:t failed after 0:03: build failed: COPY failed" {
		t.Errorf("failure outcome %v", err)
	}
	slow := resultLine(BuildRequest{Repository: "r", Tag: "t"}, BuildResult{Duration: 370 * time.Second, Budget: BuildBudget})
	if slow != "! built r:t in 6:10, over the 5:00 budget" {
		t.Errorf("slow = %q", slow)
	}
}

// c cancels a running build; the result says so, and is no error.
func TestCancelStopsTheBuild(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()}, wait: make(chan struct{})}
	m, _ := pane(t, svc, Options{})
	press(m, "b")
	started := actionOf(t, press(m, "enter")).Action.Run(context.Background(), "")
	msgs := uitest.Run(t, m.Update(started))
	var next tea.Cmd
	for _, msg := range msgs {
		if o, ok := msg.(common.BuildOutputMsg); ok {
			next = o.Next
		}
	}
	// A second build asked for before the first started is not run.
	first := svc.buildCtx
	m.build.running = false // as if the first were still being approved
	m.syncKeys()
	press(m, "b")
	second := actionOf(t, press(m, "enter")).Action.Run(context.Background(), "")
	m.build.running = true
	if msg := only(t, m.Update(second)); !strings.Contains(fmt.Sprint(msg), "is running") || svc.buildCtx.Err() == nil || m.Busy() == "" {
		t.Errorf("second build: %v, its context ended %v", msg, svc.buildCtx.Err())
	}
	svc.buildCtx = first
	if press(m, "c") != nil || svc.buildCtx.Err() == nil {
		t.Fatal("c did not cancel the build")
	}
	done := only(t, next).(buildDoneMsg)
	if text, err := done.Outcome(); err != nil || !strings.Contains(text, "cancelled after 0:12") {
		t.Errorf("outcome %q %v", text, err)
	}
	uitest.Run(t, m.Update(done))
	if m.Building() || m.keys.Cancel.Enabled() {
		t.Error("still building after the cancel")
	}
}

// d asks (yes/no, default No: Ask) to remove the selected tag; the pane
// lists again once it is gone.
func TestRemoveAsksThenRemovesTheSelectedTag(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()}}
	m, _ := pane(t, svc, Options{})
	press(m, "down")
	a := actionOf(t, press(m, "d"))
	if !a.Action.Ask || a.Action.Title != "remove image taskmaster-frontend:1.2.0" {
		t.Errorf("action %q ask %v", a.Action.Title, a.Action.Ask)
	}
	if len(svc.removed) != 0 {
		t.Fatal("removed before the guard approved")
	}
	res := a.Action.Run(context.Background(), "")
	if text, err := res.(common.Outcome).Outcome(); err != nil || text != "removed taskmaster-frontend:1.2.0" {
		t.Errorf("outcome %q %v", text, err)
	}
	if len(svc.removed) != 1 || svc.removed[0] != "taskmaster-frontend:1.2.0" {
		t.Errorf("removed %v", svc.removed)
	}
	svc.set(fixture()[:1], nil)
	uitest.Idle(t, m, m.Update(res))
	if len(m.Images()) != 1 || m.Cursor() != 0 {
		t.Errorf("after removing: %d images, cursor %d", len(m.Images()), m.Cursor())
	}
	// Nothing to remove where there is no image.
	svc.set([]Image{{Repository: "taskmaster-backend"}}, nil)
	uitest.Idle(t, m, press(m, "r"))
	if press(m, "d") != nil || strings.Contains(enabled(m.ShortHelp()), "d") {
		t.Error("d offered for a missing image")
	}
	if enabled(m.ShortHelp()) != "b r" {
		t.Errorf("keys for a missing image: %q", enabled(m.ShortHelp()))
	}
}

func TestReadOnlyHidesBuildAndRemove(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()}}
	m, _ := pane(t, svc, Options{ReadOnly: true})
	if press(m, "b") != nil || m.Capturing() || press(m, "d") != nil {
		t.Error("b or d acted in read-only mode")
	}
	if got := enabled(m.ShortHelp()); got != "r" {
		t.Errorf("read-only keys: %q", got)
	}
	for _, group := range m.FullHelp() {
		for _, b := range group {
			if b.Enabled() && (b.Help().Desc == "build image" || b.Help().Desc == "remove tag") {
				t.Errorf("full help offers %q", b.Help().Desc)
			}
		}
	}
}

func TestBuildAndRemoveKeysAreRemappable(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{images: fixture()}}
	m, _ := pane(t, svc, Options{Keys: common.Overrides{"images": {"build": {"B"}, "remove": {"delete"}}}})
	if press(m, "b"); m.Capturing() {
		t.Fatal("b still builds")
	}
	if press(m, "B"); !m.Capturing() {
		t.Fatal("B does not build")
	}
	press(m, "esc")
	if press(m, "d") != nil {
		t.Error("d still removes")
	}
	if a := actionOf(t, press(m, "delete")); a.Action.Title != "remove image taskmaster-backend:1.2.0" {
		t.Errorf("delete asked %q", a.Action.Title)
	}
	if got := enabled(m.ShortHelp()); got != "B delete r" {
		t.Errorf("help shows %q", got)
	}
}

// An engine that does not answer: the pane says so and what to do, retries
// on its own (and on r), and recovers when the engine is back.
func TestEngineNotReachableRetriesAndRecovers(t *testing.T) {
	svc := &fakeService{listOnly: listOnly{err: fmt.Errorf("nothing answers at unix:///var/run/docker.sock: %w", ErrUnreachable)}}
	now := clock
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(60, 8)
	listed := only(t, m.Start(context.Background(), 1, svc))
	retry := m.Update(listed)
	if retry == nil {
		t.Fatal("no retry scheduled")
	}
	v := m.View()
	for _, want := range []string{"Docker engine not reachable", "Start Docker Desktop", "DOCKER_HOST", "The rest of tmtui works", "every 5s; r tries now"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if m.Summary() != "✗ Docker engine not reachable" {
		t.Errorf("Summary = %q", m.Summary())
	}
	if enabled(m.ShortHelp()) != "r" || press(m, "b") != nil || m.Capturing() {
		t.Errorf("keys while unreachable: %q", enabled(m.ShortHelp()))
	}
	// r while a retry is scheduled asks now and schedules no second retry.
	if again := m.Update(only(t, press(m, "r"))); again != nil {
		t.Error("a second retry loop started")
	}
	// The engine comes back; the scheduled retry finds it.
	svc.set(fixture(), nil)
	calls := svc.listed()
	uitest.Idle(t, m, m.Update(retryMsg{m.route}))
	if m.Unreachable() || len(m.Images()) != 2 || svc.listed() != calls+1 || !strings.Contains(m.View(), "taskmaster-backend:1.2.0") {
		t.Errorf("did not recover:\n%s", m.View())
	}
	if enabled(m.ShortHelp()) != "b d r" {
		t.Errorf("keys after recovering: %q", enabled(m.ShortHelp()))
	}
	// A retry that arrives once the engine answers does nothing.
	if m.Update(retryMsg{m.route}) != nil {
		t.Error("retried a reachable engine")
	}

	nilSvc := New(Options{})
	nilSvc.SetSize(60, 6)
	if v := nilSvc.View(); !strings.Contains(v, "no Docker engine is") || strings.Contains(v, "Trying again") {
		t.Errorf("without a service:\n%s", v)
	}
}

func TestRetryIsATimer(t *testing.T) {
	// The retry is a tea.Tick: it must not fire at once. A slow machine
	// can only make it later, so the 50 ms here cannot fail a correct retry.
	fired := make(chan tea.Msg, 1)
	go func() { fired <- retryCmd(common.Route{})() }()
	select {
	case msg := <-fired:
		t.Errorf("retry fired at once: %v", msg)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestClockAndShort(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00", 42 * time.Second: "0:42", 62*time.Second + 400*time.Millisecond: "1:02", 5 * time.Minute: "5:00"} {
		if got := Clock(d); got != want {
			t.Errorf("Clock(%v) = %q, want %q", d, got, want)
		}
	}
	if Short("taskmaster-backend") != "backend" || Short("other") != "other" {
		t.Error("Short")
	}
	for tag, ok := range map[string]bool{"1.2.0": true, "dev-20261125-1702": true, "": false, "-x": false, ".x": false, "a:b": false, "a/b": false, strings.Repeat("a", 129): false} {
		if validTag(tag) != ok {
			t.Errorf("validTag(%q) = %v", tag, !ok)
		}
	}
}
