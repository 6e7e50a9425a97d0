package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// chaosChildEnv makes the test binary the process a chaos test kills:
// "install:TAG", "upgrade:TAG" or "rollback:REV" on the release in
// CHAOS_NAMESPACE of the kubeconfig CHAOS_KUBECONFIG, with the engine.
const chaosChildEnv = "TMTUI_CHAOS_CHILD_OP"

func runChaosChild(op string) int {
	c, err := helm.New(helm.Options{
		Connection: k8s.ConnectOptions{Kubeconfig: os.Getenv("CHAOS_KUBECONFIG"), Namespace: os.Getenv("CHAOS_NAMESPACE")},
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	opts := helm.ApplyOptions{Timeout: 3 * time.Minute}
	kind, arg, _ := strings.Cut(op, ":")
	tag := helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: arg}}
	switch kind {
	case "install":
		_, err = c.Install(ctx, helm.InstallOptions{Overrides: tag, ApplyOptions: opts})
	case "upgrade":
		var p *helm.Plan
		if p, err = c.PlanUpgrade(ctx, tag); err == nil {
			_, err = c.Apply(ctx, p, opts)
		}
	case "rollback":
		var p *helm.Plan
		var rev int
		fmt.Sscan(arg, &rev)
		if p, err = c.PlanRollback(ctx, rev); err == nil {
			_, err = c.Apply(ctx, p, opts)
		}
	default:
		err = fmt.Errorf("unknown operation %q", op)
	}
	fmt.Fprintln(os.Stderr, "the operation ended before it was killed:", err)
	return 3
}

// killHelmChild runs op in a child process and kills it with SIGKILL once
// the release records a pending revision and the backend Deployment runs
// the tag waitTag (one that never gets Ready, so Helm is waiting).
func killHelmChild(t *testing.T, cs kubernetes.Interface, kubeconfig, ns, op, waitTag string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), chaosChildEnv+"="+op, "CHAOS_KUBECONFIG="+kubeconfig, "CHAOS_NAMESPACE="+ns)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // when a wait below fails the test
	deadline := time.Now().Add(60 * time.Second)
	var status, image string
	for {
		status, image = latestRevision(t, cs, ns)
		if strings.Contains(status, " pending-") && strings.HasSuffix(image, ":"+waitTag) {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the child ended by itself (%v) at %s, %s:\n%s", err, status, image, out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("no pending revision running %s within 60 s (%s, %s)", waitTag, status, image)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Into Helm's wait: a pod of the new template exists once the
	// ReplicaSet controller acted on what Helm sent, and Helm, done
	// sending, waits for it to be Ready (it never is).
	testenv.Eventually(t, 2*time.Minute, func() error {
		list, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: k8s.ReleaseSelector("taskmaster", "backend")})
		if err != nil {
			return err
		}
		for _, p := range list.Items {
			if strings.HasSuffix(p.Spec.Containers[0].Image, ":"+waitTag) {
				return nil
			}
		}
		return fmt.Errorf("no backend pod runs %s yet (%d pods)", waitTag, len(list.Items))
	})
	_ = cmd.Process.Kill()
	if err := <-exited; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child: %v, want killed", err)
	}
	return status + ", " + image
}

