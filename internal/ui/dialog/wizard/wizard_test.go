package wizard

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// harness drives a wizard over the fake service as a program would: every
// command runs in its own goroutine and its message comes back to Update,
// however late. The root's part is played too: it keeps the ClosedMsg.
type harness struct {
	t      *testing.T
	m      *Model
	f      *fakeService
	closed *ClosedMsg
	msgs   []tea.Msg // every message the wizard's commands yielded
	inbox  chan tea.Msg
	// running counts the commands started whose message has not been
	// handled yet. The cursor's blinking is dropped and the fakes answer at
	// once, so every command ends, and none running means the wizard has
	// done all that was asked of it, however slow the machine.
	running int
}

// waitLimit only ends a test that would otherwise hang; the waits end on
// a state, long before it on any machine.
const waitLimit = uitest.WaitLimit

func newHarness(t *testing.T, f *fakeService) *harness {
	t.Helper()
	h := &harness{t: t, m: New(Options{Service: f, Refresh: -1, AppDir: "/src/taskmaster"}), f: f, inbox: make(chan tea.Msg, 1024)}
	h.m.SetSize(100, 40)
	h.m.SetStyles(styles.Plain())
	h.do(h.m.Init())
	return h
}

// Update is the root's part: ClosedMsg is its, the rest the wizard's. The
// cursor's blinking is dropped, so that views do not depend on timing.
func (h *harness) Update(msg tea.Msg) tea.Cmd {
	if fm, ok := msg.(formMsg); ok && strings.Contains(reflect.TypeOf(fm.msg).PkgPath(), "/cursor") {
		return nil
	}
	h.msgs = append(h.msgs, msg)
	if c, ok := msg.(ClosedMsg); ok {
		h.closed = &c
		return nil
	}
	return h.m.Update(msg)
}

func (h *harness) spawn(cmd tea.Cmd) {
	if cmd != nil {
		h.running++
		go func() { h.inbox <- cmd() }()
	}
}

// do runs cmd, then handles messages until every command started has
// answered and its message has been handled.
func (h *harness) do(cmd tea.Cmd) {
	h.t.Helper()
	h.until(cmd, "every command answered", func() bool { return h.running == 0 })
}

// until runs cmd, then handles messages until done says the wizard is in
// the state the test waits for; what names that state for a failure.
func (h *harness) until(cmd tea.Cmd, what string, done func() bool) {
	h.t.Helper()
	h.spawn(cmd)
	limit := time.After(waitLimit)
	for !done() {
		select {
		case msg := <-h.inbox:
			h.running--
			h.handle(msg)
		case <-limit:
			h.t.Fatalf("waited %v for %s; %d commands still running, at step %s, busy %q, err %v:\n%s",
				waitLimit, what, h.running, h.m.Step(), h.m.Busy(), h.m.Err(), h.view())
		}
	}
}

func (h *harness) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.spawn(c)
		}
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType { // a sequence
		var cmds []tea.Cmd
		for i := range v.Len() {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil {
				cmds = append(cmds, c)
			}
		}
		h.running += len(cmds)
		go func() {
			for _, c := range cmds {
				h.inbox <- c()
			}
		}()
		return
	}
	if strings.HasPrefix(reflect.TypeOf(msg).PkgPath(), "charm.land/bubbletea/") {
		return // the program's own requests: no program here
	}
	h.spawn(h.Update(msg))
}

func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.do(h.m.Update(uitest.Key(k)))
	}
}

// pressUntil presses k, then waits for the state done reports, for a key
// whose work waits on the test (a fake held) and so never ends by itself.
func (h *harness) pressUntil(k, what string, done func() bool) {
	h.t.Helper()
	h.until(h.m.Update(uitest.Key(k)), what, done)
}

// typ types text: the keys go straight in, as a fast typist's would; what
// they ask for is handled after.
func (h *harness) typ(s string) {
	h.t.Helper()
	for _, k := range uitest.Type(s) {
		h.spawn(h.m.Update(k))
	}
	h.do(nil)
}

// erase presses backspace n times, as typ types: the keys go straight in.
func (h *harness) erase(n int) {
	h.t.Helper()
	for range n {
		h.spawn(h.m.Update(uitest.Key("backspace")))
	}
	h.do(nil)
}

