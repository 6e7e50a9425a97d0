package k8s

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// WatchOptions say what WatchRelease follows.
type WatchOptions struct {
	Namespace string // empty: the client's namespace
	Release   string // the Helm release: its pods and deployments (by InstanceLabel)
	Selector  string // a label selector to use instead of Release's

	// Interval is the least time between two snapshots; a burst of changes
	// within it arrives as one snapshot of the latest state. Default 75 ms.
	Interval time.Duration
	// ProbeInterval is how often a lost API server is asked whether it is
	// back (GET /readyz). Default 1 s. Nothing is probed while connected.
	ProbeInterval time.Duration
}

const (
	defaultSnapshotInterval = 75 * time.Millisecond
	defaultProbeInterval    = time.Second
	// syncTimeout bounds a relist after the server came back; when it runs
	// out the watch goes back to probing.
	syncTimeout = 20 * time.Second
)

// WatchRelease follows a release's pods, deployments and warning events with
// informers (one list, then watch events; no polling) and sends a Snapshot
// whenever they change: the first once the lists are in, then at most one
// per Interval, always ending on the latest state.
//
// When the API server goes away the watch sends a snapshot marked
// ConnReconnecting (keeping the last known pods) within moments, asks the
// server at a low rate whether it is back, and then lists everything afresh
// and carries on: the caller never restarts it.
//
// It returns at once. The channel holds at most one snapshot; a consumer
// that falls behind gets the latest, never a backlog. It is closed after ctx
// is cancelled and everything the watch started has stopped.
func (c *Client) WatchRelease(ctx context.Context, o WatchOptions) (<-chan Snapshot, error) {
	w, err := c.newPodWatch(o)
	if err != nil {
		return nil, err
	}
	go w.run(ctx)
	return w.out, nil
}

func (c *Client) newPodWatch(o WatchOptions) (*podWatch, error) {
	sel := o.Selector
	if sel == "" {
		if o.Release == "" {
			return nil, errors.New("watch: name a release or give a label selector")
		}
		sel = ReleaseSelector(o.Release, "")
	}
	if _, err := labels.Parse(sel); err != nil {
		return nil, fmt.Errorf("watch: label selector %q: %w", sel, err)
	}
	w := &podWatch{
		ns:         cmp.Or(o.Namespace, c.info.Namespace, DefaultNamespace),
		selector:   sel,
		interval:   positiveOr(o.Interval, defaultSnapshotInterval),
		probeEvery: positiveOr(o.ProbeInterval, defaultProbeInterval),
		tracker:    newConnTracker(),
		out:        make(chan Snapshot, 1),
		kick:       make(chan struct{}, 1),
		problemCh:  make(chan string, 8),
	}
	// The watch's own client, so its transport tells us about the server.
	cfg := rest.CopyConfig(c.config)
	cfg.Wrap(w.tracker.wrap)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w.cs = cs
	w.probe = readyzProbe(cs)
	return w, nil
}

type podWatch struct {
	cs                   kubernetes.Interface
	ns, selector         string
	interval, probeEvery time.Duration
	tracker              *connTracker
	probe                func(context.Context) error

	out       chan Snapshot
	kick      chan struct{} // an informer saw a change
	problemCh chan string   // a watch error that is not a lost connection
}

// informerSet is one generation of informers. A new one replaces the old
// when the API server comes back, so the watch lists afresh at once instead
// of waiting out client-go's back-off (up to 30 s).
type informerSet struct {
	cancel context.CancelFunc
	synced chan struct{} // closed once pods and deployments are listed
	done   chan struct{} // closed once every informer goroutine has stopped
	pods   corelisters.PodNamespaceLister
	deps   appslisters.DeploymentNamespaceLister
	events corelisters.EventNamespaceLister
}

