package docker_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/docker"
)

// fakeEnv is a made-up environment: only the variables given are set.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeContext stores a Docker CLI context under configDir the way
// `docker context create` does: meta/<sha256 hex of the name>/meta.json.
func writeContext(t *testing.T, configDir, name, host string) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	meta := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	write(t, filepath.Join(configDir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"), meta)
}

func TestResolveHost(t *testing.T) {
	type setup func(t *testing.T, home string) map[string]string
	cases := []struct {
		name     string
		goos     string
		setup    setup
		wantHost string // "{home}" stands for the temp home
		wantFrom string
		wantErr  string
	}{{
		name: "DOCKER_HOST wins over the CLI's current context",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"desktop-linux"}`)
			writeContext(t, filepath.Join(home, ".docker"), "desktop-linux", "unix:///from/context.sock")
			return map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2375", "DOCKER_CONTEXT": "desktop-linux"}
		},
		wantHost: "tcp://127.0.0.1:2375", wantFrom: "DOCKER_HOST",
	}, {
		name: "current context from ~/.docker/config.json",
		goos: "darwin",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"auths":{},"currentContext":"desktop-linux"}`)
			writeContext(t, filepath.Join(home, ".docker"), "desktop-linux", "unix://"+home+"/.docker/run/docker.sock")
			writeContext(t, filepath.Join(home, ".docker"), "other", "unix:///wrong.sock")
			return nil
		},
		wantHost: "unix://{home}/.docker/run/docker.sock", wantFrom: `docker context "desktop-linux"`,
	}, {
		name: "DOCKER_CONFIG moves the CLI's settings",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			cfg := filepath.Join(home, "elsewhere")
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"not-this-one"}`)
			write(t, filepath.Join(cfg, "config.json"), `{"currentContext":"colima"}`)
			writeContext(t, cfg, "colima", "unix://"+home+"/.colima/default/docker.sock")
			return map[string]string{"DOCKER_CONFIG": cfg}
		},
		wantHost: "unix://{home}/.colima/default/docker.sock", wantFrom: `docker context "colima"`,
	}, {
		name: "DOCKER_CONTEXT wins over config.json",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"desktop-linux"}`)
			writeContext(t, filepath.Join(home, ".docker"), "desktop-linux", "unix:///desktop.sock")
			writeContext(t, filepath.Join(home, ".docker"), "rancher-desktop", "unix:///rancher.sock")
			return map[string]string{"DOCKER_CONTEXT": "rancher-desktop"}
		},
		wantHost: "unix:///rancher.sock", wantFrom: `docker context "rancher-desktop"`,
	}, {
		name: "context \"default\" means the platform's sockets",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"default"}`)
			return nil
		},
		wantHost: "unix:///var/run/docker.sock", wantFrom: "the default socket",
	}, {
		name:     "no config.json on Linux, no Desktop socket: the system socket",
		goos:     "linux",
		setup:    func(t *testing.T, home string) map[string]string { return nil },
		wantHost: "unix:///var/run/docker.sock", wantFrom: "the default socket",
	}, {
		name: "no config.json on Linux, Docker Desktop's socket present",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "desktop", "docker.sock"), "")
			return nil
		},
		wantHost: "unix://{home}/.docker/desktop/docker.sock", wantFrom: "Docker Desktop's socket",
	}, {
		name: "macOS looks in ~/.docker/run, not Linux's folder",
		goos: "darwin",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "desktop", "docker.sock"), "")
			write(t, filepath.Join(home, ".docker", "run", "docker.sock"), "")
			return nil
		},
		wantHost: "unix://{home}/.docker/run/docker.sock", wantFrom: "Docker Desktop's socket",
	}, {
		name: "macOS without Docker Desktop's socket",
		goos: "darwin",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "desktop", "docker.sock"), "")
			return nil
		},
		wantHost: "unix:///var/run/docker.sock", wantFrom: "the default socket",
	}, {
		name:     "Windows: Docker Desktop's named pipe",
		goos:     "windows",
		setup:    func(t *testing.T, home string) map[string]string { return nil },
		wantHost: "npipe:////./pipe/docker_engine", wantFrom: "the default socket",
	}, {
		name: "a current context whose meta.json is missing is an error, not another engine",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"gone"}`)
			return nil
		},
		wantErr: `docker context "gone"`,
	}, {
		name: "a broken config.json is named",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":`)
			return nil
		},
		wantErr: "config.json",
	}, {
		name: "a context without a docker endpoint is an error",
		goos: "linux",
		setup: func(t *testing.T, home string) map[string]string {
			write(t, filepath.Join(home, ".docker", "config.json"), `{"currentContext":"k8s-only"}`)
			writeContext(t, filepath.Join(home, ".docker"), "k8s-only", "")
			return nil
		},
		wantErr: "no Docker endpoint",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			vars := tc.setup(t, home)
			ep, err := docker.ResolveHost(docker.HostEnv{Getenv: fakeEnv(vars), Home: home, GOOS: tc.goos})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q (endpoint %+v)", err, tc.wantErr, ep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tc.wantHost, "{home}", home)
			if ep.Host != want || ep.From != tc.wantFrom {
				t.Fatalf("endpoint = %+v, want host %q from %q", ep, want, tc.wantFrom)
			}
		})
	}
}

// Without a home folder (a service account, say) nothing is read from the
// working directory: the platform's socket is the answer.
func TestResolveHostWithoutHome(t *testing.T) {
	t.Chdir(t.TempDir())
	write(t, filepath.Join(".docker", "config.json"), `{"currentContext":"gone"}`)
	ep, err := docker.ResolveHost(docker.HostEnv{Getenv: fakeEnv(nil), GOOS: "linux"})
	if err != nil || ep.Host != "unix:///var/run/docker.sock" {
		t.Fatalf("endpoint %+v, %v; want the system socket", ep, err)
	}
}

func TestUnreachableErrorSaysWhatToDo(t *testing.T) {
	ep := docker.Endpoint{Host: "unix:///var/run/docker.sock", From: "the default socket"}
	down := &docker.UnreachableError{Endpoint: ep, Err: errors.New("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")}
	if got, want := down.Error(), "docker engine not reachable at unix:///var/run/docker.sock (from the default socket): is Docker Desktop running?"; got != want {
		t.Errorf("engine down: %q, want %q", got, want)
	}
	denied := &docker.UnreachableError{Endpoint: ep, Err: errors.New("permission denied while trying to connect to the docker API at unix:///var/run/docker.sock")}
	if got := denied.Error(); !strings.Contains(got, "permission denied") || !strings.Contains(got, "docker group") {
		t.Errorf("permission denied: %q, want it to say so and name the docker group", got)
	}
	if !docker.IsUnreachable(fmt.Errorf("listing images: %w", down)) || docker.IsUnreachable(errors.New("other")) {
		t.Error("IsUnreachable does not tell the two apart")
	}
}
