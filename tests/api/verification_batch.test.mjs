// tests/api/verification_batch.test.mjs - batch verification for the
// periodic reviews (issue 9 §4): a township with 5,000 households due for
// review (and 20 more without an authorisation, which the batch skips and
// lists); one request file per source (CSV and XLSX) listing every member
// once; each source's answer file (CSV, one as XLSX) matched back to the
// right households, with rows for unknown or invalid ID numbers rejected
// with their reasons; every request answered; the reports built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, call, freshDb, idnum, init, login, makeUser, sql, startServer } from './lib.mjs';

const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';
const N = 5000;
const UNAUTHORISED = 20;
const PW = 'Strong-Pass-123';
const TOWN = '500154003';
let db, srv, base, tmp, town, other;
const batch = {};

// person k (1-based): a valid ID number, unique for k < 6,720,000 (birth
// 1960-1979, a day of the year, a sequence number)
function personIdNumber(k) {
	const year = 1960 + (k % 20);
	const idx = Math.floor(k / 20) % 336;
	const mm = String(1 + Math.floor(idx / 28)).padStart(2, '0');
	const dd = String(1 + (idx % 28)).padStart(2, '0');
	return idnum(`500154${year}${mm}${dd}${String(Math.floor(k / 6720)).padStart(3, '0')}`);
}
const ids = new Map(); // ID number → person k

function runSql(target, file) {
	const r = process.env.DOUDI_TEST_PG
		? spawnSync(`${PGBIN}/psql`, [target, '-qAt', '-v', 'ON_ERROR_STOP=1', '-f', file], { encoding: 'utf8' })
		: spawnSync('sqlite3', [target, `.read ${file}`], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`sql failed: ${r.stderr}`);
}

