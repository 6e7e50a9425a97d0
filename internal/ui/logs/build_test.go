package logs

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

type nextMsg struct{}

func buildMsg(build int, status string, lines ...string) common.BuildOutputMsg {
	return common.BuildOutputMsg{
		Route: common.Route{Pane: common.LogsPane, Gen: 3}, Build: build, Source: "build backend",
		Lines: lines, Status: status, Next: func() tea.Msg { return nextMsg{} },
	}
}

// A build's output is a source of its own: shown as soon as it arrives,
// tagged, read on by returning Next, and b switches back to the pods.
func TestBuildOutputIsShownTaggedAndReadOn(t *testing.T) {
	m, _ := newPane(t, Options{})
	if m.keys.Build.Enabled() {
		t.Error("b offered before any build")
	}
	press(m, "b")
	if m.ShowingBuild() {
		t.Fatal("b switched to a build output that does not exist")
	}
	cmd := m.Update(buildMsg(1, "building", "Step 1/2 : FROM scratch", "Step 2/2 : COPY app /app"))
	if msgs := uitest.Run(t, cmd); len(msgs) != 1 || msgs[0] != (nextMsg{}) {
		t.Errorf("the pane did not read on: %v", msgs)
	}
	if !m.ShowingBuild() || !m.keys.Build.Enabled() {
		t.Fatal("the build output is not shown")
	}
	if got := lastLine(m); got != "[build backend] Step 2/2 : COPY app /app" {
		t.Errorf("last line = %q", got)
	}
	if !strings.HasPrefix(view(m)[0], "build backend output (building) · following") {
		t.Errorf("settings line = %q", view(m)[0])
	}
	m.Update(buildMsg(1, "built in 0:42", "Successfully tagged taskmaster-backend:dev"))
	if m.Len() != 3 || !strings.HasPrefix(view(m)[0], "build backend output (built in 0:42)") {
		t.Errorf("len %d, settings line %q", m.Len(), view(m)[0])
	}

	press(m, "b")
	if m.ShowingBuild() || m.Len() != 25 || lastLine(m) != "[frontend-h6j2n] line 4 of frontend-h6j2n" {
		t.Errorf("b did not switch back to the pods: %q", lastLine(m))
	}
	// Pod lines that arrive meanwhile go to the pods, and the other way round.
	m.Update(buildMsg(1, "", "late build line"))
	m.Append([]Line{{Pod: backend, Text: "a pod line"}})
	if lastLine(m) != "[backend-x2k4p] a pod line" {
		t.Errorf("pods view: %q", lastLine(m))
	}
	press(m, "b", "/")
	for _, k := range uitest.Type("step 1") {
		m.Update(k)
	}
	press(m, "enter")
	if m.Visible() != 1 || lastLine(m) != "[build backend] Step 1/2 : FROM scratch" {
		t.Errorf("filter over the build output: %d visible, %q", m.Visible(), lastLine(m))
	}
	press(m, "esc")
	if m.Visible() != 4 {
		t.Errorf("build lines = %d, want 4", m.Visible())
	}
	if !strings.HasPrefix(m.saveName(), "tmtui-logs-build-backend-") {
		t.Errorf("save name = %q", m.saveName())
	}

	// A new build replaces the old one's output; opening a pod's logs
	// shows the pod again.
	m.Update(buildMsg(2, "building", "Step 1/1 : FROM scratch"))
	if m.Len() != 1 || !m.ShowingBuild() {
		t.Errorf("new build: len %d, showing build %v", m.Len(), m.ShowingBuild())
	}
	uitest.Idle(t, m, m.ShowPod(backend))
	if m.ShowingBuild() {
		t.Error("opening a pod's logs kept the build output")
	}
}

func TestBuildKeyIsRemappable(t *testing.T) {
	m := New(Options{Keys: common.Overrides{"logs": {"build_output": {"B"}}}})
	m.SetSize(60, 5)
	m.Update(buildMsg(1, "building", "one"))
	press(m, "B")
	if m.ShowingBuild() {
		t.Error("B did not switch away from the build output")
	}
	press(m, "b")
	if m.ShowingBuild() {
		t.Error("b still works after remapping")
	}
}
