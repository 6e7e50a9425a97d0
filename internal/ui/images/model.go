// Package images is the Images pane: TaskMaster's two images with their
// tag, size, budget verdict and change since the previous tag; building
// the selected image from a folder the user names, with the output in the
// Logs pane and the time against the build budget here; removing a tag.
// When the Docker engine cannot be reached the pane says so, retries on
// its own, and the rest of tmtui works.
package images

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// Service is what the pane needs from Docker; cmd/tmtui adapts the engine
// (internal/docker) to it. A Service that is also a Builder, a Remover or
// a FolderMemory offers those workflows; the keys of the others are hidden.
type Service interface {
	// ListImages returns one entry per repository tmtui manages, in order:
	// its newest image, or Present false when it has none. An error
	// wrapping ErrUnreachable means the engine did not answer.
	ListImages(ctx context.Context) ([]Image, error)
}

// Builder builds an image. The channel carries the output line by line,
// then one event with the result, then closes; ending ctx stops the build.
// An error means the build could not start at all.
type Builder interface {
	Build(ctx context.Context, req BuildRequest) (<-chan BuildEvent, error)
}

// Remover removes one tag (repository:tag), and the image with it when no
// other tag holds it.
type Remover interface {
	Remove(ctx context.Context, ref string) error
}

// FolderMemory keeps the folder each repository was last built from, in
// the user's config file, so the next build's prompt offers it.
type FolderMemory interface {
	RememberFolder(repository, folder string) error
}

// BuildRequest says what to build: Folder holds the Dockerfile and is the
// build context; the result is tagged Repository:Tag.
type BuildRequest struct {
	Repository, Tag, Folder string
}

// Ref is the image reference the build makes.
func (r BuildRequest) Ref() string { return r.Repository + ":" + r.Tag }

// BuildEvent is a line of a build's output or, last, its Result.
type BuildEvent struct {
	Line   string
	Result *BuildResult
}

// BuildResult is how a build ended.
type BuildResult struct {
	Duration time.Duration
	Budget   time.Duration // how long it may take; BuildBudget when zero
	Err      error
}

// BuildBudget is how long one build may take (the project's five minutes).
const BuildBudget = 5 * time.Minute

// RetryEvery is how often the pane asks an unreachable engine again.
const RetryEvery = 5 * time.Second

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
	// Folder is the folder the repository was last built from, as the
	// config file remembers it; "" when it was never built with tmtui.
	Folder string
}

// Ref is the image's repository:tag.
func (i Image) Ref() string { return i.Repository + ":" + i.Tag }

// Options configure the pane.
type Options struct {
	Keys     common.Overrides
	ReadOnly bool
	// Now is the clock for a build's elapsed time and the suggested tag;
	// nil means time.Now. Tests fix it.
	Now func() time.Time
}

// prompt asks which folder to build from, and the tag to give the image.
type prompt struct {
	repo   string
	folder common.Input
	tag    common.Input
	onTag  bool   // the tag field has focus
	hint   string // why enter did not build, e.g. no folder named
}

// build is the pane's one build: running, or the last one's result.
type build struct {
	id      int
	req     BuildRequest
	started time.Time
	running bool
	cancel  context.CancelFunc
	result  *BuildResult
}

// Model is the Images pane.
type Model struct {
	route    common.Route
	ctx      context.Context
	svc      Service
	keys     keyMap
	readOnly bool
	now      func() time.Time
	styles   styles.Styles
	width    int
	height   int

	loaded   bool
	err      error
	images   []Image
	cursor   int
	retrying bool // a retry of an unreachable engine is scheduled

	prompt  *prompt
	build   *build
	builds  int               // builds asked for, to tell their messages apart
	folders map[string]string // folders named this session, by repository
}

