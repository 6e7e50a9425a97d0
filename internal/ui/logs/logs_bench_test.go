package logs

import (
	"fmt"
	"testing"
	"time"
)

// benchLines are n request-like lines of two pods, as the stand-in writes them.
func benchLines(n int) []Line {
	out := make([]Line, n)
	for i := range out {
		pod := backend
		if i%3 == 0 {
			pod = frontend
		}
		out[i] = Line{Pod: pod, Container: "app", Time: now.Add(time.Duration(i) * time.Millisecond),
			Text: fmt.Sprintf(`seq=%d INFO: 127.0.0.1:51234 - "GET /api/tasks/%d HTTP/1.1" 200`, i, i%997)}
	}
	return out
}

func fullPane(b *testing.B, filter string) *Model {
	b.Helper()
	m := New(Options{Now: func() time.Time { return now }})
	m.svc = &fakeService{}
	m.SetSize(156, 20)
	m.Append(benchLines(DefaultCapacity))
	if filter != "" {
		m.setFilter(filter)
	}
	return m
}

// Ingest: batches of 1,000 lines into a full buffer, as at 20,000 lines/s.
func BenchmarkAppendBatch1000(b *testing.B) {
	m := fullPane(b, "")
	batch := benchLines(1000)
	b.ReportAllocs()
	for b.Loop() {
		m.Append(batch)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "lines/s")
}

// The same with a filter on: each line is matched as it arrives.
func BenchmarkAppendBatch1000Filtered(b *testing.B) {
	m := fullPane(b, "tasks/42")
	batch := benchLines(1000)
	b.ReportAllocs()
	for b.Loop() {
		m.Append(batch)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "lines/s")
}

// Typing one more letter of a filter re-matches the whole buffer.
func BenchmarkSetFilter10k(b *testing.B) {
	m := fullPane(b, "")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.setFilter([]string{"tasks/4", "tasks/42"}[i%2])
	}
}

func BenchmarkViewFollowing10k(b *testing.B) {
	m := fullPane(b, "")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkViewFilteredWrapped10k(b *testing.B) {
	m := fullPane(b, "tasks/4")
	m.wrap, m.timestamps = true, true
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
