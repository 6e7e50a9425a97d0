// Command pause is the sandbox node's pod-sandbox image: it holds a pod's
// namespaces and ends on SIGTERM or SIGINT, as registry.k8s.io/pause does.
// The sandbox builds it static and imports it into the node's containerd as
// a one-layer image, since nothing can be pulled here.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
