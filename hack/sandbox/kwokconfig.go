package main

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"text/template"
)

//go:embed stages/*.yaml
var stageFiles embed.FS

// wiringTemplate sends the logs and the port-forwards of every pod's
// backend and frontend containers to the stand-ins. It has no selector, so
// it serves every namespace: namespace taskmaster for the app, and the
// throwaway namespaces tests make for themselves.
//
// kwokctl binds every component to 0.0.0.0 by default; on a laptop that
// would offer an unauthenticated etcd to the whole network, so the sandbox
// binds to loopback only. Leader election is off: there is one of each
// controller, and on a loaded machine a lease renewal that misses its
// deadline makes the controller-manager and scheduler exit for good
// (kwokctl does not restart them), leaving pods that never schedule.
var wiringTemplate = template.Must(template.New("wiring").Parse(`apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  bindAddress: 127.0.0.1
{{- with .Ports }}{{ if .Etcd }}
  etcdPeerPort: {{ .EtcdPeer }}
  etcdPort: {{ .Etcd }}
  kubeApiserverPort: {{ .KubeAPIServer }}
  kubeControllerManagerPort: {{ .ControllerManager }}
  kubeSchedulerPort: {{ .Scheduler }}
  kwokControllerPort: {{ .KwokController }}
{{- end }}{{ end }}
componentsPatches:
- name: kube-apiserver
  extraArgs:
  # Kubelets by their address, not their name, which nothing here resolves:
  # the real node's link address; kwok's node is at 127.0.0.1 (cluster.go).
  - key: kubelet-preferred-address-types
    value: InternalIP
  - key: service-cluster-ip-range
    value: {{ .ServiceCIDR }}
- name: kwok-controller
  extraArgs:
  # kwok's own nodes only: a real kubelet's node and pods are the kubelet's.
  - key: manage-all-nodes
    value: "false"
  - key: manage-nodes-with-annotation-selector
    value: {{ .KwokNodeSelector }}
- name: kube-controller-manager
  extraArgs:
  - key: service-cluster-ip-range
    value: {{ .ServiceCIDR }}
  - key: leader-elect
    value: "false"
- name: kube-scheduler
  extraArgs:
  - key: leader-elect
    value: "false"
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: taskmaster-standins
spec:
  logs:
  - containers: [backend]
    logsFile: {{ printf "%q" .BackendLog }}
    previousLogsFile: {{ printf "%q" .BackendPreviousLog }}
    follow: true
  - containers: [frontend]
    logsFile: {{ printf "%q" .FrontendLog }}
    follow: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterPortForward
metadata:
  name: taskmaster-standins
spec:
  forwards:
  - ports: [8000]
    target:
      address: 127.0.0.1
      port: {{ .BackendPort }}
  - ports: [3000]
    target:
      address: 127.0.0.1
      port: {{ .FrontendPort }}
`))

type wiring struct {
	BackendLog, BackendPreviousLog, FrontendLog string
	BackendPort, FrontendPort                   int
	Ports                                       Ports
}

// serviceCIDR is the Services' cluster IPs, apart from kwok's simulated
// pods (10.0.0.0/24, the API server's default Service range) and the real
// node's pods (10.244.0.0/16).
const serviceCIDR = "10.96.0.0/16"

func (wiring) ServiceCIDR() string { return serviceCIDR }

// kwokNode is the annotation kwokctl puts on the nodes it makes, which kwok
// manages (and only those); with a real node beside them, the same pair is
// their NoSchedule taint, so that pods go to the real node unless they
// tolerate a simulated one.
var kwokNode = struct{ key, value string }{"kwok.x-k8s.io/node", "fake"}

func (wiring) KwokNodeSelector() string { return kwokNode.key + "=" + kwokNode.value }

func backendLog(dir string) string         { return filepath.Join(dir, "backend.log") }
func backendPreviousLog(dir string) string { return filepath.Join(dir, "backend-previous.log") }
func frontendLog(dir string) string        { return filepath.Join(dir, "frontend.log") }

// kwokConfig is the one file kwokctl reads at creation: the stages (kwok's
// defaults and our failure stages) and the wiring to the stand-ins.
func kwokConfig(w wiring) ([]byte, error) {
	var buf bytes.Buffer
	names, err := fs.Glob(stageFiles, "stages/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := stageFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		buf.Write(bytes.TrimSpace(data))
		buf.WriteString("\n---\n")
	}
	if err := wiringTemplate.Execute(&buf, w); err != nil {
		return nil, fmt.Errorf("kwok config: %w", err)
	}
	return buf.Bytes(), nil
}
