package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// criLog writes container log lines in the CRI format that kwok serves as
// pod logs: "<RFC3339Nano> stdout F <message>". Every line carries a
// sequence number so tests can prove that no line was lost or repeated.
type criLog struct {
	mu  sync.Mutex
	w   io.Writer
	seq int
	now func() time.Time
}

func (l *criLog) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(l.w, "%s stdout F seq=%d %s\n", l.now().UTC().Format(time.RFC3339Nano), l.seq, msg)
}

// burst writes n request-like lines in one write, numbered in the same
// sequence as every other line, and returns the first and last seq it used.
func (l *criLog) burst(n int, gen *int) (first, last int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	buf := make([]byte, 0, n*110)
	ts := l.now().UTC().Format(time.RFC3339Nano)
	first = l.seq + 1
	for range n {
		l.seq++
		*gen++
		buf = fmt.Appendf(buf, "%s stdout F seq=%d INFO: 127.0.0.1:51234 - \"GET /api/tasks/%d HTTP/1.1\" 200 gen=%d\n", ts, l.seq, *gen%997, *gen)
	}
	_, _ = l.w.Write(buf)
	return first, l.seq
}

// generated is what one /generate call wrote.
type generated struct {
	First, Last int     // the seq range its lines fall in (other lines may be among them)
	Lines       int     // lines it wrote
	Seconds     float64 // how long it took
}

// generate writes rate lines a second for d, in small bursts every 5 ms, so
// a followed log has a steady load whose lines can all be counted.
func generate(ctx context.Context, l *criLog, rate int, d time.Duration) generated {
	start := time.Now()
	var g generated
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

// standinHandler answers like one of TaskMaster's two services: the FastAPI
// backend's /health, or the Next.js frontend's page. It logs every request.
func standinHandler(service string, log *criLog) http.Handler {
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

// standin is one running stand-in: its listener, its log and its server.
type standin struct {
	service string
	ln      net.Listener
	log     *criLog
	srv     *http.Server
}

func startStandin(service, addr, logPath string) (*standin, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s stand-in: %w", service, err)
	}
	log := &criLog{w: f, now: time.Now}
	s := &standin{service: service, ln: ln, log: log, srv: &http.Server{Handler: standinHandler(service, log), ReadHeaderTimeout: 5 * time.Second}}
	log.Printf("INFO: taskmaster-%s stand-in listening on %s", service, ln.Addr())
	go s.srv.Serve(ln)
	return s, nil
}

// runStandins serves both stand-ins until ctx ends, with a heartbeat line in
// the backend's log so a followed log always has something new.
func runStandins(ctx context.Context, backendAddr, frontendAddr, dir string, heartbeat time.Duration) error {
	be, err := startStandin("backend", backendAddr, backendLog(dir))
	if err != nil {
		return err
	}
	fe, err := startStandin("frontend", frontendAddr, frontendLog(dir))
	if err != nil {
		be.srv.Close()
		return err
	}
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			be.srv.Close()
			fe.srv.Close()
			return nil
		case <-t.C:
			be.log.Printf("INFO: heartbeat n=%d", n)
		}
	}
}
