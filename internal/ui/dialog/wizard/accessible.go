package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/x/term"

	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
)

// RunAccessible runs the same steps as plain line prompts, for screen
// readers and ACCESSIBLE=1: huh's accessible mode, one question per line,
// choices by number, no Bubble Tea and no redrawing. Call it instead of the
// TUI's wizard. Secret fields are read without echo when in is a terminal;
// from a pipe nothing is echoed anyway. It returns what is in place, as the
// TUI's wizard does; an error ends it early (the input ended, or a step
// failed), and what is in place is still returned.
func RunAccessible(ctx context.Context, o Options, in io.Reader, out io.Writer) (ClosedMsg, error) {
	a := &accessible{m: New(o), ctx: ctx, out: out, in: newLineReader(in)}
	a.m.SetStyles(styles.Plain())
	err := a.run()
	closed := a.m.close(err == nil)().(ClosedMsg)
	fmt.Fprintln(out, closed.Summary)
	return closed, err
}

// accessible reuses the Model's state, so that the summary of what is in
// place is the TUI's; its steps call the service directly, in order.
type accessible struct {
	m   *Model
	ctx context.Context
	out io.Writer
	in  io.Reader
}

var errInputEnded = errors.New("the input ended before the setup was done")

// lineReader hands out one line per Read, so that each of huh's prompts
// (each with its own scanner) reads only its own line of a pipe.
type lineReader struct{ r *bufio.Reader }

func (l lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
		if b == '\n' {
			break
		}
	}
	return n, nil
}

// ttyLineReader keeps the terminal's descriptor, for reading secrets
// without echo.
type ttyLineReader struct {
	lineReader
	fd uintptr
}

func (t ttyLineReader) Fd() uintptr { return t.fd }

func newLineReader(in io.Reader) io.Reader {
	lr := lineReader{bufio.NewReader(in)}
	if f, ok := in.(interface{ Fd() uintptr }); ok && term.IsTerminal(f.Fd()) {
		return ttyLineReader{lr, f.Fd()}
	}
	return lr
}

func (a *accessible) isTTY() bool {
	_, ok := a.in.(ttyLineReader)
	return ok
}

func (a *accessible) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

// ask runs one field as a one-field form in accessible mode, then checks
// the answer again: on a pipe's end huh takes the default unchecked.
func (a *accessible) ask(f huh.Field, check func() error) error {
	form := huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(a.in).WithOutput(a.out).
		WithTheme(huhTheme(styles.Plain())).WithShowHelp(false)
	if err := form.RunWithContext(a.ctx); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return fmt.Errorf("%w: %v", errInputEnded, err)
		}
	}
	return a.ctx.Err()
}

func (a *accessible) choose(title string, value *string, choices []choice) error {
	return a.ask(selectField(title, "", value, choices), nil)
}

func (a *accessible) step(s Step) {
	a.m.step = s
	a.say("\nStep %d of %d: %s", int(s)+1, len(stepNames), s)
}

