// Package ui is tmtui's terminal interface: one root Bubble Tea model that owns
// the layout, the global keys, the status line and the guard in front of every
// change, and four panes (images, release, pods, logs). It reaches the cluster,
// Helm and Docker only through the small interfaces it declares, never through
// client-go, Helm or Docker types; cmd/tmtui adapts the engines to them.
package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog/wizard"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// ClusterInfo is what the UI shows about the cluster it works on.
type ClusterInfo struct {
	Context       string
	Server        string
	ServerVersion string
	Namespace     string
	// Local is true for a cluster on this machine (Docker Desktop, kind, the
	// sandbox…). Every change on a cluster that is not local asks for the
	// context's name to be typed.
	Local bool
}

// Services are the panes' ways into one cluster session. A nil one leaves
// its pane saying it is not available.
type Services struct {
	Pods    pods.Service
	Logs    logs.Service
	Release release.Service
	// Health checks the backend and the frontend; nil hides h and o.
	Health HealthService
}

// Cluster is what a connection gives the UI.
type Cluster struct {
	Info ClusterInfo
	Services
}

// ConnectFunc connects to the cluster. It runs in a tea.Cmd, so it may block.
// On failure it may still return the fields it learned (e.g. Context), and
// the error's text is shown to the user as it is.
type ConnectFunc func(ctx context.Context) (Cluster, error)

// Options configure New.
type Options struct {
	Connect ConnectFunc // required
	Context string      // the context being connected to, shown until Connect returns; may be empty
	NoColor bool        // plain styles, for NO_COLOR and --no-color
	// ReadOnly hides every key that changes something.
	ReadOnly bool
	// Release is the Helm release's name, shown until its status is read.
	Release string
	// Images lists the images; it does not depend on the cluster. nil: the
	// pane says the Docker engine is not reachable.
	Images images.Service
	// Keys are the user's bindings from the config file (see LoadKeys).
	Keys common.Overrides
	// MinReplicas and MaxReplicas bound scaling; 0 means 1 and 3.
	MinReplicas, MaxReplicas int32
	// SaveDir is where the Logs pane saves its buffer; "" the working directory.
	SaveDir string
	// Now is the clock for ages; nil means time.Now. Tests fix it.
	Now func() time.Time
	// StatusFade is how long info and success lines stay; 0 means 4 s, and
	// below 0 they stay until replaced (tests fade them by hand).
	StatusFade time.Duration
	// OpenURL opens a URL in the browser, for o; nil hides o.
	OpenURL func(url string) error
	// OperationTimeout bounds an install, upgrade, rollback, uninstall or
	// helm test, the engine's undoing of a failure included; 0 means 7 min.
	OperationTimeout time.Duration
	// Wizard is the setup wizard's service; nil hides the wizard.
	Wizard wizard.Service
	// OpenWizard opens the wizard as soon as the session starts (`tmtui
	// setup`).
	OpenWizard bool
	// NoAutoWizard keeps the wizard from opening by itself on an empty
	// namespace (--no-wizard); W still opens it.
	NoAutoWizard bool
	// AppDir is the app's folder, proposed by the wizard for builds and the
	// deployment kit; "" the working directory.
	AppDir string
	// ConnectTo connects to another context or namespace (the wizard may
	// pick them); nil keeps the session where it is.
	ConnectTo func(context, namespace string) ConnectFunc
	// Mouse turns on mouse reporting: click to focus and select, wheel to
	// scroll. Off by default, since it stops the terminal selecting text.
	Mouse bool
}

type state int

const (
	connecting state = iota
	connected
	failed
)

type statusKind int

const (
	statusNone statusKind = iota
	statusInfo
	statusSuccess
	statusError
)

type status struct {
	id   int
	kind statusKind
	text string
}

// pending is what a dialog decides on: an action, or quitting.
type pending struct {
	action *common.Action
	route  common.Route
	quit   bool
	// confirmation is the context name typed already, when a second
	// question follows (the release name of an uninstall on REMOTE).
	confirmation string
}

type task struct {
	id    int
	title string
}

