#!/usr/bin/env bash
# CLI tests for `doudi import households` and `doudi export households`
# (IMPORT.md), on SQLite, or on PostgreSQL under tests/pg.sh: the GB18030
# fixture's counts (tests/data/README.md), the rejects file, re-import,
# export round trip, store conflicts, bad files, the audit chain; then the
# crash test: SIGKILL in the middle of a 200,000-household import, and a
# re-run that completes it with whole households only.
set -u
source "$(dirname "$0")/lib.sh"
DB_PREFIX=imp
echo "import CLI tests on $backend"
# the crash test runs the optimised build (it is about transactions, and
# the sanitizers would make 200,000 households slow)
FAST=${DOUDI_FAST:-build/doudi}
CRASH_HOUSEHOLDS=${CRASH_HOUSEHOLDS:-200000}

printf 'correct horse battery\n' >"$tmp/pw"
json() { # json FILE KEY: one value of the last JSON line of FILE
	python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])[sys.argv[2]])' "$1" "$2"
}
expect_counts() { # expect_counts NAME H P R RH U
	local got
	got=$(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print(d["households"],d["persons"],d["rejected_rows"],d["rejected_households"],d["unchanged"])' "$tmp/out" 2>/dev/null)
	if [ "$got" = "$2 $3 $4 $5 $6" ]; then ok; else
		bad "$1: counts '$got', want '$2 $3 $4 $5 $6'"
		sed 's/^/    /' "$tmp/out" "$tmp/err"
	fi
}

fresh_db
run init --db "$DB" --admin-password-file "$tmp/pw"
expect_rc "init" 0

# --- the fixture: GB18030, Chinese headers, CRLF, 24 bad rows in 10 households
cp tests/data/import-gb18030.csv "$tmp/hh.csv"
run import households --db "$DB" "$tmp/hh.csv"
expect_rc "import fixture" 0 && expect_counts "import fixture" 12 30 24 10 0
[ "$(json "$tmp/out" rejects)" = "$tmp/hh.csv.rejects.csv" ] && ok || bad "rejects path: $(cat "$tmp/out")"
[ "$(json "$tmp/out" encoding)" = gb18030 ] && ok || bad "encoding not detected as gb18030"
[ "$(sql "$DB" "SELECT count(*) FROM households")" = 12 ] && ok || bad "households stored"
[ "$(sql "$DB" "SELECT count(*) FROM memberships WHERE to_date IS NULL")" = 30 ] && ok || bad "memberships stored"
[ "$(sql "$DB" "SELECT count(*) FROM persons")" = 30 ] && ok || bad "persons stored"
[ "$(sql "$DB" "SELECT count(*) FROM households h WHERE (SELECT count(*) FROM memberships m WHERE m.household_id = h.id AND m.relation = 'head') <> 1")" = 0 ] &&
	ok || bad "a stored household without exactly one head"
[ "$(sql "$DB" "SELECT name || ' ' || sex || ' ' || birth_date FROM persons WHERE id_number = '50015419780312031X'" 2>/dev/null)" != "" ] || true
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'household.import'")" = 12 ] && ok || bad "one audit row per household"
# amounts are exact fen: "1500" -> 150000
[ "$(sql "$DB" "SELECT count(*) FROM incomes WHERE amount = 150000")" -ge 1 ] && ok || bad "amount 1500 not stored as 150000 fen"
# the rejects file: UTF-8 with BOM, CRLF, line number and reason first, every row of a rejected household
rj="$tmp/hh.csv.rejects.csv"
if python3 - "$rj" <<'EOF'; then ok; else bad "rejects file"; fi
import csv, io, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xef\xbb\xbf'), 'no BOM'
text = raw[3:].decode('utf-8')
assert '\r\n' in text
rows = list(csv.reader(io.StringIO(text, newline='')))
assert rows[0][:4] == ['行号', '原因', '户编号', '区划代码'], rows[0]
lines = sorted(int(r[0]) for r in rows[1:])
assert lines == list(range(32, 56)), lines
by = {int(r[0]): r[1] for r in rows[1:]}
assert '校验码' in by[33], by[33]
assert '同户第33行' in by[32], by[32]
assert '户主' in by[40] or '户主' in by[41]
assert '身份证号' in by[43] and '身份证号' in by[46], (by[43], by[46])
assert all(r[1] for r in rows[1:]), 'a row without a reason'
EOF

# --- a re-import stores nothing and says so; the audit chain holds
seq_before=$(sql "$DB" "SELECT max(seq) FROM audit_log")
run import households --db "$DB" "$tmp/hh.csv"
expect_rc "re-import" 0 && expect_counts "re-import" 0 0 24 10 12
expect_in "re-import says so" "$tmp/err" "没有新的内容"
[ "$(sql "$DB" "SELECT count(*) FROM persons")" = 30 ] && ok || bad "re-import added persons"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'household.import'")" = 12 ] && ok || bad "re-import added household audit rows"
run audit verify --db "$DB"
expect_rc "verify after imports" 0

