package logs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

var now = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

const (
	backend  = "taskmaster-backend-7d9f8c6b5-x2k4p"
	frontend = "taskmaster-frontend-5c4b7f9d8-h6j2n"
)

type fakeService struct {
	mu      sync.Mutex
	queries []Query
	batches map[Query][]Batch
}

func (f *fakeService) StreamLogs(ctx context.Context, q Query) (<-chan Batch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	ch := make(chan Batch, len(f.batches[q]))
	for _, b := range f.batches[q] {
		ch <- b
	}
	close(ch)
	return ch, nil
}

func (f *fakeService) last() Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[len(f.queries)-1]
}

func lines(pod string, n int) []Line {
	out := make([]Line, n)
	for i := range out {
		out[i] = Line{Pod: pod, Container: "app", Time: now.Add(time.Duration(i) * time.Second), Text: fmt.Sprintf("line %d of %s", i, Tag(pod))}
	}
	return out
}

func newPane(t *testing.T, o Options) (*Model, *fakeService) {
	t.Helper()
	svc := &fakeService{batches: map[Query][]Batch{
		{}:                             {{Lines: lines(backend, 20)}, {Lines: lines(frontend, 5)}},
		{Pod: backend}:                 {{Lines: lines(backend, 3)}},
		{Pod: backend, Previous: true}: {{Lines: []Line{{Pod: backend, Text: "panic: database unreachable"}}}},
	}}
	o.Now = func() time.Time { return now }
	m := New(o)
	m.SetSize(80, 11)
	uitest.Idle(t, m, m.Start(context.Background(), 3, svc))
	return m, svc
}

func view(m *Model) []string { return strings.Split(m.View(), "\n") }

// lastLine is the last line with text: a short log leaves blank lines under it.
func lastLine(m *Model) string {
	v := view(m)
	for i := len(v) - 1; i > 0; i-- {
		if l := strings.TrimRight(v[i], " "); l != "" {
			return l
		}
	}
	return ""
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = m.Update(uitest.Key(k))
	}
	return cmd
}

func TestMergedLinesCarryAPodTag(t *testing.T) {
	m, _ := newPane(t, Options{})
	if m.Len() != 25 {
		t.Fatalf("buffer holds %d lines, want 25", m.Len())
	}
	if got := lastLine(m); got != "[frontend-h6j2n] line 4 of frontend-h6j2n" {
		t.Errorf("last line = %q", got)
	}
	if !strings.HasPrefix(view(m)[0], "all pods · following") {
		t.Errorf("settings line = %q", view(m)[0])
	}
}

