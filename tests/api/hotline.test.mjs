// tests/api/hotline.test.mjs - the 12345 hotline work orders (issue 8):
// create (masked phone and ID number, deadlines from the policy), scope (a
// township sees its own orders only), the audited reveal, overdue lists and
// the workbench, the steps received → accepted → replied → closed with
// version checks and CSRF, bad input naming the field, and the conversion
// into a temporary-assistance case with the link shown on both sides, and
// into a children's allowance application for a child named by the call.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp;
const who = {};
const ord = {};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}
const CALLER_ID = idnum('50015419700101021');

async function makeUser(username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return login(base, username, PW);
}

const P = '/api/v1/hotline/orders';
const list = (as, q = '') => call(base, 'GET', `${P}${q}`, { cookie: as.cookie });
const get = (as, id, q = '') => call(base, 'GET', `${P}/${id}${q}`, { cookie: as.cookie });
const post = (as, id, step, body) => call(base, 'POST', `${P}/${id}/${step}`, { body, cookie: as.cookie, csrf: as.csrf });
const create = (as, body) => call(base, 'POST', P, { body, cookie: as.cookie, csrf: as.csrf });
const order = (over = {}) => ({
	caller_name: '李来电',
	caller_phone: '13812345678',
	caller_id_number: CALLER_ID,
	region: '500154001',
	category: 'temporary',
	description: '家中失火，生活困难，请求临时救助',
	...over,
});

// One household in the first township, imported as `doudi import` does.
function importHousehold(target) {
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`HL-1,500154001001,rural,${idnum('50015419600101031')},孙一,head,none,100.00\r\n` +
		`HL-2,500154001001,rural,${idnum('50015420160301042')},孙小妹,head,none,\r\n`;
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	ord.child = Number(sql(target, `SELECT id FROM persons WHERE id_number = '${idnum('50015420160301042')}'`));
	ord.childHousehold = Number(sql(target, "SELECT id FROM households WHERE household_no = 'HL-2'"));
	return Number(sql(target, "SELECT id FROM households WHERE household_no = 'HL-1'"));
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-hotline-'));
	db = freshDb('hotline');
	init(db.target);
	ord.household = importHousehold(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('hl_county', 'county', '500154');
	who.town1 = await makeUser('hl_town1', 'township', '500154001');
	who.town2 = await makeUser('hl_town2', 'township', '500154002');
	who.village = await makeUser('hl_village', 'village', '500154001001');
	who.finance = await makeUser('hl_finance', 'finance', '500154');
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

describe('creating work orders', () => {
	test('needs a session and the CSRF token', async () => {
		assert.equal((await call(base, 'GET', P)).status, 401);
		const r = await call(base, 'POST', P, { body: order(), cookie: who.county.cookie });
		assert.equal(r.status, 403);
		assert.equal(r.body.error.code, 'CSRF');
	});

	test('the county desk registers an order routed to the township, phone and ID number masked', async () => {
		const r = await create(who.county, order({ region: '500154001003' }));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.region, '500154001', 'routed to the township of the village');
		assert.equal(r.body.state, 'received');
		assert.equal(r.body.channel, 'phone');
		assert.match(r.body.order_no, /^RX\d{8}\d{6}$/);
		assert.equal(r.body.caller_phone, '138****5678');
		assert.match(r.body.caller_id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
		assert.ok(r.body.response_due > r.body.received_at, 'response deadline after receipt');
		assert.match(r.body.close_due, /^\d{4}-\d{2}-\d{2}$/);
		assert.equal(r.body.overdue, false);
		assert.equal(r.body.case, null);
		assert.deepEqual(r.body.events.map((x) => x.action), ['create']);
		assert.equal(r.body.version, 1);
		assert.ok(!JSON.stringify(r.body).includes('13812345678'));
		assert.ok(!JSON.stringify(r.body).includes(CALLER_ID));
		// the response deadline is hotline.response_hours (24 h demo value) after receipt
		const hours = (Date.parse(r.body.response_due) - Date.parse(r.body.received_at)) / 3600000;
		assert.equal(hours, 24);
		ord.a = r.body;
	});

	test('a township registers in its own township with its own order number', async () => {
		const r = await create(who.town1, order({ order_no: '12345-2026-0001', category: 'consultation', channel: 'web' }));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.order_no, '12345-2026-0001');
		ord.b = r.body;
		const dup = await create(who.town1, order({ order_no: '12345-2026-0001' }));
		assert.equal(dup.status, 409);
		assert.equal(dup.body.error.code, 'DUPLICATE_ORDER_NO');
		const other = await create(who.county, order({ region: '500154002', category: 'complaint', caller_phone: '023-6512 3456' }));
		assert.equal(other.status, 201);
		assert.equal(other.body.caller_phone, '023******3456');
		ord.c = other.body;
	});

	test('bad input is refused naming the field', async () => {
		const cases = [
			[{ caller_phone: undefined }, 'caller_phone'],
			[{ caller_phone: 'abc' }, 'caller_phone'],
			[{ caller_name: ' ' }, 'caller_name'],
			[{ caller_id_number: '500154197001010210' }, 'caller_id_number'],
			[{ region: '500154' }, 'region'],
			[{ region: '5001540011' }, 'region'],
			[{ category: 'pension' }, 'category'],
			[{ category: undefined }, 'category'],
			[{ channel: 'fax' }, 'channel'],
			[{ description: '' }, 'description'],
			[{ order_no: 'no spaces' }, 'order_no'],
		];
		for (const [over, field] of cases) {
			const body = order(over);
			for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
			const r = await create(who.county, body);
			assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(r.body));
		}
		const typed = await create(who.county, order({ caller_phone: 13812345678 }));
		assert.equal(typed.status, 400);
		assert.equal(typed.body.error.field, 'caller_phone');
	});

	test('outside the scope or by another role is refused', async () => {
		const r = await create(who.town1, order({ region: '500154002' }));
		assert.equal(r.status, 404);
		assert.equal(r.body.error.field, 'region');
		const v = await create(who.village, order());
		assert.equal(v.status, 403);
		const f = await create(who.finance, order());
		assert.equal(f.status, 403);
	});
});

