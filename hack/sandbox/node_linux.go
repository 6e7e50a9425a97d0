//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The sandbox's real node: kubelet and containerd (with runc and the CNI
// plugins) in network, mount and PID namespaces of their own, as a kind
// node lives in a container of its own. Its first process is this binary's
// `node` command (nodeinit_linux.go); when it dies, by `down` or by
// SIGKILL, the kernel ends every process inside and removes the pods'
// bridge, their network namespaces and every container mount with the
// namespaces. One veth pair joins it to the machine: the API server
// reaches the kubelet at the node's end, and the node reaches the API
// server through a forwarder of its first process. What lives outside is
// the sandbox's to remove on `down`: the node's cgroups (under a parent
// named after the sandbox) and its folder.
type node struct {
	name     string // the Node object's name
	dir      string // run folder/node
	cgroup   string // the parent cgroup of every pod, under each controller
	hostIf   string // the veth's end on the machine
	nodeIf   string // and inside
	hostAddr string // CIDR
	nodeAddr string // CIDR
	podCIDR  string
	// The pods' bridge's own address in podCIDR (CIDR): their gateway,
	// and where CoreDNS answers them (their clusterDNS).
	bridgeAddr string
}

func (s *sandbox) node() *node {
	h := fnv.New32a()
	h.Write([]byte(s.name))
	tag := strconv.FormatUint(uint64(h.Sum32()), 36)
	return &node{
		name:   s.name + "-node",
		dir:    filepath.Join(s.dir(), "node"),
		cgroup: "tmtui-node." + s.name,
		hostIf: "tmh" + tag,
		nodeIf: "tmn" + tag,
	}
}

// pickAddresses chooses the node's link: one /30 of 172.31.0.0/16, which
// nothing else here uses, starting at a slot named by the sandbox and
// skipping slots whose machine-side address is in use. Pods get a /24 of
// 10.244.0.0/16 that exists inside the node only; kwok's simulated pods and
// the Services keep 10.0.0.0/24 and serviceCIDR.
func (n *node) pickAddresses(name string) error {
	used := map[string]bool{}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			used[ipn.IP.String()] = true
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	const slots = 1 << 14 // 172.31.0.0/16 in /30s
	start := int(h.Sum32() % slots)
	for i := range slots {
		slot := (start + i) % slots
		base := slot * 4
		host := net.IPv4(172, 31, byte(base>>8), byte(base&0xff)+1)
		if used[host.String()] {
			continue
		}
		nodeIP := net.IPv4(172, 31, byte(base>>8), byte(base&0xff)+2)
		n.hostAddr, n.nodeAddr = host.String()+"/30", nodeIP.String()+"/30"
		n.podCIDR = fmt.Sprintf("10.244.%d.0/24", slot%256)
		n.bridgeAddr = fmt.Sprintf("10.244.%d.1/24", slot%256)
		return nil
	}
	return errors.New("no free /30 left in 172.31.0.0/16 for the node's link")
}

