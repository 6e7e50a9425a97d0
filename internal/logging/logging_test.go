package logging

import (
	"errors"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

// captureStderr runs f with os.Stderr replaced by a pipe and returns what f wrote there.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	orig := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = orig }()
	f()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

func TestSetupSendsEverythingToTheFileAndNothingToStderr(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "tmtui.log")
	defaultLogger := slog.Default()
	t.Cleanup(func() { slog.SetDefault(defaultLogger) })

	var closer interface{ Close() error }
	stderr := captureStderr(t, func() {
		var err error
		closer, err = Setup(path)
		if err != nil {
			t.Fatal(err)
		}
		slog.Info("from slog")
		log.Print("from the log package")
		// klog sends errors to stderr by default even with logtostderr off.
		klog.Error("from klog")
		klog.Flush()
	})
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}

	if stderr != "" {
		t.Errorf("stderr got %q, want nothing", stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"from slog", "from the log package", "from klog"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("log file lacks %q:\n%s", want, data)
		}
	}

	if runtime.GOOS != "windows" {
		assertMode(t, path, 0o600)
		assertMode(t, filepath.Dir(path), 0o700|os.ModeDir)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
	}
}

func TestSetupReportsAnUnusablePath(t *testing.T) {
	// A regular file where a directory should be makes MkdirAll fail on every OS.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Setup(filepath.Join(blocker, "tmtui.log"))
	if err == nil {
		t.Fatal("Setup succeeded under a regular file, want an error")
	}
	if !strings.Contains(err.Error(), "log directory") {
		t.Errorf("error %q does not say which step failed", err)
	}
	var pe *os.PathError
	if !errors.As(err, &pe) {
		t.Errorf("error %v does not wrap the *os.PathError", err)
	}
}

func TestDefaultPathIsUnderTheCacheDir(t *testing.T) {
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache dir on this machine:", err)
	}
	got, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "tmtui", "tmtui.log"); got != want {
		t.Errorf("DefaultPath() = %q, want %q", got, want)
	}
}
