package k8s

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// The labels the chart puts on everything it makes (Kubernetes' recommended labels).
const (
	InstanceLabel  = "app.kubernetes.io/instance"  // the Helm release
	ComponentLabel = "app.kubernetes.io/component" // backend or frontend
)

// The chart's two components.
const (
	ComponentBackend  = "backend"
	ComponentFrontend = "frontend"
)

// ReleaseSelector selects what belongs to a Helm release, optionally only one
// of its components.
func ReleaseSelector(release, component string) string {
	s := InstanceLabel + "=" + release
	if component != "" {
		s += "," + ComponentLabel + "=" + component
	}
	return s
}

// ConnState says whether a watch is in touch with the API server.
type ConnState string

const (
	ConnSyncing      ConnState = "syncing"      // first list not yet complete
	ConnLive         ConnState = "live"         // in sync, following changes
	ConnReconnecting ConnState = "reconnecting" // the API server went away; what is shown is the last known state
)

// Snapshot is the state of a release's pods and deployments at one moment.
// It is a value: the watch never changes one it has sent.
type Snapshot struct {
	Namespace string
	Taken     time.Time

	Conn ConnState
	// While reconnecting: since when, and why (one line, for the status bar).
	DisconnectedSince time.Time
	ConnErr           string
	// A watch error that is not a lost connection, e.g. "pods is forbidden";
	// empty when there is none.
	Problem string

	Pods        []PodInfo        // by component, then oldest first
	Deployments []DeploymentInfo // by name
}

// PodsOf returns the pods of one component.
func (s Snapshot) PodsOf(component string) []PodInfo {
	var out []PodInfo
	for _, p := range s.Pods {
		if p.Component == component {
			out = append(out, p)
		}
	}
	return out
}

// DeploymentOf returns the deployment of one component.
func (s Snapshot) DeploymentOf(component string) (DeploymentInfo, bool) {
	for _, d := range s.Deployments {
		if d.Component == component {
			return d, true
		}
	}
	return DeploymentInfo{}, false
}

// PodInfo is one pod as the pods pane shows it.
type PodInfo struct {
	Name      string
	Component string // the app.kubernetes.io/component label
	Phase     string // Pending, Running, Succeeded, Failed, Unknown
	Status    string // what `kubectl get pods` shows: Running, CrashLoopBackOff, Terminating, Init:0/1...
	Ready     bool   // the pod's Ready condition
	// Containers ready of all, as in kubectl's READY column "1/1".
	ReadyContainers, Containers int
	Restarts                    int32
	Created                     time.Time
	Node                        string
	Terminating                 bool
	Images                      []string

	// Reason is set when something is wrong: a waiting reason
	// (CrashLoopBackOff, ImagePullBackOff, ErrImageNeverPull,
	// CreateContainerConfigError...), a failed termination (Error,
	// OOMKilled), Unschedulable or NotReady. Message is the cluster's own
	// words about it; Hint is one line on what to do.
	Reason, Message, Hint string

	// Conditions are the pod's conditions as the cluster reports them
	// (PodScheduled, Initialized, ContainersReady, Ready...), in its order.
	Conditions []PodCondition

	Warnings []Warning // the most recent warning events, newest first
}

// PodCondition is one of a pod's conditions.
type PodCondition struct {
	Type    string // PodScheduled, Ready...
	Status  string // True, False, Unknown
	Reason  string
	Message string // one line
}

// Age is how long the pod has existed at now.
func (p PodInfo) Age(now time.Time) time.Duration { return now.Sub(p.Created) }

// DeploymentInfo is one deployment with its rollout state.
type DeploymentInfo struct {
	Name       string
	Component  string
	Desired    int32 // spec.replicas
	Current    int32 // pods of any revision
	Updated    int32 // pods of the current template
	Ready      int32
	Available  int32
	Images     []string
	Generation int64
	Rollout    Rollout
	Warnings   []Warning // of the deployment and its ReplicaSets (e.g. FailedCreate), newest first
}

// Warning is a warning event about a pod or deployment.
type Warning struct {
	Kind, Name string // the object it is about: Pod, Deployment, ReplicaSet
	Reason     string // e.g. BackOff, FailedScheduling, FailedCreate
	Message    string
	Count      int32
	Last       time.Time
}

// maxWarnings is how many recent warnings a pod or deployment carries.
const maxWarnings = 3

