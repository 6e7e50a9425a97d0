package preflight

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// The Role in docs/permissions.md grants exactly Permissions: no more, no
// less, so that the guide and doctor never disagree.
func TestPermissionsDocMatchesTheList(t *testing.T) {
	doc, err := os.ReadFile("../../docs/permissions.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(doc)
	if block == nil {
		t.Fatal("docs/permissions.md has no yaml block")
	}
	roleYAML, _, _ := strings.Cut(string(block[1]), "\n---\n")
	var role rbacv1.Role
	if err := yaml.UnmarshalStrict([]byte(roleYAML), &role); err != nil {
		t.Fatalf("the Role in docs/permissions.md: %v", err)
	}
	if role.Kind != "Role" {
		t.Fatalf("first document is a %q, want the Role", role.Kind)
	}
	var documented []string
	for _, r := range role.Rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				resource, sub, _ := strings.Cut(res, "/")
				for _, v := range r.Verbs {
					documented = append(documented, Permission{Verb: v, Group: g, Resource: resource, Subresource: sub}.String())
				}
			}
		}
	}
	var listed []string
	for _, p := range Permissions {
		listed = append(listed, p.String())
	}
	for _, p := range documented {
		if !slices.Contains(listed, p) {
			t.Errorf("docs/permissions.md grants %s, which Permissions do not list", p)
		}
	}
	for _, p := range listed {
		if !slices.Contains(documented, p) {
			t.Errorf("docs/permissions.md does not grant %s", p)
		}
	}
	if len(documented) != len(listed) {
		t.Errorf("docs/permissions.md grants %d permissions (some twice?), Permissions list %d", len(documented), len(listed))
	}
	for _, p := range Permissions {
		if !strings.Contains(string(doc), "`"+p.Resource) {
			t.Errorf("the table does not mention %s", p.Resource)
		}
	}
}
