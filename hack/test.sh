#!/usr/bin/env bash
# make test: each stage in order (formatting, vet, the Go tests with the
# sandbox and a private Docker engine, the sandbox tool's own tests, the
# cross-builds, which run beside test-go), its output shown as it runs and
# kept, then a short summary:
# each stage's and each package's time and, for a failure, the failing
# test's name with its first lines. It stops at the first failing stage, as
# make would.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d "${TMPDIR:-/tmp}/tmtui-test-logs.XXXXXX")

# The cross-builds compile every dependency for other systems, sharing
# nothing with the other stages. So they start with test-go, in the
# background at the lowest CPU priority, in a session of their own (to be
# stopped as one): they take only what test-go leaves idle (its tests
# mostly wait on the cluster and the screen), and the cross stage waits for
# what is left. On an empty cache that is minutes less; on a warm one they
# are two links. Where the kernel groups processes by session (autogroup,
# Debian's default), nice counts only inside the group, so the session's
# own group gets nice 19 as well.
cross_pid=
start_cross() {
	setsid bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null; start=$SECONDS; nice -n 19 make --no-print-directory cross >"$1/cross.log" 2>&1; echo "$? $((SECONDS - start))" >"$1/cross.rc"' _ "$logs" &
	cross_pid=$!
}
stop_cross() {
	if [ -n "$cross_pid" ]; then kill -- -"$cross_pid" 2>/dev/null; wait "$cross_pid" 2>/dev/null; fi
	return 0
}
trap 'stop_cross; rm -rf "$logs"' EXIT

rc=0
for stage in fmt-check vet test-go test-sandbox cross; do
	start=$SECONDS
	echo "==== make test: $stage ===="
	if [ "$stage" = cross ]; then
		echo "(started with test-go, in the background at the lowest CPU priority: waiting for it)"
		wait "$cross_pid"
		cross_pid=
		cat "$logs/cross.log"
		read -r rc took <"$logs/cross.rc" || { rc=1; took=?; }
		echo "cross: ${took} s from its start beside test-go"
	else
		[ "$stage" = test-go ] && start_cross
		make --no-print-directory "$stage" 2>&1 | tee "$logs/$stage.log"
		rc=${PIPESTATUS[0]}
	fi
	echo "$stage $((SECONDS - start)) $rc" >>"$logs/stages"
	[ "$rc" = 0 ] || break
done

echo
go run ./hack/testsummary -stages "$logs/stages" "$logs"/*.log || true
exit "$rc"
