// Package wizard is the first-time setup wizard: preflight, context,
// namespace, secrets, images, review, install and health check, one step
// after another. Each step first looks at what is in place, offers to keep
// it, and can be run again. esc leaves at any step; what a step changes is
// one whole change (a namespace, the Secret, the release), so leaving never
// leaves anything half-done, and the wizard says what is in place.
//
// It is a child model of the root: the root hands it keys while it is open
// and every message that implements Msg, and closes it on ClosedMsg. It
// talks to the cluster only through Service.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Msg is implemented by every message the wizard's commands yield: the root
// routes these to the wizard while it is open.
type Msg interface{ WizardMsg() }

type wizMsg struct{}

func (wizMsg) WizardMsg() {}

// ClosedMsg says the wizard closed: finished, or left with esc. It tells
// what is in place now.
type ClosedMsg struct {
	wizMsg
	Finished    bool   // went through to the health check
	Context     string // the context it worked on
	Namespace   string // "" when no namespace was made sure of
	SecretReady bool   // the Secret holds every required key
	Installed   bool   // the release is installed
	Revision    int
	Healthy     bool   // the last health check passed
	URL         string // where to open the app; "" when not installed
	Summary     string // one line for the status line
}

// Step is one of the wizard's steps.
type Step int

const (
	StepPreflight Step = iota
	StepContext
	StepNamespace
	StepSecrets
	StepImages
	StepReview
	StepInstall
	StepHealth
)

var stepNames = []string{"Preflight", "Context", "Namespace", "Secrets", "Images", "Review", "Install", "Health"}

func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return "?"
	}
	return stepNames[s]
}

// Options configure a wizard.
type Options struct {
	Service   Service
	Namespace string // proposed namespace; "taskmaster" when empty
	Release   string // shown in the review; "taskmaster" when empty
	AppDir    string // the app's folder, proposed for builds and the kit
	// Refresh re-runs the preflight checks this often while they are shown;
	// 5s when zero, never when negative.
	Refresh time.Duration
	// Context is the parent of every command's context; Background when nil.
	Context context.Context
}

// Model is the wizard. Use New.
type Model struct {
	svc     Service
	opts    Options
	styles  styles.Styles
	noColor bool // the plain styles: forms drop the colours bubbles gives them
	width   int
	height  int
	baseCtx context.Context

	step    Step
	gen     int                // results of an older run of a step are dropped
	busy    string             // what runs now, "" when nothing
	cancel  context.CancelFunc // cancels what runs
	closing bool               // esc was pressed while a change ran: close when it ends
	err     error
	notes   []string // what was done, newest last, shown under the steps

	// what is known and in place
	preflight  *Preflight
	contexts   []Context
	context    Context
	confirm    string // the typed context name on a REMOTE context
	namespace  string
	nsReady    bool
	secret     *SecretStatus
	images     []Image
	tags       map[string]string
	kit        []KitFile
	kitAsk     []KitFile // differing files still to ask about
	kitWrite   []string
	buildOut   []string
	release    *Release
	progress   []string
	resources  []Resource
	pods       []Pod
	health     []Health
	healthDone bool

	// the current form and the values its fields are bound to
	form    *huh.Form
	formID  formKind
	formGen int
	fv      formValues
}

type formKind int

const (
	formNone formKind = iota
	formContext
	formRemote
	formNamespace
	formSecretKeep
	formSecrets
	formImages
	formTags
	formAppDir
	formKitMissing
	formKitDiffers
)

// formValues are the fields' bound values. Secret values live here only
// while the form is open and until the Secret is written.
type formValues struct {
	choice    string
	text      string
	secrets   SecretValues
	jwtChoice string
	appDir    string
	tags      map[string]*string
}

const (
	jwtGenerate = "generate"
	jwtType     = "type"
	jwtKeep     = "keep"
)

// New returns a wizard at its first step. Call Init to start it.
func New(o Options) *Model {
	if o.Namespace == "" {
		o.Namespace = "taskmaster"
	}
	if o.Release == "" {
		o.Release = "taskmaster"
	}
	if o.Refresh == 0 {
		o.Refresh = 5 * time.Second
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return &Model{svc: o.Service, opts: o, styles: styles.Plain(), noColor: true, width: 80, height: 24, baseCtx: ctx, namespace: o.Namespace, tags: map[string]string{}}
}

// Init starts the first step.
func (m *Model) Init() tea.Cmd { return m.enter(StepPreflight) }

// SetSize sets the room the wizard draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.form != nil {
		m.form.WithWidth(m.formWidth())
	}
}

