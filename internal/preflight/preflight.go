// Package preflight checks that everything a deployment of TaskMaster needs
// is in place: the cluster, the context, the namespace, the secret, the
// images, the release, the local ports and the permissions. Each check says
// ok, warn or fail, what it found, and one line on what to do.
//
// It spans the engines (internal/k8s for the cluster, internal/docker for the
// images) and reads Helm's release records without the Helm SDK. `tmtui
// doctor` prints its report; the UI can show the same.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

// Status is a check's verdict.
type Status string

const (
	OK   Status = "ok"   // in place
	Warn Status = "warn" // not in place yet, or cannot be told; a deployment may still work
	Fail Status = "fail" // a deployment will not work until it is fixed
)

// Check IDs, stable for callers that look one up.
const (
	CheckCluster     = "cluster"
	CheckContext     = "context"
	CheckNamespace   = "namespace"
	CheckSecret      = "secret"
	CheckRelease     = "release"
	CheckImages      = "images"
	CheckPorts       = "ports"
	CheckPermissions = "permissions"
)

// Check is one verdict.
type Check struct {
	ID     string
	Name   string // for people, e.g. "cluster reachable"
	Status Status
	Detail string // what was found
	Fix    string // one line on what to do; "" when there is nothing to do
}

// Report is every check, in the order they should be shown.
type Report struct {
	Cluster k8s.ClusterInfo // as far as it is known
	Release ReleaseInfo
	Checks  []Check
}

// Failed says whether any check failed.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r.Checks, func(c Check) bool { return c.Status == Fail })
}

// Find returns the check with the given ID.
func (r Report) Find(id string) (Check, bool) {
	i := slices.IndexFunc(r.Checks, func(c Check) bool { return c.ID == id })
	if i < 0 {
		return Check{}, false
	}
	return r.Checks[i], true
}

// DefaultRelease is the release name tmtui uses unless told otherwise.
const DefaultRelease = "taskmaster"

// Options say what to check.
type Options struct {
	Connect k8s.ConnectOptions
	Release string // DefaultRelease when empty
	// Chart is what a fresh install uses. When the release exists, its own
	// values decide the images and ports instead.
	Chart Chart
	// Images, when set, are the repository:tag references to look for,
	// whatever the release or chart say (for example the tags about to be
	// deployed).
	Images []string
	// ImageLister looks images up; nil makes the images check a warning.
	ImageLister ImageLister
}

// probeTimeout bounds each step, so that one slow answer cannot hold the
// whole report back.
const probeTimeout = 10 * time.Second

// Run connects as tmtui does and runs every check. When the cluster cannot
// be reached, the checks that need it are left out and the others still run.
func Run(ctx context.Context, o Options) Report {
	probeCtx, cancel := context.WithTimeout(ctx, probeTimeout)
	c, info, err := k8s.Connect(probeCtx, o.Connect)
	cancel()
	if err != nil {
		r := Report{Cluster: info}
		detail := err.Error()
		var ce *k8s.ConnectError
		if errors.As(err, &ce) && ce.Context != "" {
			detail = "context " + ce.Context + ": " + detail
		}
		r.Checks = append(r.Checks, Check{ID: CheckCluster, Name: "cluster reachable", Status: Fail, Detail: detail,
			Fix: "start your cluster (Docker Desktop: Settings > Kubernetes > Enable), pick another with --context, or run `make demo` for the sandbox"})
		var guard *k8s.Guard
		if info.Context != "" {
			g := k8s.NewGuard(info.Context, info.Server)
			guard = &g
		}
		r.Checks = append(r.Checks, offlineChecks(ctx, withDefaults(o), guard)...)
		logReport(r)
		return r
	}
	return RunOn(ctx, c, o)
}

// offlineChecks are the checks that need no cluster, for when it does not
// answer: the context (when known), the images and the ports a fresh install
// would need.
func offlineChecks(ctx context.Context, o Options, guard *k8s.Guard) []Check {
	var checks []Check
	if guard != nil {
		checks = append(checks, contextCheck(*guard))
	}
	p := o.plan(ReleaseInfo{})
	return append(checks, imagesCheck(ctx, o.ImageLister, p.images), portsCheck(ctx, p, ReleaseInfo{}, nil))
}

// plan reads what the release will need from its own values when Helm has
// them, else from the chart's; Images overrides the images either way.
func (o Options) plan(release ReleaseInfo) plan {
	p := planFor(o.Release, o.Chart.Values, o.Chart.AppVersion)
	if release.values != nil {
		p = planFor(o.Release, release.values, release.appVersion)
	}
	if len(o.Images) > 0 {
		p.images = o.Images
	}
	return p
}

func withDefaults(o Options) Options {
	if o.Release == "" {
		o.Release = DefaultRelease
	}
	return o
}

