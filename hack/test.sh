#!/usr/bin/env bash
# make test: each stage in order (formatting, vet, the Go tests with the
# sandbox and a private Docker engine, the sandbox tool's own tests, the
# cross-builds), its output shown as it runs and kept, then a short summary:
# each stage's and each package's time and, for a failure, the failing
# test's name with its first lines. It stops at the first failing stage, as
# make would.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d "${TMPDIR:-/tmp}/tmtui-test-logs.XXXXXX")
trap 'rm -rf "$logs"' EXIT

rc=0
for stage in fmt-check vet test-go test-sandbox cross; do
	start=$SECONDS
	echo "==== make test: $stage ===="
	make --no-print-directory "$stage" 2>&1 | tee "$logs/$stage.log"
	rc=${PIPESTATUS[0]}
	echo "$stage $((SECONDS - start)) $rc" >>"$logs/stages"
	[ "$rc" = 0 ] || break
done

echo
go run ./hack/testsummary -stages "$logs/stages" "$logs"/*.log || true
exit "$rc"