// buildSnapshot turns the watch's caches into a Snapshot. It is a pure
// function of its inputs, which it does not modify.
func buildSnapshot(pods []*corev1.Pod, deployments []*appsv1.Deployment, events []*corev1.Event) Snapshot {
	warnings := warningsByObject(events)
	s := Snapshot{
		Pods:        make([]PodInfo, 0, len(pods)),
		Deployments: make([]DeploymentInfo, 0, len(deployments)),
	}
	for _, p := range pods {
		info := podInfo(p)
		info.Warnings = newest(warnings["Pod/"+p.Name])
		s.Pods = append(s.Pods, info)
	}
	for _, d := range deployments {
		info := deploymentInfo(d)
		ws := warnings["Deployment/"+d.Name]
		for key, rs := range warnings {
			if name, ok := strings.CutPrefix(key, "ReplicaSet/"+d.Name+"-"); ok && !strings.Contains(name, "-") {
				ws = append(ws, rs...) // name-<pod-template-hash>: one of this deployment's ReplicaSets
			}
		}
		info.Warnings = newest(ws)
		s.Deployments = append(s.Deployments, info)
	}
	slices.SortFunc(s.Pods, func(a, b PodInfo) int {
		return cmp.Or(cmp.Compare(a.Component, b.Component), a.Created.Compare(b.Created), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(s.Deployments, func(a, b DeploymentInfo) int { return cmp.Compare(a.Name, b.Name) })
	return s
}

func warningsByObject(events []*corev1.Event) map[string][]Warning {
	out := make(map[string][]Warning)
	for _, e := range events {
		if e.Type != corev1.EventTypeWarning {
			continue
		}
		w := Warning{
			Kind:    e.InvolvedObject.Kind,
			Name:    e.InvolvedObject.Name,
			Reason:  e.Reason,
			Message: oneLineText(e.Message),
			Count:   max(e.Count, 1),
			Last:    eventTime(e),
		}
		if e.Series != nil {
			w.Count = max(w.Count, e.Series.Count)
		}
		key := w.Kind + "/" + w.Name
		out[key] = append(out[key], w)
	}
	return out
}

// eventTime is when an event last happened, whichever API wrote it.
func eventTime(e *corev1.Event) time.Time {
	switch {
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	default:
		return e.CreationTimestamp.Time
	}
}

func newest(ws []Warning) []Warning {
	if len(ws) == 0 {
		return nil
	}
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b Warning) int {
		return cmp.Or(b.Last.Compare(a.Last), cmp.Compare(a.Reason, b.Reason))
	})
	return ws[:min(len(ws), maxWarnings)]
}

func podInfo(p *corev1.Pod) PodInfo {
	info := PodInfo{
		Name:        p.Name,
		Component:   p.Labels[ComponentLabel],
		Phase:       string(p.Status.Phase),
		Status:      podStatus(p),
		Ready:       podConditionTrue(p, corev1.PodReady),
		Containers:  len(p.Spec.Containers),
		Created:     p.CreationTimestamp.Time,
		Node:        p.Spec.NodeName,
		Terminating: p.DeletionTimestamp != nil,
		Images:      images(p.Spec.Containers),
	}
	for _, c := range p.Status.ContainerStatuses {
		info.Restarts += c.RestartCount
		if c.Ready {
			info.ReadyContainers++
		}
	}
	for _, c := range p.Status.Conditions {
		info.Conditions = append(info.Conditions, PodCondition{
			Type: string(c.Type), Status: string(c.Status), Reason: c.Reason, Message: oneLineText(c.Message),
		})
	}
	if !info.Terminating {
		info.Reason, info.Message, info.Hint = podProblem(p)
	}
	return info
}

func podConditionTrue(p *corev1.Pod, t corev1.PodConditionType) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podStatus is the STATUS column of `kubectl get pods`, by the same rules
// (k8s.io/kubernetes/pkg/printers/internalversion printPod), less the
// sidecar details.
func podStatus(p *corev1.Pod) string {
	reason := string(p.Status.Phase)
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	initializing := false
	for i, c := range p.Status.InitContainerStatuses {
		switch {
		case c.State.Terminated != nil && c.State.Terminated.ExitCode == 0:
			continue
		case c.State.Terminated != nil:
			reason = "Init:" + cmp.Or(c.State.Terminated.Reason, fmt.Sprintf("ExitCode:%d", c.State.Terminated.ExitCode))
		case c.State.Waiting != nil && c.State.Waiting.Reason != "" && c.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + c.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
		initializing = true
		break
	}
	if !initializing {
		hasRunning := false
		for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
			c := p.Status.ContainerStatuses[i]
			switch {
			case c.State.Waiting != nil && c.State.Waiting.Reason != "":
				reason = c.State.Waiting.Reason
			case c.State.Terminated != nil && c.State.Terminated.Reason != "":
				reason = c.State.Terminated.Reason
			case c.State.Terminated != nil:
				reason = fmt.Sprintf("ExitCode:%d", c.State.Terminated.ExitCode)
			case c.Ready && c.State.Running != nil:
				hasRunning = true
			}
		}
		if reason == "Completed" && hasRunning {
			reason = "Running"
			if !podConditionTrue(p, corev1.PodReady) {
				reason = "NotReady"
			}
		}
	}
	if p.DeletionTimestamp != nil {
		if p.Status.Reason == "NodeLost" {
			return "Unknown"
		}
		return "Terminating"
	}
	return reason
}

// harmlessWaiting are the waiting reasons of a container on its way up.
var harmlessWaiting = map[string]bool{"": true, "ContainerCreating": true, "PodInitializing": true}

// podProblem finds what, if anything, keeps a pod from running well, and
// what to do about it.
func podProblem(p *corev1.Pod) (reason, message, hint string) {
	statuses := append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...)
	for _, c := range statuses {
		if w := c.State.Waiting; w != nil && !harmlessWaiting[w.Reason] {
			last := ""
			if t := c.LastTerminationState.Terminated; t != nil {
				last = t.Reason
			}
			return w.Reason, oneLineText(w.Message), hintFor(w.Reason, last)
		}
	}
	if p.Status.Phase != corev1.PodSucceeded {
		for _, c := range statuses {
			if t := c.State.Terminated; t != nil && t.ExitCode != 0 {
				r := cmp.Or(t.Reason, "Error")
				return r, oneLineText(cmp.Or(t.Message, fmt.Sprintf("container %s exited with code %d", c.Name, t.ExitCode))), hintFor(r, "")
			}
		}
	}
	if p.Status.Reason != "" && p.Status.Phase == corev1.PodFailed {
		return p.Status.Reason, oneLineText(p.Status.Message), hintFor(p.Status.Reason, "")
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return "Unschedulable", oneLineText(c.Message), hintFor("Unschedulable", "")
		}
	}
	if p.Status.Phase == corev1.PodRunning && !podConditionTrue(p, corev1.PodReady) {
		allRunning := len(p.Status.ContainerStatuses) > 0
		for _, c := range p.Status.ContainerStatuses {
			allRunning = allRunning && c.State.Running != nil
		}
		if allRunning {
			msg := ""
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady {
					msg = c.Message
				}
			}
			return "NotReady", oneLineText(cmp.Or(msg, "containers running but not ready")), hintFor("NotReady", "")
		}
	}
	return "", "", ""
}

