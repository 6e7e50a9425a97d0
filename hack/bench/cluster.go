package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/taskmaster-ai/tmtui/internal/helm"
)

// sandboxState is the part of the sandbox's sandbox.json the bench reads.
type sandboxState struct {
	Name       string `json:"name"`
	Context    string `json:"context"`
	Kubeconfig string `json:"kubeconfig"`
	BackendURL string `json:"backendURL"`
	BackendLog string `json:"backendLog"`
}

// cluster is the bench's own sandbox (a private one by default, so the
// API request counts are the tools' and the cluster's alone).
type cluster struct {
	repo, cache string
	st          sandboxState
	cs          *kubernetes.Clientset
}

func sandboxTool(repo string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", append([]string{"run", "."}, args...)...)
	cmd.Dir = filepath.Join(repo, "hack", "sandbox")
	return cmd.CombinedOutput()
}

func upCluster(ctx context.Context, repo, cache, name string) (*cluster, error) {
	// The bench owns its sandbox: when the bench is killed, the next
	// sandbox sweep (any make test, any up) stops what it left.
	up := exec.Command("go", "run", ".", "--name", name, "up")
	up.Dir = filepath.Join(repo, "hack", "sandbox")
	up.Env = append(os.Environ(), fmt.Sprintf("TMTUI_SANDBOX_OWNER=%d", os.Getpid()))
	if out, err := up.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sandbox up: %v\n%s", err, out)
	}
	out, err := sandboxTool(repo, "--name", name, "kubeconfig")
	if err != nil {
		return nil, fmt.Errorf("sandbox kubeconfig: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "sandbox.json"))
	if err != nil {
		return nil, err
	}
	c := &cluster{repo: repo, cache: cache}
	if err := json.Unmarshal(data, &c.st); err != nil {
		return nil, err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.st.Kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 50, 100
	if c.cs, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *cluster) down() error {
	if out, err := sandboxTool(c.repo, "--name", c.st.Name, "down"); err != nil {
		return fmt.Errorf("sandbox down: %v\n%s", err, out)
	}
	return nil
}

// requestTotal sums apiserver_request_total over every label set: every
// request the API server has finished since it started.
func (c *cluster) requestTotal(ctx context.Context) (float64, error) {
	raw, err := c.cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return 0, fmt.Errorf("GET /metrics: %w", err)
	}
	var sum float64
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err == nil {
			sum += v
		}
	}
	return sum, sc.Err()
}

// requestsPerMinute counts the requests the API server finished during d,
// less the bench's own scrape.
func (c *cluster) requestsPerMinute(ctx context.Context, d time.Duration) (float64, error) {
	a, err := c.requestTotal(ctx)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(d):
	}
	b, err := c.requestTotal(ctx)
	if err != nil {
		return 0, err
	}
	return (b - a - 1) / time.Since(start).Minutes(), nil
}

// helm runs the helm v4 CLI with empty config folders of its own; anything
// but loopback goes to a closed proxy port.
func (c *cluster) helm(ctx context.Context, helmBin string, args ...string) (string, error) {
	home := filepath.Join(c.cache, "bench", "helm-home")
	cmd := exec.CommandContext(ctx, helmBin, append(args, "--kubeconfig", c.st.Kubeconfig, "--kube-context", c.st.Context)...)
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (c *cluster) createNamespace(ctx context.Context, ns string) error {
	_, err := c.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// deleteNamespace deletes ns and waits until it is gone, so the next
// measurement does not share the machine with its clean-up.
func (c *cluster) deleteNamespace(ctx context.Context, ns string) error {
	err := c.cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return poll(ctx, 2*time.Minute, func() error {
		_, err := c.cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("namespace %s still there", ns)
	})
}

// allReady says every deployment in ns has all its replicas available and
// there are want pods Running and Ready.
func (c *cluster) allReady(ctx context.Context, ns string, want int) error {
	deps, err := c.cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, d := range deps.Items {
		if !deploymentReady(&d) {
			return fmt.Errorf("deployment %s: %d of %d available", d.Name, d.Status.AvailableReplicas, *d.Spec.Replicas)
		}
	}
	pods, err := c.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	ready := 0
	for _, p := range pods.Items {
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil {
				ready++
			}
		}
	}
	if ready != want {
		return fmt.Errorf("%d of %d pods ready in %s", ready, want, ns)
	}
	return nil
}

func deploymentReady(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	return d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == want &&
		d.Status.AvailableReplicas == want && d.Status.Replicas == want
}

// scaleNodes makes the sandbox's simulated nodes n.
// scaleSettled says whether tmtui's last scale of a Deployment has ended:
// its field manager, which the scale drops once Helm's upgrade has applied
// the count, is gone from the Deployment.
func (c *cluster) scaleSettled(ctx context.Context, ns, name string) error {
	d, err := c.cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, mf := range d.ManagedFields {
		if mf.Manager == helm.ScaleFieldManager {
			return fmt.Errorf("deployment %s: tmtui's scale has not ended (its field manager is still there)", name)
		}
	}
	return nil
}

func (c *cluster) scaleNodes(ctx context.Context, n int) error {
	bin := filepath.Join(c.cache, "sandbox", "k8s-v1.36.3_etcd-v3.6.16_kwok-v0.8.0", "bin", "kwokctl")
	cmd := exec.CommandContext(ctx, bin, "scale", "node", "--replicas", strconv.Itoa(n), "--name", c.st.Name)
	cmd.Env = append(os.Environ(), "KWOK_WORKDIR="+filepath.Join(c.cache, "sandbox", "run", c.st.Name, "kwok"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("kwokctl scale node: %v\n%s", err, out)
	}
	return poll(ctx, time.Minute, func() error {
		nodes, err := c.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		ready := 0
		for _, nd := range nodes.Items {
			for _, cond := range nd.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if ready < n {
			return fmt.Errorf("%d of %d nodes Ready", ready, n)
		}
		return nil
	})
}

// generated is what the backend stand-in's /generate reports.
type generated struct {
	First, Last, Lines int
	Seconds            float64
}

// generate has the backend stand-in write rate lines a second for d into
// the log every backend pod serves, and returns when it is done.
func (c *cluster) generate(ctx context.Context, rate int, d time.Duration) (generated, error) {
	url := fmt.Sprintf("%s/generate?rate=%d&duration=%s", c.st.BackendURL, rate, d)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return generated{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return generated{}, err
	}
	defer resp.Body.Close()
	var g generated
	if resp.StatusCode != http.StatusOK {
		return g, fmt.Errorf("%s: %s (is the sandbox's stand-in from this checkout? `make sandbox-down` on an old bench sandbox)", url, resp.Status)
	}
	return g, json.NewDecoder(resp.Body).Decode(&g)
}

func poll(ctx context.Context, limit time.Duration, check func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %w", limit, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// writtenSeq is the seq of the last line in the backend's log file: how far
// the writer has got.
func (c *cluster) writtenSeq() int {
	f, err := os.Open(c.st.BackendLog)
	if err != nil {
		return -1
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return -1
	}
	buf := make([]byte, 8<<10)
	off := max(0, st.Size()-int64(len(buf)))
	n, _ := f.ReadAt(buf, off)
	return maxSeq(string(buf[:n]))
}
