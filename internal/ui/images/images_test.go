package images

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

type fakeService struct {
	images []Image
	err    error
	calls  int
}

func (f *fakeService) ListImages(context.Context) ([]Image, error) {
	f.calls++
	return f.images, f.err
}

const mb = 1_000_000

func fixture() []Image {
	return []Image{
		{Repository: "taskmaster-backend", Present: true, Tag: "1.2.0", Size: 182 * mb, Verdict: WithinAim, Aim: 300 * mb, Max: 500 * mb, Previous: "1.1.0", SizeChange: 12 * mb},
		{Repository: "taskmaster-frontend", Present: true, Tag: "1.2.0", Size: 171 * mb, Verdict: WithinBudget, Aim: 150 * mb, Max: 200 * mb, Previous: "1.1.0", SizeChange: -3 * mb},
	}
}

func TestRowsFromFixture(t *testing.T) {
	want := []string{
		"taskmaster-backend:1.2.0           182 MB  ✓ within aim     of 500 MB · +12 MB since 1.1.0",
		"taskmaster-frontend:1.2.0          171 MB  ! within budget  of 200 MB · -3 MB since 1.1.0",
	}
	for i, img := range fixture() {
		if got := Row(img); got != want[i] {
			t.Errorf("Row %d =\n%q\nwant\n%q", i, got, want[i])
		}
	}
	if got := Row(Image{Repository: "taskmaster-frontend"}); !strings.Contains(got, "✗ no image") {
		t.Errorf("missing image: %q", got)
	}
	if got := Change(Image{Present: true}); got != "first image" {
		t.Errorf("Change of a first image = %q", got)
	}
	if got := VerdictWord(OverBudget); got != "✗ over budget" {
		t.Errorf("VerdictWord = %q", got)
	}
}

func TestListAndKeys(t *testing.T) {
	svc := &fakeService{images: fixture()}
	m := New(Options{})
	m.SetSize(100, 6)
	uitest.Settle(m, m.Start(context.Background(), 1, svc), time.Second)
	if !strings.HasPrefix(m.View(), "› taskmaster-backend:1.2.0") {
		t.Errorf("view:\n%s", m.View())
	}
	m.Update(uitest.Key("down"))
	m.Update(uitest.Key("j"))
	if m.Cursor() != 1 {
		t.Errorf("cursor = %d", m.Cursor())
	}
	m.Update(uitest.Key("k"))
	m.Update(uitest.Key("up"))
	if m.Cursor() != 0 {
		t.Errorf("cursor = %d", m.Cursor())
	}
	uitest.Settle(m, m.Update(uitest.Key("r")), time.Second)
	if svc.calls != 2 {
		t.Errorf("r listed %d times in all, want 2", svc.calls)
	}
}

func TestEngineNotReachable(t *testing.T) {
	svc := &fakeService{err: fmt.Errorf("cannot reach unix:///var/run/docker.sock: %w", ErrUnreachable)}
	m := New(Options{})
	m.SetSize(60, 6)
	uitest.Settle(m, m.Start(context.Background(), 1, svc), time.Second)
	if !m.Unreachable() || !strings.Contains(m.View(), "Docker engine not reachable") || !strings.Contains(m.View(), "press r") {
		t.Errorf("view:\n%s", m.View())
	}
	if m.Summary() != "✗ Docker engine not reachable" {
		t.Errorf("Summary = %q", m.Summary())
	}
	nilSvc := New(Options{})
	nilSvc.SetSize(60, 6)
	if !strings.Contains(nilSvc.View(), "no Docker engine is") {
		t.Errorf("without a service:\n%s", nilSvc.View())
	}
}
