#!/usr/bin/env bash
# CLI tests for epidemic patient aid and staged temporary assistance as bank
# payments (issue 6 §3, docs/payroll.md) over a generated roll
# (bench/payroll_roll.sql: decisions in force from 2026-01; standards in 2026:
# rural 630.00, urban 770.00; temp.covid_multiple 2). On SQLite by default; on
# PostgreSQL under tests/pg.sh (DOUDI_TEST_PG set).
set -u
DB_PREFIX=payroll_epidemic
source "$(dirname "$0")/lib.sh"
echo "payroll epidemic and temporary CLI tests on $backend"

printf 'correct horse battery\n' >"$tmp/pw"
T=2026-01-01T00:00:00.000Z
fresh_db
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
expect_rc "init" 0 || exit 1
sed "s/@N@/200/" bench/payroll_roll.sql >"$tmp/roll.sql"
if [ $backend = pg ]; then
	"$PGBIN/psql" "$DB" -qAt -v ON_ERROR_STOP=1 -f "$tmp/roll.sql" >/dev/null || exit 1
else
	sqlite3 "$DB" <"$tmp/roll.sql" || exit 1
fi
sql "$DB" "INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at)
	SELECT 'c' || code, name, 'x', 'county', code, '$T', '$T' FROM regions WHERE level = 3 AND code LIKE '50%';
	INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at)
	SELECT 'f' || code, name, 'x', 'finance', code, '$T', '$T' FROM regions WHERE level = 3 AND code LIKE '50%'"
county_of() { sql "$DB" "SELECT substr(region_code, 1, 6) FROM households WHERE id = $1"; }
paid() { sql "$DB" "SELECT COALESCE(sum(amount), 0) FROM payments WHERE kind = '$1' AND person_id = $2 AND state <> 'cancelled'"; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/out" "$1"; }

# person 1: rural dibao; person 10: rural tekun; person 3: urban dibao;
# person 2 in another county than 1
c1=$(county_of 1)
c10=$(county_of 10)
c3=$(county_of 3)
c2=$(county_of 2)
[ "$c1" != "$c2" ] && [ "$c1" != "$c10" ] || { bad "roll: counties not distinct"; exit 1; }

# --- recording patients
run payroll epidemic-patient --db "$DB" --as "c$c1" --person 1 --diagnosed 2026-02-03 --discharged 2026-03-10
expect_rc "patient 1" 0 && [ "$(json 'd["basis"]+" "+d["standard"]+" "+str(d["multiple"])+" "+d["period_amount"]')" = "dibao 630.00 2 1260.00" ] &&
	ok || bad "patient 1: $(cat "$tmp/out")"
p1=$(json 'd["id"]')
run payroll epidemic-patient --db "$DB" --as "c$c10" --person 10 --diagnosed 2026-01-31
expect_rc "patient 10" 0 && [ "$(json 'd["basis"]+" "+d["period_amount"]')" = "tekun 1260.00" ] && ok || bad "patient 10: $(cat "$tmp/out")"
p10=$(json 'd["id"]')
run payroll epidemic-patient --db "$DB" --as "c$c3" --person 3 --diagnosed 2026-03-15 --discharged 2026-03-15
expect_rc "patient 3" 0 && [ "$(json 'd["area"]+" "+d["period_amount"]')" = "urban 1540.00" ] && ok || bad "patient 3: $(cat "$tmp/out")"
# refusals, each naming its field
sql "$DB" "INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at)
	SELECT 900001, 'S900001', '非对象', '1960-01-01', 'male', region_code, '$T', '$T' FROM households WHERE id = 1;
	INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)
	SELECT 900001, region_code, 'N900001', 'rural', '$T', '$T' FROM households WHERE id = 1;
	INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
	SELECT 900001, 900001, 900001, region_code, 'head', '2020-01-01', '$T' FROM households WHERE id = 1"