describe('reading work orders', () => {
	test('the county sees every order; a township only its own', async () => {
		const all = await list(who.county);
		assert.equal(all.status, 200);
		assert.equal(all.body.total, 3);
		for (const o of all.body.items) assert.ok(!o.caller_phone.includes('12345678'), o.caller_phone);
		const t1 = await list(who.town1);
		assert.deepEqual(t1.body.items.map((o) => o.id).sort(), [ord.a.id, ord.b.id].sort());
		const t2 = await list(who.town2);
		assert.deepEqual(t2.body.items.map((o) => o.id), [ord.c.id]);
		assert.equal((await get(who.town2, ord.a.id)).status, 404);
		assert.equal((await list(who.village)).body.total, 0);
	});

	test('filters: state, category, region; bad filters name the parameter', async () => {
		assert.deepEqual((await list(who.county, '?category=complaint')).body.items.map((o) => o.id), [ord.c.id]);
		assert.equal((await list(who.county, '?region=500154002')).body.total, 1);
		assert.equal((await list(who.town1, '?region=500154002')).body.total, 0);
		assert.equal((await list(who.county, '?state=closed')).body.total, 0);
		for (const [q, field] of [
			['?state=done', 'state'],
			['?state=returned&category=zz', 'category'],
			['?category=x', 'category'],
			['?overdue=maybe', 'overdue'],
			['?region=12', 'region'],
		]) {
			const r = await list(who.county, q);
			assert.equal(r.status, 400, q);
			assert.equal(r.body.error.field, field, q);
		}
	});

	test('reveal shows the whole phone and ID number and is audited', async () => {
		const r = await post(who.town1, ord.a.id, 'reveal', {});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.caller_phone, '13812345678');
		assert.equal(r.body.caller_id_number, CALLER_ID);
		const q = await get(who.county, ord.a.id, '?reveal=1');
		assert.equal(q.body.caller_phone, '13812345678');
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'hotline_order.reveal' AND entity_id = '${ord.a.id}'`),
			'2',
		);
		const f = await post(who.finance, ord.a.id, 'reveal', {});
		assert.equal(f.status, 403);
		assert.equal((await post(who.town2, ord.a.id, 'reveal', {})).status, 404);
	});
});

describe('overdue orders', () => {
	test('an order not accepted in time is overdue, listed and on its township workbench only', async () => {
		sql(db.target, `UPDATE hotline_orders SET response_due = '2000-01-01T00:00:00.000Z' WHERE id = ${ord.a.id}`);
		const r = await list(who.town1, '?overdue=true');
		assert.deepEqual(r.body.items.map((o) => o.id), [ord.a.id]);
		assert.equal(r.body.items[0].overdue, true);
		assert.equal(r.body.items[0].overdue_kind, 'response');
		const all = await list(who.town1);
		assert.equal(all.body.items[0].id, ord.a.id, 'overdue first');
		const w1 = await call(base, 'GET', '/api/v1/workbench', { cookie: who.town1.cookie });
		assert.equal(w1.status, 200);
		assert.equal(w1.body.hotline.open, 2);
		assert.equal(w1.body.hotline.overdue, 1);
		assert.deepEqual(w1.body.hotline.overdue_items.map((o) => o.id), [ord.a.id]);
		const w2 = await call(base, 'GET', '/api/v1/workbench', { cookie: who.town2.cookie });
		assert.equal(w2.body.hotline.open, 1);
		assert.equal(w2.body.hotline.overdue, 0);
		assert.deepEqual(w2.body.hotline.overdue_items, []);
		const wc = await call(base, 'GET', '/api/v1/workbench', { cookie: who.county.cookie });
		assert.equal(wc.body.hotline.overdue, 1);
	});

	test('a close deadline passed makes an accepted order overdue too', async () => {
		sql(db.target, `UPDATE hotline_orders SET close_due = '2000-01-03' WHERE id = ${ord.c.id}`);
		const r = await list(who.town2, '?overdue=1');
		assert.deepEqual(r.body.items.map((o) => o.overdue_kind), ['close']);
	});
});

describe('handling an order', () => {
	test('steps need the version, the right state and role', async () => {
		const missing = await post(who.town1, ord.a.id, 'accept', {});
		assert.equal(missing.status, 400);
		assert.equal(missing.body.error.field, 'version');
		const stale = await post(who.town1, ord.a.id, 'accept', { version: 99 });
		assert.equal(stale.status, 409);
		assert.equal(stale.body.error.code, 'STALE_VERSION');
		const early = await post(who.town1, ord.a.id, 'reply', { version: 1, reply: '已答复' });
		assert.equal(early.status, 422);
		assert.equal(early.body.error.code, 'STATE_NOT_ALLOWED');
		const conv = await post(who.town1, ord.a.id, 'convert', { version: 1, target: 'temporary' });
		assert.equal(conv.status, 422, 'convert needs acceptance first');
		assert.equal((await post(who.village, ord.a.id, 'accept', { version: 1 })).status, 403);
		assert.equal((await post(who.town2, ord.a.id, 'accept', { version: 1 })).status, 404);
		const csrf = await call(base, 'POST', `${P}/${ord.a.id}/accept`, { body: { version: 1 }, cookie: who.town1.cookie });
		assert.equal(csrf.status, 403);
	});

	test('accept, then convert into a temporary case: both show the link', async () => {
		const acc = await post(who.town1, ord.a.id, 'accept', { version: 1 });
		assert.equal(acc.status, 200, JSON.stringify(acc.body));
		assert.equal(acc.body.state, 'accepted');
		assert.equal(acc.body.version, 2);
		assert.equal((await list(who.town1, '?overdue=true')).body.total, 0, 'accepted: no longer late to respond');
		const again = await post(who.town1, ord.a.id, 'accept', { version: 2 });
		assert.equal(again.status, 422);

		const bad = await post(who.town1, ord.a.id, 'convert', { version: 2, target: 'case' });
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'target');
		const badCause = await post(who.town1, ord.a.id, 'convert', {
			version: 2,
			target: 'temporary',
			case_kind: 'emergency',
			cause: 'nonsense',
			area: 'rural',
		});
		assert.equal(badCause.status, 400);
		assert.equal(badCause.body.error.field, 'cause');
		const county = await post(who.county, ord.a.id, 'convert', {
			version: 2,
			target: 'temporary',
			case_kind: 'emergency',
			cause: 'fire',
			area: 'rural',
		});
		assert.equal(county.status, 403, 'the county does not open temporary cases');
		assert.equal(sql(db.target, 'SELECT count(*) FROM temporary_cases'), '0', 'nothing left behind');

		const r = await post(who.town1, ord.a.id, 'convert', {
			version: 2,
			target: 'temporary',
			case_kind: 'emergency',
			cause: 'fire',
			area: 'rural',
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.converted_to, 'temporary');
		assert.equal(r.body.version, 3);
		const caseId = r.body.application_id;
		assert.ok(caseId > 0);
		ord.caseId = caseId;

		const o = await get(who.town1, ord.a.id);
		assert.equal(o.body.case.id, caseId);
		assert.equal(o.body.case.programme, 'temporary');
		assert.equal(o.body.case.state, 'submitted');
		assert.deepEqual(o.body.events.map((x) => x.action), ['create', 'accept', 'convert']);
		assert.ok(!o.body.allowed_steps.includes('convert'));

		const t = await call(base, 'GET', `/api/v1/temporary-cases/${caseId}`, { cookie: who.town1.cookie });
		assert.equal(t.status, 200, JSON.stringify(t.body));
		assert.equal(t.body.region, '500154001', "the order's township");
		assert.equal(t.body.hotline_order.id, ord.a.id);
		assert.equal(t.body.hotline_order.order_no, ord.a.order_no);
		const a = await call(base, 'GET', `/api/v1/applications/${caseId}`, { cookie: who.town1.cookie });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.equal(a.body.hotline_order.id, ord.a.id);

		const twice = await post(who.town1, ord.a.id, 'convert', {
			version: 3,
			target: 'temporary',
			case_kind: 'emergency',
			cause: 'fire',
			area: 'rural',
		});
		assert.equal(twice.status, 422);
		assert.equal(twice.body.error.code, 'ALREADY_CONVERTED');
	});

	test('convert into a dibao application of a household: the application shows the order', async () => {
		const acc = await post(who.town1, ord.b.id, 'accept', { version: 1 });
		assert.equal(acc.status, 200, JSON.stringify(acc.body));
		const noProg = await post(who.town1, ord.b.id, 'convert', { version: 2, target: 'application', household_id: ord.household });
		assert.equal(noProg.status, 400);
		assert.equal(noProg.body.error.field, 'programme');
		const r = await post(who.town1, ord.b.id, 'convert', {
			version: 2,
			target: 'application',
			household_id: ord.household,
			programme: 'dibao',
			commitment: true,
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.converted_to, 'application');
		const a = await call(base, 'GET', `/api/v1/applications/${r.body.application_id}`, { cookie: who.town1.cookie });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.equal(a.body.programme, 'dibao');
		assert.equal(a.body.household_id, ord.household);
		assert.equal(a.body.hotline_order.id, ord.b.id);
		const o = await get(who.county, ord.b.id);
		assert.equal(o.body.case.id, r.body.application_id);
		assert.equal(o.body.case.programme, 'dibao');
	});

	test('convert into a children\'s allowance application: the child named, the household found', async () => {
		const made = await create(who.town1, order({ category: 'consultation', description: '邻居反映孩子父母双亡，无人照料' }));
		assert.equal(made.status, 201, JSON.stringify(made.body));
		ord.d = made.body;
		const acc = await post(who.town1, ord.d.id, 'accept', { version: 1 });
		assert.equal(acc.status, 200, JSON.stringify(acc.body));
		const facts = [{ kind: 'death', parent: 'both', evidence: '死亡证明 2025-02' }];
		const body = { version: 2, target: 'application', programme: 'children', commitment: true };
		// the child's own checks apply, naming the field; nothing is converted
		for (const [extra, field] of [
			[{ category: 'orphan', care_type: 'dispersed', facts }, 'person_id'],
			[{ person_id: ord.child, category: 'x', care_type: 'dispersed', facts }, 'category'],
			[{ person_id: ord.child, category: 'orphan', care_type: 'dispersed' }, 'facts'],
			[{ person_id: ord.child, category: 'orphan', care_type: 'dispersed', facts: 'x' }, 'facts'],
		]) {
			const r = await post(who.town1, ord.d.id, 'convert', { ...body, ...extra });
			assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field);
		}
		const adult = await post(who.town1, ord.d.id, 'convert', {
			...body,
			person_id: Number(sql(db.target, `SELECT id FROM persons WHERE id_number = '${idnum('50015419600101031')}'`)),
			category: 'orphan',
			care_type: 'dispersed',
			facts,
		});
		assert.equal(adult.status, 422, JSON.stringify(adult.body));
		assert.equal(adult.body.error.code, 'NOT_A_CHILD');
		assert.equal((await get(who.town1, ord.d.id)).body.version, 2, 'a refused convert changes nothing');
		const r = await post(who.town1, ord.d.id, 'convert', {
			...body,
			person_id: ord.child,
			category: 'orphan',
			care_type: 'dispersed',
			facts,
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.converted_to, 'application');
		const a = await call(base, 'GET', `/api/v1/applications/${r.body.application_id}`, { cookie: who.town1.cookie });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.equal(a.body.programme, 'children');
		assert.equal(a.body.household_id, ord.childHousehold, 'the child\'s household, found by the service');
		assert.equal(a.body.hotline_order.id, ord.d.id);
		const o = await get(who.county, ord.d.id);
		assert.equal(o.body.case.id, r.body.application_id);
		assert.equal(o.body.case.programme, 'children');
	});

	test('reply and close; a closed order is not overdue', async () => {
		const noText = await post(who.town1, ord.a.id, 'reply', { version: 3 });
		assert.equal(noText.status, 400);
		assert.equal(noText.body.error.field, 'reply');
		const rep = await post(who.town1, ord.a.id, 'reply', { version: 3, reply: '已转临时救助，正在办理' });
		assert.equal(rep.status, 200, JSON.stringify(rep.body));
		const noResult = await post(who.town1, ord.a.id, 'close', { version: 4 });
		assert.equal(noResult.body.error.field, 'result');
		sql(db.target, `UPDATE hotline_orders SET close_due = '2000-01-03' WHERE id = ${ord.a.id}`);
		assert.equal((await list(who.town1, '?overdue=true')).body.total, 1);
		const cl = await post(who.county, ord.a.id, 'close', { version: 4, result: '已救助，来电人满意' });
		assert.equal(cl.status, 200, JSON.stringify(cl.body));
		assert.equal(cl.body.state, 'closed');
		const o = await get(who.town1, ord.a.id);
		assert.equal(o.body.state, 'closed');
		assert.equal(o.body.overdue, false);
		assert.equal(o.body.result, '已救助，来电人满意');
		assert.equal(o.body.reply, '已转临时救助，正在办理');
		assert.deepEqual(o.body.allowed_steps, []);
		assert.equal((await list(who.town1, '?overdue=true')).body.total, 0);
		assert.equal((await list(who.town1, '?state=closed')).body.total, 1);
	});

	test('a township returns an order not its own; the county reassigns it to another township', async () => {
		const noNote = await post(who.town2, ord.c.id, 'return', { version: 1 });
		assert.equal(noNote.status, 400);
		assert.equal(noNote.body.error.field, 'note');
		const r = await post(who.town2, ord.c.id, 'return', { version: 1, note: '来电人住址属一镇，非本镇管辖' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'returned');
		const c = await get(who.county, ord.c.id);
		assert.equal(c.body.return_note, '来电人住址属一镇，非本镇管辖');
		assert.deepEqual(c.body.allowed_steps, ['reassign']);
		assert.equal((await post(who.town2, ord.c.id, 'accept', { version: 2 })).status, 422);
		const byTown = await post(who.town2, ord.c.id, 'reassign', { version: 2, region: '500154001' });
		assert.equal(byTown.status, 403);
		const same = await post(who.county, ord.c.id, 'reassign', { version: 2, region: '500154002' });
		assert.equal(same.status, 422);
		assert.equal(same.body.error.code, 'SAME_REGION');
		const bad = await post(who.county, ord.c.id, 'reassign', { version: 2, region: '500155001' });
		assert.equal(bad.status, 404);
		assert.equal(bad.body.error.field, 'region');
		const ok = await post(who.county, ord.c.id, 'reassign', { version: 2, region: '500154001', note: '改派一镇' });
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(ok.body.region, '500154001');
		assert.equal(ok.body.state, 'received');
		assert.ok(ok.body.response_due > new Date().toISOString(), 'a new response deadline');
		assert.equal((await get(who.town2, ord.c.id)).status, 404, 'gone from the township that returned it');
		const t1 = await get(who.town1, ord.c.id);
		assert.equal(t1.status, 200);
		assert.deepEqual(t1.body.events.map((x) => x.action), ['create', 'return', 'reassign']);
		assert.ok(t1.body.allowed_steps.includes('accept'));
	});

	test('every change is audited and the chain holds', async () => {
		const n = (a) => sql(db.target, `SELECT count(*) FROM audit_log WHERE entity = 'hotline_order' AND action = '${a}'`);
		assert.equal(n('hotline_order.create'), '4');
		assert.equal(n('hotline_order.accept'), '3');
		assert.equal(n('hotline_order.convert'), '3');
		assert.equal(n('hotline_order.reply'), '1');
		assert.equal(n('hotline_order.close'), '1');
		assert.equal(n('hotline_order.return'), '1');
		assert.equal(n('hotline_order.reassign'), '1');
		assert.equal(sql(db.target, `SELECT count(*) FROM hotline_order_events WHERE order_id = ${ord.a.id}`), '5');
		assert.ok(auditIntact(db.target));
	});
});
