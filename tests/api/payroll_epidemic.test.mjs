// tests/api/payroll_epidemic.test.mjs - epidemic patient aid and staged
// temporary assistance as bank payments over HTTP (issue 6 §3): a county
// records a confirmed patient (bad input answers 400 naming the field, a
// non-recipient 422), the month's generation pays each period once (a second
// run adds nothing), another county is refused; a temporary case's stages
// fall due month by month and are paid once, a stage in a bank batch cannot
// be paid from the reserve fund; both batches go through check, approval,
// export and a bank file. The full matrix is in tests/cli/test_payroll_epidemic.sh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, county, village, other;
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

async function act(as, batch, action) {
	const cur = await get(as, `/api/v1/payroll/batches/${batch}`);
	assert.equal(cur.status, 200, JSON.stringify(cur.body));
	return post(as, `/api/v1/payroll/batches/${batch}/actions`, { action, version: cur.body.version });
}

async function download(as, p) {
	const res = await fetch(base + p, { headers: { cookie: as.cookie } });
	return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

// through the workflow to the bank: check, approve, export, the cqrcb file
// whose lines for account carry exactly amounts (one line per payment)
async function toBank(batch, account, amounts) {
	for (const [as, action] of [
		[who.county, 'check'],
		[who.finance, 'approve'],
		[who.finance, 'export'],
	]) {
		const r = await act(as, batch, action);
		assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
	}
	const r = await download(who.finance, `/api/v1/payroll/batches/${batch}/bank-files/cqrcb`);
	assert.equal(r.status, 200);
	const text = new TextDecoder('gb18030').decode(r.bytes);
	const lines = text.split(/\r?\n/).filter((l) => l.includes(account));
	assert.deepEqual(
		lines.map((l) => amounts.find((a) => l.split(',').includes(a))),
		amounts,
		`bank file lines for ${account}:\n${text}`,
	);
}

before(async () => {
	db = freshDb('payroll_epidemic');
	init(db.target);
	sql(db.target, readFileSync('bench/payroll_roll.sql', 'utf8').replace(/^--.*\n/gm, '').replaceAll('@N@', '200'));
	county = sql(db.target, 'SELECT substr(region_code, 1, 6) FROM households WHERE id = 1');
	village = sql(db.target, 'SELECT region_code FROM households WHERE id = 1');
	other = sql(db.target, `SELECT min(code) FROM regions WHERE level = 3 AND code LIKE '50%' AND code <> '${county}'`);
	// person 900001 lives in household 1's village but receives nothing
	sql(
		db.target,
		`INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at)
			VALUES (900001, 'S900001', '非对象', '1960-01-01', 'male', '${village}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
	);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('ep_county', 'county', county);
	who.finance = await makeUser('ep_finance', 'finance', county);
	who.other = await makeUser('ep_other', 'county', other);
	who.village = await makeUser('ep_village', 'village', village);
	who.town = await makeUser('ep_town', 'township', village.slice(0, 9));
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

describe('epidemic patient aid over HTTP', () => {
	let patient, batch;

	test('bad input names the field; a non-recipient and another county are refused', async () => {
		const cases = [
			[{ person_id: 'one', diagnosed_on: '2026-02-03' }, 400, 'person_id'],
			[{ diagnosed_on: '2026-02-03' }, 400, 'person_id'],
			[{ person_id: 1, diagnosed_on: '2026-02-30' }, 400, 'diagnosed_on'],
			[{ person_id: 1 }, 400, 'diagnosed_on'],
			[{ person_id: 1, diagnosed_on: '2026-02-03', discharged_on: '2026-02-02' }, 400, 'discharged_on'],
			[{ person_id: 1, diagnosed_on: '2026-02-03', discharged_on: 20260310 }, 400, 'discharged_on'],
			[{ person_id: 999999, diagnosed_on: '2026-02-03' }, 404, 'person_id'],
			[{ person_id: 900001, diagnosed_on: '2026-02-03' }, 422, 'person_id'],
		];
		for (const [body, status, field] of cases) {
			const r = await post(who.county, '/api/v1/payroll/epidemic-patients', body);
			assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		let r = await post(who.other, '/api/v1/payroll/epidemic-patients', { person_id: 1, diagnosed_on: '2026-02-03' });
		assert.equal(r.status, 404);
		r = await post(who.finance, '/api/v1/payroll/epidemic-patients', { person_id: 1, diagnosed_on: '2026-02-03' });
		assert.equal(r.status, 403);
		assert.equal(sql(db.target, 'SELECT count(*) FROM epidemic_patients'), '0');
	});

	test('a county records a dibao recipient: S and the multiple of the diagnosis date', async () => {
		const r = await post(who.county, '/api/v1/payroll/epidemic-patients', {
			person_id: 1,
			diagnosed_on: '2026-02-03',
			discharged_on: '2026-03-10',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.basis, 'dibao');
		assert.equal(r.body.standard, '630.00');
		assert.equal(r.body.multiple, 2);
		assert.equal(r.body.period_amount, '1260.00');
		patient = r.body.id;
		const g = await get(who.other, `/api/v1/payroll/epidemic-patients/${patient}`);
		assert.equal(g.status, 404, 'another county does not see the patient');
	});

	test('March pays both periods (02-03 and 03-03) once, in one county batch', async () => {
		let r = await post(who.other, '/api/v1/payroll/epidemic', { region: county, period: '2026-03' });
		assert.equal(r.status, 403);
		r = await post(who.county, '/api/v1/payroll/epidemic', { region: county, period: '2026-3' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'period');
		r = await post(who.county, '/api/v1/payroll/epidemic', { region: county, period: '2026-03' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.added, 2);
		assert.equal(r.body.added_total, '2520.00');
		assert.equal(r.body.counties.length, 1);
		batch = r.body.counties[0].batch_id;
		assert.equal(r.body.counties[0].total, '2520.00');
		r = await post(who.county, '/api/v1/payroll/epidemic', { region: county, period: '2026-03' });
		assert.equal(r.body.added, 0, 'a second run adds nothing');
		assert.equal(r.body.counties[0].batch_id, batch);
		r = await get(who.county, `/api/v1/payroll/batches/${batch}`);
		assert.equal(r.body.kind, 'epidemic');
		assert.equal(r.body.programme, 'temporary');
		assert.equal(r.body.total, '2520.00');
		r = await get(who.county, `/api/v1/payroll/batches/${batch}/payments`);
		assert.deepEqual(
			r.body.items.map((p) => [p.person_id, p.amount, p.component_name, p.dedup_key]),
			[
				[1, '1260.00', '确诊患者救助', `epidemic:${patient}:1`],
				[1, '1260.00', '确诊患者救助', `epidemic:${patient}:2`],
			],
		);
		r = await get(who.county, `/api/v1/payroll/epidemic-patients/${patient}`);
		assert.equal(r.body.periods_paid, 2);
		assert.equal(r.body.amount_paid, '2520.00');
		r = await post(who.county, `/api/v1/payroll/epidemic-patients/${patient}/discharge`, { discharged_on: '2026-03-11' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'ALREADY_DISCHARGED');
	});

	test('the epidemic batch is checked, approved, exported and in the bank file', async () => {
		await toBank(batch, '6217100000000001', ['1260.00', '1260.00']);
	});
});

describe('staged temporary assistance over HTTP', () => {
	let id, version, month, batch;

	test('a township-approved case in three stages: the first falls due in the month of approval', async () => {
		let r = await post(who.village, '/api/v1/temporary-cases', {
			region: village,
			case_kind: 'emergency',
			cause: 'fire',
			area: 'rural',
			requested_amount: '600.00',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		id = r.body.id;
		// the case concerns household 1 (its head is paid by the bank)
		sql(db.target, `UPDATE applications SET household_id = 1 WHERE id = ${id}`);
		r = await post(who.town, `/api/v1/temporary-cases/${id}/actions`, {
			action: 'approve',
			version: r.body.version,
			amount: '600.00',
			stages: 3,
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		version = r.body.version;
		month = sql(db.target, `SELECT substr(approved_at, 1, 7) FROM temporary_cases WHERE application_id = ${id}`);
		r = await post(who.county, '/api/v1/payroll/temporary', { region: county, period: month });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.added, 1);
		assert.equal(r.body.added_total, '200.00');
		batch = r.body.counties[0].batch_id;
		r = await post(who.county, '/api/v1/payroll/temporary', { region: county, period: month });
		assert.equal(r.body.added, 0, 'a second run adds nothing');
		r = await call(base, 'GET', `/api/v1/temporary-cases/${id}`, { cookie: who.town.cookie });
		const s = r.body.temporary.stages;
		assert.equal(typeof s[0].payment_id, 'number');
		assert.equal(s[1].payment_id, null);
	});

	test('a stage in a bank batch cannot be paid from the reserve fund', async () => {
		const r = await post(who.town, `/api/v1/temporary-cases/${id}/actions`, { action: 'pay_stage', version, stage: 1 });
		assert.equal(r.status, 422, JSON.stringify(r.body));
		assert.equal(r.body.error.code, 'STAGE_IN_BANK_BATCH');
		assert.equal(r.body.error.field, 'stage');
		assert.match(r.body.error.message, /银行代发批次/);
	});

	test('the temporary batch goes to the bank like any other', async () => {
		const b = await get(who.county, `/api/v1/payroll/batches/${batch}`);
		assert.equal(b.body.kind, 'temporary');
		await toBank(batch, '6217100000000001', ['200.00']);
	});
});