func (w *podWatch) startInformers(ctx context.Context) *informerSet {
	ctx, cancel := context.WithCancel(ctx)
	set := &informerSet{cancel: cancel, synced: make(chan struct{}), done: make(chan struct{})}
	strip := informers.WithTransform(stripManagedFields)
	release := informers.NewSharedInformerFactoryWithOptions(w.cs, 0, informers.WithNamespace(w.ns), strip,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = w.selector }))
	// Events carry no labels: take the namespace's warnings and keep those
	// about our objects when building a snapshot.
	warnings := informers.NewSharedInformerFactoryWithOptions(w.cs, 0, informers.WithNamespace(w.ns), strip,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("type", "Warning").String()
		}))

	pods := release.Core().V1().Pods()
	deps := release.Apps().V1().Deployments()
	events := warnings.Core().V1().Events()
	set.pods = pods.Lister().Pods(w.ns)
	set.deps = deps.Lister().Deployments(w.ns)
	set.events = events.Lister().Events(w.ns)

	onChange := kickOnChange(w.kick)
	for _, inf := range []cache.SharedIndexInformer{pods.Informer(), deps.Informer(), events.Informer()} {
		// Both fail only once the informer has started; it has not.
		_ = inf.SetWatchErrorHandlerWithContext(w.onWatchError)
		_, _ = inf.AddEventHandler(onChange)
	}
	release.StartWithContext(ctx)
	warnings.StartWithContext(ctx)
	go func() {
		// Events are a bonus: a user who may not list them still gets pods.
		if cache.WaitFor(ctx, "", pods.Informer().HasSyncedChecker(), deps.Informer().HasSyncedChecker()) {
			close(set.synced)
		}
	}()
	go func() {
		<-ctx.Done()
		release.Shutdown()
		warnings.Shutdown()
		close(set.done)
	}()
	return set
}

func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// kickOnChange is an event handler that only says "something changed",
// without waiting: the reader looks at the informer's cache itself.
func kickOnChange(kick chan<- struct{}) cache.ResourceEventHandlerFuncs {
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(any, any) { poke() },
		DeleteFunc: func(any) { poke() },
	}
}

// onWatchError hears from the reflectors. Lost connections are the
// tracker's business; what is left are answers such as 403 Forbidden that
// the user should see.
func (w *podWatch) onWatchError(ctx context.Context, r *cache.Reflector, err error) {
	if ctx.Err() != nil {
		return
	}
	slog.Debug("pod watch: watch error", "namespace", w.ns, "type", r.TypeDescription(), "err", err)
	var status apierrors.APIStatus
	if errors.As(err, &status) && !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		select {
		case w.problemCh <- oneLine(err):
		default:
		}
	}
}