// SetStyles sets the look; styles.Plain for NO_COLOR.
func (m *Model) SetStyles(s styles.Styles) {
	m.styles = s
	_, m.noColor = s.Good.GetForeground().(lipgloss.NoColor)
	if m.form != nil {
		m.form.WithTheme(huhTheme(s))
	}
}

// Step is the step shown.
func (m *Model) Step() Step { return m.step }

// Busy says what runs now, "" when nothing.
func (m *Model) Busy() string { return m.busy }

// Changing is what the wizard is changing now (an install, a build, the
// Secret, ...), "" when it changes nothing: leaving it then waits for the
// change to end, or to be undone.
func (m *Model) Changing() string {
	switch m.busy {
	case busyInstall, busyBuild, busyNamespace, busySecret, busyKit, busyContext:
		return m.busy
	}
	return ""
}

// TakesText says whether a form has the keys (a field, a choice), so
// that a letter is typed rather than taken as a command such as quit.
func (m *Model) TakesText() bool { return m.form != nil }

// Err is the last error shown, nil when none.
func (m *Model) Err() error { return m.err }

func (m *Model) formWidth() int { return max(30, min(m.width-4, 76)) }

// ---- messages -------------------------------------------------------------

type preflightMsg struct {
	wizMsg
	gen    int
	report Preflight
	err    error
}

type refreshMsg struct {
	wizMsg
	gen int
}

type contextsMsg struct {
	wizMsg
	gen      int
	contexts []Context
	err      error
}

type usedContextMsg struct {
	wizMsg
	gen     int
	context Context
	err     error
}

type namespaceMsg struct {
	wizMsg
	gen    int
	result NamespaceResult
	err    error
}

type secretStatusMsg struct {
	wizMsg
	gen    int
	status SecretStatus
	err    error
}

type secretAppliedMsg struct {
	wizMsg
	gen    int
	result SecretResult
	err    error
}

type imagesMsg struct {
	wizMsg
	gen    int
	images []Image
	err    error
}

type kitMsg struct {
	wizMsg
	gen   int
	files []KitFile
	err   error
}

type kitWrittenMsg struct {
	wizMsg
	gen   int
	paths []string
	err   error
}

type buildMsg struct {
	wizMsg
	gen       int
	component string
	ev        BuildEvent
	ch        <-chan BuildEvent
	rest      []Image // still to build after this one
}

type releaseMsg struct {
	wizMsg
	gen     int
	release Release
	err     error
}

type progressMsg struct {
	wizMsg
	gen int
	p   Progress
	ch  <-chan Progress
}

type installedMsg struct {
	wizMsg
	gen     int
	release Release
	err     error
}

type healthMsg struct {
	wizMsg
	gen     int
	results []Health
	err     error
}

// ---- update ---------------------------------------------------------------

// Update handles a key or one of the wizard's messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case formMsg:
		if m.form == nil || msg.gen != m.formGen {
			return nil
		}
		return m.updateForm(msg.msg)
	case refreshMsg:
		if msg.gen != m.gen || m.step != StepPreflight || m.busy != "" || m.form != nil {
			return nil
		}
		return m.runPreflight()
	}
	return m.result(msg)
}

func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "esc" {
		return m.leave()
	}
	if m.closing {
		return nil
	}
	if m.form != nil {
		return m.updateForm(k)
	}
	if m.busy != "" {
		return nil
	}
	switch k.String() {
	case "r":
		return m.enter(m.step)
	case "b", "shift+tab":
		switch m.step {
		case StepPreflight, StepInstall:
		case StepHealth:
			return m.enter(StepReview) // the install is done: not again
		default:
			return m.enter(m.step - 1)
		}
	case "enter":
		return m.next()
	}
	return nil
}

// next moves on from a step shown without a form.
func (m *Model) next() tea.Cmd {
	switch m.step {
	case StepPreflight:
		if m.preflight == nil {
			return nil
		}
		for _, c := range m.preflight.Checks {
			if c.ID == "cluster" && c.Status == CheckFail {
				m.err = errors.New("the cluster does not answer: fix that first (see above), then press r to check again")
				return nil
			}
		}
		return m.enter(StepContext)
	case StepReview:
		if m.release != nil && m.release.Installed && m.release.State == "deployed" {
			return m.enter(StepHealth)
		}
		return m.enter(StepInstall)
	case StepInstall:
		if m.err != nil {
			return m.enter(StepInstall) // try again
		}
	case StepHealth:
		if m.healthDone {
			return m.close(true)
		}
	case StepImages:
		if m.images != nil {
			return m.enter(StepReview)
		}
	}
	return nil
}

