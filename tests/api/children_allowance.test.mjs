// tests/api/children_allowance.test.mjs - the children's basic living
// allowance (issue 10, docs/children.md) against a real `doudi serve` on a
// store that lives in January 2022 (DOUDI_DEMO_CLOCK_DAYS): applications of
// programme children, approval with the exit rule (18th birthday, the
// postponement switch), the same-month switch, the tekun refusal, and the
// payroll of programme children through the existing generator.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, idnum, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
const DAY = 86400000;
// the store's clock: 2022-01-20 (China); whole days back from now
const SHIFT = -Math.ceil((Date.now() + 8 * 3600000 - Date.UTC(2022, 0, 20, 12)) / DAY);
let db, tmp;
let on, off; // servers: the emergency policy (postponement and same month on), and the shipped one
const who = {}; // sessions on `on`
const whoOff = {};
const person = {};

function policyFile(name, extra) {
	const pol = JSON.parse(readFileSync('policy/default.json', 'utf8'));
	pol.parameters.push(...extra);
	const f = path.join(tmp, name);
	writeFileSync(f, JSON.stringify(pol));
	return f;
}
const sw = (name, from, value) => ({ name, region: '50', from, value, kind: 'boolean', source: 'test' });

async function makeUser(base, admin, username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: admin.cookie,
		csrf: admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-children-'));
	process.env.DOUDI_DEMO_CLOCK_DAYS = String(SHIFT);
	db = freshDb('children_allowance');
	init(db.target);
	// households: a grandparent heads each; the children born 2004-02-10,
	// 2004-02-12 (18 in February 2022), 2012-05-01; a tekun child
	const rows = [
		['CH-1', '50015419500101001', '甲祖', 'head'],
		['CH-1', '50015420040210001', '甲孤', 'grandchild'],
		['CH-2', '50015419500101002', '乙祖', 'head'],
		['CH-2', '50015420040212002', '乙孤', 'grandchild'],
		['CH-3', '50015419500101003', '丙祖', 'head'],
		['CH-3', '50015420120501003', '丙童', 'grandchild'],
		['CH-4', '50015419500101004', '丁祖', 'head'],
		['CH-4', '50015420100301004', '丁童', 'grandchild'],
	];
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		rows.map((r) => [r[0], '500154001001', 'rural', idnum(r[1]), r[2], r[3], 'none', '0.00'].join(',')).join('\r\n') +
		'\r\n';
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', db.target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	for (const row of rows) person[row[2]] = Number(sql(db.target, `SELECT id FROM persons WHERE id_number = '${idnum(row[1])}'`));

	const emergency = policyFile('emergency.json', [
		sw('children.exit_postponed', '2022-01-01', true),
		sw('children.exit_postponed', '2022-06-01', false),
		sw('children.same_month', '2022-01-01', true),
		sw('children.same_month', '2022-07-01', false),
	]);
	on = await startServer(db.target, ['--ip-max-failures', '1000', '--policy', emergency]);
	off = await startServer(db.target, ['--ip-max-failures', '1000']);
	const admin = await login(on.url, 'admin', ADMIN_PASSWORD);
	await makeUser(on.url, admin, 'ch_village', 'village', '500154001001');
	await makeUser(on.url, admin, 'ch_township', 'township', '500154001');
	await makeUser(on.url, admin, 'ch_township2', 'township', '500154002');
	await makeUser(on.url, admin, 'ch_county', 'county', '500154');
	for (const [k, u] of [['village', 'ch_village'], ['township', 'ch_township'], ['township2', 'ch_township2'], ['county', 'ch_county']]) {
		who[k] = await login(on.url, u, PW);
		whoOff[k] = await login(off.url, u, PW);
	}
});

