package version

import (
	"regexp"
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	withVersion := func(v string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/taskmaster-ai/tmtui", Version: v}}
	}
	tests := []struct {
		name   string
		linked string
		info   *debug.BuildInfo
		ok     bool
		want   string
	}{
		{"linker flag wins", "v1.2.3", withVersion("v0.9.0"), true, "v1.2.3"},
		{"go install records the module version", "", withVersion("v0.9.0"), true, "v0.9.0"},
		{"checkout build", "", withVersion("(devel)"), true, "dev"},
		{"no build info", "", nil, false, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolve(tt.linked, tt.info, tt.ok); got != tt.want {
				t.Errorf("resolve() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	// Test binaries carry no module version, so the fallback shows here.
	re := regexp.MustCompile(`^tmtui \S+ \(go\S+ [a-z0-9]+/[a-z0-9]+\)$`)
	if s := String(); !re.MatchString(s) {
		t.Errorf("String() = %q, want it to match %s", s, re)
	}
}
