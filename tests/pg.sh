#!/usr/bin/env bash
# tests/pg.sh CMD [ARGS…] - runs CMD against a throwaway PostgreSQL server.
#
# initdb in a fresh temporary directory, the server listening only on its own
# unix socket in that directory (a free port number names the socket), trust
# authentication, one database; exports DOUDI_TEST_PG (a libpq URI) and
# DOUDI_TEST_PG_ADMIN (the same server's "postgres" database, for creating
# more databases), runs CMD, and always stops the server and removes the
# directory, exiting with CMD's status. As root, the server runs as the
# `postgres` system user (initdb refuses root).
set -u
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ $# -eq 0 ]; then
	echo "usage: tests/pg.sh CMD [ARGS...]" >&2
	exit 2
fi
if [ ! -x "$PGBIN/initdb" ]; then
	echo "pg.sh: PostgreSQL 15 server binaries not found in $PGBIN (apt-get install postgresql)" >&2
	exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/doudi-pg.XXXXXX") || exit 2
as_pg=()
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "pg.sh: running as root needs the 'postgres' system user" >&2
		rm -rf "$dir"
		exit 2
	fi
	chown postgres: "$dir"
	as_pg=(runuser -u postgres --)
fi

started=0
cleanup() {
	if [ $started = 1 ]; then
		"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a port nobody listens on (it also names the socket file)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$dir/sock" && { [ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir/sock"; }

if ! "${as_pg[@]}" "$PGBIN/initdb" -D "$dir/data" -U doudi -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
	>"$dir/initdb.log" 2>&1; then
	echo "pg.sh: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 2
fi
opts="-c listen_addresses='' -c unix_socket_directories='$dir/sock' -p $port -c fsync=off"
opts="$opts -c synchronous_commit=off -c full_page_writes=off -c max_connections=50 ${PG_EXTRA_OPTS:-}"
if ! "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start >/dev/null; then
	echo "pg.sh: the server did not start:" >&2
	cat "$dir/server.log" >&2
	exit 2
fi
started=1
if ! "$PGBIN/psql" -h "$dir/sock" -p "$port" -U doudi -d postgres -qAt -c "CREATE DATABASE doudi_test" >/dev/null; then
	echo "pg.sh: CREATE DATABASE failed" >&2
	exit 2
fi
export DOUDI_TEST_PG="postgresql://doudi@/doudi_test?host=$dir/sock&port=$port"
export DOUDI_TEST_PG_ADMIN="postgresql://doudi@/postgres?host=$dir/sock&port=$port"
export PGBIN

"$@"
rc=$?
exit $rc
