package main

import (
	"context"

	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
)

// progressLog collects the events an operation sends the release pane.
type progressLog struct {
	mu  sync.Mutex
	got []release.Progress
}

func (p *progressLog) channel(t *testing.T) (chan<- release.Progress, func() []release.Progress) {
	ch := make(chan release.Progress, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			p.mu.Lock()
			p.got = append(p.got, ev)
			p.mu.Unlock()
		}
	}()
	return ch, func() []release.Progress { close(ch); <-done; return p.got }
}

// The release pane's workflows through main's adapter, on the sandbox:
// install with progress, an upgrade planned (its diff shows the new tag)
// and applied, a rollback to revision 1 planned and applied, helm test,
// and uninstall.
func TestReleaseWorkflowsOnTheSandbox(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	createAppSecret(t, cs, ns, nil)
	opts := k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns}
	hc, err := helm.New(helm.Options{Connection: opts, ReleaseName: "taskmaster"})
	if err != nil {
		t.Fatal(err)
	}
	svc := &releaseService{helm: hc}
	t.Cleanup(func() { _ = hc.Uninstall(context.WithoutCancel(ctx), helm.ApplyOptions{Timeout: time.Minute}) })

	// Nothing installed: the form starts from the chart's defaults.
	cur, err := svc.Current(ctx)
	if err != nil || cur.Tags["backend"] != "1.0.0" || cur.Replicas["backend"] != 1 || cur.Config["backend"]["APP_ENV"] != "production" || cur.MaxReplicas != 3 {
		t.Fatalf("Current before install = %+v, %v", cur, err)
	}
	if s, err := svc.Stuck(ctx); s != nil || err != nil {
		t.Fatalf("Stuck with nothing installed = %+v, %v", s, err)
	}

	var log progressLog
	ev, collected := log.channel(t)
	msg, err := svc.Install(ctx, release.Change{Replicas: map[string]int{"backend": 1, "frontend": 1}}, ev)
	got := collected()
	if err != nil || !strings.Contains(msg, "installed taskmaster: revision 1 deployed") {
		t.Fatalf("install: %q, %v", msg, err)
	}
	if !sawReadyPods(got) {
		t.Errorf("install progress never showed a Ready pod: %+v", got)
	}

	// Upgrade: the plan's diff shows the new tag, nothing is changed until Apply.
	plan, err := svc.PlanUpgrade(ctx, release.Change{Tags: map[string]string{"backend": "1.1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Op != "upgrade" || plan.From != 1 || !diffHas(plan, "Deployment/taskmaster-backend", "+", "taskmaster-backend:1.1.0") {
		t.Fatalf("upgrade plan = %+v", plan)
	}
	if st, _ := svc.Status(ctx); st.Revision != 1 {
		t.Fatalf("planning changed the release: revision %d", st.Revision)
	}
	ev, collected = (&progressLog{}).channel(t)
	msg, err = svc.Apply(ctx, plan, ev)
	collected()
	if err != nil || !strings.Contains(msg, "upgraded taskmaster: revision 2 deployed") {
		t.Fatalf("apply upgrade: %q, %v", msg, err)
	}
	if cur, _ := svc.Current(ctx); cur.Tags["backend"] != "1.1.0" || cur.Tags["frontend"] != "1.0.0" {
		t.Errorf("after the upgrade the form would start from %+v", cur.Tags)
	}

	// Rollback to revision 1: its diff shows the old tag coming back.
	plan, err = svc.PlanRollback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Op != "rollback" || plan.To != 1 || !diffHas(plan, "Deployment/taskmaster-backend", "+", "taskmaster-backend:1.0.0") {
		t.Fatalf("rollback plan = %+v", plan)
	}
	ev, collected = (&progressLog{}).channel(t)
	msg, err = svc.Apply(ctx, plan, ev)
	collected()
	if err != nil || !strings.Contains(msg, "rolled back taskmaster to revision 1: now revision 3 deployed") {
		t.Fatalf("apply rollback: %q, %v", msg, err)
	}
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
	if err != nil || d.Spec.Template.Spec.Containers[0].Image != "taskmaster-backend:1.0.0" {
		t.Fatalf("after the rollback the backend runs %v (%v)", d.Spec.Template.Spec.Containers[0].Image, err)
	}

	ev, collected = (&progressLog{}).channel(t)
	msg, err = svc.Test(ctx, ev)
	collected()
	if err != nil || !strings.Contains(msg, "helm test passed") {
		t.Fatalf("helm test: %q, %v", msg, err)
	}

	ev, collected = (&progressLog{}).channel(t)
	msg, err = svc.Uninstall(ctx, ev)
	collected()
	if err != nil || !strings.Contains(msg, "uninstalled taskmaster") {
		t.Fatalf("uninstall: %q, %v", msg, err)
	}
	if st, err := svc.Status(ctx); err != nil || st.Installed {
		t.Fatalf("after uninstall: %+v, %v", st, err)
	}
	if _, err := cs.AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{}); err == nil {
		t.Fatal("the backend Deployment outlived the uninstall")
	}
}

func sawReadyPods(ps []release.Progress) bool {
	for _, p := range ps {
		for _, pod := range p.Pods {
			if pod.Ready {
				return true
			}
		}
	}
	return false
}

func diffHas(p release.Plan, object, sign, text string) bool {
	for _, o := range p.Objects {
		if o.Name != object {
			continue
		}
		for _, l := range strings.Split(o.Unified, "\n") {
			if strings.HasPrefix(l, sign) && strings.Contains(l, text) {
				return true
			}
		}
	}
	return false
}
