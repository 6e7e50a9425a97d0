package k8s

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// LogLine is one line a container wrote.
type LogLine struct {
	Pod, Container string
	Time           time.Time // when the container wrote it; zero when the line had no timestamp
	Text           string
}

// LogNoticeKind is what happened to one container's log stream.
type LogNoticeKind string

const (
	LogOpened LogNoticeKind = "opened" // the stream is open: a pod joined
	LogClosed LogNoticeKind = "closed" // its pod went away: it left
	LogFailed LogNoticeKind = "failed" // the stream could not be read; while following, it is retried
	// LogLimited: more pods match than LogOptions.MaxPods; the rest are
	// left out. Err says how many are followed.
	LogLimited LogNoticeKind = "limited"
)

// DefaultLogMaxPods is how many pods a selector's merged log follows at
// once. Every followed container is a request held open on the API server
// and the node (kubectl stops at 5 unless told otherwise); a merged log of
// hundreds of pods is unreadable anyway, and one pod's log is a key away.
const DefaultLogMaxPods = 20

// LogNotice tells that a pod joined or left the followed set, or that its
// log could not be read, and why.
type LogNotice struct {
	Kind           LogNoticeKind
	Pod, Container string
	Err            string // for LogFailed, one line
	Time           time.Time
}

// LogBatch is what StreamLogs delivers: the lines that arrived within a
// short while, from every followed container, in arrival order.
type LogBatch struct {
	Lines   []LogLine
	Notices []LogNotice
}

// NoHistory as LogOptions.TailLines starts from the lines written from now on.
const NoHistory int64 = -1

// LogOptions say whose logs StreamLogs reads, and how.
type LogOptions struct {
	Namespace string   // empty: the client's namespace
	Selector  string   // a label selector, e.g. ReleaseSelector(release, ComponentBackend)
	Pods      []string // or pods by name, when Selector is empty
	// Containers limits the containers read in each pod; empty means all
	// (not init containers).
	Containers []string

	// TailLines is how many past lines of each container to start with, as
	// kubectl's --tail: 0 for all of them, NoHistory for none. Since keeps
	// only lines newer than that, as kubectl's --since. Pods that appear
	// after the start are read from their creation on.
	TailLines int64
	Since     time.Duration

	// Previous reads the previous (crashed) container's log, once.
	Previous bool
	// Follow keeps the streams open, takes in pods that appear (a rollout's
	// new pods) and lets go of pods that are deleted, until ctx is done.
	// Without it, each container's log is read once and the channel closes.
	Follow bool

	// MaxPods bounds how many pods a Selector's streams follow at once;
	// pods beyond it are left out (a LogLimited notice says so once) and
	// taken in as followed pods go away. 0 means DefaultLogMaxPods; pods
	// named in Pods are all followed.
	MaxPods int

	// A batch goes out FlushInterval after its first line, or as soon as it
	// holds MaxBatch lines. Defaults: 50 ms and 1,000 lines.
	FlushInterval time.Duration
	MaxBatch      int
}

const (
	defaultLogFlush    = 50 * time.Millisecond
	defaultLogMaxBatch = 1000
	// maxLogLine is the longest line kept whole; the rest of a longer one is cut.
	maxLogLine = 64 << 10
	// logRetryMin and logRetryMax bound the wait before a followed stream
	// that ended (container restarted, API server gone) is opened again.
	logRetryMin = time.Second
	logRetryMax = 30 * time.Second
)

// StreamLogs reads the logs of several pods and containers at once, tags
// each line with its pod and container, and sends them merged, in batches,
// so that a screen is woken at most every FlushInterval and not per line.
//
// Memory stays flat however long it runs: a consumer that falls behind
// holds up the streams (at most MaxBatch lines wait in a batch) rather than
// making them pile up. Keep what you show in a logbuf.Ring.
//
// The channel closes when ctx is cancelled or, without Follow, when every
// log was read.
func (c *Client) StreamLogs(ctx context.Context, o LogOptions) (<-chan LogBatch, error) {
	if o.Selector == "" && len(o.Pods) == 0 {
		return nil, errors.New("logs: give a label selector or pod names")
	}
	sel := labels.Everything()
	if o.Selector != "" {
		var err error
		if sel, err = labels.Parse(o.Selector); err != nil {
			return nil, fmt.Errorf("logs: label selector %q: %w", o.Selector, err)
		}
	}
	f := &logFollower{
		cs:      c.logClient(),
		ns:      cmp.Or(o.Namespace, c.info.Namespace, DefaultNamespace),
		o:       o,
		sel:     sel,
		items:   make(chan logItem, 256),
		streams: make(map[streamKey]*logStream),
		initial: make(map[string]bool),
		pods:    make(map[string]bool),
		left:    make(map[string]bool),
	}
	f.o.FlushInterval = positiveOr(o.FlushInterval, defaultLogFlush)
	if f.o.MaxPods <= 0 {
		f.o.MaxPods = DefaultLogMaxPods
	}
	if o.Selector == "" {
		f.o.MaxPods = len(o.Pods)
	}
	if f.o.MaxBatch <= 0 {
		f.o.MaxBatch = defaultLogMaxBatch
	}
	out := make(chan LogBatch)
	if o.Follow && !o.Previous {
		go f.follow(ctx)
	} else {
		go f.readOnce(ctx)
	}
	go batchLogs(ctx, f.items, out, f.o.FlushInterval, f.o.MaxBatch)
	return out, nil
}

