// 网上申请: a citizen applies on /apply (no login), gets a tracking number and
// looks the application up on /apply/status; a village coordinator accepts
// it on /online-applications and the case exists.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, login, sql } from '../api/lib.mjs';
import { NOT_YET, PASSWORD, assertClean, createUser, loginAs, openPage, screenshot, startUi } from './lib.mjs';

const TOWNSHIP = '500154001';
const VILLAGE = '500154001001';
let ctx;
let village;

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}
const HEAD = idnum('11010119560707031');
const SPOUSE = idnum('11010119580808042');
const badCheck = (id) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');

let tracking;

before(async () => {
	ctx = await startUi({ households: 5 });
	sql(
		ctx.db.target,
		`INSERT INTO regions (code, name, level, parent_code, area) VALUES ('${TOWNSHIP}', '汉丰街道', 4, '500154', NULL), ` +
			`('${VILLAGE}', '青龙社区', 5, '${TOWNSHIP}', 'urban'), ('500154001002', '白果村', 5, '${TOWNSHIP}', 'rural')`,
	);
	village = await createUser(ctx.api, 'village', VILLAGE, '周协理员');
});
after(async () => {
	if (ctx) await ctx.stop();
});

test('a citizen applies without an account and gets a tracking number; the ID number is checked in the browser', async () => {
	const page = await openPage(ctx);
	await page.goto(`${ctx.url}/apply`);
	await page.locator('[data-test=kind-dibao]').click();
	assert.match(await page.locator('[data-test=kind-help]').innerText(), /月人均收入低于当地低保标准/);

	await page.locator('[data-test=region] input').click();
	for (const name of ['市辖区', '开州区', '汉丰街道', '青龙社区']) await page.locator('.el-cascader-node', { hasText: name }).click();
	await page.getByLabel('申请人姓名', { exact: true }).fill('王大山');
	const id = page.getByLabel('申请人身份证号码', { exact: true });
	await id.fill(badCheck(HEAD));
	await page.getByLabel('联系电话').click();
	await page.getByText('身份证号码校验位不正确').waitFor();
	await id.fill(HEAD);
	await page.getByLabel('联系电话').fill('13900001111');
	await page.getByLabel('申请人每月收入').fill('300');
	await page.locator('[data-test=add-member]').click();
	await page.getByLabel('成员1姓名').fill('李小花');
	await page.getByLabel('成员1身份证号码').fill(SPOUSE);
	await page.getByLabel('申请原因').fill('老两口无劳动能力，收入低');
	// both adults sign the verification authorisation online
	await page.locator(`[data-test=signer-${HEAD}]`).click();
	await page.locator(`[data-test=signer-${SPOUSE}]`).click();
	assert.ok(await page.locator('[data-test=submit]').isDisabled(), 'no submission before the commitment is ticked');
	assert.match(await page.locator('[data-test=commitment-text]').innerText(), /虚假承诺/);
	await page.locator('[data-test=commitment]').click();
	await screenshot(page, 'apply');
	await page.locator('[data-test=submit]').click();

	const no = page.locator('[data-test=tracking-no]');
	await no.waitFor();
	tracking = (await no.innerText()).trim();
	assert.match(tracking, /^[0-9A-HJKMNP-TV-Z]{16}$/);
	await screenshot(page, 'apply-done');

	await page.getByRole('button', { name: '查询办理进度' }).click();
	await page.waitForURL(/\/apply\/status\?no=/);
	await page.getByLabel('申请人身份证号码').fill(SPOUSE);
	await page.locator('[data-test=lookup]').click();
	await page.locator('[data-test=status-error]', { hasText: '未查询到申请记录' }).waitFor();
	await page.getByLabel('申请人身份证号码').fill(HEAD);
	await page.locator('[data-test=lookup]').click();
	await page.locator('[data-test=status]').waitFor();
	assert.match(await page.locator('[data-test=status]').innerText(), new RegExp(`${tracking}[\\s\\S]*最低生活保障`));
	assert.ok((await page.locator('[data-test=steps] .el-timeline-item').count()) >= 1);
	await screenshot(page, 'apply-status');
	assertClean(page, [{ status: 404, path: /^\/api\/v1\/public\/applications\/[0-9A-Z]+$/ }]);
	await page.closeAll();
	const stored = sql(ctx.db.target, `SELECT programme, region_code FROM online_applications WHERE tracking_no = '${tracking}'`);
	assert.equal(stored, `dibao|${VILLAGE}`);
});

