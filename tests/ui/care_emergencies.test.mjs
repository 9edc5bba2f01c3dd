// 监护照料应急 (issue 10): a child director reports (through the API) a child
// whose guardian is quarantined; the township's workbench shows the case in
// the card at the top with the hours left; the township officer opens it,
// is refused closing before care is arranged, arranges a carer and a place,
// and closes it. The child director's menu holds the workbench, 儿童名册 and
// 监护照料应急 only, and its children list shows its village's children.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { call, login } from '../api/lib.mjs';
import { PASSWORD, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx, town, village, township, director;
const k = {};

before(async () => {
	ctx = await startUi({ households: 20 });
	town = firstTownship(ctx.csv);
	village = readFileSync(ctx.csv, 'utf8').split(/\r?\n/)[1].split(',')[1].replace(/"/g, '');
	assert.equal(village.length, 12);
	township = await createUser(ctx.api, 'township', town, '郑经办');
	director = await createUser(ctx.api, 'child_director', village, '林主任');
	const s = await login(ctx.api, director.username, PASSWORD);
	const r = await call(ctx.api, 'POST', '/api/v1/care-emergencies', {
		body: {
			subject_kind: 'child',
			name: '陈小明',
			region: village,
			channel: 'child_director',
			reason: 'guardian_quarantined',
			description: '父母均被集中隔离，8岁儿童独自在家',
		},
		cookie: s.cookie,
		csrf: s.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	k.id = r.body.id;
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('the workbench card shows the case at the top; arrange and close through the page', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	const card = page.locator('[data-test=care-emergencies]');
	await card.waitFor();
	// the first card of the workbench
	const first = await page.locator('.wb .el-card').first().getAttribute('data-test');
	assert.equal(first, 'care-emergencies');
	await card.locator('[data-test=care-emergencies-link]', { hasText: '1' }).waitFor();
	const hours = await card.locator('[data-test=em-hours]').first().innerText();
	assert.match(hours, /还剩 (11|12|不到 1) 小时/);
	await card.getByText('陈小明').waitFor();
	await screenshot(page, 'care-emergency-workbench');

	await card.locator(`a[href="/care-emergencies/${k.id}"]`).click();
	await page.waitForURL(new RegExp(`/care-emergencies/${k.id}$`));
	await page.locator('[data-test=state]', { hasText: '待落实照料' }).waitFor();
	// no closing before care is arranged
	assert.equal(await page.locator('[data-test=close-card]').count(), 0);

	const arrange = page.locator('[data-test=arrange-card]');
	await arrange.locator('input[name=carer_name]').fill('陈奶奶');
	await arrange.locator('input[name=carer_phone]').fill('13800001234');
	await arrange.locator('input[name=placement_address]').fill('本村5组陈奶奶家');
	await page.locator('[data-test=arrange]').click();
	await page.locator('[data-test=state]', { hasText: '已落实照料' }).waitFor();
	await page.locator('[data-test=carer]', { hasText: '陈奶奶' }).waitFor();

	await page.locator('[data-test=visit-card] input[name=visitor]').fill('林主任');
	await page.locator('[data-test=visit-card] textarea[name=visit_note]').fill('孩子在奶奶家，生活正常');
	await page.locator('[data-test=visit]').click();
	await page.locator('[data-test=visits] .el-table__body tr').first().waitFor();

	await page.locator('[data-test=close-card] textarea[name=closure_note]').fill('父母解除隔离返家');
	await page.locator('[data-test=close]').click();
	await page.locator('[data-test=state]', { hasText: '已结案' }).waitFor();
	await page.locator('[data-test=closure-note]', { hasText: '父母解除隔离返家' }).waitFor();
	await screenshot(page, 'care-emergency-closed');

	// the workbench no longer lists it
	await page.locator('.el-menu-item', { hasText: '工作台' }).click();
	await page.waitForURL(/\/workbench$/);
	await page.locator('.wb .el-card').first().waitFor();
	assert.equal(await page.locator('[data-test=care-emergencies]').count(), 0);
	assertClean(page);
	await page.closeAll();
});

test('the child director: its menu, the children of its village, the emergencies', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, director);
	await page.waitForURL(/\/workbench$/);
	await page.locator('[data-test=care-emergencies]').waitFor();
	const items = await page.locator('.el-menu-item').allInnerTexts();
	assert.deepEqual(items.map((t) => t.trim()), ['工作台', '儿童名册', '监护照料应急']);
	await page.locator('.el-menu-item', { hasText: '儿童名册' }).click();
	await page.waitForURL(/\/children$/);
	await page.locator('[data-test=total]').waitFor();
	const r = await call(ctx.api, 'GET', '/api/v1/children', { cookie: (await login(ctx.api, director.username, PASSWORD)).cookie });
	assert.equal(r.status, 200);
	assert.ok(r.body.items.every((c) => c.region === village));
	await page.locator('[data-test=total]', { hasText: `共 ${r.body.total} 名儿童` }).waitFor();
	await screenshot(page, 'children-list');
	await page.locator('.el-menu-item', { hasText: '监护照料应急' }).click();
	await page.waitForURL(/\/care-emergencies$/);
	await page.locator('[data-test=total]', { hasText: '共 1 件' }).waitFor();
	assertClean(page);
	await page.closeAll();
});
