// Package k8s talks to the Kubernetes cluster tmtui deploys to. It connects the
// way kubectl does (same kubeconfig files, contexts and namespaces) and never
// imports the ui package: the UI reaches it through small interfaces.
package k8s

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/version"
)

// ConnectOptions mirror kubectl's flags of the same names. Empty fields mean
// what they mean to kubectl.
type ConnectOptions struct {
	Kubeconfig string // one file; empty: the KUBECONFIG list, else ~/.kube/config
	Context    string // empty: the kubeconfig's current context
	Namespace  string // empty: the context's namespace, else DefaultNamespace
}

// ClusterInfo describes the cluster a Client is connected to.
type ClusterInfo struct {
	Context       string // kubeconfig context name
	Server        string // API server URL
	ServerVersion string // e.g. "v1.36.3"
	Namespace     string // where the app lives; see DefaultNamespace
}

// Client is a connection to one cluster, in one namespace.
type Client struct {
	clientset kubernetes.Interface
	config    *rest.Config
	info      ClusterInfo
}

// Clientset is for engine packages that need typed API access.
func (c *Client) Clientset() kubernetes.Interface { return c.clientset }

// RESTConfig is for engine packages, such as Helm, that build their own clients.
// Callers must not modify it.
func (c *Client) RESTConfig() *rest.Config { return c.config }

// Info describes the cluster as found when connecting.
func (c *Client) Info() ClusterInfo { return c.info }

// versionTimeout bounds the first request, so that a cluster that is down is
// reported in seconds rather than after TCP's own timeouts.
const versionTimeout = 5 * time.Second

// Connect loads the kubeconfig, picks the context and namespace, and asks the
// API server for its version to prove it answers and accepts our credentials.
//
// Errors are *ConnectError. On error the ClusterInfo still holds what was
// learned before the failure (at least Context and Server once the kubeconfig
// was read), so a caller can say which cluster it could not reach.
func Connect(ctx context.Context, o ConnectOptions) (*Client, ClusterInfo, error) {
	client, info, err := connect(ctx, o)
	if err != nil {
		// The screen gets one human line; the log keeps the underlying cause.
		var cause error
		var ce *ConnectError
		if errors.As(err, &ce) {
			cause = ce.Err
		}
		slog.Warn("connect failed", "context", info.Context, "server", info.Server, "err", err, "cause", cause)
		return nil, info, err
	}
	slog.Info("connected", "context", info.Context, "server", info.Server, "version", info.ServerVersion, "namespace", info.Namespace)
	return client, info, nil
}

func connect(ctx context.Context, o ConnectOptions) (*Client, ClusterInfo, error) {
	info := ClusterInfo{Context: o.Context}
	rules, raw, err := loadKubeconfig(o.Kubeconfig)
	if err != nil {
		return nil, info, err
	}
	name, err := chooseContext(raw, o.Context)
	if err != nil {
		return nil, info, err
	}
	kubeContext := raw.Contexts[name]
	info.Context = name
	info.Namespace = chooseNamespace(o.Namespace, kubeContext)

	if problem := contextProblem(raw, name); problem != "" {
		return nil, info, incompleteContextError(name, kubeContext.LocationOfOrigin, problem, nil)
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		return nil, info, incompleteContextError(name, kubeContext.LocationOfOrigin, oneLine(err), err)
	}
	info.Server = cfg.Host
	cfg.UserAgent = "tmtui/" + version.Version

	clientset, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, info, incompleteContextError(name, kubeContext.LocationOfOrigin, oneLine(err), err)
	}
	// Only the probe gets the short timeout: the shared config must not have
	// one, or it would cut off watches and log streams.
	probeCfg := rest.CopyConfig(cfg)
	probeCfg.Timeout = versionTimeout
	probe, err := discovery.NewDiscoveryClientForConfig(probeCfg)
	if err != nil {
		return nil, info, incompleteContextError(name, kubeContext.LocationOfOrigin, oneLine(err), err)
	}
	v, err := probe.ServerVersionWithContext(ctx)
	if err != nil {
		return nil, info, requestError(err, name, cfg.Host)
	}
	info.ServerVersion = v.GitVersion
	return &Client{clientset: clientset, config: cfg, info: info}, info, nil
}

// TargetContext is the context Connect would use, for showing before
// connecting finishes. It returns "" when the kubeconfig cannot tell; Connect
// then explains why.
func (o ConnectOptions) TargetContext() string {
	if o.Context != "" {
		return o.Context
	}
	_, raw, err := loadKubeconfig(o.Kubeconfig)
	if err != nil {
		return ""
	}
	return raw.CurrentContext
}
