// Package crash makes sure tmtui never leaves a broken terminal or a stack
// trace behind. A panic anywhere on the main goroutine or inside the Bubble
// Tea program (Init, Update, View, and every command, batched or sequenced)
// is written to a crash file in the user's cache directory, the terminal is
// restored, and one line on stderr says where the file is. SIGINT and
// SIGTERM, at any moment, restore the terminal and exit 130 and 143, as a
// shell reports a process ended by those signals.
//
// main uses it in two places:
//
//	defer crash.Start().Recover()
//	...
//	crash.NewProgram(model, opts...).Run()
//
// Panics in goroutines that neither tmtui's main goroutine nor Bubble Tea
// started (an engine's watch, say) cannot be recovered by Go; they must
// recover on their own.
package crash

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/version"
)

// ExitCrash is the exit code after a panic: the program failed.
const ExitCrash = 1

// Exit codes after a signal: 128 + the signal's number, what shells report.
const (
	ExitInterrupted = 130 // SIGINT
	ExitTerminated  = 143 // SIGTERM
)

// Handler is the process's crash and signal handling; Start makes the one.
type Handler struct {
	stderr io.Writer        // the terminal's stderr, kept before anything can swap os.Stderr
	exit   func(code int)   // os.Exit; tests replace it
	now    func() time.Time // time.Now; tests replace it
	dir    func() (string, error)

	mu      sync.Mutex
	program *tea.Program
	handled chan struct{} // closed when the program took a signal over
	sigOnce sync.Once
	signals chan os.Signal
}

var (
	currentMu sync.Mutex
	current   *Handler
)

// Start installs the handler for the rest of the process: it catches SIGINT
// and SIGTERM from now on. Call it first thing in main, and defer its
// Recover.
func Start() *Handler {
	h := newHandler(os.Stderr, os.Exit)
	h.signals = make(chan os.Signal, 2)
	// Both constants exist on every GOOS; Windows delivers only os.Interrupt.
	signal.Notify(h.signals, os.Interrupt, syscall.SIGTERM)
	go h.watchSignals()
	currentMu.Lock()
	current = h
	currentMu.Unlock()
	testStarted()
	return h
}

func newHandler(stderr io.Writer, exit func(int)) *Handler {
	return &Handler{stderr: stderr, exit: exit, now: time.Now, dir: Dir, handled: make(chan struct{})}
}

func active() *Handler {
	currentMu.Lock()
	defer currentMu.Unlock()
	return current
}

// Dir is where crash files go: tmtui in the user's cache directory, next to
// the log file.
func Dir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tmtui"), nil
}

// Recover must be deferred in main. On a panic it restores the terminal,
// writes the crash file, prints one line naming it and exits ExitCrash.
// Without a panic it does nothing.
func (h *Handler) Recover() {
	r := recover()
	if r == nil {
		return
	}
	value, stack := any(r), debug.Stack()
	if p, ok := r.(*commandPanic); ok {
		// A command panicked on a goroutine of Bubble Tea's and was passed
		// to the event loop: its own stack is the one that explains it.
		value, stack = p.value, p.stack
	}
	h.crashed(value, stack)
}

func (h *Handler) crashed(value any, stack []byte) {
	h.restoreAfterPanic()
	path, err := h.writeFile(value, stack)
	if err != nil {
		fmt.Fprintf(h.stderr, "tmtui: crashed (a bug), and the report could not be saved: %s\n", oneLine(err.Error()))
	} else {
		fmt.Fprintf(h.stderr, "tmtui: crashed (a bug); report saved to %s\n", path)
	}
	h.exit(ExitCrash)
}