// Log streams are requests of their own, one per container, opened all at
// once when a follower starts: a release of 300 pods makes 300. Behind
// client-go's default limiter (5 a second, shared by the whole client) they
// would trickle out over a minute, and a pod's log opened meanwhile would wait
// its turn behind all of them.
const (
	logStreamQPS   = 100
	logStreamBurst = 400
)

// logClient is a client of the follower's own, with a limiter sized for a
// release's streams; it shares the connection with the Client's.
func (c *Client) logClient() kubernetes.Interface {
	if c.config == nil {
		return c.clientset // a fake in tests
	}
	cfg := rest.CopyConfig(c.config)
	cfg.QPS, cfg.Burst = logStreamQPS, logStreamBurst
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return c.clientset
	}
	return cs
}

type logItem struct {
	line   LogLine
	notice *LogNotice
}

type streamKey struct{ pod, container string }

type logStream struct {
	cancel context.CancelFunc
	poke   chan struct{}
}

type logFollower struct {
	cs    kubernetes.Interface
	ns    string
	o     LogOptions
	sel   labels.Selector
	items chan logItem

	wg      sync.WaitGroup
	mu      sync.Mutex
	streams map[streamKey]*logStream
	initial map[string]bool // pods there from the start read with TailLines and Since
	sent    sentLines       // lines sent lately, so a successor pod does not repeat its predecessor's
	pods    map[string]bool // pods with streams, at most o.MaxPods
	left    map[string]bool // pods left out for the limit
	limited bool            // the LogLimited notice went out
	store   cache.Store     // the informer's pods, to take left-out pods in later
}

func (f *logFollower) wanted(p *corev1.Pod) bool {
	if len(f.o.Pods) > 0 && f.o.Selector == "" {
		return slices.Contains(f.o.Pods, p.Name)
	}
	return f.sel.Matches(labels.Set(p.Labels))
}

func (f *logFollower) containers(p *corev1.Pod) []string {
	var out []string
	for _, c := range p.Spec.Containers {
		if len(f.o.Containers) == 0 || slices.Contains(f.o.Containers, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// readOnce reads each container's log of the pods there now, once, and
// then lets the batcher finish by closing items.
func (f *logFollower) readOnce(ctx context.Context) {
	defer close(f.items)
	pods, err := f.cs.CoreV1().Pods(f.ns).List(ctx, metav1.ListOptions{LabelSelector: f.o.Selector})
	if err != nil {
		f.notify(ctx, LogNotice{Kind: LogFailed, Err: "listing pods: " + oneLine(err)})
		return
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		if !f.wanted(p) {
			continue
		}
		for _, c := range f.containers(p) {
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				f.readStream(ctx, p, c, true, nil)
			}()
		}
	}
	f.wg.Wait()
}

// follow keeps one stream per container of every wanted pod, as an
// informer sees pods come and go.
func (f *logFollower) follow(ctx context.Context) {
	opts := []informers.SharedInformerOption{informers.WithNamespace(f.ns), informers.WithTransform(stripManagedFields)}
	if f.o.Selector != "" {
		opts = append(opts, informers.WithTweakListOptions(func(lo *metav1.ListOptions) { lo.LabelSelector = f.o.Selector }))
	}
	factory := informers.NewSharedInformerFactoryWithOptions(f.cs, 0, opts...)
	inf := factory.Core().V1().Pods().Informer()
	f.mu.Lock()
	f.store = inf.GetStore()
	f.mu.Unlock()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if p, ok := obj.(*corev1.Pod); ok {
				f.syncPod(ctx, p, initial)
			}
		},
		UpdateFunc: func(_, obj any) {
			if p, ok := obj.(*corev1.Pod); ok {
				f.syncPod(ctx, p, false)
			}
		},
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				f.dropPod(ctx, p.Name)
			}
		},
	})
	factory.StartWithContext(ctx)
	<-ctx.Done()
	factory.Shutdown()
	f.wg.Wait()
}

