package docker

import (
	"strings"
	"testing"
	"time"
)

func TestBudgetVerdicts(t *testing.T) {
	backend := ImageBudget{Repository: "taskmaster-backend", Aim: 300 * MB, Max: 500 * MB}
	cases := []struct {
		budget ImageBudget
		size   int64
		want   Verdict
		text   string // part of SizeCheck.String
	}{
		{backend, 120 * MB, WithinAim, "120 MB: within the 300 MB aim (budget 500 MB)"},
		{backend, 300 * MB, WithinAim, "300 MB: within the 300 MB aim"},
		{backend, 300*MB + 1, WithinBudget, "within the 500 MB budget"},
		{backend, 412 * MB, WithinBudget, "412 MB: within the 500 MB budget, 112 MB over the 300 MB aim"},
		{backend, 500 * MB, WithinBudget, "500 MB: within the 500 MB budget"},
		{backend, 500*MB + 1, OverBudget, "over the 500 MB budget by 1 B"},
		{backend, 612 * MB, OverBudget, "612 MB: over the 500 MB budget by 112 MB (aim 300 MB)"},
		{ImageBudget{Max: 200 * MB}, 180 * MB, WithinAim, "within the 200 MB aim"}, // no aim: the budget is the aim
		{ImageBudget{Aim: 900 * MB, Max: 200 * MB}, 199 * MB, WithinAim, "within the 200 MB aim"},
		{ImageBudget{}, 1 * GB, NoBudget, "1 GB: no budget"},
	}
	for _, tc := range cases {
		c := tc.budget.Check(tc.size)
		if c.Verdict != tc.want || c.Size != tc.size {
			t.Errorf("%+v.Check(%d) = %+v, want %v", tc.budget, tc.size, c, tc.want)
		}
		if !strings.Contains(c.String(), tc.text) {
			t.Errorf("%+v.Check(%d).String() = %q, want it to contain %q", tc.budget, tc.size, c, tc.text)
		}
	}
}

func TestDefaultBudgetsAreTaskMasters(t *testing.T) {
	b := DefaultBudgets()
	want := []ImageBudget{
		{Repository: "taskmaster-backend", Aim: 300_000_000, Max: 500_000_000},
		{Repository: "taskmaster-frontend", Aim: 150_000_000, Max: 200_000_000},
	}
	if len(b.Images) != len(want) || b.Images[0] != want[0] || b.Images[1] != want[1] {
		t.Errorf("default image budgets = %+v, want %+v", b.Images, want)
	}
	if b.Build != 5*time.Minute {
		t.Errorf("default build budget = %s, want 5m", b.Build)
	}
	if got := b.Images[1].Check(201 * MB).Verdict; got != OverBudget {
		t.Errorf("a 201 MB frontend is %v, want over budget", got)
	}
}

func TestSizeChangesFollowCreationTimeNotTagOrListOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	// Out of order on purpose, and tags that sort the other way round.
	imgs := []Image{
		{Tag: "a-third", ID: "sha256:3", Size: 350, Created: t0.Add(2 * time.Second)},
		{Tag: "z-first", ID: "sha256:1", Size: 100, Created: t0},
		{Tag: "latest", ID: "sha256:3", Size: 350, Created: t0.Add(2 * time.Second)}, // same image as a-third
		{Tag: "m-second", ID: "sha256:2", Size: 400, Created: t0.Add(300 * time.Millisecond)},
	}
	got := withSizeChanges(imgs)
	type row struct {
		tag, prev string
		change    int64
	}
	want := []row{
		{"a-third", "m-second", -50},
		{"latest", "m-second", -50},
		{"m-second", "z-first", +300},
		{"z-first", "", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d images, want %d", len(got), len(want))
	}
	for i, w := range want {
		if g := (row{got[i].Tag, got[i].Previous, got[i].SizeChange}); g != w {
			t.Errorf("image %d = %+v, want %+v (newest first)", i, g, w)
		}
	}
}

func TestFormatSize(t *testing.T) {
	cases := map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1 kB", 840_000: "840 kB", 999_999: "1 MB",
		1_500_000: "1.5 MB", 12_340_000: "12.3 MB", 212_000_000: "212 MB", 500 * MB: "500 MB",
		1_240_000_000: "1.24 GB", -3_100_000: "-3.1 MB",
	}
	for n, want := range cases {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := FormatSizeChange(12_400_000); got != "+12.4 MB" {
		t.Errorf("FormatSizeChange(+12.4 MB) = %q", got)
	}
	if got := FormatSizeChange(-800_000); got != "-800 kB" {
		t.Errorf("FormatSizeChange(-800 kB) = %q", got)
	}
}
