package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// q while the setup wizard installs asks first; yes stops the install,
// waits while Helm removes what it made, and only then quits: no release
// is left pending, no pod is left behind.
func TestTmuxQuitDuringTheWizardsInstallAsksThenLeavesNothingPending(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	term := startCommandInTmux(t, []string{"DOCKER_HOST=" + testenv.DockerHost(t)}, buildTmtui(t), "--kubeconfig", sb.Kubeconfig, "-n", ns)

	term.waitFor("step 1 of 8: Preflight", 20*time.Second)
	term.waitFor("secret: taskmaster-secret does not exist", 20*time.Second)
	term.send("Enter")
	term.waitFor("LOCAL (recommended)", 10*time.Second)
	term.send("Enter")
	term.waitFor("Where TaskMaster lives", 10*time.Second)
	term.send("Enter")
	term.waitFor("┃ DATABASE_URL", 10*time.Second)
	term.send("-l", "postgresql://user:pass@db.invalid/app")
	term.waitFor("✓ valid    DATABASE_URL", 10*time.Second)
	term.send("Enter")
	term.waitFor("┃ OPENAI_API_KEY", 10*time.Second)
	term.send("-l", "sk-test-fake-quit-0000000000000000")
	term.waitFor("✓ valid    OPENAI_API_KEY", 10*time.Second)
	term.send("Enter")
	term.defaultOptionalSecrets()

	// A backend tag whose pods never get Ready: the install waits.
	term.waitFor("step 5 of 8: Images", 20*time.Second)
	selectChoice(t, term, "choose other tags")
	term.waitFor("taskmaster-backend tag", 10*time.Second)
	term.send("C-e", "C-u")
	term.send("-l", "unready")
	term.waitFor("> unready", 10*time.Second)
	term.send("Enter")
	term.waitFor("┃ taskmaster-frontend tag", 10*time.Second)
	term.send("Enter")
	term.waitFor("taskmaster-backend:unready", 20*time.Second)
	selectChoice(t, term, "use these images")
	term.waitFor("step 6 of 8: Review", 10*time.Second)
	term.waitFor("Press enter to install", 10*time.Second)
	term.send("Enter")
	term.waitUntil(time.Minute, "the install waiting for the unready pod", func(s string) bool {
		return strings.Contains(s, "step 7 of 8: Install") && strings.Contains(s, "taskmaster-backend-") && strings.Contains(s, "not ready")
	})

	term.send("q")
	screen := term.waitFor("Quit while work runs?", 10*time.Second)
	if !strings.Contains(strings.Join(strings.Fields(screen), " "), "the setup wizard: installing") {
		t.Errorf("the question does not say what runs:\n%s", screen)
	}
	// q asked it: the question takes its answer at once (no grace period).
	term.send("y")
	term.waitUntil(10*time.Second, "the question answered", func(s string) bool {
		return term.exited() || !strings.Contains(s, "Quit while work runs?")
	})
	if code := term.exitCode(2 * time.Minute); code != 0 {
		t.Fatalf("tmtui exited %d after the quit, want 0", code)
	}
	// Helm removed what it made: no revision is pending, no pod is left.
	secrets, err := cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=taskmaster"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets.Items {
		if st := s.Labels["status"]; strings.HasPrefix(st, "pending") {
			t.Errorf("release revision %s is left %s after the quit", s.Labels["version"], st)
		}
	}
	testenv.Eventually(t, time.Minute, func() error {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: k8s.InstanceLabel + "=taskmaster"})
		if err == nil && len(list.Items) > 0 {
			err = fmt.Errorf("%d pods left", len(list.Items))
		}
		return err
	})
}

// selectChoice selects the option named in the wizard's Images step, sees
// it selected, and picks it.
func selectChoice(t *testing.T, term *tmuxTerm, option string) {
	t.Helper()
	term.selectRow(imageChoices, fmt.Sprintf("%q", option), func(o string) bool { return o == option }, 20*time.Second)
	term.send("Enter")
}
