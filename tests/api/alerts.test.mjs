// tests/api/alerts.test.mjs - handling the alerts of data matching (issue 7):
// GET /api/v1/alerts (scope, filters, order by due date, masked ID numbers),
// GET /api/v1/alerts/{id} (404 outside the region, audited reveal), and the
// steps open → verifying → actioned → closed with version checks, CSRF,
// role and state refusals; suspend places a payment hold, temporary links a
// temporary case. Alerts are inserted as `doudi match` writes them.
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
const hh = {};
const al = {};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

function importHouseholds(target) {
	const rows = [
		['AL-1', '500154001001', '50015419600101021', '丙一'],
		['AL-2', '500154002001', '50015419600101022', '丙二'],
	];
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		rows.map((r) => [r[0], r[1], 'rural', idnum(r[2]), r[3], 'head', 'none', '100.00'].join(',')).join('\r\n') +
		'\r\n';
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	for (const line of sql(
		target,
		"SELECT h.household_no || '=' || h.id || '=' || p.id || '=' || p.id_number FROM households h " +
			'JOIN memberships m ON m.household_id = h.id JOIN persons p ON p.id = m.person_id ' +
			"WHERE h.household_no LIKE 'AL-%'",
	).split('\n')) {
		const [no, id, person, idn] = line.split('=');
		hh[no] = { id: Number(id), person: Number(person), idn };
	}
}

async function makeUser(username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return login(base, username, PW);
}

const list = (as, q = '') => call(base, 'GET', `/api/v1/alerts${q}`, { cookie: as.cookie });
const get = (as, id, q = '') => call(base, 'GET', `/api/v1/alerts/${id}${q}`, { cookie: as.cookie });
const post = (as, id, step, body) =>
	call(base, 'POST', `/api/v1/alerts/${id}/${step}`, { body, cookie: as.cookie, csrf: as.csrf });

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-alerts-'));
	db = freshDb('alerts');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('al_county', 'county', '500154');
	who.town1 = await makeUser('al_town1', 'township', '500154001');
	who.town2 = await makeUser('al_town2', 'township', '500154002');
	who.village = await makeUser('al_village', 'village', '500154001001');
	who.finance = await makeUser('al_finance', 'finance', '500154');
	importHouseholds(db.target);
	const today = (await call(base, 'GET', '/api/v1/workbench', { cookie: who.county.cookie })).body.today;
	const shift = (d, days) => new Date(Date.parse(d + 'T00:00:00Z') + days * 86400000).toISOString().slice(0, 10);
	const now = new Date().toISOString();
	const h1 = hh['AL-1'];
	const h2 = hh['AL-2'];
	const lead = idnum('50015419900101033');
	const row = (key, kind, region, h, idn, isLead, state, due) =>
		`('${kind}', '${kind}', 'test', '${region}', ${h ? h.person : 'NULL'}, ${h ? h.id : 'NULL'}, '${idn}', '某人', ` +
		`${isLead}, '${state}', '{"rule":"${kind}"}', '${key}', '${now}', '${due}', '${now}', '${now}')`;
	sql(
		db.target,
		`INSERT INTO alerts (kind, rule_code, source, region_code, person_id, household_id, id_number, name, lead, state,
		 detail, dedup_key, raised_at, due_date, created_at, updated_at) VALUES
		 ${row('k1', 'death', '500154001', h1, h1.idn, 0, 'open', shift(today, -2))},
		 ${row('k2', 'income_loss', '500154001', null, lead, 1, 'open', shift(today, 5))},
		 ${row('k3', 'vehicle', '500154002', h2, h2.idn, 0, 'open', shift(today, -1))},
		 ${row('k4', 'business', '500154001', h1, h1.idn, 0, 'closed', shift(today, -3))},
		 ${row('k5', 'vehicle', '500154001', h1, h1.idn, 0, 'open', shift(today, 1))}`,
	);
	for (const line of sql(db.target, "SELECT dedup_key || '=' || id FROM alerts").split('\n')) {
		const [k, id] = line.split('=');
		al[k] = Number(id);
	}
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

