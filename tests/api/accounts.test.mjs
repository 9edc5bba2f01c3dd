// tests/api/accounts.test.mjs - logins, sessions, CSRF, lockout and account
// creation by role and region, against a real `doudi serve`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { spawnSync } from 'node:child_process';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, admin;

before(async () => {
	db = freshDb('accounts');
	init(db.target);
	srv = await startServer(db.target, ['--max-failures', '5', '--ip-max-failures', '1000']);
	base = srv.url;
	admin = await login(base, 'admin', ADMIN_PASSWORD);
	assert.equal(admin.res.status, 200);
});

after(async () => {
	const { code } = await srv.stop();
	try {
		assert.equal(code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /Strong-Pass|Admin-Pass|runtime error|AddressSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
		// no token is stored in clear
		assert.equal(sql(db.target, "SELECT count(*) FROM sessions WHERE length(token_hash) <> 64"), '0');
	} finally {
		db.cleanup();
	}
});

function auditCount(action, extra = '') {
	return Number(sql(db.target, `SELECT count(*) FROM audit_log WHERE action = '${action}' ${extra}`));
}

async function createUser(who, fields) {
	return call(base, 'POST', '/api/v1/users', {
		body: { password: PW, name: '测试', ...fields },
		cookie: who.cookie,
		csrf: who.csrf,
	});
}

describe('login', () => {
	test('a good pair: user, csrf token and the session cookie', async () => {
		const { res, csrf, user } = await login(base, 'admin', ADMIN_PASSWORD);
		assert.equal(res.status, 200);
		assert.equal(user.username, 'admin');
		assert.equal(user.role, 'admin');
		assert.equal(user.region, '000000');
		assert.match(csrf, /^[0-9a-f]{64}$/);
		const set = res.headers.get('set-cookie');
		assert.match(set, /^doudi_session=[0-9a-f]{64};/);
		assert.match(set, /;\s*HttpOnly/i);
		assert.match(set, /;\s*SameSite=Strict/i);
		assert.match(set, /;\s*Path=\//);
		assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
	});

	test('a wrong password and an unknown user get the same 401', async () => {
		const bad = await call(base, 'POST', '/api/v1/session', { body: { username: 'admin', password: 'nope-nope-1A' } });
		const unknown = await call(base, 'POST', '/api/v1/session', {
			body: { username: 'nobody', password: 'nope-nope-1A' },
		});
		assert.equal(bad.status, 401);
		assert.equal(bad.body.error.code, 'BAD_CREDENTIALS');
		assert.equal(unknown.status, 401);
		assert.deepEqual(unknown.body, bad.body);
		assert.equal(bad.headers.get('set-cookie'), null);
	});

	test('bad JSON is 400 with field $', async () => {
		const r = await call(base, 'POST', '/api/v1/session', { raw: '{"username": "admin",' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, '$');
		assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'field', 'message']);
		const t = await call(base, 'POST', '/api/v1/session', { body: { username: 5, password: 'x' } });
		assert.equal(t.status, 400);
		assert.equal(t.body.error.field, 'username');
	});

	test('JSON nested deeper than the limit is 400', async () => {
		const deep = '['.repeat(200) + ']'.repeat(200);
		const r = await call(base, 'POST', '/api/v1/session', { raw: deep });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, '$');
	});

	test('lockout: after 5 failures even the right password gets 429', async () => {
		assert.equal((await createUser(admin, { username: 'lockme', role: 'township', region: '500154001' })).status, 201);
		for (let i = 0; i < 5; i++) {
			const r = await call(base, 'POST', '/api/v1/session', { body: { username: 'lockme', password: 'Wrong-Pass-99' } });
			assert.equal(r.status, 401, `attempt ${i + 1}`);
		}
		const r = await call(base, 'POST', '/api/v1/session', { body: { username: 'lockme', password: PW } });
		assert.equal(r.status, 429);
		assert.equal(r.body.error.code, 'TOO_MANY_ATTEMPTS');
		assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
		// other accounts are not affected
		assert.equal((await login(base, 'admin', ADMIN_PASSWORD)).res.status, 200);
		// audited: the failures, the lockout, the refused attempt
		const id = sql(db.target, "SELECT id FROM users WHERE username = 'lockme'");
		assert.equal(auditCount('auth.login_failed', `AND entity_id = '${id}'`), 6);
		assert.equal(auditCount('auth.lockout', `AND entity_id = '${id}'`), 1);
		assert.ok(auditCount('auth.login') >= 2);
		assert.ok(auditCount('user.create') >= 2);
	});
});

