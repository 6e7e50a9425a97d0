package helm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// PodState is one of the release's pods as last seen while Helm waited.
type PodState struct {
	Name      string
	Component string // app.kubernetes.io/component: backend, frontend, test
	Image     string // the first container's image
	Phase     string // Pending, Running, Succeeded, Failed
	Ready     bool
	// Reason is why the pod is not ready, when Kubernetes says: a waiting
	// reason (CrashLoopBackOff, ImagePullBackOff, ErrImageNeverPull,
	// CreateContainerConfigError...), a termination reason (OOMKilled,
	// Error), or an unschedulable one. It keeps the last one seen, so a pod
	// that Helm's rollback deleted still says what was wrong with it.
	Reason    string
	Message   string
	Container string // the container the reason is about
	Restarts  int32
	Created   time.Time
	Deleted   bool // gone since (a rollback, a rollout)

	everReady bool // it was Ready at some point while watched
}

// Problem is a short account of what is wrong with the pod, "" when it is
// Ready (or done).
func (p PodState) Problem() string {
	if p.Ready || p.Phase == string(corev1.PodSucceeded) {
		return ""
	}
	var b strings.Builder
	switch {
	case p.Reason != "":
		b.WriteString(p.Reason)
	case p.Phase == string(corev1.PodRunning):
		b.WriteString("running but not Ready")
	case p.Phase != "":
		b.WriteString(p.Phase)
	default:
		b.WriteString("not Ready")
	}
	var details []string
	if p.Container != "" {
		details = append(details, "container "+p.Container)
	}
	if p.Restarts > 0 {
		details = append(details, fmt.Sprintf("%d restarts", p.Restarts))
	}
	if p.Image != "" {
		details = append(details, "image "+p.Image)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	return b.String()
}

// podStateOf condenses a pod's status.
func podStateOf(p *corev1.Pod) PodState {
	s := PodState{
		Name:      p.Name,
		Component: p.Labels["app.kubernetes.io/component"],
		Phase:     string(p.Status.Phase),
		Created:   p.CreationTimestamp.Time,
		Deleted:   p.DeletionTimestamp != nil,
	}
	if len(p.Spec.Containers) > 0 {
		s.Image = p.Spec.Containers[0].Image
	}
	for _, c := range p.Status.Conditions {
		switch {
		case c.Type == corev1.PodReady:
			s.Ready = c.Status == corev1.ConditionTrue
		case c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && s.Reason == "":
			s.Reason, s.Message = c.Reason, c.Message
		}
	}
	statuses := append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		s.Restarts += cs.RestartCount
		if cs.Ready {
			continue
		}
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			s.Reason, s.Message, s.Container = cs.State.Waiting.Reason, cs.State.Waiting.Message, cs.Name
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "" && cs.State.Terminated.Reason != "Completed":
			s.Reason, s.Message, s.Container = cs.State.Terminated.Reason, cs.State.Terminated.Message, cs.Name
		case cs.LastTerminationState.Terminated != nil && s.Reason == "":
			s.Container = cs.Name
		}
	}
	return s
}

// podRecorder watches the release's pods while an operation runs: it
// reports them as progress, and remembers what went wrong with each, so a
// failure can be explained after Helm's rollback has deleted the evidence.
type podRecorder struct {
	mu    sync.Mutex
	pods  map[string]PodState
	order []string
	kick  chan struct{}
	stop  func()
	done  chan struct{}
}

// instanceSelector selects every pod of a release, the chart's labels being
// the standard ones.
func instanceSelector(release string) string { return "app.kubernetes.io/instance=" + release }

// recordPods starts watching; stop it with finish. It returns nil, and the
// operation goes on without pod reports, when there is no clientset.
func (c *Client) recordPods(ctx context.Context, em emitter) *podRecorder {
	if c.clientset == nil {
		return nil
	}
	cs, err := c.clientset()
	if err != nil {
		c.logger.Warn("cannot watch the release's pods", "err", err)
		return nil
	}
	return startPodRecorder(ctx, cs, c.namespace, c.release, em)
}

