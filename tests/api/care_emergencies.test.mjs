// tests/api/care_emergencies.test.mjs - guardianship and care emergencies
// (监护/照料缺失应急处置, issue 10 item 3): a child director reports a child
// whose guardian is quarantined; the case is first on the township's and the
// county's workbench at once, with respond_due = reported_at +
// care_emergency.response_hours (12 h), not on another township's; closing
// before a carer and a placement are recorded is 422; arrange, visit, close;
// overdue when not arranged in time; scope (another village's director sees
// 404); bad input named by field; stale versions 409; the audited reveal;
// the audit chain intact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, idnum, init, login, makeUser, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp;
const who = {};
const k = {};
const year = new Date().getUTCFullYear();
const KID = idnum(`500154${year - 7}0505001`);
const STRANGER = idnum(`500154${year - 9}0707002`);

function importHousehold(target) {
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`CE-1,500154001001,rural,${idnum('50015419850101011')},周母,head,full,100.00\r\n` +
		`CE-1,500154001001,rural,${KID},周小宝,child,none,0\r\n`;
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	return Number(sql(target, `SELECT id FROM persons WHERE id_number = '${KID}'`));
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-care-em-'));
	db = freshDb('care_emergencies');
	init(db.target);
	k.person = importHousehold(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	const mk = (u, role, region) => makeUser(base, who.admin, u, role, region, PW);
	who.director = await mk('ce_director', 'child_director', '500154001001');
	who.director2 = await mk('ce_director2', 'child_director', '500154001002');
	who.supervisor = await mk('ce_supervisor', 'child_supervisor', '500154001');
	who.town1 = await mk('ce_town1', 'township', '500154001');
	who.town2 = await mk('ce_town2', 'township', '500154002');
	who.county = await mk('ce_county', 'county', '500154');
	who.finance = await mk('ce_finance', 'finance', '500154');
});

