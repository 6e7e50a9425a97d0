// Package ui is tmtui's terminal interface: one root Bubble Tea model that owns
// the layout and the global keys. It reaches the cluster only through the
// functions it is given, never through client-go.
package ui

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// ClusterInfo is what the UI shows about the cluster it works on.
type ClusterInfo struct {
	Context       string
	Server        string
	ServerVersion string
	Namespace     string
}

// ConnectFunc connects to the cluster. It runs in a tea.Cmd, so it may block.
// On failure it may still return the fields it learned (e.g. Context), and
// the error's text is shown to the user as it is.
type ConnectFunc func(ctx context.Context) (ClusterInfo, error)

// Options configure New.
type Options struct {
	Connect ConnectFunc // required
	Context string      // the context being connected to, shown until Connect returns; may be empty
	NoColor bool        // plain styles, for NO_COLOR and --no-color
}

type state int

const (
	connecting state = iota
	connected
	failed
)

// Model is the root tea.Model.
type Model struct {
	connect ConnectFunc
	noColor bool

	styles  styles.Styles
	keys    keyMap
	help    help.Model
	spinner spinner.Model

	width, height int

	state state
	gen   int // the connection attempt whose result we wait for
	info  ClusterInfo
	err   error
}

// New returns the root model, ready to connect once the program starts it.
func New(o Options) Model {
	m := Model{
		connect: o.Connect,
		noColor: o.NoColor,
		keys:    newKeyMap(),
		help:    help.New(),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		info:    ClusterInfo{Context: o.Context},
	}
	// Assume a dark background until the terminal says otherwise.
	m.setStyles(styles.New(true))
	return m
}

func (m *Model) setStyles(s styles.Styles) {
	if m.noColor {
		s = styles.Plain()
	}
	m.styles = s
	m.help.Styles = s.Help
	m.spinner.Style = s.Spinner
}

func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{connectCmd(m.connect, m.gen), m.spinner.Tick}
	if !m.noColor {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil

	case tea.BackgroundColorMsg:
		m.setStyles(styles.New(msg.IsDark()))
		return m, nil

	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m, tea.Quit
		case key.Matches(msg, m.keys.Retry):
			return m.reconnect()
		}
		return m, nil

	case connectResultMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.info, m.err = mergeInfo(m.info, msg.info), msg.err
		m.state = connected
		if msg.err != nil {
			m.state = failed
		}
		m.keys.Retry.SetEnabled(m.state == failed)
		return m, nil

	case spinner.TickMsg:
		// Dropping ticks once connected ends the spinner's timer loop.
		if m.state != connecting {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) reconnect() (tea.Model, tea.Cmd) {
	m.gen++
	m.state = connecting
	m.err = nil
	m.keys.Retry.SetEnabled(false)
	return m, tea.Batch(connectCmd(m.connect, m.gen), m.spinner.Tick)
}

// mergeInfo keeps what we knew before (the context from the command line)
// when a failed attempt could not learn it.
func mergeInfo(old, got ClusterInfo) ClusterInfo {
	if got.Context == "" {
		got.Context = old.Context
	}
	return got
}
