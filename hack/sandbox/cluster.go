package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// State is what `up` leaves in the run folder as sandbox.json: everything a
// test or a person needs to use the running sandbox.
type State struct {
	Name        string `json:"name"`
	Context     string `json:"context"`
	Kubeconfig  string `json:"kubeconfig"`
	Server      string `json:"server"`
	BackendURL  string `json:"backendURL"`
	FrontendURL string `json:"frontendURL"`
	BackendLog  string `json:"backendLog"`
	FrontendLog string `json:"frontendLog"`
	StandinPID  int    `json:"standinPID"`
	// Node is the real node's name when the sandbox runs one (up --node).
	Node string `json:"node,omitempty"`
}

// sandbox is one named cluster under the cache root.
type sandbox struct {
	name      string
	context   string // the kubeconfig's context; "" keeps the recorded one, else the name
	root      string
	moduleDir string
	out       io.Writer
	withNode  bool // up starts a real node beside kwok's (node_linux.go)
}

func (s *sandbox) dir() string       { return runDir(s.root, s.name) }
func (s *sandbox) kwokDir() string   { return filepath.Join(s.dir(), "kwok") }
func (s *sandbox) statePath() string { return filepath.Join(s.dir(), "sandbox.json") }

func (s *sandbox) readState() (*State, error) {
	data, err := os.ReadFile(s.statePath())
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", s.statePath(), err)
	}
	return &st, nil
}

// kwokctl runs kwokctl with the sandbox's own work folder, so it never
// touches a user's ~/.kwok.
func (s *sandbox) kwokctl(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "kwokctl"), args...)
	cmd.Env = append(os.Environ(), "KWOK_WORKDIR="+s.kwokDir())
	return cmd
}

// kwokctlKubeconfig is where kwokctl's create and delete add and remove
// their context. By default that is the user's kubeconfig ($KUBECONFIG or
// ~/.kube/config), made the current context: the sandbox never touches the
// user's, so kwokctl gets a file of the sandbox's own, which no one reads
// (the sandbox writes its kubeconfig itself, with its own context name).
func (s *sandbox) kwokctlKubeconfig() string { return filepath.Join(s.kwokDir(), "kwokctl.kubeconfig") }

// How long a sandbox whose processes all run may take to answer before it
// counts as broken. On a loaded machine one health check can miss; a
// sandbox that is slow to answer is waited for, never torn down under a
// run that uses it.
const (
	upAnswerWait     = 2 * time.Minute
	statusAnswerWait = 30 * time.Second
)

