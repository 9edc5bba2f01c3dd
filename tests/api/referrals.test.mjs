// tests/api/referrals.test.mjs - referrals between departments (转办转介,
// issue 9 item 5): receiving offices, department users (部门经办人) who see
// their office's referrals and nothing else, a referral from a 12345 work
// order accepted and answered by the office and closed by the township,
// seen closed from both sides; a referral from a temporary-assistance case;
// overdue referrals on both sides' workbenches; bad input naming the field,
// stale versions, the wrong side refused; audit chain intact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base;
const who = {};
const ref = {};

async function makeUser(username, role, region, office_code) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试', office_code },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return login(base, username, PW);
}

const P = '/api/v1/referrals';
const list = (as, q = '') => call(base, 'GET', `${P}${q}`, { cookie: as.cookie });
const get = (as, id) => call(base, 'GET', `${P}/${id}`, { cookie: as.cookie });
const act = (as, id, body) => call(base, 'POST', `${P}/${id}/actions`, { body, cookie: as.cookie, csrf: as.csrf });
const create = (as, body) => call(base, 'POST', P, { body, cookie: as.cookie, csrf: as.csrf });
const workbench = async (as) => (await call(base, 'GET', '/api/v1/workbench', { cookie: as.cookie })).body;

async function office(body) {
	const r = await call(base, 'POST', '/api/v1/referral-offices', {
		body,
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function hotlineOrder(region = '500154001') {
	const r = await call(base, 'POST', '/api/v1/hotline/orders', {
		body: {
			caller_name: '王来电',
			caller_phone: '13900001111',
			region,
			category: 'temporary',
			description: '家中老人重病，医疗费用负担重',
		},
		cookie: who.county.cookie,
		csrf: who.county.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return r.body;
}

before(async () => {
	db = freshDb('referrals');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	await office({ code: 'kz-yb', name: '开州区医疗保障局', kind: 'medical', region: '500154', reply_workdays: 5 });
	await office({ code: 'kz-jy', name: '开州区教育委员会', kind: 'education', region: '500154' });
	await office({ code: 'wz-yb', name: '万州区医疗保障局', kind: 'medical', region: '500101' });
	who.county = await makeUser('rf_county', 'county', '500154');
	who.town1 = await makeUser('rf_town1', 'township', '500154001');
	who.town2 = await makeUser('rf_town2', 'township', '500154002');
	who.dept1 = await makeUser('rf_yb', 'department', '500154', 'kz-yb');
	who.dept2 = await makeUser('rf_jy', 'department', '500154', 'kz-jy');
});

after(async () => {
	const r = await srv.stop();
	try {
		assert.equal(r.code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
	} finally {
		db.cleanup();
	}
});

describe('offices and department users', () => {
	test('offices are listed, by county when asked', async () => {
		const all = await call(base, 'GET', '/api/v1/referral-offices', { cookie: who.town1.cookie });
		assert.equal(all.status, 200, JSON.stringify(all.body));
		assert.equal(all.body.items.length, 3);
		const kz = await call(base, 'GET', '/api/v1/referral-offices?region=500154001', { cookie: who.town1.cookie });
		assert.deepEqual(kz.body.items.map((o) => o.code).sort(), ['kz-jy', 'kz-yb']);
		assert.equal(kz.body.items.find((o) => o.code === 'kz-yb').reply_workdays, 5);
		assert.equal(kz.body.items.find((o) => o.code === 'kz-jy').reply_workdays, null);
	});

	test('registering an office: admin or county, fields named', async () => {
		const t = await call(base, 'POST', '/api/v1/referral-offices', {
			body: { code: 'x1', name: '某部门', kind: 'other', region: '500154' },
			cookie: who.town1.cookie,
			csrf: who.town1.csrf,
		});
		assert.equal(t.status, 403);
		for (const [body, field] of [
			[{ name: '某部门', kind: 'other', region: '500154' }, 'code'],
			[{ code: 'x1', name: '某部门', kind: 'bank', region: '500154' }, 'kind'],
			[{ code: 'x1', name: '某部门', kind: 'other', region: '500154001' }, 'region'],
			[{ code: 'kz-yb', name: '某部门', kind: 'other', region: '500154' }, 'code'],
		]) {
			const r = await call(base, 'POST', '/api/v1/referral-offices', {
				body,
				cookie: who.county.cookie,
				csrf: who.county.csrf,
			});
			assert.ok(r.status === 400 || r.status === 409, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field, JSON.stringify(r.body));
		}
	});

	test('a department user needs a known office; other roles take none', async () => {
		const mk = (body) =>
			call(base, 'POST', '/api/v1/users', { body, cookie: who.admin.cookie, csrf: who.admin.csrf });
		const base_ = { username: 'rf_x', password: PW, region: '500154' };
		let r = await mk({ ...base_, role: 'department' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'office_code');
		r = await mk({ ...base_, role: 'department', office_code: 'nope' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.code, 'UNKNOWN_OFFICE');
		r = await mk({ ...base_, role: 'county', office_code: 'kz-yb' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'office_code');
		const me = await call(base, 'GET', '/api/v1/me', { cookie: who.dept1.cookie });
		assert.equal(me.body.role, 'department');
		assert.equal(me.body.office_code, 'kz-yb');
	});

	test('an account does not change into or out of the department role', async () => {
		const u = await call(base, 'GET', '/api/v1/users?q=rf_', { cookie: who.admin.cookie });
		const id = (name) => u.body.items.find((x) => x.username === name).id;
		assert.equal(u.body.items.find((x) => x.username === 'rf_yb').office_code, 'kz-yb');
		for (const [name, role] of [
			['rf_town2', 'department'],
			['rf_yb', 'county'],
		]) {
			const r = await call(base, 'PATCH', `/api/v1/users/${id(name)}`, {
				body: { role },
				cookie: who.admin.cookie,
				csrf: who.admin.csrf,
			});
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.code, 'ROLE_CHANGE_NOT_ALLOWED');
			assert.equal(r.body.error.field, 'role');
		}
	});

	test('a department user sees no registry, cases, work orders or statistics', async () => {
		await hotlineOrder();
		for (const p of ['/api/v1/households', '/api/v1/hotline/orders', '/api/v1/applications']) {
			const r = await call(base, 'GET', p, { cookie: who.dept1.cookie });
			assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.total, 0, p);
		}
		const h = await call(base, 'POST', '/api/v1/hotline/orders', {
			body: { caller_name: 'x', caller_phone: '123456', region: '500154001', category: 'other', description: 'x' },
			cookie: who.dept1.cookie,
			csrf: who.dept1.csrf,
		});
		assert.equal(h.status, 403);
	});
});

describe('a referral from a work order', () => {
	test('bad input is named by field', async () => {
		const o = await hotlineOrder();
		ref.order = o;
		const cases = [
			[{ hotline_order_id: o.id, reason: 'x' }, 'office_code', 400],
			[{ hotline_order_id: o.id, office_code: 'kz-yb' }, 'reason', 400],
			[{ office_code: 'kz-yb', reason: 'x' }, 'application_id', 400],
			[{ hotline_order_id: o.id, application_id: 1, office_code: 'kz-yb', reason: 'x' }, 'hotline_order_id', 400],
			[{ hotline_order_id: o.id, office_code: 'nope', reason: 'x' }, 'office_code', 400],
			[{ hotline_order_id: o.id, office_code: 'wz-yb', reason: 'x' }, 'office_code', 400],
			[{ hotline_order_id: 'x', office_code: 'kz-yb', reason: 'x' }, 'hotline_order_id', 400],
			[{ hotline_order_id: 999999, office_code: 'kz-yb', reason: 'x' }, 'hotline_order_id', 404],
		];
		for (const [body, field, status] of cases) {
			const r = await create(who.town1, body);
			assert.equal(r.status, status, JSON.stringify([body, r.body]));
			assert.equal(r.body.error.field, field, JSON.stringify([body, r.body]));
		}
		// another township's order is not found; a department user may not refer
		const r2 = await create(who.town2, { hotline_order_id: o.id, office_code: 'kz-yb', reason: 'x' });
		assert.equal(r2.status, 404);
		const r3 = await create(who.dept1, { hotline_order_id: o.id, office_code: 'kz-yb', reason: 'x' });
		assert.equal(r3.status, 403);
		const r4 = await call(base, 'POST', P, {
			body: { hotline_order_id: o.id, office_code: 'kz-yb', reason: 'x' },
			cookie: who.town1.cookie,
		});
		assert.equal(r4.status, 403);
		assert.equal(r4.body.error.code, 'CSRF');
	});

	test('the township refers the order to the medical insurance bureau', async () => {
		const r = await create(who.town1, {
			hotline_order_id: ref.order.id,
			office_code: 'kz-yb',
			reason: '老人住院费用高，请求医疗救助',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.state, 'sent');
		assert.equal(r.body.region, '500154001');
		assert.equal(r.body.office_name, '开州区医疗保障局');
		assert.equal(r.body.source.kind, 'hotline_order');
		assert.equal(r.body.source.id, ref.order.id);
		assert.match(r.body.due_date, /^\d{4}-\d{2}-\d{2}$/);
		assert.ok(r.body.due_date > r.body.sent_at.slice(0, 10));
		assert.equal(r.body.overdue, false);
		assert.deepEqual(r.body.allowed_actions, ['cancel']);
		assert.equal(r.body.version, 1);
		ref.a = r.body;
		const o = await call(base, 'GET', `/api/v1/hotline/orders/${ref.order.id}`, { cookie: who.town1.cookie });
		assert.deepEqual(
			o.body.referrals.map((x) => [x.id, x.state, x.office_code]),
			[[ref.a.id, 'sent', 'kz-yb']],
		);
	});

	test('only the receiving office and the sender see it', async () => {
		assert.deepEqual((await list(who.dept1)).body.items.map((x) => x.id), [ref.a.id]);
		assert.equal((await list(who.dept2)).body.total, 0);
		assert.equal((await list(who.town2)).body.total, 0);
		assert.equal((await list(who.county)).body.total, 1);
		assert.equal((await get(who.dept2, ref.a.id)).status, 404);
		assert.equal((await get(who.town2, ref.a.id)).status, 404);
		const d = await get(who.dept1, ref.a.id);
		assert.equal(d.status, 200);
		assert.deepEqual(d.body.allowed_actions, ['accept', 'return']);
		const x = await act(who.dept2, ref.a.id, { action: 'accept', version: 1 });
		assert.equal(x.status, 404);
	});

	test('the office accepts and answers; stale versions and the wrong side refused', async () => {
		let r = await act(who.town1, ref.a.id, { action: 'accept', version: 1 });
		assert.equal(r.status, 403);
		r = await act(who.dept1, ref.a.id, { action: 'accept', version: 7 });
		assert.equal(r.status, 409);
		assert.equal(r.body.error.code, 'STALE_VERSION');
		r = await act(who.dept1, ref.a.id, { action: 'launch', version: 1 });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'action');
		r = await act(who.dept1, ref.a.id, { action: 'accept' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'version');
		r = await act(who.dept1, ref.a.id, { action: 'answer', version: 1, answer: 'x', outcome: 'assisted' });
		assert.equal(r.status, 422, 'answer needs acceptance first');
		r = await act(who.dept1, ref.a.id, { action: 'accept', version: 1 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(r.body, { id: ref.a.id, state: 'accepted', version: 2 });
		r = await act(who.dept1, ref.a.id, { action: 'accept', version: 1 });
		assert.equal(r.status, 409);
		for (const [body, field] of [
			[{ outcome: 'assisted' }, 'answer'],
			[{ answer: '已救助' }, 'outcome'],
			[{ answer: '已救助', outcome: 'maybe' }, 'outcome'],
			[{ answer: '已救助', outcome: 'assisted', amount: '12.345' }, 'amount'],
			[{ answer: '已救助', outcome: 'assisted', amount: '-1' }, 'amount'],
		]) {
			r = await act(who.dept1, ref.a.id, { action: 'answer', version: 2, ...body });
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field);
		}
		r = await act(who.town1, ref.a.id, { action: 'close', version: 2 });
		assert.equal(r.status, 422, 'close needs an answer first');
		r = await act(who.dept1, ref.a.id, {
			action: 'answer',
			version: 2,
			answer: '已按医疗救助政策报销住院费用',
			outcome: 'assisted',
			amount: '3200.50',
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'answered');
		const d = await get(who.town1, ref.a.id);
		assert.equal(d.body.answer, '已按医疗救助政策报销住院费用');
		assert.equal(d.body.outcome, 'assisted');
		assert.equal(d.body.amount, '3200.50');
		assert.deepEqual(d.body.allowed_actions, ['close']);
	});

	test('the township closes it; closed on both sides', async () => {
		let r = await act(who.dept1, ref.a.id, { action: 'close', version: 3 });
		assert.equal(r.status, 403, 'the office does not close');
		r = await act(who.town1, ref.a.id, { action: 'close', version: 3, note: '已告知来电人' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'closed');
		for (const as of [who.town1, who.county, who.dept1]) {
			const d = await get(as, ref.a.id);
			assert.equal(d.body.state, 'closed');
			assert.equal(d.body.close_note, '已告知来电人');
			assert.deepEqual(d.body.allowed_actions, []);
			assert.deepEqual(
				d.body.events.map((x) => x.action),
				['create', 'accept', 'answer', 'close'],
			);
		}
		assert.equal((await list(who.dept1, '?state=closed')).body.total, 1);
		const o = await call(base, 'GET', `/api/v1/hotline/orders/${ref.order.id}`, { cookie: who.town1.cookie });
		assert.equal(o.body.referrals[0].state, 'closed');
		assert.equal(o.body.referrals[0].outcome, 'assisted');
	});
});

describe('returns, cancellations and a referral from a case', () => {
	test('the office returns one with a reason; the sender cancels another', async () => {
		const o = await hotlineOrder();
		let r = await create(who.town1, { hotline_order_id: o.id, office_code: 'kz-jy', reason: '子女就学困难' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const id = r.body.id;
		r = await act(who.dept2, id, { action: 'return', version: 1 });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'note');
		r = await act(who.dept2, id, { action: 'return', version: 1, note: '子女不在本区就读' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'returned');
		assert.equal((await get(who.town1, id)).body.return_note, '子女不在本区就读');

		r = await create(who.town1, { hotline_order_id: o.id, office_code: 'kz-yb', reason: '重复' });
		const id2 = r.body.id;
		r = await act(who.town1, id2, { action: 'cancel', version: 1 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'cancelled');
		r = await act(who.dept1, id2, { action: 'accept', version: 2 });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.field, 'state');
	});

	test('a temporary-assistance case is referred; its detail shows the referral', async () => {
		const o = await hotlineOrder();
		let r = await call(base, 'POST', `/api/v1/hotline/orders/${o.id}/accept`, {
			body: { version: 1 },
			cookie: who.town1.cookie,
			csrf: who.town1.csrf,
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		r = await call(base, 'POST', `/api/v1/hotline/orders/${o.id}/convert`, {
			body: { version: 2, target: 'temporary', case_kind: 'emergency', cause: 'fire', area: 'rural' },
			cookie: who.town1.cookie,
			csrf: who.town1.csrf,
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const caseId = r.body.application_id;
		r = await create(who.town1, { application_id: caseId, office_code: 'kz-yb', reason: '火灾烧伤，医疗救助' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.source.kind, 'application');
		assert.equal(r.body.source.label, 'temporary');
		const a = await call(base, 'GET', `/api/v1/applications/${caseId}`, { cookie: who.town1.cookie });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.deepEqual(a.body.referrals.map((x) => x.id), [r.body.id]);
		const t = await call(base, 'GET', `/api/v1/temporary-cases/${caseId}`, { cookie: who.town1.cookie });
		assert.deepEqual(t.body.referrals.map((x) => x.id), [r.body.id]);
		assert.equal((await create(who.town2, { application_id: caseId, office_code: 'kz-yb', reason: 'x' })).status, 404);
		ref.b = r.body;
	});
});

describe('overdue referrals', () => {
	test('appear on the township, county and office workbenches, not on another township', async () => {
		sql(db.target, `UPDATE referrals SET due_date = '2000-01-03' WHERE id = ${ref.b.id}`);
		const r = await list(who.town1, '?overdue=true');
		assert.deepEqual(r.body.items.map((x) => x.id), [ref.b.id]);
		assert.equal(r.body.items[0].overdue, true);
		for (const as of [who.town1, who.county, who.dept1]) {
			const w = await workbench(as);
			assert.equal(w.referrals.overdue, 1, JSON.stringify(w.referrals));
			assert.deepEqual(w.referrals.overdue_items.map((x) => x.id), [ref.b.id]);
		}
		for (const as of [who.town2, who.dept2]) {
			const w = await workbench(as);
			assert.equal(w.referrals.overdue, 0);
			assert.deepEqual(w.referrals.overdue_items, []);
		}
		assert.equal((await list(who.dept1, '?overdue=1')).body.total, 1);
		assert.equal((await list(who.dept2, '?overdue=1')).body.total, 0);
		const bad = await list(who.town1, '?state=done');
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'state');
	});

	test('every step is audited; the chain is intact', () => {
		const n = (a) => Number(sql(db.target, `SELECT count(*) FROM audit_log WHERE action = '${a}'`));
		assert.equal(n('referral.create'), 4);
		assert.equal(n('referral.accept'), 1);
		assert.equal(n('referral.answer'), 1);
		assert.equal(n('referral.close'), 1);
		assert.equal(n('referral.return'), 1);
		assert.equal(n('referral.cancel'), 1);
		assert.equal(n('referral_office.create'), 3);
		assert.equal(Number(sql(db.target, 'SELECT count(*) FROM referral_events')), 9);
		auditIntact(db.target);
	});
});
