package wizard

import (
	"context"
	"strings"
	"time"
)

// Service is everything the wizard asks of the engine, in the wizard's own
// types. cmd/tmtui adapts internal/preflight, k8s, helm and docker to it.
// Every method but the validators may do IO and is called from a command,
// never from Update.
//
// confirmation is what the user typed to allow a change on a REMOTE
// context (its name); "" on a local one. The engine's guard checks it.
type Service interface {
	// Preflight runs every check against the current context and namespace.
	Preflight(ctx context.Context, namespace string) (Preflight, error)
	// Contexts lists the kubeconfig's contexts; the one in use is Current.
	Contexts(ctx context.Context) ([]Context, error)
	// UseContext makes the service work on another context from now on.
	UseContext(ctx context.Context, name string) (Context, error)

	// ValidateNamespace says what is wrong with a namespace name; pure.
	ValidateNamespace(name string) error
	EnsureNamespace(ctx context.Context, namespace, confirmation string) (NamespaceResult, error)

	// ValidateSecret checks one field (by its variable, e.g. DATABASE_URL)
	// as typed; a warning is allowed but probably wrong. Pure; its messages
	// never hold the value.
	ValidateSecret(env, value string) (warning string, err error)
	GenerateJWTSecret() (string, error)
	// SecretStatus says which keys the Secret holds: names, never values.
	SecretStatus(ctx context.Context, namespace string) (SecretStatus, error)
	// ApplySecret writes the Secret; an empty field keeps the value there.
	ApplySecret(ctx context.Context, namespace string, v SecretValues, confirmation string) (SecretResult, error)

	// Images are the chart's two images at the tags given (the chart's
	// defaults for an empty map), and whether the local engine has them.
	Images(ctx context.Context, tags map[string]string) ([]Image, error)
	// BuildImage builds one component's image from the app's folder,
	// streaming output; the last event has Done set; then the channel closes.
	BuildImage(ctx context.Context, appDir, component, ref string) <-chan BuildEvent
	// KitFiles compares the deployment kit with the app's folder.
	KitFiles(appDir string) ([]KitFile, error)
	// WriteKit writes the named kit files (KitFile.Path) into the app's folder.
	WriteKit(appDir string, paths []string) error

	// Release is the release's state in namespace.
	Release(ctx context.Context, namespace string) (Release, error)
	// Install installs the release, reporting progress on progress (never
	// blocking on it, and closing it when it returns), and waits until it
	// is ready. Cancelling ctx makes Helm remove what it made.
	Install(ctx context.Context, req InstallRequest, progress chan<- Progress) (Release, error)
	// WaitReady waits until the release's pods are ready.
	WaitReady(ctx context.Context, namespace string) error
	CheckHealth(ctx context.Context, namespace string) ([]Health, error)
	// URL is where the user opens the app.
	URL(namespace string) string
}

// CheckStatus is a preflight verdict.
type CheckStatus string

const (
	CheckOK   CheckStatus = "ok"
	CheckWarn CheckStatus = "warn"
	CheckFail CheckStatus = "fail"
)

// Check is one preflight verdict, with what to do about it.
type Check struct {
	ID     string
	Name   string
	Status CheckStatus
	Detail string
	Fix    string
}

// Preflight is every check, in order.
type Preflight struct {
	Context string
	Local   bool
	Checks  []Check
}

// Failed says whether a check failed.
func (p Preflight) Failed() bool {
	for _, c := range p.Checks {
		if c.Status == CheckFail {
			return true
		}
	}
	return false
}

// Context is one kubeconfig context.
type Context struct {
	Name    string
	Server  string
	Local   bool
	Current bool
}

// NamespaceResult says what EnsureNamespace did.
type NamespaceResult struct {
	Created bool
}

// Secret fields by the variables users know them as.
const (
	EnvDatabaseURL = "DATABASE_URL"
	EnvOpenAIKey   = "OPENAI_API_KEY"
	EnvGeminiKey   = "GEMINI_API_KEY"
	EnvJWTSecret   = "JWT_SECRET_KEY"
)

// SecretEnvs are the fields in the order the form asks for them.
var SecretEnvs = []string{EnvDatabaseURL, EnvOpenAIKey, EnvGeminiKey, EnvJWTSecret}

// RequiredSecretEnvs are the ones the backend cannot start without.
var RequiredSecretEnvs = []string{EnvDatabaseURL, EnvOpenAIKey, EnvJWTSecret}

