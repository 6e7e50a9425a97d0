package helm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"helm.sh/helm/v4/pkg/action"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
)

// Stuck describes a release whose latest revision is an operation that
// never finished: pending-install, pending-upgrade or pending-rollback (or
// uninstalling), as a process killed mid-operation leaves it. Helm refuses
// every other operation on it until it is recovered.
//
// A pending revision may also be an operation running right now in another
// tmtui or helm: show Release.Updated (how long it has been pending) before
// offering Recover.
type Stuck struct {
	Release Release // the unfinished revision
	// RollbackTo is the revision recovery rolls back to: the last one that
	// was deployed. 0 when none ever was; recovery then uninstalls.
	RollbackTo int
	// Plan says what Recover will do, in words: "roll back to revision 2".
	Plan string
}

// DetectStuck returns the release's unfinished operation, or nil when it
// is not stuck (or not installed).
func (c *Client) DetectStuck(ctx context.Context) (_ *Stuck, err error) {
	defer func() { err = c.explain("reading the release", err) }()
	return cancellable(ctx, func() (*Stuck, error) {
		cfg, err := c.newConfig()
		if err != nil {
			return nil, err
		}
		last, err := c.last(cfg)
		if errors.Is(err, ErrNotInstalled) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !isStuck(last) || c.busyHere() {
			return nil, nil // (pending because of a change running here: busy, not stuck)
		}
		return c.stuckFrom(cfg, last), nil
	})
}

func isStuck(r *releasev1.Release) bool {
	return r.Info != nil && (r.Info.Status.IsPending() || r.Info.Status == rcommon.StatusUninstalling)
}

// stuckFrom describes the stuck revision last and how to recover it.
func (c *Client) stuckFrom(cfg *action.Configuration, last *releasev1.Release) *Stuck {
	s := &Stuck{Release: *toRelease(last)}
	if last.Info.Status != rcommon.StatusUninstalling {
		if rels, err := c.history(cfg); err == nil {
			// The revision to go back to: the latest that ran well. As in
			// Helm's own rollback-on-failure, a superseded one counts (it
			// ran until a later one replaced it).
			for i := len(rels) - 1; i >= 0; i-- {
				st := rels[i].Info.Status
				if rels[i].Version < last.Version && (st == rcommon.StatusDeployed || st == rcommon.StatusSuperseded) {
					s.RollbackTo = rels[i].Version
					break
				}
			}
		}
	}
	switch {
	case last.Info.Status == rcommon.StatusUninstalling:
		s.Plan = "finish the uninstall"
	case s.RollbackTo > 0:
		s.Plan = fmt.Sprintf("roll back to revision %d, the last one deployed", s.RollbackTo)
	default:
		s.Plan = "uninstall it (no revision of it was ever deployed), then install again"
	}
	return s
}

// Recover brings a stuck release back to a clean state: it marks the
// unfinished revision failed ("interrupted"), then rolls back to the last
// deployed revision, or uninstalls the release when none was ever
// deployed (a killed first install). It returns the release as it stands
// after, nil when it was uninstalled. A release that is not stuck is left
// alone and returned as it is.
func (c *Client) Recover(ctx context.Context, o ApplyOptions) (_ *Release, err error) {
	defer func() { err = c.explain(OpRecover, err) }()
	em := c.emitter(o.Events, OpRecover)
	cfg, unlock, err := c.begin(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer unlock()
	last, err := c.last(cfg)
	if err != nil {
		return nil, err
	}
	if !isStuck(last) {
		return toRelease(last), nil
	}
	stuck := c.stuckFrom(cfg, last)
	em.emit(StepStart, fmt.Sprintf("recovering %s from %s at revision %d: %s", c.release, last.Info.Status, last.Version, stuck.Plan), nil)
	timeout := timeoutOr(o.Timeout)

	if last.Info.Status == rcommon.StatusUninstalling || stuck.RollbackTo == 0 {
		if err := c.uninstall(ctx, cfg, timeout); err != nil {
			return nil, fmt.Errorf("recovering %s: %w", c.release, err)
		}
		em.emit(StepDone, fmt.Sprintf("recovered %s: uninstalled", c.release), nil)
		return nil, nil
	}

	// Helm rolls back from the latest revision; it must say it failed, or
	// it would stay pending in the history for ever.
	last.SetStatus(rcommon.StatusFailed, fmt.Sprintf("Interrupted: the %s never finished; recovered by tmtui on %s", last.Info.Status, c.now().UTC().Format(time.RFC3339)))
	if err := cfg.Releases.Update(last); err != nil {
		return nil, fmt.Errorf("recovering %s: marking revision %d failed: %w", c.release, last.Version, err)
	}
	pods := c.recordPods(ctx, em)
	rb := c.rollbackAction(cfg, stuck.RollbackTo, timeout)
	rb.Description = fmt.Sprintf("Rollback to %d (recovery by tmtui)", stuck.RollbackTo)
	em.emit(StepApply, fmt.Sprintf("rolling back to revision %d", stuck.RollbackTo), nil)
	runErr := rb.Run(c.release)
	seen := pods.finish()
	after, statusErr := c.Status(context.WithoutCancel(ctx))
	if runErr != nil {
		opErr := (&OperationError{Op: OpRecover, Release: c.release, Revision: last.Version + 1, Pods: failingPods(seen), Err: runErr}).noteCancel(ctx)
		if statusErr == nil {
			opErr.After = after
		}
		return nil, opErr
	}
	if statusErr != nil {
		return nil, statusErr
	}
	em.emit(StepDone, fmt.Sprintf("recovered %s: revision %d %s", c.release, after.Revision, after.Status), seen)
	return after, nil
}
