package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/dialog/wizard"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
)

// The setup wizard (internal/ui/dialog/wizard) fills the body while it is
// open and gets every key but ctrl+c. It opens by itself once per session
// when nothing of the app is there yet (no release, no pods), and on W.

// openWizard starts a wizard on the session's namespace.
func (m *Model) openWizard() tea.Cmd {
	if m.wizardSvc == nil || m.readOnly || m.wizard != nil {
		return nil
	}
	m.wizardShown = true
	m.wizard = wizard.New(wizard.Options{
		Service: m.wizardSvc, Namespace: m.info.Namespace, Release: m.release.Name(),
		AppDir: m.appDir, Context: m.sessionCtx, Refresh: m.wizardRefresh,
	})
	m.wizard.SetStyles(m.styles)
	m.wizard.SetSize(m.width, max(1, m.height-chrome))
	return m.wizard.Init()
}

// maybeOpenWizard opens the wizard by itself on a first start: the release
// is not installed and no pod of the app runs (a namespace where the app
// was deployed some other way is left alone).
func (m *Model) maybeOpenWizard() tea.Cmd {
	if m.wizardShown || m.wizardSvc == nil || m.readOnly {
		return nil
	}
	loaded, installed := m.release.State()
	snap := m.pods.Snapshot()
	// (The watch's first snapshot, "syncing", is empty before it listed.)
	if !loaded || installed || !m.pods.Received() || snap.Conn != pods.ConnLive || len(snap.Pods) > 0 {
		return nil
	}
	return m.openWizard()
}

// wizardKey routes a key to the open wizard. ctrl+c quits, and so does q
// where no form takes the keys (or the terminal is too small to show the
// wizard); while the wizard changes something (an install, say), they ask
// first, as for any work, and the quit then waits for Helm to undo it.
func (m Model) wizardKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	quit := msg.String() == "ctrl+c" ||
		(key.Matches(msg, m.keys.Quit) && (!m.wizard.TakesText() || m.cramped()))
	switch {
	case quit:
		return m.quit()
	case m.cramped():
		return m, nil // the wizard is not on screen
	}
	return m, m.wizard.Update(msg)
}

// wizardClosed shows what the wizard left in place and brings the panes in
// line with it: another context or namespace means a new session.
func (m Model) wizardClosed(msg wizard.ClosedMsg) (tea.Model, tea.Cmd) {
	m.wizard = nil
	if m.quitting && !m.working() {
		return m, tea.Quit
	}
	cmds := []tea.Cmd{m.setStatus(msg.Summary, nil, statusInfo)}
	switch {
	case (msg.Context != "" && msg.Context != m.info.Context) || (msg.Namespace != "" && msg.Namespace != m.info.Namespace):
		if m.connectTo != nil {
			m.connect = m.connectTo(msg.Context, msg.Namespace)
			next, cmd := m.reconnect()
			return next, tea.Batch(append(cmds, cmd)...)
		}
	case msg.Installed:
		cmds = append(cmds, m.release.Refresh())
	}
	if msg.Installed && msg.URL != "" {
		m.frontendURL = msg.URL
	}
	return m, tea.Batch(cmds...)
}
