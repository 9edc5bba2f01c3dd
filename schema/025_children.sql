-- 025_children.sql - the children's basic living allowance (孤儿、事实无人抚养
-- 儿童基本生活保障, issue 10, docs/children.md): programme `children` in
-- applications, decision_lines (component children_allowance; categories
-- orphan_institution, orphan_dispersed, unsupported_child) and
-- payroll_batches. payments.programme has no CHECK and is left as it is.
--
-- The CHECK constraints change (and one index is added at the end).
-- PostgreSQL alters them in place. SQLite cannot alter a CHECK: the three
-- tables are rebuilt with the same columns in the same order
-- (https://sqlite.org/lang_altertable.html, "otheralter"), rows copied with
-- their ids, every index created again; the migration runner
-- does it with foreign keys off and a foreign_key_check before commit
-- (store.c, apply_one). Lines starting @SQLITE@ run on SQLite only, @PG@ on
-- PostgreSQL only. Re-runnable (store-test upgrades a store whose
-- schema_migrations lost its rows): the rebuild copies what is there, each
-- constraint is dropped before it is added, the index IF NOT EXISTS.
@PG@ALTER TABLE applications DROP CONSTRAINT IF EXISTS applications_programme_check;
@PG@ALTER TABLE applications ADD CONSTRAINT applications_programme_check CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'children');
@PG@ALTER TABLE decision_lines DROP CONSTRAINT IF EXISTS decision_lines_programme_check;
@PG@ALTER TABLE decision_lines ADD CONSTRAINT decision_lines_programme_check CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'children');
@PG@ALTER TABLE decision_lines DROP CONSTRAINT IF EXISTS decision_lines_component_check;
@PG@ALTER TABLE decision_lines ADD CONSTRAINT decision_lines_component_check CHECK (component = 'household' OR component = 'gradual_exit' OR component = 'single_person' OR component = 'tekun_basic' OR component = 'tekun_care' OR component = 'children_allowance');
@PG@ALTER TABLE decision_lines DROP CONSTRAINT IF EXISTS decision_lines_category_check;
@PG@ALTER TABLE decision_lines ADD CONSTRAINT decision_lines_category_check CHECK (category = 'dibao_urban' OR category = 'dibao_rural' OR category = 'tekun' OR category = 'orphan_institution' OR category = 'orphan_dispersed' OR category = 'unsupported_child');
-- created as payroll_batches_010 and renamed (010): the constraint kept its name
@PG@ALTER TABLE payroll_batches DROP CONSTRAINT IF EXISTS payroll_batches_010_programme_check;
@PG@ALTER TABLE payroll_batches DROP CONSTRAINT IF EXISTS payroll_batches_programme_check;
@PG@ALTER TABLE payroll_batches ADD CONSTRAINT payroll_batches_programme_check CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'subsidy' OR programme = 'children');
@SQLITE@CREATE TABLE applications_025 (
@SQLITE@	id INTEGER PRIMARY KEY,
@SQLITE@	household_id BIGINT REFERENCES households (id),
@SQLITE@	person_id BIGINT REFERENCES persons (id),
@SQLITE@	region_code TEXT NOT NULL,
@SQLITE@	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'children'),
@SQLITE@	kind TEXT NOT NULL DEFAULT 'new' CHECK (kind = 'new' OR kind = 'review' OR kind = 'change' OR kind = 'exit'),
@SQLITE@	state TEXT NOT NULL,
@SQLITE@	channel TEXT NOT NULL DEFAULT 'counter' CHECK (channel = 'counter' OR channel = 'online' OR channel = 'visit' OR channel = 'hotline' OR channel = 'referral'),
@SQLITE@	emergency INTEGER NOT NULL DEFAULT 0 CHECK (emergency BETWEEN 0 AND 1),
@SQLITE@	close_relative INTEGER NOT NULL DEFAULT 0 CHECK (close_relative BETWEEN 0 AND 1),   -- 近亲属备案
@SQLITE@	under_complaint INTEGER NOT NULL DEFAULT 0 CHECK (under_complaint BETWEEN 0 AND 1),
@SQLITE@	commitment_signed INTEGER NOT NULL DEFAULT 0 CHECK (commitment_signed BETWEEN 0 AND 1), -- 告知承诺
@SQLITE@	requested_amount BIGINT,
@SQLITE@	approved_amount BIGINT,
@SQLITE@	data TEXT,        -- JSON: the household as submitted (ASSESS.md shape)
@SQLITE@	due_date TEXT,    -- deadline of the current step
@SQLITE@	submitted_at TEXT,
@SQLITE@	accepted_at TEXT,
@SQLITE@	decided_at TEXT,
@SQLITE@	closed_at TEXT,
@SQLITE@	created_by BIGINT REFERENCES users (id),
@SQLITE@	assigned_to BIGINT REFERENCES users (id),
@SQLITE@	created_at TEXT NOT NULL,
@SQLITE@	updated_at TEXT NOT NULL,
@SQLITE@	version INTEGER NOT NULL DEFAULT 1
@SQLITE@);
@SQLITE@INSERT INTO applications_025 SELECT * FROM applications;
@SQLITE@DROP TABLE applications;
@SQLITE@ALTER TABLE applications_025 RENAME TO applications;
@SQLITE@CREATE INDEX applications_region ON applications (region_code, state);
@SQLITE@CREATE INDEX applications_household ON applications (household_id);
@SQLITE@CREATE INDEX applications_person ON applications (person_id);
@SQLITE@CREATE UNIQUE INDEX applications_one_open ON applications (household_id, programme)
@SQLITE@	WHERE closed_at IS NULL AND (programme = 'dibao' OR programme = 'tekun');
@SQLITE@CREATE INDEX applications_due ON applications (region_code, due_date);
@SQLITE@CREATE INDEX applications_open ON applications (region_code, state, due_date)
@SQLITE@	WHERE closed_at IS NULL;
@SQLITE@CREATE INDEX applications_created ON applications (region_code, created_at, programme);
@SQLITE@CREATE INDEX applications_decided ON applications (region_code, decided_at, programme, state)
@SQLITE@	WHERE decided_at IS NOT NULL;
@SQLITE@CREATE TABLE decision_lines_025 (
@SQLITE@	id INTEGER PRIMARY KEY,
@SQLITE@	decision_id BIGINT NOT NULL REFERENCES decisions (id),
@SQLITE@	household_id BIGINT REFERENCES households (id),
@SQLITE@	person_id BIGINT NOT NULL REFERENCES persons (id),
@SQLITE@	region_code TEXT NOT NULL,
@SQLITE@	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'children'),
@SQLITE@	component TEXT NOT NULL CHECK (component = 'household' OR component = 'gradual_exit' OR component = 'single_person' OR component = 'tekun_basic' OR component = 'tekun_care' OR component = 'children_allowance'),
@SQLITE@	category TEXT NOT NULL CHECK (category = 'dibao_urban' OR category = 'dibao_rural' OR category = 'tekun' OR category = 'orphan_institution' OR category = 'orphan_dispersed' OR category = 'unsupported_child'),
@SQLITE@	amount BIGINT NOT NULL CHECK (amount >= 0),
@SQLITE@	created_at TEXT NOT NULL
@SQLITE@);
@SQLITE@INSERT INTO decision_lines_025 SELECT * FROM decision_lines;
@SQLITE@DROP TABLE decision_lines;
@SQLITE@ALTER TABLE decision_lines_025 RENAME TO decision_lines;
@SQLITE@CREATE INDEX decision_lines_decision ON decision_lines (decision_id);
@SQLITE@CREATE INDEX decision_lines_programme ON decision_lines (programme, region_code, id);
@SQLITE@CREATE TABLE payroll_batches_025 (
@SQLITE@	id INTEGER PRIMARY KEY,
@SQLITE@	batch_key TEXT NOT NULL UNIQUE,   -- kind:region:programme:period[:campaign]:seq - one generation, once
@SQLITE@	region_code TEXT NOT NULL,        -- the county (6 digits)
@SQLITE@	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'subsidy' OR programme = 'children'),
@SQLITE@	period TEXT NOT NULL,             -- YYYY-MM
@SQLITE@	kind TEXT NOT NULL DEFAULT 'regular' CHECK (kind = 'regular' OR kind = 'adjustment' OR kind = 'one_time' OR kind = 'price_subsidy' OR kind = 'epidemic' OR kind = 'temporary' OR kind = 'reissue'),
@SQLITE@	seq INTEGER NOT NULL DEFAULT 0,
@SQLITE@	campaign TEXT,                    -- one_time / price_subsidy: the campaign code
@SQLITE@	state TEXT NOT NULL DEFAULT 'draft' CHECK (state = 'draft' OR state = 'checked' OR state = 'approved' OR state = 'exported' OR state = 'reconciled' OR state = 'cancelled'),
@SQLITE@	total_amount BIGINT NOT NULL DEFAULT 0,  -- signed: an adjustment may recover money
@SQLITE@	payments_count INTEGER NOT NULL DEFAULT 0,
@SQLITE@	findings_open INTEGER NOT NULL DEFAULT 0,
@SQLITE@	bank TEXT,
@SQLITE@	file_name TEXT,
@SQLITE@	created_by BIGINT REFERENCES users (id),
@SQLITE@	checked_by BIGINT REFERENCES users (id),
@SQLITE@	checked_at TEXT,
@SQLITE@	approved_by BIGINT REFERENCES users (id),
@SQLITE@	approved_at TEXT,
@SQLITE@	exported_by BIGINT REFERENCES users (id),
@SQLITE@	exported_at TEXT,
@SQLITE@	reconciled_at TEXT,
@SQLITE@	note TEXT,
@SQLITE@	created_at TEXT NOT NULL,
@SQLITE@	updated_at TEXT NOT NULL,
@SQLITE@	version INTEGER NOT NULL DEFAULT 1
@SQLITE@);
@SQLITE@INSERT INTO payroll_batches_025 SELECT * FROM payroll_batches;
@SQLITE@DROP TABLE payroll_batches;
@SQLITE@ALTER TABLE payroll_batches_025 RENAME TO payroll_batches;
@SQLITE@CREATE INDEX payroll_batches_region ON payroll_batches (region_code, period);
-- one open children case per child (applications_one_open covers the
-- household programmes)
CREATE UNIQUE INDEX IF NOT EXISTS applications_children_one_open ON applications (person_id)
	WHERE closed_at IS NULL AND programme = 'children';
