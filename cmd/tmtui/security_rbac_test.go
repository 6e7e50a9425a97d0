package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/preflight"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// rbacRules is the Role of docs/permissions.md (preflight.Permissions), but
// for the permissions left out.
func rbacRules(leaveOut ...string) []rbacv1.PolicyRule {
	var rules []rbacv1.PolicyRule
	for _, p := range preflight.Permissions {
		if slices.Contains(leaveOut, p.String()) {
			continue
		}
		resource := p.Resource
		if p.Subresource != "" {
			resource += "/" + p.Subresource
		}
		i := slices.IndexFunc(rules, func(r rbacv1.PolicyRule) bool { return r.APIGroups[0] == p.Group && r.Resources[0] == resource })
		if i < 0 {
			rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{p.Group}, Resources: []string{resource}})
			i = len(rules) - 1
		}
		if !slices.Contains(rules[i].Verbs, p.Verb) {
			rules[i].Verbs = append(rules[i].Verbs, p.Verb)
		}
	}
	return rules
}

// limitedAccount is a ServiceAccount bound to a Role in one namespace, and
// a kubeconfig that signs in with a token of its (TokenRequest).
type limitedAccount struct {
	ns, kubeconfig string
	role           *rbacv1.Role
}

func newLimitedAccount(t *testing.T, cs kubernetes.Interface, sb testenv.Sandbox, ns string) *limitedAccount {
	t.Helper()
	ctx := t.Context()
	const sa = "tmtui-deployer"
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "tmtui"}, Rules: rbacRules()}
	role, err := cs.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "tmtui"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "tmtui"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}},
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expiry := int64(3600)
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := clientcmd.LoadFromFile(sb.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cluster := admin.Clusters[admin.Contexts[sb.Context].Cluster]
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = cluster
	cfg.AuthInfos["deployer"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	cfg.Contexts["deployer"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: "deployer", Namespace: ns}
	cfg.CurrentContext = "deployer"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return &limitedAccount{ns: ns, kubeconfig: path, role: role}
}

// setRole grants the Role of docs/permissions.md without leaveOut, and
// waits until the API server applies it (a SelfSubjectAccessReview agrees).
func (a *limitedAccount) setRole(t *testing.T, cs kubernetes.Interface, leaveOut ...string) {
	t.Helper()
	a.role.Rules = rbacRules(leaveOut...)
	role, err := cs.RbacV1().Roles(a.ns).Update(t.Context(), a.role, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a.role = role
	cfg, err := clientcmd.BuildConfigFromFlags("", a.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	asSA, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, func() error {
		missing, err := preflight.MissingPermissions(t.Context(), asSA, a.ns, preflight.Permissions)
		if err != nil {
			return err
		}
		var names []string
		for _, p := range missing {
			names = append(names, p.String())
		}
		if !slices.Equal(names, leaveOut) && !(len(names) == 0 && len(leaveOut) == 0) {
			return fmt.Errorf("missing %v, want %v", names, leaveOut)
		}
		return nil
	})
}

// leastPrivilege is a test's ServiceAccount with the Role of
// docs/permissions.md in a namespace of its own, and tmtui's engines
// connected as it.
type leastPrivilege struct {
	cs   kubernetes.Interface
	ns   string
	acct *limitedAccount
	kc   *k8s.Client
	hc   *helm.Client
	opts helm.ApplyOptions
}

func newLeastPrivilege(t *testing.T) *leastPrivilege {
	t.Helper()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	acct := newLimitedAccount(t, cs, sb, ns)
	acct.setRole(t, cs)
	conn := k8s.ConnectOptions{Kubeconfig: acct.kubeconfig, Namespace: ns}
	kc, _, err := k8s.Connect(t.Context(), conn)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := helm.New(helm.Options{Connection: conn})
	if err != nil {
		t.Fatal(err)
	}
	return &leastPrivilege{cs: cs, ns: ns, acct: acct, kc: kc, hc: hc, opts: helm.ApplyOptions{Timeout: time.Minute}}
}

// setUpSecret is the secret setup as the account, with fake values.
func (p *leastPrivilege) setUpSecret(ctx context.Context) error {
	a, err := p.kc.Guard().Approve("set up the secret", "")
	if err == nil {
		_, err = p.kc.ApplySecret(ctx, a, p.ns, k8s.SecretValues{DatabaseURL: "postgresql://user:pass@db.invalid/app",
			OpenAIAPIKey: "sk-test-fake-rbac", JWTSecret: "fake-jwt-secret-fake-jwt-secret-fake-jwt"})
	}
	return err
}

func (p *leastPrivilege) install(ctx context.Context) error {
	_, err := p.hc.Install(ctx, helm.InstallOptions{ApplyOptions: p.opts})
	return err
}

// With a ServiceAccount whose Role covers only its namespace and only the
// permissions docs/permissions.md lists, every workflow of the engine works
// (secret setup, install, upgrade, scale, logs, rollback, helm test,
// uninstall), and tmtui doctor finds nothing missing.
func TestSecurityLeastPrivilegeServiceAccount(t *testing.T) {
	t.Parallel()
	p := newLeastPrivilege(t)
	count := testenv.Count(t, testenv.SectionSecurity, "Least privilege")
	ctx, hc, opts := t.Context(), p.hc, p.opts
	workflows := []struct {
		name string
		run  func() error
	}{
		{"secret setup", func() error { return p.setUpSecret(ctx) }},
		{"install", func() error { return p.install(ctx) }},
		{"upgrade", func() error {
			plan, err := hc.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "1.0.1"}})
			if err == nil {
				_, err = hc.Apply(ctx, plan, opts)
			}
			return err
		}},
		{"scale", func() error { _, err := hc.Scale(ctx, helm.Backend, 2, opts); return err }},
		{"logs", func() error { return readSomeLogs(ctx, p.kc, p.ns) }},
		{"rollback", func() error {
			plan, err := hc.PlanRollback(ctx, 1)
			if err == nil {
				_, err = hc.Apply(ctx, plan, opts)
			}
			return err
		}},
		{"history", func() error { _, err := hc.History(ctx); return err }},
		{"helm test", func() error {
			res, err := hc.Test(ctx, opts)
			if err == nil && !res.Passed {
				err = fmt.Errorf("helm test did not pass: %+v", res)
			}
			return err
		}},
		{"uninstall", func() error { return hc.Uninstall(ctx, opts) }},
	}
	for _, w := range workflows {
		t.Run("allowed: "+w.name, func(t *testing.T) {
			count.Trial(t)
			if err := w.run(); err != nil {
				t.Fatalf("%s as the limited account: %v", w.name, err)
			}
		})
	}
	t.Run("allowed: doctor finds nothing missing", func(t *testing.T) {
		count.Trial(t)
		out := doctorAs(t, p.acct.kubeconfig, p.ns)
		if !strings.Contains(out, "permissions") || strings.Contains(out, "missing in namespace") {
			t.Errorf("doctor with the full Role:\n%s", out)
		}
	})
	count.Figure("with the Role of docs/permissions.md and a TokenRequest token: secret setup, install, upgrade, scale, logs, rollback, history, helm test, uninstall and doctor all worked")
}