func (h *harness) view() string { return h.m.View() }

func (h *harness) wantStep(s Step) {
	h.t.Helper()
	if h.m.Step() != s {
		h.t.Fatalf("at step %s, want %s; err %v\n%s", h.m.Step(), s, h.m.Err(), h.view())
	}
}

func (h *harness) wantView(parts ...string) {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			h.t.Fatalf("view lacks %q:\n%s", p, v)
		}
	}
}

// noSecretIn fails when a fake secret value is on the screen.
func (h *harness) noSecretInView() {
	h.t.Helper()
	v := h.view()
	for _, s := range []string{fakeDBURL, "db.invalid", fakeOpenAI, fakeGemini, fakeJWT, genJWT, "pass@"} {
		if strings.Contains(v, s) {
			h.t.Fatalf("the view shows a secret (%q):\n%s", s, v)
		}
	}
}

// through drives the usual path up to step s.
func (h *harness) through(s Step) {
	h.t.Helper()
	if s > StepPreflight {
		h.press("enter") // preflight: continue
		h.wantStep(StepContext)
	}
	if s > StepContext {
		h.press("enter") // the local context in use
		h.wantStep(StepNamespace)
	}
	if s > StepNamespace {
		h.press("enter") // taskmaster
		h.wantStep(StepSecrets)
	}
	if s > StepSecrets {
		if h.m.formID == formSecretKeep {
			h.press("enter")
		} else {
			h.typ(fakeDBURL)
			h.press("enter")
			h.typ(fakeOpenAI)
			h.press("enter", "enter", "enter") // no Gemini key; generate the JWT secret
		}
		h.wantStep(StepImages)
	}
	if s > StepImages {
		h.press("enter") // use these images
		h.wantStep(StepReview)
	}
	if s > StepReview {
		h.press("enter")
	}
	h.wantStep(s)
}

func TestPreflightShowsEveryCheckWithAWordAGlyphAndItsFix(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.wantStep(StepPreflight)
	h.wantView("✓ ok   cluster reachable: v1.36.3", "! warn namespace", "✗ fail secret: taskmaster-secret is missing", "fix: the wizard writes it", "enter continue")
	h.press("r")
	if n := countPrefix(h.f.Calls(), "preflight"); n != 2 {
		t.Errorf("r ran the checks %d times in all, want 2", n)
	}
	h.through(StepContext)
}

func countPrefix(calls []string, prefix string) int {
	n := 0
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func TestPreflightRefreshesWhileShownAndStopsAfter(t *testing.T) {
	t.Parallel()
	f := newFake()
	m := New(Options{Service: f, Refresh: 5 * time.Millisecond})
	h := &harness{t: t, m: m, f: f, inbox: make(chan tea.Msg, 1024)}
	// Between two runs, not during one: a key while the checks run is ignored.
	h.until(m.Init(), "the checks run three times while shown, and not running", func() bool {
		return countPrefix(f.Calls(), "preflight") >= 3 && m.Busy() == ""
	})
	// A refresh from before the step was left is dropped.
	h.press("enter")
	h.wantStep(StepContext)
	before := countPrefix(f.Calls(), "preflight")
	h.do(m.Update(refreshMsg{gen: m.gen - 1}))
	if countPrefix(f.Calls(), "preflight") != before {
		t.Error("a stale refresh ran the checks again")
	}
}

func TestPreflightHoldsWhenTheClusterDoesNotAnswer(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.preflight.Checks[0] = Check{ID: "cluster", Name: "cluster reachable", Status: CheckFail, Detail: "connection refused", Fix: "start your cluster"}
	h := newHarness(t, f)
	h.press("enter")
	h.wantStep(StepPreflight)
	h.wantView("✗ the cluster does not answer", "fix: start your cluster")
}

func TestContextStepRecommendsLocalAndAsksForTheNameOfARemoteOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepContext)
	h.wantView("› docker-desktop  LOCAL (recommended)  · in use", "prod-eu  REMOTE")
	h.press("down", "enter")
	h.wantView("REMOTE context: type its name")
	h.typ("prod")
	h.press("enter")
	h.wantStep(StepContext)
	h.wantView("type prod-eu exactly")
	h.typ("-eu")
	h.press("enter")
	h.wantStep(StepNamespace)
	if !slices.Contains(h.f.Calls(), "use prod-eu") {
		t.Fatalf("calls %v: the context was not switched", h.f.Calls())
	}
	h.press("enter")
	if !slices.Contains(h.f.Calls(), "namespace taskmaster prod-eu") {
		t.Fatalf("calls %v: the namespace was not made with the typed confirmation", h.f.Calls())
	}
}

