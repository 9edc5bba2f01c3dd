#!/usr/bin/env bash
# make bench, the server part (issue 4): `doudi serve` (optimised build) on a
# county-scale store (BENCH_SERVER_HOUSEHOLDS households of one county, 开州区
# 500154, seed 20261124), loaded by wrk on 64 connections (2 threads):
#   (a) GET /healthz
#   (b) the authenticated household read, random households, as a county user;
#       its throughput as a share of (a)'s, p99 and errors against the target
#   (c) application creation, one distinct household per request, each by the
#       township user of its township (cookie + X-CSRF-Token)
#   (d) a mixed read/write soak of SOAK_SECONDS with the server's own memory (RssAnon; VmRSS shown)
#       before, every SOAK_SAMPLE_SECONDS, and after
# An endpoint not merged yet (404/405 to a probe) is reported as "endpoint not
# available yet" and its stand-in (an endpoint that exists today) is measured
# instead, marked as such. SQLite by default (the store is built once and
# cached in build/bench/, each run works on a copy); BENCH_PG=1 runs it all on
# a throwaway PostgreSQL server (tests/pg.sh), loaded afresh.
# A quick run: BENCH_SERVER_SECONDS=5 SOAK_SECONDS=30 SOAK_SAMPLE_SECONDS=10.
set -euo pipefail
cd "$(dirname "$0")/.."

# ---- what is measured (API.md); switch here or with the environment ----
HEALTH_PATH=/healthz
READ_PATH=${BENCH_READ_PATH:-'/api/v1/households/{id}'}
CREATE_PATH=${BENCH_CREATE_PATH:-/api/v1/applications}
CREATE_BODY=${BENCH_CREATE_BODY:-'{"household_id": {id}, "programme": "dibao", "commitment": true}'}
# stand-ins, measured while the endpoints above answer 404/405
READ_STANDIN=/api/v1/me
CREATE_STANDIN=/api/v1/assess
CREATE_STANDIN_BODY_FILE=tests/data/household.json

HOUSEHOLDS=${BENCH_SERVER_HOUSEHOLDS:-50000}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_WRK_THREADS:-2}
SECS=${BENCH_SERVER_SECONDS:-20}
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-60}
SOAK_WRITE_RATE=${SOAK_WRITE_RATE:-10} # creations per second during the soak
COUNTY=500154
TARGET_RATIO=0.5
TARGET_P99_MS=20

if [ "${BENCH_PG:-0}" = 1 ] && [ -z "${DOUDI_TEST_PG:-}" ]; then
	exec bash tests/pg.sh bash "$0" "$@"
fi

