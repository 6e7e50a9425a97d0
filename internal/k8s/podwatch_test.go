package k8s

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// liveWith accepts a live snapshot where the component has exactly n pods,
// all Running and Ready, and a complete rollout of n.
func liveWith(component string, n int) func(Snapshot) error {
	return func(s Snapshot) error {
		if s.Conn != ConnLive {
			return fmt.Errorf("conn %s (%s)", s.Conn, s.ConnErr)
		}
		pods := s.PodsOf(component)
		if len(pods) != n {
			return fmt.Errorf("%d %s pods %s, want %d", len(pods), component, describePods(pods), n)
		}
		for _, p := range pods {
			if !p.Ready || p.Status != "Running" || p.ReadyContainers != 1 || p.Containers != 1 {
				return fmt.Errorf("pod %s is %s %d/%d ready=%v", p.Name, p.Status, p.ReadyContainers, p.Containers, p.Ready)
			}
		}
		d, ok := s.DeploymentOf(component)
		if !ok {
			return fmt.Errorf("no %s deployment in the snapshot", component)
		}
		if d.Desired != int32(n) || d.Ready != int32(n) || d.Available != int32(n) || d.Updated != int32(n) || d.Rollout.State != RolloutComplete {
			return fmt.Errorf("deployment %s desired %d updated %d ready %d available %d rollout %+v, want %d complete",
				d.Name, d.Desired, d.Updated, d.Ready, d.Available, d.Rollout, n)
		}
		return nil
	}
}

func TestWatchFollowsScaleUpAndDown(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 1)
	r.deploy(ComponentFrontend, "taskmaster-frontend:1.0.0", 1)
	// Not of this release: the watch must leave it out.
	r.deploy("other", "other:1", 1, func(d *appsv1.Deployment) {
		d.Name = "stranger"
		for _, m := range []map[string]string{d.Labels, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels} {
			m[InstanceLabel] = "someone-else"
		}
	})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const interval = 75 * time.Millisecond
	watched, err := r.client.WatchRelease(ctx, WatchOptions{Release: r.name, Interval: interval})
	if err != nil {
		t.Fatal(err)
	}
	// Note when each snapshot was taken, on its way to the test.
	snaps := make(chan Snapshot)
	var taken []time.Time
	go func() {
		defer close(snaps)
		for s := range watched {
			taken = append(taken, s.Taken)
			snaps <- s
		}
	}()
	s := nextSnapshot(t, snaps, 30*time.Second, liveWith(ComponentBackend, 1))
	if len(s.Deployments) != 2 || s.Namespace != r.ns {
		t.Errorf("snapshot of %s has deployments %+v, want this release's two", s.Namespace, s.Deployments)
	}
	for _, p := range s.Pods {
		if p.Component != ComponentBackend && p.Component != ComponentFrontend {
			t.Errorf("pod %s of component %q is not the release's", p.Name, p.Component)
		}
	}
	p := s.PodsOf(ComponentBackend)[0]
	if p.Node == "" || p.Created.IsZero() || p.Age(time.Now()) < 0 || p.Phase != "Running" || p.Reason != "" || p.Hint != "" {
		t.Errorf("running pod described as %+v", p)
	}
	if len(p.Images) != 1 || p.Images[0] != "taskmaster-backend:1.0.0" {
		t.Errorf("pod images %v", p.Images)
	}

	r.scale(ComponentBackend, 3)
	s = nextSnapshot(t, snaps, 30*time.Second, liveWith(ComponentBackend, 3))
	names := map[string]bool{}
	for _, p := range s.PodsOf(ComponentBackend) {
		names[p.Name] = true
	}
	if len(names) != 3 {
		t.Errorf("3 pods but %d names: %v", len(names), names)
	}

	r.scale(ComponentBackend, 1)
	s = nextSnapshot(t, snaps, 30*time.Second, liveWith(ComponentBackend, 1))
	if err := liveWith(ComponentFrontend, 1)(s); err != nil {
		t.Errorf("the frontend, left alone: %v", err)
	}

	cancel()
	closed := time.After(time.Minute)
	for open := true; open; {
		select {
		case _, open = <-snaps:
		case <-closed:
			t.Fatal("the watch's channel is still open a minute after its context ended")
		}
	}
	// A burst of changes (three pods appearing, each in several steps)
	// came as snapshots at least Interval apart.
	for i := 1; i < len(taken); i++ {
		if gap := taken[i].Sub(taken[i-1]); gap < interval {
			t.Errorf("snapshots %d and %d only %v apart; want at least %v", i-1, i, gap, interval)
		}
	}
	t.Logf("%d snapshots in all", len(taken))
}

