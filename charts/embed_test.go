package charts_test

import (
	"io/fs"
	"reflect"
	"slices"
	"testing"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"

	"github.com/taskmaster-ai/tmtui/charts"
)

// The chart built into tmtui is the chart in the folder, as `helm install
// ./charts/taskmaster` loads it.
func TestEmbeddedChartIsTheFolderChart(t *testing.T) {
	embedded := loadChart(t)
	folder, err := loader.LoadDir(chartDir)
	if err != nil {
		t.Fatal(err)
	}

	m := embedded.Metadata
	if m.APIVersion != chart.APIVersionV2 || m.Name != "taskmaster" || m.AppVersion != "1.0.0" {
		t.Errorf("metadata = apiVersion %s, name %s, appVersion %s; want v2, taskmaster, 1.0.0", m.APIVersion, m.Name, m.AppVersion)
	}
	if !reflect.DeepEqual(embedded.Metadata, folder.Metadata) {
		t.Errorf("metadata differs:\nembedded %+v\nfolder   %+v", embedded.Metadata, folder.Metadata)
	}
	if !reflect.DeepEqual(embedded.Values, folder.Values) || string(embedded.Schema) != string(folder.Schema) {
		t.Error("values or schema differ between the embedded chart and the folder")
	}

	files := func(c *chart.Chart) map[string]string {
		out := map[string]string{}
		for _, f := range c.Templates {
			out["templates:"+f.Name] = string(f.Data)
		}
		for _, f := range c.Files {
			out["files:"+f.Name] = string(f.Data)
		}
		return out
	}
	e, f := files(embedded), files(folder)
	if !reflect.DeepEqual(e, f) {
		t.Errorf("files differ:\nembedded %v\nfolder   %v", sortedKeys(e), sortedKeys(f))
	}
	// The all: embed prefix keeps _helpers.tpl, without which nothing renders.
	if _, ok := e["templates:templates/_helpers.tpl"]; !ok {
		t.Errorf("embedded chart lacks templates/_helpers.tpl: %v", sortedKeys(e))
	}
}

func TestEachLoadIsAChartOfItsOwn(t *testing.T) {
	a, b := loadChart(t), loadChart(t)
	a.Metadata.Version = "0.0.0-changed"
	a.Values["backend"] = nil
	if b.Metadata.Version == a.Metadata.Version || b.Values["backend"] == nil {
		t.Error("changing one loaded chart changed another")
	}
	names, err := fs.Glob(charts.TaskMasterFS(), "templates/*.yaml")
	if err != nil || !slices.Contains(names, "templates/backend-deployment.yaml") {
		t.Errorf("TaskMasterFS templates = %v, %v; want the chart's root at the top", names, err)
	}
}
