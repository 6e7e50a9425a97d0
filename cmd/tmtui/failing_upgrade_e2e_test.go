package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Upgrades to images that fail (the sandbox's :crashloop and :unready
// tags), driven through tmux: each fails once its --timeout has run out, and
// not before, Helm returns the release to the revision before by itself,
// and the screen names the failing pod and why.
//
// --timeout bounds each of Helm's waits: the upgrade's, then the rollback's.
// That the whole, from y to the rolled-back release on screen, takes at
// most twice the timeout is a promise make chaos holds (testenv.Promised);
// under make test the wait for the screen only catches a failure that never
// comes.
func TestTmuxFailingUpgradesRollBackAndNameThePod(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	createAppSecret(t, cs, ns, nil)
	const timeout = 20 * time.Second
	const promised = 2 * timeout
	// (--no-wizard: this test installs with i, not through the wizard.)
	term := startInTmux(t, "--kubeconfig", sb.Kubeconfig, "-n", ns, "--timeout", timeout.String(), "--no-wizard")
	term.waitFor("is not installed", 20*time.Second)
	term.send("2", "i")
	term.waitFor("Install taskmaster", 10*time.Second)
	term.send("Enter")
	term.waitFor("installed taskmaster: revision 1 deployed", 2*time.Minute)

	cases := []struct {
		tag, reason string
		revision    int // the revision that fails
	}{
		{"crashloop", "CrashLoopBackOff", 2},
		{"unready", "running but not Ready", 4},
	}
	rec := &testenv.Result{Section: testenv.SectionFaults, Class: "Upgrades to images that crash or never become ready", Tried: len(cases)}
	testenv.Record(t, rec)
	for _, c := range cases {
		term.send("u")
		term.waitFor("backend image tag", 10*time.Second)
		term.send("C-u", c.tag, "Enter")
		term.waitFor("taskmaster-backend:"+c.tag, 30*time.Second)
		start := time.Now()
		term.send("y")
		term.send("z") // the Release pane zoomed: the whole error, wrapped
		want := fmt.Sprintf("upgrade of taskmaster (revision %d) failed", c.revision)
		screen := term.waitUntil(3*time.Minute, "the failed upgrade", func(s string) bool {
			return strings.Contains(s, want) && strings.Contains(s, "rolled back to revision")
		})
		took := time.Since(start)
		t.Logf("%s: failed and rolled back %s after y (timeout %s)", c.tag, took.Round(100*time.Millisecond), timeout)
		flat := strings.Join(strings.Fields(screen), " ")
		if !strings.Contains(flat, "pod taskmaster-backend-") || !strings.Contains(flat, c.reason) {
			t.Errorf("%s: the screen does not name the failing pod and %q:\n%s", c.tag, c.reason, screen)
		}
		// Helm's wait gives up at the timeout, never sooner, whatever the
		// load: an earlier failure means --timeout did not reach it.
		if took < timeout {
			t.Errorf("%s: the upgrade failed %s after y, before its %s timeout ran out", c.tag, took.Round(100*time.Millisecond), timeout)
		}
		if err := testenv.Promised(t, c.tag+": the failed upgrade and its rollback", took, promised); err != nil {
			t.Error(err)
		}
		term.send("z")
		// Helm put the release back: deployed, on the image that worked.
		testenv.Eventually(t, 2*time.Minute, func() error {
			d, err := cs.AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if img := d.Spec.Template.Spec.Containers[0].Image; img != "taskmaster-backend:1.0.0" {
				return fmt.Errorf("backend runs %s", img)
			}
			return nil
		})
		term.waitFor(fmt.Sprintf("rev %d ✓ deployed", c.revision+1), 20*time.Second)
		if !t.Failed() {
			rec.Survived++
			rec.Figures = append(rec.Figures, fmt.Sprintf("%s: the upgrade failed and Helm rolled it back %.1f s after y (timeout %s; promised within %s, no sooner than %s); the screen named the pod and %q; revision %d deployed on taskmaster-backend:1.0.0",
				c.tag, took.Seconds(), timeout, promised, timeout, c.reason, c.revision+1))
		}
	}
	term.send("q")
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("tmtui exited %d after q, want 0", code)
	}
}