// Model is the root tea.Model.
type Model struct {
	connect  ConnectFunc
	imagesFn images.Service
	noColor  bool
	readOnly bool
	fade     time.Duration
	openURL  func(string) error
	mouse    bool

	wizardSvc         wizard.Service
	appDir            string
	connectTo         func(context, namespace string) ConnectFunc
	wizard            *wizard.Model // open when not nil
	wizardShown       bool          // opened by itself once this run: never again
	openWizardAtStart bool

	styles  styles.Styles
	keys    keyMap
	help    help.Model
	spinner spinner.Model

	width, height int

	state state
	gen   int // the connection attempt whose result we wait for; also the session's generation
	info  ClusterInfo
	err   error

	sessionCtx    context.Context
	sessionCancel context.CancelFunc

	images  *images.Model
	release *release.Model
	pods    *pods.Model
	logs    *logs.Model

	focus    common.PaneID
	zoom     bool
	showHelp bool

	dialog  *dialog.Confirm
	pending *pending
	// dialogs are the windows panes opened (forms, diffs), the front one
	// last; the guard's dialog, when there is one, is in front of them.
	dialogs    []common.Dialog
	graceUntil time.Time        // keys before this (wall clock) go nowhere: a dialog opened by itself
	wallClock  func() time.Time // time.Now; tests move it

	wizardRefresh time.Duration // the wizard's preflight refresh; 0 is its default, tests turn it off

	tasks    []task
	nextTask int
	status   status
	statusN  int

	quitting bool // the user quit while work ran: tmtui waits for it to stop

	health      HealthService // the session's; nil when it has none
	frontendURL string        // the LoadBalancer's, from the last health check
}

// New returns the root model, ready to connect once the program starts it.
func New(o Options) Model {
	if o.Release == "" {
		o.Release = "taskmaster"
	}
	m := Model{
		connect:           o.Connect,
		imagesFn:          o.Images,
		noColor:           o.NoColor,
		readOnly:          o.ReadOnly,
		fade:              o.StatusFade,
		openURL:           o.OpenURL,
		mouse:             o.Mouse,
		wizardSvc:         o.Wizard,
		openWizardAtStart: o.OpenWizard,
		wizardShown:       o.NoAutoWizard, // as if it had opened once already
		appDir:            o.AppDir,
		connectTo:         o.ConnectTo,
		keys:              newKeyMap(o.Keys),
		help:              help.New(),
		spinner:           spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		info:              ClusterInfo{Context: o.Context},
		images:            images.New(images.Options{Keys: o.Keys, ReadOnly: o.ReadOnly}),
		release:           release.New(release.Options{Keys: o.Keys, ReadOnly: o.ReadOnly, Release: o.Release, Now: o.Now, Timeout: o.OperationTimeout}),
		pods:              pods.New(pods.Options{Keys: o.Keys, ReadOnly: o.ReadOnly, MinReplicas: o.MinReplicas, MaxReplicas: o.MaxReplicas, Now: o.Now}),
		logs:              logs.New(logs.Options{Keys: o.Keys, ReadOnly: o.ReadOnly, SaveDir: o.SaveDir, Now: o.Now}),
		focus:             common.PodsPane,
		wallClock:         time.Now,
	}
	if m.fade == 0 {
		m.fade = 4 * time.Second
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
	for _, p := range m.panes() {
		p.SetStyles(s)
	}
}

func (m Model) panes() []common.Component {
	return []common.Component{m.images, m.release, m.pods, m.logs}
}

func (m Model) pane(id common.PaneID) common.Component { return m.panes()[id] }

// Focus returns the focused pane; Zoomed whether it fills the screen.
func (m Model) Focus() common.PaneID { return m.focus }
func (m Model) Zoomed() bool         { return m.zoom }

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
		m.layout()
		if m.wizard != nil {
			m.wizard.SetSize(m.width, max(1, m.height-chrome))
		}
		return m, nil

	case tea.BackgroundColorMsg:
		m.setStyles(styles.New(msg.IsDark()))
		if m.wizard != nil {
			m.wizard.SetStyles(m.styles)
		}
		return m, nil

	case tea.KeyPressMsg:
		if m.wizard != nil && m.dialog == nil && m.state == connected {
			return m.wizardKey(msg)
		}
		return m.handleKey(msg)

	case wizard.ClosedMsg:
		return m.wizardClosed(msg)

	case wizard.Msg:
		if m.wizard == nil {
			return m, nil
		}
		return m, m.wizard.Update(msg)

	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return m.handleMouse(msg.(tea.MouseMsg))

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
		if m.state == connected {
			return m, m.startSession(msg.services)
		}
		return m, nil

	case common.ActionMsg:
		if msg.Gen != m.gen {
			return m, nil
		}
		return m.guard(msg.Action, msg.Route)

	case taskDoneMsg:
		m.endTask(msg.id)
		if m.quitting && !m.working() {
			return m, tea.Quit
		}
		var cmds []tea.Cmd
		succeeded := true
		if o, ok := msg.result.(common.Outcome); ok {
			text, err := o.Outcome()
			succeeded = err == nil
			cmds = append(cmds, m.setStatus(text, err, statusSuccess))
		}
		if msg.route.Gen == m.gen && msg.result != nil {
			cmds = append(cmds, m.pane(msg.route.Pane).Update(msg.result))
			m.syncReleaseState()
		}
		// A change can make a new Helm revision (scaling is an upgrade):
		// the release pane and the header read the release again.
		if msg.route.Gen == m.gen && succeeded && msg.route.Pane != common.ReleasePane {
			cmds = append(cmds, m.release.Refresh())
		}
		return m, tea.Batch(cmds...)

	case healthDoneMsg:
		m.endTask(msg.id)
		if m.quitting && !m.working() {
			return m, tea.Quit
		}
		if msg.gen != m.gen {
			return m, nil
		}
		text, url, err := healthReport(msg.results, msg.err, m.keys.Focus[common.PodsPane].Help().Key, m.keys.Focus[common.LogsPane].Help().Key, m.keys.Health.Help().Key)
		m.frontendURL = url
		return m, m.setStatus(text, err, statusSuccess)

	case openedMsg:
		if msg.err != nil {
			return m, m.setStatus("", fmt.Errorf("could not open a browser: %v; open %s yourself", msg.err, msg.url), statusError)
		}
		return m, m.setStatus("opened "+msg.url+" in the browser", nil, statusInfo)

	case common.StatusMsg:
		return m, m.setStatus(msg.Info, msg.Err, statusInfo)

	case statusExpiredMsg:
		if msg.id == m.status.id && m.status.kind != statusError {
			m.status = status{}
		}
		return m, nil

	case common.OpenDialogMsg:
		if msg.Gen != m.gen {
			return m, nil
		}
		m.dialogs = append(m.dialogs, msg.Dialog)
		if msg.Unasked {
			m.graceUntil = m.wallClock().Add(dialogGrace)
		}
		return m, nil

	case progressMsg:
		var cmd tea.Cmd
		if msg.route.Gen == m.gen && msg.msg != nil {
			cmd = m.pane(msg.route.Pane).Update(msg.msg)
		}
		return m, tea.Batch(cmd, readProgress(msg.route, msg.ch))

	case common.OpenLogsMsg:
		m.focus = common.LogsPane
		m.layout()
		return m, m.logs.ShowPod(msg.Pod)

	case common.Routed:
		r := msg.Routing()
		if r.Gen != m.gen {
			return m, nil // from an older session: another context or namespace
		}
		cmd := m.pane(r.Pane).Update(msg)
		if r.Pane == common.ReleasePane {
			m.syncReleaseState()
		}
		if r.Pane == common.ReleasePane || r.Pane == common.PodsPane {
			cmd = tea.Batch(cmd, m.maybeOpenWizard())
		}
		if o, ok := msg.(common.Outcome); ok {
			text, err := o.Outcome()
			cmd = tea.Batch(cmd, m.setStatus(text, err, statusSuccess))
		}
		return m, cmd

	case spinner.TickMsg:
		// Dropping ticks when nothing runs ends the spinner's timer loop.
		if m.state != connecting && len(m.tasks) == 0 {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	}
	return m, nil
}

