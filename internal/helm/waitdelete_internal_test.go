package helm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/kube"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/resource"
)

// The logic of waitDeleted, with a stub in place of the API server. The
// same wait is proven on the sandbox by
// TestUninstallWaitsForADeploymentHeldByAFinalizerOnSandbox.

func deploymentInfo(name string) *resource.Info {
	return &resource.Info{Name: name, Namespace: "tm", Mapping: &meta.RESTMapping{
		GroupVersionKind: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		Resource:         schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
	}}
}

// stubServer answers each Get from a script per object name: the answers
// in order, the last one repeated.
type stubServer struct {
	mu      sync.Mutex
	answers map[string][]func() (runtime.Object, error)
	asked   map[string]int
}

func (s *stubServer) get(info *resource.Info) (runtime.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.asked == nil {
		s.asked = map[string]int{}
	}
	a := s.answers[info.Name]
	i := min(s.asked[info.Name], len(a)-1)
	s.asked[info.Name]++
	return a[i]()
}

var deploymentsGR = schema.GroupResource{Group: "apps", Resource: "deployments"}

func gone() (runtime.Object, error) { return nil, apierrors.NewNotFound(deploymentsGR, "x") }

func terminating(finalizers ...string) func() (runtime.Object, error) {
	return func() (runtime.Object, error) {
		now := metav1.Now()
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now, Finalizers: finalizers}}, nil
	}
}

func TestWaitDeletedReturnsOnceEveryObjectIsGoneAndAsksNoMoreAfterOneIsGone(t *testing.T) {
	s := &stubServer{answers: map[string][]func() (runtime.Object, error){
		"backend":  {gone},
		"frontend": {terminating("foregroundDeletion"), terminating("foregroundDeletion"), gone},
	}}
	rl := kube.ResourceList{deploymentInfo("backend"), deploymentInfo("frontend")}
	if err := waitDeleted(t.Context(), rl, 10*time.Second, s.get); err != nil {
		t.Fatalf("wait: %v", err)
	}
	if s.asked["backend"] != 1 || s.asked["frontend"] != 3 {
		t.Errorf("asked %v, want backend once and frontend until it was gone (3 times)", s.asked)
	}
}

func TestWaitDeletedAsksAgainAfterAnErrorThatMayPass(t *testing.T) {
	refused := func() (runtime.Object, error) { return nil, errors.New("connection refused") }
	s := &stubServer{answers: map[string][]func() (runtime.Object, error){"frontend": {refused, refused, gone}}}
	if err := waitDeleted(t.Context(), kube.ResourceList{deploymentInfo("frontend")}, 10*time.Second, s.get); err != nil {
		t.Fatalf("wait: %v", err)
	}
}

func TestWaitDeletedStopsAtOnceWhenForbiddenAndSaysWhichObject(t *testing.T) {
	forbidden := func() (runtime.Object, error) {
		return nil, apierrors.NewForbidden(deploymentsGR, "frontend", errors.New("no get"))
	}
	s := &stubServer{answers: map[string][]func() (runtime.Object, error){"frontend": {forbidden}}}
	err := waitDeleted(t.Context(), kube.ResourceList{deploymentInfo("frontend")}, time.Minute, s.get)
	if err == nil || !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "Deployment/frontend") || s.asked["frontend"] != 1 {
		t.Errorf("wait: %v after %d asks, want a forbidden error naming Deployment/frontend after one", err, s.asked["frontend"])
	}
}

func TestWaitDeletedTimesOutNamingWhatIsLeftAndWhatHoldsIt(t *testing.T) {
	s := &stubServer{answers: map[string][]func() (runtime.Object, error){
		"backend":  {gone},
		"frontend": {terminating("example.com/hold")},
	}}
	rl := kube.ResourceList{deploymentInfo("backend"), deploymentInfo("frontend")}
	err := waitDeleted(t.Context(), rl, 500*time.Millisecond, s.get)
	want := "waiting for the deletion of Deployment/frontend (Terminating, held by finalizers example.com/hold): still there after 500ms"
	if err == nil || err.Error() != want {
		t.Errorf("wait: %v\nwant: %s", err, want)
	}
}

func TestWaitDeletedEndsWithItsContext(t *testing.T) {
	s := &stubServer{answers: map[string][]func() (runtime.Object, error){"frontend": {terminating()}}}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	err := waitDeleted(ctx, kube.ResourceList{deploymentInfo("frontend")}, time.Minute, s.get)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "Deployment/frontend (Terminating)") {
		t.Errorf("wait: %v, want context.Canceled naming Deployment/frontend (Terminating)", err)
	}
}