// leave is esc: read-only work is cancelled at once; a change that runs is
// let finish (or, for an install or a build, cancelled, which undoes it)
// and the wizard closes when it ends.
func (m *Model) leave() tea.Cmd {
	switch m.busy {
	case "":
		return m.close(false)
	case busyInstall, busyBuild:
		m.closing = true
		if m.cancel != nil {
			m.cancel()
		}
		return nil
	case busyNamespace, busySecret, busyKit, busyContext:
		m.closing = true
		return nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	return m.close(false)
}

const (
	busyPreflight = "running the preflight checks"
	busyContexts  = "reading the kubeconfig"
	busyContext   = "switching the context"
	busyNamespace = "making sure of the namespace"
	busySecretRd  = "reading the Secret's keys"
	busySecret    = "writing the Secret"
	busyImages    = "looking for the images"
	busyKit       = "writing the deployment kit"
	busyKitRead   = "comparing the deployment kit"
	busyBuild     = "building the images"
	busyRelease   = "reading the release"
	busyInstall   = "installing"
	busyHealth    = "waiting for the pods, then checking health"
)

// start runs work under a fresh context that esc or a new step cancels.
func (m *Model) start(what string) context.Context {
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(m.baseCtx)
	m.busy, m.cancel = what, cancel
	return ctx
}

func (m *Model) done() {
	m.busy = ""
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// enter shows a step afresh and starts finding out what is in place.
func (m *Model) enter(s Step) tea.Cmd {
	m.done()
	m.step = s
	m.gen++
	m.err = nil
	m.dropForm()
	svc, gen := m.svc, m.gen
	switch s {
	case StepPreflight:
		return m.runPreflight()
	case StepContext:
		ctx := m.start(busyContexts)
		return func() tea.Msg {
			cs, err := svc.Contexts(ctx)
			return contextsMsg{gen: gen, contexts: cs, err: err}
		}
	case StepNamespace:
		return m.namespaceForm()
	case StepSecrets:
		m.secret = nil
		ns := m.namespace
		ctx := m.start(busySecretRd)
		return func() tea.Msg {
			st, err := svc.SecretStatus(ctx, ns)
			return secretStatusMsg{gen: gen, status: st, err: err}
		}
	case StepImages:
		return m.loadImages()
	case StepReview:
		m.release = nil
		ns := m.namespace
		ctx := m.start(busyRelease)
		return func() tea.Msg {
			r, err := svc.Release(ctx, ns)
			return releaseMsg{gen: gen, release: r, err: err}
		}
	case StepInstall:
		return m.install()
	case StepHealth:
		m.health, m.healthDone = nil, false
		ns := m.namespace
		ctx := m.start(busyHealth)
		return func() tea.Msg {
			if err := svc.WaitReady(ctx, ns); err != nil {
				return healthMsg{gen: gen, err: err}
			}
			res, err := svc.CheckHealth(ctx, ns)
			return healthMsg{gen: gen, results: res, err: err}
		}
	}
	return nil
}

func (m *Model) runPreflight() tea.Cmd {
	svc, gen, ns := m.svc, m.gen, m.namespace
	ctx := m.start(busyPreflight)
	return func() tea.Msg {
		r, err := svc.Preflight(ctx, ns)
		return preflightMsg{gen: gen, report: r, err: err}
	}
}

func (m *Model) loadImages() tea.Cmd {
	svc, gen := m.svc, m.gen
	tags := make(map[string]string, len(m.tags))
	for k, v := range m.tags {
		tags[k] = v
	}
	ctx := m.start(busyImages)
	return func() tea.Msg {
		imgs, err := svc.Images(ctx, tags)
		return imagesMsg{gen: gen, images: imgs, err: err}
	}
}

func (m *Model) install() tea.Cmd {
	m.progress, m.pods, m.resources = nil, nil, nil
	svc, gen := m.svc, m.gen
	req := InstallRequest{Namespace: m.namespace, Confirmation: m.confirm, Tags: map[string]string{}}
	for k, v := range m.tags {
		req.Tags[k] = v
	}
	ctx := m.start(busyInstall)
	ch := make(chan Progress, 64)
	run := func() tea.Msg {
		r, err := svc.Install(ctx, req, ch)
		return installedMsg{gen: gen, release: r, err: err}
	}
	return tea.Batch(run, waitProgress(gen, ch))
}

// waitProgress reads one progress report and re-arms itself (the stream
// pattern); it stops when the install's result has arrived.
func waitProgress(gen int, ch <-chan Progress) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return progressMsg{gen: gen, p: p, ch: ch}
	}
}

