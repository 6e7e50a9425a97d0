// Command standin is a TaskMaster stand-in as a container: the backend's
// /health or the frontend's page (internal/standin), on the sandbox's real
// node. The sandbox builds it static and imports it into the node's
// containerd as the chart's two images (image.go), each running
// `standin --service NAME`; it listens on :$PORT, which the chart sets.
//
//	standin --service backend [--listen :8000]
//
// With --fail (the image's tag chooses it: standin.Failures) it fails for
// real: exits at start, answers 503, or allocates until it is OOMKilled.
//
// Run as `python` (the backend image has that name for it), it does what
// the chart's `helm test` pod asks of Python: `python -c SCRIPT URL` gets
// URL, prints "URL STATUS", and fails unless the answer is a 2xx. It runs no
// script: it is only the test's stand-in.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/taskmaster-ai/tmtui/hack/sandbox/internal/standin"
)

func main() {
	if filepath.Base(os.Args[0]) == "python" {
		os.Exit(python(os.Args[1:]))
	}
	service := flag.String("service", "backend", "which service to stand in for: backend or frontend")
	listen := flag.String("listen", ":"+cmp.Or(os.Getenv("PORT"), "8000"), "the address to serve on (default :$PORT)")
	fail := flag.String("fail", "", "fail on purpose: "+strings.Join(standin.Failures, ", "))
	flag.Parse()
	if *service != "backend" && *service != "frontend" {
		fmt.Fprintf(os.Stderr, "standin: --service is %q: want backend or frontend\n", *service)
		os.Exit(2)
	}
	if *fail != "" && !slices.Contains(standin.Failures, *fail) {
		fmt.Fprintf(os.Stderr, "standin: --fail is %q: want one of %s\n", *fail, strings.Join(standin.Failures, ", "))
		os.Exit(2)
	}
	log := &standin.Log{W: os.Stdout}
	handler := standin.Handler(*service, log)
	switch *fail {
	case "crashloop":
		log.Printf("ERROR: taskmaster-%s stand-in: exiting at start on purpose (image tag :crashloop)", *service)
		os.Exit(1)
	case "unready":
		handler = standin.Unready(*service, log)
	case "oom":
		go allocate(log)
	}
	srv := &http.Server{Addr: *listen, Handler: handler, ReadHeaderTimeout: 5 * time.Second}

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

// python is the chart's test pod's `python -c SCRIPT URL`: GET URL.
func python(args []string) int {
	if len(args) < 3 || args[0] != "-c" {
		fmt.Fprintln(os.Stderr, "standin (as python): only `python -c SCRIPT URL` is served, as the chart's test pod runs it")
		return 2
	}
	url := args[len(args)-1]
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", url, err)
		return 1
	}
	resp.Body.Close()
	fmt.Println(url, resp.StatusCode)
	if resp.StatusCode/100 != 2 {
		return 1
	}
	return 0
}

// allocate takes memory in 32 MiB steps, each page written so that it
// counts against the container's limit, until the limit's OOM killer ends
// the process; with no limit it stops at 8 GiB and says so.
func allocate(log *standin.Log) {
	const step, most = 32 << 20, 8 << 30
	var held [][]byte
	for total := step; total <= most; total += step {
		b := make([]byte, step)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		held = append(held, b)
		if total%(256<<20) == 0 {
			log.Printf("INFO: holding %d MiB on purpose (image tag :oom)", total>>20)
		}
	}
	log.Printf("ERROR: holding %d MiB and not killed: this container has no memory limit", len(held)*step>>20)
}
