// tests/api/lists.test.mjs - what every list endpoint shares: one page and
// per_page parser with the same bounds everywhere (page 1..1e9, per_page
// 1..500, default 50), and bodies whose members are read with the
// duplicate-refusing lookup (a repeated key is 400 DUPLICATE_KEY naming it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, call, freshDb, init, login, startServer } from './lib.mjs';

let db, srv, base, admin;

before(async () => {
	db = freshDb('lists');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	admin = await login(base, 'admin', ADMIN_PASSWORD);
});

after(async () => {
	const r = await srv.stop();
	try {
		assert.equal(r.code, 0);
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
	} finally {
		db.cleanup();
	}
});

const LISTS = [
	'/api/v1/households',
	'/api/v1/applications',
	'/api/v1/audit',
	'/api/v1/reserve-funds/500154001',
	'/api/v1/temporary-cases',
	'/api/v1/users',
];

describe('pages', () => {
	test('every list takes the same page bounds and names the parameter at fault', async () => {
		for (const p of LISTS) {
			const ok = await call(base, 'GET', `${p}?page=1000000000&per_page=500`, { cookie: admin.cookie });
			assert.equal(ok.status, 200, `${p}: ${JSON.stringify(ok.body)}`);
			assert.equal(ok.body.per_page, 500, p);
			assert.equal(ok.body.page, 1000000000, p);
			const def = await call(base, 'GET', p, { cookie: admin.cookie });
			assert.equal(def.body.per_page, 50, p);
			for (const [q, field] of [
				['page=0', 'page'],
				['page=1000000001', 'page'],
				['per_page=0', 'per_page'],
				['per_page=501', 'per_page'],
				['per_page=abc', 'per_page'],
				['page=1&page=2', 'page'],
			]) {
				const r = await call(base, 'GET', `${p}?${q}`, { cookie: admin.cookie });
				assert.equal(r.status, 400, `${p}?${q}`);
				assert.equal(r.body.error.field, field, `${p}?${q}`);
			}
		}
	});
});

describe('duplicate members', () => {
	const cases = [
		['PATCH', '/api/v1/households/1', '{"version":1,"version":2}', 'version'],
		['PATCH', '/api/v1/households/1', '{"version":1,"address":"a","address":"b"}', 'address'],
		['POST', '/api/v1/applications', '{"household_id":1,"household_id":2,"programme":"dibao"}', 'household_id'],
		['POST', '/api/v1/applications', '{"household_id":1,"programme":"dibao","commitment":true,"commitment":false}', 'commitment'],
		['POST', '/api/v1/applications/1/actions', '{"action":"accept","version":1,"version":2}', 'version'],
		['POST', '/api/v1/applications/1/actions', '{"action":"approve","version":1,"stages":1,"stages":2}', 'stages'],
	];
	for (const [method, p, raw, field] of cases) {
		test(`${method} ${p} refuses a repeated ${field}`, async () => {
			const r = await call(base, method, p, { raw, cookie: admin.cookie, csrf: admin.csrf });
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.code, 'DUPLICATE_KEY');
			assert.equal(r.body.error.field, field);
		});
	}
});
