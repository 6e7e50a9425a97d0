// Package release is the Release pane: the Helm release's status, its
// revision history, and the notes, values and manifest of any revision.
package release

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Service is what the pane needs from Helm; cmd/tmtui adapts the engine
// (internal/helm) to it.
type Service interface {
	// Status of the release; Installed is false when there is none.
	Status(ctx context.Context) (Status, error)
	// History lists the revisions, newest first.
	History(ctx context.Context) ([]Revision, error)
	// Content returns the notes, values or manifest of one revision.
	Content(ctx context.Context, revision int, kind Kind) (string, error)
}

// Status is the release as the header and the pane show it.
type Status struct {
	Installed  bool
	Name       string
	Revision   int
	State      string // deployed, failed, pending-upgrade, …
	Chart      string // name-version
	AppVersion string
	Updated    time.Time
}

// Revision is one entry of the history.
type Revision struct {
	Number      int
	State       string
	Chart       string
	AppVersion  string
	Updated     time.Time
	Description string
}

// Kind is what a viewer shows.
type Kind string

const (
	Notes    Kind = "notes"
	Values   Kind = "values"
	Manifest Kind = "manifest"
)

// Options configure the pane.
type Options struct {
	Keys     common.Overrides
	ReadOnly bool
	Release  string // the release's name, shown before the first status
	Now      func() time.Time
	// Timeout bounds an operation (install, upgrade…); 0 means opTimeout.
	Timeout time.Duration
}

// Model is the Release pane.
type Model struct {
	route common.Route
	ctx   context.Context
	svc   Service

	keys    keyMap
	timeout time.Duration
	styles  styles.Styles
	now     func() time.Time
	name    string
	width   int
	height  int
	loaded  bool
	loading bool
	// pending is a workflow key pressed while the release was being read
	// again; it runs once the read says whether it applies.
	pending *tea.KeyPressMsg
	err     error
	status  Status
	history []Revision
	cursor  int

	viewing bool
	kind    Kind
	rev     int
	vp      viewport.Model

	op      *op // the running operation, or the last one's result
	offered int // the stuck revision whose recovery was offered by itself
}

// New returns the pane, idle until Start.
func New(o Options) *Model {
	m := &Model{
		route:   common.Route{Pane: common.ReleasePane},
		keys:    newKeyMap(o.Keys, o.ReadOnly),
		styles:  styles.Plain(),
		now:     o.Now,
		name:    o.Release,
		timeout: o.Timeout,
		vp:      viewport.New(),
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.timeout <= 0 {
		m.timeout = opTimeout
	}
	return m
}

// Start begins a session and loads the status and history.
func (m *Model) Start(ctx context.Context, gen int, svc Service) tea.Cmd {
	m.route.Gen, m.ctx, m.svc = gen, ctx, svc
	m.loaded, m.err, m.status, m.history, m.cursor, m.viewing = false, nil, Status{}, nil, 0, false
	m.op, m.offered = nil, 0
	m.keys.sync(false, false, "")
	return m.load()
}

// Refresh reads the status and history again: after a change made from
// another pane (a scale is a Helm upgrade, so a new revision).
func (m *Model) Refresh() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	if m.svc == nil {
		return nil
	}
	m.loading = true
	return loadCmd(m.ctx, m.route, m.svc)
}

func (m *Model) Init() tea.Cmd { return nil }

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.vp.SetWidth(w)
	m.vp.SetHeight(max(1, h-1))
}

func (m *Model) SetStyles(s styles.Styles) { m.styles = s }
func (m *Model) Capturing() bool           { return false }
func (m *Model) Viewing() (Kind, int, bool) {
	return m.kind, m.rev, m.viewing
}

// State says whether the release has been read, and whether it is
// installed.
func (m *Model) State() (loaded, installed bool) { return m.loaded, m.status.Installed }