describe('session', () => {
	test('/me needs a session', async () => {
		const r = await call(base, 'GET', '/api/v1/me');
		assert.equal(r.status, 401);
		assert.equal(r.body.error.code, 'NOT_LOGGED_IN');
		const forged = await call(base, 'GET', '/api/v1/me', { cookie: 'doudi_session=' + 'a'.repeat(64) });
		assert.equal(forged.status, 401);
	});

	test('/me answers the user, role and region', async () => {
		const r = await call(base, 'GET', '/api/v1/me', { cookie: admin.cookie });
		assert.equal(r.status, 200);
		assert.equal(r.body.user.username, 'admin');
		assert.equal(r.body.role, 'admin');
		assert.equal(r.body.region, '000000');
	});

	test('/me gives the session its CSRF token again: a reloaded page can change things', async () => {
		const s = await login(base, 'admin', ADMIN_PASSWORD);
		const r = await call(base, 'GET', '/api/v1/me', { cookie: s.cookie });
		assert.equal(r.status, 200);
		assert.equal(r.body.csrf, s.csrf, 'the token login answered');
		const other = await login(base, 'admin', ADMIN_PASSWORD);
		const r2 = await call(base, 'GET', '/api/v1/me', { cookie: other.cookie });
		assert.notEqual(r2.body.csrf, r.body.csrf, 'each session its own token');
		// a change with only the cookie and the token /me answered succeeds
		const body = { username: 'reload1', password: PW, role: 'village', region: '500154001001', name: '重载' };
		const made = await call(base, 'POST', '/api/v1/users', { body, cookie: s.cookie, csrf: r.body.csrf });
		assert.equal(made.status, 201, JSON.stringify(made.body));
		// the token is neither the cookie token nor stored in clear
		assert.notEqual(r.body.csrf, s.cookie.replace(/^doudi_session=/, ''));
		assert.equal(sql(db.target, `SELECT count(*) FROM sessions WHERE csrf_hash = '${r.body.csrf}'`), '0');
	});

	test('CSRF: a change without the token or with a wrong one is 403', async () => {
		const body = { username: 'csrf1', password: PW, role: 'village', region: '500154001001' };
		const none = await call(base, 'POST', '/api/v1/users', { body, cookie: admin.cookie });
		assert.equal(none.status, 403);
		assert.equal(none.body.error.code, 'CSRF');
		const wrong = await call(base, 'POST', '/api/v1/users', { body, cookie: admin.cookie, csrf: 'f'.repeat(64) });
		assert.equal(wrong.status, 403);
		assert.equal(wrong.body.error.code, 'CSRF');
		const other = await login(base, 'admin', ADMIN_PASSWORD); // another session's token
		const cross = await call(base, 'POST', '/api/v1/users', { body, cookie: admin.cookie, csrf: other.csrf });
		assert.equal(cross.status, 403);
		const logout = await call(base, 'DELETE', '/api/v1/session', { cookie: admin.cookie });
		assert.equal(logout.status, 403);
	});

	test('logout ends the session at once on every server thread', async () => {
		const s = await login(base, 'admin', ADMIN_PASSWORD);
		// the session is now in the session cache of the threads that answered
		const before = await Promise.all(Array.from({ length: 16 }, () => call(base, 'GET', '/api/v1/me', { cookie: s.cookie })));
		assert.deepEqual(before.map((r) => r.status), Array(16).fill(200));
		const r = await call(base, 'DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrf });
		assert.equal(r.status, 204);
		assert.match(r.headers.get('set-cookie'), /Max-Age=0/);
		const after = await Promise.all(Array.from({ length: 16 }, () => call(base, 'GET', '/api/v1/me', { cookie: s.cookie })));
		assert.deepEqual(after.map((x) => x.status), Array(16).fill(401));
		assert.ok(auditCount('auth.logout') >= 1);
	});

	test('a session removed by another process ends within a second', async () => {
		assert.equal((await createUser(admin, { username: 'cache_probe', role: 'county', region: '500154' })).status, 201);
		const s = await login(base, 'cache_probe', PW);
		assert.equal((await call(base, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200);
		sql(db.target, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'cache_probe')");
		await new Promise((res) => setTimeout(res, 1100));
		assert.equal((await call(base, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 401);
	});
});

describe('accounts', () => {
	let county;
	test('admin creates a county user: 201', async () => {
		const r = await createUser(admin, { username: 'kz_county', role: 'county', region: '500154' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.user.username, 'kz_county');
		assert.equal(r.body.user.role, 'county');
		assert.equal(r.body.user.region, '500154');
		assert.equal(r.body.user.password, undefined);
		county = await login(base, 'kz_county', PW);
		assert.equal(county.res.status, 200);
	});

	test('a duplicate username is 409', async () => {
		const r = await createUser(admin, { username: 'kz_county', role: 'county', region: '500154' });
		assert.equal(r.status, 409);
		assert.equal(r.body.error.code, 'USERNAME_TAKEN');
		assert.equal(r.body.error.field, 'username');
	});

	test('a bad field is 400 naming it', async () => {
		const cases = [
			[{ username: 'x1', role: 'mayor', region: '500154' }, 'role'],
			[{ username: 'x2', role: 'village', region: '50a154' }, 'region'],
			[{ username: 'x3', role: 'village', region: '5001541' }, 'region'],
			[{ username: 'has space', role: 'village', region: '500154001001' }, 'username'],
			[{ username: 'x4', role: 'village', region: '500154001001', password: 'short1A' }, 'password'],
			[{ username: 'x5', role: 'village', region: '500154001001', password: 'alllowercaseletters' }, 'password'],
			[{ username: 'Abcdef-123', role: 'village', region: '500154001001', password: 'abcdef-123' }, 'password'],
			[{ username: 'x6', role: 7, region: '500154001001' }, 'role'],
			[{ role: 'village', region: '500154001001' }, 'username'],
		];
		for (const [fields, field] of cases) {
			const r = await createUser(admin, fields);
			assert.equal(r.status, 400, JSON.stringify(fields));
			assert.equal(r.body.error.field, field, JSON.stringify(fields));
			assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
		}
	});

	test('county: inside its region ok, outside 403, roles above county 403', async () => {
		const ok = await createUser(county, { username: 'kz_town', role: 'township', region: '500154001' });
		assert.equal(ok.status, 201, JSON.stringify(ok.body));
		const vil = await createUser(county, { username: 'kz_village', role: 'village', region: '500154001001' });
		assert.equal(vil.status, 201);
		const out = await createUser(county, { username: 'wz_town', role: 'township', region: '500101001' });
		assert.equal(out.status, 403);
		assert.equal(out.body.error.field, 'region');
		const high = await createUser(county, { username: 'kz_admin', role: 'admin', region: '500154' });
		assert.equal(high.status, 403);
		assert.equal(high.body.error.field, 'role');
		const city = await createUser(county, { username: 'kz_city', role: 'city', region: '500154' });
		assert.equal(city.status, 403);
	});

	test('village and township users may not create accounts: 403', async () => {
		for (const name of ['kz_village', 'kz_town']) {
			const s = await login(base, name, PW);
			assert.equal(s.res.status, 200);
			const r = await createUser(s, { username: `${name}_sub`, role: 'village', region: '500154001001' });
			assert.equal(r.status, 403, name);
			assert.equal(r.body.error.code, 'FORBIDDEN');
			const me = await call(base, 'GET', '/api/v1/me', { cookie: s.cookie });
			assert.equal(me.body.role, name === 'kz_village' ? 'village' : 'township');
		}
	});
});

describe('the CLI obeys the same rules', () => {
	function userAdd(as, username, role, region, password = PW) {
		return spawnSync(
			DOUDI,
			['user', 'add', '--db', db.target, '--as', as, '--username', username, '--role', role, '--region', region, '--password-file', '-'],
			{ input: password, encoding: 'utf8' },
		);
	}

	test('doudi user add: in scope ok, out of scope and weak passwords refused', async () => {
		const ok = userAdd('kz_county', 'cli_town', 'township', '500154002');
		assert.equal(ok.status, 0, ok.stderr);
		assert.equal((await login(base, 'cli_town', PW)).res.status, 200);
		const out = userAdd('kz_county', 'cli_far', 'township', '500101001');
		assert.equal(out.status, 2);
		assert.match(out.stderr, /REGION_OUT_OF_SCOPE/);
		const role = userAdd('kz_county', 'cli_admin', 'admin', '500154');
		assert.equal(role.status, 2);
		assert.match(role.stderr, /ROLE_NOT_ALLOWED/);
		const village = userAdd('kz_village', 'cli_v', 'village', '500154001001');
		assert.equal(village.status, 2);
		assert.match(village.stderr, /FORBIDDEN/);
		const weak = userAdd('admin', 'cli_weak', 'village', '500154001001', 'weakweak');
		assert.equal(weak.status, 2);
		assert.match(weak.stderr, /WEAK_PASSWORD/);
		const pwArg = spawnSync(DOUDI, ['user', 'add', '--db', db.target, '--password', 'x'], { encoding: 'utf8' });
		assert.equal(pwArg.status, 2);
	});
});

describe('session expiry', () => {
	test('absolute and idle expiry end a session', async () => {
		const d = freshDb('expiry');
		init(d.target);
		const abs = await startServer(d.target, ['--session-max', '2', '--session-idle', '100']);
		try {
			const s = await login(abs.url, 'admin', ADMIN_PASSWORD);
			assert.match(s.res.headers.get('set-cookie'), /Max-Age=2;/);
			assert.equal((await call(abs.url, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200);
			await new Promise((r) => setTimeout(r, 2500));
			const r = await call(abs.url, 'GET', '/api/v1/me', { cookie: s.cookie });
			assert.equal(r.status, 401);
			assert.equal(r.body.error.code, 'SESSION_EXPIRED');
		} finally {
			assert.equal((await abs.stop()).code, 0);
		}
		const idle = await startServer(d.target, ['--session-idle', '2']);
		try {
			const s = await login(idle.url, 'admin', ADMIN_PASSWORD);
			// requests within the idle time keep it alive past it
			for (let i = 0; i < 3; i++) {
				await new Promise((r) => setTimeout(r, 1100));
				assert.equal((await call(idle.url, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200, `request ${i}`);
			}
			await new Promise((r) => setTimeout(r, 2500));
			const r = await call(idle.url, 'GET', '/api/v1/me', { cookie: s.cookie });
			assert.equal(r.status, 401);
			assert.equal(r.body.error.code, 'SESSION_EXPIRED');
		} finally {
			assert.equal((await idle.stop()).code, 0);
			d.cleanup();
		}
	});
});
