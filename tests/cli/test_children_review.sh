#!/usr/bin/env bash
# CLI tests for the monthly review of the children's allowance decisions
# (issue 10, docs/children.md, `doudi children review`): ends set once the
# postponement period's end is known, ends that are already past (late: set
# to the month reviewed, reported), ends extended when the period is
# extended, the child in school, a child who died, the standard rise that
# re-decides the amount from the month and is paid by the month's payroll,
# idempotence, roles, scope, bad input, the audit chain. On SQLite by
# default; on PostgreSQL under tests/pg.sh.
set -u
DB_PREFIX=chrev
source "$(dirname "$0")/lib.sh"
echo "children review CLI tests on $backend"

printf 'correct horse battery\n' >"$tmp/pw"
T=2022-01-01T00:00:00.000Z
fresh_db
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
expect_rc "init" 0 || exit 1

# policy files: the shipped one plus the postponement switch of region 50
policy() { # policy FILE ENTRY… (ENTRY: name=from=value)
	local f=$1
	shift
	python3 - "$f" "$@" <<'PY'
import json, sys
pol = json.load(open("policy/default.json"))
for e in sys.argv[2:]:
    name, frm, value = e.split("=")
    pol["parameters"].append({"name": name, "region": "50", "from": frm, "value": value == "true", "kind": "boolean",
                              "source": "test"})
json.dump(pol, open(sys.argv[1], "w"), ensure_ascii=False)
PY
}
policy "$tmp/open.json" children.exit_postponed=2022-01-01=true
policy "$tmp/june.json" children.exit_postponed=2022-01-01=true children.exit_postponed=2022-06-01=false
policy "$tmp/sept.json" children.exit_postponed=2022-01-01=true children.exit_postponed=2022-09-01=false
policy "$tmp/school.json" children.exit_postponed=2022-01-01=true children.exit_postponed=2022-06-01=false \
	children.continue_in_school=2020-01-01=true

# children (one household each, village 500101001001): A born 2004-02-10 and B 2004-03-15 (18 inside the
# postponement period), C 2010-05-01 (orphan in an institution, 2022 standard), D 2006-08-01 in school, E died
# 2022-04-10, F 2004-04-20 whose end was set under the June policy
sql "$DB" "INSERT INTO households (id, region_code, household_no, area, created_at, updated_at) VALUES
	(1, '500101001001', 'K1', 'rural', '$T', '$T'), (2, '500101001001', 'K2', 'rural', '$T', '$T'),
	(3, '500101001001', 'K3', 'rural', '$T', '$T'), (4, '500101001001', 'K4', 'rural', '$T', '$T'),
	(5, '500101001001', 'K5', 'rural', '$T', '$T'), (6, '500101001001', 'K6', 'rural', '$T', '$T')"
sql "$DB" "INSERT INTO persons (id, id_number, name, birth_date, sex, in_school, death_date, region_code, created_at,
		updated_at) VALUES
	(1, 'K1', '甲', '2004-02-10', 'male', 0, NULL, '500101001001', '$T', '$T'),
	(2, 'K2', '乙', '2004-03-15', 'female', 0, NULL, '500101001001', '$T', '$T'),
	(3, 'K3', '丙', '2010-05-01', 'male', 0, NULL, '500101001001', '$T', '$T'),
	(4, 'K4', '丁', '2006-08-01', 'female', 1, NULL, '500101001001', '$T', '$T'),
	(5, 'K5', '戊', '2012-01-01', 'male', 0, '2022-04-10', '500101001001', '$T', '$T'),
	(6, 'K6', '己', '2004-04-20', 'female', 0, NULL, '500101001001', '$T', '$T')"
sql "$DB" "INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
	SELECT id, id, id, '500101001001', 'head', '2020-01-01', '$T' FROM persons WHERE id <= 6"
dec() { # dec ID CATEGORY AMOUNT FROM TO
	local to=NULL
	[ -n "$5" ] && to="'$5'"
	sql "$DB" "INSERT INTO decisions (id, household_id, person_id, region_code, programme, determination,
		monthly_benefit, effective_from, effective_to, assessed_on, result, trace, params, created_at) VALUES
		($1, $1, $1, '500101001001', 'children', 'children', $3, '$4', $to, '$4',
		'{\"programme\":\"children\",\"category\":\"$2\",\"monthly_benefit\":\"x\",\"care_type\":\"dispersed\"}',
		'[]', '{}', '$T')"
	sql "$DB" "INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component,
		category, amount, created_at) VALUES ($1, $1, $1, $1, '500101001001', 'children', 'children_allowance', '$2', $3,
		'$T')"
}
dec 1 orphan_dispersed 138200 2022-01-01 ""
dec 2 orphan_dispersed 138200 2022-01-01 ""
dec 3 orphan_institution 158200 2022-06-01 ""
dec 4 unsupported_child 122500 2022-01-01 ""
dec 5 unsupported_child 122500 2022-01-01 ""
dec 6 orphan_dispersed 138200 2022-01-01 2022-07-01
if [ $backend = pg ]; then # the rows above have explicit ids: move the sequences past them
	sql "$DB" "SELECT setval(pg_get_serial_sequence('decisions', 'id'), 100), setval(pg_get_serial_sequence('decision_lines', 'id'), 100)" >/dev/null