// syncPod starts streams for the pod's containers that have started, and
// nudges those already open to retry if they were waiting. A pod beyond
// the limit is left out until a followed one goes away.
func (f *logFollower) syncPod(ctx context.Context, p *corev1.Pod, initial bool) {
	if !f.wanted(p) || ctx.Err() != nil {
		return
	}
	if p.DeletionTimestamp != nil {
		f.sent.leave(p.Name)
	}
	if f.syncPodLocked(ctx, p, initial) {
		f.notify(ctx, LogNotice{Kind: LogLimited, Time: time.Now(),
			Err: fmt.Sprintf("following the logs of %d pods at most; the others are left out", f.o.MaxPods)})
	}
}

// syncPodLocked does syncPod's work under the lock; it reports the first
// time a pod was left out for the limit.
func (f *logFollower) syncPodLocked(ctx context.Context, p *corev1.Pod, initial bool) (firstLimited bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if initial {
		f.initial[p.Name] = true
	}
	if !f.pods[p.Name] && p.DeletionTimestamp == nil {
		if len(f.pods) >= f.o.MaxPods {
			f.left[p.Name] = true
			firstLimited, f.limited = !f.limited, true
			return firstLimited
		}
		delete(f.left, p.Name)
	}
	for _, name := range f.containers(p) {
		key := streamKey{p.Name, name}
		if s, ok := f.streams[key]; ok {
			select {
			case s.poke <- struct{}{}:
			default:
			}
			continue
		}
		if p.DeletionTimestamp != nil || !containerHasLog(p, name) {
			continue
		}
		sctx, cancel := context.WithCancel(ctx)
		s := &logStream{cancel: cancel, poke: make(chan struct{}, 1)}
		f.streams[key] = s
		f.pods[p.Name] = true
		fromStart := f.initial[p.Name]
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.readStream(sctx, p, name, fromStart, s.poke)
		}()
	}
	return false
}

func (f *logFollower) dropPod(ctx context.Context, pod string) {
	f.sent.leave(pod)
	f.mu.Lock()
	delete(f.pods, pod)
	delete(f.left, pod)
	var waiting []string
	for name := range f.left {
		waiting = append(waiting, name)
	}
	var gone []string
	for key, s := range f.streams {
		if key.pod == pod {
			s.cancel()
			delete(f.streams, key)
			gone = append(gone, key.container)
		}
	}
	delete(f.initial, pod)
	f.mu.Unlock()
	slices.Sort(gone)
	for _, c := range gone {
		f.notify(ctx, LogNotice{Kind: LogClosed, Pod: pod, Container: c, Time: time.Now()})
	}
	// A place is free: take in a pod left out for the limit.
	slices.Sort(waiting)
	for _, name := range waiting {
		if f.store == nil {
			break
		}
		obj, ok, _ := f.store.GetByKey(f.ns + "/" + name)
		if p, isPod := obj.(*corev1.Pod); ok && isPod {
			f.syncPod(ctx, p, false)
		}
	}
}

// containerHasLog says whether a container has started at least once, so
// that the API server has a log to give.
func containerHasLog(p *corev1.Pod, container string) bool {
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == container {
			return s.State.Running != nil || s.State.Terminated != nil || s.RestartCount > 0 || s.LastTerminationState.Terminated != nil
		}
	}
	return false
}

