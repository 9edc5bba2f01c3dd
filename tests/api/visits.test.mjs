// tests/api/visits.test.mjs - visits, care agreements and the centralised-
// support register (issue 8): the due and overdue lists per village (scope,
// intervals from the policy), recording a visit (bad input named by field),
// photos (size and type checked, stored 0600 outside the web root, read back
// only in scope), follow-ups, care agreements (unable → needs replacement
// at once and on the right township's workbench only, replacement linked,
// expiry warnings) and the centralised-support register. Decisions are
// inserted as casework writes them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp, dataDir, today;
const who = {};
const hh = {};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

const shift = (d, days) => new Date(Date.parse(d + 'T00:00:00Z') + days * 86400000).toISOString().slice(0, 10);

function importHouseholds(target) {
	// household, village, ID (17 digits), name, relation
	const rows = [
		['VT-1', '500154001001', '50015419500101021', '特一', 'head'], // tekun, township 1
		['VT-2', '500154002001', '50015419500101022', '特二', 'head'], // tekun, township 2
		['VE-1', '500154001001', '50015419400101023', '老一', 'head'], // dibao, alone, 80+
		['VD-1', '500154001002', '50015419800101024', '青一', 'head'], // dibao, two members, not due
		['VD-1', '500154001002', '50015420100101025', '青二', 'child'],
	];
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		rows.map((r) => [r[0], r[1], 'rural', idnum(r[2]), r[3], r[4], 'none', '100.00'].join(',')).join('\r\n') +
		'\r\n';
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	for (const line of sql(
		target,
		"SELECT h.household_no || '=' || h.id || '=' || p.id || '=' || h.region_code || '=' || m.relation FROM households h " +
			'JOIN memberships m ON m.household_id = h.id JOIN persons p ON p.id = m.person_id ' +
			"WHERE h.household_no LIKE 'V%' AND m.relation = 'head'",
	).split('\n')) {
		const [no, id, person, region] = line.split('=');
		hh[no] = { id: Number(id), person: Number(person), region };
	}
}

function decide(h, programme, from) {
	const now = new Date().toISOString();
	const det = programme === 'tekun' ? 'tekun' : 'dibao';
	sql(
		db.target,
		`INSERT INTO decisions (household_id, person_id, region_code, programme, determination, monthly_benefit,
		 effective_from, assessed_on, result, trace, params, created_at) VALUES (${h.id}, ${h.person}, '${h.region}',
		 '${programme}', '${det}', 50000, '${from}', '${from}', '{}', '{}', '{}', '${now}')`,
	);
	const d = Number(sql(db.target, 'SELECT max(id) FROM decisions'));
	sql(
		db.target,
		`INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, component, category,
		 amount, created_at) VALUES (${d}, ${h.id}, ${h.person}, '${h.region}', '${programme}',
		 '${programme === 'tekun' ? 'tekun_basic' : 'household'}', '${programme === 'tekun' ? 'tekun' : 'dibao_rural'}',
		 50000, '${now}')`,
	);
}

async function makeUser(username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return login(base, username, PW);
}

const get = (as, p) => call(base, 'GET', p, { cookie: as.cookie });
const post = (as, p, body) => call(base, 'POST', p, { body, cookie: as.cookie, csrf: as.csrf });
const postRaw = (as, p, raw) => call(base, 'POST', p, { raw, cookie: as.cookie, csrf: as.csrf });

const visit = (person, over = {}) => ({
	person_id: person,
	health: 'fair',
	housing_safe: true,
	fire_safe: true,
	hygiene_ok: false,
	needs: '需要冬季取暖物资',
	result: 'attention',
	...over,
});

