package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/taskmaster-ai/tmtui/hack/sandbox/internal/standin"
)

// standinProc is one running stand-in: its listener, its log and its server.
type standinProc struct {
	service string
	ln      net.Listener
	log     *standin.Log
	srv     *http.Server
}

func startStandin(service, addr, logPath string) (*standinProc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s stand-in: %w", service, err)
	}
	log := &standin.Log{W: f, CRI: true}
	s := &standinProc{service: service, ln: ln, log: log, srv: &http.Server{Handler: standin.Handler(service, log), ReadHeaderTimeout: 5 * time.Second}}
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
