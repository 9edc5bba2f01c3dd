#!/usr/bin/env bash
# CLI tests for the payroll checks before approval and the subsidy campaigns
# (issue 6 §2, §3) over a generated roll (bench/payroll_roll.sql). On SQLite
# by default; on PostgreSQL under tests/pg.sh (DOUDI_TEST_PG set).
set -u
DB_PREFIX=payroll_checks
source "$(dirname "$0")/lib.sh"
echo "payroll checks and campaigns CLI tests on $backend"

printf 'correct horse battery\n' >"$tmp/pw"
ROLL=1000
T=2026-01-01T00:00:00.000Z

fresh_db
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
expect_rc "init" 0 || exit 1
sed "s/@N@/$ROLL/" bench/payroll_roll.sql >"$tmp/roll.sql"
if [ $backend = pg ]; then
	"$PGBIN/psql" "$DB" -qAt -v ON_ERROR_STOP=1 -f "$tmp/roll.sql" >/dev/null || exit 1
else
	sqlite3 "$DB" <"$tmp/roll.sql" || exit 1
fi
# accounts: one county account per county (cNNNNNN), one finance account
# (their password hashes are never used: the CLI acts --as them)
sql "$DB" "INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at)
	SELECT 'c' || code, name, 'x', 'county', code, '$T', '$T' FROM regions WHERE level = 3 AND code LIKE '50%';
	INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at)
	SELECT 'f' || code, name, 'x', 'finance', code, '$T', '$T' FROM regions WHERE level = 3 AND code LIKE '50%'"
county_of() { sql "$DB" "SELECT substr(region_code, 1, 6) FROM households WHERE id = $1"; }

# --- plant exactly one case per check (period 2026-03), and near misses
P=2026-03
# deceased: person 11 died in the month; person 21 the day after it (not flagged)
sql "$DB" "UPDATE persons SET death_date = '2026-03-31' WHERE id = 11;
	UPDATE persons SET death_date = '2026-04-01' WHERE id = 21"
# exited: person 12 left household 12 before the month (a spouse stays, so the
# household still has a member); person 22 left during the month (not flagged)
sql "$DB" "UPDATE memberships SET to_date = '2026-02-27' WHERE person_id = 12;
	INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at)
		SELECT 900012, 'S900012', '配偶', '1950-01-01', 'female', region_code, '$T', '$T' FROM households WHERE id = 12;
	INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
		SELECT 900012, 12, 900012, region_code, 'spouse', '2020-01-01', '$T' FROM households WHERE id = 12;
	UPDATE memberships SET to_date = '2026-03-05' WHERE person_id = 22"
# shared_account: person 14 gets person 13's bank account (two households)
sql "$DB" "UPDATE persons SET bank_account = (SELECT bank_account FROM persons WHERE id = 13) WHERE id = 14"
# over_limit: household 16 (rural, one member, standard 630.00) raised to
# 630.01; household 17 (rural) to exactly 630.00 (not flagged)
sql "$DB" "UPDATE decision_lines SET amount = 63001 WHERE decision_id = 16;
	UPDATE decision_lines SET amount = 63000 WHERE decision_id = 17"
# staff_relative: person 18 registered; person 19 registered but inactive
sql "$DB" "INSERT INTO close_relatives (region_code, id_number, name, staff_name, relation, active, created_at)
	VALUES ('50', 'T1000000018', '受助人18', '王科员', '配偶', 1, '$T'), ('50', 'T1000000019', '受助人19', '李科员', '子女', 0, '$T')"
# paid_twice: person 23 moved on 03-11 to a new household in another county
# whose dibao decision pays them from 03-01 as well
sql "$DB" "UPDATE memberships SET to_date = '2026-03-10' WHERE person_id = 23;
	INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)
		SELECT 900023, region_code, 'N900023', 'rural', '$T', '$T' FROM households WHERE id = 24;
	INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
		SELECT 900023, 900023, 23, region_code, 'head', '2026-03-11', '$T' FROM households WHERE id = 24;
	INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit, effective_from,
		assessed_on, result, trace, params, created_at)
		SELECT 900023, 900023, region_code, 'dibao', 'dibao', 35000, '2026-03-01', '2026-02-20', '{}', '[]', '{}', '$T'
		FROM households WHERE id = 900023;
	INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component, category,
		amount, created_at)
		SELECT 900023, 900023, 900023, 23, region_code, 'dibao', 'household', 'dibao_rural', 35000, '$T'
		FROM households WHERE id = 900023"
