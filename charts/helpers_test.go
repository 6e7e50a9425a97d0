package charts_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/taskmaster-ai/tmtui/charts"
)

const (
	chartDir    = "taskmaster"
	releaseName = "taskmaster"
	renderNS    = "tm-render"
)

// object is one rendered Kubernetes object, decoded strictly into its typed
// k8s.io/api struct.
type object struct {
	Source string // template file, e.g. taskmaster/templates/backend-deployment.yaml
	Kind   string
	Name   string
	YAML   string
	Obj    runtime.Object
}

// manifest is what the chart renders for one set of values.
type manifest struct {
	Objects []object
	Notes   string
}

// loadChart is the chart as tmtui ships it: the embedded copy.
func loadChart(t testing.TB) *chart.Chart {
	t.Helper()
	c, err := charts.TaskMaster()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// renderChart renders c with vals as `helm install taskmaster -n tm-render`
// would: values coalesced and checked against values.schema.json, then the
// Helm v4 engine (in strict mode, so a template that names a missing value
// fails). Every object must decode strictly.
func renderChart(c *chart.Chart, vals map[string]any) (*manifest, error) {
	rv, err := chartutil.ToRenderValuesWithSchemaValidation(c, vals,
		common.ReleaseOptions{Name: releaseName, Namespace: renderNS, Revision: 1, IsInstall: true},
		common.DefaultCapabilities, false)
	if err != nil {
		return nil, err
	}
	out, err := engine.Engine{Strict: true}.Render(c, rv)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	m := &manifest{}
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			m.Notes = out[name]
			continue
		}
		for _, doc := range splitYAML(out[name]) {
			obj, err := decodeStrict(doc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w\n%s", name, err, doc)
			}
			m.Objects = append(m.Objects, object{Source: name, Kind: obj.kind, Name: obj.name, YAML: doc, Obj: obj.obj})
		}
	}
	return m, nil
}

// render renders the embedded chart and fails the test on any error.
func render(t testing.TB, vals map[string]any) *manifest {
	t.Helper()
	m, err := renderChart(loadChart(t), vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return m
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// splitYAML splits a template's output into documents, dropping the empty
// ones (a disabled template renders only whitespace and comments).
func splitYAML(s string) []string {
	var docs []string
	for _, d := range docSeparator.Split(s, -1) {
		j, err := yaml.YAMLToJSON([]byte(d))
		if err == nil && string(j) == "null" {
			continue
		}
		docs = append(docs, d)
	}
	return docs
}

type decoded struct {
	kind, name string
	obj        runtime.Object
}

// decodeStrict decodes a YAML document into the typed struct its apiVersion
// and kind name; unknown or duplicate fields are errors.
func decodeStrict(doc string) (decoded, error) {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
		return decoded{}, err
	}
	gv, err := schema.ParseGroupVersion(meta.APIVersion)
	if err != nil {
		return decoded{}, err
	}
	obj, err := scheme.Scheme.New(gv.WithKind(meta.Kind))
	if err != nil {
		return decoded{}, fmt.Errorf("no typed struct for %s %s: %w", meta.APIVersion, meta.Kind, err)
	}
	if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
		return decoded{}, fmt.Errorf("%s %s does not decode strictly: %w", meta.Kind, meta.Metadata.Name, err)
	}
	return decoded{kind: meta.Kind, name: meta.Metadata.Name, obj: obj}, nil
}

// find returns the one object of kind and name, or fails.
func (m *manifest) find(t testing.TB, kind, name string) runtime.Object {
	t.Helper()
	for _, o := range m.Objects {
		if o.Kind == kind && o.Name == name {
			return o.Obj
		}
	}
	t.Fatalf("no %s %q rendered; have %v", kind, name, m.names())
	return nil
}

func (m *manifest) has(kind, name string) bool {
	for _, o := range m.Objects {
		if o.Kind == kind && o.Name == name {
			return true
		}
	}
	return false
}

func (m *manifest) ofKind(kind string) []object {
	var out []object
	for _, o := range m.Objects {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

func (m *manifest) names() []string {
	var out []string
	for _, o := range m.Objects {
		out = append(out, o.Kind+"/"+o.Name)
	}
	return out
}

func (m *manifest) deployment(t testing.TB, component string) *appsv1.Deployment {
	t.Helper()
	return m.find(t, "Deployment", releaseName+"-"+component).(*appsv1.Deployment)
}

func (m *manifest) configMap(t testing.TB, component string) *corev1.ConfigMap {
	t.Helper()
	return m.find(t, "ConfigMap", releaseName+"-"+component).(*corev1.ConfigMap)
}

func (m *manifest) service(t testing.TB, component string) *corev1.Service {
	t.Helper()
	return m.find(t, "Service", releaseName+"-"+component).(*corev1.Service)
}

func (m *manifest) testPod(t testing.TB) *corev1.Pod {
	t.Helper()
	return m.find(t, "Pod", releaseName+"-test-backend-health").(*corev1.Pod)
}

// podSpecs are every pod the chart can make: the Deployments' templates and
// bare Pods (the test hook), by "<kind>/<name>".
func (m *manifest) podSpecs() map[string]*corev1.PodTemplateSpec {
	out := map[string]*corev1.PodTemplateSpec{}
	for _, o := range m.Objects {
		switch obj := o.Obj.(type) {
		case *appsv1.Deployment:
			out[o.Kind+"/"+o.Name] = &obj.Spec.Template
		case *corev1.Pod:
			out[o.Kind+"/"+o.Name] = &corev1.PodTemplateSpec{ObjectMeta: obj.ObjectMeta, Spec: obj.Spec}
		}
	}
	return out
}

// ciValueFiles are the chart's ci/*.yaml files, relative to charts/.
func ciValueFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("want at least 3 files in %s/ci, have %v", chartDir, files)
	}
	return files
}

func readValues(t testing.TB, path string) map[string]any {
	t.Helper()
	v, err := common.ReadValuesFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return v.AsMap()
}

// valueSets are the default values and each ci file, by name.
func valueSets(t testing.TB) map[string]map[string]any {
	t.Helper()
	sets := map[string]map[string]any{"defaults": nil}
	for _, f := range ciValueFiles(t) {
		sets[filepath.Base(f)] = readValues(t, f)
	}
	return sets
}

// vals builds nested values from dotted paths: vals("backend.replicaCount", 2).
func vals(pairs ...any) map[string]any {
	out := map[string]any{}
	for i := 0; i < len(pairs); i += 2 {
		path := strings.Split(pairs[i].(string), ".")
		m := out
		for _, k := range path[:len(path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[path[len(path)-1]] = pairs[i+1]
	}
	return out
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
