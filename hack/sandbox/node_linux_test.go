//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// machineRecord is what a node must leave as it found it: the machine's
// links, its named network namespaces, its firewall ruleset and its mount
// table.
func machineRecord(t *testing.T) map[string]string {
	t.Helper()
	rec := map[string]string{}
	for name, argv := range map[string][]string{
		"links":   {"ip", "-o", "link", "show"},
		"netns":   {"ip", "netns", "list"},
		"ruleset": {"iptables-save"},
	} {
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(argv, " "), err)
		}
		rec[name] = string(out)
	}
	// The links' counters and the rules' comments of dates change by
	// themselves; their names and kinds must not.
	rec["links"] = regexp.MustCompile(`(?m)^\d+: ([^:@]+)[@:].*$`).ReplaceAllString(rec["links"], "$1")
	rec["ruleset"] = regexp.MustCompile(`(?m)^#.*$|\[\d+:\d+\]`).ReplaceAllString(rec["ruleset"], "")
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	rec["mounts"] = string(mounts)
	return rec
}

// A real node: it registers, runs the backend's stand-in under the chart's
// restricted securityContext to Ready by a real probe, serves its logs
// through the API server and its LoadBalancer Service on the machine's
// localhost through kube-proxy (whose rules stay inside the node); and a
// SIGKILL of every process of the sandbox leaves the machine's links,
// namespaces, rules and mounts as they were, after which up starts cleanly.
func TestARealNodeRunsAPodAndASIGKILLLeavesNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a real node; skipped under -short (make test runs it)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the real node needs root (namespaces, cgroups, a veth): make test runs as root in CI")
	}
	name := fmt.Sprintf("tmtui-node-%d", os.Getpid())
	root, err := cacheRoot()
	if err != nil {
		t.Fatal(err)
	}
	s := &sandbox{name: name, root: root}
	dir := s.dir()
	before := machineRecord(t)
	up := func() {
		t.Helper()
		cmd := exec.Command("go", "run", ".", "--name", name, "--node", "up")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", ownerEnv, os.Getpid()))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("up --node: %v\n%s", err, out)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command("go", "run", ".", "--name", name, "down").CombinedOutput(); err != nil {
			t.Errorf("down: %v\n%s", err, out)
		}
		// What lives outside the node's namespaces is down's to remove.
		if left, _ := filepath.Glob("/sys/fs/cgroup/*/" + s.node().cgroup); len(left) > 0 {
			t.Errorf("down left the node's cgroups: %v", left)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("down left the run folder %s (%v)", dir, err)
		}
	})
	up()
	st, err := s.readState()
	if err != nil {
		t.Fatal(err)
	}
	if st.Node != name+"-node" {
		t.Fatalf("the state names no real node: %+v", st)
	}
	cs, err := clientFor(st.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	nd, err := cs.CoreV1().Nodes().Get(ctx, st.Node, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rt := nd.Status.NodeInfo.ContainerRuntimeVersion; !strings.HasPrefix(rt, "containerd://2.") {
		t.Errorf("the node's runtime is %q, want containerd 2", rt)
	}

	// The backend's stand-in as the chart runs its containers, with a real
	// HTTP readiness probe, behind a LoadBalancer Service on a port that is
	// free on the machine.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "standin"}
	images, err := chartImages(chartDir("."))
	if err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "standin", Namespace: "default", Labels: labels},
		Spec: corev1.PodSpec{
			NodeName: st.Node,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				RunAsUser:      ptr.To[int64](10001),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name: "backend", Image: images["backend"].String(), ImagePullPolicy: corev1.PullNever,
				Env:   []corev1.EnvVar{{Name: "PORT", Value: "8000"}},
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8000}},
				ReadinessProbe: &corev1.Probe{
					ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/health", Port: intstr.FromString("http")}},
					PeriodSeconds: 1,
				},
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false),
					ReadOnlyRootFilesystem:   ptr.To(true),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "standin", Namespace: "default"},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: labels,
			Ports:    []corev1.ServicePort{{Port: int32(port), TargetPort: intstr.FromString("http")}},
		},
	}
	if _, err := cs.CoreV1().Services("default").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, 2*time.Minute, func() error {
		p, err := cs.CoreV1().Pods("default").Get(ctx, "standin", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.Status.PodIP != "" {
				return nil
			}
		}
		return fmt.Errorf("pod %s: %s %v", p.Name, p.Status.Phase, p.Status.ContainerStatuses)
	}); err != nil {
		t.Fatalf("%v\nthe kubelet's log ends:\n%s", err, tail(filepath.Join(dir, "node", "logs", "kubelet.log"), 20))
	}
	// Its log through the API server, which asks the kubelet on the node's link.
	logs, err := cs.CoreV1().Pods("default").GetLogs("standin", &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil || !strings.Contains(string(logs), "stand-in listening on :8000") {
		t.Errorf("the pod's log through the API server: %v\n%s", err, logs)
	}
	// The Service on the machine's localhost, as Docker Desktop publishes it:
	// its status says so, and the container answers there through kube-proxy.
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	if err := waitFor(ctx, 2*time.Minute, func() error {
		s, err := cs.CoreV1().Services("default").Get(ctx, "standin", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !hasIngress(s, LoadBalancerHost) {
			return fmt.Errorf("the Service's ingress is %+v, want %s", s.Status.LoadBalancer.Ingress, LoadBalancerHost)
		}
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "taskmaster-backend") {
			return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
		}
		return nil
	}); err != nil {
		t.Fatalf("%v\nthe node's log ends:\n%s\nkube-proxy's:\n%s", err, tail(filepath.Join(dir, "node", "logs", "node.log"), 10), tail(filepath.Join(dir, "node", "logs", "kube-proxy.log"), 10))
	}
	during := machineRecord(t)
	if during["mounts"] != before["mounts"] {
		t.Errorf("the machine's mount table changed while the node runs:\nbefore:\n%s\nduring:\n%s", before["mounts"], during["mounts"])
	}
	if during["ruleset"] != before["ruleset"] {
		t.Errorf("the machine's firewall rules changed while the node runs:\nbefore:\n%s\nduring:\n%s", before["ruleset"], during["ruleset"])
	}

	// SIGKILL, every process of the sandbox at once, as a killed run would.
	pids := processesMentioning(dir)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGSTOP)
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if err := waitFor(ctx, 30*time.Second, func() error {
		if left := processesMentioning(dir); len(left) > 0 {
			return fmt.Errorf("still running: %v", left)
		}
		if after := machineRecord(t); after["links"] != before["links"] {
			return fmt.Errorf("links now:\n%s\nbefore:\n%s", after["links"], before["links"])
		}
		// The published port went with the node's first process.
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return fmt.Errorf("the LoadBalancer's port %d on the machine: %w", port, err)
		}
		return ln.Close()
	}); err != nil {
		t.Fatal(err)
	}
	after := machineRecord(t)
	for _, k := range []string{"links", "netns", "ruleset", "mounts"} {
		if after[k] != before[k] {
			t.Errorf("after the SIGKILL the machine's %s differ:\nbefore:\n%s\nafter:\n%s", k, before[k], after[k])
		}
	}

	// And up starts afresh on what the kill left.
	up()
	if err := s.realNodeReady(context.Background(), st, st.Node); err != nil {
		t.Fatalf("after the SIGKILL, up's node: %v", err)
	}
}
