package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// Bad input, as people give it to the real binary: every case ends with its
// own message, no panic or stack trace, the files it was given unchanged,
// and nothing sent to the cluster (an API server stand-in records every
// request that reaches it).

// apiRecorder stands in for the API server on loopback: it answers the
// version probe and records every request.
type apiRecorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []string
}

func newAPIRecorder(t *testing.T, cert *tls.Certificate) *apiRecorder {
	t.Helper()
	r := &apiRecorder{}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if req.URL.Path == "/version" {
			fmt.Fprint(w, `{"major":"1","minor":"36","gitVersion":"v1.36.3"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
	}))
	if cert != nil {
		r.srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	// TLS handshake failures are what some cases are about; keep them out
	// of the test's output.
	r.srv.Config.ErrorLog = quietLog()
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func (r *apiRecorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// caPEM is the certificate a kubeconfig must trust to reach the recorder.
func (r *apiRecorder) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
}

// kubeconfigFor is a kubeconfig with one context, "rec", for server.
func kubeconfigFor(server string, caPEM []byte, extra string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: rec
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: rec
  context: {cluster: rec, user: rec%s}
current-context: rec
users:
- name: rec
  user: {token: not-a-real-token}
`, server, b64(caPEM), extra)
}

// testCert makes a certificate for 127.0.0.1, valid from notBefore to
// notAfter, signed by parent (self-signed when parent is nil).
func testCert(t *testing.T, isCA bool, notBefore, notAfter time.Time, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "tmtui-test"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// cliCase is one run of the binary. Its kubeconfig, when it needs one, is
// written by kubeconfig from the recorder the case gets.
type cliCase struct {
	name       string
	args       func(c *caseDir) []string
	env        func(c *caseDir) []string
	cert       func(t *testing.T) *tls.Certificate // the recorder's own; nil: httptest's
	code       int
	stdout     func(c *caseDir) []string // all must appear
	stderr     func(c *caseDir) []string
	oneLineErr bool // stderr is exactly one line
}

// caseDir is a case's own folder, HOME and recorder.
type caseDir struct {
	t   *testing.T
	dir string
	rec *apiRecorder
}

func (c *caseDir) write(name, body string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, "files", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// goodKubeconfig points at the recorder and trusts it.
func (c *caseDir) goodKubeconfig() string {
	return c.write("kubeconfig", kubeconfigFor(c.rec.srv.URL, c.rec.caPEM(), ""))
}

func (c *caseDir) file(name string) string { return filepath.Join(c.dir, "files", name) }

func lit(s ...string) func(*caseDir) []string { return func(*caseDir) []string { return s } }

// The kubeconfig given through KUBECONFIG, and doctor, the command that
// reports on it without a terminal.
func kubeconfigEnv(name, body string) (func(*caseDir) []string, func(*caseDir) []string) {
	return func(*caseDir) []string { return []string{"doctor"} },
		func(c *caseDir) []string { return []string{"KUBECONFIG=" + c.write(name, body)} }
}

func doctorWith(name, body string) func(*caseDir) []string {
	return func(c *caseDir) []string { return []string{"doctor", "--kubeconfig", c.write(name, body)} }
}

func uiWithConfig(body string) func(*caseDir) []string {
	return func(c *caseDir) []string {
		return []string{"--kubeconfig", c.goodKubeconfig(), "--config", c.write("config.yaml", body)}
	}
}

const usageHint = " (run 'tmtui --help' for usage)"

func cliCases() []cliCase {
	parseError := func(name string, args []string, msg string) cliCase {
		return cliCase{name: name, args: lit(args...), code: 2, stderr: lit("tmtui: " + msg + usageHint + "\n"), oneLineErr: true}
	}
	doctorFail := func(detail func(c *caseDir) string) func(*caseDir) []string {
		return func(c *caseDir) []string { return []string{"cluster reachable  FAIL    ", detail(c) + "\n"} }
	}
	configError := func(name, body string, msg func(c *caseDir) string) cliCase {
		return cliCase{name: name, args: uiWithConfig(body), code: 2, oneLineErr: true,
			stderr: func(c *caseDir) []string { return []string{"tmtui: config: " + msg(c)} }}
	}
	cfg := func(rest string) func(c *caseDir) string {
		return func(c *caseDir) string { return c.file("config.yaml") + rest }
	}
	incomplete := func(problem string) func(c *caseDir) string {
		return func(c *caseDir) string {
			return fmt.Sprintf("context \"rec\" in kubeconfig %s is incomplete (%s): fix the file, or pick another context with --context", c.file("kubeconfig"), problem)
		}
	}
	noConfig := func(c *caseDir) string {
		return "no Kubernetes configuration found: enable Kubernetes in Docker Desktop, or run `make demo` to start the local sandbox (looked in " + c.file("kubeconfig") + ")"
	}
	notValid := func(problem string) func(c *caseDir) string {
		return func(c *caseDir) string {
			return "kubeconfig " + c.file("kubeconfig") + " is not valid (" + problem + "): fix or replace the file, or point --kubeconfig at another one"
		}
	}
	now := time.Now()
	var cases []cliCase
	add := func(cs ...cliCase) { cases = append(cases, cs...) }

	// The command line.
	add(
		parseError("unknown flag", []string{"--bogus"}, "unknown flag: --bogus"),
		parseError("unknown shorthand", []string{"-x"}, "unknown shorthand flag: 'x' in -x"),
		parseError("flag without its value", []string{"--kubeconfig"}, "flag needs an argument: --kubeconfig"),
		parseError("namespace flag without a value", []string{"-n"}, "flag needs an argument: 'n' in -n"),
		parseError("not a boolean", []string{"--no-color=maybe"}, `invalid argument "maybe" for "--no-color" flag: must be true or false`),
		parseError("unknown command", []string{"deploy"}, `unknown command "deploy"`),
		parseError("version with an extra word", []string{"version", "extra"}, `unknown command "version"`),
		parseError("doctor with an extra word", []string{"doctor", "now"}, `unknown command "doctor"`),
		cliCase{name: "context that does not exist",
			args: func(c *caseDir) []string {
				return []string{"doctor", "--kubeconfig", c.goodKubeconfig(), "--context", "nope"}
			},
			code: doctorUnreachable,
			stdout: doctorFail(func(*caseDir) string {
				return `context "nope" not found in the kubeconfig: available contexts: rec`
			})},
	)

	// KUBECONFIG and --kubeconfig.
	missingArgs, missingEnv := func(*caseDir) []string { return []string{"doctor"} },
		func(c *caseDir) []string { return []string{"KUBECONFIG=" + c.file("kubeconfig")} }
	add(cliCase{name: "KUBECONFIG names a missing file", args: missingArgs, env: missingEnv, code: doctorUnreachable, stdout: doctorFail(noConfig)})
	add(cliCase{name: "--kubeconfig names a missing file",
		args: func(c *caseDir) []string { return []string{"doctor", "--kubeconfig", c.file("kubeconfig")} }, code: doctorUnreachable,
		stdout: doctorFail(func(c *caseDir) string {
			return "kubeconfig " + c.file("kubeconfig") + " does not exist: check the path given with --kubeconfig or in KUBECONFIG"
		})})
	a, e := kubeconfigEnv("kubeconfig", "")
	add(cliCase{name: "KUBECONFIG names an empty file", args: a, env: e, code: doctorUnreachable, stdout: doctorFail(noConfig)})
	add(cliCase{name: "--kubeconfig names an empty file", args: doctorWith("kubeconfig", ""), code: doctorUnreachable,
		stdout: doctorFail(func(c *caseDir) string {
			return "kubeconfig " + c.file("kubeconfig") + " defines no contexts: point --kubeconfig at the file your cluster wrote (Docker Desktop: ~/.kube/config)"
		})})
	a, e = kubeconfigEnv("kubeconfig", "{{{ not: yaml")
	add(cliCase{name: "KUBECONFIG names a corrupt file", args: a, env: e, code: doctorUnreachable,
		stdout: doctorFail(notValid("yaml: line 1: did not find expected ',' or '}'"))})
	add(cliCase{name: "kubeconfig holds a Pod", args: doctorWith("kubeconfig", "apiVersion: v1\nkind: Pod\n"), code: doctorUnreachable,
		stdout: doctorFail(notValid("it describes a Pod, not a kubeconfig"))})
	add(cliCase{name: "kubeconfig field of the wrong type", args: doctorWith("kubeconfig", "apiVersion: v1\nkind: Config\nclusters: 5\n"),
		code: doctorUnreachable, stdout: doctorFail(notValid("field clusters has the wrong type"))})
	add(cliCase{name: "kubeconfig is binary junk", args: doctorWith("kubeconfig", "\x00\x01\x02\xff\xfe"), code: doctorUnreachable,
		stdout: lit("cluster reachable  FAIL    ", "kubeconfig ", "is not valid (")})
	add(cliCase{name: "KUBECONFIG names a directory",
		args: lit("doctor"), env: func(c *caseDir) []string { return []string{"KUBECONFIG=" + c.dir} }, code: doctorUnreachable,
		stdout: doctorFail(func(c *caseDir) string {
			return "cannot read kubeconfig " + c.dir + " (is a directory): check the file's permissions, or point --kubeconfig at another file"
		})})
	add(cliCase{name: "context names a cluster nobody defines",
		args: func(c *caseDir) []string {
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", strings.Replace(kubeconfigFor(c.rec.srv.URL, c.rec.caPEM(), ""), "{cluster: rec,", "{cluster: elsewhere,", 1))}
		}, code: doctorUnreachable, stdout: doctorFail(incomplete(`it names cluster "elsewhere", which no kubeconfig file defines`))})
	add(cliCase{name: "context names a user nobody defines",
		args: func(c *caseDir) []string {
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", strings.Replace(kubeconfigFor(c.rec.srv.URL, c.rec.caPEM(), ""), "user: rec}", "user: ghost}", 1))}
		}, code: doctorUnreachable, stdout: doctorFail(incomplete(`it names user "ghost", which no kubeconfig file defines`))})
	add(cliCase{name: "cluster without a server address",
		args: func(c *caseDir) []string {
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", kubeconfigFor("", c.rec.caPEM(), ""))}
		}, code: doctorUnreachable, stdout: doctorFail(incomplete(`cluster "rec" has no server address`))})
	add(cliCase{name: "certificate authority file missing",
		args: func(c *caseDir) []string {
			body := strings.Replace(kubeconfigFor(c.rec.srv.URL, nil, ""), "certificate-authority-data: ", "certificate-authority: "+c.file("ca.crt"), 1)
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", body)}
		}, code: doctorUnreachable, stdout: lit("cluster reachable  FAIL    ", `context "rec" in kubeconfig `, "is incomplete (", "ca.crt")})
	add(cliCase{name: "certificate authority data is not a certificate",
		args: func(c *caseDir) []string {
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", kubeconfigFor(c.rec.srv.URL, []byte("not a certificate"), ""))}
		}, code: doctorUnreachable, stdout: lit("cluster reachable  FAIL    ", `context "rec" in kubeconfig `, "is incomplete (")})
	add(cliCase{name: "server certificate expired",
		cert: func(t *testing.T) *tls.Certificate {
			_, _, c := testCert(t, true, now.Add(-48*time.Hour), now.Add(-24*time.Hour), nil, nil)
			return &c
		},
		args: func(c *caseDir) []string {
			// The kubeconfig trusts exactly the expired certificate the server shows.
			leaf, _ := x509.ParseCertificate(c.rec.srv.TLS.Certificates[0].Certificate[0])
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", kubeconfigFor(c.rec.srv.URL, certPEM(leaf), ""))}
		}, code: doctorUnreachable, stdout: doctorFail(func(c *caseDir) string {
			return "cannot verify the certificate of " + c.rec.srv.URL + " (invalid or expired): the kubeconfig may be out of date: reset Kubernetes in Docker Desktop, or restart the sandbox (`make sandbox-up`)"
		})})
	var expiredCA *x509.Certificate
	add(cliCase{name: "certificate authority expired",
		cert: func(t *testing.T) *tls.Certificate {
			ca, caKey, _ := testCert(t, true, now.Add(-48*time.Hour), now.Add(-24*time.Hour), nil, nil)
			_, _, leaf := testCert(t, false, now.Add(-time.Hour), now.Add(24*time.Hour), ca, caKey)
			expiredCA = ca
			return &leaf
		},
		args: func(c *caseDir) []string {
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", kubeconfigFor(c.rec.srv.URL, certPEM(expiredCA), ""))}
		}, code: doctorUnreachable, stdout: lit("cluster reachable  FAIL    ", "cannot verify the certificate of https://127.0.0.1:", " (invalid or expired): the kubeconfig may be out of date")})
	add(cliCase{name: "server certificate for another authority",
		cert: func(t *testing.T) *tls.Certificate {
			_, _, c := testCert(t, true, now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
			return &c
		},
		args: func(c *caseDir) []string {
			other, _, _ := testCert(c.t, true, now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
			return []string{"doctor", "--kubeconfig", c.write("kubeconfig", kubeconfigFor(c.rec.srv.URL, certPEM(other), ""))}
		}, code: doctorUnreachable, stdout: doctorFail(func(c *caseDir) string {
			return "cannot verify the certificate of " + c.rec.srv.URL + " (signed by an unknown authority): the kubeconfig may be out of date: reset Kubernetes in Docker Desktop, or restart the sandbox (`make sandbox-up`)"
		})})

	// The key bindings file.
	add(
		configError("config: malformed YAML", "keys:\n  pods: [\n", cfg(": not valid YAML: line 2: did not find expected node content")),
		configError("config: not a mapping", "- a\n", cfg(`:1: the config file must be a mapping with a "keys:" section`)),
		configError("config: unknown setting", "colour: red\n", cfg(`:1: unknown setting "colour" (known: keys, images)`)),
		configError("config: unknown section", "keys:\n  podz:\n    up: k\n", cfg(`:2: unknown section "podz" under keys`)),
		configError("config: unknown key", "keys:\n  pods:\n    scal_up: u\n", cfg(`:3: unknown key "scal_up" in keys.pods`)),
		configError("config: clashing binding", "keys:\n  pods:\n    delete: r\n", cfg(`:3: keys.pods.restart and keys.pods.delete both use "r"; give one of them another key`)),
		configError("config: binding clashes with a global key", "keys:\n  logs:\n    wrap: z\n", cfg(`:3: keys.global.zoom and keys.logs.wrap both use "z"`)),
		configError("config: binding names no key", "keys:\n  pods:\n    scale_up: \"\"\n", cfg(":3: keys.pods.scale_up names no key")),
		configError("config: empty list of keys", "keys:\n  logs:\n    save: []\n", cfg(":3: keys.logs.save names no key")),
		configError("config: not a key name", "keys:\n  pods:\n    delete: ctrl+\n", cfg(`:3: keys.pods.delete: "ctrl+" is not a key name`)),
		configError("config: unknown modifier", "keys:\n  pods:\n    delete: cmd+d\n", cfg(`:3: keys.pods.delete: "cmd+d" is not a key name`)),
		cliCase{name: "config: a directory", code: 2, oneLineErr: true,
			args: func(c *caseDir) []string { return []string{"--kubeconfig", c.goodKubeconfig(), "--config", c.dir} },
			stderr: func(c *caseDir) []string {
				return []string{"tmtui: config: cannot read the config file: read " + c.dir + ": is a directory\n"}
			}},
	)

	// No terminal: stdin and stdout are not one, and the process has no
	// controlling terminal to open instead.
	add(cliCase{name: "no TTY", args: func(c *caseDir) []string { return []string{"--kubeconfig", c.goodKubeconfig()} },
		code: 1, oneLineErr: true, stderr: lit("tmtui: the terminal UI failed: bubbletea: error opening TTY: ")})
	add(cliCase{name: "no TTY and TERM=dumb", args: func(c *caseDir) []string { return []string{"--kubeconfig", c.goodKubeconfig()} },
		env: lit("TERM=dumb"), code: 1, oneLineErr: true, stderr: lit("tmtui: the terminal UI failed: bubbletea: error opening TTY: ")})
	return cases
}

func TestBadInputIsRefusedWithItsMessageAndNothingSent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary; skipped under -short (make test runs it)")
	}
	bin := buildTmtui(t) // waits for its build (TestMain) before the tests run side by side
	t.Parallel()
	cases := cliCases()
	if len(cases) < 40 {
		t.Errorf("%d cases, the issue asks for at least 40", len(cases))
	}
	counters := map[string]*testenv.Counter{}
	for _, class := range []string{"Flags and environment", "Config file", "Terminal"} {
		counters[class] = testenv.Count(t, testenv.SectionBadInput, class)
		counters[class].Figure("the real binary: each case its own message and exit code, no stack trace or crash file, no request reached the API server stand-in, the files given unchanged")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			counters[badInputClass(tc.name)].Trial(t)
			t.Parallel()
			var cert *tls.Certificate
			if tc.cert != nil {
				cert = tc.cert(t)
			}
			c := &caseDir{t: t, dir: t.TempDir(), rec: newAPIRecorder(t, cert)}
			args := tc.args(c)
			var env []string
			if tc.env != nil {
				env = tc.env(c)
			}
			before := snapshot(t, filepath.Join(c.dir, "files"))
			code, stdout, stderr := runDetached(t, bin, c.dir, env, append([]string{"--log-file", filepath.Join(c.dir, "tmtui.log")}, args...)...)

			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if tc.stdout != nil {
				for _, want := range tc.stdout(c) {
					if !strings.Contains(stdout, want) {
						t.Errorf("stdout lacks %q:\n%s", want, stdout)
					}
				}
			}
			if tc.stderr != nil {
				for _, want := range tc.stderr(c) {
					if !strings.Contains(stderr, want) {
						t.Errorf("stderr lacks %q:\n%s", want, stderr)
					}
				}
			} else if stderr != "" {
				t.Errorf("stderr = %q, want nothing (logs belong in the log file)", stderr)
			}
			if tc.oneLineErr && (strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n")) {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if tc.code == 2 && stdout != "" {
				t.Errorf("a refused command line wrote to stdout: %q", stdout)
			}
			assertNoCrash(t, c.dir, stdout+stderr)
			if reqs := c.rec.requests(); len(reqs) > 0 {
				t.Errorf("requests reached the cluster: %q", reqs)
			}
			if after := snapshot(t, filepath.Join(c.dir, "files")); !equalSnapshots(before, after) {
				t.Errorf("the files given to tmtui changed")
			}
		})
	}
}

// A namespace name that can never exist (capitals, underscore, a leading
// dash, too long) is refused on the command line (parseArgs checks -n with
// k8s.ValidateNamespaceName) with exit 2, by doctor and the TUI alike,
// before the cluster is asked anything. Kept out of cliCases because it
// also proves that no request reached the cluster.
func TestBadNamespaceFlagIsRefusedBeforeAnythingIsAsked(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary; skipped under -short (make test runs it)")
	}
	bin := buildTmtui(t) // waits for its build (TestMain) before the tests run side by side
	t.Parallel()
	count := testenv.Count(t, testenv.SectionBadInput, "Flags and environment")
	for _, ns := range []string{"TaskMaster", "task_master", "-taskmaster", strings.Repeat("n", 64)} {
		t.Run(ns, func(t *testing.T) {
			count.Trial(t)
			t.Parallel()
			c := &caseDir{t: t, dir: t.TempDir(), rec: newAPIRecorder(t, nil)}
			for _, args := range [][]string{{"doctor"}, {}} {
				args = append(args, "--kubeconfig", c.goodKubeconfig(), "-n", ns, "--log-file", filepath.Join(c.dir, "tmtui.log"))
				code, stdout, stderr := runDetached(t, bin, c.dir, nil, args...)
				if code != 2 || !strings.Contains(stderr, "namespace") || !strings.Contains(stderr, "run 'tmtui --help'") {
					t.Errorf("%v: exit %d, want 2 with a namespace message\n%s%s", args, code, stdout, stderr)
				}
				assertNoCrash(t, c.dir, stdout+stderr)
			}
			if reqs := c.rec.requests(); len(reqs) != 0 {
				t.Errorf("the cluster was asked something: %v", reqs)
			}
		})
	}
}

