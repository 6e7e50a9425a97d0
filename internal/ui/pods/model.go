// Package pods is the Pods pane: the release's pods from live snapshots,
// scaling, rollout restart, deleting a pod, a pod's details and the way to
// its logs.
package pods

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Service is what the pane needs from the cluster. cmd/tmtui adapts the
// engine (internal/k8s) to it; tests pass a fake.
type Service interface {
	// WatchPods follows the release's pods and deployments. The channel
	// carries the latest state whenever it changes and closes when ctx ends.
	WatchPods(ctx context.Context) (<-chan Snapshot, error)
	// confirmation is what the user typed to approve a change on a REMOTE
	// context ("" on a local one); the engine checks it again.
	ScaleDeployment(ctx context.Context, deployment string, replicas int32, confirmation string) error
	RestartDeployment(ctx context.Context, deployment string, confirmation string) error
	DeletePod(ctx context.Context, pod string, confirmation string) error
}

// Scaler is a capability a Service may declare. One that implements it and
// answers false cannot scale in this session (what scales has not been set
// up): the pane hides + and - rather than offering keys that would fail. A
// Service without it can scale.
type Scaler interface {
	CanScale() bool
}

// canScale says whether svc offers scaling.
func canScale(svc Service) bool {
	s, ok := svc.(Scaler)
	return !ok || s.CanScale()
}

// Conn says whether the watch is in touch with the API server.
type Conn string

const (
	ConnSyncing      Conn = "syncing"
	ConnLive         Conn = "live"
	ConnReconnecting Conn = "reconnecting"
)

// Snapshot is the release's pods and deployments at one moment.
type Snapshot struct {
	Conn    Conn
	ConnErr string // while reconnecting: why, in one line
	Problem string // a watch error that is not a lost connection, e.g. "pods is forbidden"

	Pods        []Pod
	Deployments []Deployment
}

// Pod is one pod as the pane shows it.
type Pod struct {
	Name      string
	Component string // backend or frontend
	Status    string // as kubectl shows it: Running, CrashLoopBackOff, Init:0/1…
	Ready     bool
	// ReadyContainers of Containers, as kubectl's READY column "1/1".
	ReadyContainers, Containers int
	Restarts                    int32
	Created                     time.Time
	Node                        string
	Terminating                 bool
	// Reason is set when something is wrong (a waiting reason such as
	// CrashLoopBackOff); Message is the cluster's words, Hint what to do.
	Reason, Message, Hint string
	Conditions            []Condition
	Warnings              []Warning // newest first
}

// Condition is one of a pod's conditions (Ready, PodScheduled, …).
type Condition struct {
	Type    string
	Status  string // True, False, Unknown
	Reason  string
	Message string
}

// Warning is a recent warning event about a pod.
type Warning struct {
	Reason  string
	Message string
	Count   int32
	Last    time.Time
}

// Deployment is one of the release's deployments.
type Deployment struct {
	Name      string
	Component string
	Desired   int32
	Ready     int32
	Updated   int32
	Rollout   string // one line, e.g. "2 of 3 updated"; empty when complete
	// Warning is the newest warning event of the deployment or its
	// ReplicaSets ("FailedCreate: pods ... is forbidden"), "" when none.
	Warning string
}

// Options configure the pane.
type Options struct {
	Keys     common.Overrides
	ReadOnly bool
	// MinReplicas and MaxReplicas bound + and -; 0 means 1 and 3.
	MinReplicas, MaxReplicas int32
	Now                      func() time.Time // nil: time.Now
}

// Model is the Pods pane.
type Model struct {
	route common.Route
	ctx   context.Context
	svc   Service

	keys     keyMap
	baseKeys keyMap // as Options made them; the session's service may hide some
	// noRelease: the Helm release is not installed (or not yet known to
	// be), so there is nothing to scale.
	noRelease bool
	styles    styles.Styles
	now       func() time.Time
	min       int32
	max       int32

	width, height int

	snap     Snapshot
	received bool  // a first snapshot arrived
	err      error // the watch could not start

	cursor  int    // index into snap.Pods
	offset  int    // first row shown
	details bool   // showing the selected pod's details
	scroll  int    // first line of the details shown
	selName string // the selected pod, kept across snapshots once the user chose it
	// chosen says the user moved the selection. Until then it follows the
	// first row: the watch's first snapshots can hold only some of the pods
	// (a slow start shows the frontend before the backend), and a selection
	// kept on whichever pod came first is one nobody made, which a key like
	// + would then act on.
	chosen bool
}