// RunOn runs every check against a client that is already connected (the
// UI's), in the client's namespace. o.Connect is not used.
func RunOn(ctx context.Context, c *k8s.Client, o Options) Report {
	o = withDefaults(o)
	info := c.Info()
	ns := info.Namespace
	cs := c.Clientset()
	r := Report{Cluster: info}

	cluster, reachable := clusterCheck(ctx, cs, info)
	r.Checks = append(r.Checks, cluster)
	guard := c.Guard()
	if !reachable {
		r.Checks = append(r.Checks, offlineChecks(ctx, o, &guard)...)
		logReport(r)
		return r
	}
	r.Checks = append(r.Checks, contextCheck(guard))

	release, releaseErr := readReleaseWithTimeout(ctx, cs, ns, o.Release)
	r.Release = release
	p := o.plan(release)

	nsCheck, nsExists := namespaceCheck(ctx, cs, ns)
	r.Checks = append(r.Checks, nsCheck)
	r.Checks = append(r.Checks, secretCheck(ctx, cs, ns, nsExists, p, release))
	r.Checks = append(r.Checks, releaseCheck(release, releaseErr))
	r.Checks = append(r.Checks, imagesCheck(ctx, o.ImageLister, p.images))
	r.Checks = append(r.Checks, portsCheck(ctx, p, release, func(ctx context.Context, service string) (*corev1.Service, error) {
		return cs.CoreV1().Services(ns).Get(ctx, service, metav1.GetOptions{})
	}))
	r.Checks = append(r.Checks, permissionsCheck(ctx, reviewClient(c), ns, p.neededPermissions()))
	logReport(r)
	return r
}

func logReport(r Report) {
	attrs := []any{"context", r.Cluster.Context, "namespace", r.Cluster.Namespace}
	for _, c := range r.Checks {
		attrs = append(attrs, c.ID, string(c.Status))
	}
	slog.Info("preflight", attrs...)
}

// reviewClient is a client for the burst of access reviews: client-go's
// default rate limit (5 a second) would make them take seconds.
func reviewClient(c *k8s.Client) kubernetes.Interface {
	if c.RESTConfig() == nil {
		return c.Clientset()
	}
	cfg := rest.CopyConfig(c.RESTConfig())
	cfg.QPS, cfg.Burst = 50, 100
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return c.Clientset()
	}
	return cs
}

func clusterCheck(ctx context.Context, cs kubernetes.Interface, info k8s.ClusterInfo) (check Check, reachable bool) {
	check = Check{ID: CheckCluster, Name: "cluster reachable"}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	// Ask again: the client may have been connected long ago.
	v, err := versionOf(ctx, cs)
	if err != nil {
		check.Status, check.Detail = Fail, fmt.Sprintf("context %s at %s: the API server does not answer (%v)", info.Context, info.Server, err)
		check.Fix = "start your cluster, or pick another with --context"
		return check, false
	}
	check.Detail = fmt.Sprintf("context %s at %s, Kubernetes %s", info.Context, info.Server, v)
	if major, minor, ok := parseVersion(v); ok && (major < 1 || major == 1 && minor < minKubeMinor) {
		check.Status = Fail
		check.Fix = fmt.Sprintf("the chart needs Kubernetes 1.%d or newer (Pod Security admission): update your cluster", minKubeMinor)
		return check, true
	}
	check.Status = OK
	return check, true
}

// minKubeMinor is the chart's kubeVersion (>=1.25.0-0).
const minKubeMinor = 25

