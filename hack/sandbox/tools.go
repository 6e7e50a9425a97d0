//go:build tools

// Package sandbox pins the Kubernetes control-plane commands this module builds.
package sandbox

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
