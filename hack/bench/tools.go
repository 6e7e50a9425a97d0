package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

const k9sVersion = "v0.50.16"

// helmCLI is the helm v4 CLI that make test uses too: hack/helmcli.sh
// builds it once into the cache and is the one place its version is written.
func helmCLI(repo string) (string, error) {
	cmd := exec.Command("bash", "hack/helmcli.sh")
	cmd.Dir = repo
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hack/helmcli.sh: %w", err)
	}
	m := regexp.MustCompile(`TMTUI_HELM_CLI=(\S+)`).FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("hack/helmcli.sh printed no TMTUI_HELM_CLI: %q", out)
	}
	return string(m[1]), nil
}

// cacheRoot is where tools are built: TMTUI_CACHE_DIR, else tmtui/ under
// the user's cache folder; never the repository.
func cacheRoot() (string, error) {
	if d := os.Getenv("TMTUI_CACHE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: set TMTUI_CACHE_DIR: %w", err)
	}
	return filepath.Join(d, "tmtui"), nil
}

// goInstall installs pkg@version into <cache>/tools/<name>-<version>/ once
// and returns the binary's path; a binary already there whose recorded
// module version matches is reused.
func goInstall(cache, name, pkg, module, version string) (string, error) {
	dir := filepath.Join(cache, "tools", name+"-"+version)
	bin := filepath.Join(dir, filepath.Base(pkg))
	if hasModuleVersion(bin, module, version) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("Installing %s %s into %s (once; a few minutes) ...\n", name, version, dir)
	cmd := exec.Command("go", "install", pkg+"@"+version)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-buildvcs=false", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", pkg, version, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, filepath.Base(pkg)), bin); err != nil {
		return "", err
	}
	return bin, nil
}

func hasModuleVersion(bin, module, version string) bool {
	if _, err := os.Stat(bin); err != nil {
		return false
	}
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "mod" && f[1] == module {
			return f[2] == version
		}
	}
	return false
}

// buildTmtui builds this checkout's tmtui into the cache.
func buildTmtui(repo, cache string) (string, error) {
	bin := filepath.Join(cache, "bench", "tmtui")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tmtui")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/tmtui: %v\n%s", err, out)
	}
	return bin, nil
}

// tool is one program under test, as a person would run it on the pods view.
type tool struct {
	name string
	bin  string
	argv func(kubeconfig, kctx, ns string) []string
	env  []string
	// openLogs goes from the pods view to following the first backend
	// pod's log (the first row in both tools).
	openLogs func(s *session) error
	// logsShown says the screen shows that pod's log.
	logsShown func(screen string) bool
}

// isolated keeps a tool off the user's configuration and off the network:
// anything but loopback goes to a closed proxy port.
func isolatedEnv(dir string) []string {
	return []string{
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost",
		"DOCKER_HOST=unix://" + filepath.Join(dir, "no-docker.sock"),
		"TERM=tmux-256color",
	}
}

func tmtuiTool(bin, dir string) *tool {
	return &tool{
		name: "tmtui", bin: bin,
		env: isolatedEnv(filepath.Join(dir, "tmtui-home")),
		argv: func(kubeconfig, kctx, ns string) []string {
			return []string{bin, "--kubeconfig", kubeconfig, "--context", kctx, "-n", ns,
				"--log-file", filepath.Join(dir, "tmtui.log")}
		},
		// The pods pane has the focus at start, on the first pod.
		openLogs: func(s *session) error { return s.keys("l") },
		logsShown: func(scr string) bool {
			return tmtuiFollowing.MatchString(scr) && strings.Contains(scr, "seq=")
		},
	}
}

var tmtuiFollowing = regexp.MustCompile(`taskmaster-backend-\S+ · following`)

// k9sTool runs k9s with its stock settings except the check for a newer
// release on GitHub, which a benchmark must not make.
func k9sTool(bin, dir string) (*tool, error) {
	home := filepath.Join(dir, "k9s-home")
	cfg := filepath.Join(home, "k9s-config")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.yaml"), []byte("k9s:\n  skipLatestRevCheck: true\n"), 0o644); err != nil {
		return nil, err
	}
	return &tool{
		name: "k9s", bin: bin,
		env: append(isolatedEnv(home), "K9S_CONFIG_DIR="+cfg),
		argv: func(kubeconfig, kctx, ns string) []string {
			return []string{bin, "--kubeconfig", kubeconfig, "--context", kctx, "-n", ns, "-c", "pods",
				"--logFile", filepath.Join(dir, "k9s.log")}
		},
		openLogs: func(s *session) error { return s.keys("l") },
		logsShown: func(scr string) bool {
			return strings.Contains(scr, "Autoscroll:") && strings.Contains(scr, "seq=")
		},
	}, nil
}
