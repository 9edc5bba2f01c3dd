// 月度统计 and 走访慰问 (issue 8) in a real browser: the county builds the
// month's statistics and sees the table, the chart and the downloads; a
// township reads its own row only; the county creates a holiday campaign and
// makes its list from the roll; a township officer records a visit with money
// and goods, and the county's campaign table shows it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, login, sql } from '../api/lib.mjs';
import { COUNTY, PASSWORD, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let town;
let county;
let township;
const month = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 7);
const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);

before(async () => {
	ctx = await startUi({ households: 10 });
	town = firstTownship(ctx.csv);
	county = await createUser(ctx.api, 'county', COUNTY, '郑科长');
	township = await createUser(ctx.api, 'township', town, '钱经办');
	const T = '2026-01-01T00:00:00.000Z';
	// two of the township's households receive dibao from 2020
	sql(
		ctx.db.target,
		`INSERT INTO decisions (household_id, region_code, programme, determination, monthly_benefit, effective_from,
		 assessed_on, result, trace, params, created_at)
		 SELECT id, region_code, 'dibao', 'dibao', 30000, '2020-01-01', '2019-12-01', '{}', '[]', '{}', '${T}'
		 FROM households WHERE region_code LIKE '${town}%' ORDER BY id LIMIT 2`,
	);
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('the county builds the month; the table, a chart and the downloads; a township sees its own row', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/statistics?period=${month}`);
	await page.locator('[data-test=stats-error]').waitFor();
	await page.locator('[data-test=stats-build]').click();
	await page.locator('[data-test=stats-xlsx]').waitFor();
	const table = page.locator('[data-test=stats-table]');
	await table.locator('.el-table__body tr', { hasText: '合计' }).first().waitFor();
	const total = await table.locator('.el-table__body tr', { hasText: '合计' }).first().innerText();
	assert.match(total, /合计\s+2\s+\d+/, total);
	await page.locator('[data-test=stats-chart-persons] canvas').waitFor();
	const csv = await page.evaluate(async (m) => (await fetch(`/api/v1/statistics/monthly.csv?period=${m}`)).text(), month);
	assert.match(csv, /低保户数/);
	await screenshot(page, 'statistics');
	assertClean(page, [{ status: 404, path: /^\/api\/v1\/statistics\/monthly/ }]); // not built yet, before the build
	await page.close();

	const tp = await openPage(ctx);
	await loginAs(tp, ctx, township);
	await tp.waitForURL(/\/workbench$/);
	await tp.goto(`${ctx.url}/statistics?period=${month}`);
	await tp.locator('[data-test=stats-xlsx]').waitFor();
	assert.equal(await tp.locator('[data-test=stats-build]').count(), 0, 'a township does not build');
	const body = await tp.locator('[data-test=stats-table] .el-table__body').first().innerText();
	assert.equal(body.split('\n').filter((l) => /^\S/.test(l) && !/^\d/.test(l)).length >= 1, true);
	assertClean(tp);
	await tp.close();
});

test('a campaign: the county plans it, a township records a visit, the table counts it', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	// the campaign through the API (the date pickers are Element Plus's own); the plan through the page
	const api = await login(ctx.api, county.username, PASSWORD);
	const created = await call(ctx.api, 'POST', '/api/v1/campaigns', {
		body: { region: COUNTY, name: '元旦春节走访慰问（测试）', starts_on: today, ends_on: today, report_dates: [today], categories: ['dibao'] },
		cookie: api.cookie,
		csrf: api.csrf,
	});
	assert.equal(created.status, 201, JSON.stringify(created.body));
	await page.goto(`${ctx.url}/campaigns/${created.body.id}`);
	await page.locator('[data-test=campaign-plan]').click();
	await page.locator('[data-test=campaign-message]', { hasText: '2 人' }).waitFor();
	await page.close();

	const tp = await openPage(ctx);
	await loginAs(tp, ctx, township);
	await tp.waitForURL(/\/workbench$/);
	await tp.goto(`${ctx.url}/campaigns`);
	await tp.locator('[data-test=campaigns] a', { hasText: '元旦春节走访慰问（测试）' }).click();
	await tp.locator('[data-test=visit]').first().click();
	await tp.locator('.el-dialog input[aria-label=走访日期]').fill(today);
	await tp.locator('.el-dialog input[aria-label=走访日期]').press('Enter');
	await tp.locator('.el-dialog input[name=money]').fill('500.00');
	await tp.locator('.el-dialog input[name=goods]').fill('米、油');
	await tp.locator('.el-dialog input[name=goods_value]').fill('120.00');
	await tp.locator('[data-test=visit-save]').click();
	const totalRow = tp.locator('[data-test=campaign-table] .el-table__body tr', { hasText: '合计' }).first();
	await tp.locator('[data-test=recipients] .el-table__body tr', { hasText: '已慰问' }).waitFor();
	await totalRow.waitFor();
	assert.match(await totalRow.innerText(), /500\.00[\s\S]*120\.00/);
	await screenshot(tp, 'campaign');
	assertClean(tp);
	await tp.close();
});
