package logbuf

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRingKeepsTheNewestInOrder(t *testing.T) {
	r := New[int](3)
	if r.Len() != 0 || r.Cap() != 3 || r.Slice(0, 10) != nil {
		t.Fatalf("new ring: Len %d Cap %d", r.Len(), r.Cap())
	}
	for i := 1; i <= 2; i++ {
		r.Push(i)
	}
	if got := r.Slice(0, r.Len()); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("before wrapping: %v", got)
	}
	for i := 3; i <= 7; i++ {
		r.Push(i)
	}
	if got := r.Slice(0, r.Len()); !slices.Equal(got, []int{5, 6, 7}) {
		t.Fatalf("after wrapping: %v, want [5 6 7]", got)
	}
	if r.At(0) != 5 || r.At(2) != 7 {
		t.Errorf("At(0), At(2) = %d, %d", r.At(0), r.At(2))
	}
	if got := r.Last(2); !slices.Equal(got, []int{6, 7}) {
		t.Errorf("Last(2) = %v", got)
	}
	if got := r.Last(10); !slices.Equal(got, []int{5, 6, 7}) {
		t.Errorf("Last(10) = %v", got)
	}
	if got := r.Slice(-5, 2); !slices.Equal(got, []int{5, 6}) {
		t.Errorf("Slice(-5, 2) = %v", got)
	}
	if r.Total() != 7 || r.Dropped() != 4 {
		t.Errorf("Total %d Dropped %d, want 7 and 4", r.Total(), r.Dropped())
	}
	r.Reset()
	if r.Len() != 0 || r.Total() != 0 || r.Cap() != 3 {
		t.Errorf("after Reset: Len %d Total %d Cap %d", r.Len(), r.Total(), r.Cap())
	}
}

func TestRingPushAllLongerThanTheRing(t *testing.T) {
	r := New[int](4)
	r.Push(0)
	r.PushAll([]int{1, 2, 3, 4, 5, 6, 7, 8, 9})
	if got := r.Slice(0, r.Len()); !slices.Equal(got, []int{6, 7, 8, 9}) {
		t.Fatalf("got %v, want [6 7 8 9]", got)
	}
	if r.Total() != 10 || r.Dropped() != 6 {
		t.Errorf("Total %d Dropped %d, want 10 and 6", r.Total(), r.Dropped())
	}
}

func TestRingDefaultCapacity(t *testing.T) {
	if c := New[string](0).Cap(); c != 10_000 {
		t.Fatalf("Cap = %d, want 10000", c)
	}
}

func TestRingAtOutOfRangePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("At(1) on a ring of one value did not panic")
		}
	}()
	r := New[int](2)
	r.Push(1)
	r.At(1)
}

// line is shaped like the k8s package's LogLine: a pod and container shared
// between lines, a time, and a text of its own.
type line struct {
	Pod, Container string
	Time           time.Time
	Text           string
}

// TestRingMemoryStaysWithinTheBoundAfter200kLines pushes 200,000 lines of
// about 110 bytes each (22 MB in all) through a default ring. What the ring
// holds afterwards must be about 10,000 lines' worth (~2 MB), not what went
// through it.
func TestRingMemoryStaysWithinTheBoundAfter200kLines(t *testing.T) {
	const lines = 200_000
	pad := strings.Repeat("x", 80)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	r := New[line](0)
	now := time.Now()
	for i := range lines {
		// Each text is a fresh allocation, as a line read from a stream is.
		text := "seq=" + strconv.Itoa(i) + " INFO: " + pad
		r.Push(line{Pod: "backend-7d4b9c-abcde", Container: "backend", Time: now, Text: text})
	}
	after := heap()
	runtime.KeepAlive(r)

	if r.Len() != r.Cap() || r.Len() != DefaultCapacity {
		t.Fatalf("Len = %d, want the capacity %d", r.Len(), DefaultCapacity)
	}
	if got := r.At(r.Len() - 1).Text; !strings.HasPrefix(got, fmt.Sprintf("seq=%d ", lines-1)) {
		t.Errorf("newest line = %q, want seq=%d", got, lines-1)
	}
	if got := r.At(0).Text; !strings.HasPrefix(got, fmt.Sprintf("seq=%d ", lines-DefaultCapacity)) {
		t.Errorf("oldest line = %q, want seq=%d", got, lines-DefaultCapacity)
	}
	// 10,000 slots of 72 bytes plus 10,000 texts of ~112 bytes is ~1.9 MB.
	// 6 MB leaves room for the runtime's own noise and still fails if even a
	// quarter of the 22 MB pushed were kept.
	const bound = 6 << 20
	grew := int64(after) - int64(before)
	t.Logf("heap grew %.2f MB for %d lines held (%d pushed)", float64(grew)/(1<<20), r.Len(), lines)
	if grew > bound {
		t.Fatalf("heap grew by %d bytes after %d lines; the bound is %d", grew, lines, bound)
	}
}

func BenchmarkRingPush(b *testing.B) {
	r := New[line](0)
	l := line{Pod: "backend-7d4b9c-abcde", Container: "backend", Time: time.Now(), Text: "seq=1 INFO: heartbeat n=1"}
	b.ReportAllocs()
	for b.Loop() {
		r.Push(l)
	}
}

func BenchmarkRingPushAllBatchesOf500(b *testing.B) {
	r := New[line](0)
	batch := make([]line, 500)
	for i := range batch {
		batch[i] = line{Pod: "backend-7d4b9c-abcde", Container: "backend", Time: time.Now(), Text: "seq=" + strconv.Itoa(i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		r.PushAll(batch)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "lines/s")
}
