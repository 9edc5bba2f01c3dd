// 转办转介: referrals between departments (issue 9). A township officer refers
// a 12345 work order to the medical insurance bureau; the bureau's department
// user, whose menu holds only the workbench and the referrals, accepts and
// answers it; the township closes it, and the work order shows it closed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_PASSWORD, call, login, sql } from '../api/lib.mjs';
import { assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let town;
let township;
let office;
let orderId;

before(async () => {
	ctx = await startUi({ households: 10 });
	town = firstTownship(ctx.csv);
	sql(ctx.db.target, `INSERT INTO regions (code, name, level, parent_code) VALUES ('${town}', '测试镇', 4, '500154')`);
	const admin = await login(ctx.api, 'admin', ADMIN_PASSWORD);
	const r = await call(ctx.api, 'POST', '/api/v1/referral-offices', {
		body: { code: 'kz-yb', name: '开州区医疗保障局', kind: 'medical', region: '500154', reply_workdays: 5 },
		cookie: admin.cookie,
		csrf: admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	await call(ctx.api, 'DELETE', '/api/v1/session', { cookie: admin.cookie, csrf: admin.csrf });
	township = await createUser(ctx.api, 'township', town, '郑经办');
	office = await createUser(ctx.api, 'department', '500154', '医保局李科员', { office_code: 'kz-yb' });
	const now = new Date().toISOString();
	orderId = Number(
		sql(
			ctx.db.target,
			`INSERT INTO hotline_orders (order_no, caller_name, caller_phone, region_code, category, description, received_at,
			 response_due, close_due, created_at, updated_at) VALUES ('RX-REF-1', '孙来电', '13800003333', '${town}', 'temporary',
			 '老人住院，医疗费用负担重', '${now}', '2099-01-01T00:00:00.000Z', '2099-01-01', '${now}', '${now}') RETURNING id`,
		),
	);
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('the township refers a work order, the office answers, the township closes', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/hotline/${orderId}`);
	await page.locator('[data-test=referrals-card]').waitFor();
	await page.locator('[data-test=refer]').click();
	const dlg = page.locator('[data-test=refer-dialog]');
	// no office chosen: refused before the server is asked
	await page.locator('[data-test=refer-save]').click();
	await page.locator('[data-test=refer-error]', { hasText: '接收部门' }).waitFor();
	await dlg.locator('[data-test=office]').click();
	await page.getByRole('option', { name: /开州区医疗保障局/ }).click();
	await dlg.locator('textarea[name=reason]').fill('老人住院费用高，请求医疗救助');
	await screenshot(page, 'referral-create');
	await page.locator('[data-test=refer-save]').click();
	await page.locator('[data-test=referral-state]', { hasText: '待签收' }).waitFor();
	const referralId = Number(sql(ctx.db.target, `SELECT id FROM referrals WHERE hotline_order_id = ${orderId}`));
	assert.ok(referralId > 0);
	assertClean(page);
	await page.closeAll();

	// the office: only the workbench and the referrals in its menu
	const op = await openPage(ctx);
	await loginAs(op, ctx, office);
	await op.waitForURL(/\/workbench$/);
	const menu = await op.locator('.el-menu-item').allInnerTexts();
	assert.deepEqual(menu.map((t) => t.trim()).sort(), ['工作台', '转办转介'].sort(), JSON.stringify(menu));
	await op.locator('.el-menu-item', { hasText: '转办转介' }).first().click();
	await op.waitForURL(/\/referrals$/);
	await op.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	await op.locator('[data-test=referral-link]').first().click();
	await op.waitForURL(new RegExp(`/referrals/${referralId}$`));
	await op.locator('[data-test=state]', { hasText: '待签收' }).waitFor();
	await op.locator('[data-test=accept]').click();
	await op.locator('[data-test=state]', { hasText: '办理中' }).waitFor();
	await op.locator('[data-test=answer-card] textarea[name=answer]').fill('已按医疗救助政策报销住院费用');
	await op.locator('[data-test=answer-card] input[name=amount]').fill('3200.50');
	await screenshot(op, 'referral-answer');
	await op.locator('[data-test=answer]').click();
	await op.locator('[data-test=state]', { hasText: '已答复' }).waitFor();
	assert.equal(await op.locator('[data-test=answer]').innerText(), '已按医疗救助政策报销住院费用');
	// the office cannot open the township's work order
	await op.goto(`${ctx.url}/hotline/${orderId}`);
	await op.waitForURL(/\/forbidden/);
	assertClean(op);
	await op.closeAll();

	const tp = await openPage(ctx);
	await loginAs(tp, ctx, township);
	await tp.waitForURL(/\/workbench$/);
	await tp.goto(`${ctx.url}/referrals/${referralId}`);
	await tp.locator('[data-test=outcome]', { hasText: '已给予帮扶' }).waitFor();
	await tp.locator('[data-test=close-card] textarea[name=close_note]').fill('已告知来电人');
	await tp.locator('[data-test=close]').click();
	await tp.locator('[data-test=state]', { hasText: '已办结' }).waitFor();
	await tp.locator('[data-test=source-link]').click();
	await tp.waitForURL(new RegExp(`/hotline/${orderId}$`));
	await tp.locator('[data-test=referral-state]', { hasText: '已办结' }).waitFor();
	await screenshot(tp, 'referral-closed');
	assert.equal(sql(ctx.db.target, `SELECT state FROM referrals WHERE id = ${referralId}`), 'closed');
	assertClean(tp);
	await tp.closeAll();
});

test('an overdue referral is on the office workbench', async () => {
	const id = sql(ctx.db.target, 'SELECT max(id) FROM referrals');
	sql(ctx.db.target, `UPDATE referrals SET state = 'accepted', due_date = '2000-01-03' WHERE id = ${id}`);
	const op = await openPage(ctx);
	await loginAs(op, ctx, office);
	await op.waitForURL(/\/workbench$/);
	await op.locator('[data-test=referrals]').waitFor();
	assert.match(await op.locator('[data-test=referrals]').innerText(), /其中逾期未答复\s*1\s*件[\s\S]*开州区医疗保障局[\s\S]*答复逾期/);
	await screenshot(op, 'referral-workbench-office');
	assertClean(op);
	await op.closeAll();
});
