// Command bench measures tmtui side by side with k9s (and its install with
// the helm CLI) on a sandbox cluster of its own, prints the figures and
// rewrites the generated part of docs/benchmarks.md.
//
//	go run ./hack/bench            the full run (make bench; about 15 minutes)
//	BENCH_QUICK=1 go run ./hack/bench   a short run for development
//
// Both tools run in a tmux server of the bench's own, at 160x48, against
// the same cluster; runs alternate between them so that the machine's
// drift hits both alike. See docs/benchmarks.md for what each figure means.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type config struct {
	repo, cache  string
	name         string // sandbox name
	keep         bool   // leave the sandbox running
	quick        bool
	scenarios    []string
	idle         time.Duration // the window requests and memory are measured over, idle
	follow       time.Duration // how long both tools follow a log at 1,000 lines/s (small scenario)
	followScale  time.Duration // the same, scale scenario
	ingest       time.Duration // how long the 20,000 lines/s burst lasts
	rounds       int           // launches per tool, installs per tool
	out          string        // the document to rewrite; "" for none
	note         string
	ingestRate   int
	followRate   int
	scalePerComp int // replicas of each component in the scale scenario
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var c config
	quickDefault := os.Getenv("BENCH_QUICK") != ""
	flag.BoolVar(&c.quick, "quick", quickDefault, "a short run for development (also BENCH_QUICK=1): shorter windows, figures not for the document")
	flag.StringVar(&c.name, "sandbox", "tmtui-bench", "name of the bench's own sandbox cluster")
	flag.BoolVar(&c.keep, "keep", false, "leave the sandbox running afterwards (the next run reuses it)")
	scen := flag.String("scenarios", "small,scale", "scenarios to run: small (3 pods), scale (300 pods on 3 nodes)")
	flag.DurationVar(&c.idle, "idle", 0, "idle window for API requests and memory (default 60s; quick 20s)")
	flag.DurationVar(&c.follow, "follow", 0, "how long both tools follow a log at 1,000 lines/s (default 5m; quick 20s)")
	flag.DurationVar(&c.followScale, "follow-scale", 0, "the same in the scale scenario (default 60s; quick 15s)")
	flag.DurationVar(&c.ingest, "ingest", 0, "how long the 20,000 lines/s load lasts (default 10s; quick 5s)")
	flag.IntVar(&c.rounds, "rounds", 3, "launches and installs per tool")
	flag.StringVar(&c.out, "out", "docs/benchmarks.md", "document whose generated part is rewritten (\"\" for none; quick runs never write it)")
	flag.StringVar(&c.note, "note", "", "a note on the run for the document (e.g. \"the machine was shared\")")
	flag.Parse()
	c.scenarios = strings.Split(*scen, ",")
	c.ingestRate, c.followRate, c.scalePerComp = 20_000, 1_000, 150
	pick := func(d *time.Duration, full, quick time.Duration) {
		if *d == 0 {
			*d = full
			if c.quick {
				*d = quick
			}
		}
	}
	pick(&c.idle, time.Minute, 20*time.Second)
	pick(&c.follow, 5*time.Minute, 20*time.Second)
	pick(&c.followScale, time.Minute, 15*time.Second)
	pick(&c.ingest, 10*time.Second, 5*time.Second)
	if c.quick && c.rounds == 3 {
		c.rounds = 2
	}

	// The bench reads CPU time and memory from /proc and drives both tools
	// through tmux.
	if runtime.GOOS != "linux" {
		return fmt.Errorf("make bench runs on Linux (it reads /proc); this is %s", runtime.GOOS)
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		return errors.New("make bench needs tmux (apt-get install tmux)")
	}
	var err error
	if c.repo, err = repoRoot(); err != nil {
		return err
	}
	if c.cache, err = cacheRoot(); err != nil {
		return err
	}
	// The engines tmtui is made of log through slog; not onto the table.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	return bench(ctx, c)
}

func bench(ctx context.Context, c config) (err error) {
	started := time.Now()
	load0 := loadAvg()
	dir := filepath.Join(c.cache, "bench", "run")
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	fmt.Println("Building tmtui, and k9s and helm when not in the cache ...")
	tmtuiBin, err := buildTmtui(c.repo, c.cache)
	if err != nil {
		return err
	}
	k9sBin, err := goInstall(c.cache, "k9s", "github.com/derailed/k9s", "github.com/derailed/k9s", k9sVersion)
	if err != nil {
		return fmt.Errorf("k9s: %w", err)
	}
	helmBin, err := helmCLI(c.repo)
	if err != nil {
		return fmt.Errorf("helm: %w", err)
	}
	tm := tmtuiTool(tmtuiBin, dir)
	k9, err := k9sTool(k9sBin, dir)
	if err != nil {
		return err
	}

	fmt.Printf("Starting the bench's own sandbox %q ...\n", c.name)
	cl, err := upCluster(ctx, c.repo, c.cache, c.name)
	if err != nil {
		return err
	}
	if !c.keep {
		defer func() {
			if derr := cl.down(); derr != nil && err == nil {
				err = derr
			}
		}()
	}
	t, err := newTerm(dir)
	if err != nil {
		return err
	}
	defer t.kill()

	r := &runner{c: c, cl: cl, t: t, tm: tm, k9: k9, helm: helmBin, dir: dir}
	var results []*figure
	for _, s := range c.scenarios {
		var figs []*figure
		switch strings.TrimSpace(s) {
		case "small":
			figs, err = r.small(ctx)
		case "scale":
			figs, err = r.scale(ctx)
		default:
			return fmt.Errorf("unknown scenario %q", s)
		}
		results = append(results, figs...)
		if err != nil {
			printTable(os.Stdout, results)
			return err
		}
	}
	m := machine{cores: runtime.NumCPU(), cpu: cpuModel(), date: started.UTC(), took: time.Since(started),
		load: [2]string{load0, loadAvg()}, note: c.note, quick: c.quick,
		args: fmt.Sprintf("idle %s, following %s (%s at scale), ingest %s, %d rounds of launches and installs per tool", c.idle, c.follow, c.followScale, c.ingest, c.rounds)}
	fmt.Println()
	printTable(os.Stdout, results)
	fmt.Printf("\n%d cores (%s), %s, took %s, load average %s at the start and %s at the end\n",
		m.cores, m.cpu, m.date.Format("2006-01-02 15:04 MST"), m.took.Round(time.Second), m.load[0], m.load[1])
	if c.out != "" && !c.quick {
		path := c.out
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.repo, path)
		}
		if err := writeDoc(path, results, m); err != nil {
			return err
		}
		fmt.Println("Rewrote", path)
	}
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(data), "module github.com/taskmaster-ai/tmtui\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run this inside the tmtui repository (make bench)")
		}
		dir = parent
	}
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
