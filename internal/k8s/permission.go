package k8s

import (
	"errors"
	"regexp"
)

// PermissionError is a request the API server refused because the account
// lacks one permission. Permission names it as `tmtui doctor`,
// docs/permissions.md and `kubectl auth can-i` do: "patch deployments.apps",
// "get pods/log".
type PermissionError struct {
	Action     string // what failed, e.g. "upgrade of taskmaster"; may be empty
	Namespace  string // "" for a cluster-scoped request
	Permission string
	Err        error // the API server's refusal
}

func (e *PermissionError) Error() string {
	msg := "missing permission"
	if e.Namespace != "" {
		msg = "missing in namespace " + e.Namespace
	}
	msg += ": " + e.Permission + " (docs/permissions.md lists what tmtui needs; tmtui doctor checks it)"
	if e.Action != "" {
		msg = e.Action + " failed: " + msg
	}
	return msg
}

func (e *PermissionError) Unwrap() error { return e.Err }

// forbiddenText is the API server's RBAC refusal, as it appears in the text
// of errors that libraries (Helm) wrap without keeping the status:
// `User "x" cannot patch resource "deployments" in API group "apps" in the
// namespace "ns"`.
var forbiddenText = regexp.MustCompile(`cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?`)

// ExplainForbidden turns an error that holds an RBAC refusal into a
// *PermissionError for action naming the one permission missing; any other
// error (nil included) comes back unchanged.
func ExplainForbidden(action string, err error) error {
	if err == nil {
		return nil
	}
	var pe *PermissionError
	if errors.As(err, &pe) {
		return err
	}
	m := findForbidden(err)
	if m == nil {
		return err
	}
	verb, resource, group, namespace := m[1], m[2], m[3], m[4]
	sub := ""
	for i := range len(resource) {
		if resource[i] == '/' {
			resource, sub = resource[:i], resource[i+1:]
			break
		}
	}
	perm := verb + " " + resource
	if group != "" {
		perm += "." + group
	}
	if sub != "" {
		perm += "/" + sub
	}
	return &PermissionError{Action: action, Namespace: namespace, Permission: perm, Err: err}
}

// findForbidden looks for the refusal in err and every error it wraps:
// an outer error may shorten the text that holds it.
func findForbidden(err error) []string {
	if err == nil {
		return nil
	}
	if m := forbiddenText.FindStringSubmatch(err.Error()); m != nil {
		return m
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return findForbidden(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if m := findForbidden(e); m != nil {
				return m
			}
		}
	}
	return nil
}