after(async () => {
	delete process.env.DOUDI_DEMO_CLOCK_DAYS;
	const a = on ? await on.stop() : { code: 0 };
	const b = off ? await off.stop() : { code: 0 };
	try {
		assert.equal(a.code, 0, 'clean exit');
		assert.equal(b.code, 0, 'clean exit (off)');
		assert.doesNotMatch(on.log() + off.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
		rmSync(tmp, { recursive: true, force: true });
	}
});

const post = (base, as, p, body) => call(base, 'POST', p, { body, cookie: as.cookie, csrf: as.csrf });
const get = (base, as, p) => call(base, 'GET', p, { cookie: as.cookie });
const orphanFacts = [{ kind: 'death', parent: 'both', evidence: '死亡证明 2021-09' }];

// accept, verify, investigate, review, publish the notice, let it run out, approve
async function approve(base, w, id, extra = {}, status = 200) {
	const step = async (as, action, more = {}, want = 200) => {
		const cur = await get(base, w.county, `/api/v1/applications/${id}`);
		assert.equal(cur.status, 200, JSON.stringify(cur.body));
		const r = await post(base, as, `/api/v1/applications/${id}/actions`, { action, version: cur.body.version, ...more });
		assert.equal(r.status, want, `${action}: ${JSON.stringify(r.body)}`);
		return r;
	};
	await step(w.township, 'accept');
	await step(w.county, 'verify');
	await step(w.village, 'investigate', { note: '入户核实' });
	await step(w.township, 'review');
	await step(w.township, 'publish_notice');
	// the notice ran out: moved ten days back on the store's clock
	const at = new Date(Date.now() + SHIFT * DAY - 10 * DAY).toISOString();
	sql(db.target, `UPDATE case_history SET at = '${at}' WHERE application_id = ${id} AND action = 'publish_notice'`);
	return step(w.county, 'approve', extra, status);
}

function decisionOf(id) {
	const [from, to, benefit, det] = sql(db.target, `SELECT effective_from || '|' || COALESCE(effective_to, '') || '|' || monthly_benefit || '|' || determination FROM decisions WHERE application_id = ${id}`).split('|');
	return { from, to, benefit: Number(benefit), det };
}
async function generate(base, as, period) {
	const r = await post(base, as, '/api/v1/payroll/batches', { region: '500154', period, programme: 'children' });
	assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
	return r.body;
}
const paid = (pid, period) =>
	Number(sql(db.target, `SELECT COALESCE(sum(amount), 0) FROM payments WHERE programme = 'children' AND person_id = ${pid} AND period = '${period}' AND state <> 'cancelled'`));

describe('applications of programme children', () => {
	test('bad input names the field; a child outside the scope is 404; an adult is refused', async () => {
		const base = on.url;
		const cases = [
			[{ programme: 'children', commitment: true, category: 'orphan', care_type: 'dispersed', facts: orphanFacts }, 'person_id'],
			[{ programme: 'children', commitment: true, person_id: person['甲孤'], category: 'x', care_type: 'dispersed', facts: orphanFacts }, 'category'],
			[{ programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'x', facts: orphanFacts }, 'care_type'],
			[{ programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'dispersed' }, 'facts'],
			[{ programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'dispersed', facts: [{ kind: 'death' }] }, 'facts'],
			[{ programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'dispersed', facts: [{ kind: 'imprisoned', commitment: true }] }, 'facts'],
		];
		for (const [body, field] of cases) {
			const r = await post(base, who.village, '/api/v1/applications', body);
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field);
		}
		const out = await post(base, who.township2, '/api/v1/applications', { programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'dispersed', facts: orphanFacts });
		assert.equal(out.status, 404);
		const adult = await post(base, who.village, '/api/v1/applications', { programme: 'children', commitment: true, person_id: person['甲祖'], category: 'orphan', care_type: 'dispersed', facts: orphanFacts });
		assert.equal(adult.status, 422);
		assert.equal(adult.body.error.code, 'NOT_A_CHILD');
	});
});

