// Package logs is the Logs pane: the selected pod's log, or every pod of the
// release merged with a per-pod tag; follow, filter as you type, wrap,
// timestamps, the previous container, and saving the buffer to a file.
package logs

import (
	"context"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Service is what the pane needs from the cluster; cmd/tmtui adapts the
// engine (internal/k8s) to it.
type Service interface {
	// StreamLogs follows the logs q asks for. The channel closes when ctx
	// ends or, for a previous container, once its log is read.
	StreamLogs(ctx context.Context, q Query) (<-chan Batch, error)
}

// Query says whose logs to read.
type Query struct {
	Pod      string // one pod; "" means every pod of the release
	Previous bool   // the previous (crashed) container's log, of Pod
}

// Line is one line a container wrote, or a notice about the stream (a pod
// joined or left) when Notice is set.
type Line struct {
	Pod, Container string
	Time           time.Time
	Text           string
	Notice         bool
	// Source tags a line that is not a pod's, such as an image build's
	// output ("build backend").
	Source string
}

// Batch is what arrived within a short while.
type Batch struct {
	Lines []Line
}

// DefaultCapacity is how many lines the pane keeps.
const DefaultCapacity = 10_000

// Options configure the pane.
type Options struct {
	Keys     common.Overrides
	ReadOnly bool
	Capacity int    // lines kept; 0 means DefaultCapacity
	SaveDir  string // where s writes the buffer; "" means the working directory
	Now      func() time.Time
}

// Model is the Logs pane.
type Model struct {
	route  common.Route
	ctx    context.Context
	svc    Service
	cancel context.CancelFunc // ends the current stream
	stream int                // the current stream; older streams' batches are dropped

	keys    keyMap
	styles  styles.Styles
	now     func() time.Time
	saveDir string

	width, height int

	buf     *ring    // the buffer shown: pods' or builds'
	pods    *ring    // what the pod stream brought
	builds  *ring    // the last image build's output
	matches []uint64 // seqs of lines that pass the filter; nil when there is no filter
	err     error
	ended   bool // the stream closed

	pod        string // the pod opened from the Pods pane; "" for none
	allPods    bool
	previous   bool
	follow     bool
	wrap       bool
	timestamps bool
	filtering  bool // typing a filter
	filter     common.Input
	anchor     uint64 // when not following: seq of the last line shown

	showBuild   bool   // the build output is shown instead of the pods' logs
	build       int    // the build whose output builds holds; 0 for none
	buildSource string // its tag, "build backend"
	buildStatus string // "building", "built in 0:42", ...
}

// New returns the pane, idle until Start.
func New(o Options) *Model {
	c := o.Capacity
	if c <= 0 {
		c = DefaultCapacity
	}
	m := &Model{
		route:   common.Route{Pane: common.LogsPane},
		keys:    newKeyMap(o.Keys, o.ReadOnly),
		styles:  styles.Plain(),
		now:     o.Now,
		saveDir: o.SaveDir,
		pods:    newRing(c),
		builds:  newRing(c),
		follow:  true,
		allPods: true,
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.buf = m.pods
	return m
}

// Start begins a session on all pods of the release.
func (m *Model) Start(ctx context.Context, gen int, svc Service) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.route.Gen, m.ctx, m.svc = gen, ctx, svc
	m.pod, m.allPods, m.previous, m.follow = "", true, false, true
	return m.restart()
}

// ShowPod switches the pane to one pod's log.
func (m *Model) ShowPod(pod string) tea.Cmd {
	m.pod, m.allPods, m.previous, m.follow = pod, false, false, true
	return m.restart()
}

// restart drops what is shown and opens the stream the settings ask for.
func (m *Model) restart() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.stream++
	m.pods.reset()
	m.show(false)
	m.err, m.ended = nil, false
	if m.svc == nil || m.ctx == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancel = cancel
	return streamCmd(ctx, m.route, m.stream, m.svc, m.Query())
}

// Query is what the pane currently streams.
func (m *Model) Query() Query {
	if m.allPods || m.pod == "" {
		return Query{}
	}
	return Query{Pod: m.pod, Previous: m.previous}
}