describe('GET /api/v1/alerts', () => {
	test('needs a session', async () => {
		assert.equal((await call(base, 'GET', '/api/v1/alerts')).status, 401);
	});

	test('the county sees its whole county by due date, ID numbers masked', async () => {
		const r = await list(who.county);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.total, 5);
		assert.deepEqual(
			r.body.items.map((a) => a.id),
			[al.k4, al.k1, al.k3, al.k5, al.k2],
		);
		for (const a of r.body.items) assert.match(a.id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
		const k1 = r.body.items.find((a) => a.id === al.k1);
		assert.equal(k1.overdue, true);
		assert.equal(k1.state, 'open');
		assert.equal(k1.household_id, hh['AL-1'].id);
		assert.equal(r.body.items.find((a) => a.id === al.k4).overdue, false, 'a closed alert is not overdue');
	});

	test('a township sees its own; filters: overdue, lead, state, kind, region', async () => {
		const ids = async (q) => {
			const r = await list(who.town1, q);
			assert.equal(r.status, 200, JSON.stringify(r.body));
			return r.body.items.map((a) => a.id);
		};
		assert.deepEqual(await ids(''), [al.k4, al.k1, al.k5, al.k2]);
		assert.deepEqual(await ids('?overdue=true'), [al.k1]);
		assert.deepEqual(await ids('?lead=true'), [al.k2]);
		assert.deepEqual(await ids('?lead=false&state=open'), [al.k1, al.k5]);
		assert.deepEqual(await ids('?state=closed'), [al.k4]);
		assert.deepEqual(await ids('?kind=vehicle'), [al.k5]);
		assert.deepEqual(await ids('?region=500154002'), [], 'a region outside the scope lists nothing');
		assert.deepEqual(await ids('?per_page=2&page=2'), [al.k5, al.k2]);
	});

	test('bad filters are 400 naming the parameter', async () => {
		for (const [q, field] of [
			['?state=bogus', 'state'],
			['?lead=maybe', 'lead'],
			['?overdue=x', 'overdue'],
			['?region=12', 'region'],
			['?per_page=501', 'per_page'],
		]) {
			const r = await list(who.county, q);
			assert.equal(r.status, 400, q);
			assert.equal(r.body.error.field, field, q);
		}
	});
});

