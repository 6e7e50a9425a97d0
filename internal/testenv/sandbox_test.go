package testenv_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// These tests prove that the sandbox is the real thing the other tests
// need: a real API server whose pods scale, fail, log and forward ports.

func TestSandboxIsKubernetes1363WithContextTmtuiSandbox(t *testing.T) {
	sb := testenv.RequireSandbox(t)
	raw, err := clientcmd.LoadFromFile(sb.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if raw.CurrentContext != "tmtui-sandbox" {
		t.Errorf("current context = %q, want tmtui-sandbox", raw.CurrentContext)
	}
	v, err := testenv.Clientset(t).Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != "v1.36.3" {
		t.Errorf("server version = %q, want v1.36.3", v.GitVersion)
	}
}

func TestSandboxCreatesNamespace(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	got, err := cs.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("namespace %s was not created: %v", ns, err)
	}
	if got.Status.Phase != corev1.NamespaceActive {
		t.Errorf("namespace phase = %s, want Active", got.Status.Phase)
	}
}

func TestSandboxScalesDeploymentFromOneToThreeReadyPods(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := context.Background()
	createDeployment(t, cs, ns, "backend", "taskmaster-backend:1.0.0", 1)
	waitReadyPods(t, cs, ns, "backend", 1)

	_, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "backend", &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "backend", Namespace: ns},
		Spec:       autoscalingv1.ScaleSpec{Replicas: 3},
	}, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("scale to 3: %v", err)
	}
	waitReadyPods(t, cs, ns, "backend", 3)
	testenv.Eventually(t, 30*time.Second, func() error {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "backend", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.ReadyReplicas != 3 || d.Status.AvailableReplicas != 3 {
			return fmt.Errorf("deployment ready %d available %d, want 3", d.Status.ReadyReplicas, d.Status.AvailableReplicas)
		}
		return nil
	})
}

func TestSandboxFollowedLogReceivesLineWrittenAfterItOpened(t *testing.T) {
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	createDeployment(t, cs, ns, "backend", "taskmaster-backend:1.0.0", 1)
	pod := waitReadyPods(t, cs, ns, "backend", 1)[0]

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tail := int64(1)
	stream, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: "backend", Follow: true, TailLines: &tail}).Stream(ctx)
	if err != nil {
		t.Fatalf("opening the followed log: %v", err)
	}
	defer stream.Close()
	lines := bufio.NewScanner(stream)
	if !lines.Scan() { // the tail line: the stream is open from here on
		t.Fatalf("no first line: %v", lines.Err())
	}

	marker := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	resp, err := http.Get(sb.BackendURL + "/health?" + marker)
	if err != nil {
		t.Fatalf("asking the backend stand-in to log a line: %v", err)
	}
	resp.Body.Close()

	for lines.Scan() {
		if strings.Contains(lines.Text(), marker) {
			return
		}
	}
	t.Fatalf("the followed log never showed the line with %q: %v", marker, lines.Err())
}

func TestSandboxPortForwardReachesBackendHealth(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	createDeployment(t, cs, ns, "backend", "taskmaster-backend:1.0.0", 1)
	pod := waitReadyPods(t, cs, ns, "backend", 1)[0]

	cfg := testenv.RESTConfig(t)
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, url)
	stop, ready := make(chan struct{}), make(chan struct{})
	defer close(stop)
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8000"}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- pf.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("port-forward: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("port-forward not ready within 20 s")
	}
	ports, err := pf.GetPorts()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", ports[0].Local))
	if err != nil {
		t.Fatalf("GET /health through the port-forward: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || body.Status != "healthy" {
		t.Fatalf("GET /health = %d %+v, want 200 healthy", resp.StatusCode, body)
	}
}

func TestSandboxCrashloopTagGoesToCrashLoopBackOffWithGrowingRestarts(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	createDeployment(t, cs, ns, "backend", "taskmaster-backend:crashloop", 1)
	var first int32
	testenv.Eventually(t, 30*time.Second, func() error {
		cst, err := onlyContainerStatus(cs, ns, "backend")
		if err != nil {
			return err
		}
		if cst.State.Waiting == nil || cst.State.Waiting.Reason != "CrashLoopBackOff" {
			return fmt.Errorf("container state %+v, want waiting CrashLoopBackOff", cst.State)
		}
		first = cst.RestartCount
		return nil
	})
	testenv.Eventually(t, 30*time.Second, func() error {
		cst, err := onlyContainerStatus(cs, ns, "backend")
		if err != nil {
			return err
		}
		if cst.RestartCount <= first {
			return fmt.Errorf("restarts stayed at %d", cst.RestartCount)
		}
		return nil
	})
}