// New returns the pane, idle until Start.
func New(o Options) *Model {
	keys := newKeyMap(o.Keys, o.ReadOnly)
	m := &Model{
		route:    common.Route{Pane: common.PodsPane},
		keys:     keys,
		baseKeys: keys,
		styles:   styles.Plain(),
		now:      o.Now,
		min:      o.MinReplicas,
		max:      o.MaxReplicas,
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.min <= 0 {
		m.min = 1
	}
	if m.max <= 0 {
		m.max = 3
	}
	return m
}

// Start begins a session: forgets what the last one showed and starts the
// watch. ctx ends with the session; gen marks its results.
func (m *Model) Start(ctx context.Context, gen int, svc Service) tea.Cmd {
	*m = Model{
		route: common.Route{Pane: common.PodsPane, Gen: gen}, ctx: ctx, svc: svc,
		keys: m.baseKeys, baseKeys: m.baseKeys, styles: m.styles, now: m.now, min: m.min, max: m.max,
		width: m.width, height: m.height,
	}
	if svc == nil {
		return nil
	}
	m.syncScaleKeys()
	return watchCmd(ctx, m.route, svc)
}

// SetReleaseInstalled tells the pane whether the Helm release is
// installed. Scaling is a Helm upgrade, so + and - show only when it is.
func (m *Model) SetReleaseInstalled(installed bool) {
	m.noRelease = !installed
	m.syncScaleKeys()
}

func (m *Model) syncScaleKeys() {
	on := m.svc != nil && canScale(m.svc) && !m.noRelease
	m.keys.ScaleUp.SetEnabled(on && m.baseKeys.ScaleUp.Enabled())
	m.keys.ScaleDown.SetEnabled(on && m.baseKeys.ScaleDown.Enabled())
}

func (m *Model) Init() tea.Cmd                   { return nil }
func (m *Model) SetSize(w, h int)                { m.width, m.height = w, h }
func (m *Model) SetStyles(s styles.Styles)       { m.styles = s }
func (m *Model) Capturing() bool                 { return false }
func (m *Model) Snapshot() Snapshot              { return m.snap }
func (m *Model) Reconnecting() bool              { return m.snap.Conn == ConnReconnecting }
func (m *Model) Details() bool                   { return m.details }
func (m *Model) Bounds() (lowest, highest int32) { return m.min, m.max }

// Selected returns the selected pod.
func (m *Model) Selected() (Pod, bool) {
	if m.cursor < 0 || m.cursor >= len(m.snap.Pods) {
		return Pod{}, false
	}
	return m.snap.Pods[m.cursor], true
}

// DeploymentOf returns the deployment a pod belongs to.
func (s Snapshot) DeploymentOf(p Pod) (Deployment, bool) {
	for _, d := range s.Deployments {
		if d.Component == p.Component {
			return d, true
		}
	}
	return Deployment{}, false
}

// Update handles keys (when focused) and the pane's routed messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case watchStartedMsg:
		if msg.err != nil {
			m.err = msg.err
			return common.StatusErr(msg.err)
		}
		return waitCmd(m.route, msg.ch)
	case snapshotMsg:
		m.setSnapshot(msg.snap)
		return waitCmd(m.route, msg.ch)
	case watchClosedMsg:
		return nil
	case actionDoneMsg:
		return nil // the status line reports it; the watch shows the effect
	}
	return nil
}

func (m *Model) setSnapshot(s Snapshot) {
	m.snap, m.received = s, true
	m.cursor = 0
	found := false
	for i, p := range s.Pods {
		if m.chosen && p.Name == m.selName {
			m.cursor, found = i, true
			break
		}
	}
	// The pod the user chose is gone: what is selected now is the first row,
	// which they did not choose either.
	m.chosen = found
	if p, ok := m.Selected(); ok {
		m.selName = p.Name
	} else {
		m.details = false
	}
	m.clampOffset()
}

func (m *Model) move(delta int) {
	if len(m.snap.Pods) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+delta, 0), len(m.snap.Pods)-1)
	m.selName = m.snap.Pods[m.cursor].Name
	m.chosen = true
	m.clampOffset()
}

// tableRows is how many pod rows fit under the deployments line and the
// column headers.
func (m *Model) tableRows() int { return max(1, m.height-2) }

func (m *Model) clampOffset() {
	rows := m.tableRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, min(m.offset, max(0, len(m.snap.Pods)-rows)))
}

// Received says whether the first list of pods has come.
func (m *Model) Received() bool { return m.received }
