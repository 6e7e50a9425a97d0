package keymap_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
)

// Remembering a folder keeps the key bindings (and comments) working, and
// the file keeps loading.
func TestRememberFolderKeepsTheKeyBindings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := "# my keys\nkeys:\n  pods:\n    scale_up: u # easier\n"
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := keymap.RememberFolder(path, "backend", "/src/app/backend"); err != nil {
		t.Fatal(err)
	}
	if err := keymap.RememberFolder(path, "frontend", "/src/app/front end"); err != nil {
		t.Fatal(err)
	}
	if err := keymap.RememberFolder(path, "backend", "/src/other/backend"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"# my keys", "# easier", "scale_up: u"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the file lost %q:\n%s", want, data)
		}
	}
	o, err := keymap.Load(path, ui.KeySections(), "global")
	if err != nil || !slices.Equal(o["pods"]["scale_up"], []string{"u"}) {
		t.Errorf("keys after remembering: %v, %v\n%s", o, err, data)
	}
	folders, err := keymap.ImageFolders(path)
	if err != nil || folders["backend"] != "/src/other/backend" || folders["frontend"] != "/src/app/front end" || len(folders) != 2 {
		t.Errorf("folders = %v, %v\n%s", folders, err, data)
	}
	if runtime.GOOS != "windows" {
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v, want the file's own 0644 kept", st.Mode().Perm())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".config-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestRememberFolderMakesAPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tmtui", "config.yaml")
	if err := keymap.RememberFolder(path, "backend", "/src/b"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "images:\n  backend:\n    folder: /src/b\n" {
		t.Errorf("file:\n%s", data)
	}
	if runtime.GOOS != "windows" {
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", st.Mode().Perm())
		}
	}
	if _, err := keymap.Load(path, ui.KeySections(), "global"); err != nil {
		t.Error(err)
	}
}

func TestRememberFolderLeavesABrokenFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	broken := "keys:\n  pods: [\n"
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	err := keymap.RememberFolder(path, "backend", "/src/b")
	if err == nil || !strings.Contains(err.Error(), "not valid YAML") {
		t.Errorf("err = %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != broken {
		t.Errorf("the broken file was changed:\n%s", data)
	}
}

func TestImagesSettingErrorsSayWhere(t *testing.T) {
	for doc, want := range map[string]string{
		"images: [a]\n":                          "config.yaml:1: images: must map image names",
		"images:\n  backend: /src\n":             "config.yaml:2: images.backend: must be settings",
		"images:\n  backend:\n    fold: /s\n":    `config.yaml:3: unknown setting "fold" in images.backend`,
		"images:\n  backend:\n    folder: [a]\n": "config.yaml:3: images.backend.folder: must be a folder's path",
	} {
		if _, err := parse(t, doc); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", doc, err, want)
		}
	}
	if _, err := parse(t, "images:\n  backend:\n    folder: /src/b\n  frontend:\n"); err != nil {
		t.Errorf("a valid images section: %v", err)
	}
	if f, err := keymap.ImageFolders(filepath.Join(t.TempDir(), "none.yaml")); err != nil || len(f) != 0 {
		t.Errorf("missing file: %v %v", f, err)
	}
}
