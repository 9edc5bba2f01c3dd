-- stats_extra.sql - on top of payroll_roll.sql (@N@ households, ids 1..N):
-- a spouse in every dibao household with an even id (so persons differ from
-- households), one application per 100 households decided in 2026-11, and
-- the month's batches exported on 2026-11-20 (on time) except the tekun ones
-- of every third county (late). Portable SQL, explicit ids above N.
INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at)
	SELECT @N@ + h.id, 'S' || (1000000000 + h.id), '配偶' || h.id, '1955-01-01', 'female', h.region_code,
		'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
	FROM households h JOIN decisions d ON d.household_id = h.id WHERE h.id % 2 = 0 AND d.programme = 'dibao';
INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
	SELECT @N@ + p.id - @N@, p.id - @N@, p.id, p.region_code, 'spouse', '2020-01-01', '2026-01-01T00:00:00.000Z'
	FROM persons p WHERE p.id > @N@;
INSERT INTO applications (id, household_id, region_code, programme, kind, state, submitted_at, decided_at,
		closed_at, created_at, updated_at)
	SELECT h.id / 100, h.id, h.region_code, 'dibao', 'review', 'approved',
		'2026-10-' || CASE WHEN h.id % 3 = 0 THEN '08' ELSE '20' END || 'T02:00:00.000Z',
		'2026-11-' || CASE WHEN h.id % 2 = 0 THEN '05' ELSE '25' END || 'T03:00:00.000Z',
		'2026-11-26T03:00:00.000Z', '2026-10-08T02:00:00.000Z', '2026-11-26T03:00:00.000Z'
	FROM households h WHERE h.id % 100 = 0;
