#!/usr/bin/env bash
# make bench, the matching part (issue 7): a monitored population of
# BENCH_MATCH_POPULATION people (default 2,000,000, loaded into a fresh SQLite
# store with `doudi monitor register-import`) and BENCH_MATCH_ROWS dataset rows
# (default 20,000,000 over ten kinds, bench/gen_match.c), then the same joins
# three ways on the same CSV files and machine:
#   doudi match      (population from the store, 2 worker threads)
#   DuckDB           (npm @duckdb/node-api: read_csv into tables, then the
#                     queries of bench/match_rules.sql)
#   PostgreSQL 15    (tests/pg.sh server: COPY into unlogged tables, then the
#                     same queries)
# Prints wall time and peak RSS of each, the ratios, and each engine's hits per
# rule (they must agree). Also `doudi match` against a PostgreSQL store.
set -euo pipefail
cd "$(dirname "$0")/.."
POP=${BENCH_MATCH_POPULATION:-2000000}
ROWS=${BENCH_MATCH_ROWS:-20000000}
DOUDI=${DOUDI:-build/doudi}
out=build/bench/match
data=$out/data-$POP-$ROWS
mkdir -p "$out"
KINDS="deaths social_insurance vehicles real_estate business medical school rural_monitoring staff_relatives hukou_moves"

# the generator and DuckDB (installed here, not in the repo)
cc -O2 -std=c11 -Wall -Wextra -o "$out/gen_match" bench/gen_match.c
if [ ! -d "$out/node_modules/@duckdb/node-api" ]; then
	echo "installing @duckdb/node-api…"
	(cd "$out" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund @duckdb/node-api >/dev/null)
fi
if [ ! -s "$data/hukou_moves.csv" ]; then
	echo "generating $POP people and $ROWS dataset rows…"
	rm -rf "$data" && mkdir -p "$data"
	"$out/gen_match" "$data" "$POP" "$ROWS"
fi
chmod -R a+rX "$out"
total_rows=0
for k in $KINDS; do total_rows=$((total_rows + $(wc -l <"$data/$k.csv") - 1)); done
echo "data: $POP monitored people; $total_rows rows in ${KINDS// /, } ($(du -cm $(for k in $KINDS; do echo "$data/$k.csv"; done) | tail -1 | cut -f1) MB)"
files=()
for k in $KINDS; do files+=(--kind "$k" "$(pwd)/$data/$k.csv"); done

timed() { # timed OUTFILE CMD… → "secs kb" in $out/time
	/usr/bin/time -f "%e %M" -o "$out/time" "${@:2}" >"$1" 2>"$out/err" || { cat "$out/err" >&2; return 1; }
	read -r secs kb <"$out/time"
}

