package logs

// ring keeps the last cap lines; memory stays flat however long a stream
// runs. Lines are numbered (seq) from the first ever pushed, so a position
// survives the oldest lines falling out.
type ring struct {
	buf   []Line
	start int    // index in buf of the oldest line
	n     int    // lines held
	first uint64 // seq of the oldest line
}

func newRing(capacity int) *ring { return &ring{buf: make([]Line, capacity)} }

// push adds a line; it reports whether the oldest one was dropped for it.
func (r *ring) push(l Line) bool {
	if len(r.buf) == 0 {
		return false
	}
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = l
		r.n++
		return false
	}
	r.buf[r.start] = l
	r.start = (r.start + 1) % len(r.buf)
	r.first++
	return true
}

func (r *ring) len() int { return r.n }

// next is the seq the next pushed line gets.
func (r *ring) next() uint64 { return r.first + uint64(r.n) }

// at returns the line numbered seq, which must be held.
func (r *ring) at(seq uint64) Line {
	return r.buf[(r.start+int(seq-r.first))%len(r.buf)]
}

func (r *ring) reset() { r.start, r.n, r.first = 0, 0, 0 }

// lines copies everything held, oldest first.
func (r *ring) lines() []Line {
	out := make([]Line, 0, r.n)
	for s := r.first; s < r.next(); s++ {
		out = append(out, r.at(s))
	}
	return out
}
