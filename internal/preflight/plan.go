package preflight

import (
	"fmt"
	"strconv"
)

// Chart is what preflight needs to know of the chart a fresh install would
// use (tmtui's built-in one, unless the user picked a folder): its
// appVersion, the default image tag, and its default values.
type Chart struct {
	AppVersion string
	Values     map[string]any
}

// plan is what a release of the chart will need from this machine and the
// cluster, read from its values.
type plan struct {
	images         []string          // repository:tag of each component
	loadBalancers  []loadBalancer    // services that Docker Desktop publishes on localhost
	secretName     string            // the Secret the backend reads
	chartSecret    bool              // the chart renders the Secret itself (secrets.create)
	optionalKinds  map[string]bool   // "secrets", "networkpolicies", "poddisruptionbudgets" when the chart renders them
	componentNames map[string]string // component -> <release>-<component>
}

type loadBalancer struct {
	service string // e.g. taskmaster-frontend
	port    int
}

var components = []string{"backend", "frontend"}

// planFor reads the plan from merged values (chart defaults with the
// release's own over them), the way the chart's templates do.
func planFor(release string, values map[string]any, appVersion string) plan {
	p := plan{
		secretName:     str(values, "secrets", "existingSecret"),
		chartSecret:    boolean(values, "secrets", "create"),
		optionalKinds:  map[string]bool{},
		componentNames: map[string]string{},
	}
	if p.secretName == "" {
		p.secretName = "taskmaster-secret"
	}
	if p.chartSecret {
		p.secretName = truncName(release + "-secret")
		p.optionalKinds["secrets"] = true
	}
	if boolean(values, "networkPolicy", "enabled") {
		p.optionalKinds["networkpolicies"] = true
	}
	if boolean(values, "podDisruptionBudget", "enabled") {
		p.optionalKinds["poddisruptionbudgets"] = true
	}
	for _, c := range components {
		name := truncName(release + "-" + c)
		p.componentNames[c] = name
		repo := str(values, c, "image", "repository")
		if repo == "" {
			repo = "taskmaster-" + c
		}
		tag := str(values, c, "image", "tag")
		if tag == "" {
			tag = appVersion
		}
		ref := repo
		if tag != "" {
			ref += ":" + tag
		}
		p.images = append(p.images, ref)
		if str(values, c, "service", "type") == "LoadBalancer" {
			if port := integer(values, c, "service", "port"); port > 0 {
				p.loadBalancers = append(p.loadBalancers, loadBalancer{service: name, port: port})
			}
		}
	}
	return p
}

// truncName is the chart's `trunc 63 | trimSuffix "-"`.
func truncName(s string) string {
	if len(s) > 63 {
		s = s[:63]
	}
	for len(s) > 0 && s[len(s)-1] == '-' {
		s = s[:len(s)-1]
	}
	return s
}

func lookup(values map[string]any, path ...string) any {
	var cur any = values
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func str(values map[string]any, path ...string) string {
	switch v := lookup(values, path...).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func boolean(values map[string]any, path ...string) bool {
	b, _ := lookup(values, path...).(bool)
	return b
}

func integer(values map[string]any, path ...string) int {
	switch v := lookup(values, path...).(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}
