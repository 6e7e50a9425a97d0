package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Permission is one verb on one resource in the app's namespace.
type Permission struct {
	Verb        string
	Group       string // "" for the core group
	Resource    string
	Subresource string
	Why         string // the workflow that needs it
	// Only names the chart feature (a key of plan.optionalKinds) without
	// which the permission is not needed; "" when it always is.
	Only string
}

// String names the permission as `kubectl auth can-i` takes it, e.g.
// "patch deployments.apps" or "create pods/portforward".
func (p Permission) String() string {
	s := p.Verb + " " + p.Resource
	if p.Group != "" {
		s += "." + p.Group
	}
	if p.Subresource != "" {
		s += "/" + p.Subresource
	}
	return s
}

func perms(group, resource, sub, why, only string, verbs ...string) []Permission {
	out := make([]Permission, len(verbs))
	for i, v := range verbs {
		out[i] = Permission{Verb: v, Group: group, Resource: resource, Subresource: sub, Why: why, Only: only}
	}
	return out
}

// chartVerbs are what Helm does to each kind of object the chart renders:
// get (before each change), create and patch (server-side apply), delete
// (uninstall, and upgrades that drop an object), list and watch (waiting
// with kstatus watches every kind it applied).
var chartVerbs = []string{"get", "list", "watch", "create", "patch", "delete"}

// Permissions are what tmtui's workflows need in the app's namespace, each
// with the workflow that needs it. docs/permissions.md explains the list and
// gives it as a Role.
var Permissions = slices.Concat(
	// Helm keeps each revision of a release in a Secret (create, update on
	// status changes, delete when history is pruned or on uninstall, list to
	// find them); tmtui applies taskmaster-secret (get, then patch; create is
	// checked too when the apply creates it).
	perms("", "secrets", "", "Helm's release records and taskmaster-secret", "", "get", "list", "create", "update", "patch", "delete"),
	perms("", "secrets", "", "waiting for the Secret the chart renders (secrets.create)", "secrets", "watch"),
	perms("", "configmaps", "", "Helm install/upgrade/rollback/uninstall of the chart's ConfigMaps", "", chartVerbs...),
	perms("", "services", "", "Helm install/upgrade/rollback/uninstall of the chart's Services", "", chartVerbs...),
	perms("apps", "deployments", "", "Helm install/upgrade/rollback/uninstall; rollout restart (patch)", "", chartVerbs...),
	perms("apps", "deployments", "scale", "scaling backend and frontend", "", "get", "update", "patch"),
	// Helm's wait reads a Deployment's ReplicaSets and their pods; tmtui's
	// pod watch and rollout status read them too.
	perms("apps", "replicasets", "", "waiting for rollouts (Helm and tmtui)", "", "get", "list", "watch"),
	// helm test creates the chart's test pod (Helm v4 applies it
	// server-side: patch, with create when it is new) and deletes it
	// afterwards.
	perms("", "pods", "", "pod watch, helm test", "", "get", "list", "watch", "create", "patch", "delete"),
	perms("", "pods", "log", "logs; helm test output", "", "get"),
	perms("", "pods", "portforward", "port-forward for health checks", "", "create"),
	perms("", "events", "", "warning events in the pod view", "", "list", "watch"),
	perms("networking.k8s.io", "networkpolicies", "", "the chart's NetworkPolicy (networkPolicy.enabled)", "networkpolicies", chartVerbs...),
	perms("policy", "poddisruptionbudgets", "", "the chart's PodDisruptionBudgets (podDisruptionBudget.enabled)", "poddisruptionbudgets", chartVerbs...),
)

// needed filters Permissions by the chart features the plan turns on.
func (p plan) neededPermissions() []Permission {
	var out []Permission
	for _, perm := range Permissions {
		if perm.Only == "" || p.optionalKinds[perm.Only] {
			out = append(out, perm)
		}
	}
	return out
}

// MissingPermissions asks the API server, with one SelfSubjectAccessReview
// each, which of perms the caller lacks in namespace. It returns them in the
// order given.
func MissingPermissions(ctx context.Context, cs kubernetes.Interface, namespace string, perms []Permission) ([]Permission, error) {
	allowed := make([]bool, len(perms))
	errs := make([]error, len(perms))
	// A few at a time: enough to be quick, few enough for client-go's rate
	// limiter and a small API server.
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, p := range perms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			allowed[i], errs[i] = canI(ctx, cs, namespace, p)
		}()
	}
	wg.Wait()
	var missing []Permission
	for i, p := range perms {
		if errs[i] != nil {
			return nil, fmt.Errorf("asking whether you may %s: %w", p, errs[i])
		}
		if !allowed[i] {
			missing = append(missing, p)
		}
	}
	return missing, nil
}

func canI(ctx context.Context, cs kubernetes.Interface, namespace string, p Permission) (bool, error) {
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: namespace, Verb: p.Verb, Group: p.Group, Resource: p.Resource, Subresource: p.Subresource,
		},
	}}
	res, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return res.Status.Allowed, nil
}

// describePermissions is "patch secrets, create pods/portforward".
func describePermissions(ps []Permission) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}
