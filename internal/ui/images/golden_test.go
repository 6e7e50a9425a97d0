package images

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// unreachableErr is the adapter's kind of error: its own words, marked.
type unreachableErr string

func (e unreachableErr) Error() string { return string(e) }
func (e unreachableErr) Unwrap() error { return ErrUnreachable }

// Golden files of the pane in each of its states, in colour (dark theme)
// and plain (NO_COLOR), with a fixed clock. Rewrite them with
// `go test ./internal/ui/images -update`.
func TestGoldenPane(t *testing.T) {
	states := map[string]struct {
		w, h  int
		apply func(t *testing.T, m *Model, now *time.Time)
	}{
		"list":   {100, 6, func(*testing.T, *Model, *time.Time) {}},
		"narrow": {58, 7, func(*testing.T, *Model, *time.Time) {}},
		"prompt": {100, 8, func(t *testing.T, m *Model, _ *time.Time) {
			press(m, "down", "b")
			typeText(m, "/src/taskmaster/frontend")
		}},
		"prompt_hint": {100, 8, func(t *testing.T, m *Model, _ *time.Time) {
			press(m, "b", "ctrl+u", "enter")
		}},
		"building": {100, 6, func(t *testing.T, m *Model, now *time.Time) {
			press(m, "b")
			m.Update(actionOf(t, press(m, "enter")).Action.Run(context.Background(), ""))
			*now = now.Add(83 * time.Second)
		}},
		"built": {100, 6, func(t *testing.T, m *Model, _ *time.Time) {
			m.build = &build{id: 1, req: BuildRequest{Repository: "taskmaster-backend", Tag: "dev-20261125-1702"}, result: &BuildResult{Duration: 62 * time.Second, Budget: BuildBudget}}
		}},
		"over_budget": {100, 6, func(t *testing.T, m *Model, _ *time.Time) {
			m.build = &build{id: 1, req: BuildRequest{Repository: "taskmaster-backend", Tag: "dev-20261125-1702"}, result: &BuildResult{Duration: 370 * time.Second, Budget: BuildBudget}}
		}},
		"failed": {100, 6, func(t *testing.T, m *Model, _ *time.Time) {
			m.build = &build{id: 1, req: BuildRequest{Repository: "taskmaster-backend", Tag: "dev-20261125-1702"}, result: &BuildResult{Duration: 3 * time.Second, Budget: BuildBudget, Err: errors.New("build failed: COPY failed: no source files were specified")}}
		}},
		"unreachable": {60, 7, func(t *testing.T, m *Model, _ *time.Time) {
			m.Update(listedMsg{Route: m.route, err: unreachableErr("nothing answers at unix:///var/run/docker.sock (is Docker Desktop running?)")})
		}},
	}
	for name, st := range states {
		for _, colour := range []bool{false, true} {
			sub := "plain_" + name
			if colour {
				sub = "colour_" + name
			}
			t.Run(sub, func(t *testing.T) {
				svc := &fakeService{listOnly: listOnly{images: fixture()}, wait: make(chan struct{})}
				m, now := pane(t, svc, Options{})
				if colour {
					m.SetStyles(styles.New(true))
				}
				m.SetSize(st.w, st.h)
				st.apply(t, m, now)
				golden.RequireEqual(t, []byte(m.View()))
			})
		}
	}
}
