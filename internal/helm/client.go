// Package helm deploys TaskMaster's chart with the Helm v4 SDK: install,
// upgrade and rollback (each shown as a manifest diff before it runs),
// history, status, values, manifest and notes of any revision, uninstall,
// `helm test`, scaling, and recovery of releases left pending by a process
// that died mid-operation.
//
// It is an engine package: it never imports the UI and prints nothing.
// Helm's own log lines go to the slog handler given to New (by default
// slog.Default, which internal/logging points at tmtui's log file). Every
// call takes a context; long ones report their progress as Events on a
// channel and return this package's own types, never Helm's.
//
// Releases made here are ordinary Helm releases (Secret storage driver,
// server-side apply, field manager "helm"): the helm CLI reads and manages
// them exactly as it does its own.
package helm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/kube"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/charts"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/version"
)

// DefaultReleaseName is the release tmtui manages unless told otherwise.
const DefaultReleaseName = "taskmaster"

// DefaultTimeout bounds an install, upgrade, rollback or uninstall, wait
// included, when the caller gives none: the same as `helm --timeout`.
const DefaultTimeout = 5 * time.Minute

func init() {
	// Server-side apply records who owns each field by a manager name. Helm
	// names it after the running binary unless told otherwise, so a release
	// made by tmtui would be owned by "tmtui", and the next `helm upgrade`
	// from the CLI that changes one of those fields (an image tag, a replica
	// count) would fail with a conflict. Applying under the CLI's own name
	// makes tmtui and helm one owner, interchangeable on the same release.
	kube.ManagedFieldsManager = "helm"
}

// Options say which cluster, namespace, release and chart a Client works on.
type Options struct {
	// Connection is the same kubeconfig, context and namespace internal/k8s
	// connects with. An empty Namespace means the context's, else
	// k8s.DefaultNamespace.
	Connection k8s.ConnectOptions
	// ReleaseName is DefaultReleaseName when empty.
	ReleaseName string
	// ChartDir is a chart folder to install and upgrade with instead of the
	// chart built into tmtui. New refuses a folder that is not a chart.
	ChartDir string
	// Logger receives Helm's log lines; slog.Default() when nil.
	Logger *slog.Logger
}

// Client runs Helm operations on one release in one namespace. It is safe
// for concurrent use: reads run side by side, while operations that change
// the release run one at a time (a second one waits for the first, or for
// its own context).
type Client struct {
	release   string
	namespace string
	chartDir  string // "" for the built-in chart
	logger    *slog.Logger
	flags     *genericclioptions.ConfigFlags

	// newConfig makes the Helm configuration of one operation. Helm's actions
	// write to their Configuration (capabilities, storage settings, and for
	// client-only dry runs even its clients), so no two operations share one.
	newConfig func() (*action.Configuration, error)
	// clientset is for watching the release's pods while Helm waits; nil in
	// tests that run Helm against fakes.
	clientset func() (kubernetes.Interface, error)

	mutating chan struct{} // a one-slot lock that a context can abandon
	scaling  chan struct{} // another, held by a Scale from its start to its end
	now      func() time.Time
}

