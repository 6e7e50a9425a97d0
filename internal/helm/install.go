package helm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/kube"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

// ApplyOptions tune an operation that changes the release.
type ApplyOptions struct {
	// Timeout bounds the whole operation, waiting for the pods included;
	// DefaultTimeout when zero. When it runs out, Helm undoes the operation.
	Timeout time.Duration
	// Events receives progress; it is never waited on (see Event). May be nil.
	Events chan<- Event
}

// InstallOptions say how to install.
type InstallOptions struct {
	Overrides Overrides // values over the chart's defaults
	ApplyOptions
}

// Install installs the release from the Client's chart and waits until
// every object is ready. If that does not happen within the timeout, Helm
// uninstalls what it made, and the error, an *OperationError, names the
// pods that were failing and why.
//
// A release that exists already is refused (upgrade it instead), as is one
// stuck mid-operation (a *StuckError: Recover it first). A release whose
// last revision failed or was uninstalled with its history kept is replaced.
func (c *Client) Install(ctx context.Context, o InstallOptions) (_ *Release, err error) {
	defer func() { err = c.explain(OpInstall, err) }()
	em := c.emitter(o.Events, OpInstall)
	vals, err := o.Overrides.Values()
	if err != nil {
		return nil, err
	}
	ch, err := c.loadChart()
	if err != nil {
		return nil, err
	}
	if err := checkReplicaOverrides(ch, o.Overrides); err != nil {
		return nil, err
	}
	cfg, unlock, err := c.begin(ctx, func(err error) {
		em.emit(StepRollback, "not ready in time ("+oneLine(err.Error())+"): uninstalling what was made", nil)
	})
	if err != nil {
		return nil, err
	}
	defer unlock()
	existing, err := c.last(cfg)
	switch {
	case errors.Is(err, ErrNotInstalled):
	case err != nil:
		return nil, err
	case existing.Info.Status.IsPending() || existing.Info.Status == rcommon.StatusUninstalling:
		return nil, &StuckError{Stuck: c.stuckFrom(cfg, existing)}
	case existing.Info.Status != rcommon.StatusFailed && existing.Info.Status != rcommon.StatusUninstalled:
		return nil, fmt.Errorf("release %s is already installed in namespace %s (revision %d, %s): upgrade it instead",
			c.release, c.namespace, existing.Version, existing.Info.Status)
	}

	in := action.NewInstall(cfg)
	in.ReleaseName, in.Namespace = c.release, c.namespace
	in.WaitStrategy, in.WaitOptions, in.Timeout = kube.StatusWatcherStrategy, waitOptions(), timeoutOr(o.Timeout)
	in.RollbackOnFailure = true
	in.Replace = true // only ever replaces a failed or uninstalled record; see above
	in.DisableOpenAPIValidation = serverValidates

	em.emit(StepStart, fmt.Sprintf("installing %s (chart %s) into namespace %s", c.release, chartName(ch), c.namespace), nil)
	pods := c.recordPods(ctx, em)
	em.emit(StepApply, "creating the objects, then waiting for them to be ready", nil)
	r, err := in.RunWithContext(context.WithoutCancel(ctx), ch, vals)
	seen := pods.finish()
	if se := asSchemaError(err, c.release, ch); se != err {
		em.emit(StepDone, se.Error(), nil)
		return nil, se
	}
	if err != nil {
		opErr := c.installFailure(ctx, timeoutOr(o.Timeout), seen, err)
		em.emit(StepDone, opErr.Error(), nil)
		return nil, opErr
	}
	rel, err := asV1(r)
	if err != nil {
		return nil, err
	}
	out := toRelease(rel)
	em.emit(StepDone, fmt.Sprintf("installed %s: revision %d %s", c.release, out.Revision, out.Status), seen)
	return out, nil
}

