// Package logging sends every log line tmtui and its libraries write to a file.
//
// The terminal belongs to the UI: a single stray line on stderr from client-go or
// klog would tear the screen, so nothing may log there once Setup has run.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

// DefaultPath is where logs go without --log-file: the user's cache directory,
// which every platform has and which users do not expect to curate.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a directory for the log file: %w (choose one with --log-file)", err)
	}
	return filepath.Join(dir, "tmtui", "tmtui.log"), nil
}

// Setup opens the log file at path (DefaultPath when empty), appending to it, and
// makes it the destination of slog's default logger, the standard log package,
// klog and client-go's API warnings. Close the returned file when the program ends.
func Setup(path string) (io.Closer, error) {
	if path == "" {
		var err error
		if path, err = DefaultPath(); err != nil {
			return nil, err
		}
	}
	// Logs can hold cluster names and server addresses: keep them private to the user.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the log file: %w", err)
	}

	logger := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// SetDefault also routes the standard log package through this handler.
	slog.SetDefault(logger)

	// klog writes errors to stderr even when told not to log there (its
	// stderrthreshold), unless a logger is installed; so install one, and point
	// its own output at the file too in case anything bypasses the logger.
	klog.LogToStderr(false)
	klog.SetOutput(f)
	klog.SetSlogLogger(logger)

	// client-go prints deprecation warnings from the API server through klog by
	// default; keep them, but only in the log file.
	rest.SetDefaultWarningHandler(warningLogger{})

	return f, nil
}

type warningLogger struct{}

func (warningLogger) HandleWarningHeader(code int, agent, text string) {
	slog.Warn("kubernetes API warning", "code", code, "agent", agent, "text", text)
}
