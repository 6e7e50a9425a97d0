package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

const (
	ns      = "taskmaster"
	release = "taskmaster"
)

type runner struct {
	c      config
	cl     *cluster
	t      *term
	tm, k9 *tool
	helm   string
	dir    string
	seq    int // session names
}

func (r *runner) chart() string { return filepath.Join(r.c.repo, "charts", "taskmaster") }

func (r *runner) start(ctx context.Context, tl *tool) (*session, time.Time, error) {
	return r.startWith(ctx, tl, r.cl.st.Kubeconfig)
}

// startWith starts tl on a kubeconfig of choice (a counting proxy's).
func (r *runner) startWith(ctx context.Context, tl *tool, kubeconfig string) (*session, time.Time, error) {
	r.seq++
	t0 := time.Now()
	s, err := r.t.start(fmt.Sprintf("%s-%d", tl.name, r.seq), r.dir, tl.env, tl.argv(kubeconfig, r.cl.st.Context, ns))
	return s, t0, err
}

func hasPods(scr string) bool { return podName.MatchString(scr) }

// fullFrame is tmtui's first complete screen: the release's state in the
// header, the pods listed, and log lines in.
func fullFrame(scr string) bool {
	return strings.Contains(scr, "✓ deployed") && podName.MatchString(scr) && strings.Contains(scr, "seq=")
}

// pair returns the tools in the order of round i: the first runs first on
// even rounds, so that neither always has the warmer machine.
func (r *runner) pair(i int) []*tool {
	if i%2 == 0 {
		return []*tool{r.tm, r.k9}
	}
	return []*tool{r.k9, r.tm}
}

func (r *runner) small(ctx context.Context) ([]*figure, error) {
	sc := "3 pods, 1 node"
	fmt.Printf("\n== Scenario: %s ==\n", sc)
	fmt.Println("Installing the chart (backend 2, frontend 1) ...")
	if _, err := r.cl.helm(ctx, r.helm, "upgrade", "--install", release, r.chart(), "-n", ns, "--create-namespace",
		"--set", "backend.replicaCount=2,frontend.replicaCount=1", "--wait", "--timeout", "2m"); err != nil {
		return nil, err
	}
	if err := poll(ctx, time.Minute, func() error { return r.cl.allReady(ctx, ns, 3) }); err != nil {
		return nil, err
	}
	var figs []*figure
	add := func(f ...*figure) { figs = append(figs, f...) }

	// The Go render benchmark compiles and runs while the cluster's own
	// baseline is measured: it asks nothing of the API server.
	renderCh := make(chan renderResult, 1)
	go func() { renderCh <- renderBenchmark(ctx, r.c.repo) }()
	fs, err := r.launchAndIdle(ctx, sc, false)
	add(fs...)
	if err != nil {
		return figs, err
	}
	rr := <-renderCh
	if rr.err != nil {
		fmt.Println("render benchmark:", rr.err)
	} else {
		add(&figure{scenario: sc, name: "render one frame, 300 pods and 10,000 log lines (go test -bench)", unit: "ms",
			tm: rr.ms, target: "≤ 4 ms", met: func(f *figure) bool { return median(f.tm) <= 4 }})
	}

	fs, err = r.followBoth(ctx, sc, r.c.follow)
	add(fs...)
	if err != nil {
		return figs, err
	}
	fs, err = r.ingest(ctx, sc)
	add(fs...)
	if err != nil {
		return figs, err
	}
	f, err := r.scaleKey(ctx, sc)
	if err != nil {
		return figs, err
	}
	add(f)
	f, err = r.install(ctx, sc)
	if err != nil {
		return figs, err
	}
	add(f)
	return figs, nil
}

