#!/usr/bin/env bash
# hack/killed-run.sh: proves that `make test` passes right after a run that
# was killed, as CI starts right after a session whose processes were all
# killed.
#
#  1. clones HEAD into a fresh temporary folder and starts `make test` there
#     as CI runs it (CI=true, no standard input);
#  2. waits until that run's sandbox (kube-apiserver) and engine (dockerd,
#     answering on its socket) are up and the test binaries named in
#     KILL_AMID all run (by default "tmtui.test", the end-to-end tests,
#     which make test runs after the other packages, and also one of their
#     tmux servers: then they are mid-way through their tmux sessions,
#     private control planes, releases and builds);
#  3. stops every process of that run at once with SIGSTOP, then SIGKILLs
#     them all, by pid: make, go, the tests, the sandbox, the engine, tmux
#     servers, containers;
#  4. runs `make test` in another fresh clone and reports green or red, with
#     the time of each stage.
#
# It kills only processes it started: the first run is started under a
# process of this script's that is made a child subreaper, so everything
# the run starts stays below it, even what detaches itself (the sandbox's
# control plane, dockerd, tmux servers), and nothing else is.
#
# Uncommitted changes are not part of HEAD, so not part of the proof.
# Takes about two `make test` runs. Logs stay in the folder it prints.
set -euo pipefail

top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$top" rev-parse HEAD)
work=$(mktemp -d "${TMPDIR:-/tmp}/tmtui-killed-run.XXXXXX")
say() { echo "killed-run: $*" >&2; }
stamp() { date -u +%H:%M:%S; }

say "HEAD $(git -C "$top" log -1 --format='%h %s' | cut -c1-70); work folder $work"
if [ -n "$(git -C "$top" status --porcelain)" ]; then
	say "note: uncommitted changes are not part of the proof (HEAD is cloned)"
fi

# descendants prints every process below pid $1, parents before children.
descendants() {
	ps -e -o pid= -o ppid= | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(kids[root], q, " ")
			for (i = 1; i <= n; i++) {
				print q[i]
				m = split(kids[q[i]], more, " ")
				for (j = 1; j <= m; j++) q[++n] = more[j]
			}
		}'
}

comm_of() { cat "/proc/$1/comm" 2>/dev/null; }

clone() {
	git clone -q --no-hardlinks "$top" "$1"
	git -C "$1" checkout -q --detach "$commit"
}

# --- stage 1: make test, killed once everything runs -----------------------
clone "$work/first"
# PR_SET_CHILD_SUBREAPER (36) by prctl's system call number, then the run;
# perl is part of every Debian system, and no tool of this machine sets it.
case $(uname -m) in
x86_64) prctl=157 ;;
aarch64) prctl=167 ;;
*)
	say "unsupported machine $(uname -m): prctl's number is unknown here"
	exit 2
	;;
esac
first_start=$SECONDS
say "$(stamp) stage 1: make test in $work/first (log: $work/first.log)"
(cd "$work/first" && exec perl -e 'syscall('"$prctl"', 36, 1, 0, 0, 0) == 0 or die "prctl: $!\n"; exec @ARGV or die "exec: $!\n"' \
	bash -c 'CI=true make test; echo "make test exited $?"' </dev/null >"$work/first.log" 2>&1) &
root=$!

# What "everything runs" means: the sandbox's API server, an engine that
# answers on its socket, and a test binary of go test. Checked on what the
# processes are, once a second, until they are all there.
deadline=$((SECONDS + 3600))
want_tests=${KILL_AMID:-tmtui.test}
want_tmux=yes
[ -n "${KILL_AMID:-}" ] && want_tmux=
apiserver= dockerd= tests= tmux=
while :; do
	if ! kill -0 "$root" 2>/dev/null; then
		say "stage 1 ended before the sandbox, the engine and the tests were all up; the end of its log:"
		tail -30 "$work/first.log" >&2
		exit 2
	fi
	apiserver= dockerd= tests= tmux=
	for pid in $(descendants "$root"); do
		case $(comm_of "$pid") in
		kube-apiserver) apiserver=$pid ;;
		"tmux: server") tmux=$pid ;;
		dockerd)
			sock=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n 's|^unix://||p') || true
			sock=${sock%%$'\n'*}
			if [ -n "$sock" ] && [ -S "$sock" ] && DOCKER_HOST=unix://$sock docker version >/dev/null 2>&1; then
				dockerd=$pid
			fi
			;;
		*.test) tests="$tests $(comm_of "$pid")" ;;
		esac
	done
	all_tests=1
	for w in $want_tests; do
		case " $tests " in *" $w "*) ;; *) all_tests= ;; esac
	done
	[ -n "$apiserver" ] && [ -n "$dockerd" ] && [ -n "$tests" ] && [ -n "$all_tests" ] &&
		{ [ -z "$want_tmux" ] || [ -n "$tmux" ]; } && break
	if [ $SECONDS -gt $deadline ]; then
		say "the sandbox, the engine and the tests were not all up within an hour"
		exit 2
	fi
	sleep 1
done
say "$(stamp) up after $((SECONDS - first_start)) s: kube-apiserver $apiserver, dockerd $dockerd, tests:$tests${tmux:+, a tmux server $tmux}"

# Stop them all first, until no new process appears (a stopped process
# cannot start another), then kill them all at once.
victims=" $root "
while :; do
	new=
	for pid in $(descendants "$root"); do
		case $victims in *" $pid "*) continue ;; esac
		new="$new $pid"
		victims="$victims$pid "
	done
	kill -STOP "$root" 2>/dev/null || true
	[ -z "$new" ] && break
	# shellcheck disable=SC2086
	kill -STOP $new 2>/dev/null || true
done
names=$(for pid in $victims; do comm_of "$pid"; done | sort | uniq -c | awk '{ printf "%s%s×%s", sep, $2, $1; sep = ", " }')
# shellcheck disable=SC2086
kill -KILL $victims 2>/dev/null || true
wait "$root" 2>/dev/null || true
for pid in $victims; do
	# SIGKILL takes effect at once, but the exit itself can lag a moment.
	gone_by=$((SECONDS + 30))
	while [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
		if [ $SECONDS -gt $gone_by ]; then
			say "process $pid ($(comm_of "$pid")) survived SIGKILL"
			exit 2
		fi
		sleep 0.1
	done
done
say "$(stamp) killed $(echo $victims | wc -w) processes with SIGKILL: $names"

left_sandboxes=$(ls -d "${TMTUI_CACHE_DIR:-$HOME/.cache/tmtui}"/sandbox/run/*/ 2>/dev/null | wc -l)
left_mounts=$(grep -c "tmtui-dockerd" /proc/self/mountinfo || true)
say "left behind: $left_sandboxes sandbox run folder(s), $left_mounts engine mount(s)"

# --- stage 2: make test in another fresh clone -----------------------------
clone "$work/second"
second_start=$SECONDS
say "$(stamp) stage 2: make test in $work/second (log: $work/second.log)"
rc=0
(cd "$work/second" && CI=true make test) </dev/null >"$work/second.log" 2>&1 || rc=$?
second_time=$((SECONDS - second_start))
rm -rf "$work/first" "$work/second"
if [ $rc = 0 ]; then
	say "$(stamp) GREEN: make test passed right after a killed run, in $((second_time / 60)) min $((second_time % 60)) s (stage 1 ran $((second_start - first_start)) s before it; logs in $work)"
else
	say "$(stamp) RED: make test exited $rc right after a killed run, after $((second_time / 60)) min $((second_time % 60)) s; the end of its log ($work/second.log):"
	tail -40 "$work/second.log" >&2
fi
exit $rc
