package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Labels tmtui puts on what it creates.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByTmtui = "tmtui"

	// PodSecurityEnforceLabel makes the API server reject pods that break the
	// named Pod Security Standard; the chart is written for "restricted".
	PodSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"
	PodSecurityRestricted   = "restricted"
)

// FieldManager is the name tmtui's changes are recorded under in each
// object's managedFields.
const FieldManager = "tmtui"

// NamespaceOptions say how EnsureNamespace sets a namespace up.
type NamespaceOptions struct {
	// Restricted adds the Pod Security label that enforces the restricted
	// standard. Leaving it false never removes the label.
	Restricted bool
}

// NamespaceResult says what EnsureNamespace did.
type NamespaceResult struct {
	Created       bool     // the namespace did not exist
	LabelsAdded   []string // labels added to (or changed on) a namespace that existed
	ManagedBy     string   // the namespace's managed-by label afterwards
	AlreadyExists bool     // it existed before; see ManagedBy for whose it is
}

var (
	dns1123Label   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	hasCapitals    = regexp.MustCompile(`[A-Z]`)
	dns1123Charset = regexp.MustCompile(`^[a-z0-9-]*$`)
)

// ValidateNamespaceName checks that name can be a namespace (an RFC 1123 DNS
// label), and says what is wrong in words a person can act on.
func ValidateNamespaceName(name string) error {
	problem := ""
	switch {
	case name == "":
		problem = "it is empty"
	case len(name) > 63:
		problem = fmt.Sprintf("it is %d characters long, the most is 63", len(name))
	case dns1123Label.MatchString(name):
		return nil
	case hasCapitals.MatchString(name):
		problem = "it has capital letters; use lowercase"
	case !dns1123Charset.MatchString(name):
		problem = "it may hold only lowercase letters, digits and '-'"
	default:
		problem = "it must start and end with a letter or digit"
	}
	return fmt.Errorf("invalid namespace name %q: %s (a namespace name is up to 63 lowercase letters, digits and '-', starting and ending with a letter or digit)", name, problem)
}

// EnsureNamespace makes sure namespace name exists with tmtui's managed-by
// label, and with the restricted Pod Security label when asked. Running it
// again changes nothing. A namespace that exists and names another manager
// keeps that label: tmtui does not claim what someone else manages.
func (c *Client) EnsureNamespace(ctx context.Context, approval Approval, name string, o NamespaceOptions) (NamespaceResult, error) {
	if err := ValidateNamespaceName(name); err != nil {
		return NamespaceResult{}, err
	}
	if err := c.verifyApproval(approval); err != nil {
		return NamespaceResult{}, err
	}
	want := map[string]string{ManagedByLabel: ManagedByTmtui}
	if o.Restricted {
		want[PodSecurityEnforceLabel] = PodSecurityRestricted
	}
	namespaces := c.clientset.CoreV1().Namespaces()

	existing, err := namespaces.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: want}},
			metav1.CreateOptions{FieldManager: FieldManager})
		if err == nil {
			slog.Info("namespace created", "namespace", name, "restricted", o.Restricted)
			return NamespaceResult{Created: true, ManagedBy: ManagedByTmtui}, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return NamespaceResult{}, namespaceError("create", name, err)
		}
		// Someone made it in between: fall through and label theirs.
		existing, err = namespaces.Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return NamespaceResult{}, namespaceError("read", name, err)
	}
	if existing.Status.Phase == corev1.NamespaceTerminating {
		return NamespaceResult{}, fmt.Errorf("namespace %s is being deleted: wait until it is gone, then try again", name)
	}

	res := NamespaceResult{AlreadyExists: true, ManagedBy: existing.Labels[ManagedByLabel]}
	if res.ManagedBy != "" && res.ManagedBy != ManagedByTmtui {
		delete(want, ManagedByLabel)
	}
	patch := map[string]string{}
	for k, v := range want {
		if existing.Labels[k] != v {
			patch[k] = v
			res.LabelsAdded = append(res.LabelsAdded, k)
		}
	}
	if len(patch) == 0 {
		return res, nil
	}
	body, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": patch}})
	if err != nil {
		return NamespaceResult{}, err
	}
	if _, err := namespaces.Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return NamespaceResult{}, namespaceError("label", name, err)
	}
	if _, ok := patch[ManagedByLabel]; ok {
		res.ManagedBy = ManagedByTmtui
	}
	slog.Info("namespace labelled", "namespace", name, "labels", res.LabelsAdded)
	return res, nil
}

func namespaceError(verb, name string, err error) error {
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("cannot %s namespace %s: your account lacks the permission (ask for %s on namespaces, or have an admin create it): %w", verb, name, namespaceVerb(verb), err)
	default:
		return fmt.Errorf("cannot %s namespace %s: %w", verb, name, err)
	}
}

func namespaceVerb(verb string) string {
	switch verb {
	case "read":
		return "get"
	case "label":
		return "patch"
	}
	return verb
}