// New returns the pane, idle until Start.
func New(o Options) *Model {
	m := &Model{
		route:    common.Route{Pane: common.ImagesPane},
		keys:     newKeyMap(o.Keys, o.ReadOnly),
		readOnly: o.ReadOnly,
		now:      o.Now,
		styles:   styles.Plain(),
		folders:  map[string]string{},
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.syncKeys()
	return m
}

// Start lists the images; the Docker engine does not depend on the cluster,
// but a session restart also refreshes them. A build of the old session
// ends with it (its context is the session's).
func (m *Model) Start(ctx context.Context, gen int, svc Service) tea.Cmd {
	m.route.Gen, m.ctx, m.svc = gen, ctx, svc
	m.loaded, m.err, m.retrying = false, nil, false
	m.prompt = nil
	if m.build != nil && m.build.running {
		m.build.cancel()
		m.build = nil
	}
	m.syncKeys()
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
func (m *Model) Images() []Image           { return m.images }
func (m *Model) Cursor() int               { return m.cursor }

// Capturing is true while the build prompt takes typed text.
func (m *Model) Capturing() bool { return m.prompt != nil }

// Building reports whether a build runs.
func (m *Model) Building() bool { return m.build != nil && m.build.running }

// Busy names the running build, for the root's "quit while work runs?"
// question; "" when none runs. The guard's task for a build ends once it
// has started, so the root cannot see the build among its tasks.
func (m *Model) Busy() string {
	if !m.Building() {
		return ""
	}
	return "build of " + m.build.req.Ref()
}

// Loaded is true once the first list of images (or the error that came
// instead) has arrived.
func (m *Model) Loaded() bool { return m.loaded }

// Unreachable is true when the engine did not answer (or none is set up).
func (m *Model) Unreachable() bool { return m.svc == nil || errors.Is(m.err, ErrUnreachable) }

func (m *Model) selected() (Image, bool) {
	if m.cursor < 0 || m.cursor >= len(m.images) {
		return Image{}, false
	}
	return m.images[m.cursor], true
}

// syncKeys shows the keys that do something now and hides the rest.
func (m *Model) syncKeys() {
	_, canBuild := m.svc.(Builder)
	_, canRemove := m.svc.(Remover)
	img, ok := m.selected()
	ready := m.loaded && m.err == nil && ok
	m.keys.Build.SetEnabled(!m.readOnly && canBuild && ready && !m.Building())
	m.keys.Remove.SetEnabled(!m.readOnly && canRemove && ready && img.Present)
	m.keys.Cancel.SetEnabled(m.Building())
}

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	defer m.syncKeys()
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.prompt != nil {
			return m.promptKey(msg)
		}
		return m.handleKey(msg)
	case listedMsg:
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			m.images = msg.images
		}
		m.cursor = min(m.cursor, max(0, len(m.images)-1))
		if m.Unreachable() && !m.retrying {
			m.retrying = true
			return retryCmd(m.route)
		}
	case retryMsg:
		m.retrying = false
		if m.Unreachable() {
			return m.load()
		}
	case buildStartedMsg:
		return m.buildStarted(msg)
	case buildTickMsg:
		if m.build != nil && m.build.id == msg.id && m.build.running {
			return tickCmd(m.route, msg.id)
		}
	case buildDoneMsg:
		return m.buildDone(msg)
	case removedMsg:
		return m.load()
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = min(max(0, len(m.images)-1), m.cursor+1)
	case key.Matches(msg, k.Refresh):
		return m.load()
	case key.Matches(msg, k.Build):
		img, _ := m.selected()
		folder := m.folders[img.Repository]
		if folder == "" {
			folder = img.Folder
		}
		m.prompt = &prompt{repo: img.Repository, folder: common.Input{Value: folder}, tag: common.Input{Value: SuggestTag(m.now())}}
	case key.Matches(msg, k.Remove):
		img, _ := m.selected()
		return common.Request(m.route, removeAction(m.route, m.svc.(Remover), img.Ref()))
	case key.Matches(msg, k.Cancel):
		m.build.cancel()
	}
	return nil
}

