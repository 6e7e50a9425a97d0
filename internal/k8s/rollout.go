package k8s

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// RolloutState is where a deployment's rollout stands, as `kubectl rollout
// status` would say.
type RolloutState string

const (
	RolloutComplete    RolloutState = "complete"    // every replica runs the current template and is available
	RolloutProgressing RolloutState = "progressing" // still moving; Message says how far
	RolloutFailed      RolloutState = "failed"      // the progress deadline passed without progress
)

// Rollout is a deployment's rollout state and one line about it.
type Rollout struct {
	State   RolloutState
	Message string // e.g. "2 of 3 updated", "1 old replica pending termination"
}

// progressDeadlineExceeded is the reason the deployment controller puts on
// the Progressing condition when a rollout timed out (deploymentutil.TimedOutReason).
const progressDeadlineExceeded = "ProgressDeadlineExceeded"

// rolloutOf applies the rules of kubectl's DeploymentStatusViewer
// (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go), in its order,
// so tmtui and `kubectl rollout status` never disagree. They are copied
// rather than imported: the viewer takes unstructured objects and returns
// text meant for a terminal.
func rolloutOf(d *appsv1.Deployment) Rollout {
	if d.Generation > d.Status.ObservedGeneration {
		return Rollout{RolloutProgressing, "waiting for the new spec to be observed"}
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == progressDeadlineExceeded {
			msg := "exceeded its progress deadline"
			if d.Spec.ProgressDeadlineSeconds != nil {
				msg = fmt.Sprintf("no progress for %ds: exceeded its progress deadline", *d.Spec.ProgressDeadlineSeconds)
			}
			return Rollout{RolloutFailed, msg}
		}
	}
	s := d.Status
	if d.Spec.Replicas != nil && s.UpdatedReplicas < *d.Spec.Replicas {
		return Rollout{RolloutProgressing, fmt.Sprintf("%d of %d updated", s.UpdatedReplicas, *d.Spec.Replicas)}
	}
	if s.Replicas > s.UpdatedReplicas {
		old := s.Replicas - s.UpdatedReplicas
		noun := "old replicas"
		if old == 1 {
			noun = "old replica"
		}
		return Rollout{RolloutProgressing, fmt.Sprintf("%d %s pending termination", old, noun)}
	}
	if s.AvailableReplicas < s.UpdatedReplicas {
		return Rollout{RolloutProgressing, fmt.Sprintf("%d of %d updated available", s.AvailableReplicas, s.UpdatedReplicas)}
	}
	return Rollout{RolloutComplete, fmt.Sprintf("rolled out, %d available", s.AvailableReplicas)}
}

// deploymentInfo describes one deployment for a Snapshot; warnings are
// added by the caller.
func deploymentInfo(d *appsv1.Deployment) DeploymentInfo {
	desired := int32(1) // the API's default when spec.replicas is unset
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	return DeploymentInfo{
		Name:       d.Name,
		Component:  d.Labels[ComponentLabel],
		Desired:    desired,
		Current:    d.Status.Replicas,
		Updated:    d.Status.UpdatedReplicas,
		Ready:      d.Status.ReadyReplicas,
		Available:  d.Status.AvailableReplicas,
		Images:     images(d.Spec.Template.Spec.Containers),
		Generation: d.Generation,
		Rollout:    rolloutOf(d),
	}
}

func images(cs []corev1.Container) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Image)
	}
	return out
}
