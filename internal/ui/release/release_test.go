package release

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/styles"
	"github.com/taskmaster-ai/tmtui/internal/ui/uitest"
)

var now = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

type fakeService struct {
	status  Status
	history []Revision
	err     error
	asked   []string
}

func (f *fakeService) Status(context.Context) (Status, error)      { return f.status, f.err }
func (f *fakeService) History(context.Context) ([]Revision, error) { return f.history, nil }
func (f *fakeService) Content(_ context.Context, rev int, k Kind) (string, error) {
	f.asked = append(f.asked, string(k))
	return strings.Repeat(string(k)+" line\n", 30) + "end of " + string(k), nil
}

func fixture() *fakeService {
	return &fakeService{
		status: Status{Installed: true, Name: "taskmaster", Revision: 3, State: "deployed", Chart: "taskmaster-0.1.0", AppVersion: "1.2.0", Updated: now.Add(-2 * time.Hour)},
		history: []Revision{
			{Number: 3, State: "deployed", Chart: "taskmaster-0.1.0", AppVersion: "1.2.0", Updated: now.Add(-2 * time.Hour), Description: "Upgrade complete"},
			{Number: 2, State: "superseded", Chart: "taskmaster-0.1.0", AppVersion: "1.1.0", Updated: now.Add(-26 * time.Hour), Description: "Upgrade complete"},
			{Number: 1, State: "superseded", Chart: "taskmaster-0.1.0", AppVersion: "1.0.0", Updated: now.Add(-72 * time.Hour), Description: "Install complete"},
		},
	}
}

func newPane(t *testing.T, svc Service) *Model {
	m := New(Options{Release: "taskmaster", Now: func() time.Time { return now }})
	m.SetSize(100, 10)
	uitest.Idle(t, m, m.Start(context.Background(), 1, svc))
	return m
}

func TestRenderers(t *testing.T) {
	f := fixture()
	if got, want := StatusLine(f.status, now), "taskmaster rev 3 ✓ deployed · chart taskmaster-0.1.0 · app 1.2.0 · updated 2h ago"; got != want {
		t.Errorf("StatusLine = %q, want %q", got, want)
	}
	if got, want := HistoryRow(f.history[1], now), "  2  · superseded   taskmaster-0.1.0       1.1.0     26h  Upgrade complete"; got != want {
		t.Errorf("HistoryRow = %q\nwant          %q", got, want)
	}
	for state, want := range map[string]string{"failed": "✗ failed", "pending-upgrade": "… pending-upgrade", "": "? unknown"} {
		if got := StateWord(state); got != want {
			t.Errorf("StateWord(%q) = %q", state, got)
		}
	}
	if got := StatusLine(Status{Name: "taskmaster"}, now); got != "release taskmaster is not installed" {
		t.Errorf("not installed: %q", got)
	}
}

func TestHeaderAndHistory(t *testing.T) {
	m := newPane(t, fixture())
	name, rev, state, ok := m.Header()
	if !ok || name != "taskmaster" || rev != 3 || state != "deployed" {
		t.Errorf("Header = %q %d %q %v", name, rev, state, ok)
	}
	if !strings.Contains(m.View(), "› "+"  3  ✓ deployed") {
		t.Errorf("newest revision is not selected:\n%s", m.View())
	}
}

func TestViewersShowTheSelectedRevision(t *testing.T) {
	svc := fixture()
	m := newPane(t, svc)
	m.Update(uitest.Key("down"))
	m.Update(uitest.Key("j"))
	m.Update(uitest.Key("k"))
	m.Update(uitest.Key("up"))
	m.Update(uitest.Key("down"))
	for _, k := range []struct {
		key  string
		kind Kind
	}{{"n", Notes}, {"v", Values}, {"m", Manifest}} {
		uitest.Idle(t, m, m.Update(uitest.Key(k.key)))
		kind, rev, open := m.Viewing()
		if !open || kind != k.kind || rev != 2 {
			t.Errorf("%s opened %v %s of revision %d", k.key, open, kind, rev)
		}
		if !strings.Contains(m.View(), string(k.kind)+" of revision 2") || !strings.Contains(m.View(), string(k.kind)+" line") {
			t.Errorf("%s viewer:\n%s", k.key, m.View())
		}
		for range 4 {
			m.Update(uitest.Key("pgdown"))
		}
		if !strings.Contains(m.View(), "end of "+string(k.kind)) {
			t.Errorf("the viewer does not scroll:\n%s", m.View())
		}
		m.Update(uitest.Key("esc"))
		if _, _, open := m.Viewing(); open {
			t.Errorf("esc does not close the %s viewer", k.kind)
		}
	}
}

