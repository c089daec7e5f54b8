#!/bin/sh
# pg.sh: a PostgreSQL of the benchmark's own, in a temporary folder, on a
# free loopback port, with trust authentication for the user slogate and
# fsync on (the default: writes are measured as durable as in production).
#
#   sh bench/pg.sh start DIR DB...   initdb into DIR, start, create each DB;
#                                    prints postgresql://slogate@127.0.0.1:PORT
#   sh bench/pg.sh stop DIR          stop it and remove DIR
#   sh bench/pg.sh run DB... -- CMD [ARG...]
#                                    start in a new folder, run CMD with
#                                    SLOGATE_BENCH_PG set to the URL above,
#                                    then stop and remove it, whatever CMD
#                                    does (exit, signal); exits as CMD did
#
# PostgreSQL refuses to run as root: as root, it runs as nobody.
set -u

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
	echo "pg.sh: no PostgreSQL under /usr/lib/postgresql (scripts/deps.sh" \
	    "installs it)" >&2
	exit 1
fi

as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

# a port nothing listens on, below the kernel's range for outgoing
# connections (32768 and up by default), so no client takes it meanwhile
free_port() {
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % 12000 + 20000 ))
		if ! ss -Htln "sport = :$p" | grep -q .; then
			echo "$p"
			return
		fi
	done
}

start() {
	dir=$1
	shift
	mkdir -p "$dir" && chmod 700 "$dir" || return 1
	[ "$(id -u)" = 0 ] && { chown nobody "$dir" || return 1; }
	if ! as "$bin/initdb" -D "$dir/data" -U slogate --auth=trust -E UTF8 \
	    --no-instructions >"$dir/initdb.log" 2>&1; then
		echo "pg.sh: initdb failed:" >&2
		cat "$dir/initdb.log" >&2
		return 1
	fi
	# another process may take the port between the look and the start
	for try in 1 2 3 4 5; do
		port=$(free_port)
		if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
		    -o "-p $port -k '$dir' -c listen_addresses=127.0.0.1 \
		    -c fsync=on" start >"$dir/pg_ctl.out" 2>&1; then
			break
		fi
		port=
	done
	if [ -z "$port" ]; then
		echo "pg.sh: PostgreSQL did not start:" >&2
		cat "$dir/pg_ctl.out" >&2
		tail -20 "$dir/log" >&2
		return 1
	fi
	for db in "$@"; do
		"$bin/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
		    -U slogate -d postgres -c "CREATE DATABASE $db" || return 1
	done
	echo "postgresql://slogate@127.0.0.1:$port"
}

stop() {
	dir=$1
	if [ -f "$dir/data/postmaster.pid" ]; then
		as "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop \
		    >/dev/null 2>&1 ||
		    as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
		    >/dev/null 2>&1
	fi
	rm -rf "$dir"
}

run() {
	dbs=
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		dbs="$dbs $1"
		shift
	done
	[ $# -gt 1 ] || { echo "usage: pg.sh run DB... -- CMD [ARG...]" >&2; exit 64; }
	shift
	dir=$(mktemp -d "${TMPDIR:-/tmp}/slogate-bench-pg.XXXXXX") || exit 1
	trap 'stop "$dir"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	# shellcheck disable=SC2086
	url=$(start "$dir" $dbs) || exit 1
	SLOGATE_BENCH_PG=$url "$@"
	# exit runs the EXIT trap
	exit $?
}

case "${1:-}" in
start)	[ $# -ge 2 ] || exit 64; shift; start "$@" ;;
stop)	[ $# -eq 2 ] || exit 64; stop "$2" ;;
run)	shift; run "$@" ;;
*)	echo "usage: pg.sh start DIR DB... | stop DIR | run DB... -- CMD" >&2
	exit 64 ;;
esac
