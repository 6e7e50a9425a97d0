package logbuf

import (
	"fmt"
	"testing"
)

// Ingest into a full ring: every push overwrites the oldest line, which is
// the steady state of a log followed for a while.
func BenchmarkRingPushFull(b *testing.B) {
	r := New[string](DefaultCapacity)
	line := "2026-11-25T17:00:00Z INFO: GET /api/tasks/42 HTTP/1.1 200"
	for range DefaultCapacity {
		r.Push(line)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Push(line)
	}
}

func BenchmarkRingLast50(b *testing.B) {
	r := New[string](DefaultCapacity)
	for i := range DefaultCapacity + 123 {
		r.Push(fmt.Sprint(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(r.Last(50)) != 50 {
			b.Fatal("short window")
		}
	}
}
