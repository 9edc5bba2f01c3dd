-- 010_payroll.sql - payroll, subsidies and funds (issue 6): what each decision
-- pays every month (decision_lines), monthly batches per county, programme and
-- month with their payments, the checks before approval (payroll_findings),
-- one-time and price subsidy campaigns, bank file templates and return files,
-- and the county fund ledger (fund_allocations).
--
-- payroll_batches and payments of 001 are rebuilt: their CHECK constraints
-- knew neither the states of the payroll workflow (checked, exported) nor
-- signed adjustment lines. No earlier release wrote either table; any rows
-- are copied over all the same.

-- What a decision pays each month, one row per payee and component, written
-- with the decision (casework approval) from the assessment it carries:
--   household      dibao household benefit, paid to the head;
--   gradual_exit   the same during the gradual-exit period (渐退期);
--   single_person  a member of a marginal household enrolled alone (单人保);
--   tekun_basic    a tekun person's basic living standard (基本生活标准);
--   tekun_care     a tekun person's care standard (照料护理标准).
-- category is the person's group for one-time subsidies: dibao_urban,
-- dibao_rural (by the household's area) or tekun.
CREATE TABLE IF NOT EXISTS decision_lines (
	id @ID@,
	decision_id BIGINT NOT NULL REFERENCES decisions (id),
	household_id BIGINT REFERENCES households (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	region_code TEXT NOT NULL,
	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun'),
	component TEXT NOT NULL CHECK (component = 'household' OR component = 'gradual_exit' OR component = 'single_person' OR component = 'tekun_basic' OR component = 'tekun_care'),
	category TEXT NOT NULL CHECK (category = 'dibao_urban' OR category = 'dibao_rural' OR category = 'tekun'),
	amount BIGINT NOT NULL CHECK (amount >= 0),
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decision_lines_decision ON decision_lines (decision_id);
-- the payroll's scan: one programme's lines of a county, in id order
CREATE INDEX IF NOT EXISTS decision_lines_programme ON decision_lines (programme, region_code, id);

-- decisions.effective_to: the first day the decision is no longer in force
-- (exclusive end), set when a later decision supersedes it or the county ends
-- it. A decision is in force for month M when effective_from <= M-01 and
-- (effective_to IS NULL OR effective_to > M-01), and, while gradual exit,
-- gradual_exit_until >= M.

DROP INDEX IF EXISTS payments_period; -- 008's: the workbench sums batches now
CREATE TABLE payroll_batches_010 (
	id @ID@,
	batch_key TEXT NOT NULL UNIQUE,   -- kind:region:programme:period[:campaign]:seq - one generation, once
	region_code TEXT NOT NULL,        -- the county (6 digits)
	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' OR programme = 'subsidy'),
	period TEXT NOT NULL,             -- YYYY-MM
	kind TEXT NOT NULL DEFAULT 'regular' CHECK (kind = 'regular' OR kind = 'adjustment' OR kind = 'one_time' OR kind = 'price_subsidy' OR kind = 'epidemic' OR kind = 'temporary' OR kind = 'reissue'),
	seq INTEGER NOT NULL DEFAULT 0,
	campaign TEXT,                    -- one_time / price_subsidy: the campaign code
	state TEXT NOT NULL DEFAULT 'draft' CHECK (state = 'draft' OR state = 'checked' OR state = 'approved' OR state = 'exported' OR state = 'reconciled' OR state = 'cancelled'),
	total_amount BIGINT NOT NULL DEFAULT 0,  -- signed: an adjustment may recover money
	payments_count INTEGER NOT NULL DEFAULT 0,
	findings_open INTEGER NOT NULL DEFAULT 0,
	bank TEXT,
	file_name TEXT,
	created_by BIGINT REFERENCES users (id),
	checked_by BIGINT REFERENCES users (id),
	checked_at TEXT,
	approved_by BIGINT REFERENCES users (id),
	approved_at TEXT,
	exported_by BIGINT REFERENCES users (id),
	exported_at TEXT,
	reconciled_at TEXT,
	note TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO payroll_batches_010 (id, batch_key, region_code, programme, period, state, total_amount, payments_count,
	bank, file_name, created_by, approved_by, created_at, updated_at, version)
	SELECT id, 'legacy:' || id, region_code,
		CASE WHEN programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary' THEN programme ELSE 'subsidy' END,
		period, CASE WHEN state = 'sent' THEN 'exported' ELSE state END, total_amount, payments_count, bank, file_name,
		created_by, approved_by, created_at, updated_at, version
	FROM payroll_batches;

-- One row per payment line. dedup_key names what is paid for
-- (programme:component:household:person:period); the base payment of an
-- entitlement exists at most once (payments_once) unless cancelled with its
-- batch; adjustments add signed lines with the same key, so the sum over a
-- key is what that entitlement received. household_id is always set.
CREATE TABLE payments_010 (
	id @ID@,
	batch_id BIGINT NOT NULL REFERENCES payroll_batches_010 (id),
	decision_id BIGINT REFERENCES decisions (id),
	line_id BIGINT REFERENCES decision_lines (id),
	household_id BIGINT REFERENCES households (id),
	person_id BIGINT REFERENCES persons (id),  -- the payee
	region_code TEXT NOT NULL,                 -- the payee household's region (village)
	programme TEXT NOT NULL,
	kind TEXT NOT NULL DEFAULT 'regular' CHECK (kind = 'regular' OR kind = 'adjustment' OR kind = 'one_time' OR kind = 'price_subsidy' OR kind = 'epidemic' OR kind = 'temporary' OR kind = 'first_aid' OR kind = 'back_pay' OR kind = 'reissue'),
	component TEXT,
	category TEXT,
	period TEXT NOT NULL,
	amount BIGINT NOT NULL,                    -- fen; only an adjustment may be negative
	dedup_key TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR state = 'withheld' OR state = 'exported' OR state = 'paid' OR state = 'returned' OR state = 'reissued' OR state = 'cancelled'),
	bank_name TEXT,                            -- the payee's bank and account when generated
	bank_account TEXT,
	bank_ref TEXT,                             -- the bank's reference from the return file
	paid_at TEXT,
	return_reason TEXT,
	reissue_of BIGINT REFERENCES payments_010 (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	CHECK (amount > 0 OR kind = 'adjustment')
);
INSERT INTO payments_010 (id, batch_id, decision_id, household_id, person_id, region_code, programme, kind, period, amount,
	dedup_key, state, bank_account, bank_ref, paid_at, return_reason, created_at, updated_at, version)
	SELECT id, batch_id, decision_id, household_id, person_id, region_code, programme, kind, period, amount, dedup_key,
		CASE WHEN state = 'sent' THEN 'exported' ELSE state END, bank_account, bank_ref, paid_at, return_reason,
		created_at, updated_at, version
	FROM payments WHERE batch_id IS NOT NULL AND amount > 0;
DROP TABLE payments;
DROP TABLE payroll_batches;
ALTER TABLE payroll_batches_010 RENAME TO payroll_batches;
ALTER TABLE payments_010 RENAME TO payments;
CREATE INDEX payroll_batches_region ON payroll_batches (region_code, period);
-- Once only: the base payment of an entitlement (person, month, programme,
-- component, household; for a subsidy the component is the campaign) exists
-- once unless cancelled. In person order, which a county's batch follows, so
-- the index grows at its end. It also serves "who else pays this person".
CREATE UNIQUE INDEX payments_once ON payments (person_id, period, programme, component, household_id)
	WHERE kind <> 'adjustment' AND kind <> 'reissue' AND state <> 'cancelled';
-- A batch's payments by village; covers the workbench's sums per region.
-- Inserts land in the newest batch's part of the tree only.
CREATE INDEX payments_batch ON payments (batch_id, region_code, state, amount);

-- The checks before approval: one finding per check, batch and subject
-- (finding_key), open until cleared (the payment is withheld) or overridden
-- (paid all the same), each with a reason and audited.
CREATE TABLE IF NOT EXISTS payroll_findings (
	id @ID@,
	batch_id BIGINT NOT NULL REFERENCES payroll_batches (id),
	region_code TEXT NOT NULL,
	check_code TEXT NOT NULL,   -- exclusive_decisions, paid_twice, deceased, exited, shared_account, over_limit, staff_relative
	finding_key TEXT NOT NULL,  -- check_code:subject, unique within the batch
	payment_id BIGINT REFERENCES payments (id),
	person_id BIGINT REFERENCES persons (id),
	household_id BIGINT REFERENCES households (id),
	detail TEXT NOT NULL,       -- JSON: what was found (Chinese text + the figures)
	state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'cleared' OR state = 'overridden'),
	reason TEXT,
	resolved_by BIGINT REFERENCES users (id),
	resolved_at TEXT,
	created_at TEXT NOT NULL,
	UNIQUE (batch_id, finding_key)
);
CREATE INDEX IF NOT EXISTS payroll_findings_batch ON payroll_findings (batch_id, state);

-- Subsidy campaigns: a one-time living subsidy (per person on the rolls at the
-- reference date, amounts from the parameters subsidy.<code>.<category>) or a
-- price subsidy month (from the index figures below).
CREATE TABLE IF NOT EXISTS subsidy_campaigns (
	id @ID@,
	code TEXT NOT NULL,          -- e.g. 2022-onetime, or price-2022-10
	region_code TEXT NOT NULL,   -- the county it is paid in
	kind TEXT NOT NULL CHECK (kind = 'one_time' OR kind = 'price_subsidy'),
	reference_date TEXT NOT NULL,
	period TEXT NOT NULL,        -- the month it is paid in
	batch_id BIGINT REFERENCES payroll_batches (id),
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	UNIQUE (code, region_code)
);

-- Price index figures entered for the linkage mechanism (价格临时补贴): the
-- year-on-year rises of the CPI and of the food price index, as decimal
-- ratios in text ("0.035"), for a region (province or city) and month.
CREATE TABLE IF NOT EXISTS price_indices (
	region_code TEXT NOT NULL,
	month TEXT NOT NULL,
	cpi_rise TEXT,
	food_rise TEXT,
	published_on TEXT,
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	PRIMARY KEY (region_code, month)
);

-- Bank file templates, kept as data: columns (JSON list of {"title", "field"}),
-- header lines, encoding and format; one per paying bank (代发金融机构).
CREATE TABLE IF NOT EXISTS bank_templates (
	code TEXT PRIMARY KEY,
	bank_name TEXT NOT NULL,     -- matched against persons.bank_name
	format TEXT NOT NULL DEFAULT 'csv' CHECK (format = 'csv' OR format = 'xlsx'),
	encoding TEXT NOT NULL DEFAULT 'gb18030' CHECK (encoding = 'utf-8' OR encoding = 'gb18030'),
	columns TEXT NOT NULL,       -- JSON
	header TEXT,                 -- JSON list of lines above the column titles
	return_columns TEXT,         -- JSON: which columns of the bank's return file hold what
	updated_at TEXT NOT NULL
);

-- Bank return files imported: one row per file (digest: a file imported twice
-- changes nothing the second time).
CREATE TABLE IF NOT EXISTS bank_returns (
	id @ID@,
	batch_id BIGINT NOT NULL REFERENCES payroll_batches (id),
	region_code TEXT NOT NULL,
	file_name TEXT,
	digest TEXT NOT NULL,
	paid_count INTEGER NOT NULL DEFAULT 0,
	returned_count INTEGER NOT NULL DEFAULT 0,
	rejected_rows INTEGER NOT NULL DEFAULT 0,
	imported_by BIGINT REFERENCES users (id),
	imported_at TEXT NOT NULL,
	UNIQUE (batch_id, digest)
);

-- The county fund ledger's allocations (资金下达) per programme and month,
-- entered by finance; paid and returned come from payments.
CREATE TABLE IF NOT EXISTS fund_allocations (
	id @ID@,
	region_code TEXT NOT NULL,
	programme TEXT NOT NULL,
	period TEXT NOT NULL,
	amount BIGINT NOT NULL CHECK (amount > 0),
	document TEXT,               -- the allocation notice (文号)
	note TEXT,
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fund_allocations_region ON fund_allocations (region_code, period);