describe('exit at 18 and the postponement switch (issue 10 Done-when)', () => {
	let idOn, idOff;
	test('an orphan born 2004-02-10 approved with the switch on (2022-01-01 to 2022-05-31): paid through June 2022', async () => {
		const r = await post(on.url, who.village, '/api/v1/applications', { programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'dispersed', facts: orphanFacts });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		idOn = r.body.id;
		assert.equal(r.body.programme, 'children');
		// the case shows the child (ID number masked) and the request
		const ch = r.body.children;
		assert.equal(ch.person_id, person['甲孤']);
		assert.equal(ch.name, '甲孤');
		assert.equal(ch.birth_date, '2004-02-10');
		assert.match(ch.id_number, /^500154\*{8}\d{3}[\dX]$/);
		assert.equal(ch.category, 'orphan');
		assert.equal(ch.care_type, 'dispersed');
		assert.deepEqual(ch.facts, [{ kind: 'death', parent: 'both', evidence: '死亡证明 2021-09', commitment: false }]);
		const dup = await post(on.url, who.village, '/api/v1/applications', { programme: 'children', commitment: true, person_id: person['甲孤'], category: 'orphan', care_type: 'dispersed', facts: orphanFacts });
		assert.equal(dup.status, 409);
		assert.equal(dup.body.error.field, 'person_id');
		const a = await approve(on.url, who, idOn);
		assert.equal(a.body.state, 'approved');
		assert.equal(a.body.assessment.determination, 'children');
		assert.equal(a.body.assessment.result.last_month, '2022-06');
		assert.equal(a.body.assessment.result.postponed, true);
		const d = decisionOf(idOn);
		assert.deepEqual(d, { from: '2022-01-01', to: '2022-07-01', benefit: 138200, det: 'children' });
	});
	test('with the switch off (the shipped policy) the last month is February', async () => {
		const r = await post(off.url, whoOff.village, '/api/v1/applications', { programme: 'children', commitment: true, person_id: person['乙孤'], category: 'orphan', care_type: 'institution', facts: orphanFacts });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		idOff = r.body.id;
		const a = await approve(off.url, whoOff, idOff);
		assert.equal(a.body.assessment.result.last_month, '2022-02');
		assert.deepEqual(decisionOf(idOff), { from: '2022-02-01', to: '2022-03-01', benefit: 158200, det: 'children' });
	});
	test('the payroll of programme children pays them month by month through the generator', async () => {
		await generate(on.url, who.county, '2022-01');
		assert.equal(paid(person['甲孤'], '2022-01'), 138200, 'same month: January is paid');
		assert.equal(paid(person['乙孤'], '2022-01'), 0, 'next month without the switch');
		await generate(on.url, who.county, '2022-02');
		assert.equal(paid(person['乙孤'], '2022-02'), 158200, 'February: the month of the 18th birthday');
		await generate(on.url, who.county, '2022-03');
		assert.equal(paid(person['乙孤'], '2022-03'), 0, 'switch off: exits in March');
		assert.equal(paid(person['甲孤'], '2022-03'), 138200);
		await generate(on.url, who.county, '2022-06');
		assert.equal(paid(person['甲孤'], '2022-06'), 138200, 'switch on: June is paid');
		const july = await generate(on.url, who.county, '2022-07');
		assert.equal(paid(person['甲孤'], '2022-07'), 0, 'and exits in July');
		assert.equal(july.items[0].programme, 'children');
		const batch = Number(sql(db.target, "SELECT count(*) FROM payroll_batches WHERE programme = 'children' AND period = '2022-06'"));
		assert.equal(batch, 1);
		// the checks before approval find nothing: the line is within its standard
		const june = Number(sql(db.target, "SELECT id FROM payroll_batches WHERE programme = 'children' AND period = '2022-06'"));
		const v = Number(sql(db.target, `SELECT version FROM payroll_batches WHERE id = ${june}`));
		const c = await post(on.url, who.county, `/api/v1/payroll/batches/${june}/actions`, { action: 'check', version: v });
		assert.equal(c.status, 200, JSON.stringify(c.body));
		assert.equal(c.body.state, 'checked');
		// a line above the standard is found by over_limit
		sql(db.target, `UPDATE payments SET amount = 999900 WHERE batch_id = ${june}`);
		const c2 = await post(on.url, who.county, `/api/v1/payroll/batches/${june}/actions`, { action: 'reopen', version: c.body.version });
		assert.equal(c2.status, 200, JSON.stringify(c2.body));
		const c3 = await post(on.url, who.county, `/api/v1/payroll/batches/${june}/actions`, { action: 'check', version: c2.body.version });
		assert.equal(c3.status, 422, JSON.stringify(c3.body));
		assert.equal(sql(db.target, `SELECT check_code FROM payroll_findings WHERE batch_id = ${june}`), 'over_limit');
		sql(db.target, `UPDATE payments SET amount = 138200 WHERE batch_id = ${june}`);
	});
});

