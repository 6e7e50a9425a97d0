package helm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// ChartError says why a folder given as the chart cannot be used.
type ChartError struct {
	Dir    string
	Reason string
	Err    error // the loader's error, when there was one
}

func (e *ChartError) Error() string {
	return fmt.Sprintf("chart folder %s cannot be used: %s", e.Dir, e.Reason)
}

func (e *ChartError) Unwrap() error { return e.Err }

// CheckChartDir says whether a folder can be installed as the chart: nil,
// or a *ChartError that says why not (a missing path, a file, a folder
// without Chart.yaml, a Chart.yaml that does not parse or lacks a name or
// version, a chart without templates). It reads only the folder.
func CheckChartDir(dir string) error {
	_, err := loadChartDir(dir)
	return err
}

// loadChartDir loads a chart folder as `helm install ./folder` would, and
// refuses what CheckChartDir refuses.
func loadChartDir(dir string) (*chart.Chart, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &ChartError{Dir: dir, Reason: err.Error(), Err: err}
	}
	fail := func(reason string, err error) (*chart.Chart, error) {
		return nil, &ChartError{Dir: abs, Reason: reason, Err: err}
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("it does not exist", err)
	case err != nil:
		return fail(err.Error(), err)
	case !info.IsDir():
		return fail("it is a file, not a folder (give the folder that holds Chart.yaml)", nil)
	}
	if _, err := os.Stat(filepath.Join(abs, "Chart.yaml")); err != nil {
		return fail("it is not a Helm chart: it has no Chart.yaml (a chart folder holds Chart.yaml, values.yaml and templates/)", err)
	}
	c, err := loader.LoadDir(abs)
	if err != nil {
		return fail("it is not a valid Helm chart: "+err.Error(), err)
	}
	if err := c.Validate(); err != nil {
		return fail("its Chart.yaml is not valid: "+err.Error(), err)
	}
	if c.Metadata.APIVersion != chart.APIVersionV2 {
		return fail(fmt.Sprintf("its Chart.yaml has apiVersion %q; tmtui installs apiVersion v2 charts", c.Metadata.APIVersion), nil)
	}
	if len(c.Templates) == 0 {
		return fail("it has no templates (templates/ is empty or missing), so it would install nothing", nil)
	}
	return c, nil
}

func validateReleaseName(name string) error {
	if err := chartutil.ValidateReleaseName(name); err != nil {
		return fmt.Errorf("release name %q: %w", name, err)
	}
	return nil
}

// Bounds are the replica counts a chart accepts for a component.
type Bounds struct{ Min, Max int }

// DefaultBounds are the taskmaster chart's: 1 to 3 pods per component.
var DefaultBounds = Bounds{Min: 1, Max: 3}

// replicaBounds reads <component>.replicaCount's minimum and maximum from
// the chart's values.schema.json, falling back to DefaultBounds for what the
// schema does not say.
func replicaBounds(c *chart.Chart, component Component) Bounds {
	b := DefaultBounds
	if c == nil || len(c.Schema) == 0 {
		return b
	}
	var schema struct {
		Properties map[string]struct {
			Properties map[string]struct {
				Minimum *float64 `json:"minimum"`
				Maximum *float64 `json:"maximum"`
			} `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(c.Schema, &schema); err != nil {
		return b
	}
	rc := schema.Properties[string(component)].Properties["replicaCount"]
	if rc.Minimum != nil {
		b.Min = int(*rc.Minimum)
	}
	if rc.Maximum != nil {
		b.Max = int(*rc.Maximum)
	}
	return b
}