# exclusive_decisions: tekun person 30 moved on 03-16 into dibao household 31
sql "$DB" "UPDATE memberships SET to_date = '2026-03-15' WHERE person_id = 30;
	INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
		SELECT 900030, 31, 30, region_code, 'other', '2026-03-16', '$T' FROM households WHERE id = 31"

run payroll generate --db "$DB" --region 50 --period $P --quiet
expect_rc "generate" 0 || exit 1
batches=$(sql "$DB" "SELECT count(*) FROM payroll_batches WHERE period = '$P'")
[ "$batches" -ge 40 ] && ok || bad "generated $batches batches"
batch_of() { # batch_of PERSON [HOUSEHOLD]: the batch paying person (in household)
	sql "$DB" "SELECT min(batch_id) FROM payments WHERE person_id = $1 ${2:+AND household_id = $2} AND period = '$P'"
}
b18=$(batch_of 18)

# --- check on the batch of person 18 without running the checks first: they
# run inside the check action, what they find is kept, the check refused
v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $b18")
c18=c$(sql "$DB" "SELECT region_code FROM payroll_batches WHERE id = $b18")
run payroll act --db "$DB" --as "$c18" --batch "$b18" --action check --version "$v"
expect_rc "check with a finding" 2 && expect_in "check refused" "$tmp/err" "FINDINGS_OPEN"
[ "$(sql "$DB" "SELECT state || ' ' || findings_open FROM payroll_batches WHERE id = $b18")" = "draft 1" ] &&
	ok || bad "batch of 18 after the refused check: $(sql "$DB" "SELECT state || ' ' || findings_open FROM payroll_batches WHERE id = $b18")"

