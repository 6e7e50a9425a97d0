package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
)

// imagesTimeout bounds one listing, so that an engine that accepts the
// connection and then hangs leaves the pane saying so.
const imagesTimeout = 15 * time.Second

// imagesService is images.Service over the Docker engine. It connects on
// first use, in the pane's command, so start-up never waits for Docker and
// an engine that is not there only ever affects this pane. It builds,
// removes, and remembers each image's build folder in the config file.
type imagesService struct {
	host    string // "" finds the engine as the Docker CLI would (docker.New)
	budgets []docker.ImageBudget
	budget  time.Duration // how long a build may take
	config  string        // the config file that remembers build folders; "" remembers nothing

	mu     sync.Mutex
	client *docker.Client
}

var (
	_ images.Service      = (*imagesService)(nil)
	_ images.Builder      = (*imagesService)(nil)
	_ images.Remover      = (*imagesService)(nil)
	_ images.FolderMemory = (*imagesService)(nil)
)

func newImagesService(host string) *imagesService {
	b := docker.DefaultBudgets()
	s := &imagesService{host: host, budgets: b.Images, budget: b.Build}
	if p, err := keymap.DefaultPath(); err == nil {
		s.config = p
	}
	return s
}

// rememberingIn keeps build folders in the config file at path (the
// --config flag's) instead of the default one; "" keeps the default.
func (s *imagesService) rememberingIn(path string) *imagesService {
	if path != "" {
		s.config = path
	}
	return s
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
	out := newestImages(repos)
	if s.config != "" {
		folders, err := keymap.ImageFolders(s.config)
		if err != nil {
			slog.Warn("cannot read the remembered build folders", "err", err)
		}
		for i := range out {
			out[i].Folder = folders[images.Short(out[i].Repository)]
		}
	}
	return out, nil
}

// Build builds req.Folder (its Dockerfile, with its .dockerignore) into
// req.Ref(), passing the engine's output on line by line.
func (s *imagesService) Build(ctx context.Context, req images.BuildRequest) (<-chan images.BuildEvent, error) {
	c, err := s.engine()
	if err != nil {
		return nil, unreachable(err)
	}
	in := c.Build(ctx, docker.BuildRequest{ContextDir: expandHome(req.Folder), Tag: req.Ref(), Budget: s.budget})
	out := make(chan images.BuildEvent, 64)
	go func() {
		defer close(out)
		for ev := range in {
			e := images.BuildEvent{Line: ev.Line}
			if r := ev.Result; r != nil {
				e = images.BuildEvent{Result: &images.BuildResult{Duration: r.Duration, Budget: r.Budget, Err: r.Err}}
			}
			if !sendBuildEvent(ctx, out, e) {
				return
			}
		}
	}()
	return out, nil
}

// sendBuildEvent hands e on; once ctx ends it waits a moment more, so that a
// cancelled build's reader still learns how it ended.
func sendBuildEvent(ctx context.Context, out chan<- images.BuildEvent, e images.BuildEvent) bool {
	select {
	case out <- e:
		return true
	case <-ctx.Done():
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case out <- e:
		return true
	case <-t.C:
		return false
	}
}

// Remove removes one tag (and the image when no other tag holds it).
func (s *imagesService) Remove(ctx context.Context, ref string) error {
	c, err := s.engine()
	if err != nil {
		return unreachable(err)
	}
	ctx, cancel := context.WithTimeout(ctx, imagesTimeout)
	defer cancel()
	if err := c.Remove(ctx, ref); err != nil {
		if docker.IsUnreachable(err) {
			return unreachable(err)
		}
		return err
	}
	return nil
}

// RememberFolder keeps folder as the repository's build folder in the
// config file, under images.<backend|frontend>.folder.
func (s *imagesService) RememberFolder(repository, folder string) error {
	if s.config == "" {
		return errors.New("there is no config directory to remember it in")
	}
	return keymap.RememberFolder(s.config, images.Short(repository), folder)
}

// expandHome turns a leading ~ into the home folder, as a shell would.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
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
