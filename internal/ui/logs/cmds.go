package logs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/taskmaster-ai/tmtui/internal/ui/common"
)

type streamStartedMsg struct {
	common.Route
	stream int
	ch     <-chan Batch
	err    error
}

type batchMsg struct {
	common.Route
	stream int
	batch  Batch
	ch     <-chan Batch
}

type streamClosedMsg struct {
	common.Route
	stream int
}

// savedMsg reports a save; as an Outcome, the status line shows it.
type savedMsg struct {
	common.Route
	path string
	err  error
}

func (m savedMsg) Outcome() (string, error) {
	if m.err != nil {
		return "", m.err
	}
	return "logs saved to " + m.path, nil
}

func streamCmd(ctx context.Context, r common.Route, stream int, svc Service, q Query) tea.Cmd {
	return func() tea.Msg {
		ch, err := svc.StreamLogs(ctx, q)
		if err != nil {
			err = fmt.Errorf("cannot read the logs: %w", err)
		}
		return streamStartedMsg{Route: r, stream: stream, ch: ch, err: err}
	}
}

// waitCmd reads the next batch; the pane re-arms it after each one.
func waitCmd(r common.Route, stream int, ch <-chan Batch) tea.Cmd {
	return func() tea.Msg {
		b, ok := <-ch
		if !ok {
			return streamClosedMsg{Route: r, stream: stream}
		}
		return batchMsg{Route: r, stream: stream, batch: b, ch: ch}
	}
}

// saveName names the file after what is shown and when.
func (m *Model) saveName() string {
	who := "all-pods"
	if m.showBuild {
		who = strings.ReplaceAll(m.buildSource, " ", "-")
	} else if q := m.Query(); q.Pod != "" {
		who = q.Pod
		if q.Previous {
			who += "-previous"
		}
	}
	return fmt.Sprintf("tmtui-logs-%s-%s.log", who, m.now().UTC().Format("20060102-150405"))
}

// saveCmd writes lines (a copy: the buffer keeps changing) to dir/name.
func saveCmd(r common.Route, dir, name string, lines []Line, timestamps bool) tea.Cmd {
	return func() tea.Msg {
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(FormatPlain(l, timestamps))
			b.WriteByte('\n')
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			return savedMsg{Route: r, err: fmt.Errorf("cannot save the logs: %w; check that %s exists and is writable", err, dirOrCwd(dir))}
		}
		return savedMsg{Route: r, path: path}
	}
}

func dirOrCwd(dir string) string {
	if dir == "" {
		return "the working directory"
	}
	return dir
}

// FormatPlain is one line as the saved file has it: pod, container, time, text.
func FormatPlain(l Line, timestamps bool) string {
	var b strings.Builder
	if l.Source != "" {
		b.WriteString("[" + l.Source + "] ")
	}
	if l.Pod != "" {
		b.WriteString(l.Pod)
		if l.Container != "" {
			b.WriteString("/" + l.Container)
		}
		b.WriteString(" ")
	}
	if timestamps && !l.Time.IsZero() {
		b.WriteString(l.Time.UTC().Format(time.RFC3339Nano) + " ")
	}
	b.WriteString(l.Text)
	return b.String()
}
