// tests/api/admin.test.mjs - the region tree and account administration as
// an admin and a county officer use them: GET /api/v1/regions[/{code}],
// GET /api/v1/users, PATCH /api/v1/users/{id} (scope, the rules of POST
// /users, no self-demotion, password rules, sessions ended, unlock, audit).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base;
const who = {};
const ids = {};

async function makeUser(username, role, region, name = '测试') {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	ids[username] = r.body.id;
	return login(base, username, PW);
}
const get = (as, p) => call(base, 'GET', p, { cookie: as.cookie });
const patch = (as, id, body, csrf = as.csrf) => call(base, 'PATCH', `/api/v1/users/${id}`, { body, cookie: as.cookie, csrf });

before(async () => {
	db = freshDb('admin');
	init(db.target);
	// the townships and villages of the county, as the demo generator or the county loads them
	sql(
		db.target,
		`INSERT INTO regions (code, name, level, parent_code, area) VALUES
		 ('500154001', '白马镇', 4, '500154', NULL), ('500154002', '江口镇', 4, '500154', NULL),
		 ('500154001001', '白马村', 5, '500154001', 'rural'), ('500154001002', '新华社区', 5, '500154001', 'urban'),
		 ('500155001', '邻县镇', 4, '500155', NULL)`,
	);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	ids.admin = who.admin.user.id;
	who.county = await makeUser('ad_county', 'county', '500154', '县民政局张三');
	who.town = await makeUser('ad_town', 'township', '500154001', '白马镇李四');
	who.town2 = await makeUser('ad_town2', 'township', '500154002');
	who.village = await makeUser('ad_village', 'village', '500154001001');
	who.other = await makeUser('ad_other', 'county', '500155');
	who.finance = await makeUser('ad_finance', 'finance', '500154');
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

describe('regions', () => {
	test('a county officer gets its townships by default, and the region with its ancestors', async () => {
		const r = await get(who.county, '/api/v1/regions');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(
			r.body.items.map((i) => [i.code, i.name, i.level, i.parent]),
			[
				['500154001', '白马镇', 4, '500154'],
				['500154002', '江口镇', 4, '500154'],
			],
		);
		const v = await get(who.county, '/api/v1/regions?parent=500154001');
		assert.deepEqual(v.body.items.map((i) => [i.code, i.area]), [['500154001001', 'rural'], ['500154001002', 'urban']]);
		const one = await get(who.county, '/api/v1/regions/500154001001');
		assert.equal(one.status, 200);
		assert.equal(one.body.name, '白马村');
		assert.deepEqual(one.body.path.map((p) => p.code), ['500000', '500100', '500154', '500154001']);
		assert.equal(one.body.path[2].name, '开州区');
	});

	test('a township sees its own subtree, and of its ancestors only the path to itself', async () => {
		const up = await get(who.town, '/api/v1/regions?parent=500154');
		assert.deepEqual(up.body.items.map((i) => i.code), ['500154001']);
		assert.equal((await get(who.town, '/api/v1/regions/500154')).status, 200);
		for (const p of ['/api/v1/regions/500154002', '/api/v1/regions?parent=500154002', '/api/v1/regions/500155001']) {
			const r = await get(who.town, p);
			assert.equal(r.status, 404, p);
		}
		assert.equal((await get(who.county, '/api/v1/regions?parent=500155')).status, 404);
	});

	test('the admin starts at the top of the tree', async () => {
		const r = await get(who.admin, '/api/v1/regions');
		assert.deepEqual(r.body.items.map((i) => i.code), ['500000']);
	});

	test('bad codes are 400 naming the field; unknown ones 404; no session 401', async () => {
		const a = await get(who.county, '/api/v1/regions/5001541');
		assert.equal(a.status, 400);
		assert.equal(a.body.error.field, 'code');
		const b = await get(who.county, '/api/v1/regions?parent=5001541');
		assert.equal(b.status, 400);
		assert.equal(b.body.error.field, 'parent');
		assert.equal((await get(who.county, '/api/v1/regions/500154009')).status, 404);
		assert.equal((await call(base, 'GET', '/api/v1/regions')).status, 401);
	});
});

describe('users', () => {
	test('the admin lists everyone, searches by user name or name', async () => {
		const all = await get(who.admin, '/api/v1/users?per_page=500');
		assert.equal(all.status, 200);
		assert.equal(all.body.total, 7);
		const c = all.body.items.find((u) => u.username === 'ad_county');
		assert.deepEqual(
			{ ...c, created_at: typeof c.created_at },
			{
				id: ids.ad_county,
				username: 'ad_county',
				name: '县民政局张三',
				role: 'county',
				region: '500154',
				region_name: '开州区',
				disabled: false,
				locked_until: null,
				created_at: 'string',
				office_code: null,
			},
		);
		assert.deepEqual((await get(who.admin, '/api/v1/users?q=AD_TOWN')).body.items.map((u) => u.username), ['ad_town', 'ad_town2']);
		assert.deepEqual((await get(who.admin, '/api/v1/users?q=李四')).body.items.map((u) => u.username), ['ad_town']);
		assert.equal((await get(who.admin, '/api/v1/users?q=%25')).body.total, 0);
		const p2 = await get(who.admin, '/api/v1/users?per_page=2&page=2');
		assert.equal(p2.body.items.length, 2);
		assert.equal(p2.body.total, 7);
	});

	test('a county lists its own region only; other roles are refused', async () => {
		const r = await get(who.county, '/api/v1/users?per_page=500');
		assert.deepEqual(
			r.body.items.map((u) => u.username).sort(),
			['ad_county', 'ad_finance', 'ad_town', 'ad_town2', 'ad_village'],
		);
		for (const as of [who.town, who.village, who.finance]) assert.equal((await get(as, '/api/v1/users')).status, 403);
	});

	test('a county renames and moves its accounts, inside its region, audited', async () => {
		const r = await patch(who.county, ids.ad_village, { name: '白马村王五', region: '500154001002' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.name, '白马村王五');
		assert.equal(r.body.region, '500154001002');
		assert.equal(r.body.region_name, '新华社区');
		const row = sql(db.target, `SELECT actor || '|' || region_code || '|' || detail FROM audit_log WHERE action = 'user.update' AND entity_id = '${ids.ad_village}'`);
		assert.match(row, /^ad_county\|500154001002\|.*"changed":\["name","region"\]/);
	});

	test('a county cannot reach outside its region, make admins or touch other roles', async () => {
		const cases = [
			[ids.ad_other, { name: 'x' }, 404, undefined],
			[ids.admin, { name: 'x' }, 404, undefined],
			[ids.ad_town, { role: 'admin' }, 403, 'role'],
			[ids.ad_town, { role: 'finance' }, 403, 'role'],
			[ids.ad_town, { region: '500155001' }, 403, 'region'],
			[ids.ad_finance, { name: 'x' }, 403, 'role'],
			[999999, { name: 'x' }, 404, undefined],
		];
		for (const [id, body, status, field] of cases) {
			const r = await patch(who.county, id, body);
			assert.equal(r.status, status, `${id} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
			if (field) assert.equal(r.body.error.field, field);
		}
		assert.equal((await patch(who.town, ids.ad_village, { name: 'x' })).status, 403);
		assert.equal(sql(db.target, `SELECT name FROM users WHERE id = ${ids.ad_town}`), '白马镇李四');
	});

	test('nobody disables or demotes itself', async () => {
		for (const [as, body, field] of [
			[who.county, { disabled: true }, 'disabled'],
			[who.county, { role: 'township' }, 'role'],
			[who.county, { region: '500154001' }, 'region'],
			[who.admin, { role: 'county' }, 'role'],
		]) {
			const r = await patch(as, as.user.id, body);
			assert.equal(r.status, 403, JSON.stringify(body));
			assert.equal(r.body.error.code, 'SELF_CHANGE');
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await patch(who.county, ids.ad_county, { name: '县民政局张三丰' })).status, 200);
	});

	test('bad input is 400 naming the field; no CSRF token is 403', async () => {
		const cases = [
			[{}, '$'],
			[{ role: 'boss' }, 'role'],
			[{ region: '123' }, 'region'],
			[{ password: 'short' }, 'password'],
			[{ password: 'ad_town' }, 'password'],
			[{ disabled: 'yes' }, 'disabled'],
			[{ unlock: 1 }, 'unlock'],
			[{ name: 7 }, 'name'],
			[{ name: 'a\u0001b' }, 'name'],
		];
		for (const [body, field] of cases) {
			const r = await patch(who.county, ids.ad_town, body);
			assert.equal(r.status, 400, JSON.stringify(body));
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const dup = await call(base, 'PATCH', `/api/v1/users/${ids.ad_town}`, {
			raw: '{"name":"a","name":"b"}',
			cookie: who.county.cookie,
			csrf: who.county.csrf,
		});
		assert.equal(dup.body.error.code, 'DUPLICATE_KEY');
		const noCsrf = await patch(who.county, ids.ad_town, { name: 'x' }, null);
		assert.equal(noCsrf.status, 403);
		assert.equal(noCsrf.body.error.code, 'CSRF');
	});

	test('a password reset ends the sessions; the new password works, the old does not; not audited in clear', async () => {
		const before = await login(base, 'ad_town2', PW);
		assert.equal((await get(before, '/api/v1/me')).status, 200);
		const NEW = 'Another-Pass-456';
		const r = await patch(who.county, ids.ad_town2, { password: NEW });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal((await get(before, '/api/v1/me')).status, 401);
		assert.equal((await login(base, 'ad_town2', PW)).res.status, 401);
		assert.equal((await login(base, 'ad_town2', NEW)).res.status, 200);
		const audit = sql(db.target, `SELECT detail FROM audit_log WHERE action = 'user.update' AND entity_id = '${ids.ad_town2}'`);
		assert.match(audit, /"password"/);
		assert.ok(!audit.includes(NEW));
		assert.ok(!sql(db.target, 'SELECT detail FROM audit_log').includes(NEW));
	});

	test('disabling ends the sessions and refuses logins; enabling lets the account in again', async () => {
		const s = await login(base, 'ad_village', PW);
		assert.equal((await get(s, '/api/v1/me')).status, 200);
		const r = await patch(who.county, ids.ad_village, { disabled: true });
		assert.equal(r.status, 200);
		assert.equal(r.body.disabled, true);
		assert.equal((await get(s, '/api/v1/me')).status, 401);
		assert.equal((await login(base, 'ad_village', PW)).res.status, 401);
		assert.equal((await patch(who.county, ids.ad_village, { disabled: false })).body.disabled, false);
		assert.equal((await login(base, 'ad_village', PW)).res.status, 200);
	});

	test('a locked account shows locked_until and the county unlocks it', async () => {
		let last;
		for (let i = 0; i < 6; i++) last = await login(base, 'ad_town', 'Wrong-Pass-000');
		assert.equal(last.res.status, 429);
		assert.equal((await login(base, 'ad_town', PW)).res.status, 429);
		const listed = (await get(who.county, '/api/v1/users?q=ad_town')).body.items.find((u) => u.username === 'ad_town');
		assert.match(listed.locked_until, /^\d{4}-\d{2}-\d{2}T/);
		const r = await patch(who.county, ids.ad_town, { unlock: true });
		assert.equal(r.status, 200);
		assert.equal(r.body.locked_until, null);
		assert.equal((await login(base, 'ad_town', PW)).res.status, 200);
	});

	test('the admin makes an admin of a county account; the role shows at the next request', async () => {
		const r = await patch(who.admin, ids.ad_other, { role: 'auditor', region: '500000' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal((await get(who.other, '/api/v1/me')).body.role, 'auditor');
		assert.equal((await get(who.other, '/api/v1/users')).status, 403);
	});
});
