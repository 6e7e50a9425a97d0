package pods

import (
	"fmt"
	"testing"
	"time"
)

// snapshotOf is n pods of two components, as the watch sends them.
func snapshotOf(n int) Snapshot {
	s := Snapshot{Conn: ConnLive, Deployments: []Deployment{
		{Name: "taskmaster-backend", Component: "backend", Desired: int32(n / 2), Ready: int32(n / 2)},
		{Name: "taskmaster-frontend", Component: "frontend", Desired: int32(n - n/2), Ready: int32(n - n/2)},
	}}
	for i := range n {
		comp := "backend"
		if i >= n/2 {
			comp = "frontend"
		}
		s.Pods = append(s.Pods, Pod{
			Name: fmt.Sprintf("taskmaster-%s-5969864d48-%05d", comp, i), Component: comp, Status: "Running", Ready: true,
			ReadyContainers: 1, Containers: 1, Created: now.Add(-time.Duration(i) * time.Second), Node: fmt.Sprintf("node-%06d", i%3),
		})
	}
	return s
}

// A new snapshot of 300 pods arrives (one pod changed): the pane keeps the
// selection on the same pod.
func BenchmarkSetSnapshot300Pods(b *testing.B) {
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(156, 20)
	a, c := snapshotOf(300), snapshotOf(300)
	c.Pods[7].Restarts = 1
	m.setSnapshot(a)
	m.cursor, m.selName = 250, a.Pods[250].Name
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.setSnapshot(c)
		} else {
			m.setSnapshot(a)
		}
	}
	if m.cursor != 250 {
		b.Fatalf("selection moved to %d", m.cursor)
	}
}

func BenchmarkView300Pods(b *testing.B) {
	m := New(Options{Now: func() time.Time { return now }})
	m.SetSize(156, 20)
	m.setSnapshot(snapshotOf(300))
	m.move(250)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
