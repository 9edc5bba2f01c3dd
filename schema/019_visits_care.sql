-- 019_visits_care.sql - visits (走访探视), care agreements (照料服务协议) of
-- dispersed tekun persons and the register of those who want centralised
-- support (集中供养意愿登记) (issue 8; docs/visits.md).
--
-- region_code is the village (12 digits) of the person visited or cared
-- for, copied from the person when the row is written, so that the region
-- range of a principal's scope finds them through the *_region indexes.

-- One visit: who was visited, when, by whom, the checklist, an optional photo
-- (a generated file name under the server's data directory, never a path
-- the client chose) and its follow-up.
CREATE TABLE visits (
	id @ID@,
	person_id BIGINT NOT NULL REFERENCES persons (id),
	household_id BIGINT REFERENCES households (id),
	region_code TEXT NOT NULL,
	visited_on TEXT NOT NULL,
	visitor_id BIGINT REFERENCES users (id),
	health TEXT NOT NULL CHECK (health = 'good' OR health = 'fair' OR health = 'poor'),
	housing_safe INTEGER NOT NULL CHECK (housing_safe BETWEEN 0 AND 1),
	fire_safe INTEGER NOT NULL CHECK (fire_safe BETWEEN 0 AND 1),
	hygiene_ok INTEGER NOT NULL CHECK (hygiene_ok BETWEEN 0 AND 1),
	needs TEXT,
	result TEXT NOT NULL CHECK (result = 'normal' OR result = 'attention' OR result = 'urgent'),
	note TEXT,
	photo_ref TEXT,
	photo_type TEXT CHECK (photo_type IS NULL OR photo_type = 'image/jpeg' OR photo_type = 'image/png'),
	photo_size INTEGER,
	follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up BETWEEN 0 AND 1),
	follow_up_due TEXT,
	follow_up_done_at TEXT,
	follow_up_by BIGINT REFERENCES users (id),
	follow_up_note TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX visits_region ON visits (region_code, visited_on);
CREATE INDEX visits_person ON visits (person_id, visited_on);

-- A care agreement (照料服务协议) of a dispersed tekun person. state:
-- active; needs_replacement (the caregiver cannot serve: unable_reason,
-- unable_since); ended (replaced: replaced_by the new agreement, or ended).
-- An active agreement past term_end is shown as expired. At most one
-- agreement of a person is active or needs replacement.
CREATE TABLE care_agreements (
	id @ID@,
	person_id BIGINT NOT NULL REFERENCES persons (id),
	region_code TEXT NOT NULL,
	caregiver_name TEXT NOT NULL,
	caregiver_phone TEXT,
	caregiver_relation TEXT NOT NULL CHECK (caregiver_relation = 'relative' OR caregiver_relation = 'neighbour' OR caregiver_relation = 'village' OR caregiver_relation = 'organisation' OR caregiver_relation = 'other'),
	term_start TEXT NOT NULL,
	term_end TEXT NOT NULL,
	duties TEXT NOT NULL,
	care_level TEXT NOT NULL CHECK (care_level = 'full' OR care_level = 'partial' OR care_level = 'none'),
	state TEXT NOT NULL DEFAULT 'active' CHECK (state = 'active' OR state = 'needs_replacement' OR state = 'ended' OR state = 'expired'),
	unable_reason TEXT,
	unable_since TEXT,
	replaced_by BIGINT REFERENCES care_agreements (id),
	replaces BIGINT REFERENCES care_agreements (id),
	ended_on TEXT,
	created_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	CHECK (term_end >= term_start)
);
CREATE INDEX care_agreements_region ON care_agreements (region_code, state);
CREATE INDEX care_agreements_person ON care_agreements (person_id);
CREATE UNIQUE INDEX care_agreements_one_current ON care_agreements (person_id)
	WHERE state = 'active' OR state = 'needs_replacement';

-- 集中供养意愿登记: a tekun person who wishes centralised support, until
-- placed in an institution or the wish is withdrawn. A placed person is no
-- longer dispersed (not due for visits as one).
CREATE TABLE centralised_requests (
	id @ID@,
	person_id BIGINT NOT NULL REFERENCES persons (id),
	region_code TEXT NOT NULL,
	requested_on TEXT NOT NULL,
	reason TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'requested' CHECK (state = 'requested' OR state = 'placed' OR state = 'withdrawn'),
	institution TEXT,
	closed_on TEXT,
	close_note TEXT,
	created_by BIGINT REFERENCES users (id),
	closed_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX centralised_requests_region ON centralised_requests (region_code, state);
CREATE INDEX centralised_requests_person ON centralised_requests (person_id, state);
