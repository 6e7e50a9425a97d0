package main

import (
	"context"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
)

// logsTail is how many past lines of each container a stream starts with;
// the pane keeps logs.DefaultCapacity in all, so a few pods' history fits
// beside what arrives.
const logsTail = 500

// logsService is logs.Service over the Kubernetes client's merged streams.
type logsService struct {
	client    *k8s.Client
	namespace string
	release   string
}

var _ logs.Service = (*logsService)(nil)

func (s *logsService) StreamLogs(ctx context.Context, q logs.Query) (<-chan logs.Batch, error) {
	in, err := s.client.StreamLogs(ctx, logOptions(s.namespace, s.release, q))
	if err != nil {
		return nil, err
	}
	out := make(chan logs.Batch)
	go func() {
		defer close(out)
		for b := range in {
			select {
			case out <- logBatch(b):
			case <-ctx.Done():
				for range in { // the engine closes it now that ctx is done
				}
				return
			}
		}
	}()
	return out, nil
}

// logOptions turns what the pane asks for into the engine's terms: every
// pod of the release (a rollout's new pods too), or one pod, followed; or
// one pod's previous container, read once.
func logOptions(namespace, release string, q logs.Query) k8s.LogOptions {
	o := k8s.LogOptions{Namespace: namespace, TailLines: logsTail, Follow: true}
	switch {
	case q.Pod == "":
		o.Selector = k8s.ReleaseSelector(release, "")
	case q.Previous:
		o.Pods, o.Previous, o.Follow = []string{q.Pod}, true, false
	default:
		o.Pods = []string{q.Pod}
	}
	return o
}

// logBatch is the pane's view of one batch. The engine keeps notices apart
// from lines; the pane shows them in the flow, where they belong: a pod
// joining or failing before its lines, a pod leaving after them.
func logBatch(b k8s.LogBatch) logs.Batch {
	out := logs.Batch{Lines: make([]logs.Line, 0, len(b.Lines)+len(b.Notices))}
	var left []logs.Line
	for _, n := range b.Notices {
		l := noticeLine(n)
		if n.Kind == k8s.LogClosed {
			left = append(left, l)
			continue
		}
		out.Lines = append(out.Lines, l)
	}
	for _, l := range b.Lines {
		out.Lines = append(out.Lines, logs.Line{Pod: l.Pod, Container: l.Container, Time: l.Time, Text: l.Text})
	}
	return logs.Batch{Lines: append(out.Lines, left...)}
}

func noticeLine(n k8s.LogNotice) logs.Line {
	l := logs.Line{Pod: n.Pod, Container: n.Container, Time: n.Time, Notice: true}
	switch n.Kind {
	case k8s.LogOpened:
		l.Text = "following container " + n.Container
	case k8s.LogClosed:
		l.Text = "pod gone: stopped following container " + n.Container
	case k8s.LogLimited:
		l.Text = n.Err + ": open one pod's log with l in the Pods pane"
	default:
		l.Text = "cannot read the log"
		if n.Container != "" {
			l.Text += " of container " + n.Container
		}
		if n.Err != "" {
			l.Text += ": " + n.Err
		}
	}
	return l
}
