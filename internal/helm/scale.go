package helm

import (
	"context"
	"errors"
	"fmt"
	"time"

	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// ScaleFieldManager is the field manager of Scale's first, direct write of the
// Deployment's scale subresource. It never keeps the field: Scale drops
// its entry from the Deployment's managedFields once the release's
// upgrade has applied the same count (or put the old one back).
const ScaleFieldManager = "tmtui-scale"

// Scale sets a component's replica count, within the chart's bounds (read
// from its values.schema.json; 1 to 3 for the taskmaster chart).
//
// Scaling is a Helm upgrade of the release with its own chart and values,
// only <component>.replicaCount changed. That makes the release's values
// the one owner of the count:
//
//   - the count survives later upgrades, which reuse the values;
//   - server-side apply never meets a conflict: Helm (field manager "helm")
//     is the only owner of spec.replicas once Scale returns, and upgrades
//     force-take any field someone changed with kubectl;
//   - `helm get values` (and `helm get values --all`) say what runs.
//
// A Helm upgrade takes about half a second (a server-side dry run to plan
// it, then the upgrade), so the count reaches the Deployment first, at
// once, through its scale subresource: the new pods start while Helm
// records the change. Then the upgrade applies the same count under
// "helm", and Scale removes its own short-lived field ownership, so that
// Helm stays the only owner. When the upgrade fails, Scale puts the old
// count back (unless Helm's own rollback already did). A change running in
// this process on the same release is waited for first.
//
// A rollback through tmtui keeps the counts that run (see PlanRollback).
// The cost is one release revision per scale. A count already in force
// makes no new revision; Scale then returns the running revision.
// docs/scaling.md has the whole reasoning.
func (c *Client) Scale(ctx context.Context, comp Component, replicas int, o ApplyOptions) (_ *Release, err error) {
	// Scales run one after another, whole: a + pressed while the last
	// scale's upgrade runs waits for it to end (and to settle), then
	// starts from what runs, instead of being refused as busy. Any other
	// change this process makes to the release is waited for too.
	unlockScale, err := c.take(ctx, c.scaling)
	if err != nil {
		return nil, err
	}
	defer unlockScale()
	unlock, err := c.lock(ctx)
	if err != nil {
		return nil, err
	}
	unlock()
	settle, err := c.scaleAhead(ctx, comp, replicas)
	if err != nil {
		return nil, c.explain(OpScale, err)
	}
	defer func() { settle(err) }()
	p, err := c.PlanScale(ctx, comp, replicas)
	if err != nil {
		return nil, err
	}
	if p.Diff.Empty() && !p.drift {
		running := p.From
		return &running, nil
	}
	return c.Apply(ctx, p, o)
}

// scaleAhead checks the scale as PlanScale would (a known component, a
// release that runs and is not busy or stuck, a count within the chart's
// bounds), then writes the count to the Deployment's scale subresource.
// settle, called with Scale's outcome, undoes that write's traces: it puts
// the old count back after a failure (when the count is still Scale's),
// and always drops ScaleFieldManager's managedFields entry.
func (c *Client) scaleAhead(ctx context.Context, comp Component, replicas int) (settle func(error), err error) {
	none := func(error) {}
	if err := comp.valid(); err != nil {
		return nil, err
	}
	if c.clientset == nil {
		return none, nil
	}
	if c.busyHere() { // another change began since Scale's turn came
		return nil, &BusyError{Release: c.release, Status: "a change by this tmtui"}
	}
	cfg, err := c.newConfig()
	if err != nil {
		return nil, err
	}
	running, err := cancellable(ctx, func() (*releasev1.Release, error) { return c.runningUnstuck(cfg) })
	if err != nil {
		return nil, err
	}
	if b := replicaBounds(running.Chart, comp); replicas < b.Min || replicas > b.Max {
		return nil, &BoundsError{Component: comp, Requested: replicas, Bounds: b}
	}
	cs, err := c.clientset()
	if err != nil {
		return none, nil // PlanScale will say what is wrong
	}
	deps, name := cs.AppsV1().Deployments(c.namespace), c.release+"-"+string(comp)
	// setScale sets the count from want to to, unless the Deployment runs
	// another count than want (someone else changed it: leave it alone).
	// The controller updates the Deployment often: a write that lost the
	// race reads it again.
	setScale := func(ctx context.Context, want func(int32) bool, to int32) (wrote bool, err error) {
		err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
			sc, err := deps.GetScale(ctx, name, metav1.GetOptions{})
			if err != nil || !want(sc.Spec.Replicas) {
				return err
			}
			sc.Spec.Replicas = to
			_, err = deps.UpdateScale(ctx, name, sc, metav1.UpdateOptions{FieldManager: ScaleFieldManager})
			wrote = err == nil
			return err
		})
		return wrote, err
	}
	// The write runs to its end even when ctx is cancelled meanwhile: a
	// request cut off in flight may have changed the count without Scale
	// knowing, and then nothing would put the old one back.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var old int32
	wrote, err := setScale(wctx, func(n int32) bool { old = n; return int(n) != replicas }, int32(replicas))
	if !wrote && (err == nil || refused(err)) {
		// Nothing to do, or the API server said no (no such Deployment, a
		// renamed chart? no permission?): Helm alone.
		c.logger.Debug("scale: no direct write; scaling through Helm alone", "deployment", name, "err", err)
		return none, nil
	}
	// Written, or an outcome unknown (a timeout): settle puts the old count
	// back after a failure, if the count is still Scale's.
	return func(scaleErr error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if scaleErr != nil {
			if _, err := setScale(ctx, func(n int32) bool { return int(n) == replicas }, old); err != nil {
				c.logger.Warn("scale: could not put the old count back", "deployment", name, "replicas", old, "err", err)
			}
		}
		if err := dropManager(ctx, cs, c.namespace, name, ScaleFieldManager); err != nil {
			c.logger.Warn("scale: could not hand spec.replicas back to helm", "deployment", name, "err", err)
		}
	}, nil
}

// refused says whether err is the API server's answer that it did not make
// a change (not a timeout, after which the change may have been made).
func refused(err error) bool {
	var status apierrors.APIStatus
	return errors.As(err, &status) && !apierrors.IsTimeout(err) && !apierrors.IsServerTimeout(err)
}

// dropManager removes a field manager's entry from a Deployment's
// managedFields, so that it owns no field any more. A JSON patch tests the
// entry before removing it: a concurrent change to the list fails the
// patch instead of removing another manager's entry; then it tries again.
func dropManager(ctx context.Context, cs kubernetes.Interface, namespace, name, manager string) error {
	deps := cs.AppsV1().Deployments(namespace)
	var err error
	for range 3 {
		var d, got = deps.Get(ctx, name, metav1.GetOptions{})
		if got != nil {
			return got
		}
		i := -1
		for j, mf := range d.ManagedFields {
			if mf.Manager == manager {
				i = j
				break
			}
		}
		if i < 0 {
			return nil
		}
		patch := fmt.Sprintf(`[{"op":"test","path":"/metadata/managedFields/%d/manager","value":%q},{"op":"remove","path":"/metadata/managedFields/%d"}]`, i, manager, i)
		if _, err = deps.Patch(ctx, name, types.JSONPatchType, []byte(patch), metav1.PatchOptions{}); err == nil {
			return nil
		}
	}
	return err
}
