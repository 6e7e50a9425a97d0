package k8s

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRolloutStateFollowsKubectlsRules(t *testing.T) {
	progressing := func(reason string) appsv1.DeploymentCondition {
		return appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: reason}
	}
	timedOut := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}
	type status struct {
		gen, observed                       int64
		spec                                *int32
		replicas, updated, ready, available int32
		conds                               []appsv1.DeploymentCondition
	}
	three, zero := int32(3), int32(0)
	tests := []struct {
		name string
		s    status
		want Rollout
	}{
		{"all updated and available", status{2, 2, &three, 3, 3, 3, 3, []appsv1.DeploymentCondition{progressing("NewReplicaSetAvailable")}},
			Rollout{RolloutComplete, "rolled out, 3 available"}},
		{"spec not yet observed", status{3, 2, &three, 3, 3, 3, 3, nil},
			Rollout{RolloutProgressing, "waiting for the new spec to be observed"}},
		{"deadline exceeded wins over counts", status{2, 2, &three, 3, 1, 1, 1, []appsv1.DeploymentCondition{timedOut}},
			Rollout{RolloutFailed, "exceeded its progress deadline"}},
		{"deadline exceeded but spec not observed: still waiting", status{3, 2, &three, 3, 1, 1, 1, []appsv1.DeploymentCondition{timedOut}},
			Rollout{RolloutProgressing, "waiting for the new spec to be observed"}},
		{"some updated", status{2, 2, &three, 3, 1, 3, 3, []appsv1.DeploymentCondition{progressing("ReplicaSetUpdated")}},
			Rollout{RolloutProgressing, "1 of 3 updated"}},
		{"old replica pending termination", status{2, 2, &three, 4, 3, 4, 4, nil},
			Rollout{RolloutProgressing, "1 old replica pending termination"}},
		{"old replicas pending termination", status{2, 2, &three, 5, 3, 5, 5, nil},
			Rollout{RolloutProgressing, "2 old replicas pending termination"}},
		{"updated but not available", status{2, 2, &three, 3, 3, 1, 1, nil},
			Rollout{RolloutProgressing, "1 of 3 updated available"}},
		{"scaled to zero", status{4, 4, &zero, 0, 0, 0, 0, nil},
			Rollout{RolloutComplete, "rolled out, 0 available"}},
		{"replicas unset: no updated check", status{1, 1, nil, 1, 1, 1, 1, nil},
			Rollout{RolloutComplete, "rolled out, 1 available"}},
		{"scaling up from one", status{3, 3, &three, 1, 1, 1, 1, nil},
			Rollout{RolloutProgressing, "1 of 3 updated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend", Generation: tt.s.gen},
				Spec:       appsv1.DeploymentSpec{Replicas: tt.s.spec},
				Status: appsv1.DeploymentStatus{
					ObservedGeneration: tt.s.observed, Replicas: tt.s.replicas, UpdatedReplicas: tt.s.updated,
					ReadyReplicas: tt.s.ready, AvailableReplicas: tt.s.available, Conditions: tt.s.conds,
				},
			}
			if got := rolloutOf(d); got != tt.want {
				t.Errorf("rolloutOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRolloutFailureNamesTheDeadline(t *testing.T) {
	secs := int32(120)
	d := &appsv1.Deployment{
		Spec: appsv1.DeploymentSpec{ProgressDeadlineSeconds: &secs},
		Status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
		}}},
	}
	want := Rollout{RolloutFailed, "no progress for 120s: exceeded its progress deadline"}
	if got := rolloutOf(d); got != want {
		t.Errorf("rolloutOf = %+v, want %+v", got, want)
	}
}

func TestDeploymentInfo(t *testing.T) {
	three := int32(3)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend", Generation: 5, Labels: map[string]string{ComponentLabel: "backend"}},
		Spec: appsv1.DeploymentSpec{Replicas: &three, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "backend", Image: "taskmaster-backend:1.2.0"}},
		}}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 5, Replicas: 4, UpdatedReplicas: 2, ReadyReplicas: 3, AvailableReplicas: 3},
	}
	got := deploymentInfo(d)
	if got.Name != "taskmaster-backend" || got.Component != "backend" || got.Desired != 3 || got.Current != 4 ||
		got.Updated != 2 || got.Ready != 3 || got.Available != 3 || got.Generation != 5 ||
		len(got.Images) != 1 || got.Images[0] != "taskmaster-backend:1.2.0" || got.Rollout.Message != "2 of 3 updated" {
		t.Errorf("deploymentInfo = %+v", got)
	}
	d.Spec.Replicas = nil
	if got := deploymentInfo(d); got.Desired != 1 {
		t.Errorf("unset replicas: Desired = %d, want the API's default 1", got.Desired)
	}
}