// SuggestTag is the tag a build offers: the time, so that tags sort in the
// order they were built and never collide ("dev-20261125-1702").
func SuggestTag(t time.Time) string { return "dev-" + t.UTC().Format("20060102-1504") }

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	switch msg.String() {
	case "esc":
		m.prompt = nil
		return nil
	case "tab", "shift+tab":
		p.onTag = !p.onTag
		return nil
	case "enter":
		return m.submit()
	}
	field := &p.folder
	if p.onTag {
		field = &p.tag
	}
	field.Key(msg.Keystroke(), msg.Text)
	p.hint = ""
	return nil
}

// submit hands the build to the root's guard; the prompt stays open with a
// hint when something is missing.
func (m *Model) submit() tea.Cmd {
	p := m.prompt
	folder, tag := strings.TrimSpace(p.folder.Value), strings.TrimSpace(p.tag.Value)
	switch {
	case folder == "":
		p.hint = "name the folder that holds the Dockerfile"
		p.onTag = false
		return nil
	case !validTag(tag):
		p.hint = "a tag is letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')"
		p.onTag = true
		return nil
	}
	m.prompt = nil
	m.folders[p.repo] = folder
	m.builds++
	req := BuildRequest{Repository: p.repo, Tag: tag, Folder: folder}
	b, _ := m.svc.(Builder)
	mem, _ := m.svc.(FolderMemory)
	return common.Request(m.route, buildAction(m.ctx, m.route, m.builds, b, mem, req, m.now))
}

// validTag follows Docker's rule for a tag.
func validTag(t string) bool {
	if t == "" || len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func (m *Model) buildStarted(msg buildStartedMsg) tea.Cmd {
	if m.Building() && msg.err == nil {
		// Asked for twice before the first started: one build at a time.
		msg.cancel()
		return common.Status("a build of " + m.build.req.Ref() + " is running; " + msg.req.Ref() + " was not built")
	}
	if msg.err != nil {
		m.build = &build{id: msg.id, req: msg.req, started: msg.started, result: &BuildResult{Budget: BuildBudget, Err: msg.err}}
		return nil
	}
	m.build = &build{id: msg.id, req: msg.req, started: msg.started, running: true, cancel: msg.cancel}
	source := "build " + Short(msg.req.Repository)
	logs := common.Route{Pane: common.LogsPane, Gen: m.route.Gen}
	first := common.BuildOutputMsg{
		Route: logs, Build: msg.id, Source: source, Status: "building",
		Lines: []string{fmt.Sprintf("building %s from %s", msg.req.Ref(), msg.req.Folder)},
		Next:  readCmd(m.route, logs, msg.id, source, msg.req, msg.events),
	}
	return tea.Batch(func() tea.Msg { return first }, tickCmd(m.route, msg.id))
}

func (m *Model) buildDone(msg buildDoneMsg) tea.Cmd {
	if m.build == nil || m.build.id != msg.id {
		return nil
	}
	m.build.running = false
	m.build.cancel()
	res := msg.result
	if res.Budget <= 0 {
		res.Budget = BuildBudget
	}
	m.build.result = &res
	status := "built in " + Clock(res.Duration)
	if res.Err != nil {
		status = "failed after " + Clock(res.Duration)
	}
	last := common.BuildOutputMsg{
		Route: common.Route{Pane: common.LogsPane, Gen: m.route.Gen}, Build: msg.id,
		Source: "build " + Short(m.build.req.Repository), Status: status,
		Lines: []string{resultLine(m.build.req, res)},
	}
	return tea.Batch(func() tea.Msg { return last }, m.load())
}

// Short is a repository without the project's prefix: "backend".
func Short(repository string) string {
	return strings.TrimPrefix(repository, "taskmaster-")
}

// Clock renders a duration as minutes and seconds: "0:42", "5:00".
func Clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
