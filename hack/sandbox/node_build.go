//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// The real node's parts, each from the module proxy (REFERENCE: "A real
// node"). kubelet and kube-proxy come from this module's k8s.io/kubernetes,
// like the control plane; the rest are built at their own versions with
// their own go.mod, as their authors release them. They key the node's cache
// folder, as the control plane's versions key its own.
const (
	containerdVersion = "v2.4.2"
	runcVersion       = "v1.5.3"
	cniVersion        = "v1.10.0"
)

// nodeBinDir holds the built node, one folder per set of versions.
func nodeBinDir(root string) string {
	return filepath.Join(root, "sandbox", fmt.Sprintf("node-k8s-%s_containerd-%s_runc-%s_cni-%s_coredns-%s", kubeVersion, containerdVersion, runcVersion, cniVersion, corednsVersion), "bin")
}

var nodeParts = []part{
	{name: "kubelet", pkg: "k8s.io/kubernetes/cmd/kubelet", ldflags: versionLDFlags},
	{name: "kube-proxy", pkg: "k8s.io/kubernetes/cmd/kube-proxy", ldflags: versionLDFlags},
	{name: "coredns", pkg: "./cmd/coredns", ldflags: "-s -w"},
	{name: "containerd", install: "github.com/containerd/containerd/v2/cmd/containerd@" + containerdVersion, ldflags: "-s -w"},
	{name: "containerd-shim-runc-v2", install: "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@" + containerdVersion, ldflags: "-s -w"},
	{name: "ctr", install: "github.com/containerd/containerd/v2/cmd/ctr@" + containerdVersion, ldflags: "-s -w"},
	{name: "runc", install: "github.com/opencontainers/runc@" + runcVersion, ldflags: "-s -w", cgo: true, tags: "seccomp"},
	{name: "bridge", install: "github.com/containernetworking/plugins/plugins/main/bridge@" + cniVersion, ldflags: "-s -w"},
	{name: "loopback", install: "github.com/containernetworking/plugins/plugins/main/loopback@" + cniVersion, ldflags: "-s -w"},
	{name: "host-local", install: "github.com/containernetworking/plugins/plugins/ipam/host-local@" + cniVersion, ldflags: "-s -w"},
	{name: "portmap", install: "github.com/containernetworking/plugins/plugins/meta/portmap@" + cniVersion, ldflags: "-s -w"},
}

// imageParts are this module's own commands that the node runs as images
// (image.go, nodeImages). Being this module's code, they are built at every
// start (from Go's build cache, a link each), never kept with the versioned
// parts.
var imageParts = []part{
	{name: "pause", pkg: "./cmd/pause", ldflags: "-s -w", static: true},
	{name: "standin", pkg: "./cmd/standin", ldflags: "-s -w", static: true},
}

// ensureNodeBuilt builds whatever of the node is missing from the cache,
// installing what its build needs from Debian first.
func ensureNodeBuilt(ctx context.Context, root, moduleDir string, out io.Writer) (string, error) {
	dir := nodeBinDir(root)
	return dir, buildParts(ctx, out, dir, moduleDir, nodeParts, "node",
		fmt.Sprintf("kubelet and kube-proxy %s, CoreDNS %s, containerd %s, runc %s, CNI plugins %s; once only", kubeVersion, corednsVersion, containerdVersion, runcVersion, cniVersion),
		func() error { return nodePrerequisites(ctx, out) })
}

// nodePrerequisites installs what the node's build and run need from
// Debian: libseccomp for runc's build, conntrack for kube-proxy (iptables
// comes with docker.io). Only as root; otherwise it says what to install.
func nodePrerequisites(ctx context.Context, out io.Writer) error {
	need := []struct{ file, pkg string }{
		{"/usr/include/seccomp.h", "libseccomp-dev"},
		{"/usr/bin/pkg-config", "pkg-config"},
		{"/usr/sbin/conntrack", "conntrack"},
		{"/usr/sbin/iptables", "iptables"},
	}
	var pkgs []string
	for _, n := range need {
		if !fileExists(n.file) {
			pkgs = append(pkgs, n.pkg)
		}
	}
	if len(pkgs) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("the sandbox's node needs Debian's %v: install them (sudo apt-get install %v), or run as root", pkgs, pkgs)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("the sandbox's node needs libseccomp-dev, pkg-config, conntrack and iptables, and there is no apt-get to install them")
	}
	fmt.Fprintf(out, "Installing %v from Debian for the node ...\n", pkgs)
	update := exec.CommandContext(ctx, "apt-get", "update", "-qq")
	if logs, err := update.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update: %w\n%s", err, logs)
	}
	install := exec.CommandContext(ctx, "apt-get", append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)...)
	install.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if logs, err := install.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get install %v: %w\n%s", pkgs, err, logs)
	}
	return nil
}
