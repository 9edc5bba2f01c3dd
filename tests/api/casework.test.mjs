// tests/api/casework.test.mjs - applications through the whole procedure
// (docs/casework.md) against a real `doudi serve`: roles, versions, region
// scope, the public notice, the decision with its trace, close relatives,
// lists and the periodic-review scheduler.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp;
let delegated; // a second server on the same store whose policy delegates approval and allows waivers
const who = {};
const hh = {};

// An ID number with a valid check digit (GB 11643).
function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

// The households the tests need, in one place: today they come from
// `doudi import households`; once POST /api/v1/households is merged this
// helper can create them through the API instead. Returns {no: id}.
function setupHouseholds(target) {
	const rows = [
		// household_no, region, area, 17 digits, name, relation, labor_capacity, wage_month
		['CW-1', '500154001001', 'rural', '50015419600101001', '甲某', 'head', 'none', '100.00'],
		['CW-2', '500154002001', 'rural', '50015419600101002', '乙某', 'head', 'none', '100.00'],
		['CW-3', '500154001001', 'rural', '50015419600101003', '丙某', 'head', 'none', '100.00'],
		['CW-3', '500154001001', 'rural', '50015419900101004', '丙某子', 'child', 'full', '200.00'],
		['CW-4', '500154001001', 'rural', '50015419700101005', '丁某', 'head', 'full', '9000.00'],
		['CW-5', '500154001001', 'rural', '50015419600101006', '戊某', 'head', 'none', '0.00'],
		['CW-6', '500154001001', 'rural', '50015419600101007', '己某', 'head', 'full', '100.00'],
	];
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		rows.map((r) => [r[0], r[1], r[2], idnum(r[3]), r[4], r[5], r[6], r[7]].join(',')).join('\r\n') +
		'\r\n';
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	const out = {};
	for (const line of sql(target, "SELECT household_no || '=' || id FROM households WHERE household_no LIKE 'CW-%'").split('\n')) {
		const [no, id] = line.split('=');
		out[no] = Number(id);
	}
	return { ids: out, idOf: (digits) => idnum(digits) };
}

async function makeUser(username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	const s = await login(base, username, PW);
	assert.equal(s.res.status, 200);
	return s;
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-case-'));
	db = freshDb('casework');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.village = await makeUser('cw_village', 'village', '500154001001');
	who.township = await makeUser('cw_township', 'township', '500154001');
	who.township2 = await makeUser('cw_township2', 'township', '500154002');
	who.county = await makeUser('cw_county', 'county', '500154');
	who.auditor = await makeUser('cw_auditor', 'auditor', '500154');
	const setup = setupHouseholds(db.target);
	Object.assign(hh, setup.ids);
	hh.idOf = setup.idOf;
	// the delegating policy: the shipped one with township approval and the waiver on
	const pol = JSON.parse(readFileSync('policy/default.json', 'utf8'));
	for (const p of pol.parameters) {
		if (p.name === 'procedure.township_approves' || p.name === 'procedure.waive_investigation') p.value = true;
	}
	const polFile = path.join(tmp, 'delegated.json');
	writeFileSync(polFile, JSON.stringify(pol));
	delegated = await startServer(db.target, ['--ip-max-failures', '1000', '--policy', polFile]);
});

after(async () => {
	const a = await srv.stop();
	const b = delegated ? await delegated.stop() : { code: 0 };
	try {
		assert.equal(a.code, 0, 'clean exit');
		assert.equal(b.code, 0, 'clean exit (delegated)');
		assert.doesNotMatch(srv.log() + (delegated ? delegated.log() : ''), /runtime error|AddressSanitizer|LeakSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
		rmSync(tmp, { recursive: true, force: true });
	}
});

function create(as, body, url = base) {
	return call(url, 'POST', '/api/v1/applications', { body, cookie: as.cookie, csrf: as.csrf });
}
function get(as, id, url = base) {
	return call(url, 'GET', `/api/v1/applications/${id}`, { cookie: as.cookie });
}
function act(as, id, body, url = base) {
	return call(url, 'POST', `/api/v1/applications/${id}/actions`, { body, cookie: as.cookie, csrf: as.csrf });
}
// Takes the action with the version just read; asserts the status.
async function step(as, id, action, status = 200, extra = {}, url = base) {
	const cur = await get(who.county, id);
	assert.equal(cur.status, 200);
	const r = await act(as, id, { action, version: cur.body.version, ...extra }, url);
	assert.equal(r.status, status, `${action}: ${JSON.stringify(r.body)}`);
	return r;
}
// Moves the latest public notice `days` days into the past (time passing).
function backdateNotice(id, days) {
	const at = new Date(Date.now() - days * 86400000).toISOString();
	sql(db.target, `UPDATE case_history SET at = '${at}' WHERE application_id = ${id} AND action = 'publish_notice'`);
}
const todayChina = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);

