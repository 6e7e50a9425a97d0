package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog"
)

// Components are the chart's two workloads, in the order forms show them.
var Components = []string{"backend", "frontend"}

// Settings are what an install or upgrade form starts from: the values in
// force (or the chart's defaults when nothing is installed).
type Settings struct {
	Tags     map[string]string            // component -> image tag
	Replicas map[string]int               // component -> replica count
	Config   map[string]map[string]string // component -> plain settings (the ConfigMap)
	// MinReplicas and MaxReplicas are what the chart allows.
	MinReplicas, MaxReplicas int
}

// Change is what the user asked an install or upgrade to set; a missing
// entry keeps its value.
type Change struct {
	Tags     map[string]string
	Replicas map[string]int
	Config   map[string]map[string]string
}

// Plan is a change worked out but not made, to show before asking.
type Plan struct {
	Op        string // "upgrade" or "rollback"
	From      int    // the revision running now
	To        int    // the revision a rollback goes back to
	Objects   []dialog.DiffObject
	Unchanged int
	Notes     []string
	// Token is the engine's own plan, handed back to Apply.
	Token any
}

// Progress is one report from a running operation.
type Progress struct {
	Step    string // start, apply, wait, rollback, done
	Message string
	Pods    []PodProgress
}

// PodProgress is one pod as the operation last saw it.
type PodProgress struct {
	Name    string
	Ready   bool
	Phase   string
	Problem string // why it is not ready: "CrashLoopBackOff (container backend)"
	Deleted bool
}

// Stuck is a release whose last operation never finished.
type Stuck struct {
	Revision int
	State    string
	Since    time.Time
	Plan     string // what recovery does: "roll back to revision 2"
}

// Operator is what the pane needs to change the release; the engine
// (internal/helm) does each, and every one reports progress on events
// without blocking, never after it returns.
type Operator interface {
	Current(ctx context.Context) (Settings, error)
	Install(ctx context.Context, c Change, events chan<- Progress) (string, error)
	PlanUpgrade(ctx context.Context, c Change) (Plan, error)
	PlanRollback(ctx context.Context, revision int) (Plan, error)
	Apply(ctx context.Context, p Plan, events chan<- Progress) (string, error)
	Uninstall(ctx context.Context, events chan<- Progress) (string, error)
	Test(ctx context.Context, events chan<- Progress) (string, error)
	Stuck(ctx context.Context) (*Stuck, error)
	Recover(ctx context.Context, events chan<- Progress) (string, error)
}

// opTimeout bounds an operation: the engine's own limit (five minutes,
// after which Helm undoes it) and a margin for the undoing.
const opTimeout = 7 * time.Minute

// op is the operation the pane shows: running, or the last one's result.
type op struct {
	title    string
	running  bool
	progress Progress
	result   string
	err      error
}

type progressMsg struct{ p Progress }

type opDoneMsg struct {
	common.Route
	title   string
	success string
	err     error
}

func (m opDoneMsg) Outcome() (string, error) { return m.success, m.err }

type currentMsg struct {
	common.Route
	install  bool
	settings Settings
	err      error
}

type planMsg struct {
	common.Route
	plan Plan
	err  error
}

type stuckMsg struct {
	common.Route
	stuck   *Stuck
	err     error
	unasked bool // looked up by itself after a load, not on a key
}

// operator is the session's Operator, nil when the service cannot change
// the release (or in read-only mode, where no key offers it).
func (m *Model) operator() Operator {
	op, _ := m.svc.(Operator)
	return op
}

// action wraps an engine call into a guarded action that reports progress
// to this pane and ends with an opDoneMsg.
func (m *Model) action(title string, ask bool, typed string, body string, call func(ctx context.Context, events chan<- Progress) (string, error)) common.Action {
	ch := make(chan tea.Msg, 64)
	r := m.route
	return common.Action{
		Title: title, Ask: ask, Type: typed, Body: body, Timeout: m.timeout, Progress: ch,
		Run: func(ctx context.Context, _ string) tea.Msg {
			events := make(chan Progress, 16)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for p := range events {
					select {
					case ch <- progressMsg{p}:
					default: // progress is advisory; the result is not
					}
				}
			}()
			// ch is taken as the start signal by the pane, so the
			// first thing it shows is the title.
			select {
			case ch <- progressMsg{Progress{Step: "start", Message: title}}:
			default:
			}
			success, err := call(ctx, events)
			close(events)
			<-done
			return opDoneMsg{Route: r, title: title, success: success, err: err}
		},
	}
}

// startInstall reads the chart's defaults, then opens the install form.
func (m *Model) startInstall() tea.Cmd {
	if m.status.Installed {
		return common.Status(m.status.Name + " is installed already: u upgrades it")
	}
	return currentCmd(m.ctx, m.route, m.operator(), true)
}

