-- 012_epidemic.sql - epidemic patient aid and staged temporary assistance as
-- bank payments (issue 6 §3; docs/payroll.md "Epidemic patient aid and staged
-- temporary assistance").
--
-- Not re-runnable on its own (ALTER TABLE … ADD COLUMN): the migration names
-- epidemic_patients, and a store that has it records the migration without
-- running it again.

-- A confirmed patient (确诊患者, 004 §一(五)), entered by the county: a
-- person of the registry who, on the day of diagnosis, is a dibao or tekun
-- recipient (basis), with the household (and its village and area) they
-- lived in then. standard is S (dibao.standard.<area>) and multiple
-- temp.covid_multiple, both in force on the diagnosis date and kept with the
-- record: a later change of the parameters does not change what it pays.
-- discharged_on is NULL while in hospital; entered later it stops the
-- periods after it. Each period of aid is one payment, dedup_key
-- epidemic:<id>:<period number>.
CREATE TABLE epidemic_patients (
	id @ID@,
	person_id BIGINT NOT NULL REFERENCES persons (id),
	household_id BIGINT NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,   -- the household's region (village)
	area TEXT NOT NULL CHECK (area = 'urban' OR area = 'rural'),
	basis TEXT NOT NULL CHECK (basis = 'dibao' OR basis = 'tekun'),
	diagnosed_on TEXT NOT NULL,
	discharged_on TEXT CHECK (discharged_on IS NULL OR discharged_on >= diagnosed_on),
	standard BIGINT NOT NULL CHECK (standard > 0),
	multiple INTEGER NOT NULL CHECK (multiple >= 1),
	note TEXT,
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (person_id, diagnosed_on)
);
CREATE INDEX epidemic_patients_region ON epidemic_patients (region_code);

-- A stage of a temporary case paid by the bank: the payment that pays it.
-- A stage is paid either in cash from the reserve fund (pay_stage: state
-- 'paid') or by the bank (payment_id, its payment not cancelled), never both.
ALTER TABLE temporary_stages ADD COLUMN payment_id BIGINT REFERENCES payments (id);

-- Once only: an epidemic period or a temporary stage is paid by at most one
-- live payment, whatever the code does (re-issues and cancelled batches aside).
CREATE UNIQUE INDEX payments_aid_once ON payments (dedup_key)
	WHERE (kind = 'epidemic' OR kind = 'temporary') AND state <> 'cancelled';
