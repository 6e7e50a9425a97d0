package wizard

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Glyphs go with every state, so that none reads by colour alone.
const (
	glyphOK      = "✓"
	glyphWarn    = "!"
	glyphFail    = "✗"
	glyphCurrent = "›"
	glyphTodo    = "·"
	glyphBusy    = "…"
)

// View renders the wizard in the size last set.
func (m *Model) View() string {
	s := m.styles
	inner := max(30, m.width-s.Dialog.GetHorizontalFrameSize())
	head := []string{
		s.DialogTitle.Render(fmt.Sprintf("Setup · step %d of %d: %s", int(m.step)+1, len(stepNames), m.step)),
		m.stepBar(inner),
		"",
	}
	body := split(m.body(inner))
	var tail []string
	if m.busy != "" {
		tail = append(tail, "", s.Spinner.Render(glyphBusy)+" "+m.busy+"…")
	}
	if m.closing {
		tail = append(tail, s.Warn.Render(glyphWarn+" leaving: waiting for the change under way to finish or be undone"))
	}
	if m.err != nil {
		tail = append(tail, "", s.Bad.Render(glyphFail+" "+oneLine(m.err.Error())))
	}
	var notes []string
	if n := len(m.notes); n > 0 {
		notes = append(notes, "")
		for _, note := range m.notes[max(0, n-3):] {
			notes = append(notes, s.Good.Render(glyphOK)+" "+note)
		}
	}
	help := s.Muted.Render(m.helpLine())

	// Keep within the height, the help line included: what was done gives
	// way first, then the end of the step's body.
	room := max(3, m.height-s.Dialog.GetVerticalFrameSize()-2)
	if len(head)+len(body)+len(tail)+len(notes) > room {
		notes = nil
	}
	if over := len(head) + len(body) + len(tail) - room; over > 0 {
		body = append(body[:max(0, len(body)-over-1)], s.Muted.Render("…"))
	}
	lines := append(append(append(head, body...), tail...), notes...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, inner, "…")
	}
	content := strings.Join(lines, "\n") + "\n\n" + help
	return s.Dialog.Width(min(m.width, inner+s.Dialog.GetHorizontalFrameSize())).Render(content)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// split makes sure every element is one line.
func split(lines []string) []string {
	return strings.Split(strings.Join(lines, "\n"), "\n")
}

// stepBar shows where the wizard is: every step's name when there is room,
// else only the current step's, the others by number. A glyph says which
// are done, so the bar reads without colour.
func (m *Model) stepBar(width int) string {
	if bar := m.stepBarNamed(func(int) bool { return true }); ansi.StringWidth(bar) <= width {
		return bar
	}
	return m.stepBarNamed(func(i int) bool { return Step(i) == m.step })
}

func (m *Model) stepBarNamed(named func(int) bool) string {
	s := m.styles
	parts := make([]string, len(stepNames))
	for i, name := range stepNames {
		if !named(i) {
			name = fmt.Sprint(i + 1)
		}
		switch {
		case Step(i) < m.step:
			parts[i] = s.Good.Render(glyphOK) + " " + name
		case Step(i) == m.step:
			parts[i] = s.Value.Render(glyphCurrent + " " + name)
		default:
			parts[i] = s.Muted.Render(glyphTodo + " " + name)
		}
	}
	return strings.Join(parts, "  ")
}

func (m *Model) helpLine() string {
	keys := []string{}
	switch {
	case m.closing:
		return "waiting…"
	case m.form != nil:
		keys = append(keys, "↑/↓ choose", "enter next", "shift+tab back a field")
	case m.busy != "":
	default:
		switch m.step {
		case StepPreflight:
			keys = append(keys, "enter continue", "r check again")
		case StepReview:
			keys = append(keys, "enter install", "b back")
			if m.release != nil && m.release.Installed && m.release.State == "deployed" {
				keys[0] = "enter continue"
			}
		case StepInstall:
			if m.err != nil {
				keys = append(keys, "enter try again")
			}
		case StepHealth:
			keys = append(keys, "enter finish", "r check again")
		default:
			keys = append(keys, "r run this step again", "b back")
		}
	}
	return strings.Join(append(keys, "esc leave"), " · ")
}

