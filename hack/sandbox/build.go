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

// A part is one binary the sandbox builds: with `go build` of a package in
// this module's build list (pkg: go.mod pins its version, tools.go imports
// it, and paths.go's constants, which key the cache folder, must agree with
// it: TestVersionsAreGoMods), or with `go install` of a module at a version
// of its own (install: module/path@version, for what its authors release
// with a go.mod of their own: containerd, runc, the CNI plugins).
type part struct {
	name    string
	pkg     string // go build PKG in this module
	install string // or: go install INSTALL
	ldflags string
	static  bool   // no cgo, so no libc: for images
	cgo     bool   // runc: seccomp through libseccomp
	tags    string // build tags
}

// Every component of the control plane is built in this module, with the
// flags `go run .` builds this tool with (no -trimpath): on an empty cache
// each build reuses the packages the ones before it compiled (client-go,
// apimachinery, api ...), where a go.mod of kwok's own would compile them
// again at its versions.
var components = []part{
	{name: "etcd", pkg: "./cmd/etcd", ldflags: versionLDFlags},
	{name: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok", ldflags: "-s -w"},
	{name: "kwokctl", pkg: "sigs.k8s.io/kwok/cmd/kwokctl", ldflags: "-s -w"},
	{name: "kube-apiserver", pkg: "k8s.io/kubernetes/cmd/kube-apiserver", ldflags: versionLDFlags},
	{name: "kube-controller-manager", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager", ldflags: versionLDFlags},
	{name: "kube-scheduler", pkg: "k8s.io/kubernetes/cmd/kube-scheduler", ldflags: versionLDFlags},
}

// ensureBuilt builds whatever of the control plane is missing from the
// cache.
func ensureBuilt(ctx context.Context, root, moduleDir string, out io.Writer) (string, error) {
	dir := binDir(root)
	return dir, buildParts(ctx, out, dir, moduleDir, components, "control plane",
		fmt.Sprintf("Kubernetes %s, etcd %s, kwok %s; once only, about ten minutes on 2 cores", kubeVersion, etcdVersion, kwokVersion), nil)
}

// buildParts builds whatever of parts is missing from dir, saying what
// (the sandbox's WHAT, with DETAIL) and how long each took; before runs
// first when anything is to be built. Each binary is written under a
// temporary name and renamed, so an interrupted build never leaves a
// half-written binary that looks done.
func buildParts(ctx context.Context, out io.Writer, dir, moduleDir string, parts []part, what, detail string, before func() error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(missingParts(dir, parts)) == 0 {
		return nil
	}
	// Two runs on a cold cache would build into the same temporary names;
	// the second waits for the first and then finds the binaries built.
	lock := filepath.Join(filepath.Dir(dir), ".build.lock")
	if unlock, err := tryLockFile(lock); err != nil {
		return err
	} else if unlock != nil {
		defer unlock()
	} else {
		fmt.Fprintf(out, "Another process is building the sandbox's %s (it holds %s): waiting for it ...\n", what, lock)
		unlock, err := lockFile(lock)
		if err != nil {
			return err
		}
		defer unlock()
	}
	missing := missingParts(dir, parts)
	if len(missing) == 0 {
		return nil
	}
	if before != nil {
		if err := before(); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "Building the sandbox's %s into %s\n(%s)\n", what, dir, detail)
	for i, p := range missing {
		start := time.Now()
		fmt.Fprintf(out, "  [%d/%d] %s ...", i+1, len(missing), p.name)
		if err := buildPart(ctx, p, dir, moduleDir); err != nil {
			fmt.Fprintln(out, " failed")
			return err
		}
		fmt.Fprintf(out, " done in %s\n", time.Since(start).Round(time.Second))
	}
	return nil
}

func missingParts(dir string, parts []part) []part {
	var missing []part
	for _, p := range parts {
		if !fileExists(filepath.Join(dir, p.name)) {
			missing = append(missing, p)
		}
	}
	return missing
}

// buildPart builds one part into dir, in the environment `go run .` has,
// so that what it compiles is shared with the tool's own build and the
// other parts' (CGO_ENABLED alone changes every package that imports net:
// with it off the kubelet took 5 minutes instead of under one).
func buildPart(ctx context.Context, p part, dir, moduleDir string) error {
	target := filepath.Join(dir, p.name)
	env := os.Environ()
	switch {
	case p.static:
		env = append(env, "CGO_ENABLED=0")
	case p.cgo:
		env = append(env, "CGO_ENABLED=1")
	}
	args := []string{"-ldflags", p.ldflags}
	if p.tags != "" {
		args = append(args, "-tags", p.tags)
	}
	var cmd *exec.Cmd
	built := target + ".partial"
	if p.pkg != "" {
		cmd = exec.CommandContext(ctx, "go", append(append([]string{"build"}, args...), "-o", built, p.pkg)...)
	} else {
		// go install names the binary itself: into a scratch folder.
		gobin, err := os.MkdirTemp(dir, ".gobin-"+p.name+"-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(gobin)
		cmd = exec.CommandContext(ctx, "go", append(append([]string{"install"}, args...), p.install)...)
		env = append(env, "GOBIN="+gobin, "GOWORK=off", "GOFLAGS=-buildvcs=false")
		built = filepath.Join(gobin, p.name)
	}
	cmd.Dir = moduleDir
	cmd.Env = env
	if logs, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %w\n%s", p.name, err, logs)
	}
	return os.Rename(built, target)
}
