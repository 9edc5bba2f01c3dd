-- payroll_roll.sql - a synthetic roll of @N@ recipient households for the
-- payroll tests and benchmark (issue 6), spread over Chongqing's districts
-- and counties: one head per household with a bank account, one decision in
-- force from 2026-01 per household, and its monthly lines. Every tenth
-- household is a tekun person (basic + care standard), the others dibao
-- households (every seventh of those in gradual exit until 2026-12). Portable
-- SQL (SQLite and PostgreSQL): run on a fresh store after `doudi init`, with
-- @N@ replaced by the number of households. Explicit ids, 1..N.
CREATE TABLE roll_counties AS
	SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM regions WHERE level = 3 AND code LIKE '50%';
CREATE TABLE roll_n AS
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @N@) SELECT i FROM n;
CREATE TABLE roll AS
	SELECT n.i AS i, c.code || '001001' AS region, c.code AS county,
		CASE WHEN n.i % 10 = 0 THEN 'tekun' ELSE 'dibao' END AS programme,
		CASE WHEN n.i % 3 = 0 THEN 'urban' ELSE 'rural' END AS area,
		30000 + (n.i % 97) * 100 AS dibao_amount,
		CASE WHEN n.i % 3 = 0 THEN 5000 WHEN n.i % 3 = 1 THEN 20000 ELSE 30000 END AS care_amount
	FROM roll_n n JOIN roll_counties c ON c.k = n.i % (SELECT count(*) FROM roll_counties);

INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, bank_name, bank_account, created_at, updated_at)
	SELECT i, 'T' || (1000000000 + i), '受助人' || i, '1950-01-01', CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END,
		region, CASE WHEN i % 2 = 0 THEN '中国邮政储蓄银行' ELSE '重庆农村商业银行' END, '6217' || (100000000000 + i),
		'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
	FROM roll;
INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)
	SELECT i, region, 'R' || i, area, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM roll;
INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
	SELECT i, i, i, region, 'head', '2020-01-01', '2026-01-01T00:00:00.000Z' FROM roll;
INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit, effective_from,
		gradual_exit_until, assessed_on, result, trace, params, created_at)
	SELECT i, i, region, programme,
		CASE WHEN programme = 'tekun' THEN 'tekun' WHEN i % 7 = 0 THEN 'dibao_gradual_exit' ELSE 'dibao' END,
		CASE WHEN programme = 'tekun' THEN 100100 + care_amount ELSE dibao_amount END, '2026-01-01',
		CASE WHEN programme = 'dibao' AND i % 7 = 0 THEN '2026-12' ELSE NULL END, '2025-12-15', '{}', '[]', '{}',
		'2025-12-15T00:00:00.000Z'
	FROM roll;
INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component, category,
		amount, created_at)
	SELECT 2 * i - 1, i, i, i, region, programme,
		CASE WHEN programme = 'tekun' THEN 'tekun_basic' WHEN i % 7 = 0 THEN 'gradual_exit' ELSE 'household' END,
		CASE WHEN programme = 'tekun' THEN 'tekun' WHEN area = 'urban' THEN 'dibao_urban' ELSE 'dibao_rural' END,
		CASE WHEN programme = 'tekun' THEN 100100 ELSE dibao_amount END, '2025-12-15T00:00:00.000Z'
	FROM roll;
INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component, category,
		amount, created_at)
	SELECT 2 * i, i, i, i, region, programme, 'tekun_care', 'tekun', care_amount, '2025-12-15T00:00:00.000Z'
	FROM roll WHERE programme = 'tekun';
DROP TABLE roll;
DROP TABLE roll_n;
DROP TABLE roll_counties;