func TestNamespaceIsValidatedAndMade(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepNamespace)
	h.wantView("> taskmaster")
	h.erase(len("taskmaster"))
	h.typ("Bad_NS")
	h.press("enter")
	h.wantStep(StepNamespace)
	h.wantView(`invalid namespace name "Bad_NS"`)
	h.erase(len("Bad_NS"))
	h.typ("tm-dev")
	h.press("enter")
	h.wantStep(StepSecrets)
	h.wantView("✓ namespace tm-dev created")
	if !slices.Contains(h.f.Calls(), "namespace tm-dev ") {
		t.Errorf("calls %v", h.f.Calls())
	}
}

func TestSecretsAreMaskedValidatedAsTypedAndTheJWTSecretGenerated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepSecrets)
	h.wantView("· needed   DATABASE_URL: required", "✓ generate JWT_SECRET_KEY")

	h.typ("mysql://user:pass@db.invalid/app")
	h.noSecretInView()
	h.wantView("✗ invalid  DATABASE_URL must be a PostgreSQL URL", "> ********")
	h.press("enter") // refused: the field is invalid
	h.wantView("✗ invalid")
	h.erase(len("mysql://user:pass@db.invalid/app"))
	h.typ(fakeDBURL)
	h.wantView("✓ valid    DATABASE_URL (37 characters)")
	h.noSecretInView()
	h.press("enter")
	h.press("enter") // OPENAI_API_KEY empty: required
	h.wantView("OPENAI_API_KEY is required")
	h.typ(fakeOpenAI)
	h.noSecretInView()
	h.press("enter")
	h.typ(fakeGemini)
	h.noSecretInView()
	h.press("enter", "enter") // generate
	h.wantStep(StepImages)
	h.noSecretInView()
	h.wantView("✓ Secret created: DATABASE_URL, OPENAI_API_KEY, GEMINI_API_KEY, JWT_SECRET_KEY set")
	if len(h.f.applied) != 1 {
		t.Fatalf("the Secret was written %d times", len(h.f.applied))
	}
	want := SecretValues{DatabaseURL: fakeDBURL, OpenAIAPIKey: fakeOpenAI, GeminiAPIKey: fakeGemini, JWTSecret: genJWT}
	if h.f.applied[0] != want {
		t.Errorf("written %v, want every field with the generated JWT secret", h.f.applied[0])
	}
	if h.m.fv.secrets != (SecretValues{}) {
		t.Error("the typed values stayed in the wizard after the Secret was written")
	}
	if s := want.String(); strings.Contains(s, "db.invalid") || !strings.Contains(s, "DATABASE_URL:set") {
		t.Errorf("SecretValues prints %q", s)
	}
}

func TestSecretsTypedJWTSecretIsCheckedForLength(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepSecrets)
	h.typ(fakeDBURL)
	h.press("enter")
	h.typ(fakeOpenAI)
	h.press("enter", "enter", "down")
	h.wantView("› type my own")
	h.press("enter")
	h.wantStep(StepSecrets)
	h.typ("short")
	h.wantView("✗ invalid  JWT_SECRET_KEY must be at least 32 bytes")
	h.press("enter")
	h.wantStep(StepSecrets)
	h.erase(len("short"))
	h.typ(fakeJWT)
	h.noSecretInView()
	h.press("enter")
	h.wantStep(StepImages)
	if got := h.f.applied[0].JWTSecret; got != fakeJWT {
		t.Errorf("JWT secret written: %d characters, want the typed one", len(got))
	}
}

