-- 009_online_applications.sql - online applications from the citizen portal
-- (全流程网上办理, issue 5): what a citizen submitted, kept apart from the
-- registry until staff accept it (then the household is created or linked
-- and a casework application opened, both recorded here). Region-coded like
-- every table with people's data. Re-runnable: IF NOT EXISTS throughout.
CREATE TABLE IF NOT EXISTS online_applications (
	id @ID@,
	region_code TEXT NOT NULL,              -- the village (12 digits) the citizen chose
	tracking_no TEXT NOT NULL UNIQUE,       -- 16 characters, Crockford base32, random, with a check character
	programme TEXT NOT NULL CHECK (programme = 'dibao' OR programme = 'tekun' OR programme = 'temporary'),
	state TEXT NOT NULL CHECK (state = 'submitted' OR state = 'accepted' OR state = 'rejected'),
	applicant_name TEXT NOT NULL,
	applicant_id_number TEXT NOT NULL,      -- as persons.id_number; never logged
	applicant_id_hash TEXT NOT NULL,        -- BLAKE2b of tracking_no and the ID number: the status lookup's compare
	phone TEXT,
	data TEXT NOT NULL,                     -- JSON: the household as submitted (ASSESS.md shape)
	reason TEXT,
	commitment_signed INTEGER NOT NULL CHECK (commitment_signed = 1), -- 告知承诺
	note TEXT,                              -- the reason of a refusal, shown to the citizen
	household_id BIGINT REFERENCES households (id),
	application_id BIGINT REFERENCES applications (id),
	decided_by BIGINT REFERENCES users (id),
	decided_at TEXT,
	submitted_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS online_applications_region ON online_applications (region_code, state, id);