// Up starts the sandbox, or reuses it when it already runs and answers.
// A sandbox of which a process is gone (half-dead: a crash, a killed run)
// is never reused: it is stopped and started afresh, keeping its context
// name and its owner.
func (s *sandbox) Up(ctx context.Context) (*State, error) {
	bin, err := ensureBuilt(ctx, s.root, s.moduleDir, s.out)
	if err != nil {
		return nil, err
	}
	if err := sweep(ctx, s.root, func(f string, a ...any) { fmt.Fprintf(s.out, f, a...) }); err != nil {
		fmt.Fprintf(s.out, "Sweeping sandboxes left by ended runs: %v\n", err)
	}
	owner, err := ownerFromEnv()
	if err != nil {
		return nil, err
	}
	if old, err := s.readOwner(); err == nil && owner == nil {
		owner = old
	}
	if st, err := s.readState(); err == nil {
		if s.context == "" {
			s.context = st.Context
		}
		err := s.waitHealthy(ctx, st, upAnswerWait)
		if err == nil {
			fmt.Fprintf(s.out, "Sandbox %q is already running.\n", s.name)
			if s.withNode && st.Node == "" {
				fmt.Fprintln(s.out, "It runs without a real node (kwok's simulated one only); `down`, then `up --node`, starts it with one.")
			}
			return st, nil
		}
		fmt.Fprintf(s.out, "Sandbox %q is not healthy (%v): starting it afresh.\n", s.name, err)
	}
	if s.context == "" {
		s.context = s.name
	}
	// Whatever is left of an earlier run (a crash, a reboot, a killed run)
	// goes first.
	if err := s.Down(ctx); err != nil {
		return nil, err
	}
	if err := s.createRunDir(owner); err != nil {
		return nil, err
	}
	start := time.Now()
	st := &State{Name: s.name, Context: s.context, Kubeconfig: filepath.Join(s.dir(), "kubeconfig"),
		BackendLog: backendLog(s.dir()), FrontendLog: frontendLog(s.dir())}

	fmt.Fprintln(s.out, "Starting the TaskMaster stand-ins ...")
	if err := s.startStandins(ctx, st); err != nil {
		s.Down(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.createCluster(ctx, bin, st); err != nil {
		s.Down(context.WithoutCancel(ctx))
		return nil, err
	}
	if s.withNode {
		if err := s.startNode(ctx, st); err != nil {
			s.Down(context.WithoutCancel(ctx))
			return nil, err
		}
	}
	data, _ := json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(s.statePath(), data, 0o600); err != nil {
		return nil, err
	}
	fmt.Fprintf(s.out, "Sandbox %q is up in %s.\n", s.name, time.Since(start).Round(100*time.Millisecond))
	return st, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startStandins runs the stand-ins as a detached process of this very
// binary, in a session of its own, so they outlive `up`.
func (s *sandbox) startStandins(ctx context.Context, st *State) error {
	bePort, err := freePort()
	if err != nil {
		return err
	}
	fePort, err := freePort()
	if err != nil {
		return err
	}
	if err := os.WriteFile(backendPreviousLog(s.dir()), []byte(time.Now().UTC().Format(time.RFC3339Nano)+" stdout F seq=0 INFO: previous container exited (sandbox stand-in)\n"), 0o644); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(s.dir(), "standins.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(self, "standins",
		"--backend", fmt.Sprintf("127.0.0.1:%d", bePort),
		"--frontend", fmt.Sprintf("127.0.0.1:%d", fePort),
		"--dir", s.dir())
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting stand-ins: %w", err)
	}
	st.StandinPID = cmd.Process.Pid
	go cmd.Wait() // reap it should it die while we wait
	st.BackendURL = fmt.Sprintf("http://127.0.0.1:%d", bePort)
	st.FrontendURL = fmt.Sprintf("http://127.0.0.1:%d", fePort)
	return waitFor(ctx, 10*time.Second, func() error { return httpOK(ctx, st.BackendURL+"/health") })
}

func (s *sandbox) createCluster(ctx context.Context, bin string, st *State) error {
	bePort, _ := strconv.Atoi(st.BackendURL[strings.LastIndex(st.BackendURL, ":")+1:])
	fePort, _ := strconv.Atoi(st.FrontendURL[strings.LastIndex(st.FrontendURL, ":")+1:])
	ports, err := s.reservePorts()
	if err != nil {
		return err
	}
	conf, err := kwokConfig(wiring{
		BackendLog: st.BackendLog, BackendPreviousLog: backendPreviousLog(s.dir()), FrontendLog: st.FrontendLog,
		BackendPort: bePort, FrontendPort: fePort, Ports: ports,
	})
	if err != nil {
		return err
	}
	confPath := filepath.Join(s.dir(), "kwok.yaml")
	if err := os.WriteFile(confPath, conf, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(s.out, "Starting the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) ...")
	create := s.kwokctl(ctx, bin, "--config", confPath, "create", "cluster",
		"--name", s.name, "--kubeconfig", s.kwokctlKubeconfig(),
		"--runtime", "binary",
		"--kube-apiserver-binary", filepath.Join(bin, "kube-apiserver"),
		"--kube-controller-manager-binary", filepath.Join(bin, "kube-controller-manager"),
		"--kube-scheduler-binary", filepath.Join(bin, "kube-scheduler"),
		"--kwok-controller-binary", filepath.Join(bin, "kwok"),
		"--etcd-binary", filepath.Join(bin, "etcd"),
		"--wait", "2m")
	if logs, err := create.CombinedOutput(); err != nil {
		return fmt.Errorf("kwokctl create cluster: %w\n%s", err, logs)
	}
	// kwok serves its node's kubelet API (logs, port-forwards) itself, on
	// loopback: that is the node's address, which the API server dials
	// (kwokconfig.go: kubelet-preferred-address-types).
	if logs, err := s.kwokctl(ctx, bin, "scale", "node", "--replicas", "1", "--param", `.nodeIPs=["127.0.0.1"]`, "--name", s.name).CombinedOutput(); err != nil {
		return fmt.Errorf("kwokctl scale node: %w\n%s", err, logs)
	}
	raw, err := s.kwokctl(ctx, bin, "get", "kubeconfig", "--name", s.name).Output()
	if err != nil {
		return fmt.Errorf("kwokctl get kubeconfig: %w", err)
	}
	server, err := writeKubeconfig(raw, st.Context, st.Kubeconfig)
	if err != nil {
		return err
	}
	st.Server = server
	fmt.Fprintln(s.out, "Waiting for the node to be Ready ...")
	if err := waitFor(ctx, time.Minute, func() error { return nodeReady(ctx, st.Kubeconfig) }); err != nil {
		return fmt.Errorf("%w\nthe end of kwok-controller's log:\n%s", err, s.logTail("kwok-controller", 20))
	}
	return nil
}

// logTail is the last lines of a control-plane component's log, for an
// error that has to say why the cluster did not come up.
func (s *sandbox) logTail(component string, lines int) string {
	return tail(filepath.Join(s.kwokDir(), "clusters", s.name, "logs", component+".log"), lines)
}

// tail is the last lines of a log file, or why there is none.
func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// writeKubeconfig renames kwokctl's "kwok-NAME" context, cluster and user to
// name, so the context is called exactly what the docs and tmtui's header
// say: tmtui-sandbox for the shared sandbox and for every run's own.
func writeKubeconfig(raw []byte, name, path string) (string, error) {
	cfg, err := clientcmd.Load(raw)
	if err != nil {
		return "", fmt.Errorf("kubeconfig from kwokctl: %w", err)
	}
	old := cfg.CurrentContext
	ctx, ok := cfg.Contexts[old]
	if !ok {
		return "", fmt.Errorf("kubeconfig from kwokctl has no context %q", old)
	}
	cluster, user := cfg.Clusters[ctx.Cluster], cfg.AuthInfos[ctx.AuthInfo]
	if cluster == nil || user == nil {
		return "", errors.New("kubeconfig from kwokctl is incomplete")
	}
	cfg.Contexts = map[string]*clientcmdapi.Context{name: ctx}
	cfg.Clusters = map[string]*clientcmdapi.Cluster{name: cluster}
	cfg.AuthInfos = map[string]*clientcmdapi.AuthInfo{name: user}
	ctx.Cluster, ctx.AuthInfo, ctx.Namespace = name, name, "taskmaster"
	cfg.CurrentContext = name
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return "", err
	}
	return cluster.Server, os.Chmod(path, 0o600)
}

func clientFor(kubeconfig string) (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	// Each call is bounded; how long a slow sandbox is waited for is
	// waitHealthy's deadline.
	cfg.Timeout = 15 * time.Second
	return kubernetes.NewForConfig(cfg)
}

func nodeReady(ctx context.Context, kubeconfig string) error {
	cs, err := clientFor(kubeconfig)
	if err != nil {
		return err
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, n := range nodes.Items {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				return nil
			}
		}
	}
	return errors.New("no Ready node yet")
}

// errHalfDead: a process of the sandbox is gone. Such a sandbox never
// comes back by itself, so it is not waited for.
var errHalfDead = errors.New("half-dead")

// running says whether every process of a recorded sandbox runs: the
// control plane's and the stand-ins, the latter checked by what the
// process is, not only by the pid sandbox.json recorded.
func (s *sandbox) running(st *State) error {
	procs := sandboxProcesses(s.dir())
	running := map[string]bool{}
	for _, p := range procs {
		running[p.command] = true
		if p.command == "standins" && p.pid == st.StandinPID {
			running["standins-recorded"] = true
		}
	}
	if !running["standins-recorded"] {
		return fmt.Errorf("%w: stand-ins are not running", errHalfDead)
	}
	for _, c := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"} {
		if !running[c] {
			return fmt.Errorf("%w: %s is not running", errHalfDead, c)
		}
	}
	if st.Node != "" && !running["node"] {
		return fmt.Errorf("%w: the node %s is not running", errHalfDead, st.Node)
	}
	return nil
}

