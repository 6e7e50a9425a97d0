package k8s

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kubeconfig writes a kubeconfig with one cluster at server and the given
// contexts (all pointing at it), and returns its path.
func kubeconfig(t *testing.T, server, current string, contexts map[string]string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Config\ncurrent-context: %q\n", current)
	fmt.Fprintf(&b, "clusters:\n- name: c\n  cluster:\n    server: %s\n", server)
	b.WriteString("users:\n- name: u\n  user:\n    token: secret-token\n")
	b.WriteString("contexts:\n")
	for name, ns := range contexts {
		fmt.Fprintf(&b, "- name: %s\n  context:\n    cluster: c\n    user: u\n", name)
		if ns != "" {
			fmt.Fprintf(&b, "    namespace: %s\n", ns)
		}
	}
	return writeFile(t, b.String())
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// apiServer answers /version like a Kubernetes API server would.
func apiServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	if handler == nil {
		handler = func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/version" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"major":"1","minor":"36","gitVersion":"v1.36.3","platform":"linux/amd64"}`)
		}
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// connectErr runs Connect and insists on a *ConnectError of the wanted kind.
func connectErr(t *testing.T, ctx context.Context, o ConnectOptions, want ErrorKind) *ConnectError {
	t.Helper()
	client, _, err := Connect(ctx, o)
	if err == nil {
		t.Fatalf("Connect succeeded, want a %s error", want)
	}
	if client != nil {
		t.Errorf("Connect returned a client along with error %v", err)
	}
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T (%v) is not a *ConnectError", err, err)
	}
	if ce.Kind != want {
		t.Fatalf("Kind = %s, want %s; error: %v", ce.Kind, want, err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "&{") {
		t.Errorf("error text is not one human line: %q", msg)
	}
	return ce
}

func assertContains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not contain %q", got, want)
		}
	}
}

// isolate keeps a test from reading the real ~/.kube/config of whoever runs it.
func isolate(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
}

func TestConnectSucceeds(t *testing.T) {
	isolate(t)
	var userAgent string
	srv := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
		userAgent = r.UserAgent()
		fmt.Fprint(w, `{"major":"1","minor":"36","gitVersion":"v1.36.3"}`)
	})
	path := kubeconfig(t, srv.URL, "tmtui-sandbox", map[string]string{"tmtui-sandbox": ""})

	client, info, err := Connect(t.Context(), ConnectOptions{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	want := ClusterInfo{Context: "tmtui-sandbox", Server: srv.URL, ServerVersion: "v1.36.3", Namespace: DefaultNamespace}
	if info != want {
		t.Errorf("info = %+v, want %+v", info, want)
	}
	if client.Info() != info || client.Clientset() == nil || client.RESTConfig().Host != srv.URL {
		t.Errorf("client does not match the connection: %+v", client.Info())
	}
	if client.RESTConfig().Timeout != 0 {
		t.Errorf("shared config has timeout %v; it would cut off watches", client.RESTConfig().Timeout)
	}
	if !strings.HasPrefix(userAgent, "tmtui/") {
		t.Errorf("User-Agent = %q, want tmtui/<version>", userAgent)
	}
}

func TestConnectChoosesNamespace(t *testing.T) {
	isolate(t)
	srv := apiServer(t, nil)
	path := kubeconfig(t, srv.URL, "plain", map[string]string{"plain": "", "with-ns": "team"})
	tests := []struct {
		name string
		o    ConnectOptions
		want string
	}{
		{"default for the app", ConnectOptions{Kubeconfig: path}, "taskmaster"},
		{"from the context", ConnectOptions{Kubeconfig: path, Context: "with-ns"}, "team"},
		{"flag beats context", ConnectOptions{Kubeconfig: path, Context: "with-ns", Namespace: "mine"}, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, info, err := Connect(t.Context(), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if info.Namespace != tt.want {
				t.Errorf("Namespace = %q, want %q", info.Namespace, tt.want)
			}
		})
	}
}

func TestConnectMergesTheKubeconfigList(t *testing.T) {
	srv := apiServer(t, nil)
	first := kubeconfig(t, srv.URL, "first", map[string]string{"first": ""})
	second := kubeconfig(t, "http://127.0.0.1:1", "", map[string]string{"second": ""})
	t.Setenv("KUBECONFIG", first+string(filepath.ListSeparator)+second)

	_, info, err := Connect(t.Context(), ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Context != "first" {
		t.Errorf("Context = %q, want the first file's current context", info.Context)
	}
	ce := connectErr(t, t.Context(), ConnectOptions{Context: "nope"}, KindContextNotFound)
	assertContains(t, ce.Error(), "first, second")
}

func TestConnectWithoutAnyKubeconfig(t *testing.T) {
	isolate(t)
	ce := connectErr(t, t.Context(), ConnectOptions{}, KindNoConfig)
	assertContains(t, ce.Error(),
		"no Kubernetes configuration found: enable Kubernetes in Docker Desktop, or run `make demo` to start the local sandbox",
		os.Getenv("KUBECONFIG"))
}

func TestConnectWithMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindConfigFile)
	if ce.File != path {
		t.Errorf("File = %q, want %q", ce.File, path)
	}
	assertContains(t, ce.Error(), path, "does not exist")
}

