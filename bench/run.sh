#!/usr/bin/env bash
# make bench: generates 1,000,000 households (seed 20261122) once, then prints
# the figures issue 2 asks for: assess --batch households/s and peak RSS, the
# straightforward Python implementation on the same data, and the in-process
# engine's households/s without JSON. Machine details first.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_HOUSEHOLDS:-1000000}
PY_N=${BENCH_PY_HOUSEHOLDS:-200000}
data=build/bench
mkdir -p "$data"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ ! -s "$data/h$N.ndjson" ]; then
	echo "generating $N households…"
	python3 bench/gen_households.py --seed 20261122 --count "$N" --out "$data/h$N.ndjson"
fi
head -n "$PY_N" "$data/h$N.ndjson" >"$data/h$PY_N.ndjson"
echo "data: $N households, $(du -m "$data/h$N.ndjson" | cut -f1) MB"

measure() { # label, then the command; prints wall seconds and peak RSS
	local label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$data/time" "$@" >/dev/null
	read -r secs kb <"$data/time"
	echo "$label: $secs s wall, peak RSS $((kb / 1024)) MB"
	echo "$secs"
}
c_secs=$(measure "assess --batch, $N households" build/doudi assess --batch "$data/h$N.ndjson" | tee /dev/stderr | tail -1)
echo "assess --batch throughput: $(python3 -c "print(f'{$N/$c_secs:,.0f}')") households/s"
cs=$(measure "assess --batch, $PY_N households" build/doudi assess --batch "$data/h$PY_N.ndjson" | tail -1)
ps=$(measure "python reference, $PY_N households" python3 bench/assess_ref.py --policy policy/default.json "$data/h$PY_N.ndjson" | tee /dev/stderr | tail -1)
echo "python reference throughput: $(python3 -c "print(f'{$PY_N/$ps:,.0f}')") households/s"
echo "speed-up of assess --batch over python on the same $PY_N households: $(python3 -c "r = $ps/max($cs,1e-9); print(f'{r:.1f}x (target 100x: ' + ('met' if r >= 100 else 'NOT met') + ')')")"
build/bench_engine "$data/h$N.ndjson" 1000000 3
