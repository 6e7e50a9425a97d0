package charts_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// The chart on the sandbox's real node. With its defaults (kubelet,
// containerd, runc: hack/sandbox --node), where the chart's two images are
// TaskMaster's stand-ins: `helm install --wait` by the real CLI finishes
// (the pods pass their real HTTP probes, and the frontend's LoadBalancer
// gets its address), every pod runs in a container on the real node, and
// the frontend answers on the machine's localhost at its Service's port,
// from the container, whose log shows the request. `helm test` runs its pod
// for real: it finds the backend by its Service's name (the node's CoreDNS)
// and passes; with the backend scaled to nothing it fails, and the failed
// pod's log says why. With the stand-ins' failure tags, the containers
// fail for real (standinsFailForReal).
func TestTheChartOnTheRealNode(t *testing.T) {
	p := testenv.PrivateSandboxWithNode(t)
	t.Parallel()
	rc, err := clientcmd.BuildConfigFromFlags("", p.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("runs", func(t *testing.T) { chartRunsOnTheNode(t, p, cs) })
	t.Run("fails for real", func(t *testing.T) { standinsFailForReal(t, p, cs) })
}

func chartRunsOnTheNode(t *testing.T, p *testenv.Private, cs kubernetes.Interface) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ns := appNamespace(t, ctx, cs)
	port := testenv.FreePort(t)
	kubeArgs := []string{"--namespace", ns, "--kubeconfig", p.Kubeconfig, "--kube-context", p.Context}

	out, err := testenv.RunHelm(t, append([]string{"install", releaseName, chartDir, "--wait", "--timeout", "3m",
		"--set", "frontend.service.port=" + strconv.Itoa(port)}, kubeArgs...)...)
	if err != nil || !strings.Contains(out, "STATUS: deployed") {
		t.Fatalf("helm install --wait: %v\n%s", err, out)
	}
	pods, err := allRunningAndReady(ctx, cs, ns, map[string]int{"backend": 1, "frontend": 1})
	if err != nil {
		t.Fatalf("after helm install --wait: %v", err)
	}
	for comp, list := range pods {
		for _, pod := range list {
			if pod.Spec.NodeName != p.Node {
				t.Errorf("%s pod %s is on node %q, want the real node %q", comp, pod.Name, pod.Spec.NodeName, p.Node)
			}
			for _, c := range pod.Status.ContainerStatuses {
				if !strings.HasPrefix(c.ContainerID, "containerd://") || c.State.Running == nil {
					t.Errorf("%s pod %s container %s: id %q, state %+v: not a running container of containerd's", comp, pod.Name, c.Name, c.ContainerID, c.State)
				}
			}
		}
	}
	svc, err := cs.CoreV1().Services(ns).Get(ctx, releaseName+"-frontend", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ing := svc.Status.LoadBalancer.Ingress; len(ing) != 1 || ing[0].Hostname != "localhost" {
		t.Errorf("the frontend's LoadBalancer ingress is %+v, want localhost", ing)
	}

	// The page, from the container, through the LoadBalancer on localhost.
	marker := "/?from=node-test-" + strconv.Itoa(port)
	resp, err := http.Get(fmt.Sprintf("http://localhost:%d%s", port, marker))
	if err != nil {
		t.Fatalf("the frontend on localhost:%d: %v", port, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "taskmaster") {
		t.Errorf("localhost:%d%s answered %d:\n%.300s", port, marker, resp.StatusCode, body)
	}
	fe := pods["frontend"][0]
	testenv.Eventually(t, 30*time.Second, func() error {
		raw, err := cs.CoreV1().Pods(ns).GetLogs(fe.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
		if err != nil {
			return err
		}
		if !strings.Contains(string(raw), marker) {
			return fmt.Errorf("the frontend container's log has no request for %s:\n%s", marker, raw)
		}
		return nil
	})

	// helm test, by the real CLI, passes: DNS and the Service lead to the
	// backend's container.
	out, err = testenv.RunHelm(t, append([]string{"test", releaseName, "--timeout", "2m"}, kubeArgs...)...)
	if err != nil || !strings.Contains(out, "Phase:          Succeeded") {
		t.Fatalf("helm test on the real node: %v\n%s", err, out)
	}
	// With no backend pod behind the Service, the test fails for real.
	scale, err := cs.AppsV1().Deployments(ns).GetScale(ctx, releaseName+"-backend", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 0
	if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, releaseName+"-backend", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, time.Minute, func() error {
		pods, err := releasePods(ctx, cs, ns)
		if err != nil || len(pods["backend"]) != 0 {
			return fmt.Errorf("backend pods left: %d (%v)", len(pods["backend"]), err)
		}
		return nil
	})
	out, err = testenv.RunHelm(t, append([]string{"test", releaseName, "--timeout", "2m"}, kubeArgs...)...)
	if err == nil || !strings.Contains(out+err.Error(), "failed") {
		t.Fatalf("helm test with no backend: %v, want it to fail\n%s", err, out)
	}
	testPod := releaseName + "-test-backend-health"
	raw, err := cs.CoreV1().Pods(ns).GetLogs(testPod, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil || !strings.Contains(string(raw), "/health") {
		t.Errorf("the failed test pod's log does not say what it asked: %v\n%s", err, raw)
	}

	// Uninstalled, the Service's port on localhost is closed again.
	uninstall(t, helmConfig(t, p.Sandbox, ns))
	testenv.Eventually(t, 30*time.Second, func() error {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return nil
		}
		c.Close()
		return fmt.Errorf("localhost:%d still answers after the uninstall", port)
	})
}

// The stand-ins' failure tags (hack/sandbox/internal/standin.Failures)
// make real failures on the node: :crashloop exits at start (a real
// CrashLoopBackOff, whose previous container's log says why), :oom is
// OOMKilled by its memory limit, and :unready fails its probes with a 503
// (the startup probe first: the chart's readiness probe counts only after
// it has passed).
func standinsFailForReal(t *testing.T, p *testenv.Private, cs kubernetes.Interface) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ns := appNamespace(t, ctx, cs)
	kubeArgs := []string{"--namespace", ns, "--kubeconfig", p.Kubeconfig, "--kube-context", p.Context}
	out, err := testenv.RunHelm(t, append([]string{"install", releaseName, chartDir,
		"--set", "backend.image.tag=crashloop", "--set", "frontend.image.tag=oom", "--set", "frontend.service.type=ClusterIP"}, kubeArgs...)...)
	if err != nil {
		t.Fatalf("helm install: %v\n%s", err, out)
	}
	container := func(component string) (corev1.Pod, corev1.ContainerStatus, error) {
		pods, err := releasePods(ctx, cs, ns)
		if err != nil {
			return corev1.Pod{}, corev1.ContainerStatus{}, err
		}
		for _, pod := range pods[component] {
			if len(pod.Status.ContainerStatuses) > 0 {
				return pod, pod.Status.ContainerStatuses[0], nil
			}
		}
		return corev1.Pod{}, corev1.ContainerStatus{}, fmt.Errorf("no %s container yet", component)
	}
	var crashing corev1.Pod
	testenv.Eventually(t, 2*time.Minute, func() error {
		pod, c, err := container("backend")
		if err != nil {
			return err
		}
		last := c.LastTerminationState.Terminated
		if c.RestartCount < 1 || last == nil || last.ExitCode != 1 || c.State.Waiting == nil || c.State.Waiting.Reason != "CrashLoopBackOff" {
			return fmt.Errorf("backend container: restarts %d, last %+v, state %+v: not crash-looping yet", c.RestartCount, last, c.State)
		}
		crashing = pod
		return nil
	})
	raw, err := cs.CoreV1().Pods(ns).GetLogs(crashing.Name, &corev1.PodLogOptions{Previous: true}).DoRaw(ctx)
	if err != nil || !strings.Contains(string(raw), "exiting at start on purpose") {
		t.Errorf("the crashed container's log (previous) does not say why: %v\n%s", err, raw)
	}
	testenv.Eventually(t, 2*time.Minute, func() error {
		_, c, err := container("frontend")
		if err != nil {
			return err
		}
		for _, term := range []*corev1.ContainerStateTerminated{c.State.Terminated, c.LastTerminationState.Terminated} {
			if term != nil && term.Reason == "OOMKilled" {
				return nil
			}
		}
		return fmt.Errorf("frontend container: state %+v, last %+v: not OOMKilled yet", c.State, c.LastTerminationState)
	})

	out, err = testenv.RunHelm(t, append([]string{"upgrade", releaseName, chartDir,
		"--set", "backend.image.tag=unready", "--set", "frontend.service.type=ClusterIP"}, kubeArgs...)...)
	if err != nil {
		t.Fatalf("helm upgrade: %v\n%s", err, out)
	}
	testenv.Eventually(t, 2*time.Minute, func() error {
		events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=Unhealthy"})
		if err != nil {
			return err
		}
		for _, e := range events.Items {
			// The chart's startup probe asks /health first; readiness
			// counts only after it has passed.
			if strings.Contains(e.Message, "Startup probe failed") && strings.Contains(e.Message, "503") {
				return nil
			}
		}
		return fmt.Errorf("no startup probe has failed with a 503 yet (Unhealthy events: %v)", events.Items)
	})
}