func TestConnectWithCorruptFile(t *testing.T) {
	path := writeFile(t, "apiVersion: v1\nclusters: [this is: not: yaml\n")
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindConfigFile)
	assertContains(t, ce.Error(), "kubeconfig "+path+" is not valid")
}

func TestConnectWithCorruptFileInTheList(t *testing.T) {
	good := kubeconfig(t, "http://127.0.0.1:1", "a", map[string]string{"a": ""})
	bad := writeFile(t, "{{{")
	t.Setenv("KUBECONFIG", good+string(filepath.ListSeparator)+bad)
	ce := connectErr(t, t.Context(), ConnectOptions{}, KindConfigFile)
	if ce.File != bad {
		t.Errorf("File = %q, want the corrupt one, %q", ce.File, bad)
	}
}

func TestConnectWithEmptyFile(t *testing.T) {
	path := writeFile(t, "")
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindConfigFile)
	assertContains(t, ce.Error(), path, "no contexts")
}

func TestConnectWithUnknownContext(t *testing.T) {
	path := kubeconfig(t, "http://127.0.0.1:1", "b", map[string]string{"b": "", "a": ""})
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path, Context: "missing"}, KindContextNotFound)
	assertContains(t, ce.Error(), `context "missing" not found`, "available contexts: a, b")
}

func TestConnectWithoutCurrentContext(t *testing.T) {
	path := kubeconfig(t, "http://127.0.0.1:1", "", map[string]string{"b": "", "a": ""})
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindContextNotFound)
	assertContains(t, ce.Error(), "no current context", "--context: a, b")
}

func TestConnectWithIncompleteContext(t *testing.T) {
	path := writeFile(t, `apiVersion: v1
kind: Config
current-context: broken
contexts:
- name: broken
  context: {cluster: gone, user: gone}
`)
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindConfigFile)
	assertContains(t, ce.Error(), `context "broken"`, path, `cluster "gone"`)
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestConnectToClosedPortIsUnreachable(t *testing.T) {
	server := "https://" + closedPort(t)
	path := kubeconfig(t, server, "docker-desktop", map[string]string{"docker-desktop": ""})

	// Noticed at once: the port refused the connection, which is
	// KindUnreachable; a probe that waited out its timeout would be
	// KindTimeout, and connectErr checks the kind.
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindUnreachable)
	if !errors.Is(ce, syscall.ECONNREFUSED) {
		t.Errorf("cause %v, want the connection refused", ce.Err)
	}
	want := "cluster unreachable at " + server + ": is Kubernetes enabled in Docker Desktop? Is the sandbox running (`make sandbox-up`)?"
	if ce.Error() != want {
		t.Errorf("error = %q\nwant    %q", ce.Error(), want)
	}
	if ce.Context != "docker-desktop" || ce.Server != server {
		t.Errorf("error names context %q and server %q", ce.Context, ce.Server)
	}
}

func TestConnectReportsPartialInfoOnFailure(t *testing.T) {
	server := "https://" + closedPort(t)
	path := kubeconfig(t, server, "docker-desktop", map[string]string{"docker-desktop": ""})
	_, info, err := Connect(t.Context(), ConnectOptions{Kubeconfig: path})
	if err == nil {
		t.Fatal("Connect succeeded against a closed port")
	}
	if info.Context != "docker-desktop" || info.Server != server || info.ServerVersion != "" {
		t.Errorf("info = %+v, want the context and server but no version", info)
	}
}

func TestConnectRejected(t *testing.T) {
	tests := []struct {
		code int
		kind ErrorKind
		text string
	}{
		{http.StatusUnauthorized, KindUnauthorized, "rejected the credentials"},
		{http.StatusForbidden, KindForbidden, "may not read"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			srv := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.code)
				fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","code":%d}`, tt.code)
			})
			path := kubeconfig(t, srv.URL, "ctx", map[string]string{"ctx": ""})
			ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, tt.kind)
			assertContains(t, ce.Error(), tt.text, srv.URL, `"ctx"`)
		})
	}
}

func TestConnectTimesOut(t *testing.T) {
	srv := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answer; return once the client gives up
	})
	path := kubeconfig(t, srv.URL, "slow", map[string]string{"slow": ""})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	ce := connectErr(t, ctx, ConnectOptions{Kubeconfig: path}, KindTimeout)
	assertContains(t, ce.Error(), "did not answer in time")
}

func TestConnectWithUntrustedCertificate(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	path := kubeconfig(t, srv.URL, "tls", map[string]string{"tls": ""})
	ce := connectErr(t, t.Context(), ConnectOptions{Kubeconfig: path}, KindCertificate)
	assertContains(t, ce.Error(), "unknown authority")
}

func TestTargetContext(t *testing.T) {
	path := kubeconfig(t, "http://127.0.0.1:1", "current", map[string]string{"current": "", "other": ""})
	tests := []struct {
		o    ConnectOptions
		want string
	}{
		{ConnectOptions{Kubeconfig: path}, "current"},
		{ConnectOptions{Kubeconfig: path, Context: "other"}, "other"},
		{ConnectOptions{Kubeconfig: filepath.Join(t.TempDir(), "absent")}, ""},
	}
	for _, tt := range tests {
		if got := tt.o.TargetContext(); got != tt.want {
			t.Errorf("%+v.TargetContext() = %q, want %q", tt.o, got, tt.want)
		}
	}
}