func (r *runner) scale(ctx context.Context) ([]*figure, error) {
	sc := fmt.Sprintf("%d pods, 3 nodes", 2*r.c.scalePerComp)
	fmt.Printf("\n== Scenario: %s ==\n", sc)
	fmt.Println("Adding nodes and scaling the release (past the chart's limit of 3 replicas, with --skip-schema-validation) ...")
	if err := r.cl.scaleNodes(ctx, 3); err != nil {
		return nil, err
	}
	n := r.c.scalePerComp
	if _, err := r.cl.helm(ctx, r.helm, "upgrade", "--install", release, r.chart(), "-n", ns, "--create-namespace", "--skip-schema-validation",
		"--set", fmt.Sprintf("backend.replicaCount=%d,frontend.replicaCount=%d", n, n), "--wait", "--timeout", "5m"); err != nil {
		return nil, err
	}
	if err := poll(ctx, 3*time.Minute, func() error { return r.cl.allReady(ctx, ns, 2*n) }); err != nil {
		return nil, err
	}
	var figs []*figure
	fs, err := r.launchAndIdle(ctx, sc, true)
	figs = append(figs, fs...)
	if err != nil {
		return figs, err
	}
	fs, err = r.followBoth(ctx, sc, r.c.followScale)
	figs = append(figs, fs...)
	if err != nil {
		return figs, err
	}
	fs, err = r.ingest(ctx, sc)
	figs = append(figs, fs...)
	return figs, err
}