// New prepares a Client. It reads the kubeconfig (to settle the namespace,
// when none is given) and, when Options.ChartDir is set, loads and checks
// that chart; it sends nothing to the cluster.
func New(o Options) (*Client, error) {
	c := &Client{
		release:  o.ReleaseName,
		chartDir: o.ChartDir,
		logger:   o.Logger,
		now:      time.Now,
	}
	if c.release == "" {
		c.release = DefaultReleaseName
	}
	if err := validateReleaseName(c.release); err != nil {
		return nil, err
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.chartDir != "" {
		if _, err := loadChartDir(c.chartDir); err != nil {
			return nil, err
		}
	}
	ns, err := resolveNamespace(o.Connection)
	if err != nil {
		return nil, err
	}
	c.namespace = ns
	c.mutating = opSlot(o.Connection.Kubeconfig, o.Connection.Context, c.namespace, c.release, "change")
	c.scaling = opSlot(o.Connection.Kubeconfig, o.Connection.Context, c.namespace, c.release, "scale")

	flags := genericclioptions.NewConfigFlags(true)
	kubeconfig, ctxName := o.Connection.Kubeconfig, o.Connection.Context
	flags.KubeConfig, flags.Context, flags.Namespace = &kubeconfig, &ctxName, &c.namespace
	flags.WrapConfigFn = func(cfg *rest.Config) *rest.Config {
		cfg.UserAgent = "tmtui/" + version.Version
		// The helm CLI's own limiter (HELM_BURST_LIMIT's default): with
		// client-go's burst of 10, the creates and the readiness watcher's
		// lists of an install queue behind the limiter, and an install took
		// twice as long as `helm install --wait` (make bench).
		cfg.Burst = helmBurstLimit
		return cfg
	}
	c.flags = flags
	c.newConfig = func() (*action.Configuration, error) {
		cfg := action.NewConfiguration(action.ConfigurationSetLogger(c.logger.Handler()))
		if err := cfg.Init(flags, c.namespace, "secret"); err != nil {
			return nil, fmt.Errorf("preparing Helm for namespace %s: %w", c.namespace, err)
		}
		return cfg, nil
	}
	c.clientset = func() (kubernetes.Interface, error) {
		rc, err := flags.ToRESTConfig()
		if err != nil {
			return nil, err
		}
		return kubernetes.NewForConfig(rc)
	}
	return c, nil
}

// helmBurstLimit is the helm CLI's default client-side burst.
const helmBurstLimit = 100

// resolveNamespace settles the namespace the way internal/k8s does: the
// one asked for, else the context's, else k8s.DefaultNamespace.
func resolveNamespace(o k8s.ConnectOptions) (string, error) {
	if o.Namespace != "" {
		return o.Namespace, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.Kubeconfig
	raw, err := rules.Load()
	if err != nil {
		return "", fmt.Errorf("reading the kubeconfig: %w", err)
	}
	kubeContext := o.Context
	if kubeContext == "" {
		kubeContext = raw.CurrentContext
	}
	if kc, ok := raw.Contexts[kubeContext]; ok && kc.Namespace != "" {
		return kc.Namespace, nil
	}
	return k8s.DefaultNamespace, nil
}

// ReleaseName is the release this Client manages.
func (c *Client) ReleaseName() string { return c.release }

// Namespace is the namespace the release lives in.
func (c *Client) Namespace() string { return c.namespace }

// ChartSource says where new installs and upgrades take the chart from:
// "built-in" or the chart folder's path.
func (c *Client) ChartSource() string {
	if c.chartDir == "" {
		return "built-in"
	}
	return c.chartDir
}

// loadChart returns a fresh copy of the chart to install or upgrade with
// (Helm may write to the chart it is given). A chart folder is read again
// each time, so edits made to it since New take effect.
func (c *Client) loadChart() (*chart.Chart, error) {
	if c.chartDir == "" {
		return charts.TaskMaster()
	}
	return loadChartDir(c.chartDir)
}

// opSlots are the one-slot locks of the releases this process changes,
// shared by every Client of the same release (the release pane's, the
// scaling's, the wizard's). "change": one change at a time, and a release
// pending because of a change running here is busy, not stuck. "scale":
// one Scale at a time, from its direct write to its settling.
var opSlots sync.Map // "kubeconfig|context|namespace|release|kind" -> chan struct{}

func opSlot(kubeconfig, kubeContext, namespace, release, kind string) chan struct{} {
	slot, _ := opSlots.LoadOrStore(strings.Join([]string{kubeconfig, kubeContext, namespace, release, kind}, "|"), make(chan struct{}, 1))
	return slot.(chan struct{})
}

// busyHere says whether a change to the release runs in this process.
func (c *Client) busyHere() bool { return len(c.mutating) > 0 }

// lock takes the release's one slot for operations that change it.
func (c *Client) lock(ctx context.Context) (unlock func(), err error) {
	return c.take(ctx, c.mutating)
}

// take waits for a one-slot lock, or for ctx to end.
func (c *Client) take(ctx context.Context, slot chan struct{}) (unlock func(), err error) {
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another operation on release %s to finish: %w", c.release, ctx.Err())
	}
}

// waitOptions compute status the way the helm CLI does: several workers, so
// one slow lookup blocks no other. Cancellation comes in through
// cancelOnceKube, not through these options.
func waitOptions() []kube.WaitOption {
	return []kube.WaitOption{kube.WithStatusComputeWorkers(8)}
}

func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

// cancellable runs fn, which Helm gives no context, and returns early with
// ctx's error when ctx ends first. fn then finishes in the background: its
// requests are short reads, or Helm waits that take the same ctx.
func cancellable[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// ErrNotInstalled is returned (wrapped) when the release does not exist.
var ErrNotInstalled = errors.New("release not installed")
