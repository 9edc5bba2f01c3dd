-- 005_casework.sql - casework (issue 4, item 4): the close-relatives register
-- (近亲属备案), the periodic-review schedule, and one open case per household
-- and programme. Re-runnable: every statement is IF NOT EXISTS.

-- Relatives of staff and village cadres (DOMAIN.md D): an application whose
-- household has an active member with a registered ID number is flagged
-- close_relative and must be approved by the county.
CREATE TABLE IF NOT EXISTS close_relatives (
	id @ID@,
	region_code TEXT NOT NULL,  -- the register's region (significant form)
	id_number TEXT NOT NULL,    -- the relative's ID number; never logged
	name TEXT NOT NULL DEFAULT '',
	staff_name TEXT NOT NULL,   -- the staff member or cadre
	staff_post TEXT NOT NULL DEFAULT '',
	relation TEXT NOT NULL,     -- 配偶, 父母, 子女 …
	note TEXT,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active BETWEEN 0 AND 1),
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS close_relatives_region ON close_relatives (region_code);
CREATE INDEX IF NOT EXISTS close_relatives_id_number ON close_relatives (id_number);

-- Review cases created for decisions (动态管理): one per decision, so the
-- scheduler can run any number of times.
CREATE TABLE IF NOT EXISTS case_reviews (
	decision_id BIGINT PRIMARY KEY REFERENCES decisions (id),
	application_id BIGINT NOT NULL REFERENCES applications (id),
	region_code TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind = 'stable' OR kind = 'variable' OR kind = 'after_death'),
	due_date TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_reviews_region ON case_reviews (region_code);

-- At most one open dibao/tekun case per household and programme (temporary
-- assistance may have several: the index leaves it out).
CREATE UNIQUE INDEX IF NOT EXISTS applications_one_open ON applications (household_id, programme)
	WHERE closed_at IS NULL AND (programme = 'dibao' OR programme = 'tekun');
CREATE INDEX IF NOT EXISTS applications_due ON applications (region_code, due_date);
