package helm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/resource"
)

// deletePollInterval is how often waitDeleted asks after the objects not yet
// gone. An uninstall deletes a handful, so this is a few requests a second
// for the seconds it takes.
const deletePollInterval = 200 * time.Millisecond

// waitDeleted waits until every object of rl is gone, asking the API server
// for each one that is still there until it answers "not found". Objects
// found gone are not asked after again.
//
// It stands in for Helm's own wait (v4.3.1, status watcher), which is not
// safe to trust: it counts an object it has not heard of yet as gone, so as
// soon as the objects whose watch started first are deleted it stops, and
// then reports a Deployment still Terminating under its foreground deletion
// as a failure, or reports success while it is still there (helm/helm#31766,
// helm/helm#31651). A failed uninstall on a clean cluster was the result.
//
// get reads one object (a resource.Helper's Get in use, a stub in tests). A
// "forbidden" answer ends the wait at once: it will not change by waiting.
// Any other error (the API server restarting) is asked again at the next
// turn. When ctx ends or timeout passes, the error names what is left and
// what holds it.
func waitDeleted(ctx context.Context, rl kube.ResourceList, timeout time.Duration, get func(*resource.Info) (runtime.Object, error)) error {
	if timeout <= 0 {
		timeout = kube.DefaultStatusWatcherTimeout
	}
	left := make([]*resource.Info, 0, len(rl))
	for _, info := range rl {
		if info != nil {
			left = append(left, info)
		}
	}
	why := map[*resource.Info]string{}
	err := wait.PollUntilContextTimeout(ctx, deletePollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		still := left[:0]
		for _, info := range left {
			obj, err := get(info)
			switch {
			case apierrors.IsNotFound(err):
				continue
			case apierrors.IsForbidden(err):
				return false, fmt.Errorf("cannot tell whether %s is deleted: %w", objectName(info), err)
			case err != nil:
				why[info] = "not known: " + err.Error()
			default:
				why[info] = holdOf(obj)
			}
			still = append(still, info)
		}
		left = still
		return len(left) == 0, nil
	})
	if err == nil || len(left) == 0 {
		return err
	}
	if !wait.Interrupted(err) {
		return err
	}
	names := make([]string, len(left))
	for i, info := range left {
		names[i] = objectName(info)
		if w := why[info]; w != "" {
			names[i] += " (" + w + ")"
		}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	} else {
		err = fmt.Errorf("still there after %s", timeout)
	}
	return fmt.Errorf("waiting for the deletion of %s: %w", strings.Join(names, ", "), err)
}

// getObject reads info's object from the API server without changing info.
func getObject(info *resource.Info) (runtime.Object, error) {
	if info.Client == nil || info.Mapping == nil {
		return nil, errors.New("no client for " + objectName(info))
	}
	return resource.NewHelper(info.Client, info.Mapping).Get(info.Namespace, info.Name)
}

func objectName(info *resource.Info) string {
	kind := ""
	if info.Mapping != nil {
		kind = info.Mapping.GroupVersionKind.Kind
	} else if info.Object != nil {
		kind = info.Object.GetObjectKind().GroupVersionKind().Kind
	}
	if kind == "" {
		return info.Name
	}
	return kind + "/" + info.Name
}

// holdOf says what keeps an object that is still there: the finalizers of
// one being deleted, or that its deletion has not started.
func holdOf(obj runtime.Object) string {
	m, err := meta.Accessor(obj)
	if err != nil {
		return ""
	}
	if m.GetDeletionTimestamp() == nil {
		return "not being deleted"
	}
	if f := m.GetFinalizers(); len(f) > 0 {
		return "Terminating, held by finalizers " + strings.Join(f, ", ")
	}
	return "Terminating"
}
