package testenv

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The reliability figures: the fault, bad-input and security tests record
// how many trials they ran and how many were survived, with the times they
// measured, and `make chaos` renders docs/reliability.md from those
// records (hack/reliability). The doc is thus written by the test run.
//
// A test records only when TMTUI_RELIABILITY_DIR names a folder (make chaos
// sets it); otherwise Record logs the result and writes nothing, so that
// `make test` never dirties the working tree.

// Sections of docs/reliability.md, in order.
const (
	SectionFaults   = "Faults"
	SectionBadInput = "Bad input"
	SectionSecurity = "Security"
)

// Result is what one class of fault, bad input or security property came to.
type Result struct {
	Section  string   `json:"section"`
	Class    string   `json:"class"`
	Test     string   `json:"test"` // the test that recorded it
	Tried    int      `json:"tried"`
	Survived int      `json:"survived"`
	Figures  []string `json:"figures,omitempty"` // measured times and counts, one sentence each
	Passed   bool     `json:"passed"`            // the test ended without failing
}

// Classes lists every class docs/reliability.md must show, by section: a
// class no test recorded is shown as not run.
var Classes = map[string][]string{
	SectionFaults: {
		"API server stopped and restarted during a session",
		"SIGKILL during install, upgrade and rollback",
		"Upgrades to images that crash or never become ready",
		"Docker engine stopped during a build",
		"Pod deleted while its logs are followed",
		"SIGTERM, SIGINT and panics",
	},
	SectionBadInput: {
		"Flags and environment",
		"Config file",
		"Terminal",
		"Wizard fields and secrets",
		"Values overrides that break the schema",
		"A chart folder that is not a chart",
	},
	SectionSecurity: {
		"Secret values never leave the Secret",
		"Least privilege",
		"Files tmtui writes",
		"Image builds without a shell",
	},
}

// ChaosEnv turns on the full fault suite (make chaos); without it the fast
// part runs, with fewer repetitions.
const ChaosEnv = "TMTUI_CHAOS"

// ReliabilityDirEnv names the folder results are recorded in.
const ReliabilityDirEnv = "TMTUI_RELIABILITY_DIR"

// Chaos says whether the full fault suite runs (TMTUI_CHAOS=1).
func Chaos() bool { return os.Getenv(ChaosEnv) == "1" }

// Promised holds a measured time to a bound the product promises, such as
// "reconnecting shows within 2 s of the API server going". make chaos
// (TMTUI_CHAOS=1) holds the product to it: there a time over the bound is
// an error, returned for the test to fail its trial with, and the times go
// into docs/reliability.md as figures. Under make test, on a 2-core machine
// shared with the sandbox and other test processes, a time says more about
// the load than about tmtui, so there the tests assert the behaviour and an
// overrun is only logged (nil is returned).
func Promised(t testing.TB, what string, took, bound time.Duration) error {
	t.Helper()
	if took <= bound {
		return nil
	}
	if Chaos() {
		return fmt.Errorf("%s took %.2f s, promised within %s", what, took.Seconds(), bound)
	}
	t.Logf("%s took %.2f s, over the %s promised: make chaos holds it to that bound, make test does not", what, took.Seconds(), bound)
	return nil
}

// Repeat is fast under make test, and full under make chaos.
func Repeat(fast, full int) int {
	if Chaos() {
		return full
	}
	return fast
}

// Record keeps *res for docs/reliability.md when the test ends, as it is
// then, with whether the test passed. Call it once per class, before the
// trials, and count in *res as they go: a test stopped half-way still
// records what it tried.
func Record(t testing.TB, res *Result) {
	t.Helper()
	if !slices.Contains(Classes[res.Section], res.Class) {
		t.Fatalf("reliability: class %q is not listed under %q in testenv.Classes", res.Class, res.Section)
	}
	res.Test = t.Name()
	t.Cleanup(func() {
		r := *res
		r.Passed = !t.Failed()
		t.Logf("reliability: %s / %s: %d tried, %d survived; %s", r.Section, r.Class, r.Tried, r.Survived, strings.Join(r.Figures, "; "))
		dir := os.Getenv(ReliabilityDirEnv)
		if dir == "" {
			return
		}
		data, err := json.MarshalIndent(r, "", "  ")
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err == nil {
			name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(r.Test+" "+r.Class, "_")
			err = os.WriteFile(filepath.Join(dir, name+".json"), data, 0o644)
		}
		if err != nil {
			t.Errorf("reliability: recording %s: %v", r.Class, err)
		}
	})
}