fi
sql "$DB" "INSERT INTO users (username, name, password_hash, role, region_code, created_at, updated_at) VALUES
	('county1', '区县', 'x', 'county', '500101', '$T', '$T'), ('county2', '区县二', 'x', 'county', '500102', '$T', '$T'),
	('town1', '乡镇', 'x', 'township', '500101001', '$T', '$T')"

end_of() { sql "$DB" "SELECT COALESCE(effective_to, 'open') FROM decisions WHERE id = $1"; }
field() { python3 -c "import json,sys; d=json.load(open('$tmp/out')); print(d$1)"; }

# --- roles, scope, bad input
run children review --db "$DB" --as town1 --month 2022-03 --policy "$tmp/june.json"
expect_rc "a township may not review" 2 && expect_in "role" "$tmp/err" "ROLE_NOT_ALLOWED"
run children review --db "$DB" --as county1 --month 2022-13 --policy "$tmp/june.json"
expect_rc "bad month" 2 && expect_in "month named" "$tmp/err" "month:"
run children review --db "$DB" --as county1 --region 500102 --month 2022-03 --policy "$tmp/june.json"
expect_rc "another county" 2 && expect_in "region named" "$tmp/err" "region:"
run children review --db "$DB" --as county2 --month 2022-03 --policy "$tmp/june.json"
expect_rc "the other county's review" 0 && [ "$(field "['examined']")" = 0 ] && ok || bad "county2 examined: $(cat "$tmp/out")"

# --- the postponement switch on with no end: nobody's 18th birthday ends anything (C's and D's fall in the
# period too); E ends the month after the death; F's end is lifted
run children review --db "$DB" --as county1 --month 2022-03 --policy "$tmp/open.json"
expect_rc "review, period open" 0 || exit 1
[ "$(end_of 1)" = open ] && [ "$(end_of 2)" = open ] && ok || bad "open period: A $(end_of 1), B $(end_of 2)"
[ "$(end_of 3)" = open ] && [ "$(end_of 4)" = open ] && ok || bad "C $(end_of 3), D $(end_of 4)"
[ "$(end_of 5)" = 2022-05-01 ] && ok || bad "E died 2022-04-10: end $(end_of 5), want 2022-05-01"
[ "$(end_of 6)" = open ] && ok || bad "F with the period open again: $(end_of 6)"
[ "$(field "['ended']") $(field "['extended']") $(field "['uprated']")" = "1 1 0" ] && ok || bad "summary: $(cat "$tmp/out")"
python3 - "$tmp/out" <<'PY' && ok || bad "E's change: $(cat "$tmp/out")"
import json, sys
c = [x for x in json.load(open(sys.argv[1]))["changes"] if x["decision_id"] == 5][0]
assert c["died"] is True and c["effective_to"] == "2022-05-01" and c["late"] is False, c
PY
sql "$DB" "UPDATE decisions SET effective_to = '2022-07-01' WHERE id = 6"

# --- the period's end becomes known (off from 2022-06-01): A and B end after June, C and D at their 18th
# birthdays (no school continuation in this policy); F already ends after June
run children review --db "$DB" --as county1 --month 2022-03 --policy "$tmp/june.json"
expect_rc "review, period ends in May" 0 || exit 1
[ "$(end_of 1)" = 2022-07-01 ] && [ "$(end_of 2)" = 2022-07-01 ] && ok || bad "A $(end_of 1), B $(end_of 2), want 2022-07-01"
[ "$(end_of 3)" = 2028-06-01 ] && ok || bad "C born 2010-05-01: end $(end_of 3), want 2028-06-01"
[ "$(end_of 4)" = 2024-09-01 ] && ok || bad "D, school not continued: $(end_of 4), want 2024-09-01"
[ "$(field "['ended']") $(field "['extended']") $(field "['late']")" = "4 0 0" ] && ok || bad "summary: $(cat "$tmp/out")"
run children review --db "$DB" --as county1 --month 2022-03 --policy "$tmp/june.json"
expect_rc "re-run" 0 && [ "$(field "['changes']")" = "[]" ] && ok || bad "a re-run changed: $(cat "$tmp/out")"

# --- the period is extended to August before July: A, B and F follow (last month September)
run children review --db "$DB" --as county1 --month 2022-07 --policy "$tmp/sept.json"
expect_rc "review, period extended" 0 || exit 1
[ "$(end_of 1)" = 2022-10-01 ] && [ "$(end_of 2)" = 2022-10-01 ] && [ "$(end_of 6)" = 2022-10-01 ] && ok ||
	bad "extended: A $(end_of 1), B $(end_of 2), F $(end_of 6)"
