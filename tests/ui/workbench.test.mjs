// The workbench drawn from an answer shaped as the UI contract's
// GET /api/v1/workbench (served to the browser by the test, so the page is
// checked whether or not the server has the endpoint yet), and with the
// server's own answer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NOT_YET, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let county;

before(async () => {
	ctx = await startUi({ households: 10 });
	county = await createUser(ctx.api, 'county', '500154', '赵科长');
});
after(async () => {
	if (ctx) await ctx.stop();
});

const SAMPLE = {
	today: '2026-11-23',
	cases: { open: 37, due_today: 4, overdue: 2, by_state: { accepted: 10, verified: 8 } },
	due: [
		{ id: 71, household_id: 5, head_name: '陈大山', programme: 'dibao', state: 'investigated', deadline: '2026-11-20', overdue: true },
		{ id: 72, household_id: 6, head_name: '周小梅', programme: 'tekun', state: 'accepted', deadline: '2026-11-23', overdue: false },
	],
	alerts: { open: 5, overdue: 1 },
	reserve_funds: [
		{ region: '500154001', region_name: '汉丰街道', balance: '120000.50' },
		{ region: '500154002', region_name: '文峰街道', balance: '3500.25' },
	],
	caseload: [
		{ month: '2026-10', programme: 'dibao', opened: 12, approved: 8, rejected: 1 },
		{ month: '2026-10', programme: 'tekun', opened: 3, approved: 2, rejected: 0 },
		{ month: '2026-11', programme: 'dibao', opened: 9, approved: 4, rejected: 2 },
	],
	payments: [
		{ month: '2026-10', programme: 'dibao', amount: '452300.00' },
		{ month: '2026-11', programme: 'dibao', amount: '460120.40' },
	],
};

test('the workbench shows the counts, the due cases (overdue first) and both charts', async () => {
	const page = await openPage(ctx);
	await page.route('**/api/v1/workbench', (route) =>
		route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(SAMPLE) }),
	);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	await page.locator('[data-test=due-today]').waitFor();
	assert.match(await page.locator('[data-test=due-today]').innerText(), /今日到期\s*4/);
	assert.match(await page.locator('[data-test=overdue]').innerText(), /已逾期\s*2/);
	assert.match(await page.locator('[data-test=open]').innerText(), /在办案件\s*37/);
	assert.match(await page.locator('[data-test=alerts]').innerText(), /预警待处理\s*5[\s\S]*逾期 1 条/);
	// the balances summed exactly: 120000.50 + 3500.25
	assert.match(await page.locator('[data-test=reserve]').innerText(), /¥123,500\.75[\s\S]*汉丰街道 ¥120,000\.50/);
	assert.match(await page.getByText('今天是').innerText(), /2026年11月23日/);
	const rows = page.locator('[data-test=due-table] .el-table__body tr');
	assert.equal(await rows.count(), 2);
	assert.match(await rows.nth(0).innerText(), /陈大山\s+最低生活保障\s+已入户调查\s+2026年11月20日\s+已逾期/);
	assert.match(await rows.nth(1).innerText(), /周小梅\s+特困人员救助供养\s+已受理\s+2026年11月23日\s+今日到期/);
	assert.equal(await rows.nth(0).getByRole('link', { name: '陈大山' }).getAttribute('href'), '/cases/71');
	assert.equal(await page.locator('canvas').count(), 2, 'two charts drawn');
	await screenshot(page, 'workbench-data');
	assertClean(page, NOT_YET);
	await page.closeAll();
});

test('the workbench with the server\'s own answer (an empty state until the endpoint exists)', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	await page.locator('[data-test=workbench-empty], [data-test=due-today]').first().waitFor();
	if (await page.locator('[data-test=workbench-empty]').count())
		assert.match(await page.locator('[data-test=workbench-empty]').innerText(), /工作台统计服务暂未开通/);
	assertClean(page, NOT_YET);
	await page.closeAll();
});
