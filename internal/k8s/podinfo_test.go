package k8s

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var created = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fixturePod is a backend pod with one container in the given state.
func fixturePod(name string, phase corev1.PodPhase, ready bool, cs corev1.ContainerStatus, conds ...corev1.PodCondition) *corev1.Pod {
	cs.Name = "backend"
	readyCond := corev1.ConditionFalse
	if ready {
		readyCond = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(created),
			Labels: map[string]string{ComponentLabel: "backend", InstanceLabel: "taskmaster"}},
		Spec: corev1.PodSpec{NodeName: "node-0", Containers: []corev1.Container{{Name: "backend", Image: "taskmaster-backend:1.0.0"}}},
		Status: corev1.PodStatus{
			Phase:             phase,
			Conditions:        append([]corev1.PodCondition{{Type: corev1.PodReady, Status: readyCond}}, conds...),
			ContainerStatuses: []corev1.ContainerStatus{cs},
		},
	}
}

func waiting(reason, msg string) corev1.ContainerState {
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}
}

func running() corev1.ContainerState {
	return corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
}

func TestPodInfoStatusReasonAndHint(t *testing.T) {
	oomLast := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}
	tests := []struct {
		name                 string
		pod                  *corev1.Pod
		status, reason, hint string // hint: a phrase it must contain
	}{
		{"running and ready", fixturePod("a", corev1.PodRunning, true, corev1.ContainerStatus{Ready: true, State: running()}),
			"Running", "", ""},
		{"creating", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("ContainerCreating", "")}),
			"ContainerCreating", "", ""},
		{"crash loop", fixturePod("a", corev1.PodRunning, false, corev1.ContainerStatus{RestartCount: 4, State: waiting("CrashLoopBackOff", "back-off 40s restarting failed container")}),
			"CrashLoopBackOff", "CrashLoopBackOff", "previous logs"},
		{"crash loop from OOM", fixturePod("a", corev1.PodRunning, false, corev1.ContainerStatus{RestartCount: 2, State: waiting("CrashLoopBackOff", ""), LastTerminationState: oomLast}),
			"CrashLoopBackOff", "CrashLoopBackOff", "memory"},
		{"image pull back-off", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("ImagePullBackOff", `Back-off pulling image "taskmaster-backend:9"`)}),
			"ImagePullBackOff", "ImagePullBackOff", "build it locally"},
		{"image pull error", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("ErrImagePull", "not found")}),
			"ErrImagePull", "ErrImagePull", "cannot be pulled"},
		{"never pull", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("ErrImageNeverPull", "")}),
			"ErrImageNeverPull", "ErrImageNeverPull", "pullPolicy"},
		{"missing secret", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("CreateContainerConfigError", `secret "taskmaster-secret" not found`)}),
			"CreateContainerConfigError", "CreateContainerConfigError", "secret setup"},
		{"bad image name", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("InvalidImageName", "")}),
			"InvalidImageName", "InvalidImageName", "not valid"},
		{"exited with error", fixturePod("a", corev1.PodFailed, false, corev1.ContainerStatus{State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 3}}}),
			"ExitCode:3", "Error", "read its logs"},
		{"unschedulable", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{},
			corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient memory."}),
			"Pending", "Unschedulable", "resource requests"},
		{"running, never ready", fixturePod("a", corev1.PodRunning, false, corev1.ContainerStatus{State: running()}),
			"Running", "NotReady", "readiness"},
		{"unknown waiting reason", fixturePod("a", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("SomethingNew", "")}),
			"SomethingNew", "SomethingNew", "events and logs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := podInfo(tt.pod)
			if got.Status != tt.status || got.Reason != tt.reason {
				t.Errorf("status %q reason %q, want %q %q", got.Status, got.Reason, tt.status, tt.reason)
			}
			if tt.hint == "" && got.Hint != "" || !strings.Contains(got.Hint, tt.hint) {
				t.Errorf("hint %q, want one about %q", got.Hint, tt.hint)
			}
			if strings.Contains(got.Message, "\n") {
				t.Errorf("message %q spans lines", got.Message)
			}
		})
	}
}

func TestPodInfoFields(t *testing.T) {
	p := fixturePod("taskmaster-backend-1", corev1.PodRunning, true, corev1.ContainerStatus{Ready: true, RestartCount: 2, State: running()})
	got := podInfo(p)
	if got.Name != "taskmaster-backend-1" || got.Component != "backend" || got.Phase != "Running" || !got.Ready ||
		got.ReadyContainers != 1 || got.Containers != 1 || got.Restarts != 2 || got.Node != "node-0" ||
		!got.Created.Equal(created) || got.Age(created.Add(time.Minute)) != time.Minute || got.Terminating {
		t.Errorf("podInfo = %+v", got)
	}
	now := metav1.Now()
	p.DeletionTimestamp = &now
	if got := podInfo(p); got.Status != "Terminating" || !got.Terminating || got.Reason != "" {
		t.Errorf("deleted pod: status %q terminating %v reason %q", got.Status, got.Terminating, got.Reason)
	}
}

func TestPodInfoKeepsConditionsInOrderOnOneLine(t *testing.T) {
	p := fixturePod("taskmaster-backend-1", corev1.PodPending, false, corev1.ContainerStatus{State: waiting("ContainerCreating", "")},
		corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
			Message: "0/1 nodes are available: 1 Insufficient memory.\npreemption: not helpful"})
	p.Status.Conditions[0].Reason = "ContainersNotReady"
	got := podInfo(p).Conditions
	want := []PodCondition{
		{Type: "Ready", Status: "False", Reason: "ContainersNotReady"},
		{Type: "PodScheduled", Status: "False", Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient memory."},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("conditions = %+v\nwant %+v", got, want)
	}
	p.Status.Conditions = nil
	if got := podInfo(p).Conditions; got != nil {
		t.Errorf("a pod without conditions got %+v", got)
	}
}

