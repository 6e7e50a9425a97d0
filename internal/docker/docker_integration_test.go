package docker_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
)

// engine is a client of the tests' Docker engine, checked to answer.
func engine(t *testing.T) *docker.Client {
	t.Helper()
	c, err := docker.New(testenv.DockerHost(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// uniqueRepo is a repository name no other test or run uses.
func uniqueRepo(kind string) string {
	return fmt.Sprintf("tmtui-test/%s-%d", kind, time.Now().UnixNano())
}

// removeAtEnd removes the tags when the test ends, whatever happened.
func removeAtEnd(t *testing.T, c *docker.Client, refs ...string) {
	t.Cleanup(func() {
		for _, r := range refs {
			_ = c.Remove(context.Background(), r)
		}
	})
}

// drain reads a build's events to the end and returns its lines and result.
func drain(t *testing.T, events <-chan docker.BuildEvent) ([]string, docker.BuildResult) {
	t.Helper()
	var lines []string
	var res *docker.BuildResult
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				if res == nil {
					t.Fatalf("build events closed without a result; lines %q", lines)
				}
				return lines, *res
			}
			if res != nil {
				t.Fatalf("event %+v after the result", ev)
			}
			if ev.Result != nil {
				res = ev.Result
				continue
			}
			lines = append(lines, ev.Line)
		case <-timeout:
			t.Fatalf("build did not end; lines so far %q", lines)
		}
	}
}

func randomFile(t *testing.T, path string, size int) {
	t.Helper()
	b := make([]byte, size)
	_, _ = rand.Read(b)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// heldDownload serves a file that the engine fetches for an ADD, but only
// once released: until then the build provably cannot end. hit closes
// when the engine asks for it.
func heldDownload(t *testing.T) (url string, hit <-chan struct{}, release func()) {
	t.Helper()
	hitCh, releaseCh := make(chan struct{}), make(chan struct{})
	var hitOnce, releaseOnce sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hitOnce.Do(func() { close(hitCh) })
		select {
		case <-releaseCh:
			_, _ = w.Write([]byte("payload from the test's own server\n"))
		case <-r.Context().Done():
		}
	}))
	release = func() { releaseOnce.Do(func() { close(releaseCh) }) }
	t.Cleanup(srv.Close)
	t.Cleanup(release) // runs first: srv.Close waits for the handler
	return srv.URL + "/payload", hitCh, release
}

