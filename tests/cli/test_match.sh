#!/usr/bin/env bash
# CLI tests for data matching (issue 7, docs/monitor.md): datasets with
# planted cases (tests/cli/gen_match_data.py) against a roll of recipients
# (bench/payroll_roll.sql) and a monitoring register; every planted case is
# found, nothing else is raised, bad rows are rejected, a re-run raises
# nothing new. On SQLite by default; on PostgreSQL under tests/pg.sh.
set -u
DB_PREFIX=match
source "$(dirname "$0")/lib.sh"
echo "data matching CLI tests on $backend"

printf 'correct horse battery\n' >"$tmp/pw"
T=2026-01-01T00:00:00.000Z
fresh_db
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
expect_rc "init" 0 || exit 1
N=300
sed "s/@N@/$N/" bench/payroll_roll.sql >"$tmp/roll.sql"
psql_file() { "$PGBIN/psql" "$DB" -qAt -v ON_ERROR_STOP=1 -f "$1" >/dev/null; }
if [ $backend = pg ]; then psql_file "$tmp/roll.sql" || exit 1; else sqlite3 "$DB" <"$tmp/roll.sql" || exit 1; fi
sql "$DB" "SELECT code FROM regions WHERE level = 3 AND code LIKE '50%' ORDER BY code" >"$tmp/counties"
python3 tests/cli/gen_match_data.py "$tmp/d" $N "$tmp/counties" || exit 1
if [ $backend = pg ]; then psql_file "$tmp/d/persons.sql" || exit 1; else sqlite3 "$DB" <"$tmp/d/persons.sql" || exit 1; fi
sql "$DB" "INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at) VALUES
	('county1', '区县', 'x', 'county', '500101', '$T', '$T'), ('town1', '乡镇', 'x', 'township', '500101001', '$T', '$T')"
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/out" "$1"; }

# --- the register
run monitor register-import --db "$DB" "$tmp/d/register.csv"
expect_rc "register" 0 && [ "$(json 'd["stored"], d["rejected"]')" = "(20, 0)" ] && ok || bad "register: $(cat "$tmp/out")"
printf '身份证号码,姓名,区划代码,类别\n110101199003078888,张三,500101001,other\n%s,李四,500101001,不知道\n%s,王五,5001,other\n' \
	"$(head -1 "$tmp/d/register.csv" >/dev/null; sed -n 2p "$tmp/d/register.csv" | cut -d, -f1)" \
	"$(sed -n 3p "$tmp/d/register.csv" | cut -d, -f1)" >"$tmp/badreg.csv"
run monitor register-import --db "$DB" "$tmp/badreg.csv"
expect_rc "bad register rows" 0 && [ "$(json 'd["stored"], d["rejected"]')" = "(0, 3)" ] && ok || bad "bad register: $(cat "$tmp/out")"
expect_in "rejects name the column: ID" "$tmp/badreg.csv.rejects.csv" "身份证号码"
expect_in "rejects name the column: category" "$tmp/badreg.csv.rejects.csv" "类别"
expect_in "rejects name the column: region" "$tmp/badreg.csv.rejects.csv" "区划代码"
run monitor register-import --db "$DB" --as town1 "$tmp/d/register.csv"
expect_rc "a township may not load the register" 2 && expect_in "forbidden" "$tmp/err" "FORBIDDEN"
[ "$(sql "$DB" "SELECT count(*) FROM monitored_persons")" = 20 ] && ok || bad "register count"

# --- matching
D="$tmp/d"
set -- --kind deaths "$D/deaths.csv" --kind vehicles "$D/vehicles.csv" --kind business "$D/business.csv" \
	--kind social_insurance "$D/social_insurance.csv" --kind staff_relatives "$D/staff_relatives.csv" \
	--kind medical "$D/medical.csv" --kind rural_monitoring "$D/rural_monitoring.csv" \
	--kind assistance_roll "$D/assistance_roll.csv" --kind hukou_moves "$D/hukou_moves.csv"
