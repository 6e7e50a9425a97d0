//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// runNodeInit is the node's first process: PID 1 of its PID namespace, in
// network and mount namespaces made with it (startNode). It makes its mounts
// private and its own, brings up the link `up` moves in, serves the API
// server's address inside, runs containerd and the kubelet, reaps every
// orphan (containerd's shims), and ends when either of them does or on
// SIGTERM. Its end ends everything inside.
func runNodeInit(args []string) error {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	dir := fs.String("dir", "", "the node's folder")
	bin := fs.String("bin", "", "the node's binaries")
	name := fs.String("name", "", "the Node's name")
	iface := fs.String("iface", "", "the link `up` moves in")
	addr := fs.String("addr", "", "this end's address (CIDR)")
	api := fs.String("api", "", "the API server's host:port on the machine, served at the same address inside")
	services := fs.String("services", "", "the Services' cluster IP range, routed to the pods' bridge")
	bridgeAddr := fs.String("bridge-addr", "", "the pods' bridge's address (CIDR), where CoreDNS answers")
	kubeconfig := fs.String("kubeconfig", "", "the kubelet's kubeconfig")
	images := fs.String("images", "", "image tars to import, comma-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Getpid() != 1 {
		return errors.New("node: not the first process of a PID namespace: `up` starts it")
	}
	log.SetPrefix("node: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	if err := nodeMounts(*dir); err != nil {
		return err
	}
	ip, _, err := net.ParseCIDR(*addr)
	if err != nil {
		return err
	}
	if err := nodeLink(*iface, *addr, *services, *bridgeAddr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *api)
	if err != nil {
		return fmt.Errorf("serving the API server's address inside: %w", err)
	}
	machine, err := joinMachineNet(os.NewFile(3, "machine-netns"))
	if err != nil {
		return err
	}
	go forward(ln, func() (net.Conn, error) { return machine.dial(*api) })

	env := append(os.Environ(), "PATH="+*bin+":"+os.Getenv("PATH"))
	children := map[int]string{}
	start := func(what string, argv ...string) error {
		out, err := os.OpenFile(filepath.Join(*dir, "logs", what+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer out.Close()
		cmd := exec.Command(filepath.Join(*bin, argv[0]), argv[1:]...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("starting %s: %w", what, err)
		}
		children[cmd.Process.Pid] = what
		log.Printf("%s started (pid %d)", what, cmd.Process.Pid)
		return nil
	}

	// Signals and orphans first: from here on this process reaps.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)

	if err := start("containerd", "containerd", "--config", filepath.Join(*dir, "containerd.toml")); err != nil {
		return err
	}
	ctr := func(args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(*bin, "ctr"), append([]string{"--address", "/run/containerd/containerd.sock", "--namespace", "k8s.io"}, args...)...)
		cmd.Env = env
		return cmd
	}
	// Wait for an answer, not for the socket file.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctr("version").Run() != nil {
		if ctx.Err() != nil {
			return errors.New("containerd did not answer within a minute: see logs/containerd.log")
		}
		reap(children)
		time.Sleep(100 * time.Millisecond)
	}
	for _, img := range strings.Split(*images, ",") {
		if img == "" {
			continue
		}
		if out, err := ctr("images", "import", img).CombinedOutput(); err != nil {
			return fmt.Errorf("importing %s: %w: %s", img, err, out)
		}
	}
	if err := start("kubelet", "kubelet",
		"--config", filepath.Join(*dir, "kubelet.yaml"),
		"--kubeconfig", *kubeconfig,
		"--root-dir", filepath.Join(*dir, "kubelet"),
		"--hostname-override", *name,
		"--node-ip", ip.String()); err != nil {
		return err
	}
	if err := start("kube-proxy", "kube-proxy", "--config", filepath.Join(*dir, "kube-proxy.yaml")); err != nil {
		return err
	}
	if err := start("coredns", "coredns", "-conf", filepath.Join(*dir, "Corefile")); err != nil {
		return err
	}
	go serveLoadBalancers(*kubeconfig, machine.listen)

	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			log.Printf("%s: stopping", sig)
			stopChildren(children)
			return nil
		}
		if gone := reap(children); gone != "" {
			stopChildren(children)
			return fmt.Errorf("%s ended: see logs/%s.log", gone, gone)
		}
	}
	return nil
}

