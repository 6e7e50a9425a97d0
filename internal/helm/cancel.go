package helm

import (
	"context"
	"slices"
	"sync"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
)

// A caller cancels an operation to stop waiting for it: Helm should then
// give up and undo it (rollback-on-failure), and that undo should run to
// its end. Neither of Helm's own ways gives that. A cancelled context handed
// to RunWithContext makes upgrade roll back in one goroutine while the
// upgrade goes on in another, which can record both as deployed. A context
// in the wait options ends the operation's wait, but Helm's undo waits with
// the same options, so its wait ends at once too and a rollback that did
// happen is recorded as failed.
//
// So operations hand Helm context.WithoutCancel(ctx), and the Kubernetes
// client's waiters are wrapped: the wait under way when ctx is cancelled
// (or the next one to start) ends with ctx's error, and every wait after it,
// the undo's, runs up to its timeout.

// cancelOnce hands out the context Helm's next wait runs with.
type cancelOnce struct {
	ctx    context.Context
	onFail func(error) // told of the first wait that fails, for progress reports

	mu     sync.Mutex
	spent  bool // a wait has ended because ctx was cancelled
	failed bool // a wait has failed
}

func (o *cancelOnce) waitContext() context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.spent {
		return context.WithoutCancel(o.ctx)
	}
	return o.ctx
}

func (o *cancelOnce) ended(err error) {
	if err == nil {
		return
	}
	o.mu.Lock()
	first := !o.failed
	o.failed = true
	if o.ctx.Err() != nil {
		o.spent = true
	}
	o.mu.Unlock()
	if first && o.onFail != nil {
		o.onFail(err)
	}
}

// cancelWith makes the waits of cfg's Kubernetes client end with ctx, as
// described above, and calls onFail (when not nil) with the error of the
// first wait that fails: the moment Helm starts undoing the operation. A
// client other than Helm's own (a test's fake) is left as it is.
func cancelWith(ctx context.Context, cfg *action.Configuration, onFail func(error)) {
	if kc, ok := cfg.KubeClient.(*kube.Client); ok {
		cfg.KubeClient = &cancelOnceKube{Client: kc, once: &cancelOnce{ctx: ctx, onFail: onFail}}
	}
}

// cancelOnceKube is Helm's Kubernetes client with waiters that take their
// context when they start waiting.
type cancelOnceKube struct {
	*kube.Client
	once *cancelOnce
}

func (k *cancelOnceKube) GetWaiter(ws kube.WaitStrategy) (kube.Waiter, error) {
	return k.GetWaiterWithOptions(ws)
}

func (k *cancelOnceKube) GetWaiterWithOptions(ws kube.WaitStrategy, opts ...kube.WaitOption) (kube.Waiter, error) {
	// Fail now, as Helm expects, on a strategy it does not know.
	if _, err := k.Client.GetWaiterWithOptions(ws, opts...); err != nil {
		return nil, err
	}
	return &cancelOnceWaiter{kube: k.Client, once: k.once, strategy: ws, opts: opts}, nil
}

type cancelOnceWaiter struct {
	kube     *kube.Client
	once     *cancelOnce
	strategy kube.WaitStrategy
	opts     []kube.WaitOption
}

func (w *cancelOnceWaiter) run(wait func(kube.Waiter) error) error {
	inner, err := w.kube.GetWaiterWithOptions(w.strategy, append(slices.Clone(w.opts), kube.WithWaitContext(w.once.waitContext()))...)
	if err != nil {
		return err
	}
	err = wait(inner)
	w.once.ended(err)
	return err
}

func (w *cancelOnceWaiter) Wait(rl kube.ResourceList, timeout time.Duration) error {
	return w.run(func(in kube.Waiter) error { return in.Wait(rl, timeout) })
}

func (w *cancelOnceWaiter) WaitWithJobs(rl kube.ResourceList, timeout time.Duration) error {
	return w.run(func(in kube.Waiter) error { return in.WaitWithJobs(rl, timeout) })
}

// WaitForDelete waits with waitDeleted, not with Helm's status watcher,
// whose deletion wait is not safe (see waitDeleted). With the hook-only
// strategy there is nothing to wait for, as in Helm.
func (w *cancelOnceWaiter) WaitForDelete(rl kube.ResourceList, timeout time.Duration) error {
	if w.strategy == kube.HookOnlyStrategy {
		return w.run(func(in kube.Waiter) error { return in.WaitForDelete(rl, timeout) })
	}
	err := waitDeleted(w.once.waitContext(), rl, timeout, getObject)
	w.once.ended(err)
	return err
}

func (w *cancelOnceWaiter) WatchUntilReady(rl kube.ResourceList, timeout time.Duration) error {
	return w.run(func(in kube.Waiter) error { return in.WatchUntilReady(rl, timeout) })
}

// begin starts an operation that changes the release: it waits for its
// turn (one change at a time), makes a fresh Helm configuration, and ties
// Helm's waits to ctx the safe way (cancelWith), calling onFail, if given,
// when a wait ends in failure. The caller defers unlock.
func (c *Client) begin(ctx context.Context, onFail func(error)) (cfg *action.Configuration, unlock func(), err error) {
	unlock, err = c.lock(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg, err = c.newConfig()
	if err != nil {
		unlock()
		return nil, nil, err
	}
	cancelWith(ctx, cfg, onFail)
	return cfg, unlock, nil
}
