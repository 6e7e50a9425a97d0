package release

import (
	"context"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

func BenchmarkView(b *testing.B) {
	m := New(Options{Release: "taskmaster", Now: func() time.Time { return now }})
	m.SetSize(78, 9)
	uitest.Idle(b, m, m.Start(context.Background(), 1, fixture()))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