func versionOf(ctx context.Context, cs kubernetes.Interface) (string, error) {
	d := cs.Discovery()
	if dc, ok := d.(discovery.ServerVersionInterfaceWithContext); ok {
		v, err := dc.ServerVersionWithContext(ctx)
		if err != nil {
			return "", err
		}
		return v.GitVersion, nil
	}
	v, err := d.ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

var versionNumbers = regexp.MustCompile(`^v?(\d+)\.(\d+)`)

func parseVersion(v string) (major, minor int, ok bool) {
	m := versionNumbers.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, false
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	return major, minor, true
}

func contextCheck(g k8s.Guard) Check {
	check := Check{ID: CheckContext, Name: "context local"}
	if g.Local {
		check.Status, check.Detail = OK, fmt.Sprintf("%s is a cluster on this machine", g.Context)
		return check
	}
	check.Status = Warn
	check.Detail = fmt.Sprintf("%s (%s) is not a local cluster: every change asks you to type its name first", g.Context, g.Server)
	check.Fix = "if you meant a local cluster, pick it with --context (e.g. docker-desktop)"
	return check
}

func readReleaseWithTimeout(ctx context.Context, cs kubernetes.Interface, ns, name string) (ReleaseInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	return ReadRelease(ctx, cs, ns, name)
}

func namespaceCheck(ctx context.Context, cs kubernetes.Interface, ns string) (Check, bool) {
	check := Check{ID: CheckNamespace, Name: "namespace"}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	got, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	switch {
	case err == nil && got.Status.Phase == corev1.NamespaceTerminating:
		check.Status, check.Detail = Fail, fmt.Sprintf("%s is being deleted", ns)
		check.Fix = "wait until it is gone, then run setup again"
		return check, true
	case err == nil:
		check.Status, check.Detail = OK, ns+" exists"
		if got.Labels[k8s.PodSecurityEnforceLabel] != "" {
			check.Detail += fmt.Sprintf(" (Pod Security: %s)", got.Labels[k8s.PodSecurityEnforceLabel])
		}
		return check, true
	case apierrors.IsNotFound(err):
		check.Status, check.Detail = Warn, ns+" does not exist yet"
		check.Fix = "tmtui's setup creates it (or: kubectl create namespace " + ns + ")"
		allowed, aerr := canI(ctx, cs, "", Permission{Verb: "create", Resource: "namespaces"})
		if aerr == nil && !allowed {
			check.Status = Fail
			check.Detail += ", and your account may not create namespaces (create namespaces)"
			check.Fix = "ask a cluster admin to create namespace " + ns + ", or use another with -n"
		}
		return check, false
	case apierrors.IsForbidden(err):
		// Accounts limited to one namespace often may not read the
		// namespace object itself; the namespaced checks still tell.
		check.Status, check.Detail = Warn, fmt.Sprintf("cannot tell whether %s exists: your account may not get namespaces", ns)
		check.Fix = "if it does not exist, ask a cluster admin to create it"
		return check, true
	default:
		check.Status, check.Detail = Warn, fmt.Sprintf("cannot read namespace %s: %v", ns, err)
		check.Fix = "run doctor again; if it persists, see the log file"
		return check, true
	}
}

func secretCheck(ctx context.Context, cs kubernetes.Interface, ns string, nsExists bool, p plan, release ReleaseInfo) Check {
	check := Check{ID: CheckSecret, Name: "secret"}
	if p.chartSecret {
		check.Status, check.Detail = OK, fmt.Sprintf("the chart renders %s from its values (secrets.create=true)", p.secretName)
		return check
	}
	required := k8s.RequiredSecretKeys()
	setupFix := "run tmtui's setup to create it (keys: " + strings.Join(required, ", ") + ", and optionally " + k8s.SecretKeyGeminiAPIKey + ")"
	// Without its secret the backend cannot start: a failure once the
	// release runs, only a step still to do before.
	missingStatus := Warn
	if release.Exists() && release.Status != ReleaseUninstalled {
		missingStatus = Fail
	}
	if !nsExists {
		check.Status, check.Detail, check.Fix = missingStatus, fmt.Sprintf("%s does not exist (no namespace %s yet)", p.secretName, ns), setupFix
		return check
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	s, err := cs.CoreV1().Secrets(ns).Get(ctx, p.secretName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		check.Status, check.Detail, check.Fix = missingStatus, fmt.Sprintf("%s does not exist in %s", p.secretName, ns), setupFix
		return check
	case err != nil:
		// Never quote the secret; the API error names only the object.
		check.Status, check.Detail = Warn, fmt.Sprintf("cannot read %s: %v", p.secretName, err)
		check.Fix = "see the permissions check"
		return check
	}
	var missing []string
	for _, key := range required {
		if len(s.Data[key]) == 0 {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		check.Status = Fail
		check.Detail = fmt.Sprintf("%s lacks %s", p.secretName, strings.Join(missing, ", "))
		check.Fix = "run tmtui's setup to fill in the missing keys; the others keep their values"
		return check
	}
	check.Status = OK
	check.Detail = fmt.Sprintf("%s has %s", p.secretName, strings.Join(required, ", "))
	if len(s.Data[k8s.SecretKeyGeminiAPIKey]) > 0 {
		check.Detail += ", " + k8s.SecretKeyGeminiAPIKey
	}
	return check
}

func releaseCheck(r ReleaseInfo, err error) Check {
	check := Check{ID: CheckRelease, Name: "release"}
	if err != nil {
		check.Status, check.Detail, check.Fix = Warn, err.Error(), "see the permissions check"
		return check
	}
	at := fmt.Sprintf("%s revision %d", r.Name, r.Revision)
	switch {
	case !r.Exists():
		check.Status, check.Detail = OK, r.Name+" is not installed yet"
	case r.Status == ReleaseDeployed:
		check.Status, check.Detail = OK, at+" is deployed"
	case r.Status == ReleaseUninstalled:
		check.Status, check.Detail = OK, at+" was uninstalled (its history is kept)"
	case r.Status == ReleaseFailed:
		check.Status, check.Detail = Fail, at+" failed"
		check.Fix = "upgrade again once the cause is fixed, or roll back to the last good revision in tmtui"
	case r.Pending():
		check.Status, check.Detail = Fail, fmt.Sprintf("%s is stuck in %s (an operation was interrupted, or is still running)", at, r.Status)
		check.Fix = "if nothing else is deploying it, recover it in tmtui (rolls back to the last deployed revision, or uninstalls a first install)"
	case r.Status == ReleaseUninstalling:
		check.Status, check.Detail = Warn, at+" is being uninstalled"
		check.Fix = "wait for the uninstall to finish, or run it again in tmtui if it was interrupted"
	default:
		check.Status, check.Detail = Warn, fmt.Sprintf("%s has state %q", at, r.Status)
		check.Fix = "look at its history in tmtui (or helm history " + r.Name + ")"
	}
	return check
}

func imagesCheck(ctx context.Context, lister ImageLister, refs []string) Check {
	check := Check{ID: CheckImages, Name: "images"}
	if lister == nil {
		check.Status, check.Detail = Warn, "no container engine to look in"
		check.Fix = "start Docker Desktop (or set DOCKER_HOST)"
		return check
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var missing []string
	for _, ref := range refs {
		ok, err := lister.HasImage(ctx, ref)
		if err != nil {
			check.Status, check.Detail = Warn, "cannot list local images: "+err.Error()
			check.Fix = "start Docker Desktop (or set DOCKER_HOST), then run doctor again"
			return check
		}
		if !ok {
			missing = append(missing, ref)
		}
	}
	if len(missing) > 0 {
		check.Status = Warn
		check.Detail = "not found locally: " + strings.Join(missing, ", ")
		check.Fix = "build them (docker build -t " + missing[0] + " <folder>) or pick the tags you have with --backend-tag/--frontend-tag"
		return check
	}
	check.Status, check.Detail = OK, strings.Join(refs, ", ")+" present"
	return check
}

type serviceGetter func(ctx context.Context, name string) (*corev1.Service, error)

func portsCheck(ctx context.Context, p plan, release ReleaseInfo, getService serviceGetter) Check {
	check := Check{ID: CheckPorts, Name: "local ports"}
	if len(p.loadBalancers) == 0 {
		check.Status, check.Detail = OK, "no LoadBalancer service: nothing to publish on localhost"
		return check
	}
	var free, ours, taken []string
	var firstTaken loadBalancer
	for _, lb := range p.loadBalancers {
		busy, err := portTaken(ctx, lb.port)
		switch {
		case !busy:
			free = append(free, strconv.Itoa(lb.port))
		case release.Status == ReleaseDeployed && getService != nil && servesLoadBalancer(ctx, getService, lb):
			// Docker Desktop itself holds the port for the release's service.
			ours = append(ours, strconv.Itoa(lb.port))
		default:
			if len(taken) == 0 {
				firstTaken = lb
			}
			d := fmt.Sprintf("localhost:%d (for %s)", lb.port, lb.service)
			if err != nil {
				d += " " + err.Error()
			}
			taken = append(taken, d)
		}
	}
	var parts []string
	if len(free) > 0 {
		parts = append(parts, "free: "+strings.Join(free, ", "))
	}
	if len(ours) > 0 {
		parts = append(parts, "held by the release's LoadBalancer: "+strings.Join(ours, ", "))
	}
	if len(taken) > 0 {
		check.Status = Warn
		check.Detail = "taken by another program: " + strings.Join(taken, ", ")
		if len(parts) > 0 {
			check.Detail += "; " + strings.Join(parts, "; ")
		}
		check.Fix = fmt.Sprintf("stop what listens on port %d (lsof -i :%d), or use a port-forward instead of the LoadBalancer", firstTaken.port, firstTaken.port)
		return check
	}
	check.Status, check.Detail = OK, strings.Join(parts, "; ")
	return check
}

func servesLoadBalancer(ctx context.Context, get serviceGetter, lb loadBalancer) bool {
	svc, err := get(ctx, lb.service)
	if err != nil || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	return slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return int(p.Port) == lb.port })
}

func permissionsCheck(ctx context.Context, cs kubernetes.Interface, ns string, needed []Permission) Check {
	check := Check{ID: CheckPermissions, Name: "permissions"}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	missing, err := MissingPermissions(ctx, cs, ns, needed)
	switch {
	case err != nil:
		check.Status, check.Detail = Warn, "cannot check: "+err.Error()
		check.Fix = "run doctor again; if it persists, see the log file"
	case len(missing) > 0:
		check.Status = Fail
		check.Detail = fmt.Sprintf("missing in namespace %s: %s", ns, describePermissions(missing))
		check.Fix = "ask a cluster admin to grant them (docs/permissions.md has the Role)"
	default:
		check.Status, check.Detail = OK, fmt.Sprintf("all %d permissions the workflows need in %s are granted", len(needed), ns)
	}
	return check
}