refuse() { # refuse NAME FIELD CODE ARGS…
	local name=$1 field=$2 code=$3
	shift 3
	run payroll epidemic-patient --db "$DB" "$@"
	expect_rc "$name" 2 && expect_in "$name" "$tmp/err" "$field: " && expect_in "$name" "$tmp/err" "($code)"
}
refuse "non-recipient" person_id NOT_RECIPIENT --as "c$c1" --person 900001 --diagnosed 2026-02-03
expect_in "non-recipient in Chinese" "$tmp/err" "不是低保或特困供养对象"
refuse "diagnosed before the decision" person_id NOT_RECIPIENT --as "c$c2" --person 2 --diagnosed 2025-12-20
refuse "unknown person" person_id NOT_FOUND --as "c$c1" --person 999999 --diagnosed 2026-02-03
refuse "another county's person" person_id NOT_FOUND --as "c$c2" --person 1 --diagnosed 2026-04-03
refuse "bad diagnosis date" diagnosed_on BAD_DATE --as "c$c2" --person 2 --diagnosed 2026-02-30
refuse "no diagnosis date" diagnosed_on MISSING_FIELD --as "c$c2" --person 2
refuse "bad discharge date" discharged_on BAD_DATE --as "c$c2" --person 2 --diagnosed 2026-02-03 --discharged 2026-3-1
refuse "discharge before diagnosis" discharged_on BAD_DATE --as "c$c2" --person 2 --diagnosed 2026-02-03 --discharged 2026-02-02
refuse "overlapping stay" diagnosed_on OVERLAPPING_STAY --as "c$c1" --person 1 --diagnosed 2026-03-01
refuse "finance may not record" "doudi payroll" ROLE_NOT_ALLOWED --as "f$c1" --person 1 --diagnosed 2026-05-01
[ "$(sql "$DB" "SELECT count(*) FROM epidemic_patients")" = 3 ] && ok || bad "a refused patient was recorded"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'epidemic_patient.create'")" = 3 ] && ok || bad "patients not audited"

# --- February: periods begun by 02-29 → person 1 period 1, person 10 periods 1 (01-31) and 2 (02-28)
run payroll epidemic --db "$DB" --region 50 --period 2026-02
expect_rc "epidemic 2026-02" 0 && [ "$(json 'str(d["added"])+" "+d["added_total"]')" = "3 3780.00" ] &&
	ok || bad "epidemic 2026-02: $(cat "$tmp/out")"
[ "$(paid epidemic 1) $(paid epidemic 10) $(paid epidemic 3)" = "126000 252000 0" ] && ok || bad "Feb amounts: $(paid epidemic 1) $(paid epidemic 10) $(paid epidemic 3)"
[ "$(sql "$DB" "SELECT count(*) || ' ' || sum(total_amount) FROM payroll_batches WHERE kind = 'epidemic' AND programme = 'temporary' AND period = '2026-02'")" = "2 378000" ] &&
	ok || bad "Feb batches: $(sql "$DB" "SELECT region_code || ' ' || total_amount FROM payroll_batches WHERE kind = 'epidemic'")"
before=$(sql "$DB" "SELECT count(*) || ' ' || sum(amount) FROM payments")
audits=$(sql "$DB" "SELECT count(*) FROM audit_log")
run payroll epidemic --db "$DB" --region 50 --period 2026-02
expect_rc "epidemic 2026-02 again" 0 && [ "$(json 'd["added"]')" = 0 ] && ok || bad "second run added: $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT count(*) || ' ' || sum(amount) FROM payments")" = "$before" ] &&
	[ "$(sql "$DB" "SELECT count(*) FROM audit_log")" = "$audits" ] && ok || bad "second run changed the store"
# --- March, person 1's county alone: its period 2 (03-03); nobody else
run payroll epidemic --db "$DB" --as "c$c1" --region "$c1" --period 2026-03
expect_rc "epidemic 2026-03 county" 0 && [ "$(json 'str(d["added"])+" "+d["added_total"]+" "+str(len(d["counties"]))')" = "1 1260.00 1" ] &&
	ok || bad "county run: $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT count(*) FROM payroll_batches WHERE kind = 'epidemic' AND period = '2026-03' AND region_code <> '$c1'")" = 0 ] &&
	ok || bad "a county run wrote another county's batch"