func TestSecretsInPlaceAreKeptOrReplacedKeepingEmptyFields(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.secret = SecretStatus{Exists: true, Present: RequiredSecretEnvs}
	h := newHarness(t, f)
	h.through(StepSecrets)
	h.wantView("The Secret is in place", "DATABASE_URL, OPENAI_API_KEY, JWT_SECRET_KEY (values not shown)", "› keep it (recommended)")
	h.press("enter")
	h.wantStep(StepImages)
	if len(f.applied) != 0 {
		t.Fatal("keeping the Secret wrote it")
	}
	h.press("esc")
	if h.closed == nil || !h.closed.SecretReady {
		t.Fatalf("closed = %+v; want the Secret reported in place", h.closed)
	}

	h = newHarness(t, f)
	h.through(StepSecrets)
	h.press("down", "enter", "enter") // replace; DATABASE_URL left empty
	h.wantView("OPENAI_API_KEY > empty keeps the cluster's value", "keep the one in the cluster", "✓ keep     JWT_SECRET_KEY: the cluster's value")
	h.typ(fakeOpenAI)
	h.press("enter", "enter", "enter") // no Gemini key; keep the JWT secret
	h.wantStep(StepImages)
	got := f.applied[0]
	if got != (SecretValues{OpenAIAPIKey: fakeOpenAI}) {
		t.Errorf("written %v; want only the new OpenAI key, the rest kept", got)
	}
}

func TestImagesOtherTagsAreLookedUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepImages)
	h.wantView("✓ present taskmaster-backend:1.0.0", "› use these images")
	h.press("down", "down", "enter")
	h.wantView("taskmaster-backend tag", "On this machine: 0.9.0")
	h.press("backspace", "backspace", "backspace", "backspace", "backspace")
	h.press("enter") // empty: refused
	h.wantView("a tag is letters")
	h.typ("2.0.0")
	h.press("enter", "enter")
	h.wantStep(StepImages)
	h.wantView("✗ missing taskmaster-backend:2.0.0", "✓ present taskmaster-frontend:1.0.0", "› build them now")
	h.press("up", "enter")
	h.wantStep(StepReview)
	h.wantView("taskmaster-backend:2.0.0  ✗ missing")
	h.press("enter")
	h.wantStep(StepHealth)
	if got := h.f.installCalls[0].Tags["backend"]; got != "2.0.0" {
		t.Errorf("installed with backend tag %q, want 2.0.0", got)
	}
}

func TestImagesBuildWritesTheKitOnlyAfterAYesAndADiff(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.present = map[string]bool{}
	f.kit = []KitFile{
		{Path: "backend/Dockerfile", State: KitDiffers, Diff: "--- yours/backend/Dockerfile\n+++ tmtui/backend/Dockerfile\n-FROM python:3.12\n+FROM python:3.12.4-slim AS build\n"},
		{Path: "frontend/Dockerfile", State: KitMissing},
		{Path: "docker-compose.yml", State: KitSame},
	}
	h := newHarness(t, f)
	h.through(StepImages)
	h.wantView("✗ missing taskmaster-backend:1.0.0", "› build them now")
	h.press("enter")
	h.wantView("The app's folder", "> /src/taskmaster")
	h.press("enter")
	h.wantView("lacks part of the deployment kit", "Missing: frontend/Dockerfile", "› write them")
	h.press("enter")
	h.wantView("backend/Dockerfile differs from tmtui's", "-FROM python:3.12", "+FROM python:3.12.4-slim", "› keep mine")
	if len(f.written) != 0 {
		t.Fatal("the kit was written before every question was answered")
	}
	h.press("down", "enter")
	h.wantStep(StepImages)
	if strings.Join(f.written, ",") != "frontend/Dockerfile,backend/Dockerfile" {
		t.Fatalf("written %v", f.written)
	}
	if strings.Join(f.built, ",") != "taskmaster-backend:1.0.0,taskmaster-frontend:1.0.0" {
		t.Fatalf("built %v", f.built)
	}
	h.wantView("✓ present taskmaster-backend:1.0.0", "frontend: Successfully tagged", "› use these images")

	// Keeping the user's file writes nothing over it.
	f.written = nil
	h.press("down", "enter", "enter", "enter", "enter")
	if slices.Contains(f.written, "backend/Dockerfile") {
		t.Fatalf("written %v after keep mine", f.written)
	}
}