data=build/bench
mkdir -p "$data"
work=$(mktemp -d "${TMPDIR:-/tmp}/doudi-serverbench.XXXXXX")
srv_pid=
wrk_pid=
cleanup() {
	[ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null
	if [ -n "$srv_pid" ]; then
		kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
failures=0

command -v wrk >/dev/null || { echo "server bench: wrk is missing (make deps)" >&2; exit 2; }
command -v curl >/dev/null || { echo "server bench: curl is missing (make deps)" >&2; exit 2; }
printf 'bench-password-2026\n' >"$data/pw"
chmod 600 "$data/pw"
PW=bench-password-2026

# ---- the store: init, import, one county user and a township user per township ----
csv="$data/county$HOUSEHOLDS.csv"
if [ ! -s "$csv" ]; then
	python3 bench/gen_import_csv.py --seed 20261124 --households "$HOUSEHOLDS" --county $COUNTY --out "$csv" --quiet
fi

if [ -n "${DOUDI_TEST_PG:-}" ]; then
	backend=PostgreSQL
	DB=$DOUDI_TEST_PG
	sql() { "${PGBIN:-/usr/lib/postgresql/15/bin}/psql" "$DB" -qAt -F ' ' -c "$1"; }
else
	backend=SQLite
	DB=$work/server.db
	sql() { sqlite3 -separator ' ' "$DB" "$1"; }
fi

build_store() { # init, import, the bench users (their names list in $data/…users)
	build/doudi init --db "$DB" --admin-password-file "$data/pw" >/dev/null
	build/doudi import households --db "$DB" "$csv" >"$work/import.out"
	build/doudi user add --db "$DB" --as admin --username bench_county --role county --region $COUNTY \
		--password-file "$data/pw" >/dev/null
	for t in $(sql "SELECT DISTINCT substr(region_code, 1, 9) FROM households ORDER BY 1"); do
		build/doudi user add --db "$DB" --as admin --username "bench_t$t" --role township --region "$t" \
			--password-file "$data/pw" >/dev/null
	done
}

t_store=$(date +%s)
if [ $backend = SQLite ]; then
	cached="$data/server$HOUSEHOLDS.db"
	if [ ! -s "$cached" ]; then
		echo "server bench: building the store $cached ($HOUSEHOLDS households)…"
		build_store
		build/doudi backup --db "$DB" "$cached.part" >/dev/null
		mv "$cached.part" "$cached"
	fi
	cp "$cached" "$DB"
	chmod 600 "$DB"
else
	build_store
fi
nh=$(sql "SELECT count(*) FROM households")
np=$(sql "SELECT count(*) FROM memberships WHERE to_date IS NULL")
echo "server store ($backend): $nh households, $np persons of county $COUNTY, $(sql "SELECT count(DISTINCT substr(region_code, 1, 9)) FROM households") townships; ready in $(($(date +%s) - t_store)) s"

# ---- the server ----
# The per-request INFO lines are dropped (they would fill the disk in a
# soak); everything else the server logs is kept and shown at the end.
build/doudi serve --db "$DB" --host 127.0.0.1 --port 0 2> >(grep --line-buffered -v '^[^ ]* INFO req=[0-9a-f]' >"$work/server.log") &
srv_pid=$!
port=
for _ in $(seq 1 100); do
	port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" 2>/dev/null | head -1)
	[ -n "$port" ] && break
	kill -0 "$srv_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "server bench: doudi serve did not start" >&2
	cat "$work/server.log" >&2
	exit 1
fi
base="http://127.0.0.1:$port"
# The server's own memory is RssAnon (heap, stacks), judged for growth; VmRSS also counts
# the pages of the store file that SQLite maps (mmap_size), which come and go with the
# page cache and checkpoints and are not the server's memory: shown, not judged.
rss_kb() { awk '/^RssAnon/ {print $2}' "/proc/$srv_pid/status"; }
rss_parts() { awk '/^VmRSS/ {v = $2} /^RssFile/ {f = $2} END {printf "VmRSS %d MB with %d MB of mapped files", v / 1024, f / 1024}' "/proc/$srv_pid/status"; }

# login USER: prints "TOKEN CSRF" (the password goes in a file, never on a command line)
login() {
	printf '{"username":"%s","password":"%s"}' "$1" "$PW" >"$work/login.json"
	curl -sf -c "$work/jar" -H 'Content-Type: application/json' --data-binary @"$work/login.json" \
		"$base/api/v1/session" >"$work/login.out" || { echo "server bench: login of $1 failed" >&2; return 1; }
	local token csrf
	token=$(awk '$6 == "doudi_session" {print $7}' "$work/jar")
	csrf=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf"])' <"$work/login.out")
	echo "$token $csrf"
}

t_login=$(date +%s)
read -r county_token _ < <(login bench_county)
[ -n "$county_token" ] || exit 1
sql "SELECT id, substr(region_code, 1, 9) FROM households ORDER BY id" >"$work/households"
declare -A sess
for t in $(cut -d' ' -f2 "$work/households" | sort -u); do
	sess[$t]=$(login "bench_t$t")
done
for t in "${!sess[@]}"; do echo "$t ${sess[$t]}"; done >"$work/sessions"
echo "server: $base, threads = cores ($(nproc)); $((${#sess[@]} + 1)) sessions opened in $(($(date +%s) - t_login)) s; wrk $THREADS threads, $CONNS connections, ${SECS} s a figure"

# the households, each with the session of its township's user, in random order
python3 - "$work/households" "$work/sessions" "$work/create_all" <<'EOF'
import random, sys
sess = dict(l.split(" ", 1) for l in open(sys.argv[2]).read().splitlines())
rows = [l.split(" ") for l in open(sys.argv[1]).read().splitlines()]
random.Random(20261124).shuffle(rows)
with open(sys.argv[3], "w") as out:
    for hid, town in rows:
        out.write("%s %s\n" % (hid, sess[town]))
EOF
cut -d' ' -f1 "$work/households" >"$work/read_ids"
echo "$county_token" >"$work/read_session"

# ---- helpers ----
# run_wrk MODE SECONDS PATH: runs wrk with bench/server.lua, leaves its RESULT line in $work/result
run_wrk() {
	local mode=$1 secs=$2 path=$3
	wrk -t "$THREADS" -c "$CONNS" -d "${secs}s" -s bench/server.lua "$base$path" -- "$mode" "$work" "$THREADS" \
		>"$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; return 1; }
	grep '^RESULT ' "$work/wrk.out" >"$work/result" || { cat "$work/wrk.out" >&2; return 1; }
}
# field NAME: a value of the RESULT line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$work/result"; }
ms() { python3 -c "print(f'{$1 / 1000:.1f}')"; }
# statuses in a class: count2xx / count of one code, from status=200:N,201:N
status_count() { field status | tr ',' '\n' | awk -F: -v c="$1" '$1 ~ c {n += $2} END {print n + 0}'; }
summary() { # LABEL: the figures of the last wrk run on one line
	local req dur rps sock
	req=$(($(field requests) - $(field fillers)))
	dur=$(field duration_us)
	rps=$(python3 -c "print(f'{$req / ($dur / 1e6):,.0f}')")
	sock=$(($(field connect) + $(field read) + $(field write) + $(field timeout)))
	echo "$1: $rps req/s, p50 $(ms "$(field p50_us)") ms, p99 $(ms "$(field p99_us)") ms, non-2xx $(field non2xx), socket errors $sock ($req requests in $(ms $((dur / 1000))) s)"
}
errors_of_last() { echo $(($(field non2xx) + $(field connect) + $(field read) + $(field write) + $(field timeout))); }
rate_of_last() { python3 -c "print($(($(field requests) - $(field fillers))) / ($(field duration_us) / 1e6))"; }

# probe METHOD PATH [BODY]: the status code of one request with the county/township session
probe() {
	local method=$1 path=$2 body=${3:-} hdr=()
	if [ "$method" = POST ]; then
		read -r _ token csrf < <(head -1 "$work/create_all")
		hdr=(-H "Cookie: doudi_session=$token" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data-binary @"$work/probe.json")
		printf '%s' "$body" >"$work/probe.json"
	else
		hdr=(-H "Cookie: doudi_session=$county_token")
	fi
	curl -s -o "$work/probe.out" -w '%{http_code}' -X "$method" "${hdr[@]}" "$base$path"
}

# ---- (a) healthz ----
run_wrk get "$SECS" "$HEALTH_PATH"
summary "healthz ($HEALTH_PATH), $CONNS connections"
health_rps=$(rate_of_last)

# ---- (b) the authenticated household read ----
first_id=$(head -1 "$work/read_ids")
read_label="household read (GET $READ_PATH, random of $nh households, county user)"
code=$(probe GET "${READ_PATH//\{id\}/$first_id}")
if [ "$code" = 404 ] || [ "$code" = 405 ]; then
	echo "household read: endpoint not available yet (GET $READ_PATH answered $code); measuring the stand-in GET $READ_STANDIN"
	READ_PATH=$READ_STANDIN
	read_label="stand-in authenticated read (GET $READ_STANDIN, county user)"
elif [ "${code:0:1}" != 2 ]; then
	echo "household read: the probe answered $code: $(head -c 300 "$work/probe.out")"
	failures=$((failures + 1))
fi
echo "$READ_PATH" >"$work/read_path"
run_wrk read "$SECS" /
summary "$read_label"
read_rps=$(rate_of_last)
p99=$(field p99_us)
errs=$(errors_of_last)
python3 - "$health_rps" "$read_rps" "$p99" "$errs" "$TARGET_RATIO" "$TARGET_P99_MS" <<'EOF'
import sys
h, r, p99, errs, tr, tp = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
ratio = r / h if h else 0
ok = ratio >= tr and p99 / 1000 <= tp and errs == 0
print(f"read / healthz throughput: {ratio:.2f}, p99 {p99 / 1000:.1f} ms, {errs} errors "
      f"(target ≥ {tr}, p99 ≤ {tp:.0f} ms, no errors: {'met' if ok else 'NOT met'})")
EOF

# ---- (c) application creation ----
create_label="application creation (POST $CREATE_PATH, a distinct household each, township users)"
first_hh=$(head -1 "$work/create_all" | cut -d' ' -f1)
code=$(probe POST "$CREATE_PATH" "${CREATE_BODY//\{id\}/$first_hh}")
ok_code='^2'
if [ "$code" = 404 ] || [ "$code" = 405 ]; then
	echo "application creation: endpoint not available yet (POST $CREATE_PATH answered $code); measuring the stand-in POST $CREATE_STANDIN"
	CREATE_PATH=$CREATE_STANDIN
	CREATE_BODY=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), ensure_ascii=False))' "$CREATE_STANDIN_BODY_FILE")
	create_label="stand-in authenticated POST (POST $CREATE_STANDIN, township users)"