func waitBuild(gen int, component string, ch <-chan BuildEvent, rest []Image) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			ev = BuildEvent{Done: true, Err: errors.New("the build ended without a result")}
		}
		return buildMsg{gen: gen, component: component, ev: ev, ch: ch, rest: rest}
	}
}

// result handles an async result. A result of an older run is dropped,
// except that a change esc waited for still closes the wizard.
func (m *Model) result(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case preflightMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err != nil {
			m.err = msg.err
		} else {
			r := msg.report
			m.preflight = &r
		}
		if m.opts.Refresh > 0 {
			gen := m.gen
			return tea.Tick(m.opts.Refresh, func(time.Time) tea.Msg { return refreshMsg{gen: gen} })
		}
	case contextsMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		m.contexts = msg.contexts
		return m.contextForm()
	case usedContextMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if m.closing {
			return m.close(false)
		}
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		m.context = msg.context
		m.note("using context " + msg.context.Name)
		return m.enter(StepNamespace)
	case namespaceMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err == nil {
			m.nsReady = true
			if msg.result.Created {
				m.note("namespace " + m.namespace + " created")
			} else {
				m.note("namespace " + m.namespace + " was there already")
			}
		}
		if m.closing {
			return m.close(false)
		}
		if msg.err != nil {
			m.err = msg.err
			return m.namespaceForm()
		}
		return m.enter(StepSecrets)
	case secretStatusMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		st := msg.status
		m.secret = &st
		if st.Complete() {
			return m.secretKeepForm()
		}
		return m.secretsForm()
	case secretAppliedMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		m.fv.secrets = SecretValues{} // the values are in the cluster now, or nowhere
		if msg.err == nil {
			st := SecretStatus{Exists: true}
			for _, e := range SecretEnvs {
				if contains(msg.result.Changed, e) || contains(msg.result.Kept, e) {
					st.Present = append(st.Present, e)
				}
			}
			for _, e := range RequiredSecretEnvs {
				if !st.Has(e) {
					st.Missing = append(st.Missing, e)
				}
			}
			m.secret = &st
			what := "updated"
			if msg.result.Created {
				what = "created"
			}
			line := fmt.Sprintf("Secret %s: %s set", what, strings.Join(st.Present, ", "))
			for _, w := range msg.result.Warnings {
				line += "; warning: " + w
			}
			m.note(line)
		}
		if m.closing {
			return m.close(false)
		}
		if msg.err != nil {
			m.err = msg.err
			return m.secretsForm()
		}
		return m.enter(StepImages)
	case imagesMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		m.images = msg.images
		for _, img := range msg.images {
			m.tags[img.Component] = img.Tag()
		}
		return m.imagesForm()
	case kitMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err != nil {
			m.err = msg.err
			return m.imagesForm()
		}
		m.kit = msg.files
		m.kitAsk, m.kitWrite = nil, nil
		var missing []string
		for _, f := range msg.files {
			switch f.State {
			case KitMissing:
				missing = append(missing, f.Path)
			case KitDiffers:
				m.kitAsk = append(m.kitAsk, f)
			}
		}
		if len(missing) > 0 {
			return m.kitMissingForm(missing)
		}
		return m.nextKitQuestion()
	case kitWrittenMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err == nil && len(msg.paths) > 0 {
			m.note("deployment kit written: " + strings.Join(msg.paths, ", "))
		}
		if m.closing {
			return m.close(false)
		}
		if msg.err != nil {
			m.err = msg.err
			return m.imagesForm()
		}
		return m.build()
	case buildMsg:
		if msg.gen != m.gen {
			return nil
		}
		if !msg.ev.Done {
			if line := strings.TrimRight(msg.ev.Line, "\r\n"); line != "" {
				m.buildOut = append(m.buildOut, msg.component+": "+line)
				if len(m.buildOut) > 200 {
					m.buildOut = m.buildOut[len(m.buildOut)-200:]
				}
			}
			return waitBuild(msg.gen, msg.component, msg.ch, msg.rest)
		}
		if msg.ev.Err != nil {
			m.done()
			if m.closing {
				return m.close(false)
			}
			m.err = fmt.Errorf("building the %s image: %w", msg.component, msg.ev.Err)
			return m.imagesForm()
		}
		m.note(fmt.Sprintf("%s image built in %s", msg.component, msg.ev.Duration.Round(time.Second)))
		if len(msg.rest) > 0 && !m.closing {
			return m.buildOne(msg.rest)
		}
		m.done()
		if m.closing {
			return m.close(false)
		}
		return m.loadImages()
	case releaseMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		r := msg.release
		m.release = &r
	case progressMsg:
		if msg.gen != m.gen {
			return nil
		}
		if msg.p.Message != "" {
			m.progress = append(m.progress, msg.p.Message)
		}
		if msg.p.Pods != nil {
			m.pods = msg.p.Pods
		}
		if msg.p.Resources != nil {
			m.resources = msg.p.Resources
		}
		return waitProgress(msg.gen, msg.ch)
	case installedMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		if msg.err == nil {
			r := msg.release
			m.release = &r
			m.note(fmt.Sprintf("release %s installed: revision %d %s", r.Name, r.Revision, r.State))
		}
		if m.closing {
			return m.close(false)
		}
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		return m.enter(StepHealth)
	case healthMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.done()
		m.healthDone = true
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		m.health = msg.results
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *Model) note(s string) { m.notes = append(m.notes, s) }