run match --db "$DB" --as town1 --as-of 2026-11-01 "$@"
expect_rc "a township may not run the match" 2 && expect_in "forbidden" "$tmp/err" "FORBIDDEN"
run match --db "$DB" --as county1 --as-of 2026-11-01 "$@"
expect_rc "match" 0 || exit 1
[ "$(json 'd["population"]')" = $((N + 20)) ] && ok || bad "population: $(json 'd["population"]')"
sql "$DB" "SELECT rule_code || ' ' || id_number || ' ' || region_code FROM alerts ORDER BY 1" >"$tmp/got"
sort "$D/expected.txt" >"$tmp/want"
if diff "$tmp/want" "$tmp/got" >"$tmp/diff"; then ok; else
	bad "alerts differ from the planted cases (< planted, > raised)"
	sed 's/^/    /' "$tmp/diff"
fi
[ "$(json 'd["alerts"] + d["leads"]')" = "$(wc -l <"$D/expected.txt")" ] && ok || bad "counts: $(cat "$tmp/out")"
# rejects: per file, as planted
while read -r kind want; do
	got=$(json "[f['rejected'] for f in d['files'] if f['kind'] == '$kind'][0]")
	[ "$got" = "$want" ] && ok || bad "$kind rejected $got, want $want"
done <"$D/rejects.txt"
expect_in "a rejects file names the column" "$D/social_insurance.csv.rejects.csv" "月缴费工资"
expect_in "a bad ID number is rejected" "$D/deaths.csv.rejects.csv" "身份证号码无效"
# leads and alerts as data: township, lead flag, due date, the registry's person
[ "$(sql "$DB" "SELECT count(*) FROM alerts WHERE lead = 1")" = "$(grep -c '^lead_' "$D/expected.txt")" ] && ok || bad "lead flags"
[ "$(sql "$DB" "SELECT count(*) FROM alerts WHERE rule_code = 'death' AND person_id IS NOT NULL AND household_id IS NOT NULL")" = 3 ] &&
	ok || bad "death alerts carry the person and household"
# 5 working days from Sunday 2026-11-01 is Friday 2026-11-06
[ "$(sql "$DB" "SELECT DISTINCT due_date FROM alerts WHERE rule_code = 'death'")" = 2026-11-06 ] && ok || bad "due date"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = 'raise'")" = "$(wc -l <"$D/expected.txt")" ] &&
	ok || bad "each alert audited"
run audit verify --db "$DB"
expect_rc "audit chain intact" 0

# --- re-running raises nothing new
before=$(sql "$DB" "SELECT count(*) FROM alerts")
run match --db "$DB" --as-of 2026-11-01 "$@"
expect_rc "re-run" 0 && [ "$(json 'd["alerts"], d["leads"]')" = "(0, 0)" ] && ok || bad "re-run: $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT count(*) FROM alerts")" = "$before" ] && ok || bad "re-run added alerts"
[ "$(sql "$DB" "SELECT count(*) FROM match_runs")" = 18 ] && ok || bad "match runs recorded"

# --- bad input never half-writes
printf '姓名,死亡日期\n张三,2026-01-01\n' >"$tmp/nokey.csv"
run match --db "$DB" --kind deaths "$tmp/nokey.csv"
expect_rc "a file without the ID column" 2 && expect_in "names the column" "$tmp/err" "身份证号码"
run match --db "$DB" --kind no_such_kind "$tmp/nokey.csv"
expect_rc "unknown kind" 2 && expect_in "unknown kind" "$tmp/err" "UNKNOWN_KIND"
run match --db "$DB" --kind deaths "$tmp/missing.csv"
expect_rc "missing file" 2
run match --db "$DB" --as-of 2026-13-01 --kind deaths "$D/deaths.csv"
expect_rc "bad date" 2 && expect_in "bad date" "$tmp/err" "as_of"
printf '\xff\xfe\x00' >"$tmp/binary.csv"
run match --db "$DB" --encoding utf-8 --kind deaths "$tmp/binary.csv"
expect_rc "binary file" 2
[ "$(sql "$DB" "SELECT count(*) FROM alerts")" = "$before" ] && ok || bad "failed runs wrote alerts"
[ "$(sql "$DB" "SELECT count(*) FROM match_runs")" = 18 ] && ok || bad "failed runs recorded"

