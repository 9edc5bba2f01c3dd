-- 021_verification.sql - household economic verification (家庭经济状况核对,
-- issue 9; docs/verification.md): the sources asked, the members'
-- authorisations, one verification per application with a request per
-- source, the answers' findings, the consolidated report, and batches of
-- verifications for the periodic reviews.
--
-- region_code is the village of the household verified (12 digits), copied
-- when the row is written, so that a principal's scope finds the rows
-- through the *_region indexes.

-- A source that answers verification requests (public security, housing …).
-- items: the comma-separated finding items it may report (wage, business,
-- property, transfer, basic_pension: incomes; financial, vehicle, house:
-- assets; enterprise, hukou: facts shown in the report only). The reply
-- deadline is the policy parameter verification.reply_workdays.<code>. A
-- new source is a row.
CREATE TABLE verification_sources (
	id @ID@,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	department TEXT NOT NULL,
	items TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active BETWEEN 0 AND 1),
	sort INTEGER NOT NULL DEFAULT 0
);
INSERT INTO verification_sources (code, name, department, items, sort) VALUES
	('public_security', '户籍、车辆', '公安机关', 'hukou,vehicle', 1),
	('housing', '不动产登记', '住房城乡建设（不动产登记）部门', 'house', 2),
	('provident_fund', '住房公积金', '住房公积金管理中心', 'wage', 3),
	('social_insurance', '社会保险', '人力资源社会保障部门', 'wage,basic_pension', 4),
	('market_regulation', '工商登记', '市场监督管理部门', 'enterprise,business', 5),
	('tax', '纳税记录', '税务部门', 'wage,business,property', 6),
	('bank', '存款', '银行业金融机构', 'financial', 7);

-- An adult member's authorisation (授权书) for the checks: paper (signed and
-- scanned: document names the scan) or online (citizen portal). scope: the
-- comma-separated source codes, or 'all'. valid_until: the last day it may
-- be used. revoked_at ends it early.
CREATE TABLE verification_authorisations (
	id @ID@,
	household_id BIGINT NOT NULL REFERENCES households (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	application_id BIGINT REFERENCES applications (id),
	region_code TEXT NOT NULL,
	method TEXT NOT NULL CHECK (method = 'paper' OR method = 'online'),
	scope TEXT NOT NULL,
	signed_on TEXT NOT NULL,
	valid_until TEXT NOT NULL,
	document TEXT,
	recorded_by BIGINT REFERENCES users (id),
	revoked_at TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX verification_authorisations_household ON verification_authorisations (household_id, person_id);
CREATE INDEX verification_authorisations_region ON verification_authorisations (region_code);

-- A batch: one township's households due for review verified together,
-- with one request file per source.
CREATE TABLE verification_batches (
	id @ID@,
	region_code TEXT NOT NULL,
	as_of TEXT NOT NULL,
	households INTEGER NOT NULL DEFAULT 0,
	skipped INTEGER NOT NULL DEFAULT 0,
	skipped_detail TEXT, -- JSON: households left out and why
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL
);
CREATE INDEX verification_batches_region ON verification_batches (region_code);

-- One household's verification for an application. State: requested (the
-- requests are out) → reported (the consolidated report is built: every
-- source answered or overdue) → adopted (the verified figures were written
-- to the household's incomes and assets for the assessment). report: the
-- report JSON as built (declared beside verified, differences, overdue
-- sources). purge_after: the day after which the answers and the report are
-- purged (verification.retention_days after the report); purged_at when done.
CREATE TABLE verifications (
	id @ID@,
	application_id BIGINT NOT NULL REFERENCES applications (id),
	household_id BIGINT NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	batch_id BIGINT REFERENCES verification_batches (id),
	state TEXT NOT NULL DEFAULT 'requested' CHECK (state = 'requested' OR state = 'reported' OR state = 'adopted' OR state = 'cancelled'),
	requested_on TEXT NOT NULL,
	report TEXT,
	reported_at TEXT,
	adopted_at TEXT,
	adopted_by BIGINT REFERENCES users (id),
	purge_after TEXT,
	purged_at TEXT,
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX verifications_region ON verifications (region_code, state);
CREATE INDEX verifications_application ON verifications (application_id);
CREATE INDEX verifications_batch ON verifications (batch_id);

-- A request to one source. request_no: the number the source quotes back
-- (HC + the verification id + the source's sort). state: sent → answered;
-- a request past due_date and not answered is overdue (computed); a resend
-- counts up resent and sets a new due_date.
CREATE TABLE verification_requests (
	id @ID@,
	verification_id BIGINT NOT NULL REFERENCES verifications (id),
	region_code TEXT NOT NULL,
	source_code TEXT NOT NULL REFERENCES verification_sources (code),
	request_no TEXT NOT NULL UNIQUE,
	state TEXT NOT NULL DEFAULT 'sent' CHECK (state = 'sent' OR state = 'answered'),
	sent_on TEXT NOT NULL,
	due_date TEXT NOT NULL,
	resent INTEGER NOT NULL DEFAULT 0,
	answered_at TEXT,
	answer_channel TEXT CHECK (answer_channel IS NULL OR answer_channel = 'file' OR answer_channel = 'api'),
	answer_file TEXT,
	answered_by BIGINT REFERENCES users (id),
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX verification_requests_verification ON verification_requests (verification_id);
CREATE INDEX verification_requests_region ON verification_requests (region_code, state, due_date);

-- What a source reported about a member: an income (amount per period) or
-- an asset (amount, quantity), or a fact (enterprise, hukou); item 'none'
-- records that the source holds nothing on the person.
CREATE TABLE verification_findings (
	id @ID@,
	request_id BIGINT NOT NULL REFERENCES verification_requests (id),
	verification_id BIGINT NOT NULL REFERENCES verifications (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	region_code TEXT NOT NULL,
	item TEXT NOT NULL,
	amount BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
	quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
	period TEXT NOT NULL DEFAULT 'month' CHECK (period = 'month' OR period = 'year'),
	note TEXT
);
CREATE INDEX verification_findings_request ON verification_findings (request_id);
CREATE INDEX verification_findings_verification ON verification_findings (verification_id);

-- The decision made with a verification's report (核对报告随决定存档).
ALTER TABLE decisions ADD COLUMN verification_id BIGINT REFERENCES verifications (id);
