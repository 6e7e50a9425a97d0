package uitest

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Driver runs a model's commands the way Bubble Tea's program does: each in
// a goroutine of its own, and every message one returns handed to Update in
// turn, none dropped. Settle, by contrast, leaves behind a command that has
// not answered within its wait, and its message is lost: on a loaded machine
// that can be a fake's answer that was merely late, and the test then sees a
// pane that never loaded. With a Driver, a command still running when one
// Settle ends (a timer, a stream with nothing to say yet, or a slow fake)
// delivers its message to a later Settle or Until.
type Driver struct {
	u    Updater
	msgs chan tea.Msg
}

// NewDriver returns a Driver that feeds u.
func NewDriver(u Updater) *Driver { return &Driver{u: u, msgs: make(chan tea.Msg)} }

// Start runs cmd in the background; its message, and the messages of the
// commands of any batch it returns, wait for Settle or Until.
func (d *Driver) Start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				d.Start(c)
			}
		default:
			d.msgs <- msg
		}
	}()
}

// Settle starts cmd and hands every message that arrives to Update (and
// starts the command Update returns), until none has arrived for quiet.
func (d *Driver) Settle(cmd tea.Cmd, quiet time.Duration) {
	d.Start(cmd)
	for {
		select {
		case msg := <-d.msgs:
			d.Start(d.u.Update(msg))
		case <-time.After(quiet):
			return
		}
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
			d.Start(d.u.Update(msg))
		case <-deadline:
			return done()
		}
	}
	return true
}
