package k8s

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// ForwardOptions say where a Forward goes.
type ForwardOptions struct {
	Namespace string // empty: the client's namespace
	Selector  string // the pods it may reach, e.g. ReleaseSelector(release, ComponentBackend)
	Port      int    // the pods' port: 8000 for the backend, 3000 for the frontend
}

// ForwardState is where a Forward stands.
type ForwardState struct {
	Ready     bool
	Pod       string // the pod reached; "" while there is none
	LocalAddr string // "127.0.0.1:<port>" while Ready
	Err       string // why it is not Ready, when known
}

// URL is the forward's local base URL ("http://127.0.0.1:<port>"), or ""
// while it is not Ready.
func (s ForwardState) URL() string {
	if !s.Ready {
		return ""
	}
	return "http://" + s.LocalAddr
}

// Forward keeps a local port on 127.0.0.1 forwarded, through the API
// server, to a Ready pod of a selector (kubectl port-forward, with client-go's
// tools/portforward). When that pod is deleted, stops being Ready or the
// connection drops, it moves to another Ready pod, on the same local port
// when it is still free. The port is chosen by the OS.
type Forward struct {
	mu      sync.Mutex
	state   ForwardState
	updates chan ForwardState
	done    chan struct{}
}

// StartForward begins forwarding and returns at once; watch State or
// Updates for readiness. It stops when ctx is cancelled; Done is closed
// once it has let go of the port.
func (c *Client) StartForward(ctx context.Context, o ForwardOptions) (*Forward, error) {
	if o.Port <= 0 || o.Port > 65535 {
		return nil, fmt.Errorf("port-forward: pod port %d is not a port", o.Port)
	}
	sel, err := labels.Parse(o.Selector)
	if err != nil || sel.Empty() {
		return nil, fmt.Errorf("port-forward: label selector %q does not select pods", o.Selector)
	}
	transport, upgrader, err := spdy.RoundTripperFor(c.config)
	if err != nil {
		return nil, fmt.Errorf("port-forward: %w", err)
	}
	ns := cmp.Or(o.Namespace, c.info.Namespace, DefaultNamespace)
	f := &Forward{
		state:   ForwardState{Err: "starting"},
		updates: make(chan ForwardState, 1),
		done:    make(chan struct{}),
	}
	fw := &forwarder{
		c: c, ns: ns, o: o, f: f,
		client:   &http.Client{Transport: transport},
		upgrader: upgrader,
		kick:     make(chan struct{}, 1),
	}
	go fw.run(ctx)
	return f, nil
}

// State is the forward's state now.
func (f *Forward) State() ForwardState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// Updates delivers the state whenever it changes; an unread state is
// replaced by a newer one.
func (f *Forward) Updates() <-chan ForwardState { return f.updates }

// Done is closed when the forward has stopped.
func (f *Forward) Done() <-chan struct{} { return f.done }

// WaitReady waits until the forward is Ready, or ctx is done.
func (f *Forward) WaitReady(ctx context.Context) (ForwardState, error) {
	for {
		if s := f.State(); s.Ready {
			return s, nil
		}
		select {
		case <-ctx.Done():
			s := f.State()
			return s, fmt.Errorf("port-forward not ready: %s", cmp.Or(s.Err, context.Cause(ctx).Error()))
		case <-f.done:
			return f.State(), errors.New("port-forward stopped")
		case <-f.updates:
		}
	}
}

func (f *Forward) set(s ForwardState) {
	f.mu.Lock()
	changed := f.state != s
	f.state = s
	f.mu.Unlock()
	if !changed {
		return
	}
	select {
	case f.updates <- s:
		return
	default:
	}
	select {
	case <-f.updates:
	default:
	}
	select {
	case f.updates <- s:
	default:
	}
}

type forwarder struct {
	c        *Client
	ns       string
	o        ForwardOptions
	f        *Forward
	client   *http.Client
	upgrader spdy.Upgrader
	kick     chan struct{}
}

// active is one running tools/portforward forwarder.
type active struct {
	pod    string
	port   int
	cancel context.CancelFunc
	done   chan error // ForwardPorts' result
}

const (
	forwardReadyTimeout = 15 * time.Second
	forwardRetryMin     = 500 * time.Millisecond
	forwardRetryMax     = 10 * time.Second
)

