#!/usr/bin/env bash
# CLI tests for `doudi init`, `doudi audit verify` and `doudi backup`
# (IMPORT.md "Stores" and "Audit chain"). On SQLite by default; on PostgreSQL
# when DOUDI_TEST_PG is set (run under tests/pg.sh, which also sets
# DOUDI_TEST_PG_ADMIN so fresh databases can be created).
set -u
source "$(dirname "$0")/lib.sh"
echo "store CLI tests on $backend"

printf 'correct horse battery\n' >"$tmp/pw"
printf 'short\n' >"$tmp/short"
: >"$tmp/empty"

# --- init creates the schema and the admin; a second run changes nothing
fresh_db
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
if expect_rc "init" 0; then
	expect_in "init" "$tmp/out" "已应用迁移 (applied migration) 001_init"
	expect_in "init" "$tmp/out" "已创建管理员 (created admin) root"
fi
if grep -qF "correct horse" "$tmp/out" "$tmp/err"; then bad "init printed the password"; else ok; fi
hash=$(sql "$DB" "SELECT password_hash FROM users WHERE username = 'root'")
case "$hash" in '$argon2id$'*) ok ;; *) bad "password hash is not argon2id: $hash" ;; esac
[ "$(sql "$DB" "SELECT role || ' ' || region_code FROM users")" = "admin 000000" ] && ok || bad "admin role/region"
[ "$(sql "$DB" "SELECT count(*) FROM regions WHERE code >= '5001' AND code < '5003' AND level = 3")" = 38 ] &&
	ok || bad "38 Chongqing districts and counties"
[ "$(sql "$DB" "SELECT name FROM regions WHERE code = '500154'")" = "开州区" ] && ok || bad "500154 开州区"
if [ $backend = sqlite ]; then
	[ "$(stat -c %a "$DB")" = 600 ] && ok || bad "database file mode $(stat -c %a "$DB"), want 600"
	[ "$(stat -c %a "$(dirname "$DB")")" = 700 ] && ok || bad "database directory mode"
fi
run audit verify --db "$DB"
# audit rows after init: one per migration and the admin
nmig=$(ls schema/[0-9][0-9][0-9]_*.sql | wc -l)
init_rows=$((nmig + 1))
expect_rc "verify after init" 0 && expect_in "verify after init" "$tmp/out" "count=$init_rows"
before=$(sql "$DB" "SELECT count(*) || ' ' || max(seq) FROM audit_log")
users_before=$(sql "$DB" "SELECT password_hash || updated_at FROM users")
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
if expect_rc "init again" 0; then
	expect_in "init again" "$tmp/out" "无任何变更 (nothing changed)"
	expect_in "init again" "$tmp/out" "管理员 root 已存在"
fi
[ "$(sql "$DB" "SELECT count(*) || ' ' || max(seq) FROM audit_log")" = "$before" ] && ok || bad "init again added audit rows"
[ "$(sql "$DB" "SELECT password_hash || updated_at FROM users")" = "$users_before" ] && ok || bad "init again changed the admin"
run init --db "$DB" --admin other --admin-password-file "$tmp/pw"
expect_rc "init with another admin name" 0 && expect_in "second admin refused" "$tmp/out" "init 只创建首个管理员"
[ "$(sql "$DB" "SELECT count(*) FROM users")" = 1 ] && ok || bad "a second bootstrap admin was created"
run audit verify --db "$DB" --json
if expect_rc "verify --json" 0; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["intact"] is True and d["count"]==int(sys.argv[2]) and len(d["head"])==64' "$tmp/out" "$init_rows" &&
		ok || bad "verify --json output: $(cat "$tmp/out")"
fi

# --- upgrade: a store behind (002 and later missing; those migrations are
# re-runnable) is brought up to date, chain intact
sql "$DB" "DELETE FROM regions; DELETE FROM schema_migrations WHERE version >= 2"
run audit verify --db "$DB"
expect_rc "verify on an old schema" 2 && expect_in "old schema" "$tmp/err" "doudi init"
run init --db "$DB"
expect_rc "init upgrades" 0 && expect_in "init upgrades" "$tmp/out" "002_chongqing_regions"
[ "$(sql "$DB" "SELECT count(*) FROM regions")" = 41 ] && ok || bad "regions after upgrade"
run audit verify --db "$DB"
expect_rc "verify after upgrade" 0 && expect_in "verify after upgrade" "$tmp/out" "count=$((init_rows + nmig - 1))"