// installFailure explains a failed install. Helm reports the rollback
// (an uninstall, for an install) only in its error's text.
func (c *Client) installFailure(ctx context.Context, timeout time.Duration, seen []PodState, err error) error {
	msg := err.Error()
	rolledBack := strings.Contains(msg, "has been uninstalled due to rollback-on-failure")
	applied := rolledBack || strings.Contains(msg, "while uninstalling the release") || len(seen) > 0
	if !applied {
		// It failed before sending anything (values, rendering, a conflict).
		return fmt.Errorf("install of %s: %w", c.release, err)
	}
	opErr := (&OperationError{Op: OpInstall, Release: c.release, Revision: 1, Pods: failingPods(seen), RolledBack: rolledBack, Err: err}).noteCancel(ctx)
	if after, serr := c.Status(context.WithoutCancel(ctx)); serr == nil {
		opErr.After = after
		opErr.RolledBack = false
	}
	if opErr.RolledBack {
		// "Nothing of it is left" must be true when the caller reads it.
		if err := c.waitGone(context.WithoutCancel(ctx), timeout); err != nil {
			c.logger.Warn("after the failed install", "err", err)
		}
	}
	return opErr
}

// checkReplicaOverrides refuses replica counts the chart does not allow,
// with a clearer message than the schema's.
func checkReplicaOverrides(ch *chart.Chart, o Overrides) error {
	for comp, n := range o.Replicas {
		if err := comp.valid(); err != nil {
			return err
		}
		b := replicaBounds(ch, comp)
		if n < b.Min || n > b.Max {
			return &BoundsError{Component: comp, Requested: n, Bounds: b}
		}
	}
	return nil
}

func chartName(ch *chart.Chart) string {
	if ch == nil || ch.Metadata == nil {
		return "?"
	}
	return ch.Metadata.Name + "-" + ch.Metadata.Version
}

// Uninstall removes the release, its history included, and waits until its
// objects are gone (their pods follow within moments). Objects the chart
// does not make (the Secret taskmaster-secret, the namespace) stay.
func (c *Client) Uninstall(ctx context.Context, o ApplyOptions) (err error) {
	defer func() { err = c.explain("uninstall", err) }()
	em := c.emitter(o.Events, OpUninstall)
	cfg, unlock, err := c.begin(ctx, nil)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := c.last(cfg); err != nil {
		return err
	}
	em.emit(StepStart, fmt.Sprintf("uninstalling %s from namespace %s", c.release, c.namespace), nil)
	if err := c.uninstall(ctx, cfg, timeoutOr(o.Timeout)); err != nil {
		em.emit(StepDone, err.Error(), nil)
		return err
	}
	em.emit(StepDone, fmt.Sprintf("uninstalled %s", c.release), nil)
	return nil
}

func (c *Client) uninstall(ctx context.Context, cfg *action.Configuration, timeout time.Duration) error {
	un := action.NewUninstall(cfg)
	un.WaitStrategy, un.WaitOptions, un.Timeout = kube.StatusWatcherStrategy, waitOptions(), timeout
	// Foreground: the Deployments go only once their pods are gone, so a
	// finished uninstall leaves nothing running.
	un.DeletionPropagation = "foreground"
	start := time.Now()
	if _, err := un.Run(c.release); err != nil {
		err = fmt.Errorf("uninstall of %s: %w", c.release, err)
		return c.whyNoDelete(ctx, err)
	}
	return c.waitGone(ctx, timeout-time.Since(start))
}

// deletedKinds are what an uninstall deletes: the chart's objects, then
// the release's records (Secrets).
var deletedKinds = [][2]string{{"apps", "deployments"}, {"", "services"}, {"", "configmaps"}, {"", "secrets"},
	{"networking.k8s.io", "networkpolicies"}, {"policy", "poddisruptionbudgets"}}

// whyNoDelete explains a failed uninstall whose error does not say why
// (Helm logs each refused deletion and returns "failed to delete release"):
// it asks the API server which deletions the account may not make, and
// names them as tmtui doctor does. Any other failure comes back as it is.
func (c *Client) whyNoDelete(ctx context.Context, err error) error {
	if c.clientset == nil || strings.Contains(err.Error(), "forbidden") {
		return err
	}
	cs, cerr := c.clientset()
	if cerr != nil {
		return err
	}
	var missing []string
	for _, k := range deletedKinds {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: c.namespace, Verb: "delete", Group: k[0], Resource: k[1]},
		}}
		res, rerr := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(context.WithoutCancel(ctx), review, metav1.CreateOptions{})
		if rerr != nil {
			return err
		}
		if !res.Status.Allowed {
			name := "delete " + k[1]
			if k[0] != "" {
				name += "." + k[0]
			}
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return err
	}
	return &k8s.PermissionError{Action: "uninstall of " + c.release, Namespace: c.namespace, Permission: strings.Join(missing, ", "), Err: err}
}

