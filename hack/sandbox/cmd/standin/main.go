// Command standin is a TaskMaster stand-in as a container: the backend's
// /health or the frontend's page (internal/standin), on the sandbox's real
// node. The sandbox builds it static and imports it into the node's
// containerd as a one-layer image, as it does the pause image.
//
//	standin --service backend --listen :8000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/taskmaster-ai/tmtui/hack/sandbox/internal/standin"
)

func main() {
	service := flag.String("service", "backend", "which service to stand in for: backend or frontend")
	listen := flag.String("listen", ":8000", "the address to serve on")
	flag.Parse()
	if *service != "backend" && *service != "frontend" {
		fmt.Fprintf(os.Stderr, "standin: --service is %q: want backend or frontend\n", *service)
		os.Exit(2)
	}
	log := &standin.Log{W: os.Stdout}
	srv := &http.Server{Addr: *listen, Handler: standin.Handler(*service, log), ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("INFO: taskmaster-%s stand-in listening on %s", *service, *listen)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "standin: %v\n", err)
		os.Exit(1)
	}
	log.Printf("INFO: stopped")
}
