#!/usr/bin/env bash
# Runs a command (go test) with the real things the integration tests use:
# a sandbox cluster and a private Docker engine, both of this run's own,
# handed over in SANDBOX_NAME / TMTUI_SANDBOX_STATE and DOCKER_HOST, and
# stopped afterwards.
#
# Two runs on one machine (a CI rehearsal beside a developer's run, two
# `make test` at once) never share a sandbox or an engine, so neither can
# stop the other's: each run's are named after this script's pid, and
# belong to it. A run that is killed leaves them behind; the next run
# sweeps them first (see docs/testing.md, "Runs side by side and after a
# killed run").
set -euo pipefail
cd "$(dirname "$0")/.."

# The real helm CLIs (Helm 4 and Helm 3) the tests run: built once into the
# cache before any test's clock starts, handed over in TMTUI_HELM_CLI and
# TMTUI_HELM3_CLI.
helm_env=$(bash hack/helmcli.sh)
eval "$helm_env"

sandbox() { (cd hack/sandbox && go run . "$@"); }

run=$$
SANDBOX_NAME=tmtui-run-$run
TMTUI_DOCKERD_DIR=${TMPDIR:-/tmp}/tmtui-dockerd-$(id -u)-run-$run
export SANDBOX_NAME TMTUI_DOCKERD_DIR

# tmux servers of cmd/tmtui's tests (sockets tmtui-term-*, tmtui-sec-*,
# tmtui-e2e-*) are started and ended by a running tmtui.test; when none
# runs, every such server was left by a run that was killed.
sweep_tmux() {
	local dir s
	dir=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)
	[ -d "$dir" ] || return 0
	pgrep -x tmtui.test >/dev/null && return 0
	for s in "$dir"/tmtui-term-* "$dir"/tmtui-sec-* "$dir"/tmtui-e2e-*; do
		[ -S "$s" ] || continue
		echo "with-test-env: stopping the tmux server of a killed test run ($s)" >&2
		tmux -S "$s" kill-server 2>/dev/null || true
		rm -f "$s"
	done
}

# What killed runs left: their sandboxes (the shared runs' and tests'
# private ones), their engines, their tests' tmux servers.
# A leftover that will not go is reported, and does not stop this run:
# nothing of it shares this run's names.
sandbox sweep || echo "with-test-env: sweeping sandboxes left by killed runs failed (above); going on" >&2
bash hack/dockerd.sh sweep || echo "with-test-env: sweeping engines left by killed runs failed (above); going on" >&2
sweep_tmux

started_sandbox=
started_docker=
cleanup() {
	rc=$?
	if [ -n "$started_docker" ]; then bash hack/dockerd.sh stop || rc=1; fi
	if [ -n "$started_sandbox" ]; then sandbox --name "$SANDBOX_NAME" down || rc=1; fi
	exit $rc
}
trap cleanup EXIT

# The context stays tmtui-sandbox, whatever the run's sandbox is called:
# tests and tmtui's header name it, and tmtui knows it to be local.
# Tests' private sandboxes with a real node (Linux) need its binaries:
# built here, once, before any test's clock starts.
if [ "$(uname)" = Linux ]; then sandbox --node build; fi

started_sandbox=1
TMTUI_SANDBOX_OWNER=$run sandbox --name "$SANDBOX_NAME" --context tmtui-sandbox up
TMTUI_SANDBOX_STATE=$(dirname "$(sandbox --name "$SANDBOX_NAME" kubeconfig)")/sandbox.json
export TMTUI_SANDBOX_STATE

started_docker=1
env_line=$(TMTUI_DOCKERD_OWNER=$run bash hack/dockerd.sh start)
eval "$env_line"
export DOCKER_HOST

"$@"
