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

// Each dialog over the main screen, in colour and plain (NO_COLOR).
func TestGoldenDialogs(t *testing.T) {
	dialogs := map[string]struct {
		ops   func(*fakeOps)
		world func(*world)
		keys  []string
		w, h  int
	}{
		"upgrade_form":    {keys: []string{"2", "u"}, w: 120, h: 40},
		"upgrade_form_80": {keys: []string{"2", "u"}, w: 80, h: 24},
		"form_error":      {keys: []string{"2", "u", "tab", "tab", "ctrl+u", "9", "enter"}, w: 120, h: 40},
		"upgrade_diff":    {keys: []string{"2", "u", "ctrl+u", "1", ".", "3", ".", "0", "enter"}, w: 120, h: 40},
		"upgrade_diff_80": {keys: []string{"2", "u", "ctrl+u", "1", ".", "3", ".", "0", "enter"}, w: 80, h: 24},
		"rollback_diff":   {keys: []string{"2", "down", "b"}, w: 120, h: 40},
		"uninstall_typed": {keys: []string{"2", "D", "t", "a", "s", "k"}, w: 120, h: 40},
		"delete_pod":      {keys: []string{"down", "d"}, w: 120, h: 40},
		"install_form":    {ops: func(o *fakeOps) { o.installed = false }, keys: []string{"2", "i"}, w: 120, h: 40},
		"recover_offer":   {ops: func(o *fakeOps) { o.state = "pending-upgrade" }, w: 120, h: 40},
		"help":            {keys: []string{"?"}, w: 120, h: 40},
		"remote_uninstall": {world: func(w *world) {
			w.info = ClusterInfo{Context: "prod-eu", Server: "https://k8s.example.com:6443", ServerVersion: "v1.36.3", Namespace: "taskmaster"}
		}, keys: []string{"2", "D"}, w: 120, h: 40},
	}
	for name, d := range dialogs {
		for _, colour := range []bool{false, true} {
			prefix := "plain_"
			if colour {
				prefix = "colour_"
			}
			t.Run(prefix+name, func(t *testing.T) {
				ops := newOps()
				if d.ops != nil {
					d.ops(ops)
				}
				w := newWorld()
				w.release = ops
				w.opts.NoColor = !colour
				if d.world != nil {
					d.world(w)
				}
				r := w.connected(t, d.w, d.h)
				r.press(d.keys...)
				golden.RequireEqual(t, []byte(r.screen()))
			})
		}
	}
	t.Run("colour_too_small_59x20", func(t *testing.T) {
		w := newWorld()
		w.opts.NoColor = false
		golden.RequireEqual(t, []byte(w.connected(t, 59, 20).screen()))
	})
}
