// 家庭档案: the search list (server-side pagination, search by name and by
// ID number) and the detail page with its audited reveal.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ADMIN_PASSWORD, call, login } from '../api/lib.mjs';
import { NOT_YET, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let township;
let county;
let finance;
let first; // the first household of the register: { no, head: {name, id}, members }

before(async () => {
	ctx = await startUi({ households: 45 });
	township = await createUser(ctx.api, 'township', firstTownship(ctx.csv), '李乡镇');
	county = await createUser(ctx.api, 'county', '500154', '赵科长');
	finance = await createUser(ctx.api, 'finance', '500154', '钱会计');
	const rows = readFileSync(ctx.csv, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
	const mine = rows.filter((r) => r[0] === rows[0][0]);
	first = { no: rows[0][0], members: mine.map((r) => ({ id: r[3], name: r[4], relation: r[5] })) };
	first.head = first.members.find((m) => m.relation === 'head');
});
after(async () => {
	if (ctx) await ctx.stop();
});

const masked = (id) => `${id.slice(0, 6)}********${id.slice(-4)}`;

test('the county sees its register in pages of 20, counted by the server', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '家庭档案' }).click();
	await page.waitForURL(/\/households$/);
	await page.getByText('共 45 户').waitFor();
	const rows = page.locator('[data-test=households] .el-table__body tr');
	assert.equal(await rows.count(), 20);
	const firstPage = await rows.first().innerText();
	await page.locator('.el-pager li', { hasText: /^3$/ }).click();
	await page.waitForURL(/page=3/);
	await page.waitForFunction(() => document.querySelectorAll('[data-test=households] .el-table__body tr').length === 5);
	assert.notEqual(await rows.first().innerText(), firstPage);
	await screenshot(page, 'households');
	assertClean(page, NOT_YET);
	await page.closeAll();
});

test('a township officer finds a household by name and by ID number, opens it and reveals the ID numbers (audited)', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/households`);
	const input = page.getByLabel('姓名或身份证号');
	await input.fill(first.head.name);
	await page.locator('[data-test=search]').click();
	await page.waitForURL(/q=/);
	const row = page.locator('[data-test=households] .el-table__body tr', { hasText: first.no });
	await row.waitFor();
	assert.match(await row.innerText(), new RegExp(masked(first.head.id).replace(/\*/g, '\\*')));
	assert.ok(!(await page.locator('body').innerText()).includes(first.head.id), 'no whole ID number in the list');

	await input.fill(first.head.id.slice(-6));
	await page.locator('[data-test=search]').click();
	await page.locator('[data-test=households] .el-table__body tr', { hasText: first.no }).waitFor();

	await page.locator('[data-test=households] .el-table__body tr', { hasText: first.no }).getByRole('link').click();
	await page.waitForURL(/\/households\/\d+$/);
	const id = page.url().split('/').pop();
	const members = page.locator('[data-test=members] .el-table__body tr');
	await members.first().waitFor();
	assert.equal(await members.count(), first.members.length);
	const shown = await page.locator('[data-test=id-number]').allInnerTexts();
	assert.deepEqual(shown.sort(), first.members.map((m) => masked(m.id)).sort());
	assert.match(await page.locator('.el-breadcrumb').innerText(), /首页\s*\/\s*家庭档案\s*\/\s*家庭详情/);
	await screenshot(page, 'household');

	// 查看: a confirmation, then the whole numbers, and an audit row on the server
	await page.locator('[data-test=reveal]').click();
	await page.getByRole('button', { name: '确认查看' }).click();
	await page.locator('[data-test=revealed]').waitFor();
	const whole = await page.locator('[data-test=id-number]').allInnerTexts();
	assert.deepEqual(whole.sort(), first.members.map((m) => m.id).sort());
	await screenshot(page, 'household-revealed');
	assertClean(page, NOT_YET);
	await page.closeAll();

	const admin = await login(ctx.api, 'admin', ADMIN_PASSWORD);
	const trail = await call(ctx.api, 'GET', `/api/v1/audit?entity=household&id=${id}`, { cookie: admin.cookie });
	assert.equal(trail.status, 200);
	const reveals = trail.body.items.filter((i) => i.action === 'household.reveal');
	assert.equal(reveals.length, 1, 'exactly one reveal audited');
});

test('a bad search shows the server\'s Chinese message; a finance user gets no reveal button', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, finance);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/households?q=12`);
	const err = page.locator('[data-test=list-error]');
	await err.waitFor();
	assert.match(await err.innerText(), /[\u4e00-\u9fff]/, 'a Chinese message');
	await page.goto(`${ctx.url}/households`);
	await page.locator('[data-test=households] .el-table__body tr a').first().click();
	await page.waitForURL(/\/households\/\d+$/);
	await page.locator('[data-test=members] .el-table__body tr').first().waitFor();
	assert.equal(await page.locator('[data-test=reveal]').count(), 0);
	await page.goto(`${ctx.url}/households/999999`);
	await page.getByText('未找到该家庭').waitFor();
	assertClean(page, [...NOT_YET, { status: 400, path: /^\/api\/v1\/households$/ }, { status: 404, path: /^\/api\/v1\/households\/999999$/ }]);
	await page.closeAll();
});