// run is the watch's one goroutine that owns its state.
func (w *podWatch) run(ctx context.Context) {
	defer close(w.out)
	var (
		active  *informerSet // the synced set snapshots are built from
		pending = w.startInformers(ctx)
		retired []*informerSet // stopped, perhaps not yet shut down
		conn    = ConnSyncing
		problem string

		probeTicker *time.Ticker
		probeC      <-chan time.Time
		probeResult = make(chan error, 1)
		probing     bool

		buildTimer *time.Timer
		buildC     <-chan time.Time
		lastSent   time.Time
	)
	sendSoon := func() {
		if buildC != nil {
			return // already due: the snapshot will carry the latest state
		}
		buildTimer = time.NewTimer(max(0, w.interval-time.Since(lastSent)))
		buildC = buildTimer.C
	}
	startProbing := func() {
		if probeTicker == nil {
			probeTicker = time.NewTicker(w.probeEvery)
			probeC = probeTicker.C
		}
	}
	stopProbing := func() {
		if probeTicker != nil {
			probeTicker.Stop()
			probeTicker, probeC = nil, nil
		}
	}
	retire := func(s *informerSet) {
		if s == nil {
			return
		}
		s.cancel()
		retired = slices.DeleteFunc(retired, func(r *informerSet) bool {
			select {
			case <-r.done:
				return true
			default:
				return false
			}
		})
		retired = append(retired, s)
	}
	defer func() {
		stopProbing()
		if buildTimer != nil {
			buildTimer.Stop()
		}
		retire(active)
		retire(pending)
		for _, s := range retired {
			<-s.done
		}
		if probing {
			<-probeResult
		}
	}()

	sendSoon() // an empty "syncing" snapshot, so a screen can say so at once
	for {
		var syncedC <-chan struct{}
		if pending != nil {
			syncedC = pending.synced
		}
		select {
		case <-ctx.Done():
			return

		case <-w.kick:
			sendSoon()

		case p := <-w.problemCh:
			if lost, _, _ := w.tracker.state(); !lost && p != problem {
				problem = p
				sendSoon()
			}

		case <-syncedC:
			if lost, _, _ := w.tracker.state(); lost {
				// Lost again while listing: the probe will start another set.
				retire(pending)
				pending = nil
				continue
			}
			if active != nil {
				retire(active) // already stopped when the server came back
			}
			active, pending = pending, nil
			conn, problem = ConnLive, ""
			stopProbing()
			sendSoon()

		case <-w.tracker.signal:
			if conn != ConnReconnecting {
				slog.Info("pod watch: API server lost; reconnecting", "namespace", w.ns)
			}
			conn = ConnReconnecting
			startProbing()
			sendSoon()

		case <-probeC:
			if !probing {
				probing = true
				go func() {
					pctx, cancel := context.WithTimeout(ctx, max(w.probeEvery, 500*time.Millisecond))
					defer cancel()
					probeResult <- w.probe(pctx)
				}()
			}

		case err := <-probeResult:
			probing = false
			if err != nil || ctx.Err() != nil {
				continue
			}
			slog.Info("pod watch: API server answers again; listing afresh", "namespace", w.ns)
			stopProbing()
			// Stop the old informers before forgetting the loss: their
			// retries must not count against the new set. Their caches stay
			// readable, so snapshots keep the last known state meanwhile.
			if active != nil {
				active.cancel()
			}
			retire(pending)
			w.tracker.reset()
			pending = w.startInformers(ctx)
			go w.expireSync(ctx, pending)

		case <-buildC:
			buildC = nil
			s := w.snapshot(active, conn, problem)
			lastSent = time.Now()
			w.send(s)
		}
	}
}

// expireSync gives up on a set that does not list within syncTimeout, by
// reporting the server lost again so that the probe takes over.
func (w *podWatch) expireSync(ctx context.Context, set *informerSet) {
	t := time.NewTimer(syncTimeout)
	defer t.Stop()
	select {
	case <-t.C:
		w.tracker.markLost(errors.New("the API server answers but listing pods did not finish"))
	case <-set.synced:
	case <-set.done: // replaced by a newer set
	case <-ctx.Done():
	}
}

func (w *podWatch) snapshot(set *informerSet, conn ConnState, problem string) Snapshot {
	var s Snapshot
	if set != nil {
		// Listers cannot fail on an Everything selector.
		pods, _ := set.pods.List(labels.Everything())
		deps, _ := set.deps.List(labels.Everything())
		events, _ := set.events.List(labels.Everything())
		s = buildSnapshot(pods, deps, events)
	}
	s.Namespace, s.Taken, s.Conn, s.Problem = w.ns, time.Now(), conn, problem
	if conn == ConnReconnecting {
		_, s.DisconnectedSince, s.ConnErr = w.tracker.state()
		if s.DisconnectedSince.IsZero() {
			s.ConnErr = "the API server answers again; listing"
		}
	}
	return s
}

// send replaces an unread snapshot with s: the consumer wants the latest
// state, and the watch must never wait for it.
func (w *podWatch) send(s Snapshot) {
	select {
	case w.out <- s:
		return
	default:
	}
	select {
	case <-w.out:
	default:
	}
	w.out <- s // run is the only sender, so there is room now
}

func positiveOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
