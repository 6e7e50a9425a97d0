package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/distribution/reference"
	"sigs.k8s.io/yaml"
)

// appServices are TaskMaster's two services, as the chart's values name them.
var appServices = []string{"backend", "frontend"}

// chartImages is the image each service's pods run when the chart is
// installed with its defaults: values.yaml's repository and Chart.yaml's
// appVersion as the tag, normalised as the node's containerd names images
// (taskmaster-backend:1.0.0 is docker.io/library/taskmaster-backend:1.0.0).
// The chart is the one home of these names; the sandbox asks it.
func chartImages(chartDir string) (map[string]reference.NamedTagged, error) {
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	var values map[string]struct {
		Image struct {
			Repository string `json:"repository"`
			Tag        string `json:"tag"`
		} `json:"image"`
	}
	for file, into := range map[string]any{"Chart.yaml": &chart, "values.yaml": &values} {
		data, err := os.ReadFile(filepath.Join(chartDir, file))
		if err != nil {
			return nil, err
		}
		if err := yaml.Unmarshal(data, into); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(chartDir, file), err)
		}
	}
	refs := map[string]reference.NamedTagged{}
	for _, svc := range appServices {
		img := values[svc].Image
		tag := img.Tag
		if tag == "" {
			tag = chart.AppVersion
		}
		named, err := reference.ParseNormalizedNamed(img.Repository)
		if err == nil {
			refs[svc], err = reference.WithTag(named, tag)
		}
		if err != nil {
			return nil, fmt.Errorf("the chart's %s image %q: %w", svc, img.Repository+":"+tag, err)
		}
	}
	return refs, nil
}

// chartDir is the chart in this repository (the sandbox module is hack/sandbox).
func chartDir(moduleDir string) string {
	return filepath.Join(moduleDir, "..", "..", "charts", "taskmaster")
}