# --- run the checks on every batch of the month, each as its county
added=0
for row in $(sql "$DB" "SELECT id || ':' || region_code FROM payroll_batches WHERE period = '$P' ORDER BY id"); do
	run payroll checks --db "$DB" --as "c${row#*:}" --batch "${row%%:*}"
	expect_rc "checks on batch ${row%%:*}" 0 || continue
	added=$((added + $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["added"])' "$tmp/out")))
done
want="deceased 11 11
exclusive_decisions 30 30
exclusive_decisions 30 30
exited 12 12
over_limit 16 16
paid_twice 23 23
paid_twice 23 900023
shared_account 13 13
shared_account 14 14
staff_relative 18 18"
got=$(sql "$DB" "SELECT check_code || ' ' || person_id || ' ' || household_id FROM payroll_findings ORDER BY check_code, person_id, household_id")
if [ "$got" = "$want" ]; then ok; else
	bad "findings differ from the planted cases"
	diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
fi
[ "$added" = 9 ] && ok || bad "checks added $added findings, want 9 (+1 found by the check action)"
# each finding names its payment, which pays that person in that batch
[ "$(sql "$DB" "SELECT count(*) FROM payroll_findings f JOIN payments y ON y.id = f.payment_id AND y.batch_id = f.batch_id AND y.person_id = f.person_id")" = 10 ] &&
	ok || bad "findings not tied to their payments"
# the detail carries the figures
detail=$(sql "$DB" "SELECT detail FROM payroll_findings WHERE check_code = 'over_limit'")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["amount"]=="630.01" and d["limit"]=="630.00" and d["members"]==1 and "超过上限" in d["text"], d' "$detail" &&
	ok || bad "over_limit detail: $detail"
detail=$(sql "$DB" "SELECT detail FROM payroll_findings WHERE check_code = 'deceased'")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["death_date"]=="2026-03-31" and "死亡" in d["text"], d' "$detail" &&
	ok || bad "deceased detail: $detail"
# findings_open follows on every batch
[ "$(sql "$DB" "SELECT count(*) FROM payroll_batches b WHERE findings_open <> (SELECT count(*) FROM payroll_findings f WHERE f.batch_id = b.id AND f.state = 'open')")" = 0 ] &&
	ok || bad "findings_open out of step"

# the findings list masks ID numbers
b11=$(batch_of 11)
c11=c$(sql "$DB" "SELECT region_code FROM payroll_batches WHERE id = $b11")
run payroll findings --db "$DB" --as "$c11" --batch "$b11"
expect_rc "findings" 0 && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["items"]; assert d["total"]==1 and i[0]["check"]=="deceased" and i[0]["person_id"]==11 and "T1000000011" not in json.dumps(d), d' "$tmp/out" &&
	ok || bad "findings list: $(cat "$tmp/out")"
# another county does not see the batch
other=c$(sql "$DB" "SELECT min(region_code) FROM payroll_batches WHERE region_code <> (SELECT region_code FROM payroll_batches WHERE id = $b11)")
run payroll findings --db "$DB" --as "$other" --batch "$b11"
expect_rc "findings of another county" 2 && expect_in "other county" "$tmp/err" "NOT_FOUND"

# --- resolving: clear the deceased one (the payment is withheld, the batch
# total drops by its amount), override the over_limit one
f11=$(sql "$DB" "SELECT id FROM payroll_findings WHERE check_code = 'deceased'")
amount11=$(sql "$DB" "SELECT y.amount FROM payroll_findings f JOIN payments y ON y.id = f.payment_id WHERE f.id = $f11")
before=$(sql "$DB" "SELECT total_amount || ' ' || payments_count FROM payroll_batches WHERE id = $b11")
run payroll resolve --db "$DB" --as "$c11" --finding "$f11" --action clear
expect_rc "clear without a reason" 2 && expect_in "reason required" "$tmp/err" "REASON_REQUIRED"
run payroll resolve --db "$DB" --as "$c11" --finding "$f11" --action drop --reason x
expect_rc "bad action" 2 && expect_in "bad action" "$tmp/err" "BAD_ACTION"
run payroll resolve --db "$DB" --as "$other" --finding "$f11" --action clear --reason 已死亡
expect_rc "clear by another county" 2
run payroll resolve --db "$DB" --as "$c11" --finding "$f11" --action clear --reason 经核实已死亡，停发
expect_rc "clear" 0 && expect_in "clear" "$tmp/out" '"state":"cleared"'
[ "$(sql "$DB" "SELECT y.state FROM payroll_findings f JOIN payments y ON y.id = f.payment_id WHERE f.id = $f11")" = withheld ] &&
	ok || bad "cleared payment not withheld"
after=$(sql "$DB" "SELECT total_amount || ' ' || payments_count FROM payroll_batches WHERE id = $b11")
[ "$after" = "$((${before% *} - amount11)) $((${before#* } - 1))" ] && ok || bad "batch totals after clear: $before → $after (amount $amount11)"
run payroll resolve --db "$DB" --as "$c11" --finding "$f11" --action override --reason again
expect_rc "resolve twice" 2 && expect_in "resolve twice" "$tmp/err" "FINDING_RESOLVED"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'payroll.finding.clear' AND entity_id = '$f11'")" = 1 ] &&
	ok || bad "clear not audited"
f16=$(sql "$DB" "SELECT id FROM payroll_findings WHERE check_code = 'over_limit'")
b16=$(batch_of 16)
c16=c$(sql "$DB" "SELECT region_code FROM payroll_batches WHERE id = $b16")
before16=$(sql "$DB" "SELECT total_amount FROM payroll_batches WHERE id = $b16")
run payroll resolve --db "$DB" --as "$c16" --finding "$f16" --action override --reason 经县局集体研究，按特殊困难照发
expect_rc "override" 0 && expect_in "override" "$tmp/out" '"state":"overridden"'
[ "$(sql "$DB" "SELECT y.state || ' ' || b.total_amount FROM payroll_findings f JOIN payments y ON y.id = f.payment_id JOIN payroll_batches b ON b.id = f.batch_id WHERE f.id = $f16")" = "pending $before16" ] &&
	ok || bad "override changed the payment or the total"

# re-running the checks adds nothing and keeps the resolved ones resolved
run payroll checks --db "$DB" --as "$c11" --batch "$b11"
expect_rc "checks again" 0 && expect_in "checks again" "$tmp/out" '"added":0,"open":0'
[ "$(sql "$DB" "SELECT state FROM payroll_findings WHERE id = $f11")" = cleared ] && ok || bad "re-run reopened a cleared finding"

