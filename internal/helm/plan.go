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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Plan is a change to the release worked out but not made: what it would
// do, object by object, for the caller to show and confirm before Apply.
type Plan struct {
	Op        Op // OpUpgrade, OpRollback or OpScale
	Release   string
	Namespace string
	// From is the revision running now, which the change starts from.
	From Release
	// To is the revision a rollback goes back to; 0 for an upgrade or scale.
	To int
	// Diff is what changes in the cluster (Secret values masked).
	Diff ManifestDiff
	// Values are the values the new revision will have, as supplied by the
	// user (chart defaults left out; secret values masked).
	Values map[string]any
	// Notes are what else the caller should show before asking: replica
	// counts a rollback keeps, counts changed outside tmtui that this change
	// resets, a new chart version.
	Notes []string

	mode         planMode
	chart        *chart.Chart
	vals         map[string]any
	description  string
	lastRevision int  // the latest revision when planned; Apply refuses if it moved
	drift        bool // a Deployment runs another replica count than the values say
}

type planMode int

const (
	// modeUpgrade: a Helm upgrade that reuses the release's values and puts
	// vals over them.
	modeUpgrade planMode = iota
	// modeUpgradeExact: a Helm upgrade to exactly vals on chart (a rollback
	// that keeps the user's replica counts).
	modeUpgradeExact
	// modeRollback: a Helm rollback to revision To.
	modeRollback
)

// PlanUpgrade works out an upgrade to the Client's chart (built in, or the
// chart folder) with the release's current values and the overrides over
// them: a dry run renders the new manifest, which is compared with the
// running one. Nothing is sent that changes the cluster.
func (c *Client) PlanUpgrade(ctx context.Context, o Overrides) (_ *Plan, err error) {
	defer func() { err = c.explain(OpUpgrade, err) }()
	vals, err := o.Values()
	if err != nil {
		return nil, err
	}
	ch, err := c.loadChart()
	if err != nil {
		return nil, err
	}
	if err := checkReplicaOverrides(ch, o); err != nil {
		return nil, err
	}
	return c.plan(ctx, OpUpgrade, modeUpgrade, ch, vals, "")
}

// PlanScale works out setting a component's replica count, as an upgrade of
// the release with its own chart and values and only replicaCount changed
// (see Scale for why it is an upgrade). The count must be within the chart's
// bounds (a *BoundsError otherwise); a count already in force plans nothing
// (an empty Diff).
func (c *Client) PlanScale(ctx context.Context, comp Component, replicas int) (_ *Plan, err error) {
	defer func() { err = c.explain(OpScale, err) }()
	if err := comp.valid(); err != nil {
		return nil, err
	}
	cfg, err := c.newConfig()
	if err != nil {
		return nil, err
	}
	running, err := cancellable(ctx, func() (*releasev1.Release, error) { return c.runningUnstuck(cfg) })
	if err != nil {
		return nil, err
	}
	b := replicaBounds(running.Chart, comp)
	if replicas < b.Min || replicas > b.Max {
		return nil, &BoundsError{Component: comp, Requested: replicas, Bounds: b}
	}
	vals := map[string]any{string(comp): map[string]any{"replicaCount": replicas}}
	desc := fmt.Sprintf("Scale %s to %d (tmtui)", comp, replicas)
	return c.plan(ctx, OpScale, modeUpgrade, running.Chart, vals, desc)
}

// ReplicaBounds are the replica counts the running revision's chart allows
// for a component (from its values.schema.json), for showing the limits
// before asking for a count.
func (c *Client) ReplicaBounds(ctx context.Context, comp Component) (Bounds, error) {
	if err := comp.valid(); err != nil {
		return Bounds{}, err
	}
	running, err := cancellable(ctx, func() (*releasev1.Release, error) {
		cfg, err := c.newConfig()
		if err != nil {
			return nil, err
		}
		return c.running(cfg)
	})
	if err != nil {
		return Bounds{}, err
	}
	return replicaBounds(running.Chart, comp), nil
}