elif [ "${code:0:1}" != 2 ]; then
	echo "application creation: the probe answered $code: $(head -c 300 "$work/probe.out")"
	failures=$((failures + 1))
fi
echo "$CREATE_PATH" >"$work/create_path"
echo "$CREATE_BODY" >"$work/create_body"
[ "$CREATE_PATH" = "$CREATE_STANDIN" ] && echo 1 >"$work/create_cycle" || echo 0 >"$work/create_cycle"
# the soak's creations get their own households: the last SOAK_WRITE_RATE × SOAK_SECONDS
tail -n +2 "$work/create_all" >"$work/create_rest"
n_rest=$(wc -l <"$work/create_rest")
n_soak=$((SOAK_WRITE_RATE * (SOAK_SECONDS + 2)))
[ $n_soak -gt $((n_rest / 2)) ] && n_soak=$((n_rest / 2))
head -n $((n_rest - n_soak)) "$work/create_rest" >"$work/create_items"
tail -n $n_soak "$work/create_rest" >"$work/soak_items"
run_wrk create "$SECS" /
summary "$create_label"
created=$(status_count '^2')
errs=$(errors_of_last)
extra=""
[ "$(field fillers)" != 0 ] && extra=" (all $(wc -l <"$work/create_items") households used before the end)"
what="application creation"
[ "$CREATE_PATH" = "$CREATE_STANDIN" ] && what="stand-in POST (stores nothing)"
echo "$what: $(python3 -c "print(f'{$created / ($(field duration_us) / 1e6):,.0f}')")/s answered 2xx, $created in all, $errs errors ($(field status))$extra"
[ "$errs" = 0 ] || failures=$((failures + 1))