// startNode starts the node and waits until it is Ready.
func (s *sandbox) startNode(ctx context.Context, st *State) error {
	bin, err := ensureNodeBuilt(ctx, s.root, s.moduleDir, s.out)
	if err != nil {
		return err
	}
	n := s.node()
	if err := n.pickAddresses(s.name); err != nil {
		return err
	}
	for _, d := range []string{"logs", "images", "cni", "kubelet", "containerd", "pod-logs"} {
		if err := os.MkdirAll(filepath.Join(n.dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := n.writeConfigs(bin, st); err != nil {
		return err
	}
	imgDir := filepath.Join(n.dir, "images")
	for _, p := range imageParts {
		if err := buildPart(ctx, p, imgDir, s.moduleDir); err != nil {
			return err
		}
	}
	imgs, err := nodeImages(imgDir, s.moduleDir)
	if err != nil {
		return err
	}
	var images []string
	for _, img := range imgs {
		tar := filepath.Join(imgDir, img.name+".tar")
		if err := binaryImage(tar, img); err != nil {
			return fmt.Errorf("the images %s: %w", img.name, err)
		}
		images = append(images, tar)
	}
	if err := n.makeCgroups(); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	hostNS, err := os.Open("/proc/self/ns/net")
	if err != nil {
		return err
	}
	defer hostNS.Close()
	logf, err := os.OpenFile(filepath.Join(n.dir, "logs", "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	api := strings.TrimPrefix(st.Server, "https://")
	cmd := exec.Command(self, "node",
		"--dir", n.dir, "--bin", bin, "--name", n.name,
		"--iface", n.nodeIf, "--addr", n.nodeAddr, "--api", api, "--services", serviceCIDR, "--bridge-addr", n.bridgeAddr,
		"--kubeconfig", st.Kubeconfig, "--images", strings.Join(images, ","))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{hostNS} // fd 3: the machine's network namespace
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setsid:     true,
		Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
	}
	fmt.Fprintf(s.out, "Starting the node %q (kubelet, containerd) in namespaces of its own ...\n", n.name)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the node: %w", err)
	}
	go cmd.Wait() // reap it should it die while we wait
	st.Node = n.name
	pid := strconv.Itoa(cmd.Process.Pid)
	for _, args := range [][]string{
		{"link", "add", n.hostIf, "type", "veth", "peer", "name", n.nodeIf},
		{"link", "set", n.nodeIf, "netns", pid},
		{"addr", "add", n.hostAddr, "dev", n.hostIf},
		{"link", "set", n.hostIf, "up"},
	} {
		if out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, out)
		}
	}
	fmt.Fprintln(s.out, "Waiting for the node to be Ready ...")
	if err := waitFor(ctx, 2*time.Minute, func() error { return s.realNodeReady(ctx, st, n.name) }); err != nil {
		return fmt.Errorf("%w\nthe end of the node's log:\n%s\nthe end of the kubelet's log:\n%s", err,
			tail(filepath.Join(n.dir, "logs", "node.log"), 15), tail(filepath.Join(n.dir, "logs", "kubelet.log"), 15))
	}
	return taintKwokNodes(ctx, st.Kubeconfig)
}

// taintKwokNodes keeps pods off kwok's simulated nodes unless they tolerate
// them (kwokNode), so the chart's pods run on the real node.
func taintKwokNodes(ctx context.Context, kubeconfig string) error {
	cs, err := clientFor(kubeconfig)
	if err != nil {
		return err
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	taint := corev1.Taint{Key: kwokNode.key, Value: kwokNode.value, Effect: corev1.TaintEffectNoSchedule}
	for _, nd := range nodes.Items {
		if nd.Annotations[kwokNode.key] != kwokNode.value || slices.ContainsFunc(nd.Spec.Taints, func(t corev1.Taint) bool { return t.MatchTaint(&taint) }) {
			continue
		}
		nd.Spec.Taints = append(nd.Spec.Taints, taint)
		if _, err := cs.CoreV1().Nodes().Update(ctx, &nd, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("tainting kwok's node %s: %w", nd.Name, err)
		}
	}
	return nil
}

func (s *sandbox) realNodeReady(ctx context.Context, st *State, name string) error {
	cs, err := clientFor(st.Kubeconfig)
	if err != nil {
		return err
	}
	nd, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, c := range nd.Status.Conditions {
		if c.Type == corev1.NodeReady {
			if c.Status == corev1.ConditionTrue {
				return nil
			}
			return fmt.Errorf("node %s: %s: %s", name, c.Reason, c.Message)
		}
	}
	return fmt.Errorf("node %s has no Ready condition yet", name)
}

// cgroupControllers are the machine's cgroup v1 hierarchies (and the v2
// one), where the node's pods get cgroups under n.cgroup.
func cgroupControllers() []string {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*")
	var out []string
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "cgroup.procs")) {
			out = append(out, d)
		}
	}
	return out
}

func (n *node) makeCgroups() error {
	for _, c := range cgroupControllers() {
		p := filepath.Join(c, n.cgroup)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("the node's cgroup: %w", err)
		}
		if filepath.Base(c) == "cpuset" {
			// A new cpuset has no CPUs or memory nodes until given its parent's.
			for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
				v, err := os.ReadFile(filepath.Join(c, f))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(p, f), v, 0o644); err != nil {
					return fmt.Errorf("the node's cpuset: %w", err)
				}
			}
		}
	}
	return nil
}