// startHeldBuild starts a build whose ADD waits on heldDownload, and reads
// its output until the engine is fetching and the ADD step's line has
// arrived: lines that came while the build was still running.
func startHeldBuild(t *testing.T, ctx context.Context, c *docker.Client, tag string) (<-chan docker.BuildEvent, []string, func()) {
	t.Helper()
	url, hit, release := heldDownload(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Dockerfile"), "FROM scratch\nADD "+url+" /payload\nUSER 65532:65532\n")
	events := c.Build(ctx, docker.BuildRequest{ContextDir: dir, Tag: tag})
	var lines []string
	fetching, addLine := false, false
	timeout := time.After(time.Minute)
	for !fetching || !addLine {
		select {
		case ev := <-events:
			if ev.Result != nil {
				t.Fatalf("build ended while its download was held: %+v; lines %q", *ev.Result, lines)
			}
			lines = append(lines, ev.Line)
			addLine = addLine || strings.Contains(ev.Line, "ADD "+url)
		case <-hit:
			fetching, hit = true, nil
		case <-timeout:
			t.Fatalf("engine fetching: %v; lines so far %q", fetching, lines)
		}
	}
	return events, lines, release
}

// The build's output arrives line by line while the build runs, and the
// last event has the image ID, the time taken and the budget verdict.
func TestBuildStreamsLinesWhileItRuns(t *testing.T) {
	c := engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	repo := uniqueRepo("stream")
	removeAtEnd(t, c, repo+":1")

	start := time.Now()
	events, early, release := startHeldBuild(t, ctx, c, repo+":1")
	if len(early) < 2 || !strings.HasPrefix(early[0], "Step 1/3 : FROM scratch") {
		t.Fatalf("lines before the build could end = %q; want the steps so far, one by one", early)
	}
	time.Sleep(300 * time.Millisecond)
	held := time.Since(start)
	release()
	late, res := drain(t, events)
	whole := time.Since(start)

	if res.Err != nil {
		t.Fatalf("build: %v\nlines %q %q", res.Err, early, late)
	}
	if !strings.HasPrefix(res.ImageID, "sha256:") || res.Tag != repo+":1" {
		t.Errorf("result %+v, want the image's sha256 ID and the tag", res)
	}
	// The build ran inside the test's own span, and for at least the
	// time it was held.
	if res.Duration < held || res.Duration > whole {
		t.Errorf("duration %s; the build was held for %s of it, and all of it took %s", res.Duration, held, whole)
	}
	if res.Budget != 5*time.Minute || !res.WithinBudget {
		t.Errorf("budget %s, within %v; want the default five minutes, met", res.Budget, res.WithinBudget)
	}
	if all := strings.Join(append(early, late...), "\n"); !strings.Contains(all, "Step 3/3 : USER 65532:65532") || !strings.Contains(all, "Successfully tagged "+repo+":1") {
		t.Errorf("output lacks the last step or the tagging:\n%s", all)
	}
	imgs, err := c.Images(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 1 || imgs[0].ID != res.ImageID || imgs[0].Tag != "1" {
		t.Errorf("images of %s = %+v, want the one built (%s)", repo, imgs, res.ImageID)
	}
}

// Cancelling the context stops a build that is under way: the last event
// says so, and no image is left tagged. The build's download is held until
// the test ends, so only the cancel can have ended it.
func TestCancelStopsABuildUnderWay(t *testing.T) {
	c := engine(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	repo := uniqueRepo("cancel")
	removeAtEnd(t, c, repo+":1")

	events, _, _ := startHeldBuild(t, ctx, c, repo+":1")
	cancelled := time.Now()
	cancel()
	_, res := drain(t, events)
	t.Logf("the build stopped %s after cancel", time.Since(cancelled).Round(time.Millisecond))
	if !errors.Is(res.Err, context.Canceled) || res.ImageID != "" || res.WithinBudget {
		t.Fatalf("result %+v, want context.Canceled and no image", res)
	}
	check, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	if imgs, err := c.Images(check, repo); err != nil || len(imgs) != 0 {
		t.Fatalf("after cancel, images of %s = %+v (%v), want none", repo, imgs, err)
	}
}

// Two tags of a FROM scratch image that differ by a payload of known size:
// the newer shows the change in size since the older, and each gets the
// verdict of the budget it is listed with. Removing a tag removes it.
func TestImageSizesChangesVerdictsAndRemove(t *testing.T) {
	c := engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	randomFile(t, filepath.Join(dir, "small.bin"), 100_000)
	randomFile(t, filepath.Join(dir, "large.bin"), 1_000_000)
	write(t, filepath.Join(dir, "Dockerfile"), "FROM scratch\nARG PAYLOAD\nCOPY ${PAYLOAD} /payload\n")
	repo := uniqueRepo("sizes")
	// Built in this order: the tags sort the other way round, and both
	// builds fall within a second or two, so only the engine's exact
	// creation times can put them in order.
	first, second := repo+":b-small", repo+":a-large"
	removeAtEnd(t, c, first, second)
	for _, b := range []struct{ tag, payload string }{{first, "small.bin"}, {second, "large.bin"}} {
		_, res := drain(t, c.Build(ctx, docker.BuildRequest{ContextDir: dir, Tag: b.tag, BuildArgs: map[string]string{"PAYLOAD": b.payload}}))
		if res.Err != nil {
			t.Fatalf("building %s: %v", b.tag, res.Err)
		}
	}

	list := func(b docker.ImageBudget) []docker.Image {
		t.Helper()
		repos, err := c.ListImages(ctx, []docker.ImageBudget{b})
		if err != nil {
			t.Fatal(err)
		}
		if len(repos) != 1 || repos[0].Budget != b || len(repos[0].Images) != 2 {
			t.Fatalf("ListImages = %+v, want %s with its two images", repos, repo)
		}
		return repos[0].Images
	}
	imgs := list(docker.ImageBudget{Repository: repo, Aim: 500_000, Max: 2_000_000})
	large, small := imgs[0], imgs[1]
	if large.Tag != "a-large" || small.Tag != "b-small" {
		t.Fatalf("order = %s, %s; want newest (a-large) first", large.Tag, small.Tag)
	}
	near := func(got, want int64) bool { return got >= want && got <= want+16<<10 }
	if !near(small.Size, 100_000) || !near(large.Size, 1_000_000) {
		t.Errorf("sizes %d and %d, want about the payloads' 100000 and 1000000", small.Size, large.Size)
	}
	if large.Previous != "b-small" || large.SizeChange != large.Size-small.Size || large.SizeChange < 900_000-16<<10 || large.SizeChange > 900_000+16<<10 {
		t.Errorf("newer image: previous %q, change %d; want b-small and about +900000", large.Previous, large.SizeChange)
	}
	if small.Previous != "" || small.SizeChange != 0 {
		t.Errorf("older image: previous %q, change %d; want none", small.Previous, small.SizeChange)
	}
	if small.Created.After(large.Created) || small.Created.IsZero() {
		t.Errorf("created %s and %s, want the small one first", small.Created, large.Created)
	}
	if small.Check.Verdict != docker.WithinAim || large.Check.Verdict != docker.WithinBudget {
		t.Errorf("verdicts %v and %v, want within aim and within budget", small.Check.Verdict, large.Check.Verdict)
	}

	imgs = list(docker.ImageBudget{Repository: repo, Aim: 50_000, Max: 500_000})
	large, small = imgs[0], imgs[1]
	if small.Check.Verdict != docker.WithinBudget || large.Check.Verdict != docker.OverBudget {
		t.Errorf("with a 500 kB budget: verdicts %v and %v, want within budget and over budget", small.Check.Verdict, large.Check.Verdict)
	}
	if large.Check.Size != large.Size || large.Check.Max != 500_000 || large.Check.Aim != 50_000 ||
		!strings.Contains(large.Check.String(), "over the 500 kB budget") {
		t.Errorf("figures %+v (%s), want the size with the 500 kB budget and 50 kB aim", large.Check, large.Check)
	}

	if err := c.Remove(ctx, first); err != nil {
		t.Fatal(err)
	}
	left, err := c.Images(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Tag != "a-large" || left[0].Previous != "" {
		t.Fatalf("after removing %s: %+v, want a-large alone", first, left)
	}
	if err := c.Remove(ctx, first); err == nil || !strings.Contains(err.Error(), "no image "+first) {
		t.Errorf("removing it again: %v, want it to say there is no such image", err)
	}
}

// Ignored files never reach the engine: the image sizes prove it, for the
// context's .dockerignore and for a Dockerfile's own ignore file, which
// wins, with the Dockerfile outside the context.
func TestIgnoredFilesStayOutOfTheImage(t *testing.T) {
	c := engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	randomFile(t, filepath.Join(dir, "big.bin"), 4_000_000)
	randomFile(t, filepath.Join(dir, "keep.bin"), 200_000)
	randomFile(t, filepath.Join(dir, "other.bin"), 100_000)
	write(t, filepath.Join(dir, "notes.txt"), "notes\n")
	write(t, filepath.Join(dir, ".dockerignore"), "*.bin\n!keep.bin\n")
	write(t, filepath.Join(dir, "Dockerfile"), "FROM scratch\nCOPY . /ctx/\n")
	repo := uniqueRepo("ignore")
	removeAtEnd(t, c, repo+":root", repo+":own")

	size := func(tag string) int64 {
		t.Helper()
		imgs, err := c.Images(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range imgs {
			if i.Tag == tag {
				return i.Size
			}
		}
		t.Fatalf("no %s:%s in %+v", repo, tag, imgs)
		return 0
	}

	// A budget no build can meet: the build succeeds and says it was slow.
	_, res := drain(t, c.Build(ctx, docker.BuildRequest{ContextDir: dir, Tag: repo + ":root", Budget: time.Nanosecond}))
	if res.Err != nil || res.WithinBudget || res.Budget != time.Nanosecond {
		t.Fatalf("result %+v, want success over its 1ns budget", res)
	}
	if s := size("root"); s < 200_000 || s > 200_000+32<<10 {
		t.Errorf("image with the context's .dockerignore is %d bytes, want keep.bin's 200000 and little else (big.bin and other.bin ignored)", s)
	}

	df := t.TempDir()
	write(t, filepath.Join(df, "app.Dockerfile"), "FROM scratch\nCOPY . /ctx/\n")
	write(t, filepath.Join(df, "app.Dockerfile.dockerignore"), "big.bin\nkeep.bin\n")
	_, res = drain(t, c.Build(ctx, docker.BuildRequest{ContextDir: dir, Dockerfile: filepath.Join(df, "app.Dockerfile"), Tag: repo + ":own"}))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if s := size("own"); s < 100_000 || s > 100_000+32<<10 {
		t.Errorf("image with the Dockerfile's own ignore file is %d bytes, want other.bin's 100000 and little else", s)
	}
}

// With no host given, the client finds the engine through the Docker CLI's
// current context, as `docker` itself would.
func TestConnectsThroughTheCLIsCurrentContext(t *testing.T) {
	host := testenv.DockerHost(t)
	cfg := t.TempDir()
	write(t, filepath.Join(cfg, "config.json"), `{"currentContext":"tmtui-test"}`)
	sum := sha256.Sum256([]byte("tmtui-test"))
	write(t, filepath.Join(cfg, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"),
		`{"Name":"tmtui-test","Metadata":{},"Endpoints":{"docker":{"Host":"`+host+`","SkipTLSVerify":false}}}`)
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("DOCKER_CONFIG", cfg)

	c, err := docker.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ep := c.Endpoint(); ep.Host != host || ep.From != `docker context "tmtui-test"` {
		t.Fatalf("endpoint %+v, want %s from the context", ep, host)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.Ping(ctx)
	if err != nil || v == "" {
		t.Fatalf("ping through the context: %q, %v", v, err)
	}
}

// Nothing listening, or a socket left behind by a Docker Desktop that has
// quit: every call says so plainly, and at once.
func TestUnreachableEngineIsNamedAtOnce(t *testing.T) {
	dir, err := os.MkdirTemp("", "tmtui-sock") // short: socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = l.Close()

	for _, sock := range []string{filepath.Join(dir, "none.sock"), stale} {
		t.Run(filepath.Base(sock), func(t *testing.T) {
			t.Setenv("DOCKER_HOST", "unix://"+sock)
			c, err := docker.New("")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			want := "docker engine not reachable at unix://" + sock + " (from DOCKER_HOST): is Docker Desktop running?"
			check := func(what string, err error) {
				t.Helper()
				if err == nil || err.Error() != want || !docker.IsUnreachable(err) {
					t.Errorf("%s: err = %v, want %q", what, err, want)
				}
			}
			// At once: refused by the socket, not given up on when the
			// context's deadline passed.
			_, err = c.Ping(ctx)
			if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("ping ended by the context's deadline (%v), not refused at once", err)
			}
			check("ping", err)
			_, err = c.ListImages(ctx, docker.DefaultBudgets().Images)
			check("list", err)
			check("remove", c.Remove(ctx, "taskmaster-backend:1"))
			ctxDir := t.TempDir()
			write(t, filepath.Join(ctxDir, "Dockerfile"), "FROM scratch\n")
			_, res := drain(t, c.Build(ctx, docker.BuildRequest{ContextDir: ctxDir, Tag: "x:1"}))
			check("build", res.Err)
		})
	}
}

func TestBuildWithoutDockerfileSaysWhatToDo(t *testing.T) {
	c, err := docker.New("unix:///nonexistent.sock")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, res := drain(t, c.Build(context.Background(), docker.BuildRequest{ContextDir: dir, Tag: "x:1"}))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "no Dockerfile in "+dir) {
		t.Fatalf("err = %v, want it to name the missing Dockerfile", res.Err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
