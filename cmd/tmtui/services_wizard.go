package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/deploy"
	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/preflight"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog/wizard"
)

// wizardService is the setup wizard's Service over the engine: preflight,
// the kubeconfig's contexts, the namespace and the Secret (internal/k8s,
// every change through the context's Guard), the images and builds
// (internal/docker), the deployment kit (deploy/), the install (internal/helm)
// and the health check.
//
// It starts on the connection options tmtui was started with; UseContext
// moves it (and only it) to another context, without touching the
// kubeconfig on disk. Secret values pass through ApplySecret to the
// Kubernetes Secret and nowhere else: not to Helm's values, not to the log.
type wizardService struct {
	release     string
	dockerHost  string // "" finds the engine as the Docker CLI would
	frontendURL string // "" means k8s.DefaultFrontendURL
	readyWait   time.Duration

	mu     sync.Mutex
	conn   k8s.ConnectOptions
	client *k8s.Client // nil until first needed, and after a context switch
}

var _ wizard.Service = (*wizardService)(nil)

// newWizardService is the wizard's service for tmtui's connection options.
func newWizardService(o k8s.ConnectOptions, release, dockerHost string) *wizardService {
	if release == "" {
		release = preflight.DefaultRelease
	}
	return &wizardService{release: release, dockerHost: dockerHost, conn: o, readyWait: 3 * time.Minute}
}

func (s *wizardService) connection(namespace string) k8s.ConnectOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.conn
	if namespace != "" {
		o.Namespace = namespace
	}
	return o
}

// cluster is the connection to the context in use, made on first need.
func (s *wizardService) cluster(ctx context.Context) (*k8s.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	c, _, err := k8s.Connect(ctx, s.conn)
	if err != nil {
		return nil, err
	}
	s.client = c
	return c, nil
}

// approve asks the context's guard: on a REMOTE context the confirmation
// must be its name.
func (s *wizardService) approve(ctx context.Context, action, confirmation string) (*k8s.Client, k8s.Approval, error) {
	c, err := s.cluster(ctx)
	if err != nil {
		return nil, k8s.Approval{}, err
	}
	a, err := c.Guard().Approve(action, confirmation)
	return c, a, err
}

func (s *wizardService) engine() (*docker.Client, error) { return docker.New(s.dockerHost) }

func (s *wizardService) Preflight(ctx context.Context, namespace string) (wizard.Preflight, error) {
	opts := preflight.Options{Connect: s.connection(namespace), Release: s.release, Chart: builtInChart()}
	if engine, err := s.engine(); err != nil {
		opts.ImageLister = unusableEngine{err}
	} else {
		defer engine.Close()
		opts.ImageLister = preflight.DockerImages(engine)
	}
	r := preflight.Run(ctx, opts)
	out := wizard.Preflight{Context: r.Cluster.Context, Local: k8s.IsLocalContext(r.Cluster.Context, r.Cluster.Server)}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, wizard.Check{ID: c.ID, Name: c.Name, Status: wizard.CheckStatus(c.Status), Detail: c.Detail, Fix: c.Fix})
	}
	return out, ctx.Err()
}

func (s *wizardService) Contexts(context.Context) ([]wizard.Context, error) {
	conn := s.connection("")
	list, err := k8s.ListContexts(conn.Kubeconfig)
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Context, 0, len(list))
	for _, c := range list {
		current := c.Current
		if conn.Context != "" {
			current = c.Name == conn.Context
		}
		out = append(out, wizard.Context{Name: c.Name, Server: c.Server, Local: c.Local, Current: current})
	}
	return out, nil
}

func (s *wizardService) UseContext(_ context.Context, name string) (wizard.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := k8s.SwitchContext(s.conn, name)
	if err != nil {
		return wizard.Context{}, err
	}
	list, err := k8s.ListContexts(o.Kubeconfig)
	if err != nil {
		return wizard.Context{}, err
	}
	s.conn, s.client = o, nil
	for _, c := range list {
		if c.Name == name {
			return wizard.Context{Name: c.Name, Server: c.Server, Local: c.Local, Current: true}, nil
		}
	}
	return wizard.Context{Name: name, Current: true}, nil
}

