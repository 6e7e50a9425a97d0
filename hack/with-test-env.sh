#!/usr/bin/env bash
# Runs a command (go test) with the real things the integration tests use:
# the sandbox cluster and a private Docker engine. Starts each one unless it
# already runs, hands it over in TMTUI_SANDBOX_STATE and DOCKER_HOST, and
# stops afterwards exactly what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

# The real helm CLIs (Helm 4 and Helm 3) the tests run: built once into the
# cache before any test's clock starts, handed over in TMTUI_HELM_CLI and
# TMTUI_HELM3_CLI.
helm_env=$(bash hack/helmcli.sh)
eval "$helm_env"

sandbox() { (cd hack/sandbox && go run . "$@"); }

started_sandbox=
started_docker=
cleanup() {
	rc=$?
	if [ -n "$started_docker" ]; then bash hack/dockerd.sh stop || rc=1; fi
	if [ -n "$started_sandbox" ]; then sandbox down || rc=1; fi
	exit $rc
}
trap cleanup EXIT

if ! sandbox status >/dev/null 2>&1; then
	started_sandbox=1
	sandbox up
fi
TMTUI_SANDBOX_STATE=$(dirname "$(sandbox kubeconfig)")/sandbox.json
export TMTUI_SANDBOX_STATE

if ! env_line=$(bash hack/dockerd.sh env) || [ -z "$env_line" ]; then
	started_docker=1
	env_line=$(bash hack/dockerd.sh start)
fi
eval "$env_line"
export DOCKER_HOST

"$@"
