// 家庭经济状况核对 (issue 9) in the browser. Set up through the API from node
// (the UI keeps its CSRF token in memory only): a household of three (head
// declaring a wage of 800 a month, spouse, a child), an application, both
// adults' authorisations and a verification asking the tax office and the
// bank. Then as the township officer: the case page shows both adults
// authorised and the verification; on the verification's page the tax
// office's answer file (one row for a stranger) is imported through the
// upload button and its rejected row shown; the bank answers through the
// API; the report marks the verified wage 不一致; adopting it shows the
// assessment after adoption; the menu's list shows it 已采用.
// A batch of a second township: started from the list, its request files,
// an answer file for the whole batch. 登记授权书 and 发起核对 on a case page;
// an overdue request re-sent from 逾期未回复.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DOUDI, call, login, sql } from '../api/lib.mjs';
import { PASSWORD, SHOTS, assertClean, createUser, loginAs, openPage, screenshot, startUi } from './lib.mjs';

const DETERMINATIONS = {
	dibao: '最低生活保障',
	dibao_gradual_exit: '低保渐退',
	marginal: '低保边缘家庭',
	none: '不符合条件',
	single_person: '单人保',
	tekun: '特困人员救助供养',
};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}
const HEAD = idnum('50015419700101031');
const SPOUSE = idnum('50015419720202042');
const CHILD = idnum('50015420180303053');
const STRANGER = idnum('50015419800404064');

let ctx, tmp, township, s;
const st = {};

const post = (p, body) => call(ctx.api, 'POST', p, { body, cookie: s.cookie, csrf: s.csrf });
const get = (p) => call(ctx.api, 'GET', p, { cookie: s.cookie });

before(async () => {
	ctx = await startUi({ households: 0 });
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-ui-verify-'));
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`HC-UI-1,500154001001,rural,${HEAD},钱户主,head,full,800.00\r\n` +
		`HC-UI-1,500154001001,rural,${SPOUSE},钱配偶,spouse,full,\r\n` +
		`HC-UI-1,500154001001,rural,${CHILD},钱小,child,none,\r\n`;
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', ctx.db.target, file], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	st.household = Number(sql(ctx.db.target, "SELECT id FROM households WHERE household_no = 'HC-UI-1'"));
	const persons = Object.fromEntries(
		sql(ctx.db.target, `SELECT id_number || '=' || id FROM persons`)
			.split('\n')
			.map((l) => l.split('='))
			.map(([k, v]) => [k, Number(v)]),
	);
	township = await createUser(ctx.api, 'township', '500154001', '钱经办');
	s = await login(ctx.api, township.username, PASSWORD);
	let a = await post('/api/v1/applications', { household_id: st.household, programme: 'dibao', commitment: true });
	assert.equal(a.status, 201, JSON.stringify(a.body));
	st.app = a.body.id;
	a = await post(`/api/v1/households/${st.household}/authorisations`, {
		person_ids: [persons[HEAD], persons[SPOUSE]],
		method: 'paper',
		scope: 'all',
		signed_on: '2026-01-05',
		valid_until: '2099-12-31',
		document: 'SQ-UI-0001',
		application_id: st.app,
	});
	assert.equal(a.status, 201, JSON.stringify(a.body));
	assert.equal(a.body.complete, true);
	a = await post('/api/v1/verifications', { application_id: st.app, sources: ['tax', 'bank'] });
	assert.equal(a.status, 201, JSON.stringify(a.body));
	st.v = a.body;
	st.req = Object.fromEntries(a.body.requests.map((q) => [q.source, q]));
});

after(async () => {
	if (ctx) await ctx.stop();
	if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the case page: both adults authorised, the verification listed and linked', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/cases/${st.app}`);
	const card = page.locator('[data-test=verification-card]');
	await card.locator('[data-test=auth-complete]', { hasText: '成年成员均已授权' }).waitFor();
	const adults = card.locator('[data-test=adults] .el-table__body tr');
	assert.equal(await adults.count(), 2, 'the child of eight signs nothing');
	assert.match(await adults.nth(0).innerText(), /钱户主[\s\S]*户主[\s\S]*已授权/);
	assert.match(await adults.nth(1).innerText(), /钱配偶[\s\S]*配偶[\s\S]*已授权/);
	// an open verification: no second one
	assert.equal(await card.locator('[data-test=verification-start]').isDisabled(), true);
	const link = card.locator('[data-test=case-verifications] [data-test=verification-link]');
	assert.equal(await link.innerText(), String(st.v.id));
	assert.match(await card.locator('[data-test=case-verifications]').innerText(), /核对中[\s\S]*0 \/ 2/);
	await screenshot(page, 'verification-case-card');
	await link.click();
	await page.waitForURL(new RegExp(`/verifications/${st.v.id}$`));
	await page.locator('[data-test=state]', { hasText: '核对中' }).waitFor();
	assertClean(page);
	await page.closeAll();
});

