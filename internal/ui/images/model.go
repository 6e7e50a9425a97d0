// Package images is the Images pane: TaskMaster's two images with their
// tag, size, budget verdict and change since the previous tag. When the
// Docker engine cannot be reached the pane says so and the rest works.
package images

import (
	"context"
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Service is what the pane needs from Docker; cmd/tmtui adapts the engine
// (internal/docker) to it.
type Service interface {
	// ListImages returns one entry per repository tmtui manages, in order:
	// its newest image, or Present false when it has none. An error
	// wrapping ErrUnreachable means the engine did not answer.
	ListImages(ctx context.Context) ([]Image, error)
}

// ErrUnreachable marks an error as "the Docker engine did not answer".
var ErrUnreachable = errors.New("docker engine not reachable")

// Verdict is an image's size against its budget.
type Verdict int

const (
	NoBudget Verdict = iota
	WithinAim
	WithinBudget
	OverBudget
)

// Image is one repository's newest image.
type Image struct {
	Repository string
	Present    bool
	Tag        string
	Size       int64
	Verdict    Verdict
	Aim, Max   int64  // the budget, bytes
	Previous   string // the tag before this one; "" for the first
	SizeChange int64  // Size minus the previous image's size
}

// Options configure the pane.
type Options struct {
	Keys     common.Overrides
	ReadOnly bool
}

// Model is the Images pane.
type Model struct {
	route  common.Route
	ctx    context.Context
	svc    Service
	keys   keyMap
	styles styles.Styles
	width  int
	height int

	loaded bool
	err    error
	images []Image
	cursor int
}

// New returns the pane, idle until Start.
func New(o Options) *Model {
	return &Model{route: common.Route{Pane: common.ImagesPane}, keys: newKeyMap(o.Keys, o.ReadOnly), styles: styles.Plain()}
}

// Start lists the images; the Docker engine does not depend on the cluster,
// but a session restart also refreshes them.
func (m *Model) Start(ctx context.Context, gen int, svc Service) tea.Cmd {
	m.route.Gen, m.ctx, m.svc = gen, ctx, svc
	m.loaded, m.err = false, nil
	return m.load()
}

func (m *Model) load() tea.Cmd {
	if m.svc == nil {
		return nil
	}
	return listCmd(m.ctx, m.route, m.svc)
}

func (m *Model) Init() tea.Cmd             { return nil }
func (m *Model) SetSize(w, h int)          { m.width, m.height = w, h }
func (m *Model) SetStyles(s styles.Styles) { m.styles = s }
func (m *Model) Capturing() bool           { return false }
func (m *Model) Images() []Image           { return m.images }
func (m *Model) Cursor() int               { return m.cursor }

// Unreachable is true when the engine did not answer (or none is set up).
func (m *Model) Unreachable() bool { return m.svc == nil || errors.Is(m.err, ErrUnreachable) }

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		k := m.keys
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = min(max(0, len(m.images)-1), m.cursor+1)
		case key.Matches(msg, k.Refresh):
			return m.load()
		}
	case listedMsg:
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			m.images = msg.images
		}
		m.cursor = min(m.cursor, max(0, len(m.images)-1))
	}
	return nil
}

type listedMsg struct {
	common.Route
	images []Image
	err    error
}

func listCmd(ctx context.Context, r common.Route, svc Service) tea.Cmd {
	return func() tea.Msg {
		imgs, err := svc.ListImages(ctx)
		if err != nil && !errors.Is(err, ErrUnreachable) {
			err = fmt.Errorf("cannot list the images: %w", err)
		}
		return listedMsg{Route: r, images: imgs, err: err}
	}
}

// Keys is the pane's section of the config file, with the defaults.
var Keys = common.KeySection{Name: "images", Defs: []common.KeyDef{
	{Name: "up", Keys: []string{"up", "k"}, Help: "↑/k", Desc: "up"},
	{Name: "down", Keys: []string{"down", "j"}, Help: "↓/j", Desc: "down"},
	{Name: "refresh", Keys: []string{"r"}, Desc: "refresh"},
}}

type keyMap struct{ Up, Down, Refresh key.Binding }

func newKeyMap(o common.Overrides, readOnly bool) keyMap {
	b := common.Bindings(Keys, o, readOnly)
	return keyMap{Up: b["up"], Down: b["down"], Refresh: b["refresh"]}
}

func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Refresh} }
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Refresh}}
}
