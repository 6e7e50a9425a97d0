package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Golden files pin the layout at common terminal sizes, with plain styles so
// that they read as text. Rewrite them with `go test ./internal/ui -update`.
func TestGolden(t *testing.T) {
	states := map[string]func(Model) Model{
		"connecting": func(m Model) Model { return m },
		"connected":  func(m Model) Model { return update(t, m, connectResultMsg{info: sandbox}) },
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
