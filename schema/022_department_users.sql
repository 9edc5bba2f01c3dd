-- 022_department_users.sql - staff of receiving offices (部门经办人, role
-- department: the medical insurance bureau, education bureau, housing,
-- human resources and social security, the disability and charity
-- federations…), who answer referrals (转办转介, issue 9, docs/referrals.md);
-- and two roles of a later issue (child_director, child_supervisor), allowed
-- by the CHECK only.
--
-- referral_offices: the receiving offices (部门) a referral goes to, each in
-- a county (region_code, 6 digits) with its reply time limit in working days
-- (NULL: the policy parameter referral.reply_workdays). Offices are
-- registered by the county or an admin (POST /api/v1/referral-offices).
--
-- users.role's CHECK is widened and users gets office_code: the receiving
-- office a department user belongs to; NULL for every other role. PostgreSQL alters the constraint in place. SQLite cannot
-- alter a CHECK: the table is rebuilt (https://sqlite.org/lang_altertable.html,
-- "otheralter"), which the migration runner does with foreign keys off and
-- a foreign_key_check before commit (store.c, apply_one); ids are kept, so
-- every reference to a user stays valid. Lines starting @SQLITE@ run on
-- SQLite only, @PG@ on PostgreSQL only. Not re-runnable (the rebuild): the
-- migration names referral_offices, which it creates.
CREATE TABLE referral_offices (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind = 'medical' OR kind = 'education' OR kind = 'housing' OR kind = 'employment' OR kind = 'disability' OR kind = 'charity' OR kind = 'other'),
	region_code TEXT NOT NULL,
	reply_workdays INTEGER CHECK (reply_workdays IS NULL OR reply_workdays BETWEEN 1 AND 60),
	active INTEGER NOT NULL DEFAULT 1 CHECK (active BETWEEN 0 AND 1),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referral_offices_region ON referral_offices (region_code);
@PG@ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
@PG@ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role = 'village' OR role = 'township' OR role = 'county' OR role = 'finance' OR role = 'city' OR role = 'auditor' OR role = 'admin' OR role = 'department' OR role = 'child_director' OR role = 'child_supervisor');
@PG@ALTER TABLE users ADD COLUMN office_code TEXT REFERENCES referral_offices (code);
@SQLITE@CREATE TABLE users_022 (
@SQLITE@	id @ID@,
@SQLITE@	username TEXT NOT NULL UNIQUE,
@SQLITE@	name TEXT NOT NULL DEFAULT '',
@SQLITE@	password_hash TEXT NOT NULL,
@SQLITE@	role TEXT NOT NULL CHECK (role = 'village' OR role = 'township' OR role = 'county' OR role = 'finance' OR role = 'city' OR role = 'auditor' OR role = 'admin' OR role = 'department' OR role = 'child_director' OR role = 'child_supervisor'),
@SQLITE@	region_code TEXT NOT NULL,
@SQLITE@	active INTEGER NOT NULL DEFAULT 1 CHECK (active BETWEEN 0 AND 1),
@SQLITE@	failed_logins INTEGER NOT NULL DEFAULT 0,
@SQLITE@	locked_until TEXT,
@SQLITE@	must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password BETWEEN 0 AND 1),
@SQLITE@	password_changed_at TEXT,
@SQLITE@	last_login_at TEXT,
@SQLITE@	created_at TEXT NOT NULL,
@SQLITE@	updated_at TEXT NOT NULL,
@SQLITE@	version INTEGER NOT NULL DEFAULT 1,
@SQLITE@	office_code TEXT REFERENCES referral_offices (code)
@SQLITE@);
@SQLITE@INSERT INTO users_022 (id, username, name, password_hash, role, region_code, active, failed_logins, locked_until,
@SQLITE@	must_change_password, password_changed_at, last_login_at, created_at, updated_at, version)
@SQLITE@	SELECT id, username, name, password_hash, role, region_code, active, failed_logins, locked_until,
@SQLITE@		must_change_password, password_changed_at, last_login_at, created_at, updated_at, version
@SQLITE@	FROM users;
@SQLITE@DROP TABLE users;
@SQLITE@ALTER TABLE users_022 RENAME TO users;
@SQLITE@CREATE INDEX users_region ON users (region_code);
-- the department users of an office (the referral workbench)
CREATE INDEX users_office ON users (office_code) WHERE office_code IS NOT NULL;