// PlanRollback works out going back to a revision: the running revision's
// manifest compared with what the rollback would apply.
//
// Replica counts are the exception: they stay as they run now (see Scale).
// When the target revision's counts are the same, the plan is a plain Helm
// rollback. When they differ, it is an upgrade to the target revision's
// chart and values with the current counts kept, recorded as "Rollback to
// N, keeping ..."; one step, so no pod is removed only to come back, and
// `helm get values` stays true to what runs.
func (c *Client) PlanRollback(ctx context.Context, revision int) (_ *Plan, err error) {
	defer func() { err = c.explain(OpRollback, err) }()
	if revision < 1 {
		return nil, fmt.Errorf("revision %d: revisions count from 1", revision)
	}
	cfg, err := c.newConfig()
	if err != nil {
		return nil, err
	}
	type pair struct {
		running, target *releasev1.Release
		last            int
	}
	p, err := cancellable(ctx, func() (pair, error) {
		running, last, err := c.runningAndLast(cfg)
		if err != nil {
			return pair{}, err
		}
		target, err := c.get(cfg, revision)
		return pair{running, target, last}, err
	})
	if err != nil {
		return nil, err
	}
	running, target := p.running, p.target
	if target.Version == running.Version {
		return nil, fmt.Errorf("revision %d is the one running: nothing to roll back to", revision)
	}

	current, wanted := toRelease(running), toRelease(target)
	vals := deepCopy(target.Config)
	if vals == nil {
		vals = map[string]any{}
	}
	var kept, notes []string
	for _, comp := range Components {
		now, ok := current.Replicas[comp]
		if !ok || now == wanted.Replicas[comp] {
			continue
		}
		if b := replicaBounds(target.Chart, comp); now < b.Min || now > b.Max {
			notes = append(notes, fmt.Sprintf("%s goes from %d to %d replicas: revision %d's chart allows %d to %d, so your count cannot be kept",
				comp, now, wanted.Replicas[comp], revision, b.Min, b.Max))
			continue
		}
		m, _ := vals[string(comp)].(map[string]any)
		m = shallowCopy(m)
		if m == nil {
			m = map[string]any{}
		}
		m["replicaCount"] = now
		vals[string(comp)] = m
		kept = append(kept, fmt.Sprintf("%s=%d", comp, now))
		notes = append(notes, fmt.Sprintf("%s keeps its %d replicas (revision %d had %d): replica counts stay as you set them (docs/scaling.md)",
			comp, now, revision, wanted.Replicas[comp]))
	}

	if len(kept) == 0 {
		diff, err := DiffManifests(fullManifest(running), fullManifest(target), c.namespace)
		if err != nil {
			return nil, err
		}
		drift := c.replicaDrift(ctx, wanted)
		notes = append(notes, drift...)
		return &Plan{
			Op: OpRollback, Release: c.release, Namespace: c.namespace,
			From: *current, To: revision, Diff: diff, Values: maskValueSecrets(orEmpty(target.Config)), Notes: notes,
			mode: modeRollback, lastRevision: p.last, drift: len(drift) > 0,
		}, nil
	}
	desc := fmt.Sprintf("Rollback to %d, keeping replicas %s (tmtui)", revision, strings.Join(kept, " "))
	p2, err := c.plan(ctx, OpRollback, modeUpgradeExact, target.Chart, vals, desc)
	if err != nil {
		return nil, err
	}
	p2.To = revision
	p2.Notes = append(notes, p2.Notes...)
	return p2, nil
}

// plan runs the upgrade as a dry run and diffs its manifest with the
// running one.
func (c *Client) plan(ctx context.Context, op Op, mode planMode, ch *chart.Chart, vals map[string]any, desc string) (*Plan, error) {
	cfg, err := c.newConfig()
	if err != nil {
		return nil, err
	}
	type result struct {
		running, dry *releasev1.Release
		last         int
	}
	res, err := cancellable(ctx, func() (result, error) {
		running, last, err := c.runningAndLast(cfg)
		if err != nil {
			return result{}, err
		}
		up := c.upgradeAction(cfg, mode)
		up.DryRunStrategy = action.DryRunServer
		r, err := up.RunWithContext(context.WithoutCancel(ctx), c.release, ch, deepCopy(vals))
		if err != nil {
			if se := asSchemaError(err, c.release, ch); se != err {
				return result{}, se
			}
			return result{}, fmt.Errorf("%s of %s: %w", op, c.release, err)
		}
		dry, err := asV1(r)
		return result{running, dry, last}, err
	})
	if err != nil {
		return nil, err
	}
	diff, err := DiffManifests(fullManifest(res.running), fullManifest(res.dry), c.namespace)
	if err != nil {
		return nil, err
	}
	p := &Plan{
		Op: op, Release: c.release, Namespace: c.namespace,
		From: *toRelease(res.running), Diff: diff, Values: maskValueSecrets(orEmpty(res.dry.Config)),
		mode: mode, chart: ch, vals: vals, description: desc, lastRevision: res.last,
	}
	if from, to := chartName(res.running.Chart), chartName(ch); from != to {
		p.Notes = append(p.Notes, fmt.Sprintf("the chart changes from %s to %s", from, to))
	}
	drift := c.replicaDrift(ctx, toRelease(res.dry))
	p.drift = len(drift) > 0
	p.Notes = append(p.Notes, drift...)
	return p, nil
}

