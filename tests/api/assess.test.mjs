// tests/api/assess.test.mjs - POST /api/v1/assess against a real
// `doudi serve`: the same answer as `doudi assess` on the same household,
// field paths on bad input, a session required.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, call, freshDb, init, login, startServer } from './lib.mjs';

const household = JSON.parse(readFileSync('tests/data/household.json', 'utf8'));
let db, srv, base, admin;

before(async () => {
	db = freshDb('assess');
	init(db.target);
	srv = await startServer(db.target);
	base = srv.url;
	admin = await login(base, 'admin', ADMIN_PASSWORD);
	assert.equal(admin.res.status, 200);
});

after(async () => {
	const { code } = await srv.stop();
	try {
		assert.equal(code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|张某/);
	} finally {
		db.cleanup();
	}
});

function cli(h) {
	const r = spawnSync(DOUDI, ['assess', '-'], { input: JSON.stringify(h), encoding: 'utf8' });
	return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('assess', () => {
	test('the same result and trace as doudi assess', async () => {
		const res = await call(base, 'POST', '/api/v1/assess', { body: household, cookie: admin.cookie });
		assert.equal(res.status, 200);
		const want = JSON.parse(cli(household).out);
		assert.deepEqual(res.body, want);
		assert.ok(res.body.trace.length > 3, 'a trace with its steps');
		assert.match(res.body.monthly_benefit, /^\d+\.\d\d$/);
	});

	test('each variant of the household agrees with the CLI', async () => {
		// variants: more members, a tekun candidate, yearly incomes, no current programme
		const variants = [
			{ ...household, current: null },
			{ ...household, area: 'urban' },
			{
				...household,
				members: [
					...household.members,
					{ id: '500154194001010018', name: '老人', relation: 'parent', labor_capacity: 'none', supporters: 'none' },
				],
			},
		];
		for (const h of variants) {
			const res = await call(base, 'POST', '/api/v1/assess', { body: h, cookie: admin.cookie });
			const c = cli(h);
			assert.equal(c.status, 0, c.err);
			assert.equal(res.status, 200);
			assert.deepEqual(res.body, JSON.parse(c.out));
		}
	});

	test('needs a session', async () => {
		const res = await call(base, 'POST', '/api/v1/assess', { body: household });
		assert.equal(res.status, 401);
	});

	test('a bad field is 400 with its path, as the CLI names it', async () => {
		const bad = structuredClone(household);
		bad.members[0].id = '500154198001010017';
		const res = await call(base, 'POST', '/api/v1/assess', { body: bad, cookie: admin.cookie });
		assert.equal(res.status, 400);
		assert.equal(res.body.error.field, 'members[0].id');
		assert.match(res.body.error.message, /校验码/);
		const c = cli(bad);
		assert.equal(c.status, 2);
		assert.match(c.err, /members\[0\]\.id/);
	});

	test('an amount too large for int64 fen is refused, not wrapped', async () => {
		const bad = structuredClone(household);
		bad.members[0].incomes[0].amount = '92233720368547758.08';
		const res = await call(base, 'POST', '/api/v1/assess', { body: bad, cookie: admin.cookie });
		assert.equal(res.status, 400);
		assert.equal(res.body.error.field, 'members[0].incomes[0].amount');
	});

	test('not JSON, or empty: 400', async () => {
		let res = await call(base, 'POST', '/api/v1/assess', { raw: '{"region":', cookie: admin.cookie });
		assert.equal(res.status, 400);
		assert.equal(res.body.error.field, '$');
		res = await call(base, 'POST', '/api/v1/assess', { raw: '', cookie: admin.cookie });
		assert.equal(res.status, 400);
	});
});
