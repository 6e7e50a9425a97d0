package k8s

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestDecodeProblemHidesGoTypes(t *testing.T) {
	tests := []struct {
		err  string
		want string
	}{
		{`json: cannot unmarshal array into Go struct field Cluster.clusters.cluster.server of type string`,
			"field clusters.cluster.server has the wrong type"},
		{`no kind "Pod" is registered for version "v1" in scheme "pkg/runtime/scheme.go:111"`,
			"it describes a Pod, not a kubeconfig"},
		{`couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\"" }`,
			"it is not a kubeconfig: expected YAML with apiVersion: v1 and kind: Config"},
		{`error converting YAML to JSON: yaml: line 3: did not find expected key`,
			"yaml: line 3: did not find expected key"},
		{"something new\nover two lines", "it does not parse as a kubeconfig"},
	}
	for _, tt := range tests {
		if got := decodeProblem(errors.New(tt.err)); got != tt.want {
			t.Errorf("decodeProblem(%q)\n got %q\nwant %q", tt.err, got, tt.want)
		}
	}
}

func TestContextProblem(t *testing.T) {
	cfg := &clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{
			"ok":       {Server: "https://127.0.0.1:6443"},
			"noserver": {},
		},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{"me": {}},
		Contexts: map[string]*clientcmdapi.Context{
			"good":      {Cluster: "ok", AuthInfo: "me"},
			"anonymous": {Cluster: "ok"},
			"nocluster": {AuthInfo: "me"},
			"gone":      {Cluster: "gone", AuthInfo: "me"},
			"noserver":  {Cluster: "noserver", AuthInfo: "me"},
			"nouser":    {Cluster: "ok", AuthInfo: "ghost"},
		},
	}
	tests := map[string]string{
		"good":      "",
		"anonymous": "",
		"nocluster": "names no cluster",
		"gone":      `cluster "gone", which no kubeconfig file defines`,
		"noserver":  `cluster "noserver" has no server address`,
		"nouser":    `user "ghost", which no kubeconfig file defines`,
	}
	for name, want := range tests {
		got := contextProblem(cfg, name)
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("contextProblem(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestConnectErrorText(t *testing.T) {
	cause := fmt.Errorf("dial tcp: refused")
	e := &ConnectError{Kind: KindUnreachable, Reason: "cluster unreachable at X", Hint: "start it", Err: cause}
	if got := e.Error(); got != "cluster unreachable at X: start it" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(e, cause) {
		t.Error("ConnectError does not unwrap to its cause")
	}
	e.Hint = ""
	if got := e.Error(); got != "cluster unreachable at X" {
		t.Errorf("Error() without hint = %q, want no dangling colon", got)
	}
}
