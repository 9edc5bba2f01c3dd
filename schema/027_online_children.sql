-- 027_online_children.sql - the children's basic living allowance applied for
-- in the citizen portal (docs/children.md): programme `children` in
-- online_applications, and the child's part of such an application
-- (online_children_requests: the child's ID number, category, care type and
-- facts as JSON, one row per application) kept beside the household, as the
-- verification signers of 026 are.
--
-- online_applications.programme's CHECK changes. PostgreSQL alters it in
-- place. SQLite cannot alter a CHECK: the table is rebuilt with the same
-- columns in the same order (https://sqlite.org/lang_altertable.html,
-- "otheralter"), rows copied with their ids, its index created again; the
-- migration runner does it with foreign keys off (online_verification_signers
-- references it) and a foreign_key_check before commit (store.c, apply_one).
-- Lines starting @SQLITE@ run on SQLite only, @PG@ on PostgreSQL only.
-- Re-runnable: the rebuild copies what is there, the constraint is dropped
-- before it is added, the new table and index IF NOT EXISTS.
@PG@ALTER TABLE online_applications DROP CONSTRAINT IF EXISTS online_applications_programme_check;
@PG@ALTER TABLE online_applications ADD CONSTRAINT online_applications_programme_check CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'children');
@SQLITE@CREATE TABLE online_applications_027 (
@SQLITE@	id INTEGER PRIMARY KEY,
@SQLITE@	region_code TEXT NOT NULL,
@SQLITE@	tracking_no TEXT NOT NULL UNIQUE,
@SQLITE@	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'children'),
@SQLITE@	state TEXT NOT NULL CHECK (state = 'submitted' OR state = 'accepted' OR state = 'rejected'),
@SQLITE@	applicant_name TEXT NOT NULL,
@SQLITE@	applicant_id_number TEXT NOT NULL,
@SQLITE@	applicant_id_hash TEXT NOT NULL,
@SQLITE@	phone TEXT,
@SQLITE@	data TEXT NOT NULL,
@SQLITE@	reason TEXT,
@SQLITE@	commitment_signed INTEGER NOT NULL CHECK (commitment_signed = 1),
@SQLITE@	note TEXT,
@SQLITE@	household_id BIGINT REFERENCES households (id),
@SQLITE@	application_id BIGINT REFERENCES applications (id),
@SQLITE@	decided_by BIGINT REFERENCES users (id),
@SQLITE@	decided_at TEXT,
@SQLITE@	submitted_at TEXT NOT NULL,
@SQLITE@	updated_at TEXT NOT NULL,
@SQLITE@	version INTEGER NOT NULL DEFAULT 1
@SQLITE@);
@SQLITE@INSERT INTO online_applications_027 SELECT * FROM online_applications;
@SQLITE@DROP TABLE online_applications;
@SQLITE@ALTER TABLE online_applications_027 RENAME TO online_applications;
@SQLITE@CREATE INDEX online_applications_region ON online_applications (region_code, state, id);
CREATE TABLE IF NOT EXISTS online_children_requests (
	online_application_id @KEY64@ REFERENCES online_applications (id),
	data TEXT NOT NULL -- JSON: {"id_number","category","care_type","facts":[{kind,parent,evidence,commitment}]}
);
