package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Obviously fake secret values: the tests assert that none reaches a view.
const (
	fakeDBURL  = "postgresql://user:pass@db.invalid/app"
	fakeOpenAI = "sk-test-fake-openai-key"
	fakeGemini = "fake-gemini-key-not-real"
	fakeJWT    = "fake-jwt-secret-fake-jwt-secret-fake-jwt"
	genJWT     = "generated-fake-jwt-secret-generated-fake-jwt"
)

// fakeService is the engine as the wizard sees it, in memory.
type fakeService struct {
	mu sync.Mutex

	preflight    Preflight
	contexts     []Context
	current      string
	namespaces   map[string]bool
	secret       SecretStatus
	applied      []SecretValues
	applyHold    chan struct{}   // when set, ApplySecret waits for it
	present      map[string]bool // image refs the engine has
	kit          []KitFile
	written      []string
	built        []string
	release      Release
	installErr   error
	installHold  chan struct{} // when set, Install waits for it or ctx
	installCalls []InstallRequest
	health       []Health
	calls        []string
}

func newFake() *fakeService {
	return &fakeService{
		preflight: Preflight{Context: "docker-desktop", Local: true, Checks: []Check{
			{ID: "cluster", Name: "cluster reachable", Status: CheckOK, Detail: "v1.36.3"},
			{ID: "namespace", Name: "namespace", Status: CheckWarn, Detail: "taskmaster does not exist yet", Fix: "the wizard creates it"},
			{ID: "secret", Name: "secret", Status: CheckFail, Detail: "taskmaster-secret is missing", Fix: "the wizard writes it"},
		}},
		contexts: []Context{
			{Name: "docker-desktop", Server: "https://kubernetes.docker.internal:6443", Local: true, Current: true},
			{Name: "prod-eu", Server: "https://prod.example.invalid", Local: false},
		},
		current:    "docker-desktop",
		namespaces: map[string]bool{},
		secret:     SecretStatus{Missing: RequiredSecretEnvs},
		present:    map[string]bool{"taskmaster-backend:1.0.0": true, "taskmaster-frontend:1.0.0": true},
		kit:        []KitFile{{Path: "backend/Dockerfile", State: KitSame}},
		release:    Release{Name: "taskmaster"},
		health: []Health{
			{Component: "backend", URL: "http://127.0.0.1:8000/health", Status: 200, Latency: 12 * time.Millisecond},
			{Component: "frontend", URL: "http://localhost:3000/", Status: 200, Latency: 30 * time.Millisecond},
		},
	}
}

func (f *fakeService) call(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeService) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeService) Preflight(ctx context.Context, ns string) (Preflight, error) {
	f.call("preflight " + ns)
	return f.preflight, nil
}

func (f *fakeService) Contexts(context.Context) ([]Context, error) {
	f.call("contexts")
	return f.contexts, nil
}

func (f *fakeService) UseContext(_ context.Context, name string) (Context, error) {
	f.call("use " + name)
	for _, c := range f.contexts {
		if c.Name == name {
			f.current = name
			return c, nil
		}
	}
	return Context{}, fmt.Errorf("no context %s", name)
}

func (f *fakeService) ValidateNamespace(name string) error {
	if name == "" || strings.ToLower(name) != name || strings.ContainsAny(name, " _.") {
		return fmt.Errorf("invalid namespace name %q: lowercase letters, digits and '-'", name)
	}
	return nil
}

func (f *fakeService) approve(confirm string) error {
	for _, c := range f.contexts {
		if c.Name == f.current && !c.Local && confirm != c.Name {
			return errors.New("refusing: remote context not confirmed")
		}
	}
	return nil
}

func (f *fakeService) EnsureNamespace(_ context.Context, ns, confirm string) (NamespaceResult, error) {
	f.call("namespace " + ns + " " + confirm)
	if err := f.approve(confirm); err != nil {
		return NamespaceResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	created := !f.namespaces[ns]
	f.namespaces[ns] = true
	return NamespaceResult{Created: created}, nil
}

func (f *fakeService) ValidateSecret(env, v string) (string, error) {
	switch env {
	case EnvDatabaseURL:
		if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
			return "", errors.New("DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://")
		}
	case EnvJWTSecret:
		if len(v) < 32 {
			return "", errors.New("JWT_SECRET_KEY must be at least 32 bytes long: generate one instead")
		}
	default:
		if strings.ContainsAny(v, " \n") {
			return "", errors.New(env + " contains a space or line break")
		}
	}
	return "", nil
}