// syncReleaseState tells the panes what they need to know of the release:
// the pods pane offers scaling (a Helm upgrade) only when it is installed.
func (m *Model) syncReleaseState() {
	if loaded, installed := m.release.State(); loaded {
		m.pods.SetReleaseInstalled(installed)
	}
}

// startSession points every pane at a new connection. The old session's
// context ends, stopping its watches and streams; their last messages carry
// the old generation and are dropped.
func (m *Model) startSession(s Services) tea.Cmd {
	if m.sessionCancel != nil {
		m.sessionCancel()
	}
	m.sessionCtx, m.sessionCancel = context.WithCancel(context.Background())
	m.dialogs = nil // they belonged to the old session
	m.keys.Wizard.SetEnabled(m.wizardSvc != nil && !m.readOnly)
	m.health, m.frontendURL = s.Health, ""
	m.keys.Health.SetEnabled(s.Health != nil)
	m.keys.Open.SetEnabled(s.Health != nil && m.openURL != nil)
	var cmds []tea.Cmd
	if s.Pods != nil {
		cmds = append(cmds, m.pods.Start(m.sessionCtx, m.gen, s.Pods))
	}
	if s.Logs != nil {
		cmds = append(cmds, m.logs.Start(m.sessionCtx, m.gen, s.Logs))
	}
	if s.Release != nil {
		cmds = append(cmds, m.release.Start(m.sessionCtx, m.gen, s.Release))
	}
	if m.imagesFn != nil {
		cmds = append(cmds, m.images.Start(m.sessionCtx, m.gen, m.imagesFn))
	}
	if m.openWizardAtStart {
		m.openWizardAtStart = false
		cmds = append(cmds, m.openWizard())
	}
	m.layout()
	return tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if (m.dialog != nil || len(m.dialogs) > 0) && m.wallClock().Before(m.graceUntil) {
		return m, nil
	}
	if m.dialog != nil {
		return m.dialogKey(msg)
	}
	if n := len(m.dialogs); n > 0 {
		cmd, done := m.dialogs[n-1].Update(msg)
		if done {
			m.dialogs = slices.Clone(m.dialogs[:n-1])
		}
		return m, cmd
	}
	if m.state != connected {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m, tea.Quit
		case key.Matches(msg, m.keys.Retry):
			return m.reconnect()
		}
		return m, nil
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, m.keys.Help), msg.String() == "esc":
			m.showHelp = false
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		}
		return m, nil
	}
	focused := m.pane(m.focus)
	if focused.Capturing() {
		return m, focused.Update(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(msg, m.keys.Next):
		m.setFocus((m.focus + 1) % 4)
		return m, nil
	case key.Matches(msg, m.keys.Prev):
		m.setFocus((m.focus + 3) % 4)
		return m, nil
	case key.Matches(msg, m.keys.Zoom):
		m.zoom = !m.zoom
		m.layout()
		return m, nil
	case key.Matches(msg, m.keys.Dismiss):
		m.status = status{}
		m.keys.Dismiss.SetEnabled(false)
		return m, nil
	case key.Matches(msg, m.keys.Health):
		return m, m.checkHealth()
	case key.Matches(msg, m.keys.Wizard):
		return m, m.openWizard()
	case key.Matches(msg, m.keys.Open):
		if m.frontendURL == "" {
			return m, m.setStatus(noLoadBalancer(m.keys.Health.Help().Key).Error(), nil, statusInfo)
		}
		return m, openURLCmd(m.openURL, m.frontendURL)
	}
	for i, b := range m.keys.Focus {
		if key.Matches(msg, b) {
			m.setFocus(common.PaneID(i))
			return m, nil
		}
	}
	return m, focused.Update(msg)
}

