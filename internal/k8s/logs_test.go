package k8s

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

func TestParseLogLine(t *testing.T) {
	ts := time.Date(2026, 11, 25, 16, 52, 56, 659072453, time.UTC)
	tests := []struct {
		name, in string
		time     time.Time
		text     string
	}{
		{"API server form", "2026-11-25T16:52:56.659072453Z seq=1 INFO: ready", ts, "seq=1 INFO: ready"},
		{"CRI full line", "2026-11-25T16:52:56.659072453Z stdout F seq=1 INFO: ready", ts, "seq=1 INFO: ready"},
		{"CRI stderr partial", "2026-11-25T16:52:56.659072453Z stderr P half a li", ts, "half a li"},
		{"CRI empty line", "2026-11-25T16:52:56.659072453Z stdout F ", ts, ""},
		{"offset time", "2026-11-25T17:52:56.659072453+01:00 hello", ts, "hello"},
		{"timestamp only", "2026-11-25T16:52:56.659072453Z", ts, ""},
		{"no timestamp", "plain text line", time.Time{}, "plain text line"},
		{"stdout word in text", "2026-11-25T16:52:56.659072453Z stdout is where it went", ts, "stdout is where it went"},
		{"empty", "", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotTime, gotText := parseLogLine(tt.in)
			if !gotTime.Equal(tt.time) || gotText != tt.text {
				t.Errorf("parseLogLine(%q) = %v, %q; want %v, %q", tt.in, gotTime, gotText, tt.time, tt.text)
			}
		})
	}
}

func TestReadLogLinesCutsLongLinesAndKeepsTheLast(t *testing.T) {
	long := strings.Repeat("x", maxLogLine+5000)
	in := "one\r\n" + long + "\nthree"
	var got []string
	if err := readLogLines(strings.NewReader(in), func(s string) bool { got = append(got, s); return true }); err == nil {
		t.Error("want io.EOF at the end, got nil")
	}
	if len(got) != 3 || got[0] != "one" || len(got[1]) != maxLogLine || got[2] != "three" {
		t.Fatalf("got %d lines: %q, len %d, %q", len(got), got[0], len(got[1]), got[len(got)-1])
	}
}

func TestDedupDropsWhatAReopenedStreamRepeats(t *testing.T) {
	t0 := time.Unix(100, 0)
	var d dedup
	sent := func(t time.Time, text string) bool { return d.fresh(t, text) }
	if !sent(t0, "a") || !sent(t0, "b") || !sent(t0.Add(time.Millisecond), "c") {
		t.Fatal("first lines were dropped")
	}
	// The stream opens again from the whole second: all three come back.
	if sent(t0, "a") || sent(t0, "b") || sent(t0.Add(time.Millisecond), "c") {
		t.Error("a repeated line was let through")
	}
	if !sent(t0.Add(time.Millisecond), "d") || !sent(t0.Add(time.Second), "e") {
		t.Error("a new line was dropped")
	}
	if !sent(time.Time{}, "no time") || !sent(time.Time{}, "no time") {
		t.Error("lines without a time cannot be told apart and must pass")
	}
}

// TestBatchLogsWakesTheConsumerRarely pushes 20,000 lines as fast as
// possible: they must arrive complete, in order, in few batches.
func TestBatchLogsWakesTheConsumerRarely(t *testing.T) {
	in := make(chan logItem, 256)
	out := make(chan LogBatch)
	go batchLogs(t.Context(), in, out, 50*time.Millisecond, 1000)
	const n = 20_000
	go func() {
		in <- logItem{notice: &LogNotice{Kind: LogOpened, Pod: "p"}}
		for i := range n {
			in <- logItem{line: LogLine{Pod: "p", Text: fmt.Sprint(i)}}
		}
		close(in)
	}()
	var lines, batches, notices int
	for b := range out {
		batches++
		notices += len(b.Notices)
		if len(b.Lines) > 1000 {
			t.Fatalf("a batch of %d lines, more than the 1000 allowed", len(b.Lines))
		}
		for _, l := range b.Lines {
			if l.Text != fmt.Sprint(lines) {
				t.Fatalf("line %d is %q: out of order or lost", lines, l.Text)
			}
			lines++
		}
	}
	if lines != n || notices != 1 {
		t.Fatalf("%d lines and %d notices arrived, want %d and 1", lines, notices, n)
	}
	if batches > n/1000+3 {
		t.Errorf("%d batches for %d lines: the consumer is woken too often", batches, n)
	}
	t.Logf("%d lines in %d batches", lines, batches)
}