func (m *Model) body(width int) []string {
	s := m.styles
	var b []string
	switch m.step {
	case StepPreflight:
		if m.preflight == nil {
			return nil
		}
		for _, c := range m.preflight.Checks {
			b = append(b, m.checkLine(c))
			if c.Fix != "" && c.Status != CheckOK {
				b = append(b, "    "+s.Muted.Render("fix: "+c.Fix))
			}
		}
		if m.opts.Refresh > 0 {
			b = append(b, "", s.Muted.Render(fmt.Sprintf("Checked again every %s while shown.", m.opts.Refresh)))
		}
	case StepSecrets:
		if m.formID == formSecrets {
			b = append(b, s.Muted.Render("Typed values go only into the Secret in "+m.namespace+": never to disk, logs or Helm values."), "")
		}
		b = append(b, m.formView()...)
		if m.formID == formSecrets {
			b = append(b, "")
			b = append(b, m.secretChecks()...)
		}
	case StepImages:
		for _, img := range m.images {
			switch {
			case img.Err != "":
				b = append(b, s.Warn.Render(glyphWarn+" unknown ")+" "+img.Ref+"  "+s.Muted.Render(img.Err))
			case img.Present:
				b = append(b, s.Good.Render(glyphOK+" present")+" "+img.Ref)
			default:
				b = append(b, s.Bad.Render(glyphFail+" missing")+" "+img.Ref)
			}
		}
		if m.formID == formKitDiffers && len(m.kitAsk) > 0 {
			b = append(b, "", s.Label.Render("diff: yours (-) and tmtui's (+)"))
			diff := strings.Split(strings.TrimRight(m.kitAsk[0].Diff, "\n"), "\n")
			// The question under the diff must stay on screen.
			if most := max(3, m.height-19); len(diff) > most {
				diff = append(diff[:most], fmt.Sprintf("… %d more lines", len(diff)-most))
			}
			b = append(b, diff...)
		}
		if len(m.buildOut) > 0 {
			b = append(b, "", s.Label.Render("build output"))
			b = append(b, m.buildOut[max(0, len(m.buildOut)-6):]...)
		}
		if len(b) > 0 {
			b = append(b, "")
		}
		b = append(b, m.formView()...)
	case StepReview:
		b = append(b, m.review()...)
	case StepInstall:
		b = append(b, m.installView()...)
	case StepHealth:
		b = append(b, m.healthView()...)
	default:
		b = append(b, m.formView()...)
	}
	return b
}

