#!/usr/bin/env bash
# tests/cli/test_payroll.sh - `doudi payroll generate` on a generated roll
# (bench/payroll_roll.sql), on SQLite or, under tests/pg.sh, PostgreSQL:
#   - the month's total equals the sum of the decisions' monthly amounts in
#     force (decisions.monthly_benefit, not the lines the payroll reads);
#   - generating again writes nothing;
#   - changed, ended and new decisions give one adjustment batch with exactly
#     the differences; the month then sums to the new decisions;
#   - SIGKILL in the middle of a province's generation leaves whole batches
#     only, and a re-run completes it with exactly one batch per county and
#     programme and the right total.
. "$(dirname "$0")/lib.sh"
DB_PREFIX=payroll

printf 'correct horse battery 2026\n' >"$tmp/pw"
new_roll() { # new_roll N: a fresh store with a roll of N households in $DB
	fresh_db
	run init --db "$DB" --admin-password-file "$tmp/pw"
	expect_rc "init" 0 || exit 1
	sed "s/@N@/$1/" bench/payroll_roll.sql >"$tmp/roll.sql"
	if [ $backend = pg ]; then
		"$PGBIN/psql" "$DB" -qAt -v ON_ERROR_STOP=1 -f "$tmp/roll.sql" >/dev/null || exit 1
	else
		sqlite3 "$DB" <"$tmp/roll.sql" || exit 1
	fi
}
# the sum of the decisions' monthly amounts in force in month M (YYYY-MM)
decided() {
	sql "$DB" "SELECT COALESCE(sum(monthly_benefit), 0) FROM decisions WHERE effective_from <= '$1-01'
		AND (effective_to IS NULL OR effective_to > '$1-01')
		AND (gradual_exit_until IS NULL OR gradual_exit_until >= '$1')"
}
paid() { # what the month's live batches pay
	sql "$DB" "SELECT COALESCE(sum(y.amount), 0) FROM payments y JOIN payroll_batches b ON b.id = y.batch_id
		WHERE b.period = '$1' AND b.state <> 'cancelled'"
}
summary() { tail -n 1 "$tmp/out"; }
field() { summary | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
same() { # same NAME GOT WANT
	if [ "$2" = "$3" ]; then ok; else bad "$1: got $2, want $3"; fi
}

# --- a county's month: the total to the fen, once
new_roll 3000
run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
expect_rc "generate" 0
same "month total" "$(paid 2026-11)" "$(decided 2026-11)"
same "batch totals" "$(sql "$DB" "SELECT sum(total_amount) FROM payroll_batches")" "$(decided 2026-11)"
same "one payment per line (tekun: basic + care)" "$(field payments)" "$(sql "$DB" "SELECT count(*) + sum(CASE WHEN programme = 'tekun' THEN 1 ELSE 0 END) FROM decisions")"
same "one regular batch per county and programme" \
	"$(sql "$DB" "SELECT count(*) FROM (SELECT region_code, programme FROM payroll_batches GROUP BY region_code, programme HAVING count(*) = 1) t")" \
	"$(sql "$DB" "SELECT count(*) FROM payroll_batches")"
same "every batch is a draft" "$(sql "$DB" "SELECT count(*) FROM payroll_batches WHERE state <> 'draft' OR kind <> 'regular'")" 0
same "an audit row per batch" "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'payroll.generate'")" \
	"$(sql "$DB" "SELECT count(*) FROM payroll_batches")"
payments_before=$(sql "$DB" "SELECT count(*) FROM payments")

run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
expect_rc "generate again" 0
same "again: no batch" "$(field batches)" 0
same "again: no payment" "$(sql "$DB" "SELECT count(*) FROM payments")" "$payments_before"

# gradual exit ends with its month: 2027-01 pays nobody in gradual exit
run payroll generate --db "$DB" --region 500101 --period 2027-01 --quiet
expect_rc "generate 2027-01" 0
same "no gradual exit after its end" \
	"$(sql "$DB" "SELECT count(*) FROM payments WHERE period = '2027-01' AND component = 'gradual_exit'")" 0
same "2027-01 county total" "$(paid 2027-01)" \
	"$(sql "$DB" "SELECT COALESCE(sum(monthly_benefit), 0) FROM decisions WHERE region_code LIKE '500101%'
		AND (gradual_exit_until IS NULL OR gradual_exit_until >= '2027-01')")"

