package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// Ports are the control plane's host ports, named as kwokctl's options
// name them.
//
// kwokctl picks free ports by trying to listen on them, counting down from
// 32767 in each kwokctl process. Two sandboxes created at the same moment
// (tests start private ones in parallel packages) both find the same ports
// free, and the second control plane then talks to the first one's etcd or
// fails its certificate checks. A sandbox whose control plane is stopped
// (the reconnect tests) has freed its ports, which a new one would take,
// and its restart would fail. So the sandbox picks the ports itself, under a
// lock every sandbox process shares, and records them in its run folder
// until it is removed.
type Ports struct {
	EtcdPeer          int `json:"etcdPeerPort"`
	Etcd              int `json:"etcdPort"`
	KubeAPIServer     int `json:"kubeApiserverPort"`
	ControllerManager int `json:"kubeControllerManagerPort"`
	Scheduler         int `json:"kubeSchedulerPort"`
	KwokController    int `json:"kwokControllerPort"`
}

func (p *Ports) all() []*int {
	return []*int{&p.EtcdPeer, &p.Etcd, &p.KubeAPIServer, &p.ControllerManager, &p.Scheduler, &p.KwokController}
}

// The range the ports come from: kwokctl's own, below Linux's ephemeral
// ports (32768 and up), so no outgoing connection holds one by chance.
const (
	highestPort = 32767
	lowestPort  = 20000
)

const portsFile = "ports.json"

// reservePorts picks the control plane's ports and records them in the
// sandbox's run folder, which must exist. Ports recorded by any other
// sandbox, running or stopped, are never picked, nor ports something
// listens on.
func (s *sandbox) reservePorts() (Ports, error) {
	runs := filepath.Dir(s.dir())
	unlock, err := lockFile(filepath.Join(runs, ".ports.lock"))
	if err != nil {
		return Ports{}, err
	}
	defer unlock()

	taken := map[int]bool{}
	others, _ := filepath.Glob(filepath.Join(runs, "*", portsFile))
	for _, f := range others {
		var p Ports
		if data, err := os.ReadFile(f); err == nil && json.Unmarshal(data, &p) == nil {
			for _, port := range p.all() {
				taken[*port] = true
			}
		}
	}
	var p Ports
	next := highestPort
	for _, port := range p.all() {
		for ; next >= lowestPort && (taken[next] || !portFree(next)); next-- {
		}
		if next < lowestPort {
			return Ports{}, fmt.Errorf("no free port between %d and %d for the control plane", lowestPort, highestPort)
		}
		*port = next
		next--
	}
	data, _ := json.MarshalIndent(p, "", "  ")
	if err := os.WriteFile(filepath.Join(s.dir(), portsFile), data, 0o644); err != nil {
		return Ports{}, err
	}
	return p, nil
}

// portFree says whether nothing listens on port, on loopback or on any
// address (kwokctl's own test).
func portFree(port int) bool {
	for _, host := range []string{"127.0.0.1", ""} {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

// lockFile holds an exclusive lock on path until the returned func runs.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
