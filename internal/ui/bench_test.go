package ui

import (
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// A frame with 300 pods and 10,000 log lines must render in a few
// milliseconds (aim: 4 ms), or typing would lag behind a busy cluster.
func BenchmarkFrame300Pods10kLogLines(b *testing.B) {
	w := newWorld()
	w.opts.NoColor = false
	w.pods.snap = podSnapshot(300)
	w.logs.lines = logLines(10_000)
	r := w.connected(b, 160, 48)
	if r.m.logs.Len() != 10_000 || len(r.m.pods.Snapshot().Pods) != 301 {
		b.Fatalf("fixture not loaded: %d lines, %d pods", r.m.logs.Len(), len(r.m.pods.Snapshot().Pods))
	}
	r.settle(r.Update(uitest.Key("down"))) // select another pod
	b.ResetTimer()
	for b.Loop() {
		_ = r.m.View()
	}
}

// The benchmark's frame shows what it should: the newest of its 10,000 log
// lines, not an older one. How fast it renders is for the benchmark to say
// (make bench prints it), not for a timed test.
func TestTheBenchmarkFrameShowsTheNewestOfTenThousandLogLines(t *testing.T) {
	w := newWorld()
	w.pods.snap = podSnapshot(300)
	w.logs.lines = logLines(10_000)
	r := w.connected(t, 160, 48)
	screen := r.screen()
	if !strings.Contains(screen, "GET /api/tasks/9999 ") || strings.Contains(screen, "GET /api/tasks/9000 ") {
		t.Errorf("the logs pane does not end at the newest line:\n%s", screen)
	}
}
