#!/usr/bin/env bash
# `make demo`: open tmtui on the cluster you have configured when it
# answers; otherwise start the local sandbox and open tmtui on that.
# Your own kubeconfig is never changed: the sandbox has its own file.
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

echo "No reachable Kubernetes cluster is configured: starting the local sandbox."
echo "(The first time, this builds a Kubernetes control plane from source: about ten minutes.)"
(cd hack/sandbox && go run . up)
kubeconfig=$(cd hack/sandbox && go run . kubeconfig)
echo
echo "Opening tmtui on the sandbox. The sandbox keeps running after you quit: make sandbox-down stops it."
sleep 1
exec "$tmtui" --kubeconfig "$kubeconfig" "$@"
