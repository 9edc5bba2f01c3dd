// Browser tests of the login, the workbench frame and the logout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NOT_YET, assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let township;

before(async () => {
	ctx = await startUi({ households: 40 });
	township = await createUser(ctx.api, 'township', firstTownship(ctx.csv), '李乡镇');
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('an anonymous visitor is sent to the login page, which is in Chinese', async () => {
	const page = await openPage(ctx);
	await page.goto(`${ctx.url}/workbench`);
	await page.waitForURL(/\/login\?next=(%2F|\/)workbench$/);
	assert.equal(await page.title(), '登录 - 社会救助信息系统');
	await page.getByRole('button', { name: '登 录' }).waitFor();
	assert.match(await page.locator('body').innerText(), /用户名[\s\S]*密码/);
	await screenshot(page, 'login');
	assertClean(page);
	await page.closeAll();
});

test('a wrong password shows the server\'s Chinese message and stays on the login page', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, { username: township.username, password: 'Wrong-Pass-1234' });
	const alert = page.locator('[data-test=login-error]');
	await alert.waitFor();
	assert.match(await alert.innerText(), /用户名或密码错误/);
	assert.match(page.url(), /\/login$/);
	assert.equal(await page.getByLabel('密码').inputValue(), '', 'the password field is cleared');
	await screenshot(page, 'login-error');
	assertClean(page, [{ status: 401, path: /^\/api\/v1\/session$/ }]);
	await page.closeAll();
});

test('repeated wrong passwords lock the login: the 429 message says so in Chinese', async () => {
	const victim = await createUser(ctx.api, 'village', firstTownship(ctx.csv) + '001', '王协理员');
	const page = await openPage(ctx);
	await page.goto(`${ctx.url}/login`);
	const alert = page.locator('[data-test=login-error]');
	for (let i = 0; i < 6; i++) {
		await page.getByLabel('用户名').fill(victim.username);
		await page.getByLabel('密码').fill(`Wrong-Pass-${i}xyz`);
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/session'));
		await page.getByRole('button', { name: '登 录' }).click();
		await answer;
	}
	await page.getByText(/登录失败次数过多.*请联系系统管理员/).waitFor();
	assert.ok(page.problems.responses.some((r) => r.status === 429), 'the server answered 429');
	await screenshot(page, 'login-locked');
	assertClean(page, [
		{ status: 401, path: /^\/api\/v1\/session$/ },
		{ status: 429, path: /^\/api\/v1\/session$/ },
	]);
	await page.closeAll();
});

test('an empty form is refused in the browser with Chinese hints, without a request', async () => {
	const page = await openPage(ctx);
	await page.goto(`${ctx.url}/login`);
	await page.getByRole('button', { name: '登 录' }).click();
	await page.getByText('请输入用户名', { exact: true }).last().waitFor();
	await page.getByText('请输入密码', { exact: true }).last().waitFor();
	assert.equal(page.problems.responses.length, 0);
	assertClean(page);
	await page.closeAll();
});

test('a township user lands on 工作台 with its name, role and menu, then logs out', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.getByRole('heading', { name: /工作台/ }).waitFor();
	assert.equal(await page.title(), '工作台 - 社会救助信息系统');
	assert.match(await page.locator('[data-test=user]').innerText(), /李乡镇/);
	assert.match(await page.locator('[data-test=role]').innerText(), /乡镇（街道）经办人/);
	assert.equal(await page.locator('.el-menu-item', { hasText: '工作台' }).count(), 1);
	// the workbench answers, or (until the endpoint exists) the page says so in Chinese
	await page.locator('[data-test=workbench-empty], [data-test=due-today]').first().waitFor();
	await page.waitForLoadState('networkidle');
	await screenshot(page, 'workbench');

	// a reload keeps the session (the CSRF token is kept for the tab)
	await page.reload();
	await page.getByRole('heading', { name: /工作台/ }).waitFor();
	assert.match(page.url(), /\/workbench$/);

	await page.locator('[data-test=user]').click();
	await page.locator('[data-test=logout]').click();
	await page.getByRole('button', { name: '退出' }).click();
	await page.waitForURL(/\/login$/);
	// the session is gone on the server too: the workbench asks for a login again
	await page.goto(`${ctx.url}/workbench`);
	await page.waitForURL(/\/login\?next=/);
	assertClean(page, NOT_YET);
	await page.closeAll();
});
