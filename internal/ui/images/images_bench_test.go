package images

import (
	"context"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

func BenchmarkView(b *testing.B) {
	m := New(Options{})
	m.SetSize(78, 9)
	uitest.Settle(m, m.Start(context.Background(), 1, &listOnly{images: fixture()}), time.Second)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
