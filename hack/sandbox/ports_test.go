package main

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"
)

func newTestSandbox(t *testing.T, root, name string) *sandbox {
	t.Helper()
	s := &sandbox{root: root, name: name, out: io.Discard}
	if err := os.MkdirAll(s.dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	return s
}

// Sandboxes created at the same moment, as parallel test packages create
// them, get ports no other sandbox has, and no port twice.
func TestSandboxesCreatedTogetherGetPortsOfTheirOwn(t *testing.T) {
	root := t.TempDir()
	const n = 8
	got := make([]Ports, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := newTestSandbox(t, root, "s"+string(rune('a'+i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.reservePorts()
		}()
	}
	wg.Wait()
	seen := map[int]string{}
	for i, p := range got {
		if errs[i] != nil {
			t.Fatalf("sandbox %d: %v", i, errs[i])
		}
		for _, port := range p.all() {
			if *port < lowestPort || *port > highestPort {
				t.Errorf("sandbox %d got port %d, outside %d-%d", i, *port, lowestPort, highestPort)
			}
			if other, dup := seen[*port]; dup {
				t.Errorf("port %d given twice (sandbox %d and %s)", *port, i, other)
			}
			seen[*port] = string(rune('a' + i))
		}
	}
	if len(seen) != n*len(new(Ports).all()) {
		t.Errorf("%d distinct ports for %d sandboxes", len(seen), n)
	}
}

// A stopped sandbox keeps its ports (its restart binds them again), and a
// port something else listens on is never picked.
func TestReservedAndBusyPortsAreSkipped(t *testing.T) {
	root := t.TempDir()
	first := newTestSandbox(t, root, "first")
	p1, err := first.reservePorts()
	if err != nil {
		t.Fatal(err)
	}
	// Something listens on the next port down, as another program would
	// (when something on this machine does already, the case holds too).
	busy := p1.KwokController - 1
	if ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(busy))); err == nil {
		defer ln.Close()
	}

	second := newTestSandbox(t, root, "second")
	p2, err := second.reservePorts()
	if err != nil {
		t.Fatal(err)
	}
	for _, port := range p2.all() {
		if *port == busy {
			t.Errorf("port %d was picked although something listens on it", busy)
		}
		for _, mine := range p1.all() {
			if *port == *mine {
				t.Errorf("port %d of the first sandbox was given to the second", *port)
			}
		}
	}
	// Once the first sandbox's run folder is gone, its ports are free again.
	if err := os.RemoveAll(first.dir()); err != nil {
		t.Fatal(err)
	}
	third := newTestSandbox(t, root, "third")
	p3, err := third.reservePorts()
	if err != nil {
		t.Fatal(err)
	}
	if p3.EtcdPeer != p1.EtcdPeer {
		t.Errorf("the removed sandbox's first port %d was not reused (got %d)", p1.EtcdPeer, p3.EtcdPeer)
	}
}

func TestKwokConfigPinsTheReservedPorts(t *testing.T) {
	ports := Ports{EtcdPeer: 30006, Etcd: 30005, KubeAPIServer: 30004, ControllerManager: 30003, Scheduler: 30002, KwokController: 30001}
	data, err := kwokConfig(wiring{BackendLog: "/r/b.log", FrontendLog: "/r/f.log", Ports: ports})
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var obj struct {
			Kind    string
			Options map[string]any
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("document does not parse: %v\n%s", err, doc)
		}
		if obj.Kind != "KwokctlConfiguration" {
			continue
		}
		want, _ := json.Marshal(ports)
		var wantMap map[string]any
		_ = json.Unmarshal(want, &wantMap)
		for k, v := range wantMap {
			if obj.Options[k] != v {
				t.Errorf("options.%s = %v, want %v", k, obj.Options[k], v)
			}
		}
		if obj.Options["bindAddress"] != "127.0.0.1" {
			t.Errorf("options.bindAddress = %v, want 127.0.0.1", obj.Options["bindAddress"])
		}
		return
	}
	t.Fatal("no KwokctlConfiguration in the config")
}
