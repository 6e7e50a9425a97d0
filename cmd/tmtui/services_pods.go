package main

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
)

// podsService is pods.Service over the Kubernetes client: the release's
// pods from its watch, and the changes the pane offers, each approved by
// the client's guard.
type podsService struct {
	client    *k8s.Client
	namespace string
	release   string
	scale     scaleFunc // nil: this session cannot scale
}

var (
	_ pods.Service = (*podsService)(nil)
	_ pods.Scaler  = (*podsService)(nil)
)

// errNoScaling is what a scale asked for without a scaler gets; the pane
// hides the keys, so only a caller that ignores CanScale sees it.
var errNoScaling = errors.New("scaling is not available in this version of tmtui")

func (s *podsService) CanScale() bool { return s.scale != nil }

func (s *podsService) WatchPods(ctx context.Context) (<-chan pods.Snapshot, error) {
	in, err := s.client.WatchRelease(ctx, k8s.WatchOptions{Namespace: s.namespace, Release: s.release})
	if err != nil {
		return nil, err
	}
	out := make(chan pods.Snapshot, 1)
	go func() {
		defer close(out)
		for snap := range in {
			sendLatest(out, podsSnapshot(snap))
		}
	}()
	return out, nil
}

// sendLatest replaces an unread snapshot with s, as the watch itself does:
// the pane wants the latest state, never a backlog. The caller is the
// channel's only sender.
func sendLatest(out chan pods.Snapshot, s pods.Snapshot) {
	select {
	case out <- s:
		return
	default:
	}
	select {
	case <-out:
	default:
	}
	out <- s
}

func (s *podsService) ScaleDeployment(ctx context.Context, deployment string, replicas int32, confirmation string) error {
	if s.scale == nil {
		return errNoScaling
	}
	approval, err := s.client.Guard().Approve(fmt.Sprintf("scale deployment %s to %d", deployment, replicas), confirmation)
	if err != nil {
		return err
	}
	// Helm scales a component of the release; the pane knows deployments.
	d, err := s.client.Clientset().AppsV1().Deployments(s.namespace).Get(ctx, deployment, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("reading deployment %s in namespace %s: %w", deployment, s.namespace, err)
	}
	component := d.Labels[k8s.ComponentLabel]
	if component == "" {
		return fmt.Errorf("deployment %s has no %s label: it is not one of release %s's components", deployment, k8s.ComponentLabel, s.release)
	}
	return s.scale(ctx, component, replicas, approval)
}

func (s *podsService) RestartDeployment(ctx context.Context, deployment, confirmation string) error {
	approval, err := s.client.Guard().Approve("rollout restart deployment "+deployment, confirmation)
	if err != nil {
		return err
	}
	return s.client.RestartDeployment(ctx, approval, s.namespace, deployment)
}

func (s *podsService) DeletePod(ctx context.Context, pod, confirmation string) error {
	approval, err := s.client.Guard().Approve("delete pod "+pod, confirmation)
	if err != nil {
		return err
	}
	return s.client.DeletePod(ctx, approval, s.namespace, pod)
}

// podsSnapshot is the pane's view of one of the watch's snapshots.
func podsSnapshot(s k8s.Snapshot) pods.Snapshot {
	out := pods.Snapshot{
		Conn:        podsConn(s.Conn),
		ConnErr:     s.ConnErr,
		Problem:     s.Problem,
		Pods:        make([]pods.Pod, 0, len(s.Pods)),
		Deployments: make([]pods.Deployment, 0, len(s.Deployments)),
	}
	for _, p := range s.Pods {
		out.Pods = append(out.Pods, podOf(p))
	}
	for _, d := range s.Deployments {
		out.Deployments = append(out.Deployments, deploymentOf(d))
	}
	return out
}

func podsConn(c k8s.ConnState) pods.Conn {
	switch c {
	case k8s.ConnLive:
		return pods.ConnLive
	case k8s.ConnReconnecting:
		return pods.ConnReconnecting
	}
	return pods.ConnSyncing
}

func podOf(p k8s.PodInfo) pods.Pod {
	out := pods.Pod{
		Name:            p.Name,
		Component:       p.Component,
		Status:          p.Status,
		Ready:           p.Ready,
		ReadyContainers: p.ReadyContainers,
		Containers:      p.Containers,
		Restarts:        p.Restarts,
		Created:         p.Created,
		Node:            p.Node,
		Terminating:     p.Terminating,
		Reason:          p.Reason,
		Message:         p.Message,
		Hint:            p.Hint,
	}
	for _, c := range p.Conditions {
		out.Conditions = append(out.Conditions, pods.Condition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message})
	}
	for _, w := range p.Warnings {
		out.Warnings = append(out.Warnings, pods.Warning{Reason: w.Reason, Message: w.Message, Count: w.Count, Last: w.Last})
	}
	return out
}

func deploymentOf(d k8s.DeploymentInfo) pods.Deployment {
	var warning string
	if len(d.Warnings) > 0 {
		warning = d.Warnings[0].Reason + ": " + d.Warnings[0].Message
	}
	return pods.Deployment{
		Warning:   warning,
		Name:      d.Name,
		Component: d.Component,
		Desired:   d.Desired,
		Ready:     d.Ready,
		Updated:   d.Updated,
		Rollout:   rolloutLine(d.Rollout),
	}
}

// rolloutLine is the pane's one line about a rollout: nothing once it is
// complete, how far it got while it moves, and a failure said as one.
func rolloutLine(r k8s.Rollout) string {
	switch r.State {
	case k8s.RolloutComplete, "":
		return ""
	case k8s.RolloutFailed:
		return "✗ rollout failed: " + r.Message
	}
	return r.Message
}
