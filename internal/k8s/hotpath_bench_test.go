package k8s

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Every change a watch sees rebuilds the snapshot from its caches: with 300
// pods that happens for each pod of a rollout.
func BenchmarkBuildSnapshot300Pods(b *testing.B) {
	var pods []*corev1.Pod
	for i := range 300 {
		pods = append(pods, fixturePod(fmt.Sprintf("taskmaster-backend-5969864d48-%05d", i), corev1.PodRunning, true,
			corev1.ContainerStatus{Ready: true, State: running()}))
	}
	n := int32(300)
	deps := []*appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-backend", Labels: map[string]string{ComponentLabel: "backend"}},
		Spec: appsv1.DeploymentSpec{Replicas: &n}, Status: appsv1.DeploymentStatus{Replicas: n, ReadyReplicas: n, AvailableReplicas: n, UpdatedReplicas: n}}}
	var events []*corev1.Event
	for i := range 20 {
		events = append(events, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("e", i)}, Type: "Warning", Reason: "BackOff",
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pods[i].Name}, Message: "Back-off restarting failed container", Count: 3,
			LastTimestamp: metav1.NewTime(created)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := buildSnapshot(pods, deps, events); len(s.Pods) != 300 {
			b.Fatal("pods missing")
		}
	}
}

// The engine's per-line work on a followed log: split the stream into lines
// and each line into its time and text.
func BenchmarkReadAndParseLogLines(b *testing.B) {
	var sb strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&sb, "2026-11-25T17:00:00.%09dZ seq=%d INFO: 127.0.0.1:51234 - \"GET /api/tasks/%d HTTP/1.1\" 200\n", i, i, i%997)
	}
	data := sb.String()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		_ = readLogLines(strings.NewReader(data), func(s string) bool {
			if t, _ := parseLogLine(s); !t.IsZero() {
				n++
			}
			return true
		})
		if n != 10_000 {
			b.Fatalf("%d lines parsed", n)
		}
	}
	b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "lines/s")
}
