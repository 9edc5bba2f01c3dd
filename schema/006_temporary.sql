-- 006_temporary.sql - temporary assistance (临时救助, issue 4 item 5): the
-- township reserve fund (临时救助备用金) as a ledger, and what a temporary
-- case holds beyond the generic applications row (first aid, tier, staged
-- payments). Re-runnable: IF NOT EXISTS throughout.

-- One reserve fund per township (region_code: the township's 9-digit code).
-- The balance can never go below zero: a draw is one conditional UPDATE
-- (... WHERE balance >= amount), and the CHECK is the last line of defence.
CREATE TABLE IF NOT EXISTS reserve_funds (
	region_code TEXT PRIMARY KEY,
	balance BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
	advanced_total BIGINT NOT NULL DEFAULT 0 CHECK (advanced_total >= 0),   -- advance + replenish
	drawn_total BIGINT NOT NULL DEFAULT 0 CHECK (drawn_total >= 0),         -- draw
	returned_total BIGINT NOT NULL DEFAULT 0 CHECK (returned_total >= 0),   -- return
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

-- The ledger, append-only: advance (下拨, county/finance), replenish (回补,
-- county/finance), draw (支取, township or a case's first aid / payment),
-- return (退回, unused money back to the county). balance_after is the fund's
-- balance right after this entry, so the ledger can be re-added and checked.
CREATE TABLE IF NOT EXISTS reserve_fund_entries (
	id @ID@,
	region_code TEXT NOT NULL REFERENCES reserve_funds (region_code),
	kind TEXT NOT NULL CHECK (kind = 'advance' OR kind = 'replenish' OR kind = 'draw' OR kind = 'return'),
	amount BIGINT NOT NULL CHECK (amount > 0),
	balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
	application_id BIGINT REFERENCES applications (id),
	actor_id BIGINT REFERENCES users (id),
	note TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reserve_fund_entries_region ON reserve_fund_entries (region_code, id);
CREATE INDEX IF NOT EXISTS reserve_fund_entries_application ON reserve_fund_entries (application_id);

-- A temporary case: one row per application of programme 'temporary'.
-- region_code is where the emergency happened (急难发生地), which decides;
-- registration_region the household registration (户籍地), for the record.
CREATE TABLE IF NOT EXISTS temporary_cases (
	application_id BIGINT PRIMARY KEY REFERENCES applications (id),
	region_code TEXT NOT NULL,
	case_kind TEXT NOT NULL CHECK (case_kind = 'emergency' OR case_kind = 'expenditure'),
	cause TEXT NOT NULL,
	severity TEXT NOT NULL DEFAULT 'general' CHECK (severity = 'general' OR severity = 'serious' OR severity = 'grave'),
	area TEXT NOT NULL CHECK (area = 'urban' OR area = 'rural'), -- which dibao standard S applies
	registration_region TEXT,
	standard BIGINT,                 -- S in force when decided, fen
	first_aid_amount BIGINT NOT NULL DEFAULT 0 CHECK (first_aid_amount >= 0),
	first_aid_at TEXT,
	first_aid_by BIGINT REFERENCES users (id),
	paperwork_done INTEGER NOT NULL DEFAULT 0 CHECK (paperwork_done BETWEEN 0 AND 1), -- 事后补充说明
	tier TEXT CHECK (tier = 'first_aid' OR tier = 'township' OR tier = 'county' OR tier = 'case_by_case'),
	approved_amount BIGINT CHECK (approved_amount >= 0),
	case_by_case_note TEXT,          -- 一事一议: the county's note
	approved_by BIGINT REFERENCES users (id),
	approved_at TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS temporary_cases_region ON temporary_cases (region_code);

-- One approval, paid in stages (一次审批、分阶段救助): the approved amount
-- less the first aid already paid, split into stages whose sum is exact.
CREATE TABLE IF NOT EXISTS temporary_stages (
	id @ID@,
	application_id BIGINT NOT NULL REFERENCES applications (id),
	region_code TEXT NOT NULL,
	seq INTEGER NOT NULL CHECK (seq >= 1),
	amount BIGINT NOT NULL CHECK (amount > 0),
	state TEXT NOT NULL DEFAULT 'planned' CHECK (state = 'planned' OR state = 'paid' OR state = 'cancelled'),
	paid_at TEXT,
	paid_by BIGINT REFERENCES users (id),
	reserve_entry_id BIGINT REFERENCES reserve_fund_entries (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (application_id, seq)
);
CREATE INDEX IF NOT EXISTS temporary_stages_region ON temporary_stages (region_code);