func (m *Model) formView() []string {
	if m.form == nil {
		return nil
	}
	v := m.form.View()
	if m.noColor {
		// The inputs' blurred text keeps a colour of its own from bubbles;
		// plain means plain. The reverse-video cursor goes too, as the
		// input's prompt still shows where typing goes.
		v = ansi.Strip(v)
	}
	lines := strings.Split(v, "\n")
	// huh pads a group to the tallest group's height: drop the padding.
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func (m *Model) checkLine(c Check) string {
	s := m.styles
	var mark string
	switch c.Status {
	case CheckOK:
		mark = s.Good.Render(glyphOK + " ok  ")
	case CheckWarn:
		mark = s.Warn.Render(glyphWarn + " warn")
	default:
		mark = s.Bad.Render(glyphFail + " fail")
	}
	line := mark + " " + c.Name
	if c.Detail != "" {
		line += s.Muted.Render(": " + c.Detail)
	}
	return line
}

// secretChecks validates what is typed, as it is typed: a word and a glyph
// per field, never the value.
func (m *Model) secretChecks() []string {
	s := m.styles
	var out []string
	for _, env := range SecretEnvs {
		v := m.fv.secrets.Get(env)
		var line string
		switch {
		case env == EnvJWTSecret && m.fv.jwtChoice == jwtGenerate:
			line = s.Good.Render(glyphOK+" generate") + " " + env + s.Muted.Render(": a new random secret when written")
		case env == EnvJWTSecret && m.fv.jwtChoice == jwtKeep:
			line = s.Good.Render(glyphOK+" keep    ") + " " + env + s.Muted.Render(": the cluster's value")
		case v == "":
			switch {
			case m.secret != nil && m.secret.Has(env):
				line = s.Good.Render(glyphOK+" keep    ") + " " + env + s.Muted.Render(": empty keeps the cluster's value")
			case contains(RequiredSecretEnvs, env):
				line = s.Warn.Render(glyphTodo+" needed  ") + " " + env + s.Muted.Render(": required")
			default:
				line = s.Muted.Render(glyphTodo+" optional") + " " + env
			}
		default:
			warn, err := m.svc.ValidateSecret(env, v)
			switch {
			case err != nil:
				line = s.Bad.Render(glyphFail+" invalid ") + " " + s.Muted.Render(err.Error())
			case warn != "":
				line = s.Warn.Render(glyphWarn+" check   ") + " " + s.Muted.Render(warn)
			default:
				line = s.Good.Render(glyphOK+" valid   ") + " " + env + s.Muted.Render(fmt.Sprintf(" (%d characters)", len(v)))
			}
		}
		out = append(out, line)
	}
	return out
}

func (m *Model) review() []string {
	s := m.styles
	row := func(k, v string) string { return s.Label.Render(fmt.Sprintf("%-12s", k)) + " " + v }
	ctx := m.context.Name
	badge := s.LocalBadge.Render("LOCAL")
	if !m.context.Local {
		badge = s.RemoteBadge.Render("REMOTE")
	}
	out := []string{
		row("context", ctx+" "+badge),
		row("namespace", m.namespace),
		row("release", m.opts.Release),
	}
	for _, img := range m.images {
		state := s.Good.Render(glyphOK + " present")
		if !img.Present {
			state = s.Bad.Render(glyphFail + " missing")
		}
		out = append(out, row(img.Component, img.Ref+"  "+state))
	}
	secret := "not checked"
	if m.secret != nil {
		secret = strings.Join(m.secret.Present, ", ") + " (values not shown)"
		if len(m.secret.Missing) > 0 {
			secret += "; " + s.Bad.Render(glyphFail+" missing "+strings.Join(m.secret.Missing, ", "))
		}
	}
	out = append(out, row("secret", secret))
	out = append(out, "")
	switch {
	case m.release == nil:
	case m.release.Installed && m.release.State == "deployed":
		out = append(out, s.Good.Render(glyphOK)+fmt.Sprintf(" release %s is installed already (revision %d, deployed): the install is skipped.", m.opts.Release, m.release.Revision))
	case m.release.Installed:
		out = append(out, s.Warn.Render(glyphWarn)+fmt.Sprintf(" release %s is at revision %d, %s: installing replaces a failed release; a pending one must be recovered first.", m.opts.Release, m.release.Revision, m.release.State))
	default:
		out = append(out, "Press enter to install the release with these values.")
	}
	return out
}

func (m *Model) installView() []string {
	s := m.styles
	var out []string
	p := m.progress
	if len(p) > 6 {
		p = p[len(p)-6:]
	}
	out = append(out, p...)
	if len(m.resources) > 0 {
		out = append(out, "")
		for _, r := range m.resources {
			mark := s.Warn.Render(glyphTodo)
			if r.Ready {
				mark = s.Good.Render(glyphOK)
			}
			out = append(out, fmt.Sprintf("%s %-42s %s", mark, r.Kind+"/"+r.Name, r.State))
		}
	}
	if len(m.pods) > 0 {
		w := len("POD")
		for _, pod := range m.pods {
			w = max(w, len(pod.Name))
		}
		out = append(out, "", s.TableHeader.Render(fmt.Sprintf("%-*s %-9s %-9s %s", w, "POD", "COMPONENT", "PHASE", "READY")))
		for _, pod := range m.pods {
			ready := s.Warn.Render(glyphTodo + " not ready")
			if pod.Ready {
				ready = s.Good.Render(glyphOK + " ready")
			}
			line := fmt.Sprintf("%-*s %-9s %-9s ", w, pod.Name, pod.Component, pod.Phase) + ready
			if pod.Problem != "" {
				line += " " + s.Bad.Render(pod.Problem)
			}
			out = append(out, line)
		}
	}
	return out
}

func (m *Model) healthView() []string {
	s := m.styles
	var out []string
	for _, h := range m.health {
		line := ""
		if h.Healthy() {
			line = s.Good.Render(glyphOK+" healthy") + fmt.Sprintf(" %-9s %d in %s", h.Component, h.Status, h.Latency.Round(time.Millisecond))
		} else {
			why := h.Err
			if why == "" {
				why = fmt.Sprintf("status %d", h.Status)
			}
			line = s.Bad.Render(glyphFail+" failing") + fmt.Sprintf(" %-9s %s", h.Component, why)
		}
		out = append(out, line+s.Muted.Render("  "+h.URL))
	}
	if m.healthDone {
		open := s.Label.Render("Open TaskMaster at ") + s.Value.Render(m.svc.URL(m.namespace))
		if m.unpublished() {
			open = s.Warn.Render("TaskMaster is healthy through a port-forward, but") + "\n  " + m.svc.URL(m.namespace) + " " + notPublished
		}
		out = append(out, "",
			open,
			"",
			"What next:",
			"  · o opens it in the browser; h checks health again",
			"  · the Pods and Logs panes show what runs; in Pods, + and - scale",
		)
	}
	return out
}