func TestReviewShowsTheValuesAndSkipsAnInstalledRelease(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.release = Release{Name: "taskmaster", Installed: true, Revision: 3, State: "deployed"}
	h := newHarness(t, f)
	h.through(StepReview)
	h.wantView("context      docker-desktop LOCAL", "namespace    taskmaster", "secret       DATABASE_URL, OPENAI_API_KEY, JWT_SECRET_KEY (values not shown)",
		"installed already (revision 3, deployed): the install is skipped")
	h.noSecretInView()
	h.press("enter")
	h.wantStep(StepHealth)
	if slices.ContainsFunc(f.Calls(), func(c string) bool { return strings.HasPrefix(c, "install") }) {
		t.Error("an installed release was installed again")
	}
}

func TestInstallShowsPodsAndEscUndoesIt(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.installHold = make(chan struct{})
	h := newHarness(t, f)
	h.through(StepReview)
	h.pressUntil("enter", "the install's last progress, the pods", installShowsPods(h))
	h.wantStep(StepInstall)
	h.wantView("installing taskmaster", "✓ Deployment/taskmaster-backend", "1/1 ready", "· Deployment/taskmaster-frontend", "taskmaster-backend-7d9f-abcde", "✓ ready", "· not ready ContainerCreating", "installing…")
	for _, k := range []string{"enter", "b"} { // nothing while it runs
		h.spawn(h.m.Update(uitest.Key(k)))
		h.wantStep(StepInstall)
	}
	h.pressUntil("esc", "the wizard closed once Helm had undone the install", func() bool { return h.closed != nil })
	c := h.closed
	if c.Installed || c.Finished || !c.SecretReady || c.Namespace != "taskmaster" {
		t.Errorf("closed = %+v; want not installed, namespace and Secret in place", c)
	}
	if c.Summary != "setup left; in place: namespace taskmaster, the Secret" {
		t.Errorf("summary %q", c.Summary)
	}
}

// installShowsPods says the install's last progress before it waits, its
// pods, is on the screen.
func installShowsPods(h *harness) func() bool {
	return func() bool { return strings.Contains(h.view(), "taskmaster-frontend-5c4b-fghij") }
}

func TestInstallFailureCanBeRetried(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.installErr = errors.New("install of taskmaster failed: pod taskmaster-backend-x: ErrImageNeverPull")
	h := newHarness(t, f)
	h.through(StepInstall)
	h.wantView("✗ install of taskmaster failed", "enter try again")
	f.installErr = nil
	h.press("enter")
	h.wantStep(StepHealth)
}

func TestHealthShowsResultsAndTheURLAndFinishes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepHealth)
	h.wantView("✓ healthy backend   200 in 12ms", "✓ healthy frontend  200 in 30ms", "Open TaskMaster at http://localhost:3000", "What next:")
	h.press("r")
	if n := countPrefix(h.f.Calls(), "health"); n != 2 {
		t.Errorf("health checked %d times, want 2", n)
	}
	h.press("enter")
	c := h.closed
	if c == nil || !c.Finished || !c.Installed || !c.Healthy || c.URL != "http://localhost:3000" || c.Revision != 1 {
		t.Fatalf("closed = %+v", c)
	}
	if c.Summary != "setup done: TaskMaster answers at http://localhost:3000" {
		t.Errorf("summary %q", c.Summary)
	}
}

// When the frontend answered only through a port-forward, the wizard does
// not send anyone to its URL (FINDINGS: "setup done: TaskMaster answers at
// http://localhost:3000" while nothing answered there).
func TestHealthThroughAPortForwardSaysTheURLDoesNotAnswer(t *testing.T) {
	t.Parallel()
	f := newFake()
	for i := range f.health {
		if f.health[i].Component == "frontend" {
			f.health[i].PortForward = true
		}
	}
	h := newHarness(t, f)
	h.through(StepHealth)
	h.wantView("✓ healthy frontend  200 in 30ms", "TaskMaster is healthy through a port-forward, but", "http://localhost:3000 does not answer: its Service is not published on this machine")
	if strings.Contains(h.view(), "Open TaskMaster at") {
		t.Errorf("the wizard sends the user to a URL that did not answer:\n%s", h.view())
	}
	h.press("enter")
	c := h.closed
	if c == nil || !c.Healthy || c.Summary != "setup done: TaskMaster is healthy through a port-forward, but http://localhost:3000 does not answer here" {
		t.Fatalf("closed = %+v", c)
	}
}

