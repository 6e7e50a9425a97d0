package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/docker"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/ui/images"
	"github.com/taskmaster-ai/tmtui/internal/ui/logs"
	"github.com/taskmaster-ai/tmtui/internal/ui/pods"
)

var t0 = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

func TestPodsSnapshotCarriesConnectionPodsAndDeployments(t *testing.T) {
	crashing := k8s.PodInfo{
		Name: "taskmaster-backend-7d9f-q8z7m", Component: "backend", Phase: "Running", Status: "CrashLoopBackOff",
		Containers: 1, Restarts: 7, Created: t0, Node: "kwok-node-0", Images: []string{"taskmaster-backend:1.0.0"},
		Reason: "CrashLoopBackOff", Message: "back-off 5m0s", Hint: "read its previous logs",
		Conditions: []k8s.PodCondition{{Type: "Ready", Status: "False", Reason: "ContainersNotReady", Message: "unready: [backend]"}},
		Warnings:   []k8s.Warning{{Kind: "Pod", Name: "taskmaster-backend-7d9f-q8z7m", Reason: "BackOff", Message: "Back-off restarting", Count: 12, Last: t0}},
	}
	in := k8s.Snapshot{
		Namespace: "taskmaster", Taken: t0, Conn: k8s.ConnReconnecting, DisconnectedSince: t0,
		ConnErr: "connection refused", Problem: "events is forbidden",
		Pods: []k8s.PodInfo{crashing, {Name: "taskmaster-frontend-5c4b-h6j2n", Component: "frontend", Status: "Running",
			Ready: true, ReadyContainers: 1, Containers: 1, Created: t0, Terminating: true}},
		Deployments: []k8s.DeploymentInfo{{Name: "taskmaster-backend", Component: "backend", Desired: 2, Current: 2, Updated: 1,
			Ready: 1, Available: 1, Rollout: k8s.Rollout{State: k8s.RolloutProgressing, Message: "1 of 2 updated"}}},
	}
	want := pods.Snapshot{
		Conn: pods.ConnReconnecting, ConnErr: "connection refused", Problem: "events is forbidden",
		Pods: []pods.Pod{{
			Name: "taskmaster-backend-7d9f-q8z7m", Component: "backend", Status: "CrashLoopBackOff", Containers: 1,
			Restarts: 7, Created: t0, Node: "kwok-node-0", Reason: "CrashLoopBackOff", Message: "back-off 5m0s", Hint: "read its previous logs",
			Conditions: []pods.Condition{{Type: "Ready", Status: "False", Reason: "ContainersNotReady", Message: "unready: [backend]"}},
			Warnings:   []pods.Warning{{Reason: "BackOff", Message: "Back-off restarting", Count: 12, Last: t0}},
		}, {
			Name: "taskmaster-frontend-5c4b-h6j2n", Component: "frontend", Status: "Running", Ready: true,
			ReadyContainers: 1, Containers: 1, Created: t0, Terminating: true,
		}},
		Deployments: []pods.Deployment{{Name: "taskmaster-backend", Component: "backend", Desired: 2, Ready: 1, Updated: 1, Rollout: "1 of 2 updated"}},
	}
	if got := podsSnapshot(in); !reflect.DeepEqual(got, want) {
		t.Errorf("podsSnapshot =\n%+v\nwant\n%+v", got, want)
	}
	if got := podsSnapshot(k8s.Snapshot{Conn: k8s.ConnSyncing}); got.Pods == nil || len(got.Pods) != 0 || got.Conn != pods.ConnSyncing {
		t.Errorf("an empty syncing snapshot = %+v, want no pods (not nil) and syncing", got)
	}
}

