-- 016_monitor.sql - low-income population monitoring (issue 7; docs/monitor.md):
-- dataset kinds and matching rules as data, the monitoring register of
-- people outside the assistance registry, match runs, and alerts rebuilt with
-- the handling workflow (open → verifying → actioned → closed).
--
-- Not re-runnable on its own (the alerts rebuild): the migration names
-- dataset_kinds, and a store that has it records the migration without
-- running it again.

-- A kind of dataset other departments send (deaths, vehicles …): its columns
-- as JSON (core/match.h: name, type, label, headers, required). A new kind is
-- a row.
CREATE TABLE dataset_kinds (
	id @ID@,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	department TEXT NOT NULL,
	columns TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- A rule: records of dataset_kind, for a population (monitored: a person of
-- the monitored population in one of programmes; uncovered: a person outside
-- it, a lead for the record's region; duplicate: a monitored person whom the
-- record shows in another county), an optional window (date_field within
-- window_months before the run's date) and a condition on field (op, value).
-- A hit raises an alert of alert_kind, due deadline_days working days later.
CREATE TABLE monitor_rules (
	id @ID@,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	dataset_kind TEXT NOT NULL REFERENCES dataset_kinds (code),
	population TEXT NOT NULL CHECK (population = 'monitored' OR population = 'uncovered' OR population = 'duplicate'),
	programmes TEXT,  -- comma-separated programme codes; NULL: all
	field TEXT,       -- NULL: the ID number column
	op TEXT NOT NULL DEFAULT 'present' CHECK (op = 'present' OR op = 'gt' OR op = 'ge' OR op = 'lt' OR op = 'le' OR op = 'eq' OR op = 'ne' OR op = 'sum_gt'),
	value TEXT,
	date_field TEXT,
	window_months INTEGER,
	region_field TEXT,
	alert_kind TEXT NOT NULL,
	severity TEXT NOT NULL CHECK (severity = 'low' OR severity = 'normal' OR severity = 'high'),
	deadline_days INTEGER NOT NULL CHECK (deadline_days BETWEEN 1 AND 60),
	enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled BETWEEN 0 AND 1),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- The monitoring register (低收入人口库) beyond the assistance registry:
-- people at risk of falling back into poverty, households in hardship from
-- rigid expenditure, other low-income people, entered by visits, reports or
-- imported; dibao, tekun and marginal recipients come from the decisions in
-- force and need no row here. until: no longer monitored from that day.
CREATE TABLE monitored_persons (
	id @ID@,
	id_number TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	region_code TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category = 'dibao' OR category = 'tekun' OR category = 'marginal' OR category = 'rural_monitoring' OR category = 'hardship' OR category = 'other'),
	since TEXT NOT NULL,
	until TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX monitored_persons_region ON monitored_persons (region_code);

-- One dataset file matched: what it held and what it raised.
CREATE TABLE match_runs (
	id @ID@,
	dataset_kind TEXT NOT NULL,
	file_name TEXT NOT NULL,
	as_of TEXT NOT NULL,
	rows INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	matched INTEGER NOT NULL DEFAULT 0,
	alerts_created INTEGER NOT NULL DEFAULT 0,
	leads_created INTEGER NOT NULL DEFAULT 0,
	population INTEGER NOT NULL DEFAULT 0,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	actor TEXT NOT NULL
);

-- Alerts, rebuilt: the states of the handling workflow and the action taken.
-- region_code is the township (9 digits) or county (6) the alert is assigned to;
-- person_id/household_id when the person is in the registry; id_number and
-- name for every alert (a lead's person is not in the registry), shown
-- masked. lead: a proactive-discovery lead (主动发现). dedup_key: rule, person
-- and the fact (the record's date or key values): the same fact never raises
-- a second alert.
CREATE TABLE alerts_016 (
	id @ID@,
	kind TEXT NOT NULL,
	rule_code TEXT,
	source TEXT NOT NULL,
	region_code TEXT NOT NULL,
	person_id BIGINT REFERENCES persons (id),
	household_id BIGINT REFERENCES households (id),
	id_number TEXT,
	name TEXT,
	lead INTEGER NOT NULL DEFAULT 0 CHECK (lead BETWEEN 0 AND 1),
	severity TEXT NOT NULL DEFAULT 'normal' CHECK (severity = 'low' OR severity = 'normal' OR severity = 'high'),
	state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'verifying' OR state = 'actioned' OR state = 'closed'),
	action TEXT CHECK (action IS NULL OR action = 'review' OR action = 'suspend' OR action = 'temporary' OR action = 'none'),
	action_note TEXT,
	detail TEXT,
	dedup_key TEXT UNIQUE,
	run_id BIGINT REFERENCES match_runs (id),
	raised_at TEXT NOT NULL,
	due_date TEXT,
	assigned_to BIGINT REFERENCES users (id),
	handled_by BIGINT REFERENCES users (id),
	closed_at TEXT,
	result TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO alerts_016 (id, kind, source, region_code, person_id, household_id, severity, state, detail, dedup_key,
		raised_at, due_date, assigned_to, closed_at, result, created_at, updated_at, version)
	SELECT id, kind, source, region_code, person_id, household_id, severity,
		CASE WHEN state = 'closed' THEN 'closed' WHEN state = 'open' THEN 'open' ELSE 'verifying' END,
		detail, dedup_key, raised_at, due_date, assigned_to, closed_at, result, created_at, updated_at, version
	FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_016 RENAME TO alerts;
CREATE INDEX alerts_region ON alerts (region_code, state);
CREATE INDEX alerts_person ON alerts (person_id);
CREATE INDEX alerts_household ON alerts (household_id);
CREATE INDEX alerts_due ON alerts (state, due_date);

-- The kinds the notices name (DOMAIN.md §B), with the headers departments use.
INSERT INTO dataset_kinds (code, name, department, columns, created_at, updated_at) VALUES
('deaths', '死亡人员信息', '公安、卫生健康、民政（殡葬）',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["公民身份号码","证件号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"death_date","type":"date","label":"死亡日期","required":true},{"name":"source_unit","type":"text","label":"登记单位"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('social_insurance', '社会保险参保与就业信息', '人力资源和社会保障',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["公民身份号码","证件号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"employer","type":"text","label":"参保单位"},{"name":"monthly_wage","type":"money","label":"月缴费工资","required":true},{"name":"start_date","type":"date","label":"参保日期"},{"name":"end_date","type":"date","label":"停保日期"},{"name":"region_code","type":"region","label":"参保地区划代码"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('vehicles', '机动车登记信息', '公安（交通管理）',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["车主身份证号码","所有人证件号码"]},{"name":"name","type":"text","label":"车主姓名"},{"name":"plate","type":"text","label":"号牌号码","required":true},{"name":"vehicle_type","type":"text","label":"车辆类型","required":true},{"name":"value","type":"money","label":"车辆价值"},{"name":"registered_on","type":"date","label":"登记日期"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('real_estate', '不动产登记信息', '自然资源（不动产登记）、住房城乡建设',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["权利人证件号码"]},{"name":"name","type":"text","label":"权利人"},{"name":"certificate_no","type":"text","label":"不动产权证号","required":true},{"name":"floor_area","type":"int","label":"建筑面积"},{"name":"registered_on","type":"date","label":"登记日期"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('business', '市场主体登记信息', '市场监督管理',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["投资人证件号码","法定代表人证件号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"credit_code","type":"text","label":"统一社会信用代码","required":true},{"name":"company","type":"text","label":"企业名称"},{"name":"role","type":"text","label":"身份"},{"name":"capital","type":"money","label":"认缴出资额"},{"name":"registered_on","type":"date","label":"成立日期"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('medical', '医疗费用结算信息', '医疗保障',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["参保人身份证号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"settled_on","type":"date","label":"结算日期","required":true},{"name":"total","type":"money","label":"医疗总费用"},{"name":"out_of_pocket","type":"money","label":"个人自付费用","required":true},{"name":"region_code","type":"region","label":"参保地区划代码"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('school', '在校学生信息', '教育',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["学生身份证号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"school","type":"text","label":"学校"},{"name":"stage","type":"text","label":"学段"},{"name":"enrolled_on","type":"date","label":"入学日期"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('rural_monitoring', '防止返贫监测对象', '乡村振兴（农业农村）',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["证件号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"category","type":"text","label":"监测对象类别"},{"name":"identified_on","type":"date","label":"识别日期"},{"name":"region_code","type":"region","label":"所在地区划代码","required":true}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('staff_relatives', '干部职工近亲属备案', '民政（纪检监察）',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["近亲属身份证号码"]},{"name":"name","type":"text","label":"近亲属姓名"},{"name":"staff_name","type":"text","label":"干部职工姓名"},{"name":"relation","type":"text","label":"关系"},{"name":"unit","type":"text","label":"工作单位"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('hukou_moves', '户籍迁移信息', '公安（户政）',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["公民身份号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"to_region","type":"region","label":"迁入地区划代码","required":true},{"name":"moved_on","type":"date","label":"迁移日期","required":true}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('assistance_roll', '其他区县救助对象名册', '民政（各区县）',
 '[{"name":"id_number","type":"id","label":"身份证号码","headers":["公民身份号码"]},{"name":"name","type":"text","label":"姓名"},{"name":"region_code","type":"region","label":"区划代码","required":true},{"name":"programme","type":"text","label":"救助类别"}]',
 '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z');

-- The default rules (thresholds are the county's to change: rows, not code).
INSERT INTO monitor_rules (code, name, dataset_kind, population, programmes, field, op, value, date_field,
		window_months, region_field, alert_kind, severity, deadline_days, created_at, updated_at) VALUES
('death', '救助对象死亡', 'deaths', 'monitored', NULL, 'death_date', 'present', NULL, NULL, NULL, NULL,
 'death', 'high', 5, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('vehicle', '救助对象名下有机动车', 'vehicles', 'monitored', 'dibao,tekun,marginal', 'vehicle_type', 'ne',
 '残疾人专用车', NULL, NULL, NULL, 'vehicle', 'normal', 10, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('business', '救助对象登记市场主体', 'business', 'monitored', 'dibao,tekun,marginal', 'credit_code', 'present', NULL,
 NULL, NULL, NULL, 'business', 'normal', 10, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('employment', '救助对象就业参保（月工资超过 2000 元）', 'social_insurance', 'monitored', 'dibao,tekun,marginal',
 'monthly_wage', 'gt', '2000.00', NULL, NULL, NULL, 'employment', 'normal', 10, '2026-11-23T00:00:00.000Z',
 '2026-11-23T00:00:00.000Z'),
('real_estate', '救助对象新增不动产', 'real_estate', 'monitored', 'dibao,tekun,marginal', 'certificate_no', 'present',
 NULL, 'registered_on', 12, NULL, 'real_estate', 'low', 15, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('staff_relative', '救助对象为干部职工近亲属', 'staff_relatives', 'monitored', 'dibao,tekun,marginal', NULL, 'present',
 NULL, NULL, NULL, NULL, 'staff_relative', 'high', 5, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('medical_expense', '监测对象 12 个月内自付医疗费用超过 2 万元', 'medical', 'monitored', NULL, 'out_of_pocket', 'sum_gt',
 '20000.00', 'settled_on', 12, NULL, 'medical_expense', 'normal', 5, '2026-11-23T00:00:00.000Z',
 '2026-11-23T00:00:00.000Z'),
('education', '救助家庭子女新入学（落实教育救助）', 'school', 'monitored', 'dibao,tekun,marginal', 'enrolled_on', 'present',
 NULL, 'enrolled_on', 12, NULL, 'school_enrolment', 'low', 15, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('moved_out', '救助对象户籍迁出本区县', 'hukou_moves', 'duplicate', NULL, 'to_region', 'present', NULL, NULL, NULL,
 'to_region', 'moved_out', 'low', 15, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('cross_county', '同一人在两个区县同时享受救助', 'assistance_roll', 'duplicate', NULL, 'region_code', 'present', NULL,
 NULL, NULL, 'region_code', 'cross_county', 'high', 5, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('lead_medical', '未纳入保障人员 12 个月内自付医疗费用超过 5 万元', 'medical', 'uncovered', NULL, 'out_of_pocket',
 'sum_gt', '50000.00', 'settled_on', 12, 'region_code', 'medical_hardship', 'high', 5, '2026-11-23T00:00:00.000Z',
 '2026-11-23T00:00:00.000Z'),
('lead_rural', '防止返贫监测对象未纳入低收入人口', 'rural_monitoring', 'uncovered', NULL, NULL, 'present', NULL, NULL,
 NULL, 'region_code', 'rural_monitoring', 'normal', 10, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
('lead_income_loss', '未纳入保障人员近 3 个月停保失业', 'social_insurance', 'uncovered', NULL, 'end_date', 'present',
 NULL, 'end_date', 3, 'region_code', 'income_loss', 'normal', 10, '2026-11-23T00:00:00.000Z',
 '2026-11-23T00:00:00.000Z');
