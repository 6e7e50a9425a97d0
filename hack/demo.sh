#!/usr/bin/env bash
# `make demo`: open tmtui on the cluster you have configured when it
# answers; otherwise start the local sandbox and open tmtui on that.
# Your own kubeconfig is never changed: the sandbox has its own file.
#
# The sandbox is the one named by SANDBOX_NAME, else the one
# TMTUI_SANDBOX_STATE describes (a test run hands over its own this way),
# else tmtui-sandbox. A running one is reused, even when slow to answer;
# one of which a process is gone is started afresh.
set -euo pipefail
cd "$(dirname "$0")/.."

tmtui=./bin/tmtui
# doctor exits 3 when no cluster answers; 0 or 1 means one does (1: a
# check failed there, which tmtui is the tool to fix).
rc=0
"$tmtui" doctor >/dev/null 2>&1 || rc=$?
if [ "$rc" != 3 ]; then
	exec "$tmtui" "$@"
fi

name=${SANDBOX_NAME:-}
if [ -n "${TMTUI_SANDBOX_STATE:-}" ]; then
	# The state file is <cache>/sandbox/run/NAME/sandbox.json.
	run_dir=$(dirname "$TMTUI_SANDBOX_STATE")
	name=${name:-$(basename "$run_dir")}
	TMTUI_CACHE_DIR=$(dirname "$(dirname "$(dirname "$run_dir")")")
	export TMTUI_CACHE_DIR
fi
name=${name:-tmtui-sandbox}

# SANDBOX_NODE is --node for a real node beside kwok's; the Makefile says
# where that can be (Linux, as root) and passes it.
SANDBOX_NODE=${SANDBOX_NODE:-}

echo "No reachable Kubernetes cluster is configured: starting the local sandbox ($name)."
echo "(The first time, this builds a Kubernetes control plane from source: about ten minutes.)"
if [ -z "$SANDBOX_NODE" ]; then
	echo "(Its pods are simulated: a real node, where the app's containers run, needs Linux and root.)"
fi
(cd hack/sandbox && go run . --name "$name" $SANDBOX_NODE up)
kubeconfig=$(cd hack/sandbox && go run . --name "$name" kubeconfig)
echo
down="make sandbox-down"
[ "$name" = tmtui-sandbox ] || down="make sandbox-down SANDBOX_NAME=$name"
echo "Opening tmtui on the sandbox. The sandbox keeps running after you quit: $down stops it."
sleep 1
exec "$tmtui" --kubeconfig "$kubeconfig" "$@"
