package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Fake secret values, unique to this test, that must never reach a screen.
var newcomerSecrets = map[string]string{
	"database-url":   "postgresql://user:pass@db.invalid/newcomer",
	"openai-api-key": "sk-test-fake-newcomer-0000000000000000",
	"jwt-secret":     "fake-jwt-newcomer-fake-jwt-newcomer-fake-jwt",
}

// screensDirEnv names a folder for the newcomer path's screens: make
// screens sets it to docs/screens/ to refresh them on purpose. Without it
// they go to a folder of the test's, so that a run leaves the tree as it was.
const screensDirEnv = "TMTUI_SCREENS_DIR"

// newcomerSteps are the screens of the newcomer path, in order, with the
// text each one shows whatever the run (not its pod names, ages or log
// lines). docs/screens/ holds one file per step, NN-name.txt; an optional
// step is captured only when the screen catches it (a fast install can be
// over before a capture).
var newcomerSteps = []struct {
	name     string
	optional bool
	shows    []string
}{
	{"wizard-preflight", false, []string{"Setup · step 1 of 8: Preflight", "secret: taskmaster-secret does not exist"}},
	{"wizard-secrets", false, []string{"Setup · step 4 of 8: Secrets", "✓ valid    DATABASE_URL (", "DATABASE_URL   > ****"}},
	{"wizard-review", false, []string{"Setup · step 6 of 8: Review", "Press enter to install"}},
	{"wizard-install", true, []string{"Setup · step 7 of 8: Install", "Deployment/taskmaster-backend"}},
	{"wizard-health", false, []string{"Setup · step 8 of 8: Health", "✓ healthy backend   200"}},
	{"installed", false, []string{"rev 1 ✓ deployed", "▶ 3 Pods", "backend 1/1 ready", "taskmaster-backend-"}},
	{"health", false, []string{"health: backend 200"}},
	{"scaled", false, []string{"backend 2/2 ready", "› taskmaster-backend-"}},
	{"upgrade-diff", false, []string{"Upgrade taskmaster (revision 2)", "+        image: taskmaster-backend:1.1.0"}},
	{"upgraded", false, []string{"upgraded taskmaster: revision 3 deployed"}},
	{"rollback-diff", false, []string{"Roll back taskmaster to revision 1", "image: taskmaster-backend:1.0.0"}},
	{"rolled-back", false, []string{"rolled back taskmaster to revision 1: now revision 4 deployed"}},
	{"logs", false, []string{"seq="}},
	{"uninstall-confirm", false, []string{"type taskmaster to confirm"}},
	{"uninstalled", false, []string{"uninstalled taskmaster"}},
}

// missingFromStep is what screen lacks of what the step name shows.
func missingFromStep(name, screen string) ([]string, error) {
	for _, st := range newcomerSteps {
		if st.name == name {
			var missing []string
			for _, want := range st.shows {
				if !strings.Contains(screen, want) {
					missing = append(missing, want)
				}
			}
			return missing, nil
		}
	}
	return nil, fmt.Errorf("no step of the newcomer path is called %q", name)
}

// screens are the captured screens of the newcomer path, in order.
type screens struct {
	t     *testing.T
	names []string
	shots map[string]string
}

func (s *screens) add(name, screen string) {
	s.t.Helper()
	for key, v := range newcomerSecrets {
		if strings.Contains(screen, v) {
			s.t.Fatalf("the %s value is on screen %q", key, name)
		}
	}
	if missing, err := missingFromStep(name, screen); err != nil || len(missing) > 0 {
		s.t.Fatalf("screen %q lacks %q (%v):\n%s", name, missing, err, screen)
	}
	if s.shots == nil {
		s.shots = map[string]string{}
	}
	s.names = append(s.names, name)
	s.shots[name] = screen
}