// badInputClass is the class of docs/reliability.md a case of cliCases
// counts in.
func badInputClass(name string) string {
	switch {
	case strings.HasPrefix(name, "config:"):
		return "Config file"
	case strings.Contains(name, "TTY") || strings.Contains(name, "TERM"):
		return "Terminal"
	}
	return "Flags and environment"
}

// assertNoCrash checks that nothing panicked: no stack on the screen and
// no crash file.
func assertNoCrash(t *testing.T, home, output string) {
	t.Helper()
	for _, marker := range []string{"panic", "goroutine ", ".go:", "runtime."} {
		if strings.Contains(output, marker) {
			t.Errorf("output holds %q, a sign of a crash:\n%s", marker, output)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(home, "cache", "tmtui", "crash-*")); len(files) > 0 {
		t.Errorf("crash files: %v", files)
	}
}

// runDetached runs the binary with home as HOME and its XDG folders, with
// no terminal at all (a new session, stdin from /dev/null), and returns its
// exit code and output.
func runDetached(t *testing.T, bin, home string, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(isolatedEnv(home), env...)
	detach(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("running tmtui: %v", err)
	}
	return 0, stdout.String(), stderr.String()
}

// isolatedEnv keeps the person's kubeconfig, config and caches out of
// reach, and the Docker engine (which doctor asks about) away.
func isolatedEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"DOCKER_HOST=unix://" + filepath.Join(home, "no-docker.sock"),
		"TERM=xterm-256color",
	}
}

// snapshot reads every file under dir, so a case can prove it changed none.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			files[p] = hex.EncodeToString(data)
		}
		return nil
	})
	return files
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