func (fw *forwarder) run(ctx context.Context) {
	defer close(fw.f.done)
	factory := informers.NewSharedInformerFactoryWithOptions(fw.c.clientset, 0, informers.WithNamespace(fw.ns),
		informers.WithTransform(stripManagedFields),
		informers.WithTweakListOptions(func(lo *metav1.ListOptions) { lo.LabelSelector = fw.o.Selector }))
	podInf := factory.Core().V1().Pods()
	lister := podInf.Lister().Pods(fw.ns)
	_, _ = podInf.Informer().AddEventHandler(kickOnChange(fw.kick))
	factory.StartWithContext(ctx)
	defer factory.Shutdown()
	// Until the pods are listed, "no Ready pod" would be a false alarm.
	if !cache.WaitFor(ctx, "", podInf.Informer().HasSyncedChecker()) {
		return
	}

	var (
		cur        *active
		localPort  int // kept across pods, so the URL stays the same
		retry      = forwardRetryMin
		retryTimer *time.Timer
		retryC     <-chan time.Time
	)
	retryIn := func(d time.Duration) {
		retryTimer = time.NewTimer(d)
		retryC = retryTimer.C
	}
	defer func() {
		if retryTimer != nil {
			retryTimer.Stop()
		}
	}()
	stop := func() {
		if cur != nil {
			cur.cancel()
			<-cur.done
			cur = nil
		}
	}
	defer stop()

	for {
		if retryC == nil {
			target := pickForwardPod(lister, cur)
			if cur != nil && cur.pod != target {
				slog.Info("port-forward: moving to another pod", "namespace", fw.ns, "from", cur.pod, "to", target)
				stop()
			}
			switch {
			case cur == nil && target == "":
				fw.f.set(ForwardState{Err: "no Ready pod matches " + fw.o.Selector})
			case cur == nil:
				fw.f.set(ForwardState{Pod: target, Err: "connecting"})
				a, err := fw.open(ctx, target, localPort)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					fw.f.set(ForwardState{Pod: target, Err: oneLine(err)})
					retryIn(retry)
					retry = min(retry*2, forwardRetryMax)
					break
				}
				cur, localPort, retry = a, a.port, forwardRetryMin
				fw.f.set(ForwardState{Ready: true, Pod: a.pod, LocalAddr: fmt.Sprintf("127.0.0.1:%d", a.port)})
			}
		}
		var curDone <-chan error
		if cur != nil {
			curDone = cur.done
		}
		select {
		case <-ctx.Done():
			return
		case <-fw.kick:
		case <-retryC:
			retryTimer, retryC = nil, nil
		case err := <-curDone:
			pod := cur.pod
			cur.cancel()
			cur = nil
			msg := "connection to the pod lost"
			if err != nil {
				msg = oneLine(err)
			}
			slog.Info("port-forward: lost", "namespace", fw.ns, "pod", pod, "err", msg)
			fw.f.set(ForwardState{Pod: pod, Err: msg})
			retryIn(forwardRetryMin)
		}
	}
}

// open starts a forwarder to pod on localPort (0: any), falling back to any
// port when that one is taken, and waits for it to listen.
func (fw *forwarder) open(ctx context.Context, pod string, localPort int) (*active, error) {
	a, err := fw.openOn(ctx, pod, localPort)
	if err != nil && localPort != 0 && ctx.Err() == nil {
		a, err = fw.openOn(ctx, pod, 0)
	}
	return a, err
}

func (fw *forwarder) openOn(ctx context.Context, pod string, localPort int) (*active, error) {
	url := fw.c.clientset.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(fw.ns).Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(fw.upgrader, fw.client, http.MethodPost, url)
	fctx, cancel := context.WithCancel(ctx)
	ready := make(chan struct{})
	pf, err := portforward.NewOnAddressesWithContext(fctx, dialer, []string{"127.0.0.1"},
		[]string{fmt.Sprintf("%d:%d", localPort, fw.o.Port)}, ready, io.Discard, slogWriter{"port-forward", pod})
	if err != nil {
		cancel()
		return nil, err
	}
	a := &active{pod: pod, cancel: cancel, done: make(chan error, 1)}
	go func() { a.done <- pf.ForwardPorts() }()
	timeout := time.NewTimer(forwardReadyTimeout)
	defer timeout.Stop()
	select {
	case <-ready:
	case err := <-a.done:
		cancel()
		return nil, fmt.Errorf("port-forward to pod %s: %w", pod, cmp.Or(err, errors.New("stopped")))
	case <-timeout.C:
		cancel()
		<-a.done
		return nil, fmt.Errorf("port-forward to pod %s: not listening after %s", pod, forwardReadyTimeout)
	case <-ctx.Done():
		cancel()
		<-a.done
		return nil, ctx.Err()
	}
	ports, err := pf.GetPorts()
	if err != nil || len(ports) == 0 {
		cancel()
		<-a.done
		return nil, fmt.Errorf("port-forward to pod %s: no local port: %v", pod, err)
	}
	a.port = int(ports[0].Local)
	return a, nil
}

// pickForwardPod keeps the current pod while it is Ready and not being
// deleted; otherwise it takes the newest Ready pod, the one a rollout
// keeps.
func pickForwardPod(lister corelisters.PodNamespaceLister, cur *active) string {
	pods, _ := lister.List(labels.Everything())
	usable := func(p *corev1.Pod) bool {
		return p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podConditionTrue(p, corev1.PodReady)
	}
	var ready []*corev1.Pod
	for _, p := range pods {
		if !usable(p) {
			continue
		}
		if cur != nil && p.Name == cur.pod {
			return p.Name
		}
		ready = append(ready, p)
	}
	if len(ready) == 0 {
		return ""
	}
	slices.SortFunc(ready, func(a, b *corev1.Pod) int {
		return cmp.Or(b.CreationTimestamp.Time.Compare(a.CreationTimestamp.Time), cmp.Compare(a.Name, b.Name))
	})
	return ready[0].Name
}

// slogWriter sends what client-go's port-forwarder writes for a terminal
// to the log file instead.
type slogWriter struct{ what, pod string }

func (w slogWriter) Write(p []byte) (int, error) {
	slog.Debug(w.what, "pod", w.pod, "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}
