// Package logbuf holds the last lines of a log in a ring of fixed size, so
// that a log followed for days takes the same memory as one followed for a
// minute: once the ring is full, each new line overwrites the oldest.
package logbuf

// DefaultCapacity is how many lines a ring keeps unless told otherwise.
const DefaultCapacity = 10_000

// Ring keeps the last Cap() values pushed into it, oldest first.
//
// A Ring is not safe for concurrent use: it belongs to one goroutine, such
// as a Bubble Tea model's Update, which is where lines arrive in batches.
type Ring[T any] struct {
	buf   []T
	start int    // index in buf of the oldest value
	n     int    // values held
	total uint64 // values ever pushed
}

// New returns an empty ring of the given capacity; capacity <= 0 means
// DefaultCapacity. The memory for all of it is taken up front, so that
// pushing never allocates.
func New[T any](capacity int) *Ring[T] {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Ring[T]{buf: make([]T, capacity)}
}

// Push adds v as the newest value, dropping the oldest when the ring is full.
func (r *Ring[T]) Push(v T) {
	r.total++
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return
	}
	// Overwriting releases whatever the old value referenced (a line's text)
	// to the garbage collector: this is what keeps memory flat.
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// PushAll pushes vs in order. When vs alone is longer than the ring, only
// its last Cap() values are kept, and the rest are counted as dropped.
func (r *Ring[T]) PushAll(vs []T) {
	if extra := len(vs) - len(r.buf); extra > 0 {
		r.total += uint64(extra)
		vs = vs[extra:]
	}
	for _, v := range vs {
		r.Push(v)
	}
}

// Len is the number of values held.
func (r *Ring[T]) Len() int { return r.n }

// Cap is the most values the ring holds.
func (r *Ring[T]) Cap() int { return len(r.buf) }

// Total counts every value ever pushed, dropped ones included.
func (r *Ring[T]) Total() uint64 { return r.total }

// Dropped counts the values overwritten because the ring was full.
func (r *Ring[T]) Dropped() uint64 { return r.total - uint64(r.n) }

// At returns the i-th value held, 0 being the oldest. It panics when i is
// out of [0, Len()), as a slice index would.
func (r *Ring[T]) At(i int) T {
	if i < 0 || i >= r.n {
		panic("logbuf: index out of range")
	}
	return r.buf[(r.start+i)%len(r.buf)]
}

// Slice copies the values from..to-1 (0 being the oldest) into a new slice,
// clamping the bounds to what the ring holds. A view draws a window of the
// log with it without copying the whole ring.
func (r *Ring[T]) Slice(from, to int) []T {
	from = max(from, 0)
	to = min(to, r.n)
	if from >= to {
		return nil
	}
	out := make([]T, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, r.buf[(r.start+i)%len(r.buf)])
	}
	return out
}

// Last copies the newest n values (fewer when the ring holds fewer), oldest first.
func (r *Ring[T]) Last(n int) []T { return r.Slice(r.n-n, r.n) }

// Reset empties the ring, keeping its capacity; Total starts again from 0.
func (r *Ring[T]) Reset() {
	clear(r.buf)
	r.start, r.n, r.total = 0, 0, 0
}
