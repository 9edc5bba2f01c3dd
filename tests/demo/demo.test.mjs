// tests/demo/demo.test.mjs - the demo of `make run` (tools/demo.py) built
// small (DEMO_HOUSEHOLDS): every casework state is there, some cases
// overdue, temporary cases with first aid and one waiting for the county,
// reserve funds with a ledger, the audit chain whole, the printed logins
// work, and a second run keeps the store.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DOUDI, auditIntact, call, login, sql, startServer } from '../api/lib.mjs';

const HOUSEHOLDS = process.env.DEMO_HOUSEHOLDS || '300';
let dir, dbPath, srv, base, logins, password, county;

function demo(...args) {
	const r = spawnSync('python3', ['tools/demo.py', '--db', dbPath, '--doudi', DOUDI, ...args], {
		encoding: 'utf8',
		env: { ...process.env, DEMO_HOUSEHOLDS: HOUSEHOLDS },
	});
	assert.equal(r.status, 0, r.stderr + r.stdout);
	return r.stdout;
}

before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'doudi-demo-'));
	dbPath = path.join(dir, 'demo.db');
	demo();
	const out = demo('--print-logins');
	password = out.match(/密码均为 (\S+?)）/)[1];
	logins = [...out.matchAll(/^ {2}([a-z0-9]+) +(\d+) +\S+$/gm)].map((m) => ({ username: m[1], region: m[2] }));
	srv = await startServer(dbPath);
	base = srv.url;
	county = await login(base, 'county', password);
});

after(async () => {
	if (srv) await srv.stop();
	rmSync(dir, { recursive: true, force: true });
});

