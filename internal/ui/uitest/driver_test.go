package uitest

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

type counter struct{ got []string }

func (c *counter) Update(msg tea.Msg) tea.Cmd {
	if s, ok := msg.(string); ok {
		c.got = append(c.got, s)
		if s == "first" {
			return func() tea.Msg { return "second" }
		}
	}
	return nil
}

// A message that comes after the state waited for is handed to Update at
// the next wait, not lost; Idle waits for it, and for what it leads to.
func TestDriverHandsALateMessageToTheNextWait(t *testing.T) {
	c := &counter{}
	d := NewDriver(c)
	release := make(chan struct{})
	late := func() tea.Msg { <-release; return "late" }
	if !d.Until(tea.Batch(func() tea.Msg { return "first" }, late), func() bool { return len(c.got) == 2 }, time.Minute) {
		t.Fatalf("first and second never came: %v", c.got)
	}
	if c.got[0] != "first" || c.got[1] != "second" || d.Running() != 1 {
		t.Fatalf("got %v with %d commands running, want [first second] and the late one running", c.got, d.Running())
	}
	close(release)
	if !d.Idle(nil, time.Minute) || len(c.got) != 3 || c.got[2] != "late" {
		t.Errorf("after the late command answered: %v (%d running), want the late message third", c.got, d.Running())
	}
}

func TestDriverUntilSaysWhenTheStateNeverCame(t *testing.T) {
	c := &counter{}
	d := NewDriver(c)
	never := make(chan struct{})
	defer close(never)
	if d.Until(func() tea.Msg { <-never; return "never" }, func() bool { return len(c.got) > 0 }, 50*time.Millisecond) {
		t.Error("Until reported a state that never came")
	}
	if d.Idle(nil, 50*time.Millisecond) {
		t.Error("Idle reported every command answered while one runs")
	}
}