func (m *Model) build() tea.Cmd {
	var todo []Image
	for _, img := range m.images {
		todo = append(todo, img)
	}
	m.buildOut = nil
	if len(todo) == 0 {
		return m.loadImages()
	}
	m.start(busyBuild)
	return m.buildOne(todo)
}

// buildOne builds the first image of todo; the rest follow one by one.
func (m *Model) buildOne(todo []Image) tea.Cmd {
	ctx, gen := m.cancelCtx(), m.gen
	img := todo[0]
	ch := m.svc.BuildImage(ctx, m.fv.appDir, img.Component, img.Ref)
	return waitBuild(gen, img.Component, ch, todo[1:])
}

// cancelCtx is a context esc cancels, for the work running now.
func (m *Model) cancelCtx() context.Context {
	ctx, cancel := context.WithCancel(m.baseCtx)
	prev := m.cancel
	m.cancel = func() {
		cancel()
		if prev != nil {
			prev()
		}
	}
	return ctx
}

// close ends the wizard and says what is in place.
func (m *Model) close(finished bool) tea.Cmd {
	m.done()
	m.dropForm()
	c := ClosedMsg{Finished: finished, Context: m.context.Name}
	if c.Context == "" && m.preflight != nil {
		c.Context = m.preflight.Context
	}
	var inPlace []string
	if m.nsReady {
		c.Namespace = m.namespace
		inPlace = append(inPlace, "namespace "+m.namespace)
	}
	if m.secret != nil && m.secret.Complete() {
		c.SecretReady = true
		inPlace = append(inPlace, "the Secret")
	}
	if m.release != nil && m.release.Installed {
		c.Installed, c.Revision = true, m.release.Revision
		c.URL = m.svc.URL(m.namespace)
		inPlace = append(inPlace, fmt.Sprintf("release %s (revision %d)", m.release.Name, m.release.Revision))
	}
	if len(m.health) > 0 {
		c.Healthy = true
		for _, h := range m.health {
			c.Healthy = c.Healthy && h.Healthy()
		}
	}
	switch {
	case finished && c.Healthy && m.unpublished():
		c.Summary = "setup done: TaskMaster is healthy through a port-forward, but " + c.URL + " does not answer here"
	case finished && c.Healthy:
		c.Summary = "setup done: TaskMaster answers at " + c.URL
	case finished:
		c.Summary = "setup done, but the health check did not pass: press h to check again"
	case len(inPlace) == 0:
		c.Summary = "setup left: nothing was changed"
	default:
		c.Summary = "setup left; in place: " + strings.Join(inPlace, ", ")
	}
	return func() tea.Msg { return c }
}