describe('the demo', () => {
	test('every printed login works, one per role, in its region', async () => {
		const roles = new Set();
		assert.ok(logins.length >= 7, JSON.stringify(logins));
		for (const { username, region } of logins) {
			const s = await login(base, username, password);
			assert.equal(s.res.status, 200, username);
			assert.equal(s.user.region, region, username);
			roles.add(s.user.role);
		}
		assert.deepEqual([...roles].sort(), ['admin', 'auditor', 'child_director', 'child_supervisor', 'city', 'county', 'department', 'finance', 'township', 'village']);
	});

	test('the registry holds the generated county with its townships and villages', () => {
		assert.ok(Number(sql(dbPath, "SELECT count(*) FROM households WHERE region_code LIKE '500154%'")) >= Number(HOUSEHOLDS));
		assert.equal(sql(dbPath, "SELECT count(*) FROM regions WHERE parent_code = '500154'"), '10');
		assert.equal(sql(dbPath, "SELECT count(*) FROM regions WHERE level = 5 AND code LIKE '500154%'"), '100');
	});

	test('cases in every casework state, some overdue, decisions for the approved', async () => {
		for (const state of ['submitted', 'accepted', 'verified', 'investigated', 'reviewed', 'in_notice', 'approved', 'rejected', 'withdrawn']) {
			const r = await call(base, 'GET', `/api/v1/applications?state=${state}&programme=dibao`, { cookie: county.cookie });
			const t = await call(base, 'GET', `/api/v1/applications?state=${state}&programme=tekun`, { cookie: county.cookie });
			assert.equal(r.status, 200);
			assert.ok(r.body.total + t.body.total > 0, state);
		}
		const overdue = await call(base, 'GET', '/api/v1/applications?due=overdue', { cookie: county.cookie });
		assert.ok(overdue.body.total >= 5, `overdue ${overdue.body.total}`);
		assert.ok(Number(sql(dbPath, "SELECT count(*) FROM decisions")) >= 9);
	});

	test('the approval queues of the township and the county are not empty, overdue first; regions have names', async () => {
		const township = logins.find((l) => l.region.length === 9);
		assert.ok(township, JSON.stringify(logins));
		const t = await login(base, township.username, password);
		for (const s of [t, county]) {
			const q = await call(base, 'GET', '/api/v1/applications?queue=mine&sort=due&per_page=500', { cookie: s.cookie });
			assert.equal(q.status, 200);
			assert.ok(q.body.total > 0, `${s.user.username}: queue empty`);
			const flags = q.body.items.map((i) => i.overdue);
			assert.deepEqual(flags, [...flags].sort((a, b) => Number(b) - Number(a)), 'overdue first');
			assert.ok(q.body.items.every((i) => i.region.startsWith(s.user.region)));
		}
		const towns = await call(base, 'GET', '/api/v1/regions?parent=500154', { cookie: county.cookie });
		assert.equal(towns.body.items.length, 10);
		const villages = await call(base, 'GET', `/api/v1/regions?parent=${towns.body.items[0].code}`, { cookie: county.cookie });
		assert.equal(villages.body.items.length, 10);
		assert.ok(villages.body.items.every((v) => /[村区]$/.test(v.name)), JSON.stringify(villages.body.items[0]));
	});

	test('temporary assistance: first aid paid, one waiting for the county, the reserve funds', async () => {
		assert.ok(Number(sql(dbPath, "SELECT count(*) FROM reserve_fund_entries WHERE kind = 'draw'")) >= 2);
		const waiting = sql(dbPath, "SELECT a.id FROM applications a JOIN temporary_cases t ON t.application_id = a.id WHERE a.state = 'submitted' AND a.requested_amount > 300000");
		assert.ok(waiting, 'a case above the township limit');
		const c = await call(base, 'GET', `/api/v1/temporary-cases/${waiting.split('\n')[0]}`, { cookie: county.cookie });
		assert.equal(c.status, 200);
		assert.ok(c.body.allowed_actions.includes('approve'));
		const f = await call(base, 'GET', '/api/v1/reserve-funds/500154001', { cookie: county.cookie });
		assert.equal(f.status, 200);
	});

	test('online applications wait for acceptance in the township', async () => {
		const t = await login(base, 'township01', password);
		const r = await call(base, 'GET', '/api/v1/online-applications?state=submitted', { cookie: t.cookie });
		assert.equal(r.status, 200);
		assert.ok(r.body.total >= 1, JSON.stringify(r.body));
	});

	test('a household verification waits with its report: two sources answered, five overdue', async () => {
		const t = await login(base, 'township02', password);
		const list = await call(base, 'GET', '/api/v1/verifications?state=reported', { cookie: t.cookie });
		assert.equal(list.status, 200);
		assert.equal(list.body.total, 1, JSON.stringify(list.body));
		const v = await call(base, 'GET', `/api/v1/verifications/${list.body.items[0].id}`, { cookie: t.cookie });
		const rep = v.body.report;
		assert.equal(rep.sources.filter((x) => x.state === 'answered').length, 2);
		assert.equal(rep.overdue_sources, 5);
		assert.ok(rep.differences >= 1, JSON.stringify(rep.members));
		assert.ok(rep.assessment_before.determination, JSON.stringify(rep.assessment_before));
	});

	test('the monthly statistics and the campaign table match the store; both download as XLSX', async () => {
		const now = new Date(Date.now() + 8 * 3600000);
		const month = now.toISOString().slice(0, 7);
		const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
		const r = await call(base, 'GET', `/api/v1/statistics/monthly?period=${month}`, { cookie: county.cookie });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const inForce = `effective_from <= '${last}' AND (effective_to IS NULL OR effective_to > '${last}') AND (gradual_exit_until IS NULL OR gradual_exit_until >= '${month}')`;
		const n = (q) => Number(sql(dbPath, q) || 0);
		const t = r.body.total;
		assert.ok(t.programmes.dibao.households > 0);
		assert.equal(t.programmes.dibao.households, n(`SELECT count(*) FROM decisions WHERE determination IN ('dibao', 'dibao_gradual_exit', 'single_person') AND ${inForce}`));
		assert.equal(t.programmes.tekun.households, n(`SELECT count(*) FROM decisions WHERE determination = 'tekun' AND ${inForce}`));
		assert.equal(t.registered_persons, n(`SELECT count(*) FROM memberships WHERE from_date <= '${last}' AND (to_date IS NULL OR to_date > '${last}')`));
		const paid = n(`SELECT sum(p.amount) FROM payments p JOIN payroll_batches b ON b.id = p.batch_id WHERE b.period = '${month}' AND b.state <> 'cancelled' AND p.state <> 'cancelled' AND p.programme = 'dibao'`);
		assert.equal(Math.round(Number(t.programmes.dibao.amount) * 100), paid);
		assert.equal(r.body.rows.reduce((a, x) => a + x.programmes.dibao.persons, 0), t.programmes.dibao.persons);
		const c = (await call(base, 'GET', '/api/v1/campaigns', { cookie: county.cookie })).body.items[0];
		assert.ok(c && c.recipients > 0, JSON.stringify(c));
		const tbl = (await call(base, 'GET', `/api/v1/campaigns/${c.id}/table`, { cookie: county.cookie })).body;
		const sum = (k) => Object.values(tbl.total.categories).reduce((a, x) => a + Number(x[k]), 0);
		assert.equal(sum('planned'), n(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = ${c.id}`));
		assert.equal(sum('visited'), n(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = ${c.id} AND state = 'visited'`));
		assert.equal(Math.round(sum('money') * 100), n(`SELECT sum(money) FROM campaign_recipients WHERE campaign_id = ${c.id}`));
		assert.ok(sum('visited') > 0);
		for (const p of [`/api/v1/statistics/monthly.xlsx?period=${month}`, `/api/v1/campaigns/${c.id}/table.xlsx`]) {
			const res = await fetch(base + p, { headers: { cookie: county.cookie } });
			assert.equal(res.status, 200, p);
			const f = path.join(dir, 'x.xlsx');
			writeFileSync(f, Buffer.from(await res.arrayBuffer()));
			const z = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;assert "xl/worksheets/sheet1.xml" in z.namelist()', f], { encoding: 'utf8' });
			assert.equal(z.status, 0, p + z.stderr);
		}
	});

	test('the audit chain is whole; a second run keeps the store', () => {
		assert.ok(auditIntact(dbPath));
		const before = sql(dbPath, 'SELECT count(*) FROM audit_log');
		assert.match(demo(), /keeping the existing/);
		assert.equal(sql(dbPath, 'SELECT count(*) FROM audit_log'), before);
	});
});