// The same account without one permission of docs/permissions.md at a
// time: doctor names it, and so does the workflow that needs it. (A test
// of its own, on a namespace of its own, so that it runs beside the one
// above.)
func TestSecurityLeastPrivilegeNamesTheMissingPermission(t *testing.T) {
	t.Parallel()
	p := newLeastPrivilege(t)
	count := testenv.Count(t, testenv.SectionSecurity, "Least privilege")
	ctx, hc, opts, ns := t.Context(), p.hc, p.opts, p.ns
	if err := p.setUpSecret(ctx); err != nil {
		t.Fatalf("secret setup with every permission: %v", err)
	}
	install := func() error { return p.install(ctx) }
	for _, tc := range []struct {
		missing string
		setup   func() error // with every permission
		action  func() error
		prefix  string
	}{
		{"patch deployments.apps", nil, install, "install of taskmaster failed"},
		{"create secrets", nil, install, "install of taskmaster failed"},
		{"list secrets", nil, func() error { _, err := hc.History(ctx); return err }, "reading the release history of taskmaster failed"},
		{"get pods/log", install, func() error { return readSomeLogs(ctx, p.kc, ns) }, "logs: logs of taskmaster-backend-"},
		{"patch pods", install, func() error { _, err := hc.Test(ctx, opts); return err }, "helm test of taskmaster failed"},
		{"delete deployments.apps", install, func() error { return hc.Uninstall(ctx, opts) }, "uninstall of taskmaster failed"},
	} {
		t.Run("without "+tc.missing, func(t *testing.T) {
			count.Trial(t)
			if tc.setup != nil {
				if err := tc.setup(); err != nil {
					t.Fatalf("setting up with every permission: %v", err)
				}
			}
			p.acct.setRole(t, p.cs, tc.missing)
			defer p.acct.setRole(t, p.cs)
			out := doctorAs(t, p.acct.kubeconfig, ns)
			if want := "missing in namespace " + ns + ": " + tc.missing + "\n"; !strings.Contains(out, want) {
				t.Errorf("doctor does not name exactly %q:\n%s", tc.missing, out)
			}
			err := tc.action()
			want := "missing in namespace " + ns + ": " + tc.missing + " ("
			var pe *k8s.PermissionError
			if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Errorf("the action without %s: %v\nwant it to name the permission: %q", tc.missing, err, want)
			} else if !errors.As(err, &pe) && !strings.HasPrefix(tc.prefix, "logs") {
				t.Errorf("not a *k8s.PermissionError: %T", err)
			}
			_ = hc.Uninstall(context.WithoutCancel(ctx), opts)
		})
	}
	count.Figure("without one permission, doctor and the action named exactly it: patch deployments.apps (install), create secrets (install), list secrets (history), get pods/log (logs), patch pods (helm test), delete deployments.apps (uninstall)")
}

// readSomeLogs follows the backend's logs (the release must run) until a
// line arrives, or says why none did: a stream that fails reports its
// error in a notice.
func readSomeLogs(ctx context.Context, kc *k8s.Client, ns string) error {
	if _, err := kc.Clientset().AppsV1().Deployments(ns).Get(ctx, "taskmaster-backend", metav1.GetOptions{}); err != nil {
		return fmt.Errorf("logs: no backend to read: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	ch, err := kc.StreamLogs(ctx, k8s.LogOptions{Namespace: ns, Selector: k8s.ReleaseSelector("taskmaster", k8s.ComponentBackend), TailLines: 5, Follow: true})
	if err != nil {
		return err
	}
	for b := range ch {
		if len(b.Lines) > 0 {
			return nil
		}
		for _, n := range b.Notices {
			if n.Kind == k8s.LogFailed {
				return errors.New("logs: " + n.Err)
			}
		}
	}
	return errors.New("logs: no line within 20 s")
}

// doctorAs runs tmtui doctor and returns its output.
func doctorAs(t *testing.T, kubeconfig, ns string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(buildTmtui(t), "doctor", "--kubeconfig", kubeconfig, "-n", ns, "--log-file", filepath.Join(home, "tmtui.log"))
	cmd.Env = append(isolatedEnv(home), "KUBECONFIG="+os.DevNull)
	out, _ := cmd.CombinedOutput()
	return string(out)
}