func TestPodsConnMapsEveryState(t *testing.T) {
	for in, want := range map[k8s.ConnState]pods.Conn{
		k8s.ConnSyncing: pods.ConnSyncing, k8s.ConnLive: pods.ConnLive, k8s.ConnReconnecting: pods.ConnReconnecting, "": pods.ConnSyncing,
	} {
		if got := podsConn(in); got != want {
			t.Errorf("podsConn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRolloutLine(t *testing.T) {
	tests := []struct {
		in   k8s.Rollout
		want string
	}{
		{k8s.Rollout{}, ""},
		{k8s.Rollout{State: k8s.RolloutComplete, Message: "successfully rolled out"}, ""},
		{k8s.Rollout{State: k8s.RolloutProgressing, Message: "1 old replica pending termination"}, "1 old replica pending termination"},
		{k8s.Rollout{State: k8s.RolloutFailed, Message: "no progress for 600s: exceeded its progress deadline"},
			"✗ rollout failed: no progress for 600s: exceeded its progress deadline"},
	}
	for _, tt := range tests {
		if got := rolloutLine(tt.in); got != tt.want {
			t.Errorf("rolloutLine(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSendLatestReplacesAnUnreadSnapshot(t *testing.T) {
	ch := make(chan pods.Snapshot, 1)
	sendLatest(ch, pods.Snapshot{Problem: "old"})
	sendLatest(ch, pods.Snapshot{Problem: "new"})
	if got := <-ch; got.Problem != "new" {
		t.Errorf("read %q, want the latest snapshot", got.Problem)
	}
	select {
	case s := <-ch:
		t.Errorf("a stale snapshot %q was queued", s.Problem)
	default:
	}
}

func TestPodsServiceWithoutScalerCannotScale(t *testing.T) {
	s := &podsService{release: "taskmaster"}
	if s.CanScale() {
		t.Error("CanScale without a scaler")
	}
	if err := s.ScaleDeployment(context.Background(), "taskmaster-backend", 2, ""); !errors.Is(err, errNoScaling) {
		t.Errorf("ScaleDeployment without a scaler: %v", err)
	}
	s.scale = func(context.Context, string, int32, k8s.Approval) error { return nil }
	if !s.CanScale() {
		t.Error("cannot scale with a scaler")
	}
}

func TestLogOptions(t *testing.T) {
	tests := []struct {
		q    logs.Query
		want k8s.LogOptions
	}{
		{logs.Query{}, k8s.LogOptions{Namespace: "ns", Selector: "app.kubernetes.io/instance=demo", TailLines: logsTail, Follow: true}},
		{logs.Query{Pod: "demo-backend-1"}, k8s.LogOptions{Namespace: "ns", Pods: []string{"demo-backend-1"}, TailLines: logsTail, Follow: true}},
		{logs.Query{Pod: "demo-backend-1", Previous: true}, k8s.LogOptions{Namespace: "ns", Pods: []string{"demo-backend-1"}, TailLines: logsTail, Previous: true}},
		// Previous without a pod is not something the pane asks; all pods, followed.
		{logs.Query{Previous: true}, k8s.LogOptions{Namespace: "ns", Selector: "app.kubernetes.io/instance=demo", TailLines: logsTail, Follow: true}},
	}
	for _, tt := range tests {
		if got := logOptions("ns", "demo", tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("logOptions(%+v) = %+v, want %+v", tt.q, got, tt.want)
		}
	}
}

func TestLogBatchPutsNoticesWhereTheyHappen(t *testing.T) {
	in := k8s.LogBatch{
		Lines: []k8s.LogLine{
			{Pod: "a", Container: "backend", Time: t0, Text: "GET /health 200"},
			{Pod: "b", Container: "backend", Text: "no timestamp"},
		},
		Notices: []k8s.LogNotice{
			{Kind: k8s.LogClosed, Pod: "old", Container: "backend", Time: t0},
			{Kind: k8s.LogOpened, Pod: "b", Container: "backend", Time: t0},
			{Kind: k8s.LogFailed, Pod: "c", Container: "backend", Err: "container is waiting to start", Time: t0},
			{Kind: k8s.LogFailed, Err: "listing pods: forbidden", Time: t0},
		},
	}
	want := []logs.Line{
		{Pod: "b", Container: "backend", Time: t0, Notice: true, Text: "following container backend"},
		{Pod: "c", Container: "backend", Time: t0, Notice: true, Text: "cannot read the log of container backend: container is waiting to start"},
		{Time: t0, Notice: true, Text: "cannot read the log: listing pods: forbidden"},
		{Pod: "a", Container: "backend", Time: t0, Text: "GET /health 200"},
		{Pod: "b", Container: "backend", Text: "no timestamp"},
		{Pod: "old", Container: "backend", Time: t0, Notice: true, Text: "pod gone: stopped following container backend"},
	}
	if got := logBatch(in).Lines; !reflect.DeepEqual(got, want) {
		t.Errorf("logBatch =\n%+v\nwant\n%+v", got, want)
	}
	if got := logBatch(k8s.LogBatch{}).Lines; len(got) != 0 {
		t.Errorf("an empty batch gave %+v", got)
	}
}

func TestNewestImagesOnePerRepository(t *testing.T) {
	backend := docker.ImageBudget{Repository: "taskmaster-backend", Aim: 300 * docker.MB, Max: 500 * docker.MB}
	frontend := docker.ImageBudget{Repository: "taskmaster-frontend", Aim: 150 * docker.MB, Max: 200 * docker.MB}
	in := []docker.RepositoryImages{
		{Budget: backend, Images: []docker.Image{
			{Repository: "taskmaster-backend", Tag: "1.1.0", Size: 412 * docker.MB, Previous: "1.0.0", SizeChange: 12 * docker.MB, Check: backend.Check(412 * docker.MB)},
			{Repository: "taskmaster-backend", Tag: "1.0.0", Size: 400 * docker.MB, Check: backend.Check(400 * docker.MB)},
		}},
		{Budget: frontend},
	}
	want := []images.Image{
		{Repository: "taskmaster-backend", Present: true, Tag: "1.1.0", Size: 412 * docker.MB, Verdict: images.WithinBudget,
			Aim: 300 * docker.MB, Max: 500 * docker.MB, Previous: "1.0.0", SizeChange: 12 * docker.MB},
		{Repository: "taskmaster-frontend"},
	}
	if got := newestImages(in); !reflect.DeepEqual(got, want) {
		t.Errorf("newestImages =\n%+v\nwant\n%+v", got, want)
	}
}

func TestVerdictOf(t *testing.T) {
	for in, want := range map[docker.Verdict]images.Verdict{
		docker.NoBudget: images.NoBudget, docker.WithinAim: images.WithinAim,
		docker.WithinBudget: images.WithinBudget, docker.OverBudget: images.OverBudget,
	} {
		if got := verdictOf(in); got != want {
			t.Errorf("verdictOf(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestUnreachableErrorIsThePanesAndSaysWhereAndWhatToDo(t *testing.T) {
	cause := &docker.UnreachableError{Endpoint: docker.Endpoint{Host: "unix:///run/docker.sock"}, Err: errors.New("dial unix: connection refused")}
	err := unreachable(cause)
	if !errors.Is(err, images.ErrUnreachable) || !docker.IsUnreachable(err) {
		t.Errorf("%v is not marked unreachable for the pane and the engine", err)
	}
	if got, want := err.Error(), "nothing answers at unix:///run/docker.sock (is Docker Desktop running?)"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	other := unreachable(errors.New(`docker context "gone" does not exist: pick another with docker context use`))
	if !errors.Is(other, images.ErrUnreachable) || !strings.Contains(other.Error(), "pick another") {
		t.Errorf("an error without an address: %v", other)
	}
}

// An engine that is not there costs the pane one quick answer, and the
// service tries again on the next listing.
func TestImagesServiceWithoutAnEngineSaysUnreachableQuickly(t *testing.T) {
	s := newImagesService("unix://" + t.TempDir() + "/docker.sock")
	for range 2 {
		start := time.Now()
		imgs, err := s.ListImages(context.Background())
		if !errors.Is(err, images.ErrUnreachable) || imgs != nil {
			t.Fatalf("ListImages = %v, %v; want ErrUnreachable", imgs, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %s to say the engine is not there", d)
		}
	}
	if _, err := newImagesService("tcp://[bad").ListImages(context.Background()); !errors.Is(err, images.ErrUnreachable) {
		t.Errorf("a bad address: %v, want it reported as unreachable", err)
	}
}

func TestUIHealthResultsNameTheWayAndKeepTheError(t *testing.T) {
	got := uiHealthResults([]k8s.HealthResult{
		{Component: "backend", URL: "http://127.0.0.1:1234/health", Via: k8s.ViaPortForward, Pod: "b-1", Status: 200, Latency: time.Millisecond, Checked: t0},
		{Component: "frontend", URL: "http://localhost:3000/", Via: k8s.ViaPreferred, Status: 200, Latency: 2 * time.Millisecond},
		{Component: "frontend", Err: "no Ready pod matches"},
	})
	want := []ui.HealthResult{
		{Component: "backend", URL: "http://127.0.0.1:1234/health", Via: ui.ViaPortForward, Status: 200, Latency: time.Millisecond},
		{Component: "frontend", URL: "http://localhost:3000/", Via: ui.ViaLoadBalancer, Status: 200, Latency: 2 * time.Millisecond},
		{Component: "frontend"},
	}
	if got[2].Err == nil || got[2].Err.Error() != "no Ready pod matches" {
		t.Errorf("error = %v", got[2].Err)
	}
	got[2].Err = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