// restoreAfterPanic gives the terminal back: Kill leaves the alternate
// screen, shows the cursor and restores the terminal modes (echo, line
// editing). It is bounded: a crash must never turn into a hang.
func (h *Handler) restoreAfterPanic() {
	h.mu.Lock()
	p := h.program
	h.mu.Unlock()
	if p == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { _ = recover() }() // a half-built program must not panic again
		p.Kill()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// writeFile saves the crash report, readable by the user only: a panic's
// value may quote what was on the screen.
func (h *Handler) writeFile(value any, stack []byte) (string, error) {
	at := h.now()
	report := fmt.Sprintf("tmtui crashed at %s\nversion: %s\npanic: %v\n\n%s",
		at.UTC().Format(time.RFC3339Nano), version.String(), value, stack)
	dir, err := h.dir()
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err == nil {
		var path string
		if path, err = writeReport(dir, "crash-", at, report); err == nil {
			return path, nil
		}
	}
	// Better a report in the temp dir than none.
	if path, tmpErr := writeReport(os.TempDir(), "tmtui-crash-", at, report); tmpErr == nil {
		return path, nil
	}
	return "", err
}

func writeReport(dir, prefix string, at time.Time, report string) (string, error) {
	// No colons: the name must be valid on Windows too.
	stamp := at.UTC().Format("20060102T150405.000000000Z")
	for i := 0; ; i++ {
		name := prefix + stamp + ".txt"
		if i > 0 {
			name = fmt.Sprintf("%s%s-%d.txt", prefix, stamp, i)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if os.IsExist(err) && i < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := io.WriteString(f, report); err != nil {
			f.Close()
			return "", err
		}
		return path, f.Close()
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// watchSignals ends tmtui on the first SIGINT or SIGTERM. While the program
// runs, its event loop gives the terminal back (as tea.Exec does) and exits;
// otherwise there is no terminal state to restore and it exits at once. A
// second signal, or a program that does not answer, exits without waiting.
func (h *Handler) watchSignals() {
	s := <-h.signals
	code := ExitTerminated
	if s == os.Interrupt {
		code = ExitInterrupted
	}
	h.mu.Lock()
	p := h.program
	h.mu.Unlock()
	if p == nil {
		h.exit(code)
		return
	}
	sent := make(chan struct{})
	go func() {
		p.Send(signalMsg{code: code})
		close(sent)
	}()
	select {
	case <-h.handled:
		// The event loop has it and exits the process itself; a second
		// signal means stop waiting.
		select {
		case <-h.signals:
		case <-time.After(3 * time.Second):
		}
	case <-sent:
		// Delivered, or the program has ended (Send then returns at once).
		select {
		case <-h.handled:
			select {
			case <-h.signals:
			case <-time.After(3 * time.Second):
			}
		case <-h.signals:
		case <-time.After(time.Second):
		}
	case <-h.signals:
	case <-time.After(2 * time.Second):
	}
	h.exit(code)
}

// signalMsg carries a signal into the event loop.
type signalMsg struct{ code int }

// onSignal runs on the event loop: nothing draws while the terminal is given
// back, and Run never returns to print an error of its own.
func (h *Handler) onSignal(code int) {
	h.sigOnce.Do(func() { close(h.handled) })
	h.mu.Lock()
	p := h.program
	h.mu.Unlock()
	if p != nil {
		_ = p.ReleaseTerminal()
	}
	h.exit(code)
}

// NewProgram is tea.NewProgram for tmtui: once Start has run, panics inside
// the program reach Recover (instead of Bubble Tea printing a stack trace on
// the screen) and signals are handled by this package. Without Start it is
// exactly tea.NewProgram, which is what tests that call run directly get.
func NewProgram(model tea.Model, opts ...tea.ProgramOption) *tea.Program {
	h := active()
	if h == nil {
		return tea.NewProgram(model, opts...)
	}
	testBeforeProgram()
	opts = append(opts, tea.WithoutCatchPanics(), tea.WithoutSignalHandler())
	p := tea.NewProgram(wrap(model, h), opts...)
	h.mu.Lock()
	h.program = p
	h.mu.Unlock()
	return p
}