func TestBatchLogsFlushesALoneLineSoon(t *testing.T) {
	in := make(chan logItem, 1)
	out := make(chan LogBatch)
	go batchLogs(t.Context(), in, out, 50*time.Millisecond, 1000)
	start := time.Now()
	in <- logItem{line: LogLine{Text: "alone"}}
	select {
	case b := <-out:
		if len(b.Lines) != 1 || b.Lines[0].Text != "alone" {
			t.Fatalf("batch %+v", b)
		}
		// Flushed by the interval's timer, never before it: no second line
		// and no close came. (How soon after it is the machine's load.)
		if d := time.Since(start); d < 40*time.Millisecond {
			t.Errorf("a lone line came %v after it was sent; want it held for the flush interval of 50 ms", d)
		}
	case <-time.After(time.Minute):
		t.Fatal("a lone line was never flushed")
	}
}

// collectLogs reads batches until ok accepts what has arrived so far.
func collectLogs(t *testing.T, ch <-chan LogBatch, limit time.Duration, ok func(lines []LogLine, notices []LogNotice) error) ([]LogLine, []LogNotice) {
	t.Helper()
	var lines []LogLine
	var notices []LogNotice
	deadline := time.After(limit)
	why := fmt.Errorf("nothing arrived")
	for {
		select {
		case b, open := <-ch:
			if !open {
				t.Fatalf("log channel closed; last complaint: %v", why)
			}
			lines = append(lines, b.Lines...)
			notices = append(notices, b.Notices...)
			if why = ok(lines, notices); why == nil {
				return lines, notices
			}
		case <-deadline:
			t.Fatalf("after %s: %v", limit, why)
		}
	}
}

func linesFrom(lines []LogLine, pod string) int {
	n := 0
	for _, l := range lines {
		if l.Pod == pod {
			n++
		}
	}
	return n
}