func TestRefreshReloads(t *testing.T) {
	svc := fixture()
	m := newPane(t, svc)
	svc.status.Revision = 4
	uitest.Idle(t, m, m.Update(uitest.Key("r")))
	if _, rev, _, _ := m.Header(); rev != 4 {
		t.Errorf("r did not reload: rev %d", rev)
	}
}

func TestNotInstalledAndErrors(t *testing.T) {
	m := newPane(t, &fakeService{status: Status{Name: "taskmaster"}})
	if !strings.Contains(m.View(), "release taskmaster is not installed") {
		t.Errorf("view:\n%s", m.View())
	}
	if st, ok := m.Update(uitest.Key("n"))().(common.StatusMsg); !ok || !strings.Contains(st.Info, "not installed") {
		t.Errorf("n without a release: %+v", st)
	}
	m = newPane(t, &fakeService{err: errors.New("Kubernetes cluster unreachable")})
	if !strings.Contains(m.View(), "✗ cannot read the release: Kubernetes cluster unreachable") {
		t.Errorf("view:\n%s", m.View())
	}
}

// changeable is a release tmtui may change; of the changes, only reading
// the current settings is answered (the rest are never called here).
type changeable struct {
	*fakeService
	Operator
	current int
}

func (c *changeable) Current(context.Context) (Settings, error) {
	c.current++
	return Settings{Tags: map[string]string{"backend": "1.2.0", "frontend": "1.2.0"}, Replicas: map[string]int{"backend": 1, "frontend": 1}, MaxReplicas: 3}, nil
}

// Right after an install the pane reads the release again; u pressed in
// that moment waits for the read instead of being dropped because the last
// read said "not installed", and i (offered by that stale read) does not
// open a second install.
func TestAWorkflowKeyPressedWhileTheReleaseIsReadWaitsForTheRead(t *testing.T) {
	for _, tc := range []struct {
		key         string
		wantCurrent int
	}{{"u", 1}, {"i", 0}} {
		svc := &changeable{fakeService: &fakeService{status: Status{Name: "taskmaster"}}}
		m := newPane(t, svc)
		f := fixture()
		svc.status, svc.history = f.status, f.history // installed meanwhile
		load := m.load()

		waiting := fmt.Sprint(uitest.Run(t, m.Update(uitest.Key(tc.key))))
		if !strings.Contains(waiting, "reading the release") || svc.current != 0 {
			t.Errorf("%s during the read: %s (settings read %d times), want it kept until the read lands", tc.key, waiting, svc.current)
		}
		loaded := uitest.Run(t, load)
		if len(loaded) != 1 {
			t.Fatalf("the read gave %d messages", len(loaded))
		}
		var opened []string
		for _, msg := range uitest.Run(t, m.Update(loaded[0])) {
			for _, next := range uitest.Run(t, m.Update(msg)) {
				if d, ok := next.(common.OpenDialogMsg); ok {
					opened = append(opened, d.Dialog.View(styles.Plain(), 100, 30))
				}
			}
		}
		if svc.current != tc.wantCurrent {
			t.Errorf("%s after the read: settings read %d times, want %d (%v)", tc.key, svc.current, tc.wantCurrent, opened)
		}
		if tc.key == "u" && (len(opened) != 1 || !strings.Contains(opened[0], "Upgrade taskmaster")) {
			t.Errorf("u after the read did not open the upgrade form: %v", opened)
		}
	}
}

// The history read again after an upgrade has a new revision on top; the
// selection stays on the revision picked (so b rolls back to what the user
// chose), and on the newest one when nothing was picked.
func TestTheSelectionStaysOnItsRevisionWhenTheHistoryGrows(t *testing.T) {
	for _, tc := range []struct {
		downs int
		want  int
	}{{0, 4}, {1, 2}, {2, 1}, {5, 1}} {
		svc := fixture()
		m := newPane(t, svc) // revisions 3, 2, 1
		for range tc.downs {
			m.Update(uitest.Key("down"))
		}
		svc.status.Revision = 4
		svc.history = append([]Revision{{Number: 4, State: "deployed", Chart: "taskmaster-0.1.0", AppVersion: "1.3.0", Updated: now}}, svc.history...)
		svc.history[1].State = "superseded"
		uitest.Idle(t, m, m.load())
		if got := m.history[m.cursor].Number; got != tc.want {
			t.Errorf("%d× down, then the history grew: revision %d selected, want %d", tc.downs, got, tc.want)
		}
	}
}