func (m *Model) Init() tea.Cmd             { return nil }
func (m *Model) SetSize(w, h int)          { m.width, m.height = w, h }
func (m *Model) SetStyles(s styles.Styles) { m.styles = s }
func (m *Model) Capturing() bool           { return m.filtering }

// Following, Wrap, Timestamps, Filter and Len report the pane's settings.
func (m *Model) Following() bool    { return m.follow }
func (m *Model) Wrapping() bool     { return m.wrap }
func (m *Model) Timestamps() bool   { return m.timestamps }
func (m *Model) FilterText() string { return m.filter.Value }
func (m *Model) Len() int           { return m.buf.len() }

// Visible is how many lines pass the filter.
func (m *Model) Visible() int {
	if m.matches == nil {
		return m.buf.len()
	}
	return len(m.matches)
}

// Update handles keys (when focused) and the pane's routed messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case streamStartedMsg:
		if msg.stream != m.stream {
			return nil
		}
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		return waitCmd(m.route, msg.stream, msg.ch)
	case batchMsg:
		if msg.stream != m.stream {
			return nil
		}
		m.Append(msg.batch.Lines)
		return waitCmd(m.route, msg.stream, msg.ch)
	case streamClosedMsg:
		if msg.stream == m.stream {
			m.ended = true
		}
	case savedMsg:
		return nil
	case common.BuildOutputMsg:
		return m.buildOutput(msg)
	}
	return nil
}

// show switches between the pods' logs and the build output, following
// the newest line.
func (m *Model) show(build bool) {
	switched := build != m.showBuild
	m.showBuild = build
	m.buf = m.pods
	if build {
		m.buf = m.builds
	}
	if switched {
		m.follow = true
		m.anchor = m.buf.first
	}
	m.setFilter(m.filter.Value)
	m.keys.Build.SetEnabled(m.build != 0)
}

// ShowingBuild reports whether the build output is shown.
func (m *Model) ShowingBuild() bool { return m.showBuild }

// buildOutput takes a build's lines: a new build replaces the last one's
// output and is shown at once, wherever the pane was.
func (m *Model) buildOutput(msg common.BuildOutputMsg) tea.Cmd {
	if msg.Build != m.build {
		m.build, m.buildSource = msg.Build, msg.Source
		m.builds.reset()
		m.show(true)
	}
	if msg.Status != "" {
		m.buildStatus = msg.Status
	}
	t := m.now()
	lines := make([]Line, len(msg.Lines))
	for i, text := range msg.Lines {
		lines[i] = Line{Source: msg.Source, Time: t, Text: text}
	}
	m.appendTo(m.builds, lines)
	return msg.Next
}

// Append adds lines of the pod stream, keeping the filter's matches in step.
func (m *Model) Append(lines []Line) { m.appendTo(m.pods, lines) }

func (m *Model) appendTo(r *ring, lines []Line) {
	if r != m.buf {
		for _, l := range lines {
			r.push(l)
		}
		return
	}
	f := strings.ToLower(m.filter.Value)
	for _, l := range lines {
		seq := m.buf.next()
		m.buf.push(l)
		if m.matches != nil && matches(l, f) {
			m.matches = append(m.matches, seq)
		}
	}
	if m.matches != nil {
		i := sort.Search(len(m.matches), func(i int) bool { return m.matches[i] >= m.buf.first })
		m.matches = m.matches[i:]
	}
	if m.anchor < m.buf.first {
		m.anchor = m.buf.first
	}
}

func matches(l Line, lowerFilter string) bool {
	return lowerFilter == "" || strings.Contains(strings.ToLower(l.Text), lowerFilter) ||
		strings.Contains(strings.ToLower(l.Pod), lowerFilter) || strings.Contains(strings.ToLower(l.Source), lowerFilter)
}

// setFilter recomputes the matches: on a change of the filter only, never
// per frame.
func (m *Model) setFilter(v string) {
	m.filter.Value = v
	if v == "" {
		m.matches = nil
		return
	}
	f := strings.ToLower(v)
	m.matches = m.matches[:0]
	if m.matches == nil {
		m.matches = []uint64{}
	}
	for s := m.buf.first; s < m.buf.next(); s++ {
		if matches(m.buf.at(s), f) {
			m.matches = append(m.matches, s)
		}
	}
}
