package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
)

// The adapters over the real engine: the sandbox's API server and the test
// Docker engine.

// chartDeployment is a Deployment shaped like the chart's: its name, labels
// and container name, so the sandbox wires its logs to the stand-ins.
func chartDeployment(t *testing.T, cs kubernetes.Interface, ns, component string) {
	t.Helper()
	one := int32(1)
	selector := map[string]string{k8s.InstanceLabel: "taskmaster", k8s.ComponentLabel: component}
	labels := map[string]string{"app.kubernetes.io/name": "taskmaster", k8s.InstanceLabel: "taskmaster", k8s.ComponentLabel: component}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-" + component, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: component, Image: "taskmaster-" + component + ":1.0.0", ImagePullPolicy: corev1.PullIfNotPresent,
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment %s: %v", d.Name, err)
	}
}

type scaleCall struct {
	component string
	replicas  int32
	context   string // of the approval
}

func TestConnectorServesPodsAndLogsAndHandsScalingToTheScaler(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	chartDeployment(t, cs, ns, "backend")
	opts := k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns}

	plain, err := connector(opts, wiring{})(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if plain.Pods == nil || plain.Logs == nil || plain.Release != nil {
		t.Fatalf("services = %+v, want pods and logs, and no release yet", plain.Services)
	}
	if plain.Pods.(pods.Scaler).CanScale() {
		t.Error("pods offer scaling without a scaler")
	}
	if !plain.Info.Local || plain.Info.Context != "tmtui-sandbox" || plain.Info.Namespace != ns {
		t.Errorf("info = %+v", plain.Info)
	}

	calls := make(chan scaleCall, 1)
	w := wiring{helm: func(release string) (*releaseService, scaleFunc) {
		if release != "taskmaster" {
			t.Errorf("helm services made for release %q", release)
		}
		return nil, func(_ context.Context, component string, replicas int32, a k8s.Approval) error {
			calls <- scaleCall{component, replicas, a.Context()}
			return nil
		}
	}}
	cluster, err := connector(opts, w)(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	svc := cluster.Pods
	if !svc.(pods.Scaler).CanScale() {
		t.Error("pods do not offer scaling with a scaler")
	}

	ctx, cancel := context.WithCancel(t.Context())
	ch, err := svc.WatchPods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ready pods.Pod
	deadline := time.After(30 * time.Second)
	for ready.Name == "" {
		select {
		case s := <-ch:
			for _, p := range s.Pods {
				if s.Conn == pods.ConnLive && p.Ready && p.Status == "Running" && p.ReadyContainers == 1 {
					ready = p
				}
			}
		case <-deadline:
			t.Fatal("no Running 1/1 backend pod came through the adapter")
		}
	}
	if ready.Component != "backend" || ready.Node == "" || len(ready.Conditions) == 0 {
		t.Errorf("pod = %+v, want the backend's, on a node, with its conditions", ready)
	}
	cancel()
	closed := time.After(10 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-ch:
		case <-closed:
			t.Fatal("the adapter's channel stayed open after its context ended")
		}
	}

	if err := svc.ScaleDeployment(t.Context(), "taskmaster-backend", 2, ""); err != nil {
		t.Fatal(err)
	}
	if got := <-calls; got != (scaleCall{"backend", 2, "tmtui-sandbox"}) {
		t.Errorf("scaler called with %+v", got)
	}
	if err := svc.ScaleDeployment(t.Context(), "nothing-here", 2, ""); err == nil {
		t.Error("scaling a deployment that does not exist went through")
	}
}

func TestImagesServiceListsBothRepositoriesOfTheEngine(t *testing.T) {
	t.Parallel()
	imgs, err := newImagesService(testenv.DockerHost(t)).ListImages(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var repos []string
	for _, img := range imgs {
		repos = append(repos, img.Repository)
		if img.Present && (img.Tag == "" || img.Size <= 0 || img.Max == 0) {
			t.Errorf("image %+v lacks its tag, size or budget", img)
		}
	}
	if fmt.Sprint(repos) != "[taskmaster-backend taskmaster-frontend]" {
		t.Errorf("repositories %v", repos)
	}
}

func TestHealthServiceReachesBothStandInsThroughPortForwards(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	chartDeployment(t, cs, ns, "backend")
	chartDeployment(t, cs, ns, "frontend")
	cluster, err := connector(k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns}, wiring{})(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	h, ok := cluster.Health.(*healthService)
	if !ok || h.release != "taskmaster" || h.namespace != ns {
		t.Fatalf("health service = %#v", cluster.Health)
	}
	// Nothing must answer at the LoadBalancer's address, whatever runs on
	// this machine's port 3000: an address that was just freed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.frontendURL = "http://" + l.Addr().String()
	l.Close()

	var results []ui.HealthResult
	deadline := time.Now().Add(60 * time.Second)
	for {
		results, err = h.CheckHealth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(results) == 2 && results[0].Healthy() && results[1].Healthy() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stand-ins did not answer within a minute: %+v", results)
		}
		time.Sleep(time.Second)
	}
	for i, want := range []string{"backend", "frontend"} {
		r := results[i]
		if r.Component != want || r.Status != 200 || r.Via != ui.ViaPortForward || r.Latency <= 0 || r.Err != nil || !strings.HasPrefix(r.URL, "http://127.0.0.1:") {
			t.Errorf("%s: %+v, want 200 through a port-forward with a latency", want, r)
		}
	}
	if !strings.HasSuffix(results[0].URL, "/health") {
		t.Errorf("the backend was asked at %s, not /health", results[0].URL)
	}
}
