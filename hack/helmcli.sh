#!/usr/bin/env bash
# The real helm CLIs the tests run: Helm 4 (to read and manage what tmtui
# makes) and Helm 3 (to make releases the way its users still do). Both are
# tools of this module (go.mod's `tool` block), at the versions go.mod
# requires, which are the only place the versions are written. Each is built
# once into <cache>/tools/helm-<version>/, under a file lock (two runs at
# once build it once), and reused while the version Go recorded in it is
# go.mod's.
#
# Built in this module, they share its compiled packages (client-go, Helm's
# own...), the one with the other: on an empty cache that is minutes less
# than building each with a go.mod of its own. (vet and the tests compile
# them with -race, which these builds do not share: Makefile.)
#
#   hack/helmcli.sh   build what is missing, print `export TMTUI_HELM_CLI=... TMTUI_HELM3_CLI=...`
#
# Use it as:  eval "$(bash hack/helmcli.sh)"   (hack/with-test-env.sh does)
# Progress goes to stderr, so only the export line reaches eval.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "helmcli.sh: $*" >&2; }

# As the sandbox's cache folder: TMTUI_CACHE_DIR, else Go's user cache folder.
cache_root() {
	if [ -n "${TMTUI_CACHE_DIR:-}" ]; then
		mkdir -p "$TMTUI_CACHE_DIR"
		(cd "$TMTUI_CACHE_DIR" && pwd)
	elif [ "$(uname)" = Darwin ]; then
		echo "$HOME/Library/Caches/tmtui"
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/tmtui"
	fi
}

# has_version BIN MODULE VERSION: BIN is MODULE's helm command at VERSION
# (Go records a tool's own module as its "mod", at go.mod's version).
has_version() {
	[ -x "$1" ] && go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" '
		$1 == "path" { cmd = ($2 == m "/cmd/helm") }
		$1 == "mod" && $2 == m { found = ($3 == v) }
		END { exit !(cmd && found) }'
}

# build MODULE: print the path of MODULE's helm, built at go.mod's version.
build() {
	local module=$1 version dir bin
	version=$(go list -m -f '{{.Version}}' "$module")
	dir=$(cache_root)/tools/helm-$version
	bin=$dir/helm
	mkdir -p "$dir"
	(
		if command -v flock >/dev/null; then flock 9; fi
		has_version "$bin" "$module" "$version" && exit 0
		say "building helm $version (a tool in go.mod) into $dir (once) ..."
		# Into a folder of its own, then renamed into place: a reader never
		# sees half a binary.
		tmp=$(mktemp -d "$dir/build-XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		GOFLAGS=-buildvcs=false go build -o "$tmp/helm" "$module/cmd/helm" >&2
		mv -f "$tmp/helm" "$bin"
		if ! has_version "$bin" "$module" "$version"; then
			say "$bin was built but is not $module's helm at $version"
			exit 1
		fi
	) 9>"$dir/.lock" || return
	echo "$bin"
}

helm4=$(build helm.sh/helm/v4)
helm3=$(build helm.sh/helm/v3)
printf 'export TMTUI_HELM_CLI=%q TMTUI_HELM3_CLI=%q\n' "$helm4" "$helm3"
