package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// alive says whether a process exists (signal 0 checks without sending).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil && !zombie(pid)
}

// zombie: an exited child not yet reaped still answers signal 0.
func zombie(pid int) bool {
	out, err := exec.Command("ps", "-o", "stat=", "-p", strconv.Itoa(pid)).Output()
	return err == nil && strings.HasPrefix(strings.TrimSpace(string(out)), "Z")
}

// stop asks a process to end, and makes it after five seconds.
func stop(pid int) {
	if !alive(pid) {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// ourCommands are the programs a sandbox runs. Only these are ever stopped
// by `down`, so a person's `tail -f` of a sandbox log is left alone.
var ourCommands = map[string]bool{
	"etcd": true, "kube-apiserver": true, "kube-controller-manager": true,
	"kube-scheduler": true, "kwok": true, "kwok-controller": true, "kwokctl": true, "standins": true,
	"node": true, // the real node's first process (nodeinit_linux.go); its end ends the rest
}

// processesMentioning lists the live sandbox processes whose command line
// names path: every process the sandbox starts is given its run folder
// somewhere in its arguments (kwokctl's components by their flags, the
// stand-ins by --dir), which is how `down` and the tests find leftovers.
// `ps` keeps this working on macOS as well as Linux.
func processesMentioning(path string) []int {
	var pids []int
	for _, p := range sandboxProcesses(path) {
		pids = append(pids, p.pid)
	}
	return pids
}

// runningCommands says which of the sandbox's programs run.
func runningCommands(path string) map[string]bool {
	running := map[string]bool{}
	for _, p := range sandboxProcesses(path) {
		running[p.command] = true
	}
	return running
}

type process struct {
	pid     int
	command string // one of ourCommands
}

func sandboxProcesses(path string) []process {
	out, err := exec.Command("ps", "-eo", "pid=,stat=,args=").Output()
	if err != nil {
		return nil
	}
	var procs []process
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(f[1], "Z") {
			continue
		}
		cmd := filepath.Base(f[2])
		if len(f) > 3 && (f[3] == "standins" || f[3] == "node") {
			cmd = f[3]
		}
		if ourCommands[cmd] && mentions(f[2:], path) {
			if pid, err := strconv.Atoi(f[0]); err == nil && pid != syscall.Getpid() {
				procs = append(procs, process{pid: pid, command: cmd})
			}
		}
	}
	return procs
}

func processName(pid int) string {
	out, err := exec.Command("ps", "-o", "comm=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// mentions says whether one of args names dir or a path inside it, alone or
// as a flag's value. Matching whole path names keeps sandbox "a" from
// claiming the processes of sandbox "a-2".
func mentions(args []string, dir string) bool {
	for _, a := range args {
		if i := strings.LastIndex(a, "="); i >= 0 && strings.HasPrefix(a, "-") {
			a = a[i+1:]
		}
		if a == dir || strings.HasPrefix(a, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