func TestWatchShowsCrashLoopBackOffWithHintAndFailedRollout(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:crashloop", 1)
	// Given a deadline of 2 s the controller soon declares the rollout failed.
	deadline := int32(2)
	r.deploy(ComponentFrontend, "taskmaster-frontend:crashloop", 1, func(d *appsv1.Deployment) {
		d.Spec.ProgressDeadlineSeconds = &deadline
	})

	snaps, err := r.client.WatchRelease(t.Context(), WatchOptions{Release: r.name})
	if err != nil {
		t.Fatal(err)
	}
	var pod PodInfo
	s := nextSnapshot(t, snaps, 30*time.Second, func(s Snapshot) error {
		pods := s.PodsOf(ComponentBackend)
		if len(pods) != 1 {
			return fmt.Errorf("backend pods %s", describePods(pods))
		}
		pod = pods[0]
		if pod.Reason != "CrashLoopBackOff" || pod.Restarts < 1 {
			return fmt.Errorf("pod %s reason %q restarts %d, want CrashLoopBackOff and restarts", pod.Name, pod.Reason, pod.Restarts)
		}
		return nil
	})
	if pod.Status != "CrashLoopBackOff" || pod.Ready || pod.ReadyContainers != 0 {
		t.Errorf("crashing pod shows status %q ready %v %d/%d", pod.Status, pod.Ready, pod.ReadyContainers, pod.Containers)
	}
	if !strings.Contains(pod.Hint, "previous logs") || !strings.Contains(pod.Message, "back-off") {
		t.Errorf("hint %q / message %q: want the advice to read the previous logs and the cluster's message", pod.Hint, pod.Message)
	}
	if d, _ := s.DeploymentOf(ComponentBackend); d.Rollout.State != RolloutProgressing || d.Available != 0 {
		t.Errorf("backend rollout %+v available %d, want progressing with nothing available", d.Rollout, d.Available)
	}

	// Restarts grow, and each change arrives.
	first := pod.Restarts
	nextSnapshot(t, snaps, 20*time.Second, func(s Snapshot) error {
		if ps := s.PodsOf(ComponentBackend); len(ps) != 1 || ps[0].Restarts <= first {
			return fmt.Errorf("restarts stay at %d", first)
		}
		return nil
	})

	// A warning event about the pod is attached to it.
	r.warnAbout(pod.Name, "BackOff", "Back-off restarting failed container backend")
	nextSnapshot(t, snaps, 20*time.Second, func(s Snapshot) error {
		ps := s.PodsOf(ComponentBackend)
		if len(ps) != 1 || len(ps[0].Warnings) == 0 {
			return fmt.Errorf("no warning on the pod yet")
		}
		if w := ps[0].Warnings[0]; w.Reason != "BackOff" || w.Kind != "Pod" || w.Name != pod.Name || w.Last.IsZero() {
			return fmt.Errorf("warning %+v", w)
		}
		return nil
	})

	// The frontend's rollout exceeds its deadline: failed, as kubectl says.
	nextSnapshot(t, snaps, 30*time.Second, func(s Snapshot) error {
		d, ok := s.DeploymentOf(ComponentFrontend)
		if !ok || d.Rollout.State != RolloutFailed {
			return fmt.Errorf("frontend rollout %+v", d.Rollout)
		}
		if !strings.Contains(d.Rollout.Message, "progress deadline") {
			return fmt.Errorf("failed rollout message %q", d.Rollout.Message)
		}
		return nil
	})
}

// TestWatchReconnectsAfterAPIServerRestart takes a private sandbox's API
// server away under a running watch, and brings it back.
func TestWatchReconnectsAfterAPIServerRestart(t *testing.T) {
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
	r := sandboxReleaseOn(t, cfg, cs)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 1)

	snaps, err := r.client.WatchRelease(t.Context(), WatchOptions{Release: r.name, ProbeInterval: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	before := nextSnapshot(t, snaps, 30*time.Second, liveWith(ComponentBackend, 1))

	// The watch says it lost the server, and since when: a moment between
	// asking for the stop and seeing the snapshot. (How soon a session shows
	// it is a promise make chaos holds, through tmux.)
	stopAsked := time.Now()
	p.StopAPIServer(t)
	returned := time.Now()
	s := nextSnapshot(t, snaps, time.Minute, func(s Snapshot) error {
		if s.Conn != ConnReconnecting {
			return fmt.Errorf("conn still %s %v after StopAPIServer returned", s.Conn, time.Since(returned))
		}
		return nil
	})
	seen := time.Now()
	if s.ConnErr == "" || s.DisconnectedSince.IsZero() {
		t.Fatalf("reconnecting snapshot does not say why or since when: %+v", s)
	}
	t.Logf("the watch knew of the loss %v after the stop was asked, %v after it returned (%s)",
		s.DisconnectedSince.Sub(stopAsked).Round(time.Millisecond), s.DisconnectedSince.Sub(returned).Round(time.Millisecond), s.ConnErr)
	if s.DisconnectedSince.Before(stopAsked) || s.DisconnectedSince.After(seen) {
		t.Errorf("disconnected since %s, want between the stop (%s) and the snapshot (%s)",
			s.DisconnectedSince.Format("15:04:05.000"), stopAsked.Format("15:04:05.000"), seen.Format("15:04:05.000"))
	}
	if len(s.PodsOf(ComponentBackend)) != 1 || s.PodsOf(ComponentBackend)[0].Name != before.PodsOf(ComponentBackend)[0].Name {
		t.Errorf("reconnecting snapshot dropped the last known pods: %s", describePods(s.Pods))
	}

	p.StartAPIServer(t)
	r.scale(ComponentBackend, 2)
	// The same channel, never restarted, shows the change made after the
	// server came back: the scale and the new pod.
	s = nextSnapshot(t, snaps, 30*time.Second, func(s Snapshot) error {
		if s.Conn != ConnLive {
			return fmt.Errorf("conn %s (%s)", s.Conn, s.ConnErr)
		}
		d, _ := s.DeploymentOf(ComponentBackend)
		if pods := s.PodsOf(ComponentBackend); d.Desired != 2 || len(pods) != 2 {
			return fmt.Errorf("desired %d, pods %s; want the scale to 2", d.Desired, describePods(pods))
		}
		return nil
	})
	t.Logf("after the restart: %s", describePods(s.Pods))
}

func TestWatchRejectsABadSelector(t *testing.T) {
	c := &Client{}
	if _, err := c.WatchRelease(t.Context(), WatchOptions{}); err == nil {
		t.Error("a watch of nothing was accepted")
	}
	if _, err := c.WatchRelease(t.Context(), WatchOptions{Selector: "a in (b"}); err == nil || !strings.Contains(err.Error(), "a in (b") {
		t.Errorf("bad selector: err = %v", err)
	}
}