const agreement = (over = {}) => ({
	caregiver_name: '王照料',
	caregiver_phone: '13812345678',
	caregiver_relation: 'neighbour',
	term_start: shift(today, -30),
	term_end: shift(today, 335),
	duties: '每日送餐、打扫卫生、陪同就医',
	care_level: 'partial',
	...over,
});

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-visits-'));
	dataDir = path.join(tmp, 'data');
	db = freshDb('visits');
	init(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000', '--data-dir', dataDir]);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('vi_county', 'county', '500154');
	who.town1 = await makeUser('vi_town1', 'township', '500154001');
	who.town2 = await makeUser('vi_town2', 'township', '500154002');
	who.village = await makeUser('vi_village', 'village', '500154001001');
	who.finance = await makeUser('vi_finance', 'finance', '500154');
	today = (await get(who.county, '/api/v1/workbench')).body.today;
	importHouseholds(db.target);
	decide(hh['VT-1'], 'tekun', shift(today, -60));
	decide(hh['VT-2'], 'tekun', shift(today, -60));
	decide(hh['VE-1'], 'dibao', shift(today, -10));
	decide(hh['VD-1'], 'dibao', shift(today, -60));
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

describe('due and overdue visits', () => {
	test('needs a session', async () => {
		assert.equal((await call(base, 'GET', '/api/v1/visits')).status, 401);
	});

	test('township 1 sees its dispersed tekun person and the elderly person living alone, per village', async () => {
		const r = await get(who.town1, '/api/v1/visits?status=all');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const ids = r.body.items.map((i) => i.person_id);
		assert.deepEqual(ids.sort(), [hh['VT-1'].person, hh['VE-1'].person].sort());
		const t = r.body.items.find((i) => i.person_id === hh['VT-1'].person);
		assert.deepEqual(t.groups, ['tekun_dispersed']);
		assert.equal(t.interval_days, 30);
		assert.equal(t.last_visit, null);
		assert.equal(t.next_due, shift(today, -60), 'never visited: due from the decision start');
		assert.equal(t.overdue, true);
		assert.equal(t.days_overdue, 60);
		assert.match(t.id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
		const e = r.body.items.find((i) => i.person_id === hh['VE-1'].person);
		assert.deepEqual(e.groups, ['elderly_alone']);
		assert.deepEqual(r.body.villages, [{ region: '500154001001', region_name: r.body.villages[0].region_name, due: 2, overdue: 2 }]);
	});

	test('township 2 sees only its own; a region outside the scope shows nothing', async () => {
		const r = await get(who.town2, '/api/v1/visits?status=overdue');
		assert.deepEqual(
			r.body.items.map((i) => i.person_id),
			[hh['VT-2'].person],
		);
		const o = await get(who.town2, '/api/v1/visits?region=500154001');
		assert.equal(o.status, 200);
		assert.equal(o.body.total, 0);
	});

	test('a province-wide user names a county (the population is computed per request)', async () => {
		const r = await get(who.admin, '/api/v1/visits');
		assert.equal(r.status, 400);
		assert.equal(r.body.error.code, 'REGION_REQUIRED');
		assert.equal(r.body.error.field, 'region');
		const c = await get(who.admin, '/api/v1/visits?status=all&region=500154');
		assert.equal(c.status, 200);
		assert.equal(c.body.total, 3);
		const w = await get(who.admin, '/api/v1/workbench');
		assert.equal(w.body.visits, null);
		assert.equal(typeof w.body.care.needs_replacement, 'number');
	});

	test('bad filters are named', async () => {
		const r = await get(who.town1, '/api/v1/visits?status=late');
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'status');
	});
});

describe('recording a visit', () => {
	test('a visit is recorded, audited, and the person is no longer overdue', async () => {
		const r = await post(who.village, '/api/v1/visits', visit(hh['VT-1'].person));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.visited_on, today);
		assert.equal(r.body.health, 'fair');
		assert.equal(r.body.hygiene_ok, false);
		assert.equal(r.body.region, '500154001001');
		assert.equal(r.body.household_id, hh['VT-1'].id);
		assert.equal(r.body.photo, false);
		who.visitId = r.body.id;
		const l = await get(who.town1, '/api/v1/visits?status=overdue');
		assert.deepEqual(
			l.body.items.map((i) => i.person_id),
			[hh['VE-1'].person],
		);
		const all = await get(who.town1, '/api/v1/visits?status=all');
		const t = all.body.items.find((i) => i.person_id === hh['VT-1'].person);
		assert.equal(t.last_visit, today);
		assert.equal(t.next_due, shift(today, 30));
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'visit.record' AND entity_id = '${r.body.id}'`),
			'1',
		);
	});

	test('bad input is rejected naming the field', async () => {
		const cases = [
			[{ health: undefined }, 'health'],
			[{ health: 'great' }, 'health'],
			[{ housing_safe: 'yes' }, 'housing_safe'],
			[{ fire_safe: undefined }, 'fire_safe'],
			[{ result: 'fine' }, 'result'],
			[{ visited_on: shift(today, 1) }, 'visited_on'],
			[{ visited_on: '2024-02-30' }, 'visited_on'],
			[{ follow_up: true }, 'follow_up_due'],
			[{ person_id: undefined }, 'person_id'],
		];
		for (const [over, field] of cases) {
			const r = await post(who.village, '/api/v1/visits', visit(hh['VT-1'].person, over));
			assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(r.body));
		}
	});

	test('a person outside the scope, and roles that may not record, are refused', async () => {
		const r = await post(who.town2, '/api/v1/visits', visit(hh['VT-1'].person));
		assert.equal(r.status, 404);
		assert.equal(r.body.error.field, 'person_id');
		const f = await post(who.finance, '/api/v1/visits', visit(hh['VT-1'].person));
		assert.equal(f.status, 403);
		const c = await call(base, 'POST', '/api/v1/visits', { body: visit(hh['VT-1'].person), cookie: who.village.cookie });
		assert.equal(c.status, 403);
		assert.equal(c.body.error.code, 'CSRF');
	});

	test('a follow-up is listed while open and closed with a note', async () => {
		const r = await post(
			who.town1,
			'/api/v1/visits',
			visit(hh['VE-1'].person, { follow_up: true, follow_up_due: shift(today, 3), result: 'urgent' }),
		);
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const open = await get(who.town1, '/api/v1/visits/records?follow_up_open=1');
		assert.deepEqual(
			open.body.items.map((v) => v.id),
			[r.body.id],
		);
		const bad = await post(who.town1, `/api/v1/visits/${r.body.id}/follow-up-done`, { version: r.body.version });
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.field, 'note');
		const stale = await post(who.town1, `/api/v1/visits/${r.body.id}/follow-up-done`, { version: 99, note: '已送达' });
		assert.equal(stale.status, 409);
		const ok = await post(who.town1, `/api/v1/visits/${r.body.id}/follow-up-done`, {
			version: r.body.version,
			note: '已送达取暖器',
		});
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		const again = await get(who.town1, '/api/v1/visits/records?follow_up_open=1');
		assert.equal(again.body.total, 0);
	});

	test('one visit is read in scope only', async () => {
		assert.equal((await get(who.town1, `/api/v1/visits/${who.visitId}`)).status, 200);
		assert.equal((await get(who.town2, `/api/v1/visits/${who.visitId}`)).status, 404);
	});
});

describe('visit photos', () => {
	const png = Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		Buffer.alloc(200, 7),
	]);

	test('a file that is not JPEG or PNG is refused', async () => {
		const r = await postRaw(who.village, `/api/v1/visits/${who.visitId}/photo`, Buffer.from('GIF89a not a photo'));
		assert.equal(r.status, 400);
		assert.equal(r.body.error.code, 'PHOTO_TYPE');
		assert.equal(r.body.error.field, 'photo');
	});

	test('a photo over 2 MiB is refused with a clear message', async () => {
		const big = Buffer.alloc(2 * 1024 * 1024 + 1, 0);
		big[0] = 0xff;
		big[1] = 0xd8;
		big[2] = 0xff;
		const r = await postRaw(who.village, `/api/v1/visits/${who.visitId}/photo`, big);
		assert.equal(r.status, 400, JSON.stringify(r.body));
		assert.equal(r.body.error.code, 'PHOTO_TOO_LARGE');
		assert.match(r.body.error.message, /2 MiB/);
	});

	test('a PNG is stored 0600 under the data directory and read back only in scope', async () => {
		const r = await postRaw(who.village, `/api/v1/visits/${who.visitId}/photo`, png);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.photo_type, 'image/png');
		const files = readdirSync(path.join(dataDir, 'visit-photos'));
		assert.equal(files.length, 1);
		assert.match(files[0], /^[0-9a-f]{32}\.png$/);
		assert.equal(statSync(path.join(dataDir, 'visit-photos', files[0])).mode & 0o777, 0o600);
		const res = await fetch(`${base}/api/v1/visits/${who.visitId}/photo`, { headers: { cookie: who.town1.cookie } });
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), 'image/png');
		assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
		assert.equal((await get(who.town2, `/api/v1/visits/${who.visitId}/photo`)).status, 404);
		assert.equal((await call(base, 'GET', `/api/v1/visits/${who.visitId}/photo`)).status, 401);
		const stat = await fetch(`${base}/visit-photos/${files[0]}`);
		const body = Buffer.from(await stat.arrayBuffer());
		assert.notDeepEqual(body, png, 'never served from the web root');
		assert.equal((await get(who.town1, `/api/v1/visits/${who.visitId}`)).body.photo, true);
	});

	test('another role or township cannot upload', async () => {
		assert.equal((await postRaw(who.town2, `/api/v1/visits/${who.visitId}/photo`, png)).status, 404);
		assert.equal((await postRaw(who.finance, `/api/v1/visits/${who.visitId}/photo`, png)).status, 403);
	});
});

describe('care agreements', () => {
	test('a tekun person gets an agreement; the caregiver phone is masked; one current agreement', async () => {
		const r = await post(who.village, '/api/v1/care-agreements', agreement({ person_id: hh['VT-1'].person }));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.state, 'active');
		assert.equal(r.body.caregiver_phone, '138****5678');
		assert.equal(r.body.expiring, false);
		who.care1 = r.body;
		const again = await post(who.village, '/api/v1/care-agreements', agreement({ person_id: hh['VT-1'].person }));
		assert.equal(again.status, 422);
		assert.equal(again.body.error.code, 'AGREEMENT_EXISTS');
		const notTekun = await post(who.town1, '/api/v1/care-agreements', agreement({ person_id: hh['VE-1'].person }));
		assert.equal(notTekun.status, 422);
		assert.equal(notTekun.body.error.code, 'NOT_TEKUN');
	});

	test('bad input is named', async () => {
		for (const [over, field] of [
			[{ care_level: 'half' }, 'care_level'],
			[{ caregiver_name: ' ' }, 'caregiver_name'],
			[{ caregiver_phone: 'abc' }, 'caregiver_phone'],
			[{ term_end: shift(today, -100) }, 'term_end'],
			[{ caregiver_relation: 'friend' }, 'caregiver_relation'],
		]) {
			const r = await post(who.town2, '/api/v1/care-agreements', agreement({ person_id: hh['VT-2'].person, ...over }));
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field);
		}
	});

	test('a caregiver marked unable needs replacement the same day, on township 1 workbench only', async () => {
		const r = await post(who.village, `/api/v1/care-agreements/${who.care1.id}/unable`, {
			version: who.care1.version,
			reason: '照料人住院治疗',
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'needs_replacement');
		assert.equal(r.body.unable_since, today);
		const l = await get(who.town1, '/api/v1/care-agreements?state=needs_replacement');
		assert.deepEqual(
			l.body.items.map((a) => a.id),
			[who.care1.id],
		);
		const w1 = await get(who.town1, '/api/v1/workbench');
		assert.equal(w1.body.care.needs_replacement, 1);
		assert.deepEqual(
			w1.body.care.items.map((a) => a.id),
			[who.care1.id],
		);
		assert.equal(w1.body.visits.overdue, 0);
		const w2 = await get(who.town2, '/api/v1/workbench');
		assert.equal(w2.body.care.needs_replacement, 0);
		assert.deepEqual(w2.body.care.items, []);
		assert.equal(w2.body.visits.overdue, 1, 'township 2 has its tekun person overdue');
		assert.equal((await get(who.town2, `/api/v1/care-agreements/${who.care1.id}`)).status, 404);
		who.care1 = r.body;
	});

	test('a replacement ends the old agreement and links both', async () => {
		const stale = await post(who.town1, `/api/v1/care-agreements/${who.care1.id}/replace`, {
			...agreement({ caregiver_name: '李新' }),
			version: 1,
		});
		assert.equal(stale.status, 409);
		const r = await post(who.town1, `/api/v1/care-agreements/${who.care1.id}/replace`, {
			...agreement({ caregiver_name: '李新', caregiver_relation: 'relative', term_start: today }),
			version: who.care1.version,
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.state, 'active');
		assert.equal(r.body.replaces, who.care1.id);
		const old = await get(who.town1, `/api/v1/care-agreements/${who.care1.id}`);
		assert.equal(old.body.state, 'ended');
		assert.equal(old.body.replaced_by, r.body.id);
		assert.equal(old.body.ended_on, today);
		const w1 = await get(who.town1, '/api/v1/workbench');
		assert.equal(w1.body.care.needs_replacement, 0);
		const again = await post(who.town1, `/api/v1/care-agreements/${who.care1.id}/replace`, {
			...agreement(),
			version: old.body.version,
		});
		assert.equal(again.status, 422);
	});

	test('an agreement ending within the warning days is expiring', async () => {
		const r = await post(
			who.town2,
			'/api/v1/care-agreements',
			agreement({ person_id: hh['VT-2'].person, term_end: shift(today, 10) }),
		);
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.expiring, true);
		assert.equal(r.body.days_left, 10);
		const l = await get(who.county, '/api/v1/care-agreements?state=expiring');
		assert.deepEqual(
			l.body.items.map((a) => a.id),
			[r.body.id],
		);
		assert.equal((await get(who.town2, '/api/v1/workbench')).body.care.expiring, 1);
		assert.equal((await get(who.town1, '/api/v1/workbench')).body.care.expiring, 0);
	});
});

describe('centralised support register', () => {
	test('a wish is registered, placed, and the person is no longer a dispersed visit', async () => {
		const r = await post(who.town2, '/api/v1/centralised-support', {
			person_id: hh['VT-2'].person,
			reason: '年老体弱，本人申请入住敬老院',
		});
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.state, 'requested');
		const dup = await post(who.town2, '/api/v1/centralised-support', {
			person_id: hh['VT-2'].person,
			reason: '再次登记',
		});
		assert.equal(dup.status, 422);
		const noInst = await post(who.town2, `/api/v1/centralised-support/${r.body.id}/close`, {
			version: r.body.version,
			outcome: 'placed',
		});
		assert.equal(noInst.status, 400);
		assert.equal(noInst.body.error.field, 'institution');
		const l = await get(who.town2, '/api/v1/centralised-support?state=requested');
		assert.equal(l.body.total, 1);
		assert.equal((await get(who.town1, '/api/v1/centralised-support')).body.total, 0);
		const c = await post(who.town2, `/api/v1/centralised-support/${r.body.id}/close`, {
			version: r.body.version,
			outcome: 'placed',
			institution: '某镇敬老院',
		});
		assert.equal(c.status, 200, JSON.stringify(c.body));
		assert.equal(c.body.state, 'placed');
		const due = await get(who.town2, '/api/v1/visits?status=all');
		assert.equal(due.body.total, 0);
	});

	test('the audit chain is intact', () => {
		assert.ok(auditIntact(db.target));
	});
});
