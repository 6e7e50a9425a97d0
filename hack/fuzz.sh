#!/usr/bin/env bash
# Runs every fuzz target for a while, one after another (go test can fuzz only
# one target at a time). Usage: hack/fuzz.sh [duration]   (default 1m)
# A failure leaves its input under the package's testdata/fuzz/<Target>/;
# commit it, and it becomes a seed that every `go test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-1m}"
targets=(
  "./internal/k8s FuzzValidateDatabaseURL"
  "./internal/k8s FuzzValidateAPIKey"
  "./internal/k8s FuzzValidateJWTSecret"
  "./internal/k8s FuzzValidateSecretValues"
  "./internal/k8s FuzzParseLogLine"
  "./internal/k8s FuzzReadLogLines"
  "./internal/ui/keymap FuzzParse"
  "./internal/helm FuzzOverridesValues"
)

failed=0
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $name ($pkg) for $duration"
  if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$duration"; then
    echo "FAIL $name"
    failed=1
  fi
done
exit "$failed"