// unpublished says the frontend's health check answered only through a
// port-forward: its URL does not answer on this machine (the cluster does
// not publish its Service there), so nobody is sent to it.
func (m *Model) unpublished() bool {
	for _, h := range m.health {
		if h.Component == "frontend" && h.PortForward {
			return true
		}
	}
	return false
}

// notPublished is why the URL does not answer, in words.
const notPublished = "does not answer: its Service is not published on this machine"

// ---- forms ----------------------------------------------------------------

func (m *Model) dropForm() {
	m.form, m.formID = nil, formNone
	m.fv.secrets = SecretValues{}
}

func (m *Model) setForm(id formKind, f *huh.Form) tea.Cmd {
	m.formGen++
	m.form, m.formID = f, id
	return wrapCmd(m.formGen, f.Init())
}

func (m *Model) updateForm(msg tea.Msg) tea.Cmd {
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	wrapped := wrapCmd(m.formGen, cmd)
	switch m.form.State {
	case huh.StateCompleted:
		id := m.formID
		m.form = nil
		m.formID = formNone
		return m.submitted(id)
	case huh.StateAborted:
		return m.leave()
	}
	return wrapped
}

func (m *Model) contextForm() tea.Cmd {
	var choices []choice
	for _, c := range m.contexts {
		label := c.Name + "  REMOTE"
		if c.Local {
			label = c.Name + "  LOCAL (recommended)"
		}
		if c.Current {
			label += "  · in use"
		}
		choices = append(choices, choice{label, c.Name})
	}
	if len(choices) == 0 {
		m.err = errors.New("the kubeconfig has no context: start a local cluster (Docker Desktop: Settings > Kubernetes > Enable), then press r")
		return nil
	}
	m.fv.choice = defaultContext(m.contexts)
	return m.setForm(formContext, newForm(m.styles, m.formWidth(), huh.NewGroup(
		selectField("Which cluster should TaskMaster go to?", "A local cluster is recommended: nothing there asks twice.", &m.fv.choice, choices),
	)))
}

// defaultContext is the one to propose: the context in use when it is
// local, else the first local one, else the one in use.
func defaultContext(contexts []Context) string {
	def := ""
	for _, c := range contexts {
		if c.Current && c.Local {
			return c.Name
		}
		if c.Local && def == "" {
			def = c.Name
		}
	}
	if def != "" {
		return def
	}
	for _, c := range contexts {
		if c.Current {
			return c.Name
		}
	}
	return ""
}

func (m *Model) findContext(name string) Context {
	for _, c := range m.contexts {
		if c.Name == name {
			return c
		}
	}
	return Context{Name: name}
}

func (m *Model) remoteForm() tea.Cmd {
	name := m.fv.choice
	m.fv.text = ""
	return m.setForm(formRemote, newForm(m.styles, m.formWidth(), huh.NewGroup(
		huh.NewInput().Title("REMOTE context: type its name to allow changes there").
			Description("Every change the wizard makes to "+name+" (namespace, Secret, release) needs this.").
			Value(&m.fv.text).
			Validate(func(s string) error {
				if strings.TrimSpace(s) != name {
					return fmt.Errorf("type %s exactly", name)
				}
				return nil
			}),
	)))
}

func (m *Model) namespaceForm() tea.Cmd {
	m.fv.text = m.namespace
	svc := m.svc
	return m.setForm(formNamespace, newForm(m.styles, m.formWidth(), huh.NewGroup(
		huh.NewInput().Title("Namespace").
			Description("Where TaskMaster lives; made if missing, left as it is if there.").
			Value(&m.fv.text).Validate(svc.ValidateNamespace),
	)))
}

func (m *Model) secretKeepForm() tea.Cmd {
	m.fv.choice = "keep"
	return m.setForm(formSecretKeep, newForm(m.styles, m.formWidth(), huh.NewGroup(
		selectField("The Secret is in place", "It holds "+strings.Join(m.secret.Present, ", ")+" (values not shown).", &m.fv.choice, []choice{
			{"keep it (recommended)", "keep"},
			{"replace some values", "replace"},
		}),
	)))
}

// secretValidator checks a field as huh submits it: empty is fine when the
// field is optional or the Secret keeps a value for it.
func (m *Model) secretValidator(env string) func(string) error {
	svc, st := m.svc, m.secret
	required := contains(RequiredSecretEnvs, env)
	return func(s string) error {
		if s == "" {
			if required && (st == nil || !st.Has(env)) {
				return errors.New(env + " is required")
			}
			return nil
		}
		_, err := svc.ValidateSecret(env, s)
		return err
	}
}

