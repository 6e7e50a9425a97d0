package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/taskmaster-ai/tmtui/charts"
	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/preflight"
)

// doctorOptions are the flags only `tmtui doctor` reads.
type doctorOptions struct {
	backendTag  string // "" means the release's tag, else the chart's appVersion
	frontendTag string
}

func addDoctorFlags(fs *pflag.FlagSet, o *doctorOptions) {
	fs.StringVar(&o.backendTag, "backend-tag", "", "doctor: the backend image tag to look for (default: the release's, else the chart's appVersion)")
	fs.StringVar(&o.frontendTag, "frontend-tag", "", "doctor: the frontend image tag to look for (default: the release's, else the chart's appVersion)")
}

// doctorTimeout bounds the whole report; each check has its own, shorter one.
const doctorTimeout = 30 * time.Second

// Exit codes of `tmtui doctor`. A cluster that cannot be reached has a code
// of its own: `make demo` starts the sandbox only then, not when a cluster
// that answers has a failed release or a missing secret (tmtui is the tool
// to fix those).
const (
	doctorOK          = 0 // every check ok or a warning
	doctorFailed      = 1 // a check failed
	doctorUnreachable = 3 // no cluster answers: nothing else could be checked there
)

// doctor is the non-interactive face of tmtui's preflight checks: it prints
// them as a table, with what to do about each one that is not ok, and
// returns the exit code.
func doctor(ctx context.Context, o k8s.ConnectOptions, release string, d doctorOptions, out io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()

	opts := preflight.Options{Connect: o, Release: release, Chart: builtInChart()}
	if d.backendTag != "" || d.frontendTag != "" {
		opts.Images = []string{
			"taskmaster-backend:" + orDefault(d.backendTag, opts.Chart.AppVersion),
			"taskmaster-frontend:" + orDefault(d.frontendTag, opts.Chart.AppVersion),
		}
	}
	engine, err := docker.New("")
	if err != nil {
		opts.ImageLister = unusableEngine{err}
	} else {
		defer engine.Close()
		opts.ImageLister = preflight.DockerImages(engine)
	}

	report := preflight.Run(ctx, opts)
	printReport(out, report)
	cluster, _ := report.Find(preflight.CheckCluster)
	switch {
	case cluster.Status == preflight.Fail:
		return doctorUnreachable
	case report.Failed():
		return doctorFailed
	}
	return doctorOK
}

func builtInChart() preflight.Chart {
	c, err := charts.TaskMaster()
	if err != nil {
		slog.Error("loading the built-in chart", "err", err)
		return preflight.Chart{}
	}
	return preflight.Chart{AppVersion: c.Metadata.AppVersion, Values: c.Values}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// unusableEngine reports why no Docker client could be made, as the images
// check's warning.
type unusableEngine struct{ err error }

func (u unusableEngine) HasImage(context.Context, string) (bool, error) { return false, u.err }

var resultWords = map[preflight.Status]string{preflight.OK: "ok", preflight.Warn: "WARN", preflight.Fail: "FAIL"}

// printReport writes the table, then one line of what to do for each check
// that is not ok, then a summary. Words, not colours, carry the verdicts.
func printReport(out io.Writer, r preflight.Report) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
	var fails, warns int
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, resultWords[c.Status], oneLine(c.Detail))
		switch c.Status {
		case preflight.Fail:
			fails++
		case preflight.Warn:
			warns++
		}
	}
	tw.Flush()

	if fails+warns > 0 {
		fmt.Fprintln(out, "\nWhat to do:")
		for _, c := range r.Checks {
			if c.Status != preflight.OK && c.Fix != "" {
				fmt.Fprintf(out, "  %s: %s\n", c.Name, oneLine(c.Fix))
			}
		}
	}
	fmt.Fprintln(out)
	switch {
	case fails > 0:
		fmt.Fprintf(out, "%d failed, %d %s: fix the failures before deploying.\n", fails, warns, plural(warns, "warning"))
	case warns > 0:
		fmt.Fprintf(out, "No failures, %d %s.\n", warns, plural(warns, "warning"))
	default:
		fmt.Fprintln(out, "All checks passed.")
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