func warningEvent(kind, name, reason string, last time.Time) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("%s.%d", name, last.UnixNano())},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: name},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: reason + " happened\nsecond line",
		Count: 2, LastTimestamp: metav1.NewTime(last),
	}
}

func TestBuildSnapshotAttachesWarningsAndSorts(t *testing.T) {
	running := corev1.ContainerStatus{Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	older := fixturePod("taskmaster-backend-b", corev1.PodRunning, true, running)
	newer := fixturePod("taskmaster-backend-a", corev1.PodRunning, true, running)
	newer.CreationTimestamp = metav1.NewTime(created.Add(time.Minute))
	fe := fixturePod("taskmaster-frontend-x", corev1.PodRunning, true, running)
	fe.Labels[ComponentLabel] = "frontend"
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend", Labels: map[string]string{ComponentLabel: "backend"}}}
	other := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend-extra"}}

	events := []*corev1.Event{
		warningEvent("Pod", older.Name, "BackOff", created.Add(1*time.Second)),
		warningEvent("Pod", older.Name, "Unhealthy", created.Add(3*time.Second)),
		warningEvent("Pod", older.Name, "FailedMount", created.Add(2*time.Second)),
		warningEvent("Pod", older.Name, "Oldest", created),
		warningEvent("ReplicaSet", "taskmaster-backend-7d4b9c", "FailedCreate", created),
		warningEvent("ReplicaSet", "taskmaster-backend-extra-5f6a", "NotOurs", created),
		warningEvent("Pod", "someone-else", "BackOff", created),
		{InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: newer.Name}, Type: corev1.EventTypeNormal, Reason: "Pulled"},
	}
	s := buildSnapshot([]*corev1.Pod{fe, newer, older}, []*appsv1.Deployment{other, dep}, events)

	var order []string
	for _, p := range s.Pods {
		order = append(order, p.Name)
	}
	if want := "taskmaster-backend-b taskmaster-backend-a taskmaster-frontend-x"; strings.Join(order, " ") != want {
		t.Errorf("pods in order %v, want %s (by component, then oldest first)", order, want)
	}
	ws := s.Pods[0].Warnings
	if len(ws) != maxWarnings || ws[0].Reason != "Unhealthy" || ws[1].Reason != "FailedMount" || ws[2].Reason != "BackOff" {
		t.Errorf("warnings of %s: %+v, want the 3 newest, newest first", older.Name, ws)
	}
	if ws[0].Message != "Unhealthy happened" || ws[0].Count != 2 {
		t.Errorf("warning %+v: want the first line of the message and the count", ws[0])
	}
	if len(s.Pods[1].Warnings) != 0 {
		t.Errorf("a Normal event became a warning: %+v", s.Pods[1].Warnings)
	}
	if s.Deployments[0].Name != "taskmaster-backend" || len(s.Deployments[0].Warnings) != 1 || s.Deployments[0].Warnings[0].Reason != "FailedCreate" {
		t.Errorf("deployment %s warnings %+v, want its ReplicaSet's FailedCreate only", s.Deployments[0].Name, s.Deployments[0].Warnings)
	}
	if got := s.PodsOf("frontend"); len(got) != 1 || got[0].Name != fe.Name {
		t.Errorf("PodsOf(frontend) = %v", got)
	}
	if d, ok := s.DeploymentOf("backend"); !ok || d.Name != dep.Name {
		t.Errorf("DeploymentOf(backend) = %v, %v", d.Name, ok)
	}
	if _, ok := s.DeploymentOf("frontend"); ok {
		t.Error("DeploymentOf(frontend) found one that is not there")
	}
}

// benchmarkCluster is a release at its largest (3+3 pods), or a namespace
// crowded with a hundred pods of it and plenty of warnings.
func benchmarkCluster(pods, events int) ([]*corev1.Pod, []*appsv1.Deployment, []*corev1.Event) {
	var ps []*corev1.Pod
	var es []*corev1.Event
	for i := range pods {
		cs := corev1.ContainerStatus{Ready: true, State: running()}
		if i%5 == 0 {
			cs = corev1.ContainerStatus{RestartCount: int32(i), State: waiting("CrashLoopBackOff", "back-off restarting failed container")}
		}
		p := fixturePod(fmt.Sprintf("taskmaster-backend-%05d", i), corev1.PodRunning, i%5 != 0, cs)
		if i%2 == 1 {
			p.Labels[ComponentLabel] = "frontend"
		}
		ps = append(ps, p)
	}
	for i := range events {
		es = append(es, warningEvent("Pod", ps[i%len(ps)].Name, "BackOff", created.Add(time.Duration(i)*time.Second)))
	}
	three := int32(3)
	ds := []*appsv1.Deployment{
		{ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend"}, Spec: appsv1.DeploymentSpec{Replicas: &three}},
		{ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-frontend"}, Spec: appsv1.DeploymentSpec{Replicas: &three}},
	}
	return ps, ds, es
}

func BenchmarkBuildSnapshot(b *testing.B) {
	for _, size := range []struct{ pods, events int }{{6, 10}, {100, 300}} {
		b.Run(fmt.Sprintf("pods=%d,events=%d", size.pods, size.events), func(b *testing.B) {
			pods, deps, events := benchmarkCluster(size.pods, size.events)
			b.ReportAllocs()
			for b.Loop() {
				buildSnapshot(pods, deps, events)
			}
		})
	}
}
