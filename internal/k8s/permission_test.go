package k8s

import (
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestExplainForbiddenNamesTheMissingPermission(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "taskmaster-backend",
			errors.New(`User "system:serviceaccount:ns:sa" cannot patch resource "deployments" in API group "apps" in the namespace "ns"`)),
			"upgrade of taskmaster failed: missing in namespace ns: patch deployments.apps (docs/permissions.md lists what tmtui needs; tmtui doctor checks it)"},
		{fmt.Errorf("helm: %w", errors.New(`pods "p" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "ns"`)),
			"upgrade of taskmaster failed: missing in namespace ns: get pods/log (docs/permissions.md lists what tmtui needs; tmtui doctor checks it)"},
		{errors.New(`User "u" cannot update resource "deployments/scale" in API group "apps" in the namespace "taskmaster"`),
			"upgrade of taskmaster failed: missing in namespace taskmaster: update deployments.apps/scale (docs/permissions.md lists what tmtui needs; tmtui doctor checks it)"},
		{shortened{errors.New(`deployments.apps "d" is forbidden: User "u" cannot patch resource "deployments" in API group "apps" in the namespace "ns"`)},
			"upgrade of taskmaster failed: missing in namespace ns: patch deployments.apps (docs/permissions.md lists what tmtui needs; tmtui doctor checks it)"},
		{errors.New(`namespaces "x" is forbidden: User "u" cannot get resource "namespaces" in API group "" at the cluster scope`),
			"upgrade of taskmaster failed: missing permission: get namespaces (docs/permissions.md lists what tmtui needs; tmtui doctor checks it)"},
	} {
		err := ExplainForbidden("upgrade of taskmaster", tc.err)
		var pe *PermissionError
		if !errors.As(err, &pe) || err.Error() != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ExplainForbidden(%v) = %v\nwant %s", tc.err, err, tc.want)
		}
		if again := ExplainForbidden("other", err); again != err {
			t.Errorf("explained twice: %v", again)
		}
	}
	other := errors.New("connection refused")
	if ExplainForbidden("x", other) != other || ExplainForbidden("x", nil) != nil {
		t.Error("an error that is no refusal was changed")
	}
}

// shortened hides the text of the error it wraps, as OperationError's
// one-line summary of Helm's error does.
type shortened struct{ err error }

func (s shortened) Error() string   { return "upgrade failed (helm: deployments.apps \"d\" is forb...)" }
func (s shortened) Unwrap() []error { return []error{s.err} }
