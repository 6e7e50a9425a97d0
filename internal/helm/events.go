package helm

import (
	"log/slog"
	"time"
)

// Op names an operation that changes the release.
type Op string

// The operations that report progress.
const (
	OpInstall   Op = "install"
	OpUpgrade   Op = "upgrade"
	OpRollback  Op = "rollback"
	OpScale     Op = "scale"
	OpUninstall Op = "uninstall"
	OpTest      Op = "test"
	OpRecover   Op = "recover"
)

// Step is where an operation has got to.
type Step string

// The steps an operation goes through; not every operation has every step.
const (
	StepStart    Step = "start"    // the operation begins
	StepApply    Step = "apply"    // objects are being sent to the cluster
	StepWait     Step = "wait"     // waiting for the objects to be ready; Pods says how they are
	StepRollback Step = "rollback" // it failed and Helm is undoing it
	StepDone     Step = "done"     // finished, well or not: the call's return value says which
)

// Event is one report of an operation's progress.
type Event struct {
	Time    time.Time
	Op      Op
	Step    Step
	Message string     // one line for a status bar
	Pods    []PodState // with StepWait: the release's pods as last seen
}

// emitter sends events without ever holding up the operation: an event
// that finds the channel full is dropped (progress is advisory; the call's
// return value is the result). A nil channel takes nothing.
type emitter struct {
	ch     chan<- Event
	op     Op
	now    func() time.Time
	logger *slog.Logger
}

func (e emitter) emit(step Step, msg string, pods []PodState) {
	e.logger.Debug("helm progress", "op", string(e.op), "step", string(step), "msg", msg)
	if e.ch == nil {
		return
	}
	select {
	case e.ch <- Event{Time: e.now(), Op: e.op, Step: step, Message: msg, Pods: pods}:
	default:
	}
}

func (c *Client) emitter(ch chan<- Event, op Op) emitter {
	return emitter{ch: ch, op: op, now: c.now, logger: c.logger}
}
