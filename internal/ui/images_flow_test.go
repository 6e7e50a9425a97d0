package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

// buildingImages is fakeImages that also builds, removes and remembers.
type buildingImages struct {
	fakeImages
	mu      sync.Mutex
	removed []string
	folder  string
}

func (b *buildingImages) Build(ctx context.Context, req images.BuildRequest) (<-chan images.BuildEvent, error) {
	ch := make(chan images.BuildEvent, 3)
	ch <- images.BuildEvent{Line: "Step 1/1 : FROM scratch"}
	ch <- images.BuildEvent{Line: "Successfully tagged " + req.Ref()}
	ch <- images.BuildEvent{Result: &images.BuildResult{Duration: 42 * time.Second, Budget: images.BuildBudget}}
	close(ch)
	return ch, nil
}

func (b *buildingImages) Remove(_ context.Context, ref string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.removed = append(b.removed, ref)
	return nil
}

func (b *buildingImages) RememberFolder(_, folder string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.folder = folder
	return nil
}

// Through the root, unchanged: a build asked for in the Images pane goes
// through the guard, its output lands in the Logs pane (routed by
// common.BuildOutputMsg), and the result shows in the Images pane and the
// status line. Removing asks yes/no first, defaulting to No.
func TestImagesBuildStreamsIntoTheLogsPaneThroughTheRoot(t *testing.T) {
	w := newWorld()
	svc := &buildingImages{}
	w.images = svc
	r := w.connected(t, 160, 48)
	r.press("1", "b", "ctrl+u")
	for _, k := range uitest.Type("/src/app/backend") {
		r.settle(r.Update(k))
	}
	if !strings.Contains(r.screen(), "folder: /src/app/backend█") || !strings.Contains(r.screen(), "enter build") {
		t.Fatalf("prompt not shown:\n%s", r.screen())
	}
	r.press("enter")
	screen := r.screen()
	for _, want := range []string{
		"[build backend] Step 1/1 : FROM scratch",
		"build backend output (built in 0:42)",
		"✓ built taskmaster-backend:dev-",
		"in 0:42, within the 5:00 budget",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if svc.folder != "/src/app/backend" {
		t.Errorf("remembered %q", svc.folder)
	}

	r.press("d")
	if !r.m.ActionPending() || !strings.Contains(r.screen(), "Remove image taskmaster-backend:1.2.0?") {
		t.Fatalf("d did not ask:\n%s", r.screen())
	}
	r.press("enter") // the default is No
	if r.m.ActionPending() || len(svc.removed) != 0 {
		t.Fatalf("enter removed (pending %v, removed %v)", r.m.ActionPending(), svc.removed)
	}
	r.press("d", "y")
	if len(svc.removed) != 1 || svc.removed[0] != "taskmaster-backend:1.2.0" {
		t.Errorf("removed %v", svc.removed)
	}
	if !strings.Contains(r.screen(), "removed taskmaster-backend:1.2.0") {
		t.Errorf("no word of the removal:\n%s", r.screen())
	}
}

func TestImagesReadOnlyHidesBuildAndRemoveThroughTheRoot(t *testing.T) {
	helpLine := func(r *root) string {
		lines := strings.Split(strings.TrimRight(r.screen(), "\n"), "\n")
		return lines[len(lines)-1]
	}
	writable := newWorld()
	writable.images = &buildingImages{}
	rw := writable.connected(t, 160, 48)
	rw.press("1")
	if h := helpLine(rw); !strings.Contains(h, "b build image") || !strings.Contains(h, "d remove tag") {
		t.Fatalf("the help line lacks the images keys: %q", h)
	}

	w := newWorld()
	w.opts.ReadOnly = true
	svc := &buildingImages{}
	w.images = svc
	r := w.connected(t, 160, 48)
	r.press("1", "b", "d")
	if r.m.ActionPending() || strings.Contains(r.screen(), "folder:") || len(svc.removed) != 0 {
		t.Errorf("read-only mode built or removed:\n%s", r.screen())
	}
	if last := helpLine(r); strings.Contains(last, "build image") || strings.Contains(last, "remove tag") {
		t.Errorf("help offers mutating keys: %q", last)
	}
}