// nodeMounts makes every mount private to the node (nothing it mounts
// reaches the machine), mounts /proc for its PID namespace, and puts a
// tmpfs where containerd, the kubelet, the CNI plugins and the pods keep
// state: it goes with the namespace, however the node ends.
func nodeMounts(dir string) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mounting /proc: %w", err)
	}
	// /var/lib/cni: the CNI library's cache and host-local's leases, which
	// have no setting of their own (an empty folder is made on the
	// machine's disk if there is none).
	for _, d := range []string{"/run", "/var/lib/cni", filepath.Join(dir, "containerd"), filepath.Join(dir, "kubelet"), filepath.Join(dir, "pod-logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := unix.Mount("tmpfs", d, "tmpfs", 0, "mode=755"); err != nil {
			return fmt.Errorf("mounting a tmpfs on %s: %w", d, err)
		}
	}
	return nil
}

// nodeLink waits for `up` to move the link in, then brings it and lo up.
// There is no default route: nothing inside reaches past the machine. The
// Services' range is routed to the pods' bridge, made here before the CNI
// plugin would: a connection to a cluster IP needs a route before
// kube-proxy's rules send it on to a pod, and one with no pod behind it
// goes nowhere past the bridge.
func nodeLink(iface, addr, services, bridgeAddr string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := net.InterfaceByName(iface); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the link %s never came in", iface)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"addr", "add", addr, "dev", iface},
		{"link", "set", iface, "up"},
		{"link", "add", podBridge, "type", "bridge"},
		// The address the CNI bridge plugin gives it at the first pod
		// (isGateway), now: CoreDNS binds it before any pod is there.
		{"addr", "add", bridgeAddr, "dev", podBridge},
		{"link", "set", podBridge, "up"},
		{"route", "add", services, "dev", podBridge},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// machineNet makes sockets in the machine's network namespace (ns, opened
// by `up` before the node's were made), on a thread that has joined that
// namespace and never leaves it: a socket stays in the namespace it was
// made in, whichever thread uses it later.
type machineNet struct{ calls chan func() }

func joinMachineNet(ns *os.File) (*machineNet, error) {
	m := &machineNet{calls: make(chan func())}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // for good: this thread stays in the machine's namespace
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			ready <- fmt.Errorf("joining the machine's network namespace: %w", err)
			return
		}
		ready <- nil
		for f := range m.calls {
			f()
		}
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return m, nil
}

// on runs f on the machine's thread and waits for it.
func (m *machineNet) on(f func()) {
	done := make(chan struct{})
	m.calls <- func() { f(); close(done) }
	<-done
}

func (m *machineNet) dial(addr string) (c net.Conn, err error) {
	m.on(func() { c, err = net.DialTimeout("tcp", addr, 10*time.Second) })
	return c, err
}

func (m *machineNet) listen(addr string) (ln net.Listener, err error) {
	m.on(func() { ln, err = net.Listen("tcp", addr) })
	return ln, err
}

// forward copies each connection to ln to one that dial makes.
func forward(ln net.Listener, dial func() (net.Conn, error)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Printf("forwarder: %v", err)
			return
		}
		go func() {
			defer c.Close()
			up, err := dial()
			if err != nil {
				log.Printf("forwarder: %v", err)
				return
			}
			defer up.Close()
			done := make(chan struct{}, 2)
			go func() { io.Copy(up, c); done <- struct{}{} }()
			go func() { io.Copy(c, up); done <- struct{}{} }()
			<-done
		}()
	}
}

// reap collects every child that has ended, orphans included, and names
// the first of children (containerd, the kubelet) among them.
func reap(children map[int]string) string {
	gone := ""
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return gone
		}
		if what, ok := children[pid]; ok {
			log.Printf("%s (pid %d) ended: %v", what, pid, exitText(ws))
			delete(children, pid)
			if gone == "" {
				gone = what
			}
		}
	}
}

func exitText(ws unix.WaitStatus) string {
	if ws.Signaled() {
		return "killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}

// stopChildren asks the kubelet, then containerd, to end, and waits a few
// seconds; what is left ends with this process.
func stopChildren(children map[int]string) {
	for _, what := range []string{"kubelet", "containerd"} {
		for pid, w := range children {
			if w == what {
				_ = unix.Kill(pid, unix.SIGTERM)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(children) > 0 && time.Now().Before(deadline) {
		reap(children)
		time.Sleep(50 * time.Millisecond)
	}
}
