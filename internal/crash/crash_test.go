package crash

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/version"
)

// testHandler is a Handler whose exit is recorded instead of ending the
// test, writing crash files into a folder of the test's.
type testHandler struct {
	*Handler
	stderr *syncBuffer
	codes  chan int
	dir    string
}

func newTestHandler(t *testing.T) *testHandler {
	t.Helper()
	th := &testHandler{stderr: &syncBuffer{}, codes: make(chan int, 4), dir: t.TempDir()}
	th.Handler = newHandler(th.stderr, func(code int) { th.codes <- code })
	th.Handler.dir = func() (string, error) { return th.dir, nil }
	th.Handler.now = func() time.Time { return time.Date(2026, 11, 25, 16, 52, 56, 659072453, time.UTC) }
	return th
}

func (th *testHandler) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case c := <-th.codes:
		return c
	case <-time.After(time.Minute):
		t.Fatal("the handler did not exit")
		return -1
	}
}

// crashFile returns the one crash file written, and checks the one line on
// stderr names it and shows no stack.
func (th *testHandler) crashFile(t *testing.T) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(th.dir, "crash-*.txt"))
	if len(files) != 1 {
		t.Fatalf("crash files = %v, want one", files)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("crash file mode = %v (%v), want 0600", fi.Mode().Perm(), err)
		}
	}
	msg := th.stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "tmtui: crashed") || !strings.Contains(msg, files[0]) {
		t.Errorf("stderr = %q, want one line naming %s", msg, files[0])
	}
	if strings.Contains(msg, "goroutine") || strings.Contains(msg, ".go:") {
		t.Errorf("a stack trace reached stderr: %q", msg)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func panicInAFunctionWithAName() { panic("boom: the injected value") }

func TestRecoverWritesTheCrashFileAndOneLine(t *testing.T) {
	th := newTestHandler(t)
	func() {
		defer th.Recover()
		panicInAFunctionWithAName()
	}()
	if code := th.exitCode(t); code != ExitCrash {
		t.Errorf("exit %d, want %d", code, ExitCrash)
	}
	report := th.crashFile(t)
	for _, want := range []string{"tmtui crashed at 2026-11-25T16:52:56.659072453Z", "version: " + version.String(),
		"panic: boom: the injected value", "goroutine ", "panicInAFunctionWithAName", "crash_test.go:"} {
		if !strings.Contains(report, want) {
			t.Errorf("crash file lacks %q:\n%s", want, report)
		}
	}
}

func TestRecoverWithoutAPanicDoesNothing(t *testing.T) {
	th := newTestHandler(t)
	func() { defer th.Recover() }()
	select {
	case c := <-th.codes:
		t.Errorf("exited %d without a panic", c)
	default:
	}
	if th.stderr.String() != "" {
		t.Errorf("stderr = %q", th.stderr.String())
	}
}

func TestCrashFileGoesToTempDirWhenTheCacheDirFails(t *testing.T) {
	th := newTestHandler(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	th.Handler.dir = func() (string, error) { return filepath.Join(blocker, "tmtui"), nil } // under a file: fails
	func() {
		defer th.Recover()
		panic("boom")
	}()
	th.exitCode(t)
	msg := th.stderr.String()
	if !strings.Contains(msg, filepath.Join(os.TempDir(), "tmtui-crash-")) {
		t.Fatalf("stderr = %q, want the crash file in the temp dir", msg)
	}
	path := strings.TrimSpace(msg[strings.Index(msg, os.TempDir()):])
	path = path[:strings.Index(path, ".txt")+len(".txt")]
	t.Cleanup(func() { os.Remove(path) })
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), "panic: boom") {
		t.Errorf("fallback crash file %s: %v\n%s", path, err, data)
	}
}

func TestTwoCrashesInOneInstantGetTwoFiles(t *testing.T) {
	dir := t.TempDir()
	at := time.Now()
	a, err1 := writeReport(dir, "crash-", at, "a")
	b, err2 := writeReport(dir, "crash-", at, "b")
	if err1 != nil || err2 != nil || a == b {
		t.Fatalf("%s %v, %s %v", a, err1, b, err2)
	}
	for _, p := range []string{a, b} {
		if strings.ContainsAny(filepath.Base(p), `:\/*?"<>|`) {
			t.Errorf("%s is not a valid file name on Windows", p)
		}
	}
}

func commandThatPanics() tea.Msg { panic("a command broke") }

func TestGuardTurnsACommandPanicIntoAMessageWithItsStack(t *testing.T) {
	msg := guard(commandThatPanics)()
	p, ok := msg.(commandPanicMsg)
	if !ok {
		t.Fatalf("msg = %#v, want commandPanicMsg", msg)
	}
	if p.p.value != "a command broke" || !bytes.Contains(p.p.stack, []byte("commandThatPanics")) {
		t.Errorf("value %v, stack:\n%s", p.p.value, p.p.stack)
	}
	// The event loop raises it, and Recover reports the command's stack.
	th := newTestHandler(t)
	func() {
		defer th.Recover()
		wrap(stubModel{}, th.Handler).Update(msg)
	}()
	th.exitCode(t)
	if report := th.crashFile(t); !strings.Contains(report, "commandThatPanics") || !strings.Contains(report, "panic: a command broke") {
		t.Errorf("crash file lacks the command's stack:\n%s", report)
	}
}

