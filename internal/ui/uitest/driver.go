package uitest

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Driver runs a model's commands the way Bubble Tea's program does: each in
// a goroutine of its own, and every message one returns handed to Update in
// turn, none dropped, however late it comes. Tests wait with it for a
// state (Until) or for every command to have answered (Idle), never for a
// quiet moment: on a loaded machine a fake's answer can come after any
// quiet moment, and the test would then see a pane that never loaded.
//
// Start, Until and Idle are called from the test's goroutine only.
type Driver struct {
	u    Updater
	msgs chan tea.Msg
	// running counts the commands started whose message has not been
	// handled yet.
	running int
}

// NewDriver returns a Driver that feeds u.
func NewDriver(u Updater) *Driver { return &Driver{u: u, msgs: make(chan tea.Msg)} }

// Start runs cmd in the background; its message, and the messages of the
// commands of any batch it returns, wait for Until or Idle.
func (d *Driver) Start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.running++
	go func() { d.msgs <- cmd() }()
}

// Running says how many commands have not answered yet.
func (d *Driver) Running() int { return d.running }

func (d *Driver) handle(msg tea.Msg) {
	d.running--
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.Start(c)
		}
	default:
		d.Start(d.u.Update(msg))
	}
}

// Until starts cmd and hands messages to Update until done reports true,
// and says whether it did before max passed. It does not depend on how
// fast the machine is: it waits for the state, not for a quiet moment.
func (d *Driver) Until(cmd tea.Cmd, done func() bool, max time.Duration) bool {
	d.Start(cmd)
	deadline := time.After(max)
	for !done() {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			return done()
		}
	}
	return true
}

// Idle starts cmd and hands messages to Update until every command started
// has answered and its message has been handled, and says whether that
// happened before max passed. Use it where every command ends by itself
// (fakes that answer at once, timers that stop); a stream left open or a
// timer that re-arms forever keeps it waiting, and Until with the state
// meant is the wait there.
func (d *Driver) Idle(cmd tea.Cmd, max time.Duration) bool {
	return d.Until(cmd, func() bool { return d.running == 0 }, max)
}