// N + UNAUTHORISED two-adult households in the township, each with an open
// review case; every adult of the first N has authorised the checks.
function seed(target) {
	const T = '2026-01-01T00:00:00.000Z';
	const lines = ['BEGIN;'];
	const persons = [],
		households = [],
		members = [],
		apps = [],
		auths = [];
	let k = 0;
	for (let h = 1; h <= N + UNAUTHORISED; h++) {
		const village = `${TOWN}${String(1 + (h % 3)).padStart(3, '0')}`;
		households.push(`(${h}, '${village}', 'B${h}', 'rural', '${T}', '${T}')`);
		for (const rel of ['head', 'spouse']) {
			k++;
			const id = personIdNumber(k);
			if (ids.has(id)) throw new Error('duplicate test ID number');
			ids.set(id, { k, h });
			persons.push(`(${k}, '${id}', '核对${k}', '1970-01-01', '${rel === 'head' ? 'male' : 'female'}', '${village}', '${T}', '${T}')`);
			members.push(`(${k}, ${h}, ${k}, '${village}', '${rel}', '2020-01-01', '${T}')`);
			if (h <= N) auths.push(`(${h}, ${k}, '${village}', 'paper', 'all', '2026-01-02', '2099-12-31', 'SQ${k}', '${T}')`);
		}
		apps.push(`(${h}, ${h}, '${village}', 'dibao', 'review', 'accepted', '${T}', '${T}')`);
	}
	const chunk = (rows, head) => {
		for (let i = 0; i < rows.length; i += 500) lines.push(`${head} VALUES ${rows.slice(i, i + 500).join(',\n')};`);
	};
	chunk(persons, 'INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at)');
	chunk(households, 'INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)');
	chunk(members, 'INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)');
	chunk(apps, 'INSERT INTO applications (id, household_id, region_code, programme, kind, state, created_at, updated_at)');
	chunk(
		auths,
		'INSERT INTO verification_authorisations (household_id, person_id, region_code, method, scope, signed_on, valid_until, document, created_at)',
	);
	if (process.env.DOUDI_TEST_PG)
		for (const t of ['persons', 'households', 'memberships', 'applications'])
			lines.push(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}));`);
	lines.push('COMMIT;');
	const file = path.join(tmp, 'seed.sql');
	writeFileSync(file, lines.join('\n'));
	runSql(target, file);
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-vbatch-'));
	db = freshDb('vbatch');
	init(db.target);
	seed(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	const admin = await login(base, 'admin', ADMIN_PASSWORD);
	town = await makeUser(base, admin, 'vb_town', 'township', TOWN, PW);
	other = await makeUser(base, admin, 'vb_other', 'township', '500154001', PW);
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

async function download(as, p) {
	const r = await fetch(base + p, { headers: { cookie: as.cookie } });
	return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()) };
}

async function upload(as, p, bytes) {
	const r = await fetch(base + p, {
		method: 'POST',
		headers: { cookie: as.cookie, 'x-csrf-token': as.csrf, 'content-type': 'application/octet-stream' },
		body: bytes,
	});
	return { status: r.status, body: await r.json() };
}

function parseCsv(buf) {
	let text = buf.toString('utf8');
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	return text
		.split('\r\n')
		.filter((l) => l)
		.map((l) => l.split(','));
}

const SOURCES = ['public_security', 'housing', 'provident_fund', 'social_insurance', 'market_regulation', 'tax', 'bank'];

describe('a batch of 5,000 households', () => {
	test('the open review cases of the township are taken; those without authorisation are skipped and listed', async () => {
		const t0 = Date.now();
		const r = await call(base, 'POST', '/api/v1/verification-batches', {
			body: { region: TOWN },
			cookie: town.cookie,
			csrf: town.csrf,
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		console.log(`# batch of ${r.body.households} households created in ${Date.now() - t0} ms`);
		Object.assign(batch, r.body);
		assert.equal(r.body.households, N);
		assert.equal(r.body.skipped, UNAUTHORISED);
		assert.deepEqual(
			r.body.skipped_detail.map((s) => s.household_id).sort((a, b) => a - b),
			Array.from({ length: UNAUTHORISED }, (_, i) => N + 1 + i),
		);
		assert.equal(r.body.sources.length, SOURCES.length);
		for (const s of r.body.sources) assert.deepEqual([s.requests, s.answered], [N, 0]);
		const again = await call(base, 'POST', '/api/v1/verification-batches', {
			body: { region: TOWN },
			cookie: town.cookie,
			csrf: town.csrf,
		});
		assert.equal(again.status, 422, 'the households already in a batch are not taken twice');
		assert.equal((await call(base, 'GET', `/api/v1/verification-batches/${batch.id}`, { cookie: other.cookie })).status, 404);
		const mine = await call(base, 'GET', '/api/v1/verification-batches', { cookie: town.cookie });
		assert.deepEqual(mine.body.items.map((b) => [b.id, b.households, b.skipped]), [[batch.id, N, UNAUTHORISED]]);
		assert.equal((await call(base, 'GET', '/api/v1/verification-batches', { cookie: other.cookie })).body.total, 0);
	});

	test('one request file per source lists every member once, with the request numbers', async () => {
		batch.files = {};
		for (const s of SOURCES) {
			const r = await download(town, `/api/v1/verification-batches/${batch.id}/request-file?source=${s}&format=csv`);
			assert.equal(r.status, 200);
			const rows = parseCsv(r.bytes);
			assert.deepEqual(rows[0], ['请求编号', '身份证号', '姓名', '与户主关系', '户主身份证号', '所在地区', '核对项目']);
			const body = rows.slice(1);
			assert.equal(body.length, 2 * N, s);
			const seen = new Set(body.map((row) => row[1]));
			assert.equal(seen.size, 2 * N, 'each member once');
			for (const row of body) assert.ok(ids.get(row[1]).h <= N, 'only authorised households');
			// both members of a household share its request number
			const byReq = new Map();
			for (const row of body) byReq.set(row[0], [...(byReq.get(row[0]) || []), ids.get(row[1]).h]);
			assert.equal(byReq.size, N);
			for (const hs of byReq.values()) assert.equal(new Set(hs).size, 1);
			batch.files[s] = body;
		}
		const x = await download(town, `/api/v1/verification-batches/${batch.id}/request-file?source=bank&format=xlsx`);
		assert.equal(x.status, 200);
		assert.equal(x.bytes.subarray(0, 2).toString(), 'PK');
	});

	test('each answer file is matched back to the right households; unknown ID numbers are rejected', async () => {
		const expected = new Map(); // "k:item" → fen
		for (const s of SOURCES) {
			const item = {
				public_security: 'vehicle',
				housing: 'house',
				provident_fund: 'wage',
				social_insurance: 'basic_pension',
				market_regulation: 'enterprise',
				tax: 'wage',
				bank: 'financial',
			}[s];
			const lines = ['request_no,id_number,item,amount,quantity,period'];
			for (const row of batch.files[s]) {
				const { k } = ids.get(row[1]);
				if (k % 5 === 0) {
					lines.push(`${row[0]},${row[1]},none,,,`);
					continue;
				}
				const count = item === 'vehicle' || item === 'house' || item === 'enterprise';
				const fen = count ? 0 : 100 * (k % 997) + (s === 'tax' ? 7 : 0);
				const amount = count ? '' : (fen / 100).toFixed(2);
				lines.push(`${row[0]},${row[1]},${item},${amount},${count ? 1 : ''},month`);
				if (fen > 0) expected.set(`${s}:${k}`, fen);
			}
			// rows the batch cannot place
			lines.push(`,${idnum('50015419991231999')},${item},1.00,,month`);
			lines.push(`,${idnum('11010519850101123')},${item},2.00,,month`);
			lines.push(`,123456,${item},3.00,,month`);
			lines.push(`${batch.files[s][0][0]},${batch.files[s][2][1]},${item},4.00,,month`); // another household's request
			const t0 = Date.now();
			const r = await upload(town, `/api/v1/verification-batches/${batch.id}/answers?source=${s}&file_name=${s}.csv`, Buffer.from(lines.join('\r\n')));
			assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 400));
			console.log(`# ${s}: ${r.body.rows} rows matched in ${Date.now() - t0} ms`);
			assert.equal(r.body.rows, 2 * N + 4);
			assert.equal(r.body.matched, 2 * N);
			assert.equal(r.body.rejected, 4);
			assert.equal(r.body.requests_answered, N);
			const reasons = r.body.rejects.map((x) => [x.line, x.field, x.reason]);
			assert.deepEqual(
				reasons.map(([line, field]) => [line, field]),
				[
					[2 * N + 2, '身份证号'],
					[2 * N + 3, '身份证号'],
					[2 * N + 4, '身份证号'],
					[2 * N + 5, '请求编号'],
				],
			);
			assert.match(reasons[0][2], /不在本次核对请求的对象中/);
			assert.match(reasons[2][2], /无效/);
			assert.match(reasons[3][2], /请求编号与该身份证号的核对请求不符/);
		}
		// every finding sits on the verification of the person's own household, with its amount
		const wrong = sql(
			db.target,
			'SELECT count(*) FROM verification_findings f JOIN verifications v ON v.id = f.verification_id ' +
				'JOIN memberships m ON m.person_id = f.person_id WHERE m.household_id <> v.household_id',
		);
		assert.equal(wrong, '0');
		const rows = sql(
			db.target,
			"SELECT r.source_code || ':' || p.id || ':' || f.amount FROM verification_findings f JOIN verification_requests r ON r.id = f.request_id JOIN persons p ON p.id = f.person_id WHERE f.amount > 0",
		).split('\n');
		assert.equal(rows.length, expected.size);
		for (const line of rows) {
			const [s, k, fen] = line.split(':');
			assert.equal(Number(fen), expected.get(`${s}:${k}`), line);
		}
		const b = await call(base, 'GET', `/api/v1/verification-batches/${batch.id}`, { cookie: town.cookie });
		for (const s of b.body.sources) assert.deepEqual([s.requests, s.answered], [N, N]);
	});

	test('every verification of the batch can now be reported', async () => {
		const list = await call(base, 'GET', `/api/v1/verifications?batch_id=${batch.id}&per_page=3`, { cookie: town.cookie });
		assert.equal(list.body.total, N);
		for (const v of list.body.items) {
			assert.equal(v.answered, SOURCES.length);
			const r = await call(base, 'POST', `/api/v1/verifications/${v.id}/report`, {
				body: { version: v.version },
				cookie: town.cookie,
				csrf: town.csrf,
			});
			assert.equal(r.status, 200, JSON.stringify(r.body));
			assert.equal(r.body.report.overdue_sources, 0);
		}
	});
});
