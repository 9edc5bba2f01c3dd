// tests/api/households.test.mjs - the registry API and the audit trail as
// staff use them: create, 400/403/409, list and search, masked and revealed
// ID numbers, region isolation, optimistic locking, against a real `doudi serve`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, admin, county, townA, townB, village, finance, auditor;

// A valid ID number (GB 11643 check character) from 17 digits.
function idnum(digits17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(digits17[i]) * w[i];
	return digits17 + '10X98765432'[s % 11];
}
const mask = (id) => id.slice(0, 6) + '********' + id.slice(14);

const HEAD = idnum('50015419800101001');
const SPOUSE = idnum('50015419820304002');
const CHILD = idnum('50015420100505003');
const OTHER_HEAD = idnum('50015419700707004');

function household(no, members, extra = {}) {
	return {
		household_no: no,
		region: '500154001001',
		area: 'rural',
		date: '2024-06-01',
		members,
		assets: { financial: '20000.00', vehicles: 1, extra_houses: 0 },
		expenses: [{ type: 'medical', amount: '12000.00', period: 'year' }],
		...extra,
	};
}
const member = (id, name, relation, extra = {}) => ({ id, name, relation, ...extra });

async function post(who, body) {
	return call(base, 'POST', '/api/v1/households', { body, cookie: who.cookie, csrf: who.csrf });
}
async function get(who, p) {
	return call(base, 'GET', p, { cookie: who.cookie });
}