after(async () => {
	const r = await srv.stop();
	try {
		assert.equal(r.code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
	} finally {
		db.cleanup();
		rmSync(tmp, { recursive: true, force: true });
	}
});

const P = '/api/v1/care-emergencies';
const report = (as, body) => call(base, 'POST', P, { body, cookie: as.cookie, csrf: as.csrf });
const get = (as, id, q = '') => call(base, 'GET', `${P}/${id}${q}`, { cookie: as.cookie });
const list = (as, q = '') => call(base, 'GET', `${P}${q}`, { cookie: as.cookie });
const act = (as, id, body) => call(base, 'POST', `${P}/${id}/actions`, { body, cookie: as.cookie, csrf: as.csrf });
const workbench = (as) => call(base, 'GET', '/api/v1/workbench', { cookie: as.cookie });
const quarantined = (over = {}) => ({
	subject_kind: 'child',
	person_id: k.person,
	channel: 'child_director',
	reason: 'guardian_quarantined',
	description: '母亲周某被集中隔离，7岁儿童独自在家无人照料',
	...over,
});

describe('reporting', () => {
	test('needs a session, the CSRF token and a role that handles emergencies', async () => {
		assert.equal((await call(base, 'GET', P)).status, 401);
		const r = await call(base, 'POST', P, { body: quarantined(), cookie: who.director.cookie });
		assert.equal(r.status, 403);
		assert.equal(r.body.error.code, 'CSRF');
		const f = await report(who.finance, quarantined());
		assert.equal(f.status, 403);
		assert.equal(f.body.error.code, 'ROLE_NOT_ALLOWED');
		assert.equal((await list(who.finance)).status, 403);
	});

	test('a child director reports a child whose guardian is quarantined; it is first on the township and county workbench at once', async () => {
		const r = await report(who.director, quarantined());
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.state, 'open');
		assert.equal(r.body.region, '500154001001');
		assert.equal(r.body.subject_name, '周小宝');
		assert.equal(r.body.person_id, k.person);
		assert.match(r.body.subject_id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
		assert.ok(!JSON.stringify(r.body).includes(KID));
		assert.equal(r.body.overdue, false);
		assert.equal(r.body.reported_by, 'ce_director');
		assert.deepEqual(r.body.allowed_actions, ['arrange', 'visit']);
		assert.deepEqual(r.body.events.map((e) => e.action), ['report']);
		const hours = (Date.parse(r.body.respond_due) - Date.parse(r.body.reported_at)) / 3600000;
		assert.equal(hours, 12, 'care_emergency.response_hours (12 h demo value)');
		k.a = r.body;
		for (const as of [who.town1, who.county, who.supervisor, who.director]) {
			const w = await workbench(as);
			assert.equal(w.status, 200);
			assert.equal(Object.keys(w.body)[1], 'care_emergencies', 'the first block after the date');
			assert.equal(w.body.care_emergencies.open, 1);
			assert.equal(w.body.care_emergencies.items[0].id, k.a.id);
			assert.equal(w.body.care_emergencies.items[0].respond_due, k.a.respond_due);
			assert.equal(w.body.care_emergencies.items[0].overdue, false);
		}
		const w2 = await workbench(who.town2);
		assert.equal(w2.body.care_emergencies.open, 0);
		assert.deepEqual(w2.body.care_emergencies.items, []);
		// a child director's workbench holds nothing else
		const wd = await workbench(who.director);
		assert.equal(wd.body.cases, undefined);
		assert.equal(wd.body.child_role, true);
	});

	test('an unregistered elderly person by name, reported by a hospital to the township', async () => {
		const r = await report(who.town1, {
			subject_kind: 'elderly',
			name: '吴老伯',
			id_number: STRANGER,
			region: '500154001002',
			channel: 'hospital',
			reason: 'carer_unable',
			description: '照料人住院，老人失能无人照料',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.person_id, null);
		assert.notEqual(r.body.subject_id_number, STRANGER);
		k.b = r.body;
		// the whole ID number, audited
		const v = await get(who.town1, k.b.id, '?reveal=1');
		assert.equal(v.status, 200);
		assert.equal(v.body.subject_id_number, STRANGER);
		assert.equal(Number(sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'care_emergency.reveal'`)), 1);
		// a child director may not reveal
		const d = await get(who.director2, k.b.id, '?reveal=1');
		assert.equal(d.status, 403);
	});

	test('bad input is refused naming the field', async () => {
		const cases = [
			[{ subject_kind: undefined }, 'subject_kind'],
			[{ subject_kind: 'adult' }, 'subject_kind'],
			[{ person_id: undefined }, 'name'],
			[{ person_id: undefined, name: '某', region: '500154001' }, 'region'],
			[{ person_id: undefined, name: '某', region: '500154001001', id_number: '123' }, 'id_number'],
			[{ channel: undefined }, 'channel'],
			[{ channel: 'phone' }, 'channel'],
			[{ reason: 'bored' }, 'reason'],
			[{ description: ' ' }, 'description'],
			[{ hotline_order_id: 5 }, 'hotline_order_id'],
			[{ channel: 'hotline', hotline_order_id: 999999 }, 'hotline_order_id'],
			[{ person_id: -1 }, 'person_id'],
		];
		for (const [over, field] of cases) {
			const r = await report(who.town1, quarantined(over));
			assert.equal(r.status, 400, `${JSON.stringify(over)}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(over));
		}
		// outside the caller's area: 404
		const out = await report(who.director2, quarantined());
		assert.equal(out.status, 404);
		assert.equal(out.body.error.field, 'person_id');
		const out2 = await report(who.town2, quarantined({ person_id: undefined, name: '某', region: '500154001001' }));
		assert.equal(out2.status, 404);
	});
});

describe('handling', () => {
	test('another village’s director sees 404, another township nothing', async () => {
		assert.equal((await get(who.director2, k.a.id)).status, 404);
		assert.equal((await act(who.director2, k.a.id, { action: 'visit', version: 1 })).status, 400);
		const r = await act(who.director2, k.a.id, { action: 'visit', version: 1, visit_date: '2020-01-01', visitor: '某', note: 'x' });
		assert.equal(r.status, 404);
		assert.equal((await get(who.town2, k.a.id)).status, 404);
		const l = await list(who.town2);
		assert.equal(l.body.total, 0);
		const l1 = await list(who.director);
		assert.deepEqual(l1.body.items.map((x) => x.id), [k.a.id]);
		const lc = await list(who.county);
		assert.equal(lc.body.total, 2);
	});

	test('closing before a carer and a placement are recorded is 422', async () => {
		const r = await act(who.town1, k.a.id, { action: 'close', version: k.a.version, note: '已处理' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'CARE_NOT_ARRANGED');
		const n = await act(who.town1, k.a.id, { action: 'close', version: k.a.version });
		assert.equal(n.status, 400);
		assert.equal(n.body.error.field, 'note');
	});

	test('not arranged by respond_due it is overdue, listed first', async () => {
		sql(db.target, `UPDATE care_emergencies SET respond_due = '2000-01-01T00:00:00.000Z' WHERE id = ${k.a.id}`);
		const g = await get(who.town1, k.a.id);
		assert.equal(g.body.overdue, true);
		const l = await list(who.county);
		assert.equal(l.body.items[0].id, k.a.id);
		assert.equal(l.body.items[0].overdue, true);
		const o = await list(who.county, '?overdue=1');
		assert.deepEqual(o.body.items.map((x) => x.id), [k.a.id]);
		const w = await workbench(who.county);
		assert.equal(w.body.care_emergencies.overdue, 1);
		assert.equal(w.body.care_emergencies.items[0].id, k.a.id);
		assert.equal(w.body.care_emergencies.items[0].overdue, true);
	});

	test('arrange needs a carer and a placement, named by field', async () => {
		const base0 = { action: 'arrange', version: k.a.version, carer_kind: 'relative', carer_name: '周外婆', placement: 'relative_home', placement_address: '开州区某村3组' };
		const cases = [
			[{ carer_kind: undefined }, 'carer_kind'],
			[{ carer_kind: 'friend' }, 'carer_kind'],
			[{ carer_name: '' }, 'carer_name'],
			[{ carer_phone: 'abc' }, 'carer_phone'],
			[{ placement: undefined }, 'placement'],
			[{ placement: 'street' }, 'placement'],
			[{ placement_address: undefined }, 'placement_address'],
			[{ action: 'fly' }, 'action'],
			[{ version: undefined }, 'version'],
		];
		for (const [over, field] of cases) {
			const r = await act(who.director, k.a.id, { ...base0, ...over });
			assert.equal(r.status, 400, `${JSON.stringify(over)}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(over));
		}
		const stale = await act(who.director, k.a.id, { ...base0, version: k.a.version + 5 });
		assert.equal(stale.status, 409);
		assert.equal(stale.body.error.code, 'STALE_VERSION');
		const r = await act(who.director, k.a.id, { ...base0, carer_phone: '13900001111' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'care_arranged');
		assert.equal(r.body.version, k.a.version + 1);
		const g = await get(who.director, k.a.id);
		assert.equal(g.body.carer_name, '周外婆');
		assert.equal(g.body.placement, 'relative_home');
		assert.equal(g.body.overdue, false, 'arranged: no longer overdue');
		assert.deepEqual(g.body.allowed_actions, ['arrange', 'visit', 'close']);
		k.a = g.body;
	});

	test('a visit, then closure', async () => {
		const bad = await act(who.director, k.a.id, { action: 'visit', version: k.a.version, visit_date: '2999-01-01', visitor: '王主任', note: '良好' });
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'visit_date');
		const today = (await workbench(who.town1)).body.today;
		const v = await act(who.director, k.a.id, { action: 'visit', version: k.a.version, visit_date: today, visitor: '王主任', note: '孩子在外婆家，饮食起居正常' });
		assert.equal(v.status, 200, JSON.stringify(v.body));
		const stale = await act(who.town1, k.a.id, { action: 'close', version: k.a.version, note: '母亲解除隔离返家' });
		assert.equal(stale.status, 409);
		const c = await act(who.town1, k.a.id, { action: 'close', version: v.body.version, note: '母亲解除隔离返家' });
		assert.equal(c.status, 200, JSON.stringify(c.body));
		assert.equal(c.body.state, 'closed');
		const g = await get(who.county, k.a.id);
		assert.equal(g.body.state, 'closed');
		assert.equal(g.body.closure_note, '母亲解除隔离返家');
		assert.equal(g.body.visits.length, 1);
		assert.equal(g.body.visits[0].visitor, '王主任');
		assert.deepEqual(g.body.events.map((e) => e.action), ['report', 'arrange', 'visit', 'close']);
		assert.deepEqual(g.body.allowed_actions, []);
		const again = await act(who.town1, k.a.id, { action: 'visit', version: g.body.version, visit_date: today, visitor: '王', note: 'x' });
		assert.equal(again.status, 422);
		assert.equal(again.body.error.code, 'STATE_NOT_ALLOWED');
		// closed cases leave the workbench and list last
		const w = await workbench(who.town1);
		assert.ok(!w.body.care_emergencies.items.some((x) => x.id === k.a.id));
		const l = await list(who.county);
		assert.equal(l.body.items.at(-1).id, k.a.id);
	});

	test('the audit trail records every step and stays intact', async () => {
		const actions = sql(db.target, `SELECT action FROM audit_log WHERE entity = 'care_emergency' AND entity_id = '${k.a.id}' ORDER BY seq`).split('\n');
		assert.deepEqual(actions, ['care_emergency.report', 'care_emergency.arrange', 'care_emergency.visit', 'care_emergency.close']);
		assert.ok(auditIntact(db.target));
	});
});

describe('reported from a 12345 order', () => {
	test('?hotline_order_id= lists the cases reported from that order, inside the caller’s scope', async () => {
		const o = await call(base, 'POST', '/api/v1/hotline/orders', {
			body: { caller_name: '周邻居', caller_phone: '13900002222', region: '500154001', category: 'other', description: '邻居家孩子的母亲被隔离，孩子无人照料' },
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(o.status, 201, JSON.stringify(o.body));
		const r = await report(who.town1, quarantined({ channel: 'hotline', hotline_order_id: o.body.id }));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const mine = await list(who.town1, `?hotline_order_id=${o.body.id}`);
		assert.equal(mine.status, 200, JSON.stringify(mine.body));
		assert.deepEqual(mine.body.items.map((x) => x.id), [r.body.id]);
		assert.equal(mine.body.total, 1);
		assert.equal(mine.body.items[0].hotline_order_id, o.body.id);
		assert.equal((await list(who.county, `?hotline_order_id=${o.body.id}&state=closed`)).body.total, 0);
		assert.equal((await list(who.town2, `?hotline_order_id=${o.body.id}`)).body.total, 0, 'another township: nothing');
		assert.equal((await list(who.county, `?hotline_order_id=${o.body.id + 1000}`)).body.total, 0);
		for (const bad of ['x', '0', '-1']) {
			const b = await list(who.county, `?hotline_order_id=${bad}`);
			assert.equal(b.status, 400, bad);
			assert.equal(b.body.error.field, 'hotline_order_id');
		}
	});
});
