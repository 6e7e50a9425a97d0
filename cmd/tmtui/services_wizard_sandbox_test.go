package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog/wizard"
)

// Obviously fake secret values: the test asserts they reach the Secret and
// nothing else.
const (
	wizFakeDB     = "postgresql://user:pass@db.invalid/app"
	wizFakeOpenAI = "sk-test-fake-wizard-key"
)

// The wizard's service on the sandbox, step after step as the wizard calls
// it: preflight, namespace, Secret, images, release, install with progress,
// ready, health through the stand-ins.
func TestWizardServiceSetsUpTheAppOnTheSandbox(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()
	svc := newWizardService(k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns}, "taskmaster", testenv.DockerHost(t))

	// Nothing must answer at the LoadBalancer's address, so that health goes
	// through port-forwards to the stand-ins: an address just freed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc.frontendURL = "http://" + l.Addr().String()
	l.Close()

	// (1) preflight: the cluster answers; the Secret is missing.
	pf, err := svc.Preflight(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Context != "tmtui-sandbox" || !pf.Local {
		t.Errorf("preflight context %q local=%v; want the sandbox, local", pf.Context, pf.Local)
	}
	byID := map[string]wizard.Check{}
	for _, c := range pf.Checks {
		byID[c.ID] = c
	}
	if byID["cluster"].Status != wizard.CheckOK || byID["secret"].Status == wizard.CheckOK {
		t.Errorf("preflight = %+v; want the cluster ok and the secret not", pf.Checks)
	}

	// (2) contexts: the sandbox is there, current and local.
	ctxs, err := svc.Contexts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ctxs, func(c wizard.Context) bool { return c.Name == "tmtui-sandbox" })
	if i < 0 || !ctxs[i].Current || !ctxs[i].Local {
		t.Fatalf("contexts = %+v; want tmtui-sandbox current and local", ctxs)
	}
	if _, err := svc.UseContext(ctx, "no-such-context"); err == nil {
		t.Error("switching to a context that does not exist was allowed")
	}

	// (3) namespace: a new one is created, labelled; the test's own is kept.
	fresh := ns + "-wiz"
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), fresh, metav1.DeleteOptions{}) })
	if err := svc.ValidateNamespace("Bad_Name"); err == nil {
		t.Error("Bad_Name passed as a namespace name")
	}
	r, err := svc.EnsureNamespace(ctx, fresh, "")
	if err != nil || !r.Created {
		t.Fatalf("ensure %s: %+v, %v; want created", fresh, r, err)
	}
	got, err := cs.CoreV1().Namespaces().Get(ctx, fresh, metav1.GetOptions{})
	if err != nil || got.Labels[k8s.ManagedByLabel] != "tmtui" || got.Labels[k8s.PodSecurityEnforceLabel] != "restricted" {
		t.Fatalf("namespace %s labels %v, %v", fresh, got.Labels, err)
	}
	if r, err := svc.EnsureNamespace(ctx, ns, ""); err != nil || r.Created {
		t.Fatalf("ensure the existing %s: %+v, %v; want found, not created", ns, r, err)
	}

	// (4) secrets: missing, then written with a generated JWT secret.
	st, err := svc.SecretStatus(ctx, ns)
	if err != nil || st.Exists || len(st.Missing) != 3 {
		t.Fatalf("secret status before = %+v, %v; want missing with 3 required keys", st, err)
	}
	if _, err := svc.ValidateSecret(wizard.EnvDatabaseURL, "mysql://x"); err == nil || strings.Contains(err.Error(), "mysql://x") {
		t.Errorf("DATABASE_URL mysql://x: %v; want an error that does not repeat the value", err)
	}
	jwt, err := svc.GenerateJWTSecret()
	if err != nil || len(jwt) < 32 {
		t.Fatalf("generated JWT secret of %d bytes, %v", len(jwt), err)
	}
	res, err := svc.ApplySecret(ctx, ns, wizard.SecretValues{DatabaseURL: wizFakeDB, OpenAIAPIKey: wizFakeOpenAI, JWTSecret: jwt}, "")
	if err != nil || !res.Created || fmt.Sprint(res.Changed) != "[DATABASE_URL OPENAI_API_KEY JWT_SECRET_KEY]" {
		t.Fatalf("apply secret: %+v, %v", res, err)
	}
	st, err = svc.SecretStatus(ctx, ns)
	if err != nil || !st.Complete() || st.Has(wizard.EnvGeminiKey) {
		t.Fatalf("secret status after = %+v, %v; want complete without Gemini", st, err)
	}
	sec, err := cs.CoreV1().Secrets(ns).Get(ctx, k8s.SecretName, metav1.GetOptions{})
	if err != nil || string(sec.Data["database-url"]) != wizFakeDB || string(sec.Data["jwt-secret"]) != jwt {
		t.Fatalf("the Secret does not hold what was typed (%v)", err)
	}

	// (5) images: the real engine is asked; a tag built here is present.
	imgs, err := svc.Images(ctx, nil)
	if err != nil || len(imgs) != 2 || imgs[0].Ref != "taskmaster-backend:1.0.0" || imgs[1].Ref != "taskmaster-frontend:1.0.0" {
		t.Fatalf("images = %+v, %v; want the chart's two at 1.0.0", imgs, err)
	}
	for _, img := range imgs {
		if img.Err != "" {
			t.Errorf("%s: the engine was not reachable: %s", img.Ref, img.Err)
		}
	}
	tag := "wiz-" + strings.TrimPrefix(ns, "tmtui-test-")
	app := t.TempDir()
	if err := os.MkdirAll(filepath.Join(app, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "backend", "Dockerfile"), []byte("FROM scratch\nCOPY marker /marker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "backend", "marker"), []byte(tag), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := "taskmaster-backend:" + tag
	t.Cleanup(func() {
		if c, err := docker.New(testenv.DockerHost(t)); err == nil {
			_ = c.Remove(context.Background(), ref)
			c.Close()
		}
	})
	var lines int
	var last wizard.BuildEvent
	for ev := range svc.BuildImage(ctx, app, "backend", ref) {
		if ev.Done {
			last = ev
		} else {
			lines++
		}
	}
	if !last.Done || last.Err != nil || lines == 0 {
		t.Fatalf("build: %d lines, last %+v; want output and success", lines, last)
	}
	imgs, err = svc.Images(ctx, map[string]string{"backend": tag})
	if err != nil || imgs[0].Ref != ref || !imgs[0].Present {
		t.Fatalf("images after the build = %+v, %v; want %s present", imgs, err, ref)
	}

	// (6) release: not there yet.
	rel, err := svc.Release(ctx, ns)
	if err != nil || rel.Installed {
		t.Fatalf("release before = %+v, %v", rel, err)
	}

	// (7) install with progress of the pods.
	progress := make(chan wizard.Progress, 256)
	rel, err = svc.Install(ctx, wizard.InstallRequest{Namespace: ns}, progress)
	if err != nil || !rel.Installed || rel.Revision != 1 || rel.State != "deployed" {
		t.Fatalf("install: %+v, %v", rel, err)
	}
	var steps []string
	var sawPod bool
	kinds := map[string]bool{}
	for p := range progress { // closed by Install
		if p.Step != "" {
			steps = append(steps, p.Step)
		}
		for _, pod := range p.Pods {
			sawPod = sawPod || strings.HasPrefix(pod.Name, "taskmaster-")
		}
		for _, r := range p.Resources {
			kinds[r.Kind] = true
		}
	}
	if !slices.Contains(steps, "start") || !slices.Contains(steps, "done") || !sawPod {
		t.Errorf("progress steps %v, a pod seen: %v; want start, done and the release's pods", steps, sawPod)
	}
	// The objects besides the pods were reported too, as they appeared.
	if !kinds["Deployment"] || !kinds["Service"] || !kinds["ConfigMap"] {
		t.Errorf("resources reported: %v; want the Deployments, Services and ConfigMaps", kinds)
	}
	objs := releaseResources(ctx, mustCluster(t, svc), ns, "taskmaster")
	var names []string
	for _, r := range objs {
		names = append(names, r.Kind+"/"+r.Name)
	}
	if !slices.Contains(names, "Deployment/taskmaster-backend") || !slices.Contains(names, "Service/taskmaster-frontend") || slices.Contains(names, "Secret/sh.helm.release.v1.taskmaster.v1") {
		t.Errorf("resources after the install: %v", names)
	}
	if rel, err := svc.Release(ctx, ns); err != nil || !rel.Installed || rel.Revision != 1 {
		t.Fatalf("release after = %+v, %v", rel, err)
	}
	// No secret value is in Helm's record of the release.
	out, err := testenv.RunHelm(t, "--kubeconfig", testenv.Kubeconfig(t), "-n", ns, "get", "values", "--all", "taskmaster")
	if err != nil {
		t.Fatalf("helm get values: %v\n%s", err, out)
	}
	for _, v := range []string{wizFakeDB, wizFakeOpenAI, jwt} {
		if strings.Contains(out, v) {
			t.Fatal("a secret value is in the release's Helm values")
		}
	}

	// (8) ready, then healthy through the stand-ins.
	if err := svc.WaitReady(ctx, ns); err != nil {
		t.Fatal(err)
	}
	var health []wizard.Health
	testenv.Eventually(t, time.Minute, func() error {
		health, err = svc.CheckHealth(ctx, ns)
		if err != nil {
			return err
		}
		if len(health) != 2 || !health[0].Healthy() || !health[1].Healthy() {
			return fmt.Errorf("health = %+v", health)
		}
		return nil
	})
	if health[0].Component != "backend" || health[0].Status != 200 || !strings.HasSuffix(health[0].URL, "/health") {
		t.Errorf("backend health %+v; want 200 from /health", health[0])
	}
	if svc.URL(ns) != svc.frontendURL {
		t.Errorf("URL %q", svc.URL(ns))
	}

	// Installing again is refused, not doubled.
	if _, err := svc.Install(ctx, wizard.InstallRequest{Namespace: ns}, make(chan wizard.Progress, 8)); err == nil || !strings.Contains(err.Error(), "already installed") {
		t.Errorf("second install: %v; want a refusal", err)
	}
}

func mustCluster(t *testing.T, svc *wizardService) *k8s.Client {
	t.Helper()
	c, err := svc.cluster(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The deployment kit: missing files are reported and written; a file that
// differs is reported with its diff and is only written when named.
func TestWizardServiceWritesTheDeploymentKitOnlyWhereAsked(t *testing.T) {
	t.Parallel()
	svc := newWizardService(k8s.ConnectOptions{}, "", "")
	app := t.TempDir()
	files, err := svc.KitFiles(app)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, f := range files {
		if f.State != wizard.KitMissing {
			t.Errorf("%s: %s in an empty folder", f.Path, f.State)
		}
		missing = append(missing, f.Path)
	}
	if len(missing) != 6 || missing[0] != "backend/Dockerfile" {
		t.Fatalf("kit files %v", missing)
	}
	mine := []byte("FROM python:3.12\n# mine\n")
	if err := os.MkdirAll(filepath.Join(app, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "backend", "Dockerfile"), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := svc.WriteKit(app, missing[1:]); err != nil {
		t.Fatal(err)
	}
	files, err = svc.KitFiles(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		want := wizard.KitSame
		if f.Path == "backend/Dockerfile" {
			want = wizard.KitDiffers
			if !strings.Contains(f.Diff, "-# mine") || !strings.Contains(f.Diff, "+USER 10001:10001") {
				t.Errorf("diff of backend/Dockerfile:\n%s", f.Diff)
			}
		}
		if f.State != want {
			t.Errorf("%s: %s, want %s", f.Path, f.State, want)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(app, "backend", "Dockerfile")); string(got) != string(mine) {
		t.Error("the user's Dockerfile was overwritten without being named")
	}
	if err := svc.WriteKit(app, []string{"../outside"}); err == nil {
		t.Error("a path outside the kit was written")
	}
	if _, err := svc.KitFiles(filepath.Join(app, "nope")); err == nil {
		t.Error("a missing app folder was accepted")
	}
}

// ACCESSIBLE=1 end to end on the sandbox: the wizard's line prompts over
// the real service, from piped answers to a healthy release, with no
// secret value printed.
func TestAccessibleSetupInstallsOnTheSandbox(t *testing.T) {
	t.Parallel()
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	svc := newWizardService(k8s.ConnectOptions{Kubeconfig: testenv.Kubeconfig(t), Namespace: ns}, "taskmaster", testenv.DockerHost(t))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc.frontendURL = "http://" + l.Addr().String() // nothing answers: health goes through port-forwards
	l.Close()

	if !accessibleRequested(func(string) string { return "1" }) || accessibleRequested(func(string) string { return "" }) {
		t.Fatal("ACCESSIBLE is not read as huh reads it")
	}
	input := strings.Join([]string{
		"",            // the sandbox's context, proposed as local and in use
		"",            // the namespace given with -n
		wizFakeDB,     // DATABASE_URL
		wizFakeOpenAI, // OPENAI_API_KEY
		"",            // no Gemini key
		"1",           // generate the JWT secret
		"1",           // use the images (kwok runs any tag)
		"1",           // install now
	}, "\n") + "\n"
	var out strings.Builder
	code := accessibleSetup(t.Context(), svc, ns, strings.NewReader(input), &out)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{"Using context tmtui-sandbox.", "Namespace " + ns + " was there already.", "Secret written: DATABASE_URL, OPENAI_API_KEY, JWT_SECRET_KEY set.",
		"Release taskmaster installed: revision 1 deployed.", "healthy: backend answered 200",
		// Health went through port-forwards: the wizard does not claim the URL answers.
		"TaskMaster is healthy through a port-forward, but " + svc.frontendURL + " does not answer: its Service is not published on this machine",
		"setup done: TaskMaster is healthy through a port-forward, but " + svc.frontendURL + " does not answer here"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, s := range []string{wizFakeDB, "db.invalid", wizFakeOpenAI} {
		if strings.Contains(out.String(), s) {
			t.Fatal("a secret value was printed")
		}
	}
	sec, err := cs.CoreV1().Secrets(ns).Get(t.Context(), k8s.SecretName, metav1.GetOptions{})
	if err != nil || string(sec.Data["openai-api-key"]) != wizFakeOpenAI || len(sec.Data["jwt-secret"]) < 32 {
		t.Fatalf("the Secret does not hold the answers (%v)", err)
	}
}
