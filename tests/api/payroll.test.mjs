// tests/api/payroll.test.mjs - the payroll batches over HTTP (issue 6): who
// may generate and read, region scope, masking, the workflow with its roles
// and versions, cancelling. The roll comes from bench/payroll_roll.sql.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

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
	return (await login(base, username, PW));
}

before(async () => {
	db = freshDb('payroll');
	init(db.target);
	// (comment lines dropped: sqlite3 would read a leading "--" as an option)
	const roll = readFileSync('bench/payroll_roll.sql', 'utf8').replaceAll('@N@', '400');
	sql(db.target, roll.split('\n').filter((l) => !l.startsWith('--')).join('\n'));
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('pr_county', 'county', '500101');
	who.county2 = await makeUser('pr_county2', 'county', '500102');
	who.finance = await makeUser('pr_finance', 'finance', '500101');
	who.township = await makeUser('pr_township', 'township', '500101001');
	who.auditor = await makeUser('pr_auditor', 'auditor', '500101');
});

after(async () => {
	const a = await srv.stop();
	try {
		assert.equal(a.code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
	}
});

const post = (as, path, body) => call(base, 'POST', path, { body, cookie: as.cookie, csrf: as.csrf });
const get = (as, path) => call(base, 'GET', path, { cookie: as.cookie });

describe('payroll batches', () => {
	let batch;
	test('only the county (and admin) generate, inside their scope; bad input names the field', async () => {
		for (const as of [who.township, who.finance, who.auditor]) {
			const r = await post(as, '/api/v1/payroll/batches', { region: '500101', period: '2026-11' });
			assert.equal(r.status, 403, JSON.stringify(r.body));
		}
		const out = await post(who.county, '/api/v1/payroll/batches', { region: '500102', period: '2026-11' });
		assert.equal(out.status, 403);
		assert.equal(out.body.error.field, 'region');
		for (const [body, field] of [
			[{ region: '500101', period: '2026-13' }, 'period'],
			[{ region: '500101', period: '202611' }, 'period'],
			[{ region: '500101', period: '2026-11', programme: 'temporary' }, 'programme'],
			[{ region: '500101001', period: '2026-11' }, 'region'],
		]) {
			const r = await post(who.county, '/api/v1/payroll/batches', body);
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field);
		}
		assert.equal(sql(db.target, 'SELECT count(*) FROM payroll_batches'), '0');
	});

	test('generating pays the decisions in force, once', async () => {
		const r = await post(who.county, '/api/v1/payroll/batches', { region: '500101', period: '2026-11' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const dibao = r.body.items.find((i) => i.programme === 'dibao');
		assert.equal(dibao.result, 'regular');
		const want = sql(db.target, "SELECT sum(monthly_benefit) FROM decisions WHERE programme = 'dibao' AND region_code LIKE '500101%'");
		assert.equal(Math.round(Number(dibao.total) * 100), Number(want));
		batch = dibao.batch_id;
		const again = await post(who.county, '/api/v1/payroll/batches', { region: '500101', period: '2026-11' });
		assert.equal(again.status, 201);
		assert.ok(again.body.items.every((i) => i.result === 'unchanged' && i.batch_id === null));
	});

	test('reading: county, finance and auditor in scope; township 403; another county 404', async () => {
		for (const as of [who.county, who.finance, who.auditor]) {
			const r = await get(as, `/api/v1/payroll/batches/${batch}`);
			assert.equal(r.status, 200);
			assert.equal(r.body.state, 'draft');
			assert.equal(r.body.state_name, '草稿');
			assert.equal(r.body.programme_name, '最低生活保障');
		}
		assert.equal((await get(who.township, `/api/v1/payroll/batches/${batch}`)).status, 403);
		assert.equal((await get(who.county2, `/api/v1/payroll/batches/${batch}`)).status, 404);
		const l = await get(who.county2, '/api/v1/payroll/batches');
		assert.equal(l.status, 200);
		assert.equal(l.body.total, 0);
		const mine = await get(who.finance, '/api/v1/payroll/batches?programme=dibao&period=2026-11');
		assert.equal(mine.body.total, 1);
		assert.equal((await get(who.finance, '/api/v1/payroll/batches?period=2026-1x')).status, 400);
	});

	test('payments: paged, ID numbers and accounts masked', async () => {
		const r = await get(who.finance, `/api/v1/payroll/batches/${batch}/payments?per_page=5`);
		assert.equal(r.status, 200);
		assert.equal(r.body.items.length, 5);
		assert.equal(r.body.total, Number(sql(db.target, `SELECT count(*) FROM payments WHERE batch_id = ${batch}`)));
		for (const p of r.body.items) {
			assert.match(p.bank_account, /^\*{4}\d{4}$/);
			assert.ok(!/^T\d{10}$/.test(p.id_number), 'masked');
			assert.match(p.amount, /^\d+\.\d{2}$/);
			assert.ok(p.component_name);
		}
		assert.equal((await get(who.finance, `/api/v1/payroll/batches/${batch}/payments?state=bogus`)).status, 400);
	});

	test('workflow: roles, order and versions', async () => {
		let b = (await get(who.county, `/api/v1/payroll/batches/${batch}`)).body;
		const act = (as, action, extra = {}) =>
			post(as, `/api/v1/payroll/batches/${batch}/actions`, { action, version: b.version, ...extra });
		assert.equal((await act(who.finance, 'approve')).status, 422, 'not before the check');
		assert.equal((await act(who.finance, 'check')).status, 403);
		const noVersion = await post(who.county, `/api/v1/payroll/batches/${batch}/actions`, { action: 'check' });
		assert.equal(noVersion.status, 400);
		assert.equal(noVersion.body.error.field, 'version');
		const stale = await post(who.county, `/api/v1/payroll/batches/${batch}/actions`, { action: 'check', version: b.version + 5 });
		assert.equal(stale.status, 409);
		let r = await act(who.county, 'check');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		b = r.body;
		assert.equal(b.state, 'checked');
		r = await act(who.finance, 'approve');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		b = r.body;
		r = await act(who.county, 'cancel', { note: '作废' });
		assert.equal(r.status, 422, 'no cancelling after approval');
		r = await act(who.finance, 'export');
		assert.equal(r.status, 200);
		b = r.body;
		assert.equal(b.state, 'exported');
		assert.equal(sql(db.target, `SELECT count(*) FROM payments WHERE batch_id = ${batch} AND state <> 'exported'`), '0');
		r = await act(who.county, 'reconcile');
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'PAYMENTS_PENDING');
		const actions = sql(db.target, `SELECT action FROM audit_log WHERE entity = 'payroll_batch' AND entity_id = '${batch}' ORDER BY seq`);
		assert.deepEqual(actions.split('\n'), ['payroll.generate', 'payroll.check', 'payroll.approve', 'payroll.export']);
	});

	test('cancel needs a reason and frees the month for a new batch', async () => {
		const tekun = Number(sql(db.target, "SELECT id FROM payroll_batches WHERE programme = 'tekun'"));
		let b = (await get(who.county, `/api/v1/payroll/batches/${tekun}`)).body;
		const noNote = await post(who.county, `/api/v1/payroll/batches/${tekun}/actions`, { action: 'cancel', version: b.version });
		assert.equal(noNote.status, 400);
		assert.equal(noNote.body.error.field, 'note');
		const r = await post(who.county, `/api/v1/payroll/batches/${tekun}/actions`, { action: 'cancel', version: b.version, note: '名单有误，重新生成' });
		assert.equal(r.status, 200);
		assert.equal(r.body.state, 'cancelled');
		assert.equal(sql(db.target, `SELECT count(*) FROM payments WHERE batch_id = ${tekun} AND state <> 'cancelled'`), '0');
		const g = await post(who.county, '/api/v1/payroll/batches', { region: '500101', programme: 'tekun', period: '2026-11' });
		assert.equal(g.status, 201);
		assert.equal(g.body.items[0].result, 'regular');
		assert.equal(g.body.items[0].total, r.body.total);
	});
});