// launchAndIdle: launch to the pods list (rounds per tool, alternating),
// tmtui's first full frame, then the cluster's baseline and each tool idle
// on the pods view: API requests per minute above the baseline, and memory
// after a minute.
//
// sideBySide runs both tools idle at once, counting each one's requests
// through its proxy only (the API server's count cannot tell them apart):
// it saves the scale scenario two minutes.
func (r *runner) launchAndIdle(ctx context.Context, sc string, sideBySide bool) ([]*figure, error) {
	launch := &figure{scenario: sc, name: "launch to a screen listing the pods", unit: "s", peer: "k9s",
		target: "≤ 0.25 × k9s", met: ratioAtMost(0.25)}
	frame := &figure{scenario: sc, name: "start to first full frame (release, pods, log lines)", unit: "s"}
	fmt.Printf("Launch to the pods list, %d rounds per tool ...\n", r.c.rounds)
	for i := range r.c.rounds {
		for _, tl := range r.pair(i) {
			s, t0, err := r.start(ctx, tl)
			if err != nil {
				return nil, err
			}
			d, err := s.waitFor(t0, 30*time.Second, hasPods)
			if err != nil {
				s.stop()
				return nil, err
			}
			if tl == r.tm {
				launch.tm = append(launch.tm, d.Seconds())
				full, err := s.waitFor(t0, 30*time.Second, fullFrame)
				if err != nil {
					s.stop()
					return nil, err
				}
				frame.tm = append(frame.tm, full.Seconds())
			} else {
				launch.peerV = append(launch.peerV, d.Seconds())
			}
			fmt.Printf("  %-5s %6.3f s\n", tl.name, d.Seconds())
			s.stop()
			// The next launch starts on a settled machine, whichever tool
			// went before (a tool's exit and its closing watches take a moment).
			time.Sleep(2 * time.Second)
		}
	}

	rss := &figure{scenario: sc, name: "resident memory on the pods view after a minute", unit: "MB", peer: "k9s",
		target: "≤ 60 MB", met: func(f *figure) bool { return median(f.tm) <= 60 }}
	anon := &figure{scenario: sc, name: "the same: of which anonymous (heap and stacks, not the executable's pages)", unit: "MB", peer: "k9s"}
	exact := &figure{scenario: sc, name: "API requests/min idle on the pods view, counted exactly by a proxy between the tool and the API server", unit: "req/min", peer: "k9s",
		target: "≤ 2", met: func(f *figure) bool { return median(f.tm) <= 2 }}
	figs := []*figure{launch, frame}

	// idle runs tools on the pods view for the window: each behind its own
	// counting proxy, and, when base is given, alone (so that the API
	// server's count above base is the tool's).
	idle := func(tools []*tool, base *float64) error {
		type run struct {
			tl *tool
			px *countingProxy
			s  *session
			t0 time.Time
		}
		var runs []*run
		defer func() {
			for _, x := range runs {
				x.s.stop()
				x.px.close()
			}
		}()
		for _, tl := range tools {
			px, err := startProxy(r.cl, r.dir, tl.name)
			if err != nil {
				return err
			}
			s, t0, err := r.startWith(ctx, tl, px.kubeconfig)
			if err != nil {
				px.close()
				return err
			}
			runs = append(runs, &run{tl: tl, px: px, s: s, t0: t0})
			if _, err := s.waitFor(t0, 30*time.Second, hasPods); err != nil {
				return err
			}
		}
		// Let the start-up lists and the first log lines settle.
		time.Sleep(3 * time.Second)
		p0, w0 := make([]int64, len(runs)), time.Now()
		for i, x := range runs {
			p0[i] = x.px.count()
		}
		n, err := r.cl.requestsPerMinute(ctx, r.c.idle)
		if err != nil {
			return err
		}
		w1 := time.Now()
		for i, x := range runs {
			perMin := float64(x.px.count()-p0[i]) / w1.Sub(w0).Minutes()
			// "After a minute" from the start, whatever the window.
			if wait := time.Until(x.t0.Add(time.Minute)); wait > 0 {
				time.Sleep(wait)
			}
			ps, err := sample(x.s.pid)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("%.1f/min through its proxy", perMin)
			if base != nil {
				msg = fmt.Sprintf("%.1f requests/min above the baseline, %s", n-*base, msg)
			}
			fmt.Printf("    %-5s %s, %.0f MB resident (%.0f MB anonymous)\n", x.tl.name, msg, mb(ps.rss), mb(ps.anon))
			if x.tl == r.tm {
				exact.tm, rss.tm, anon.tm = []float64{perMin}, []float64{mb(ps.rss)}, []float64{mb(ps.anon)}
			} else {
				exact.peerV, rss.peerV, anon.peerV = []float64{perMin}, []float64{mb(ps.rss)}, []float64{mb(ps.anon)}
			}
			if base != nil && len(figs) > 2 {
				if x.tl == r.tm {
					figs[2].tm = []float64{n - *base}
				} else {
					figs[2].peerV = []float64{n - *base}
				}
			}
		}
		return nil
	}

	if !sideBySide {
		fmt.Printf("The cluster's own API requests over %s ...\n", r.c.idle)
		base, err := r.cl.requestsPerMinute(ctx, r.c.idle)
		if err != nil {
			return nil, err
		}
		fmt.Printf("  baseline %.1f requests/min\n", base)
		figs = append(figs, &figure{scenario: sc, name: fmt.Sprintf("API requests/min idle on the pods view, above the cluster's own %.0f/min (apiserver_request_total)", base), unit: "req/min", peer: "k9s",
			target: "≤ 2", met: func(f *figure) bool { return median(f.tm) <= 2 }})
		for _, tl := range r.pair(len(r.c.scenarios)) {
			fmt.Printf("  %s alone on the pods view for %s ...\n", tl.name, r.c.idle)
			if err := idle([]*tool{tl}, &base); err != nil {
				return figs, err
			}
		}
	} else {
		fmt.Printf("  both tools side by side on the pods view for %s ...\n", r.c.idle)
		if err := idle(r.pair(0), nil); err != nil {
			return figs, err
		}
	}
	return append(figs, exact, rss, anon), nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// followBoth has both tools follow the first backend pod's log at the same
// time while the stand-in writes 1,000 lines a second, and samples their CPU
// time and memory every 10 s after a 10 s warm-up.
func (r *runner) followBoth(ctx context.Context, sc string, d time.Duration) ([]*figure, error) {
	fmt.Printf("Both tools following one pod's log at %d lines/s for %s ...\n", r.c.followRate, d)
	warm := 10 * time.Second
	type run struct {
		tl      *tool
		s       *session
		samples []procSample
	}
	var runs []*run
	defer func() {
		for _, x := range runs {
			x.s.stop()
		}
	}()
	for _, tl := range r.pair(0) {
		s, t0, err := r.start(ctx, tl)
		if err != nil {
			return nil, err
		}
		runs = append(runs, &run{tl: tl, s: s})
		if _, err := s.waitFor(t0, 30*time.Second, hasPods); err != nil {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
		if err := tl.openLogs(s); err != nil {
			return nil, err
		}
		if _, err := s.waitFor(time.Now(), 30*time.Second, tl.logsShown); err != nil {
			return nil, err
		}
	}
	genCtx, stopGen := context.WithCancel(ctx)
	defer stopGen()
	genDone := make(chan generated, 1)
	go func() {
		g, err := r.cl.generate(genCtx, r.c.followRate, warm+d+5*time.Second)
		if err != nil && genCtx.Err() == nil {
			fmt.Println("  generator:", err)
		}
		genDone <- g
	}()
	time.Sleep(warm)
	end := time.Now().Add(d)
	for {
		for _, x := range runs {
			ps, err := sample(x.s.pid)
			if err != nil {
				return nil, fmt.Errorf("%s is gone while following the log: %w", x.tl.name, err)
			}
			x.samples = append(x.samples, ps)
		}
		if !time.Now().Before(end) {
			break
		}
		time.Sleep(min(10*time.Second, time.Until(end)))
	}
	// How far behind the writer each screen is at the end.
	behind := &figure{scenario: sc, name: "the same: lines the screen is behind the writer at the end", unit: "lines", peer: "k9s",
		target: "keeps up", met: func(f *figure) bool { return median(f.tm) < float64(r.c.followRate) }}
	for _, x := range runs {
		scr := x.s.screen()
		head := r.cl.writtenSeq()
		got := maxSeq(scr)
		if got < 0 {
			return nil, fmt.Errorf("%s shows no log line at the end", x.tl.name)
		}
		if x.tl == r.tm {
			behind.tm = []float64{float64(head - got)}
		} else {
			behind.peerV = []float64{float64(head - got)}
		}
	}
	stopGen()
	<-genDone

	cpu := &figure{scenario: sc, name: fmt.Sprintf("following one pod's log at 1,000 lines/s for %s: CPU, %% of one core", d.Round(time.Second)), unit: "%", peer: "k9s",
		target: "≤ 15 %", met: func(f *figure) bool { return median(f.tm) <= 15 }}
	rss := &figure{scenario: sc, name: "the same: resident memory (median of the samples)", unit: "MB", peer: "k9s",
		target: "≤ 80 MB", met: func(f *figure) bool { return median(f.tm) <= 80 }}
	anon := &figure{scenario: sc, name: "the same: of which anonymous", unit: "MB", peer: "k9s"}
	growth := &figure{scenario: sc, name: "the same: memory growth from the first to the last sample", unit: "MB", peer: "k9s",
		target: "flat", met: func(f *figure) bool { return median(f.tm) <= 10 }}
	for _, x := range runs {
		var cpus, rsss, anons []float64
		for i := 1; i < len(x.samples); i++ {
			cpus = append(cpus, cpuPercent(x.samples[i-1], x.samples[i]))
		}
		for _, s := range x.samples {
			rsss = append(rsss, mb(s.rss))
			anons = append(anons, mb(s.anon))
		}
		whole := cpuPercent(x.samples[0], x.samples[len(x.samples)-1])
		g := []float64{rsss[len(rsss)-1] - rsss[0]}
		an := []float64{median(anons), minOf(anons), maxOf(anons)}
		fmt.Printf("  %-5s CPU %.1f %% (10-s windows %.1f-%.1f), memory %.0f-%.0f MB\n", x.tl.name, whole, minOf(cpus), maxOf(cpus), minOf(rsss), maxOf(rsss))
		// The median is the whole window's average; min and max are those
		// of its 10-s windows.
		c := append([]float64{whole}, spread(cpus)...)
		if x.tl == r.tm {
			cpu.tm, rss.tm, growth.tm, anon.tm = c, rsss, g, an
		} else {
			cpu.peerV, rss.peerV, growth.peerV, anon.peerV = c, rsss, g, an
		}
	}
	cpu.wholeFirst, anon.wholeFirst = true, true
	if n := countDrops(filepath.Join(r.dir, "k9s.log")); n > 0 {
		behind.name += fmt.Sprintf(" (k9s logged \"Dropping log line due to slow consumer\" %d times so far)", n)
	}
	return []*figure{cpu, rss, anon, growth, behind}, nil
}

// countDrops counts k9s's reports of log lines it dropped.
func countDrops(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(data), "Dropping log line")
}

// spread keeps the extremes of xs (for min and max) without moving the
// median off the first value.
func spread(xs []float64) []float64 {
	if len(xs) == 0 {
		return nil
	}
	return []float64{minOf(xs), maxOf(xs)}
}

// ingest: tmtui follows one pod's log while the stand-in writes 20,000
// lines a second. Every line must arrive (counted through tmtui's own log
// engine, internal/k8s, beside it), the screen must reach the last line and
// the saved buffer must have no gap; meanwhile keys are timed to the screen.
func (r *runner) ingest(ctx context.Context, sc string) ([]*figure, error) {
	fmt.Printf("tmtui following one pod's log at %d lines/s for %s, timing keys meanwhile ...\n", r.c.ingestRate, r.c.ingest)
	saveDir := filepath.Join(r.dir, fmt.Sprintf("saved-%d", r.seq+1))
	if err := os.MkdirAll(saveDir, 0o755); err != nil {
		return nil, err
	}
	r.seq++
	s, err := r.t.start(fmt.Sprintf("tmtui-%d", r.seq), saveDir, r.tm.env, r.tm.argv(r.cl.st.Kubeconfig, r.cl.st.Context, ns))
	if err != nil {
		return nil, err
	}
	defer s.stop()
	if _, err := s.waitFor(time.Now(), 30*time.Second, hasPods); err != nil {
		return nil, err
	}
	time.Sleep(500 * time.Millisecond)
	if err := s.keys("l"); err != nil {
		return nil, err
	}
	if _, err := s.waitFor(time.Now(), 30*time.Second, r.tm.logsShown); err != nil {
		return nil, err
	}
	// The pod tmtui follows (its first row: tmtui sorts by component and age).
	pod := strings.TrimSuffix(tmtuiFollowing.FindString(s.screen()), " · following")

	// The engine's count, beside tmtui.
	kc, _, err := k8s.Connect(ctx, k8s.ConnectOptions{Kubeconfig: r.cl.st.Kubeconfig, Context: r.cl.st.Context, Namespace: ns})
	if err != nil {
		return nil, err
	}
	sctx, stopStream := context.WithCancel(ctx)
	defer stopStream()
	stream, err := kc.StreamLogs(sctx, k8s.LogOptions{Namespace: ns, Pods: []string{pod}, Containers: []string{"backend"}, TailLines: k8s.NoHistory, Follow: true})
	if err != nil {
		return nil, err
	}
	var (
		mu        sync.Mutex
		seen      = map[int]time.Time{} // when each seq arrived
		maxSeen   = -1
		engineRcv = make(chan struct{})
	)
	go func() {
		defer close(engineRcv)
		for b := range stream {
			now := time.Now()
			mu.Lock()
			for _, l := range b.Lines {
				if n := lineSeq(l.Text); n >= 0 {
					seen[n] = now
					maxSeen = max(maxSeen, n)
				}
			}
			mu.Unlock()
		}
	}()
	time.Sleep(time.Second) // the engine's stream is open

	wrap := false
	// pressKey toggles wrap and times the screen's answer.
	pressKey := func() (float64, error) {
		t0 := time.Now()
		if err := s.keys("w"); err != nil {
			return 0, err
		}
		wrap = !wrap
		d, err := s.waitFor(t0, 5*time.Second, func(scr string) bool { return strings.Contains(scr, "wrap on") == wrap })
		return float64(d.Microseconds()) / 1000, err
	}
	// The same keys without the load: what tmux and the polling cost.
	var idleLat []float64
	for range 20 {
		d, err := pressKey()
		if err != nil {
			return nil, err
		}
		idleLat = append(idleLat, d)
		time.Sleep(100 * time.Millisecond)
	}

	cpu0, err := sample(s.pid)
	if err != nil {
		return nil, err
	}
	genDone := make(chan generated, 1)
	genErr := make(chan error, 1)
	go func() {
		g, err := r.cl.generate(ctx, r.c.ingestRate, r.c.ingest)
		genDone <- g
		genErr <- err
	}()
	var lat []float64
	var g generated
loop:
	for {
		select {
		case g = <-genDone:
			if err := <-genErr; err != nil {
				return nil, err
			}
			break loop
		default:
		}
		d, err := pressKey()
		if err != nil {
			return nil, err
		}
		lat = append(lat, d)
		time.Sleep(100 * time.Millisecond)
	}
	genEnd := time.Now()
	cpu1, err := sample(s.pid)
	if err != nil {
		return nil, err
	}
	// The screen reaches the last line written.
	lag, err := s.waitFor(genEnd, 60*time.Second, func(scr string) bool { return maxSeq(scr) >= g.Last })
	if err != nil {
		return nil, fmt.Errorf("tmtui never showed seq=%d: %w", g.Last, err)
	}
	// The engine got every line.
	_ = poll(ctx, 30*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if maxSeen < g.Last {
			return fmt.Errorf("engine at seq=%d", maxSeen)
		}
		return nil
	})
	stopStream()
	<-engineRcv
	mu.Lock()
	lost := 0
	var firstAt, lastAt time.Time
	for n := g.First; n <= g.Last; n++ {
		at, ok := seen[n]
		if !ok {
			lost++
			continue
		}
		if firstAt.IsZero() || at.Before(firstAt) {
			firstAt = at
		}
		if at.After(lastAt) {
			lastAt = at
		}
	}
	// From the arrival of the first generated line to that of the last.
	rate := float64(g.Last-g.First+1-lost) / lastAt.Sub(firstAt).Seconds()
	mu.Unlock()

	// tmtui's buffer, saved: its lines follow each other without a gap.
	if err := s.keys("s"); err != nil {
		return nil, err
	}
	var saved []int
	if err := poll(ctx, 10*time.Second, func() error {
		files, _ := filepath.Glob(filepath.Join(saveDir, "tmtui-logs-*.log"))
		if len(files) == 0 {
			return fmt.Errorf("no saved log in %s", saveDir)
		}
		data, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		saved = saved[:0]
		for _, line := range strings.Split(string(data), "\n") {
			if n := lineSeq(line); n >= 0 {
				saved = append(saved, n)
			}
		}
		if len(saved) == 0 {
			return fmt.Errorf("saved log is empty")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	gaps := 0
	for i := 1; i < len(saved); i++ {
		if saved[i] != saved[i-1]+1 {
			gaps++
		}
	}
	fmt.Printf("  written %d lines in %.1f s (%.0f/s); engine received all but %d at %.0f/s; screen at the last line %.2f s after the writing ended; saved buffer %d lines, %d gaps; key-to-screen p99 %.0f ms over %d keys\n",
		g.Lines, g.Seconds, float64(g.Lines)/g.Seconds, lost, rate, lag.Seconds(), len(saved), gaps, percentile(lat, 99), len(lat))

	ingestFig := &figure{scenario: sc, name: fmt.Sprintf("sustained log ingest (%d lines/s written for %s): lines/s received, %d lost, %d gaps on screen buffer", r.c.ingestRate, r.c.ingest, lost, gaps), unit: "lines/s",
		tm: []float64{rate}, target: "≥ 20,000/s, none lost", met: func(f *figure) bool { return median(f.tm) >= 20_000 && lost == 0 && gaps == 0 }}
	lagFig := &figure{scenario: sc, name: "the same: last line on screen after the writing ended", unit: "s", tm: []float64{lag.Seconds()}}
	cpuFig := &figure{scenario: sc, name: "the same: tmtui's CPU meanwhile, % of one core", unit: "%", tm: []float64{cpuPercent(cpu0, cpu1)}}
	keyFig := &figure{scenario: sc, name: fmt.Sprintf("the same: key-to-screen latency through tmux, p99 (min–max; median %.0f ms)", median(lat)), unit: "ms", tm: []float64{percentile(lat, 99), minOf(lat), maxOf(lat)},
		target: "p99 < 50 ms", met: func(f *figure) bool { return f.tm[0] < 50 }, wholeFirst: true}
	keyIdle := &figure{scenario: sc, name: fmt.Sprintf("key-to-screen with no load, p99 (min–max; median %.0f ms): the method's own floor", median(idleLat)), unit: "ms",
		tm: []float64{percentile(idleLat, 99), minOf(idleLat), maxOf(idleLat)}, wholeFirst: true}
	return []*figure{ingestFig, lagFig, cpuFig, keyFig, keyIdle}, nil
}

// lineSeq is the N of "seq=N" in a line, or -1.
func lineSeq(s string) int {
	i := strings.Index(s, "seq=")
	if i < 0 {
		return -1
	}
	j := i + 4
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[i+4 : j])
	if err != nil {
		return -1
	}
	return n
}

// scaleKey: + on the pods view (the first backend pod selected) until the
// deployment's new replica count is on the server, then - back.
func (r *runner) scaleKey(ctx context.Context, sc string) (*figure, error) {
	fmt.Printf("tmtui: + to the new replica count on the server, %d times ...\n", 2*r.c.rounds-1)
	s, t0, err := r.start(ctx, r.tm)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	if _, err := s.waitFor(t0, 30*time.Second, fullFrame); err != nil {
		return nil, err
	}
	time.Sleep(time.Second)
	w, err := r.cl.cs.AppsV1().Deployments(ns).Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", release+"-backend").String()})
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	replicas := func(ev watch.Event) int32 {
		if d, ok := ev.Object.(*appsv1.Deployment); ok && d.Spec.Replicas != nil {
			return *d.Spec.Replicas
		}
		return -1
	}
	waitReplicas := func(want int32) error {
		limit := time.After(30 * time.Second)
		for {
			select {
			case ev, ok := <-w.ResultChan():
				if !ok {
					return fmt.Errorf("deployment watch closed")
				}
				if replicas(ev) == want {
					return nil
				}
			case <-limit:
				return fmt.Errorf("replicas never became %d; tmtui's screen:\n%s", want, s.screen())
			}
		}
	}
	f := &figure{scenario: sc, name: "+ to the new replica count on the server", unit: "ms", target: "< 50 ms",
		met: func(f *figure) bool { return median(f.tm) < 50 }}
	for range 2*r.c.rounds - 1 {
		t0 := time.Now()
		if err := s.keys("+"); err != nil {
			return nil, err
		}
		if err := waitReplicas(3); err != nil {
			return nil, err
		}
		f.tm = append(f.tm, float64(time.Since(t0).Microseconds())/1000)
		if err := poll(ctx, 30*time.Second, func() error { return r.cl.allReady(ctx, ns, 4) }); err != nil {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
		if err := s.keys("-"); err != nil {
			return nil, err
		}
		if err := waitReplicas(2); err != nil {
			return nil, err
		}
		if err := poll(ctx, 30*time.Second, func() error { return r.cl.allReady(ctx, ns, 3) }); err != nil {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The count reaches the server before the Helm upgrade that records
	// it ends; tmtui stopped before that would leave its short-lived field
	// manager on the Deployment, and the next phase's helm CLI upgrade
	// would conflict with it. So the last scale is let finish first.
	if err := poll(ctx, 30*time.Second, func() error { return r.cl.scaleSettled(ctx, ns, release+"-backend") }); err != nil {
		return nil, err
	}
	fmt.Printf("  median %.0f ms\n", median(f.tm))
	return f, nil
}

// install: the chart into a fresh namespace until every pod is ready, by
// tmtui's Helm engine (internal/helm, what its install runs) and by
// `helm install --wait`, alternating.
func (r *runner) install(ctx context.Context, sc string) (*figure, error) {
	fmt.Printf("Install to all ready: tmtui's engine and helm install --wait, %d rounds each ...\n", r.c.rounds)
	f := &figure{scenario: sc, name: "install of the chart to all ready", unit: "s", peer: "helm --wait",
		target: "≤ 1.05 × helm", met: ratioAtMost(1.05)}
	for i := range r.c.rounds {
		for j, who := range []string{"tmtui", "helm"} {
			if i%2 == 1 {
				who = []string{"helm", "tmtui"}[j]
			}
			space := fmt.Sprintf("bench-install-%d-%s", i, who)
			if err := r.cl.createNamespace(ctx, space); err != nil {
				return nil, err
			}
			t0 := time.Now()
			var err error
			if who == "helm" {
				_, err = r.cl.helm(ctx, r.helm, "install", release, r.chart(), "-n", space, "--set", "backend.replicaCount=2", "--wait", "--timeout", "2m")
			} else {
				err = r.tmtuiInstall(ctx, space)
			}
			if err == nil {
				err = poll(ctx, time.Minute, func() error { return r.cl.allReady(ctx, space, 3) })
			}
			d := time.Since(t0)
			if err != nil {
				return nil, fmt.Errorf("%s install: %w", who, err)
			}
			fmt.Printf("  %-5s %.2f s\n", who, d.Seconds())
			if who == "helm" {
				f.peerV = append(f.peerV, d.Seconds())
			} else {
				f.tm = append(f.tm, d.Seconds())
			}
			if err := r.cl.deleteNamespace(ctx, space); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

func (r *runner) tmtuiInstall(ctx context.Context, space string) error {
	c, err := helm.New(helm.Options{Connection: k8s.ConnectOptions{Kubeconfig: r.cl.st.Kubeconfig, Context: r.cl.st.Context, Namespace: space},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	_, err = c.Install(ctx, helm.InstallOptions{Overrides: helm.Overrides{Replicas: map[helm.Component]int{helm.Backend: 2}},
		ApplyOptions: helm.ApplyOptions{Timeout: 2 * time.Minute}})
	return err
}

type renderResult struct {
	ms  []float64
	err error
}

var nsPerOp = regexp.MustCompile(`BenchmarkFrame300Pods10kLogLines\S*\s+\d+\s+([\d.]+) ns/op`)

// renderBenchmark runs the Go benchmark of a frame with 300 pods and
// 10,000 log lines three times.
func renderBenchmark(ctx context.Context, repo string) renderResult {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkFrame300Pods10kLogLines$", "-benchtime", "1s", "-count", "3", "./internal/ui/")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return renderResult{err: fmt.Errorf("%v\n%s", err, out)}
	}
	var ms []float64
	for _, m := range nsPerOp.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		ms = append(ms, v/1e6)
	}
	if len(ms) == 0 {
		return renderResult{err: fmt.Errorf("no result in:\n%s", out)}
	}
	return renderResult{ms: ms}
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(float64(len(s)-1)*p/100 + 0.5)
	return s[min(i, len(s)-1)]
}