func (m *Model) setFocus(p common.PaneID) {
	m.focus = p
	m.layout()
}

// working says whether work runs that a quit must stop and wait for: a
// task, or a change the setup wizard makes.
func (m Model) working() bool {
	return len(m.tasks) > 0 || (m.wizard != nil && m.wizard.Changing() != "")
}

// quit asks first while work runs: quitting then would leave the user not
// knowing whether a change went through.
func (m Model) quit() (tea.Model, tea.Cmd) {
	if !m.working() || m.quitting {
		// A second q while stopping quits at once: an operation cut
		// short then is found stuck, and recovered, at the next start.
		return m, tea.Quit
	}
	var titles []string
	for _, t := range m.tasks {
		titles = append(titles, t.title)
	}
	if m.wizard != nil && m.wizard.Changing() != "" {
		titles = append(titles, "the setup wizard: "+m.wizard.Changing())
	}
	m.dialog = &dialog.Confirm{
		Title: "Quit while work runs?",
		Body:  "Still running: " + strings.Join(titles, ", ") + ". If you quit, tmtui stops it first: a change to the release is undone (Helm rolls it back), so nothing is left half-done. That can take a minute.",
	}
	m.pending = &pending{quit: true}
	return m, nil
}

// stopAndQuit ends the session's work and quits once every task has
// returned and the wizard has closed: a Helm operation whose context ends
// undoes itself, and tmtui waits for that, so a quit never leaves a
// release pending.
func (m Model) stopAndQuit() (tea.Model, tea.Cmd) {
	if !m.working() {
		return m, tea.Quit
	}
	m.quitting = true
	var cmds []tea.Cmd
	if m.wizard != nil {
		cmds = append(cmds, m.wizard.Update(tea.KeyPressMsg{Code: tea.KeyEscape})) // stop, then close
	}
	if m.sessionCancel != nil {
		m.sessionCancel()
	}
	cmds = append(cmds, m.setStatus("", fmt.Errorf("quitting: stopping the running work and undoing unfinished changes first (press %s again to quit at once)", m.keys.Quit.Help().Key), statusError))
	return m, tea.Batch(cmds...)
}

