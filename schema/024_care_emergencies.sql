-- 024_care_emergencies.sql - guardianship and care emergencies (监护/照料缺失
-- 应急处置, issue 10 item 3; seed 004 §三(二)-(四); docs/care_emergencies.md):
-- a child whose guardian is hospitalised, quarantined, deceased or detained,
-- or an elderly or severely disabled person whose carer is taken away, is
-- reported (by a child director, a visit, the hotline, a hospital) and must
-- be given temporary care within care_emergency.response_hours.
-- Re-runnable: IF NOT EXISTS throughout.

-- A case. region_code: the person's village (12 digits); the township and
-- county above it see it on their workbench. subject_kind: child, elderly,
-- disabled. person_id: the registered person, when there is one; else
-- subject_name and subject_id_number (stored whole, shown masked; a reveal
-- is audited care_emergency.reveal). reported_by_channel: child_director,
-- visit, hotline (hotline_order_id optional), hospital, other. reason:
-- guardian_hospitalised, guardian_quarantined, guardian_deceased,
-- guardian_detained, carer_unable, other. respond_due: the time stamp (UTC,
-- as store_now) by which care must be arranged (reported_at +
-- care_emergency.response_hours). State: open → care_arranged → closed;
-- arranging again while care_arranged replaces carer and placement. carer_kind:
-- relative, village, institution, other; placement: home, relative_home,
-- institution, hospital, other, with placement_address. Closing needs a
-- carer and a placement and a closure note.
CREATE TABLE IF NOT EXISTS care_emergencies (
	id @ID@,
	region_code TEXT NOT NULL,
	subject_kind TEXT NOT NULL CHECK (subject_kind = 'child' OR subject_kind = 'elderly' OR subject_kind = 'disabled'),
	person_id BIGINT REFERENCES persons (id),
	subject_name TEXT NOT NULL,
	subject_id_number TEXT,
	reported_by_channel TEXT NOT NULL CHECK (reported_by_channel = 'child_director' OR reported_by_channel = 'visit' OR reported_by_channel = 'hotline' OR reported_by_channel = 'hospital' OR reported_by_channel = 'other'),
	hotline_order_id BIGINT REFERENCES hotline_orders (id),
	reason TEXT NOT NULL CHECK (reason = 'guardian_hospitalised' OR reason = 'guardian_quarantined' OR reason = 'guardian_deceased' OR reason = 'guardian_detained' OR reason = 'carer_unable' OR reason = 'other'),
	description TEXT NOT NULL,
	reported_at TEXT NOT NULL,
	respond_due TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'care_arranged' OR state = 'closed'),
	carer_kind TEXT CHECK (carer_kind IS NULL OR carer_kind = 'relative' OR carer_kind = 'village' OR carer_kind = 'institution' OR carer_kind = 'other'),
	carer_name TEXT,
	carer_phone TEXT,
	placement TEXT CHECK (placement IS NULL OR placement = 'home' OR placement = 'relative_home' OR placement = 'institution' OR placement = 'hospital' OR placement = 'other'),
	placement_address TEXT,
	arranged_at TEXT,
	arranged_by BIGINT REFERENCES users (id),
	closure_note TEXT,
	closed_at TEXT,
	closed_by BIGINT REFERENCES users (id),
	reported_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS care_emergencies_region ON care_emergencies (region_code, state);
CREATE INDEX IF NOT EXISTS care_emergencies_person ON care_emergencies (person_id);

-- The visits until the carer returns (走访): the day, who visited, what was found.
CREATE TABLE IF NOT EXISTS care_emergency_visits (
	id @ID@,
	emergency_id BIGINT NOT NULL REFERENCES care_emergencies (id),
	region_code TEXT NOT NULL,
	visit_date TEXT NOT NULL,
	visitor TEXT NOT NULL,
	note TEXT NOT NULL,
	recorded_by BIGINT REFERENCES users (id),
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS care_emergency_visits_case ON care_emergency_visits (emergency_id, id);

-- Every change of a case, in order: report, arrange, visit, close.
CREATE TABLE IF NOT EXISTS care_emergency_events (
	id @ID@,
	emergency_id BIGINT NOT NULL REFERENCES care_emergencies (id),
	region_code TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT,
	to_state TEXT,
	actor_id BIGINT REFERENCES users (id),
	at TEXT NOT NULL,
	note TEXT
);
CREATE INDEX IF NOT EXISTS care_emergency_events_case ON care_emergency_events (emergency_id, id);
