package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Secret values go into the Secret the chart reads, and nowhere else.
// Unique fake values are planted through the engine's secret setup (and
// changed once), the release is installed, upgraded, scaled and rolled back
// through internal/helm, a tmtui session is driven over all its panes (the
// release's values and manifest shown, the logs saved to a file), and then
// every place a value could leak to is searched for them: Helm's values of
// every revision as the helm CLI gives them, Helm's release records
// decoded, the namespace's events, tmtui's log file, every file tmtui
// wrote, the engine's error texts, and every screen captured. The files
// tmtui wrote are also checked for their modes.
func TestSecuritySecretValuesNeverLeak(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	cs := testenv.Clientset(t)
	ns := testenv.Namespace(t, cs)
	ctx := t.Context()

	token := func() string {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	first := k8s.SecretValues{
		DatabaseURL:  "postgresql://user:pass" + token() + "@db.invalid/app",
		OpenAIAPIKey: "sk-test-fake-" + token(),
		GeminiAPIKey: "fake-gemini-" + token(),
		JWTSecret:    "fake-jwt-secret-" + token() + "-" + token(),
	}
	second := k8s.SecretValues{OpenAIAPIKey: "sk-test-fake-" + token(), JWTSecret: "fake-jwt-secret-" + token() + "-" + token()}
	var needles []string
	for _, v := range []k8s.SecretValues{first, second} {
		for _, s := range []string{v.DatabaseURL, v.OpenAIAPIKey, v.GeminiAPIKey, v.JWTSecret} {
			if s != "" {
				needles = append(needles, s)
			}
		}
	}
	// The password alone, too: a URL shown with its user but no password
	// is fine, one with the password is not.
	needles = append(needles, strings.TrimSuffix(strings.TrimPrefix(first.DatabaseURL, "postgresql://user:"), "@db.invalid/app"))

	sweep := testenv.Count(t, testenv.SectionSecurity, "Secret values never leave the Secret")
	files := testenv.Count(t, testenv.SectionSecurity, "Files tmtui writes")
	var errorTexts []string

	// The engine's secret setup, twice (create, then change two values).
	kc, _, err := k8s.Connect(ctx, k8s.ConnectOptions{Kubeconfig: sb.Kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	approval, err := kc.Guard().Approve("set up the secret", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []k8s.SecretValues{first, second} {
		if _, err := kc.ApplySecret(ctx, approval, ns, v); err != nil {
			t.Fatalf("ApplySecret: %v", err)
		}
	}
	// Refusals that hold a value: their texts must not.
	bad := second
	bad.DatabaseURL = "postgresql://user:pass" + token() + " @db.invalid/app"
	needles = append(needles, bad.DatabaseURL[len("postgresql://user:"):len(bad.DatabaseURL)-len(" @db.invalid/app")])
	if _, err := kc.ApplySecret(ctx, approval, ns, bad); err == nil {
		t.Error("a DATABASE_URL with a space was accepted")
	} else {
		errorTexts = append(errorTexts, err.Error())
	}

	// Install, upgrade, scale, roll back; a refused secret override.
	hc, err := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: sb.Kubeconfig, Namespace: ns}})
	if err != nil {
		t.Fatal(err)
	}
	opts := helm.ApplyOptions{Timeout: time.Minute}
	if _, err := hc.Install(ctx, helm.InstallOptions{ApplyOptions: opts}); err != nil {
		t.Fatalf("install: %v", err)
	}
	p, err := hc.PlanUpgrade(ctx, helm.Overrides{ImageTags: map[helm.Component]string{helm.Backend: "1.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.Apply(ctx, p, opts); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if _, err := hc.Scale(ctx, helm.Backend, 2, opts); err != nil {
		t.Fatalf("scale: %v", err)
	}
	if p, err = hc.PlanRollback(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := hc.Apply(ctx, p, opts); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if _, err := hc.PlanUpgrade(ctx, helm.Overrides{Set: []string{"secrets.jwtSecret=" + second.JWTSecret}}); err == nil {
		t.Error("a secret override was accepted")
	} else {
		errorTexts = append(errorTexts, err.Error())
	}
	hist, err := hc.History(ctx)
	if err != nil || len(hist) < 4 {
		t.Fatalf("history: %d revisions, %v", len(hist), err)
	}

	// A tmtui session over every pane, in a home and working folder of
	// its own (saved logs go to the working folder).
	home := t.TempDir()
	work := filepath.Join(home, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	term := startTmtuiIn(t, home, work, "--kubeconfig", sb.Kubeconfig, "-n", ns)
	var screens []string
	capture := func(s string) { screens = append(screens, s) }
	capture(term.waitUntil(30*time.Second, "the release and its pods", func(s string) bool {
		return strings.Contains(s, "deployed") && strings.Count(s, "taskmaster-backend-") >= 2
	}))
	term.send("2")
	term.waitFor("▶ 2 Release", 10*time.Second)
	newest := strconv.Itoa(hist[len(hist)-1].Revision) // History is oldest first
	term.selectRow(historyList, "revision "+newest, func(rev string) bool { return rev == newest }, 20*time.Second)
	for _, view := range []struct{ key, kind string }{{"v", "values"}, {"m", "manifest"}, {"n", "notes"}} {
		title := view.kind + " of revision " + newest
		term.send(view.key)
		capture(term.waitUntil(20*time.Second, title+" loaded", func(s string) bool {
			return strings.Contains(s, title) && !strings.Contains(s, "… loading "+view.kind)
		}))
		term.send("Escape")
		term.waitUntil(10*time.Second, "the history again, "+title+" closed", func(s string) bool {
			return !strings.Contains(s, title)
		})
	}
	term.send("4")
	term.waitFor("▶ 4 Logs", 10*time.Second)
	term.send("s")
	capture(term.waitFor("tmtui-logs-", 10*time.Second))
	term.send("?")
	capture(term.waitFor("Keys (? or esc closes)", 10*time.Second))
	term.send("?")
	term.waitUntil(10*time.Second, "the keys closed", func(s string) bool { return !strings.Contains(s, "Keys (? or esc closes)") })
	if code := term.quit(10 * time.Second); code != 0 {
		t.Errorf("tmtui exited %d", code)
	}

	// The screens showed what they are searched for, and the values are
	// where they belong: in the Secret.
	all := strings.Join(screens, "\n")
	for _, want := range []string{"replicaCount", "manifest of revision", "tmtui-logs-"} {
		if !strings.Contains(all, want) {
			t.Errorf("no screen shows %q: the session did not reach that view:\n%s", want, all)
		}
	}
	sec, err := cs.CoreV1().Secrets(ns).Get(ctx, k8s.SecretName, metav1.GetOptions{})
	if err != nil || string(sec.Data[k8s.SecretKeyJWTSecret]) != second.JWTSecret || string(sec.Data[k8s.SecretKeyDatabaseURL]) != first.DatabaseURL {
		t.Fatalf("the Secret does not hold the planted values (%v)", err)
	}

	// Where a value could have gone.
	sources := map[string]string{}
	for _, r := range hist {
		rev := strconv.Itoa(r.Revision)
		for _, what := range []string{"values", "manifest", "notes", "hooks"} {
			args := []string{"get", what, "taskmaster", "--revision", rev, "--namespace", ns, "--kubeconfig", sb.Kubeconfig}
			if what == "values" {
				args = append(args, "--all")
			}
			out, err := testenv.RunHelm(t, args...)
			if err != nil {
				t.Errorf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			sources["helm get "+what+" of revision "+rev] = out
		}
	}
	records, err := cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil || len(records.Items) != len(hist) {
		t.Fatalf("%d release records, want %d (%v)", len(records.Items), len(hist), err)
	}
	for _, s := range records.Items {
		sources["Helm's release record "+s.Name+" decoded"] = decodeRelease(t, s.Data["release"])
	}
	events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ev strings.Builder
	for _, e := range events.Items {
		fmt.Fprintf(&ev, "%s %s %s\n", e.InvolvedObject.Name, e.Reason, e.Message)
	}
	sources[fmt.Sprintf("the namespace's %d events", len(events.Items))] = ev.String()
	sources["the engine's error texts"] = strings.Join(errorTexts, "\n")
	for i, s := range screens {
		sources[fmt.Sprintf("screen %d", i+1)] = s
	}
	if len(events.Items) == 0 {
		t.Error("no events in the namespace: nothing to search")
	}

	// Every file tmtui wrote under its home and working folder, the log
	// file among them: modes and contents.
	wrote := 0
	err = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == home || path == work || filepath.Base(path) == "exit" {
			return err
		}
		t.Run("file "+strings.TrimPrefix(path, home), func(t *testing.T) {
			files.Trial(t)
			info, err := d.Info()
			if err != nil {
				t.Fatal(err)
			}
			mode := info.Mode().Perm()
			switch {
			case d.IsDir() && mode != 0o700 && mode != 0o755:
				t.Errorf("folder %s has mode %v, want 0700 or 0755", path, mode)
			case !d.IsDir() && mode != 0o600 && mode != 0o644:
				t.Errorf("file %s has mode %v, want 0600 or 0644", path, mode)
			case !d.IsDir() && mode&0o077 != 0 && (strings.HasSuffix(path, ".log") || strings.Contains(path, "crash-")):
				t.Errorf("%s has mode %v: logs and crash reports are for their owner only (0600)", path, mode)
			}
			if !d.IsDir() {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				sources["file "+path] = string(data)
			}
		})
		if !d.IsDir() {
			wrote++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sources["file "+term.logFile]; !ok {
		t.Errorf("tmtui's log file %s was not among the files searched", term.logFile)
	}
	saved, _ := filepath.Glob(filepath.Join(work, "tmtui-logs-*.log"))
	if len(saved) != 1 {
		t.Errorf("saved logs: %v, want one file", saved)
	}
	files.Figure(fmt.Sprintf("%d files tmtui wrote in a session (log file, saved logs) checked for mode and secrets", wrote))

	for _, name := range sortedKeys(sources) {
		text := sources[name]
		t.Run("search "+name, func(t *testing.T) {
			sweep.Trial(t)
			if text == "" && !strings.HasPrefix(name, "helm get hooks") && !strings.HasPrefix(name, "helm get notes") {
				t.Errorf("%s is empty: nothing was searched", name)
			}
			for _, n := range needles {
				if strings.Contains(text, n) {
					t.Errorf("a secret value (%.12s…) is in %s", n, name)
				}
				if b64 := base64.StdEncoding.EncodeToString([]byte(n)); strings.Contains(text, b64) {
					t.Errorf("a secret value (%.12s…), base64-encoded, is in %s", n, name)
				}
			}
		})
	}
	sweep.Figure(fmt.Sprintf("%d fake values planted; %d places searched: helm get values --all (and manifest, notes, hooks) of %d revisions, the release records decoded, events, log file, written files, error texts, %d screens",
		len(needles), len(sources), len(hist), len(screens)))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// decodeRelease is a Helm release record as text: base64 of gzip of JSON
// (the Secret's data is already the first base64 undone).
func decodeRelease(t *testing.T, data []byte) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(string(data))
	if err != nil {
		t.Fatalf("release record: %v", err)
	}
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Contains(raw, []byte(`"name":"taskmaster"`)) {
		t.Fatalf("the decoded release record is not a release: %.200s", raw)
	}
	return string(raw)
}

// startTmtuiIn runs the built tmtui in a tmux window of a server of its
// own, with home as its HOME (and XDG folders) and dir as its working
// folder, and records its exit status.
func startTmtuiIn(t *testing.T, home, dir string, args ...string) *tmuxTerm {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test in tmux; skipped under -short (make test runs it)")
	}
	bin := buildTmtui(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	term := &tmuxTerm{t: t, socket: "tmtui-sec-" + hex.EncodeToString(b),
		exitFile: filepath.Join(home, "exit"), logFile: filepath.Join(home, "cache", "tmtui", "tmtui.log")}
	argv := append([]string{bin}, args...)
	script := fmt.Sprintf("%s; echo $? > %s", shellQuote(argv), term.exitFile)
	cmd := exec.Command("tmux", "-L", term.socket, "-f", "/dev/null", "new-session", "-d", "-c", dir,
		"-x", "120", "-y", "40", "sh", "-c", script)
	cmd.Env = isolatedEnv(home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}
