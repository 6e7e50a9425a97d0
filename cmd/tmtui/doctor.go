package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

// doctor is the non-interactive face of tmtui's connection: it prints what
// the UI's header would say, or why it cannot, and returns the exit code
// (0 when every check passes). `make demo` uses it to decide whether to
// start the sandbox.
func doctor(ctx context.Context, o k8s.ConnectOptions, out io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
	_, info, err := k8s.Connect(ctx, o)
	code := 0
	if err != nil {
		code = 1
		var ce *k8s.ConnectError
		detail := err.Error()
		if errors.As(err, &ce) && ce.Context != "" {
			detail = "context " + ce.Context + ": " + detail
		}
		fmt.Fprintf(tw, "cluster reachable\tFAIL\t%s\n", detail)
	} else {
		fmt.Fprintf(tw, "cluster reachable\tok\tcontext %s at %s, Kubernetes %s\n", info.Context, info.Server, info.ServerVersion)
		fmt.Fprintf(tw, "namespace\tok\t%s\n", info.Namespace)
	}
	tw.Flush()
	return code
}