// hintFor says, in one line, what to do about a pod's trouble. last is the
// reason of the container's previous termination, which tells a crash from
// an out-of-memory kill.
func hintFor(reason, last string) string {
	switch reason {
	case "CrashLoopBackOff":
		if last == "OOMKilled" {
			return "it keeps running out of memory: raise its memory limit in the values"
		}
		return "it keeps exiting: read its previous logs for the error (often a wrong value in taskmaster-secret)"
	case "ImagePullBackOff", "ErrImagePull":
		return "the image cannot be pulled: build it locally with this tag (images pane), or fix image repository and tag in the values"
	case "ErrImageNeverPull":
		return "the image is not on the node and pullPolicy is Never: build it with the cluster's Docker engine, or set pullPolicy IfNotPresent"
	case "InvalidImageName":
		return "the image name is not valid: check image repository and tag in the values"
	case "CreateContainerConfigError":
		return "a Secret or ConfigMap it needs is missing or lacks a key: run secret setup to create taskmaster-secret"
	case "CreateContainerError", "RunContainerError", "StartError", "ContainerCannotRun":
		return "the container could not start: check its command and the pod's events"
	case "OOMKilled":
		return "it ran out of memory: raise its memory limit in the values"
	case "Error":
		return "it exited with an error: read its logs"
	case "Unschedulable":
		return "no node can take it: lower its resource requests or free capacity (see its events)"
	case "NotReady":
		return "running but not Ready: its readiness probe fails; check the health and the logs"
	case "Evicted":
		return "the node evicted it (short of disk or memory): free resources on the node"
	default:
		return "see the pod's events and logs"
	}
}

// oneLineText keeps the first line of a cluster message, for a status line.
func oneLineText(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
