#!/usr/bin/env bash
# The real helm CLIs the tests run: Helm 4 (to read and manage what tmtui
# makes) and Helm 3 (to make releases the way its users still do). Each is
# built once from the module proxy into <cache>/tools/helm-<version>/, under
# a file lock (two runs at once build it once), and reused while the module
# version Go recorded in it is the one below. These two lines are the only
# place the versions are written.
#
#   hack/helmcli.sh   build what is missing, print `export TMTUI_HELM_CLI=... TMTUI_HELM3_CLI=...`
#
# Use it as:  eval "$(bash hack/helmcli.sh)"   (hack/with-test-env.sh does)
# Progress goes to stderr, so only the export line reaches eval.
set -euo pipefail

HELM4_VERSION=v4.3.1
HELM3_VERSION=v3.22.0

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

# has_version BIN MODULE VERSION: BIN was built from MODULE at VERSION
# (helm's own `version` prints only v4.3 when built with go install).
has_version() {
	[ -x "$1" ] && go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" '$1 == "mod" && $2 == m { found = ($3 == v) } END { exit !found }'
}

# build MODULE VERSION: print the path of helm built from MODULE at VERSION.
build() {
	local module=$1 version=$2 dir bin
	dir=$(cache_root)/tools/helm-$version
	bin=$dir/helm
	mkdir -p "$dir"
	(
		if command -v flock >/dev/null; then flock 9; fi
		has_version "$bin" "$module" "$version" && exit 0
		say "building helm $version from the module proxy into $dir (once; a minute or two) ..."
		# Into a folder of its own, then renamed into place: a reader never
		# sees half a binary.
		tmp=$(mktemp -d "$dir/build-XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		GOBIN=$tmp GOFLAGS=-buildvcs=false GOWORK=off go install "$module/cmd/helm@$version" >&2
		mv -f "$tmp/helm" "$bin"
		if ! has_version "$bin" "$module" "$version"; then
			say "$bin was built but is not $module $version"
			exit 1
		fi
	) 9>"$dir/.lock"
	echo "$bin"
}

helm4=$(build helm.sh/helm/v4 "$HELM4_VERSION")
helm3=$(build helm.sh/helm/v3 "$HELM3_VERSION")
printf 'export TMTUI_HELM_CLI=%q TMTUI_HELM3_CLI=%q\n' "$helm4" "$helm3"