func TestGuardReachesIntoBatchesAndSequences(t *testing.T) {
	ok := func() tea.Msg { return "fine" }
	for name, cmd := range map[string]tea.Cmd{
		"batch":             tea.Batch(ok, commandThatPanics),
		"sequence":          tea.Sequence(ok, commandThatPanics),
		"batch in sequence": tea.Sequence(ok, tea.Batch(ok, commandThatPanics)),
	} {
		t.Run(name, func(t *testing.T) {
			if got := panicsFound(guard(cmd)); got != 1 {
				t.Errorf("%d guarded panics found, want 1", got)
			}
		})
	}
}

// panicsFound runs cmd as Bubble Tea would, through nested batches and
// sequences, and counts the panics that came back as messages. An unguarded
// panic fails the test by panicking.
func panicsFound(cmd tea.Cmd) int {
	if cmd == nil {
		return 0
	}
	msg := cmd()
	if _, ok := msg.(commandPanicMsg); ok {
		return 1
	}
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return 0
	}
	n := 0
	for i := range v.Len() {
		c, _ := v.Index(i).Interface().(tea.Cmd)
		n += panicsFound(c)
	}
	return n
}

// A whole Bubble Tea program (no terminal: input and output are buffers)
// whose command panics on one of Bubble Tea's goroutines: the panic comes out
// of Run, Recover writes it up.
func TestProgramCommandPanicReachesRecover(t *testing.T) {
	th := newTestHandler(t)
	func() {
		defer th.Recover()
		p := tea.NewProgram(wrap(stubModel{init: commandThatPanics}, th.Handler),
			tea.WithInput(&bytes.Buffer{}), tea.WithOutput(&bytes.Buffer{}), tea.WithoutCatchPanics(), tea.WithoutSignalHandler())
		th.Handler.program = p
		_, err := p.Run()
		t.Errorf("Run returned (%v) instead of panicking", err)
	}()
	if code := th.exitCode(t); code != ExitCrash {
		t.Errorf("exit %d", code)
	}
	if report := th.crashFile(t); !strings.Contains(report, "commandThatPanics") {
		t.Errorf("crash file lacks the command's stack:\n%s", report)
	}
}

func TestSignalWhileTheProgramRunsExitsFromTheEventLoop(t *testing.T) {
	for sig, want := range map[os.Signal]int{os.Interrupt: ExitInterrupted, syscall.SIGTERM: ExitTerminated} {
		t.Run(sig.String(), func(t *testing.T) {
			th := newTestHandler(t)
			th.Handler.signals = make(chan os.Signal, 2)
			started := make(chan struct{})
			p := tea.NewProgram(wrap(stubModel{init: func() tea.Msg { close(started); return nil }}, th.Handler),
				tea.WithInput(&bytes.Buffer{}), tea.WithOutput(&bytes.Buffer{}), tea.WithoutCatchPanics(), tea.WithoutSignalHandler())
			th.Handler.program = p
			done := make(chan struct{})
			go func() { defer close(done); _, _ = p.Run() }()
			<-started
			go th.watchSignals()
			th.Handler.signals <- sig
			if code := th.exitCode(t); code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
			select {
			case <-th.handled:
			default:
				t.Error("the signal did not go through the event loop")
			}
			p.Kill()
			<-done
		})
	}
}

func TestSignalBeforeTheProgramExitsAtOnce(t *testing.T) {
	th := newTestHandler(t)
	th.Handler.signals = make(chan os.Signal, 1)
	go th.watchSignals()
	th.Handler.signals <- syscall.SIGTERM
	if code := th.exitCode(t); code != ExitTerminated {
		t.Errorf("exit %d, want %d", code, ExitTerminated)
	}
}

func TestNewProgramWithoutStartIsPlainBubbleTea(t *testing.T) {
	currentMu.Lock()
	saved := current
	current = nil
	currentMu.Unlock()
	t.Cleanup(func() { currentMu.Lock(); current = saved; currentMu.Unlock() })
	p := NewProgram(stubModel{}, tea.WithInput(&bytes.Buffer{}), tea.WithOutput(&bytes.Buffer{}))
	go p.Quit()
	m, err := p.Run()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(stubModel); !ok {
		t.Errorf("the model was wrapped: %T", m)
	}
}

type stubModel struct{ init tea.Cmd }

func (m stubModel) Init() tea.Cmd { return m.init }
func (m stubModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.QuitMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}
func (m stubModel) View() tea.View { return tea.NewView("stub") }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