# --- tampering: each kind is found and the first bad seq named
tamper() { # tamper NAME SQL SEQ
	fresh_db
	run init --db "$DB" --admin-password-file "$tmp/pw"
	expect_rc "$1: init" 0 || return
	sql "$DB" "$2" >/dev/null
	run audit verify --db "$DB"
	expect_rc "$1: verify" 1 && expect_in "$1" "$tmp/err" "seq=$3"
}
tamper "row changed" "UPDATE audit_log SET detail = '{}' WHERE seq = 2" 2
tamper "actor changed" "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1" 1
tamper "row removed" "DELETE FROM audit_log WHERE seq = 2" 2
tamper "last row removed" "DELETE FROM audit_log WHERE seq = $init_rows" $init_rows
tamper "row inserted" "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, region_code, detail, prev_hash, hash) SELECT $((init_rows + 1)), at, actor, action, entity, entity_id, region_code, detail, hash, hash FROM audit_log WHERE seq = $init_rows" $((init_rows + 1))
tamper "row inserted in a gap" "UPDATE audit_log SET seq = $((init_rows + 100)) WHERE seq = 3; INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, region_code, detail, prev_hash, hash) SELECT 3, at, actor, action, entity, entity_id, region_code, detail, prev_hash, hash FROM audit_log WHERE seq = 2" 3

# --- passwords: from stdin, never from argv, and not too short
fresh_db
printf 'another long passphrase' | "$DOUDI" init --db "$DB" --admin-password-file - >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc "password from stdin" 0 && expect_in "password from stdin" "$tmp/out" "已创建管理员 (created admin) admin"
fresh_db
run init --db "$DB" --admin-password-file "$tmp/short"
expect_rc "short password" 2 && expect_in "short password" "$tmp/err" "至少需要 8 个字符"
if [ $backend = sqlite ]; then [ ! -e "$DB" ] && ok || bad "a refused init created the database"; fi
run init --db "$DB" --admin-password-file "$tmp/empty"
expect_rc "empty password" 2 && expect_in "empty password" "$tmp/err" "密码为空"
run init --db "$DB" --admin-password-file "$tmp/no-such-file"
expect_rc "missing password file" 2 && expect_in "missing password file" "$tmp/err" "--admin-password-file"
run init --db "$DB" --admin-password 'correct horse battery'
expect_rc "password on argv" 2 && expect_in "password on argv" "$tmp/err" "never pass a password"
run init --db "$DB" --admin 'bad name'
expect_rc "bad admin name" 2 && ok
run init --db "$DB" --admin-region 50a154
expect_rc "bad admin region" 2 && expect_in "bad admin region" "$tmp/err" "--admin-region"
run init --db "$DB" </dev/null
expect_rc "init without a password" 0 && expect_in "init without a password" "$tmp/err" "未创建管理员"
[ "$(sql "$DB" "SELECT count(*) FROM users")" = 0 ] && ok || bad "an admin without a password"
run init --db "$DB" --admin-password-file "$tmp/pw"
expect_rc "admin added later" 0 && expect_in "admin added later" "$tmp/out" "已创建管理员"

