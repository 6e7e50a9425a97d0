package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistake in the key bindings stops tmtui before it takes the screen,
// with exit 2 and a message naming the file, the line and the fix.
func TestBadConfigFileIsExplained(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("keys:\n  pods:\n    delete: r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--config", config, "--log-file", filepath.Join(dir, "log")}, &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	want := "tmtui: config: " + config + `:3: keys.pods.restart and keys.pods.delete both use "r"`
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
	}
}

func TestMissingConfigFileMeansDefaults(t *testing.T) {
	keys, err := loadKeys(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || len(keys) != 0 {
		t.Errorf("keys %v, err %v", keys, err)
	}
	keys, err = loadKeys(writeConfig(t, "keys:\n  global:\n    zoom: Z\n"))
	if err != nil || keys["global"]["zoom"][0] != "Z" {
		t.Errorf("keys %v, err %v", keys, err)
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