// answers says whether a running sandbox answers: the backend stand-in,
// and the API server with a Ready node.
func (s *sandbox) answers(ctx context.Context, st *State) error {
	if err := httpOK(ctx, st.BackendURL+"/health"); err != nil {
		return err
	}
	return nodeReady(ctx, st.Kubeconfig)
}

// waitHealthy waits up to limit for a sandbox whose processes all run to
// answer. It gives up at once when a process is gone.
func (s *sandbox) waitHealthy(ctx context.Context, st *State, limit time.Duration) error {
	return waitHealthy(ctx, limit, func() error { return s.running(st) }, func(ctx context.Context) error { return s.answers(ctx, st) })
}

func waitHealthy(ctx context.Context, limit time.Duration, running func() error, answers func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		if err := running(); err != nil {
			return err
		}
		err := answers(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("its processes run, but it did not answer within %s: %w", limit, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Stop stops the control plane and keeps everything else (its data, the
// kubeconfig, the stand-ins), as a laptop's Kubernetes going away would.
// Start brings it back on the same address. Tests of tmtui's reconnecting
// use the pair, on a sandbox of their own.
func (s *sandbox) Stop(ctx context.Context) error {
	if _, err := s.readState(); err != nil {
		return fmt.Errorf("sandbox %q is not up: %w", s.name, err)
	}
	// kwok-controller holds each node's lease under an identity made new
	// at every start, for 200 s. A restarted one would wait that long
	// before it takes the node back and moves new pods past Pending; a
	// real node's kubelet holds its lease under the node's own name and
	// takes it back at once. Letting go of the leases here makes the
	// restarted controller create them afresh.
	if st, err := s.readState(); err == nil {
		if cs, err := clientFor(st.Kubeconfig); err == nil {
			_ = cs.CoordinationV1().Leases("kube-node-lease").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}
	}
	s.scrubPidFiles()
	if logs, err := s.kwokctl(ctx, binDir(s.root), "stop", "cluster", "--name", s.name).CombinedOutput(); err != nil {
		return fmt.Errorf("kwokctl stop cluster: %w\n%s", err, logs)
	}
	fmt.Fprintf(s.out, "Sandbox %q: control plane stopped (start brings it back).\n", s.name)
	return nil
}

func (s *sandbox) Start(ctx context.Context) error {
	st, err := s.readState()
	if err != nil {
		return fmt.Errorf("sandbox %q is not up: %w", s.name, err)
	}
	s.scrubPidFiles()
	if logs, err := s.kwokctl(ctx, binDir(s.root), "start", "cluster", "--name", s.name, "--wait", "2m").CombinedOutput(); err != nil {
		return fmt.Errorf("kwokctl start cluster: %w\n%s", err, logs)
	}
	if err := waitFor(ctx, time.Minute, func() error { return nodeReady(ctx, st.Kubeconfig) }); err != nil {
		return fmt.Errorf("%w\nthe end of kwok-controller's log:\n%s", err, s.logTail("kwok-controller", 20))
	}
	fmt.Fprintf(s.out, "Sandbox %q: control plane started again.\n", s.name)
	return nil
}

// Down stops everything the sandbox started and removes its run folder. It
// is safe on a sandbox that is half up, or not there at all.
func (s *sandbox) Down(ctx context.Context) error {
	if _, err := os.Stat(s.dir()); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if bin := binDir(s.root); fileExists(filepath.Join(bin, "kwokctl")) && fileExists(filepath.Join(s.kwokDir(), "clusters", s.name)) {
		fmt.Fprintf(s.out, "Stopping sandbox %q ...\n", s.name)
		s.scrubPidFiles()
		if logs, err := s.kwokctl(ctx, bin, "delete", "cluster", "--name", s.name, "--kubeconfig", s.kwokctlKubeconfig()).CombinedOutput(); err != nil {
			fmt.Fprintf(s.out, "kwokctl delete cluster: %v\n%s", err, logs)
		}
	}
	// Every process still running from the run folder (a control-plane
	// process kwokctl lost track of, the stand-ins) is ours, and goes too.
	// Processes are found by what they run, never by a pid file alone.
	for _, pid := range processesMentioning(s.dir()) {
		stop(pid)
	}
	if left := processesMentioning(s.dir()); len(left) > 0 {
		return fmt.Errorf("processes still running after down: %v", left)
	}
	if err := s.removeNode(); err != nil {
		return err
	}
	return os.RemoveAll(s.dir())
}

// Status prints what runs, and returns an error when the sandbox is not
// fully up.
func (s *sandbox) Status(ctx context.Context) error {
	st, err := s.readState()
	if err != nil {
		fmt.Fprintf(s.out, "Sandbox %q is not running (start it with `make sandbox-up`).\n", s.name)
		if left := processesMentioning(s.dir()); len(left) > 0 {
			fmt.Fprintf(s.out, "Stray processes from it: %v (stop them with `make sandbox-down`).\n", left)
		}
		return errNotRunning
	}
	fmt.Fprintf(s.out, "Sandbox %q\n  kubeconfig  %s (context %s)\n  server      %s\n  backend     %s (pid %d)\n  frontend    %s\n",
		st.Name, st.Kubeconfig, st.Context, st.Server, st.BackendURL, st.StandinPID, st.FrontendURL)
	for _, pid := range processesMentioning(s.dir()) {
		fmt.Fprintf(s.out, "  process     %d %s\n", pid, processName(pid))
	}
	if err := s.waitHealthy(ctx, st, statusAnswerWait); err != nil {
		fmt.Fprintf(s.out, "  health      NOT OK: %v\n", err)
		return errNotRunning
	}
	fmt.Fprintln(s.out, "  health      ok (API server answers, node Ready, stand-ins answer)")
	return nil
}

var errNotRunning = errors.New("sandbox not running")

func waitFor(ctx context.Context, limit time.Duration, check func() error) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up after %s: %w", limit, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func httpOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
