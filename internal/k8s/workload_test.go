package k8s

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// sandboxRelease is what the chart would install, made by hand so these
// tests do not depend on it: Deployments named <release>-<component>, with
// containers named after their component (the sandbox wires their logs and
// ports to its stand-ins) and the chart's labels.
type sandboxRelease struct {
	t      *testing.T
	cs     kubernetes.Interface
	client *Client
	ns     string
	name   string
}

// newSandboxRelease makes a namespace of the test's own on the shared
// sandbox, and a Client for it.
func newSandboxRelease(t *testing.T) *sandboxRelease {
	t.Helper()
	cs := testenv.Clientset(t)
	return sandboxReleaseOn(t, testenv.RESTConfig(t), cs)
}

func sandboxReleaseOn(t *testing.T, cfg *rest.Config, cs kubernetes.Interface) *sandboxRelease {
	t.Helper()
	ns := testenv.Namespace(t, cs)
	return &sandboxRelease{
		t: t, cs: cs, ns: ns, name: "taskmaster",
		client: &Client{clientset: cs, config: cfg, info: ClusterInfo{Namespace: ns}},
	}
}

func (r *sandboxRelease) deploymentName(component string) string { return r.name + "-" + component }

func (r *sandboxRelease) selector(component string) string { return ReleaseSelector(r.name, component) }

// deploy creates the component's Deployment; mutate may change it first.
func (r *sandboxRelease) deploy(component, image string, replicas int32, mutate ...func(*appsv1.Deployment)) {
	r.t.Helper()
	port := int32(8000)
	if component == ComponentFrontend {
		port = 3000
	}
	selector := map[string]string{InstanceLabel: r.name, ComponentLabel: component}
	labels := map[string]string{"app.kubernetes.io/name": "taskmaster", InstanceLabel: r.name, ComponentLabel: component}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: r.deploymentName(component), Namespace: r.ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: component, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
					Ports: []corev1.ContainerPort{{ContainerPort: port}},
				}}},
			},
		},
	}
	for _, m := range mutate {
		m(d)
	}
	if _, err := r.cs.AppsV1().Deployments(r.ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		r.t.Fatalf("creating deployment %s: %v", d.Name, err)
	}
}

func (r *sandboxRelease) scale(component string, replicas int32) {
	r.t.Helper()
	name := r.deploymentName(component)
	_, err := r.cs.AppsV1().Deployments(r.ns).UpdateScale(context.Background(), name, &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.ns},
		Spec:       autoscalingv1.ScaleSpec{Replicas: replicas},
	}, metav1.UpdateOptions{})
	if err != nil {
		r.t.Fatalf("scaling %s to %d: %v", name, replicas, err)
	}
}

// restart changes the pod template, as `kubectl rollout restart` does, so
// the deployment replaces its pods.
func (r *sandboxRelease) restart(component string) {
	r.t.Helper()
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`, time.Now().Format(time.RFC3339Nano))
	_, err := r.cs.AppsV1().Deployments(r.ns).Patch(context.Background(), r.deploymentName(component),
		types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	if err != nil {
		r.t.Fatalf("restarting %s: %v", component, err)
	}
}

// readyPods waits until exactly n pods of the component are Running and
// Ready (and none other is left), and returns their names.
func (r *sandboxRelease) readyPods(component string, n int) []string {
	r.t.Helper()
	var names []string
	testenv.Eventually(r.t, 60*time.Second, func() error {
		pods, err := r.cs.CoreV1().Pods(r.ns).List(context.Background(), metav1.ListOptions{LabelSelector: r.selector(component)})
		if err != nil {
			return err
		}
		names = names[:0]
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podConditionTrue(p, corev1.PodReady) {
				names = append(names, p.Name)
			}
		}
		if len(names) != n || len(pods.Items) != n {
			return fmt.Errorf("%s: %d of %d pods Running and Ready, %d in all", component, len(names), n, len(pods.Items))
		}
		return nil
	})
	return names
}

// warnAbout records a warning event about a pod, as the kubelet would.
func (r *sandboxRelease) warnAbout(pod, reason, message string) {
	r.t.Helper()
	now := metav1.Now()
	_, err := r.cs.CoreV1().Events(r.ns).Create(context.Background(), &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: pod + ".", Namespace: r.ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod, Namespace: r.ns, APIVersion: "v1"},
		Reason:         reason, Message: message, Type: corev1.EventTypeWarning, Count: 1,
		FirstTimestamp: now, LastTimestamp: now,
		Source: corev1.EventSource{Component: "kubelet"},
	}, metav1.CreateOptions{})
	if err != nil {
		r.t.Fatalf("creating a warning event: %v", err)
	}
}

// nextSnapshot reads snapshots until ok accepts one, and fails the test with
// ok's last complaint when none does within limit.
func nextSnapshot(t *testing.T, ch <-chan Snapshot, limit time.Duration, ok func(Snapshot) error) Snapshot {
	t.Helper()
	deadline := time.After(limit)
	why := fmt.Errorf("no snapshot at all")
	for {
		select {
		case s, open := <-ch:
			if !open {
				t.Fatalf("the watch closed its channel; last complaint: %v", why)
			}
			if why = ok(s); why == nil {
				return s
			}
		case <-deadline:
			t.Fatalf("after %s: %v", limit, why)
		}
	}
}

// podNames lists names, for messages.
func describePods(ps []PodInfo) string {
	var names []string
	for _, p := range ps {
		names = append(names, fmt.Sprintf("%s(%s %d/%d)", p.Name, p.Status, p.ReadyContainers, p.Containers))
	}
	return "[" + strings.Join(names, " ") + "]"
}