func TestSandboxUnreadyTagRunsButIsNeverReady(t *testing.T) {
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	createDeployment(t, cs, ns, "backend", "taskmaster-backend:unready", 1)
	testenv.Eventually(t, 30*time.Second, func() error {
		pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=backend"})
		if err != nil || len(pods.Items) != 1 {
			return fmt.Errorf("pods: %v (%d)", err, len(pods.Items))
		}
		if p := pods.Items[0]; p.Status.Phase != corev1.PodRunning || podReady(&p) {
			return fmt.Errorf("pod phase %s ready %v, want Running and not ready", p.Status.Phase, podReady(&p))
		}
		return nil
	})
	time.Sleep(3 * time.Second) // long enough for the ready stage to have acted, had it matched
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=backend"})
	if err != nil {
		t.Fatal(err)
	}
	if podReady(&pods.Items[0]) {
		t.Fatal("the unready pod became Ready")
	}
}

func createDeployment(t *testing.T, cs kubernetes.Interface, ns, name, image string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
					Ports: []corev1.ContainerPort{{ContainerPort: 8000}},
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment %s: %v", name, err)
	}
}

// waitReadyPods waits until exactly n pods of the deployment are Running
// and Ready, and returns their names.
func waitReadyPods(t *testing.T, cs kubernetes.Interface, ns, app string, n int) []string {
	t.Helper()
	var names []string
	testenv.Eventually(t, 60*time.Second, func() error {
		pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
		if err != nil {
			return err
		}
		names = names[:0]
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podReady(p) {
				names = append(names, p.Name)
			}
		}
		if len(names) != n {
			return fmt.Errorf("%d of %d pods Running and Ready", len(names), n)
		}
		return nil
	})
	return names
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func onlyContainerStatus(cs kubernetes.Interface, ns, app string) (corev1.ContainerStatus, error) {
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		return corev1.ContainerStatus{}, err
	}
	if len(pods.Items) != 1 || len(pods.Items[0].Status.ContainerStatuses) != 1 {
		return corev1.ContainerStatus{}, fmt.Errorf("want one pod with one container status, have %d pods", len(pods.Items))
	}
	return pods.Items[0].Status.ContainerStatuses[0], nil
}

func TestPrivateSandboxAPIServerStopsAndComesBack(t *testing.T) {
	p := testenv.PrivateSandbox(t)
	shared := testenv.RequireSandbox(t)
	if p.Kubeconfig == shared.Kubeconfig || p.Server == shared.Server {
		t.Fatalf("the private sandbox is the shared one: %+v", p.Sandbox)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", p.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	// A bound on each call, not on how fast a loaded machine answers.
	cfg.Timeout = 15 * time.Second
	cs := kubernetes.NewForConfigOrDie(cfg)
	if _, err := cs.Discovery().ServerVersion(); err != nil {
		t.Fatalf("private sandbox does not answer: %v", err)
	}
	// It belongs to this test process, so that a run killed before the
	// test's cleanup has its sandbox swept by the next one.
	var owner struct{ PID int }
	if data, err := os.ReadFile(filepath.Join(filepath.Dir(p.Kubeconfig), "owner.json")); err != nil || json.Unmarshal(data, &owner) != nil || owner.PID != os.Getpid() {
		t.Errorf("the private sandbox does not record this test process (%d) as its owner: %s (%v)", os.Getpid(), data, err)
	}
	p.StopAPIServer(t)
	if _, err := cs.Discovery().ServerVersion(); err == nil {
		t.Fatal("the API server still answers after StopAPIServer")
	}
	if _, err := testenv.Clientset(t).Discovery().ServerVersion(); err != nil {
		t.Fatalf("stopping the private sandbox disturbed the shared one: %v", err)
	}
	p.StartAPIServer(t)
	if _, err := cs.Discovery().ServerVersion(); err != nil {
		t.Fatalf("the API server did not come back: %v", err)
	}
}
