-- 017_alert_actions.sql - the effects of handling an alert (issue 7):
-- payment holds that payroll generation honours, and the case an alert's
-- action was linked to.
--
-- Not re-runnable on its own (ALTER TABLE … ADD COLUMN): the migration names
-- payment_holds, and a store that has it records the migration without
-- running it again.

-- A hold on a household's regular payments (暂停发放), placed by an alert's
-- action "suspend": while released_at is NULL, payroll generation leaves the
-- household's lines out (src/service/payroll.c).
CREATE TABLE payment_holds (
	id @ID@,
	household_id BIGINT NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	alert_id BIGINT REFERENCES alerts (id),
	reason TEXT NOT NULL,
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	released_at TEXT,
	released_by BIGINT REFERENCES users (id),
	release_note TEXT
);
CREATE INDEX payment_holds_household ON payment_holds (household_id, released_at);
CREATE INDEX payment_holds_region ON payment_holds (region_code);

-- The case an action started or was linked to (a temporary-assistance case
-- for "temporary"), and who closed the alert.
ALTER TABLE alerts ADD COLUMN case_id BIGINT REFERENCES applications (id);
ALTER TABLE alerts ADD COLUMN closed_by BIGINT REFERENCES users (id);
