package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var sandbox = ClusterInfo{
	Context:       "tmtui-sandbox",
	Server:        "https://127.0.0.1:6443",
	ServerVersion: "v1.36.3",
	Namespace:     "taskmaster",
	Local:         true,
}

var errUnreachable = errors.New("cluster unreachable at https://127.0.0.1:6443: is Kubernetes enabled in Docker Desktop? Is the sandbox running (`make sandbox-up`)?")

func press(s string) tea.KeyPressMsg {
	if s == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

// newModel returns a model with plain styles, already sized.
func newModel(t *testing.T, connect ConnectFunc, w, h int) Model {
	t.Helper()
	if connect == nil {
		connect = func(context.Context) (Cluster, error) { return Cluster{Info: sandbox}, nil }
	}
	m := New(Options{Connect: connect, Context: "tmtui-sandbox", NoColor: true})
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

// run executes cmd, and the commands of any batch it returns, collecting the
// messages. Commands here never block: connect is a fake, ticks are immediate.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var msgs []tea.Msg
		for _, c := range batch {
			msgs = append(msgs, run(c)...)
		}
		return msgs
	}
	return []tea.Msg{msg}
}

func connectResult(t *testing.T, cmd tea.Cmd) connectResultMsg {
	t.Helper()
	for _, msg := range run(cmd) {
		if r, ok := msg.(connectResultMsg); ok {
			return r
		}
	}
	t.Fatal("the command did not connect")
	return connectResultMsg{}
}

func screen(m Model) string { return m.View().Content }

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			if got := press(k).String(); got != k {
				t.Fatalf("test key renders as %q, want %q", got, k)
			}
			for _, st := range []state{connecting, connected, failed} {
				m := newModel(t, nil, 80, 24)
				m.state = st
				_, cmd := m.Update(press(k))
				if cmd == nil {
					t.Fatalf("%q in state %d returned no command", k, st)
				}
				if _, ok := cmd().(tea.QuitMsg); !ok {
					t.Errorf("%q in state %d did not quit", k, st)
				}
			}
		})
	}
}

func TestOtherKeysDoNothing(t *testing.T) {
	m := newModel(t, nil, 80, 24)
	if _, cmd := m.Update(press("x")); cmd != nil {
		t.Errorf("x returned a command: %v", cmd())
	}
}

func TestInitConnectsWithADeadline(t *testing.T) {
	var hadDeadline bool
	m := newModel(t, func(ctx context.Context) (Cluster, error) {
		_, hadDeadline = ctx.Deadline()
		return Cluster{Info: sandbox}, nil
	}, 80, 24)
	r := connectResult(t, m.Init())
	if !hadDeadline {
		t.Error("connect ran without a deadline; a hung cluster would hang the UI forever")
	}
	if r.info != sandbox || r.err != nil {
		t.Errorf("result = %+v", r)
	}
}

func TestConnectingScreen(t *testing.T) {
	m := newModel(t, nil, 80, 24)
	assertScreen(t, screen(m), "connecting to tmtui-sandbox…", "q quit")
	if strings.Contains(screen(m), "retry") {
		t.Error("retry is offered while a connection attempt is running")
	}
}

func TestConnectedScreenNamesTheCluster(t *testing.T) {
	m := newModel(t, nil, 120, 40)
	m = update(t, m, connectResultMsg{info: sandbox})
	header := strings.SplitN(screen(m), "\n", 2)[0]
	assertScreen(t, header, "context tmtui-sandbox", "v1.36.3", "namespace taskmaster")
	if strings.Contains(screen(m), "connecting") {
		t.Error("still says connecting once connected")
	}
}

func TestFailedScreenExplainsAndOffersQuit(t *testing.T) {
	m := newModel(t, nil, 120, 40)
	m = update(t, m, connectResultMsg{info: ClusterInfo{Context: "docker-desktop"}, err: errUnreachable})
	s := screen(m)
	assertScreen(t, s, "not connected", "cannot connect to docker-desktop", "press q to quit", "press r to retry", "r retry")
	// The error is wrapped inside the box; compare it with the box taken apart.
	if !strings.Contains(unbox(s), errUnreachable.Error()) {
		t.Errorf("screen does not show the error text %q:\n%s", errUnreachable, s)
	}
}

// unbox joins the text inside the error box back into one line.
func unbox(s string) string {
	var words []string
	for _, l := range strings.Split(s, "\n") {
		words = append(words, strings.Fields(strings.Trim(strings.TrimSpace(l), "│"))...)
	}
	return strings.Join(words, " ")
}

