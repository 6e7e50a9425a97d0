package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Golden files pin the layout at common terminal sizes, with a fixed clock
// and a fixed (dark) theme. Rewrite them with `go test ./internal/ui/... -update`.
func TestGolden(t *testing.T) {
	states := map[string]func(Model) Model{
		"connecting": func(m Model) Model { return m },
		"failed": func(m Model) Model {
			return update(t, m, connectResultMsg{info: ClusterInfo{Context: "docker-desktop"}, err: errUnreachable})
		},
	}
	for name, apply := range states {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m := apply(newModel(t, nil, sz[0], sz[1]))
				golden.RequireEqual(t, []byte(screen(m)))
			})
		}
	}
	t.Run("too_small_30x8", func(t *testing.T) {
		golden.RequireEqual(t, []byte(screen(newModel(t, nil, 30, 8))))
	})
}

// The main screen with every pane filled from the fakes, in colour and
// plain (NO_COLOR), at the sizes the layout changes between.
func TestGoldenMainScreen(t *testing.T) {
	for _, colour := range []bool{false, true} {
		for _, sz := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
			name := fmt.Sprintf("plain_%dx%d", sz[0], sz[1])
			if colour {
				name = fmt.Sprintf("colour_%dx%d", sz[0], sz[1])
			}
			t.Run(name, func(t *testing.T) {
				w := newWorld()
				w.opts.NoColor = !colour
				golden.RequireEqual(t, []byte(w.connected(t, sz[0], sz[1]).screen()))
			})
		}
	}
	t.Run("too_small_59x20", func(t *testing.T) {
		golden.RequireEqual(t, []byte(newWorld().connected(t, 59, 20).screen()))
	})
	t.Run("zoomed_logs_80x24", func(t *testing.T) {
		r := newWorld().connected(t, 80, 24)
		r.press("4", "z")
		golden.RequireEqual(t, []byte(r.screen()))
	})
	t.Run("remote_confirm_120x40", func(t *testing.T) {
		w := newWorld()
		w.info = ClusterInfo{Context: "prod-eu", Server: "https://k8s.example.com:6443", ServerVersion: "v1.36.3", Namespace: "taskmaster"}
		r := w.connected(t, 120, 40)
		r.press("+")
		golden.RequireEqual(t, []byte(r.screen()))
	})
	t.Run("pod_details_120x40", func(t *testing.T) {
		r := newWorld().connected(t, 120, 40)
		r.press("down", "enter")
		golden.RequireEqual(t, []byte(r.screen()))
	})
}
