#!/usr/bin/env bash
# A private Docker engine for tests: Debian's docker.io, on its own socket,
# with its data in a temporary folder, stopped by its pid.
#
#   hack/dockerd.sh start   install docker.io when missing, start dockerd, print `export DOCKER_HOST=...`
#   hack/dockerd.sh stop    stop that dockerd and remove its folder
#   hack/dockerd.sh env     print `export DOCKER_HOST=...` for a running one
#
# Use it as:  eval "$(hack/dockerd.sh start)"
# Progress goes to stderr, so only the export line reaches eval.
set -euo pipefail

state=${TMTUI_DOCKERD_DIR:-${TMPDIR:-/tmp}/tmtui-dockerd-$(id -u)}
sock=$state/docker.sock
pidfile=$state/dockerd.pid

say() { echo "dockerd.sh: $*" >&2; }

running() {
	[ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
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

start() {
	if running; then
		say "already running (pid $(cat "$pidfile"))"
		echo "export DOCKER_HOST=unix://$sock"
		return
	fi
	install_engine
	if [ "$(id -u)" != 0 ]; then
		say "dockerd needs root here (it mounts overlay filesystems): run as root"
		exit 1
	fi
	mkdir -p "$state"
	say "starting dockerd on unix://$sock (data in $state) ..."
	# No bridge and no iptables: tests need no container network, and the
	# machine's firewall is not ours to change.
	dockerd --data-root "$state/data" --exec-root "$state/exec" \
		-H "unix://$sock" --pidfile "$pidfile" \
		--bridge=none --iptables=false --ip-masq=false \
		>"$state/dockerd.log" 2>&1 </dev/null &
	for _ in $(seq 1 150); do
		if [ -S "$sock" ] && DOCKER_HOST=unix://$sock docker version >/dev/null 2>&1; then
			say "ready (pid $(cat "$pidfile"))"
			echo "export DOCKER_HOST=unix://$sock"
			return
		fi
		sleep 0.2
	done
	say "dockerd did not answer within 30 s; its log:"
	tail -20 "$state/dockerd.log" >&2 || true
	stop
	exit 1
}

stop() {
	if running; then
		pid=$(cat "$pidfile")
		kill "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
		say "stopped (pid $pid)"
	fi
	if [ -d "$state" ]; then
		# overlay2 leaves mounts under the data root when killed hard.
		{ grep -o " $state/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
		rm -rf "$state"
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env) running && echo "export DOCKER_HOST=unix://$sock" ;;
*)
	echo "usage: hack/dockerd.sh start|stop|env" >&2
	exit 2
	;;
esac