// readStream reads one container's log. Following, it opens the stream
// again whenever it ends while the pod lives (a restarted container, an API
// server that went away), from where it left off and without repeating a
// line; poke wakes it early when the pod changes.
func (f *logFollower) readStream(ctx context.Context, p *corev1.Pod, container string, fromStart bool, poke <-chan struct{}) {
	follow := f.o.Follow && !f.o.Previous
	var (
		seen      dedup
		opened    bool
		lastErr   string
		retryWait = logRetryMin
	)
	for {
		opts := &corev1.PodLogOptions{Container: container, Follow: follow, Timestamps: true, Previous: f.o.Previous}
		switch {
		case !seen.last.IsZero():
			// SinceTime has whole seconds: ask from the second of the last
			// line, and let seen drop what was already sent.
			opts.SinceTime = &metav1.Time{Time: seen.last}
		case fromStart:
			switch {
			case f.o.TailLines == NoHistory:
				opts.TailLines = new(int64)
			case f.o.TailLines > 0:
				opts.TailLines = &f.o.TailLines
			}
			if f.o.Since > 0 {
				secs := int64((f.o.Since + time.Second - 1) / time.Second)
				opts.SinceSeconds = &secs
			}
		default:
			// A pod that came later: everything it wrote (its log may
			// predate it on a simulated node, so say since when). When it
			// replaces one that just left, from that one's last line on,
			// so that no line falls between the two streams; the lines
			// both send are sent once (see sentLines).
			since := f.sent.handoverSince(p.CreationTimestamp.Time)
			opts.SinceTime = &metav1.Time{Time: since}
		}
		delivered := 0
		stream, err := f.cs.CoreV1().Pods(f.ns).GetLogs(p.Name, opts).Stream(ctx)
		if err == nil {
			if !opened {
				opened = true
				f.notify(ctx, LogNotice{Kind: LogOpened, Pod: p.Name, Container: container, Time: time.Now()})
			}
			lastErr = ""
			err = readLogLines(stream, func(raw string) bool {
				t, text := parseLogLine(raw)
				if !seen.fresh(t, text) || (follow && !f.sent.first(p.Name, container, t, text)) {
					return true
				}
				delivered++
				select {
				case f.items <- logItem{line: LogLine{Pod: p.Name, Container: container, Time: t, Text: text}}:
					return true
				case <-ctx.Done():
					// Not sent after all (the pod left): its successor
					// may still send it.
					if follow {
						f.sent.forget(p.Name, container, t, text)
					}
					return false
				}
			})
			stream.Close()
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			if msg := oneLine(ExplainForbidden("logs of "+p.Name+"/"+container, err)); msg != lastErr {
				lastErr = msg
				slog.Debug("log stream failed", "namespace", f.ns, "pod", p.Name, "container", container, "err", err)
				f.notify(ctx, LogNotice{Kind: LogFailed, Pod: p.Name, Container: container, Err: msg, Time: time.Now()})
			}
		}
		if !follow {
			return
		}
		if delivered > 0 {
			retryWait = logRetryMin
		}
		t := time.NewTimer(retryWait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-poke:
		case <-t.C:
		}
		t.Stop()
		retryWait = min(retryWait*2, logRetryMax)
	}
}

func (f *logFollower) notify(ctx context.Context, n LogNotice) {
	select {
	case f.items <- logItem{notice: &n}:
	case <-ctx.Done():
	}
}

// dedup drops the lines a reopened stream sends again: those older than
// the last one sent, and those of the same instant already sent.
type dedup struct {
	last   time.Time
	atLast []string // texts sent with time == last
}

func (d *dedup) fresh(t time.Time, text string) bool {
	if t.IsZero() {
		return true // nothing to tell by; such lines come only without timestamps
	}
	switch {
	case t.Before(d.last):
		return false
	case t.Equal(d.last):
		if slices.Contains(d.atLast, text) {
			return false
		}
		d.atLast = append(d.atLast, text)
	default:
		d.last = t
		d.atLast = append(d.atLast[:0], text)
	}
	return true
}

// sentLines remembers which pod's stream sent each recent line, to drop a
// line that a pod's successor sends again. A pod replacing a deleted one
// is read from its creation on, while the deleted one is still read until
// it is gone; where both read the same log (the sandbox's pods share one
// file, and a node may hand a replacement its predecessor's log), the
// lines of that overlap would come twice. A line (container, nanosecond
// time and text) already sent by another pod is dropped when either pod is
// leaving; pods that run side by side are never merged, so two replicas
// that write the same line at the same instant both show it.
type sentLines struct {
	mu      sync.Mutex
	by      map[string]string    // line key -> the pod that sent it
	order   []string             // keys, oldest first, at most maxSentLines
	leaving map[string]time.Time // pods being deleted or gone, since when
	lastBy  map[string]time.Time // the time of the last line each pod sent
}

// handoverSince is where a pod that came after the start begins to read:
// its creation, or the last line of a pod that left in the minute before,
// when that is earlier. A stream that ends as its pod is deleted may stop
// a moment before the replacement is created.
func (s *sentLines) handoverSince(created time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	since := created
	for pod, left := range s.leaving {
		if last, ok := s.lastBy[pod]; ok && time.Since(left) < time.Minute && last.Before(since) {
			since = last
		}
	}
	return since
}

// maxSentLines bounds the memory: a handover's overlap is seconds of log.
const maxSentLines = 8192

