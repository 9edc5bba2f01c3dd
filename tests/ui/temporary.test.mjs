// 临时救助: a county officer advances money to a township's reserve fund, a
// township officer registers a case with first aid and sees the balance
// fall; an approval above the township's limit shows the server's reason.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, login } from '../api/lib.mjs';
import { PASSWORD, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let township;
let county;
let town; // the township's 9-digit code
let householdId;

before(async () => {
	ctx = await startUi({ households: 12 });
	town = firstTownship(ctx.csv);
	township = await createUser(ctx.api, 'township', town, '孙经办');
	county = await createUser(ctx.api, 'county', '500154', '周科长');
	const s = await login(ctx.api, township.username, PASSWORD);
	const r = await call(ctx.api, 'GET', '/api/v1/households?per_page=1', { cookie: s.cookie });
	assert.equal(r.status, 200);
	householdId = r.body.items[0].id;
});
after(async () => {
	if (ctx) await ctx.stop();
});

const rowText = (page, sel, text) => page.locator(`[data-test=${sel}] .el-table__body tr`, { hasText: text });

test('the county advances ¥5,000.00; first aid of ¥600.00 leaves ¥4,400.00 in the township fund', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/reserve-funds?region=${town}`);
	await page.locator('[data-test=new-entry]').click();
	await page.locator('[data-test=entry-dialog] input[name=amount]').fill('5000');
	await page.locator('[data-test=save-entry]').click();
	await page.locator('[data-test=ledger-balance]', { hasText: '¥5,000.00' }).waitFor();
	await rowText(page, 'entries', '下拨').waitFor();
	assertClean(page);
	await page.closeAll();

	const tp = await openPage(ctx);
	await loginAs(tp, ctx, township);
	await tp.waitForURL(/\/workbench$/);
	await tp.locator('.el-menu-item', { hasText: '临时救助' }).first().click();
	await tp.waitForURL(/\/temporary$/);
	await tp.locator('[data-test=new-case]').click();
	const dlg = tp.locator('[data-test=new-dialog]');
	await dlg.locator('input[name=household_id]').fill(String(householdId));
	await dlg.locator('input[name=requested_amount]').fill('2000');
	await dlg.locator('input[name=first_aid]').fill('600');
	await screenshot(tp, 'temporary-new');
	await tp.locator('[data-test=create]').click();
	await tp.waitForURL(/\/temporary\/\d+$/);
	await tp.locator('[data-test=first-aid]', { hasText: '¥600.00' }).waitFor();
	await tp.locator('[data-test=case-fund-balance]', { hasText: '¥4,400.00' }).waitFor();
	assert.match(await tp.locator('[data-test=who-approves]').innerText(), /乡镇（街道）审批/);
	// after first aid the paperwork comes before any approval
	await tp.locator('[data-test=action-paperwork]').waitFor();
	assert.equal(await tp.locator('[data-test=action-approve]').count(), 0);
	await screenshot(tp, 'temporary-case');

	await tp.goto(`${ctx.url}/reserve-funds?region=${town}`);
	await tp.locator('[data-test=ledger-balance]', { hasText: '¥4,400.00' }).waitFor();
	await rowText(tp, 'entries', '支取').waitFor();
	assert.match(await rowText(tp, 'funds', town).innerText(), /¥4,400\.00/);
	await screenshot(tp, 'reserve-funds');

	await tp.goto(`${ctx.url}/temporary`);
	await rowText(tp, 'cases', '¥600.00').waitFor();
	assertClean(tp);
	await tp.closeAll();
});

test('a township approval above its limit shows the server\'s reason; the state filter works', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/temporary`);
	await page.locator('[data-test=new-case]').click();
	const dlg = page.locator('[data-test=new-dialog]');
	await dlg.locator('input[name=household_id]').fill(String(householdId));
	await dlg.locator('input[name=requested_amount]').fill('5000');
	await page.locator('[data-test=create]').click();
	await page.waitForURL(/\/temporary\/\d+$/);
	await page.locator('[data-test=action-approve]').click();
	const hint = page.locator('[data-test=tier-hint]');
	assert.match(await hint.innerText(), /区县民政局审批/);
	await page.locator('[data-test=confirm-action]').click();
	const refusal = page.locator('[data-test=action-dialog] [data-test=refusal]');
	await refusal.waitFor();
	const text = await refusal.innerText();
	assert.match(text, /[\u4e00-\u9fff]/);
	assert.match(text, /3,?000/, 'the reason names the township limit');
	await screenshot(page, 'temporary-refused');
	assert.equal(await page.locator('[data-test=case-state]').innerText(), '已提交申请');

	await page.goto(`${ctx.url}/temporary?state=approved`);
	await page.getByText('没有该状态的临时救助案件').waitFor();
	await page.goto(`${ctx.url}/temporary?state=submitted`);
	await page.getByText('共 2 件').waitFor();
	assertClean(page, [{ status: 422, path: /^\/api\/v1\/temporary-cases\/\d+\/actions$/ }]);
	await page.closeAll();
});