# --- decisions change: household 1 raised by 50.00 from November (a new
# decision superseding the old), household 2's decision ends before November,
# a new household is admitted from November.
max=$(sql "$DB" "SELECT max(id) FROM decisions")
a2=$(sql "$DB" "SELECT monthly_benefit FROM decisions WHERE id = 2")
sql "$DB" "INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit,
		effective_from, assessed_on, result, trace, params, created_at)
	SELECT $max + 1, household_id, region_code, programme, determination, monthly_benefit + 5000, '2026-11-01',
		'2026-10-20', '{}', '[]', '{}', created_at FROM decisions WHERE id = 1;
	INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component,
		category, amount, created_at)
	SELECT 10 * $max + 1, $max + 1, household_id, person_id, region_code, programme, component, category,
		amount + 5000, created_at FROM decision_lines WHERE decision_id = 1;
	UPDATE decisions SET effective_to = '2026-11-01', superseded_by = $max + 1 WHERE id = 1;
	UPDATE decisions SET effective_to = '2026-11-01' WHERE id = 2;
	INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, bank_name, bank_account, created_at,
		updated_at) VALUES (900001, 'T9000001', '新受助人', '1970-01-01', 'male', '500101001001',
		'重庆农村商业银行', '6217999', '2026-10-20', '2026-10-20');
	INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)
		VALUES (900001, '500101001001', 'R900001', 'rural', '2026-10-20', '2026-10-20');
	INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit,
		effective_from, assessed_on, result, trace, params, created_at)
		VALUES ($max + 2, 900001, '500101001001', 'dibao', 'dibao', 41234, '2026-11-01', '2026-10-20', '{}',
		'[]', '{}', '2026-10-20');
	INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component,
		category, amount, created_at) VALUES (10 * $max + 2, $max + 2, 900001, 900001, '500101001001', 'dibao',
		'household', 'dibao_rural', 41234, '2026-10-20');" >/dev/null
before=$(paid 2026-11)
run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
expect_rc "generate after changes" 0
# the three households lie in three counties: one adjustment batch each
same "an adjustment batch per county changed" "$(field batches)" 3
same "three adjustment lines" "$(field payments)" 3
same "adjustment total" "$(sql "$DB" "SELECT sum(total_amount) FROM payroll_batches WHERE kind = 'adjustment'")" \
	"$((5000 - a2 + 41234))"
same "the month now pays the decisions in force" "$(paid 2026-11)" "$(decided 2026-11)"
same "the month moved by the changes only" "$(($(paid 2026-11) - before))" "$((5000 - a2 + 41234))"
same "household 2 recovered to zero" "$(sql "$DB" "SELECT sum(amount) FROM payments WHERE household_id = 2 AND period = '2026-11'")" 0
run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
same "after the adjustment: unchanged" "$(field batches)" 0
same "after the adjustment: every county and programme (dibao, tekun, children) reported" "$(field unchanged)" \
	"$(sql "$DB" "SELECT 3 * count(*) FROM regions WHERE level = 3 AND code LIKE '50%'")"
same "what each county was generated from is kept" \
	"$(sql "$DB" "SELECT sum(lines_amount) FROM payroll_sources WHERE period = '2026-11'")" "$(decided 2026-11)"

# a change that keeps the county's count of lines and their sum: one payee's
# decision ends and another household's line of the same amount starts - the
# skip of unchanged counties must still see it (the ids differ)
h3=$(sql "$DB" "SELECT household_id FROM decision_lines WHERE decision_id = 3 AND component = 'household'")
r3=$(sql "$DB" "SELECT region_code FROM decisions WHERE id = 3")
a3=$(sql "$DB" "SELECT sum(amount) FROM decision_lines WHERE decision_id = 3")
n3=$(sql "$DB" "SELECT count(*) FROM decision_lines WHERE decision_id = 3")
sql "$DB" "UPDATE decisions SET effective_to = '2026-11-01' WHERE id = 3;
	INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, bank_name, bank_account, created_at,
		updated_at) VALUES (900002, 'T9000002', '替补受助人', '1972-01-01', 'female', '$r3',
		'重庆农村商业银行', '6217998', '2026-10-20', '2026-10-20');
	INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)
		VALUES (900002, '$r3', 'R900002', 'rural', '2026-10-20', '2026-10-20');
	INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit,
		effective_from, assessed_on, result, trace, params, created_at)
		SELECT $max + 3, 900002, region_code, programme, determination, monthly_benefit, '2026-11-01',
		'2026-10-20', '{}', '[]', '{}', created_at FROM decisions WHERE id = 3;
	INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component,
		category, amount, created_at)
		SELECT 10 * $max + 3 + id, $max + 3, 900002, 900002, '$r3', programme, component, category, amount,
		created_at FROM decision_lines WHERE decision_id = 3;" >/dev/null
