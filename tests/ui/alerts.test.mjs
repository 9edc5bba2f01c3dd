// 预警处置: the alerts of data matching (issue 7). A township officer goes
// from the workbench's alerts card to the list (due dates, overdue marked,
// filters), opens an alert, sees its ID number whole (audited), verifies it,
// takes no action with a reason and closes it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from '../api/lib.mjs';
import { assertClean, createUser, firstTownship, loginAs, openPage, screenshot, startUi } from './lib.mjs';

let ctx;
let township;
let town;
const ids = {};
let household;

const shift = (days) => new Date(Date.now() + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);

before(async () => {
	ctx = await startUi({ households: 10 });
	town = firstTownship(ctx.csv);
	township = await createUser(ctx.api, 'township', town, '吴经办');
	const t = ctx.db.target;
	household = sql(
		t,
		`SELECT h.id || '|' || p.id || '|' || p.id_number FROM households h JOIN memberships m ON m.household_id = h.id
		 JOIN persons p ON p.id = m.person_id WHERE h.region_code LIKE '${town}%' AND m.relation = 'head' ORDER BY h.id LIMIT 1`,
	).split('|');
	const [hid, pid, idn] = household;
	const now = new Date().toISOString();
	const row = (key, kind, h, isLead, state, due) =>
		`('${kind}', '${kind}', 'deaths', '${town}', ${h ? pid : 'NULL'}, ${h ? hid : 'NULL'}, '${h ? idn : '500154199001010011'}', ` +
		`'测试人', ${isLead}, '${state}', '{"rule":"${kind}","dataset":"deaths","value":"2026-09-30"}', '${key}', '${now}', '${due}', '${now}', '${now}')`;
	sql(
		t,
		`INSERT INTO alerts (kind, rule_code, source, region_code, person_id, household_id, id_number, name, lead, state,
		 detail, dedup_key, raised_at, due_date, created_at, updated_at) VALUES
		 ${row('u1', 'death', true, 0, 'open', shift(-2))},
		 ${row('u2', 'income_loss', false, 1, 'open', shift(5))},
		 ${row('u3', 'vehicle', true, 0, 'closed', shift(-4))}`,
	);
	for (const line of sql(t, "SELECT dedup_key || '=' || id FROM alerts").split('\n')) {
		const [k, id] = line.split('=');
		ids[k] = Number(id);
	}
});
after(async () => {
	if (ctx) await ctx.stop();
});

const rows = (page) => page.locator('[data-test=alerts] .el-table__body tr');

test('from the workbench card to the list: due dates, overdue marked, filters', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.locator('[data-test=alerts]').waitFor();
	assert.match(await page.locator('[data-test=alerts]').innerText(), /预警待处理\s*2[\s\S]*逾期 1 条/);
	await page.locator('[data-test=alerts-link]').click();
	await page.waitForURL(/\/alerts$/);
	await page.locator('[data-test=total]', { hasText: '共 3 条' }).waitFor();
	assert.equal(await rows(page).count(), 3);
	// by due date: the closed one (not overdue), the overdue one, the lead
	assert.match(await rows(page).nth(0).innerText(), /已办结/);
	assert.doesNotMatch(await rows(page).nth(0).innerText(), /已逾期/);
	assert.match(await rows(page).nth(1).innerText(), /死亡[\s\S]*待核实[\s\S]*已逾期/);
	assert.match(await rows(page).nth(2).innerText(), /主动发现/);
	assert.match(await rows(page).nth(1).innerText(), /\d{6}\*{8}\d{3}[\dX]/, 'the ID number masked');
	await screenshot(page, 'alerts-list');

	await page.locator('[data-test=overdue-filter]').click();
	await page.waitForURL(/overdue=1/);
	await page.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	assert.match(await rows(page).nth(0).innerText(), /死亡/);
	await page.goto(`${ctx.url}/alerts?lead=1`);
	await page.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	assert.match(await rows(page).nth(0).innerText(), /停保失业[\s\S]*主动发现/);
	await page.goto(`${ctx.url}/alerts?state=closed`);
	await page.locator('[data-test=total]', { hasText: '共 1 条' }).waitFor();
	// the menu has the page
	await page.locator('.el-menu-item', { hasText: '预警处置' }).first().waitFor();
	assertClean(page);
	await page.closeAll();
});