func startPodRecorder(ctx context.Context, cs kubernetes.Interface, namespace, release string, em emitter) *podRecorder {
	ctx, cancel := context.WithCancel(ctx)
	r := &podRecorder{pods: map[string]PodState{}, kick: make(chan struct{}, 1), done: make(chan struct{})}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0,
		informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = instanceSelector(release) }))
	inf := factory.Core().V1().Pods().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { r.observe(obj, false) },
		UpdateFunc: func(_, obj any) { r.observe(obj, false) },
		DeleteFunc: func(obj any) { r.observe(obj, true) },
	})
	factory.Start(ctx.Done())

	// Reports go out at once, then at most twice a second however busy the
	// pods are.
	go func() {
		defer close(r.done)
		const every = 500 * time.Millisecond
		tick := time.NewTicker(every)
		defer tick.Stop()
		var last time.Time
		pending := false
		send := func() {
			pending, last = false, time.Now()
			pods := r.snapshot()
			em.emit(StepWait, waitSummary(pods), pods)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-r.kick:
				if time.Since(last) >= every {
					send()
				} else {
					pending = true
				}
			case <-tick.C:
				if pending {
					send()
				}
			}
		}
	}()
	r.stop = func() {
		cancel()
		factory.Shutdown()
		<-r.done
	}
	return r
}

func (r *podRecorder) observe(obj any, deleted bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	s := podStateOf(p)
	s.Deleted = s.Deleted || deleted
	r.mu.Lock()
	prev, seen := r.pods[p.Name]
	if !seen {
		r.order = append(r.order, p.Name)
	}
	if s.Reason == "" && !s.Ready && prev.Reason != "" {
		// A pod on its way out loses its container statuses: keep what was wrong.
		s.Reason, s.Message, s.Container = prev.Reason, prev.Message, prev.Container
	}
	if s.Restarts < prev.Restarts {
		s.Restarts = prev.Restarts
	}
	s.everReady = prev.everReady || s.Ready
	r.pods[p.Name] = s
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *podRecorder) snapshot() []PodState {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]PodState, 0, len(r.order))
	for _, name := range r.order {
		out = append(out, r.pods[name])
	}
	return out
}

// finish stops the watch and returns every pod seen.
func (r *podRecorder) finish() []PodState {
	if r == nil {
		return nil
	}
	r.stop()
	return r.snapshot()
}

// waitSummary is one line about the pods: "backend 1/2 ready, frontend 1/1
// ready; taskmaster-backend-x: CrashLoopBackOff".
func waitSummary(pods []PodState) string {
	type count struct{ ready, all int }
	counts := map[string]*count{}
	var comps []string
	var problems []string
	for _, p := range pods {
		if p.Deleted {
			continue
		}
		cnt := counts[p.Component]
		if cnt == nil {
			cnt = &count{}
			counts[p.Component] = cnt
			comps = append(comps, p.Component)
		}
		cnt.all++
		if p.Ready {
			cnt.ready++
		}
		if p.Reason != "" && !p.Ready {
			problems = append(problems, p.Name+": "+p.Reason)
		}
	}
	slices.Sort(comps)
	var parts []string
	for _, comp := range comps {
		parts = append(parts, fmt.Sprintf("%s %d/%d ready", comp, counts[comp].ready, counts[comp].all))
	}
	s := "waiting for pods"
	if len(parts) > 0 {
		s = strings.Join(parts, ", ")
	}
	if len(problems) > 0 {
		s += "; " + strings.Join(problems, ", ")
	}
	return s
}

// failingPods picks the pods to blame for a failed wait: those that were not
// Ready when last seen, the ones with a reason first. A pod that was Ready
// and then went away (an old pod replaced in a rollout) is not to blame.
func failingPods(pods []PodState) []PodState {
	var out []PodState
	for _, p := range pods {
		if p.Problem() == "" || p.Component == "test" || (p.Deleted && p.everReady && p.Reason == "") {
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b PodState) int {
		if (a.Reason != "") != (b.Reason != "") {
			if a.Reason != "" {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}
