-- 020_statistics.sql - monthly statistics and holiday campaigns (issue 8).
--
-- stats_monthly is a snapshot: `doudi stats build` (or POST
-- /api/v1/statistics/monthly) computes a month's figures for a scope from the
-- store in one transaction, replacing that scope's earlier snapshot of the
-- month, so the table a county reported upward stays as it was reported until
-- it is rebuilt (and the rebuild is audited). One row per month, township,
-- programme and measure (long form: a later programme or measure adds rows,
-- not columns). Measures (service/statistics.h):
--   households, persons       in force during the month (decisions)
--   payment_lines, amount     payments of the month's batches, not cancelled (fen)
--   amount_paid               of which the bank confirmed paid (fen)
--   lines_on_time             lines exported by the end of the month
--   cases, case_amount        temporary assistance approved in the month (fen)
--   decided, decision_days, decided_in_time
--                             applications decided in the month, the calendar
--                             days from application to decision summed, and
--                             those decided within procedure.total_workdays
--   registered_persons        (programme "all") members of registered households
-- region_code is the township (9 digits) of the record's region, or the
-- record's own code when it is shorter (a county-level record).
CREATE TABLE stats_monthly (
	period TEXT NOT NULL,
	region_code TEXT NOT NULL,
	programme TEXT NOT NULL,
	measure TEXT NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (period, region_code, programme, measure)
);

-- One row per build: which scope (a region's significant form, '' for all)
-- and month, when, by whom, and how many rows it wrote.
CREATE TABLE stats_builds (
	id @ID@,
	period TEXT NOT NULL,
	scope TEXT NOT NULL,
	rows_written BIGINT NOT NULL,
	millis BIGINT NOT NULL,
	built_by BIGINT REFERENCES users (id),
	built_at TEXT NOT NULL
);
CREATE INDEX stats_builds_period ON stats_builds (period, scope);

-- Holiday relief campaigns (元旦春节走访慰问): a county's plan with its
-- period and the two dates the statistics table is reported on.
CREATE TABLE relief_campaigns (
	id @ID@,
	region_code TEXT NOT NULL,        -- the county (6 digits)
	name TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL,
	report_dates TEXT NOT NULL,       -- JSON array of YYYY-MM-DD
	categories TEXT NOT NULL,         -- JSON array: dibao, tekun, marginal, other
	state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'closed'),
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX relief_campaigns_region ON relief_campaigns (region_code);

-- The people a campaign reaches: planned from the roll in force (state
-- planned), then visited with money (慰问金, fen) and/or goods (慰问品, a
-- description and their value in fen).
CREATE TABLE campaign_recipients (
	id @ID@,
	campaign_id BIGINT NOT NULL REFERENCES relief_campaigns (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	household_id BIGINT REFERENCES households (id),
	region_code TEXT NOT NULL,        -- the household's region (village)
	category TEXT NOT NULL CHECK (category = 'dibao' OR category = 'tekun' OR category = 'marginal' OR category = 'other'),
	state TEXT NOT NULL DEFAULT 'planned' CHECK (state = 'planned' OR state = 'visited' OR state = 'cancelled'),
	visited_on TEXT,
	money BIGINT NOT NULL DEFAULT 0 CHECK (money >= 0),
	goods TEXT,
	goods_value BIGINT NOT NULL DEFAULT 0 CHECK (goods_value >= 0),
	visited_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (campaign_id, person_id)
);
CREATE INDEX campaign_recipients_region ON campaign_recipients (campaign_id, region_code);