// write puts the screens in $TMTUI_SCREENS_DIR (replacing the screens of
// an older path there) or in a folder of the test's, with the test's
// throwaway namespace replaced by the one a newcomer would use.
func (s *screens) write(ns string) {
	s.t.Helper()
	dir := os.Getenv(screensDirEnv)
	if dir == "" {
		dir = s.t.TempDir()
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			s.t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		for _, f := range old {
			_ = os.Remove(f)
		}
	}
	for i, name := range s.names {
		lines := strings.Split(strings.TrimRight(s.shots[name], "\n"), "\n")
		for j, l := range lines {
			lines[j] = strings.TrimRight(renamed(l, ns, "taskmaster"), " ")
		}
		path := filepath.Join(dir, fmt.Sprintf("%02d-%s.txt", i+1, name))
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	s.t.Logf("%d screens written to %s", len(s.names), dir)
}

// renamed replaces from with the shorter to in one line of a screen, and
// pads the box the name sits in (before its right border), so that boxes
// keep their shape.
func renamed(line, from, to string) string {
	pad := strings.Repeat(" ", len(from)-len(to))
	var b strings.Builder
	for {
		i := strings.Index(line, from)
		if i < 0 {
			b.WriteString(line)
			return b.String()
		}
		b.WriteString(line[:i] + to)
		line = line[i+len(from):]
		if j := strings.IndexAny(line, "║│"); j >= 0 {
			line = line[:j] + pad + line[j:]
		}
	}
}

var seqRe = regexp.MustCompile(`seq=(\d+)`)

func maxSeq(screen string) int {
	n := -1
	for _, m := range seqRe.FindAllStringSubmatch(screen, -1) {
		if v, _ := strconv.Atoi(m[1]); v > n {
			n = v
		}
	}
	return n
}

// The newcomer path, end to end through tmux on the sandbox: the wizard
// opens by itself on an empty namespace, the secrets are typed (masked),
// it installs to Running and Ready pods and checks health; then + to two
// backends, an upgrade with its diff, a rollback to revision 1 with its
// diff, a log line written after the Logs pane opened, and uninstall with
// the name typed. No secret value is ever on screen.
func TestTmuxNewcomerPath(t *testing.T) {
	// Its own namespace, tmux server and folders: it runs beside the others.
	bin := buildTmtui(t) // waits for its build (TestMain) before the tests run side by side
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	shots := &screens{t: t}
	term := startCommandInTmux(t, []string{"DOCKER_HOST=" + testenv.DockerHost(t)}, bin, "--kubeconfig", sb.Kubeconfig, "-n", ns)

	// Nothing of the app is there: the setup wizard opens by itself.
	screen := term.waitFor("step 1 of 8: Preflight", 20*time.Second)
	screen = term.waitFor("secret: taskmaster-secret does not exist", 20*time.Second)
	shots.add("wizard-preflight", screen)
	term.send("Enter")
	term.waitFor("LOCAL (recommended)", 10*time.Second)
	term.send("Enter")
	term.waitFor("Where TaskMaster lives", 10*time.Second)
	term.send("Enter")
	// The secrets, typed as a person would; masked on screen.
	term.waitFor("┃ DATABASE_URL", 10*time.Second)
	term.send("-l", newcomerSecrets["database-url"])
	screen = term.waitFor(fmt.Sprintf("✓ valid    DATABASE_URL (%d characters)", len(newcomerSecrets["database-url"])), 10*time.Second)
	shots.add("wizard-secrets", screen)
	term.send("Enter")
	// (huh moves to the next field by a message of its own: keys sent
	// before it lands would still go to the field before.)
	term.waitFor("┃ OPENAI_API_KEY", 10*time.Second)
	term.send("-l", newcomerSecrets["openai-api-key"])
	term.waitFor(fmt.Sprintf("✓ valid    OPENAI_API_KEY (%d characters)", len(newcomerSecrets["openai-api-key"])), 10*time.Second)
	term.send("Enter")
	term.defaultOptionalSecrets()
	// The sandbox runs any tag (its nodes are simulated): use these images.
	term.waitFor("step 5 of 8: Images", 20*time.Second)
	selectChoice(t, term, "use these images")
	term.waitFor("step 6 of 8: Review", 10*time.Second)
	// Enter installs only once the review has read the release.
	screen = term.waitFor("Press enter to install", 20*time.Second)
	shots.add("wizard-review", screen)
	term.send("Enter")
	// The install's progress; on a quiet machine the sandbox is ready so
	// fast that the health step may come before a capture catches it.
	screen = term.waitUntil(3*time.Minute, "the install's progress or the health step", func(s string) bool {
		return (strings.Contains(s, "step 7 of 8: Install") && strings.Contains(s, "Deployment/taskmaster-backend")) ||
			strings.Contains(s, "step 8 of 8: Health")
	})
	if strings.Contains(screen, "step 7 of 8: Install") {
		shots.add("wizard-install", screen)
	}
	screen = term.waitUntil(3*time.Minute, "the health step", func(s string) bool {
		return strings.Contains(s, "step 8 of 8: Health") && strings.Contains(s, "✓ healthy backend   200")
	})
	shots.add("wizard-health", screen)
	term.send("Enter")
	screen = term.waitFor("rev 1 ✓ deployed", 20*time.Second)
	// The Secret holds what was typed, and Helm's values none of it.
	sec, err := cs.CoreV1().Secrets(ns).Get(ctx, "taskmaster-secret", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"database-url", "openai-api-key"} {
		if string(sec.Data[k]) != newcomerSecrets[k] {
			t.Errorf("the Secret's %s is not what was typed (%d bytes, typed %d)", k, len(sec.Data[k]), len(newcomerSecrets[k]))
		}
	}
	if len(sec.Data["jwt-secret"]) < 32 {
		t.Errorf("the generated jwt-secret has %d bytes", len(sec.Data["jwt-secret"]))
	}
	backend := readyPod(t, cs, ns, "backend", "")
	screen = term.waitUntil(20*time.Second, "the backend pod Running 1/1", func(s string) bool { return podRow(s, backend, "1/1", "Running") })
	shots.add("installed", screen)

	// Health: the stand-in backend answers 200.
	term.send("h")
	screen = term.waitUntil(30*time.Second, "the health result", func(s string) bool { return strings.Contains(s, "health: backend 200") })
	shots.add("health", screen)

	// + scales the pod's component that is selected: select a backend pod,
	// and see it selected, first (the pane may have selected a frontend).
	term.send("3")
	term.waitFor("▶ 3 Pods", 10*time.Second)
	term.selectRow(podList, "a backend pod", func(pod string) bool {
		return strings.HasPrefix(pod, "taskmaster-backend-")
	}, 20*time.Second)
	term.send("+")
	screen = term.waitUntil(time.Minute, "two backend pods", func(s string) bool {
		return strings.Count(s, "taskmaster-backend-") >= 2 && strings.Contains(s, "backend 2/2 ready")
	})
	shots.add("scaled", screen)
	// The scale is a Helm upgrade: it is done once revision 2 is deployed
	// (an upgrade asked for before would be refused as busy).
	term.waitFor("rev 2 ✓ deployed", time.Minute)

	// An upgrade to a new tag: the diff shows it, y applies it.
	term.send("2")
	term.waitFor("▶ 2 Release", 10*time.Second)
	term.send("u")
	term.waitFor("backend image tag", 10*time.Second)
	term.send("C-u", "1.1.0", "Enter")
	screen = term.waitUntil(30*time.Second, "the upgrade's diff", func(s string) bool {
		return strings.Contains(s, "Upgrade taskmaster (revision 2)") && strings.Contains(s, "+        image: taskmaster-backend:1.1.0")
	})
	shots.add("upgrade-diff", screen)
	term.send("y")
	screen = term.waitUntil(3*time.Minute, "the upgrade's result", func(s string) bool { return strings.Contains(s, "upgraded taskmaster: revision 3 deployed") })
	shots.add("upgraded", screen)

	// A rollback to revision 1: select it in the history, see it
	// selected, b, see the diff, y.
	term.selectRow(historyList, "revision 1", func(rev string) bool { return rev == "1" }, 20*time.Second)
	term.send("b")
	screen = term.waitUntil(30*time.Second, "the rollback's diff", func(s string) bool {
		return strings.Contains(s, "Roll back taskmaster to revision 1") && strings.Contains(s, "image: taskmaster-backend:1.0.0")
	})
	shots.add("rollback-diff", screen)
	term.send("y")
	screen = term.waitUntil(3*time.Minute, "the rollback's result", func(s string) bool {
		return strings.Contains(s, "rolled back taskmaster to revision 1: now revision 4 deployed")
	})
	shots.add("rolled-back", screen)
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
	if err != nil || d.Spec.Template.Spec.Containers[0].Image != "taskmaster-backend:1.0.0" || *d.Spec.Replicas != 2 {
		t.Fatalf("after the rollback the backend is %v x%d (%v); want 1.0.0 with the 2 replicas kept",
			d.Spec.Template.Spec.Containers[0].Image, *d.Spec.Replicas, err)
	}

	// The Logs pane, zoomed: a line the stand-in writes after it opened.
	term.send("4")
	term.waitFor("▶ 4 Logs", 10*time.Second)
	term.send("z")
	screen = term.waitUntil(20*time.Second, "numbered log lines", func(s string) bool { return maxSeq(s) >= 0 })
	opened := maxSeq(screen)
	screen = term.waitUntil(20*time.Second, "a log line written after the pane opened", func(s string) bool { return maxSeq(s) > opened })
	shots.add("logs", screen)
	term.send("z")

	// Uninstall asks for the name typed, then the release is gone.
	term.send("2")
	term.waitFor("▶ 2 Release", 10*time.Second)
	term.send("D")
	screen = term.waitFor("type taskmaster to confirm", 10*time.Second)
	shots.add("uninstall-confirm", screen)
	term.send("taskmaster", "Enter")
	screen = term.waitUntil(3*time.Minute, "the release gone", func(s string) bool { return strings.Contains(s, "uninstalled taskmaster") })
	shots.add("uninstalled", screen)
	testenv.Eventually(t, time.Minute, func() error {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: k8s.InstanceLabel + "=taskmaster"})
		if err != nil {
			return err
		}
		if len(list.Items) > 0 {
			return fmt.Errorf("%d pods left", len(list.Items))
		}
		return nil
	})

	term.send("q")
	if code := term.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("tmtui exited %d after q, want 0", code)
	}
	// (The Logs pane shows the app's INFO lines here, so the check that
	// tmtui's own log stays off screen is left to the other tmux tests.)
	logData, _ := os.ReadFile(term.logFile)
	for key, v := range newcomerSecrets {
		if strings.Contains(string(logData), v) {
			t.Errorf("the %s value is in tmtui's log file", key)
		}
	}
	shots.write(ns)
}
