package k8s

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Rollout restart and pod deletion against the sandbox's real API server
// and controllers.

// refusedWithoutApproval checks that change refuses both a missing approval
// and one given for another cluster, before sending anything.
func refusedWithoutApproval(t *testing.T, log *requestLog, change func(Approval) error) {
	t.Helper()
	foreign, err := NewGuard("elsewhere", "https://127.0.0.1:1").Approve("test", "")
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]Approval{"no approval": {}, "another cluster's approval": foreign} {
		if err := change(a); err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: err = %v, want a refusal", name, err)
		}
	}
	if w := log.take(); len(w) != 0 {
		t.Errorf("a refused change still sent %v", w)
	}
}

func TestSandboxRestartDeploymentRollsNewPodsThroughANewReplicaSet(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	c, log := setupSandboxClient(t, ns)
	ctx := t.Context()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, testDeployment("web", corev1.Container{Name: "backend", Image: "taskmaster-backend:test"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, cs, ns, "web")
	oldPods := podNames(t, cs, ns, "app=web")
	oldRS, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil || len(oldRS.Items) != 1 {
		t.Fatalf("replica sets before the restart: %v, %v", oldRS, err)
	}
	log.take()

	refusedWithoutApproval(t, log, func(a Approval) error { return c.RestartDeployment(ctx, a, ns, "web") })
	asked := time.Now().Truncate(time.Second) // the annotation keeps whole seconds
	if err := c.RestartDeployment(ctx, localApproval(t, c), ns, "web"); err != nil {
		t.Fatal(err)
	}
	answered := time.Now()
	if w := log.take(); len(w) != 1 || !strings.HasPrefix(w[0], "PATCH /apis/apps/v1/namespaces/"+ns+"/deployments/web ") {
		t.Errorf("requests that changed something: %v, want one PATCH of the deployment", w)
	}
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stamp := d.Spec.Template.Annotations[RestartedAtAnnotation]
	if at, err := time.Parse(time.RFC3339, stamp); err != nil || at.Before(asked) || at.After(answered) {
		t.Fatalf("template annotation %s = %q (%v), want the time of the restart", RestartedAtAnnotation, stamp, err)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return err
		}
		var fresh []string
		for _, rs := range rss.Items {
			if rs.Name != oldRS.Items[0].Name {
				fresh = append(fresh, rs.Name)
			}
		}
		if len(fresh) != 1 {
			return fmt.Errorf("new replica sets %v, want one", fresh)
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			if oldPods[p.Name] {
				return fmt.Errorf("old pod %s still there", p.Name)
			}
			if p.Annotations[RestartedAtAnnotation] != stamp {
				return fmt.Errorf("pod %s lacks the restart stamp", p.Name)
			}
		}
		if len(pods.Items) != 1 || !podConditionTrue(&pods.Items[0], corev1.PodReady) {
			return fmt.Errorf("%d pods, want 1 Ready", len(pods.Items))
		}
		return nil
	})

	err = c.RestartDeployment(ctx, localApproval(t, c), ns, "missing")
	if err == nil || !strings.Contains(err.Error(), "no such deployment in namespace "+ns) {
		t.Errorf("restarting a missing deployment: %v", err)
	}
}

func TestSandboxDeletePodIsReplacedByItsDeployment(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	c, log := setupSandboxClient(t, ns)
	ctx := t.Context()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, testDeployment("web", corev1.Container{Name: "frontend", Image: "taskmaster-frontend:test"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, cs, ns, "web")
	var victim string
	for name := range podNames(t, cs, ns, "app=web") {
		victim = name
	}
	log.take()

	refusedWithoutApproval(t, log, func(a Approval) error { return c.DeletePod(ctx, a, ns, victim) })
	if err := c.DeletePod(ctx, localApproval(t, c), ns, victim); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		if _, err := cs.CoreV1().Pods(ns).Get(ctx, victim, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("pod %s still there (get: %v)", victim, err)
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return err
		}
		if len(pods.Items) != 1 || pods.Items[0].Name == victim || !podConditionTrue(&pods.Items[0], corev1.PodReady) {
			return fmt.Errorf("%s, want one new Ready pod", describe(pods.Items))
		}
		return nil
	})

	err := c.DeletePod(ctx, localApproval(t, c), ns, victim)
	if err == nil || !strings.Contains(err.Error(), "no longer in namespace "+ns) {
		t.Errorf("deleting the deleted pod again: %v", err)
	}
}

func describe(pods []corev1.Pod) string {
	var s []string
	for _, p := range pods {
		s = append(s, fmt.Sprintf("%s(%s)", p.Name, p.Status.Phase))
	}
	return fmt.Sprintf("%d pods %v", len(pods), s)
}
