package helm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// chaosChildOp is the child half of TestChaosSIGKILLDuringInstallUpgradeRollback:
// "install:TAG", "upgrade:TAG" (the backend's image tag) or "rollback:REV",
// run with the engine as tmtui runs it, until the parent kills the process.
func chaosChildOp(ctx context.Context, c *helm.Client, op string) error {
	kind, arg, _ := strings.Cut(op, ":")
	opts := helm.ApplyOptions{Timeout: 3 * time.Minute}
	tag := helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: arg}}
	switch kind {
	case "install":
		_, err := c.Install(ctx, helm.InstallOptions{Overrides: tag, ApplyOptions: opts})
		return err
	case "upgrade":
		p, err := c.PlanUpgrade(ctx, tag)
		if err == nil {
			_, err = c.Apply(ctx, p, opts)
		}
		return err
	case "rollback":
		rev, err := strconv.Atoi(arg)
		if err != nil {
			return err
		}
		p, err := c.PlanRollback(ctx, rev)
		if err == nil {
			_, err = c.Apply(ctx, p, opts)
		}
		return err
	}
	return fmt.Errorf("unknown child operation %q", op)
}

// killMoment is a point of an operation at which the process dies.
type killMoment struct {
	name  string
	setup func(r *sandboxRelease) // the revisions before the operation
	op    string                  // chaosChildOp's
	// at waits for the moment; it returns what it saw then.
	at   func(r *sandboxRelease, started time.Time) (string, error)
	fast bool // also in make test's fast part
}

// A process that runs tmtui's engine killed with SIGKILL at ten moments of
// an install, an upgrade and a rollback: before anything reached the
// cluster, as soon as Helm recorded the pending revision, once the objects
// were applied, while Helm waited for pods that never become Ready. Every
// time, DetectStuck and Recover (what tmtui offers on its next start, one
// confirmation) bring the release to a clean state with no helm command:
// deployed, with the pods of the revision that runs, or cleanly absent, with
// no object left; and the next install or upgrade then works.
func TestChaosSIGKILLDuringInstallUpgradeRollback(t *testing.T) {
	t.Parallel()
	installed := func(r *sandboxRelease) { r.install(helm.Overrides{}) }
	// Revision 2 never became Ready (Helm rolled it back as revision 3):
	// rolling back to it waits for ever, so no moment of a rollback can be
	// missed by its finishing first.
	withUnready := func(r *sandboxRelease) {
		installed(r)
		p, err := r.client.PlanUpgrade(r.t.Context(), helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "unready"}})
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.client.Apply(r.t.Context(), p, helm.ApplyOptions{Timeout: 3 * time.Second}); err == nil {
			r.t.Fatal("the upgrade to an unready image succeeded")
		}
	}
	moments := []killMoment{
		{name: "install before anything reached the cluster", op: "install:1.0.0", at: right},
		// (The image never gets Ready, so that a fast sandbox cannot finish
		// the operation between two looks at its revision.)
		{name: "install as soon as pending-install is recorded", op: "install:unready", at: recorded, fast: true},
		{name: "install as soon as the objects are applied", op: "install:unready", at: applied("unready")},
		{name: "install while waiting for pods", op: "install:unready", at: waiting("unready")},
		{name: "upgrade as soon as pending-upgrade is recorded", setup: installed, op: "upgrade:unready", at: recorded},
		{name: "upgrade as soon as the objects are applied", setup: installed, op: "upgrade:unready", at: applied("unready")},
		{name: "upgrade while waiting for pods", setup: installed, op: "upgrade:unready", at: waiting("unready"), fast: true},
		{name: "rollback 300 ms after it starts", setup: withUnready, op: "rollback:2", at: after(300 * time.Millisecond)},
		{name: "rollback as soon as pending-rollback is recorded", setup: withUnready, op: "rollback:2", at: recorded, fast: true},
		{name: "rollback while waiting for pods", setup: withUnready, op: "rollback:2", at: waiting("unready")},
	}
	var (
		mu                   sync.Mutex
		tried, survived      int
		recoveries, outcomes []string
		slowest              time.Duration
	)
	t.Run("moments", func(t *testing.T) {
		for _, m := range moments {
			if !m.fast && !testenv.Chaos() {
				continue
			}
			t.Run(m.name, func(t *testing.T) {
				t.Parallel()
				r := newSandboxRelease(t, "")
				if m.setup != nil {
					m.setup(r)
				}
				seen := r.killAt(m.op, m.at)

				start := time.Now()
				stuck, err := r.client.DetectStuck(t.Context())
				if err != nil {
					t.Fatalf("detect: %v", err)
				}
				plan := "nothing to recover"
				if stuck != nil {
					plan = stuck.Plan
					if _, err := r.client.Recover(t.Context(), helm.ApplyOptions{Timeout: time.Minute}); err != nil {
						t.Fatalf("recover (%s): %v", plan, err)
					}
				}
				took := time.Since(start)
				outcome := r.assertClean()

				mu.Lock()
				tried++
				recoveries = append(recoveries, fmt.Sprintf("%s: killed at %s; %s (%.1f s); %s", m.name, seen, plan, took.Seconds(), outcome))
				outcomes = append(outcomes, outcome)
				slowest = max(slowest, took)
				mu.Unlock()
				t.Cleanup(func() {
					if !t.Failed() {
						mu.Lock()
						survived++
						mu.Unlock()
					}
				})
			})
		}
	})
	// Counted again after the subtests: one that stopped before the end
	// was tried but not survived.
	n := 0
	for _, m := range moments {
		if m.fast || testenv.Chaos() {
			n++
		}
	}
	slices.Sort(recoveries)
	figures := []string{fmt.Sprintf("recovery (DetectStuck, then Recover) took at most %.1f s", slowest.Seconds())}
	figures = append(figures, recoveries...)
	testenv.Record(t, &testenv.Result{Section: testenv.SectionFaults, Class: "SIGKILL during install, upgrade and rollback",
		Tried: max(n, tried), Survived: survived, Figures: figures})
}

