//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LoadBalancerHost is what a LoadBalancer Service's status names as its
// address once the sandbox publishes it, as Docker Desktop does.
const LoadBalancerHost = "localhost"

// lbCheckEvery is how often the node's first process looks for
// LoadBalancer Services to publish or withdraw.
const lbCheckEvery = time.Second

// serveLoadBalancers publishes every LoadBalancer Service on the machine's
// 127.0.0.1, at each of its TCP ports, as Docker Desktop publishes them on
// localhost: a connection there is forwarded, inside the node, to the
// Service's cluster IP, which kube-proxy sends on to a ready pod. It sets
// the Service's ingress to localhost once a port is published. The
// listeners are sockets of the node's first process (made in the machine's
// namespace by listen), so they end with the node, however it ends.
func serveLoadBalancers(kubeconfig string, listen func(addr string) (net.Listener, error)) {
	cs, err := clientFor(kubeconfig)
	if err != nil {
		log.Printf("load balancers: %v", err)
		return
	}
	ctx := context.Background()
	type published struct {
		ln     net.Listener
		target atomic.Value // string: the cluster IP and port
	}
	open := map[string]*published{} // by namespace/name:port
	refused := map[string]string{}  // what listen said, said once
	for ; ; time.Sleep(lbCheckEvery) {
		svcs, err := cs.CoreV1().Services("").List(ctx, metav1.ListOptions{})
		if err != nil {
			log.Printf("load balancers: listing Services: %v", err)
			continue
		}
		want := map[string]bool{}
		for i := range svcs.Items {
			svc := &svcs.Items[i]
			ip := svc.Spec.ClusterIP
			if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || ip == "" || ip == corev1.ClusterIPNone {
				continue
			}
			shown := false
			for _, p := range svc.Spec.Ports {
				if p.Protocol != corev1.ProtocolTCP {
					continue
				}
				key := fmt.Sprintf("%s/%s:%d", svc.Namespace, svc.Name, p.Port)
				target := net.JoinHostPort(ip, strconv.Itoa(int(p.Port)))
				want[key] = true
				if pub, ok := open[key]; ok {
					pub.target.Store(target)
					shown = true
					continue
				}
				addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(p.Port)))
				ln, err := listen(addr)
				if err != nil {
					if refused[key] != err.Error() {
						log.Printf("load balancer %s: %s on the machine: %v", key, addr, err)
						refused[key] = err.Error()
					}
					continue
				}
				delete(refused, key)
				pub := &published{ln: ln}
				pub.target.Store(target)
				open[key] = pub
				log.Printf("load balancer %s: published on the machine's %s", key, addr)
				go forward(ln, func() (net.Conn, error) { return dialService(pub.target.Load().(string)) })
				shown = true
			}
			if shown && !hasIngress(svc, LoadBalancerHost) {
				svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: LoadBalancerHost}}
				if _, err := cs.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
					log.Printf("load balancer %s/%s: setting its ingress: %v", svc.Namespace, svc.Name, err)
				}
			}
		}
		for key, pub := range open {
			if !want[key] {
				pub.ln.Close()
				delete(open, key)
				log.Printf("load balancer %s: withdrawn", key)
			}
		}
		for key := range refused {
			if !want[key] {
				delete(refused, key)
			}
		}
	}
}

// serviceDialWait is how long a connection to a published port waits for
// its Service to take connections.
const serviceDialWait = 15 * time.Second

// dialService connects to a Service's cluster IP and port. kube-proxy
// refuses connections to a Service with no ready endpoint (a reject rule),
// and writes a new endpoint's rules a moment after its pod is Ready, so a
// connection that comes in that moment (`helm install --wait` has just
// returned) would be reset. It waits instead, up to serviceDialWait, as a
// cloud load balancer holds a connection until a backend is healthy.
func dialService(target string) (net.Conn, error) {
	deadline := time.Now().Add(serviceDialWait)
	for {
		c, err := net.DialTimeout("tcp", target, 10*time.Second)
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || time.Now().After(deadline) {
			return c, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func hasIngress(svc *corev1.Service, host string) bool {
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if in.Hostname == host {
			return true
		}
	}
	return false
}