func (m *Model) startUpgrade() tea.Cmd {
	if !m.status.Installed {
		return common.Status(orRelease(m.name) + " is not installed: i installs it")
	}
	return currentCmd(m.ctx, m.route, m.operator(), false)
}

func (m *Model) startRollback() tea.Cmd {
	if !m.status.Installed || len(m.history) == 0 {
		return common.Status(orRelease(m.name) + " is not installed: there is nothing to roll back")
	}
	rev := m.history[m.cursor].Number
	if rev == m.status.Revision {
		return common.Status(fmt.Sprintf("revision %d is the one running: pick an older one with ↑/↓, then press %s", rev, m.keys.Rollback.Help().Key))
	}
	return tea.Batch(common.Status(fmt.Sprintf("… working out the rollback to revision %d", rev)),
		planRollbackCmd(m.ctx, m.route, m.operator(), rev))
}

func (m *Model) startUninstall() tea.Cmd {
	if !m.status.Installed {
		return common.Status(orRelease(m.name) + " is not installed")
	}
	name, svc := m.status.Name, m.operator()
	return common.Request(m.route, m.action("uninstall release "+name, false, name,
		"Every object of the release goes, its pods too; the namespace, its Secret and the images stay.", svc.Uninstall))
}

func (m *Model) startTest() tea.Cmd {
	if !m.status.Installed {
		return common.Status(orRelease(m.name) + " is not installed: there is nothing to test")
	}
	return common.Request(m.route, m.action("helm test "+m.status.Name, false, "", "", m.operator().Test))
}

func (m *Model) startRecover(unasked bool) tea.Cmd {
	return stuckCmd(m.ctx, m.route, m.operator(), unasked)
}

// form is the install or upgrade form, filled with s.
func (m *Model) form(install bool, s Settings) *dialog.Form {
	title, verb := "Upgrade "+m.status.Name, "upgrade"
	if install {
		title, verb = "Install "+m.name, "install"
	}
	lo, hi := max(1, s.MinReplicas), s.MaxReplicas
	if hi < lo {
		hi = max(lo, 3)
	}
	var fields []dialog.Field
	for _, c := range Components {
		fields = append(fields, dialog.Field{Label: c + " image tag", Value: s.Tags[c], Check: checkTag,
			Hint: "the tag of the image to run, e.g. 1.2.0"})
	}
	for _, c := range Components {
		fields = append(fields, dialog.Field{Label: c + " replicas", Value: strconv.Itoa(s.Replicas[c]),
			Check: checkReplicas(lo, hi), Hint: fmt.Sprintf("%d to %d", lo, hi)})
	}
	for _, c := range Components {
		fields = append(fields, dialog.Field{Label: c + " settings", Value: formatConfig(s.Config[c]), Check: checkConfig,
			Hint: "plain settings: KEY=value, separated by commas (secrets go in the Secret, never here)"})
	}
	r, op := m.route, m.operator()
	ctx := m.ctx
	submit := func(v []string) tea.Cmd {
		c := Change{Tags: map[string]string{}, Replicas: map[string]int{}, Config: map[string]map[string]string{}}
		for i, comp := range Components {
			if v[i] != s.Tags[comp] {
				c.Tags[comp] = v[i]
			}
			n, _ := strconv.Atoi(v[len(Components)+i])
			if n != s.Replicas[comp] || install {
				c.Replicas[comp] = n
			}
			cfg, _ := parseConfig(v[2*len(Components)+i])
			if formatConfig(cfg) != formatConfig(s.Config[comp]) {
				c.Config[comp] = cfg
			}
		}
		if install {
			a := m.action("install release "+m.name, false, "", "", func(ctx context.Context, ev chan<- Progress) (string, error) {
				return op.Install(ctx, c, ev)
			})
			return common.Request(r, a)
		}
		return tea.Batch(common.Status("… working out the "+verb), planUpgradeCmd(ctx, r, op, c))
	}
	intro := "Change what you need; the rest keeps its value. Next you see what changes in the cluster, and confirm."
	if install {
		intro = "The chart's defaults are filled in. The Secret with DATABASE_URL and the API keys must exist (the setup wizard makes it)."
	}
	return &dialog.Form{Title: title, Intro: intro, Fields: fields, Submit: submit}
}

