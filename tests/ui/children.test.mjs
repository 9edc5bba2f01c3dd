// 儿童基本生活保障 (issue 10, docs/children.md) in the browser: a village
// coordinator files an application at the counter for a child already in
// tekun (the browser's checks first: an orphan needs a death or missing
// fact, each fact its evidence or the personal commitment; a second
// application for the child is refused by the server against the child's
// field); the case page shows the child and the facts; the steps up to the
// approval go through the API; the county approves in the page, is told the
// child must choose one programme (422 CHOOSE_ONE_PROGRAMME), keeps the
// children's allowance, and sees the decision's months. Then a care emergency
// reported from a 12345 order links to the order and back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { call, login, sql } from '../api/lib.mjs';
import { PASSWORD, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx, villageCode, village, township, county;
const k = {};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}
const CHILD_ID = idnum('50015420130510071');

before(async () => {
	ctx = await startUi({ households: 10 });
	villageCode = readFileSync(ctx.csv, 'utf8').split(/\r?\n/)[1].split(',')[1].replace(/"/g, '');
	village = await createUser(ctx.api, 'village', villageCode, '吴协理员');
	township = await createUser(ctx.api, 'township', firstTownship(ctx.csv), '郑经办');
	county = await createUser(ctx.api, 'county', villageCode.slice(0, 6), '钱审批');
	// a grandmother and her grandson (born 2013-05-10), registered through the API
	const s = await login(ctx.api, village.username, PASSWORD);
	const h = await call(ctx.api, 'POST', '/api/v1/households', {
		body: {
			household_no: 'CHILD-UI-1',
			region: villageCode,
			area: 'rural',
			members: [
				{ id: idnum('50015419550101072'), name: '韩奶奶', relation: 'head', labor_capacity: 'none', disability_grade: 0, severe_illness: false, incomes: [] },
				{ id: CHILD_ID, name: '韩小童', relation: 'grandchild', labor_capacity: 'none', disability_grade: 0, severe_illness: false, incomes: [] },
			],
			assets: { financial: '0', vehicles: 0, extra_houses: 0 },
			expenses: [],
		},
		cookie: s.cookie,
		csrf: s.csrf,
	});
	assert.equal(h.status, 201, JSON.stringify(h.body));
	k.household = h.body.id;
	k.child = Number(sql(ctx.db.target, `SELECT id FROM persons WHERE id_number = '${CHILD_ID}'`));
	// the child is in tekun: a decision and its line in force
	sql(ctx.db.target, `INSERT INTO decisions (household_id, person_id, region_code, programme, determination, monthly_benefit, effective_from, assessed_on, result, trace, params, created_at) VALUES (${k.household}, ${k.child}, '${villageCode}', 'tekun', 'tekun', 82700, '2025-01-01', '2024-12-20', '{}', '[]', '{}', '2024-12-20T00:00:00Z')`);
	k.tekun = Number(sql(ctx.db.target, `SELECT max(id) FROM decisions WHERE programme = 'tekun' AND person_id = ${k.child}`));
	sql(ctx.db.target, `INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, component, category, amount, created_at) VALUES (${k.tekun}, ${k.household}, ${k.child}, '${villageCode}', 'tekun', 'tekun_basic', 'tekun', 82700, '2024-12-20T00:00:00Z')`);
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('intake: a children application with a commitment fact, checked in the browser and by the server', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, village);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '受理申请' }).click();
	await page.waitForURL(/\/intake$/);
	await page.locator('[data-test=programme]').getByText('儿童基本生活保障').click();
	await page.locator('[data-test=child-form]').waitFor();
	assert.equal(await page.getByLabel('户号').count(), 0, 'no household form for a child');

	// the child, found by name in the register of the officer's village
	await page.getByLabel('儿童姓名').fill('韩小童');
	await page.locator('[data-test=child-search]').click();
	const results = page.locator('[data-test=child-results]');
	await results.getByText('韩小童').waitFor();
	assert.match(await results.innerText(), /500154\*{8}\d{3}[\dX]/, 'ID numbers masked');
	await results.locator('[data-test=child-pick]').first().click();
	await page.locator('[data-test=child-picked]', { hasText: '韩小童' }).waitFor();

	// orphan (the default) with an imprisonment fact and no evidence: the browser stops it
	await page.locator('[data-test=fact-0-kind]').click();
	await page.getByRole('option', { name: '服刑' }).click();
	await page.locator('[data-test=commitment]').click();
	await page.locator('[data-test=submit]').click();
	await page.locator('[data-test=submit-error]', { hasText: '请填写证明材料，或勾选以个人承诺代替' }).waitFor();
	await page.locator('[data-test=facts-field] .el-form-item__error').waitFor();
	// the commitment replaces the certificate; an orphan still needs a death or missing fact
	await page.locator('[data-test=fact-0-commitment]').click();
	await page.locator('[data-test=facts-field] .el-form-item__error', { hasText: '孤儿须有父母死亡或宣告失踪的认定事实' }).waitFor();
	// a second fact: the father's death, with the personal commitment
	await page.locator('[data-test=add-fact]').click();
	await page.locator('[data-test=fact-1-parent]').click();
	await page.getByRole('option', { name: '父亲' }).click();
	await page.locator('[data-test=fact-1-commitment]').click();
	await page.locator('[data-test=child-care-type]').getByText('社会散居').click();
	await page.locator('[data-test=facts-field] .el-form-item__error').waitFor({ state: 'detached' });
	await screenshot(page, 'intake-children');
	await page.locator('[data-test=submit]').click();
	await page.waitForURL(/\/cases\/\d+$/);
	k.case = Number(page.url().split('/').pop());
	await page.locator('[data-test=case-state]', { hasText: '已提交申请' }).waitFor();

	// the case page: the child (masked), category, care type, the facts
	const card = page.locator('[data-test=child]');
	await card.waitFor();
	assert.match(await card.locator('[data-test=child-id]').innerText(), /^500154\*{8}\d{3}[\dX]$/);
	assert.equal(await card.locator('[data-test=child-category]').innerText(), '孤儿');
	assert.equal(await card.locator('[data-test=child-care-type]').innerText(), '社会散居');
	const facts = await card.locator('[data-test=child-facts] .el-table__body tr').allInnerTexts();
	assert.equal(facts.length, 2);
	assert.match(facts[0], /服刑[\s\S]*双方[\s\S]*以个人承诺代替证明/);
	assert.match(facts[1], /父母死亡[\s\S]*父亲[\s\S]*以个人承诺代替证明/);
	await page.locator('[data-test=assessment]', { hasText: '审批时按审批当日的保障标准' }).waitFor();

	// the same child again: the server refuses it against the child's field
	await page.goto(`${ctx.url}/intake`);
	await page.locator('[data-test=programme]').getByText('儿童基本生活保障').click();
	await page.getByLabel('儿童姓名').fill('韩小童');
	await page.locator('[data-test=child-search]').click();
	await page.locator('[data-test=child-results] [data-test=child-pick]').first().click();
	await page.getByLabel('事实1证明材料').fill('死亡证明 2025-06');
	await page.locator('[data-test=commitment]').click();
	await page.locator('[data-test=submit]').click();
	await page.locator('[data-test=child-field] .el-form-item__error', { hasText: '该儿童已有在办的儿童基本生活保障申请' }).waitFor();
	assertClean(page, [{ status: 409, path: /^\/api\/v1\/applications$/ }]);
	await page.closeAll();

	const s = await login(ctx.api, village.username, PASSWORD);
	const c = await call(ctx.api, 'GET', `/api/v1/applications/${k.case}`, { cookie: s.cookie });
	assert.equal(c.body.programme, 'children');
	assert.equal(c.body.children.person_id, k.child);
	assert.deepEqual(c.body.children.facts, [
		{ kind: 'imprisoned', parent: 'both', evidence: null, commitment: true },
		{ kind: 'death', parent: 'father', evidence: null, commitment: true },
	]);
});