before(async () => {
	db = freshDb('households');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	admin = await login(base, 'admin', ADMIN_PASSWORD);
	const users = [
		['kz_county', 'county', '500154'],
		['kz_town_a', 'township', '500154001'],
		['kz_town_b', 'township', '500154002'],
		['kz_village', 'village', '500154001001'],
		['kz_finance', 'finance', '500154'],
		['kz_auditor', 'auditor', '500154'],
	];
	for (const [username, role, region] of users) {
		const r = await call(base, 'POST', '/api/v1/users', {
			body: { username, password: PW, role, region, name: '测试' },
			cookie: admin.cookie,
			csrf: admin.csrf,
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
	}
	[county, townA, townB, village, finance, auditor] = await Promise.all(users.map(([u]) => login(base, u, PW)));
});

after(async () => {
	const { code } = await srv.stop();
	try {
		assert.equal(code, 0, 'clean exit');
		// no ID number in the log or in the audit trail
		for (const id of [HEAD, SPOUSE, CHILD, OTHER_HEAD]) {
			assert.ok(!srv.log().includes(id), 'ID number in the log');
			assert.equal(sql(db.target, `SELECT count(*) FROM audit_log WHERE detail LIKE '%${id.slice(6, 14)}%'`), '0');
		}
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
	}
});

let created; // the household of the first test

describe('create', () => {
	test('201 with id, version and the household, ID numbers masked, audited', async () => {
		const body = household('KZ-A-0001', [
			member(HEAD, '张大山', 'head', { incomes: [{ type: 'wage', amount: '1500.00' }], financial_assets: '300.50' }),
			member(SPOUSE, '李小花', 'spouse', { disability_grade: 2, disability_kind: 'physical' }),
			member(CHILD, '张小明', 'child', { in_school: true }),
		], { address: '开州区汉丰街道1号' });
		const r = await post(village, body);
		assert.equal(r.status, 201, JSON.stringify(r.body));
		created = r.body;
		assert.ok(Number.isInteger(r.body.id) && r.body.id > 0);
		assert.equal(r.body.version, 1);
		assert.equal(r.body.household_no, 'KZ-A-0001');
		assert.equal(r.body.region, '500154001001');
		assert.equal(r.body.address, '开州区汉丰街道1号');
		assert.deepEqual(r.body.members.map((m) => m.id), [mask(HEAD), mask(SPOUSE), mask(CHILD)]);
		assert.deepEqual(r.body.members.map((m) => m.relation), ['head', 'spouse', 'child']);
		assert.equal(r.body.members[0].birth_date, undefined, 'no birth date beside a masked number');
		assert.deepEqual(r.body.members[0].incomes, [{ type: 'wage', amount: '1500.00', period: 'month', imputed: false }]);
		assert.equal(r.body.members[0].financial_assets, '300.50');
		assert.equal(r.body.members[1].disability_grade, 2);
		assert.equal(r.body.members[1].disability_kind, 'physical');
		assert.equal(r.body.members[2].in_school, true);
		assert.deepEqual(r.body.assets, { financial: '20000.00', vehicles: 1, extra_houses: 0 });
		assert.deepEqual(r.body.expenses, [{ type: 'medical', amount: '12000.00', period: 'year' }]);
		assert.ok(!JSON.stringify(r.body).includes(HEAD));
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'household.create' AND entity = 'household' AND entity_id = '${r.body.id}' AND actor = 'kz_village' AND region_code = '500154001001'`),
			'1',
		);
	});

	test('the stored household assesses as it was sent (date added back)', async () => {
		const r = await get(townA, `/api/v1/households/${created.id}?reveal=1`);
		assert.equal(r.status, 200);
		const h = { ...r.body, date: '2024-06-01' };
		const a = await call(base, 'POST', '/api/v1/assess', { body: h, cookie: townA.cookie });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.equal(a.body.household_size, 3);
	});

	test('400 names the field at fault', async () => {
		const badId = HEAD.slice(0, 17) + (HEAD[17] === '0' ? '1' : '0');
		const cases = [
			[household('KZ-A-0100', [member(badId, '王五', 'head')]), 'members[0].id'],
			[household('KZ-A-0101', [member(OTHER_HEAD, '王五', 'head', { incomes: [{ type: 'wage', amount: '1.234' }] })]), 'members[0].incomes[0].amount'],
			[household('KZ-A-0102', [member(OTHER_HEAD, '王五', 'head', { relation: 'cousin' })]), 'members[0].relation'],
			[{ ...household('KZ-A-0103', [member(OTHER_HEAD, '王五', 'head')]), household_no: undefined }, 'household_no'],
			[household('KZ-A-0104', [member(OTHER_HEAD, '王五', 'head'), member(OTHER_HEAD, '王六', 'child')]), 'members[1].id'],
			[household('KZ-A-0105', [member(OTHER_HEAD, '王五', 'spouse')]), 'members'],
			[household('KZ-A-0106', [member(OTHER_HEAD, '', 'head')]), 'members[0].name'],
			[household('KZ-A-0107', [member(OTHER_HEAD, '王五', 'head')], { address: '1号\n2号' }), 'address'],
			[{ ...household('KZ-A-0108', [member(OTHER_HEAD, '王五', 'head')]), region: '5001x4' }, 'region'],
		];
		for (const [body, field] of cases) {
			const r = await post(village, body);
			assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(r.body));
			assert.ok(r.body.error.message.length > 0);
		}
		const raw = await call(base, 'POST', '/api/v1/households', { raw: '{"household_no":', cookie: village.cookie, csrf: village.csrf });
		assert.equal(raw.status, 400);
		assert.equal(raw.body.error.field, '$');
		assert.equal(sql(db.target, "SELECT count(*) FROM households WHERE household_no LIKE 'KZ-A-01%'"), '0');
	});

	test('409 when a member is already in another active household, naming the member', async () => {
		const r = await post(townA, household('KZ-A-0002', [member(OTHER_HEAD, '赵四', 'head'), member(SPOUSE, '李小花', 'spouse')]));
		assert.equal(r.status, 409, JSON.stringify(r.body));
		assert.equal(r.body.error.code, 'PERSON_IN_OTHER_HOUSEHOLD');
		assert.equal(r.body.error.field, 'members[1].id');
		assert.ok(!JSON.stringify(r.body).includes(SPOUSE));
		// nothing of it was stored
		assert.equal(sql(db.target, "SELECT count(*) FROM households WHERE household_no = 'KZ-A-0002'"), '0');
		assert.equal(sql(db.target, `SELECT count(*) FROM persons WHERE id_number = '${OTHER_HEAD}'`), '0');
	});

	test('409 for a household number already used in the region', async () => {
		const r = await post(townA, household('KZ-A-0001', [member(OTHER_HEAD, '赵四', 'head')]));
		assert.equal(r.status, 409);
		assert.equal(r.body.error.code, 'HOUSEHOLD_NO_TAKEN');
		assert.equal(r.body.error.field, 'household_no');
	});

	test('403 outside the caller\'s region or for a role that does not register', async () => {
		const out = await post(townB, household('KZ-B-0001', [member(OTHER_HEAD, '赵四', 'head')]));
		assert.equal(out.status, 403);
		assert.equal(out.body.error.code, 'REGION_OUT_OF_SCOPE');
		assert.equal(out.body.error.field, 'region');
		for (const who of [finance, auditor, admin]) {
			const r = await post(who, household('KZ-A-0003', [member(OTHER_HEAD, '赵四', 'head')]));
			assert.equal(r.status, 403, JSON.stringify(r.body));
		}
	});

	test('a change needs the CSRF token', async () => {
		const r = await call(base, 'POST', '/api/v1/households', {
			body: household('KZ-A-0004', [member(OTHER_HEAD, '赵四', 'head')]),
			cookie: townA.cookie,
		});
		assert.equal(r.status, 403);
		assert.equal(r.body.error.code, 'CSRF');
	});

	test('a township creates in its villages; a county anywhere in the county', async () => {
		const a = await post(townA, household('KZ-A-0005', [member(OTHER_HEAD, '赵四', 'head')]));
		assert.equal(a.status, 201, JSON.stringify(a.body));
		const b = await post(county, { ...household('KZ-B-0005', [member(idnum('50015419900909005'), '钱七', 'head')]), region: '500154002003' });
		assert.equal(b.status, 201, JSON.stringify(b.body));
	});
});

describe('list and search', () => {
	test('the caller\'s region, masked ID numbers, total', async () => {
		const r = await get(townA, '/api/v1/households');
		assert.equal(r.status, 200);
		assert.equal(r.body.total, 2);
		assert.deepEqual(r.body.items.map((h) => h.household_no), ['KZ-A-0001', 'KZ-A-0005']);
		const first = r.body.items[0];
		assert.equal(first.id, created.id);
		assert.equal(first.version, 1);
		assert.deepEqual(first.members.map((m) => m.id), [mask(HEAD), mask(SPOUSE), mask(CHILD)]);
		for (const m of first.members) assert.match(m.id, /^\d{6}\*{8}\d{3}[\dX]$/);
		assert.ok(!JSON.stringify(r.body).includes(HEAD));
		const c = await get(county, '/api/v1/households');
		assert.equal(c.body.total, 3);
	});

	test('search by name (prefix), by whole ID number and by its last digits', async () => {
		const byName = await get(townA, `/api/v1/households?q=${encodeURIComponent('张')}`);
		assert.deepEqual(byName.body.items.map((h) => h.id), [created.id]);
		const byFull = await get(townA, `/api/v1/households?q=${encodeURIComponent('李小花')}`);
		assert.deepEqual(byFull.body.items.map((h) => h.id), [created.id]);
		const none = await get(townA, `/api/v1/households?q=${encodeURIComponent('小花')}`);
		assert.equal(none.body.total, 0, 'names match by their beginning');
		const byId = await get(townA, `/api/v1/households?q=${CHILD}`);
		assert.deepEqual(byId.body.items.map((h) => h.id), [created.id]);
		assert.equal(byId.body.total, 1);
		const lower = await get(townA, `/api/v1/households?q=${CHILD.toLowerCase()}`);
		assert.equal(lower.body.total, 1);
		const byTail = await get(townA, `/api/v1/households?q=${SPOUSE.slice(12)}`);
		assert.deepEqual(byTail.body.items.map((h) => h.id), [created.id]);
		const bad = await get(townA, '/api/v1/households?q=12345678');
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'q');
		// the last digits need a county or smaller: admin's whole country is too wide
		const wide = await get(admin, `/api/v1/households?q=${SPOUSE.slice(14)}`);
		assert.equal(wide.status, 400);
		const narrowed = await get(admin, `/api/v1/households?q=${SPOUSE.slice(14)}&region=500154`);
		assert.equal(narrowed.status, 200);
		assert.equal(narrowed.body.total, 1);
	});

	test('pages and their limits', async () => {
		const p1 = await get(county, '/api/v1/households?per_page=2&page=1');
		const p2 = await get(county, '/api/v1/households?per_page=2&page=2');
		assert.equal(p1.body.items.length, 2);
		assert.equal(p2.body.items.length, 1);
		assert.equal(p2.body.total, 3);
		const over = await get(county, '/api/v1/households?per_page=501');
		assert.equal(over.status, 400);
		assert.equal(over.body.error.field, 'per_page');
		const twice = await get(county, '/api/v1/households?page=1&page=2');
		assert.equal(twice.status, 400);
		assert.equal(twice.body.error.field, 'page');
	});

	test('region isolation: another township sees nothing of it', async () => {
		const list = await get(townB, `/api/v1/households?q=${encodeURIComponent('张大山')}`);
		assert.equal(list.status, 200);
		assert.equal(list.body.total, 0);
		assert.deepEqual(list.body.items, []);
		const byId = await get(townB, `/api/v1/households?q=${HEAD}`);
		assert.equal(byId.body.total, 0);
		const asked = await get(townB, '/api/v1/households?region=500154001');
		assert.equal(asked.status, 200);
		assert.deepEqual(asked.body.items, [], 'a region outside the scope lists nothing');
		const all = await get(townB, '/api/v1/households');
		assert.deepEqual(all.body.items.map((h) => h.household_no), ['KZ-B-0005']);
		const detail = await get(townB, `/api/v1/households/${created.id}`);
		const missing = await get(townB, '/api/v1/households/987654321');
		assert.equal(detail.status, 404);
		assert.deepEqual(detail.body, missing.body, 'outside the region looks exactly like a missing id');
		const reveal = await get(townB, `/api/v1/households/${created.id}?reveal=1`);
		assert.equal(reveal.status, 404);
	});
});

describe('detail and reveal', () => {
	test('detail: masked, with version', async () => {
		const r = await get(finance, `/api/v1/households/${created.id}`);
		assert.equal(r.status, 200);
		assert.equal(r.body.version, 1);
		assert.equal(r.body.members[0].id, mask(HEAD));
		assert.ok(!JSON.stringify(r.body).includes(HEAD));
	});

	test('reveal shows the numbers and is audited; the audit endpoint shows it', async () => {
		const before = Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'household.reveal'"));
		const r = await get(townA, `/api/v1/households/${created.id}?reveal=1`);
		assert.equal(r.status, 200);
		assert.deepEqual(r.body.members.map((m) => m.id), [HEAD, SPOUSE, CHILD]);
		assert.equal(r.body.members[0].birth_date, '1980-01-01');
		assert.equal(r.body.members[0].sex, 'male');
		assert.equal(Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'household.reveal'")), before + 1);
		const trail = await get(auditor, `/api/v1/audit?entity=household&id=${created.id}`);
		assert.equal(trail.status, 200, JSON.stringify(trail.body));
		const reveal = trail.body.items.find((i) => i.action === 'household.reveal');
		assert.ok(reveal, JSON.stringify(trail.body));
		assert.equal(reveal.actor, 'kz_town_a');
		assert.equal(reveal.entity, 'household');
		assert.equal(reveal.entity_id, String(created.id));
		assert.equal(reveal.region, '500154001001');
		assert.ok(!JSON.stringify(trail.body).includes(HEAD.slice(6, 14)), 'no ID number in the trail');
		// the create, and the two reveals of this file so far
		assert.deepEqual(trail.body.items.map((i) => i.action), ['household.reveal', 'household.reveal', 'household.create']);
		assert.equal(trail.body.total, trail.body.items.length);
		// newest first
		assert.ok(trail.body.items[0].seq > trail.body.items[trail.body.items.length - 1].seq);
	});

	test('finance, city and admin may not reveal', async () => {
		for (const who of [finance, admin]) {
			const r = await get(who, `/api/v1/households/${created.id}?reveal=1`);
			assert.equal(r.status, 403);
			assert.equal(r.body.error.field, 'reveal');
		}
		const bad = await get(townA, `/api/v1/households/${created.id}?reveal=maybe`);
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'reveal');
	});
});

describe('update', () => {
	async function patch(who, id, body) {
		return call(base, 'PATCH', `/api/v1/households/${id}`, { body, cookie: who.cookie, csrf: who.csrf });
	}

	test('with the version read: changed, version + 1, audited; a stale version gets 409', async () => {
		const r = await patch(townA, created.id, { version: 1, address: '开州区汉丰街道2号' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.version, 2);
		assert.equal(r.body.address, '开州区汉丰街道2号');
		assert.equal(r.body.area, 'rural', 'a field not sent stays');
		const stale = await patch(village, created.id, { version: 1, area: 'urban' });
		assert.equal(stale.status, 409);
		assert.equal(stale.body.error.code, 'STALE_VERSION');
		const still = await get(townA, `/api/v1/households/${created.id}`);
		assert.equal(still.body.area, 'rural');
		assert.equal(still.body.version, 2);
		const row = sql(db.target, `SELECT detail FROM audit_log WHERE action = 'household.update' AND entity_id = '${created.id}'`);
		assert.deepEqual(JSON.parse(row), { version: 2, changed: ['address'] });
		// null clears
		const cleared = await patch(townA, created.id, { version: 2, address: null });
		assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
		assert.equal(cleared.body.address, null);
		assert.equal(cleared.body.version, 3);
	});

	test('400 without a version or with nothing to change, 404 outside the region, 403 for finance', async () => {
		const noVersion = await patch(townA, created.id, { address: 'x' });
		assert.equal(noVersion.status, 400);
		assert.equal(noVersion.body.error.field, 'version');
		const nothing = await patch(townA, created.id, { version: 2 });
		assert.equal(nothing.status, 400);
		const badArea = await patch(townA, created.id, { version: 2, area: 'suburban' });
		assert.equal(badArea.status, 400);
		assert.equal(badArea.body.error.field, 'area');
		const outside = await patch(townB, created.id, { version: 2, address: 'x' });
		assert.equal(outside.status, 404);
		const role = await patch(finance, created.id, { version: 2, address: 'x' });
		assert.equal(role.status, 403);
	});
});

describe('audit trail', () => {
	test('auditor and admin only', async () => {
		for (const who of [village, townA, county, finance]) {
			const r = await get(who, '/api/v1/audit');
			assert.equal(r.status, 403, JSON.stringify(r.body));
		}
		const a = await get(admin, '/api/v1/audit?per_page=5');
		assert.equal(a.status, 200);
		assert.equal(a.body.items.length, 5);
		assert.ok(a.body.total > 5);
	});

	test('an auditor sees the rows of its region only', async () => {
		const own = await get(auditor, '/api/v1/audit?per_page=500');
		assert.equal(own.status, 200);
		assert.ok(own.body.items.length > 0);
		for (const i of own.body.items) assert.match(i.region, /^500154/, JSON.stringify(i));
		// the admin's logins (region 000000) and the migrations (no region) are not among them
		assert.ok(!own.body.items.some((i) => i.action === 'auth.login' && i.actor === 'admin'));
		assert.ok(!own.body.items.some((i) => i.action === 'schema.migrate'));
		// the accounts the admin made in the county are
		assert.ok(own.body.items.some((i) => i.action === 'user.create' && i.actor === 'admin'));
		const all = await get(admin, '/api/v1/audit?entity=schema');
		assert.ok(all.body.items.some((i) => i.action === 'schema.migrate'));
		const idOnly = await get(admin, '/api/v1/audit?id=1');
		assert.equal(idOnly.status, 400);
		assert.equal(idOnly.body.error.field, 'entity');
		const over = await get(admin, '/api/v1/audit?per_page=501');
		assert.equal(over.status, 400);
		assert.equal(over.body.error.field, 'per_page');
	});

	test('filters: actor, action, a range of days (UTC), checked dates', async () => {
		const mine = await get(admin, '/api/v1/audit?actor=admin&action=user.create&per_page=500');
		assert.equal(mine.status, 200);
		assert.ok(mine.body.total > 0);
		for (const i of mine.body.items) assert.ok(i.actor === 'admin' && i.action === 'user.create', JSON.stringify(i));
		const all = await get(admin, '/api/v1/audit?per_page=1');
		assert.ok(all.body.total > mine.body.total);
		const day = all.body.items[0].at.slice(0, 10);
		const today = await get(admin, `/api/v1/audit?from=${day}&to=${day}&per_page=500`);
		assert.ok(today.body.total > 0);
		for (const i of today.body.items) assert.equal(i.at.slice(0, 10), day);
		const before = await get(admin, '/api/v1/audit?to=2000-01-01');
		assert.equal(before.status, 200);
		assert.equal(before.body.total, 0);
		const after = await get(admin, '/api/v1/audit?from=2999-01-01');
		assert.equal(after.body.total, 0);
		for (const [q, field] of [['from=2026-02-30', 'from'], ['to=yesterday', 'to'], ['from=2026-05-02&to=2026-05-01', 'to']]) {
			const r = await get(admin, `/api/v1/audit?${q}`);
			assert.equal(r.status, 400, q);
			assert.equal(r.body.error.field, field, q);
		}
	});
});
