package main

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
)

// imagesTimeout bounds one listing, so that an engine that accepts the
// connection and then hangs leaves the pane saying so.
const imagesTimeout = 15 * time.Second

// imagesService is images.Service over the Docker engine. It connects on
// first use, in the pane's command, so start-up never waits for Docker and
// an engine that is not there only ever affects this pane.
type imagesService struct {
	host    string // "" finds the engine as the Docker CLI would (docker.New)
	budgets []docker.ImageBudget

	mu     sync.Mutex
	client *docker.Client
}

var _ images.Service = (*imagesService)(nil)

func newImagesService(host string) *imagesService {
	return &imagesService{host: host, budgets: docker.DefaultBudgets().Images}
}

func (s *imagesService) engine() (*docker.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		c, err := docker.New(s.host)
		if err != nil {
			return nil, err // no address to reach it at; try again on the next refresh
		}
		s.client = c
	}
	return s.client, nil
}

func (s *imagesService) ListImages(ctx context.Context) ([]images.Image, error) {
	c, err := s.engine()
	if err != nil {
		return nil, unreachable(err)
	}
	ctx, cancel := context.WithTimeout(ctx, imagesTimeout)
	defer cancel()
	repos, err := c.ListImages(ctx, s.budgets)
	switch {
	case docker.IsUnreachable(err), errors.Is(err, context.DeadlineExceeded):
		return nil, unreachable(err)
	case err != nil:
		return nil, err
	}
	return newestImages(repos), nil
}

// newestImages is the pane's list: each repository's newest image, or the
// repository alone when it has none.
func newestImages(repos []docker.RepositoryImages) []images.Image {
	out := make([]images.Image, 0, len(repos))
	for _, r := range repos {
		img := images.Image{Repository: r.Budget.Repository}
		if len(r.Images) > 0 {
			newest := r.Images[0]
			img.Present = true
			img.Tag = newest.Tag
			img.Size = newest.Size
			img.Verdict = verdictOf(newest.Check.Verdict)
			img.Aim, img.Max = newest.Check.Aim, newest.Check.Max
			img.Previous, img.SizeChange = newest.Previous, newest.SizeChange
		}
		out = append(out, img)
	}
	return out
}

func verdictOf(v docker.Verdict) images.Verdict {
	switch v {
	case docker.WithinAim:
		return images.WithinAim
	case docker.WithinBudget:
		return images.WithinBudget
	case docker.OverBudget:
		return images.OverBudget
	}
	return images.NoBudget
}

// unreachableError is the engine's own words, marked as images.ErrUnreachable
// for the pane, which puts "Docker engine not reachable:" before them.
type unreachableError struct{ err error }

func (e unreachableError) Error() string {
	// The pane says "not reachable" already; keep where and what to do.
	msg := e.err.Error()
	rest, ok := strings.CutPrefix(msg, "docker engine not reachable at ")
	if !ok {
		return msg
	}
	if i := strings.LastIndex(rest, ": "); i >= 0 {
		return "nothing answers at " + rest[:i] + " (" + rest[i+2:] + ")"
	}
	return "nothing answers at " + rest
}

func (e unreachableError) Unwrap() []error { return []error{images.ErrUnreachable, e.err} }

func unreachable(err error) error { return unreachableError{err} }
