// 走访探视 and 照料服务协议 (issue 8). A township officer goes from the
// workbench's overdue-visits card to the due list, records a visit with the
// checklist (an oversized photo is refused in the form), signs a care
// agreement for the dispersed tekun person, marks the caregiver unable (the
// agreement shows 需更换照料人 at once, and on the workbench) and replaces
// the caregiver.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from '../api/lib.mjs';
import { assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let township;
let town;
let person; // [id, name]

const shift = (days) => new Date(Date.now() + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);

before(async () => {
	ctx = await startUi({ households: 10 });
	town = firstTownship(ctx.csv);
	township = await createUser(ctx.api, 'township', town, '周经办');
	const t = ctx.db.target;
	const [hid, pid, name, region] = sql(
		t,
		`SELECT h.id || '|' || p.id || '|' || p.name || '|' || h.region_code FROM households h JOIN memberships m ON
		 m.household_id = h.id JOIN persons p ON p.id = m.person_id WHERE h.region_code LIKE '${town}%' AND
		 m.relation = 'head' ORDER BY h.id LIMIT 1`,
	).split('|');
	person = [Number(pid), name];
	const now = new Date().toISOString();
	const from = shift(-60);
	sql(
		t,
		`INSERT INTO decisions (household_id, person_id, region_code, programme, determination, monthly_benefit,
		 effective_from, assessed_on, result, trace, params, created_at) VALUES (${hid}, ${pid}, '${region}', 'tekun',
		 'tekun', 50000, '${from}', '${from}', '{}', '{}', '{}', '${now}')`,
	);
	sql(
		t,
		`INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, component, category,
		 amount, created_at) SELECT max(id), ${hid}, ${pid}, '${region}', 'tekun', 'tekun_basic', 'tekun', 50000, '${now}'
		 FROM decisions`,
	);
});
after(async () => {
	if (ctx) await ctx.stop();
});

const rows = (page, list) => page.locator(`[data-test=${list}] .el-table__body tr`);

test('from the workbench to the overdue list; a visit recorded with its checklist', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.locator('[data-test=visits-overdue]').waitFor();
	assert.match(await page.locator('[data-test=visits-overdue]').innerText(), /走访逾期\s*[1-9]/);
	await page.locator('[data-test=visits-overdue] a').click();
	await page.waitForURL(/\/visits\?status=overdue$/);
	const row = rows(page, 'due-list').filter({ hasText: person[1] });
	await row.waitFor();
	assert.match(await row.innerText(), /分散供养特困[\s\S]*未走访[\s\S]*逾期 60 天/);
	assert.match(await row.innerText(), /\d{6}\*{8}\d{3}[\dX]/, 'the ID number masked');
	await page.locator('.el-menu-item', { hasText: '走访探视' }).first().waitFor();
	await screenshot(page, 'visits-due');

	await row.locator('[data-test=record-visit]').click();
	const form = page.locator('[data-test=visit-form]');
	await form.waitFor();
	await form.getByText('消防安全').click(); // unchecked: a fire hazard found
	await form.locator('[data-test=needs]').fill('电线老化，需更换');
	await form.getByText('需关注').click();
	await form.locator('[data-test=photo]').setInputFiles({
		name: 'big.jpg',
		mimeType: 'image/jpeg',
		buffer: Buffer.alloc(2 * 1024 * 1024 + 10, 0xff),
	});
	await page.locator('[data-test=visit-error]', { hasText: '照片不能超过 2 MiB' }).waitFor();
	await form.locator('[data-test=photo]').setInputFiles([]);
	await screenshot(page, 'visit-form');
	await page.locator('[data-test=visit-save]').click();
	await page.getByText('走访记录已保存').waitFor();
	await row.waitFor({ state: 'detached' });
	const v = sql(ctx.db.target, `SELECT fire_safe || '|' || result || '|' || needs FROM visits WHERE person_id = ${person[0]}`);
	assert.equal(v, '0|attention|电线老化，需更换');
	assertClean(page);
	await page.closeAll();
});

test('a care agreement: signed, caregiver unable → 需更换照料人 at once and on the workbench, replaced', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/visits?status=all`);
	const row = rows(page, 'due-list').filter({ hasText: person[1] });
	await row.locator('[data-test=sign-care]').click();
	const form = page.locator('[data-test=care-form]');
	await form.waitFor();
	const fill = async (caregiver) => {
		await form.locator('[data-test=caregiver-name]').fill(caregiver);
		await form.locator('[data-test=caregiver-phone]').fill('13900001234');
		await form.locator('input[placeholder=开始日期]').fill(shift(-1));
		await form.locator('input[placeholder=开始日期]').press('Enter');
		await form.locator('input[placeholder=结束日期]').fill(shift(364));
		await form.locator('input[placeholder=结束日期]').press('Enter');
		await form.locator('[data-test=duties]').fill('每日送餐、打扫卫生');
		await form.getByText('半护理').click();
	};
	await fill('赵照料');
	await page.locator('[data-test=care-save]').click();
	await page.getByText('照料服务协议已签订').waitFor();

	await page.goto(`${ctx.url}/care-agreements`);
	const care = rows(page, 'care-list').filter({ hasText: '赵照料' });
	await care.waitFor();
	assert.match(await care.innerText(), /139\*+1234[\s\S]*半护理[\s\S]*履行中/);
	await care.locator('[data-test=unable]').click();
	await page.locator('.el-message-box input').fill('照料人外出务工');
	await page.getByRole('button', { name: '登记' }).click();
	await care.locator('[data-test=care-state]', { hasText: '需更换照料人' }).waitFor();
	await screenshot(page, 'care-needs-replacement');

	await page.goto(`${ctx.url}/workbench`);
	await page.locator('[data-test=care-replace-link]', { hasText: '1' }).waitFor();
	assert.match(await page.locator('[data-test=care-replace]').innerText(), new RegExp(person[1]));
	await page.locator('[data-test=care-replace-link]').click();
	await page.waitForURL(/\/care-agreements\?state=needs_replacement$/);
	await rows(page, 'care-list').filter({ hasText: '赵照料' }).locator('[data-test=replace]').click();
	await form.waitFor();
	await fill('钱接替');
	await page.locator('[data-test=care-save]').click();
	await page.getByText('已更换照料人').waitFor();
	await page.goto(`${ctx.url}/care-agreements`);
	await rows(page, 'care-list').filter({ hasText: '钱接替' }).locator('[data-test=care-state]', { hasText: '履行中' }).waitFor();
	assert.match(await rows(page, 'care-list').filter({ hasText: '赵照料' }).innerText(), /已终止[\s\S]*接续/);
	assertClean(page);
	await page.closeAll();
});
