// Package version reports which build of tmtui is running.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release tmtui was built as. Release builds set it with
//
//	-ldflags "-X github.com/taskmaster-ai/tmtui/internal/version.Version=v0.1.0"
//
// Otherwise it falls back to the module version that `go install module@version`
// records in the binary, and to "dev" for a plain `go build` from a checkout.
var Version string

func init() {
	info, ok := debug.ReadBuildInfo()
	Version = resolve(Version, info, ok)
}

func resolve(linked string, info *debug.BuildInfo, ok bool) string {
	if linked != "" {
		return linked
	}
	// A checkout built with `go build` reports "(devel)", which means nothing to a user.
	if ok && info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// String is the line `tmtui version` prints, e.g. "tmtui dev (go1.26.8 linux/amd64)".
func String() string {
	return fmt.Sprintf("tmtui %s (%s %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
