// tests/api/reserve_fund.test.mjs - the township reserve fund for temporary
// assistance (临时救助备用金): advance, draw, replenish, return as a ledger
// that never goes negative, by role and region, and many concurrent draws
// against a real `doudi serve` (SQLite, then PostgreSQL through tests/pg.sh).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
const T1 = '500154001'; // a township of 开州区
const T2 = '500154002'; // its neighbour
const T3 = '500154003'; // the concurrency test's own fund
let db, srv, base;
const u = {};

async function makeUser(admin, username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: admin.cookie,
		csrf: admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	const s = await login(base, username, PW);
	assert.equal(s.res.status, 200);
	return s;
}

before(async () => {
	db = freshDb('reserve');
	init(db.target);
	srv = await startServer(db.target, ['--threads', '8', '--ip-max-failures', '1000']);
	base = srv.url;
	const admin = await login(base, 'admin', ADMIN_PASSWORD);
	assert.equal(admin.res.status, 200);
	const want = [
		['county1', 'county', '500154'],
		['finance1', 'finance', '500154'],
		['town1', 'township', T1],
		['town2', 'township', T2],
		['town3', 'township', T3],
		['village1', 'village', '500154001001'],
		['village2', 'village', '500154002001'],
		['county2', 'county', '500155'],
		['auditor1', 'auditor', '500154'],
	];
	for (const [name, role, region] of want) u[name] = await makeUser(admin, name, role, region);
});