// diff is the dialog that shows a plan and applies it on yes.
func (m *Model) diff(p Plan) *dialog.Diff {
	title := fmt.Sprintf("Upgrade %s (revision %d)", m.status.Name, p.From)
	summary := fmt.Sprintf("From revision %d to a new revision %d.", p.From, m.lastRevision()+1)
	actionTitle := "upgrade release " + m.status.Name
	if p.Op == "rollback" {
		title = fmt.Sprintf("Roll back %s to revision %d", m.status.Name, p.To)
		summary = fmt.Sprintf("From revision %d back to the content of revision %d, as a new revision %d.", p.From, p.To, m.lastRevision()+1)
		actionTitle = fmt.Sprintf("roll back release %s to revision %d", m.status.Name, p.To)
	}
	op := m.operator()
	a := m.action(actionTitle, false, "", "", func(ctx context.Context, ev chan<- Progress) (string, error) {
		return op.Apply(ctx, p, ev)
	})
	return &dialog.Diff{Title: title, Summary: summary, Notes: p.Notes, Objects: p.Objects, Unchanged: p.Unchanged,
		Apply: common.Request(m.route, a)}
}

func (m *Model) lastRevision() int {
	n := m.status.Revision
	for _, h := range m.history {
		n = max(n, h.Number)
	}
	return n
}

// handleOpMsg takes the messages of the pane's workflows.
func (m *Model) handleOpMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case progressMsg:
		if msg.p.Step == "start" {
			m.op = &op{title: msg.p.Message, running: true}
			return nil, true
		}
		if m.op == nil {
			m.op = &op{running: true}
		}
		if msg.p.Pods == nil {
			msg.p.Pods = m.op.progress.Pods // keep the last pods seen
		}
		m.op.progress = msg.p
		return nil, true
	case opDoneMsg:
		if m.op == nil {
			m.op = &op{title: msg.title}
		}
		m.op.running, m.op.result, m.op.err = false, msg.success, msg.err
		return m.load(), true
	case currentMsg:
		if msg.err != nil {
			return common.StatusErr(fmt.Errorf("cannot read the release's values: %w", msg.err)), true
		}
		return common.OpenDialog(m.route, m.form(msg.install, msg.settings)), true
	case planMsg:
		if msg.err != nil {
			return common.StatusErr(msg.err), true
		}
		return common.OpenDialog(m.route, m.diff(msg.plan)), true
	case stuckMsg:
		switch {
		case msg.err != nil:
			return common.StatusErr(fmt.Errorf("cannot tell whether the release is stuck: %w", msg.err)), true
		case msg.stuck == nil && msg.unasked:
			return nil, true
		case msg.stuck == nil:
			return common.Status(orRelease(m.name) + " is not stuck: nothing to recover"), true
		}
		s := msg.stuck
		body := fmt.Sprintf("Revision %d has been %s for %s: an operation that never finished (tmtui or helm was stopped mid-way, or it still runs elsewhere). Recovery will %s.",
			s.Revision, s.State, common.Age(m.now().Sub(s.Since)), s.Plan)
		a := m.action("recover release "+m.name+": "+s.Plan, true, "", body, m.operator().Recover)
		a.Unasked = msg.unasked
		return common.Request(m.route, a), true
	}
	return nil, false
}

func currentCmd(ctx context.Context, r common.Route, op Operator, install bool) tea.Cmd {
	return func() tea.Msg {
		s, err := op.Current(ctx)
		return currentMsg{Route: r, install: install, settings: s, err: err}
	}
}

func planUpgradeCmd(ctx context.Context, r common.Route, op Operator, c Change) tea.Cmd {
	return func() tea.Msg {
		p, err := op.PlanUpgrade(ctx, c)
		return planMsg{Route: r, plan: p, err: err}
	}
}

func planRollbackCmd(ctx context.Context, r common.Route, op Operator, rev int) tea.Cmd {
	return func() tea.Msg {
		p, err := op.PlanRollback(ctx, rev)
		return planMsg{Route: r, plan: p, err: err}
	}
}

func stuckCmd(ctx context.Context, r common.Route, op Operator, unasked bool) tea.Cmd {
	return func() tea.Msg {
		s, err := op.Stuck(ctx)
		return stuckMsg{Route: r, stuck: s, err: err, unasked: unasked}
	}
}

// checkTag accepts what Docker accepts as a tag.
func checkTag(s string) error {
	switch {
	case s == "":
		return errors.New("a tag is needed, e.g. 1.2.0 or latest")
	case len(s) > 128:
		return errors.New("a tag has at most 128 characters")
	}
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || i > 0 && (r == '.' || r == '-')
		if !ok {
			return fmt.Errorf("%q cannot be in a tag: use letters, digits, _ . and - (not first)", string(r))
		}
	}
	return nil
}

func checkReplicas(lo, hi int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

func checkConfig(s string) error { _, err := parseConfig(s); return err }

// parseConfig reads "KEY=value, OTHER=x".
func parseConfig(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=value", part)
		}
		for _, r := range k {
			if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				return nil, fmt.Errorf("%q is not a setting name: letters, digits and _", k)
			}
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}

func formatConfig(c map[string]string) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + c[k]
	}
	return strings.Join(parts, ", ")
}
