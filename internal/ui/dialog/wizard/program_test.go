package wizard

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// host plays the root model's part, as the lead will wire it: keys and the
// wizard's messages go to the wizard; its ClosedMsg ends the program. It
// keeps every screen it drew, for the test to wait on and to search.
type host struct {
	w      *Model
	closed *ClosedMsg

	mu    sync.Mutex
	last  string
	drawn []string
}

func (h *host) Init() tea.Cmd { return h.w.Init() }

func (h *host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.w.SetSize(msg.Width, msg.Height)
	case ClosedMsg:
		h.closed = &msg
		return h, tea.Quit
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return h, tea.Quit
		}
		return h, h.w.Update(msg)
	case Msg:
		return h, h.w.Update(msg)
	}
	return h, nil
}

func (h *host) View() tea.View {
	v := h.w.View()
	h.mu.Lock()
	if v != h.last {
		h.last = v
		h.drawn = append(h.drawn, v)
	}
	h.mu.Unlock()
	return tea.NewView(v)
}

// waitScreen waits until the screen shows want.
func (h *host) waitScreen(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		h.mu.Lock()
		last := h.last
		h.mu.Unlock()
		if strings.Contains(last, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; last:\n%s", want, last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The whole wizard in a program, from preflight through the install to the
// health check, typing the secrets as a person would.
func TestProgramFromPreflightThroughInstall(t *testing.T) {
	f := newFake()
	f.installHold = make(chan struct{})
	w := New(Options{Service: f, Refresh: -1})
	w.SetStyles(styles.Plain())
	h := &host{w: w}
	tm := teatest.NewTestModel(t, h, teatest.WithInitialTermSize(100, 40))
	key := func(k string) { tm.Send(keyPress(k)) }

	// The terminal shows what the model drew.
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("taskmaster-secret is missing")) },
		teatest.WithDuration(waitLimit), teatest.WithCheckInterval(20*time.Millisecond))
	h.waitScreen(t, "✗ fail secret: taskmaster-secret is missing")
	key("enter")
	h.waitScreen(t, "› docker-desktop  LOCAL (recommended)")
	key("enter")
	h.waitScreen(t, "Where TaskMaster lives")
	key("enter")
	h.waitScreen(t, "┃ DATABASE_URL   >")
	tm.Type(fakeDBURL)
	h.waitScreen(t, "✓ valid    DATABASE_URL (37 characters)")
	key("enter")
	h.waitScreen(t, "┃ OPENAI_API_KEY >")
	tm.Type(fakeOpenAI)
	h.waitScreen(t, "✓ valid    OPENAI_API_KEY (23 characters)")
	key("enter")
	h.waitScreen(t, "┃ GEMINI_API_KEY >")
	key("enter")
	h.waitScreen(t, "› generate a new one")
	key("enter")
	h.waitScreen(t, "› use these images")
	key("enter")
	h.waitScreen(t, "Press enter to install")
	key("enter")
	h.waitScreen(t, "taskmaster-frontend-5c4b-fghij frontend  Pending   · not ready ContainerCreating")
	h.waitScreen(t, "✓ ready")
	close(f.installHold)
	h.waitScreen(t, "Open TaskMaster at http://localhost:3000")
	key("enter")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).(*host)
	if final.closed == nil || !final.closed.Finished || !final.closed.Installed || !final.closed.Healthy {
		t.Fatalf("closed = %+v; want finished, installed and healthy", final.closed)
	}
	if got := f.applied; len(got) != 1 || got[0].DatabaseURL != fakeDBURL || got[0].JWTSecret != genJWT {
		t.Errorf("the Secret got %v", got)
	}
	out, err := io.ReadAll(tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	screens := strings.Join(h.drawn, "\n") + string(out)
	if len(h.drawn) < 10 {
		t.Fatalf("only %d screens drawn", len(h.drawn))
	}
	for _, s := range []string{fakeDBURL, "db.invalid", fakeOpenAI, genJWT} {
		if strings.Contains(screens, s) {
			t.Fatalf("a secret (%q) was drawn on the terminal", s)
		}
	}
}

func keyPress(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}
