package helm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

// OperationError is an install, upgrade, rollback or scale that failed: what
// was wrong with the pods, and what Helm did about it.
type OperationError struct {
	Op       Op
	Release  string
	Revision int // the revision that failed; 0 when none was recorded
	// Pods are the pods that were not Ready when the wait gave up, the ones
	// with a reason (CrashLoopBackOff...) first.
	Pods []PodState
	// RolledBack says Helm undid the operation: an install was uninstalled,
	// an upgrade rolled back to RolledBackTo.
	RolledBack   bool
	RolledBackTo int
	// After is the release as it stands now; nil when nothing is installed.
	After *Release
	// Cancelled says the caller's context ended the wait (errors.Is then
	// matches its error too); Helm undid the operation as for a failure.
	Cancelled bool
	Err       error // Helm's own error

	ctxErr error
}

func (e *OperationError) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Op) + " of " + e.Release)
	if e.Revision > 0 && e.Op != OpInstall {
		fmt.Fprintf(&b, " (revision %d)", e.Revision)
	}
	if e.Cancelled {
		b.WriteString(" cancelled")
	} else {
		b.WriteString(" failed")
	}
	const shown = 3
	for i, p := range e.Pods {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more pods", len(e.Pods)-shown)
			break
		}
		fmt.Fprintf(&b, "; pod %s: %s", p.Name, p.Problem())
	}
	switch {
	case e.RolledBack && e.Op == OpInstall:
		b.WriteString("; the release was rolled back: it is uninstalled, nothing of it is left")
	case e.RolledBack:
		fmt.Fprintf(&b, "; the release was rolled back to revision %d", e.RolledBackTo)
		if e.After != nil {
			fmt.Fprintf(&b, " (now revision %d, %s)", e.After.Revision, e.After.Status)
		}
	case e.After != nil && e.After.RollbackOf > 0 && e.After.Revision > e.Revision:
		fmt.Fprintf(&b, "; rolling back to revision %d failed too: the release is %s at revision %d (roll back again, or see its pods)",
			e.After.RollbackOf, e.After.Status, e.After.Revision)
	case e.After != nil:
		fmt.Fprintf(&b, "; the release is %s at revision %d", e.After.Status, e.After.Revision)
	}
	if e.Err != nil {
		b.WriteString(" (helm: " + oneLine(e.Err.Error()) + ")")
	}
	return b.String()
}

func (e *OperationError) Unwrap() []error {
	if e.ctxErr != nil {
		return []error{e.Err, e.ctxErr}
	}
	return []error{e.Err}
}

// noteCancel records that ctx ended the operation, if it did.
func (e *OperationError) noteCancel(ctx context.Context) *OperationError {
	if err := ctx.Err(); err != nil {
		e.Cancelled, e.ctxErr = true, err
	}
	return e
}

// StuckError says the release's last revision is an operation that never
// finished, so Helm refuses to start another one until it is recovered.
type StuckError struct{ Stuck *Stuck }

func (e *StuckError) Error() string {
	s := e.Stuck
	return fmt.Sprintf("release %s is stuck in %s at revision %d (since %s): %s first",
		s.Release.Name, s.Release.Status, s.Release.Revision, s.Release.Updated.Format(time.RFC3339), s.Plan)
}

// BusyError is a change asked for while another change to the release
// runs in this process (a scale still waiting for its pods, say).
type BusyError struct {
	Release     string
	Status      string // the running change's state, e.g. pending-upgrade
	Description string // Helm's description of it, e.g. "Scale backend to 2 (tmtui)"
}

func (e *BusyError) Error() string {
	what := e.Status
	if e.Description != "" {
		what = fmt.Sprintf("%s (%s)", e.Description, e.Status)
	}
	return fmt.Sprintf("release %s is busy with another change: %s; wait until it finishes, then try again", e.Release, what)
}

// BoundsError is a replica count outside what the chart allows.
type BoundsError struct {
	Component Component
	Requested int
	Bounds    Bounds
}

func (e *BoundsError) Error() string {
	if e.Requested > e.Bounds.Max {
		return fmt.Sprintf("%s cannot have %d replicas: the chart allows at most %d (from %d to %d)",
			e.Component, e.Requested, e.Bounds.Max, e.Bounds.Min, e.Bounds.Max)
	}
	return fmt.Sprintf("%s cannot have %d replicas: the chart needs at least %d (from %d to %d); to stop the app, uninstall it",
		e.Component, e.Requested, e.Bounds.Min, e.Bounds.Min, e.Bounds.Max)
}

// oneLine keeps the first line of a multi-line message and trims it to a
// length a status line can show.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	const max = 300
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

// explain turns an RBAC refusal anywhere in err into a *k8s.PermissionError
// that names the one permission missing, as tmtui doctor names it; the
// operation's own error stays reachable with errors.As.
func (c *Client) explain(op any, err error) error {
	return k8s.ExplainForbidden(fmt.Sprintf("%v of %s", op, c.release), err)
}
