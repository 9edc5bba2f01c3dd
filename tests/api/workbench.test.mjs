// tests/api/workbench.test.mjs - GET /api/v1/workbench, the staff workbench:
// a county officer sees the whole county's open cases, what is due and
// overdue, the alerts, the reserve funds, caseload and payments; a township
// officer only its own township's; a village its own village's cases and its
// township's reserve fund.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp;
const who = {};
const hh = {};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

function importHouseholds(target) {
	const rows = [
		['WB-1', '500154001001', '50015419600101011', '甲一'],
		['WB-2', '500154001001', '50015419600101012', '甲二'],
		['WB-3', '500154001002', '50015419600101013', '甲三'],
		['WB-4', '500154002001', '50015419600101014', '乙一'],
	];
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		rows.map((r) => [r[0], r[1], 'rural', idnum(r[2]), r[3], 'head', 'none', '100.00'].join(',')).join('\r\n') +
		'\r\n';
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	for (const line of sql(target, "SELECT household_no || '=' || id FROM households WHERE household_no LIKE 'WB-%'").split('\n')) {
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
	return login(base, username, PW);
}

const workbench = (as) => call(base, 'GET', '/api/v1/workbench', { cookie: as.cookie });

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-wb-'));
	db = freshDb('workbench');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('wb_county', 'county', '500154');
	who.town1 = await makeUser('wb_town1', 'township', '500154001');
	who.town2 = await makeUser('wb_town2', 'township', '500154002');
	who.village = await makeUser('wb_village', 'village', '500154001001');
	who.otherCounty = await makeUser('wb_other', 'county', '500155');
	importHouseholds(db.target);
	for (const [as, no] of [
		[who.town1, 'WB-1'],
		[who.town1, 'WB-2'],
		[who.town1, 'WB-3'],
		[who.town2, 'WB-4'],
	]) {
		const r = await call(base, 'POST', '/api/v1/applications', {
			body: { household_id: hh[no], programme: 'dibao', commitment: true },
			cookie: as.cookie,
			csrf: as.csrf,
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
	}
	// deadlines: WB-1 overdue, WB-2 due today, WB-3 later, WB-4 overdue (other township)
	const today = (await workbench(who.county)).body.today;
	const shift = (d, days) => new Date(Date.parse(d + 'T00:00:00Z') + days * 86400000).toISOString().slice(0, 10);
	const setDue = (no, d) => sql(db.target, `UPDATE applications SET due_date = '${d}' WHERE household_id = ${hh[no]}`);
	setDue('WB-1', shift(today, -3));
	setDue('WB-2', today);
	setDue('WB-3', shift(today, 5));
	setDue('WB-4', shift(today, -1));
	// alerts and payments have no API yet: rows as data matching and payroll would write them
	const now = new Date().toISOString();
	sql(
		db.target,
		`INSERT INTO alerts (kind, source, region_code, state, raised_at, due_date, created_at, updated_at) VALUES
		 ('death', 'test', '500154001001', 'open', '${now}', '${shift(today, -2)}', '${now}', '${now}'),
		 ('death', 'test', '500154001001', 'open', '${now}', '${shift(today, 2)}', '${now}', '${now}'),
		 ('death', 'test', '500154001001', 'closed', '${now}', '${shift(today, -2)}', '${now}', '${now}'),
		 ('death', 'test', '500154002001', 'open', '${now}', '${shift(today, -2)}', '${now}', '${now}')`,
	);
	const month = today.slice(0, 7);
	sql(
		db.target,
		`INSERT INTO payroll_batches (id, batch_key, region_code, programme, period, created_at, updated_at) VALUES
		 (900, 'wb:now', '500154', 'dibao', '${month}', '${now}', '${now}'),
		 (901, 'wb:old', '500154', 'dibao', '2001-01', '${now}', '${now}');
		 INSERT INTO payments (batch_id, region_code, programme, period, amount, dedup_key, state, created_at, updated_at) VALUES
		 (900, '500154001001', 'dibao', '${month}', 50000, 'wb:1', 'paid', '${now}', '${now}'),
		 (900, '500154001002', 'dibao', '${month}', 25050, 'wb:2', 'paid', '${now}', '${now}'),
		 (900, '500154001002', 'dibao', '${month}', 99900, 'wb:3', 'cancelled', '${now}', '${now}'),
		 (900, '500154002001', 'dibao', '${month}', 70000, 'wb:4', 'paid', '${now}', '${now}'),
		 (901, '500154001001', 'dibao', '2001-01', 70000, 'wb:5', 'paid', '${now}', '${now}')`,
	);
	const adv = await call(base, 'POST', '/api/v1/reserve-funds/500154001/entries', {
		body: { kind: 'advance', amount: '3000.00' },
		cookie: who.county.cookie,
		csrf: who.county.csrf,
	});
	assert.equal(adv.status, 201, JSON.stringify(adv.body));
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

describe('GET /api/v1/workbench', () => {
	test('needs a session', async () => {
		assert.equal((await call(base, 'GET', '/api/v1/workbench')).status, 401);
	});

	test('the county sees its whole county: counts, the due list in order, alerts, funds, payments', async () => {
		const r = await workbench(who.county);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const w = r.body;
		assert.match(w.today, /^\d{4}-\d{2}-\d{2}$/);
		assert.equal(w.cases.open, 4);
		assert.equal(w.cases.overdue, 2);
		assert.equal(w.cases.due_today, 1);
		assert.deepEqual(w.cases.by_state, { submitted: 4 });
		// overdue first (oldest first), then due today; not the one due later
		assert.deepEqual(
			w.due.map((d) => [d.household_id, d.overdue]),
			[
				[hh['WB-1'], true],
				[hh['WB-4'], true],
				[hh['WB-2'], false],
			],
		);
		assert.equal(w.due[0].head_name, '甲一');
		assert.equal(w.due[0].programme, 'dibao');
		assert.equal(w.due[0].state, 'submitted');
		assert.deepEqual(w.alerts, { open: 3, overdue: 2 });
		assert.deepEqual(w.reserve_funds.map((f) => [f.region, f.balance]), [['500154001', '3000.00']]);
		const month = w.today.slice(0, 7);
		assert.deepEqual(w.payments, [{ month, programme: 'dibao', amount: '1450.50' }]);
		assert.equal(w.caseload.length, 48, '12 months × dibao, tekun, temporary, children');
		assert.equal(w.caseload.at(-1).month, month);
		const thisMonth = w.caseload.filter((c) => c.month === month && c.programme === 'dibao')[0];
		assert.deepEqual(thisMonth, { month, programme: 'dibao', opened: 4, approved: 0, rejected: 0 });
	});

	test('a township sees only its own township', async () => {
		const w = (await workbench(who.town2)).body;
		assert.equal(w.cases.open, 1);
		assert.deepEqual(w.due.map((d) => d.household_id), [hh['WB-4']]);
		assert.deepEqual(w.alerts, { open: 1, overdue: 1 });
		assert.deepEqual(w.reserve_funds, []);
		assert.deepEqual(w.payments.map((p) => p.amount), ['700.00']);
		const w1 = (await workbench(who.town1)).body;
		assert.equal(w1.cases.open, 3);
		assert.equal(w1.cases.overdue, 1);
		assert.deepEqual(w1.reserve_funds.map((f) => f.region), ['500154001']);
	});

	test('a village sees its own cases and its township\'s reserve fund', async () => {
		const w = (await workbench(who.village)).body;
		assert.equal(w.cases.open, 2);
		assert.deepEqual(w.reserve_funds.map((f) => f.region), ['500154001']);
		assert.deepEqual(w.payments.map((p) => p.amount), ['500.00']);
	});

	test('another county sees nothing of it', async () => {
		const w = (await workbench(who.otherCounty)).body;
		assert.equal(w.cases.open, 0);
		assert.deepEqual(w.due, []);
		assert.deepEqual(w.alerts, { open: 0, overdue: 0 });
		assert.deepEqual(w.reserve_funds, []);
		assert.deepEqual(w.payments, []);
		assert.ok(w.caseload.every((c) => c.opened === 0));
	});
});

// after the workbench's counts: these add temporary cases
describe('GET /api/v1/temporary-cases and GET /api/v1/reserve-funds', () => {
	test('temporary cases list in scope, newest first, filtered by state', async () => {
		const mk = (as, region, household_id) =>
			call(base, 'POST', '/api/v1/temporary-cases', {
				body: { region, case_kind: 'emergency', cause: 'fire', area: 'rural', household_id, requested_amount: '800.00' },
				cookie: as.cookie,
				csrf: as.csrf,
			});
		const a = await mk(who.town1, '500154001001', hh['WB-1']);
		assert.equal(a.status, 201, JSON.stringify(a.body));
		const b = await mk(who.town2, '500154002001');
		assert.equal(b.status, 201, JSON.stringify(b.body));
		const list = (as, q = '') => call(base, 'GET', `/api/v1/temporary-cases${q}`, { cookie: as.cookie });
		const county = (await list(who.county)).body;
		assert.equal(county.total, 2);
		assert.deepEqual(county.items.map((i) => i.id), [b.body.id, a.body.id]);
		const one = county.items[1];
		assert.equal(one.head_name, '甲一');
		assert.equal(one.region, '500154001001');
		assert.equal(one.state, 'submitted');
		assert.equal(one.amount, '800.00');
		assert.equal(county.items[0].household_id, null);
		const t1 = (await list(who.town1)).body;
		assert.deepEqual(t1.items.map((i) => i.id), [a.body.id]);
		assert.equal((await list(who.otherCounty)).body.total, 0);
		assert.equal((await list(who.county, '?state=approved')).body.total, 0);
		assert.equal((await list(who.county, '?state=submitted&per_page=1&page=2')).body.items[0].id, a.body.id);
		const bad = await list(who.county, '?state=nonsense');
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'state');
	});

	test('reserve funds: the ones in scope, a village its township\'s', async () => {
		const funds = (as) => call(base, 'GET', '/api/v1/reserve-funds', { cookie: as.cookie });
		const c = (await funds(who.county)).body;
		assert.deepEqual(c.items.map((f) => [f.region, f.balance, f.advanced_total]), [['500154001', '3000.00', '3000.00']]);
		assert.equal(c.total, 1);
		assert.equal((await funds(who.village)).body.items.length, 1);
		assert.equal((await funds(who.town2)).body.items.length, 0);
		assert.equal((await funds(who.otherCounty)).body.items.length, 0);
		assert.equal((await call(base, 'GET', '/api/v1/reserve-funds')).status, 401);
	});
});