// guard is the one door every change goes through.
func (m Model) guard(a common.Action, r common.Route) (tea.Model, tea.Cmd) {
	switch {
	case m.readOnly:
		// The keys are hidden, so this is a pane asking on its own; refuse.
		return m, m.setStatus("", fmt.Errorf("read-only mode: %s is not allowed; restart tmtui without --readonly to make changes", a.Title), statusError)
	case !m.info.Local:
		m.dialog = &dialog.Confirm{
			Title:   "REMOTE context " + m.info.Context,
			Body:    fmt.Sprintf("%s on %s (%s), which is not a local cluster.", a.Title, m.info.Context, m.info.Server),
			Require: m.info.Context,
		}
		m.pending = &pending{action: &a, route: r}
		m.graceFor(a)
		return m, nil
	case a.Type != "":
		m.dialog = &dialog.Confirm{Title: capitalize(a.Title) + "?", Body: bodyOf(a), Require: a.Type}
		m.pending = &pending{action: &a, route: r}
		m.graceFor(a)
		return m, nil
	case a.Ask:
		m.dialog = &dialog.Confirm{Title: capitalize(a.Title) + "?", Body: bodyOf(a)}
		m.pending = &pending{action: &a, route: r}
		m.graceFor(a)
		return m, nil
	}
	return m, m.run(a, r, "")
}

func bodyOf(a common.Action) string {
	if a.Body != "" {
		return a.Body
	}
	return "This cannot be undone."
}

// graceFor keeps keys off a question that opened by itself for a moment.
func (m *Model) graceFor(a common.Action) {
	if a.Unasked {
		m.graceUntil = m.wallClock().Add(dialogGrace)
	}
}

func (m *Model) run(a common.Action, r common.Route, confirmation string) tea.Cmd {
	id, tick := m.startTask(a.Title)
	cmds := []tea.Cmd{runTask(m.sessionCtx, id, r, a, confirmation), tick}
	if a.Progress != nil {
		cmds = append(cmds, readProgress(r, a.Progress))
	}
	return tea.Batch(cmds...)
}

// checkHealth runs one health check as a task, with the spinner. It changes
// nothing, so it does not go through the guard.
func (m *Model) checkHealth() tea.Cmd {
	for _, t := range m.tasks {
		if t.title == healthTitle {
			return nil // one at a time
		}
	}
	id, tick := m.startTask(healthTitle)
	return tea.Batch(checkHealthCmd(m.sessionCtx, m.health, id, m.gen), tick)
}

// startTask shows a running task; the command starts the spinner when it
// is the only one.
func (m *Model) startTask(title string) (int, tea.Cmd) {
	m.nextTask++
	m.tasks = append(m.tasks, task{id: m.nextTask, title: title})
	if len(m.tasks) == 1 {
		return m.nextTask, m.spinner.Tick
	}
	return m.nextTask, nil
}

func (m *Model) endTask(id int) {
	m.tasks = slices.DeleteFunc(m.tasks, func(t task) bool { return t.id == id })
}

func (m Model) dialogKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	d, p := m.dialog, m.pending
	switch d.Update(msg) {
	case dialog.Open:
		return m, nil
	case dialog.Cancelled:
		m.dialog, m.pending = nil, nil
		if p != nil && p.action != nil {
			return m, m.setStatus("cancelled: "+p.action.Title, nil, statusInfo)
		}
		return m, nil
	}
	m.dialog, m.pending = nil, nil
	switch {
	case p == nil:
		return m, nil
	case p.quit:
		return m.stopAndQuit()
	}
	confirmation := p.confirmation
	if d.Require != "" && d.Require == m.info.Context && !m.info.Local && confirmation == "" {
		confirmation = d.Typed()
		// A REMOTE context asked for its name; an uninstall still asks
		// for the release's.
		if a := p.action; a.Type != "" && a.Type != confirmation {
			m.dialog = &dialog.Confirm{Title: capitalize(a.Title) + "?", Body: bodyOf(*a), Require: a.Type}
			m.pending = &pending{action: a, route: p.route, confirmation: confirmation}
			return m, nil
		}
	}
	return m, m.run(*p.action, p.route, confirmation)
}

// setStatus shows an error (kept until dismissed) or a line that fades.
func (m *Model) setStatus(text string, err error, kind statusKind) tea.Cmd {
	m.statusN++
	if err != nil {
		m.status = status{id: m.statusN, kind: statusError, text: err.Error()}
		m.keys.Dismiss.SetEnabled(true)
		return nil
	}
	if text == "" {
		return nil
	}
	m.status = status{id: m.statusN, kind: kind, text: text}
	m.keys.Dismiss.SetEnabled(false) // an error shown before is replaced
	if m.fade < 0 {
		return nil
	}
	return expireStatus(m.statusN, m.fade)
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

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ActionPending reports whether a dialog waits for an answer.
func (m Model) ActionPending() bool { return m.dialog != nil || len(m.dialogs) > 0 }
