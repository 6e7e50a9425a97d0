package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

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
	uitest.Settle(r, r.Update(uitest.Key("down")), 0) // select another pod
	b.ResetTimer()
	for b.Loop() {
		_ = r.m.View()
	}
}

// The benchmark's budget as a test, loosely (race detector and slow CI
// machines): a frame under 40 ms, and never a frame that grows with the buffer.
func TestFrameTimeDoesNotGrowWithTheBuffer(t *testing.T) {
	frame := func(podsN, lines int) time.Duration {
		w := newWorld()
		w.pods.snap = podSnapshot(podsN)
		w.logs.lines = logLines(lines)
		r := w.connected(t, 160, 48)
		r.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		start := time.Now()
		for range 20 {
			if !strings.Contains(r.m.View().Content, "GET /api/tasks/") {
				t.Fatal("no log lines on screen")
			}
		}
		return time.Since(start) / 20
	}
	small, big := frame(3, 50), frame(300, 10_000)
	if big > 40*time.Millisecond {
		t.Errorf("a frame with 300 pods and 10,000 lines takes %v", big)
	}
	if big > 10*small+5*time.Millisecond {
		t.Errorf("frame time grows with the data: %v for a small release, %v for a big one", small, big)
	}
}