func (f *fakeService) GenerateJWTSecret() (string, error) { return genJWT, nil }

func (f *fakeService) SecretStatus(context.Context, string) (SecretStatus, error) {
	f.call("secret-status")
	return f.secret, nil
}

func (f *fakeService) ApplySecret(_ context.Context, ns string, v SecretValues, confirm string) (SecretResult, error) {
	f.call("apply-secret " + ns)
	if f.applyHold != nil {
		<-f.applyHold
	}
	if err := f.approve(confirm); err != nil {
		return SecretResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, v)
	res := SecretResult{Created: !f.secret.Exists}
	st := SecretStatus{Exists: true}
	for _, e := range SecretEnvs {
		switch {
		case v.Get(e) != "":
			res.Changed = append(res.Changed, e)
			st.Present = append(st.Present, e)
		case f.secret.Has(e):
			res.Kept = append(res.Kept, e)
			st.Present = append(st.Present, e)
		}
	}
	for _, e := range RequiredSecretEnvs {
		if !st.Has(e) {
			st.Missing = append(st.Missing, e)
		}
	}
	f.secret = st
	return res, nil
}

func (f *fakeService) Images(_ context.Context, tags map[string]string) ([]Image, error) {
	f.call("images")
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Image
	for _, c := range []string{"backend", "frontend"} {
		tag := tags[c]
		if tag == "" {
			tag = "1.0.0"
		}
		ref := "taskmaster-" + c + ":" + tag
		out = append(out, Image{Component: c, Ref: ref, Present: f.present[ref], OtherTags: []string{"0.9.0"}})
	}
	return out, nil
}

func (f *fakeService) BuildImage(_ context.Context, dir, component, ref string) <-chan BuildEvent {
	f.call("build " + component + " " + ref + " from " + dir)
	ch := make(chan BuildEvent, 4)
	f.mu.Lock()
	f.present[ref] = true
	f.built = append(f.built, ref)
	f.mu.Unlock()
	ch <- BuildEvent{Line: "Step 1/2 : FROM scratch"}
	ch <- BuildEvent{Line: "Successfully tagged " + ref}
	ch <- BuildEvent{Done: true, Duration: 3 * time.Second}
	close(ch)
	return ch
}

func (f *fakeService) KitFiles(dir string) ([]KitFile, error) {
	f.call("kit " + dir)
	return f.kit, nil
}

func (f *fakeService) WriteKit(dir string, paths []string) error {
	f.call("write-kit " + strings.Join(paths, ","))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.written = append(f.written, paths...)
	return nil
}

func (f *fakeService) Release(context.Context, string) (Release, error) {
	f.call("release")
	return f.release, nil
}

func (f *fakeService) Install(ctx context.Context, req InstallRequest, progress chan<- Progress) (Release, error) {
	f.call("install " + req.Namespace)
	f.mu.Lock()
	f.installCalls = append(f.installCalls, req)
	hold := f.installHold
	f.mu.Unlock()
	progress <- Progress{Step: "start", Message: "installing taskmaster (chart taskmaster-0.1.0) into namespace " + req.Namespace}
	progress <- Progress{Resources: []Resource{
		{Kind: "ConfigMap", Name: "taskmaster-backend", Ready: true, State: "created"},
		{Kind: "Deployment", Name: "taskmaster-backend", Ready: true, State: "1/1 ready"},
		{Kind: "Deployment", Name: "taskmaster-frontend", State: "0/1 ready"},
	}}
	progress <- Progress{Step: "wait", Message: "1 of 2 pods ready", Pods: []Pod{
		{Name: "taskmaster-backend-7d9f-abcde", Component: "backend", Phase: "Running", Ready: true},
		{Name: "taskmaster-frontend-5c4b-fghij", Component: "frontend", Phase: "Pending", Problem: "ContainerCreating"},
	}}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			close(progress)
			return Release{}, fmt.Errorf("install cancelled: %w (Helm removed what it made)", ctx.Err())
		}
	}
	close(progress)
	if f.installErr != nil {
		return Release{}, f.installErr
	}
	f.mu.Lock()
	f.release = Release{Name: "taskmaster", Installed: true, Revision: 1, State: "deployed"}
	f.mu.Unlock()
	return f.release, nil
}

func (f *fakeService) WaitReady(context.Context, string) error {
	f.call("wait-ready")
	return nil
}

func (f *fakeService) CheckHealth(context.Context, string) ([]Health, error) {
	f.call("health")
	return f.health, nil
}

func (f *fakeService) URL(string) string { return "http://localhost:3000" }
