package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestMentionsMatchesWholePathsOnly(t *testing.T) {
	dir := "/c/run/tmtui-sandbox"
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"/c/run/tmtui-sandbox/kwok/bin/etcd", "--name=node0"}, true},
		{[]string{"sandbox", "standins", "--dir", "/c/run/tmtui-sandbox"}, true},
		{[]string{"kube-scheduler", "--kubeconfig=/c/run/tmtui-sandbox/kwok/kubeconfig.yaml"}, true},
		{[]string{"/c/run/tmtui-sandbox-lifecycle/kwok/bin/etcd"}, false},
		{[]string{"sandbox", "standins", "--dir", "/c/run/tmtui-sandbox-lifecycle"}, false},
		{[]string{"kube-scheduler", "--kubeconfig=/c/run/tmtui-sandbox-2/x"}, false},
	} {
		if got := mentions(tc.args, dir); got != tc.want {
			t.Errorf("mentions(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestKwokConfigHasStagesAndWiring(t *testing.T) {
	data, err := kwokConfig(wiring{BackendLog: "/r/backend.log", BackendPreviousLog: "/r/prev.log", FrontendLog: "/r/frontend.log", BackendPort: 1234, FrontendPort: 5678})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]string{}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var obj struct {
			Kind     string
			Metadata struct{ Name string }
		}
		if err := yaml.UnmarshalStrict([]byte(doc), &obj); err != nil {
			// Strict decoding of only two fields would fail on any real
			// object; decode leniently, but a document must parse.
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatalf("document does not parse: %v\n%s", err, doc)
			}
		}
		kinds[obj.Kind] = append(kinds[obj.Kind], obj.Metadata.Name)
	}
	wantStages := []string{"node-heartbeat-with-lease", "node-initialize", "pod-complete", "pod-delete", "pod-ready", "tmtui-pod-crashloop", "tmtui-pod-unready", "tmtui-pod-helm-test"}
	if got := strings.Join(kinds["Stage"], ","); got != strings.Join(wantStages, ",") {
		t.Errorf("stages = %s, want %s", got, strings.Join(wantStages, ","))
	}
	if len(kinds["ClusterLogs"]) != 1 || len(kinds["ClusterPortForward"]) != 1 || len(kinds["KwokctlConfiguration"]) != 1 {
		t.Errorf("want one ClusterLogs and one ClusterPortForward, got %v", kinds)
	}
	for _, want := range []string{`logsFile: "/r/backend.log"`, `previousLogsFile: "/r/prev.log"`, "ports: [8000]", "port: 1234", "ports: [3000]", "port: 5678", "bindAddress: 127.0.0.1", "key: leader-elect"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config lacks %q", want)
		}
	}
}