# --- backup
if [ $backend = sqlite ]; then
	run backup --db "$DB" "$tmp/backup.db"
	expect_rc "backup" 0 && ok
	[ "$(stat -c %a "$tmp/backup.db")" = 600 ] && ok || bad "backup file mode $(stat -c %a "$tmp/backup.db")"
	run audit verify --db "$tmp/backup.db"
	expect_rc "verify the backup" 0 && expect_in "verify the backup" "$tmp/out" "count=$init_rows"
	run backup --db "$DB" "$tmp/backup.db"
	expect_rc "backup over an existing file" 2 && expect_in "backup exists" "$tmp/err" "--force"
	run backup --db "$DB" --force "$tmp/backup.db"
	expect_rc "backup --force" 0 && ok
	run audit verify --db "$tmp/nothing-here.db"
	expect_rc "verify a missing file" 2 && expect_in "verify a missing file" "$tmp/err" "doudi init"
	[ ! -e "$tmp/nothing-here.db" ] && ok || bad "verify created a database file"
	# the default store: var/doudi.db under the working directory
	mkdir -p "$tmp/cwd"
	(cd "$tmp/cwd" && "$DOUDI" init --admin-password-file "$tmp/pw" >/dev/null 2>&1)
	[ -f "$tmp/cwd/var/doudi.db" ] && ok || bad "default --db var/doudi.db not created"
	[ "$(stat -c %a "$tmp/cwd/var/doudi.db" 2>/dev/null)" = 600 ] && ok || bad "default db mode"
	(cd "$tmp/cwd" && "$DOUDI" audit verify >/dev/null 2>&1) && ok || bad "verify with the default --db"
else
	run backup --db "$DB" "$tmp/backup.dump"
	expect_rc "backup on PostgreSQL" 2 && expect_in "backup on PostgreSQL" "$tmp/err" "pg_dump"
	if grep -qF "$DOUDI_TEST_PG" "$tmp/err"; then bad "the URI was printed"; else ok; fi
fi

# --- 022: the role CHECK knows department (and two roles of a later issue);
# a department user needs a known office (doudi user add --office)
fresh_db
printf 'Dept-User-Pass-2026\n' >"$tmp/dpw"
run init --db "$DB" --admin root --admin-password-file "$tmp/pw"
expect_rc "init for department users" 0 && ok
sql "$DB" "INSERT INTO referral_offices (code, name, kind, region_code, created_at, updated_at) VALUES ('kz-yb', '开州区医疗保障局', 'medical', '500154', 't', 't')"
run user add --db "$DB" --as root --username dep0 --role department --region 500154 --password-file "$tmp/dpw"
expect_rc "department user without an office" 2 && expect_in "no office" "$tmp/err" "office_code"
run user add --db "$DB" --as root --username dep0 --role department --region 500154 --office nope --password-file "$tmp/dpw"
expect_rc "department user of an unknown office" 2 && expect_in "unknown office" "$tmp/err" "UNKNOWN_OFFICE"
run user add --db "$DB" --as root --username dep1 --role department --region 500154 --office kz-yb --password-file "$tmp/dpw"
expect_rc "department user" 0 && expect_in "department user" "$tmp/out" "department 500154"
[ "$(sql "$DB" "SELECT role || ' ' || office_code FROM users WHERE username = 'dep1'")" = "department kz-yb" ] && ok ||
	bad "department user stored"
sql "$DB" "INSERT INTO users (username, password_hash, role, region_code, created_at, updated_at) VALUES ('cd1', 'x', 'child_director', '500154', 't', 't')" >/dev/null 2>&1 &&
	ok || bad "role child_director refused by the CHECK"
if sql "$DB" "INSERT INTO users (username, password_hash, role, region_code, created_at, updated_at) VALUES ('bx1', 'x', 'bogus', '500154', 't', 't')" >/dev/null 2>&1; then
	bad "role bogus accepted by the CHECK"
else ok; fi
# the child roles at their level: a director in a village, a supervisor in a township
run user add --db "$DB" --as root --username cd2 --role child_director --region 500154001 --password-file "$tmp/dpw"
expect_rc "child director in a township" 2 && expect_in "child director level" "$tmp/err" "BAD_REGION_LEVEL"
run user add --db "$DB" --as root --username cd2 --role child_director --region 500154001001 --password-file "$tmp/dpw"
expect_rc "child director" 0 && expect_in "child director" "$tmp/out" "child_director 500154001001"
run user add --db "$DB" --as root --username cs1 --role child_supervisor --region 500154001 --password-file "$tmp/dpw"
expect_rc "child supervisor" 0 && expect_in "child supervisor" "$tmp/out" "child_supervisor 500154001"
run audit verify --db "$DB"
expect_rc "verify with department users" 0 && ok

echo "store CLI ($backend): $pass passed, $fail failed"
[ $fail -eq 0 ]
