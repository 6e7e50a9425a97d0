// Command sandbox runs tmtui's local test cluster: a real Kubernetes control
// plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) with
// a simulated node (kwok), built from the Go module proxy, plus stand-ins
// for TaskMaster's backend and frontend that the pods' logs and port-forwards
// reach through the API server.
//
//	go run . build       build the control plane into the cache (once)
//	go run . up          start the sandbox, or reuse the running one
//	go run . down        stop everything the sandbox started
//	go run . status      say what runs
//	go run . stop|start  stop the control plane and start it again (for tests of reconnecting)
//	go run . kubeconfig  print the kubeconfig's path
//	go run . sweep       stop the sandboxes of runs and tests that are gone
//
// Run it from this folder (the Makefile's sandbox-* targets do).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const usage = `usage: go run . [--name NAME] [--context CONTEXT] [--node] build|up|down|status|stop|start|kubeconfig|sweep

  build       build the control plane (and with --node the node) into the cache folder (once; about ten minutes)
  up          start the sandbox (building first if needed), or reuse a running one
  down        stop every process the sandbox started and remove its run folder
  status      say what runs; exits 1 when the sandbox is not up
  stop        stop the control plane only (data, kubeconfig and stand-ins stay)
  start       start a stopped control plane again, on the same address
  kubeconfig  print the path of the sandbox's kubeconfig
  sweep       stop every sandbox whose owner process has ended (up does this too)

The cache folder is $TMTUI_CACHE_DIR, else tmtui/ under the user's cache folder.
--context names the kubeconfig's context (default: the one recorded, else NAME).
TMTUI_SANDBOX_OWNER=PID at up makes the sandbox belong to that process: once
it has ended, the next up or sweep stops the sandbox.
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, errNotRunning) {
			fmt.Fprintln(os.Stderr, "sandbox:", err)
		}
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	name := fs.String("name", DefaultName, "cluster name (its run folder's name)")
	kubeContext := fs.String("context", "", "the kubeconfig's context (default: the recorded one, else the name)")
	withNode := fs.Bool("node", false, "build, up: the real node too (kubelet, containerd) beside kwok's, Linux only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return errors.New("no command given")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	switch fs.Arg(0) {
	case "standins":
		return runStandinsCommand(ctx, fs.Args()[1:])
	case "node":
		return runNodeInit(fs.Args()[1:])
	}
	root, err := cacheRoot()
	if err != nil {
		return err
	}
	moduleDir, err := os.Getwd()
	if err != nil {
		return err
	}
	s := &sandbox{name: *name, context: *kubeContext, root: root, moduleDir: moduleDir, out: os.Stdout, withNode: *withNode}
	switch fs.Arg(0) {
	case "build":
		if err := checkModuleDir(moduleDir); err != nil {
			return err
		}
		dir, err := ensureBuilt(ctx, root, moduleDir, os.Stdout)
		if err != nil {
			return err
		}
		fmt.Printf("Control plane ready in %s\n", dir)
		if *withNode {
			if dir, err = ensureNodeBuilt(ctx, root, moduleDir, os.Stdout); err != nil {
				return err
			}
			fmt.Printf("Node ready in %s\n", dir)
		}
		return nil
	case "up":
		if err := checkModuleDir(moduleDir); err != nil {
			return err
		}
		st, err := s.Up(ctx)
		if err != nil {
			return err
		}
		fmt.Printf(`
Use it:
  export KUBECONFIG=%s
  kubectl get nodes                  # context %q, server %s
  make run                           # tmtui on it
Stop it:  make sandbox-down
`, st.Kubeconfig, st.Context, st.Server)
		return nil
	case "down":
		if err := s.Down(ctx); err != nil {
			return err
		}
		fmt.Printf("Sandbox %q is down; no process of it is left.\n", s.name)
		return nil
	case "status":
		return s.Status(ctx)
	case "stop":
		return s.Stop(ctx)
	case "start":
		return s.Start(ctx)
	case "kubeconfig":
		fmt.Println(filepath.Join(s.dir(), "kubeconfig"))
		return nil
	case "sweep":
		return sweep(ctx, root, func(f string, a ...any) { fmt.Printf(f, a...) })
	default:
		fs.Usage()
		return fmt.Errorf("unknown command %q", fs.Arg(0))
	}
}

// checkModuleDir makes sure the builds run inside this module, whose go.mod
// pins the control plane's versions.
func checkModuleDir(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.Contains(string(data), "module github.com/taskmaster-ai/tmtui/hack/sandbox") {
		return fmt.Errorf("run this from hack/sandbox (the folder with its go.mod), or use `make sandbox-up`")
	}
	return nil
}

// runStandinsCommand is the detached process `up` starts.
func runStandinsCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("standins", flag.ContinueOnError)
	be := fs.String("backend", "127.0.0.1:0", "backend stand-in address")
	fe := fs.String("frontend", "127.0.0.1:0", "frontend stand-in address")
	dir := fs.String("dir", "", "run folder (logs are written there)")
	heartbeat := fs.Duration("heartbeat", 2*time.Second, "interval of the backend's heartbeat log line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("standins: --dir is required")
	}
	return runStandins(ctx, *be, *fe, *dir, *heartbeat)
}