func TestRetryAfterFailure(t *testing.T) {
	attempts := 0
	m := newModel(t, func(context.Context) (Cluster, error) {
		attempts++
		if attempts == 1 {
			return Cluster{}, errUnreachable
		}
		return Cluster{Info: sandbox}, nil
	}, 80, 24)
	m = update(t, m, connectResult(t, m.Init()))
	if m.state != failed {
		t.Fatalf("state = %d after a failed attempt", m.state)
	}

	next, cmd := m.Update(press("r"))
	m = next.(Model)
	if m.state != connecting || !strings.Contains(screen(m), "connecting to tmtui-sandbox") {
		t.Fatalf("r did not start connecting again:\n%s", screen(m))
	}
	m = update(t, m, connectResult(t, cmd))
	if m.state != connected || attempts != 2 {
		t.Errorf("state = %d after %d attempts, want connected after 2", m.state, attempts)
	}
}

func TestRetryIsDeadWhileConnectingOrConnected(t *testing.T) {
	m := newModel(t, nil, 80, 24)
	if _, cmd := m.Update(press("r")); cmd != nil {
		t.Error("r started a second attempt while one was running")
	}
	m = update(t, m, connectResultMsg{info: sandbox})
	// Once connected, r belongs to the focused pane (rollout restart).
	next, cmd := m.Update(press("r"))
	for _, msg := range run(cmd) {
		if _, ok := msg.(connectResultMsg); ok {
			t.Error("r reconnected an already connected model")
		}
	}
	if next.(Model).gen != m.gen {
		t.Error("r started a new connection attempt")
	}
}

func TestStaleResultIsDropped(t *testing.T) {
	m := newModel(t, nil, 80, 24)
	m = update(t, m, connectResultMsg{gen: 0, err: errUnreachable})
	m = update(t, m, press("r")) // now waiting for attempt 1
	m = update(t, m, connectResultMsg{gen: 0, info: sandbox})
	if m.state != connecting {
		t.Errorf("a result from attempt 0 changed the state to %d while waiting for attempt 1", m.state)
	}
}

func TestSpinnerStopsOnceConnected(t *testing.T) {
	m := newModel(t, nil, 80, 24)
	tick := m.spinner.Tick().(spinner.TickMsg)
	if _, cmd := m.Update(tick); cmd == nil {
		t.Fatal("spinner does not spin while connecting")
	}
	m = update(t, m, connectResultMsg{info: sandbox})
	if _, cmd := m.Update(tick); cmd != nil {
		t.Error("spinner keeps ticking after connecting, waking the program forever")
	}
}

func TestViewUsesAltScreen(t *testing.T) {
	if !newModel(t, nil, 80, 24).View().AltScreen {
		t.Error("View does not ask for the alternate screen")
	}
}

func TestTooSmallTerminal(t *testing.T) {
	m := newModel(t, nil, 30, 8)
	assertScreen(t, screen(m), "make the terminal larger")
}

// Whatever the size and state, the screen must fit the terminal exactly, or the
// terminal scrolls and the layout tears.
func TestScreenFitsTheTerminal(t *testing.T) {
	longErr := errors.New(strings.Repeat("a very long error message that wraps ", 40))
	sizes := [][2]int{{1, 1}, {5, 3}, {39, 9}, {40, 10}, {41, 10}, {80, 24}, {120, 40}, {300, 100}}
	for _, sz := range sizes {
		for _, msg := range []tea.Msg{nil, connectResultMsg{info: sandbox}, connectResultMsg{err: longErr}} {
			m := newModel(t, nil, sz[0], sz[1])
			if msg != nil {
				m = update(t, m, msg)
			}
			lines := strings.Split(screen(m), "\n")
			if len(lines) > sz[1] {
				t.Errorf("%dx%d state %d: %d lines", sz[0], sz[1], m.state, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%dx%d state %d: line %d is %d wide: %q", sz[0], sz[1], m.state, i, w, l)
				}
			}
		}
	}
}

func TestNothingRendersBeforeTheSizeIsKnown(t *testing.T) {
	m := New(Options{Connect: func(context.Context) (Cluster, error) { return Cluster{Info: sandbox}, nil }, NoColor: true})
	if s := screen(m); s != "" {
		t.Errorf("rendered %q without knowing the size", s)
	}
}

func assertScreen(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("screen lacks %q:\n%s", w, s)
		}
	}
}

func TestErrorWrapKeepsFlagsWhole(t *testing.T) {
	err := errors.New("kubeconfig /nonexistent does not exist: check the path given with --kubeconfig or in KUBECONFIG")
	m := newModel(t, nil, 80, 24)
	m = update(t, m, connectResultMsg{err: err})
	assertScreen(t, screen(m), "--kubeconfig")
}

func TestWrapWords(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"use --context to pick", 12, "use\n--context to\npick"},
		{"a https://127.0.0.1:6443/very/long", 10, "a\nhttps://12\n7.0.0.1:64\n43/very/lo\nng"},
		{"two\nparagraphs", 20, "two\nparagraphs"},
	}
	for _, tt := range tests {
		if got := wrapWords(tt.in, tt.width); got != tt.want {
			t.Errorf("wrapWords(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
