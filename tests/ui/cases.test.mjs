// 案件办理: the list (filters, server-side pagination) and the case page: a
// township officer takes a step of the procedure and sees the new state; a
// stale version (someone else acted first) reloads the case with a message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { call, login } from '../api/lib.mjs';
import { NOT_YET, PASSWORD, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let township;
let caseId;
let householdId;

before(async () => {
	ctx = await startUi({ households: 30 });
	township = await createUser(ctx.api, 'township', firstTownship(ctx.csv), '李乡镇');
	const rows = readFileSync(ctx.csv, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
	const headId = rows.find((r) => r[5] === 'head')[3];
	const s = await login(ctx.api, township.username, PASSWORD);
	const found = await call(ctx.api, 'GET', `/api/v1/households?q=${headId}`, { cookie: s.cookie });
	assert.equal(found.status, 200);
	householdId = found.body.items[0].id;
	const r = await call(ctx.api, 'POST', '/api/v1/applications', {
		body: { household_id: householdId, programme: 'dibao', commitment: true, note: '窗口受理' },
		cookie: s.cookie,
		csrf: s.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	caseId = r.body.id;
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('a township officer finds the case, accepts it and sees the new state; a stale version reloads', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '案件办理' }).click();
	await page.waitForURL(/\/cases$/);
	await page.getByText('共 1 件').waitFor();
	const row = page.locator('[data-test=cases] .el-table__body tr').first();
	assert.match(await row.innerText(), /低保[\s\S]*已提交申请/);
	await screenshot(page, 'cases');

	// the overdue filter: nothing is overdue yet, the empty state says so
	await page.locator('[data-test=f-due]').getByText('已超期').click();
	await page.waitForURL(/due=overdue/);
	await page.getByText('没有符合条件的案件').waitFor();
	await page.getByText('共 0 件').waitFor();
	await page.getByRole('button', { name: '重置' }).click();
	await page.getByText('共 1 件').waitFor();

	await row.getByRole('link').click();
	await page.waitForURL(new RegExp(`/cases/${caseId}$`));
	await page.locator('[data-test=case-state]', { hasText: '已提交申请' }).waitFor();
	assert.match(await page.locator('[data-test=timeline]').innerText(), /提交申请[\s\S]*窗口受理/);
	assert.equal(await page.locator('[data-test=household-link]').getAttribute('href'), `/households/${householdId}`);
	assert.match(await page.locator('[data-test=household]').innerText(), /\d{6}\*{8}[\dX]{4}/, 'the head\'s ID number masked');
	assert.ok(await page.locator('[data-test=action-reject]').isVisible(), 'reject offered to the township');
	await page.locator('[data-test=trace] li').first().waitFor();
	await screenshot(page, 'case');

	// refusing without a reason is stopped in the browser
	await page.locator('[data-test=action-reject]').click();
	await page.locator('[data-test=action-confirm]').click();
	await page.locator('[data-test=action-error]', { hasText: '请填写不予批准的理由' }).waitFor();
	await page.getByRole('button', { name: '取消' }).click();

	// 受理 with a note: the state and the timeline change
	await page.locator('[data-test=action-accept]').click();
	await page.locator('[data-test=action-note]').fill('材料齐全，予以受理');
	await page.locator('[data-test=action-confirm]').click();
	await page.locator('[data-test=case-state]', { hasText: '已受理' }).waitFor();
	assert.match(await page.locator('[data-test=timeline]').innerText(), /受理[\s\S]*材料齐全，予以受理/);
	await page.locator('[data-test=action-verify]').waitFor();

	// someone else verifies meanwhile: this page's version is stale
	const s = await login(ctx.api, township.username, PASSWORD);
	const now = await call(ctx.api, 'GET', `/api/v1/applications/${caseId}`, { cookie: s.cookie });
	assert.equal(now.body.state, 'accepted');
	const v = await call(ctx.api, 'POST', `/api/v1/applications/${caseId}/actions`, {
		body: { action: 'verify', version: now.body.version },
		cookie: s.cookie,
		csrf: s.csrf,
	});
	assert.equal(v.status, 200, JSON.stringify(v.body));
	await page.locator('[data-test=action-verify]').click();
	await page.locator('[data-test=action-confirm]').click();
	await page.getByText('已重新载入最新状态').waitFor();
	await page.locator('[data-test=case-state]', { hasText: '已核对' }).waitFor();
	await page.locator('[data-test=action-investigate]').waitFor();

	await page.goto(`${ctx.url}/cases/999999`);
	await page.getByText('未找到该案件').waitFor();
	assertClean(page, [
		...NOT_YET,
		{ status: 409, path: new RegExp(`^/api/v1/applications/${caseId}/actions$`) },
		{ status: 404, path: /^\/api\/v1\/applications\/999999$/ },
	]);
	await page.closeAll();
	const after = await call(ctx.api, 'GET', `/api/v1/applications/${caseId}`, { cookie: s.cookie });
	assert.equal(after.body.state, 'verified');
	assert.ok(after.body.history.some((h) => h.action === 'accept' && h.note === '材料齐全，予以受理'));
});

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

test('intake: a village coordinator enters a household, sees the live assessment with its trace, and submits', async () => {
	const villageCode = readFileSync(ctx.csv, 'utf8').split(/\r?\n/)[1].split(',')[1].replace(/"/g, '');
	const village = await createUser(ctx.api, 'village', villageCode, '周协理员');
	const page = await openPage(ctx);
	await loginAs(page, ctx, village);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '受理申请' }).click();
	await page.waitForURL(/\/intake$/);
	// a village coordinator's own village, fixed (shown by its code: the region table has no villages here)
	assert.equal(await page.getByLabel('所在村（社区）').inputValue(), villageCode);
	await page.getByLabel('户号').fill('INTAKE-0001');
	await page.getByLabel('成员1姓名').fill('陈老汉');
	await page.getByLabel('成员1身份证号').fill(idnum('11010119450303051').slice(0, 17) + 'Y');
	await page.getByText('身份证号码应为18位').waitFor();
	await page.getByLabel('成员1身份证号').fill(idnum('11010119450303051'));
	await page.getByLabel('成员1月收入').fill('200');
	const verdict = page.locator('[data-test=determination]');
	await verdict.waitFor();
	assert.equal(await verdict.innerText(), '符合低保条件');
	assert.ok((await page.locator('[data-test=trace] li').count()) >= 3, 'the trace step by step');
	// a change is assessed again
	await page.getByLabel('成员1月收入').fill('9000');
	await page.locator('[data-test=determination]', { hasText: '不符合条件' }).waitFor();
	await page.getByLabel('成员1月收入').fill('200');
	await page.locator('[data-test=determination]', { hasText: '符合低保条件' }).waitFor();
	await screenshot(page, 'intake');
	assert.ok(await page.locator('[data-test=submit]').isDisabled());
	await page.locator('[data-test=commitment]').click();
	await page.locator('[data-test=submit]').click();
	await page.waitForURL(/\/cases\/\d+$/);
	await page.locator('[data-test=case-state]', { hasText: '已提交申请' }).waitFor();
	const newCase = page.url().split('/').pop();
	assertClean(page, NOT_YET);
	await page.closeAll();
	const s = await login(ctx.api, village.username, PASSWORD);
	const c = await call(ctx.api, 'GET', `/api/v1/applications/${newCase}`, { cookie: s.cookie });
	assert.equal(c.body.programme, 'dibao');
	assert.equal(c.body.commitment_signed, true);
});
