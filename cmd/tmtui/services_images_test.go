package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/testenv"
	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// testImagesService is the adapter over the tests' engine, managing one
// repository of its own (never taskmaster-*, which other tests list) and
// remembering folders in a config file of its own.
func testImagesService(t *testing.T) (*imagesService, string) {
	t.Helper()
	repo := fmt.Sprintf("tmtui-test/pane-%d", time.Now().UnixNano())
	s := newImagesService(testenv.DockerHost(t)).rememberingIn(filepath.Join(t.TempDir(), "tmtui", "config.yaml"))
	s.budgets = []docker.ImageBudget{{Repository: repo, Aim: 1 * docker.MB, Max: 2 * docker.MB}}
	t.Cleanup(func() {
		for _, tag := range []string{"1", "2"} {
			_ = s.Remove(context.Background(), repo+":"+tag)
		}
	})
	return s, repo
}

// appFolder is a build folder: a FROM scratch Dockerfile copying a payload
// of size bytes (no registry is reachable, so no base image can be pulled).
func appFolder(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	payload := make([]byte, size)
	_, _ = rand.Read(payload)
	for name, data := range map[string][]byte{
		"Dockerfile":    []byte("FROM scratch\nCOPY payload.bin /payload.bin\n"),
		"payload.bin":   payload,
		".dockerignore": []byte("secret.env\n"),
		"secret.env":    []byte("OPENAI_API_KEY=sk-test-fake\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// panes stands in for the root and the program: commands run in goroutines
// and their messages come back in one queue, routed as the root routes
// them (Routed by pane; an action run at once, as the guard does on a
// local context once approved). It records the actions asked for.
type panes struct {
	images  *images.Model
	logs    *logs.Model
	actions []common.Action
	d       *uitest.Driver
}

func newPanes() *panes {
	p := &panes{images: images.New(images.Options{}), logs: logs.New(logs.Options{})}
	p.d = uitest.NewDriver(p)
	p.images.SetSize(120, 8)
	p.logs.SetSize(120, 30)
	return p
}

func (p *panes) exec(cmd tea.Cmd) { p.d.Start(cmd) }

// Update routes a message as the root model would: actions run at once,
// the rest go to their pane.
func (p *panes) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.ActionMsg:
		p.actions = append(p.actions, msg.Action)
		a := msg.Action
		return func() tea.Msg { return a.Run(context.Background(), "") }
	case common.Routed:
		if msg.Routing().Pane == common.LogsPane {
			return p.logs.Update(msg)
		}
		return p.images.Update(msg)
	}
	return nil
}

// until handles messages until cond holds.
func (p *panes) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !p.d.Until(nil, cond, 2*time.Minute) {
		t.Fatalf("timed out waiting for %s\nimages:\n%s\nlogs:\n%s", what, p.images.View(), p.logs.View())
	}
}

func (p *panes) press(keys ...string) {
	for _, k := range keys {
		p.exec(p.images.Update(uitest.Key(k)))
	}
}

func (p *panes) typeText(s string) {
	for _, k := range uitest.Type(s) {
		p.images.Update(k)
	}
}

// The Images pane over the real adapter and engine: b builds from a folder
// the user names, the output streams into the Logs pane tagged with the
// build, the image then appears with its size and budget verdict, the
// folder is remembered in the config file, a second build shows the change
// since the last tag, and d removes the tag.
func TestImagesPaneBuildsAndRemovesOnTheRealEngine(t *testing.T) {
	t.Parallel()
	svc, repo := testImagesService(t)
	p := newPanes()
	newest := func() images.Image {
		if imgs := p.images.Images(); len(imgs) == 1 {
			return imgs[0]
		}
		return images.Image{}
	}
	p.exec(p.images.Start(t.Context(), 1, svc))
	p.until(t, "the first listing", func() bool { return newest().Repository == repo })
	if p.images.Unreachable() || newest().Present {
		t.Fatalf("before building: %+v\n%s", p.images.Images(), p.images.View())
	}

	small := appFolder(t, 300_000)
	p.press("b", "ctrl+u")
	p.typeText(small)
	p.press("tab", "ctrl+u")
	p.typeText("1")
	p.press("enter")
	p.until(t, "the build of :1 and the listing after it", func() bool {
		return !p.images.Building() && newest().Tag == "1" && strings.Contains(p.logs.SettingsLine(), "built in")
	})

	if len(p.actions) != 1 || p.actions[0].Title != "build "+repo+":1 from "+small {
		t.Fatalf("actions asked for: %+v", p.actions)
	}
	if !p.logs.ShowingBuild() || !strings.Contains(p.logs.View(), "[build "+repo+"] Step 1/2 : FROM scratch") ||
		!strings.Contains(p.logs.View(), "[build "+repo+"] Step 2/2 : COPY payload.bin /payload.bin") {
		t.Errorf("the Logs pane lacks the build's steps:\n%s", p.logs.View())
	}
	if !strings.Contains(p.images.View(), "✓ built "+repo+":1 in ") || !strings.Contains(p.images.View(), "within the 5:00 budget") {
		t.Errorf("result:\n%s", p.images.View())
	}
	img := newest()
	if !img.Present || img.Size < 300_000 || img.Size > 400_000 || img.Verdict != images.WithinAim || img.Previous != "" {
		t.Errorf("after the build: %+v", img)
	}
	if !strings.Contains(p.images.View(), repo+":1") || !strings.Contains(p.images.View(), "✓ within aim") {
		t.Errorf("view:\n%s", p.images.View())
	}
	if folders, err := keymap.ImageFolders(svc.config); err != nil || folders[repo] != small || img.Folder != small {
		t.Errorf("remembered %v (%v), listed folder %q; want %s", folders, err, img.Folder, small)
	}

	// The next build offers the folder; a bigger payload shows its change.
	p.press("b")
	if !strings.Contains(p.images.View(), "folder: "+small) {
		t.Errorf("the prompt does not offer the remembered folder:\n%s", p.images.View())
	}
	large := appFolder(t, 1_500_000)
	p.press("ctrl+u")
	p.typeText(large)
	p.press("tab", "ctrl+u")
	p.typeText("2")
	p.press("enter")
	p.until(t, "the build of :2 and the listing after it", func() bool { return !p.images.Building() && newest().Tag == "2" })
	img = newest()
	if img.Previous != "1" || img.SizeChange < 1_100_000 || img.Verdict != images.WithinBudget {
		t.Errorf("after the second build: %+v", img)
	}
	if !strings.Contains(p.images.View(), "since 1") {
		t.Errorf("no change since the last tag:\n%s", p.images.View())
	}

	// d asks (the action has Ask set); once approved the tag is gone.
	p.press("d")
	p.until(t, "removing :2", func() bool { return newest().Tag == "1" })
	last := p.actions[len(p.actions)-1]
	if !last.Ask || last.Title != "remove image "+repo+":2" {
		t.Errorf("remove action %+v", last)
	}
	p.press("d")
	p.until(t, "removing :1", func() bool { return newest().Repository == repo && !newest().Present })
}

