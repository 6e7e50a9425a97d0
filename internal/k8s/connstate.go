package k8s

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
)

// connTracker notices when the API server goes away, by watching the
// requests of one client: a request that fails below HTTP, or a response
// stream (a watch) cut off mid-way, means the server is gone.
//
// client-go's reflectors cannot tell us this themselves: they retry a
// refused watch forever without calling the watch error handler, and a
// cut-off watch only reaches the handler after a back-off of a second or
// more. The transport sees both at once.
type connTracker struct {
	mu      sync.Mutex
	lost    bool
	since   time.Time
	lastErr string
	signal  chan struct{} // poked when lost turns true; one reader
	now     func() time.Time
}

func newConnTracker() *connTracker {
	return &connTracker{signal: make(chan struct{}, 1), now: time.Now}
}

// markLost records that a request failed for want of a server.
func (t *connTracker) markLost(err error) {
	t.mu.Lock()
	t.lastErr = oneLine(err)
	wasLost := t.lost
	if !wasLost {
		t.lost, t.since = true, t.now()
	}
	t.mu.Unlock()
	if !wasLost {
		select {
		case t.signal <- struct{}{}:
		default:
		}
	}
}

// reset forgets a loss, before the watch lists and watches anew.
func (t *connTracker) reset() {
	t.mu.Lock()
	t.lost, t.since, t.lastErr = false, time.Time{}, ""
	t.mu.Unlock()
	select {
	case <-t.signal:
	default:
	}
}

func (t *connTracker) state() (lost bool, since time.Time, lastErr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lost, t.since, t.lastErr
}

// wrap is a transport.WrapperFunc for rest.Config.Wrap.
func (t *connTracker) wrap(next http.RoundTripper) http.RoundTripper {
	return &trackingTransport{next: next, t: t}
}

type trackingTransport struct {
	next http.RoundTripper
	t    *connTracker
}

func (tr *trackingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.next.RoundTrip(req)
	if err != nil {
		// A request we gave up on ourselves says nothing about the server.
		if req.Context().Err() == nil && !errors.Is(err, context.Canceled) {
			tr.t.markLost(err)
		}
		return resp, err
	}
	resp.Body = &trackingBody{ReadCloser: resp.Body, ctx: req.Context(), t: tr.t}
	return resp, nil
}

// trackingBody reports a response body that breaks off: for a watch, the
// server going away while it streams.
type trackingBody struct {
	io.ReadCloser
	ctx    context.Context
	t      *connTracker
	closed atomic.Bool
}

func (b *trackingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && !b.closed.Load() && b.ctx.Err() == nil {
		b.t.markLost(err)
	}
	return n, err
}

func (b *trackingBody) Close() error {
	// Set before closing: a read failing because we closed is no news.
	b.closed.Store(true)
	return b.ReadCloser.Close()
}

// readyzProbe asks the API server whether it is back. Any HTTP answer but a
// 5xx counts: a server that says 401 or 403 to /readyz is there.
func readyzProbe(cs kubernetes.Interface) func(context.Context) error {
	return func(ctx context.Context) error {
		err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).Error()
		var status apierrors.APIStatus
		if err != nil && errors.As(err, &status) {
			if code := status.Status().Code; code > 0 && code < 500 {
				return nil
			}
		}
		return err
	}
}
