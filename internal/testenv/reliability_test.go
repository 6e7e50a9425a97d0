package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// make test runs only the fast part of the fault suite and records nothing
// (the working tree stays clean); it checks that the committed
// docs/reliability.md is the renderer's, with every class, as make chaos
// last wrote it.
func TestCommittedReliabilityDocIsWellFormed(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "reliability.md"))
	if err != nil {
		t.Fatalf("docs/reliability.md: %v (run make chaos)", err)
	}
	if err := CheckReliabilityDoc(string(doc)); err != nil {
		t.Errorf("docs/reliability.md: %v (run make chaos)", err)
	}
}

func TestRenderReliabilityCountsEachClassAndSaysWhatDidNotRun(t *testing.T) {
	results := []Result{
		{Section: SectionFaults, Class: "Pod deleted while its logs are followed", Test: "TestA", Tried: 3, Survived: 3, Figures: []string{"moved in 1.2 s"}, Passed: true},
		{Section: SectionFaults, Class: "Pod deleted while its logs are followed", Test: "TestB", Tried: 2, Survived: 1, Passed: false},
	}
	dir := t.TempDir()
	t.Setenv(ReliabilityDirEnv, dir)
	t.Run("record", func(t *testing.T) {
		Record(t, &Result{Section: SectionSecurity, Class: "Files tmtui writes", Tried: 4, Survived: 4, Figures: []string{"a | b"}})
		c := Count(t, SectionSecurity, "Least privilege") // a second class of the same test
		t.Run("trial", func(t *testing.T) { c.Trial(t) })
	})
	recorded, err := ReadResults(dir)
	if err != nil || len(recorded) != 2 || !recorded[0].Passed || recorded[0].Test != t.Name()+"/record" {
		t.Fatalf("recorded %+v, %v", recorded, err)
	}
	doc := RenderReliability(append(results, recorded...), "test")
	if err := CheckReliabilityDoc(doc); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	for _, want := range []string{
		"| Pod deleted while its logs are followed | 5 | 4 | `TestA`<br>`TestB` (FAILED) | moved in 1.2 s |",
		"| Files tmtui writes | 4 | 4 | `" + t.Name() + "/record` | a \\| b |",
		"| Least privilege | 1 | 1 | `" + t.Name() + "/record` |",
		"| Config file | 0 | 0 | not run |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("doc lacks %q:\n%s", want, doc)
		}
	}
	if err := CheckReliabilityDoc(strings.Replace(doc, "| 5 | 4 |", "| 5 | 6 |", 1)); err == nil {
		t.Error("a doc with more survived than tried passed the check")
	}
	if err := CheckReliabilityDoc(strings.Replace(doc, "| Config file |", "| Something else |", 1)); err == nil {
		t.Error("a doc without a class passed the check")
	}
}

// A promised bound fails only make chaos: make test logs an overrun.
func TestPromisedBoundsHoldOnlyUnderMakeChaos(t *testing.T) {
	for _, c := range []struct {
		chaos     string
		took      time.Duration
		wantError bool
	}{
		{"1", 3 * time.Second, true},
		{"1", 2 * time.Second, false},
		{"", 3 * time.Second, false},
		{"0", 3 * time.Second, false},
	} {
		t.Run(c.chaos+"/"+c.took.String(), func(t *testing.T) {
			t.Setenv(ChaosEnv, c.chaos)
			err := Promised(t, "the thing", c.took, 2*time.Second)
			if (err != nil) != c.wantError {
				t.Fatalf("Promised(%s within 2s) with %s=%q: %v, want an error %v", c.took, ChaosEnv, c.chaos, err, c.wantError)
			}
			if err != nil && err.Error() != "the thing took 3.00 s, promised within 2s" {
				t.Errorf("error %q", err)
			}
		})
	}
}