run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
expect_rc "generate after a same-sum swap" 0
same "same-sum swap: one adjustment batch" "$(field batches)" 1
same "same-sum swap: the old lines recovered, the new paid" "$(field payments)" "$((2 * n3))"
same "same-sum swap: the new household is paid" \
	"$(sql "$DB" "SELECT sum(amount) FROM payments WHERE household_id = 900002 AND period = '2026-11'")" "$a3"
same "same-sum swap: the old household recovered" \
	"$(sql "$DB" "SELECT sum(amount) FROM payments WHERE household_id = $h3 AND period = '2026-11'")" 0
same "same-sum swap: the month pays the decisions" "$(paid 2026-11)" "$(decided 2026-11)"

# a county's batches cancelled: the next run pays its month again, in full
c1=$(sql "$DB" "SELECT region_code FROM payroll_batches WHERE period = '2026-11' AND programme = 'dibao' ORDER BY region_code LIMIT 1")
# (as the cancel action leaves them: the batches and their payments cancelled)
sql "$DB" "UPDATE payments SET state = 'cancelled' WHERE batch_id IN (SELECT id FROM payroll_batches
		WHERE region_code = '$c1' AND programme = 'dibao' AND period = '2026-11');
	UPDATE payroll_batches SET state = 'cancelled' WHERE region_code = '$c1' AND programme = 'dibao'
	AND period = '2026-11'" >/dev/null
run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
expect_rc "generate after a cancellation" 0
same "after a cancellation: one new batch" "$(field batches)" 1
same "after a cancellation: a regular batch for that county" \
	"$(sql "$DB" "SELECT region_code || ':' || kind FROM payroll_batches WHERE state = 'draft' AND period = '2026-11'
		AND id = (SELECT max(id) FROM payroll_batches)")" "$c1:regular"
same "after a cancellation: the month pays the decisions" "$(paid 2026-11)" "$(decided 2026-11)"

# --- bad input names the field, writes nothing
run payroll generate --db "$DB" --region 50 --period 2026-13
expect_rc "bad period" 2 && expect_in "bad period" "$tmp/err" "period"
run payroll generate --db "$DB" --region 500101001 --period 2026-11
expect_rc "township region" 2 && expect_in "township region" "$tmp/err" "region"
run payroll generate --db "$DB" --region 50 --period 2026-11 --programme temporary
expect_rc "bad programme" 2 && expect_in "bad programme" "$tmp/err" "programme"

# --- SIGKILL midway through a province: the counties' first batches are one
# statement in one transaction, so the kill lands while it writes payments
# (SQLite: the WAL has grown; PostgreSQL: the INSERT is active), and nothing
# of it may remain.
new_roll "${PAYROLL_CRASH_N:-100000}"
"$DOUDI" payroll generate --db "$DB" --region 50 --period 2026-11 --quiet >"$tmp/crash.out" 2>&1 &
pid=$!
landed=0
for _ in $(seq 1 3000); do
	if [ $backend = pg ]; then
		busy=$(sql "$DB" "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'INSERT INTO payments%'")
	else
		busy=$(($(stat -c %s "$DB-wal" 2>/dev/null || echo 0) > 8000000))
	fi
	if [ "${busy:-0}" -ge 1 ] && kill -9 $pid 2>/dev/null; then
		landed=1
		break
	fi
	kill -0 $pid 2>/dev/null || break
	sleep 0.02
done
wait $pid 2>/dev/null
same "the kill landed while payments were being written" "$landed" 1
same "killed: no batch" "$(sql "$DB" "SELECT count(*) FROM payroll_batches")" 0
same "killed: no payment" "$(sql "$DB" "SELECT count(*) FROM payments")" 0
done_before=0
all=$(sql "$DB" "SELECT count(*) FROM (SELECT DISTINCT substr(region_code, 1, 6), programme FROM decision_lines) t")
run payroll generate --db "$DB" --region 50 --period 2026-11 --quiet
expect_rc "re-run after the kill" 0
same "re-run: the rest" "$(field batches)" "$((all - done_before))"
same "exactly one batch per county and programme" "$(sql "$DB" "SELECT count(*) FROM payroll_batches")" "$all"
same "re-run: the month's total" "$(paid 2026-11)" "$(decided 2026-11)"
run audit verify --db "$DB"
expect_rc "audit chain after the kill" 0

echo "payroll CLI ($backend): $pass passed, $fail failed"
[ $fail -eq 0 ]
