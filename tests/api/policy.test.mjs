// tests/api/policy.test.mjs - policy parameters as a county officer and an
// admin see and set them: the values in force for a region and date (file
// + database), the demo banner, every entry of a parameter, new entries
// checked by kind and scope, used at once by casework, audited, and kept
// across a restart.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base;
const who = {};

async function makeUser(username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return login(base, username, PW);
}
const get = (as, p) => call(base, 'GET', p, { cookie: as.cookie });
const post = (as, body, csrf = as.csrf) => call(base, 'POST', '/api/v1/policy/parameters', { body, cookie: as.cookie, csrf });
const item = (doc, name) => doc.items.find((i) => i.name === name);
const shift = (d, days) => new Date(Date.parse(d + 'T00:00:00Z') + days * 86400000).toISOString().slice(0, 10);
let today;

before(async () => {
	db = freshDb('policy');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('po_county', 'county', '500154');
	who.county2 = await makeUser('po_county2', 'county', '500155');
	who.town = await makeUser('po_town', 'township', '500154001');
	today = (await get(who.county, '/api/v1/policy/parameters')).body.date;
});

after(async () => {
	const r = await srv.stop();
	try {
		assert.equal(r.code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
	}
});

describe('reading', () => {
	test('the values in force for the county today, with the demo values named', async () => {
		const r = await get(who.county, '/api/v1/policy/parameters');
		assert.equal(r.status, 200);
		assert.equal(r.body.region, '500154');
		assert.match(r.body.date, /^\d{4}-\d{2}-\d{2}$/);
		const s = item(r.body, 'dibao.standard.urban');
		assert.equal(s.kind, 'money');
		assert.equal(s.region, '50');
		assert.match(s.value, /^\d+\.\d{2}$/);
		assert.equal(s.value_text, `${s.value} 元`);
		assert.equal(s.origin, 'file');
		assert.equal(s.demo, false);
		// the Chinese name of every parameter, from the policy file's label
		assert.equal(s.label, '城市低保标准');
		for (const i of r.body.items) assert.match(i.label || '', /[\u4e00-\u9fff]/, i.name);
		const entries = await get(who.county, '/api/v1/policy/parameters/temp.first_aid_limit');
		assert.equal(entries.body.label, '先行救助限额');
		const fa = item(r.body, 'temp.first_aid_limit');
		assert.equal(fa.demo, true);
		assert.ok(r.body.demo_in_force.includes('temp.first_aid_limit'));
		assert.deepEqual(r.body.demo_in_force, r.body.items.filter((i) => i.demo).map((i) => i.name));
		assert.equal(item(r.body, 'procedure.township_approves').value, false);
	});

	test('by date and region; out of sight or malformed is refused', async () => {
		const old = await get(who.county, '/api/v1/policy/parameters?date=2021-01-01');
		assert.equal(item(old.body, 'dibao.standard.urban').value, '620.00');
		const nat = await get(who.admin, '/api/v1/policy/parameters');
		assert.equal(nat.body.region, '');
		assert.equal((await get(who.town, '/api/v1/policy/parameters?region=500154')).status, 200);
		for (const [q, status, field] of [
			['?region=500155', 404, 'region'],
			['?region=5x', 400, 'region'],
			['?date=2021-02-30', 400, 'date'],
		]) {
			const r = await get(who.town, `/api/v1/policy/parameters${q}`);
			assert.equal(r.status, status, q);
			assert.equal(r.body.error.field, field, q);
		}
	});

	test('every entry of one parameter; an unknown one is 404', async () => {
		const r = await get(who.county, '/api/v1/policy/parameters/dibao.standard.urban');
		assert.equal(r.status, 200);
		assert.equal(r.body.kind, 'money');
		assert.ok(r.body.entries.length >= 2);
		assert.ok(r.body.entries.every((e) => e.origin === 'file' && e.created_by === null));
		assert.equal((await get(who.county, '/api/v1/policy/parameters/no.such.thing')).status, 404);
		assert.equal((await call(base, 'GET', '/api/v1/policy/parameters')).status, 401);
	});
});

describe('setting', () => {
	test('bad entries are 400 naming the field, nothing stored', async () => {
		const ok = { name: 'dibao.standard.urban', region: '500154', from: shift(today, 30), value: '900.00' };
		const cases = [
			[{ ...ok, name: undefined }, 'name'],
			[{ ...ok, name: 'no.such.thing' }, 'name'],
			[{ ...ok, value: 'abc' }, 'value'],
			[{ ...ok, value: '1.001' }, 'value'],
			[{ ...ok, value: true }, 'value'],
			[{ ...ok, value: undefined }, 'value'],
			[{ ...ok, from: '2026-02-30' }, 'from'],
			[{ ...ok, region: '50x' }, 'region'],
			[{ ...ok, region: 5 }, 'region'],
			[{ ...ok, name: 'procedure.township_approves', value: 'yes' }, 'value'],
			[{ ...ok, name: 'exit.gradual_months', value: 1.5 }, 'value'],
			[{ ...ok, note: 'a\u0001' }, 'note'],
		];
		for (const [body, field] of cases) {
			const r = await post(who.county, body);
			assert.equal(r.status, 400, JSON.stringify(body));
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const dup = await call(base, 'POST', '/api/v1/policy/parameters', {
			raw: '{"name":"dibao.standard.urban","name":"x"}',
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(dup.body.error.code, 'DUPLICATE_KEY');
		assert.equal(sql(db.target, 'SELECT count(*) FROM policy_params'), '0');
	});

	test('a county sets only its own county, from today on; other roles not at all; CSRF needed', async () => {
		const base_ = { name: 'dibao.standard.urban', value: '900.00' };
		const cases = [
			[who.county, { ...base_, region: '500155', from: today }, 403, 'region'],
			[who.county, { ...base_, region: '500154001', from: today }, 403, 'region'],
			[who.county, { ...base_, region: '', from: today }, 403, 'region'],
			[who.county, { ...base_, region: '500154', from: shift(today, -1) }, 422, 'from'],
			[who.town, { ...base_, region: '500154', from: today }, 403, undefined],
		];
		for (const [as, body, status, field] of cases) {
			const r = await post(as, body);
			assert.equal(r.status, status, JSON.stringify(body));
			if (field) assert.equal(r.body.error.field, field);
		}
		assert.equal((await post(who.county, { ...base_, region: '500154', from: today }, null)).status, 403);
		assert.equal(sql(db.target, 'SELECT count(*) FROM policy_params'), '0');
	});

	test('a county confirms the first-aid limit: in force at once, no longer demo, used by casework, audited', async () => {
		const tc = await call(base, 'POST', '/api/v1/temporary-cases', {
			body: { region: '500154001001', case_kind: 'emergency', cause: 'fire', area: 'rural' },
			cookie: who.town.cookie,
			csrf: who.town.csrf,
		});
		assert.equal(tc.status, 201, JSON.stringify(tc.body));
		const before_ = (await get(who.town, `/api/v1/temporary-cases/${tc.body.id}`)).body.temporary.limits.first_aid_limit;
		assert.notEqual(before_, '1234.00');
		const r = await post(who.county, { name: 'temp.first_aid_limit', region: '500154', from: today, value: '1234.00', note: '县民政局确认' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.deepEqual(
			{ ...r.body, id: typeof r.body.id, created_at: typeof r.body.created_at },
			{
				id: 'number',
				name: 'temp.first_aid_limit',
				kind: 'money',
				region: '500154',
				from: today,
				value: '1234.00',
				value_text: '1234.00 元',
				demo: false,
				unconfirmed: false,
				source: null,
				note: '县民政局确认',
				origin: 'store',
				created_by: 'po_county',
				created_at: 'string',
			},
		);
		const now = (await get(who.county, '/api/v1/policy/parameters')).body;
		assert.equal(item(now, 'temp.first_aid_limit').value, '1234.00');
		assert.equal(item(now, 'temp.first_aid_limit').origin, 'store');
		assert.ok(!now.demo_in_force.includes('temp.first_aid_limit'));
		// the neighbouring county still has the demo value
		assert.ok((await get(who.county2, '/api/v1/policy/parameters')).body.demo_in_force.includes('temp.first_aid_limit'));
		const after_ = (await get(who.town, `/api/v1/temporary-cases/${tc.body.id}`)).body.temporary.limits.first_aid_limit;
		assert.equal(after_, '1234.00');
		const entries = (await get(who.county, '/api/v1/policy/parameters/temp.first_aid_limit')).body.entries;
		assert.deepEqual(entries.map((e) => [e.region, e.origin]).at(-1), ['500154', 'store']);
		const audit = sql(db.target, "SELECT actor || '|' || region_code || '|' || detail FROM audit_log WHERE action = 'policy.set'");
		assert.match(audit, /^po_county\|500154\|.*"value":"1234.00"/);
		const again = await post(who.county, { name: 'temp.first_aid_limit', region: '500154', from: today, value: '1000.00' });
		assert.equal(again.status, 409);
	});

	test('the admin sets a national value ahead of time and a boolean for a county', async () => {
		const from = shift(today, 400);
		const r = await post(who.admin, { name: 'exit.gradual_months', region: '', from, value: 9 });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(item((await get(who.admin, `/api/v1/policy/parameters?date=${from}`)).body, 'exit.gradual_months').value, 9);
		assert.notEqual(item((await get(who.admin, '/api/v1/policy/parameters')).body, 'exit.gradual_months').value, 9);
		const b = await post(who.admin, { name: 'procedure.township_approves', region: '500154', from: '2020-01-01', value: true });
		assert.equal(b.status, 201, JSON.stringify(b.body));
		assert.equal(b.body.value_text, '是');
		assert.equal(item((await get(who.county, '/api/v1/policy/parameters')).body, 'procedure.township_approves').value, true);
	});

	test('the stored values survive a restart', async () => {
		const second = await startServer(db.target, ['--ip-max-failures', '1000']);
		try {
			const s = await login(second.url, 'po_county', PW);
			const r = await call(second.url, 'GET', '/api/v1/policy/parameters', { cookie: s.cookie });
			assert.equal(item(r.body, 'temp.first_aid_limit').value, '1234.00');
			assert.equal(item(r.body, 'procedure.township_approves').value, true);
		} finally {
			const x = await second.stop();
			assert.equal(x.code, 0);
			assert.doesNotMatch(second.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
		}
	});

	test('the CLI reads and sets the same, under the same rules', async () => {
		const cli = (...args) => spawnSync(DOUDI, ['policy', ...args, '--db', db.target], { encoding: 'utf8' });
		const list = cli('list', '--as', 'po_county');
		assert.equal(list.status, 0, list.stderr);
		assert.equal(item(JSON.parse(list.stdout), 'temp.first_aid_limit').value, '1234.00');
		const refused = cli('set', '--as', 'po_town', '--name', 'temp.first_aid_limit', '--region', '500154', '--from', today, '--value', '"9.00"');
		assert.equal(refused.status, 2);
		assert.match(refused.stderr, /ROLE_NOT_ALLOWED/);
		const bad = cli('set', '--as', 'po_county', '--name', 'temp.township_limit', '--region', '500154', '--from', today, '--value', '"9.x"');
		assert.equal(bad.status, 2);
		assert.match(bad.stderr, /^value:/);
		const ok = cli('set', '--as', 'po_county', '--name', 'temp.township_limit', '--region', '500154', '--from', today, '--value', '"4321.00"');
		assert.equal(ok.status, 0, ok.stderr);
		assert.equal(JSON.parse(ok.stdout).created_by, 'po_county');
		assert.match(sql(db.target, "SELECT actor FROM audit_log WHERE action = 'policy.set' ORDER BY seq DESC LIMIT 1"), /po_county/);
	});
});