test('an answer file through the page, the report with the wage marked 不一致, adopted', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/verifications/${st.v.id}`);
	const reqs = page.locator('[data-test=requests] .el-table__body tr');
	await reqs.nth(1).waitFor();
	assert.equal(await reqs.count(), 2);
	assert.match(await page.locator('[data-test=requests]').innerText(), /纳税记录[\s\S]*税务部门[\s\S]*待回复/);
	// the report waits for the answers
	assert.equal(await page.locator('[data-test=build-report]').isDisabled(), true);

	// the tax office's file: the head's yearly wage, and a row for someone not asked about
	const file = path.join(tmp, 'tax-answer.csv');
	writeFileSync(
		file,
		'请求编号,身份证号,姓名,核对项目,金额,周期,备注\r\n' +
			`${st.req.tax.request_no},${HEAD},钱户主,工资性收入,18000.00,年,个税申报\r\n` +
			`${st.req.tax.request_no},${STRANGER},某人,工资性收入,5000.00,年,\r\n`,
	);
	const chooser = page.waitForEvent('filechooser');
	await page.locator('[data-test=upload-tax]').click();
	await (await chooser).setFiles(file);
	const summary = page.locator('[data-test=answer-summary]');
	await summary.waitFor();
	assert.equal(await summary.locator('[data-test=rejected]').innerText(), '1');
	const rejects = summary.locator('[data-test=rejects] .el-table__body tr');
	assert.equal(await rejects.count(), 1);
	assert.match(await rejects.nth(0).innerText(), /第 3 行[\s\S]*身份证号[\s\S]*不在本次核对请求的对象中/);
	await page.locator('[data-test=requests] [data-test=request-state]', { hasText: '已回复' }).waitFor();
	await page.locator('[data-test=findings]', { hasText: '钱户主' }).waitFor();
	assert.match(await page.locator('[data-test=findings]').innerText(), /纳税记录[\s\S]*钱户主[\s\S]*500154\*+\d{3}[\dX][\s\S]*工资性收入[\s\S]*18,000\.00 元[\s\S]*年/);
	assert.doesNotMatch(await page.locator('.main').innerText(), new RegExp(HEAD), 'ID numbers masked');
	await screenshot(page, 'verification-answer-file');

	// the bank answers through the API
	const r = await post(`/api/v1/verification-requests/${st.req.bank.id}/answer`, {
		findings: [{ id_number: SPOUSE, item: 'financial', amount: '50000.00', note: '定期存款' }],
	});
	assert.equal(r.status, 200, JSON.stringify(r.body));
	await page.reload();
	await page.locator('[data-test=requests] [data-test=request-state]', { hasText: '待回复' }).waitFor({ state: 'detached' });
	await page.locator('[data-test=build-report]:not([disabled])').waitFor();
	await page.locator('[data-test=build-report]').click();
	const report = page.locator('[data-test=report]');
	await report.waitFor();
	await page.locator('[data-test=state]', { hasText: '已出报告' }).waitFor();
	const wage = report.locator('[data-test=report-incomes] .el-table__body tr', { hasText: '工资性收入' });
	assert.match(await wage.innerText(), /钱户主[\s\S]*800\.00 元[\s\S]*1,500\.00 元[\s\S]*700\.00 元[\s\S]*纳税记录[\s\S]*不一致/);
	assert.match(await wage.getAttribute('class'), /differs-row/);
	const fin = report.locator('[data-test=report-assets] .el-table__body tr', { hasText: '金融资产' });
	assert.match(await fin.innerText(), /0\.00 元[\s\S]*50,000\.00 元[\s\S]*存款[\s\S]*不一致/);
	assert.match(await report.locator('[data-test=differences]').innerText(), /不一致 2 项/);
	assert.equal(await report.locator('[data-test=assessment-after]').innerText(), '尚未采用');
	const v1 = (await get(`/api/v1/verifications/${st.v.id}`)).body;
	assert.equal(await report.locator('[data-test=assessment-before]').innerText(), DETERMINATIONS[v1.report.assessment_before.determination]);
	assert.equal(await report.locator('[data-test=report-html]').getAttribute('href'), `/api/v1/verifications/${st.v.id}/report.html`);
	assert.equal(await report.locator('[data-test=report-xlsx]').getAttribute('href'), `/api/v1/verifications/${st.v.id}/report.xlsx`);
	await screenshot(page, 'verification-report');

	await page.locator('[data-test=adopt]').click();
	await page.getByRole('button', { name: '确认采用' }).click();
	await page.locator('[data-test=state]', { hasText: '已采用' }).waitFor();
	const v2 = (await get(`/api/v1/verifications/${st.v.id}`)).body;
	assert.equal(v2.state, 'adopted');
	const want = v2.report.assessment_after;
	assert.ok(want && want.determination, JSON.stringify(want));
	await report.locator('[data-test=assessment-after]', { hasText: DETERMINATIONS[want.determination] }).waitFor();
	assert.match(await report.locator('[data-test=benefit-after]').innerText(), /元$/);
	assert.equal(await page.locator('[data-test=adopt], [data-test=build-report]').count(), 0);
	assert.equal(sql(ctx.db.target, `SELECT amount FROM incomes WHERE type = 'wage' AND source = 'verified' AND to_month IS NULL`), '150000');
	await screenshot(page, 'verification-adopted');
	await report.screenshot({ path: path.join(SHOTS, 'verification-report-adopted.png') });
	assertClean(page);
	await page.closeAll();
});

test('the menu: the list shows it adopted with its household and case; the overdue list is empty', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '家庭经济状况核对' }).click();
	await page.waitForURL(/\/verifications$/);
	await page.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	const row = page.locator('[data-test=verifications] .el-table__body tr').first();
	assert.match(await row.innerText(), new RegExp(`${st.v.id}[\\s\\S]*HC-UI-1[\\s\\S]*${st.app}[\\s\\S]*已采用[\\s\\S]*2 / 2`));
	await page.locator('[data-test=overdue-filter]').click();
	await page.waitForURL(/overdue=1/);
	await page.locator('[data-test=total]', { hasText: '共 0 条' }).waitFor();
	await page.getByRole('tab', { name: '逾期未回复' }).click();
	await page.getByText('暂无逾期未回复的核对请求').waitFor();
	await screenshot(page, 'verification-list');
	assertClean(page);
	await page.closeAll();
});

// 批量核对: a second township with two households due for review, one of
// them without authorisations (skipped); the batch started from the list
// page's tab, its request files linked, the tax office's answer file for
// the whole batch imported through the page with its rejected row.
test('a batch verification: started from the list, a household skipped, an answer file for the batch', async () => {
	const B1 = idnum('50015419650505071');
	const B1S = idnum('50015419660606082');
	const B2 = idnum('50015419670707093');
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`HB-1,500154002001,rural,${B1},孙户主,head,full,600.00\r\n` +
		`HB-1,500154002001,rural,${B1S},孙配偶,spouse,full,\r\n` +
		`HB-2,500154002001,rural,${B2},李户主,head,full,\r\n`;
	const file = path.join(tmp, 'households-b.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', ctx.db.target, file], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	const T = new Date().toISOString();
	const hh = {};
	for (const no of ['HB-1', 'HB-2']) {
		hh[no] = Number(sql(ctx.db.target, `SELECT id FROM households WHERE household_no = '${no}'`));
		sql(
			ctx.db.target,
			`INSERT INTO applications (household_id, region_code, programme, kind, state, created_at, updated_at)
			 VALUES (${hh[no]}, '500154002001', 'dibao', 'review', 'accepted', '${T}', '${T}')`,
		);
	}
	const town2 = await createUser(ctx.api, 'township', '500154002', '孙经办');
	const s2 = await login(ctx.api, town2.username, PASSWORD);
	const ids = sql(ctx.db.target, `SELECT p.id FROM persons p JOIN memberships m ON m.person_id = p.id WHERE m.household_id = ${hh['HB-1']}`)
		.split('\n')
		.map(Number);
	const a = await call(ctx.api, 'POST', `/api/v1/households/${hh['HB-1']}/authorisations`, {
		body: { person_ids: ids, method: 'online', signed_on: '2026-01-05', valid_until: '2099-12-31' },
		cookie: s2.cookie,
		csrf: s2.csrf,
	});
	assert.equal(a.status, 201, JSON.stringify(a.body));

	const page = await openPage(ctx);
	await loginAs(page, ctx, town2);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/verifications`);
	await page.getByRole('tab', { name: '批量核对' }).click();
	assert.equal(await page.locator('input[name=batch_region]').inputValue(), '500154002', 'the officer\'s township');
	await page.locator('[data-test=batch-create]').click();
	await page.waitForURL(/\/verification-batches\/\d+$/);
	const batchId = Number(page.url().split('/').pop());
	await page.locator('[data-test=households]', { hasText: '1 户' }).waitFor();
	assert.equal(await page.locator('[data-test=skipped]').innerText(), '1 户');
	const skipped = page.locator('[data-test=skipped-list] .el-table__body tr');
	assert.equal(await skipped.count(), 1);
	assert.match(await skipped.nth(0).innerText(), new RegExp(`${hh['HB-2']}[\\s\\S]*授权`));
	const sources = page.locator('[data-test=batch-sources] .el-table__body tr');
	assert.equal(await sources.count(), 7, 'every active source');
	const tax = sources.filter({ hasText: '纳税记录' });
	assert.match(await tax.innerText(), /纳税记录[\s\S]*1 \/ 0/);
	const href = await tax.locator('[data-test=request-csv-tax]').getAttribute('href');
	assert.equal(href, `/api/v1/verification-batches/${batchId}/request-file?source=tax&format=csv`);
	assert.match(await tax.locator('[data-test=request-xlsx-tax]').getAttribute('href'), /format=xlsx$/);
	const dl = await fetch(ctx.api + href, { headers: { cookie: s2.cookie } });
	assert.equal(dl.status, 200);
	assert.match(await dl.text(), new RegExp(B1S));

	const answer = path.join(tmp, 'batch-tax.csv');
	writeFileSync(
		answer,
		'身份证号,姓名,核对项目,金额,周期\r\n' + `${B1},孙户主,工资性收入,12000.00,年\r\n` + `${B2},李户主,工资性收入,3000.00,年\r\n`,
	);
	const chooser = page.waitForEvent('filechooser');
	await tax.locator('[data-test=answers-tax]').click();
	await (await chooser).setFiles(answer);
	const summary = page.locator('[data-test=answer-summary]');
	await summary.waitFor();
	assert.match(await summary.innerText(), /数据行\s*2[\s\S]*匹配\s*1[\s\S]*拒收\s*1/);
	assert.match(await summary.locator('[data-test=rejects] .el-table__body tr').nth(0).innerText(), /第 3 行[\s\S]*身份证号/);
	await page.locator('[data-test=batch-sources] .el-table__body tr', { hasText: '纳税记录' }).filter({ hasText: '1 / 1' }).waitFor();
	await screenshot(page, 'verification-batch');
	await page.locator('[data-test=batch-list-link]').click();
	await page.waitForURL(new RegExp(`/verifications\\?batch=${batchId}$`));
	await page.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	assert.match(await page.locator('[data-test=verifications] .el-table__body tr').first().innerText(), /HB-1[\s\S]*核对中/);
	// the batch tab lists it and opens it again
	await page.goto(`${ctx.url}/verifications`);
	await page.getByRole('tab', { name: '批量核对' }).click();
	const row = page.locator('[data-test=batches] .el-table__body tr').first();
	await row.waitFor();
	assert.match(await row.innerText(), new RegExp(`^${batchId}[\\s\\S]*\\b1\\b[\\s\\S]*\\b1\\b`));
	await row.getByRole('link', { name: String(batchId) }).click();
	await page.waitForURL(new RegExp(`/verification-batches/${batchId}$`));
	assertClean(page);
	await page.closeAll();
});

