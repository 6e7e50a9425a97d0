// Command tmtui is a terminal UI for deploying the Taskmaster app to a local
// Kubernetes cluster. main only wires things up: flags -> settings ->
// services -> program. Everything else lives in internal/.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/taskmaster-ai/tmtui/internal/crash"
	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/logging"
	"github.com/taskmaster-ai/tmtui/internal/ui"
	"github.com/taskmaster-ai/tmtui/internal/ui/common"
	"github.com/taskmaster-ai/tmtui/internal/ui/dialog/wizard"
	"github.com/taskmaster-ai/tmtui/internal/ui/keymap"
	"github.com/taskmaster-ai/tmtui/internal/version"
)

func main() {
	defer crash.Start().Recover() // a panic: crash file, terminal restored, one line; SIGINT/SIGTERM: 130/143
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
		return doctor(context.Background(), s.connect, s.release, s.doctorOpts, stdout)
	}

	keys, err := loadKeys(s.configPath)
	if err != nil {
		fmt.Fprintf(stderr, "tmtui: %v\n", err)
		return 2
	}

	// ACCESSIBLE=1: the setup wizard as plain line prompts, for `tmtui
	// setup`, and before the UI when nothing is installed yet.
	if accessibleRequested(os.Getenv) && !s.readOnly && (s.setup || (!s.noWizard && releaseMissing(s.connect, s.release))) {
		svc := newWizardService(s.connect, s.release, "")
		code := accessibleSetup(context.Background(), svc, s.connect.Namespace, os.Stdin, stdout)
		if s.setup || code != 0 {
			return code
		}
	}

	err = runUI(s, keys)
	switch {
	case errors.Is(err, tea.ErrInterrupted):
		return 130
	case err != nil:
		fmt.Fprintf(stderr, "tmtui: %v\n", err)
		return 1
	}
	return 0
}

// loadKeys reads the key bindings; a mistake in the file stops tmtui before
// the screen is taken, with the file, line and what to change.
func loadKeys(path string) (common.Overrides, error) {
	if path == "" {
		p, err := keymap.DefaultPath()
		if err != nil {
			return nil, nil // no config directory: the defaults serve
		}
		path = p
	}
	keys, err := ui.LoadKeys(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return keys, nil
}

func runUI(s settings, keys common.Overrides) error {
	slog.Info("starting", "version", version.String(), "kubeconfig", s.connect.Kubeconfig, "context", s.connect.Context)

	appDir, _ := os.Getwd()
	connectTo := func(kubeContext, namespace string) ui.ConnectFunc {
		o := s.connect
		o.Context, o.Namespace = cmp.Or(kubeContext, o.Context), cmp.Or(namespace, o.Namespace)
		return connector(o, wiring{release: s.release, helm: helmServices(o, s.timeout)})
	}
	var wizardSvc wizard.Service
	if !s.readOnly {
		wizardSvc = newWizardService(s.connect, s.release, "")
	}
	model := ui.New(ui.Options{
		Connect:      connectTo("", ""),
		ConnectTo:    connectTo,
		Wizard:       wizardSvc,
		OpenWizard:   s.setup,
		NoAutoWizard: s.noWizard,
		AppDir:       appDir,
		Images:       newImagesService("").rememberingIn(s.configPath),
		Release:      s.release,
		Context:      s.connect.TargetContext(),
		NoColor:      s.noColor,
		ReadOnly:     s.readOnly,
		Keys:         keys,
		OpenURL:      openURL,
		Mouse:        s.mouse,
		// The engine's wait, and a margin for Helm to undo a failure.
		OperationTimeout: s.timeout + 2*time.Minute,
	})
	var opts []tea.ProgramOption
	if s.noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if _, err := crash.NewProgram(model, opts...).Run(); err != nil {
		slog.Error("program failed", "err", err)
		return fmt.Errorf("the terminal UI failed: %w", err)
	}
	slog.Info("quit")
	return nil
}

// releaseMissing says whether the release is surely not installed (a
// cluster that does not answer says nothing: the UI explains that).
func releaseMissing(o k8s.ConnectOptions, release string) bool {
	hc, err := helm.New(helm.Options{Connection: o, ReleaseName: release, Logger: slog.Default()})
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err = hc.Status(ctx)
	return errors.Is(err, helm.ErrNotInstalled)
}
