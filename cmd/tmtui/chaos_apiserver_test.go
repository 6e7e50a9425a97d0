package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// apiProbe follows, every 50 ms, whether the API server answers /livez,
// and remembers when it last changed.
type apiProbe struct {
	mu      sync.Mutex
	up      bool
	changed time.Time
}

func startAPIProbe(t *testing.T, cs kubernetes.Interface) *apiProbe {
	p := &apiProbe{up: true, changed: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			rctx, rcancel := context.WithTimeout(ctx, 300*time.Millisecond)
			err := cs.Discovery().RESTClient().Get().AbsPath("/livez").Do(rctx).Error()
			rcancel()
			p.mu.Lock()
			if up := err == nil; up != p.up {
				p.up, p.changed = up, time.Now()
			}
			p.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return p
}

// since returns when the API server became up (or down), waiting up to
// limit for it to be so.
func (p *apiProbe) since(t *testing.T, up bool, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		p.mu.Lock()
		u, at := p.up, p.changed
		p.mu.Unlock()
		if u == up {
			return at
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API server is not %v after %s", map[bool]string{true: "up", false: "down"}[up], limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The API server stopped and started again, five times, under a tmtui
// session on the chart's release: tmtui never crashes, its header says
// "reconnecting" while the API server is gone, keeping the last known pods,
// every pane is right again after its return (the pods listed Running 1/1,
// the release deployed, a new log line), and a scale started afterwards,
// `+` on the backend, succeeds.
//
// The promised times, "reconnecting" within 2 s of the API server going and
// every pane right within 5 s of its return, are held by make chaos only
// (testenv.Promised) and recorded in docs/reliability.md. They are measured
// from when the API server stopped or started answering, as a probe of its
// /livez saw it, so the return includes the sandbox's own controllers and
// kwok coming back, not only tmtui.
func TestChaosAPIServerRestartedDuringATmuxSession(t *testing.T) {
	t.Parallel()
	p := testenv.PrivateSandbox(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", p.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-secret"},
		StringData: map[string]string{
			"database-url":   "postgresql://user:pass@db.invalid/app",
			"openai-api-key": "sk-test-fake-chaos",
			"jwt-secret":     "fake-jwt-secret-fake-jwt-secret-fake-jwt",
		},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hc, err := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: p.Kubeconfig, Namespace: ns}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.Install(ctx, helm.InstallOptions{ApplyOptions: helm.ApplyOptions{Timeout: time.Minute}}); err != nil {
		t.Fatalf("install: %v", err)
	}
	backend, frontend := readyPod(t, cs, ns, "backend", ""), readyPod(t, cs, ns, "frontend", "")

	term := startInTmux(t, "--kubeconfig", p.Kubeconfig, "-n", ns)
	allRight := func(s string) bool {
		return !strings.Contains(s, "reconnecting") &&
			podRow(s, backend, "1/1", "Running") && podRow(s, frontend, "1/1", "Running") &&
			strings.Contains(s, "deployed")
	}
	term.waitUntil(30*time.Second, "both pods Running 1/1 and the release deployed", allRight)
	probe := startAPIProbe(t, cs)

	restarts := testenv.Repeat(1, 5)
	res := &testenv.Result{Section: testenv.SectionFaults, Class: "API server stopped and restarted during a session", Tried: restarts}
	testenv.Record(t, res)
	const promisedReconnecting, promisedRight = 2 * time.Second, 5 * time.Second
	var toReconnecting, toRight []time.Duration
	survived := 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
	}
	figures := func() {
		res.Figures = nil
		if len(toReconnecting) > 0 {
			res.Figures = append(res.Figures, "\"reconnecting\" shown "+secondsList(toReconnecting)+" after the API server stopped answering (as a /livez probe every 50 ms saw it; promised within "+promisedReconnecting.String()+")")
		}
		if len(toRight) > 0 {
			res.Figures = append(res.Figures, "every pane right again (pods, release, a new log line) "+secondsList(toRight)+" after it answered again (promised within "+promisedRight.String()+")")
		}
	}
	for i := range restarts {
		ok := true
		p.StopAPIServer(t)
		down := probe.since(t, false, 30*time.Second)
		shown, screen := waitScreen(term, down, time.Minute, func(s string) bool { return strings.Contains(s, "reconnecting") })
		if shown < 0 {
			fail("restart %d: no \"reconnecting\" a minute after the API server went:\n%s", i+1, screen)
			ok = false
		} else {
			toReconnecting = append(toReconnecting, shown)
			if err := testenv.Promised(t, fmt.Sprintf("restart %d: \"reconnecting\" after the API server went", i+1), shown, promisedReconnecting); err != nil {
				fail("%v", err)
				ok = false
			}
		}
		if !podRow(screen, backend, "1/1", "Running") {
			fail("restart %d: the pods pane dropped the last known pods while reconnecting:\n%s", i+1, screen)
			ok = false
		}

		p.StartAPIServer(t)
		up := probe.since(t, true, time.Minute)
		// The Logs pane is right when a line newer than any it showed
		// before comes in (the stand-in writes a heartbeat every 2 s).
		seen := maxSeqShown(term.screen())
		right, screen := waitScreen(term, up, 2*time.Minute, func(s string) bool { return allRight(s) && maxSeqShown(s) > seen })
		if right < 0 {
			fail("restart %d: the panes are not right two minutes after the API server's return:\n%s", i+1, screen)
			ok = false
		} else {
			toRight = append(toRight, right)
			if err := testenv.Promised(t, fmt.Sprintf("restart %d: every pane right after the API server's return", i+1), right, promisedRight); err != nil {
				fail("%v", err)
				ok = false
			}
		}
		for _, bad := range []string{"panic", "goroutine"} {
			if strings.Contains(screen, bad) {
				fail("restart %d: %q on screen:\n%s", i+1, bad, screen)
				ok = false
			}
		}
		if ok {
			survived++
		}
		figures()
	}

	// A workflow after the last return: + on the (selected) backend pod
	// scales it to 2 through Helm.
	scaled := false
	if survived == restarts {
		term.send("+")
		scaledScreen, scaledErr := waitScreenErr(term, 60*time.Second, func(s string) bool {
			return strings.Count(s, "taskmaster-backend-") >= 2 && strings.Contains(s, "scaled taskmaster-backend to 2")
		})
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{})
		switch {
		case scaledErr != nil:
			dumpPods(t, cs, ns)
			fail("+ after the restarts: two backend pods and \"scaled\" not on screen within 60 s:\n%s", scaledScreen)
		case err != nil || *d.Spec.Replicas != 2:
			fail("+ after the restarts: the backend Deployment does not want 2 replicas (%v)", err)
		default:
			st, err := hc.Status(ctx)
			if err != nil || st.Replicas[helm.Backend] != 2 || st.Status != helm.StatusDeployed {
				fail("+ after the restarts: release %+v, %v; want backend replicas 2, deployed", st, err)
			} else {
				scaled = true
			}
		}
	}
	if scaled {
		res.Survived = survived
		res.Figures = append(res.Figures, "then + scaled the backend to 2 through Helm")
	}
	term.send("q")
	if strings.Contains(term.screen(), "Quit while work runs?") {
		term.send("y")
	}
	if code := term.exitCode(10 * time.Second); code != 0 {
		res.Survived = 0
		t.Errorf("tmtui exited %d after q, want 0", code)
	}
}

