// 政策参数, 用户管理, 审计日志: a county officer sets a policy value and sees
// it in force (and one demo value fewer in the banner); an admin creates and
// disables a user; the audit page lists those changes with their detail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_PASSWORD } from '../api/lib.mjs';
import { PASSWORD, assertClean, createUser, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let county;
const admin = { username: 'admin', password: ADMIN_PASSWORD };
const newUser = `clerk_${process.pid}`;

before(async () => {
	ctx = await startUi({ households: 5 });
	county = await createUser(ctx.api, 'county', '500154', '吴科长');
});
after(async () => {
	if (ctx) await ctx.stop();
});

const demoCount = async (page) => Number(/当前有 (\d+) 项/.exec(await page.locator('[data-test=demo-banner]').innerText())[1]);

test('a county officer adds a value of temp.first_aid_limit from today and sees it in force', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, county);
	await page.waitForURL(/\/workbench$/);
	// the demo values in force are announced on every staff page
	await page.locator('[data-test=demo-banner]').waitFor();
	const before = await demoCount(page);
	assert.ok(before > 0);
	await page.locator('.el-menu-item', { hasText: '政策参数' }).click();
	await page.waitForURL(/\/policy$/);
	await page.getByLabel('参数名称').fill('temp.first_aid_limit');
	await page.getByRole('button', { name: '查询' }).click();
	const row = page.locator('[data-test=parameters] .el-table__body tr', { hasText: 'temp.first_aid_limit' });
	await row.waitFor();
	assert.match(await row.innerText(), /演示值/);
	// the parameter's Chinese name from the policy file, beside its code
	assert.match(await row.locator('[data-test=param-label]').innerText(), /^先行救助限额$/);
	await screenshot(page, 'policy');
	await row.getByRole('button', { name: '新值' }).click();
	const dlg = page.locator('[data-test=value-dialog]');
	await dlg.locator('input[name=value]').fill('1200.00');
	await dlg.locator('textarea[name=note]').fill('区民政局 2026 年第 9 号通知');
	await page.locator('[data-test=save-value]').click();
	await dlg.waitFor({ state: 'hidden' });
	await row.filter({ hasText: '1200' }).waitFor();
	const text = await row.innerText();
	assert.match(text, /本系统录入/);
	assert.doesNotMatch(text, /演示值/);
	await page.waitForFunction(
		(n) => /当前有 (\d+) 项/.test(document.querySelector('[data-test=demo-banner]')?.innerText || '') && Number(/当前有 (\d+) 项/.exec(document.querySelector('[data-test=demo-banner]').innerText)[1]) === n,
		before - 1,
	);
	// every dated entry of the name: the file's demo value and the new one
	await row.locator('a').click();
	const entries = page.locator('[data-test=drawer] [data-test=entries] .el-table__body tr');
	await entries.nth(1).waitFor();
	const all = (await entries.allInnerTexts()).join('\n');
	assert.match(all, /1200/);
	assert.match(all, /演示值/);
	await screenshot(page, 'policy-drawer');
	assertClean(page);
	await page.closeAll();
});

test('an admin creates a user and disables it', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, admin);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '用户管理' }).click();
	await page.waitForURL(/\/users$/);
	await page.locator('[data-test=new-user]').click();
	const dlg = page.locator('[data-test=user-dialog]');
	await dlg.locator('input[name=username]').fill(newUser);
	await dlg.locator('input[name=name]').fill('郑办事员');
	await dlg.locator('input[name=region]').fill('500154');
	// a weak password is refused with the server's message
	await dlg.locator('input[name=password]').fill('short');
	await page.locator('[data-test=save-user]').click();
	await dlg.locator('[data-test=form-error]').waitFor();
	assert.match(await dlg.locator('[data-test=form-error]').innerText(), /[\u4e00-\u9fff]/);
	await dlg.locator('input[name=password]').fill(PASSWORD);
	await page.locator('[data-test=save-user]').click();
	await dlg.waitFor({ state: 'hidden' });
	const row = page.locator('[data-test=users] .el-table__body tr', { hasText: newUser });
	await row.waitFor();
	assert.match(await row.innerText(), /正常/);
	assert.match(await row.innerText(), /开州区/);
	await row.locator('[data-test=toggle]').click();
	await page.getByRole('button', { name: '停用' }).last().click();
	await row.filter({ hasText: '已停用' }).waitFor();
	await screenshot(page, 'users');
	assertClean(page, [{ status: 400, path: /^\/api\/v1\/users$/ }]);
	await page.closeAll();
});

test('the audit page lists the changes, filtered on the server, with their detail', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, admin);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '审计日志' }).click();
	await page.waitForURL(/\/audit$/);
	const rows = page.locator('[data-test=audit] .el-table__body tr.el-table__row');
	await rows.first().waitFor();
	assert.match(await page.locator('.el-card').first().innerText(), /doudi audit verify/);
	await page.getByLabel('操作人').fill('admin');
	await page.locator('[data-test=search]').click();
	await page.waitForURL(/actor=admin/);
	const update = rows.filter({ hasText: 'user.update' });
	await update.first().waitFor();
	await rows.filter({ hasText: 'user.create' }).first().waitFor();
	await update.first().locator('.el-table__expand-icon').click();
	const detail = page.locator('[data-test=detail]').first();
	await detail.waitFor();
	assert.match(await detail.innerText(), /"disabled"/);
	await screenshot(page, 'audit');

	await page.goto(`${ctx.url}/audit?action=policy.set`);
	await rows.filter({ hasText: county.username }).first().waitFor();
	assert.equal(await rows.count(), 1);
	await page.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	assertClean(page);
	await page.closeAll();
});
