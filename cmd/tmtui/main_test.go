package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/taskmaster-ai/tmtui/internal/helm"
	"github.com/taskmaster-ai/tmtui/internal/k8s"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want settings
	}{
		{nil, nil, settings{}},
		{[]string{"--kubeconfig", "/k", "--context", "c", "-n", "ns", "--log-file", "/l", "--no-color"}, nil,
			settings{connect: k8s.ConnectOptions{Kubeconfig: "/k", Context: "c", Namespace: "ns"}, logFile: "/l", noColor: true}},
		{[]string{"--namespace=other"}, nil, settings{connect: k8s.ConnectOptions{Namespace: "other"}}},
		{[]string{"--release", "demo"}, nil, settings{release: "demo"}},
		{[]string{"version"}, nil, settings{version: true}},
		{[]string{"-h"}, nil, settings{help: true}},
		{nil, map[string]string{"NO_COLOR": "1"}, settings{noColor: true}},
		{[]string{"--readonly", "--config", "/c.yaml"}, nil, settings{readOnly: true, configPath: "/c.yaml"}},
		{[]string{"--mouse", "--timeout", "90s"}, nil, settings{mouse: true, timeout: 90 * time.Second}},
	}
	for _, tt := range tests {
		got, err := parseArgs(tt.args, func(k string) string { return tt.env[k] })
		if err != nil {
			t.Errorf("parseArgs(%q): %v", tt.args, err)
			continue
		}
		got.usage = ""
		if tt.want.timeout == 0 {
			tt.want.timeout = helm.DefaultTimeout
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseArgs(%q) = %+v, want %+v", tt.args, got, tt.want)
		}
	}
}

func TestBadCommandLine(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"--kubeconfig"}, {"deploy"}, {"version", "extra"}, {"--timeout", "1s"}, {"--timeout", "soon"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
		msg := stderr.String()
		if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "tmtui: ") || !strings.Contains(msg, "tmtui --help") {
			t.Errorf("run(%q) stderr = %q, want one line with a usage hint", args, msg)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) wrote to stdout: %q", args, stdout.String())
		}
	}
}

func TestVersionCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "tmtui ") || !strings.Contains(stdout.String(), "go1.") {
		t.Errorf("stdout = %q", stdout.String())
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, flag := range []string{"--kubeconfig", "--context", "-n, --namespace", "--log-file", "--no-color", "tmtui version"} {
		if !strings.Contains(stdout.String(), flag) {
			t.Errorf("help lacks %q:\n%s", flag, stdout.String())
		}
	}
}