# --- a new kind is a row, not code
sql "$DB" "INSERT INTO dataset_kinds (code, name, department, columns, created_at, updated_at) VALUES ('pension',
	'养老金领取信息', '人社', '[{\"name\":\"id_number\",\"type\":\"id\",\"label\":\"身份证号码\"},{\"name\":\"monthly\",\"type\":\"money\",\"label\":\"月养老金\"}]', '$T', '$T');
	INSERT INTO monitor_rules (code, name, dataset_kind, population, field, op, value, alert_kind, severity,
	deadline_days, created_at, updated_at) VALUES ('pension_high', '养老金高', 'pension', 'monitored', 'monthly', 'ge',
	'3000', 'pension', 'normal', 10, '$T', '$T')"
p1=$(sql "$DB" "SELECT id_number FROM persons WHERE id = 7")
p2=$(sql "$DB" "SELECT id_number FROM persons WHERE id = 8")
printf '身份证号码,月养老金\r\n%s,3000.00\r\n%s,2999.99\r\n' "$p1" "$p2" >"$tmp/pension.csv"
run match --db "$DB" --as-of 2026-11-01 --kind pension "$tmp/pension.csv"
expect_rc "new kind" 0 && [ "$(json 'd["alerts"]')" = 1 ] && ok || bad "new kind: $(cat "$tmp/out") $(cat "$tmp/err")"
[ "$(sql "$DB" "SELECT id_number FROM alerts WHERE rule_code = 'pension_high'")" = "$p1" ] && ok || bad "new kind's alert"

# --- handling alerts (doudi monitor alerts / alert ID verify|act|close)
sql "$DB" "INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at) VALUES
	('town2', '乡镇2', 'x', 'township', '500101002', '$T', '$T'), ('town4', '乡镇4', 'x', 'township', '500104001', '$T', '$T'),
	('town8', '乡镇8', 'x', 'township', '500108001', '$T', '$T')"