func (m *Model) secretsForm() tea.Cmd {
	m.fv.secrets = SecretValues{}
	m.fv.jwtChoice = jwtGenerate
	st := m.secret
	// Inline fields keep the form short; the live checks under it say what
	// each field needs.
	input := func(env, placeholder string, v *string) *huh.Input {
		if st != nil && st.Has(env) {
			placeholder = "empty keeps the cluster's value"
		}
		return huh.NewInput().Title(fmt.Sprintf("%-15s", env)).Inline(true).Placeholder(placeholder).
			EchoMode(huh.EchoModePassword).Value(v).Validate(m.secretValidator(env))
	}
	jwtChoices := []choice{{"generate a new one (recommended)", jwtGenerate}, {"type my own", jwtType}}
	if st != nil && st.Has(EnvJWTSecret) {
		jwtChoices = append([]choice{{"keep the one in the cluster", jwtKeep}}, jwtChoices...)
		m.fv.jwtChoice = jwtKeep
	}
	return m.setForm(formSecrets, newForm(m.styles, m.formWidth(),
		huh.NewGroup(
			input(EnvDatabaseURL, "postgresql://user:password@host:5432/db", &m.fv.secrets.DatabaseURL),
			input(EnvOpenAIKey, "sk-…", &m.fv.secrets.OpenAIAPIKey),
			input(EnvGeminiKey, "optional", &m.fv.secrets.GeminiAPIKey),
			selectField(EnvJWTSecret, "", &m.fv.jwtChoice, jwtChoices),
		),
		huh.NewGroup(
			input(EnvJWTSecret, "at least 32 characters", &m.fv.secrets.JWTSecret),
		).WithHideFunc(func() bool { return m.fv.jwtChoice != jwtType }),
	))
}

func (m *Model) imagesForm() tea.Cmd {
	all := len(m.images) > 0
	for _, img := range m.images {
		all = all && img.Present
	}
	m.fv.choice = "use"
	if !all {
		m.fv.choice = "build"
	}
	return m.setForm(formImages, newForm(m.styles, m.formWidth(), huh.NewGroup(
		selectField("Images", "", &m.fv.choice, []choice{
			{"use these images", "use"},
			{"build them now from the app's folder", "build"},
			{"choose other tags", "tags"},
		}),
	)))
}

// tagRe is what Docker accepts as a tag.
var tagRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

func (m *Model) tagsForm() tea.Cmd {
	m.fv.tags = map[string]*string{}
	var fields []huh.Field
	for _, img := range m.images {
		v := img.Tag()
		m.fv.tags[img.Component] = &v
		desc := "No other tag on this machine."
		if len(img.OtherTags) > 0 {
			desc = "On this machine: " + strings.Join(img.OtherTags, ", ")
		}
		fields = append(fields, huh.NewInput().Title(img.Repository()+" tag").Description(desc).Value(&v).
			Validate(func(s string) error {
				if !tagRe.MatchString(s) {
					return errors.New("a tag is letters, digits, '.', '_' and '-' (not first), at most 128")
				}
				return nil
			}))
	}
	return m.setForm(formTags, newForm(m.styles, m.formWidth(), huh.NewGroup(fields...)))
}

func (m *Model) appDirForm() tea.Cmd {
	if m.fv.appDir == "" {
		m.fv.appDir = m.opts.AppDir
	}
	return m.setForm(formAppDir, newForm(m.styles, m.formWidth(), huh.NewGroup(
		huh.NewInput().Title("The app's folder").
			Description("The TaskMaster repository, with backend/ and frontend/.").
			Value(&m.fv.appDir).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("name the folder")
				}
				return nil
			}),
	)))
}

func (m *Model) kitMissingForm(missing []string) tea.Cmd {
	m.fv.choice = "write"
	m.fv.tags = map[string]*string{"missing": ptr(strings.Join(missing, "\n"))}
	return m.setForm(formKitMissing, newForm(m.styles, m.formWidth(), huh.NewGroup(
		selectField("The app's folder lacks part of the deployment kit", "Missing: "+strings.Join(missing, ", "), &m.fv.choice, []choice{
			{"write them", "write"},
			{"do not write them", "skip"},
		}),
	)))
}