after(async () => {
	const { code } = await srv.stop();
	try {
		assert.equal(code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|秘密备注/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
	}
});

function post(who, region, body) {
	return call(base, 'POST', `/api/v1/reserve-funds/${region}/entries`, { body, cookie: who.cookie, csrf: who.csrf });
}
function get(who, region, q = '') {
	return call(base, 'GET', `/api/v1/reserve-funds/${region}${q}`, { cookie: who.cookie });
}
const fen = (s) => {
	assert.match(s, /^-?\d+\.\d\d$/);
	return Math.round(Number(s) * 100);
};

describe('the ledger', () => {
	test('a fund nothing was advanced to reads as zero with an empty ledger', async () => {
		const r = await get(u.town1, T1);
		assert.equal(r.status, 200);
		assert.equal(r.body.region, T1);
		assert.equal(r.body.balance, '0.00');
		assert.equal(r.body.total, 0);
		assert.deepEqual(r.body.items, []);
	});

	test('a draw from an empty fund is refused with the balance (422), nothing written', async () => {
		const r = await post(u.town1, T1, { kind: 'draw', amount: '0.01' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'RESERVE_INSUFFICIENT');
		assert.match(r.body.error.message, /余额不足/);
		assert.equal(sql(db.target, `SELECT count(*) FROM reserve_fund_entries WHERE region_code = '${T1}'`), '0');
	});

	test('county advances, township draws, finance replenishes, township returns: the balance follows', async () => {
		const a = await post(u.county1, T1, { kind: 'advance', amount: '1000.00', note: '2026 年首次下拨' });
		assert.equal(a.status, 201, JSON.stringify(a.body));
		assert.equal(a.body.entry.kind, 'advance');
		assert.equal(a.body.entry.amount, '1000.00');
		assert.equal(a.body.entry.balance_after, '1000.00');
		assert.equal(a.body.entry.actor, 'county1');
		assert.equal(a.body.fund.balance, '1000.00');

		const d = await post(u.town1, T1, { kind: 'draw', amount: '300.50', note: '秘密备注 火灾先行救助' });
		assert.equal(d.status, 201);
		assert.equal(d.body.entry.balance_after, '699.50');
		assert.equal(d.body.fund.drawn_total, '300.50');

		const r = await post(u.finance1, T1, { kind: 'replenish', amount: '300.50' });
		assert.equal(r.status, 201);
		assert.equal(r.body.fund.balance, '1000.00');
		assert.equal(r.body.fund.advanced_total, '1300.50');

		const back = await post(u.town1, T1, { kind: 'return', amount: '200.00' });
		assert.equal(back.status, 201);
		assert.equal(back.body.fund.balance, '800.00');
		assert.equal(back.body.fund.returned_total, '200.00');

		const g = await get(u.county1, T1);
		assert.equal(g.status, 200);
		assert.equal(g.body.balance, '800.00');
		assert.equal(g.body.total, 4);
		assert.deepEqual(
			g.body.items.map((x) => x.kind),
			['return', 'replenish', 'draw', 'advance'],
			'newest first',
		);
		assert.equal(g.body.items[2].note, '秘密备注 火灾先行救助');
		// the note stays out of the audit trail (it may name people)
		assert.equal(sql(db.target, "SELECT count(*) FROM audit_log WHERE detail LIKE '%秘密备注%'"), '0');
		assert.equal(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'reserve_fund.draw'"), '1');
		assert.equal(
			sql(db.target, `SELECT region_code FROM audit_log WHERE action = 'reserve_fund.advance'`),
			T1,
			'audited with the township region',
		);
	});

	test('a draw above the balance is 422 with the balance; nothing changes', async () => {
		const r = await post(u.town1, T1, { kind: 'draw', amount: '800.01' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'RESERVE_INSUFFICIENT');
		assert.equal(r.body.error.field, 'amount');
		assert.match(r.body.error.message, /800\.00/);
		const ret = await post(u.county1, T1, { kind: 'return', amount: '800.01' });
		assert.equal(ret.status, 422);
		const g = await get(u.town1, T1);
		assert.equal(g.body.balance, '800.00');
		assert.equal(g.body.total, 4);
		// exactly the balance may be drawn, down to zero
		const all = await post(u.town1, T1, { kind: 'draw', amount: '800.00' });
		assert.equal(all.status, 201);
		assert.equal(all.body.fund.balance, '0.00');
		const again = await post(u.county1, T1, { kind: 'advance', amount: '500.00' });
		assert.equal(again.body.fund.balance, '500.00');
	});

	test('pages: per_page and page walk the ledger', async () => {
		const p = await get(u.town1, T1, '?per_page=2&page=2');
		assert.equal(p.status, 200);
		assert.equal(p.body.total, 6);
		assert.equal(p.body.items.length, 2);
		assert.deepEqual(
			p.body.items.map((x) => x.kind),
			['return', 'replenish'],
		);
		assert.equal((await get(u.town1, T1, '?per_page=501')).status, 400);
		const bad = await get(u.town1, T1, '?page=0');
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'page');
	});

	test('the ledger re-adds to the balance and the CHECK forbids a negative balance in the store', async () => {
		const sum = sql(
			db.target,
			`SELECT sum(CASE WHEN kind = 'advance' OR kind = 'replenish' THEN amount ELSE -amount END) FROM reserve_fund_entries WHERE region_code = '${T1}'`,
		);
		const bal = sql(db.target, `SELECT balance FROM reserve_funds WHERE region_code = '${T1}'`);
		assert.equal(sum, bal);
		assert.equal(bal, '50000');
		assert.throws(() => sql(db.target, `UPDATE reserve_funds SET balance = -1 WHERE region_code = '${T1}'`));
	});
});

describe('roles and regions', () => {
	test('who may post which kind (403 ROLE_NOT_ALLOWED)', async () => {
		const rows = [
			[u.town1, 'advance', 'a township does not advance to itself'],
			[u.town1, 'replenish', 'nor replenish'],
			[u.county1, 'draw', 'the county does not draw a township fund'],
			[u.finance1, 'draw', 'nor finance'],
			[u.village1, 'draw', 'a village draws only through a case'],
			[u.village1, 'advance', 'a village never advances'],
			[u.auditor1, 'advance', 'the auditor only reads'],
			[u.auditor1, 'return', 'the auditor only reads'],
		];
		for (const [who, kind, why] of rows) {
			const r = await post(who, T1, { kind, amount: '1.00' });
			assert.equal(r.status, 403, why);
			assert.equal(r.body.error.code, 'ROLE_NOT_ALLOWED', why);
		}
		assert.equal((await get(u.town1, T1)).body.balance, '500.00', 'nothing moved');
	});

	test('outside the caller region: 404, never 403', async () => {
		for (const who of [u.town2, u.village2, u.county2]) {
			const g = await get(who, T1);
			assert.equal(g.status, 404);
			const p = await post(who, T1, { kind: 'draw', amount: '1.00' });
			assert.equal(p.status, 404);
			const a = await post(who, T1, { kind: 'advance', amount: '1.00' });
			assert.equal(a.status, 404);
		}
		// a village sees its own township's fund; the auditor reads in its county
		assert.equal((await get(u.village1, T1)).status, 200);
		assert.equal((await get(u.auditor1, T1)).body.balance, '500.00');
	});

	test('bad input names the field (400)', async () => {
		const rows = [
			[T1, { kind: 'draw', amount: '1.234' }, 'amount'],
			[T1, { kind: 'draw', amount: '-5.00' }, 'amount'],
			[T1, { kind: 'draw', amount: '0.00' }, 'amount'],
			[T1, { kind: 'draw', amount: '1000000000.01' }, 'amount'],
			[T1, { kind: 'draw', amount: 5 }, 'amount'],
			[T1, { kind: 'draw' }, 'amount'],
			[T1, { kind: 'steal', amount: '1.00' }, 'kind'],
			[T1, { amount: '1.00' }, 'kind'],
			[T1, { kind: 'draw', amount: '1.00', note: 'x'.repeat(501) }, 'note'],
			[T1, { kind: 'draw', amount: '1.00', application_id: 'x' }, 'application_id'],
			['500154', { kind: 'draw', amount: '1.00' }, 'region'],
			['500154001001', { kind: 'draw', amount: '1.00' }, 'region'],
			['500154000', { kind: 'draw', amount: '1.00' }, 'region'],
		];
		for (const [region, body, field] of rows) {
			const r = await post(u.town1, region, body);
			assert.equal(r.status, 400, `${JSON.stringify(body)} at ${region}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const none = await post(u.town1, T1, { kind: 'draw', amount: '1.00', application_id: 999999 });
		assert.equal(none.status, 404);
		assert.equal(none.body.error.field, 'application_id');
	});

	test('without the CSRF token nothing is posted; without a session nothing is read', async () => {
		const r = await call(base, 'POST', `/api/v1/reserve-funds/${T1}/entries`, {
			body: { kind: 'draw', amount: '1.00' },
			cookie: u.town1.cookie,
		});
		assert.equal(r.status, 403);
		assert.equal(r.body.error.code, 'CSRF');
		assert.equal((await call(base, 'GET', `/api/v1/reserve-funds/${T1}`)).status, 401);
	});
});

describe('concurrency', () => {
	test('many parallel draws never overdraw; the final balance is exact', async () => {
		const a = await post(u.county1, T3, { kind: 'advance', amount: '100.00' });
		assert.equal(a.status, 201);
		const N = 40;
		const AMOUNT = 700; // 7.00 yuan: 14 fit into 100.00, 2.00 is left
		const results = await Promise.all(
			Array.from({ length: N }, () => post(u.town3, T3, { kind: 'draw', amount: '7.00' })),
		);
		const ok = results.filter((r) => r.status === 201);
		const refused = results.filter((r) => r.status === 422);
		assert.equal(ok.length + refused.length, N, results.map((r) => r.status).join(','));
		assert.equal(ok.length, Math.floor(10000 / AMOUNT));
		for (const r of refused) assert.equal(r.body.error.code, 'RESERVE_INSUFFICIENT');
		// every success saw a distinct balance, each 7.00 below another
		const after = ok.map((r) => fen(r.body.entry.balance_after)).sort((x, y) => x - y);
		assert.deepEqual(
			after,
			Array.from({ length: ok.length }, (_, i) => 200 + i * AMOUNT),
		);
		const g = await get(u.town3, T3);
		assert.equal(g.body.balance, '2.00');
		assert.equal(g.body.drawn_total, '98.00');
		assert.equal(g.body.total, 1 + ok.length);
		assert.equal(
			sql(db.target, `SELECT min(balance_after) FROM reserve_fund_entries WHERE region_code = '${T3}'`),
			'200',
		);
		// concurrent money in and out together still add up
		const mixed = await Promise.all([
			...Array.from({ length: 10 }, () => post(u.county1, T3, { kind: 'replenish', amount: '3.00' })),
			...Array.from({ length: 10 }, () => post(u.town3, T3, { kind: 'draw', amount: '3.00' })),
		]);
		const ins = mixed.slice(0, 10).filter((r) => r.status === 201).length;
		const outs = mixed.slice(10).filter((r) => r.status === 201).length;
		assert.equal(ins, 10);
		assert.ok(mixed.slice(10).every((r) => r.status === 201 || r.status === 422));
		const end = await get(u.town3, T3);
		assert.equal(fen(end.body.balance), 200 + ins * 300 - outs * 300);
		assert.ok(fen(end.body.balance) >= 0);
	});
});
