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

func after(d time.Duration, msg string) tea.Cmd {
	return func() tea.Msg { time.Sleep(d); return msg }
}

// A message that comes after one Settle has ended is handed to Update at
// the next one, not lost.
func TestDriverHandsALateMessageToTheNextSettle(t *testing.T) {
	c := &counter{}
	d := NewDriver(c)
	d.Settle(tea.Batch(func() tea.Msg { return "first" }, after(100*time.Millisecond, "late")), 10*time.Millisecond)
	if len(c.got) != 2 || c.got[0] != "first" || c.got[1] != "second" {
		t.Fatalf("after the first settle: %v, want [first second]", c.got)
	}
	if !d.Until(nil, func() bool { return len(c.got) == 3 }, 5*time.Second) || c.got[2] != "late" {
		t.Errorf("after waiting: %v, want the late message third", c.got)
	}
}

func TestDriverUntilSaysWhenTheStateNeverCame(t *testing.T) {
	c := &counter{}
	d := NewDriver(c)
	if d.Until(after(time.Hour, "never"), func() bool { return len(c.got) > 0 }, 50*time.Millisecond) {
		t.Error("Until reported a state that never came")
	}
}
