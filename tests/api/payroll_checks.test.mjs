// tests/api/payroll_checks.test.mjs - the checks before approval and the
// one-time subsidy campaigns over HTTP (issue 6 §2, §3): run the checks on a
// generated county batch, list the findings (masked), clear one with a
// reason, check then passes; bad input answers 400 naming the field; a
// campaign run twice pays nobody twice. The full matrix of checks is in
// tests/cli/test_payroll.sh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, county, batch;
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

const post = (as, p, body) => call(base, 'POST', p, { body, cookie: as.cookie, csrf: as.csrf });
const get = (as, p) => call(base, 'GET', p, { cookie: as.cookie });

before(async () => {
	db = freshDb('payroll_checks');
	init(db.target);
	sql(db.target, readFileSync('bench/payroll_roll.sql', 'utf8').replace(/^--.*\n/gm, '').replaceAll('@N@', '200'));
	county = sql(db.target, 'SELECT substr(region_code, 1, 6) FROM households WHERE id = 1');
	// person 1 (dibao, head of household 1) died in the month
	sql(db.target, "UPDATE persons SET death_date = '2026-03-02' WHERE id = 1");
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('pc_county', 'county', county);
	const other = sql(db.target, `SELECT min(code) FROM regions WHERE level = 3 AND code LIKE '50%' AND code <> '${county}'`);
	who.other = await makeUser('pc_other', 'county', other);
	const g = await post(who.county, '/api/v1/payroll/batches', { region: county, programme: 'dibao', period: '2026-03' });
	assert.equal(g.status, 201, JSON.stringify(g.body));
	batch = g.body.items[0].batch_id;
	assert.ok(batch);
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

describe('payroll checks over HTTP', () => {
	test('the checks find the deceased payee, once', async () => {
		let r = await post(who.county, `/api/v1/payroll/batches/${batch}/checks`, {});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.added, 1);
		assert.equal(r.body.open, 1);
		assert.equal(r.body.checks.find((c) => c.check === 'deceased').open, 1);
		r = await post(who.county, `/api/v1/payroll/batches/${batch}/checks`, {});
		assert.equal(r.body.added, 0);
		r = await get(who.county, `/api/v1/payroll/batches/${batch}/findings?check=deceased`);
		assert.equal(r.status, 200);
		assert.equal(r.body.total, 1);
		const f = r.body.items[0];
		assert.equal(f.person_id, 1);
		assert.match(f.detail.text, /死亡/);
		assert.equal(f.detail.death_date, '2026-03-02');
		assert.ok(!JSON.stringify(r.body).includes('T1000000001'), 'ID number not masked');
	});

	test('bad input names the field; other counties see nothing', async () => {
		let r = await get(who.county, `/api/v1/payroll/batches/${batch}/findings?state=bogus`);
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'state');
		r = await get(who.county, `/api/v1/payroll/batches/${batch}/findings?check=bogus`);
		assert.equal(r.body.error.field, 'check');
		const id = (await get(who.county, `/api/v1/payroll/batches/${batch}/findings`)).body.items[0].id;
		r = await post(who.county, `/api/v1/payroll/findings/${id}`, { action: 'clear' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'reason');
		r = await post(who.county, `/api/v1/payroll/findings/${id}`, { action: 'drop', reason: 'x' });
		assert.equal(r.body.error.field, 'action');
		r = await post(who.county, `/api/v1/payroll/findings/${id}`, { reason: 'x' });
		assert.equal(r.body.error.field, 'action');
		r = await get(who.other, `/api/v1/payroll/batches/${batch}/findings`);
		assert.equal(r.status, 404);
		r = await post(who.other, `/api/v1/payroll/findings/${id}`, { action: 'clear', reason: 'x' });
		assert.equal(r.status, 404);
	});

	test('check is refused while a finding is open, passes once it is cleared', async () => {
		let b = (await get(who.county, `/api/v1/payroll/batches/${batch}`)).body;
		let r = await post(who.county, `/api/v1/payroll/batches/${batch}/actions`, { action: 'check', version: b.version });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'FINDINGS_OPEN');
		const f = (await get(who.county, `/api/v1/payroll/batches/${batch}/findings`)).body.items[0];
		r = await post(who.county, `/api/v1/payroll/findings/${f.id}`, { action: 'clear', reason: '经核实已死亡，停发' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'cleared');
		assert.equal(r.body.payment_state, 'withheld');
		const after = (await get(who.county, `/api/v1/payroll/batches/${batch}`)).body;
		assert.equal(after.payments_count, b.payments_count - 1);
		r = await post(who.county, `/api/v1/payroll/batches/${batch}/actions`, { action: 'check', version: after.version });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'checked');
		r = await post(who.county, `/api/v1/payroll/batches/${batch}/checks`, {});
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'BATCH_NOT_DRAFT');
	});

	test('a campaign pays everyone on the rolls once, even when run twice', async () => {
		let r = await post(who.county, '/api/v1/payroll/campaigns', { region: county, reference_date: '2026-03-15', period: '2026-03' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'code');
		r = await post(who.county, '/api/v1/payroll/campaigns', { code: '2022-onetime', region: county, reference_date: '2026-3-15', period: '2026-03' });
		assert.equal(r.body.error.field, 'reference_date');
		const body = { code: '2022-onetime', region: county, reference_date: '2026-03-15', period: '2026-03' };
		r = await post(who.county, '/api/v1/payroll/campaigns', body);
		assert.equal(r.status, 201, JSON.stringify(r.body));
		// everyone alive in the county's roll households (one person each)
		const want = Number(sql(db.target, `SELECT count(*) FROM households h JOIN persons p ON p.id = h.id WHERE h.region_code LIKE '${county}%' AND p.death_date IS NULL`));
		assert.equal(r.body.added, want);
		assert.equal(r.body.created, true);
		const again = await post(who.county, '/api/v1/payroll/campaigns', body);
		assert.equal(again.status, 201);
		assert.equal(again.body.added, 0);
		assert.equal(again.body.batch_id, r.body.batch_id);
		assert.equal(again.body.payments, want);
		r = await post(who.other, '/api/v1/payroll/campaigns', body);
		assert.equal(r.status, 403);
		assert.ok(auditIntact(db.target));
	});
	test('price subsidy: figures entered, refused below the trigger, S × rise to the yuan once above it', async () => {
		let r = await post(who.county, '/api/v1/payroll/price-indices', { region: '50', month: '2026-03', cpi_rise: 'abc' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'cpi_rise');
		r = await post(who.county, '/api/v1/payroll/price-indices', { region: '50', month: '2026-13', cpi_rise: '0.01' });
		assert.equal(r.body.error.field, 'month');
		r = await post(who.county, '/api/v1/payroll/campaigns', { kind: 'price_subsidy', region: county, month: '2026-03' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'NO_PRICE_INDEX');
		r = await post(who.county, '/api/v1/payroll/price-indices', { region: '50', month: '2026-03', cpi_rise: '0.034', food_rise: '0.02' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		r = await post(who.county, '/api/v1/payroll/campaigns', { kind: 'price_subsidy', region: county, month: '2026-03' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'PRICE_NOT_TRIGGERED');
		assert.match(r.body.error.message, /未达到启动条件.*0\.034.*0\.035/);
		// CPI 4 %: urban 770.00 × 0.04 = 30.80 → 31 yuan, rural 630.00 × 0.04 = 25.20 → 25 yuan
		r = await post(who.county, '/api/v1/payroll/price-indices', { region: '50', month: '2026-03', cpi_rise: '0.04', food_rise: '0.02' });
		assert.equal(r.status, 201);
		r = await post(who.county, '/api/v1/payroll/campaigns', { kind: 'price_subsidy', region: county, month: '2026-03' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.trigger, 'cpi');
		const batchId = r.body.batch_id;
		const got = sql(db.target, `SELECT h.area || ':' || y.amount || ':' || count(*) FROM payments y JOIN households h ON h.id = y.household_id WHERE y.batch_id = ${batchId} GROUP BY h.area, y.amount ORDER BY 1`);
		const want = sql(db.target, `SELECT h.area || ':' || CASE WHEN h.area = 'urban' THEN 3100 ELSE 2500 END || ':' || count(*) FROM households h WHERE h.region_code LIKE '${county}%' GROUP BY h.area ORDER BY 1`);
		assert.equal(got, want);
		const again = await post(who.county, '/api/v1/payroll/campaigns', { kind: 'price_subsidy', region: county, month: '2026-03' });
		assert.equal(again.status, 201);
		assert.equal(again.body.added, 0);
		assert.equal(again.body.batch_id, batchId);
		r = await post(who.county, '/api/v1/payroll/campaigns', { kind: 'other', region: county, month: '2026-03' });
		assert.equal(r.body.error.field, 'kind');
		assert.ok(auditIntact(db.target));
	});
});
