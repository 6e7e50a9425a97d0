// Command testsummary prints the short summary that ends `make test`: how
// long each stage and each Go package took, and for every failure the
// failing test's name with the first lines of its output, so that the last
// screen of a red CI log says what failed.
//
//	go run ./hack/testsummary -stages FILE LOG...
//
// FILE holds one line per stage that ran: "name seconds exit-code". Each LOG
// is the plain output of a stage (`go test` without -json or -v).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// firstLines is how much of a failing test's output the summary repeats.
const firstLines = 8

// A stage is one step of make test.
type stage struct {
	name string
	secs int
	rc   int
}

// A pkg is one line of go test's per-package verdict.
type pkg struct {
	name   string
	secs   float64
	failed bool
	note   string // "[build failed]", "timed out" ...
}

// A failure is a failing test, or a package that failed without one (a
// build error, a panic or timeout outside a test, a data race after it).
type failure struct {
	pkg   string
	test  string
	lines []string
}

type report struct {
	pkgs     []pkg
	failures []failure
}

var (
	okLine    = regexp.MustCompile(`^ok\s+(\S+)\s+([0-9.]+)s`)
	failLine  = regexp.MustCompile(`^FAIL\s+(\S+)\s+(?:([0-9.]+)s|(\[.*\]))`)
	testFail  = regexp.MustCompile(`^\s*--- FAIL: (\S+)`)
	timeoutLn = regexp.MustCompile(`^panic: test timed out after (\S+)`)
)

// parse reads go test output. Without -v, go test prints each package's
// output as one block that ends with its ok/FAIL line, so lines are
// attributed to the package whose verdict comes next.
func parse(r io.Reader) report {
	var rep report
	var block []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := okLine.FindStringSubmatch(line); m != nil {
			secs, _ := strconv.ParseFloat(m[2], 64)
			rep.pkgs = append(rep.pkgs, pkg{name: m[1], secs: secs})
			block = nil
			continue
		}
		if m := failLine.FindStringSubmatch(line); m != nil {
			p := pkg{name: m[1], failed: true, note: m[3]}
			p.secs, _ = strconv.ParseFloat(m[2], 64)
			fs := failuresIn(p.name, block)
			if len(fs) == 0 {
				fs = []failure{{pkg: p.name, lines: head(block, firstLines)}}
			}
			for _, f := range fs {
				if strings.HasPrefix(f.test, "(timed out") {
					p.note = "timed out"
				}
			}
			rep.pkgs = append(rep.pkgs, p)
			rep.failures = append(rep.failures, fs...)
			block = nil
			continue
		}
		if strings.HasPrefix(line, "?   \t") || line == "FAIL" || line == "PASS" {
			continue
		}
		block = append(block, line)
	}
	return rep
}

// failuresIn finds the failing tests in one package's block: each
// "--- FAIL: Name" with the indented lines under it. A timeout panic names
// the tests still running; it is reported as a failure of its own.
func failuresIn(pkgName string, block []string) []failure {
	var out []failure
	for i, line := range block {
		if m := timeoutLn.FindStringSubmatch(line); m != nil {
			out = append(out, failure{pkg: pkgName, test: "(timed out after " + m[1] + ")", lines: head(block[i+1:], firstLines)})
			continue
		}
		m := testFail.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		var body []string
		for _, l := range block[i+1:] {
			if strings.TrimSpace(l) == "" {
				continue
			}
			if len(l)-len(strings.TrimLeft(l, " ")) <= indent {
				break
			}
			body = append(body, strings.TrimSpace(l))
		}
		// A parent test fails because its subtest did: name the subtest only.
		if len(body) > 0 && strings.HasPrefix(body[0], "--- FAIL: ") {
			continue
		}
		out = append(out, failure{pkg: pkgName, test: m[1], lines: head(body, firstLines)})
	}
	return out
}

func head(lines []string, n int) []string {
	if len(lines) > n {
		return append(append([]string(nil), lines[:n]...), fmt.Sprintf("... (%d more lines above in the log)", len(lines)-n))
	}
	return lines
}

func readStages(path string) ([]stage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []stage
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		secs, _ := strconv.Atoi(f[1])
		rc, _ := strconv.Atoi(f[2])
		out = append(out, stage{name: f[0], secs: secs, rc: rc})
	}
	return out, nil
}

func render(w io.Writer, stages []stage, rep report) {
	fmt.Fprintln(w, "==== make test: summary ====")
	total, failed := 0, ""
	for _, s := range stages {
		total += s.secs
		verdict := "ok"
		if s.rc != 0 {
			verdict = fmt.Sprintf("FAILED (exit %d)", s.rc)
			failed = s.name
		}
		fmt.Fprintf(w, "stage %-13s %4d s  %s\n", s.name, s.secs, verdict)
	}
	fmt.Fprintf(w, "total %18d s\n", total)
	if len(rep.pkgs) > 0 {
		pkgs := append([]pkg(nil), rep.pkgs...)
		sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].secs > pkgs[j].secs })
		fmt.Fprintln(w, "go packages, slowest first:")
		for _, p := range pkgs {
			verdict := "ok"
			if p.failed {
				verdict = "FAIL " + p.note
			}
			fmt.Fprintf(w, "  %7.1f s  %-5s %s\n", p.secs, strings.TrimSpace(verdict), p.name)
		}
	}
	if len(rep.failures) > 0 {
		fmt.Fprintf(w, "failing tests: %d\n", len(rep.failures))
		for _, f := range rep.failures {
			name := f.test
			if name == "" {
				name = "(no test named: the package failed)"
			}
			fmt.Fprintf(w, "--- %s %s\n", f.pkg, name)
			for _, l := range f.lines {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
	}
	switch {
	case failed != "":
		fmt.Fprintf(w, "RED: stage %s failed; its full output is above.\n", failed)
	case len(rep.failures) > 0:
		fmt.Fprintln(w, "RED: tests failed.")
	default:
		fmt.Fprintln(w, "GREEN")
	}
}

func main() {
	stagesFile := flag.String("stages", "", `file of "name seconds exit-code" lines, one per stage that ran`)
	flag.Parse()
	var stages []stage
	if *stagesFile != "" {
		var err error
		if stages, err = readStages(*stagesFile); err != nil {
			fmt.Fprintln(os.Stderr, "testsummary:", err)
			os.Exit(2)
		}
	}
	var all report
	for _, path := range flag.Args() {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testsummary:", err)
			os.Exit(2)
		}
		rep := parse(f)
		f.Close()
		all.pkgs = append(all.pkgs, rep.pkgs...)
		all.failures = append(all.failures, rep.failures...)
	}
	render(os.Stdout, stages, all)
}