# ---- (d) the soak ----
cp "$work/soak_items" "$work/create_items"
echo "$SOAK_WRITE_RATE" >"$work/write_rate"
rss0=$(rss_kb)
echo "soak: $SOAK_SECONDS s of reads (GET $READ_PATH) with creations (POST $CREATE_PATH) at $SOAK_WRITE_RATE/s; RssAnon before $((rss0 / 1024)) MB ($(rss_parts))"
run_wrk mixed "$SOAK_SECONDS" / &
wrk_pid=$!
t0=$(date +%s)
samples=()
next=$SOAK_SAMPLE_SECONDS
while kill -0 $wrk_pid 2>/dev/null; do
	sleep 1
	el=$(($(date +%s) - t0))
	if [ $el -ge $next ] && [ $el -lt "$SOAK_SECONDS" ] && kill -0 $wrk_pid 2>/dev/null; then
		r=$(rss_kb)
		samples+=("$r")
		echo "    soak ${el} s: RssAnon $((r / 1024)) MB ($(rss_parts))"
		next=$((next + SOAK_SAMPLE_SECONDS))
	fi
done
wait $wrk_pid || { wrk_pid=; exit 1; }
wrk_pid=
rss1=$(rss_kb)
echo "    soak end (idle): RssAnon $((rss1 / 1024)) MB ($(rss_parts))"
summary "soak (mixed)"
errs=$(errors_of_last)
first=${samples[0]:-$rss0}
last=$rss1 # no sample when the soak is shorter than SOAK_SAMPLE_SECONDS
[ ${#samples[@]} -gt 0 ] && last=${samples[${#samples[@]}-1]}
python3 - "$rss0" "$first" "$last" "$rss1" "$errs" "$(field status)" "$(field ran_out)" <<'EOF'
import sys
before, first, last, after, errs = (int(x) for x in sys.argv[1:6])
status, ran_out = sys.argv[6], sys.argv[7]
# Growth is judged from the first sample under load (the warm-up maps the store file
# and fills the page caches of every worker's connection) to the last sample and to
# the idle end; "before" is shown for what the warm-up costs.
noise = max(2048, first // 20)  # 2 MB or 5 %
ok = last - first <= noise and after - first <= noise and errs == 0
print(f"soak RssAnon: before {before / 1024:.1f} MB, after {after / 1024:.1f} MB ({(after - before) / 1024:+.1f} MB); "
      f"under load {first / 1024:.1f} MB at the first sample, {last / 1024:.1f} MB at the last "
      f"({(last - first) / 1024:+.1f} MB); {errs} errors ({status}"
      f"{', creations ran out of households' if ran_out != '0' else ''}) "
      f"(target: no growth beyond noise (≤ {noise / 1024:.0f} MB), no errors: {'met' if ok else 'NOT met'})")
EOF
[ "$errs" = 0 ] || failures=$((failures + 1))

if grep -v ' INFO ' "$work/server.log" | grep -q .; then
	echo "server log (warnings and errors, first 10):"
	grep -v ' INFO ' "$work/server.log" | head -10
fi
[ $failures = 0 ]
