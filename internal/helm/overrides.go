package helm

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/strvals"
)

// Overrides are the values an install or upgrade changes; everything else
// keeps its current value (an upgrade reuses the release's values).
type Overrides struct {
	// ImageTags set <component>.image.tag.
	ImageTags map[Component]string
	// Replicas set <component>.replicaCount.
	Replicas map[Component]int
	// Config sets plain settings in <component>.config (the ConfigMap the
	// pods read as environment variables); other settings are kept.
	Config map[Component]map[string]string
	// Set are `helm --set` strings ("backend.service.type=NodePort,a.b=c"),
	// applied after the fields above.
	Set []string
}

var errSecretsInValues = fmt.Errorf("values under \"secrets\" are refused: Helm stores values in its release history in plain text; set secrets with tmtui's secret setup (the Secret %q the chart reads)", "taskmaster-secret")

// touchesSecrets says whether any key of a --set string is under
// "secrets". It splits naively at every comma, escaped or not, so it may
// refuse a harmless string but never lets a secret key through.
func touchesSecrets(set string) bool {
	for _, part := range strings.Split(set, ",") {
		key, _, _ := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		if key == "secrets" || strings.HasPrefix(key, "secrets.") || strings.HasPrefix(key, "secrets[") {
			return true
		}
	}
	return false
}

// IsZero says the overrides change nothing.
func (o Overrides) IsZero() bool {
	return len(o.ImageTags) == 0 && len(o.Replicas) == 0 && len(o.Config) == 0 && len(o.Set) == 0
}

// Values turns the overrides into the nested values Helm merges over the
// release's. It refuses unknown components, malformed --set strings, and any
// value under "secrets": Helm keeps every value in its release history in
// plain text, so secrets belong in the Secret the chart reads (tmtui's
// secret setup), never in values.
func (o Overrides) Values() (map[string]any, error) {
	out := map[string]any{}
	component := func(c Component) (map[string]any, error) {
		if err := c.valid(); err != nil {
			return nil, err
		}
		m, _ := out[string(c)].(map[string]any)
		if m == nil {
			m = map[string]any{}
			out[string(c)] = m
		}
		return m, nil
	}
	for _, c := range slices.Sorted(maps.Keys(o.ImageTags)) {
		m, err := component(c)
		if err != nil {
			return nil, err
		}
		tag := o.ImageTags[c]
		if tag == "" || strings.ContainsAny(tag, " :/@") {
			return nil, fmt.Errorf("image tag %q for %s: want a plain tag such as 1.0.1", tag, c)
		}
		m["image"] = map[string]any{"tag": tag}
	}
	for _, c := range slices.Sorted(maps.Keys(o.Replicas)) {
		m, err := component(c)
		if err != nil {
			return nil, err
		}
		m["replicaCount"] = o.Replicas[c]
	}
	for _, c := range slices.Sorted(maps.Keys(o.Config)) {
		m, err := component(c)
		if err != nil {
			return nil, err
		}
		cfg := map[string]any{}
		for k, v := range o.Config[c] {
			cfg[k] = v
		}
		m["config"] = cfg
	}
	for _, s := range o.Set {
		// Refused before parsing: a parse error quotes its input, and the
		// input would hold the secret.
		if touchesSecrets(s) {
			return nil, errSecretsInValues
		}
		set, err := strvals.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("--set %q: %w", s, err)
		}
		out = chartutil.MergeTables(set, out)
	}
	if _, ok := out["secrets"]; ok {
		return nil, errSecretsInValues
	}
	for k, v := range out {
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			delete(out, k)
		}
	}
	return out, nil
}
