// Command tmtui is a terminal UI for deploying the Taskmaster app to a local
// Kubernetes cluster. main only wires things up: flags -> settings ->
// services -> program. Everything else lives in internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/logging"
	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit code: 0 on success, 1 when the program fails, 2 for a
// bad command line, 130 when interrupted by a signal (as shells report it).
func run(args []string, stdout, stderr io.Writer) int {
	s, err := parseArgs(args, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "tmtui: %v (run 'tmtui --help' for usage)\n", err)
		return 2
	}
	switch {
	case s.help:
		fmt.Fprint(stdout, s.usage)
		return 0
	case s.version:
		fmt.Fprintln(stdout, version.String())
		return 0
	}

	// Logs go to a file from here on, whatever the command: never onto the
	// terminal the UI draws on, nor into doctor's table.
	logFile, err := logging.Setup(s.logFile)
	if err != nil {
		fmt.Fprintf(stderr, "tmtui: %v\n", err)
		return 1
	}
	defer logFile.Close()
	if s.doctor {
		return doctor(context.Background(), s.connect, s.doctorOpts, stdout)
	}

	err = runUI(s)
	switch {
	case errors.Is(err, tea.ErrInterrupted):
		return 130
	case err != nil:
		fmt.Fprintf(stderr, "tmtui: %v\n", err)
		return 1
	}
	return 0
}

func runUI(s settings) error {
	slog.Info("starting", "version", version.String(), "kubeconfig", s.connect.Kubeconfig, "context", s.connect.Context)

	model := ui.New(ui.Options{
		Connect: connector(s.connect),
		Context: s.connect.TargetContext(),
		NoColor: s.noColor,
	})
	var opts []tea.ProgramOption
	if s.noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if _, err := tea.NewProgram(model, opts...).Run(); err != nil {
		slog.Error("program failed", "err", err)
		return fmt.Errorf("the terminal UI failed: %w", err)
	}
	slog.Info("quit")
	return nil
}

// connector adapts the engine to the UI, which knows nothing of client-go.
func connector(o k8s.ConnectOptions) ui.ConnectFunc {
	return func(ctx context.Context) (ui.ClusterInfo, error) {
		_, info, err := k8s.Connect(ctx, o)
		return ui.ClusterInfo(info), err
	}
}