describe('GET /api/v1/alerts/{id}', () => {
	test('outside the region is 404', async () => {
		const r = await get(who.town1, al.k3);
		assert.equal(r.status, 404);
		assert.equal((await get(who.town1, 999999)).status, 404);
		assert.equal((await get(who.town1, 'abc')).status, 404);
	});

	test('one alert: detail, masked number, the steps allowed', async () => {
		const r = await get(who.town1, al.k1);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.detail.rule, 'death');
		assert.notEqual(r.body.id_number, hh['AL-1'].idn);
		assert.deepEqual(r.body.allowed_steps, ['verify']);
		assert.equal(r.body.hold, null);
		assert.deepEqual((await get(who.finance, al.k1)).body.allowed_steps, [], 'finance only reads');
		assert.equal((await get(who.village, al.k1)).status, 404, "a township's alert is not a village's");
	});

	test('reveal: the whole number, audited; not for finance', async () => {
		const fin = await get(who.finance, al.k1, '?reveal=1');
		assert.equal(fin.status, 403);
		assert.equal(fin.body.error.code, 'REVEAL_NOT_ALLOWED');
		const r = await get(who.town1, al.k1, '?reveal=1');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.id_number, hh['AL-1'].idn);
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'alert.reveal' AND entity_id = '${al.k1}'`),
			'1',
		);
	});
});

describe('the steps', () => {
	test('CSRF, role and version are checked', async () => {
		const none = await call(base, 'POST', `/api/v1/alerts/${al.k1}/verify`, {
			body: { version: 1 },
			cookie: who.town1.cookie,
		});
		assert.equal(none.status, 403);
		assert.equal(none.body.error.code, 'CSRF');
		const v = await post(who.village, al.k1, 'verify', { version: 1 });
		assert.equal(v.status, 403);
		assert.equal(v.body.error.code, 'ROLE_NOT_ALLOWED');
		const out = await post(who.town2, al.k1, 'verify', { version: 1 });
		assert.equal(out.status, 404, 'another township');
		const nov = await post(who.town1, al.k1, 'verify', {});
		assert.equal(nov.status, 400);
		assert.equal(nov.body.error.field, 'version');
		const early = await post(who.town1, al.k1, 'close', { version: 1, result: 'x' });
		assert.equal(early.status, 422);
		assert.equal(early.body.error.code, 'STATE_NOT_ALLOWED');
		assert.equal(early.body.error.field, 'state');
	});

	test('open → verifying → actioned (suspend) → closed', async () => {
		let r = await post(who.town1, al.k1, 'verify', { version: 1 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(r.body, { id: al.k1, state: 'verifying', version: 2 });
		r = await post(who.town1, al.k1, 'verify', { version: 1 });
		assert.equal(r.status, 409);
		assert.equal(r.body.error.code, 'STALE_VERSION');
		r = await post(who.town1, al.k1, 'verify', { version: 2 });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'STATE_NOT_ALLOWED');
		r = await post(who.town1, al.k1, 'action', { version: 2, action: 'none' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'NOTE_REQUIRED');
		assert.equal(r.body.error.field, 'note');
		r = await post(who.town1, al.k1, 'action', { version: 2, action: 'bogus' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'action');
		r = await post(who.town1, al.k1, 'action', { version: 2, action: 'suspend', note: '死亡待核实，暂停发放' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'actioned');
		assert.equal(
			sql(db.target, `SELECT count(*) FROM payment_holds WHERE household_id = ${hh['AL-1'].id} AND released_at IS NULL`),
			'1',
		);
		const g = await get(who.county, al.k1);
		assert.equal(g.body.action, 'suspend');
		assert.equal(g.body.action_note, '死亡待核实，暂停发放');
		assert.notEqual(g.body.hold, null);
		assert.equal(g.body.handled_by, who.town1.user.id);
		assert.equal(g.body.assigned_to, who.town1.user.id);
		assert.deepEqual(g.body.allowed_steps, ['close', 'release_hold']);
		r = await post(who.county, al.k1, 'close', { version: 3 });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'RESULT_REQUIRED');
		r = await post(who.county, al.k1, 'close', { version: 3, result: '已核实死亡，终止救助' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const c = await get(who.county, al.k1);
		assert.equal(c.body.state, 'closed');
		assert.equal(c.body.closed_by, who.county.user.id);
		assert.equal(c.body.overdue, false);
		assert.equal(c.body.result, '已核实死亡，终止救助');
	});

	test('the payment hold is released with a reason, audited', async () => {
		assert.deepEqual((await get(who.county, al.k1)).body.allowed_steps, ['release_hold']);
		let r = await call(base, 'POST', `/api/v1/alerts/${al.k1}/release-hold`, {
			body: {},
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'NOTE_REQUIRED');
		r = await post(who.county, al.k1, 'release-hold', { note: '核实有误，恢复发放' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.id, al.k1);
		const g = await get(who.county, al.k1);
		assert.notEqual(g.body.hold.released_at, null);
		assert.deepEqual(g.body.allowed_steps, []);
		r = await post(who.county, al.k1, 'release-hold', { note: 'again' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'NO_HOLD');
		assert.equal(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'payment_hold.release'"), '1');
	});

	test('suspend needs a household; temporary links a temporary case of the household', async () => {
		let r = await post(who.town1, al.k2, 'verify', { version: 1 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		r = await post(who.town1, al.k2, 'action', { version: 2, action: 'suspend' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'NO_HOUSEHOLD');
		r = await post(who.town1, al.k5, 'verify', { version: 1 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const tc = await call(base, 'POST', '/api/v1/temporary-cases', {
			body: {
				region: '500154001001',
				case_kind: 'emergency',
				cause: 'fire',
				area: 'rural',
				household_id: hh['AL-1'].id,
			},
			cookie: who.town1.cookie,
			csrf: who.town1.csrf,
		});
		assert.equal(tc.status, 201, JSON.stringify(tc.body));
		r = await post(who.town1, al.k5, 'action', { version: 2, action: 'temporary', case_id: 999999 });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'BAD_CASE');
		r = await post(who.town1, al.k5, 'action', { version: 2, action: 'review', case_id: tc.body.id });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'case_id');
		r = await post(who.town1, al.k5, 'action', { version: 2, action: 'temporary', case_id: tc.body.id });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal((await get(who.town1, al.k5)).body.case_id, tc.body.id);
		r = await post(who.town1, al.k2, 'action', { version: 2, action: 'none', note: '经核实收入未下降' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
	});

	test('every step is audited and the chain is whole', async () => {
		const n = (a) => sql(db.target, `SELECT count(*) FROM audit_log WHERE entity = 'alert' AND action = '${a}'`);
		assert.equal(n('alert.verify'), '3');
		assert.equal(n('alert.action'), '3');
		assert.equal(n('alert.close'), '1');
		assert.ok(auditIntact(db.target));
	});
});
