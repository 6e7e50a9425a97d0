package images

import (
	"context"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

func BenchmarkView(b *testing.B) {
	m := New(Options{})
	m.SetSize(78, 9)
	uitest.Idle(b, m, m.Start(context.Background(), 1, &listOnly{images: fixture()}))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