func TestLogsFromTwoPodsArriveMergedAndTagged(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 2)
	r.deploy(ComponentFrontend, "taskmaster-frontend:1.0.0", 1)
	backends := r.readyPods(ComponentBackend, 2)
	frontend := r.readyPods(ComponentFrontend, 1)[0]

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs, err := r.client.StreamLogs(ctx, LogOptions{Selector: ReleaseSelector(r.name, ""), TailLines: 2, Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	lines, notices := collectLogs(t, logs, 30*time.Second, func(lines []LogLine, _ []LogNotice) error {
		for _, pod := range append(slices.Clone(backends), frontend) {
			if linesFrom(lines, pod) == 0 {
				return fmt.Errorf("no line from %s yet (%d lines)", pod, len(lines))
			}
		}
		// Beyond the tail, the followed streams go on: the backend's
		// heartbeat comes every two seconds.
		for _, pod := range backends {
			if linesFrom(lines, pod) <= 2 {
				return fmt.Errorf("only the tail from %s so far", pod)
			}
		}
		return nil
	})
	for _, l := range lines {
		wantContainer := ComponentBackend
		if l.Pod == frontend {
			wantContainer = ComponentFrontend
		}
		if l.Container != wantContainer || l.Time.IsZero() || !strings.HasPrefix(l.Text, "seq=") {
			t.Fatalf("line %+v: want container %s, a time and the stand-in's text without its timestamp", l, wantContainer)
		}
	}
	opened := map[string]bool{}
	for _, n := range notices {
		if n.Kind == LogOpened {
			opened[n.Pod+"/"+n.Container] = true
		}
	}
	if !opened[backends[0]+"/backend"] || !opened[backends[1]+"/backend"] || !opened[frontend+"/frontend"] {
		t.Errorf("opened notices %v, want one per pod and container", opened)
	}

	cancel()
	closed := time.After(time.Minute)
	for open := true; open; {
		select {
		case _, open = <-logs:
		case <-closed:
			t.Fatal("the log channel is still open a minute after its context ended")
		}
	}
}

func TestLogsFollowADeploymentOntoItsNextPod(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 1)
	old := r.readyPods(ComponentBackend, 1)[0]

	logs, err := r.client.StreamLogs(t.Context(), LogOptions{
		Selector: ReleaseSelector(r.name, ComponentBackend), TailLines: NoHistory, Follow: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	collectLogs(t, logs, 20*time.Second, func(lines []LogLine, _ []LogNotice) error {
		if linesFrom(lines, old) == 0 {
			return fmt.Errorf("no new line from %s yet", old)
		}
		return nil
	})

	r.restart(ComponentBackend)
	var successor string
	collectLogs(t, logs, 40*time.Second, func(lines []LogLine, notices []LogNotice) error {
		left := false
		for _, n := range notices {
			left = left || (n.Kind == LogClosed && n.Pod == old)
		}
		for _, l := range lines {
			if l.Pod != old {
				successor = l.Pod
			}
		}
		switch {
		case successor == "":
			return fmt.Errorf("no line from a pod other than %s yet", old)
		case !left:
			return fmt.Errorf("lines from %s, but %s has not left", successor, old)
		}
		return nil
	})
	if !strings.HasPrefix(successor, r.deploymentName(ComponentBackend)+"-") {
		t.Errorf("lines from %q, which is not a pod of the deployment", successor)
	}
	if now := r.readyPods(ComponentBackend, 1)[0]; now != successor {
		t.Errorf("followed %s, but the deployment's pod is %s", successor, now)
	}
}

func TestLogsTailSinceAndPrevious(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 1)
	pod := r.readyPods(ComponentBackend, 1)[0]

	readAll := func(o LogOptions) ([]LogLine, []LogNotice) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		ch, err := r.client.StreamLogs(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var lines []LogLine
		var notices []LogNotice
		for b := range ch { // without Follow the channel closes by itself
			lines = append(lines, b.Lines...)
			notices = append(notices, b.Notices...)
		}
		if ctx.Err() != nil {
			t.Fatalf("reading %+v did not finish by itself", o)
		}
		return lines, notices
	}

	lines, _ := readAll(LogOptions{Pods: []string{pod}, TailLines: 3})
	if len(lines) != 3 || lines[0].Pod != pod || lines[0].Container != ComponentBackend {
		t.Fatalf("tail 3 gave %d lines: %+v", len(lines), lines)
	}
	if !lines[0].Time.Before(lines[2].Time) {
		t.Errorf("tail lines out of order: %v then %v", lines[0].Time, lines[2].Time)
	}

	// Since: a line of the test's own, logged before, drops out once it is
	// older than the window, and one logged just now is in. Every backend
	// pod of the sandbox reads the one stand-in log, which other tests
	// fill as they please (the chaos test floods it), so the test counts
	// only lines it made: requests to the stand-in marked with its
	// namespace, which the stand-in logs.
	sb := testenv.RequireSandbox(t)
	mark := func(what string) string {
		t.Helper()
		m := "tmtui-since=" + r.ns + "-" + what
		res, err := http.Get(sb.BackendURL + "/health?" + m)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return m + " " // the stand-in logs the request line: ".../health?MARK HTTP/1.1"
	}
	has := func(lines []LogLine, m string) bool {
		return slices.ContainsFunc(lines, func(l LogLine) bool { return strings.Contains(l.Text, m) })
	}
	const since = 2 * time.Second
	old := mark("old")
	if lines, _ := readAll(LogOptions{Pods: []string{pod}, Since: time.Minute}); !has(lines, old) {
		t.Fatalf("since 1m: no line %q, logged just before (%d lines)", old, len(lines))
	}
	var tooOld []LogLine
	attempt := 0
	testenv.Eventually(t, time.Minute, func() error {
		attempt++
		fresh := mark(fmt.Sprint("fresh-", attempt))
		asked := time.Now()
		lines, _ := readAll(LogOptions{Pods: []string{pod}, Since: since})
		for _, l := range lines {
			// The server counts the window from its own now, later than
			// asked; two seconds of slack for its rounding.
			if l.Time.Before(asked.Add(-since - 2*time.Second)) {
				tooOld = append(tooOld, l)
			}
		}
		switch {
		case !has(lines, fresh):
			return fmt.Errorf("since %s: no line %q, logged just before (%d lines)", since, fresh, len(lines))
		case has(lines, old):
			return fmt.Errorf("since %s: still the line %q", since, old)
		}
		return nil
	})
	for _, l := range tooOld {
		t.Errorf("since %s gave a line from %s, older than that: %q", since, l.Time.Format(time.RFC3339Nano), l.Text)
	}

	lines, notices := readAll(LogOptions{Pods: []string{pod}, Previous: true})
	if len(lines) != 1 || !strings.Contains(lines[0].Text, "previous container exited") {
		t.Fatalf("previous container's log: %+v (notices %+v)", lines, notices)
	}

	_, notices = readAll(LogOptions{Pods: []string{pod}, Containers: []string{"nope"}, TailLines: 1})
	if len(notices) != 0 {
		t.Errorf("a container the pod lacks gave notices %+v", notices)
	}
	lines, notices = readAll(LogOptions{Pods: []string{"no-such-pod"}, TailLines: 1})
	if len(lines) != 0 || len(notices) != 0 {
		t.Errorf("a pod that does not exist gave lines %+v and notices %+v", lines, notices)
	}

	if _, err := r.client.StreamLogs(t.Context(), LogOptions{}); err == nil {
		t.Error("logs of nothing were accepted")
	}
}

func TestLogsReportAStreamThatFails(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	// The sandbox serves logs only for containers named backend or frontend.
	r.deploy("worker", "taskmaster-worker:1.0.0", 1)
	pod := r.readyPods("worker", 1)[0]

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ch, err := r.client.StreamLogs(ctx, LogOptions{Selector: r.selector("worker"), TailLines: 1})
	if err != nil {
		t.Fatal(err)
	}
	var notices []LogNotice
	for b := range ch {
		if len(b.Lines) > 0 {
			t.Errorf("lines from a container without a log: %+v", b.Lines)
		}
		notices = append(notices, b.Notices...)
	}
	if len(notices) != 1 || notices[0].Kind != LogFailed || notices[0].Pod != pod || notices[0].Container != "worker" ||
		!strings.Contains(notices[0].Err, "no logs found") {
		t.Fatalf("notices %+v, want one failure naming the pod, the container and the cause", notices)
	}
}

func BenchmarkParseLogLine(b *testing.B) {
	line := "2026-11-25T16:52:56.659072453Z seq=1234 INFO: 127.0.0.1:50000 - \"GET /health HTTP/1.1\" 200"
	b.ReportAllocs()
	for b.Loop() {
		parseLogLine(line)
	}
}

func TestSentLinesDropsOnlyWhatALeavingPodSharesWithAnother(t *testing.T) {
	var s sentLines
	at := time.Date(2026, 11, 25, 20, 0, 0, 123, time.UTC)
	if !s.first("a", "backend", at, "seq=1") || !s.first("b", "backend", at, "seq=1") {
		t.Fatal("two pods side by side: both must show a line they share")
	}
	if !s.first("a", "backend", at, "seq=1") {
		t.Error("a pod's own line again is for its stream's dedup to drop, not this")
	}
	s.leave("a")
	if s.first("c", "backend", at.Add(time.Nanosecond), "seq=2") != true || s.first("a", "backend", at.Add(time.Nanosecond), "seq=2") {
		t.Error("a leaving pod repeated its successor's line")
	}
	if !s.first("a", "backend", at.Add(2), "seq=3") || s.first("c", "backend", at.Add(2), "seq=3") {
		t.Error("the successor repeated the leaving pod's line")
	}
	if !s.first("c", "frontend", at.Add(2), "seq=3") || !s.first("c", "backend", at.Add(3), "seq=3") {
		t.Error("another container, or another instant, is another line")
	}
	if !s.first("a", "backend", time.Time{}, "x") || !s.first("c", "backend", time.Time{}, "x") {
		t.Error("lines without a time cannot be told apart and must pass")
	}
	s.leave("e")
	if !s.first("e", "backend", at.Add(500), "seq=9") {
		t.Fatal("a new line was refused")
	}
	s.forget("e", "backend", at.Add(500), "seq=9")
	if !s.first("f", "backend", at.Add(500), "seq=9") {
		t.Error("a line the leaving pod never sent (forgotten) was refused to its successor")
	}
	for i := range maxSentLines + 10 {
		s.first("d", "backend", at.Add(time.Duration(1000+i)), "n")
	}
	if len(s.by) != maxSentLines || len(s.order) != maxSentLines {
		t.Errorf("remembers %d lines (%d in order), want at most %d", len(s.by), len(s.order), maxSentLines)
	}
}

// A merged log follows at most MaxPods pods, says so once, and takes a
// left-out pod in when a followed one goes away.
func TestLogsFollowAtMostMaxPods(t *testing.T) {
	t.Parallel()
	r := newSandboxRelease(t)
	r.deploy(ComponentBackend, "taskmaster-backend:1.0.0", 3)
	pods := r.readyPods(ComponentBackend, 3)

	logs, err := r.client.StreamLogs(t.Context(), LogOptions{Selector: ReleaseSelector(r.name, ""), TailLines: NoHistory, Follow: true, MaxPods: 2})
	if err != nil {
		t.Fatal(err)
	}
	followed := map[string]bool{}
	limited := 0
	count := func(notices []LogNotice) {
		clear(followed)
		limited = 0
		for _, n := range notices {
			switch n.Kind {
			case LogOpened:
				followed[n.Pod] = true
			case LogClosed:
				delete(followed, n.Pod)
			case LogLimited:
				limited++
			}
		}
	}
	_, notices := collectLogs(t, logs, 30*time.Second, func(_ []LogLine, notices []LogNotice) error {
		count(notices)
		if len(followed) < 2 || limited == 0 {
			return fmt.Errorf("following %v, %d limit notices", followed, limited)
		}
		return nil
	})
	// Give a third stream the time it would need to open.
	time.Sleep(3 * time.Second)
	var all []LogNotice
	all = append(all, notices...)
	drain := time.After(500 * time.Millisecond)
	for done := false; !done; {
		select {
		case b := <-logs:
			all = append(all, b.Notices...)
		case <-drain:
			done = true
		}
	}
	count(all)
	if len(followed) != 2 || limited != 1 {
		t.Fatalf("following %v with %d limit notices; want 2 pods and one notice", followed, limited)
	}
	var leftOut string
	for _, p := range pods {
		if !followed[p] {
			leftOut = p
		}
	}

	// One followed pod goes: the left-out pod (or the deployment's new pod)
	// takes its place, and never more than two are followed.
	var gone string
	for p := range followed {
		gone = p
		break
	}
	if err := r.cs.CoreV1().Pods(r.ns).Delete(t.Context(), gone, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	collectLogs(t, logs, 40*time.Second, func(_ []LogLine, notices []LogNotice) error {
		count(append(all, notices...))
		if len(followed) > 2 {
			t.Fatalf("following %d pods: %v", len(followed), followed)
		}
		if followed[gone] || len(followed) < 2 {
			return fmt.Errorf("following %v after %s went (left out: %s)", followed, gone, leftOut)
		}
		return nil
	})
}
