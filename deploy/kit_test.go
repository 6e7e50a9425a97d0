package deploy_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/taskmaster-ai/tmtui/deploy"
)

// The embedded kit is the folder's files, byte for byte, and every file of
// the folder is in it.
func TestKitEmbedsEveryFileOfTheFolder(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	inKit := map[string]bool{}
	for _, f := range deploy.Kit {
		inKit[f.Name] = true
		want, err := os.ReadFile(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := deploy.Read(f.Name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: embedded copy differs (%v)", f.Name, err)
		}
	}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && !inKit[n] && n != "kit.go" && n != "kit_test.go" {
			t.Errorf("%s is in deploy/ but not in the kit", n)
		}
	}
}