func (a *accessible) run() error {
	m, svc := a.m, a.m.svc

	a.step(StepPreflight)
	pf, err := svc.Preflight(a.ctx, m.namespace)
	if err != nil {
		return err
	}
	m.preflight = &pf
	for _, c := range pf.Checks {
		line := fmt.Sprintf("  %s: %s", strings.ToUpper(string(c.Status)), c.Name)
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		a.say("%s", line)
		if c.Fix != "" && c.Status != CheckOK {
			a.say("    fix: %s", c.Fix)
		}
		if c.ID == "cluster" && c.Status == CheckFail {
			return errors.New("the cluster does not answer: fix that first, then run the setup again")
		}
	}

	a.step(StepContext)
	contexts, err := svc.Contexts(a.ctx)
	if err != nil {
		return err
	}
	m.contexts = contexts
	if len(contexts) == 0 {
		return errors.New("the kubeconfig has no context: start a local cluster (Docker Desktop: Settings > Kubernetes > Enable)")
	}
	m.fv.choice = defaultContext(contexts)
	var choices []choice
	for _, c := range contexts {
		label := c.Name + " REMOTE"
		if c.Local {
			label = c.Name + " LOCAL (recommended)"
		}
		if c.Current {
			label += ", in use"
		}
		choices = append(choices, choice{label, c.Name})
	}
	if err := a.choose("Which cluster should TaskMaster go to?", &m.fv.choice, choices); err != nil {
		return err
	}
	chosen := m.findContext(m.fv.choice)
	if !chosen.Local {
		var typed string
		check := func(s string) error {
			if strings.TrimSpace(s) != chosen.Name {
				return fmt.Errorf("type %s exactly", chosen.Name)
			}
			return nil
		}
		if err := a.ask(huh.NewInput().Title("REMOTE context: type its name to allow changes there:").Value(&typed).Validate(check),
			func() error { return check(typed) }); err != nil {
			return err
		}
		m.confirm = strings.TrimSpace(typed)
	}
	if !chosen.Current {
		if chosen, err = svc.UseContext(a.ctx, chosen.Name); err != nil {
			return err
		}
	}
	m.context = chosen
	a.say("Using context %s.", chosen.Name)

	a.step(StepNamespace)
	ns := m.namespace
	orDefault := func(s string) error { // a bare enter takes the default
		if s == "" {
			return nil
		}
		return svc.ValidateNamespace(s)
	}
	if err := a.ask(huh.NewInput().Title(fmt.Sprintf("Namespace (enter keeps %s):", ns)).Value(&ns).Validate(orDefault),
		func() error { return svc.ValidateNamespace(ns) }); err != nil {
		return err
	}
	m.namespace = strings.TrimSpace(ns)
	res, err := svc.EnsureNamespace(a.ctx, m.namespace, m.confirm)
	if err != nil {
		return err
	}
	m.nsReady = true
	if res.Created {
		a.say("Namespace %s created.", m.namespace)
	} else {
		a.say("Namespace %s was there already.", m.namespace)
	}

	a.step(StepSecrets)
	if err := a.secrets(); err != nil {
		return err
	}

	a.step(StepImages)
	if err := a.images(); err != nil {
		return err
	}

	a.step(StepReview)
	rel, err := svc.Release(a.ctx, m.namespace)
	if err != nil {
		return err
	}
	m.release = &rel
	for _, line := range m.review() {
		a.say("  %s", line)
	}
	if !(rel.Installed && rel.State == "deployed") {
		next := "install"
		if err := a.choose("Install now?", &next, []choice{{"install now", "install"}, {"leave the setup", "leave"}}); err != nil {
			return err
		}
		if next != "install" {
			return errors.New("left before the install")
		}
		a.step(StepInstall)
		if err := a.install(); err != nil {
			return err
		}
	}

	a.step(StepHealth)
	a.say("Waiting for the pods, then checking health…")
	if err := svc.WaitReady(a.ctx, m.namespace); err != nil {
		return err
	}
	health, err := svc.CheckHealth(a.ctx, m.namespace)
	if err != nil {
		return err
	}
	m.health, m.healthDone = health, true
	for _, h := range health {
		if h.Healthy() {
			a.say("  healthy: %s answered %d in %s at %s", h.Component, h.Status, h.Latency.Round(time.Millisecond), h.URL)
		} else {
			why := h.Err
			if why == "" {
				why = fmt.Sprintf("status %d", h.Status)
			}
			a.say("  FAILING: %s at %s: %s", h.Component, h.URL, why)
		}
	}
	if m.unpublished() {
		a.say("TaskMaster is healthy through a port-forward, but %s %s", svc.URL(m.namespace), notPublished)
	} else {
		a.say("Open TaskMaster at %s", svc.URL(m.namespace))
	}
	a.say("Next: run tmtui to watch the pods and logs, scale, upgrade and roll back.")
	return nil
}

