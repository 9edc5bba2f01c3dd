// tests/api/temporary.test.mjs - temporary assistance cases (临时救助): first
// aid the same day from the township reserve fund with the paperwork after,
// tiered approval (422 ABOVE_ROLE_LIMIT with the reason), the case-by-case
// note above temp.max_multiple × S, staged payments, and the reserve-fund
// balance on the case, against a real `doudi serve`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
const T1 = '500154001';
const T2 = '500154002';
let db, srv, base, tmp;
const u = {};
let householdId;

// An ID number with a valid check digit (GB 11643).
function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

// One household in a village of T1, imported (the registry API is another branch).
function importHousehold(target) {
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`TMP-1,500154001001,rural,${idnum('50015419600101011')},庚某,head,none,100.00\r\n`;
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	return Number(sql(target, "SELECT id FROM households WHERE household_no = 'TMP-1'"));
}

async function makeUser(admin, username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: admin.cookie,
		csrf: admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	const s = await login(base, username, PW);
	assert.equal(s.res.status, 200);
	return s;
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-temp-'));
	db = freshDb('temporary');
	init(db.target);
	householdId = importHousehold(db.target);
	srv = await startServer(db.target, ['--threads', '4', '--ip-max-failures', '1000']);
	base = srv.url;
	const admin = await login(base, 'admin', ADMIN_PASSWORD);
	const want = [
		['county1', 'county', '500154'],
		['finance1', 'finance', '500154'],
		['town1', 'township', T1],
		['town2', 'township', T2],
		['village1', 'village', '500154001001'],
		['auditor1', 'auditor', '500154'],
	];
	for (const [name, role, region] of want) u[name] = await makeUser(admin, name, role, region);
	const adv = await call(base, 'POST', `/api/v1/reserve-funds/${T1}/entries`, {
		body: { kind: 'advance', amount: '5000.00' },
		cookie: u.county1.cookie,
		csrf: u.county1.csrf,
	});
	assert.equal(adv.status, 201);
});

