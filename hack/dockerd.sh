#!/usr/bin/env bash
# A private Docker engine for tests: Debian's docker.io, on its own socket,
# with its data in a folder of its own, stopped by its pid.
#
#   hack/dockerd.sh start   install docker.io when missing, start dockerd, print `export DOCKER_HOST=...`
#   hack/dockerd.sh stop    stop that dockerd and remove its folder
#   hack/dockerd.sh env     print `export DOCKER_HOST=...` for a running one
#   hack/dockerd.sh sweep   stop the engines of runs that have ended (see below)
#
# Use it as:  eval "$(hack/dockerd.sh start)"
# Progress goes to stderr, so only the export line reaches eval.
#
# The folder is $TMTUI_DOCKERD_DIR, else ${TMPDIR:-/tmp}/tmtui-dockerd-UID.
# hack/with-test-env.sh gives each run a folder of its own,
# ${TMPDIR:-/tmp}/tmtui-dockerd-UID-run-PID, and TMTUI_DOCKERD_OWNER=PID at
# start records that the engine belongs to that process. A run that is
# killed never stops its engine: `sweep` stops every engine whose owner has
# ended, and cleans what a killed engine of no owner left behind.
#
# A killed engine leaves its pid file, socket, overlay mounts and maybe its
# containerd: a pid counts only once the process is seen to be this
# folder's dockerd, and `start` clears whatever is left before it starts.
set -euo pipefail

base=${TMPDIR:-/tmp}/tmtui-dockerd-$(id -u)

use_folder() {
	state=$1
	sock=$state/docker.sock
	pidfile=$state/dockerd.pid
}
use_folder "${TMTUI_DOCKERD_DIR:-$base}"

say() { echo "dockerd.sh: $*" >&2; }

# args_of prints a process's command line, one argument a line, or fails
# when the process is gone or a zombie.
args_of() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ] || return 1
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null
}

# engine_pid prints the pid of the dockerd serving this folder. The pid file
# outlives a killed dockerd and its number may since belong to anything, so
# the pid counts only when that process is a dockerd given this pid file.
engine_pid() {
	local pid exe
	pid=$(cat "$pidfile" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[ "$(basename "${exe% (deleted)}")" = dockerd ] || return 1
	args_of "$pid" | grep -xF -- "$pidfile" >/dev/null || return 1
	echo "$pid"
}

running() { engine_pid >/dev/null; }

# leftovers prints the pids of the engine's helpers that name this folder in
# their arguments (its containerd, shims, docker-proxy): a dockerd killed
# hard leaves them running. Only these programs are ever matched, so a
# person's `tail -f` of the engine's log is left alone.
leftovers() {
	local f pid exe a
	for f in $(grep -lsF -- "$state" /proc/[0-9]*/cmdline); do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" != $$ ] || continue
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		case $(basename "${exe% (deleted)}") in
		dockerd | containerd | containerd-shim | containerd-shim-runc-v2 | runc | docker-proxy | docker-init) ;;
		*) continue ;;
		esac
		while IFS= read -r a; do
			case $a in
			"$state" | "$state"/* | *=$state/* | *://$state/*)
				echo "$pid"
				break
				;;
			esac
		done < <(args_of "$pid")
	done
}

# container_pids prints the processes of this engine's containers: they run
# in cgroups named after container ids, which the engine keeps under its
# data folder.
container_pids() {
	local ids f
	ids=$(ls "$state/data/containers" 2>/dev/null | paste -sd'|') || return 0
	[ -n "$ids" ] || return 0
	for f in $(grep -lsE "/docker/($ids)\$|docker-($ids)\.scope" /proc/[0-9]*/cgroup); do
		f=${f#/proc/}
		echo "${f%/cgroup}"
	done
}

kill_hard() {
	local pid
	for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; done
}

