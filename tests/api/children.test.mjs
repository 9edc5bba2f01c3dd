// tests/api/children.test.mjs - the child roles (issue 10, item 4): a child
// director (儿童主任, a village) and a child supervisor (儿童督导员, a
// township) are created at their level only, see the under-18s of their area
// (GET /api/v1/children: masked ID numbers, age, household, head) and
// nothing of the households, cases or statistics.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, call, freshDb, idnum, init, login, makeUser, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp;
const who = {};
const year = new Date().getUTCFullYear();
const KID1 = idnum(`500154${year - 8}0301001`); // 8, village 1
const KID2 = idnum(`500154${year - 17}0101002`); // 17 by 1 January, village 1
const ADULT = idnum(`500154${year - 18}0101003`); // 18 by 1 January
const KID3 = idnum(`500154${year - 5}0601004`); // 5, village 2 of the township
const KID4 = idnum(`500154${year - 6}0601005`); // 6, another township

function importHouseholds(target) {
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`CH-1,500154001001,rural,${idnum('50015419800101011')},赵家长,head,full,100.00\r\n` +
		`CH-1,500154001001,rural,${KID1},赵小一,child,none,0\r\n` +
		`CH-1,500154001001,rural,${KID2},赵小二,child,none,0\r\n` +
		`CH-1,500154001001,rural,${ADULT},赵大,child,full,0\r\n` +
		`CH-2,500154001002,rural,${idnum('50015419810101021')},钱家长,head,full,100.00\r\n` +
		`CH-2,500154001002,rural,${KID3},钱小三,child,none,0\r\n` +
		`CH-3,500154002001,rural,${idnum('50015419820101031')},孙家长,head,full,100.00\r\n` +
		`CH-3,500154002001,rural,${KID4},孙小四,child,none,0\r\n`;
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-children-'));
	db = freshDb('children');
	init(db.target);
	importHouseholds(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser(base, who.admin, 'ch_county', 'county', '500154', PW);
	who.director = await makeUser(base, who.admin, 'ch_director', 'child_director', '500154001001', PW);
	who.supervisor = await makeUser(base, who.admin, 'ch_supervisor', 'child_supervisor', '500154001', PW);
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

const children = (as, q = '') => call(base, 'GET', `/api/v1/children${q}`, { cookie: as.cookie });
const newUser = (as, body) =>
	call(base, 'POST', '/api/v1/users', { body: { password: PW, name: '测试', ...body }, cookie: as.cookie, csrf: as.csrf });

describe('the child roles', () => {
	test('a director is a village account, a supervisor a township one', async () => {
		let r = await newUser(who.admin, { username: 'cd_bad', role: 'child_director', region: '500154001' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.code, 'BAD_REGION_LEVEL');
		assert.equal(r.body.error.field, 'region');
		r = await newUser(who.admin, { username: 'cs_bad', role: 'child_supervisor', region: '500154001001' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'region');
		// the county creates them in its own county
		r = await newUser(who.county, { username: 'cd_2', role: 'child_director', region: '500154001002' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.role, 'child_director');
		r = await newUser(who.county, { username: 'cd_out', role: 'child_director', region: '500155001001' });
		assert.equal(r.status, 403);
		const me = await call(base, 'GET', '/api/v1/me', { cookie: who.director.cookie });
		assert.equal(me.body.role ?? me.body.user?.role, 'child_director');
	});

	test('a director sees the under-18s of its village only', async () => {
		const r = await children(who.director);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(r.body.items.map((x) => x.name).sort(), ['赵小一', '赵小二'].sort());
		assert.equal(r.body.total, 2);
		const one = r.body.items.find((x) => x.name === '赵小一');
		assert.equal(one.age, 8);
		assert.equal(one.household_no, 'CH-1');
		assert.equal(one.head_name, '赵家长');
		assert.equal(one.region, '500154001001');
		assert.match(one.id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
		assert.ok(!JSON.stringify(r.body).includes(KID1));
		// another village narrowed to is empty
		const other = await children(who.director, '?region=500154001002');
		assert.equal(other.status, 200);
		assert.equal(other.body.total, 0);
	});

	test('a supervisor sees its township, the county everything, paged', async () => {
		const s = await children(who.supervisor);
		assert.deepEqual(s.body.items.map((x) => x.name).sort(), ['赵小一', '赵小二', '钱小三'].sort());
		const c = await children(who.county, '?per_page=2');
		assert.equal(c.body.total, 4);
		assert.equal(c.body.items.length, 2);
		const n = await children(who.county, '?name=' + encodeURIComponent('孙'));
		assert.deepEqual(n.body.items.map((x) => x.name), ['孙小四']);
	});

	test('the child roles see nothing else', async () => {
		for (const p of ['/api/v1/households', '/api/v1/statistics/monthly?month=2026-01', '/api/v1/audit', '/api/v1/hotline/orders']) {
			const r = await call(base, 'GET', p, { cookie: who.director.cookie });
			assert.ok(
				r.status === 403 || r.status === 404 || (r.status === 200 && (r.body.total ?? 0) === 0),
				`${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
			);
		}
		const f = await makeUser(base, who.admin, 'ch_finance', 'finance', '500154', PW);
		assert.equal((await children(f)).status, 403);
	});
});
