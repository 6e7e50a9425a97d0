package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// BuildRequest says what to build.
type BuildRequest struct {
	ContextDir string // folder sent to the engine as the build context
	// Dockerfile is the Dockerfile's path: relative to ContextDir, or
	// absolute (it may lie outside the context). "Dockerfile" when empty.
	Dockerfile string
	Tag        string            // repository:tag to give the result
	BuildArgs  map[string]string // ARG values, for example NEXT_PUBLIC_API_URL
	Budget     time.Duration     // how long the build may take; DefaultBuildBudget when zero
}

// BuildEvent is one step of a build's progress: a line of the engine's
// output, or, last of all, the Result.
type BuildEvent struct {
	Line   string
	Result *BuildResult // set on the last event only; the channel closes after it
}

// BuildResult is how a build ended.
type BuildResult struct {
	Tag          string
	ImageID      string // sha256:...; empty when the build failed
	Duration     time.Duration
	Budget       time.Duration
	WithinBudget bool  // it succeeded within Budget
	Err          error // why it failed, or ctx's error when cancelled
}

// Build builds an image in the background and streams its output, line
// by line, on the returned channel, then one event with the result, then
// closes the channel. The caller reads until the channel closes, or
// cancels ctx: that stops the build, and the last event then carries
// ctx's error. Everything that can go wrong, from a missing Dockerfile to
// an unreachable engine, arrives as that last event's Err.
func (c *Client) Build(ctx context.Context, req BuildRequest) <-chan BuildEvent {
	events := make(chan BuildEvent, 64)
	go func() {
		defer close(events)
		budget := req.Budget
		if budget <= 0 {
			budget = DefaultBuildBudget
		}
		start := time.Now()
		id, err := c.build(ctx, req, func(line string) bool {
			select {
			case events <- BuildEvent{Line: line}:
				return true
			case <-ctx.Done():
				return false
			}
		})
		took := time.Since(start)
		res := &BuildResult{Tag: req.Tag, ImageID: id, Duration: took, Budget: budget, WithinBudget: err == nil && took <= budget, Err: err}
		select {
		case events <- BuildEvent{Result: res}:
		case <-ctx.Done():
			// A cancelled caller that still reads gets the result; one that
			// walked away does not hold this goroutine for more than a moment.
			t := time.NewTimer(time.Second)
			defer t.Stop()
			select {
			case events <- BuildEvent{Result: res}:
			case <-t.C:
			}
		}
	}()
	return events
}

func (c *Client) build(ctx context.Context, req BuildRequest, emit func(string) bool) (string, error) {
	plan, err := planContext(req.ContextDir, req.Dockerfile)
	if err != nil {
		return "", err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(plan.write(pw)) }()
	defer pr.Close() // stops the writer when the request ends early

	var tags []string
	if req.Tag != "" {
		tags = []string{req.Tag}
	}
	var args map[string]*string
	if len(req.BuildArgs) > 0 {
		args = make(map[string]*string, len(req.BuildArgs))
		for k, v := range req.BuildArgs {
			args[k] = &v
		}
	}
	// An engine that stops mid-build may keep the build's output open
	// while it stops its containers (ten seconds and more): a watchdog
	// that asks after the engine ends the build as soon as it is gone.
	bctx, gone := context.WithCancelCause(ctx)
	defer gone(nil)
	go c.watchEngine(bctx, gone)
	res, err := c.api.ImageBuild(bctx, pr, client.ImageBuildOptions{
		Tags: tags, Dockerfile: plan.dockerfile, BuildArgs: args,
		Remove: true, ForceRemove: true,
		// The classic builder is the one every engine (API 1.41 and
		// later) runs from a plain HTTP request; BuildKit needs a session.
		Version: build.BuilderV1,
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if bctx.Err() != nil {
			return "", context.Cause(bctx)
		}
		return "", c.unreachable(err)
	}
	defer res.Body.Close()
	id, err := readBuildStream(bctx, res.Body, emit)
	switch {
	case err == nil || ctx.Err() != nil:
		return id, err
	case bctx.Err() != nil:
		return "", context.Cause(bctx)
	}
	return "", c.goneDuringBuild(ctx, err)
}

// watchEngine asks the engine every watchEvery whether it is there, until
// ctx ends, and calls gone when it is not: at once when the connection is
// refused, after two failures in a row otherwise (a busy engine may answer
// slowly).
func (c *Client) watchEngine(ctx context.Context, gone context.CancelCauseFunc) {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	fails := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.api.Ping(pctx, client.PingOptions{})
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			fails = 0
			continue
		}
		if fails++; client.IsErrConnectionFailed(err) || fails >= 2 {
			gone(&UnreachableError{Endpoint: c.endpoint, Err: err, During: "the build"})
			return
		}
	}
}

const watchEvery = 500 * time.Millisecond

// goneDuringBuild tells a build that failed because the engine stopped
// (its RUN step killed as it shut down, or its output cut off) from one
// that failed on its own: it asks the engine whether it is still there,
// for up to goneWindow, since an engine shutting down still answers for a
// moment after it has killed the build's container. A build that failed
// on its own is thus reported up to goneWindow later.
func (c *Client) goneDuringBuild(ctx context.Context, buildErr error) error {
	deadline := time.Now().Add(goneWindow)
	// Every 100 ms (a ping on a local socket costs next to nothing): the
	// error says "gone" within 0.1 s of the engine going.
	const wait = 100 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := c.api.Ping(pctx, client.PingOptions{})
		cancel()
		if ctx.Err() != nil {
			return buildErr
		}
		// Any failure counts: an engine shutting down may drop the
		// connection or answer with an error rather than refuse it.
		if err != nil {
			return &UnreachableError{Endpoint: c.endpoint, Err: err, During: "the build", Last: buildErr}
		}
		if time.Now().Add(wait).After(deadline) {
			return buildErr
		}
		select {
		case <-ctx.Done():
			return buildErr
		case <-time.After(wait):
		}
	}
}

// goneWindow is how long a failed build looks for the engine going away.
const goneWindow = 2 * time.Second

// readBuildStream follows the engine's JSON message stream to its end,
// hands on its text one line at a time (emit returns false to stop), and
// returns the built image's ID, or the error the build reported.
func readBuildStream(ctx context.Context, r io.Reader, emit func(string) bool) (string, error) {
	dec := json.NewDecoder(r)
	var id, partial string
	// lines passes on each complete line of text and keeps the rest for
	// later: the engine may split a line between messages or put several
	// in one.
	lines := func(text string) bool {
		text = partial + text
		for {
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				partial = text
				return true
			}
			line := strings.TrimRight(text[:i], " \r")
			text = text[i+1:]
			if strings.TrimSpace(line) != "" && !emit(line) {
				return false
			}
		}
	}
	stopped := func() (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return "", errors.New("build output stopped")
	}
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("reading build output: %w", err)
		}
		if m.Error != nil {
			lines("\n")
			return "", fmt.Errorf("build failed: %s", strings.TrimSpace(m.Error.Message))
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		text := m.Stream
		if text == "" && m.Status != "" && (m.Progress == nil || m.Progress.Total == 0 && m.Progress.Current == 0) {
			// Status messages (pulling a base image) without the progress
			// bars, which would be hundreds of lines.
			text = m.Status + "\n"
			if m.ID != "" {
				text = m.ID + ": " + text
			}
		}
		if text != "" && !lines(text) {
			return stopped()
		}
	}
	if !lines("\n") {
		return stopped()
	}
	if id == "" {
		return "", errors.New("build ended without an image ID")
	}
	return id, nil
}