# --- doudi, SQLite store
printf 'bench-password-2026\n' >"$out/pw"
rm -f "$out/store.db" "$out/store.db-wal" "$out/store.db-shm"
"$DOUDI" init --db "$out/store.db" --admin-password-file "$out/pw" >/dev/null
timed "$out/reg.json" "$DOUDI" monitor register-import --db "$out/store.db" "$(pwd)/$data/population.csv"
echo "doudi monitor register-import: $POP people in $secs s, peak RSS $((kb / 1024)) MB"
timed "$out/doudi.json" "$DOUDI" match --db "$out/store.db" --as-of 2026-11-01 "${files[@]}"
d_secs=$secs
d_kb=$kb
echo "doudi match (SQLite store): $secs s, $(python3 -c "print(f'{$total_rows/$secs:,.0f}')") rows/s, peak RSS $((kb / 1024)) MB"
rm -f "$data"/*.rejects.csv
# hits per rule, duplicates counted once (an alert for each county)
if command -v sqlite3 >/dev/null; then
	sqlite3 "$out/store.db" "SELECT rule_code, CASE WHEN rule_code IN ('moved_out', 'cross_county') THEN count(*) / 2 ELSE count(*) END FROM alerts GROUP BY rule_code" |
		python3 -c 'import json,sys; print(json.dumps({l.split("|")[0]: int(l.split("|")[1]) for l in sys.stdin}))' >"$out/doudi_hits.json"
fi

# --- DuckDB
cp bench/match_duckdb.mjs bench/match_rules.sql "$out/"
timed "$out/duck.json" node "$out/match_duckdb.mjs" "$(pwd)/$data" $KINDS
k_secs=$secs
k_kb=$kb
echo "DuckDB (load + queries): $secs s, peak RSS $((kb / 1024)) MB  $(python3 -c "import json; d=json.load(open('$out/duck.json')); print(f\"(load {d['load_s']:.1f} s, queries {d['query_s']:.1f} s)\")")"

# --- PostgreSQL: the same joins in SQL, and doudi match on a PostgreSQL store
export data KINDS out DOUDI POP
pg_part() {
	local psql=(/usr/lib/postgresql/15/bin/psql "$DOUDI_TEST_PG" -qAtX -v ON_ERROR_STOP=1)
	{
		echo "CREATE UNLOGGED TABLE pop_csv (id text, name text, region text, category text, since text);"
		echo "COPY pop_csv FROM '$(pwd)/$data/population.csv' WITH (FORMAT csv, HEADER true);"
		echo "CREATE UNLOGGED TABLE pop AS SELECT id, region, category FROM pop_csv; DROP TABLE pop_csv;"
		echo "CREATE INDEX ON pop (id); ANALYZE pop;"
		for k in $KINDS; do
			cols=$(head -1 "$data/$k.csv" | tr -d '\r' | sed 's/\([^,]*\)/"\1" text/g')
			echo "CREATE UNLOGGED TABLE $k ($cols);"
			echo "COPY $k FROM '$(pwd)/$data/$k.csv' WITH (FORMAT csv, HEADER true); ANALYZE $k;"
		done
		grep -v '^--' bench/match_rules.sql
	} >"$out/pg.sql"
	/usr/bin/time -f "%e %M" -o "$out/time" "${psql[@]}" -f "$out/pg.sql" >"$out/pg.out" || return 1
	read -r secs kb <"$out/time"
	echo "$secs" >"$out/pg_secs"
	python3 -c 'import json,sys; print(json.dumps({l.split("|")[0]: int(l.split("|")[1]) for l in open(sys.argv[1]) if "|" in l}))' "$out/pg.out" >"$out/pg_hits.json"
	"$DOUDI" init --db "$DOUDI_TEST_PG" --admin-password-file "$out/pw" >/dev/null
	"$DOUDI" monitor register-import --db "$DOUDI_TEST_PG" "$(pwd)/$data/population.csv" >/dev/null
	/usr/bin/time -f "%e %M" -o "$out/time" "$DOUDI" match --db "$DOUDI_TEST_PG" --as-of 2026-11-01 "${files[@]}" >"$out/doudi_pg.json"
	read -r secs kb <"$out/time"
	echo "doudi match (PostgreSQL store): $secs s, peak RSS $((kb / 1024)) MB"
	rm -f "$data"/*.rejects.csv
}
export -f pg_part
export files_str="${files[*]}"
PG_EXTRA_OPTS="-c shared_buffers=1GB -c max_wal_size=8GB -c work_mem=256MB -c max_parallel_workers_per_gather=2" \
	bash tests/pg.sh bash -c 'files=($files_str); pg_part'
p_secs=$(cat "$out/pg_secs")
echo "PostgreSQL (COPY + queries, server-side): $p_secs s (client RSS only; the server's memory is shared_buffers 1 GB)"

python3 - "$out" "$d_secs" "$k_secs" "$p_secs" "$d_kb" <<'PY'
import json, sys
out, d, k, p, kb = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"ratios: DuckDB / doudi = {k / d:.2f} (target >= 1), PostgreSQL / doudi = {p / d:.2f} (target >= 5); doudi peak RSS {kb // 1024} MB (target < 1024)")
hits = {}
for name in ("doudi", "duck", "pg"):
    try:
        j = json.load(open(f"{out}/{name}_hits.json" if name != "duck" else f"{out}/duck.json"))
        hits[name] = j["hits"] if name == "duck" else j
    except Exception as e:
        hits[name] = {}
rules = sorted(set().union(*[h.keys() for h in hits.values()]))
# a rule without a single hit has no alerts row in doudi's store: 0
agree = all(hits["doudi"].get(r, 0) == hits["duck"].get(r, 0) == hits["pg"].get(r, 0) for r in rules)
print("hits per rule (doudi / DuckDB / PostgreSQL):", ", ".join(f"{r} {hits['doudi'].get(r, 0)}/{hits['duck'].get(r, 0)}/{hits['pg'].get(r, 0)}" for r in rules))
print("the three engines agree" if agree else "ENGINES DISAGREE")
PY
