package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
	"github.com/taskmaster-ai/tmtui/internal/ui/release"
)

// main's real Helm wiring on the sandbox: the release pane's service reads
// what Helm installed, and the pods pane's scale is a Helm upgrade that
// the release's history and values then show.
func TestHelmWiringServesTheReleasePaneAndScalesThroughHelm(t *testing.T) {
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
	if _, err := hc.Install(ctx, helm.InstallOptions{ApplyOptions: helm.ApplyOptions{Timeout: time.Minute}}); err != nil {
		t.Fatalf("install: %v", err)
	}

	cluster, err := connector(opts, wiring{helm: helmServices(opts, 0)})(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cluster.Release == nil || !cluster.Pods.(pods.Scaler).CanScale() {
		t.Fatalf("services = %+v: want a release service and scaling", cluster.Services)
	}
	st, err := cluster.Release.Status(ctx)
	if err != nil || !st.Installed || st.Revision != 1 || st.State != "deployed" || st.AppVersion != "1.0.0" {
		t.Fatalf("status = %+v, %v; want revision 1 deployed, app 1.0.0", st, err)
	}

	if err := cluster.Pods.ScaleDeployment(ctx, "taskmaster-backend", 2, ""); err != nil {
		t.Fatalf("scale: %v", err)
	}
	testenv.Eventually(t, time.Minute, func() error {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if *d.Spec.Replicas != 2 || d.Status.ReadyReplicas != 2 {
			return fmt.Errorf("backend wants %d, has %d ready; want 2", *d.Spec.Replicas, d.Status.ReadyReplicas)
		}
		return nil
	})

	hist, err := cluster.Release.History(ctx)
	if err != nil || len(hist) != 2 || hist[0].Number != 2 || hist[0].State != "deployed" || hist[1].State != "superseded" {
		t.Fatalf("history = %+v, %v; want 2 deployed then 1 superseded", hist, err)
	}
	vals, err := cluster.Release.Content(ctx, 0, release.Values)
	if err != nil || !strings.Contains(vals, "replicaCount: 2") {
		t.Fatalf("values of the running revision = %q, %v; want backend replicaCount 2", vals, err)
	}
	manifest, err := cluster.Release.Content(ctx, 1, release.Manifest)
	if err != nil || !strings.Contains(manifest, "kind: Deployment") || !strings.Contains(manifest, "replicas: 1") {
		t.Fatalf("manifest of revision 1 lacks its Deployment with 1 replica (%v):\n%s", err, manifest)
	}
	for _, text := range []string{vals, manifest} {
		if strings.Contains(text, "db.invalid") || strings.Contains(text, "sk-fake") {
			t.Fatal("a secret value reached the release pane's content")
		}
	}

	// Past the chart's bound the engine refuses, and says why.
	err = cluster.Pods.ScaleDeployment(ctx, "taskmaster-backend", 4, "")
	if err == nil || !strings.Contains(err.Error(), "at most 3") {
		t.Fatalf("scale to 4: %v; want a refusal naming the bound", err)
	}
	_ = hc.Uninstall(context.WithoutCancel(ctx), helm.ApplyOptions{Timeout: time.Minute})
}
