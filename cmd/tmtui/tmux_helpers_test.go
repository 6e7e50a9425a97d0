package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"
)

// What a tmux test does between its keys: it waits for the screen (or the
// process) to show the key's effect, with a deadline, and fails saying
// what it waited for and what the screen showed. These add to waitFor,
// waitUntil and exitCode (e2e_test.go) what selecting and quitting need.

// list is one list on the screen whose rows a test selects. row matches one
// of its rows within a line: the first group is the marker ("›" on the
// selected row, a space on the others), the second the row's key.
type list struct {
	what string
	row  *regexp.Regexp
}

var (
	// podList is the Pods pane's table: a row per pod, keyed by its name.
	podList = list{"the Pods pane", regexp.MustCompile(`[│║](›| ) (taskmaster-[a-z]+-[a-z0-9]+-[a-z0-9]+) `)}
	// historyList is the Release pane's history, keyed by revision.
	historyList = list{"the Release pane's history", regexp.MustCompile(`[│║](›| ) +(\d+)  `)}
	// imageChoices is the wizard's Images step, keyed by the choice.
	imageChoices = list{"the wizard's Images step", regexp.MustCompile(`(›| ) (use these images|build them now from the app's folder|choose other tags)`)}
)

// rows reads the list off a screen: its keys in order, and the index of
// the selected one (-1 when none is).
func (l list) rows(screen string) (keys []string, selected int) {
	selected = -1
	for _, line := range strings.Split(screen, "\n") {
		for _, m := range l.row.FindAllStringSubmatch(line, -1) {
			if m[1] == "›" {
				selected = len(keys)
			}
			keys = append(keys, m[2])
		}
	}
	return keys, selected
}

// selectRow moves the selection of l (its pane focused) onto the first row
// that target accepts, and returns the screen that shows it selected. It
// sends one Up or Down at a time and waits for the screen to change before
// the next: a key sent before the last one landed would be counted against
// a list that is no longer on screen.
//
// The list can change under a key, too: right after an upgrade, the
// Release pane reads its history again and puts the new revision on top.
// A Down sent while [2 1] showed, with 2 selected, can land on [3 2 1] and
// select 2 again. So "changed" means the rows or the selection, and
// selectRow decides its next key from what the screen shows then.
func (m *tmuxTerm) selectRow(l list, what string, target func(key string) bool, limit time.Duration) string {
	m.t.Helper()
	deadline := time.Now().Add(limit)
	var sentOn []string // the rows the last key was sent on, until the screen changes
	sentAt := -1        // and the selection then
	for {
		s := m.screen()
		keys, sel := l.rows(s)
		if sel >= 0 && target(keys[sel]) {
			return s
		}
		if time.Now().After(deadline) {
			on := "no row"
			if sel >= 0 {
				on = fmt.Sprintf("%q", keys[sel])
			}
			m.t.Fatalf("%s not selected in %s within %s (the selection is on %s of %q):\n%s", what, l.what, limit, on, keys, s)
		}
		want := -1
		for i, k := range keys {
			if target(k) {
				want = i
				break
			}
		}
		switch {
		case sel < 0 || want < 0: // the list, or the row, not on screen yet
		case sentOn != nil && sel == sentAt && slices.Equal(keys, sentOn): // the last key not on screen yet
		default:
			sentOn, sentAt = keys, sel
			if want < sel {
				m.send("Up")
			} else {
				m.send("Down")
			}
		}
		time.Sleep(50 * time.Millisecond) // how often the screen is read
	}
}

// defaultOptionalSecrets answers the wizard's two optional secrets with
// their defaults: no GEMINI_API_KEY, and a newly generated JWT_SECRET_KEY.
func (m *tmuxTerm) defaultOptionalSecrets() {
	m.t.Helper()
	m.waitFor("┃ GEMINI_API_KEY", 10*time.Second)
	m.send("Enter") // none: it is optional
	m.waitFor("┃ JWT_SECRET_KEY", 10*time.Second)
	m.send("Enter") // generate a new one
}

// exited says whether the command in the window has ended.
func (m *tmuxTerm) exited() bool {
	data, err := os.ReadFile(m.exitFile)
	return err == nil && len(bytes.TrimSpace(data)) > 0
}

// quit presses q, answers yes when tmtui asks first (work still runs), and
// returns tmtui's exit status. Whether it asks is read off the screen, once
// the q has had its effect: the question shown, or tmtui gone.
func (m *tmuxTerm) quit(limit time.Duration) int {
	m.t.Helper()
	m.send("q")
	s := m.waitUntil(limit, "tmtui gone or asking to quit while work runs", func(s string) bool {
		return m.exited() || strings.Contains(s, "Quit while work runs?")
	})
	if !m.exited() && strings.Contains(s, "Quit while work runs?") {
		m.send("y")
	}
	return m.exitCode(limit)
}

// dialogGrace is how long a dialog that opened by itself ignores keys
// (internal/ui's dialogGrace): a key typed as it appears is no answer.
const dialogGrace = 400 * time.Millisecond

// answerUnasked answers a dialog that opened by itself with key, once its
// grace period is over, and waits until the dialog (its title) is gone.
// seen is when the dialog was first read on screen: the grace began before
// it was drawn, so it is over at seen+dialogGrace at the latest.
func (m *tmuxTerm) answerUnasked(seen time.Time, title, key string, limit time.Duration) string {
	m.t.Helper()
	time.Sleep(time.Until(seen.Add(dialogGrace)))
	m.send(key)
	return m.waitUntil(limit, fmt.Sprintf("screen without %q after %s", title, key), func(s string) bool {
		return !strings.Contains(s, title)
	})
}

// escapes is the screen with its colours and attributes as escape
// sequences: what a terminal would be sent to draw it again.
func (m *tmuxTerm) escapes() string {
	out, _ := exec.Command("tmux", "-L", m.socket, "capture-pane", "-p", "-e").Output()
	return string(out)
}
