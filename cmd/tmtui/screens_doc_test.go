package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// The screens in docs/screens/ are what TestTmuxNewcomerPath captured when
// `make screens` last ran. They must still show the steps they are named
// after, in the path's order, and nothing of the test's own: its secrets,
// its throwaway namespace. Their pod names, ages and log lines are left
// alone, as they differ on every run.
func TestCommittedScreensShowTheNewcomerPath(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "docs", "screens", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no screens in docs/screens/ (%v): run make screens", err)
	}
	fileRe := regexp.MustCompile(`^(\d\d)-([a-z-]+)\.txt$`)
	next := 0 // the index in newcomerSteps the next file may be at
	for i, f := range files {
		base := filepath.Base(f)
		m := fileRe.FindStringSubmatch(base)
		if m == nil {
			t.Errorf("%s: not named NN-step.txt", base)
			continue
		}
		if want := fmt.Sprintf("%02d", i+1); m[1] != want {
			t.Errorf("%s: numbered %s, want %s (the screens are numbered from 01 without a gap)", base, m[1], want)
		}
		at := -1
		for j := next; j < len(newcomerSteps); j++ {
			if newcomerSteps[j].name == m[2] {
				at = j
				break
			}
			if !newcomerSteps[j].optional {
				t.Errorf("%s: the step %q is missing before it", base, newcomerSteps[j].name)
			}
		}
		if at < 0 {
			t.Errorf("%s: %q is no step of the newcomer path after %d files", base, m[2], i)
			continue
		}
		next = at + 1
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		screen := string(data)
		if missing, _ := missingFromStep(m[2], screen); len(missing) > 0 {
			t.Errorf("%s does not show %q:\n%s", base, missing, screen)
		}
		if lines := strings.Count(screen, "\n"); lines > 40 {
			t.Errorf("%s has %d lines, more than the test window's 40", base, lines)
		}
		for key, v := range newcomerSecrets {
			if strings.Contains(screen, v) {
				t.Errorf("%s shows the fake %s", base, key)
			}
		}
		if strings.Contains(screen, "tmtui-test-") {
			t.Errorf("%s shows the test's namespace, not taskmaster", base)
		}
	}
	for _, st := range newcomerSteps[next:] {
		if !st.optional {
			t.Errorf("docs/screens/ ends before the step %q", st.name)
		}
	}
}
