#!/usr/bin/env bash
# make bench, the store part (issue 3): import and export of 1,000,000
# persons (IMPORT.md CSV, about 346,000 households, seed 20261123) into a
# fresh SQLite store and into a fresh PostgreSQL 15 server (tests/pg.sh,
# here with fsync and synchronous commit ON, as in production); persons/s
# and peak RSS of each step, then the re-import of the same file (nothing
# new: every household unchanged).
set -euo pipefail
cd "$(dirname "$0")/.."
P=${BENCH_IMPORT_PERSONS:-1000000}
data=build/bench
mkdir -p "$data"
csv="$data/import$P.csv"
if [ ! -s "$csv" ]; then
	echo "generating an import file of $P persons…"
	python3 bench/gen_import_csv.py --seed 20261123 --persons "$P" --out "$csv" --quiet
fi
echo "import data: $P persons, $(($(wc -l <"$csv") - 1)) rows, $(du -m "$csv" | cut -f1) MB (rows of a household together, households in random region order)"
printf 'bench-password-2026\n' >"$data/pw"

# step LABEL TARGET_PER_S CMD…: runs CMD, prints wall time, persons/s, peak RSS
step() {
	local label=$1 target=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$data/time" "$@" >"$data/step.out" 2>"$data/step.err" || {
		cat "$data/step.err" >&2
		return 1
	}
	read -r secs kb <"$data/time"
	local rate
	rate=$(python3 -c "print(f'{$P/max($secs,1e-9):,.0f}')")
	local verdict=""
	if [ "$target" -gt 0 ]; then
		if python3 -c "import sys; sys.exit(0 if $P/max($secs,1e-9) >= $target else 1)"; then verdict=" (target $target/s: met)"; else verdict=" (target $target/s: NOT met)"; fi
	fi
	echo "$label: $secs s wall, $rate persons/s, peak RSS $((kb / 1024)) MB$verdict"
}

run_backend() { # run_backend NAME DB TARGET
	local name=$1 db=$2 target=$3
	build/doudi init --db "$db" --admin-password-file "$data/pw" >/dev/null
	step "$name import $P persons" "$target" build/doudi import households --db "$db" "$csv"
	echo "    $(tail -1 "$data/step.out")"
	step "$name re-import (all unchanged)" 0 build/doudi import households --db "$db" "$csv"
	step "$name export $P persons" 0 build/doudi export households --db "$db" "$data/export.csv"
	[ "$(($(wc -l <"$data/export.csv") - 1))" = "$P" ] || { echo "export row count wrong" >&2; return 1; }
	/usr/bin/time -f "%e %M" -o "$data/time" build/doudi audit verify --db "$db" >"$data/step.out"
	read -r secs kb <"$data/time"
	echo "$name audit verify: $secs s, $(cat "$data/step.out" | cut -c1-60)"
}
export -f step run_backend
export P data csv

rm -rf "$data/store.db" "$data/store.db-wal" "$data/store.db-shm"
run_backend SQLite "$data/store.db" 100000
du -m "$data/store.db" | awk '{print "SQLite file: " $1 " MB"}'
# what SQLite alone needs to store the same rows with this schema (no file,
# no parsing): the ceiling of any import into it on this machine
bash bench/sqlite_floor.sh "$data/store.db" "$P"
rm -f "$data/store.db" "$data/store.db-wal" "$data/store.db-shm"

PG_EXTRA_OPTS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" \
	bash tests/pg.sh bash -c 'run_backend PostgreSQL "$DOUDI_TEST_PG" 50000'