func (a *accessible) secrets() error {
	m, svc := a.m, a.m.svc
	st, err := svc.SecretStatus(a.ctx, m.namespace)
	if err != nil {
		return err
	}
	m.secret = &st
	if st.Complete() {
		keep := "keep"
		if err := a.choose("The Secret is in place with "+strings.Join(st.Present, ", ")+" (values not shown).", &keep,
			[]choice{{"keep it (recommended)", "keep"}, {"replace some values", "replace"}}); err != nil {
			return err
		}
		if keep == "keep" {
			a.say("Secret kept as it is.")
			return nil
		}
	}
	a.say("Typed values go only into the Secret in %s: never to disk, logs or Helm values.", m.namespace)
	mode := huh.EchoModeNormal // a pipe echoes nothing
	if a.isTTY() {
		mode = huh.EchoModePassword
	}
	var v SecretValues
	field := func(env string, dst *string) error {
		hint := ""
		switch {
		case st.Has(env):
			hint = " (enter keeps the cluster's value)"
		case !contains(RequiredSecretEnvs, env):
			hint = " (optional: enter skips it)"
		}
		check := m.secretValidator(env)
		return a.ask(huh.NewInput().Title(env+hint+":").EchoMode(mode).Value(dst).Validate(check), func() error { return check(*dst) })
	}
	for _, f := range []struct {
		env string
		dst *string
	}{{EnvDatabaseURL, &v.DatabaseURL}, {EnvOpenAIKey, &v.OpenAIAPIKey}, {EnvGeminiKey, &v.GeminiAPIKey}} {
		if err := field(f.env, f.dst); err != nil {
			return err
		}
	}
	jwt := jwtGenerate
	choices := []choice{{"generate a new one (recommended)", jwtGenerate}, {"type my own", jwtType}}
	if st.Has(EnvJWTSecret) {
		jwt = jwtKeep
		choices = append([]choice{{"keep the one in the cluster", jwtKeep}}, choices...)
	}
	if err := a.choose(EnvJWTSecret+":", &jwt, choices); err != nil {
		return err
	}
	switch jwt {
	case jwtType:
		if err := field(EnvJWTSecret, &v.JWTSecret); err != nil {
			return err
		}
	case jwtGenerate:
		s, err := svc.GenerateJWTSecret()
		if err != nil {
			return err
		}
		v.JWTSecret = s
	}
	res, err := svc.ApplySecret(a.ctx, m.namespace, v, m.confirm)
	v = SecretValues{}
	if err != nil {
		return err
	}
	updated := SecretStatus{Exists: true}
	for _, e := range SecretEnvs {
		if contains(res.Changed, e) || contains(res.Kept, e) {
			updated.Present = append(updated.Present, e)
		}
	}
	m.secret = &updated
	a.say("Secret written: %s set.", strings.Join(updated.Present, ", "))
	for _, w := range res.Warnings {
		a.say("Warning: %s", w)
	}
	return nil
}

func (a *accessible) images() error {
	m, svc := a.m, a.m.svc
	for {
		imgs, err := svc.Images(a.ctx, m.tags)
		if err != nil {
			return err
		}
		m.images = imgs
		for _, img := range imgs {
			m.tags[img.Component] = img.Tag()
			switch {
			case img.Err != "":
				a.say("  UNKNOWN: %s (%s)", img.Ref, img.Err)
			case img.Present:
				a.say("  present: %s", img.Ref)
			default:
				a.say("  MISSING: %s", img.Ref)
			}
		}
		pick := "use"
		if err := a.choose("Images:", &pick, []choice{
			{"use these images", "use"}, {"build them now from the app's folder", "build"}, {"choose other tags", "tags"},
		}); err != nil {
			return err
		}
		switch pick {
		case "use":
			return nil
		case "tags":
			for _, img := range imgs {
				tag := img.Tag()
				title := fmt.Sprintf("%s tag (enter keeps %s", img.Repository(), tag)
				if len(img.OtherTags) > 0 {
					title += "; on this machine: " + strings.Join(img.OtherTags, ", ")
				}
				if err := a.ask(huh.NewInput().Title(title+"):").Value(&tag), nil); err != nil {
					return err
				}
				m.tags[img.Component] = strings.TrimSpace(tag)
			}
		case "build":
			if err := a.build(); err != nil {
				return err
			}
		}
	}
}

