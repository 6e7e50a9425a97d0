package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/dialog/wizard"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
)

// fakeWizard answers the wizard's first step; the wizard's own tests
// cover the rest of its steps. A call to any other method panics through
// the nil embedded interface, which fails the test.
type fakeWizard struct {
	wizard.Service
	preflights atomic.Int32
}

func (f *fakeWizard) Preflight(context.Context, string) (wizard.Preflight, error) {
	f.preflights.Add(1)
	return wizard.Preflight{Context: "tmtui-sandbox", Local: true, Checks: []wizard.Check{
		{ID: "cluster", Name: "cluster reachable", Status: wizard.CheckOK, Detail: "v1.36.3"},
		{ID: "secret", Name: "secret", Status: wizard.CheckFail, Detail: "taskmaster-secret does not exist", Fix: "the wizard writes it"},
	}}, nil
}

// emptyWorld is a namespace with nothing of the app in it: no release, no
// pods.
func emptyWorld(wiz wizard.Service) (*world, *fakeOps) {
	ops := newOps()
	ops.installed = false
	w := newWorld()
	w.release = ops
	w.pods = &fakePods{snap: pods.Snapshot{Conn: pods.ConnLive}}
	w.opts.Wizard = wiz
	return w, ops
}

func TestWizardOpensByItselfOnAnEmptyNamespace(t *testing.T) {
	wiz := &fakeWizard{}
	w, _ := emptyWorld(wiz)
	r := w.connected(t, 120, 40)
	if r.m.wizard == nil || !strings.Contains(r.screen(), "step 1 of 8: Preflight") {
		t.Fatalf("the wizard did not open on an empty namespace:\n%s", r.screen())
	}
	if !strings.Contains(r.screen(), "taskmaster-secret does not exist") || !strings.Contains(r.screen(), "esc leaves it") {
		t.Errorf("the wizard shows no preflight or no way out:\n%s", r.screen())
	}
	// Keys go to the wizard, not to the panes behind it.
	r.press("1")
	if r.m.focus == 0 {
		t.Error("a pane key reached the panes while the wizard was open")
	}

	// esc leaves it, says what is in place, and the panes are back.
	r.press("esc")
	if r.m.wizard != nil {
		t.Fatalf("esc did not close the wizard:\n%s", r.screen())
	}
	if !strings.Contains(r.screen(), "Pods") || r.m.status.text == "" {
		t.Errorf("after esc: no panes or no summary (status %q):\n%s", r.m.status.text, r.screen())
	}
	// It opened by itself once: a new snapshot of the still empty
	// namespace does not bring it back, but W does.
	r.m.maybeOpenWizard() // what each release or pods update asks
	if r.m.wizard != nil {
		t.Fatal("the wizard opened by itself a second time")
	}
	r.press("W")
	if r.m.wizard == nil || wiz.preflights.Load() < 2 {
		t.Fatalf("W did not open the wizard (preflights %d)", wiz.preflights.Load())
	}
}

func TestWizardStaysClosedWhereTheAppIsThere(t *testing.T) {
	t.Run("release installed", func(t *testing.T) {
		w, ops := emptyWorld(&fakeWizard{})
		ops.installed = true
		if r := w.connected(t, 120, 40); r.m.wizard != nil {
			t.Fatal("the wizard opened over an installed release")
		}
	})
	t.Run("pods deployed some other way", func(t *testing.T) {
		w, _ := emptyWorld(&fakeWizard{})
		w.pods = &fakePods{snap: podSnapshot(2)}
		r := w.connected(t, 120, 40)
		if r.m.wizard != nil {
			t.Fatal("the wizard opened over running pods")
		}
		if !strings.Contains(r.m.fullHelp(), "setup wizard") {
			t.Error("? does not list w for the wizard")
		}
	})
	t.Run("pods not listed yet", func(t *testing.T) {
		w, _ := emptyWorld(&fakeWizard{})
		w.pods = &fakePods{snap: pods.Snapshot{Conn: pods.ConnSyncing}}
		if r := w.connected(t, 120, 40); r.m.wizard != nil {
			t.Fatal("the wizard opened on the watch's first, still empty, snapshot")
		}
	})
	t.Run("--no-wizard", func(t *testing.T) {
		w, _ := emptyWorld(&fakeWizard{})
		w.opts.NoAutoWizard = true
		r := w.connected(t, 120, 40)
		if r.m.wizard != nil {
			t.Fatal("the wizard opened by itself with NoAutoWizard")
		}
		if r.press("W"); r.m.wizard == nil {
			t.Fatal("W did not open it with NoAutoWizard")
		}
	})
	t.Run("read-only", func(t *testing.T) {
		w, _ := emptyWorld(&fakeWizard{})
		w.opts.ReadOnly = true
		r := w.connected(t, 120, 40)
		r.press("W")
		if r.m.wizard != nil {
			t.Fatal("the wizard opened in read-only mode")
		}
		if strings.Contains(r.m.fullHelp(), "setup wizard") {
			t.Error("read-only help offers the wizard")
		}
	})
	t.Run("no wizard service", func(t *testing.T) {
		w, _ := emptyWorld(nil)
		r := w.connected(t, 120, 40)
		r.press("W")
		if r.m.wizard != nil {
			t.Fatal("a wizard opened with no service")
		}
	})
}

func TestSetupOpensTheWizardAtStartEvenOverAnInstall(t *testing.T) {
	w, ops := emptyWorld(&fakeWizard{})
	ops.installed = true
	w.opts.OpenWizard = true
	r := w.connected(t, 120, 40)
	if r.m.wizard == nil {
		t.Fatal("tmtui setup did not open the wizard")
	}
}

func TestQuitFromTheWizard(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  tea.KeyPressMsg
		w, h int
	}{
		{"ctrl+c", tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, 120, 40},
		{"q on a step without a form", tea.KeyPressMsg{Code: 'q', Text: "q"}, 120, 40},
		{"q in a terminal too small for it", tea.KeyPressMsg{Code: 'q', Text: "q"}, 50, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := emptyWorld(&fakeWizard{})
			r := w.connected(t, 120, 40)
			if r.m.wizard == nil {
				t.Fatal("no wizard")
			}
			r.Update(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			cmd := r.Update(tc.key)
			if cmd == nil {
				t.Fatal("the key did nothing")
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Error("with nothing running in the wizard, the key did not quit")
			}
		})
	}
}

func TestWizardClosedOnAnotherNamespaceReconnects(t *testing.T) {
	w, _ := emptyWorld(&fakeWizard{})
	var to []string
	w.opts.ConnectTo = func(kctx, ns string) ConnectFunc {
		to = append(to, kctx+"/"+ns)
		return w.options().Connect
	}
	r := w.connected(t, 120, 40)
	r.Update(wizard.ClosedMsg{Context: r.m.info.Context, Namespace: "elsewhere", Summary: "in place: namespace elsewhere"})
	if len(to) != 1 || to[0] != r.m.info.Context+"/elsewhere" {
		t.Fatalf("ConnectTo calls = %v", to)
	}
	if r.m.state != connecting {
		t.Errorf("state %d after the wizard moved to another namespace, want connecting", r.m.state)
	}
}