// 登记授权书 on the case page: a household without authorisations cannot be
// verified (the hint names who has not signed); a paper authorisation needs
// its document number; once both adults have signed, 发起核对 opens the new
// verification with a request to every source. A request past its deadline
// is marked on the page and listed under 逾期未回复, and 重发 gives it a new one.
test('the case page: 登记授权书 for both adults, then 发起核对', async () => {
	const H = idnum('50015419750808011');
	const W = idnum('50015419760909022');
	const file = path.join(tmp, 'households-c.csv');
	writeFileSync(
		file,
		'household_no,region,area,id,name,relation,labor_capacity\r\n' +
			`HC-UI-3,500154001002,rural,${H},周户主,head,full\r\n` +
			`HC-UI-3,500154001002,rural,${W},周配偶,spouse,full\r\n`,
	);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', ctx.db.target, file], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	const hid = Number(sql(ctx.db.target, "SELECT id FROM households WHERE household_no = 'HC-UI-3'"));
	const a = await post('/api/v1/applications', { household_id: hid, programme: 'dibao', commitment: true });
	assert.equal(a.status, 201, JSON.stringify(a.body));

	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/cases/${a.body.id}`);
	const card = page.locator('[data-test=verification-card]');
	await card.locator('[data-test=auth-complete]', { hasText: '尚有 2 名成年成员未授权' }).waitFor();
	assert.equal(await card.locator('[data-test=verification-start]').isDisabled(), true);
	assert.match(await card.locator('[data-test=start-hint]').innerText(), /周户主、周配偶/);
	assert.equal(await card.locator('[data-test=authorised]', { hasText: '未授权' }).count(), 2);

	await card.locator('[data-test=authorise-open]').click();
	const dlg = page.locator('[data-test=authorise-dialog]');
	await dlg.getByText('周户主（户主）').waitFor();
	// both adults are ticked; paper is the default and needs the scan's number
	await page.locator('[data-test=auth-save]').click();
	await dlg.locator('[data-test=auth-error]', { hasText: '授权书编号' }).waitFor();
	await dlg.locator('input[name=document]').fill('SQ-UI-0003');
	await screenshot(page, 'verification-authorise');
	await page.locator('[data-test=auth-save]').click();
	await card.locator('[data-test=auth-complete]', { hasText: '成年成员均已授权' }).waitFor();
	assert.equal(await card.locator('[data-test=authorised]', { hasText: '已授权' }).count(), 2);
	await card.locator('[data-test=auth-records]').waitFor({ state: 'attached' });
	await card.locator('[data-test=verification-start]:not([disabled])').click();
	await page.waitForURL(/\/verifications\/\d+$/);
	await page.locator('[data-test=state]', { hasText: '核对中' }).waitFor();
	const n = Number(sql(ctx.db.target, 'SELECT count(*) FROM verification_sources WHERE active = 1'));
	await page.locator('[data-test=requests] .el-table__body tr').nth(n - 1).waitFor();
	assert.equal(await page.locator('[data-test=requests] .el-table__body tr').count(), n);
	assert.equal(await page.locator('[data-test=requests] [data-test=overdue]').count(), 0);

	// the bank has not answered in time: overdue on the page and in the list's 逾期未回复, re-sent from there
	const vid = Number(page.url().split('/').pop());
	sql(ctx.db.target, `UPDATE verification_requests SET due_date = '2026-01-10' WHERE verification_id = ${vid} AND source_code = 'bank'`);
	await page.reload();
	const bank = page.locator('[data-test=requests] .el-table__body tr', { hasText: '银行业金融机构' });
	await bank.locator('[data-test=overdue]', { hasText: '逾期' }).waitFor();
	// the workbench shows it, and its link opens the list's 逾期未回复
	await page.goto(`${ctx.url}/workbench`);
	const wb = page.locator('[data-test=verification]');
	await wb.locator('[data-test=verification-table] .el-table__body tr', { hasText: '存款' }).waitFor();
	assert.equal(await wb.locator('[data-test=verification-overdue-link]').innerText(), '1');
	await wb.locator('[data-test=verification-overdue-link]').click();
	await page.waitForURL(/\/verifications\?tab=overdue/);
	await page.getByRole('tab', { name: '逾期未回复（1）' }).click();
	const late = page.locator('[data-test=overdue-requests] .el-table__body tr');
	assert.match(await late.nth(0).innerText(), new RegExp(`存款[\\s\\S]*${vid}[\\s\\S]*2026年1月10日[\\s\\S]*0 次`));
	await screenshot(page, 'verification-overdue');
	await late.nth(0).locator('[data-test=resend]').click();
	await page.getByText('暂无逾期未回复的核对请求').waitFor();
	await page.goto(`${ctx.url}/verifications/${vid}`);
	await bank.getByText('已重发 1 次').waitFor();
	assert.equal(await bank.locator('[data-test=overdue]').count(), 0);
	assertClean(page);
	await page.closeAll();
});
