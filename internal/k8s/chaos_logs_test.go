package k8s

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// A pod deleted while its logs are followed: the stream moves to the pod
// that replaces it, and not one line of the stand-in's numbered output
// (seq=N; every backend pod reads the same log file) is lost or repeated
// across the handover. Requests to the stand-in make lines come fast
// (three every 10 ms), so the handover happens mid-flow.
func TestChaosPodDeletedWhileItsLogsAreFollowed(t *testing.T) {
	t.Parallel()
	sb := testenv.RequireSandbox(t)
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 1)
	pod := r.readyPods(ComponentBackend, 1)[0]

	logs, err := r.client.StreamLogs(t.Context(), LogOptions{
		Selector: ReleaseSelector(r.name, ComponentBackend), TailLines: NoHistory, Follow: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var load sync.WaitGroup
	for w := range 3 {
		load.Add(1)
		go func() {
			defer load.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				if res, err := http.Get(sb.BackendURL + "/health?chaos-logs=" + strconv.Itoa(w) + "-" + strconv.Itoa(i)); err == nil {
					res.Body.Close()
				}
			}
		}()
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		load.Wait()
	}()

	var lines []LogLine
	var notices []LogNotice
	collect := func(limit time.Duration, ok func() error) error {
		deadline := time.After(limit)
		for {
			if err := ok(); err == nil {
				return nil
			}
			select {
			case b, open := <-logs:
				if !open {
					return fmt.Errorf("the log channel closed")
				}
				lines = append(lines, b.Lines...)
				notices = append(notices, b.Notices...)
			case <-deadline:
				return fmt.Errorf("after %s: %v", limit, ok())
			}
		}
	}
	if err := collect(20*time.Second, func() error {
		if linesFrom(lines, pod) < 10 {
			return fmt.Errorf("%d lines from %s so far", linesFrom(lines, pod), pod)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	deletions := testenv.Repeat(2, 5)
	survived := 0
	var moves []time.Duration
	var failures []string
	former := map[string]bool{}
	for i := range deletions {
		former[pod] = true
		old := pod
		deleted := time.Now()
		if err := r.cs.CoreV1().Pods(r.ns).Delete(t.Context(), old, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		var successor string
		var moved time.Duration
		err := collect(40*time.Second, func() error {
			left := false
			for _, n := range notices {
				left = left || (n.Kind == LogClosed && n.Pod == old)
			}
			for _, l := range lines {
				if !former[l.Pod] && linesFrom(lines, l.Pod) >= 10 {
					successor = l.Pod
				}
			}
			if successor != "" && moved == 0 {
				moved = time.Since(deleted)
			}
			switch {
			case successor == "":
				return fmt.Errorf("no lines from a pod other than %s yet", old)
			case !left:
				return fmt.Errorf("lines from %s, but %s has not left", successor, old)
			}
			return nil
		})
		if err != nil {
			failures = append(failures, fmt.Sprintf("deletion %d: %v", i+1, err))
			break
		}
		survived++
		moves = append(moves, moved)
		pod = successor
	}
	close(stop)
	load.Wait()
	// The last requests' lines, then a heartbeat after them.
	_ = collect(5*time.Second, func() error { return fmt.Errorf("waiting") })

	// Every line between the first and the last seen, once.
	var seqs []int
	for _, l := range lines {
		f := strings.Fields(l.Text)
		if len(f) == 0 || !strings.HasPrefix(f[0], "seq=") {
			t.Errorf("a line without its number: %+v", l)
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(f[0], "seq="))
		if err != nil {
			t.Errorf("line %+v: %v", l, err)
			continue
		}
		seqs = append(seqs, n)
	}
	slices.Sort(seqs)
	var dups, lost []int
	for i := 1; i < len(seqs); i++ {
		switch d := seqs[i] - seqs[i-1]; {
		case d == 0:
			dups = append(dups, seqs[i])
		case d > 1:
			for n := seqs[i-1] + 1; n < seqs[i]; n++ {
				lost = append(lost, n)
			}
		}
	}
	for _, n := range lost {
		for _, l := range lines {
			var v int
			if _, err := fmt.Sscanf(l.Text, "seq=%d", &v); err == nil && v >= n-3 && v <= n+3 {
				t.Logf("around lost line %d: %s %s %s", n, l.Pod, l.Time.Format("15:04:05.000000"), l.Text)
			}
		}
		for _, no := range notices {
			t.Logf("notice: %s %s %s %s", no.Time.Format("15:04:05.000000"), no.Kind, no.Pod, no.Err)
		}
	}
	if len(dups) > 0 || len(lost) > 0 {
		failures = append(failures, fmt.Sprintf("%d lines repeated %v, %d lost %v", len(dups), dups, len(lost), lost))
		survived = 0
	}
	figures := []string{fmt.Sprintf("%d lines (seq %d to %d) followed across %d deletions: %d repeated, %d lost",
		len(seqs), first(seqs), last(seqs), deletions, len(dups), len(lost))}
	if len(moves) > 0 {
		figures = append(figures, "first lines of the successor after "+durations(moves))
	}
	testenv.Record(t, &testenv.Result{Section: testenv.SectionFaults, Class: "Pod deleted while its logs are followed",
		Tried: deletions, Survived: survived, Figures: figures})
	for _, f := range failures {
		t.Error(f)
	}
}

func first(s []int) int {
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

func last(s []int) int {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

// durations says the longest of ds and all of them, in seconds.
func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.1f", d.Seconds())
	}
	return fmt.Sprintf("at most %.1f s (%s s)", slices.Max(ds).Seconds(), strings.Join(parts, ", "))
}