describe('same month in an emergency, and one programme only', () => {
	test('a same-month application in the emergency period is approved and is in that month\'s payroll', async () => {
		const r = await post(on.url, who.village, '/api/v1/applications', { programme: 'children', commitment: true, person_id: person['丙童'], category: 'unsupported', care_type: 'dispersed', facts: [{ kind: 'imprisoned', parent: 'father', commitment: true }, { kind: 'lost_contact', parent: 'mother', commitment: true }] });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		await approve(on.url, who, r.body.id);
		const d = decisionOf(r.body.id);
		assert.equal(d.from, '2022-01-01');
		assert.equal(d.to, '2030-06-01', 'born 2012-05-01: 18 in May 2030');
		assert.equal(d.benefit, 122500);
		await generate(on.url, who.county, '2022-01');
		assert.equal(paid(person['丙童'], '2022-01'), 122500, 'an adjustment pays the new line in January');
		// the children register shows who receives the allowance (in force today, 2022-01-20)
		const reg = await get(on.url, who.county, `/api/v1/children?name=${encodeURIComponent('童')}`);
		assert.equal(reg.status, 200, JSON.stringify(reg.body));
		const mine = reg.body.items.find((x) => x.person_id === person['丙童']);
		assert.deepEqual(mine.allowance && [mine.allowance.category, mine.allowance.monthly_benefit, mine.allowance.effective_to], ['unsupported_child', '1225.00', '2030-06-01']);
		assert.equal(reg.body.items.find((x) => x.person_id === person['丁童']).allowance, null);
	});
	test('a child in a tekun decision in force: 422 CHOOSE_ONE_PROGRAMME, or keep children and the tekun decision ends', async () => {
		const pid = person['丁童'];
		const hid = Number(sql(db.target, `SELECT household_id FROM memberships WHERE person_id = ${pid}`));
		sql(db.target, `INSERT INTO decisions (household_id, person_id, region_code, programme, determination, monthly_benefit, effective_from, assessed_on, result, trace, params, created_at) VALUES (${hid}, ${pid}, '500154001001', 'tekun', 'tekun', 82700, '2021-10-01', '2021-09-20', '{}', '[]', '{}', '2021-09-20T00:00:00Z')`);
		const did = Number(sql(db.target, `SELECT max(id) FROM decisions WHERE programme = 'tekun' AND person_id = ${pid}`));
		sql(db.target, `INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, component, category, amount, created_at) VALUES (${did}, ${hid}, ${pid}, '500154001001', 'tekun', 'tekun_basic', 'tekun', 82700, '2021-09-20T00:00:00Z')`);
		const r = await post(on.url, who.village, '/api/v1/applications', { programme: 'children', commitment: true, person_id: pid, category: 'orphan', care_type: 'dispersed', facts: orphanFacts });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const refused = await approve(on.url, who, r.body.id, {}, 422);
		assert.equal(refused.body.error.code, 'CHOOSE_ONE_PROGRAMME');
		const cur = await get(on.url, who.county, `/api/v1/applications/${r.body.id}`);
		const ok = await post(on.url, who.county, `/api/v1/applications/${r.body.id}/actions`, { action: 'approve', version: cur.body.version, keep_programme: 'children' });
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(sql(db.target, `SELECT effective_to FROM decisions WHERE id = ${did}`), '2022-01-01');
	});
});