today=$(TZ=Asia/Shanghai date +%F)
all=$(sql "$DB" "SELECT count(*) FROM alerts")
run monitor alerts --db "$DB" --per-page 500
expect_rc "alerts list" 0 && [ "$(json 'd["total"], len(d["items"])')" = "($all, $all)" ] && ok || bad "list: $(head -c 300 "$tmp/out")"
[ "$(json 'all(a["due_date"] <= b["due_date"] for a, b in zip(d["items"], d["items"][1:]))')" = True ] && ok || bad "ordered by due date"
[ "$(json 'all("********" in a["id_number"] for a in d["items"])')" = True ] && ok || bad "ID numbers masked in the list"
run monitor alerts --db "$DB" --as county1
[ "$(json 'd["total"]')" = "$(sql "$DB" "SELECT count(*) FROM alerts WHERE region_code LIKE '500101%'")" ] && ok || bad "county scope: $(cat "$tmp/out")"
run monitor alerts --db "$DB" --overdue
[ "$(json 'd["total"]')" = "$(sql "$DB" "SELECT count(*) FROM alerts WHERE state <> 'closed' AND due_date < '$today'")" ] && ok || bad "overdue"
run monitor alerts --db "$DB" --lead
[ "$(json 'd["total"], all(a["lead"] for a in d["items"])')" = "($(sql "$DB" "SELECT count(*) FROM alerts WHERE lead = 1"), True)" ] && ok || bad "leads"
run monitor alerts --db "$DB" --as county1 --region 500102
[ "$(json 'd["total"]')" = 0 ] && ok || bad "a region outside the scope lists nothing"
run monitor alerts --db "$DB" --state bogus
expect_rc "bad state" 2 && expect_in "bad state" "$tmp/err" "BAD_VALUE"
# one alert: scope, mask, reveal (audited)
a4=$(sql "$DB" "SELECT id FROM alerts WHERE rule_code = 'death' AND region_code = '500101002'")
run monitor alert "$a4" --db "$DB" --as town1
expect_rc "another township's alert" 2 && expect_in "not found" "$tmp/err" "NOT_FOUND"
run monitor alert "$a4" --db "$DB" --as town2
expect_rc "get" 0 && [ "$(json 'd["state"], d["version"], d["allowed_steps"]')" = "('open', 1, ['verify'])" ] && ok || bad "get: $(cat "$tmp/out")"
run monitor alert "$a4" --db "$DB" --as town2 --reveal
[ "$(json 'd["id_number"]')" = "$(sql "$DB" "SELECT id_number FROM alerts WHERE id = $a4")" ] && ok || bad "reveal"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'alert.reveal' AND entity_id = '$a4'")" = 1 ] && ok || bad "reveal audited"
# open → verifying → actioned (none, with reason) → closed
run monitor alert "$a4" verify --db "$DB" --as root --version 1
expect_rc "admin may not handle" 2 && expect_in "role" "$tmp/err" "ROLE_NOT_ALLOWED"
run monitor alert "$a4" act --db "$DB" --as town2 --version 1 --action none --note x
expect_rc "act before verify" 2 && expect_in "state" "$tmp/err" "STATE_NOT_ALLOWED"
run monitor alert "$a4" verify --db "$DB" --as town2 --version 1
expect_rc "verify" 0 && [ "$(json 'd["state"], d["version"]')" = "('verifying', 2)" ] && ok || bad "verify: $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT u.username FROM alerts a JOIN users u ON u.id = a.assigned_to WHERE a.id = $a4")" = town2 ] && ok || bad "who verifies"
run monitor alert "$a4" verify --db "$DB" --as town2 --version 1
expect_rc "stale version" 2 && expect_in "stale" "$tmp/err" "STALE_VERSION"
run monitor alert "$a4" act --db "$DB" --as town2 --version 2 --action none
expect_rc "none needs a reason" 2 && expect_in "reason" "$tmp/err" "NOTE_REQUIRED"
run monitor alert "$a4" act --db "$DB" --as town2 --version 2 --action bogus
expect_rc "bad action" 2 && expect_in "bad action" "$tmp/err" "action"
run monitor alert "$a4" act --db "$DB" --as town2 --version 2 --action suspend
expect_rc "suspend without a household" 2 && expect_in "no household" "$tmp/err" "NO_HOUSEHOLD"
run monitor alert "$a4" act --db "$DB" --as town2 --version 2 --action none --note '经核实系同名人员'
expect_rc "act none" 0 && [ "$(json 'd["state"]')" = actioned ] && ok || bad "act: $(cat "$tmp/out")"
run monitor alert "$a4" close --db "$DB" --as town2 --version 3
expect_rc "close needs a result" 2 && expect_in "result" "$tmp/err" "RESULT_REQUIRED"
run monitor alert "$a4" close --db "$DB" --as town2 --version 3 --result '不予处置，已办结'
expect_rc "close" 0 && [ "$(json 'd["state"], d["version"]')" = "('closed', 4)" ] && ok || bad "close: $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT action || '|' || action_note || '|' || result || '|' || CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END FROM alerts WHERE id = $a4")" = \
	"none|经核实系同名人员|不予处置，已办结|1" ] && ok || bad "the handling is recorded"
