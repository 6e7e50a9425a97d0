package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
	"github.com/taskmaster-ai/tmtui/internal/preflight"
)

// settings is everything the command line and environment decide.
type settings struct {
	connect    k8s.ConnectOptions
	release    string // the Helm release; "" means preflight.DefaultRelease
	logFile    string
	noColor    bool
	readOnly   bool
	mouse      bool
	noWizard   bool          // --no-wizard: the wizard opens only on W or tmtui setup
	timeout    time.Duration // how long an install, upgrade or rollback may take to be ready
	configPath string        // the key bindings file; "" means keymap.DefaultPath
	help       bool
	version    bool // the `tmtui version` subcommand
	doctor     bool // the `tmtui doctor` subcommand
	setup      bool // the `tmtui setup` subcommand: the setup wizard
	doctorOpts doctorOptions
	usage      string
}

// parseArgs reads the command line; getenv is os.Getenv outside tests.
func parseArgs(args []string, getenv func(string) string) (settings, error) {
	var s settings
	fs := pflag.NewFlagSet("tmtui", pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run, in our words
	fs.SortFlags = false
	fs.StringVar(&s.connect.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&s.connect.Context, "context", "", "kubeconfig context (default: the current context)")
	fs.StringVarP(&s.connect.Namespace, "namespace", "n", "",
		fmt.Sprintf("namespace of the app (default: the context's, else %q)", k8s.DefaultNamespace))
	fs.StringVar(&s.release, "release", "", fmt.Sprintf("the Helm release of the app (default %q)", preflight.DefaultRelease))
	fs.StringVar(&s.logFile, "log-file", "", "write logs here (default: tmtui/tmtui.log in the user cache directory)")
	fs.BoolVar(&s.noColor, "no-color", false, "draw without colour (also: NO_COLOR=1)")
	fs.BoolVar(&s.readOnly, "readonly", false, "look, never change: hide every key that scales, restarts, deletes or deploys")
	fs.DurationVar(&s.timeout, "timeout", helm.DefaultTimeout, "how long an install, upgrade or rollback may wait for its pods to be ready before Helm undoes it")
	fs.BoolVar(&s.noWizard, "no-wizard", false, "do not open the setup wizard by itself on a namespace where nothing of the app is yet (W and tmtui setup still open it)")
	fs.BoolVar(&s.mouse, "mouse", false, "use the mouse: click to focus a pane and select a row, wheel to scroll (the terminal then selects text only with shift held)")
	fs.StringVar(&s.configPath, "config", "", "config file with key bindings (default: tmtui/config.yaml in the user config directory)")
	addDoctorFlags(fs, &s.doctorOpts)
	fs.BoolVarP(&s.help, "help", "h", false, "show this help")
	s.usage = usageHeader + fs.FlagUsages()

	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.timeout < 10*time.Second || s.timeout > time.Hour {
		return s, fmt.Errorf("--timeout %s: give a duration from 10s to 1h, e.g. --timeout 5m", s.timeout)
	}
	// A namespace that can never exist is refused before anything is asked
	// of the cluster.
	if s.connect.Namespace != "" {
		if err := k8s.ValidateNamespaceName(s.connect.Namespace); err != nil {
			return s, err
		}
	}
	switch rest := fs.Args(); {
	case len(rest) == 1 && rest[0] == "version":
		s.version = true
	case len(rest) == 1 && rest[0] == "doctor":
		s.doctor = true
	case len(rest) == 1 && rest[0] == "setup":
		s.setup = true
	case len(rest) > 0:
		return s, fmt.Errorf("unknown command %q", rest[0])
	}
	// https://no-color.org: any non-empty value turns colour off.
	if getenv("NO_COLOR") != "" {
		s.noColor = true
	}
	return s, nil
}

const usageHeader = `tmtui deploys the Taskmaster app to a local Kubernetes cluster.

Usage:
  tmtui [flags]     start the terminal UI
  tmtui doctor      check cluster, context, namespace, secret, release, images, ports and
                    permissions; print them as a table; exit 1 when a check fails,
                    3 when no cluster answers
  tmtui setup       the first-time setup wizard (preflight, namespace, secrets, images,
                    install, health); with ACCESSIBLE=1 as plain line prompts
  tmtui version     print the version and exit

Flags:
`