test('a village coordinator accepts the online application: the household and the case exist', async () => {
	assert.ok(tracking, 'the first test submitted');
	const page = await openPage(ctx);
	await loginAs(page, ctx, village);
	await page.waitForURL(/\/workbench$/);
	await page.locator('.el-menu-item', { hasText: '网上申请受理' }).click();
	await page.waitForURL(/\/online-applications$/);
	const row = page.locator('[data-test=online] .el-table__body tr', { hasText: tracking });
	await row.waitFor();
	assert.match(await row.innerText(), /110101\*{8}/, 'masked in the list');
	await row.getByRole('link').click();
	await page.waitForURL(/\/online-applications\/\d+$/);
	const ids = page.locator('[data-test=id-number]');
	await ids.first().waitFor();
	assert.ok(!(await page.locator('body').innerText()).includes(HEAD), 'masked until revealed');
	await page.locator('[data-test=reveal]').click();
	await page.getByRole('button', { name: '确认查看' }).click();
	await page.locator('[data-test=revealed]').waitFor();
	assert.deepEqual((await ids.allInnerTexts()).sort(), [HEAD, SPOUSE].sort());

	await page.locator('[data-test=accept]').click();
	await page.locator('[data-test=online-note]').fill('材料已核实');
	await page.locator('[data-test=online-confirm]').click();
	const link = page.locator('[data-test=case-link]');
	await link.waitFor();
	await screenshot(page, 'online-application');
	await link.click();
	await page.waitForURL(/\/cases\/\d+$/);
	const caseId = page.url().split('/').pop();
	await page.locator('[data-test=case-state]', { hasText: '已提交申请' }).waitFor();
	assertClean(page, NOT_YET);
	await page.closeAll();

	const s = await login(ctx.api, village.username, PASSWORD);
	const c = await call(ctx.api, 'GET', `/api/v1/applications/${caseId}`, { cookie: s.cookie });
	assert.equal(c.status, 200);
	assert.equal(c.body.channel, 'online');
	assert.equal(c.body.programme, 'dibao');
	const auth = await call(ctx.api, 'GET', `/api/v1/households/${c.body.household_id}/authorisations`, { cookie: s.cookie });
	assert.equal(auth.body.complete, true, 'signed online in the portal');
	assert.deepEqual(auth.body.items.map((x) => x.method), ['online', 'online']);
	const hh = await call(ctx.api, 'GET', `/api/v1/households/${c.body.household_id}?reveal=1`, { cookie: s.cookie });
	assert.deepEqual(hh.body.members.map((m) => m.id).sort(), [HEAD, SPOUSE].sort());
	const st = await call(ctx.api, 'GET', `/api/v1/public/applications/${tracking}?id_number=${HEAD}`);
	assert.equal(st.status, 200);
	assert.ok(st.body.steps.length >= 2, `the citizen sees the acceptance: ${JSON.stringify(st.body)}`);
});

test('a grandmother applies online for her orphaned grandson; the village accepts and the children case shows him', async () => {
	const GRAN = idnum('11010119550909062');
	const BOY = idnum('11010120150303071');
	const page = await openPage(ctx);
	await page.goto(`${ctx.url}/apply`);
	await page.locator('[data-test=kind-children]').click();
	assert.match(await page.locator('[data-test=kind-help]').innerText(), /孤儿/);
	await page.locator('[data-test=region] input').click();
	for (const name of ['市辖区', '开州区', '汉丰街道', '青龙社区']) await page.locator('.el-cascader-node', { hasText: name }).click();
	await page.getByLabel('申请人姓名', { exact: true }).fill('陈奶奶');
	await page.getByLabel('申请人身份证号码', { exact: true }).fill(GRAN);
	await page.getByLabel('联系电话').fill('13900002222');
	await page.locator('[data-test=add-member]').click();
	await page.getByLabel('成员1姓名').fill('陈小明');
	await page.getByLabel('成员1身份证号码').fill(BOY);
	await page.locator('[data-test=member-0-relation]').click();
	await page.getByRole('option', { name: '孙子女/外孙子女' }).click();
	assert.match(await page.locator('h2.section', { hasText: '申请保障的儿童' }).innerText(), /^五、/);
	assert.match(await page.locator('h2.section', { hasText: '申请原因' }).innerText(), /^六、/);
	await page.getByLabel('申请原因').fill('孩子父母因交通事故去世，由祖母抚养');
	await page.locator('[data-test=commitment]').click();
	// the browser asks for the child and for the fact's evidence before anything is sent
	await page.locator('[data-test=submit]').click();
	await page.locator('[data-test=apply-error]', { hasText: '请选择申请保障的儿童' }).waitFor();
	await page.locator('[data-test=child-member]').click();
	await page.getByRole('option', { name: /陈小明/ }).click();
	await page.locator('[data-test=submit]').click();
	await page.locator('[data-test=facts-field] .el-form-item__error', { hasText: '请填写证明材料' }).waitFor();
	await page.getByLabel('事实1证明材料').fill('父母死亡证明（2024 年）');
	await screenshot(page, 'apply-children');
	await page.locator('[data-test=submit]').click();
	const no = page.locator('[data-test=tracking-no]');
	await no.waitFor();
	const trackingNo = (await no.innerText()).trim();
	assertClean(page);
	await page.closeAll();
	assert.equal(sql(ctx.db.target, `SELECT programme FROM online_applications WHERE tracking_no = '${trackingNo}'`), 'children');

	const staff = await openPage(ctx);
	await loginAs(staff, ctx, village);
	await staff.waitForURL(/\/workbench$/);
	const id = sql(ctx.db.target, `SELECT id FROM online_applications WHERE tracking_no = '${trackingNo}'`);
	await staff.goto(`${ctx.url}/online-applications/${id}`);
	const block = staff.locator('[data-test=online-child]');
	await block.waitFor();
	const text = await block.innerText();
	assert.match(text, /陈小明/);
	assert.match(text, /孤儿（社会散居）/);
	assert.match(text, /父母死亡（双方）：父母死亡证明（2024 年）/);
	assert.ok(!text.includes(BOY), 'the child\'s ID number masked');
	await screenshot(staff, 'online-application-children');
	await staff.locator('[data-test=accept]').click();
	await staff.locator('[data-test=online-note]').fill('材料已核实');
	await staff.locator('[data-test=online-confirm]').click();
	await staff.locator('[data-test=case-link]').click();
	await staff.waitForURL(/\/cases\/\d+$/);
	const child = staff.locator('[data-test=child]');
	await child.waitFor();
	assert.match(await child.innerText(), /陈小明/);
	assertClean(staff, NOT_YET);
	await staff.closeAll();
});