func TestTag(t *testing.T) {
	for in, want := range map[string]string{backend: "backend-x2k4p", "web-1": "web-1", "a-b-c-d": "b-d"} {
		if got := Tag(in); got != want {
			t.Errorf("Tag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderStripsEscapesAndTabs(t *testing.T) {
	l := Line{Pod: backend, Time: now, Text: "\x1b[31mred\x1b[0m\tcol"}
	if got := Render(l, true, true); got != "[backend-x2k4p] 17:00:00.000 red    col" {
		t.Errorf("Render = %q", got)
	}
	if got := Render(Line{Text: "pod joined", Notice: true}, true, false); got != "— pod joined" {
		t.Errorf("notice = %q", got)
	}
}

func TestRingKeepsTheNewestLines(t *testing.T) {
	m, _ := newPane(t, Options{Capacity: 10})
	if m.Len() != 10 {
		t.Fatalf("Len = %d, want the capacity 10", m.Len())
	}
	all := m.buf.lines()
	if all[0].Text != "line 15 of backend-x2k4p" || all[9].Text != "line 4 of frontend-h6j2n" {
		t.Errorf("kept %q .. %q", all[0].Text, all[9].Text)
	}
}

func TestFollowOffKeepsTheViewStillAsLinesArrive(t *testing.T) {
	m, _ := newPane(t, Options{})
	press(m, "f")
	if m.Following() || !strings.Contains(view(m)[0], "paused") {
		t.Fatal("f did not pause")
	}
	before := lastLine(m)
	m.Append(lines(backend, 3))
	if lastLine(m) != before {
		t.Errorf("paused view moved from %q to %q", before, lastLine(m))
	}
	press(m, "f")
	if !m.Following() || lastLine(m) != "[backend-x2k4p] line 2 of backend-x2k4p" {
		t.Errorf("f again did not follow: %q", lastLine(m))
	}
}

func TestScrollKeys(t *testing.T) {
	m, _ := newPane(t, Options{})
	press(m, "up")
	if m.Following() || lastLine(m) != "[frontend-h6j2n] line 3 of frontend-h6j2n" {
		t.Errorf("up: following=%v last %q", m.Following(), lastLine(m))
	}
	press(m, "k", "down")
	if lastLine(m) != "[frontend-h6j2n] line 3 of frontend-h6j2n" {
		t.Errorf("k then down: %q", lastLine(m))
	}
	press(m, "j")
	if !m.Following() {
		t.Error("scrolling down to the last line does not follow again")
	}
	press(m, "pgup")
	if lastLine(m) != "[backend-x2k4p] line 14 of backend-x2k4p" {
		t.Errorf("pgup: %q", lastLine(m))
	}
	press(m, "pgdown")
	if !m.Following() {
		t.Error("pgdown back to the end does not follow")
	}
	press(m, "g")
	if v := view(m); strings.TrimRight(v[1], " ") != "[backend-x2k4p] line 0 of backend-x2k4p" || m.Following() {
		t.Errorf("g: first line %q", v[1])
	}
	press(m, "G")
	if !m.Following() || lastLine(m) != "[frontend-h6j2n] line 4 of frontend-h6j2n" {
		t.Errorf("G: %q", lastLine(m))
	}
}

func TestFilterAsYouType(t *testing.T) {
	m, _ := newPane(t, Options{})
	press(m, "/")
	if !m.Capturing() {
		t.Fatal("/ does not take typed text")
	}
	for _, k := range uitest.Type("of front") {
		m.Update(k)
		if m.Visible() == 0 {
			break
		}
	}
	if m.Visible() != 5 || m.FilterText() != "of front" {
		t.Fatalf("filter %q keeps %d lines, want 5", m.FilterText(), m.Visible())
	}
	if !strings.Contains(view(m)[0], "filter: of front█") {
		t.Errorf("the filter being typed is not shown: %q", view(m)[0])
	}
	press(m, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	if m.FilterText() != "of" || m.Visible() != 25 {
		t.Errorf("backspace: filter %q keeps %d", m.FilterText(), m.Visible())
	}
	m.Update(uitest.Type("f frontend-h6j2n")[0]) // "f" types, it does not toggle follow
	if !m.Following() || m.FilterText() != "off" {
		t.Errorf("typing f toggled follow or was lost: %q", m.FilterText())
	}
	press(m, "enter")
	if m.Capturing() || m.FilterText() != "off" {
		t.Error("enter did not keep the filter")
	}
	m.Append([]Line{{Pod: backend, Text: "turned off"}, {Pod: backend, Text: "unrelated"}})
	if m.Visible() != 1 || lastLine(m) != "[backend-x2k4p] turned off" {
		t.Errorf("new lines are not filtered: %d, %q", m.Visible(), lastLine(m))
	}
	press(m, "esc")
	if m.FilterText() != "" || m.Visible() != 27 {
		t.Error("esc did not clear the filter")
	}
	press(m, "/", "x", "esc")
	if m.Capturing() || m.FilterText() != "" {
		t.Error("esc while typing does not clear and leave")
	}
}

func TestWrapAndTimestamps(t *testing.T) {
	m, _ := newPane(t, Options{})
	long := strings.Repeat("abcdefghij", 12)
	m.Append([]Line{{Pod: backend, Time: now, Text: long}})
	if !strings.HasSuffix(lastLine(m), "…") {
		t.Errorf("unwrapped long line is not cut: %q", lastLine(m))
	}
	press(m, "w")
	v := view(m)
	if !m.Wrapping() || !strings.HasSuffix(strings.TrimRight(v[len(v)-1], " "), "abcdefghij") || strings.Contains(m.View(), "…") {
		t.Errorf("w does not wrap:\n%s", m.View())
	}
	press(m, "w", "t")
	if !m.Timestamps() || !strings.HasPrefix(lastLine(m), "[backend-x2k4p] 17:00:00.000 abcdef") {
		t.Errorf("t does not show timestamps: %q", lastLine(m))
	}
}

func TestOnePodPreviousAndAllPods(t *testing.T) {
	m, svc := newPane(t, Options{})
	if st, ok := press(m, "p")().(common.StatusMsg); !ok || !strings.Contains(st.Info, "per pod") {
		t.Error("p with all pods does not explain itself")
	}
	uitest.Idle(t, m, m.ShowPod(backend))
	if svc.last() != (Query{Pod: backend}) || m.Len() != 3 || strings.Contains(lastLine(m), "[") {
		t.Errorf("ShowPod: query %+v, %d lines, last %q", svc.last(), m.Len(), lastLine(m))
	}
	uitest.Idle(t, m, press(m, "p"))
	if svc.last() != (Query{Pod: backend, Previous: true}) || lastLine(m) != "panic: database unreachable" {
		t.Errorf("p: query %+v, last %q", svc.last(), lastLine(m))
	}
	if !strings.Contains(view(m)[0], "(previous container)") {
		t.Errorf("settings line: %q", view(m)[0])
	}
	uitest.Idle(t, m, press(m, "a"))
	if svc.last() != (Query{}) || m.Len() != 25 {
		t.Errorf("a: query %+v, %d lines", svc.last(), m.Len())
	}
	uitest.Idle(t, m, press(m, "a"))
	if svc.last() != (Query{Pod: backend}) {
		t.Errorf("a again: query %+v", svc.last())
	}
}

func TestAllPodsWithoutAPodExplains(t *testing.T) {
	m, _ := newPane(t, Options{})
	if st, ok := press(m, "a")().(common.StatusMsg); !ok || !strings.Contains(st.Info, "press") && !strings.Contains(st.Info, "l in the Pods pane") {
		t.Errorf("a without a pod: %+v", st)
	}
}

func TestStaleStreamIsDropped(t *testing.T) {
	m, _ := newPane(t, Options{})
	old := m.stream
	m.ShowPod(backend) // a new stream; nothing read yet
	m.Update(batchMsg{stream: old, batch: Batch{Lines: lines(frontend, 4)}})
	if m.Len() != 0 {
		t.Errorf("a batch of the old stream was shown: %d lines", m.Len())
	}
}

func TestSaveWritesTheBuffer(t *testing.T) {
	dir := t.TempDir()
	m, _ := newPane(t, Options{SaveDir: dir})
	msg, ok := press(m, "s")().(savedMsg)
	if !ok {
		t.Fatal("s did not save")
	}
	text, err := msg.Outcome()
	want := filepath.Join(dir, "tmtui-logs-all-pods-20261125-170000.log")
	if err != nil || text != "logs saved to "+want {
		t.Fatalf("outcome %q, %v", text, err)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(got) != 25 || got[0] != backend+"/app line 0 of backend-x2k4p" {
		t.Errorf("file holds %d lines, first %q", len(got), got[0])
	}
	if msg.Route != (common.Route{Pane: common.LogsPane, Gen: 3}) {
		t.Errorf("saved message is routed to %+v", msg.Route)
	}
}

func TestSaveFailureSaysWhatToDo(t *testing.T) {
	m, _ := newPane(t, Options{SaveDir: filepath.Join(t.TempDir(), "missing")})
	_, err := press(m, "s")().(savedMsg).Outcome()
	if err == nil || !strings.Contains(err.Error(), "is writable") {
		t.Errorf("err = %v", err)
	}
}

func TestHelpWhileTyping(t *testing.T) {
	m, _ := newPane(t, Options{})
	press(m, "/")
	if h := m.ShortHelp(); len(h) != 2 || h[0].Help().Key != "enter" {
		t.Errorf("help while typing: %v", h)
	}
}