// The lifecycle through the Makefile's own targets, on a cluster of this
// test process's own name (two runs at once each have theirs), owned by
// this process so that the next run sweeps it should this one be killed:
// up, up again (reused), status, stop and start, down, and then no process
// of it is left.
func TestMakeSandboxUpReuseStopStartDownLeavesNoProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of its own; skipped under -short (make test runs it)")
	}
	name := fmt.Sprintf("tmtui-lifecycle-%d", os.Getpid())
	root, err := cacheRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := runDir(root, name)
	// The user's kubeconfig, which the sandbox must never touch.
	userKubeconfig := filepath.Join(t.TempDir(), "config")
	const userConfig = "apiVersion: v1\nkind: Config\ncurrent-context: the-users-own\n"
	if err := os.WriteFile(userKubeconfig, []byte(userConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", userKubeconfig)
	userConfigKept := func(when string) {
		t.Helper()
		if got, err := os.ReadFile(userKubeconfig); err != nil || string(got) != userConfig {
			t.Errorf("%s the user's kubeconfig ($KUBECONFIG) changed (%v):\n%s", when, err, got)
		}
	}
	t.Cleanup(func() { _, _ = runMake(t, "sandbox-down", name) }) // on failure too

	out, err := runMake(t, "sandbox-up", name)
	if err != nil {
		t.Fatalf("make sandbox-up: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Sandbox \""+name+"\" is up") || !strings.Contains(out, "export KUBECONFIG="+filepath.Join(dir, "kubeconfig")) {
		t.Fatalf("sandbox-up did not say it is up and how to use it:\n%s", out)
	}
	userConfigKept("after sandbox-up")
	st, err := (&sandbox{name: name, root: root}).readState()
	if err != nil {
		t.Fatal(err)
	}
	// Where it can (Linux, as root: CI), make's sandbox has the real node.
	if runtime.GOOS == "linux" && os.Geteuid() == 0 && st.Node != name+"-node" {
		t.Fatalf("make sandbox-up started no real node on Linux as root (state %+v):\n%s", st, out)
	}
	if o, err := (&sandbox{name: name, root: root}).readOwner(); err != nil || o.PID != os.Getpid() || !o.alive() {
		t.Fatalf("the sandbox does not record this test as its owner: %+v (%v)", o, err)
	}
	// Everything listens on loopback only.
	listening, err := exec.Command("ss", "-Hltnp").Output()
	if err != nil {
		t.Fatalf("ss (iproute2) lists the listening sockets: %v", err)
	}
	for _, pid := range processesMentioning(dir) {
		for _, line := range strings.Split(string(listening), "\n") {
			if strings.Contains(line, "pid="+strconv.Itoa(pid)+",") && !strings.Contains(line, "127.0.0.1:") {
				t.Errorf("a sandbox process listens beyond loopback: %s", line)
			}
		}
	}
	if ps := processesMentioning(dir); len(ps) < 6 {
		t.Fatalf("want etcd, three control-plane processes, kwok and the stand-ins running; found %d: %v", len(ps), ps)
	}

	out, err = runMake(t, "sandbox-up", name)
	if err != nil || !strings.Contains(out, "already running") {
		t.Fatalf("second sandbox-up did not reuse the running sandbox (%v):\n%s", err, out)
	}
	st2, err := (&sandbox{name: name, root: root}).readState()
	if err != nil || st2.Server != st.Server || st2.StandinPID != st.StandinPID {
		t.Fatalf("reuse changed the sandbox: %+v then %+v (%v)", st, st2, err)
	}

	out, err = runMake(t, "sandbox-status", name)
	if err != nil || !regexp.MustCompile(`health\s+ok`).MatchString(out) {
		t.Fatalf("sandbox-status (%v):\n%s", err, out)
	}
	// Leader election is off, so a loaded machine cannot make the
	// controllers give up their lease and exit.
	ps, _ := exec.Command("ps", "-eo", "args=").Output()
	for _, c := range []string{"kube-controller-manager", "kube-scheduler"} {
		if !regexp.MustCompile(regexp.QuoteMeta(filepath.Join(dir, "kwok")) + `\S*/` + c + ` .*--leader-elect=false`).Match(ps) {
			t.Errorf("%s runs without --leader-elect=false", c)
		}
	}

	// stop takes the API server away and start brings it back on the same
	// address, with the node Ready again.
	if out, err := exec.Command("go", "run", ".", "--name", name, "stop").CombinedOutput(); err != nil {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	if err := nodeReady(context.Background(), st.Kubeconfig); err == nil {
		t.Fatal("the API server still answers after stop")
	}
	if out, err := exec.Command("go", "run", ".", "--name", name, "start").CombinedOutput(); err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	if err := nodeReady(context.Background(), st.Kubeconfig); err != nil {
		t.Fatalf("after start: %v", err)
	}

	// A component that dies is noticed, and up starts the sandbox afresh.
	for _, p := range sandboxProcesses(dir) {
		if p.command == "kube-scheduler" {
			stop(p.pid)
		}
	}
	out, err = runMake(t, "sandbox-status", name)
	if err == nil || !strings.Contains(out, "kube-scheduler is not running") {
		t.Fatalf("sandbox-status did not notice the dead scheduler (%v):\n%s", err, out)
	}
	out, err = runMake(t, "sandbox-up", name)
	if err != nil || !strings.Contains(out, "starting it afresh") || !runningCommands(dir)["kube-scheduler"] {
		t.Fatalf("sandbox-up did not restart a broken sandbox (%v):\n%s", err, out)
	}

	out, err = runMake(t, "sandbox-down", name)
	if err != nil {
		t.Fatalf("make sandbox-down: %v\n%s", err, out)
	}
	if ps := processesMentioning(dir); len(ps) != 0 {
		t.Fatalf("processes left after sandbox-down: %v", ps)
	}
	userConfigKept("after sandbox-down")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("run folder %s left after sandbox-down", dir)
	}
	if err := httpOK(context.Background(), st.BackendURL+"/health"); err == nil {
		t.Fatal("the backend stand-in still answers after sandbox-down")
	}
	out, err = runMake(t, "sandbox-status", name)
	if err == nil || !strings.Contains(out, "is not running") {
		t.Fatalf("sandbox-status after down should fail and say so (%v):\n%s", err, out)
	}
}

func runMake(t *testing.T, target, name string) (string, error) {
	t.Helper()
	cmd := exec.Command("make", "--no-print-directory", "-C", "../..", target, "SANDBOX_NAME="+name)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", ownerEnv, os.Getpid()))
	out, err := cmd.CombinedOutput()
	return string(out), err
}