run payroll epidemic --db "$DB" --as "c$c1" --region "$c10" --period 2026-03
expect_rc "another county's run" 2 && expect_in "out of scope" "$tmp/err" "REGION_OUT_OF_SCOPE"
run payroll epidemic --db "$DB" --as "c$c1" --region "$c1" --period 2026-13
expect_rc "bad period" 2 && expect_in "bad period" "$tmp/err" "period: "
run payroll epidemic --db "$DB" --region 50 --period 2026-03
expect_rc "epidemic 2026-03" 0 && [ "$(json 'str(d["added"])+" "+d["added_total"]')" = "2 2800.00" ] && ok || bad "March: $(cat "$tmp/out")"
# RULES: diagnosed 02-03, discharged 03-10 → 2 × 2 × S; same-day discharge → 1 period
[ "$(paid epidemic 1) $(paid epidemic 10) $(paid epidemic 3)" = "252000 378000 154000" ] && ok || bad "March amounts: $(paid epidemic 1) $(paid epidemic 10) $(paid epidemic 3)"
# --- a discharge entered later stops further periods: 10 left on 04-05, so
# the period from 04-30 is never paid (without it April would pay it)
run payroll epidemic-discharge --db "$DB" --as "c$c10" --patient "$p10" --discharged 2026-03-30
expect_rc "discharge before a paid period" 2 && expect_in "periods paid" "$tmp/err" "PERIODS_PAID"
run payroll epidemic-discharge --db "$DB" --as "c$c10" --patient "$p10" --discharged 2026-01-30
expect_rc "discharge before diagnosis" 2 && expect_in "discharge field" "$tmp/err" "discharged_on: "
run payroll epidemic-discharge --db "$DB" --as "c$c1" --patient "$p10" --discharged 2026-04-05
expect_rc "discharge by another county" 2 && expect_in "not found" "$tmp/err" "NOT_FOUND"
run payroll epidemic-discharge --db "$DB" --as "c$c10" --patient "$p10" --discharged 2026-04-05
expect_rc "discharge" 0 && [ "$(json 'd["discharged_on"]+" "+str(d["periods_paid"])+" "+d["amount_paid"]')" = "2026-04-05 3 3780.00" ] &&
	ok || bad "discharge: $(cat "$tmp/out")"
run payroll epidemic-discharge --db "$DB" --as "c$c10" --patient "$p10" --discharged 2026-04-06
expect_rc "discharge twice" 2 && expect_in "twice" "$tmp/err" "ALREADY_DISCHARGED"
run payroll epidemic --db "$DB" --region 50 --period 2026-04
expect_rc "epidemic 2026-04" 0 && [ "$(json 'd["added"]')" = 0 ] && ok || bad "April after discharge: $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT count(*) FROM (SELECT dedup_key FROM payments WHERE kind = 'epidemic' GROUP BY dedup_key HAVING count(*) > 1) x")" = 0 ] &&
	ok || bad "an epidemic period paid twice"

# --- staged temporary assistance: case 1 (household 1) approved 2026-02-10 in
# three stages, stage 2 paid in cash from the reserve fund; case 2 without a
# household (no payee); case 3 still submitted (not due)
ins_case() { # ins_case ID HOUSEHOLD STATE
	sql "$DB" "INSERT INTO applications (id, household_id, region_code, programme, state, created_at, updated_at)
		SELECT $1, $2, region_code, 'temporary', '$3', '$T', '$T' FROM households WHERE id = 1;
		INSERT INTO temporary_cases (application_id, region_code, case_kind, cause, area, tier, approved_amount, approved_at, created_at, updated_at)
		SELECT $1, region_code, 'emergency', 'fire', 'rural', 'county', 60000, '2026-02-10T08:00:00.000Z', '$T', '$T' FROM households WHERE id = 1;
		INSERT INTO temporary_stages (application_id, region_code, seq, amount, state, created_at, updated_at)
		SELECT $1, region_code, s.seq, s.seq * 10000, CASE WHEN s.seq = 2 AND $1 = 900001 THEN 'paid' ELSE 'planned' END, '$T', '$T'
		FROM households, (SELECT 1 AS seq UNION ALL SELECT 2 UNION ALL SELECT 3) s WHERE id = 1"
}
ins_case 900001 1 approved
ins_case 900002 NULL approved
ins_case 900003 1 submitted
run payroll temporary --db "$DB" --region "$c1" --period 2026-01
expect_rc "temporary 2026-01" 0 && [ "$(json 'str(d["added"])+" "+str(d["no_payee"])')" = "0 0" ] && ok || bad "nothing due in January: $(cat "$tmp/out")"
run payroll temporary --db "$DB" --region "$c1" --period 2026-02
expect_rc "temporary 2026-02" 0 && [ "$(json 'str(d["added"])+" "+d["added_total"]+" "+str(d["no_payee"])')" = "1 100.00 1" ] &&
	ok || bad "stage 1 in February: $(cat "$tmp/out")"