// The adapter straight: lines stream while the build runs, the result has
// the time against the budget, .dockerignore keeps files out, and a folder
// without a Dockerfile fails with what to do.
func TestImagesServiceBuildStreamsLinesThenTheResult(t *testing.T) {
	t.Parallel()
	svc, repo := testImagesService(t)
	dir := appFolder(t, 10_000)
	ch, err := svc.Build(t.Context(), images.BuildRequest{Repository: repo, Tag: "1", Folder: dir})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var res *images.BuildResult
	for ev := range ch {
		if ev.Result != nil {
			res = ev.Result
			continue
		}
		lines = append(lines, ev.Line)
	}
	if res == nil || res.Err != nil || res.Duration <= 0 || res.Budget != 5*time.Minute {
		t.Fatalf("result %+v; lines %q", res, lines)
	}
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "Step 1/2 : FROM scratch") {
		t.Errorf("lines %q", lines)
	}
	// secret.env is in .dockerignore: a COPY of it must fail.
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY secret.env /s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := lastResult(t, svc, repo, dir); res.Err == nil {
		t.Error("a file the .dockerignore excludes reached the build")
	}
	empty := t.TempDir()
	if res := lastResult(t, svc, repo, empty); res.Err == nil || !strings.Contains(res.Err.Error(), "no Dockerfile in "+empty) {
		t.Errorf("no Dockerfile: %v", res.Err)
	}
	if err := svc.Remove(t.Context(), repo+":nope"); err == nil || errors.Is(err, images.ErrUnreachable) {
		t.Errorf("removing a tag that is not there: %v", err)
	}
}

func lastResult(t *testing.T, svc *imagesService, repo, dir string) images.BuildResult {
	t.Helper()
	ch, err := svc.Build(t.Context(), images.BuildRequest{Repository: repo, Tag: "2", Folder: dir})
	if err != nil {
		t.Fatal(err)
	}
	var res *images.BuildResult
	for ev := range ch {
		if ev.Result != nil {
			res = ev.Result
		}
	}
	if res == nil {
		t.Fatal("no result")
	}
	return *res
}

// The engine away, then back: the same service answers again, without a
// restart. A loopback proxy to the tests' engine stands in for Docker
// Desktop being started.
func TestImagesServiceRecoversWhenTheEngineComesBack(t *testing.T) {
	t.Parallel()
	host := testenv.DockerHost(t)
	sock, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		t.Skipf("the proxy forwards to a unix socket; the tests' engine is at %s", host)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing answers there until the proxy starts

	svc, _ := testImagesService(t)
	svc.host = "tcp://" + addr
	if _, err := svc.ListImages(t.Context()); !errors.Is(err, images.ErrUnreachable) {
		t.Fatalf("with the engine away: %v, want ErrUnreachable", err)
	}

	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the freed port %s was taken meanwhile: %v", addr, err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	keep := func(c net.Conn) {
		mu.Lock()
		defer mu.Unlock()
		conns = append(conns, c)
	}
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns { // idle keep-alive connections would hold the copies
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			keep(c)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				d, err := net.Dial("unix", sock)
				if err != nil {
					return
				}
				keep(d)
				defer d.Close()
				go func() { _, _ = io.Copy(d, c) }()
				_, _ = io.Copy(c, d)
			}()
		}
	}()
	imgs, err := svc.ListImages(t.Context())
	if err != nil || len(imgs) != 1 {
		t.Errorf("with the engine back: %v, %v", imgs, err)
	}
}

func TestExpandHome(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skipf("no home folder: %v", err)
	}
	for in, want := range map[string]string{"~/src/app": filepath.Join(home, "src", "app"), "~": home, "/abs": "/abs", "rel/~": "rel/~"} {
		if got := expandHome(in); got != want {
			t.Errorf("expandHome(%q) = %q, want %q", in, got, want)
		}
	}
}
