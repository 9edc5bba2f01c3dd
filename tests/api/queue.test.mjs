// tests/api/queue.test.mjs - the approval queue (审批队列): GET
// /api/v1/applications?queue=mine&sort=due answers the open dibao and tekun
// cases in the caller's region whose state lets the caller's role act
// (docs/casework.md), earliest due date (overdue) first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp, delegated;
const who = {};
const hh = {};
const c = {}; // the cases by letter

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

function importHouseholds(target) {
	const rows = [
		['Q-1', '500154001001', '50015419600101011', '甲队'],
		['Q-2', '500154001001', '50015419600101012', '乙队'],
		['Q-3', '500154001002', '50015419600101013', '丙队'],
		['Q-4', '500154001002', '50015419600101014', '丁队'],
		['Q-5', '500154001001', '50015419600101015', '戊队'],
		['Q-6', '500154002001', '50015419600101016', '己队'],
	];
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		rows.map((r) => [r[0], r[1], 'rural', idnum(r[2]), r[3], 'head', 'none', '100.00'].join(',')).join('\r\n') +
		'\r\n';
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	for (const line of sql(target, "SELECT household_no || '=' || id FROM households WHERE household_no LIKE 'Q-%'").split('\n')) {
		const [no, id] = line.split('=');
		hh[no] = Number(id);
	}
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

async function create(as, household, programme = 'dibao') {
	const r = await call(base, 'POST', '/api/v1/applications', {
		body: { household_id: household, programme, commitment: true },
		cookie: as.cookie,
		csrf: as.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return r.body.id;
}

async function step(as, id, action, extra = {}) {
	const cur = await call(base, 'GET', `/api/v1/applications/${id}`, { cookie: who.county.cookie });
	const r = await call(base, 'POST', `/api/v1/applications/${id}/actions`, {
		body: { action, version: cur.body.version, ...extra },
		cookie: as.cookie,
		csrf: as.csrf,
	});
	assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
}

async function queue(as, query = '', url = base) {
	const r = await call(url, 'GET', `/api/v1/applications?queue=mine&sort=due${query}`, { cookie: as.cookie });
	assert.equal(r.status, 200, JSON.stringify(r.body));
	assert.equal(r.body.total, r.body.items.length);
	return r.body.items.map((i) => i.id);
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-queue-'));
	db = freshDb('queue');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.village = await makeUser('q_village', 'village', '500154001001');
	who.township = await makeUser('q_township', 'township', '500154001');
	who.township2 = await makeUser('q_township2', 'township', '500154002');
	who.county = await makeUser('q_county', 'county', '500154');
	who.auditor = await makeUser('q_auditor', 'auditor', '500154');
	importHouseholds(db.target);
	c.A = await create(who.township, hh['Q-1']); // submitted
	c.B = await create(who.township, hh['Q-2']); // accepted: township and county may verify
	await step(who.township, c.B, 'accept');
	c.C = await create(who.township, hh['Q-3']); // in notice: the county approves
	for (const a of ['accept', 'verify', 'investigate', 'review', 'publish_notice']) await step(who.township, c.C, a);
	c.D = await create(who.township, hh['Q-4']); // rejected: closed, nobody's
	await step(who.township, c.D, 'reject', { note: '不符合条件' });
	c.E = await create(who.township2, hh['Q-6']); // another township
	c.F = await create(who.village, hh['Q-5'], 'tekun'); // submitted, tekun
	// B is overdue, F due later than A
	sql(db.target, `UPDATE applications SET due_date = '2020-01-02' WHERE id = ${c.B}`);
	sql(db.target, `UPDATE applications SET due_date = '2099-12-31' WHERE id = ${c.F}`);
	// a server whose policy delegates approval to the townships
	const pol = JSON.parse(readFileSync('policy/default.json', 'utf8'));
	for (const p of pol.parameters) if (p.name === 'procedure.township_approves') p.value = true;
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

describe('the approval queue', () => {
	test('township: its own open cases awaiting it, overdue first; not in notice unless delegated', async () => {
		assert.deepEqual(await queue(who.township), [c.B, c.A, c.F]);
		const items = (await call(base, 'GET', '/api/v1/applications?queue=mine&sort=due', { cookie: who.township.cookie })).body.items;
		assert.equal(items[0].overdue, true);
		assert.equal(items[1].overdue, false);
		assert.deepEqual(await queue(who.township2), [c.E]);
	});

	test('county: verification and approval in its whole county', async () => {
		assert.deepEqual(await queue(who.county), [c.B, c.C]);
	});

	test('village: investigations only (none here); auditor: nothing', async () => {
		assert.deepEqual(await queue(who.village), []);
		assert.deepEqual(await queue(who.auditor), []);
	});

	test('filter by programme; pages', async () => {
		assert.deepEqual(await queue(who.township, '&programme=tekun'), [c.F]);
		assert.deepEqual(await queue(who.township, '&programme=dibao'), [c.B, c.A]);
		const p2 = await call(base, 'GET', '/api/v1/applications?queue=mine&sort=due&per_page=1&page=2', { cookie: who.township.cookie });
		assert.equal(p2.body.total, 3);
		assert.deepEqual(p2.body.items.map((i) => i.id), [c.A]);
	});

	test('delegated approval: the township also sees its cases in notice', async () => {
		const s = await login(delegated.url, 'q_township', PW);
		const ids = await queue(s, '', delegated.url);
		assert.deepEqual([...ids].sort((x, y) => x - y), [c.A, c.B, c.C, c.F].sort((x, y) => x - y));
		assert.equal(ids[0], c.B, 'overdue first');
	});

	test('sort=due without the queue orders every case by due date; bad values are 400 naming the field', async () => {
		const all = await call(base, 'GET', '/api/v1/applications?sort=due', { cookie: who.county.cookie });
		assert.equal(all.status, 200);
		assert.equal(all.body.items[0].id, c.B);
		const bad = await call(base, 'GET', '/api/v1/applications?queue=all', { cookie: who.county.cookie });
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'queue');
		const badSort = await call(base, 'GET', '/api/v1/applications?sort=name', { cookie: who.county.cookie });
		assert.equal(badSort.status, 400);
		assert.equal(badSort.body.error.field, 'sort');
	});
});
