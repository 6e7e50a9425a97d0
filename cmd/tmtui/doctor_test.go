package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// runDoctor runs the real binary's doctor on the sandbox, in namespace ns,
// and returns its exit code and output. stderr must stay empty.
func runDoctor(t *testing.T, args ...string) (int, string) {
	t.Helper()
	bin := buildTmtui(t)
	logFile := filepath.Join(t.TempDir(), "tmtui.log")
	cmd := exec.Command(bin, append([]string{"doctor", "--kubeconfig", testenv.Kubeconfig(t), "--log-file", logFile}, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+testenv.DockerHost(t))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("doctor wrote to stderr:\n%s", stderr.String())
	}
	if logs, err := os.ReadFile(logFile); err != nil || !strings.Contains(string(logs), "preflight") {
		t.Errorf("the log file lacks the preflight line (%v)", err)
	}
	return code, stdout.String()
}

// row finds the table row of a check and returns its result word.
func row(t *testing.T, out, check string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(check) + `\s+(ok|WARN|FAIL)\s+(.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q row in:\n%s", check, out)
	}
	return m[1] + " " + m[2]
}

func helmRecord(t *testing.T, cs kubernetes.Interface, ns, release string, revision int, status string) {
	t.Helper()
	_, err := cs.CoreV1().Secrets(ns).Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:   fmt.Sprintf("sh.helm.release.v1.%s.v%d", release, revision),
			Labels: map[string]string{"owner": "helm", "name": release, "status": status, "version": fmt.Sprint(revision)},
		},
		Type: "helm.sh/release.v1",
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDoctorExitCodes(t *testing.T) {
	cs := testenv.Clientset(t)

	t.Run("nothing set up: warnings only, exit 0", func(t *testing.T) {
		code, out := runDoctor(t, "-n", "tmtui-absent-doctor")
		if code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, out)
		}
		for check, want := range map[string]string{
			"cluster reachable": "ok context tmtui-sandbox at https://127.0.0.1:",
			"context local":     "ok tmtui-sandbox is a cluster on this machine",
			"namespace":         "WARN tmtui-absent-doctor does not exist yet",
			"secret":            "WARN taskmaster-secret does not exist",
			"release":           "ok taskmaster is not installed yet",
			"permissions":       "ok all ",
		} {
			if got := row(t, out, check); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %q, want %q...", check, got, want)
			}
		}
		if strings.Contains(out, "FAIL") || !strings.Contains(out, "What to do:\n  namespace: tmtui's setup creates it") {
			t.Errorf("output:\n%s", out)
		}
	})

	t.Run("failed release and incomplete secret: exit 1", func(t *testing.T) {
		ns := testenv.Namespace(t, cs)
		_, err := cs.CoreV1().Secrets(ns).Create(t.Context(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-secret"},
			Data:       map[string][]byte{"database-url": []byte("postgresql://user:pass@db.invalid/app")},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		helmRecord(t, cs, ns, "demo", 1, "deployed")
		helmRecord(t, cs, ns, "demo", 2, "failed")
		code, out := runDoctor(t, "-n", ns, "--release", "demo")
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", code, out)
		}
		if got := row(t, out, "release"); got != "FAIL demo revision 2 failed" {
			t.Errorf("release row %q", got)
		}
		if got := row(t, out, "secret"); got != "FAIL taskmaster-secret lacks openai-api-key, jwt-secret" {
			t.Errorf("secret row %q", got)
		}
		if !strings.Contains(out, "2 failed") || strings.Contains(out, "user:pass") {
			t.Errorf("output:\n%s", out)
		}
	})

	t.Run("complete: exit 0", func(t *testing.T) {
		ns := testenv.Namespace(t, cs)
		_, err := cs.CoreV1().Secrets(ns).Create(t.Context(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "taskmaster-secret"},
			Data: map[string][]byte{
				"database-url": []byte("postgresql://user:pass@db.invalid/app"), "openai-api-key": []byte("sk-test-0000"),
				"jwt-secret": []byte(strings.Repeat("j", 40)),
			},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		helmRecord(t, cs, ns, "taskmaster", 1, "deployed")
		code, out := runDoctor(t, "-n", ns, "--backend-tag", "doctor-test", "--frontend-tag", "doctor-test")
		if code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, out)
		}
		for check, want := range map[string]string{
			"namespace": "ok " + ns + " exists",
			"secret":    "ok taskmaster-secret has database-url, openai-api-key, jwt-secret",
			"release":   "ok taskmaster revision 1 is deployed",
			// The tags asked for, looked up in the test's Docker engine.
			"images": "WARN not found locally: taskmaster-backend:doctor-test, taskmaster-frontend:doctor-test",
		} {
			if got := row(t, out, check); got != want {
				t.Errorf("%s: %q, want %q", check, got, want)
			}
		}
	})
}