// TestChaosSIGKILLThenRecoveredThroughTmux: the process running an
// install, an upgrade or a rollback is killed while Helm waits; tmtui,
// started afterwards, finds the stuck release and offers its recovery by
// itself; one key, y, brings the release to a clean state, with no helm
// command. The engine's ten moments are in internal/helm.
func TestChaosSIGKILLThenRecoveredThroughTmux(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	type moment struct {
		name  string
		setup []string // operations run to the end before
		op    string
		want  string // the recovery plan offered
	}
	moments := []moment{
		{"install", nil, "install:unready", "uninstall it"},
		{"upgrade", []string{"install:1.0.0"}, "upgrade:unready", "roll back to revision 1"},
		{"rollback", []string{"install:1.0.0", "upgrade-fails:unready"}, "rollback:2", "roll back to revision 3"},
	}
	if !testenv.Chaos() {
		moments = moments[1:2]
	}
	count := testenv.Count(t, testenv.SectionFaults, "SIGKILL during install, upgrade and rollback")
	count.Figure("through tmux: tmtui started after the kill offers the recovery by itself; y brings the release back (" + fmt.Sprint(len(moments)) + " operations killed while Helm waited)")
	for _, m := range moments {
		t.Run(m.name, func(t *testing.T) {
			count.Trial(t)
			t.Parallel()
			ns := testenv.Namespace(t, cs)
			ctx := t.Context()
			if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: k8s.SecretName},
				StringData: map[string]string{"database-url": "postgresql://user:pass@db.invalid/app", "openai-api-key": "sk-test-fake-recover", "jwt-secret": "fake-jwt-secret-fake-jwt-secret-fake-jwt"},
			}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			hc, err := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: sb.Kubeconfig, Namespace: ns}, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			opts := helm.ApplyOptions{Timeout: time.Minute}
			for _, op := range m.setup {
				kind, tag, _ := strings.Cut(op, ":")
				tags := helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: tag}}
				switch kind {
				case "install":
					_, err = hc.Install(ctx, helm.InstallOptions{Overrides: tags, ApplyOptions: opts})
				case "upgrade-fails":
					// Never Ready: Helm rolls it back, and revision 2 is
					// one that a rollback to waits on for ever.
					var p *helm.Plan
					if p, err = hc.PlanUpgrade(ctx, tags); err == nil {
						if _, err = hc.Apply(ctx, p, helm.ApplyOptions{Timeout: 3 * time.Second}); err == nil {
							err = errors.New("the upgrade to an unready image succeeded")
						} else {
							err = nil
						}
					}
				default:
					var p *helm.Plan
					if p, err = hc.PlanUpgrade(ctx, tags); err == nil {
						_, err = hc.Apply(ctx, p, opts)
					}
				}
				if err != nil {
					t.Fatalf("%s: %v", op, err)
				}
			}
			seen := killHelmChild(t, cs, sb.Kubeconfig, ns, m.op, "unready")
			stuck, err := hc.DetectStuck(ctx)
			if err != nil || stuck == nil || !strings.HasPrefix(stuck.Plan, m.want) {
				t.Fatalf("killed at %s: stuck %+v, %v; want a plan to %s", seen, stuck, err, m.want)
			}

			term := startInTmux(t, "--kubeconfig", sb.Kubeconfig, "-n", ns)
			screen := term.waitFor("Recover release taskmaster", 30*time.Second)
			offered := time.Now()
			if words := strings.Fields(m.want); !strings.Contains(screen, words[0]+" "+words[1]) {
				t.Errorf("the offer does not say the plan %q:\n%s", stuck.Plan, screen)
			}
			// The offer opened by itself: a key typed as it appeared would
			// be no answer, so y goes once its grace period is over.
			term.answerUnasked(offered, "Recover release taskmaster", "y", 15*time.Second)
			var after *helm.Release
			testenv.Eventually(t, 60*time.Second, func() error {
				s, err := hc.DetectStuck(ctx)
				if err != nil || s != nil {
					return fmt.Errorf("still stuck: %+v, %v", s, err)
				}
				after, err = hc.Status(ctx)
				switch {
				case errors.Is(err, helm.ErrNotInstalled):
					after = nil
					return nil
				case err != nil:
					return err
				case after.Status != helm.StatusDeployed:
					return fmt.Errorf("release is %s", after.Status)
				}
				return nil
			})
			if after == nil {
				term.waitUntil(30*time.Second, "the release shown as not installed", func(s string) bool {
					return !strings.Contains(s, "Recover release") && strings.Contains(s, "not installed")
				})
			} else {
				term.waitUntil(30*time.Second, fmt.Sprintf("revision %d deployed", after.Revision), func(s string) bool {
					return !strings.Contains(s, "Recover release") && strings.Contains(s, fmt.Sprintf("rev %d ✓ deployed", after.Revision))
				})
			}
			if code := term.quit(10 * time.Second); code != 0 {
				t.Errorf("tmtui exited %d after q", code)
			}
		})
	}
}

// latestRevision is the release's latest recorded revision and status,
// and the backend Deployment's image.
func latestRevision(t *testing.T, cs kubernetes.Interface, ns string) (status, image string) {
	secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=taskmaster"})
	status = "no revision"
	if err == nil {
		latest := 0
		for _, s := range secrets.Items {
			var v int
			fmt.Sscan(s.Labels["version"], &v)
			if v > latest {
				latest, status = v, fmt.Sprintf("revision %d %s", v, s.Labels["status"])
			}
		}
	}
	image = "no backend Deployment"
	if d, err := cs.AppsV1().Deployments(ns).Get(context.Background(), "taskmaster-backend", metav1.GetOptions{}); err == nil {
		image = d.Spec.Template.Spec.Containers[0].Image
	}
	return status, image
}