func (c *Client) upgradeAction(cfg *action.Configuration, mode planMode) *action.Upgrade {
	up := action.NewUpgrade(cfg)
	up.Namespace = c.namespace
	if mode == modeUpgradeExact {
		up.ResetValues = true
	} else {
		// The user's values from the release, over the new chart's defaults
		// (not the old chart's, as --reuse-values would: a newer built-in
		// chart's new defaults must apply).
		up.ResetThenReuseValues = true
	}
	up.ServerSideApply, up.ForceConflicts = applyServerSide, true
	up.DisableOpenAPIValidation = serverValidates
	return up
}

// rollbackAction is a Helm rollback to revision, as tmtui runs every one
// (a rollback planned here, and the recovery of a stuck release).
func (c *Client) rollbackAction(cfg *action.Configuration, revision int, timeout time.Duration) *action.Rollback {
	rb := action.NewRollback(cfg)
	rb.Version = revision
	rb.WaitStrategy, rb.WaitOptions, rb.Timeout = kube.StatusWatcherStrategy, waitOptions(), timeout
	rb.ServerSideApply, rb.ForceConflicts = applyServerSide, true
	return rb
}

// applyServerSide is how every change tmtui makes to a release applies its
// objects (upgrade, scale, rollback, recovery, and the rollback Helm runs
// after a failed upgrade, which inherits the upgrade's setting): always
// server-side, with ForceConflicts. Helm's values own every field the
// chart renders, replicas included (docs/scaling.md): a field someone
// changed with kubectl is taken back, never a conflict that blocks the
// change.
//
// Never Helm's default "auto": "auto" applies client-side when the
// revision the change starts from (for a rollback: goes back to) was
// applied client-side, as every revision made by Helm 3 was, and Helm then
// refuses ForceConflicts ("forceConflicts enabled when serverSideApply
// disabled"): the upgrade failed, and so did Helm's rollback of it, leaving
// the release at a failed revision. Forcing conflicts only when "auto"
// chose server-side would keep such a release client-side for ever, where
// a field changed with kubectl survives an upgrade. So a release made
// client-side moves to server-side apply at tmtui's first change, as
// `helm upgrade --server-side=true --force-conflicts` moves it: Helm
// first turns the objects' client-side field ownership ("helm", Update)
// into server-side ownership under the same name. The Helm 3 CLI still
// upgrades and rolls back such a release (docs/scaling.md, "Releases made
// by Helm 3").
const applyServerSide = "true"

// serverValidates turns off Helm's client-side "OpenAPI validation" of
// installs and upgrades, because the API server does that validation
// itself: Helm sends every create and apply with fieldValidation=Strict
// (its default), and the plan's dry run goes to the server too, so an
// unknown or duplicated field is refused there either way. On a server
// that knows fieldValidation (every Kubernetes since 1.27) the client-side
// step validates nothing; it only asks the server whether it validates,
// and to learn that, Helm downloads and parses the whole OpenAPI v3
// document of each API group the chart uses, on every install, plan and
// upgrade (a new cache each time). That parsing was a quarter of the CPU
// of internal/helm's tests (go test -cpuprofile, docs/testing.md) and a
// second or more of every plan on a laptop.
const serverValidates = true

// replicaDrift notes the components whose Deployments run a replica count
// other than their values say (a `kubectl scale`): the change resets them.
func (c *Client) replicaDrift(ctx context.Context, next *Release) []string {
	if c.clientset == nil {
		return nil
	}
	cs, err := c.clientset()
	if err != nil {
		return nil
	}
	var notes []string
	for _, comp := range Components {
		want, ok := next.Replicas[comp]
		if !ok {
			continue
		}
		d, err := cs.AppsV1().Deployments(c.namespace).Get(ctx, c.release+"-"+string(comp), metav1.GetOptions{})
		if err != nil || d.Spec.Replicas == nil {
			continue
		}
		if have := int(*d.Spec.Replicas); have != want {
			notes = append(notes, fmt.Sprintf("%s runs %d replicas but the release says %d (scaled outside tmtui?): this sets %d; scale with tmtui to keep a count",
				comp, have, want, want))
		}
	}
	return notes
}

// runningUnstuck is the running revision, or a *StuckError when the latest
// revision is an operation that never finished.
func (c *Client) runningUnstuck(cfg *action.Configuration) (*releasev1.Release, error) {
	running, _, err := c.runningAndLast(cfg)
	return running, err
}

// runningAndLast are the running revision and the latest one's number, or a
// *StuckError when the latest revision is an operation that never finished.
func (c *Client) runningAndLast(cfg *action.Configuration) (*releasev1.Release, int, error) {
	last, err := c.last(cfg)
	if err != nil {
		return nil, 0, err
	}
	if last.Info.Status.IsPending() || last.Info.Status == rcommon.StatusUninstalling {
		if c.busyHere() {
			return nil, 0, &BusyError{Release: c.release, Status: string(last.Info.Status), Description: last.Info.Description}
		}
		return nil, 0, &StuckError{Stuck: c.stuckFrom(cfg, last)}
	}
	running, err := c.running(cfg)
	return running, last.Version, err
}