// leave notes that a pod is being deleted or is gone.
func (s *sentLines) leave(pod string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leaving == nil {
		s.leaving = map[string]time.Time{}
	}
	now := time.Now()
	for p, since := range s.leaving {
		if now.Sub(since) > 10*time.Minute {
			delete(s.leaving, p)
			delete(s.lastBy, p)
		}
	}
	if _, ok := s.leaving[pod]; !ok {
		s.leaving[pod] = now
	}
}

// first says whether pod's line should be sent: not when another pod sent
// it already and one of the two is leaving.
func (s *sentLines) first(pod, container string, t time.Time, text string) bool {
	if t.IsZero() {
		return true
	}
	key := container + "\x00" + t.UTC().Format(time.RFC3339Nano) + "\x00" + text
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastBy == nil {
		s.lastBy = map[string]time.Time{}
	}
	if t.After(s.lastBy[pod]) {
		s.lastBy[pod] = t
	}
	if by, ok := s.by[key]; ok {
		_, byLeaving := s.leaving[by]
		_, podLeaving := s.leaving[pod]
		return by == pod || !(byLeaving || podLeaving)
	}
	if s.by == nil {
		s.by = map[string]string{}
	}
	s.by[key] = pod
	s.order = append(s.order, key)
	if len(s.order) > maxSentLines {
		delete(s.by, s.order[0])
		s.order = s.order[1:]
	}
	return true
}

// forget undoes first for a line that pod's stream did not send after all.
func (s *sentLines) forget(pod, container string, t time.Time, text string) {
	key := container + "\x00" + t.UTC().Format(time.RFC3339Nano) + "\x00" + text
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by[key] == pod {
		delete(s.by, key) // its place in order goes when it comes round
	}
}

// readLogLines calls fn with each line of r, without its line ending, until
// r ends or fn returns false. A line longer than maxLogLine is cut there.
func readLogLines(r io.Reader, fn func(string) bool) error {
	br := bufio.NewReaderSize(r, 32<<10)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long) < maxLogLine {
				long = append(long, chunk[:min(len(chunk), maxLogLine-len(long))]...)
			}
			continue
		}
		if len(chunk) > 0 || len(long) > 0 {
			line := chunk
			if long != nil {
				if room := maxLogLine - len(long); room > 0 {
					long = append(long, chunk[:min(len(chunk), room)]...)
				}
				line, long = long, nil
			}
			line = bytes.TrimRight(line, "\r\n")
			if !fn(string(line)) {
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
}

// parseLogLine splits a line read with Timestamps into its time and text.
// It takes the API server's form ("<RFC3339Nano> <text>") and the CRI log
// file's form ("<RFC3339Nano> stdout F <text>"); a line without a
// timestamp comes back whole with a zero time.
func parseLogLine(s string) (time.Time, string) {
	ts, rest, ok := strings.Cut(s, " ")
	if !ok {
		rest = ""
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, s
	}
	if stream, after, ok := strings.Cut(rest, " "); ok && (stream == "stdout" || stream == "stderr") {
		tag, text, _ := strings.Cut(after, " ")
		if tag == "F" || tag == "P" {
			return t, text
		}
	}
	return t, rest
}

// batchLogs gathers items into batches: one goes out flush after its first
// line or as soon as it is full. It keeps gathering while the consumer is
// busy, up to maxLines, and then holds the streams up.
func batchLogs(ctx context.Context, in <-chan logItem, out chan<- LogBatch, flush time.Duration, maxLines int) {
	defer close(out)
	var (
		batch  LogBatch
		timer  *time.Timer
		timerC <-chan time.Time
		due    bool
	)
	stopTimer := func() {
		if timer != nil {
			timer.Stop()
			timer, timerC = nil, nil
		}
	}
	defer stopTimer()
	for {
		inC := in
		if len(batch.Lines) >= maxLines {
			inC = nil // full: wait for the consumer
		}
		var outC chan<- LogBatch
		if due || len(batch.Lines) >= maxLines {
			outC = out
		}
		select {
		case <-ctx.Done():
			return
		case it, ok := <-inC:
			if !ok {
				if len(batch.Lines)+len(batch.Notices) > 0 {
					select {
					case out <- batch:
					case <-ctx.Done():
					}
				}
				return
			}
			if it.notice != nil {
				batch.Notices = append(batch.Notices, *it.notice)
			} else {
				batch.Lines = append(batch.Lines, it.line)
			}
			if timer == nil && !due {
				timer = time.NewTimer(flush)
				timerC = timer.C
			}
		case <-timerC:
			timer, timerC = nil, nil
			due = true
		case outC <- batch:
			batch = LogBatch{Lines: make([]LogLine, 0, min(len(batch.Lines), maxLines))}
			due = false
			stopTimer()
		}
	}
}