// killAt runs op in a child process and kills it with SIGKILL at the moment
// at finds; it returns what at saw.
func (r *sandboxRelease) killAt(op string, at func(*sandboxRelease, time.Time) (string, error)) string {
	r.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childOpEnv+"="+op,
		"CHILD_KUBECONFIG="+r.sb.Kubeconfig, "CHILD_CONTEXT="+r.sb.Context, "CHILD_NAMESPACE="+r.ns)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	started := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	seen, err := at(r, started)
	_ = cmd.Process.Kill()
	werr := <-exited
	if err != nil {
		r.t.Fatalf("waiting for the moment: %v\nchild: %v\n%s", err, werr, out.String())
	}
	if werr == nil || !strings.Contains(werr.Error(), "killed") {
		r.t.Fatalf("the child ended before it was killed (%v), at %s:\n%s", werr, seen, out.String())
	}
	return seen
}

// state says what the cluster shows of the release: its latest recorded
// revision and the backend Deployment's image.
func (r *sandboxRelease) state() (status, image string) {
	secrets, err := r.cs.CoreV1().Secrets(r.ns).List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=taskmaster"})
	status = "no revision"
	if err == nil {
		latest := 0
		for _, s := range secrets.Items {
			if v, _ := strconv.Atoi(s.Labels["version"]); v > latest {
				latest, status = v, fmt.Sprintf("revision %d %s", v, s.Labels["status"])
			}
		}
	}
	image = "no backend Deployment"
	if d, err := r.cs.AppsV1().Deployments(r.ns).Get(context.Background(), "taskmaster-backend", metav1.GetOptions{}); err == nil {
		image = d.Spec.Template.Spec.Containers[0].Image
	}
	return status, image
}

func describe(r *sandboxRelease) string {
	status, image := r.state()
	return status + ", " + image
}

// right kills at once: the child has not even read its kubeconfig.
func right(r *sandboxRelease, _ time.Time) (string, error) { return describe(r), nil }

func after(d time.Duration) func(*sandboxRelease, time.Time) (string, error) {
	return func(r *sandboxRelease, started time.Time) (string, error) {
		time.Sleep(time.Until(started.Add(d)))
		return describe(r), nil
	}
}

func poll(what string, ok func() bool) error {
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			return errors.New("no " + what + " within 60 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// recorded kills as soon as Helm has recorded a pending revision.
func recorded(r *sandboxRelease, _ time.Time) (string, error) {
	err := poll("pending revision", func() bool {
		status, _ := r.state()
		return strings.Contains(status, " pending-")
	})
	return describe(r), err
}

// applied kills once the backend Deployment runs the operation's tag (one
// whose pods never get Ready, so that the moment cannot be missed).
func applied(tag string) func(*sandboxRelease, time.Time) (string, error) {
	return func(r *sandboxRelease, _ time.Time) (string, error) {
		err := poll("Deployment with tag "+tag, func() bool {
			status, image := r.state()
			return strings.Contains(status, " pending-") && strings.HasSuffix(image, ":"+tag)
		})
		return describe(r), err
	}
}

// waiting kills two seconds into Helm's wait for pods that never get Ready.
func waiting(tag string) func(*sandboxRelease, time.Time) (string, error) {
	return func(r *sandboxRelease, started time.Time) (string, error) {
		if _, err := applied(tag)(r, started); err != nil {
			return describe(r), err
		}
		time.Sleep(2 * time.Second)
		return describe(r) + ", 2 s into the wait", nil
	}
}

// assertClean checks that the release is deployed with its pods Ready, or
// cleanly absent, and not stuck; that the helm CLI's history agrees; and
// that the next install or upgrade works. It says which it found.
func (r *sandboxRelease) assertClean() string {
	r.t.Helper()
	ctx := r.t.Context()
	if stuck, err := r.client.DetectStuck(ctx); err != nil || stuck != nil {
		r.t.Fatalf("still stuck after recovery: %+v, %v", stuck, err)
	}
	st, err := r.client.Status(ctx)
	switch {
	case errors.Is(err, helm.ErrNotInstalled):
		deps, err := r.cs.AppsV1().Deployments(r.ns).List(ctx, metav1.ListOptions{})
		if err != nil || len(deps.Items) != 0 {
			r.t.Fatalf("absent release, but %d Deployments left (%v)", len(deps.Items), err)
		}
		r.install(helm.Overrides{})
		r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
		return "cleanly absent, then installed"
	case err != nil:
		r.t.Fatalf("status after recovery: %v", err)
	case st.Status != helm.StatusDeployed:
		r.t.Fatalf("release after recovery: revision %d %s", st.Revision, st.Status)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": st.Images[helm.Backend]})
	for _, h := range r.cliHistory() {
		if strings.HasPrefix(h.Status, "pending") {
			r.t.Errorf("helm history still has revision %d %s", h.Revision, h.Status)
		}
	}
	next := r.apply(r.client.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "1.0.2"}}))
	if next.Status != helm.StatusDeployed {
		r.t.Fatalf("upgrade after recovery: %+v", next)
	}
	return fmt.Sprintf("deployed at revision %d (%s), then upgraded", st.Revision, st.Images[helm.Backend])
}