# clean removes what an engine that no longer runs left in this folder:
# its helpers and containers, its mounts (overlay2 layers, network
# namespaces), then the folder with its stale socket and pid file.
clean() {
	local pids mounts m
	[ -d "$state" ] || return 0
	pids=$( (leftovers; container_pids) | sort -u)
	if [ -n "$pids" ]; then
		say "stopping what a dead engine left running in $state: $(echo $pids)"
		# shellcheck disable=SC2086
		kill_hard $pids
	fi
	# Deepest first, so a mount inside another comes off before it.
	mounts=$(awk -v d="$state" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	if [ -n "$mounts" ]; then
		say "unmounting $(echo "$mounts" | wc -l) mount(s) left under $state"
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done <<<"$mounts"
	fi
	if awk -v d="$state" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		say "mounts under $state would not come off; leaving the folder in place"
		return 1
	fi
	rm -rf --one-file-system "$state"
}

install_engine() {
	command -v dockerd >/dev/null && return
	if [ "$(id -u)" != 0 ]; then
		say "dockerd is not installed and this is not root: install Debian's docker.io (sudo apt-get install docker.io), or run as root"
		exit 1
	fi
	say "installing Debian's docker.io (once) ..."
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >&2
}

# Owners are a pid and its start time: a pid alone may since name another process.
started_at() { ps -o lstart= -p "$1" 2>/dev/null | xargs; }

owner_alive() {
	local pid started
	read -r pid started <"$state/owner" 2>/dev/null || return 1
	[ -n "$pid" ] && [ "$(started_at "$pid")" = "$started" ]
}

start() {
	local pid
	if pid=$(engine_pid); then
		say "already running (pid $pid)"
		echo "export DOCKER_HOST=unix://$sock"
		return
	fi
	install_engine
	if [ "$(id -u)" != 0 ]; then
		say "dockerd needs root here (it mounts overlay filesystems): run as root"
		exit 1
	fi
	# Until this engine answers, a sweep could take its folder for a dead
	# engine's: starts and sweeps take turns (a start holds it seconds).
	exec 8>"$base.lock"
	flock 8
	clean
	# The folder appears with its owner record already inside, so a sweep
	# never takes a starting engine for one whose owner is gone.
	local tmp
	tmp=$(mktemp -d "$state.new.XXXXXX")
	if [ -n "${TMTUI_DOCKERD_OWNER:-}" ]; then
		echo "$TMTUI_DOCKERD_OWNER $(started_at "$TMTUI_DOCKERD_OWNER")" >"$tmp/owner"
	fi
	mv -T "$tmp" "$state"
	say "starting dockerd on unix://$sock (data in $state) ..."
	# No bridge and no iptables: tests need no container network, and the
	# machine's firewall is not ours to change.
	dockerd --data-root "$state/data" --exec-root "$state/exec" \
		-H "unix://$sock" --pidfile "$pidfile" \
		--bridge=none --iptables=false --ip-masq=false \
		>"$state/dockerd.log" 2>&1 </dev/null 8>&- &
	pid=$!
	# Wait for an answer while dockerd lives, with a deadline for a hung one;
	# a loaded machine can take a while.
	local deadline=$((SECONDS + 120))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		if [ -S "$sock" ] && DOCKER_HOST=unix://$sock docker version >/dev/null 2>&1; then
			say "ready (pid $pid)"
			echo "export DOCKER_HOST=unix://$sock"
			return
		fi
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "dockerd did not answer within 120 s; its log:"
	else
		say "dockerd exited; its log:"
	fi
	tail -20 "$state/dockerd.log" >&2 || true
	stop
	exit 1
}

stop() {
	local pid
	if pid=$(engine_pid); then
		kill "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
		say "stopped (pid $pid)"
	fi
	clean
}

# sweep stops the engine of every run whose owner has ended, and cleans
# the folder of an engine of no owner that no longer runs. It never runs
# beside another sweep or a start.
sweep() {
	local d
	exec 8>"$base.lock"
	flock 8
	for d in "$base" "$base"-run-*; do
		[ -d "$d" ] || continue
		use_folder "$d"
		if [ -f "$d/owner" ]; then
			owner_alive && continue
			say "the engine in $d belongs to process $(cut -d' ' -f1 "$d/owner"), which is gone: stopping it"
			stop
		elif ! running; then
			clean
		fi
	done
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env) running && echo "export DOCKER_HOST=unix://$sock" ;;
sweep) sweep ;;
*)
	echo "usage: hack/dockerd.sh start|stop|env|sweep" >&2
	exit 2
	;;
esac