func (a *accessible) build() error {
	m, svc := a.m, a.m.svc
	dir := m.opts.AppDir
	check := func() error {
		if strings.TrimSpace(dir) == "" {
			return errors.New("name the folder")
		}
		return nil
	}
	if err := a.ask(huh.NewInput().Title("The app's folder (with backend/ and frontend/):").Value(&dir), check); err != nil {
		return err
	}
	m.fv.appDir = strings.TrimSpace(dir)
	files, err := svc.KitFiles(m.fv.appDir)
	if err != nil {
		return err
	}
	var write, missing []string
	for _, f := range files {
		if f.State == KitMissing {
			missing = append(missing, f.Path)
		}
	}
	if len(missing) > 0 {
		yes := "write"
		if err := a.choose("The folder lacks part of the deployment kit: "+strings.Join(missing, ", "), &yes,
			[]choice{{"write them", "write"}, {"do not write them", "skip"}}); err != nil {
			return err
		}
		if yes == "write" {
			write = append(write, missing...)
		}
	}
	for _, f := range files {
		if f.State != KitDiffers {
			continue
		}
		a.say("%s differs from tmtui's; the diff, yours (-) and tmtui's (+):\n%s", f.Path, strings.TrimRight(f.Diff, "\n"))
		keep := "keep"
		if err := a.choose("Overwrite "+f.Path+"?", &keep, []choice{{"keep mine", "keep"}, {"overwrite it with tmtui's", "overwrite"}}); err != nil {
			return err
		}
		if keep == "overwrite" {
			write = append(write, f.Path)
		}
	}
	if len(write) > 0 {
		if err := svc.WriteKit(m.fv.appDir, write); err != nil {
			return err
		}
		a.say("Deployment kit written: %s.", strings.Join(write, ", "))
	}
	for _, img := range m.images {
		a.say("Building %s…", img.Ref)
		for ev := range svc.BuildImage(a.ctx, m.fv.appDir, img.Component, img.Ref) {
			if !ev.Done {
				a.say("  %s", strings.TrimRight(ev.Line, "\r\n"))
				continue
			}
			if ev.Err != nil {
				return fmt.Errorf("building the %s image: %w", img.Component, ev.Err)
			}
			a.say("Built %s in %s.", img.Ref, ev.Duration.Round(time.Second))
		}
	}
	return nil
}

func (a *accessible) install() error {
	m, svc := a.m, a.m.svc
	req := InstallRequest{Namespace: m.namespace, Confirmation: m.confirm, Tags: map[string]string{}}
	for k, v := range m.tags {
		req.Tags[k] = v
	}
	progress := make(chan Progress, 64)
	type result struct {
		rel Release
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := svc.Install(a.ctx, req, progress)
		done <- result{r, err}
	}()
	seen := map[string]string{} // object -> state last printed: print changes only
	// Install closes progress when it returns.
	for p := range progress {
		if p.Message != "" {
			a.say("  %s", p.Message)
		}
		for _, r := range p.Resources {
			id := r.Kind + "/" + r.Name
			if seen[id] != r.State {
				seen[id] = r.State
				a.say("    %s: %s", id, r.State)
			}
		}
		for _, pod := range p.Pods {
			ready := "not ready"
			if pod.Ready {
				ready = "ready"
			}
			line := fmt.Sprintf("    pod %s (%s): %s, %s", pod.Name, pod.Component, pod.Phase, ready)
			if pod.Problem != "" {
				line += ": " + pod.Problem
			}
			a.say("%s", line)
		}
	}
	r := <-done
	if r.err != nil {
		return r.err
	}
	m.release = &r.rel
	a.say("Release %s installed: revision %d %s.", r.rel.Name, r.rel.Revision, r.rel.State)
	return nil
}