// ReadResults reads every result recorded in dir.
func ReadResults(dir string) ([]Result, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r Result
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReliabilityHeader opens docs/reliability.md; CheckReliabilityDoc looks for it.
const ReliabilityHeader = "<!-- written by `make chaos` (hack/reliability) from the test run's records: do not edit -->"

// RenderReliability is docs/reliability.md for the results, with mode
// saying how the run was made ("make chaos" with the full repetitions).
func RenderReliability(results []Result, mode string) string {
	var b strings.Builder
	b.WriteString(ReliabilityHeader + "\n\n# Reliability\n\n")
	b.WriteString("The faults tmtui survives, the bad input it refuses and the secrets it keeps, as counted by the\n")
	b.WriteString("last run of `make chaos` (" + mode + "). Each row is one class; *tried* is how many trials or cases\n")
	b.WriteString("the tests ran, *survived* how many met every condition of the class (listed in the test named).\n")
	b.WriteString("A class that no test recorded says so.\n")
	for _, section := range []string{SectionFaults, SectionBadInput, SectionSecurity} {
		fmt.Fprintf(&b, "\n## %s\n\n| class | tried | survived | test | figures |\n| --- | --- | --- | --- | --- |\n", section)
		for _, class := range Classes[section] {
			var rs []Result
			for _, r := range results {
				if r.Section == section && r.Class == class {
					rs = append(rs, r)
				}
			}
			if len(rs) == 0 {
				fmt.Fprintf(&b, "| %s | 0 | 0 | not run | no test recorded this class |\n", class)
				continue
			}
			tried, survived := 0, 0
			var tests, figures []string
			for _, r := range rs {
				tried += r.Tried
				survived += r.Survived
				name := "`" + r.Test + "`"
				if !r.Passed {
					name += " (FAILED)"
				}
				tests = append(tests, name)
				figures = append(figures, r.Figures...)
			}
			slices.Sort(tests)
			fmt.Fprintf(&b, "| %s | %d | %d | %s | %s |\n", class, tried, survived,
				strings.Join(tests, "<br>"), strings.ReplaceAll(strings.Join(figures, "<br>"), "|", "\\|"))
		}
	}
	return b.String()
}

var reliabilityRow = regexp.MustCompile(`(?m)^\| ([^|]+) \| (\d+) \| (\d+) \| `)

// CheckReliabilityDoc checks a docs/reliability.md: written by the
// renderer, with a row for every class, each survived count no larger than
// its tried count. It says nothing of whether the counts are current: only
// `make chaos` makes them so.
func CheckReliabilityDoc(doc string) error {
	if !strings.HasPrefix(doc, ReliabilityHeader) {
		return fmt.Errorf("it does not start with %q: it must be written by make chaos", ReliabilityHeader)
	}
	rows := map[string]bool{}
	for _, m := range reliabilityRow.FindAllStringSubmatch(doc, -1) {
		var tried, survived int
		fmt.Sscan(m[2], &tried)
		fmt.Sscan(m[3], &survived)
		if survived > tried {
			return fmt.Errorf("class %q: %d survived of %d tried", m[1], survived, tried)
		}
		rows[m[1]] = true
	}
	for _, section := range []string{SectionFaults, SectionBadInput, SectionSecurity} {
		if !strings.Contains(doc, "\n## "+section+"\n") {
			return fmt.Errorf("no section %q", section)
		}
		for _, class := range Classes[section] {
			if !rows[class] {
				return fmt.Errorf("no row for %q", class)
			}
		}
	}
	return nil
}

// Counter counts the trials of one class that are subtests: each Trial is
// one tried, and one survived if its subtest passes.
type Counter struct {
	mu  sync.Mutex
	res *Result
}

// Count starts counting a class for the test (Record included).
func Count(t testing.TB, section, class string) *Counter {
	t.Helper()
	c := &Counter{res: &Result{Section: section, Class: class}}
	Record(t, c.res)
	return c
}

// Trial counts the subtest t as one trial.
func (c *Counter) Trial(t testing.TB) {
	c.mu.Lock()
	c.res.Tried++
	c.mu.Unlock()
	t.Cleanup(func() {
		if !t.Failed() {
			c.mu.Lock()
			c.res.Survived++
			c.mu.Unlock()
		}
	})
}

// Figure adds a sentence to the class's figures.
func (c *Counter) Figure(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res.Figures = append(c.res.Figures, s)
}