run monitor alerts --db "$DB" --overdue
[ "$(json "[a['id'] for a in d['items'] if a['id'] == $a4]")" = "[]" ] && ok || bad "a closed alert is not overdue"
# suspend: a payment hold that payroll generation honours
a6=$(sql "$DB" "SELECT id FROM alerts WHERE rule_code = 'vehicle' AND region_code = '500104001'")
h6=$(sql "$DB" "SELECT household_id FROM alerts WHERE id = $a6")
run monitor alert "$a6" verify --db "$DB" --as town4 --version 1
expect_rc "verify (suspend)" 0
run monitor alert "$a6" act --db "$DB" --as town4 --version 2 --action suspend --note '名下有车辆，暂停发放待复核'
expect_rc "act suspend" 0
[ "$(sql "$DB" "SELECT count(*) FROM payment_holds WHERE household_id = $h6 AND alert_id = $a6 AND released_at IS NULL")" = 1 ] && ok || bad "hold placed"
run monitor alert "$a6" --db "$DB" --as town4
[ "$(json 'd["hold"] is not None and d["hold"]["released_at"] is None')" = True ] && ok || bad "hold shown: $(cat "$tmp/out")"
[ "$(json 'd["allowed_steps"]')" = "['close', 'release_hold']" ] && ok || bad "release offered: $(json 'd["allowed_steps"]')"
run payroll generate --db "$DB" --region 500104 --period 2026-12 --quiet
expect_rc "payroll with a hold" 0
[ "$(sql "$DB" "SELECT count(*) FROM payments WHERE period = '2026-12' AND household_id = $h6")" = 0 ] && ok || bad "held household paid"
[ "$(sql "$DB" "SELECT count(*) FROM payments WHERE period = '2026-12'")" -gt 0 ] && ok || bad "others still paid"
run monitor alert "$a6" release-hold --db "$DB" --as town4
expect_rc "a release needs a reason" 2 && expect_in "reason" "$tmp/err" "NOTE_REQUIRED"
run monitor alert "$a6" release-hold --db "$DB" --as town1 --note x
expect_rc "another township may not release" 2 && expect_in "not found" "$tmp/err" "NOT_FOUND"
run monitor alert "$a6" release-hold --db "$DB" --as town4 --note '复核后恢复发放'
expect_rc "release" 0
[ "$(sql "$DB" "SELECT count(*) FROM payment_holds WHERE household_id = $h6 AND released_at IS NOT NULL AND release_note = '复核后恢复发放'")" = 1 ] &&
	ok || bad "hold released"
run monitor alert "$a6" release-hold --db "$DB" --as town4 --note again
expect_rc "nothing to release" 2 && expect_in "no hold" "$tmp/err" "NO_HOLD"
run payroll generate --db "$DB" --region 500104 --period 2027-01 --quiet
expect_rc "payroll after the release" 0
[ "$(sql "$DB" "SELECT count(*) FROM payments WHERE period = '2027-01' AND household_id = $h6")" -gt 0 ] && ok || bad "released household paid again"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'payment_hold.release'")" = 1 ] && ok || bad "release audited"
# temporary: links an existing case or is recorded; review is recorded
a7=$(sql "$DB" "SELECT id FROM alerts WHERE rule_code = 'pension_high'")
run monitor alert "$a7" verify --db "$DB" --as town8 --version 1
run monitor alert "$a7" act --db "$DB" --as town8 --version 2 --action temporary --case 999999
expect_rc "an unknown case" 2 && expect_in "bad case" "$tmp/err" "BAD_CASE"
run monitor alert "$a7" act --db "$DB" --as town8 --version 2 --action review --case 5
expect_rc "case only for temporary" 2 && expect_in "case" "$tmp/err" "case_id"
run monitor alert "$a7" act --db "$DB" --as town8 --version 2 --action review --note '启动复核'
expect_rc "act review" 0
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action IN ('alert.verify', 'alert.action', 'alert.close')")" = 7 ] &&
	ok || bad "each step audited"
[ "$(sql "$DB" "SELECT count(*) FROM alerts WHERE version > 1")" = 3 ] && ok || bad "failed steps changed nothing"
run audit verify --db "$DB"
expect_rc "audit chain intact after handling" 0

echo "data matching on $backend: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
