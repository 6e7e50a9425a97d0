package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// figure is one row: tmtui's samples and, where there is one, the peer's
// (k9s, or the helm CLI for installs).
type figure struct {
	scenario string
	name     string
	unit     string
	tm       []float64
	peer     string // "" when there is no peer figure
	peerV    []float64
	target   string
	met      func(*figure) bool
	// wholeFirst: the first sample is the figure (a whole-window average or
	// a percentile) and the rest only give min and max.
	wholeFirst bool
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func maxOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// central is the figure a row claims: the median, or the first sample
// when that is the whole-window value.
func (f *figure) central(xs []float64) float64 {
	if f.wholeFirst && len(xs) > 0 {
		return xs[0]
	}
	return median(xs)
}

func (f *figure) ratio() (float64, bool) {
	if f.peer == "" || len(f.peerV) == 0 || len(f.tm) == 0 {
		return 0, false
	}
	p := f.central(f.peerV)
	if p == 0 {
		return 0, false
	}
	return f.central(f.tm) / p, true
}

func ratioAtMost(limit float64) func(*figure) bool {
	return func(f *figure) bool {
		r, ok := f.ratio()
		return ok && r <= limit
	}
}

func (f *figure) cell(xs []float64) string {
	if len(xs) == 0 {
		return "—"
	}
	c := num(f.central(xs))
	if len(xs) == 1 {
		return c + " " + f.unit
	}
	return fmt.Sprintf("%s %s (%s–%s)", c, f.unit, num(minOf(xs)), num(maxOf(xs)))
}

func num(v float64) string {
	switch a := max(v, -v); {
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func (f *figure) verdict() string {
	if f.met == nil || f.target == "" {
		return ""
	}
	if len(f.tm) == 0 {
		return "not measured"
	}
	if f.met(f) {
		return "met"
	}
	return "**missed**"
}

// table renders the figures as Markdown, one table per scenario.
func table(figs []*figure) string {
	var b strings.Builder
	last := ""
	for _, f := range figs {
		if f.scenario != last {
			if last != "" {
				b.WriteString("\n")
			}
			last = f.scenario
			fmt.Fprintf(&b, "**%s**\n\n", f.scenario)
			b.WriteString("| figure | tmtui: median (min–max) | peer | peer: median (min–max) | ratio | tmtui target | |\n")
			b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
		}
		ratio := "—"
		if r, ok := f.ratio(); ok {
			ratio = fmt.Sprintf("%.2f", r)
		}
		peer := f.peer
		if peer == "" {
			peer = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", f.name, f.cell(f.tm), peer, f.cell(f.peerV), ratio, orDash(f.target), f.verdict())
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func printTable(w io.Writer, figs []*figure) { fmt.Fprint(w, table(figs)) }

type machine struct {
	cores int
	cpu   string
	date  time.Time
	took  time.Duration
	load  [2]string
	note  string
	quick bool
	args  string
}

const (
	beginMark = "<!-- bench:begin (written by make bench; edit around it) -->"
	endMark   = "<!-- bench:end -->"
)

// writeDoc replaces the part of the document between the markers with this
// run's figures, keeping what people wrote around it.
func writeDoc(path string, figs []*figure, m machine) error {
	var b strings.Builder
	b.WriteString(beginMark + "\n\n")
	fmt.Fprintf(&b, "Measured %s on %d cores (%s), Linux; the run took %s. Load average %s at the start, %s at the end.\n",
		m.date.Format("2006-01-02 15:04 MST"), m.cores, m.cpu, m.took.Round(time.Second), m.load[0], m.load[1])
	if m.note != "" {
		fmt.Fprintf(&b, "%s\n", m.note)
	}
	if m.args != "" {
		fmt.Fprintf(&b, "Windows: %s.\n", m.args)
	}
	b.WriteString("\n" + table(figs) + "\n" + endMark)

	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	doc := string(old)
	i, j := strings.Index(doc, beginMark), strings.Index(doc, endMark)
	switch {
	case i >= 0 && j > i:
		doc = doc[:i] + b.String() + doc[j+len(endMark):]
	default:
		doc = "# Benchmarks\n\n`make bench` measures tmtui beside k9s " + k9sVersion + " and the helm v4 CLI (the version\n" +
			"hack/helmcli.sh builds) and rewrites the part of this page between the markers.\n\n" + b.String() + "\n"
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}