test('approval: the child in tekun chooses one programme; the decision\'s months are shown', async () => {
	assert.ok(k.case, 'the case of the first test');
	const who = {
		village: await login(ctx.api, village.username, PASSWORD),
		township: await login(ctx.api, township.username, PASSWORD),
		county: await login(ctx.api, county.username, PASSWORD),
	};
	const step = async (as, action, more = {}) => {
		const cur = await call(ctx.api, 'GET', `/api/v1/applications/${k.case}`, { cookie: as.cookie });
		const r = await call(ctx.api, 'POST', `/api/v1/applications/${k.case}/actions`, { body: { action, version: cur.body.version, ...more }, cookie: as.cookie, csrf: as.csrf });
		assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
	};
	await step(who.township, 'accept');
	await step(who.county, 'verify');
	await step(who.village, 'investigate', { note: '入户核实' });
	await step(who.township, 'review');
	await step(who.township, 'publish_notice');
	// the public notice ran out: moved ten days back
	const at = new Date(Date.now() - 10 * 86400000).toISOString();
	sql(ctx.db.target, `UPDATE case_history SET at = '${at}' WHERE application_id = ${k.case} AND action = 'publish_notice'`);

	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/cases/${k.case}`);
	await page.locator('[data-test=action-approve]').click();
	await page.locator('[data-test=action-note]').fill('符合孤儿认定条件');
	await page.locator('[data-test=action-confirm]').click();
	const dialog = page.locator('[data-test=choose-dialog]');
	await dialog.getByText('该儿童正在享受特困人员救助供养，与儿童基本生活保障只能选择其一。').waitFor();
	await screenshot(page, 'case-children-choose');
	// cancel: nothing changes
	await dialog.locator('[data-test=choose-cancel]').click();
	await page.locator('[data-test=case-state]', { hasText: '公示中' }).waitFor();
	// again, and keep the children's allowance
	await page.locator('[data-test=action-approve]').click();
	await page.locator('[data-test=action-confirm]').click();
	await dialog.locator('[data-test=keep-children]').click();
	await page.locator('[data-test=case-state]', { hasText: '已审批' }).waitFor();
	const award = page.locator('[data-test=child-award]');
	await award.waitFor();

	const c = await call(ctx.api, 'GET', `/api/v1/applications/${k.case}`, { cookie: who.county.cookie });
	const r = c.body.assessment.result;
	assert.equal(r.last_month, '2031-05', '18 on 2031-05-10: paid through May 2031');
	assert.equal(r.same_month, false);
	assert.equal(r.postponed, false);
	const yuan = r.monthly_benefit.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	assert.equal(await award.locator('[data-test=award-amount]').innerText(), `¥${yuan}`);
	const [fy, fm] = r.effective_from.split('-');
	assert.equal(await award.locator('[data-test=award-first]').innerText(), `${fy}年${Number(fm)}月`);
	assert.equal(await award.locator('[data-test=award-last]').innerText(), '2031年5月');
	assert.match(await award.innerText(), /年满18周岁\s*2031年5月10日/);
	assert.equal(await award.locator('[data-test=award-same-month]').innerText(), '否');
	assert.equal(await award.locator('[data-test=award-postponed]').innerText(), '否');
	assert.match(await award.innerText(), /孤儿（社会散居）/);
	await award.scrollIntoViewIfNeeded();
	await screenshot(page, 'case-children-approved');
	assertClean(page, [{ status: 422, path: new RegExp(`^/api/v1/applications/${k.case}/actions$`) }]);
	await page.closeAll();
	// the tekun decision ends on the children decision's first day
	assert.equal(sql(ctx.db.target, `SELECT effective_to FROM decisions WHERE id = ${k.tekun}`), r.effective_from);

	// the case list's programme filter knows the programme
	const list = await openPage(ctx);
	await loginAs(list, ctx, county);
	await list.waitForURL(/\/workbench$/);
	await list.goto(`${ctx.url}/cases?programme=children`);
	await list.getByText('共 1 件').waitFor();
	assert.match(await list.locator('[data-test=cases] .el-table__body tr').first().innerText(), /儿童保障[\s\S]*已审批/);
	assertClean(list);
	await list.closeAll();
});

test('a care emergency reported from a 12345 order links to the order, and the order back to it', async () => {
	const cs = await login(ctx.api, county.username, PASSWORD);
	const o = await call(ctx.api, 'POST', '/api/v1/hotline/orders', {
		body: { caller_name: '邻居刘某', caller_phone: '13900003333', region: firstTownship(ctx.csv), category: 'other', description: '韩奶奶住院，孙子韩小童无人照料' },
		cookie: cs.cookie,
		csrf: cs.csrf,
	});
	assert.equal(o.status, 201, JSON.stringify(o.body));
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/hotline/${o.body.id}`);
	const card = page.locator('[data-test=emergencies-card]');
	await card.getByText('本工单尚未报告监护照料紧急情况').waitFor();
	await card.locator('[data-test=report-emergency]').click();
	await page.waitForURL(/\/care-emergencies$/);
	const form = page.locator('[data-test=create-dialog]');
	await form.getByText('报告监护照料应急事件').waitFor();
	assert.equal(await form.locator('input[name=hotline_order_id]').inputValue(), String(o.body.id));
	assert.match(await form.innerText(), /12345热线/);
	await form.locator('input[name=person_id]').fill(String(k.child));
	await form.locator('[data-test=reason]').click();
	await page.getByRole('option', { name: '监护人住院治疗' }).click();
	await form.locator('textarea[name=description]').fill('祖母住院，儿童独自在家');
	await form.locator('[data-test=submit]').click();
	await page.waitForURL(/\/care-emergencies\/\d+$/);
	const emId = Number(page.url().split('/').pop());
	const link = page.locator('[data-test=hotline-order-link]');
	await link.waitFor();
	assert.equal(await link.getAttribute('href'), `/hotline/${o.body.id}`);
	await link.click();
	await page.waitForURL(new RegExp(`/hotline/${o.body.id}$`));
	const back = page.locator('[data-test=emergencies-card] [data-test=emergency-link]');
	await back.waitFor();
	assert.equal(await back.getAttribute('href'), `/care-emergencies/${emId}`);
	assert.match(await page.locator('[data-test=emergencies]').innerText(), /韩小童[\s\S]*监护人住院治疗[\s\S]*待落实照料/);
	await page.locator('[data-test=emergencies-card]').scrollIntoViewIfNeeded();
	await screenshot(page, 'hotline-emergency');
	// the generated register's townships are not in the region table: their names are not found
	assertClean(page, [{ status: 404, path: /^\/api\/v1\/regions\/\d+$/ }]);
	await page.closeAll();
	const e = await call(ctx.api, 'GET', `/api/v1/care-emergencies/${emId}`, { cookie: cs.cookie });
	assert.equal(e.body.channel, 'hotline');
	assert.equal(e.body.hotline_order_id, o.body.id);
});
