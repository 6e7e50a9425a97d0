package k8s

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ContextInfo describes one kubeconfig context, for a context picker.
type ContextInfo struct {
	Name      string
	Cluster   string // the cluster entry it names
	Server    string // that cluster's API server URL; "" when the entry is missing
	User      string
	Namespace string // the context's own namespace; "" when it sets none
	Current   bool   // the kubeconfig's current-context
	Local     bool   // see IsLocalContext
}

// ListContexts returns every context of the kubeconfig (kubeconfig, else the
// KUBECONFIG list, else ~/.kube/config, as kubectl reads them), sorted by
// name. Errors are *ConnectError, as from Connect.
func ListContexts(kubeconfig string) ([]ContextInfo, error) {
	_, raw, err := loadKubeconfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	out := make([]ContextInfo, 0, len(raw.Contexts))
	for _, name := range slices.Sorted(maps.Keys(raw.Contexts)) {
		out = append(out, describeContext(raw, name))
	}
	return out, nil
}

// CurrentContext describes the kubeconfig's current context. Errors are
// *ConnectError (KindContextNotFound when none is set or it does not exist).
func CurrentContext(kubeconfig string) (ContextInfo, error) {
	_, raw, err := loadKubeconfig(kubeconfig)
	if err != nil {
		return ContextInfo{}, err
	}
	name, err := chooseContext(raw, "")
	if err != nil {
		return ContextInfo{}, err
	}
	return describeContext(raw, name), nil
}

// SwitchContext returns the options that connect to context name instead,
// once it is known to exist. It changes nothing on disk: the user's
// kubeconfig and its current-context stay as they are, so kubectl in another
// terminal is not switched behind the user's back. A namespace given on the
// command line is kept, as kubectl's --namespace applies to any context;
// otherwise the new context's namespace applies when Connect runs.
func SwitchContext(o ConnectOptions, name string) (ConnectOptions, error) {
	_, raw, err := loadKubeconfig(o.Kubeconfig)
	if err != nil {
		return o, err
	}
	if name == "" {
		return o, &ConnectError{Kind: KindContextNotFound, Reason: "no context name given", Hint: "pick one of " + strings.Join(slices.Sorted(maps.Keys(raw.Contexts)), ", ")}
	}
	if _, err := chooseContext(raw, name); err != nil {
		return o, err
	}
	o.Context = name
	return o, nil
}

func describeContext(raw *clientcmdapi.Config, name string) ContextInfo {
	c := raw.Contexts[name]
	info := ContextInfo{Name: name, Cluster: c.Cluster, User: c.AuthInfo, Namespace: c.Namespace, Current: name == raw.CurrentContext}
	if cluster, ok := raw.Clusters[c.Cluster]; ok {
		info.Server = cluster.Server
	}
	info.Local = IsLocalContext(name, info.Server)
	return info
}

// Context names the local Kubernetes distributions give their contexts.
// docker-for-desktop is Docker Desktop's name before 2.0, and colima-<profile>
// is what colima calls every profile but the default one.
var (
	localContextNames    = []string{"docker-desktop", "docker-for-desktop", "minikube", "rancher-desktop", "orbstack", "colima", "tmtui-sandbox"}
	localContextPrefixes = []string{"kind-", "k3d-", "colima-", "tmtui-private-"}
)

// IsLocalContext reports whether a context points at a cluster on this
// machine: one of the local distributions' context names, or an API server on
// a loopback address or Docker Desktop's kubernetes.docker.internal. Local
// clusters are where tmtui changes things without asking twice.
func IsLocalContext(name, server string) bool {
	if slices.Contains(localContextNames, name) {
		return true
	}
	for _, p := range localContextPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return isLocalServer(server)
}

func isLocalServer(server string) bool {
	u, err := url.Parse(server)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || host == "kubernetes.docker.internal" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrConfirmationRequired is what Guard.Approve returns (wrapped in a
// *RemoteContextError) when a change to a remote cluster lacks the
// confirmation that allows it. A UI checks for it with errors.Is and asks the
// user to type the context's name.
var ErrConfirmationRequired = errors.New("confirmation required")

// RemoteContextError refuses a change to a cluster that is not on this
// machine.
type RemoteContextError struct {
	Action  string // what was refused, e.g. `install release "taskmaster"`
	Context string
	Server  string
	Given   string // the confirmation the caller gave; "" for none
}

func (e *RemoteContextError) Error() string {
	where := fmt.Sprintf("remote context %q", e.Context)
	if e.Server != "" {
		where += " (" + e.Server + ")"
	}
	if e.Given == "" {
		return fmt.Sprintf("refusing to %s on %s: it is not a local cluster; type the context name %q to confirm", e.Action, where, e.Context)
	}
	return fmt.Sprintf("refusing to %s on %s: the confirmation %q is not the context name %q", e.Action, where, e.Given, e.Context)
}

func (e *RemoteContextError) Is(target error) bool { return target == ErrConfirmationRequired }

// Guard stands in front of every change tmtui makes to a cluster: namespace,
// secret, rollout restart, and the Helm workflows (install, upgrade,
// rollback, uninstall, scale). On a local cluster it allows everything; on a
// remote one only what the user confirmed by typing the context's name.
//
// The changes themselves take the Approval that Approve returns, so none can
// be made without going through a Guard first.
type Guard struct {
	Context string
	Server  string
	Local   bool
}

// NewGuard is the guard of a context at a server.
func NewGuard(context, server string) Guard {
	return Guard{Context: context, Server: server, Local: IsLocalContext(context, server)}
}

// Guard is the guard of the cluster the client is connected to.
func (c *Client) Guard() Guard { return NewGuard(c.info.Context, c.info.Server) }

// Approve allows action (a phrase such as `create secret "taskmaster-secret"`,
// used in the refusal) on the guarded cluster. On a local cluster the
// confirmation is ignored. On a remote one it must be the context's name,
// as the user typed it; otherwise Approve returns a *RemoteContextError that
// matches ErrConfirmationRequired.
func (g Guard) Approve(action, confirmation string) (Approval, error) {
	if g.Context == "" {
		return Approval{}, errors.New("refusing to " + action + ": no kubeconfig context is known")
	}
	if !g.Local && strings.TrimSpace(confirmation) != g.Context {
		return Approval{}, &RemoteContextError{Action: action, Context: g.Context, Server: g.Server, Given: strings.TrimSpace(confirmation)}
	}
	return Approval{context: g.Context, server: g.Server}, nil
}

// Approval is a Guard's permission to change one cluster. Only Approve makes
// one; the zero value allows nothing. It can be reused for every step of one
// workflow the user confirmed (namespace, secret, install).
type Approval struct {
	context string
	server  string
}

// Context is the context the approval is for.
func (a Approval) Context() string { return a.context }

// Verify checks that the approval was given for the cluster about to be
// changed. Every mutating function calls it first, in the engine packages
// that make changes (k8s, helm).
func (a Approval) Verify(context, server string) error {
	switch {
	case a.context == "":
		return errors.New("refusing to change the cluster: the change was not approved (ask Guard.Approve first)")
	case a.context != context || a.server != server:
		return fmt.Errorf("refusing to change the cluster of context %q: the approval was given for context %q", context, a.context)
	}
	return nil
}

// verifyApproval is Verify for the client's own cluster.
func (c *Client) verifyApproval(a Approval) error { return a.Verify(c.info.Context, c.info.Server) }