test('one alert: reveal (audited), verify, no action with a reason, close', async () => {
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/alerts`);
	await rows(page).nth(1).getByRole('link').click();
	await page.waitForURL(new RegExp(`/alerts/${ids.u1}$`));
	await page.locator('[data-test=state]', { hasText: '待核实' }).waitFor();
	assert.match(await page.locator('[data-test=id-number]').innerText(), /\*{8}/);
	await page.locator('[data-test=reveal]').click();
	await page.getByRole('button', { name: '确认查看' }).click();
	await page.locator('[data-test=revealed]').waitFor();
	assert.equal(await page.locator('[data-test=id-number]').innerText(), household[2]);
	assert.equal(sql(ctx.db.target, `SELECT count(*) FROM audit_log WHERE action = 'alert.reveal' AND entity_id = '${ids.u1}'`), '1');

	await page.locator('[data-test=verify]').click();
	await page.locator('[data-test=state]', { hasText: '核实中' }).waitFor();
	await page.locator('[data-test=action-choice]').getByText('不予处置').click();
	await page.locator('[data-test=act]').click();
	await page.getByText('不予处置时请填写理由').waitFor();
	await page.locator('[data-test=action-card] textarea[name=note]').fill('经核实系同名人员，非救助对象本人');
	await screenshot(page, 'alert-action');
	await page.locator('[data-test=act]').click();
	await page.locator('[data-test=state]', { hasText: '已处置' }).waitFor();
	assert.equal(await page.locator('[data-test=action]').innerText(), '不予处置');
	await page.locator('[data-test=close-card] textarea[name=result]').fill('不予处置，已办结');
	await page.locator('[data-test=close]').click();
	await page.locator('[data-test=state]', { hasText: '已办结' }).waitFor();
	// a closed alert is not overdue (the tag leaves with its transition)
	await page.locator('[data-test=overdue]').waitFor({ state: 'detached' });
	assert.equal(await page.locator('[data-test=verify-card], [data-test=action-card], [data-test=close-card]').count(), 0);
	await screenshot(page, 'alert-closed');
	assertClean(page);
	await page.closeAll();
});

test('suspend places a payment hold, which is released with a reason', async () => {
	const [hid, pid, idn] = household;
	const now = new Date().toISOString();
	const id = sql(
		ctx.db.target,
		`INSERT INTO alerts (kind, rule_code, source, region_code, person_id, household_id, id_number, name, state, detail,
		 dedup_key, raised_at, due_date, created_at, updated_at) VALUES ('vehicle', 'vehicle', 'vehicles', '${town}', ${pid},
		 ${hid}, '${idn}', '测试人', 'verifying', '{"rule":"vehicle"}', 'u4', '${now}', '${shift(3)}', '${now}', '${now}') RETURNING id`,
	);
	const page = await openPage(ctx);
	await loginAs(page, ctx, township);
	await page.waitForURL(/\/workbench$/);
	await page.goto(`${ctx.url}/alerts/${id}`);
	await page.locator('[data-test=state]', { hasText: '核实中' }).waitFor();
	await page.locator('[data-test=action-choice]').getByText('暂停发放').click();
	await page.locator('[data-test=action-card] textarea[name=note]').fill('名下有小型轿车，暂停发放待复核');
	await page.locator('[data-test=act]').click();
	await page.locator('[data-test=state]', { hasText: '已处置' }).waitFor();
	await page.getByText('暂停中（发放名册不再生成该户）').waitFor();
	await page.locator('[data-test=release-hold]').click();
	await page.getByText('请填写解除暂停发放的理由').waitFor();
	await page.locator('[data-test=release-card] textarea[name=release_note]').fill('复核后车辆已过户，恢复发放');
	await page.locator('[data-test=release-hold]').click();
	await page.getByText(/已于 .* 解除/).waitFor();
	await page.locator('[data-test=release-card]').waitFor({ state: 'detached' });
	assert.equal(sql(ctx.db.target, `SELECT count(*) FROM payment_holds WHERE alert_id = ${id} AND released_at IS NOT NULL`), '1');
	await screenshot(page, 'alert-hold-released');
	assertClean(page);
	await page.closeAll();
});
