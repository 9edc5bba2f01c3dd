-- match_rules.sql - the joins `doudi match` makes with the default rules
-- (schema/016_monitor.sql), as plain SQL over tables loaded from the same CSV
-- files (bench/match.sh: DuckDB and PostgreSQL). Each query returns the rule
-- and the number of hits (records for per-record rules, people for sums), so
-- the three engines' answers are compared as well as their times. pop is the
-- monitored population (id, region, category); as of 2026-11-01.
SELECT 'death' AS rule, count(*) AS hits FROM deaths d JOIN pop p ON p.id = d."公民身份号码"
	WHERE d."死亡日期" <> '';
SELECT 'vehicle', count(*) FROM vehicles d JOIN pop p ON p.id = d."车主身份证号码"
	WHERE p.category IN ('dibao', 'tekun', 'marginal') AND d."车辆类型" <> '残疾人专用车';
SELECT 'business', count(*) FROM business d JOIN pop p ON p.id = d."身份证号码"
	WHERE p.category IN ('dibao', 'tekun', 'marginal') AND d."统一社会信用代码" <> '';
SELECT 'employment', count(*) FROM social_insurance d JOIN pop p ON p.id = d."身份证号码"
	WHERE p.category IN ('dibao', 'tekun', 'marginal') AND CAST(d."月缴费工资" AS DECIMAL(18, 2)) > 2000;
SELECT 'real_estate', count(*) FROM real_estate d JOIN pop p ON p.id = d."权利人证件号码"
	WHERE p.category IN ('dibao', 'tekun', 'marginal') AND CAST(d."登记日期" AS DATE) > DATE '2025-11-01'
	AND CAST(d."登记日期" AS DATE) <= DATE '2026-11-01';
SELECT 'staff_relative', count(*) FROM staff_relatives d JOIN pop p ON p.id = d."近亲属身份证号码"
	WHERE p.category IN ('dibao', 'tekun', 'marginal');
SELECT 'medical_expense', count(*) FROM (SELECT d."参保人身份证号码" FROM medical d JOIN pop p ON p.id = d."参保人身份证号码"
	WHERE CAST(d."结算日期" AS DATE) > DATE '2025-11-01' AND CAST(d."结算日期" AS DATE) <= DATE '2026-11-01'
	GROUP BY d."参保人身份证号码" HAVING sum(CAST(d."个人自付费用" AS DECIMAL(18, 2))) > 20000) x;
SELECT 'lead_medical', count(*) FROM (SELECT d."参保人身份证号码" FROM medical d LEFT JOIN pop p ON p.id = d."参保人身份证号码"
	WHERE p.id IS NULL AND CAST(d."结算日期" AS DATE) > DATE '2025-11-01' AND CAST(d."结算日期" AS DATE) <= DATE '2026-11-01'
	GROUP BY d."参保人身份证号码" HAVING sum(CAST(d."个人自付费用" AS DECIMAL(18, 2))) > 50000) x;
SELECT 'lead_income_loss', count(*) FROM social_insurance d LEFT JOIN pop p ON p.id = d."身份证号码"
	WHERE p.id IS NULL AND d."停保日期" <> '' AND CAST(d."停保日期" AS DATE) > DATE '2026-08-01'
	AND CAST(d."停保日期" AS DATE) <= DATE '2026-11-01';
SELECT 'lead_rural', count(*) FROM rural_monitoring d LEFT JOIN pop p ON p.id = d."证件号码" WHERE p.id IS NULL;
SELECT 'moved_out', count(*) FROM hukou_moves d JOIN pop p ON p.id = d."公民身份号码"
	WHERE substr(d."迁入地区划代码", 1, 6) <> substr(p.region, 1, 6);
SELECT 'education', count(*) FROM school d JOIN pop p ON p.id = d."学生身份证号码"
	WHERE p.category IN ('dibao', 'tekun', 'marginal') AND CAST(d."入学日期" AS DATE) > DATE '2025-11-01'
	AND CAST(d."入学日期" AS DATE) <= DATE '2026-11-01';