// removeNodeCgroups removes the node's cgroups, deepest first. Once the
// node's processes are gone they are empty, and rmdir is all they need.
func removeNodeCgroups(cgroup string) error {
	var errs []error
	for _, c := range cgroupControllers() {
		top := filepath.Join(c, cgroup)
		var dirs []string
		_ = filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		for _, d := range dirs {
			if err := syscall.Rmdir(d); err != nil && !errors.Is(err, syscall.ENOENT) {
				errs = append(errs, fmt.Errorf("rmdir %s: %w", d, err))
			}
		}
	}
	return errors.Join(errs...)
}

// podBridge is the pods' bridge inside the node (the CNI bridge plugin's).
const podBridge = "cni0"

// clusterDomain is the DNS domain of the cluster's names, as everywhere.
const clusterDomain = "cluster.local"

const pauseImage = "registry.k8s.io/pause:3.10"

func (n *node) writeConfigs(bin string, st *State) error {
	files := map[string]string{
		"containerd.toml": fmt.Sprintf(`version = 3
root = %q
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins."io.containerd.cri.v1.runtime"]
  # This machine forbids lowering oom_score_adj, even to root.
  restrict_oom_score_adj = true

[plugins."io.containerd.cri.v1.runtime".cni]
  bin_dirs = [%q]
  conf_dir = %q

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
  BinaryName = %q
  SystemdCgroup = false

[plugins."io.containerd.cri.v1.images".pinned_images]
  sandbox = %q
`, filepath.Join(n.dir, "containerd"), bin, filepath.Join(n.dir, "cni"), filepath.Join(bin, "runc"), pauseImage),

		"kubelet.yaml": fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /%s
cgroupsPerQOS: false
enforceNodeAllocatable: []
failCgroupV1: false
failSwapOn: false
localStorageCapacityIsolation: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
podCIDR: %s
podLogsDir: %s
readOnlyPort: 0
# CoreDNS, run by the node's first process, answers on the pods' bridge.
clusterDNS: [%s]
clusterDomain: %s
# The sandbox's API server has no client certificate for kubelets: the
# kubelet lets it in unauthenticated. A sandbox only, reachable only over
# the node's own link.
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
`, n.cgroup, n.podCIDR, filepath.Join(n.dir, "pod-logs"), strings.Split(n.bridgeAddr, "/")[0], clusterDomain),

		// Cluster DNS for the pods: Services and pods by name, from the API
		// server. Nothing past the cluster's names: there is no upstream.
		"Corefile": fmt.Sprintf(`.:53 {
    bind %s
    errors
    log
    cache 5
    kubernetes %s in-addr.arpa ip6.arpa {
        kubeconfig %s %s
        pods insecure
    }
}
`, strings.Split(n.bridgeAddr, "/")[0], clusterDomain, st.Kubeconfig, st.Context),

		// kube-proxy's rules live in the node's network namespace. It sets no
		// conntrack sysctls (0: leave them), which a namespace may not own.
		"kube-proxy.yaml": fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: %s
hostnameOverride: %s
mode: iptables
clusterCIDR: %s
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
`, st.Kubeconfig, n.name, n.podCIDR),

		filepath.Join("cni", "10-bridge.conflist"): fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "sandbox",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "%s",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": %q}]], "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, podBridge, n.podCIDR),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(n.dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// removeNode removes what the node leaves outside its namespaces once its
// processes are gone: its cgroups, and its link's machine end should the
// node have died before taking the other end in.
func (s *sandbox) removeNode() error {
	n := s.node()
	// The link goes by itself with the node's network namespace, which the
	// kernel tears down a moment after the node's last process: it may be
	// there when looked for and gone when deleted, which is no failure.
	if _, err := net.InterfaceByName(n.hostIf); err == nil {
		if out, err := exec.Command("ip", "link", "del", n.hostIf).CombinedOutput(); err != nil {
			if _, still := net.InterfaceByName(n.hostIf); still == nil {
				return fmt.Errorf("ip link del %s: %w: %s", n.hostIf, err, out)
			}
		}
	}
	// The kernel ends the node's last processes (containers killed with its
	// PID namespace) a moment after its first: their cgroups empty then.
	return waitFor(context.Background(), 10*time.Second, func() error { return removeNodeCgroups(n.cgroup) })
}