// Header is what the root's header shows of the release.
func (m *Model) Header() (name string, revision int, state string, ok bool) {
	if !m.loaded || !m.status.Installed {
		return m.name, 0, "", false
	}
	return m.status.Name, m.status.Revision, m.status.State, true
}

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.handleOpMsg(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case loadedMsg:
		m.loading, m.loaded = false, true
		picked := m.picked()
		m.status, m.history, m.err = msg.status, msg.history, msg.err
		if msg.status.Name != "" {
			m.name = msg.status.Name
		}
		m.cursor = m.find(picked)
		m.keys.sync(m.operator() != nil, m.status.Installed, m.status.State)
		pending := m.pending
		m.pending = nil
		if msg.err != nil {
			return common.StatusErr(msg.err)
		}
		if pending != nil {
			return m.handleKey(*pending)
		}
		// A release stuck mid-operation (tmtui or helm stopped half-way):
		// offer recovery once, by itself.
		if m.keys.Recover.Enabled() && m.offered != m.status.Revision && (m.op == nil || !m.op.running) {
			m.offered = m.status.Revision
			return m.startRecover(true)
		}
	case contentMsg:
		if !m.viewing || msg.kind != m.kind || msg.rev != m.rev {
			return nil // the user moved on
		}
		text := msg.text
		if msg.err != nil {
			text = "✗ " + msg.err.Error()
		} else if strings.TrimSpace(text) == "" {
			text = fmt.Sprintf("(revision %d has no %s)", msg.rev, msg.kind)
		}
		m.vp.SetContent(text)
		m.vp.GotoTop()
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.viewing {
		if key.Matches(msg, k.Back) {
			m.viewing = false
			return nil
		}
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(msg)
		return cmd
	}
	if m.waitForLoad(msg) {
		return common.Status("… reading the release")
	}
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = min(max(0, len(m.history)-1), m.cursor+1)
	case key.Matches(msg, k.Refresh):
		return m.load()
	case key.Matches(msg, k.Notes):
		return m.view(Notes)
	case key.Matches(msg, k.Values):
		return m.view(Values)
	case key.Matches(msg, k.Manifest):
		return m.view(Manifest)
	case key.Matches(msg, k.Install):
		return m.startInstall()
	case key.Matches(msg, k.Upgrade):
		return m.startUpgrade()
	case key.Matches(msg, k.Rollback):
		return m.startRollback()
	case key.Matches(msg, k.Uninstall):
		return m.startUninstall()
	case key.Matches(msg, k.Test):
		return m.startTest()
	case key.Matches(msg, k.Recover):
		return m.startRecover(false)
	case key.Matches(msg, k.Back) && m.op != nil && !m.op.running:
		m.op = nil // dismiss the last operation's result
	}
	return nil
}

// picked is the revision the user moved the cursor to, or 0 while it is on
// the newest one.
func (m *Model) picked() int {
	if m.cursor <= 0 || m.cursor >= len(m.history) {
		return 0
	}
	return m.history[m.cursor].Number
}

// find is the cursor that stays on what the user picked when the history
// is read again: on the same revision when one was picked (a new one on
// top must not move the selection under a key about to be pressed), on
// the newest one otherwise.
func (m *Model) find(rev int) int {
	if rev == 0 {
		return 0
	}
	for i, r := range m.history {
		if r.Number == rev {
			return i
		}
	}
	return min(m.cursor, max(0, len(m.history)-1))
}

// waitForLoad keeps a workflow key pressed while the release is read
// again (right after an install, say), and says whether it did: the last
// read is out of date, so whether the key applies (u after an install, i
// after an uninstall) is not known yet. The read's result runs it, or
// leaves it off.
func (m *Model) waitForLoad(msg tea.KeyPressMsg) bool {
	k := m.keys
	if !m.loading || m.operator() == nil || k.readOnly {
		return false
	}
	for _, b := range []key.Binding{k.Install, k.Upgrade, k.Rollback, k.Uninstall, k.Test, k.Recover} {
		if slices.Contains(b.Keys(), msg.String()) {
			m.pending = &msg
			return true
		}
	}
	return false
}

// view opens a viewer on the selected revision and loads its content.
func (m *Model) view(kind Kind) tea.Cmd {
	if m.svc == nil || len(m.history) == 0 {
		return common.Status("no revision to show: the release is not installed")
	}
	m.viewing, m.kind, m.rev = true, kind, m.history[m.cursor].Number
	m.vp.SetContent("… loading " + string(kind))
	return contentCmd(m.ctx, m.route, m.svc, m.rev, kind)
}

type loadedMsg struct {
	common.Route
	status  Status
	history []Revision
	err     error
}

type contentMsg struct {
	common.Route
	rev  int
	kind Kind
	text string
	err  error
}

func loadCmd(ctx context.Context, r common.Route, svc Service) tea.Cmd {
	return func() tea.Msg {
		st, err := svc.Status(ctx)
		if err != nil {
			return loadedMsg{Route: r, err: fmt.Errorf("cannot read the release: %w", err)}
		}
		var hist []Revision
		if st.Installed {
			if hist, err = svc.History(ctx); err != nil {
				err = fmt.Errorf("cannot read the release history: %w", err)
			}
		}
		return loadedMsg{Route: r, status: st, history: hist, err: err}
	}
}

func contentCmd(ctx context.Context, r common.Route, svc Service, rev int, kind Kind) tea.Cmd {
	return func() tea.Msg {
		text, err := svc.Content(ctx, rev, kind)
		return contentMsg{Route: r, rev: rev, kind: kind, text: text, err: err}
	}
}

// Name is the release's name.
func (m *Model) Name() string { return m.name }
