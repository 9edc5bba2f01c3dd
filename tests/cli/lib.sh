#!/usr/bin/env bash
# tests/cli/lib.sh - shared by the store CLI tests (sourced): the doudi binary
# ($DOUDI), a temporary directory ($tmp), the backend (SQLite, or PostgreSQL
# when DOUDI_TEST_PG is set by tests/pg.sh), fresh_db, sql, run and the
# pass/fail counters.
set -u
cd "$(dirname "$0")/../.."
DOUDI=${DOUDI:-build/doudi}
DOUDI=$(cd "$(dirname "$DOUDI")" && pwd)/$(basename "$DOUDI")
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if [ -n "${DOUDI_TEST_PG:-}" ]; then backend=pg; else backend=sqlite; fi

n=0
# fresh_db: sets DB to a new, empty store
fresh_db() {
	n=$((n + 1))
	if [ $backend = pg ]; then
		"$PGBIN/psql" "$DOUDI_TEST_PG_ADMIN" -qAt -c "CREATE DATABASE ${DB_PREFIX:-cli}_$n" >/dev/null || exit 2
		DB=${DOUDI_TEST_PG/\/doudi_test\?//${DB_PREFIX:-cli}_$n?}
	else
		DB="$tmp/db$n/doudi.db" # the directory does not exist yet: init makes it
	fi
}
# sql DB STATEMENT: plain SQL straight into the store, as a tamperer would
sql() {
	if [ $backend = pg ]; then
		"$PGBIN/psql" "$1" -qAt -v ON_ERROR_STOP=1 -c "$2"
	else
		sqlite3 "$1" "$2"
	fi
}
# run ARGS…: runs doudi, stdout in $tmp/out, stderr in $tmp/err, status in $rc
run() {
	"$DOUDI" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
expect_rc() { # expect_rc NAME WANT
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit $rc, want $2"
		sed 's/^/    /' "$tmp/out" "$tmp/err"
		return 1
	fi
	return 0
}
expect_in() { # expect_in NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok; else
		bad "$1: $(basename "$2") lacks '$3'"
		sed 's/^/    /' "$2"
	fi
}