after(async () => {
	const { code } = await srv.stop();
	try {
		assert.equal(code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
		rmSync(tmp, { recursive: true, force: true });
	}
});

const create = (who, body) =>
	call(base, 'POST', '/api/v1/temporary-cases', { body, cookie: who.cookie, csrf: who.csrf });
const act = (who, id, body) =>
	call(base, 'POST', `/api/v1/temporary-cases/${id}/actions`, { body, cookie: who.cookie, csrf: who.csrf });
const get = (who, id) => call(base, 'GET', `/api/v1/temporary-cases/${id}`, { cookie: who.cookie });
const fen = (s) => {
	assert.match(s, /^\d+\.\d\d$/);
	return Math.round(Number(s) * 100);
};
const yuan = (f) => `${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`;

describe('a fire in a village: first aid, township approval, stages', () => {
	let id;
	let version;

	test('the village registers the case where the emergency happened, whatever the registration', async () => {
		const r = await create(u.village1, {
			region: '500154001001',
			case_kind: 'emergency',
			cause: 'fire',
			severity: 'serious',
			area: 'rural',
			registration_region: '510100', // a migrant registered in 成都
			requested_amount: '3000.00',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		id = r.body.id;
		version = r.body.version;
		assert.equal(r.body.state, 'submitted');
		assert.equal(r.body.region, '500154001001');
		assert.equal(r.body.temporary.cause_label, '火灾');
		assert.equal(r.body.temporary.case_kind_label, '急难型');
		assert.equal(r.body.temporary.registration_region, '510100');
		const l = r.body.temporary.limits;
		assert.equal(l.first_aid_limit, '1000.00');
		assert.equal(l.township_limit, '3000.00');
		assert.equal(fen(l.case_by_case_above), l.max_multiple * fen(l.standard));
		assert.equal(fen(l.usual_amount), l.severity_multiple * fen(l.standard));
		assert.equal(r.body.reserve_fund.region, T1);
		assert.equal(r.body.reserve_fund.balance, '5000.00');
		assert.equal(r.body.temporary.approval, null);
		assert.deepEqual(r.body.allowed_actions, ['first_aid']);
		assert.deepEqual((await get(u.town1, id)).body.allowed_actions, ['first_aid', 'approve', 'reject']);
		assert.deepEqual((await get(u.county1, id)).body.allowed_actions, ['approve', 'reject']);
	});

	test('first aid is paid at once from the reserve fund; the case shows it', async () => {
		const r = await act(u.village1, id, { action: 'first_aid', version, amount: '600.00', note: '火灾当日' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.temporary.first_aid.amount, '600.00');
		assert.equal(r.body.temporary.first_aid.paperwork_done, false);
		assert.equal(r.body.reserve_fund.balance, '4400.00');
		assert.equal(r.body.state, 'submitted');
		assert.deepEqual(r.body.allowed_actions, ['first_aid', 'paperwork']);
		assert.deepEqual((await get(u.town1, id)).body.allowed_actions, ['first_aid', 'paperwork', 'reject']);
		assert.ok(r.body.version > version);
		version = r.body.version;
		assert.equal(
			sql(db.target, `SELECT count(*) FROM reserve_fund_entries WHERE application_id = ${id} AND kind = 'draw'`),
			'1',
		);
	});

	test('first aid above the limit in total is refused with the reason; nothing is drawn', async () => {
		const r = await act(u.village1, id, { action: 'first_aid', version, amount: '400.01' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'FIRST_AID_ABOVE_LIMIT');
		assert.match(r.body.error.message, /1000\.00/);
		const g = await get(u.village1, id);
		assert.equal(g.body.version, version, 'the refused action left the version');
		assert.equal(g.body.reserve_fund.balance, '4400.00');
		const ok = await act(u.village1, id, { action: 'first_aid', version, amount: '400.00' });
		assert.equal(ok.status, 200);
		assert.equal(ok.body.temporary.first_aid.amount, '1000.00');
		assert.equal(ok.body.reserve_fund.balance, '4000.00');
		version = ok.body.version;
	});

	test('approval waits for the paperwork of the first aid', async () => {
		const r = await act(u.town1, id, { action: 'approve', version, amount: '2000.00' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'PAPERWORK_PENDING');
		const noNote = await act(u.village1, id, { action: 'paperwork', version });
		assert.equal(noNote.status, 400);
		assert.equal(noNote.body.error.field, 'note');
		const p = await act(u.village1, id, { action: 'paperwork', version, note: '补充：火灾证明已收集' });
		assert.equal(p.status, 200);
		assert.equal(p.body.temporary.first_aid.paperwork_done, true);
		version = p.body.version;
	});

	test('the township above its limit gets 422 ABOVE_ROLE_LIMIT with the reason', async () => {
		const r = await act(u.town1, id, { action: 'approve', version, amount: '3000.01' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'ABOVE_ROLE_LIMIT');
		assert.match(r.body.error.message, /3000\.01/);
		assert.match(r.body.error.message, /3000\.00/);
		assert.match(r.body.error.message, /区县/);
		const v = await act(u.village1, id, { action: 'approve', version, amount: '100.00' });
		assert.equal(v.status, 422);
		assert.equal(v.body.error.code, 'ROLE_CANNOT_APPROVE');
		const stale = await act(u.town1, id, { action: 'approve', version: version - 1, amount: '3000.00' });
		assert.equal(stale.status, 409);
		assert.equal(stale.body.error.code, 'STALE_VERSION');
		const low = await act(u.town1, id, { action: 'approve', version, amount: '999.99' });
		assert.equal(low.status, 422);
		assert.equal(low.body.error.code, 'BELOW_FIRST_AID');
	});

	test('the township approves at its limit, the rest after first aid in two stages', async () => {
		const r = await act(u.town1, id, { action: 'approve', version, amount: '3000.00', stages: 2 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'approved');
		const a = r.body.temporary.approval;
		assert.equal(a.tier, 'township');
		assert.equal(a.amount, '3000.00');
		assert.deepEqual(
			r.body.temporary.stages.map((s) => [s.stage, s.amount, s.state]),
			[
				[1, '1000.00', 'planned'],
				[2, '1000.00', 'planned'],
			],
		);
		assert.equal(r.body.temporary.paid_total, '1000.00');
		assert.equal(r.body.reserve_fund.balance, '4000.00', 'approval alone moves no money');
		version = r.body.version;
	});

	test('stages are paid by the township from the reserve fund; the last one closes the case', async () => {
		const county = await act(u.county1, id, { action: 'pay_stage', version, stage: 1 });
		assert.equal(county.status, 422);
		assert.equal(county.body.error.code, 'ROLE_CANNOT_PAY');
		const one = await act(u.town1, id, { action: 'pay_stage', version, stage: 1 });
		assert.equal(one.status, 200);
		assert.equal(one.body.reserve_fund.balance, '3000.00');
		assert.equal(one.body.temporary.stages[0].state, 'paid');
		assert.equal(typeof one.body.temporary.stages[0].reserve_entry_id, 'number');
		version = one.body.version;
		const again = await act(u.town1, id, { action: 'pay_stage', version, stage: 1 });
		assert.equal(again.status, 422);
		assert.equal(again.body.error.code, 'STAGE_NOT_PAYABLE');
		const two = await act(u.town1, id, { action: 'pay_stage', version, stage: 2 });
		assert.equal(two.status, 200);
		assert.equal(two.body.state, 'closed');
		assert.equal(two.body.temporary.paid_total, '3000.00');
		assert.equal(two.body.reserve_fund.balance, '2000.00');
		assert.deepEqual(
			two.body.history.map((h) => h.action),
			['submit', 'first_aid', 'first_aid', 'paperwork', 'approve', 'pay_stage', 'pay_stage'],
		);
		assert.equal(
			sql(db.target, `SELECT sum(amount) FROM reserve_fund_entries WHERE application_id = ${id} AND kind = 'draw'`),
			'300000',
		);
		assert.equal(sql(db.target, `SELECT count(*) FROM audit_log WHERE entity = 'application' AND entity_id = '${id}'`), '7');
	});
});

describe('a grave medical expense: county, case by case, paid by the county', () => {
	let id;
	let version;
	let cap;

	test('the township cannot approve above its limit; the county needs a note above max_multiple × S', async () => {
		const r = await create(u.town1, {
			region: T1,
			case_kind: 'expenditure',
			cause: 'medical',
			severity: 'grave',
			area: 'rural',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		id = r.body.id;
		version = r.body.version;
		cap = fen(r.body.temporary.limits.case_by_case_above);
		const t = await act(u.town1, id, { action: 'approve', version, amount: yuan(cap) });
		assert.equal(t.status, 422);
		assert.equal(t.body.error.code, 'ABOVE_ROLE_LIMIT');
		const above = yuan(cap + 1);
		const c = await act(u.county1, id, { action: 'approve', version, amount: above });
		assert.equal(c.status, 422);
		assert.equal(c.body.error.code, 'CASE_BY_CASE_NOTE_REQUIRED');
		assert.equal(c.body.error.field, 'case_by_case_note');
		assert.match(c.body.error.message, new RegExp(yuan(cap).replace('.', '\\.')));
		const badStages = await act(u.county1, id, {
			action: 'approve',
			version,
			amount: above,
			case_by_case_note: '区县协调机制会商同意',
			stages: ['100.00', '100.00'],
		});
		assert.equal(badStages.status, 400);
		assert.equal(badStages.body.error.field, 'stages');
		const ok = await act(u.county1, id, {
			action: 'approve',
			version,
			amount: above,
			case_by_case_note: '区县协调机制会商同意',
			stages: [yuan(cap + 1 - 10000), '100.00'],
		});
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(ok.body.temporary.approval.tier, 'case_by_case');
		assert.equal(ok.body.temporary.approval.case_by_case_note, '区县协调机制会商同意');
		assert.equal(ok.body.temporary.stages.length, 2);
		version = ok.body.version;
	});

	test('county-tier stages are paid by finance, not from the township reserve fund', async () => {
		const before = (await get(u.town1, id)).body.reserve_fund.balance;
		const t = await act(u.town1, id, { action: 'pay_stage', version, stage: 1 });
		assert.equal(t.status, 422);
		assert.equal(t.body.error.code, 'ROLE_CANNOT_PAY');
		const f = await act(u.finance1, id, { action: 'pay_stage', version, stage: 1 });
		assert.equal(f.status, 200);
		assert.equal(f.body.temporary.stages[0].state, 'paid');
		assert.equal(f.body.temporary.stages[0].reserve_entry_id, null);
		assert.equal(f.body.reserve_fund.balance, before);
		assert.equal(f.body.state, 'approved');
	});
});

describe('regions, roles, input, and the fund running dry', () => {
	test('outside the region: 404; roles that do not register: 403; bad input names the field', async () => {
		const r = await create(u.town1, { region: T1, case_kind: 'emergency', cause: 'accident', area: 'urban' });
		assert.equal(r.status, 201);
		assert.equal((await get(u.town2, r.body.id)).status, 404);
		assert.equal((await act(u.town2, r.body.id, { action: 'reject', version: 1, note: 'x' })).status, 404);
		assert.equal((await get(u.auditor1, r.body.id)).status, 200);
		const out = await create(u.town1, { region: T2, case_kind: 'emergency', cause: 'fire', area: 'rural' });
		assert.equal(out.status, 404);
		const fin = await create(u.finance1, { region: T1, case_kind: 'emergency', cause: 'fire', area: 'rural' });
		assert.equal(fin.status, 403);
		const rows = [
			[{ region: T1, case_kind: 'emergency', cause: 'medical', area: 'rural' }, 'cause'],
			[{ region: T1, case_kind: 'sudden', cause: 'fire', area: 'rural' }, 'case_kind'],
			[{ region: T1, case_kind: 'emergency', cause: 'fire', area: 'town' }, 'area'],
			[{ region: '500154', case_kind: 'emergency', cause: 'fire', area: 'rural' }, 'region'],
			[{ region: T1, case_kind: 'emergency', cause: 'fire', area: 'rural', severity: 'worst' }, 'severity'],
		];
		for (const [body, field] of rows) {
			const b = await create(u.town1, body);
			assert.equal(b.status, 400, JSON.stringify(body));
			assert.equal(b.body.error.field, field);
		}
		const rej = await act(u.town1, r.body.id, { action: 'reject', version: r.body.version });
		assert.equal(rej.status, 400);
		assert.equal(rej.body.error.field, 'note');
		const amt = await act(u.town1, r.body.id, { action: 'first_aid', version: r.body.version, amount: '1.234' });
		assert.equal(amt.status, 400);
		assert.equal(amt.body.error.field, 'amount');
		const done = await act(u.town1, r.body.id, { action: 'reject', version: r.body.version, note: '不符合条件' });
		assert.equal(done.status, 200);
		assert.equal(done.body.state, 'rejected');
		const late = await act(u.town1, r.body.id, { action: 'first_aid', version: done.body.version, amount: '1.00' });
		assert.equal(late.status, 422);
		assert.equal(late.body.error.code, 'STATE_NOT_ALLOWED');
	});

	test('first aid from an empty reserve fund is refused and leaves the case as it was', async () => {
		const r = await create(u.town2, { region: T2, case_kind: 'emergency', cause: 'illness', area: 'rural' });
		assert.equal(r.status, 201);
		const fa = await act(u.town2, r.body.id, { action: 'first_aid', version: r.body.version, amount: '500.00' });
		assert.equal(fa.status, 422);
		assert.equal(fa.body.error.code, 'RESERVE_INSUFFICIENT');
		const g = await get(u.town2, r.body.id);
		assert.equal(g.body.temporary.first_aid.amount, '0.00');
		assert.equal(g.body.version, r.body.version);
	});

	test('two first aids on the same version: one is paid, the other is stale', async () => {
		const r = await create(u.village1, {
			region: '500154001001',
			case_kind: 'emergency',
			cause: 'natural_disaster',
			area: 'rural',
		});
		const before = fen((await get(u.town1, r.body.id)).body.reserve_fund.balance);
		const both = await Promise.all([
			act(u.village1, r.body.id, { action: 'first_aid', version: r.body.version, amount: '100.00' }),
			act(u.town1, r.body.id, { action: 'first_aid', version: r.body.version, amount: '100.00' }),
		]);
		assert.deepEqual(both.map((x) => x.status).sort(), [200, 409]);
		const g = await get(u.town1, r.body.id);
		assert.equal(g.body.temporary.first_aid.amount, '100.00');
		assert.equal(fen(g.body.reserve_fund.balance), before - 10000);
	});
});

describe('through the applications API (API.md): programme temporary', () => {
	test('POST /api/v1/applications makes a temporary case where the household lives; actions and the case view are the same', async () => {
		const r = await call(base, 'POST', '/api/v1/applications', {
			body: { household_id: householdId, programme: 'temporary', case_kind: 'expenditure', cause: 'education', area: 'rural' },
			cookie: u.village1.cookie,
			csrf: u.village1.csrf,
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const id = r.body.id;
		assert.equal(r.body.programme, 'temporary');
		assert.equal(r.body.household_id, householdId);
		assert.equal(r.body.temporary.cause_label, '教育支出');
		assert.equal(r.body.reserve_fund.region, T1);
		const balance = fen(r.body.reserve_fund.balance);
		const path1 = `/api/v1/applications/${id}/actions`;
		const opts = (who, body) => ({ body, cookie: who.cookie, csrf: who.csrf });
		const fa = await call(base, 'POST', path1, opts(u.village1, { action: 'first_aid', version: r.body.version, amount: '200.00' }));
		assert.equal(fa.status, 200, JSON.stringify(fa.body));
		assert.equal(fa.body.temporary.first_aid.amount, '200.00');
		assert.equal(fen(fa.body.reserve_fund.balance), balance - 20000);
		const pw = await call(base, 'POST', path1, opts(u.village1, { action: 'paperwork', version: fa.body.version, note: '学费票据已补' }));
		assert.equal(pw.status, 200);
		const above = await call(base, 'POST', path1, opts(u.town1, { action: 'approve', version: pw.body.version, amount: '3000.01' }));
		assert.equal(above.status, 422);
		assert.equal(above.body.error.code, 'ABOVE_ROLE_LIMIT');
		assert.match(above.body.error.message, /3000\.00/);
		const ok = await call(base, 'POST', path1, opts(u.town1, { action: 'approve', version: pw.body.version, amount: '1200.00', stages: ['500.00', '500.00'] }));
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(ok.body.temporary.approval.tier, 'township');
		assert.equal(ok.body.state, 'approved');
		const g = await call(base, 'GET', `/api/v1/applications/${id}`, { cookie: u.town1.cookie });
		assert.equal(g.status, 200);
		assert.deepEqual(g.body.temporary.stages.map((x) => x.amount), ['500.00', '500.00']);
		assert.deepEqual(g.body.allowed_actions, ['pay_stage'], 'the temporary actions, not the dibao procedure');
		const f = await call(base, 'GET', `/api/v1/applications/${id}`, { cookie: u.finance1.cookie });
		assert.deepEqual(f.body.allowed_actions, [], 'a township-tier case is paid by the township');
		assert.equal((await call(base, 'GET', `/api/v1/applications/${id}`, { cookie: u.town2.cookie })).status, 404);
		const list = await call(base, 'GET', '/api/v1/applications?programme=temporary', { cookie: u.town1.cookie });
		assert.equal(list.status, 200);
		assert.ok(list.body.items.some((x) => x.id === id));
	});
});
