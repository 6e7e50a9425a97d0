package helm

import (
	"fmt"
	"time"

	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	ri "helm.sh/helm/v4/pkg/release"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
)

// Component is one of the chart's services.
type Component string

// The taskmaster chart's components, as named in its values.
const (
	Backend  Component = "backend"
	Frontend Component = "frontend"
)

// Components are the chart's components in display order.
var Components = []Component{Backend, Frontend}

func (c Component) valid() error {
	if c != Backend && c != Frontend {
		return fmt.Errorf("unknown component %q: want %s or %s", string(c), Backend, Frontend)
	}
	return nil
}

// Status is a release revision's state, as `helm history` shows it.
type Status string

// The states a revision can be in.
const (
	StatusUnknown         Status = "unknown"
	StatusDeployed        Status = "deployed"
	StatusUninstalled     Status = "uninstalled"
	StatusSuperseded      Status = "superseded"
	StatusFailed          Status = "failed"
	StatusUninstalling    Status = "uninstalling"
	StatusPendingInstall  Status = "pending-install"
	StatusPendingUpgrade  Status = "pending-upgrade"
	StatusPendingRollback Status = "pending-rollback"
)

// Pending says the revision records an operation that has not finished: one
// running now, or one whose process died, which leaves the release stuck.
func (s Status) Pending() bool {
	return s == StatusPendingInstall || s == StatusPendingUpgrade || s == StatusPendingRollback
}

// Release is one revision of the release, without its manifest or values
// (Manifest and Values fetch those).
type Release struct {
	Name         string
	Namespace    string
	Revision     int
	Status       Status
	Description  string    // Helm's one line: "Install complete", "Rollback to 1", why it failed...
	Chart        string    // name-version, e.g. taskmaster-0.1.0
	ChartVersion string    // e.g. 0.1.0
	AppVersion   string    // e.g. 1.0.0
	Updated      time.Time // when this revision was deployed
	// RollbackOf is the revision this one rolled back to, 0 when it is no
	// rollback. Set for tmtui's rollbacks that keep replica counts too.
	RollbackOf int
	// Images are the image references this revision runs, by component.
	Images map[Component]string
	// Replicas are the replica counts in this revision's values, by component.
	Replicas map[Component]int
	Notes    string
}

func toRelease(r *releasev1.Release) *Release {
	out := &Release{
		Name:      r.Name,
		Namespace: r.Namespace,
		Revision:  r.Version,
		Images:    map[Component]string{},
		Replicas:  map[Component]int{},
	}
	if r.Info != nil {
		out.Status = Status(r.Info.Status)
		out.Description = r.Info.Description
		out.Updated = r.Info.LastDeployed
		out.RollbackOf = r.Info.RollbackRevision
		out.Notes = r.Info.Notes
	}
	if r.Chart != nil && r.Chart.Metadata != nil {
		m := r.Chart.Metadata
		out.Chart = m.Name + "-" + m.Version
		out.ChartVersion, out.AppVersion = m.Version, m.AppVersion
	}
	vals := computedValues(r)
	for _, comp := range Components {
		if n, ok := intAt(vals, string(comp), "replicaCount"); ok {
			out.Replicas[comp] = n
		}
		if img := imageRef(vals, comp, out.AppVersion); img != "" {
			out.Images[comp] = img
		}
	}
	return out
}

// computedValues are a revision's values as its templates saw them: the
// chart's defaults with the user's values over them.
func computedValues(r *releasev1.Release) map[string]any {
	if r.Chart == nil {
		return r.Config
	}
	v, err := chartutil.CoalesceValues(r.Chart, r.Config)
	if err != nil {
		return r.Config
	}
	return v
}

// imageRef is <repository>:<tag>, the tag defaulting to the appVersion as
// the chart's templates do.
func imageRef(vals map[string]any, comp Component, appVersion string) string {
	repo, _ := stringAt(vals, string(comp), "image", "repository")
	if repo == "" {
		return ""
	}
	tag, _ := stringAt(vals, string(comp), "image", "tag")
	if tag == "" {
		tag = appVersion
	}
	return repo + ":" + tag
}

func lookup(vals map[string]any, path ...string) (any, bool) {
	var cur any = vals
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func stringAt(vals map[string]any, path ...string) (string, bool) {
	v, ok := lookup(vals, path...)
	s, isString := v.(string)
	return s, ok && isString
}

// intAt reads a whole number, whichever numeric type the values decoding
// gave it (int, int64, float64 from JSON).
func intAt(vals map[string]any, path ...string) (int, bool) {
	v, ok := lookup(vals, path...)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	case uint64:
		return int(n), true
	}
	return 0, false
}

func asV1(r ri.Releaser) (*releasev1.Release, error) {
	rel, ok := r.(*releasev1.Release)
	if !ok || rel == nil {
		return nil, fmt.Errorf("unexpected Helm release type %T", r)
	}
	return rel, nil
}

func asV1List(list []ri.Releaser) ([]*releasev1.Release, error) {
	out := make([]*releasev1.Release, 0, len(list))
	for _, r := range list {
		rel, err := asV1(r)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, nil
}
