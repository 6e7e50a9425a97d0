// Package charts holds the Helm chart tmtui installs, built into the binary:
// charts/taskmaster, the chart of TaskMaster (a FastAPI backend and a Next.js
// frontend). The same folder works with the plain `helm` command.
package charts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
)

// The all: prefix keeps the files whose names start with _ or . (the
// templates' _helpers.tpl, .helmignore).
//
//go:embed all:taskmaster
var taskmasterFS embed.FS

// TaskMasterFS is the chart folder charts/taskmaster as built into the
// binary, rooted at the chart (Chart.yaml is at its top).
func TaskMasterFS() fs.FS {
	sub, err := fs.Sub(taskmasterFS, "taskmaster")
	if err != nil {
		panic(err) // the folder is embedded above; it cannot be missing
	}
	return sub
}

// TaskMaster loads the built-in chart the way `helm install ./taskmaster`
// loads the folder: .helmignore applies, and a UTF-8 byte order mark is
// dropped. Each call returns a chart of its own, safe to modify.
func TaskMaster() (*chart.Chart, error) {
	files, err := chartFiles(TaskMasterFS())
	if err != nil {
		return nil, fmt.Errorf("built-in taskmaster chart: %w", err)
	}
	c, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("built-in taskmaster chart: %w", err)
	}
	return c, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// chartFiles reads a chart folder as Helm's directory loader does.
func chartFiles(fsys fs.FS) ([]*archive.BufferedFile, error) {
	rules := ignore.Empty()
	if data, err := fs.ReadFile(fsys, ignore.HelmIgnore); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
	}
	rules.AddDefaults()

	var files []*archive.BufferedFile
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if rules.Ignore(name, info) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		files = append(files, &archive.BufferedFile{Name: name, ModTime: info.ModTime(), Data: bytes.TrimPrefix(data, utf8BOM)})
		return nil
	})
	return files, err
}