describe('one programme, from the tekun side', () => {
	test('a tekun approval for a child with the allowance: 422 CHOOSE_ONE_PROGRAMME, or keep tekun and the allowance ends', async () => {
		const pid = person['丙童']; // the same-month child above: a children decision from 2022-01-01
		const hid = Number(sql(db.target, `SELECT household_id FROM memberships WHERE person_id = ${pid}`));
		const cd = Number(sql(db.target, `SELECT id FROM decisions WHERE programme = 'children' AND person_id = ${pid} AND superseded_by IS NULL`));
		assert.ok(cd > 0);
		sql(db.target, `UPDATE persons SET supporters = 'none' WHERE id = ${pid}`); // no one bound to support the child
		const r = await post(on.url, who.village, '/api/v1/applications', { programme: 'tekun', household_id: hid, commitment: true });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const refused = await approve(on.url, who, r.body.id, {}, 422);
		assert.equal(refused.body.error.code, 'CHOOSE_ONE_PROGRAMME', JSON.stringify(refused.body));
		assert.equal(refused.body.error.field, 'keep_programme');
		assert.equal(sql(db.target, `SELECT count(*) FROM decisions WHERE application_id = ${r.body.id}`), '0', 'nothing written');
		assert.equal(sql(db.target, `SELECT COALESCE(effective_to, '') FROM decisions WHERE id = ${cd}`), '2030-06-01');
		const cur = await get(on.url, who.county, `/api/v1/applications/${r.body.id}`);
		const ok = await post(on.url, who.county, `/api/v1/applications/${r.body.id}/actions`, { action: 'approve', version: cur.body.version, keep_programme: 'tekun' });
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		const from = sql(db.target, `SELECT effective_from FROM decisions WHERE application_id = ${r.body.id}`);
		assert.equal(sql(db.target, `SELECT effective_to FROM decisions WHERE id = ${cd}`), from, 'the allowance ends on the tekun decision\'s first day');
		assert.equal(sql(db.target, `SELECT count(*) FROM decision_lines l JOIN decisions d ON d.id = l.decision_id WHERE d.application_id = ${r.body.id} AND l.person_id = ${pid} AND l.component = 'tekun_basic'`), '1');
	});
});

describe('the monthly review (POST /api/v1/children/review)', () => {
	test('roles and bad input; the 2023 standard re-decides the orphan\'s amount from January, once', async () => {
		const no = await post(on.url, who.township, '/api/v1/children/review', { month: '2023-01' });
		assert.equal(no.status, 403, JSON.stringify(no.body));
		assert.equal(no.body.error.code, 'ROLE_NOT_ALLOWED');
		const bad = await post(on.url, who.county, '/api/v1/children/review', { month: '2023-13' });
		assert.equal(bad.status, 400, JSON.stringify(bad.body));
		assert.equal(bad.body.error.field, 'month');
		const pid = person['丁童'];
		const before = Number(sql(db.target, `SELECT id FROM decisions WHERE programme = 'children' AND person_id = ${pid} AND superseded_by IS NULL`));
		const r = await post(on.url, who.county, '/api/v1/children/review', { month: '2023-01' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.month, '2023-01');
		const c = r.body.changes.find((x) => x.decision_id === before);
		assert.ok(c, JSON.stringify(r.body));
		assert.deepEqual([c.amount_before, c.amount], ['1382.00', '1405.00'], 'orphan dispersed: 2022 → 2023 standard');
		assert.equal(sql(db.target, `SELECT effective_to || ' ' || superseded_by FROM decisions WHERE id = ${before}`), `2023-01-01 ${c.new_decision_id}`);
		assert.equal(sql(db.target, `SELECT monthly_benefit || ' ' || effective_from FROM decisions WHERE id = ${c.new_decision_id}`), '140500 2023-01-01');
		assert.equal(sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'children.uprate' AND entity_id = '${before}'`), '1');
		const again = await post(on.url, who.county, '/api/v1/children/review', { month: '2023-01' });
		assert.equal(again.status, 200);
		assert.deepEqual(again.body.changes, [], 'a re-run changes nothing');
	});
});