# --- check → approve only when none is open
v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $b18")
f18=$(sql "$DB" "SELECT id FROM payroll_findings WHERE check_code = 'staff_relative'")
run payroll act --db "$DB" --as "f${c18#c}" --batch "$b18" --action approve --version "$v"
expect_rc "approve a draft" 2
run payroll resolve --db "$DB" --as "$c18" --finding "$f18" --action override --reason 已回避审批，待遇核实无误
expect_rc "override 18" 0
v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $b18")
run payroll act --db "$DB" --as "$c18" --batch "$b18" --action check --version "$v"
expect_rc "check with none open" 0 && expect_in "checked" "$tmp/out" '"state":"checked"'
v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $b18")
run payroll act --db "$DB" --as "f${c18#c}" --batch "$b18" --action approve --version "$v"
expect_rc "approve" 0 && expect_in "approved" "$tmp/out" '"state":"approved"'
run payroll resolve --db "$DB" --as "$c18" --finding "$f18" --action clear --reason x
expect_rc "resolve on an approved batch" 2 && expect_in "not draft" "$tmp/err" "BATCH_NOT_DRAFT"
b30=$(batch_of 30)
c30=c$(sql "$DB" "SELECT region_code FROM payroll_batches WHERE id = $b30")
v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $b30")
run payroll act --db "$DB" --as "$c30" --batch "$b30" --action check --version "$v"
expect_rc "check with two open" 2 && expect_in "two open" "$tmp/err" "未处理 2 条"
[ "$(sql "$DB" "SELECT state FROM payroll_batches WHERE id = $b30")" = draft ] && ok || bad "refused check moved the batch"
# a batch with no finding at all checks straight away
clean=$(sql "$DB" "SELECT min(id) FROM payroll_batches b WHERE period = '$P' AND NOT EXISTS (SELECT 1 FROM payroll_findings f WHERE f.batch_id = b.id)")
cc=c$(sql "$DB" "SELECT region_code FROM payroll_batches WHERE id = $clean")
v=$(sql "$DB" "SELECT version FROM payroll_batches WHERE id = $clean")
run payroll act --db "$DB" --as "$cc" --batch "$clean" --action check --version "$v"
expect_rc "check a clean batch" 0
run audit verify --db "$DB"
expect_rc "audit chain" 0

# --- the 2022 one-time subsidy (100 rural dibao, 127 urban dibao, 165 tekun per
# person) over a fresh roll, on the rolls at 2026-03-15, paid in 2026-03
fresh_db
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
expect_rc "init for the campaign" 0 || exit 1
if [ $backend = pg ]; then
	"$PGBIN/psql" "$DB" -qAt -v ON_ERROR_STOP=1 -f "$tmp/roll.sql" >/dev/null || exit 1
else
	sqlite3 "$DB" <"$tmp/roll.sql" || exit 1
fi
sql "$DB" "INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at)
	SELECT 'c' || code, name, 'x', 'county', code, '$T', '$T' FROM regions WHERE level = 3 AND code LIKE '50%'"
R=2026-03-15
# on the rolls or not: tekun person 30 lives in dibao household 31 (paid once,
# as tekun); person 41 died before the date; household 51 got a second member
# (paid too); person 61 left household 61 before the date (not paid)
sql "$DB" "UPDATE memberships SET to_date = '2026-02-28' WHERE person_id = 30;
	INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
		SELECT 900030, 31, 30, region_code, 'other', '2026-03-01', '$T' FROM households WHERE id = 31;
	UPDATE persons SET death_date = '2026-03-10' WHERE id = 41;
	INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at)
		SELECT 900051, 'S900051', '配偶', '1950-01-01', 'female', region_code, '$T', '$T' FROM households WHERE id = 51;
	INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
		SELECT 900051, 51, 900051, region_code, 'spouse', '2020-01-01', '$T' FROM households WHERE id = 51;
	UPDATE memberships SET to_date = '2026-03-01' WHERE person_id = 61"
# what should be paid, from the roll's decisions and households (not the lines)
expected=$(sql "$DB" "SELECT category || ' ' || count(*) FROM (
	SELECT m.person_id, CASE WHEN min(d.programme) = 'tekun' OR EXISTS (SELECT 1 FROM decisions t WHERE t.programme = 'tekun' AND t.household_id = (SELECT min(household_id) FROM memberships x WHERE x.person_id = m.person_id AND x.relation = 'head'))
		THEN 'tekun' ELSE 'dibao_' || min(h.area) END AS category
	FROM memberships m JOIN households h ON h.id = m.household_id JOIN decisions d ON d.household_id = h.id JOIN persons p ON p.id = m.person_id
	WHERE m.from_date <= '$R' AND (m.to_date IS NULL OR m.to_date >= '$R') AND (p.death_date IS NULL OR p.death_date > '$R')
	GROUP BY m.person_id) c GROUP BY category ORDER BY category")
