package helm_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/helm"
)

func TestOverridesBecomeNestedValues(t *testing.T) {
	o := helm.Overrides{
		ImageTags: map[helm.Component]string{helm.Backend: "1.0.1"},
		Replicas:  map[helm.Component]int{helm.Frontend: 2, helm.Backend: 3},
		Config:    map[helm.Component]map[string]string{helm.Backend: {"APP_ENV": "staging"}},
		// --set comes last, and wins over the fields above.
		Set: []string{"frontend.service.type=NodePort,backend.replicaCount=1", "networkPolicy.enabled=true"},
	}
	got, err := o.Values()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"backend": map[string]any{
			"image": map[string]any{"tag": "1.0.1"}, "replicaCount": int64(1), "config": map[string]any{"APP_ENV": "staging"},
		},
		"frontend":      map[string]any{"replicaCount": 2, "service": map[string]any{"type": "NodePort"}},
		"networkPolicy": map[string]any{"enabled": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("values:\n got %#v\nwant %#v", got, want)
	}
	if o.IsZero() || !(helm.Overrides{}).IsZero() {
		t.Error("IsZero is wrong")
	}
	empty, err := helm.Overrides{}.Values()
	if err != nil || len(empty) != 0 {
		t.Errorf("no overrides gave %v, %v", empty, err)
	}
}

func TestOverridesRefuseSecretsAndNonsense(t *testing.T) {
	for name, o := range map[string]helm.Overrides{
		"secret by --set":      {Set: []string{"secrets.values.jwtSecret=abc"}},
		"create a secret":      {Set: []string{"secrets.create=true"}},
		"unknown component":    {Replicas: map[helm.Component]int{"database": 1}},
		"tag with a registry":  {ImageTags: map[helm.Component]string{helm.Backend: "registry.invalid/x:1"}},
		"empty tag":            {ImageTags: map[helm.Component]string{helm.Frontend: ""}},
		"malformed --set":      {Set: []string{"backend.replicaCount"}},
		"config of a stranger": {Config: map[helm.Component]map[string]string{"db": {"A": "b"}}},
	} {
		t.Run(name, func(t *testing.T) {
			if v, err := o.Values(); err == nil {
				t.Errorf("accepted, gave %v", v)
			}
		})
	}
	_, err := helm.Overrides{Set: []string{"secrets.values.jwtSecret=abc"}}.Values()
	if !strings.Contains(err.Error(), "release history") || strings.Contains(err.Error(), "abc") {
		t.Errorf("secret refusal: %v", err)
	}
}
