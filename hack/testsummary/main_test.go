package main

import (
	"bytes"
	"strings"
	"testing"
)

// Output as go test prints it without -v: a passing package, a failing test
// with a subtest, a build failure and a timeout.
const sample = `ok  	example.com/a	3.807s
?   	example.com/nothing	[no test files]
--- FAIL: TestCrashloop (19.30s)
    sandbox_test.go:514: the error a user sees: install failed
    sandbox_test.go:519: failing pods: [backend]
        time=2026-12-07T01:33:34Z level=DEBUG msg="a log line"
--- FAIL: TestParent (0.00s)
    --- FAIL: TestParent/child (0.00s)
        x_test.go:10: boom
FAIL
FAIL	example.com/helm	303.616s
# example.com/broken [example.com/broken.test]
./a_test.go:3:1: syntax error: unexpected }
FAIL	example.com/broken [build failed]
panic: test timed out after 20m0s
	running tests:
		TestSlow (20m0s)

goroutine 1 [running]:
FAIL	example.com/slow	1200.012s
ok  	example.com/b	69.806s
`

func TestParseFindsEachFailureAndEachPackagesTime(t *testing.T) {
	rep := parse(strings.NewReader(sample))
	var names []string
	for _, p := range rep.pkgs {
		names = append(names, p.name)
	}
	if got := strings.Join(names, " "); got != "example.com/a example.com/helm example.com/broken example.com/slow example.com/b" {
		t.Fatalf("packages: %s", got)
	}
	if p := rep.pkgs[1]; !p.failed || p.secs != 303.616 {
		t.Errorf("helm: %+v", p)
	}
	if p := rep.pkgs[2]; !p.failed || p.note != "[build failed]" {
		t.Errorf("broken: %+v", p)
	}
	if p := rep.pkgs[3]; !p.failed || p.note != "timed out" {
		t.Errorf("slow: %+v", p)
	}
	var tests []string
	for _, f := range rep.failures {
		tests = append(tests, f.pkg+" "+f.test)
	}
	want := []string{
		"example.com/helm TestCrashloop",
		"example.com/helm TestParent/child",
		"example.com/broken ",
		"example.com/slow (timed out after 20m0s)",
	}
	if strings.Join(tests, "|") != strings.Join(want, "|") {
		t.Fatalf("failures:\n%s\nwant:\n%s", strings.Join(tests, "\n"), strings.Join(want, "\n"))
	}
	if l := rep.failures[0].lines; len(l) != 3 || !strings.Contains(l[0], "the error a user sees") {
		t.Errorf("first lines of TestCrashloop: %q", l)
	}
	if l := rep.failures[2].lines; len(l) == 0 || !strings.Contains(l[len(l)-1], "syntax error") {
		t.Errorf("the build failure's lines: %q", l)
	}
	if l := rep.failures[3].lines; len(l) == 0 || !strings.Contains(strings.Join(l, "\n"), "TestSlow") {
		t.Errorf("the timeout names the running test: %q", l)
	}
}

func TestLongOutputIsCut(t *testing.T) {
	var b strings.Builder
	b.WriteString("--- FAIL: TestLoud (1.00s)\n")
	for range 50 {
		b.WriteString("    loud_test.go:1: line\n")
	}
	b.WriteString("FAIL\nFAIL\texample.com/loud\t1.0s\n")
	rep := parse(strings.NewReader(b.String()))
	if len(rep.failures) != 1 || len(rep.failures[0].lines) != firstLines+1 || !strings.Contains(rep.failures[0].lines[firstLines], "42 more lines") {
		t.Fatalf("failures: %+v", rep.failures)
	}
}

func TestRenderSaysRedAndNamesTheStage(t *testing.T) {
	var out bytes.Buffer
	render(&out, []stage{{"fmt-check", 1, 0}, {"test-go", 300, 2}}, parse(strings.NewReader(sample)))
	s := out.String()
	for _, want := range []string{
		"stage test-go", "FAILED (exit 2)", "total", "303.6 s  FAIL", "example.com/helm TestCrashloop",
		"the error a user sees", "RED: stage test-go failed",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// Slowest first.
	if strings.Index(s, "example.com/slow") > strings.Index(s, "example.com/a\n") {
		t.Errorf("packages are not slowest first:\n%s", s)
	}
	out.Reset()
	render(&out, []stage{{"test-go", 3, 0}}, parse(strings.NewReader("ok  \texample.com/a\t1.0s\n")))
	if !strings.HasSuffix(out.String(), "GREEN\n") {
		t.Errorf("a green run:\n%s", out.String())
	}
}
