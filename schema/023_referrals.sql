-- 023_referrals.sql - referrals between departments (转办转介, issue 9 item 5;
-- docs/referrals.md): a township or county hands a case from an application
-- or a 12345 work order to a receiving office (referral_offices, 022), which
-- accepts it, answers it with an outcome within a time limit, or returns it;
-- the sender closes it. Re-runnable: IF NOT EXISTS throughout.

-- A referral. region_code: the sending township (9 digits) or county (6),
-- whose staff see and close it; office_code: the receiving office, whose
-- department users see and answer it. Exactly one source: application_id
-- (an application or temporary-assistance case) or hotline_order_id.
-- household_id, person_id: where known (an application's household).
-- State: sent → accepted → answered → closed; sent or accepted → returned
-- (the office declines, return_note); sent or accepted → cancelled (the
-- sender withdraws). due_date: the civil date by which the office must
-- answer (the office's reply_workdays, else referral.reply_workdays, working
-- days after the day sent). outcome: assisted, not_eligible, transferred,
-- other; amount: fen paid, where the office reports one (医疗救助金额…).
CREATE TABLE IF NOT EXISTS referrals (
	id @ID@,
	region_code TEXT NOT NULL,
	office_code TEXT NOT NULL REFERENCES referral_offices (code),
	application_id BIGINT REFERENCES applications (id),
	hotline_order_id BIGINT REFERENCES hotline_orders (id),
	household_id BIGINT REFERENCES households (id),
	person_id BIGINT REFERENCES persons (id),
	reason TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'sent' CHECK (state = 'sent' OR state = 'accepted' OR state = 'answered' OR state = 'closed' OR state = 'returned' OR state = 'cancelled'),
	sent_at TEXT NOT NULL,
	due_date TEXT NOT NULL,
	sent_by BIGINT REFERENCES users (id),
	accepted_at TEXT,
	accepted_by BIGINT REFERENCES users (id),
	answer TEXT,
	outcome TEXT CHECK (outcome IS NULL OR outcome = 'assisted' OR outcome = 'not_eligible' OR outcome = 'transferred' OR outcome = 'other'),
	amount BIGINT CHECK (amount IS NULL OR amount >= 0),
	answered_at TEXT,
	answered_by BIGINT REFERENCES users (id),
	return_note TEXT,
	returned_at TEXT,
	returned_by BIGINT REFERENCES users (id),
	close_note TEXT,
	closed_at TEXT,
	closed_by BIGINT REFERENCES users (id),
	cancelled_at TEXT,
	cancelled_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	CHECK ((application_id IS NULL) <> (hotline_order_id IS NULL))
);
CREATE INDEX IF NOT EXISTS referrals_region ON referrals (region_code, state);
CREATE INDEX IF NOT EXISTS referrals_office ON referrals (office_code, state);
CREATE INDEX IF NOT EXISTS referrals_application ON referrals (application_id);
CREATE INDEX IF NOT EXISTS referrals_hotline_order ON referrals (hotline_order_id);

-- Every change of a referral, in order: create, accept, answer, return,
-- close, cancel.
CREATE TABLE IF NOT EXISTS referral_events (
	id @ID@,
	referral_id BIGINT NOT NULL REFERENCES referrals (id),
	region_code TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT,
	to_state TEXT,
	actor_id BIGINT REFERENCES users (id),
	at TEXT NOT NULL,
	note TEXT
);
CREATE INDEX IF NOT EXISTS referral_events_referral ON referral_events (referral_id, id);