func ptr(s string) *string { return &s }

// nextKitQuestion asks about the next kit file that differs from the app's,
// showing the diff; when none is left it writes what was agreed to.
func (m *Model) nextKitQuestion() tea.Cmd {
	if len(m.kitAsk) == 0 {
		if len(m.kitWrite) == 0 {
			return m.build()
		}
		svc, gen, dir, paths := m.svc, m.gen, m.fv.appDir, append([]string(nil), m.kitWrite...)
		m.start(busyKit)
		return func() tea.Msg {
			return kitWrittenMsg{gen: gen, paths: paths, err: svc.WriteKit(dir, paths)}
		}
	}
	f := m.kitAsk[0]
	m.fv.choice = "keep"
	return m.setForm(formKitDiffers, newForm(m.styles, m.formWidth(), huh.NewGroup(
		selectField(f.Path+" differs from tmtui's", "The diff is shown above.", &m.fv.choice, []choice{
			{"keep mine", "keep"},
			{"overwrite it with tmtui's", "overwrite"},
		}),
	)))
}

// submitted acts on a completed form.
func (m *Model) submitted(id formKind) tea.Cmd {
	svc, gen := m.svc, m.gen
	switch id {
	case formContext:
		c := m.findContext(m.fv.choice)
		if !c.Local {
			return m.remoteForm()
		}
		m.confirm = ""
		return m.useContext(c)
	case formRemote:
		m.confirm = strings.TrimSpace(m.fv.text)
		return m.useContext(m.findContext(m.fv.choice))
	case formNamespace:
		m.namespace = strings.TrimSpace(m.fv.text)
		ns, confirm := m.namespace, m.confirm
		ctx := m.start(busyNamespace)
		return func() tea.Msg {
			r, err := svc.EnsureNamespace(ctx, ns, confirm)
			return namespaceMsg{gen: gen, result: r, err: err}
		}
	case formSecretKeep:
		if m.fv.choice == "keep" {
			m.note("Secret kept as it is")
			return m.enter(StepImages)
		}
		return m.secretsForm()
	case formSecrets:
		v := m.fv.secrets
		m.fv.secrets = SecretValues{}
		if m.fv.jwtChoice != jwtType {
			v.JWTSecret = ""
		}
		generate := m.fv.jwtChoice == jwtGenerate
		ns, confirm := m.namespace, m.confirm
		ctx := m.start(busySecret)
		return func() tea.Msg {
			if generate {
				s, err := svc.GenerateJWTSecret()
				if err != nil {
					return secretAppliedMsg{gen: gen, err: err}
				}
				v.JWTSecret = s
			}
			r, err := svc.ApplySecret(ctx, ns, v, confirm)
			return secretAppliedMsg{gen: gen, result: r, err: err}
		}
	case formImages:
		switch m.fv.choice {
		case "use":
			return m.enter(StepReview)
		case "tags":
			return m.tagsForm()
		case "build":
			return m.appDirForm()
		}
	case formTags:
		for comp, v := range m.fv.tags {
			m.tags[comp] = *v
		}
		return m.loadImages()
	case formAppDir:
		dir := strings.TrimSpace(m.fv.appDir)
		m.fv.appDir = dir
		m.start(busyKitRead)
		return func() tea.Msg {
			files, err := svc.KitFiles(dir)
			return kitMsg{gen: gen, files: files, err: err}
		}
	case formKitMissing:
		if m.fv.choice == "write" {
			for _, f := range m.kit {
				if f.State == KitMissing {
					m.kitWrite = append(m.kitWrite, f.Path)
				}
			}
		}
		return m.nextKitQuestion()
	case formKitDiffers:
		if m.fv.choice == "overwrite" {
			m.kitWrite = append(m.kitWrite, m.kitAsk[0].Path)
		}
		m.kitAsk = m.kitAsk[1:]
		return m.nextKitQuestion()
	}
	return nil
}

func (m *Model) useContext(c Context) tea.Cmd {
	if c.Current {
		m.context = c
		m.note("using context " + c.Name)
		return m.enter(StepNamespace)
	}
	svc, gen := m.svc, m.gen
	ctx := m.start(busyContext)
	return func() tea.Msg {
		used, err := svc.UseContext(ctx, c.Name)
		return usedContextMsg{gen: gen, context: used, err: err}
	}
}
