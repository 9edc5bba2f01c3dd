-- 013_payroll_sources.sql - what each county's payroll of a month was last
-- generated from (issue 6): a fingerprint of the decision lines in force
-- (count, sum of amounts, sum of a hash of the line ids) and of the live
-- payments (count, sum). A later run whose fingerprints are both the same
-- would find nothing to adjust, so it skips the county without comparing
-- payment by payment. Written in the generation's own transaction.
CREATE TABLE payroll_sources (
	region_code TEXT NOT NULL,        -- the county (6 digits)
	programme TEXT NOT NULL,
	period TEXT NOT NULL,             -- YYYY-MM
	lines_count BIGINT NOT NULL,
	lines_amount BIGINT NOT NULL,
	lines_hash BIGINT NOT NULL,
	paid_count BIGINT NOT NULL,
	paid_amount BIGINT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (region_code, programme, period)
);
