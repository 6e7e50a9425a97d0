package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// versionLDFlags make the control plane report its real version; without
// them it says v0.0.0-master and Helm's kubeVersion checks misbehave.
var versionLDFlags = "-s -w" +
	" -X k8s.io/component-base/version.gitVersion=" + kubeVersion +
	" -X k8s.io/component-base/version.gitMajor=1" +
	" -X k8s.io/component-base/version.gitMinor=36"

type component struct {
	name string
	// args to `go` run in this module's folder, with the output path last.
	args func(out string) []string
	env  func(dir string) []string
}

func goBuild(pkg string) func(string) []string {
	return func(out string) []string {
		return []string{"build", "-trimpath", "-ldflags", versionLDFlags, "-o", out, pkg}
	}
}

// kwok is built with `go install` at its own version and its own go.mod,
// which is how its authors release it.
func goInstall(pkg string) func(string) []string {
	return func(string) []string {
		return []string{"install", "-trimpath", "-ldflags", "-s -w", pkg + "@" + kwokVersion}
	}
}

func gobin(dir string) []string { return []string{"GOBIN=" + dir} }

var components = []component{
	{name: "etcd", args: goBuild("./cmd/etcd")},
	{name: "kwok", args: goInstall("sigs.k8s.io/kwok/cmd/kwok"), env: gobin},
	{name: "kwokctl", args: goInstall("sigs.k8s.io/kwok/cmd/kwokctl"), env: gobin},
	{name: "kube-apiserver", args: goBuild("k8s.io/kubernetes/cmd/kube-apiserver")},
	{name: "kube-controller-manager", args: goBuild("k8s.io/kubernetes/cmd/kube-controller-manager")},
	{name: "kube-scheduler", args: goBuild("k8s.io/kubernetes/cmd/kube-scheduler")},
}

// ensureBuilt builds whatever of the control plane is missing from the
// cache. Each binary is written under a temporary name and renamed, so an
// interrupted build never leaves a half-written binary that looks done.
func ensureBuilt(ctx context.Context, root, moduleDir string, out io.Writer) (string, error) {
	dir := binDir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	missing := missingComponents(dir)
	if len(missing) == 0 {
		return dir, nil
	}
	// Two runs on a cold cache would build into the same temporary names;
	// the second waits for the first and then finds the binaries built.
	lock := filepath.Join(filepath.Dir(dir), ".build.lock")
	if unlock, err := tryLockFile(lock); err != nil {
		return "", err
	} else if unlock != nil {
		defer unlock()
	} else {
		fmt.Fprintf(out, "Another process is building the sandbox's control plane (it holds %s): waiting for it ...\n", lock)
		unlock, err := lockFile(lock)
		if err != nil {
			return "", err
		}
		defer unlock()
	}
	if missing = missingComponents(dir); len(missing) == 0 {
		return dir, nil
	}
	fmt.Fprintf(out, "Building the sandbox's control plane into %s\n", dir)
	fmt.Fprintf(out, "(Kubernetes %s, etcd %s, kwok %s; once only, about ten minutes on 2 cores)\n", kubeVersion, etcdVersion, kwokVersion)
	for i, c := range missing {
		start := time.Now()
		fmt.Fprintf(out, "  [%d/%d] %s ...", i+1, len(missing), c.name)
		if err := buildOne(ctx, c, dir, moduleDir, out); err != nil {
			fmt.Fprintln(out, " failed")
			return "", err
		}
		fmt.Fprintf(out, " done in %s\n", time.Since(start).Round(time.Second))
	}
	return dir, nil
}

func missingComponents(dir string) []component {
	var missing []component
	for _, c := range components {
		if _, err := os.Stat(filepath.Join(dir, c.name)); err != nil {
			missing = append(missing, c)
		}
	}
	return missing
}

func buildOne(ctx context.Context, c component, dir, moduleDir string, out io.Writer) error {
	target := filepath.Join(dir, c.name)
	tmp := target + ".partial"
	buildDir := dir
	if c.env != nil {
		// go install names the binary itself: install into a scratch folder.
		buildDir = filepath.Join(dir, ".gobin-"+c.name)
		if err := os.MkdirAll(buildDir, 0o755); err != nil {
			return err
		}
		defer os.RemoveAll(buildDir)
	}
	cmd := exec.CommandContext(ctx, "go", c.args(tmp)...)
	cmd.Dir = moduleDir
	cmd.Env = os.Environ()
	if c.env != nil {
		cmd.Env = append(cmd.Env, c.env(buildDir)...)
	}
	logs, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building %s: %w\n%s", c.name, err, logs)
	}
	if c.env != nil {
		tmp = filepath.Join(buildDir, c.name)
	}
	return os.Rename(tmp, target)
}
