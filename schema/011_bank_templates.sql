-- 011_bank_templates.sql - the default bank file templates (issue 6), one per
-- paying bank of the demo and test rolls. Kept as data: a county changes them
-- with PUT /api/v1/payroll/bank-templates/{code}; a template already there
-- (same code) is left as it is.
--   columns         [{"title","field"}], field one of seq, name, id_number,
--                   account, amount, programme_name, period, village, memo;
--   header          lines above the column titles, each a list of cells, with
--                   {county_name} {county} {period} {programme_name}
--                   {bank_name} {count} {total} {batch} replaced;
--   return_columns  the titles of the bank's return file columns holding
--                   account, amount, result (成功/失败), reason and bank_ref.
INSERT INTO bank_templates (code, bank_name, format, encoding, columns, header, return_columns, updated_at)
	VALUES ('cqrcb', '重庆农村商业银行', 'csv', 'gb18030',
		'[{"title":"序号","field":"seq"},{"title":"户名","field":"name"},{"title":"身份证号","field":"id_number"},{"title":"银行账号","field":"account"},{"title":"金额（元）","field":"amount"},{"title":"摘要","field":"memo"}]',
		'[["单位名称","{county_name}民政局","发放月份","{period}","笔数","{count}","总金额（元）","{total}"]]',
		'{"account":"银行账号","amount":"金额（元）","result":"处理结果","reason":"失败原因","bank_ref":"银行流水号"}',
		'2026-01-01T00:00:00.000Z')
	ON CONFLICT (code) DO NOTHING;
INSERT INTO bank_templates (code, bank_name, format, encoding, columns, header, return_columns, updated_at)
	VALUES ('psbc', '中国邮政储蓄银行', 'xlsx', 'utf-8',
		'[{"title":"序号","field":"seq"},{"title":"姓名","field":"name"},{"title":"证件号码","field":"id_number"},{"title":"账号","field":"account"},{"title":"金额","field":"amount"},{"title":"项目","field":"programme_name"},{"title":"所属期","field":"period"},{"title":"村（社区）","field":"village"},{"title":"备注","field":"memo"}]',
		'[["{county_name}{programme_name}代发清单"],["发放月份","{period}","笔数","{count}","金额合计","{total}"]]',
		'{"account":"账号","amount":"金额","result":"处理结果","reason":"失败原因","bank_ref":"交易流水号"}',
		'2026-01-01T00:00:00.000Z')
	ON CONFLICT (code) DO NOTHING;