func (s *wizardService) ValidateNamespace(name string) error { return k8s.ValidateNamespaceName(name) }

func (s *wizardService) EnsureNamespace(ctx context.Context, namespace, confirmation string) (wizard.NamespaceResult, error) {
	c, a, err := s.approve(ctx, "create namespace "+namespace, confirmation)
	if err != nil {
		return wizard.NamespaceResult{}, err
	}
	// The chart is written for the restricted Pod Security standard.
	r, err := c.EnsureNamespace(ctx, a, namespace, k8s.NamespaceOptions{Restricted: true})
	return wizard.NamespaceResult{Created: r.Created}, err
}

// envOfKey maps the Secret's keys to the variables the wizard names them by.
func envOfKey(key string) string {
	for _, f := range k8s.SecretFields {
		if f.Key == key {
			return f.Env
		}
	}
	return key
}

func envsOfKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = envOfKey(k)
	}
	return out
}

func (s *wizardService) ValidateSecret(env, value string) (string, error) {
	switch env {
	case wizard.EnvDatabaseURL:
		return k8s.ValidateDatabaseURL(value)
	case wizard.EnvJWTSecret:
		return "", k8s.ValidateJWTSecret(value)
	}
	return "", k8s.ValidateAPIKey(env, value)
}

func (s *wizardService) GenerateJWTSecret() (string, error) { return k8s.GenerateJWTSecret() }

func (s *wizardService) SecretStatus(ctx context.Context, namespace string) (wizard.SecretStatus, error) {
	c, err := s.cluster(ctx)
	if err != nil {
		return wizard.SecretStatus{}, err
	}
	st, err := c.ReadSecretState(ctx, namespace)
	if err != nil {
		return wizard.SecretStatus{}, err
	}
	return wizard.SecretStatus{Exists: st.Exists, Present: envsOfKeys(st.Keys), Missing: envsOfKeys(st.Missing)}, nil
}

func (s *wizardService) ApplySecret(ctx context.Context, namespace string, v wizard.SecretValues, confirmation string) (wizard.SecretResult, error) {
	c, a, err := s.approve(ctx, fmt.Sprintf("write secret %q in namespace %s", k8s.SecretName, namespace), confirmation)
	if err != nil {
		return wizard.SecretResult{}, err
	}
	r, err := c.ApplySecret(ctx, a, namespace, k8s.SecretValues{
		DatabaseURL: v.DatabaseURL, OpenAIAPIKey: v.OpenAIAPIKey, GeminiAPIKey: v.GeminiAPIKey, JWTSecret: v.JWTSecret,
	})
	if err != nil {
		return wizard.SecretResult{}, err
	}
	return wizard.SecretResult{Created: r.Created, Changed: envsOfKeys(r.Changed), Kept: envsOfKeys(r.Kept), Warnings: r.Warnings}, nil
}

// chartTag is the tag the built-in chart deploys a component at: its
// values' tag, else its appVersion.
func chartTag(component string) string {
	ch := builtInChart()
	if comp, ok := ch.Values[component].(map[string]any); ok {
		if img, ok := comp["image"].(map[string]any); ok {
			if tag, ok := img["tag"].(string); ok && tag != "" {
				return tag
			}
		}
	}
	return ch.AppVersion
}

func (s *wizardService) Images(ctx context.Context, tags map[string]string) ([]wizard.Image, error) {
	var out []wizard.Image
	for _, comp := range helm.Components {
		c := string(comp)
		tag := tags[c]
		if tag == "" {
			tag = chartTag(c)
		}
		out = append(out, wizard.Image{Component: c, Ref: "taskmaster-" + c + ":" + tag})
	}
	engine, err := s.engine()
	if err != nil {
		for i := range out {
			out[i].Err = err.Error()
		}
		return out, nil
	}
	defer engine.Close()
	ctx, cancel := context.WithTimeout(ctx, imagesTimeout)
	defer cancel()
	for i := range out {
		repo, tag := out[i].Repository(), out[i].Tag()
		imgs, err := engine.Images(ctx, repo)
		if err != nil {
			out[i].Err = oneLine(err.Error())
			continue
		}
		for _, img := range imgs {
			switch {
			case img.Tag == tag:
				out[i].Present = true
			case img.Tag != "" && !slices.Contains(out[i].OtherTags, img.Tag):
				out[i].OtherTags = append(out[i].OtherTags, img.Tag)
			}
		}
	}
	return out, nil
}

