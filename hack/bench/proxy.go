package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync/atomic"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// countingProxy stands between one tool and the API server and counts the
// requests the tool makes: an exact figure beside apiserver_request_total,
// whose baseline (the control plane's own requests) drifts by several a
// minute. It listens on loopback in plain HTTP and forwards with the
// sandbox's credentials.
type countingProxy struct {
	n          atomic.Int64
	srv        *http.Server
	kubeconfig string
}

func startProxy(c *cluster, dir, name string) (*countingProxy, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.st.Kubeconfig)
	if err != nil {
		return nil, err
	}
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, err
	}
	target, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = rt
	rp.FlushInterval = -1 // watches and log streams flow as they come
	p := &countingProxy{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.n.Add(1)
		rp.ServeHTTP(w, r)
	})}
	go p.srv.Serve(ln)

	kc := clientcmdapi.NewConfig()
	kc.Clusters[c.st.Context] = &clientcmdapi.Cluster{Server: "http://" + ln.Addr().String()}
	kc.AuthInfos[c.st.Context] = &clientcmdapi.AuthInfo{}
	kc.Contexts[c.st.Context] = &clientcmdapi.Context{Cluster: c.st.Context, AuthInfo: c.st.Context, Namespace: ns}
	kc.CurrentContext = c.st.Context
	p.kubeconfig = filepath.Join(dir, name+"-proxy.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, p.kubeconfig); err != nil {
		p.srv.Close()
		return nil, fmt.Errorf("proxy kubeconfig: %w", err)
	}
	return p, nil
}

func (p *countingProxy) count() int64 { return p.n.Load() }

func (p *countingProxy) close() { _ = p.srv.Shutdown(context.Background()); p.srv.Close() }