// waitScreen polls the screen until ok accepts it, and returns how long
// after from that was, or -1 with the last screen when limit passes.
func waitScreen(term *tmuxTerm, from time.Time, limit time.Duration, ok func(string) bool) (time.Duration, string) {
	deadline := time.Now().Add(limit)
	for {
		s := term.screen()
		if ok(s) {
			return time.Since(from), s
		}
		if time.Now().After(deadline) {
			return -1, s
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitScreenErr(term *tmuxTerm, limit time.Duration, ok func(string) bool) (string, error) {
	d, s := waitScreen(term, time.Now(), limit, ok)
	if d < 0 {
		return s, fmt.Errorf("not within %s", limit)
	}
	return s, nil
}

// dumpPods logs the namespace's pods with their phase and conditions.
func dumpPods(t *testing.T, cs kubernetes.Interface, ns string) {
	list, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Logf("listing pods: %v", err)
		return
	}
	for _, p := range list.Items {
		t.Logf("pod %s: %s node %q conditions %+v", p.Name, p.Status.Phase, p.Spec.NodeName, p.Status.Conditions)
	}
}

var seqOnScreen = regexp.MustCompile(`seq=(\d+)`)

// maxSeqShown is the highest stand-in line number on the screen.
func maxSeqShown(screen string) int {
	n := 0
	for _, m := range seqOnScreen.FindAllStringSubmatch(screen, -1) {
		v, _ := strconv.Atoi(m[1])
		n = max(n, v)
	}
	return n
}
