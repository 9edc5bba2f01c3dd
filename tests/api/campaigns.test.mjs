// tests/api/campaigns.test.mjs - holiday relief campaigns and the monthly
// statistics (issue 8): a county plans a campaign from the roll in force,
// townships record visits with money and goods (scope, versions, bad input
// naming the field), the campaign's table equals sums computed straight from
// the store and downloads as an XLSX workbook; the monthly statistics are
// built by the county and read as JSON and CSV, within each role's scope.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
const T = '2026-01-01T00:00:00.000Z';
let db, srv, base, tmp;
const who = {};
let campaign;

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

// households 1..6: 1-3 dibao (two in township 001, one in 002), 4 tekun, 5 marginal, 6 dibao ended in 2022
function seed(target) {
	const hh = [
		[1, '500154001001', 'dibao', null],
		[2, '500154001002', 'dibao', null],
		[3, '500154002001', 'dibao', null],
		[4, '500154001001', 'tekun', null],
		[5, '500154002001', 'marginal', null],
		[6, '500154001001', 'dibao', '2022-12-01'],
	];
	const id = (n) => 8000 + n;
	sql(
		target,
		'INSERT INTO households (id, region_code, household_no, area, created_at, updated_at) VALUES ' +
			hh.map(([n, r]) => `(${id(n)}, '${r}', 'CP-${n}', 'rural', '${T}', '${T}')`).join(', '),
	);
	sql(
		target,
		'INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, created_at, updated_at) VALUES ' +
			hh.map(([n, r]) => `(${id(n)}, 'CP${n}', '慰问对象${n}', '1950-01-01', 'male', '${r}', '${T}', '${T}')`).join(', '),
	);
	sql(
		target,
		'INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at) VALUES ' +
			hh.map(([n, r]) => `(${id(n)}, ${id(n)}, ${id(n)}, '${r}', 'head', '2020-01-01', '${T}')`).join(', '),
	);
	sql(
		target,
		'INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit, effective_from, ' +
			'effective_to, assessed_on, result, trace, params, created_at) VALUES ' +
			hh
				.map(
					([n, r, det, to]) =>
						`(${id(n)}, ${id(n)}, '${r}', '${det === 'tekun' ? 'tekun' : 'dibao'}', '${det}', 30000, '2020-01-01', ` +
						`${to ? `'${to}'` : 'NULL'}, '2019-12-01', '{}', '[]', '{}', '${T}')`,
				)
				.join(', '),
	);
	sql(
		target,
		'INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, component, category, ' +
			`amount, created_at) VALUES (${id(4)}, ${id(4)}, ${id(4)}, '500154001001', 'tekun', 'tekun_basic', 'tekun', 100100, '${T}')`,
	);
	return id;
}
let pid;

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-campaigns-'));
	db = freshDb('campaigns');
	init(db.target);
	pid = seed(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('cp_county', 'county', '500154');
	who.other = await makeUser('cp_other', 'county', '500101');
	who.town1 = await makeUser('cp_town1', 'township', '500154001');
	who.town2 = await makeUser('cp_town2', 'township', '500154002');
	who.village = await makeUser('cp_village', 'village', '500154001001');
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

const NEW = {
	region: '500154',
	name: '2023年元旦春节走访慰问',
	starts_on: '2022-12-20',
	ends_on: '2023-02-05',
	report_dates: ['2023-01-15', '2023-02-10'],
	categories: ['dibao', 'tekun'],
};

describe('campaigns', () => {
	test('only the county creates; bad input names the field', async () => {
		assert.equal((await post(who.town1, '/api/v1/campaigns', NEW)).status, 403);
		assert.equal((await post(who.other, '/api/v1/campaigns', NEW)).status, 403, 'another county');
		const bad = async (patch, field) => {
			const r = await post(who.county, '/api/v1/campaigns', { ...NEW, ...patch });
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field, JSON.stringify(r.body));
		};
		await bad({ ends_on: '2022-12-01' }, 'ends_on');
		await bad({ starts_on: '2022-02-30' }, 'starts_on');
		await bad({ categories: ['dibao', 'nobody'] }, 'categories');
		await bad({ categories: 'dibao' }, 'categories');
		await bad({ report_dates: [] }, 'report_dates');
		const noCsrf = await call(base, 'POST', '/api/v1/campaigns', { body: NEW, cookie: who.county.cookie });
		assert.equal(noCsrf.status, 403);
		const r = await post(who.county, '/api/v1/campaigns', NEW);
		assert.equal(r.status, 201, JSON.stringify(r.body));
		campaign = r.body;
		assert.deepEqual(campaign.report_dates, NEW.report_dates);
		assert.equal(campaign.region_name, '开州区');
		assert.equal(campaign.recipients, 0);
	});

	test('the plan takes the roll in force on the first day, once', async () => {
		assert.equal((await post(who.town1, `/api/v1/campaigns/${campaign.id}/plan`)).status, 403);
		const r = await post(who.county, `/api/v1/campaigns/${campaign.id}/plan`);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.added, 4, 'three dibao heads and the tekun person; not the marginal or the ended one');
		const again = await post(who.county, `/api/v1/campaigns/${campaign.id}/plan`);
		assert.equal(again.body.added, 0);
		assert.equal(again.body.recipients, 4);
	});

	test('a township lists its own recipients; the other county sees nothing', async () => {
		const r = await get(who.town1, `/api/v1/campaigns/${campaign.id}/recipients`);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.total, 3);
		assert.ok(r.body.items.every((x) => x.region.startsWith('500154001')));
		assert.equal((await get(who.other, `/api/v1/campaigns/${campaign.id}`)).status, 404);
		const vis = await get(who.village, `/api/v1/campaigns/${campaign.id}/recipients`);
		assert.equal(vis.body.total, 2, 'the village 500154001001: household 1 and the tekun person');
	});

	test('visits: money and goods, versions, scope, bad input', async () => {
		const items = (await get(who.town1, `/api/v1/campaigns/${campaign.id}/recipients`)).body.items;
		const dibao1 = items.find((x) => x.person_id === pid(1));
		const tekun = items.find((x) => x.person_id === pid(4));
		const path1 = `/api/v1/campaigns/${campaign.id}/recipients`;
		let r = await post(who.town1, path1, { recipient_id: dibao1.id, version: dibao1.version, visited_on: '2023-01-10', money: '500.00', goods: '米、油', goods_value: '120.50' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'visited');
		assert.equal(r.body.money, '500.00');
		r = await post(who.town1, path1, { recipient_id: dibao1.id, version: dibao1.version, visited_on: '2023-01-11', money: '1.00' });
		assert.equal(r.status, 409, 'a stale version');
		r = await post(who.town1, path1, { recipient_id: tekun.id, version: tekun.version, visited_on: '2023-01-12', money: '12x' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'money');
		r = await post(who.town1, path1, { recipient_id: tekun.id, version: tekun.version, visited_on: '2023-03-01', money: '1.00' });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.field, 'visited_on');
		r = await post(who.town1, path1, { recipient_id: tekun.id, version: tekun.version, visited_on: '2023-01-12', goods_value: '50.00' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'goods');
		r = await post(who.town1, path1, { recipient_id: tekun.id, version: tekun.version, visited_on: '2023-01-12', goods: '棉被', goods_value: '300.00' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		// township 002's recipient is out of township 001's reach
		const other = (await get(who.town2, path1)).body.items[0];
		r = await post(who.town1, path1, { recipient_id: other.id, version: other.version, visited_on: '2023-01-12', money: '1.00' });
		assert.equal(r.status, 409);
		r = await post(who.town2, path1, { recipient_id: other.id, version: other.version, visited_on: '2023-01-13', money: '800.00' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		// a person outside the plan (the marginal head), with a category
		r = await post(who.town2, path1, { person_id: pid(5), visited_on: '2023-01-14', money: '300.00' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'category');
		r = await post(who.town2, path1, { person_id: pid(5), category: 'marginal', visited_on: '2023-01-14', money: '300.00' });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.category, 'marginal');
		r = await post(who.town1, path1, { person_id: pid(5), category: 'marginal', visited_on: '2023-01-14', money: '1.00' });
		assert.equal(r.status, 409, 'another township’s person');
	});

	test('the table equals sums straight from the store, and downloads as XLSX', async () => {
		const r = await get(who.county, `/api/v1/campaigns/${campaign.id}/table`);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		const fen = (s) => Math.round(Number(s) * 100);
		const want = sql(
			db.target,
			`SELECT category || '|' || count(*) || '|' || sum(CASE WHEN state = 'visited' THEN 1 ELSE 0 END) || '|' || sum(money) || '|' || sum(goods_value) ` +
				`FROM campaign_recipients WHERE campaign_id = ${campaign.id} GROUP BY category ORDER BY category`,
		).split('\n');
		for (const line of want) {
			const [cat, planned, visited, money, goods] = line.split('|');
			const t = r.body.total.categories[cat];
			assert.equal(t.planned, Number(planned), cat);
			assert.equal(t.visited, Number(visited), cat);
			assert.equal(fen(t.money), Number(money), cat);
			assert.equal(fen(t.goods_value), Number(goods), cat);
		}
		assert.equal(r.body.total.categories.dibao.money, '1300.00');
		assert.equal(r.body.rows.length, 2);
		const t1 = r.body.rows.find((x) => x.region === '500154001');
		assert.equal(t1.categories.dibao.planned, 2);
		assert.equal(t1.categories.tekun.goods_persons, 1);
		const town = await get(who.town2, `/api/v1/campaigns/${campaign.id}/table`);
		assert.deepEqual(
			town.body.rows.map((x) => x.region),
			['500154002'],
		);
		assert.equal((await get(who.village, `/api/v1/campaigns/${campaign.id}/table`)).status, 403);
		const res = await fetch(`${base}/api/v1/campaigns/${campaign.id}/table.xlsx`, { headers: { cookie: who.county.cookie } });
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-type'), /spreadsheetml/);
		const bytes = Buffer.from(await res.arrayBuffer());
		const f = path.join(tmp, 't.xlsx');
		writeFileSync(f, bytes);
		const py = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(z.read("xl/worksheets/sheet1.xml").decode())', f], { encoding: 'utf8' });
		assert.equal(py.status, 0, py.stderr);
		assert.match(py.stdout, /开州区2023年元旦春节走访慰问工作开展情况统计表/);
		assert.match(py.stdout, /合计/);
		assert.match(py.stdout, /<v>1300<\/v>|<v>1300\.0*<\/v>/);
	});
});

describe('monthly statistics over the API', () => {
	test('built by the county, read within scope, CSV with a BOM', async () => {
		assert.equal((await get(who.county, '/api/v1/statistics/monthly?period=2023-01')).status, 404);
		assert.equal((await post(who.town1, '/api/v1/statistics/monthly', { period: '2023-01' })).status, 403);
		let r = await post(who.county, '/api/v1/statistics/monthly', { period: '2023-13' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'period');
		r = await post(who.county, '/api/v1/statistics/monthly', { period: '2023-01' });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.region, '500154');
		r = await get(who.county, '/api/v1/statistics/monthly?period=2023-01');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.total.programmes.dibao.households, 3);
		assert.equal(r.body.total.programmes.tekun.persons, 1);
		assert.equal(r.body.total.programmes.marginal.households, 1);
		assert.equal(r.body.total.registered_persons, 6);
		assert.equal(r.body.total.covered_persons, 5);
		assert.equal(r.body.total.coverage_percent, '83.3');
		const t = await get(who.town1, '/api/v1/statistics/monthly?period=2023-01');
		assert.deepEqual(
			t.body.rows.map((x) => x.region),
			['500154001'],
		);
		assert.equal((await get(who.village, '/api/v1/statistics/monthly?period=2023-01')).status, 403);
		assert.equal((await get(who.other, '/api/v1/statistics/monthly?period=2023-01&region=500154')).status, 404);
		const res = await fetch(`${base}/api/v1/statistics/monthly.csv?period=2023-01`, { headers: { cookie: who.county.cookie } });
		assert.equal(res.status, 200);
		const buf = Buffer.from(await res.arrayBuffer());
		assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
		const lines = buf.toString('utf8').slice(1).trim().split('\r\n');
		assert.equal(lines[0].split(',')[2], '低保户数');
		assert.equal(lines.at(-1).split(',')[1], '合计');
		assert.ok(auditIntact(db.target));
	});
});