// waitGone waits until the release's Deployments and the pods they made are
// gone. Helm's own wait (v4.3.1) can return while a Deployment is still
// being deleted, its pods with it; an install right after would then meet
// the old objects.
func (c *Client) waitGone(ctx context.Context, timeout time.Duration) error {
	if c.clientset == nil {
		return nil
	}
	cs, err := c.clientset()
	if err != nil {
		return err
	}
	sel := metav1.ListOptions{LabelSelector: instanceSelector(c.release)}
	var left []string
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, max(timeout, time.Second), true, func(ctx context.Context) (bool, error) {
		left = left[:0]
		deps, err := cs.AppsV1().Deployments(c.namespace).List(ctx, sel)
		if err != nil {
			return false, nil // the next poll will tell
		}
		for _, d := range deps.Items {
			left = append(left, "Deployment/"+d.Name)
		}
		pods, err := cs.CoreV1().Pods(c.namespace).List(ctx, sel)
		if err != nil {
			return false, nil
		}
		for _, p := range pods.Items {
			// Hook pods (a failed `helm test`) are kept on purpose; the
			// app's pods belong to a ReplicaSet.
			if metav1.GetControllerOf(&p) != nil {
				left = append(left, "Pod/"+p.Name)
			}
		}
		return len(left) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("uninstalled %s, but %s still being deleted: %w", c.release, strings.Join(left, ", "), err)
	}
	return nil
}

// TestResult is how `helm test` went.
type TestResult struct {
	Passed bool
	Tests  []TestRun
	// Logs are the test pods' logs, fetched when a test failed (a passing
	// test pod is deleted straight away, as the chart asks).
	Logs string
}

// TestRun is one test hook's last run.
type TestRun struct {
	Name      string
	Phase     string // Succeeded, Failed, Running, Unknown
	Started   time.Time
	Completed time.Time
}

// Test runs the chart's tests (`helm test`): the pods the chart marks as
// test hooks, which must succeed within the timeout. A failed test gives an
// error along with the result, whose Logs then hold the test pods' logs.
func (c *Client) Test(ctx context.Context, o ApplyOptions) (_ *TestResult, err error) {
	defer func() { err = c.explain("helm test", err) }()
	em := c.emitter(o.Events, OpTest)
	cfg, unlock, err := c.begin(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer unlock()
	last, err := c.last(cfg)
	if err != nil {
		return nil, err
	}
	if last.Info.Status != rcommon.StatusDeployed {
		return nil, fmt.Errorf("release %s is %s at revision %d: only a deployed release can be tested", c.release, last.Info.Status, last.Version)
	}
	em.emit(StepStart, fmt.Sprintf("running the tests of %s", c.release), nil)
	rt := action.NewReleaseTesting(cfg)
	rt.Namespace, rt.Timeout, rt.WaitOptions = c.namespace, timeoutOr(o.Timeout), waitOptions()
	r, shutdown, runErr := rt.Run(c.release)
	res := &TestResult{}
	if rel, err := asV1(r); err == nil {
		for _, h := range rel.Hooks {
			if h == nil || !isTestHook(h) {
				continue
			}
			res.Tests = append(res.Tests, TestRun{Name: h.Name, Phase: string(h.LastRun.Phase), Started: h.LastRun.StartedAt, Completed: h.LastRun.CompletedAt})
		}
		if runErr != nil {
			var logs strings.Builder
			if err := rt.GetPodLogs(&logs, rel); err != nil {
				c.logger.Info("helm test: no logs from the test pods", "err", err)
			}
			res.Logs = logs.String()
		}
	}
	if shutdown != nil {
		if err := shutdown(); err != nil {
			c.logger.Warn("helm test: cleaning up the test pods", "err", err)
		}
	}
	res.Passed = runErr == nil
	if runErr != nil {
		err := fmt.Errorf("tests of %s failed: %w", c.release, runErr)
		em.emit(StepDone, err.Error(), nil)
		return res, err
	}
	em.emit(StepDone, fmt.Sprintf("tests of %s passed (%d)", c.release, len(res.Tests)), nil)
	return res, nil
}

func isTestHook(h *releasev1.Hook) bool {
	for _, e := range h.Events {
		if e == releasev1.HookTest {
			return true
		}
	}
	return false
}