run payroll temporary --db "$DB" --region "$c1" --period 2026-02
expect_rc "temporary 2026-02 again" 0 && [ "$(json 'd["added"]')" = 0 ] && ok || bad "second run: $(cat "$tmp/out")"
run payroll temporary --db "$DB" --region 50 --period 2026-04
expect_rc "temporary 2026-04" 0 && [ "$(json 'str(d["added"])+" "+d["added_total"]')" = "1 300.00" ] && ok || bad "April: stage 3 only (2 paid in cash): $(cat "$tmp/out")"
[ "$(sql "$DB" "SELECT s.seq || ':' || y.amount || ':' || y.person_id || ':' || y.dedup_key FROM temporary_stages s JOIN payments y ON y.id = s.payment_id WHERE s.application_id = 900001 ORDER BY s.seq" | tr '\n' ' ')" = \
	"1:10000:1:temporary:stage:$(sql "$DB" "SELECT id FROM temporary_stages WHERE application_id = 900001 AND seq = 1") 3:30000:1:temporary:stage:$(sql "$DB" "SELECT id FROM temporary_stages WHERE application_id = 900001 AND seq = 3") " ] &&
	ok || bad "stages not tied to their payments: $(sql "$DB" "SELECT seq || ' ' || COALESCE(payment_id, 0) FROM temporary_stages WHERE application_id = 900001")"
[ "$(sql "$DB" "SELECT count(*) FROM payments WHERE kind = 'temporary' AND dedup_key LIKE 'temporary:stage:%' AND component LIKE 'stage:%'")" = 2 ] &&
	[ "$(sql "$DB" "SELECT count(*) FROM payments y JOIN temporary_stages s ON s.id = CAST(substr(y.component, 7) AS BIGINT) WHERE y.kind = 'temporary' AND s.application_id <> 900001")" = 0 ] &&
	ok || bad "paid a stage of a household-less or unapproved case"

# --- both kinds go through the workflow to a bank file: the February
# epidemic batch of person 1's county (重庆农村商业银行, CSV in GB18030)
b=$(sql "$DB" "SELECT id FROM payroll_batches WHERE kind = 'epidemic' AND region_code = '$c1' AND period = '2026-02'")
tb=$(sql "$DB" "SELECT id FROM payroll_batches WHERE kind = 'temporary' AND region_code = '$c1' AND period = '2026-02'")
for batch in $b $tb; do
	for step in "c$c1 check" "f$c1 approve" "f$c1 export"; do
		v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $batch")
		run payroll act --db "$DB" --as "${step% *}" --batch "$batch" --action "${step#* }" --version "$v"
		expect_rc "batch $batch ${step#* }" 0
	done
	rm -rf "$tmp/bank" && mkdir "$tmp/bank"
	run payroll bank-files --db "$DB" --batch "$batch" --out "$tmp/bank" --as "f$c1"
	expect_rc "bank files of batch $batch" 0
	f=$(ls "$tmp/bank"/* 2>/dev/null | head -1)
	want=$([ "$batch" = "$b" ] && echo 1260.00 || echo 100.00)
	if [ -n "$f" ] && iconv -f gb18030 -t utf-8 "$f" | grep -q "6217100000000001.*$want\|$want.*6217100000000001"; then ok; else
		bad "bank file of batch $batch lacks person 1's account and $want"
		[ -n "$f" ] && iconv -f gb18030 -t utf-8 "$f" | sed 's/^/    /'
	fi
done
[ "$(sql "$DB" "SELECT state FROM payments WHERE batch_id = $b")" = exported ] && ok || bad "epidemic payment not exported"
run audit verify --db "$DB"
expect_rc "audit chain" 0

echo "payroll epidemic CLI tests on $backend: $pass passed, $fail failed"
[ $fail -eq 0 ]