for pass_no in 1 2; do
	for county in $(sql "$DB" "SELECT code FROM regions WHERE level = 3 AND code LIKE '50%' ORDER BY code"); do
		run payroll campaign --db "$DB" --as "c$county" --region "$county" --code 2022-onetime --date $R --period 2026-03
		expect_rc "campaign $county (run $pass_no)" 0 || continue
		if [ $pass_no = 2 ]; then expect_in "second run adds nothing" "$tmp/out" '"created":false,"added":0'; fi
	done
	got=$(sql "$DB" "SELECT category || ' ' || count(*) FROM payments WHERE programme = 'subsidy' GROUP BY category ORDER BY category")
	if [ "$got" = "$expected" ]; then ok; else
		bad "campaign run $pass_no: payments by category differ"
		diff <(echo "$expected") <(echo "$got") | sed 's/^/    /'
	fi
done
[ "$(sql "$DB" "SELECT count(*) FROM (SELECT person_id FROM payments WHERE programme = 'subsidy' GROUP BY person_id HAVING count(*) > 1) x")" = 0 ] &&
	ok || bad "somebody paid twice"
[ "$(sql "$DB" "SELECT DISTINCT category || ':' || amount FROM payments WHERE programme = 'subsidy' ORDER BY 1" | tr '\n' ' ')" = "dibao_rural:10000 dibao_urban:12700 tekun:16500 " ] &&
	ok || bad "amounts by category: $(sql "$DB" "SELECT DISTINCT category || ':' || amount FROM payments WHERE programme = 'subsidy'" | tr '\n' ' ')"
[ "$(sql "$DB" "SELECT category || ' ' || amount FROM payments WHERE programme = 'subsidy' AND person_id = 30")" = "tekun 16500" ] &&
	ok || bad "tekun person in a dibao household not paid once as tekun"
[ "$(sql "$DB" "SELECT count(*) FROM payments WHERE programme = 'subsidy' AND person_id IN (41, 61)")" = 0 ] &&
	ok || bad "paid a dead or departed person"
[ "$(sql "$DB" "SELECT count(*) FROM payments WHERE programme = 'subsidy' AND person_id = 900051")" = 1 ] &&
	ok || bad "second member of a dibao household not paid"
[ "$(sql "$DB" "SELECT count(*) || ' ' || count(DISTINCT batch_id) FROM subsidy_campaigns")" = "38 38" ] &&
	ok || bad "one campaign and batch per county: $(sql "$DB" "SELECT count(*) || ' ' || count(DISTINCT batch_id) FROM subsidy_campaigns")"
[ "$(sql "$DB" "SELECT count(*) FROM payroll_batches b WHERE kind = 'one_time' AND (campaign <> '2022-onetime' OR total_amount <> (SELECT sum(amount) FROM payments y WHERE y.batch_id = b.id) OR payments_count <> (SELECT count(*) FROM payments y WHERE y.batch_id = b.id))")" = 0 ] &&
	ok || bad "campaign batch totals"
c1=$(sql "$DB" "SELECT min(code) FROM regions WHERE level = 3 AND code LIKE '50%'")
run payroll campaign --db "$DB" --as "c$c1" --region "$c1" --code no-such --date $R --period 2026-03
expect_rc "unknown campaign" 2 && expect_in "unknown campaign" "$tmp/err" "UNKNOWN_CAMPAIGN"
run payroll campaign --db "$DB" --as "c$c1" --region "$c1" --code 2022-onetime --date 2026-02-30 --period 2026-03
expect_rc "bad date" 2 && expect_in "bad date" "$tmp/err" "reference_date"
other=$(sql "$DB" "SELECT max(code) FROM regions WHERE level = 3 AND code LIKE '50%'")
run payroll campaign --db "$DB" --as "c$c1" --region "$other" --code 2022-onetime --date $R --period 2026-03
expect_rc "another county" 2 && expect_in "another county" "$tmp/err" "REGION_OUT_OF_SCOPE"
run audit verify --db "$DB"
expect_rc "audit chain after the campaign" 0

echo "payroll CLI tests on $backend: $pass passed, $fail failed"
[ $fail -eq 0 ]
