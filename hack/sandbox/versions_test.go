package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The control plane is built from go.mod's build list, while the cache
// folder is named after paths.go's constants: were they to differ, a bump
// in go.mod would reuse binaries of the old versions.
func TestVersionsAreGoMods(t *testing.T) {
	want := map[string]string{
		"k8s.io/kubernetes":          kubeVersion,
		"go.etcd.io/etcd/server/v3":  etcdVersion,
		"sigs.k8s.io/kwok":           kwokVersion,
		"github.com/coredns/coredns": corednsVersion,
	}
	args := []string{"list", "-m", "-f", "{{.Path}} {{.Version}}"}
	for m := range want {
		args = append(args, m)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, version, _ := strings.Cut(line, " ")
		if want[path] != version {
			t.Errorf("go.mod requires %s %s, but paths.go names the cache folder after %s", path, version, want[path])
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("go list -m answered for %d modules, want %d:\n%s", seen, len(want), out)
	}
}