// Apply makes the change a plan describes, waits until every object is
// ready, and returns the new revision. If the objects are not ready within
// the timeout, Helm rolls the release back to the revision that ran before,
// and the error, an *OperationError, names the failing pods and why.
//
// A plan is refused when the release has changed since it was made (another
// revision came first): plan again and show the new diff.
func (c *Client) Apply(ctx context.Context, p *Plan, o ApplyOptions) (_ *Release, err error) {
	if p == nil {
		return nil, errors.New("no plan to apply")
	}
	defer func() { err = c.explain(p.Op, err) }()
	em := c.emitter(o.Events, p.Op)
	undo := func(err error) {
		em.emit(StepRollback, "not ready in time ("+oneLine(err.Error())+"): rolling back", nil)
	}
	if p.mode == modeRollback {
		undo = nil // a Helm rollback has no undo of its own
	}
	cfg, unlock, err := c.begin(ctx, undo)
	if err != nil {
		return nil, err
	}
	defer unlock()
	last, err := c.last(cfg)
	if err != nil {
		return nil, err
	}
	if last.Version != p.lastRevision {
		return nil, fmt.Errorf("release %s changed since this %s was planned (then at revision %d, now at %d, %s): plan it again to see the new diff",
			c.release, p.Op, p.lastRevision, last.Version, last.Info.Status)
	}
	if last.Info.Status.IsPending() || last.Info.Status == rcommon.StatusUninstalling {
		return nil, &StuckError{Stuck: c.stuckFrom(cfg, last)}
	}
	timeout := timeoutOr(o.Timeout)
	newRevision := last.Version + 1
	em.emit(StepStart, p.startMessage(newRevision), nil)
	pods := c.recordPods(ctx, em)
	em.emit(StepApply, "applying the changes, then waiting for the objects to be ready", nil)

	var runErr error
	if p.mode == modeRollback {
		runErr = c.rollbackAction(cfg, p.To, timeout).Run(c.release)
	} else {
		up := c.upgradeAction(cfg, p.mode)
		up.WaitStrategy, up.WaitOptions, up.Timeout = kube.StatusWatcherStrategy, waitOptions(), timeout
		up.RollbackOnFailure = true
		up.Description = p.description
		_, runErr = up.RunWithContext(context.WithoutCancel(ctx), c.release, p.chart, deepCopy(p.vals))
	}
	seen := pods.finish()
	if runErr == nil && p.mode == modeUpgradeExact {
		c.markRollback(cfg, newRevision, p.To)
	}
	after, statusErr := c.Status(context.WithoutCancel(ctx))
	if runErr != nil {
		opErr := (&OperationError{Op: p.Op, Release: c.release, Revision: newRevision, Pods: failingPods(seen), Err: runErr}).noteCancel(ctx)
		if statusErr == nil {
			opErr.After = after
			if after.Revision > newRevision && after.RollbackOf > 0 && after.Status == StatusDeployed {
				opErr.RolledBack, opErr.RolledBackTo = true, after.RollbackOf
			}
		}
		em.emit(StepDone, opErr.Error(), seen)
		return nil, opErr
	}
	if statusErr != nil {
		return nil, statusErr
	}
	em.emit(StepDone, fmt.Sprintf("%s of %s done: revision %d %s", p.Op, c.release, after.Revision, after.Status), seen)
	return after, nil
}

// markRollback records on revision that it rolled back to revision to, as
// Helm's own rollback does: a rollback that keeps replica counts is made as
// an upgrade, which leaves that field empty.
func (c *Client) markRollback(cfg *action.Configuration, revision, to int) {
	r, err := cfg.Releases.Get(c.release, revision)
	if err == nil {
		var rel *releasev1.Release
		if rel, err = asV1(r); err == nil {
			rel.Info.RollbackRevision = to
			err = cfg.Releases.Update(rel)
		}
	}
	if err != nil {
		c.logger.Warn("recording the rollback's target revision", "revision", revision, "to", to, "err", err)
	}
}

func (p *Plan) startMessage(newRevision int) string {
	switch p.Op {
	case OpRollback:
		return fmt.Sprintf("rolling %s back to revision %d (as revision %d)", p.Release, p.To, newRevision)
	case OpScale:
		return fmt.Sprintf("%s (revision %d)", strings.TrimSuffix(p.description, " (tmtui)"), newRevision)
	default:
		return fmt.Sprintf("upgrading %s to revision %d", p.Release, newRevision)
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// deepCopy copies nested values maps and lists, so Helm's merging never
// writes into a plan's or a stored release's values.
func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopy(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopyValue(e)
		}
		return out
	default:
		return v
	}
}
