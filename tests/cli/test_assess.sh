#!/usr/bin/env bash
# CLI contract tests for `doudi assess` (ASSESS.md): bad input of every kind
# exits 2 with nothing on stdout and the field path on stderr; batch mode
# reports bad lines in place; and the C engine agrees field for field with the
# independent Python reference (bench/assess_ref.py) on generated households.
set -u
cd "$(dirname "$0")/../.."
DOUDI=${DOUDI:-build/doudi}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

good='{"region":"500154001","area":"rural","date":"2022-09-01","members":[{"id":"500154198001010016","name":"张某","relation":"head","incomes":[{"type":"wage","amount":"1500.00"}]}]}'

# expect_bad NAME JSON FIELD-SUBSTRING [extra args]
expect_bad() {
	local name=$1 json=$2 field=$3
	shift 3
	printf '%s' "$json" >"$tmp/in.json"
	"$DOUDI" assess "$@" "$tmp/in.json" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -ne 2 ]; then bad "$name: exit $rc, want 2"; return; fi
	if [ -s "$tmp/out" ]; then bad "$name: stdout not empty"; return; fi
	if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "$name: stderr not one line"; cat "$tmp/err"; return; fi
	if ! grep -qF -- "$field" "$tmp/err"; then bad "$name: stderr lacks '$field': $(cat "$tmp/err")"; return; fi
	ok
}

sub() { printf '%s' "$good" | sed "$1"; }

expect_bad "not JSON" '{"region":' '$:'
expect_bad "not an object" '[1,2]' '$'
expect_bad "missing region" "$(sub 's/"region":"500154001",//')" 'region:'
expect_bad "bad region" "$(sub 's/500154001/5001a4001/')" 'region:'
expect_bad "bad area" "$(sub 's/"rural"/"town"/')" 'area:'
expect_bad "missing members" "$(sub 's/,"members":.*$/}/')" 'members:'
expect_bad "check digit" "$(sub 's/010016/010019/')" 'members[0].id: 身份证号校验码错误'
expect_bad "short id" "$(sub 's/010016/01001/')" 'members[0].id:'
expect_bad "born after date" "$(sub 's/198001010016/202301010015/')" 'members[0].id:'
expect_bad "unknown income type" "$(sub 's/"wage"/"salary"/')" 'members[0].incomes[0].type:'
expect_bad "negative amount" "$(sub 's/"1500.00"/"-1.00"/')" 'members[0].incomes[0].amount:'
expect_bad "three decimals" "$(sub 's/"1500.00"/"1500.001"/')" 'members[0].incomes[0].amount:'
expect_bad "amount beyond int64 fen" "$(sub 's/"1500.00"/"92233720368547758.08"/')" 'members[0].incomes[0].amount:'
expect_bad "huge JSON number" "$(sub 's/"1500.00"/1e30/')" 'members[0].incomes[0].amount:'
expect_bad "no such date" "$(sub 's/2022-09-01/2022-02-30/')" 'date:'
expect_bad "bad date format" "$(sub 's/2022-09-01/2022-9-1/')" 'date:'
expect_bad "wrong type" "$(sub 's/"relation":"head"/"relation":"head","in_school":"yes"/')" 'members[0].in_school:'
expect_bad "bad relation" "$(sub 's/"head"/"boss"/')" 'members[0].relation:'
expect_bad "bad period" "$(sub 's/"1500.00"/"1500.00","period":"week"/')" 'members[0].incomes[0].period:'
expect_bad "grade out of range" "$(sub 's/"relation":"head"/"relation":"head","disability_grade":5/')" 'members[0].disability_grade:'
expect_bad "duplicate key" "$(sub 's/"area":"rural"/"area":"rural","area":"urban"/')" 'area:'
expect_bad "no policy value" "$(sub 's/2022-09-01/2019-01-01/')" 'dibao.standard.rural:'
expect_bad "no policy value (region)" "$(sub 's/500154001/110101001/')" 'dibao.standard.rural:'
expect_bad "bad --date" "$good" '--date' --date 2022-13-01
# sum of two amounts that each fit but together overflow int64 fen
expect_bad "sum overflow" "$(sub 's/"amount":"1500.00"}/"amount":"60000000000000000.00","type":"property"},{"type":"property","amount":"60000000000000000.00"}/; s/"type":"wage",//')" 'members[0]'

# a good household: exit 0, one JSON line with the contract's fields
printf '%s' "$good" >"$tmp/good.json"
if "$DOUDI" assess "$tmp/good.json" >"$tmp/out" 2>"$tmp/err" && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); k={"determination","standard","household_size","counted_income","deduction","per_capita_income","asset_test","monthly_benefit","gradual_exit_until","single_person","tekun","trace"}; assert k<=set(r), k-set(r); assert r["counted_income"]=="1050.00", r; assert r["per_capita_income"]=="1050.00", r; assert r["determination"]=="none", r' "$tmp/out"; then
	ok
else bad "good household"; cat "$tmp/err"; fi
# --pretty and --date
if "$DOUDI" assess --pretty --date 2023-01-01 "$tmp/good.json" >"$tmp/out" && [ "$(wc -l <"$tmp/out")" -gt 5 ] &&
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"; then ok; else bad "--pretty"; fi
# stdin
if printf '%s' "$good" | "$DOUDI" assess - >/dev/null; then ok; else bad "stdin"; fi

# batch: a bad line is reported in place, the run goes on, exit 2
{ echo "$good"; echo '{"oops"'; echo "$(sub 's/010016/010019/')"; echo "$good"; } >"$tmp/b.ndjson"
"$DOUDI" assess --batch "$tmp/b.ndjson" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 4 ] && sed -n 2p "$tmp/out" | grep -q '"line":2' &&
	sed -n 3p "$tmp/out" | grep -q 'members\[0\].id' && sed -n 4p "$tmp/out" | grep -q '"determination"'; then
	ok
else bad "batch with bad lines (rc $rc)"; cat "$tmp/out"; fi

# differential: C engine vs the independent Python reference
python3 bench/gen_households.py --seed 20261122 --count 2000 --out "$tmp/gen.ndjson"
"$DOUDI" assess --batch "$tmp/gen.ndjson" >"$tmp/c.ndjson"
python3 bench/assess_ref.py --policy policy/default.json "$tmp/gen.ndjson" >"$tmp/py.ndjson"
if python3 bench/compare.py "$tmp/c.ndjson" "$tmp/py.ndjson" >"$tmp/cmp"; then ok; else bad "differential vs reference"; head -20 "$tmp/cmp"; fi

echo "assess-cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