// BuildImage builds appDir/<component> with its Dockerfile (the kit's, once
// written), as `docker build -t ref appDir/<component>` would.
func (s *wizardService) BuildImage(ctx context.Context, appDir, component, ref string) <-chan wizard.BuildEvent {
	out := make(chan wizard.BuildEvent, 16)
	go func() {
		defer close(out)
		engine, err := s.engine()
		if err != nil {
			out <- wizard.BuildEvent{Done: true, Err: err}
			return
		}
		defer engine.Close()
		for ev := range engine.Build(ctx, docker.BuildRequest{ContextDir: filepath.Join(appDir, component), Tag: ref}) {
			if ev.Result != nil {
				out <- wizard.BuildEvent{Done: true, Err: ev.Result.Err, Duration: ev.Result.Duration}
				return
			}
			select {
			case out <- wizard.BuildEvent{Line: ev.Line}:
			case <-ctx.Done():
			}
		}
	}()
	return out
}

func (s *wizardService) KitFiles(appDir string) ([]wizard.KitFile, error) {
	if st, err := os.Stat(appDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("the app's folder %s is not a folder: name the TaskMaster repository (with backend/ and frontend/)", appDir)
	}
	var out []wizard.KitFile
	for _, f := range deploy.Kit {
		want, err := deploy.Read(f.Name)
		if err != nil {
			return nil, err
		}
		kf := wizard.KitFile{Path: f.Dest}
		have, err := os.ReadFile(filepath.Join(appDir, filepath.FromSlash(f.Dest)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			kf.State = wizard.KitMissing
		case err != nil:
			return nil, err
		case bytes.Equal(have, want):
			kf.State = wizard.KitSame
		default:
			kf.State = wizard.KitDiffers
			kf.Diff = udiff.Unified("yours/"+f.Dest, "tmtui/"+f.Dest, string(have), string(want))
		}
		out = append(out, kf)
	}
	return out, nil
}

// WriteKit writes the kit files named by their place in the app (the wizard
// names only missing ones, and differing ones the user agreed to replace
// after seeing the diff); any other path is refused.
func (s *wizardService) WriteKit(appDir string, paths []string) error {
	for _, p := range paths {
		i := slices.IndexFunc(deploy.Kit, func(f deploy.KitFile) bool { return f.Dest == p })
		if i < 0 {
			return fmt.Errorf("%s is not a file of the deployment kit", p)
		}
		data, err := deploy.Read(deploy.Kit[i].Name)
		if err != nil {
			return err
		}
		dest := filepath.Join(appDir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dest, data, 0o644); err != nil {
			return err
		}
		slog.Info("deployment kit file written", "path", dest)
	}
	return nil
}

func (s *wizardService) helmClient(namespace string) (*helm.Client, error) {
	return helm.New(helm.Options{Connection: s.connection(namespace), ReleaseName: s.release, Logger: slog.Default()})
}

func (s *wizardService) Release(ctx context.Context, namespace string) (wizard.Release, error) {
	hc, err := s.helmClient(namespace)
	if err != nil {
		return wizard.Release{}, err
	}
	r, err := hc.Status(ctx)
	if errors.Is(err, helm.ErrNotInstalled) {
		return wizard.Release{Name: s.release}, nil
	}
	if err != nil {
		return wizard.Release{}, err
	}
	return wizard.Release{Name: r.Name, Installed: true, Revision: r.Revision, State: string(r.Status)}, nil
}

// Install installs through Helm with the chart's values and the chosen tags
// only: the Secret is the chart's existingSecret, so no secret value is in
// Helm's values. It closes progress when it returns.
func (s *wizardService) Install(ctx context.Context, req wizard.InstallRequest, progress chan<- wizard.Progress) (wizard.Release, error) {
	defer close(progress)
	if _, _, err := s.approve(ctx, fmt.Sprintf("install release %q in namespace %s", s.release, req.Namespace), req.Confirmation); err != nil {
		return wizard.Release{}, err
	}
	hc, err := s.helmClient(req.Namespace)
	if err != nil {
		return wizard.Release{}, err
	}
	var o helm.InstallOptions
	for comp, tag := range req.Tags {
		if tag != "" && tag != chartTag(comp) {
			if o.Overrides.ImageTags == nil {
				o.Overrides.ImageTags = map[helm.Component]string{}
			}
			o.Overrides.ImageTags[helm.Component(comp)] = tag
		}
	}
	events := make(chan helm.Event, 64)
	o.Events = events
	relay := make(chan struct{})
	go func() {
		defer close(relay)
		for ev := range events {
			p := wizard.Progress{Step: string(ev.Step), Message: ev.Message}
			for _, pod := range ev.Pods {
				if pod.Deleted {
					continue
				}
				p.Pods = append(p.Pods, wizard.Pod{Name: pod.Name, Component: pod.Component, Phase: pod.Phase, Ready: pod.Ready, Problem: pod.Problem()})
			}
			select { // progress is advisory: never hold the install up
			case progress <- p:
			default:
			}
		}
	}()
	// Helm reports the pods; the other objects are looked at while it works.
	stopLooking, looked := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(looked)
		c, err := s.cluster(ctx)
		if err != nil {
			return
		}
		tick := time.NewTicker(300 * time.Millisecond)
		defer tick.Stop()
		for done := false; ; {
			if res := releaseResources(ctx, c, req.Namespace, s.release); len(res) > 0 {
				select {
				case progress <- wizard.Progress{Resources: res}:
				default:
				}
			}
			if done {
				return
			}
			select {
			case <-stopLooking:
				done = true // one last look: the objects as the install left them
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	r, err := hc.Install(ctx, o)
	close(stopLooking)
	<-looked
	close(events)
	<-relay
	if err != nil {
		return wizard.Release{}, err
	}
	return wizard.Release{Name: r.Name, Installed: true, Revision: r.Revision, State: string(r.Status)}, nil
}

// releaseResources lists the objects of the release that exist now, with
// how far each is: the Deployments' ready pods, the Services' type and
// address. Errors leave a kind out: this is progress, not a verdict.
func releaseResources(ctx context.Context, c *k8s.Client, namespace, release string) []wizard.Resource {
	cs := c.Clientset()
	opts := metav1.ListOptions{LabelSelector: k8s.InstanceLabel + "=" + release}
	var out []wizard.Resource
	if list, err := cs.CoreV1().ConfigMaps(namespace).List(ctx, opts); err == nil {
		for _, o := range list.Items {
			out = append(out, wizard.Resource{Kind: "ConfigMap", Name: o.Name, Ready: true, State: "created"})
		}
	}
	if list, err := cs.CoreV1().Secrets(namespace).List(ctx, opts); err == nil {
		for _, o := range list.Items {
			if o.Type == "helm.sh/release.v1" {
				continue // Helm's own record
			}
			out = append(out, wizard.Resource{Kind: "Secret", Name: o.Name, Ready: true, State: "created"})
		}
	}
	if list, err := cs.CoreV1().Services(namespace).List(ctx, opts); err == nil {
		for _, o := range list.Items {
			r := wizard.Resource{Kind: "Service", Name: o.Name, Ready: true, State: string(o.Spec.Type)}
			if o.Spec.Type == "LoadBalancer" {
				if ing := o.Status.LoadBalancer.Ingress; len(ing) > 0 {
					r.State += " at " + cmpOr(ing[0].Hostname, ing[0].IP)
				} else {
					r.State += ", address pending"
					r.Ready = false
				}
			}
			out = append(out, r)
		}
	}
	if list, err := cs.AppsV1().Deployments(namespace).List(ctx, opts); err == nil {
		for _, d := range list.Items {
			want := int32(1)
			if d.Spec.Replicas != nil {
				want = *d.Spec.Replicas
			}
			out = append(out, wizard.Resource{Kind: "Deployment", Name: d.Name, Ready: d.Status.ReadyReplicas >= want,
				State: fmt.Sprintf("%d/%d ready", d.Status.ReadyReplicas, want)})
		}
	}
	if list, err := cs.NetworkingV1().NetworkPolicies(namespace).List(ctx, opts); err == nil {
		for _, o := range list.Items {
			out = append(out, wizard.Resource{Kind: "NetworkPolicy", Name: o.Name, Ready: true, State: "created"})
		}
	}
	if list, err := cs.PolicyV1().PodDisruptionBudgets(namespace).List(ctx, opts); err == nil {
		for _, o := range list.Items {
			out = append(out, wizard.Resource{Kind: "PodDisruptionBudget", Name: o.Name, Ready: true, State: "created"})
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// WaitReady waits until every Deployment of the release has all its
// replicas updated and ready.
func (s *wizardService) WaitReady(ctx context.Context, namespace string) error {
	c, err := s.cluster(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.readyWait)
	defer cancel()
	sel := k8s.InstanceLabel + "=" + s.release
	for {
		list, err := c.Clientset().AppsV1().Deployments(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
		var waiting []string
		if err == nil {
			for _, d := range list.Items {
				want := int32(1)
				if d.Spec.Replicas != nil {
					want = *d.Spec.Replicas
				}
				if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas < want || d.Status.ReadyReplicas < want {
					waiting = append(waiting, fmt.Sprintf("%s (%d of %d ready)", d.Name, d.Status.ReadyReplicas, want))
				}
			}
			if len(list.Items) == 0 {
				waiting = append(waiting, "no deployment of release "+s.release+" yet")
			}
			if len(waiting) == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New(strings.Join(waiting, ", "))
			}
			return fmt.Errorf("the pods of %s in %s are not ready: %w", s.release, namespace, err)
		case <-time.After(time.Second):
		}
	}
}

func (s *wizardService) CheckHealth(ctx context.Context, namespace string) ([]wizard.Health, error) {
	c, err := s.cluster(ctx)
	if err != nil {
		return nil, err
	}
	results, err := c.CheckHealth(ctx, k8s.HealthOptions{Namespace: namespace, Checks: k8s.ReleaseHealthChecks(s.release, s.URL(namespace))})
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Health, len(results))
	for i, r := range results {
		out[i] = wizard.Health{Component: r.Component, URL: r.URL, Status: r.Status, Latency: r.Latency, Err: r.Err, PortForward: r.Via == k8s.ViaPortForward}
	}
	return out, nil
}

func (s *wizardService) URL(string) string {
	if s.frontendURL != "" {
		return s.frontendURL
	}
	return k8s.DefaultFrontendURL
}

// accessibleRequested says whether the environment asks for plain line
// prompts instead of the full-screen UI (ACCESSIBLE=1, as huh reads it).
func accessibleRequested(getenv func(string) string) bool {
	switch strings.ToLower(getenv("ACCESSIBLE")) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// accessibleSetup runs the setup wizard as line prompts on in and out, for
// main to call instead of the full-screen UI when accessibleRequested. It
// returns the exit code: 0 when the setup went through, 1 otherwise (the
// last line printed says what is in place).
func accessibleSetup(ctx context.Context, svc wizard.Service, namespace string, in io.Reader, out io.Writer) int {
	closed, err := wizard.RunAccessible(ctx, wizard.Options{Service: svc, Namespace: namespace}, in, out)
	if err != nil {
		fmt.Fprintf(out, "tmtui: setup: %v\n", err)
		slog.Warn("accessible setup ended early", "err", err, "summary", closed.Summary)
		return 1
	}
	return 0
}