# --- export returns every stored member; it imports back unchanged
run export households --db "$DB" "$tmp/out.csv"
expect_rc "export" 0
[ "$(tail -n +2 "$tmp/out.csv" | wc -l)" = 30 ] && ok || bad "export rows: $(wc -l <"$tmp/out.csv")"
head -1 "$tmp/out.csv" | grep -q '^household_no,region,area,id,name,relation,disability_grade,disability_kind,severe_illness,labor_capacity,self_care,in_school,supporters,wage_month,business_month,property_month,transfer_month,basic_pension_month' &&
	ok || bad "export header"
grep -q '^KZ-0003,.*,1500.00' "$tmp/out.csv" && ok || bad "export amount formatting"
run import households --db "$DB" "$tmp/out.csv"
expect_rc "export re-imported" 0 && expect_counts "export re-imported" 0 0 0 0 12
run export households --db "$DB" --encoding gb18030 --region 500235 -
expect_rc "export gb18030 by region" 0
[ "$(iconv -f gb18030 -t utf-8 "$tmp/out" | tail -n +2 | wc -l)" = 8 ] && ok || bad "export --region 500235 (云阳县): $(wc -l <"$tmp/out")"
iconv -f gb18030 -t utf-8 "$tmp/out" | tail -n +2 | cut -d, -f2 | grep -qv '^500235' && bad "export --region leaked another county" || ok
run export households --db "$DB" --region 12x
expect_rc "export bad region" 2 && expect_in "export bad region" "$tmp/err" "--region"

# --- conflicts with the store: a person already in another active household;
# the same household number with other content
printf 'household_no,region,area,id,name,relation\r\nNEW-1,500154001001,rural,500154199001010010,新户主,head\r\nNEW-1,500154001001,rural,%s,已在册,spouse\r\n' \
	"$(sql "$DB" "SELECT p.id_number FROM persons p JOIN memberships m ON m.person_id = p.id JOIN households h ON h.id = m.household_id WHERE h.household_no = 'KZ-0001' AND m.relation = 'head'")" >"$tmp/conflict.csv"
run import households --db "$DB" "$tmp/conflict.csv"
expect_rc "person in another household" 0 && expect_counts "person in another household" 0 0 2 1 0
expect_in "person in another household" "$tmp/conflict.csv.rejects.csv" "另一在册家庭"
iconv -f gb18030 -t utf-8 tests/data/import-gb18030.csv | sed '2s/,2300\.00,/,2400.00,/;2s/,2300,/,2400,/' >"$tmp/changed.csv"
if cmp -s <(iconv -f gb18030 -t utf-8 tests/data/import-gb18030.csv) "$tmp/changed.csv"; then
	bad "test set-up: line 2 of the fixture did not change"
fi
run import households --db "$DB" "$tmp/changed.csv"
expect_rc "changed household" 0 && expect_counts "changed household" 0 0 27 11 11
expect_in "changed household" "$tmp/changed.csv.rejects.csv" "内容不同"

# a county that is not in the region table (a typo): the household is rejected
printf 'household_no,region,area,id,name,relation\r\nX-1,500199001001,rural,500154199001010010,某,head\r\n' >"$tmp/typo.csv"
run import households --db "$DB" "$tmp/typo.csv"
expect_rc "unknown county" 0 && expect_counts "unknown county" 0 0 1 1 0
expect_in "unknown county" "$tmp/typo.csv.rejects.csv" "不在区划表中"

# --- files that cannot be imported at all: exit 2, nothing stored, the field named
printf 'household_no,region,area,id,name\r\nA,500154,rural,500154199001010010,甲\r\n' >"$tmp/nohead.csv"
run import households --db "$DB" "$tmp/nohead.csv"
expect_rc "missing column" 2 && expect_in "missing column" "$tmp/err" "relation"
run import households --db "$DB" --encoding utf-8 tests/data/import-gb18030.csv
expect_rc "GB18030 read as UTF-8" 2
: >"$tmp/empty.csv"
run import households --db "$DB" "$tmp/empty.csv"
expect_rc "empty file" 2 && expect_in "empty file" "$tmp/err" "表头"
run import households --db "$DB" "$tmp/no-such.csv"
expect_rc "missing file" 2
run import households --db "$DB" --encoding latin1 "$tmp/hh.csv"
expect_rc "bad --encoding" 2 && expect_in "bad --encoding" "$tmp/err" "--encoding"
[ "$(sql "$DB" "SELECT count(*) FROM persons")" = 30 ] && ok || bad "a refused file stored persons"
run audit verify --db "$DB"
expect_rc "verify after refusals" 0
# an edited audit row of the import is found and named
sql "$DB" "UPDATE audit_log SET detail = '{\"household_no\":\"KZ-9999\"}' WHERE seq = (SELECT min(seq) FROM audit_log WHERE action = 'household.import')"
bad_seq=$(sql "$DB" "SELECT min(seq) FROM audit_log WHERE action = 'household.import'")
run audit verify --db "$DB"
expect_rc "verify after tampering" 1 && expect_in "verify names the row" "$tmp/err" "seq=$bad_seq"