describe('a dibao case through every state', () => {
	let id;
	test('the village registers it: 201, submitted, commitment recorded, a due date', async () => {
		const r = await create(who.village, { household_id: hh['CW-1'], programme: 'dibao', commitment: true, note: '走访发现' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		id = r.body.id;
		assert.equal(r.body.state, 'submitted');
		assert.equal(r.body.version, 1);
		assert.equal(r.body.commitment_signed, true);
		assert.equal(r.body.close_relative, false);
		assert.match(r.body.due_date, /^\d{4}-\d{2}-\d{2}$/);
		assert.ok(r.body.due_date > todayChina(), 'acceptance is due after today');
		assert.equal(r.body.deadlines.length, 1);
		assert.equal(r.body.deadlines[0].due, r.body.due_date);
		assert.equal(r.body.history[0].action, 'submit');
		assert.equal(r.body.history[0].note, '走访发现');
		assert.equal(Number(sql(db.target, `SELECT commitment_signed FROM applications WHERE id = ${id}`)), 1);
	});

	test('a second open dibao application for the household is 409', async () => {
		const r = await create(who.township, { household_id: hh['CW-1'], programme: 'dibao', commitment: true });
		assert.equal(r.status, 409);
		assert.equal(r.body.error.code, 'OPEN_APPLICATION_EXISTS');
	});

	test('outside the region: another township gets 404 for the case and the household', async () => {
		const g = await get(who.township2, id);
		assert.equal(g.status, 404);
		const a = await act(who.township2, id, { action: 'accept', version: 1 });
		assert.equal(a.status, 404);
		const c = await create(who.township2, { household_id: hh['CW-1'], programme: 'tekun', commitment: true });
		assert.equal(c.status, 404);
		assert.equal(c.body.error.field, 'household_id');
	});

	test('a wrong role is 422 with a stable code and a Chinese reason', async () => {
		const r = await act(who.village, id, { action: 'accept', version: 1 });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'ROLE_NOT_ALLOWED');
		assert.match(r.body.error.message, /角色/);
		const s = await act(who.township, id, { action: 'review', version: 1 });
		assert.equal(s.status, 422);
		assert.equal(s.body.error.code, 'STATE_NOT_ALLOWED');
	});

	test('a stale version is 409; a missing version 400', async () => {
		await step(who.township, id, 'accept');
		const r = await act(who.township, id, { action: 'verify', version: 1 });
		assert.equal(r.status, 409);
		assert.equal(r.body.error.code, 'STALE_VERSION');
		const m = await act(who.township, id, { action: 'verify' });
		assert.equal(m.status, 400);
		assert.equal(m.body.error.field, 'version');
	});

	test('accept, verify, investigate (village), review, publish_notice; waiving is refused while the policy is off', async () => {
		await step(who.county, id, 'verify');
		const w = await step(who.township, id, 'waive_investigation', 422);
		assert.equal(w.body.error.code, 'WAIVER_NOT_IN_FORCE');
		await step(who.village, id, 'investigate', 200, { note: '入户调查情况属实' });
		await step(who.township, id, 'review');
		const p = await step(who.township, id, 'publish_notice');
		assert.equal(p.body.state, 'in_notice');
		assert.match(p.body.notice_until, /^\d{4}-\d{2}-\d{2}$/);
		const states = p.body.history.map((h) => h.to_state);
		assert.deepEqual(states, ['submitted', 'accepted', 'verified', 'investigated', 'reviewed', 'in_notice']);
		assert.deepEqual(p.body.history.map((h) => h.actor), ['cw_village', 'cw_township', 'cw_county', 'cw_village', 'cw_township', 'cw_township']);
		// one deadline per state entered, each met but the last
		assert.equal(p.body.deadlines.length, 6);
		assert.ok(p.body.deadlines.slice(0, 5).every((d) => d.met === todayChina() && d.overdue === false));
		assert.equal(p.body.deadlines[5].met, null);
		assert.ok(p.body.deadlines[5].due > p.body.notice_until, 'decision due after the notice');
		assert.equal(p.body.assessment.source, 'preview');
		assert.equal(p.body.assessment.determination, 'dibao');
	});

	test('approval before the notice period ends is 422, also on its last day', async () => {
		const r = await step(who.county, id, 'approve', 422);
		assert.equal(r.body.error.code, 'NOTICE_PERIOD_NOT_OVER');
		backdateNotice(id, 7);
		const s = await step(who.county, id, 'approve', 422);
		assert.equal(s.body.error.code, 'NOTICE_PERIOD_NOT_OVER');
	});

	test('the township may not approve unless delegated', async () => {
		backdateNotice(id, 8);
		const r = await step(who.township, id, 'approve', 422);
		assert.equal(r.body.error.code, 'APPROVAL_NOT_DELEGATED');
	});

	test('the county approves after the notice: a decision with result, trace and parameters', async () => {
		const r = await step(who.county, id, 'approve');
		assert.equal(r.body.state, 'approved');
		assert.ok(r.body.closed_at);
		assert.equal(r.body.due_date, null);
		const a = r.body.assessment;
		assert.equal(a.source, 'decision');
		assert.equal(a.determination, 'dibao');
		assert.match(a.monthly_benefit, /^\d+\.\d{2}$/);
		assert.ok(Number(a.monthly_benefit) > 0);
		assert.ok(Array.isArray(a.trace) && a.trace.length > 3);
		assert.ok(a.trace.every((t) => t.rule && t.text));
		assert.deepEqual(a.result.trace, a.trace);
		assert.equal(a.result.monthly_benefit, a.monthly_benefit);
		// the standard in force is among the parameters used, and matches the trace
		assert.match(a.params['dibao.standard.rural'], /^\d+\.\d{2}$/);
		assert.equal(a.result.standard, a.params['dibao.standard.rural']);
		assert.equal(a.params['procedure.public_notice_days'], 7);
		assert.equal(a.assessed_on, todayChina());
		const stored = sql(db.target, `SELECT determination || '|' || monthly_benefit FROM decisions WHERE application_id = ${id}`);
		assert.equal(stored, `dibao|${Math.round(Number(a.monthly_benefit) * 100)}`);
		assert.ok(Number(sql(db.target, `SELECT count(*) FROM audit_log WHERE entity = 'application' AND entity_id = '${id}'`)) >= 7);
		// the decision's monthly line: the household benefit, paid to the head
		const dec = sql(db.target, `SELECT id || '|' || effective_from FROM decisions WHERE application_id = ${id}`).split('|');
		assert.equal(
			sql(db.target, `SELECT l.component || '|' || l.category || '|' || l.amount || '|' || p.id_number FROM decision_lines l JOIN persons p ON p.id = l.person_id WHERE l.decision_id = ${dec[0]}`),
			`household|dibao_rural|${Math.round(Number(a.monthly_benefit) * 100)}|${hh.idOf('50015419600101001')}`,
		);
		// and the payroll of its first month pays it
		const month = dec[1].slice(0, 7);
		const g = await call(base, 'POST', '/api/v1/payroll/batches', {
			body: { region: '500154', programme: 'dibao', period: month },
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(g.status, 201, JSON.stringify(g.body));
		assert.equal(g.body.items.length, 1);
		assert.equal(g.body.items[0].result, 'regular');
		assert.equal(g.body.items[0].total, a.monthly_benefit);
		// a closed case takes no more actions
		const again = await step(who.county, id, 'reject', 422, { note: '重复' });
		assert.equal(again.body.error.code, 'STATE_NOT_ALLOWED');
	});

	test('the auditor reads the case but takes no action', async () => {
		const g = await get(who.auditor, id);
		assert.equal(g.status, 200);
		assert.deepEqual(g.body.allowed_actions, []);
	});
});

describe('refusals and other paths', () => {
	test('commitment: missing is 400, false is 422; bad programme 400', async () => {
		const m = await create(who.village, { household_id: hh['CW-5'], programme: 'dibao' });
		assert.equal(m.status, 400);
		assert.equal(m.body.error.field, 'commitment');
		const f = await create(who.village, { household_id: hh['CW-5'], programme: 'dibao', commitment: false });
		assert.equal(f.status, 422);
		assert.equal(f.body.error.code, 'COMMITMENT_REQUIRED');
		const p = await create(who.village, { household_id: hh['CW-5'], programme: 'xx', commitment: true });
		assert.equal(p.status, 400);
		assert.equal(p.body.error.field, 'programme');
		const c = await create(who.county, { household_id: hh['CW-5'], programme: 'dibao', commitment: true });
		assert.equal(c.status, 403);
		const n = await create(who.village, { household_id: 999999, programme: 'dibao', commitment: true });
		assert.equal(n.status, 404);
	});

	test('reject needs a reason in note (400), then the refusal notice is due', async () => {
		const r = await create(who.township, { household_id: hh['CW-5'], programme: 'dibao', commitment: true });
		assert.equal(r.status, 201);
		const no = await act(who.township, r.body.id, { action: 'reject', version: 1 });
		assert.equal(no.status, 400);
		assert.equal(no.body.error.field, 'note');
		const blank = await act(who.township, r.body.id, { action: 'reject', version: 1, note: '' });
		assert.equal(blank.status, 400);
		const ok = await act(who.township, r.body.id, { action: 'reject', version: 1, note: '家庭人均收入高于低保标准' });
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(ok.body.state, 'rejected');
		assert.equal(ok.body.history.at(-1).note, '家庭人均收入高于低保标准');
		const last = ok.body.deadlines.at(-1);
		assert.equal(last.state, 'rejected');
		assert.ok(last.due > todayChina());
		// closed: a new application may follow
		const again = await create(who.township, { household_id: hh['CW-5'], programme: 'dibao', commitment: true });
		assert.equal(again.status, 201);
		const w = await act(who.village, again.body.id, { action: 'withdraw', version: 1 });
		assert.equal(w.status, 200);
		assert.equal(w.body.state, 'withdrawn');
	});

	test('a household the rules do not admit cannot be approved (422 NOT_ELIGIBLE)', async () => {
		const r = await create(who.township, { household_id: hh['CW-4'], programme: 'dibao', commitment: true });
		assert.equal(r.status, 201);
		const id = r.body.id;
		for (const a of ['accept', 'verify', 'investigate', 'review', 'publish_notice']) await step(who.township, id, a);
		backdateNotice(id, 8);
		const x = await step(who.county, id, 'approve', 422);
		assert.equal(x.body.error.code, 'NOT_ELIGIBLE');
		assert.equal(sql(db.target, `SELECT count(*) FROM decisions WHERE application_id = ${id}`), '0');
		await step(who.county, id, 'reject', 200, { note: '收入超过标准' });
	});
});

describe('delegation, waiver and close relatives', () => {
	test('registering a relative: county only; bad ID 400', async () => {
		const t = await call(base, 'POST', '/api/v1/close-relatives', {
			body: { id_number: hh.idOf('50015419900101004'), staff_name: '某干部', relation: '子女' },
			cookie: who.township.cookie,
			csrf: who.township.csrf,
		});
		assert.equal(t.status, 403);
		const bad = await call(base, 'POST', '/api/v1/close-relatives', {
			body: { id_number: '500154199001010041', staff_name: '某干部', relation: '子女' },
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'id_number');
		const ok = await call(base, 'POST', '/api/v1/close-relatives', {
			body: { id_number: hh.idOf('50015419900101004'), name: '丙某子', staff_name: '某干部', staff_post: '村委会主任', relation: '子女' },
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(ok.status, 201, JSON.stringify(ok.body));
		assert.ok(ok.body.id > 0);
		const detail = sql(db.target, `SELECT detail FROM audit_log WHERE entity = 'close_relative'`);
		assert.doesNotMatch(detail, /50015419900101004/, 'no ID number in the audit row');
		// the register: county and auditor read it (ID numbers masked), a township may not
		const full = hh.idOf('50015419900101004');
		const list = await call(base, 'GET', '/api/v1/close-relatives', { cookie: who.county.cookie });
		assert.equal(list.status, 200, JSON.stringify(list.body));
		const mine = list.body.items.find((x) => x.id === ok.body.id);
		assert.ok(mine, 'the new entry is listed');
		assert.equal(mine.staff_name, '某干部');
		assert.equal(mine.relation, '子女');
		assert.equal(mine.id_number, full.slice(0, 6) + '********' + full.slice(14));
		assert.doesNotMatch(JSON.stringify(list.body), new RegExp(full), 'no full ID number in the list');
		const one = await call(base, 'GET', `/api/v1/close-relatives?id_number=${full}`, { cookie: who.auditor.cookie });
		assert.equal(one.status, 200);
		assert.ok(one.body.total >= 1 && one.body.items.every((x) => x.id_number === mine.id_number));
		const none = await call(base, 'GET', `/api/v1/close-relatives?id_number=${hh.idOf('50015419900101001')}`, { cookie: who.county.cookie });
		assert.equal(none.body.total, 0);
		const badq = await call(base, 'GET', '/api/v1/close-relatives?id_number=123', { cookie: who.county.cookie });
		assert.equal(badq.status, 400);
		assert.equal(badq.body.error.field, 'id_number');
		const tw = await call(base, 'GET', '/api/v1/close-relatives', { cookie: who.township.cookie });
		assert.equal(tw.status, 403);
	});

	test('delegated township approval works, with a waived investigation, but not for a close-relative case', async () => {
		const dsess = {};
		for (const k of ['township', 'county']) dsess[k] = await login(delegated.url, `cw_${k}`, PW);
		// an ordinary case: the township decides
		const plain = await create(dsess.township, { household_id: hh['CW-6'], programme: 'dibao', commitment: true }, delegated.url);
		assert.equal(plain.status, 201, JSON.stringify(plain.body));
		for (const a of ['accept', 'verify', 'waive_investigation', 'review', 'publish_notice']) await step(dsess.township, plain.body.id, a, 200, {}, delegated.url);
		backdateNotice(plain.body.id, 8);
		const ok = await step(dsess.township, plain.body.id, 'approve', 200, {}, delegated.url);
		assert.equal(ok.body.state, 'approved');
		assert.deepEqual(ok.body.history.map((h) => h.action).slice(2, 4), ['verify', 'waive_investigation']);
		// the flagged household: the county must approve
		const rel = await create(dsess.township, { household_id: hh['CW-3'], programme: 'dibao', commitment: true }, delegated.url);
		assert.equal(rel.status, 201);
		assert.equal(rel.body.close_relative, true);
		for (const a of ['accept', 'verify', 'investigate', 'review', 'publish_notice']) await step(dsess.township, rel.body.id, a, 200, {}, delegated.url);
		backdateNotice(rel.body.id, 8);
		const no = await step(dsess.township, rel.body.id, 'approve', 422, {}, delegated.url);
		assert.equal(no.body.error.code, 'CLOSE_RELATIVE_COUNTY_ONLY');
		const yes = await step(dsess.county, rel.body.id, 'approve', 200, {}, delegated.url);
		assert.equal(yes.body.state, 'approved');
	});
});

describe('lists', () => {
	test('scoped to the region, filtered by state, programme and due', async () => {
		const all = await call(base, 'GET', '/api/v1/applications?per_page=500', { cookie: who.county.cookie });
		assert.equal(all.status, 200);
		assert.equal(all.body.total, all.body.items.length);
		assert.ok(all.body.total >= 6);
		const other = await call(base, 'GET', '/api/v1/applications', { cookie: who.township2.cookie });
		assert.equal(other.status, 200);
		assert.equal(other.body.total, 0);
		const approved = await call(base, 'GET', '/api/v1/applications?state=approved&programme=dibao', { cookie: who.township.cookie });
		assert.ok(approved.body.items.length >= 3);
		assert.ok(approved.body.items.every((i) => i.state === 'approved' && i.programme === 'dibao'));
		const page = await call(base, 'GET', '/api/v1/applications?per_page=2&page=2', { cookie: who.county.cookie });
		assert.equal(page.body.items.length, 2);
		assert.equal(page.body.total, all.body.total);
		assert.equal(page.body.items[0].id, all.body.items[2].id);
		// an open case made overdue, and one due today
		const o = await create(who.township, { household_id: hh['CW-5'], programme: 'dibao', commitment: true });
		assert.equal(o.status, 201);
		sql(db.target, `UPDATE applications SET due_date = '2020-01-02' WHERE id = ${o.body.id}`);
		const overdue = await call(base, 'GET', '/api/v1/applications?due=overdue', { cookie: who.township.cookie });
		assert.deepEqual(overdue.body.items.map((i) => i.id), [o.body.id]);
		assert.equal(overdue.body.items[0].overdue, true);
		sql(db.target, `UPDATE applications SET due_date = '${todayChina()}' WHERE id = ${o.body.id}`);
		const today = await call(base, 'GET', '/api/v1/applications?due=today', { cookie: who.township.cookie });
		assert.deepEqual(today.body.items.map((i) => i.id), [o.body.id]);
		const bad = await call(base, 'GET', '/api/v1/applications?state=nope', { cookie: who.township.cookie });
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'state');
		const badDue = await call(base, 'GET', '/api/v1/applications?due=later', { cookie: who.township.cookie });
		assert.equal(badDue.status, 400);
	});
});

describe('periodic reviews', () => {
	function runReviews(date, as) {
		const args = ['casework', 'reviews', '--db', db.target, '--date', date];
		if (as) args.push('--as', as);
		const r = spawnSync(DOUDI, args, { encoding: 'utf8' });
		return { status: r.status, out: r.stdout ? JSON.parse(r.stdout) : null, err: r.stderr };
	}
	test('review cases are created when due, once per decision', async () => {
		const decisions = Number(sql(db.target, "SELECT count(*) FROM decisions WHERE superseded_by IS NULL AND determination = 'dibao'"));
		assert.ok(decisions >= 3);
		const soon = runReviews(todayChina());
		assert.equal(soon.status, 0, soon.err);
		assert.equal(soon.out.created, 0, 'nothing is due today');
		// CW-3 and CW-6 have a member able to work: review.variable_months (6); CW-1 stable (12)
		const d7 = new Date(Date.now() + 8 * 3600000 + 7 * 31 * 86400000).toISOString().slice(0, 10);
		const r7 = runReviews(d7, 'cw_county');
		assert.equal(r7.status, 0, r7.err);
		assert.equal(r7.out.created, 2);
		assert.equal(sql(db.target, 'SELECT kind FROM case_reviews ORDER BY kind'), 'variable\nvariable');
		const d13 = new Date(Date.now() + 8 * 3600000 + 13 * 31 * 86400000).toISOString().slice(0, 10);
		const r13 = runReviews(d13);
		assert.equal(r13.out.created, decisions - 2);
		assert.equal(runReviews(d13).out.created, 0, 'idempotent');
		const rev = await call(base, 'GET', '/api/v1/applications?state=accepted', { cookie: who.county.cookie });
		const reviews = rev.body.items.filter((i) => i.kind === 'review');
		assert.equal(reviews.length, decisions);
		const village = runReviews(d13, 'cw_village');
		assert.notEqual(village.status, 0, 'a village account may not schedule');
	});
});
