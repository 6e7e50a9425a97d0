// Package standin serves what TaskMaster's two services answer, for the
// sandbox: the FastAPI backend's /health and the Next.js frontend's page.
// The sandbox tool serves them as processes beside kwok's simulated pods,
// and cmd/standin as a container on its real node. It uses only the
// standard library, so cmd/standin builds static and small.
package standin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Log writes a stand-in's log lines, each with a sequence number so that
// tests can prove that no line was lost or repeated. With CRI set, each line
// is in the CRI format that kwok serves as pod logs ("<RFC3339Nano> stdout F
// <message>"); without it a line is the message alone, as a container writes
// to its standard output and the kubelet adds the rest.
type Log struct {
	W   io.Writer
	Now func() time.Time // for CRI's timestamps; nil: time.Now
	CRI bool

	mu  sync.Mutex
	seq int
}

// prefix is what comes before "seq=": the CRI's timestamp, stream and tag.
func (l *Log) prefix() string {
	if !l.CRI {
		return ""
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	return now().UTC().Format(time.RFC3339Nano) + " stdout F "
}

// Printf writes one line.
func (l *Log) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(l.W, "%sseq=%d %s\n", l.prefix(), l.seq, msg)
}

// burst writes n request-like lines in one write, numbered in the same
// sequence as every other line, and returns the first and last seq it used.
func (l *Log) burst(n int, gen *int) (first, last int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	buf := make([]byte, 0, n*110)
	prefix := l.prefix()
	first = l.seq + 1
	for range n {
		l.seq++
		*gen++
		buf = fmt.Appendf(buf, "%sseq=%d INFO: 127.0.0.1:51234 - \"GET /api/tasks/%d HTTP/1.1\" 200 gen=%d\n", prefix, l.seq, *gen%997, *gen)
	}
	_, _ = l.W.Write(buf)
	return first, l.seq
}

// Generated is what one /generate call wrote.
type Generated struct {
	First, Last int     // the seq range its lines fall in (other lines may be among them)
	Lines       int     // lines it wrote
	Seconds     float64 // how long it took
}

// generate writes rate lines a second for d, in small bursts every 5 ms, so
// a followed log has a steady load whose lines can all be counted.
func generate(ctx context.Context, l *Log, rate int, d time.Duration) Generated {
	start := time.Now()
	var g Generated
	gen := 0
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		elapsed := time.Since(start)
		if elapsed >= d {
			elapsed = d
		}
		if due := int(float64(rate)*elapsed.Seconds()) - g.Lines; due > 0 {
			first, last := l.burst(due, &gen)
			if g.First == 0 {
				g.First = first
			}
			g.Last, g.Lines = last, g.Lines+due
		}
		if elapsed >= d {
			break
		}
		select {
		case <-ctx.Done():
			g.Seconds = time.Since(start).Seconds()
			return g
		case <-t.C:
		}
	}
	g.Seconds = time.Since(start).Seconds()
	return g
}

// Handler answers like one of TaskMaster's two services: the FastAPI
// backend's /health, or the Next.js frontend's page. It logs every request.
func Handler(service string, log *Log) http.Handler {
	mux := http.NewServeMux()
	switch service {
	case "backend":
		mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "healthy", "service": "taskmaster-backend", "mode": "sandbox stand-in"})
		})
	case "frontend":
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, frontendPage)
		})
	}
	if service == "backend" {
		// A load for benchmarks (make bench): rate lines a second for the
		// given duration, answered when done with the seq range written.
		mux.HandleFunc("POST /generate", func(w http.ResponseWriter, r *http.Request) {
			rate, err1 := strconv.Atoi(r.URL.Query().Get("rate"))
			d, err2 := time.ParseDuration(r.URL.Query().Get("duration"))
			if err1 != nil || err2 != nil || rate <= 0 || rate > 1_000_000 || d <= 0 || d > time.Hour {
				http.Error(w, "want ?rate=LINES_PER_SECOND&duration=GO_DURATION (at most 1,000,000/s and 1h)", http.StatusBadRequest)
				return
			}
			g := generate(r.Context(), log, rate, d)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(g)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		log.Printf("INFO: %s - %q %d", r.RemoteAddr, r.Method+" "+r.URL.RequestURI()+" "+r.Proto, rec.status)
	})
}

// Failures are the ways a stand-in container fails on purpose, each named
// as the image tag that chooses it (the sandbox's node has an image of each
// service under each tag) and as the kwok stage that pretends the same on
// the simulated node (stages/tmtui-failures.yaml) where one does:
//   - crashloop: exits 1 at start (a real CrashLoopBackOff);
//   - unready: serves, but answers every request 503 (readiness fails);
//   - oom: allocates memory until its limit kills it (a real OOMKilled).
var Failures = []string{"crashloop", "unready", "oom"}

// Unready answers every request 503, as a service that is up but not
// healthy, logging each.
func Unready(service string, log *Log) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "taskmaster-"+service+" stand-in: unready on purpose (image tag :unready)", http.StatusServiceUnavailable)
		log.Printf("INFO: %s - %q %d", r.RemoteAddr, r.Method+" "+r.URL.RequestURI()+" "+r.Proto, http.StatusServiceUnavailable)
	})
}

const frontendPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TaskMaster</title></head>
<body><h1>TaskMaster</h1><p>Sandbox stand-in for the Next.js frontend.</p></body></html>
`

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