func TestHealthFailureIsShownInWords(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.health[0] = Health{Component: "backend", URL: "http://127.0.0.1:8000/health", Status: 503}
	h := newHarness(t, f)
	h.through(StepHealth)
	h.wantView("✗ failing backend   status 503")
	h.press("enter")
	if h.closed == nil || h.closed.Healthy || !strings.Contains(h.closed.Summary, "health check did not pass") {
		t.Fatalf("closed = %+v", h.closed)
	}
}

// esc leaves at every step and says what is in place.
func TestEscLeavesAtEveryStep(t *testing.T) {
	t.Parallel()
	want := map[Step]string{
		StepPreflight: "setup left: nothing was changed",
		StepContext:   "setup left: nothing was changed",
		StepNamespace: "setup left: nothing was changed",
		StepSecrets:   "setup left; in place: namespace taskmaster",
		StepImages:    "setup left; in place: namespace taskmaster, the Secret",
		StepReview:    "setup left; in place: namespace taskmaster, the Secret",
		StepHealth:    "setup left; in place: namespace taskmaster, the Secret, release taskmaster (revision 1)",
	}
	for step := StepPreflight; step <= StepHealth; step++ {
		if step == StepInstall {
			continue // TestInstallShowsPodsAndEscUndoesIt
		}
		t.Run(step.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, newFake())
			h.through(step)
			h.press("esc")
			if h.closed == nil {
				t.Fatal("esc did not close the wizard")
			}
			if h.closed.Finished || h.closed.Summary != want[step] {
				t.Errorf("closed = %+v; want summary %q", h.closed, want[step])
			}
		})
	}
}

// esc while the Secret is being written waits for it, then says it is there.
func TestEscWhileWritingWaitsForTheChange(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepSecrets)
	h.typ(fakeDBURL)
	h.press("enter")
	h.typ(fakeOpenAI)
	h.f.applyHold = make(chan struct{})
	h.press("enter", "enter")
	// The form completes: the write starts, and waits.
	h.pressUntil("enter", "the Secret being written", func() bool { return h.m.Busy() == busySecret })
	h.pressUntil("esc", "the wizard saying it waits for the write", func() bool { return strings.Contains(h.view(), "leaving: waiting") })
	if h.closed != nil {
		t.Fatal("closed before the write ended")
	}
	close(h.f.applyHold)
	h.do(nil)
	if h.closed == nil || !h.closed.SecretReady {
		t.Fatalf("closed = %+v; want the Secret in place", h.closed)
	}
}

func TestBackGoesToTheStepBefore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepReview)
	h.press("b")
	h.wantStep(StepImages)
	h.press("esc")
	h = newHarness(t, newFake())
	h.through(StepHealth)
	h.press("b")
	h.wantStep(StepReview) // back from health skips the install: it is done
	h.wantView("installed already (revision 1, deployed)")
}

// Every message the wizard's commands yield is a wizard Msg (or the
// program's own request), so the root can route them all.
func TestEveryMessageIsRoutable(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFake())
	h.through(StepHealth)
	h.press("enter")
	if len(h.msgs) < 10 {
		t.Fatalf("only %d messages", len(h.msgs))
	}
	for _, msg := range h.msgs {
		if _, ok := msg.(Msg); ok {
			continue
		}
		if p := reflect.TypeOf(msg).PkgPath(); strings.HasPrefix(p, "charm.land/bubbletea/") {
			continue
		}
		t.Errorf("%T is not a wizard.Msg", msg)
	}
}

func TestOtherTagsAreWhatDockerAccepts(t *testing.T) {
	for _, ok := range []string{"1.0.0", "latest", "unready", "v1_2-rc.1", "_x", strings.Repeat("a", 128)} {
		if !tagRe.MatchString(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "-lunready", ".x", "a:b", "a b", "a/b", "a@b", strings.Repeat("a", 129)} {
		if tagRe.MatchString(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
