#!/usr/bin/env bash
# bench/payroll.sh - payroll generation at province scale (issue 6): a roll of
# PAYROLL_HOUSEHOLDS (default 2,000,000) recipient households over Chongqing's
# 38 districts and counties (bench/payroll_roll.sql: 10 % tekun persons with
# basic + care lines, 2.2 payment lines per 2 households), into a fresh SQLite
# store and a fresh PostgreSQL 15 server (tests/pg.sh, durable settings).
# For each: the first generation of a month for the whole province (76
# county batches), the same again (nothing to write), and again after 1 % of
# the lines changed (adjustment batches). Prints wall time, payment lines per
# second and the peak RSS of doudi; a smaller roll first shows the memory does
# not grow with the roll. Target (issue 6): at most 60 s per generation.
# PAYROLL_BACKENDS (default "sqlite postgresql") picks the backends.
set -eu
cd "$(dirname "$0")/.."
N=${PAYROLL_HOUSEHOLDS:-2000000}
DOUDI=${DOUDI:-build/doudi}
SMALL=${PAYROLL_SMALL:-200000}
data=${BENCH_DIR:-build/bench}
mkdir -p "$data"
printf 'bench-password-2026\n' >"$data/pw"
export data N SMALL DOUDI

# step LABEL LIMIT_S CMD…: wall time, lines/s (from doudi's summary), peak RSS
step() {
	local label=$1 limit=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$data/time" "$@" >"$data/step.out" 2>"$data/step.err" || {
		cat "$data/step.err" >&2
		return 1
	}
	read -r secs kb <"$data/time"
	local lines verdict=""
	lines=$(tail -1 "$data/step.out" | sed -n 's/.*"payments":\([0-9]*\).*/\1/p')
	anon=$(tail -1 "$data/step.out" | sed -n 's/.*"rss_anon_kb":\([0-9]*\).*/\1/p')
	if [ "$limit" -gt 0 ]; then
		if python3 -c "import sys; sys.exit(0 if $secs <= $limit else 1)"; then verdict=" (target ≤ $limit s: met)"; else verdict=" (target ≤ $limit s: NOT met)"; fi
	fi
	echo "$label: $secs s wall, ${lines:-0} payment lines ($(python3 -c "print(f'{${lines:-0}/max($secs,1e-9):,.0f}')")/s), peak RSS $((kb / 1024)) MB (the store's mapped file and page cache included), anonymous memory at the end $((${anon:-0} / 1024)) MB$verdict"
}

sqlf() { # sqlf DB FILE
	case "$1" in
	postgres*) /usr/lib/postgresql/15/bin/psql "$1" -qAt -v ON_ERROR_STOP=1 -f "$2" >/dev/null ;;
	*) sqlite3 "$1" <"$2" ;;
	esac
}
sqlq() {
	case "$1" in
	postgres*) /usr/lib/postgresql/15/bin/psql "$1" -qAt -v ON_ERROR_STOP=1 -c "$2" ;;
	*) sqlite3 "$1" "$2" ;;
	esac
}

run_backend() { # run_backend NAME DB HOUSEHOLDS
	local name=$1 db=$2 n=$3
	"$DOUDI" init --db "$db" --admin-password-file "$data/pw" >/dev/null
	sed "s/@N@/$n/" bench/payroll_roll.sql >"$data/roll.sql"
	local t0=$SECONDS
	sqlf "$db" "$data/roll.sql"
	echo "$name roll of $n households loaded in $((SECONDS - t0)) s"
	step "$name generate 2026-11 ($n households)" 60 "$DOUDI" payroll generate --db "$db" --region 50 --period 2026-11 --quiet
	local want got
	want=$(sqlq "$db" "SELECT sum(monthly_benefit) FROM decisions")
	got=$(sqlq "$db" "SELECT sum(total_amount) FROM payroll_batches")
	[ "$want" = "$got" ] || { echo "$name: total $got, decisions $want" >&2; return 1; }
	echo "    total $(python3 -c "print(f'{$got/100:,.2f}')") yuan = the decisions' monthly sum to the fen"
	step "$name generate again (nothing changed)" 60 "$DOUDI" payroll generate --db "$db" --region 50 --period 2026-11 --quiet
	sqlq "$db" "UPDATE decision_lines SET amount = amount + 100 WHERE id % 100 = 1" >/dev/null
	step "$name generate after 1 % of lines changed" 60 "$DOUDI" payroll generate --db "$db" --region 50 --period 2026-11 --quiet
	got=$(sqlq "$db" "SELECT sum(total_amount) FROM payroll_batches")
	want=$(sqlq "$db" "SELECT sum(amount) FROM decision_lines")
	[ "$want" = "$got" ] || { echo "$name: after the changes total $got, lines $want" >&2; return 1; }
}
export -f step sqlf sqlq run_backend

BACKENDS=${PAYROLL_BACKENDS:-sqlite postgresql}
case " $BACKENDS " in *" sqlite "*)
for n in $SMALL $N; do
	rm -f "$data/payroll.db" "$data/payroll.db-wal" "$data/payroll.db-shm"
	run_backend SQLite "$data/payroll.db" "$n"
	du -m "$data/payroll.db" | awk '{print "SQLite file: " $1 " MB"}'
done
rm -f "$data/payroll.db" "$data/payroll.db-wal" "$data/payroll.db-shm"
;; esac
case " $BACKENDS " in *" postgresql "*)
# durable, with the settings docs/operations.md recommends for a province
# (shared_buffers 1 GB, max_wal_size 8 GB: a month's payroll is one
# transaction of about 2 GB of WAL, which the default 1 GB would split by
# checkpoints, each followed by full-page images)
PG_EXTRA_OPTS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c shared_buffers=1GB -c max_wal_size=8GB" \
	bash tests/pg.sh bash -c 'run_backend PostgreSQL "$DOUDI_TEST_PG" "$N"'
;; esac
