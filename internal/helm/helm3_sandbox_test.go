package helm_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// helm3 runs the real Helm 3 CLI on the test's namespace.
func (r *sandboxRelease) helm3(args ...string) string {
	r.t.Helper()
	return r.runCLI("helm3", testenv.RunHelm3, args)
}

// applyMethod is what Helm recorded of how a revision's objects were
// applied: "ssa" (server-side), "csa" (client-side), or "" when the Helm 3
// CLI made it (it records nothing; Helm 4 reads that as client-side).
func (r *sandboxRelease) applyMethod(revision int) string {
	r.t.Helper()
	out := r.helmCLI("get", "metadata", "taskmaster", "--revision", strconv.Itoa(revision), "--output", "json")
	var m struct {
		ApplyMethod string `json:"applyMethod"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		r.t.Fatalf("helm get metadata: %v\n%s", err, out)
	}
	return m.ApplyMethod
}

// helmOwnership is how field manager "helm" owns fields of the backend
// Deployment: "Apply" (server-side apply), "Update" (client-side), or both.
func (r *sandboxRelease) helmOwnership() string {
	r.t.Helper()
	d, err := r.cs.AppsV1().Deployments(r.ns).Get(r.t.Context(), "taskmaster-backend", metav1.GetOptions{})
	if err != nil {
		r.t.Fatal(err)
	}
	var ops []string
	for _, mf := range d.ManagedFields {
		if mf.Manager == "helm" {
			ops = append(ops, string(mf.Operation))
		}
	}
	slices.Sort(ops)
	return strings.Join(ops, " ")
}

// bothCLIs checks that the Helm 3 and the Helm 4 CLI both see the release
// at revision want, deployed, with the same history, and returns that
// history as "revision status" pairs.
func (r *sandboxRelease) bothCLIs(want int) string {
	r.t.Helper()
	type status struct {
		Version int `json:"version"`
		Info    struct {
			Status string `json:"status"`
		} `json:"info"`
	}
	for name, run := range map[string]func(...string) string{"helm3": r.helm3, "helm4": r.helmCLI} {
		var st status
		if out := run("status", "taskmaster", "--output", "json"); json.Unmarshal([]byte(out), &st) != nil || st.Version != want || st.Info.Status != "deployed" {
			r.t.Errorf("%s status: revision %d %q, want %d deployed\n%s", name, st.Version, st.Info.Status, want, out)
		}
	}
	line := func(h []cliRevision) string {
		var s []string
		for _, rev := range h {
			s = append(s, strconv.Itoa(rev.Revision)+" "+rev.Status)
		}
		return strings.Join(s, ", ")
	}
	var h3 []cliRevision
	if out := r.helm3("history", "taskmaster", "--output", "json"); json.Unmarshal([]byte(out), &h3) != nil {
		r.t.Fatalf("helm3 history:\n%s", out)
	}
	if a, b := line(h3), line(r.cliHistory()); a != b {
		r.t.Errorf("the CLIs disagree on the history:\nhelm3: %s\nhelm4: %s", a, b)
	}
	return line(h3)
}

// helm3Release is a test's release installed by the Helm 3 CLI
// (client-side apply, revision 1), with its pods running.
func helm3Release(t *testing.T) *sandboxRelease {
	t.Helper()
	r := newSandboxRelease(t, "")
	// Without --wait: Helm 3 would wait for the LoadBalancer Service's
	// address, which the sandbox never gives.
	r.helm3("install", "taskmaster", helm3Chart)
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	if m, o := r.applyMethod(1), r.helmOwnership(); m != "" || o != "Update" {
		t.Fatalf("Helm 3's install: apply method %q, helm owns by %q; want a client-side release", m, o)
	}
	return r
}

var helm3Chart = filepath.Join("..", "..", "charts", "taskmaster")

// onServer checks that tmtui applied revision server-side, and that helm
// now owns the backend's fields that way alone (docs/scaling.md).
func (r *sandboxRelease) onServer(what string, revision int) {
	r.t.Helper()
	if m := r.applyMethod(revision); m != "ssa" {
		r.t.Errorf("%s: revision %d applied with %q, want ssa (docs/scaling.md)", what, revision, m)
	}
	if o := r.helmOwnership(); o != "Apply" {
		r.t.Errorf("%s: helm owns the backend Deployment's fields by %q, want Apply alone", what, o)
	}
}

// A release installed by the Helm 3 CLI (client-side apply) is managed by
// tmtui like one of its own: upgrade, rollback (to Helm 3's own revision
// too), scale and uninstall; and the Helm 3 CLI still upgrades the release
// once tmtui has moved it to server-side apply. Before tmtui chose the
// apply method itself, its first upgrade failed ("forceConflicts enabled
// when serverSideApply disabled"), and so did Helm's rollback of it.
func TestAReleaseMadeByHelm3IsManagedOnSandbox(t *testing.T) {
	t.Parallel()
	r := helm3Release(t)
	ctx := t.Context()
	opts := helm.ApplyOptions{Timeout: time.Minute}

	rel := r.apply(r.client.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "1.0.1"}}))
	if rel.Revision != 2 || rel.Status != helm.StatusDeployed {
		t.Fatalf("upgrade: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.1"})
	r.onServer("upgrade", 2)

	// Back to Helm 3's own, client-side revision: the same replica counts,
	// so a plain Helm rollback.
	rel = r.apply(r.client.PlanRollback(ctx, 1))
	if rel.Revision != 3 || rel.Status != helm.StatusDeployed || rel.RollbackOf != 1 || rel.Description != "Rollback to 1" {
		t.Fatalf("rollback to 1: %+v", rel)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	r.onServer("rollback", 3)

	rel, err := r.client.Scale(ctx, helm.Backend, 2, opts)
	if err != nil || rel.Revision != 4 || rel.Replicas[helm.Backend] != 2 {
		t.Fatalf("scale to 2: %+v, %v", rel, err)
	}
	r.waitPods(map[string]int{"backend": 2, "frontend": 1}, nil)
	r.onServer("scale", 4)

	// The Helm 3 CLI upgrades the release tmtui moved to server-side
	// apply: client-side again, as Helm 3 always applies.
	r.helm3("upgrade", "taskmaster", helm3Chart, "--reuse-values", "--set", "backend.image.tag=1.2.0")
	r.waitPods(map[string]int{"backend": 2, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.2.0"})
	if m, o := r.applyMethod(5), r.helmOwnership(); m != "" || o != "Apply Update" {
		t.Errorf("Helm 3's upgrade: apply method %q, helm owns by %q; want \"\" and \"Apply Update\"", m, o)
	}
	// Helm 3 rewrote the revision it superseded without the field it does
	// not know (docs/scaling.md says so).
	if m := r.applyMethod(4); m != "" {
		t.Errorf("revision 4 after Helm 3 superseded it: apply method %q, want none", m)
	}
	want := "1 superseded, 2 superseded, 3 superseded, 4 superseded, 5 deployed"
	if got := r.bothCLIs(5); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}

	if err := r.client.Uninstall(ctx, opts); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	for name, run := range map[string]func(testing.TB, ...string) (string, error){"helm3": testenv.RunHelm3, "helm4": testenv.RunHelm} {
		if out, err := run(t, append([]string{"status", "taskmaster"}, r.helmFlags...)...); err == nil || !strings.Contains(out, "not found") {
			t.Errorf("%s status after uninstall: %v\n%s", name, err, out)
		}
	}
	if d, err := r.cs.AppsV1().Deployments(r.ns).List(ctx, metav1.ListOptions{}); err != nil || len(d.Items) != 0 {
		t.Errorf("deployments left after uninstall: %v", err)
	}
}

// tmtui's upgrade of a release made by the Helm 3 CLI, killed half-way, is
// recovered by a rollback to Helm 3's revision; then the Helm 3 CLI rolls
// back to a revision tmtui made, and tmtui takes the release from there
// again. (A test of its own, beside the one above, on a release of its own.)
func TestAStuckUpgradeOfAReleaseMadeByHelm3IsRecoveredOnSandbox(t *testing.T) {
	t.Parallel()
	r := helm3Release(t)
	ctx := t.Context()
	opts := helm.ApplyOptions{Timeout: time.Minute}

	r.killMidOperation("upgrade", helm.StatusPendingUpgrade)
	rel, err := r.client.Recover(ctx, opts)
	if err != nil || rel == nil || rel.Revision != 3 || rel.Status != helm.StatusDeployed || rel.RollbackOf != 1 {
		t.Fatalf("recover the killed upgrade: %+v, %v", rel, err)
	}
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	r.onServer("recovery", 3)

	rel, err = r.client.Scale(ctx, helm.Backend, 2, opts)
	if err != nil || rel.Revision != 4 || rel.Replicas[helm.Backend] != 2 {
		t.Fatalf("scale to 2: %+v, %v", rel, err)
	}
	r.waitPods(map[string]int{"backend": 2, "frontend": 1}, nil)

	// The Helm 3 CLI rolls back to the recovery, a revision tmtui made
	// (server-side) with one backend pod.
	r.helm3("rollback", "taskmaster", "3")
	r.waitPods(map[string]int{"backend": 1, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	rel, err = r.client.Scale(ctx, helm.Backend, 2, opts)
	if err != nil || rel.Revision != 6 || rel.Replicas[helm.Backend] != 2 {
		t.Fatalf("scale to 2 after Helm 3's rollback: %+v, %v", rel, err)
	}
	r.waitPods(map[string]int{"backend": 2, "frontend": 1}, map[string]string{"backend": "taskmaster-backend:1.0.0"})
	r.onServer("scale after Helm 3's rollback", 6)

	want := "1 superseded, 2 failed, 3 superseded, 4 superseded, 5 superseded, 6 deployed"
	if got := r.bothCLIs(6); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
}