[ "$(field "['extended']")" = 3 ] && ok || bad "extended count: $(cat "$tmp/out")"

# --- a late end: the review of November under the June policy cannot go back to July: it ends A at November
# and says so (legal_end 2022-07-01, late)
sql "$DB" "UPDATE decisions SET effective_to = NULL WHERE id = 1"
run children review --db "$DB" --as county1 --month 2022-11 --region 500101001 --policy "$tmp/june.json"
expect_rc "late review" 0 || exit 1
[ "$(end_of 1)" = 2022-11-01 ] && ok || bad "late end: $(end_of 1), want 2022-11-01"
python3 - "$tmp/out" <<'PY' && ok || bad "late change: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
c = [x for x in d["changes"] if x["decision_id"] == 1][0]
assert c["late"] is True and c["legal_end"] == "2022-07-01" and c["effective_to"] == "2022-11-01", c
assert c["change"] == "ended" and c["postponed"] is True and d["late"] == 1 and len(d["changes"]) == 1, d
PY

# --- the standard rise: C (orphan in an institution, 1582.00) gets 1605.00 from January 2023 by a new decision
run children review --db "$DB" --as county1 --month 2023-01 --policy "$tmp/june.json"
expect_rc "uprating" 0 || exit 1
[ "$(field "['uprated']") $(field "['ended']")" = "1 0" ] && ok || bad "uprated: $(cat "$tmp/out")"
new=$(sql "$DB" "SELECT superseded_by FROM decisions WHERE id = 3")
[ "$(end_of 3)" = 2023-01-01 ] && [ -n "$new" ] && ok || bad "C superseded: end $(end_of 3), by '$new'"
[ "$(sql "$DB" "SELECT monthly_benefit || ' ' || effective_from || ' ' || COALESCE(effective_to, 'open') FROM decisions WHERE id = $new")" = "160500 2023-01-01 2028-06-01" ] && ok || bad "new decision: $(sql "$DB" "SELECT * FROM decisions WHERE id = $new")"
[ "$(sql "$DB" "SELECT amount || ' ' || category FROM decision_lines WHERE decision_id = $new")" = "160500 orphan_institution" ] && ok || bad "new line"
sql "$DB" "SELECT result FROM decisions WHERE id = $new" >"$tmp/result.json"
python3 - "$tmp/result.json" <<'PY' && ok || bad "new result: $(cat "$tmp/result.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["monthly_benefit"] == "1605.00" and r["uprated_from"] == 3 and r["category"] == "orphan_institution", r
assert r["effective_from"] == "2023-01-01" and r["care_type"] == "dispersed", r
PY
run children review --db "$DB" --as county1 --month 2023-01 --policy "$tmp/june.json"
expect_rc "uprating re-run" 0 && [ "$(field "['changes']")" = "[]" ] && ok || bad "uprating re-run: $(cat "$tmp/out")"
# the month's payroll pays the new amount, once
run payroll generate --db "$DB" --region 500101 --period 2023-01 --programme children --quiet
expect_rc "payroll 2023-01" 0 || exit 1
[ "$(sql "$DB" "SELECT count(*) || ' ' || sum(amount) FROM payments WHERE person_id = 3")" = "1 160500" ] && ok || bad "payment of C: $(sql "$DB" "SELECT * FROM payments WHERE person_id = 3")"

# --- in school with continue_in_school on: D's end is lifted (no end while in school); out of school, it ends at
# the month reviewed (the 18th birthday, August 2024, is past), reported late
run children review --db "$DB" --as county1 --month 2024-03 --policy "$tmp/school.json"
expect_rc "school" 0 && [ "$(end_of 4)" = open ] && ok || bad "in school: D $(end_of 4)"
[ "$(field "['uprated']")" = 1 ] && ok || bad "C's 2024 standard (1825.00): $(cat "$tmp/out")"
sql "$DB" "UPDATE persons SET in_school = 0 WHERE id = 4"
run children review --db "$DB" --as county1 --month 2024-10 --policy "$tmp/school.json"
expect_rc "left school" 0 && [ "$(end_of 4)" = 2024-10-01 ] && [ "$(field "['late']")" = 1 ] && ok ||
	bad "left school: D $(end_of 4): $(cat "$tmp/out")"

# --- audit: one row per change, the chain intact
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'children.uprate'")" = 2 ] && ok || bad "uprate audit"
[ "$(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'children.exit'")" -ge 9 ] && ok || bad "exit audit: $(sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'children.exit'")"
run audit verify --db "$DB"
expect_rc "audit chain intact" 0 && ok

echo "children review CLI tests ($backend): $pass passed, $fail failed"
[ $fail -eq 0 ]