# --- crash safety: SIGKILL midway through a 200,000-household file, then a re-run
if [ "${SKIP_CRASH:-0}" != 1 ]; then
	fresh_db
	run init --db "$DB" --admin-password-file "$tmp/pw"
	expect_rc "crash: init" 0
	idx_count() { # the indexes of the tables an import fills
		if [ "$backend" = pg ]; then
			sql "$DB" "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('households','persons','memberships','incomes','assets','expenditures','audit_log')"
		else
			sql "$DB" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('households','persons','memberships','incomes','assets','expenditures','audit_log')"
		fi
	}
	idx_before=$(idx_count)
	python3 bench/gen_import_csv.py --households "$CRASH_HOUSEHOLDS" --bad-rate 0.002 --seed 7 \
		--out "$tmp/big.csv" 2>"$tmp/expected.json"
	exp() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$tmp/expected.json" "$1"; }
	"$FAST" import households --db "$DB" --chunk 5000 "$tmp/big.csv" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	# wait until some chunks are committed, then kill without warning
	for _ in $(seq 1 1200); do
		n=$(sql "$DB" "SELECT count(*) FROM households" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge $(($(exp households) / 2)) ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	stored=$(sql "$DB" "SELECT count(*) FROM households")
	if [ "$stored" -gt 0 ] && [ "$stored" -lt "$(exp households)" ]; then ok; else
		bad "crash: the kill did not land midway ($stored households stored)"
	fi
	[ "$(sql "$DB" "SELECT count(*) FROM deferred_indexes")" -gt 0 ] && ok || bad "crash: the killed run was not a bulk import"
	# whole households only: every stored household has all its file rows
	partial() {
		sql "$DB" "SELECT h.household_no, count(m.id) FROM households h LEFT JOIN memberships m ON m.household_id = h.id AND m.to_date IS NULL GROUP BY h.household_no" >"$tmp/stored.txt"
		python3 - "$tmp/big.csv" "$tmp/stored.txt" <<'EOF'
import collections, csv, sys
rows = collections.Counter(r['household_no'] for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
bad = 0
for line in open(sys.argv[2]):
    no, n = line.strip().rsplit('|', 1)
    if rows[no] != int(n):
        bad += 1
print(bad)
EOF
	}
	[ "$(partial)" = 0 ] && ok || bad "crash: a partial household after SIGKILL"
	run audit verify --db "$DB"
	expect_rc "crash: chain intact after SIGKILL" 0
	# the killed run was a bulk import (indexes set aside): any open of the
	# store (audit verify here) has built them again
	[ "$(sql "$DB" "SELECT count(*) FROM deferred_indexes")" = 0 ] && ok || bad "crash: indexes still set aside after audit verify"
	[ "$(idx_count)" = "$idx_before" ] && ok || bad "crash: indexes after SIGKILL and reopen: $(idx_count), want $idx_before"
	"$FAST" import households --db "$DB" "$tmp/big.csv" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if expect_rc "crash: re-run" 0; then
		expect_counts "crash: re-run" $(($(exp households) - stored)) "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["persons"])' "$tmp/out")" \
			"$(exp rejected_rows)" "$(exp rejected_households)" "$stored"
	fi
	[ "$(sql "$DB" "SELECT count(*) FROM households")" = "$(exp households)" ] && ok || bad "crash: households after re-run"
	[ "$(sql "$DB" "SELECT count(*) FROM memberships WHERE to_date IS NULL")" = "$(exp persons)" ] && ok || bad "crash: persons after re-run"
	[ "$(sql "$DB" "SELECT count(*) FROM persons")" = "$(exp persons)" ] && ok || bad "crash: person rows after re-run"
	[ "$(partial)" = 0 ] && ok || bad "crash: a partial household after the re-run"
	[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'household.import'")" = "$(exp households)" ] &&
		ok || bad "crash: one audit row per stored household"
	run audit verify --db "$DB"
	expect_rc "crash: chain intact after re-run" 0
	[ "$(sql "$DB" "SELECT count(*) FROM deferred_indexes")" = 0 ] && [ "$(idx_count)" = "$idx_before" ] &&
		ok || bad "crash: indexes after the re-run: $(idx_count), want $idx_before"
	echo "crash test ($backend): killed with $stored of $(exp households) households stored; re-run completed"
fi

echo "import CLI ($backend): $pass passed, $fail failed"
[ $fail -eq 0 ]