// SecretStatus is which fields the cluster's Secret holds a value for.
type SecretStatus struct {
	Exists  bool
	Present []string // variables, in SecretEnvs order
	Missing []string // required variables without a value
}

// Complete says every required field has a value.
func (s SecretStatus) Complete() bool { return s.Exists && len(s.Missing) == 0 }

// Has says whether the Secret holds env.
func (s SecretStatus) Has(env string) bool {
	for _, p := range s.Present {
		if p == env {
			return true
		}
	}
	return false
}

// SecretValues are what the user typed. Printing one shows which fields are
// set, never a value.
type SecretValues struct {
	DatabaseURL  string
	OpenAIAPIKey string
	GeminiAPIKey string
	JWTSecret    string
}

// Get returns a field by its variable.
func (v SecretValues) Get(env string) string {
	switch env {
	case EnvDatabaseURL:
		return v.DatabaseURL
	case EnvOpenAIKey:
		return v.OpenAIAPIKey
	case EnvGeminiKey:
		return v.GeminiAPIKey
	case EnvJWTSecret:
		return v.JWTSecret
	}
	return ""
}

func (v SecretValues) String() string {
	parts := make([]string, 0, len(SecretEnvs))
	for _, e := range SecretEnvs {
		state := "empty"
		if v.Get(e) != "" {
			state = "set"
		}
		parts = append(parts, e+":"+state)
	}
	return "SecretValues{" + strings.Join(parts, " ") + "}"
}

// GoString keeps %#v from printing the values.
func (v SecretValues) GoString() string { return v.String() }

// SecretResult says what ApplySecret did, by variable.
type SecretResult struct {
	Created  bool
	Changed  []string
	Kept     []string
	Warnings []string
}

// Image is one component's image.
type Image struct {
	Component string // backend, frontend
	Ref       string // repository:tag
	Present   bool   // the local engine has it
	OtherTags []string
	Err       string // why presence is unknown (engine unreachable), "" otherwise
}

// Repository is Ref without its tag.
func (i Image) Repository() string {
	if j := strings.LastIndex(i.Ref, ":"); j > 0 && !strings.Contains(i.Ref[j:], "/") {
		return i.Ref[:j]
	}
	return i.Ref
}

// Tag is Ref's tag.
func (i Image) Tag() string {
	if r := i.Repository(); len(r) < len(i.Ref) {
		return i.Ref[len(r)+1:]
	}
	return "latest"
}

// BuildEvent is a line of build output, or the end of the build.
type BuildEvent struct {
	Line     string
	Done     bool
	Err      error
	Duration time.Duration
}

// KitState says how a kit file compares with the app's copy.
type KitState string

const (
	KitMissing KitState = "missing"
	KitSame    KitState = "same"
	KitDiffers KitState = "differs"
)

// KitFile is one file of the deployment kit in the app's folder.
type KitFile struct {
	Path  string // relative to the app's folder, e.g. backend/Dockerfile
	State KitState
	Diff  string // unified diff from the app's copy to the kit's, when it differs
}

// Release is the Helm release's state.
type Release struct {
	Name      string
	Installed bool
	Revision  int
	State     string // deployed, failed, pending-install…
}

// InstallRequest is what to install.
type InstallRequest struct {
	Namespace    string
	Tags         map[string]string // component -> tag; empty: the chart's
	Confirmation string
}

// Progress is one report of an install. A nil Pods or Resources leaves
// the last ones shown.
type Progress struct {
	Step      string // start, apply, wait, rollback, done; "" for a look at the objects alone
	Message   string
	Pods      []Pod
	Resources []Resource
}

// Resource is one object of the release as the install makes it.
type Resource struct {
	Kind  string // Deployment, Service, ConfigMap…
	Name  string
	Ready bool   // in place and, for a Deployment, all its pods ready
	State string // e.g. "1/1 ready", "created", "LoadBalancer localhost"
}

// Pod is one of the release's pods while it installs.
type Pod struct {
	Name      string
	Component string
	Phase     string
	Ready     bool
	Problem   string
}

// Health is one health check's result.
type Health struct {
	Component string
	URL       string
	Status    int
	Latency   time.Duration
	Err       string
	// PortForward: the check reached the service through a port-forward to
	// a pod, because its own address (the frontend's URL) did not answer.
	PortForward bool
}

// Healthy says the check answered 2xx or 3xx.
func (h Health) Healthy() bool { return h.Err == "" && h.Status >= 200 && h.Status < 400 }
