// tests/api/verification.test.mjs - household economic verification (issue
// 9): authorisation from every adult member before anything is asked;
// requests to four sources; two answers by file (a GB18030 CSV and an XLSX
// with shared strings), one through the API, one overdue (re-sent, then
// overdue again); the consolidated report's differences; adopting it
// changes the assessment exactly as POST /api/v1/assess computes for the
// verified figures; exports; who may see it (every view audited); bad input
// naming the field; the purge after the retention period.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	ADMIN_PASSWORD,
	DOUDI,
	auditIntact,
	call,
	freshDb,
	idnum,
	init,
	login,
	makeUser as makeUserAs,
	sql,
	startServer,
} from './lib.mjs';

const PW = 'Strong-Pass-123';
let db, srv, base, tmp;
const who = {};
const st = {};

const HEAD = idnum('50015419700101031');
const SPOUSE = idnum('50015419720202042');
const CHILD = idnum('50015420180303053');
const STRANGER = idnum('50015419800404064');

const makeUser = (username, role, region) => makeUserAs(base, who.admin, username, role, region, PW);

const get = (as, p) => call(base, 'GET', p, { cookie: as.cookie });
const post = (as, p, body) => call(base, 'POST', p, { body, cookie: as.cookie, csrf: as.csrf });

// A raw body (an answer file) with the session and CSRF token.
async function upload(as, p, bytes) {
	const r = await fetch(base + p, {
		method: 'POST',
		headers: { cookie: as.cookie, 'x-csrf-token': as.csrf, 'content-type': 'application/octet-stream' },
		body: bytes,
	});
	const text = await r.text();
	let body = null;
	try {
		body = JSON.parse(text);
	} catch {
		body = text;
	}
	return { status: r.status, body };
}

async function download(as, p) {
	const r = await fetch(base + p, { headers: { cookie: as.cookie } });
	return { status: r.status, type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
}

// A GB18030 CSV through iconv (Debian's libc-bin), as a department's Excel saves it.
function gb18030(text) {
	const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
	if (r.status !== 0) throw new Error('iconv failed');
	return r.stdout;
}

// An XLSX with a shared-strings table, written by Python's zipfile (not by us).
function xlsx(rows) {
	const file = path.join(tmp, `answer-${Date.now()}.xlsx`);
	const script = `
import json, sys, zipfile
from xml.sax.saxutils import escape
rows = json.loads(sys.argv[2])
strings = []
def si(s):
    if s not in strings: strings.append(s)
    return strings.index(s)
def col(i):
    return chr(65 + i)
sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
for r, row in enumerate(rows, 1):
    sheet.append('<row r="%d">' % r)
    for c, v in enumerate(row):
        if v == '': continue
        if isinstance(v, (int, float)):
            sheet.append('<c r="%s%d"><v>%s</v></c>' % (col(c), r, v))
        else:
            sheet.append('<c r="%s%d" t="s"><v>%d</v></c>' % (col(c), r, si(v)))
    sheet.append('</row>')
sheet.append('</sheetData></worksheet>')
sst = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + ''.join('<si><t>%s</t></si>' % escape(s) for s in strings) + '</sst>'
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    z.writestr('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="回复" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    z.writestr('xl/worksheets/sheet1.xml', ''.join(sheet))
    z.writestr('xl/sharedStrings.xml', sst)
`;
	const r = spawnSync('python3', ['-c', script, file, JSON.stringify(rows)], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`xlsx failed: ${r.stderr}`);
	return readFileSync(file);
}

// The household: head with a declared wage of 800 a month, spouse, a child of 8.
function importHousehold(target) {
	const csv =
		'household_no,region,area,id,name,relation,labor_capacity,wage_month\r\n' +
		`HC-1,500154001001,rural,${HEAD},钱户主,head,full,800.00\r\n` +
		`HC-1,500154001001,rural,${SPOUSE},钱配偶,spouse,full,\r\n` +
		`HC-1,500154001001,rural,${CHILD},钱小,child,none,\r\n`;
	const file = path.join(tmp, 'households.csv');
	writeFileSync(file, csv);
	const r = spawnSync(DOUDI, ['import', 'households', '--db', target, file], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`import failed (${r.status}): ${r.stderr}`);
	return Number(sql(target, "SELECT id FROM households WHERE household_no = 'HC-1'"));
}

before(async () => {
	tmp = mkdtempSync(path.join(tmpdir(), 'doudi-verify-'));
	db = freshDb('verify');
	init(db.target);
	st.household = importHousehold(db.target);
	st.persons = Object.fromEntries(
		sql(db.target, `SELECT id_number || '=' || id FROM persons`)
			.split('\n')
			.map((l) => l.split('='))
			.map(([k, v]) => [k, Number(v)]),
	);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.county = await makeUser('vf_county', 'county', '500154');
	who.town1 = await makeUser('vf_town1', 'township', '500154001');
	who.town2 = await makeUser('vf_town2', 'township', '500154002');
	who.village = await makeUser('vf_village', 'village', '500154001001');
	who.finance = await makeUser('vf_finance', 'finance', '500154');
	who.auditor = await makeUser('vf_auditor', 'auditor', '500154');
	const a = await post(who.town1, '/api/v1/applications', {
		household_id: st.household,
		programme: 'dibao',
		commitment: true,
	});
	assert.equal(a.status, 201, JSON.stringify(a.body));
	st.app = a.body.id;
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

const SOURCES = ['public_security', 'social_insurance', 'tax', 'bank'];
const AUTH = (persons) => ({
	person_ids: persons,
	method: 'paper',
	scope: 'all',
	signed_on: '2026-01-05',
	valid_until: '2099-12-31',
	document: 'SQ-2026-0001',
	application_id: st.app,
});

describe('authorisation', () => {
	test('the sources are configured as data, with their reply deadlines from the policy', async () => {
		const r = await get(who.town1, '/api/v1/verification/sources');
		assert.equal(r.status, 200);
		const codes = r.body.items.map((s) => s.code);
		for (const c of SOURCES) assert.ok(codes.includes(c), c);
		assert.equal(r.body.items.find((s) => s.code === 'bank').reply_workdays, 10);
		assert.deepEqual(r.body.items.find((s) => s.code === 'public_security').items, ['hukou', 'vehicle']);
	});

	test('no verification starts until every adult member has authorised it', async () => {
		const start = () => post(who.town1, '/api/v1/verifications', { application_id: st.app, sources: SOURCES });
		let r = await start();
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'AUTHORISATION_MISSING');
		assert.match(r.body.error.message, /2 名成年家庭成员/);
		r = await post(who.town1, `/api/v1/households/${st.household}/authorisations`, AUTH([st.persons[HEAD]]));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.complete, false, 'the spouse has not signed');
		assert.equal(r.body.items[0].id_number.includes('*'), true, 'ID numbers masked');
		r = await start();
		assert.equal(r.status, 422);
		assert.match(r.body.error.message, /1 名成年家庭成员/);
		// a scope without the bank does not cover a request to the bank
		r = await post(who.town1, `/api/v1/households/${st.household}/authorisations`, {
			...AUTH([st.persons[SPOUSE]]),
			scope: 'tax,social_insurance,public_security',
		});
		assert.equal(r.status, 201);
		assert.equal((await start()).status, 422);
		r = await post(who.town1, `/api/v1/households/${st.household}/authorisations`, {
			...AUTH([st.persons[SPOUSE]]),
			method: 'online',
			document: null,
		});
		assert.equal(r.status, 201);
		assert.equal(r.body.complete, true, 'the child of 8 signs nothing');
		assert.deepEqual(
			r.body.adults.map((a) => a.person_id).sort(),
			[st.persons[HEAD], st.persons[SPOUSE]].sort(),
		);
	});

	test('bad authorisations are refused naming the field', async () => {
		const p = `/api/v1/households/${st.household}/authorisations`;
		const cases = [
			[{ ...AUTH([st.persons[HEAD]]), method: 'fax' }, 'method'],
			[{ ...AUTH([st.persons[HEAD]]), signed_on: '2026-02-30' }, 'signed_on'],
			[{ ...AUTH([st.persons[HEAD]]), valid_until: '2025-01-01' }, 'valid_until'],
			[{ ...AUTH([st.persons[HEAD]]), document: '' }, 'document'],
			[{ ...AUTH([st.persons[HEAD]]), scope: 'tax,moon' }, 'scope'],
			[{ ...AUTH([999999]) }, 'person_ids'],
			[{ ...AUTH([]) }, 'person_ids'],
			[{ ...AUTH(['x']) }, 'person_ids'],
		];
		for (const [body, field] of cases) {
			const r = await post(who.town1, p, body);
			assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await post(who.town2, p, AUTH([st.persons[HEAD]]))).status, 404, 'another township');
		assert.equal((await post(who.village, p, AUTH([st.persons[HEAD]]))).status, 403, 'village staff');
	});
});

describe('requests and answers', () => {
	test('a verification sends a request to each of four sources with its deadline', async () => {
		const r = await post(who.town1, '/api/v1/verifications', { application_id: st.app, sources: SOURCES });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		st.v = r.body;
		assert.equal(r.body.state, 'requested');
		assert.deepEqual(r.body.requests.map((q) => q.source).sort(), [...SOURCES].sort());
		for (const q of r.body.requests) {
			assert.equal(q.state, 'sent');
			assert.equal(q.overdue, false);
			assert.ok(q.due_date > q.sent_on, 'a deadline in working days after sending');
		}
		st.req = Object.fromEntries(r.body.requests.map((q) => [q.source, q]));
		const again = await post(who.town1, '/api/v1/verifications', { application_id: st.app });
		assert.equal(again.status, 409);
		assert.equal(again.body.error.code, 'VERIFICATION_OPEN');
		const early = await post(who.town1, `/api/v1/verifications/${st.v.id}/report`, { version: st.v.version });
		assert.equal(early.status, 422);
		assert.equal(early.body.error.code, 'ANSWERS_PENDING');
	});

	test('the tax office answers by a GB18030 CSV; a row for a stranger is rejected with its reason', async () => {
		const csv =
			'请求编号,身份证号,姓名,核对项目,金额,周期,备注\r\n' +
			`${st.req.tax.request_no},${HEAD},钱户主,工资性收入,18000.00,年,2026年度个税申报\r\n` +
			`${st.req.tax.request_no},${STRANGER},某人,工资性收入,5000.00,年,\r\n` +
			`${st.req.tax.request_no},${SPOUSE},钱配偶,无记录,,,\r\n` +
			`${st.req.tax.request_no},50015419700101031X,错号,工资性收入,1.00,月,\r\n` +
			`${st.req.tax.request_no},${HEAD},钱户主,存款,1.00,月,\r\n`;
		const r = await upload(
			who.town1,
			`/api/v1/verification-requests/${st.req.tax.id}/answer-file?file_name=tax.csv`,
			gb18030(csv),
		);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.rows, 5);
		assert.equal(r.body.matched, 2);
		assert.equal(r.body.rejected, 3);
		assert.equal(r.body.findings, 1);
		assert.deepEqual(
			r.body.rejects.map((x) => [x.line, x.field]),
			[
				[3, '身份证号'],
				[5, '身份证号'],
				[6, '核对项目'],
			],
		);
		assert.match(r.body.rejects[0].reason, /不在本次核对请求的对象中/);
		assert.match(r.body.rejects[2].reason, /该核对来源不提供此项目/);
		const again = await upload(who.town1, `/api/v1/verification-requests/${st.req.tax.id}/answer-file`, gb18030(csv));
		assert.equal(again.status, 409);
		assert.equal(again.body.error.code, 'ALREADY_ANSWERED');
	});

	test('the bank answers by an XLSX with shared strings and numbers', async () => {
		const file = xlsx([
			['request_no', 'id_number', 'name', 'item', 'amount', 'note'],
			[st.req.bank.request_no, SPOUSE, '钱配偶', 'financial', 6000.5, '定期存款'],
			[st.req.bank.request_no, SPOUSE, '钱配偶', '存款', 3999.5, '活期'],
			[st.req.bank.request_no, HEAD, '钱户主', '金融资产（存款等）', 0, ''],
		]);
		const r = await upload(who.town1, `/api/v1/verification-requests/${st.req.bank.id}/answer-file?file_name=bank.xlsx`, file);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.matched, 3);
		assert.equal(r.body.rejected, 0);
	});

	test('social insurance answers through the API; bad findings are named by path', async () => {
		const p = `/api/v1/verification-requests/${st.req.social_insurance.id}/answer`;
		const bad = [
			[{ findings: [{ id_number: '123', item: 'wage', amount: '1.00' }] }, 'findings[0].id_number'],
			[{ findings: [{ id_number: STRANGER, item: 'wage', amount: '1.00' }] }, 'findings[0].id_number'],
			[{ findings: [{ id_number: HEAD, item: 'house', quantity: 1 }] }, 'findings[0].item'],
			[{ findings: [{ id_number: HEAD, item: 'wage', amount: '1.001' }] }, 'findings[0].amount'],
			[{ findings: [{ id_number: HEAD, item: 'wage', amount: '1.00', period: 'week' }] }, 'findings[0].period'],
			[{}, 'findings'],
		];
		for (const [body, field] of bad) {
			const r = await post(who.town1, p, body);
			assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await post(who.village, p, { findings: [] })).status, 403);
		const r = await post(who.town1, p, {
			findings: [
				{ id_number: HEAD, item: 'wage', amount: '1200.00', period: 'month', note: '社保缴费基数' },
				{ id_number: SPOUSE, item: 'none' },
			],
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.requests_answered, 1);
	});

	test('an unanswered request past its deadline is overdue, listed, re-sent, and overdue again', async () => {
		const rid = st.req.public_security.id;
		sql(db.target, `UPDATE verification_requests SET due_date = '2026-01-10' WHERE id = ${rid}`);
		let r = await get(who.town1, '/api/v1/verification-requests/overdue');
		assert.deepEqual(r.body.items.map((q) => q.id), [rid]);
		assert.equal((await get(who.town2, '/api/v1/verification-requests/overdue')).body.total, 0, 'not another township');
		assert.equal((await get(who.county, '/api/v1/verification-requests/overdue')).body.total, 1);
		const w1 = await get(who.town1, '/api/v1/workbench');
		assert.equal(w1.body.verification.overdue, 1);
		assert.deepEqual(w1.body.verification.overdue_items.map((q) => q.id), [rid]);
		assert.equal((await get(who.county, '/api/v1/workbench')).body.verification.overdue, 1);
		assert.equal((await get(who.town2, '/api/v1/workbench')).body.verification.overdue, 0, 'not on another township');
		assert.equal((await get(who.finance, '/api/v1/workbench')).body.verification, undefined, 'not for finance');
		r = await get(who.town1, `/api/v1/verifications?overdue=true`);
		assert.deepEqual(r.body.items.map((v) => v.id), [st.v.id]);
		r = await post(who.town1, `/api/v1/verification-requests/${rid}/resend`, {});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.ok(r.body.due_date > '2026-01-10');
		assert.equal((await get(who.town1, '/api/v1/verification-requests/overdue')).body.total, 0);
		r = await post(who.town1, `/api/v1/verifications/${st.v.id}/report`, { version: st.v.version });
		assert.equal(r.body.error.code, 'ANSWERS_PENDING', 'a re-sent request is pending again');
		sql(db.target, `UPDATE verification_requests SET due_date = '2026-01-10' WHERE id = ${rid}`);
		const v = await get(who.town1, `/api/v1/verifications/${st.v.id}`);
		const q = v.body.requests.find((x) => x.id === rid);
		assert.equal(q.overdue, true);
		assert.equal(q.resent, 1);
	});
});

// ASSESS.md input for the household with the given monthly wage and deposits.
function assessInput(wage, financial, date) {
	const m = (id, name, relation, labor, incomes) => ({
		id,
		name,
		relation,
		disability_grade: 0,
		disability_kind: null,
		severe_illness: false,
		labor_capacity: labor,
		self_care: null,
		in_school: false,
		supporters: null,
		incomes,
	});
	return {
		region: '500154001001',
		area: 'rural',
		date,
		members: [
			m(HEAD, '钱户主', 'head', 'full', wage ? [{ type: 'wage', amount: wage, period: 'month', imputed: false }] : []),
			m(SPOUSE, '钱配偶', 'spouse', 'full', []),
			m(CHILD, '钱小', 'child', 'none', []),
		],
		assets: { financial, vehicles: 0, extra_houses: 0 },
		expenses: [],
	};
}

describe('the consolidated report', () => {
	test('declared beside verified, differences highlighted, the overdue source marked', async () => {
		const v0 = await get(who.town1, `/api/v1/verifications/${st.v.id}`);
		const r = await post(who.town1, `/api/v1/verifications/${st.v.id}/report`, { version: v0.body.version });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		st.v = r.body;
		const rep = r.body.report;
		assert.equal(r.body.state, 'reported');
		assert.equal(rep.sources.find((s) => s.code === 'public_security').state, 'overdue');
		assert.equal(rep.overdue_sources, 1);
		const head = rep.members.find((m) => m.person_id === st.persons[HEAD]);
		const wage = head.incomes.find((l) => l.item === 'wage');
		// tax: 18000 a year = 1500.00 a month; social insurance 1200.00: the largest wins
		assert.deepEqual(
			{ d: wage.declared, v: wage.verified, diff: wage.difference, differs: wage.differs },
			{ d: '800.00', v: '1500.00', diff: '700.00', differs: true },
		);
		assert.deepEqual(wage.by.sort(), ['social_insurance', 'tax']);
		const spouse = rep.members.find((m) => m.person_id === st.persons[SPOUSE]);
		assert.deepEqual(spouse.incomes, [], 'no income declared or reported');
		const fin = rep.assets.find((a) => a.item === 'financial');
		assert.deepEqual([fin.declared, fin.verified, fin.difference, fin.differs], ['0.00', '10000.00', '10000.00', true]);
		const veh = rep.assets.find((a) => a.item === 'vehicle');
		assert.equal(veh.verified, null, 'the overdue source verified nothing: declared stands');
		assert.equal(veh.differs, false);
		assert.equal(rep.differences, 2);
		// before adoption: the assessment of the declared figures
		const want = await post(who.town1, '/api/v1/assess', assessInput('800.00', '0.00', rep.built_on));
		assert.equal(want.status, 200, JSON.stringify(want.body));
		assert.equal(rep.assessment_before.determination, want.body.determination);
		assert.equal(rep.assessment_before.monthly_benefit, want.body.monthly_benefit);
		assert.equal(rep.assessment_after, null);
	});

	test('adopting it writes the verified figures, and the assessment follows them', async () => {
		const stale = await post(who.town1, `/api/v1/verifications/${st.v.id}/adopt`, { version: st.v.version - 1 });
		assert.equal(stale.status, 409);
		const r = await post(who.town1, `/api/v1/verifications/${st.v.id}/adopt`, { version: st.v.version });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'adopted');
		const rep = r.body.report;
		const want = await post(who.town1, '/api/v1/assess', assessInput('1500.00', '10000.00', rep.built_on));
		assert.equal(rep.assessment_after.determination, want.body.determination);
		assert.equal(rep.assessment_after.monthly_benefit, want.body.monthly_benefit);
		assert.notDeepEqual(rep.assessment_after, rep.assessment_before, 'the verified figures change the result');
		st.after = rep.assessment_after.determination;
		st.afterBenefit = rep.assessment_after.monthly_benefit;
		// the registry now holds the verified wage and deposits
		const wage = sql(
			db.target,
			`SELECT amount || ':' || source FROM incomes WHERE person_id = ${st.persons[HEAD]} AND type = 'wage' AND to_month IS NULL`,
		);
		assert.equal(wage, '150000:verified');
		assert.equal(sql(db.target, `SELECT SUM(amount) FROM assets WHERE household_id = ${st.household} AND kind = 'financial'`), '1000000');
		// the case's own assessment uses them too
		const app = await get(who.town1, `/api/v1/applications/${st.app}`);
		assert.equal(app.status, 200);
		assert.equal(app.body.assessment.determination, rep.assessment_after.determination);
		assert.equal(app.body.assessment.monthly_benefit, rep.assessment_after.monthly_benefit);
		const again = await post(who.town1, `/api/v1/verifications/${st.v.id}/adopt`, { version: r.body.version });
		assert.equal(again.status, 422, 'adopted once');
		assert.ok(auditIntact(db.target));
	});

	test('the decision made after adoption keeps the verification with it', async () => {
		assert.equal(st.after, 'dibao', 'the verified household still qualifies, for less');
		const step = async (as, action, extra = {}) => {
			const cur = await get(who.county, `/api/v1/applications/${st.app}`);
			const r = await post(as, `/api/v1/applications/${st.app}/actions`, { action, version: cur.body.version, ...extra });
			assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
			return r;
		};
		await step(who.town1, 'accept');
		await step(who.county, 'verify');
		await step(who.village, 'investigate', { note: '入户调查情况属实' });
		await step(who.town1, 'review');
		await step(who.town1, 'publish_notice');
		const at = new Date(Date.now() - 8 * 86400000).toISOString();
		sql(db.target, `UPDATE case_history SET at = '${at}' WHERE application_id = ${st.app} AND action = 'publish_notice'`);
		const r = await step(who.county, 'approve');
		assert.equal(r.body.state, 'approved');
		const row = sql(db.target, `SELECT verification_id || ':' || monthly_benefit FROM decisions WHERE application_id = ${st.app}`);
		assert.equal(row, `${st.v.id}:${Math.round(Number(st.afterBenefit) * 100)}`);
	});

	test('the report exports as printable HTML and as XLSX', async () => {
		const h = await download(who.town1, `/api/v1/verifications/${st.v.id}/report.html`);
		assert.equal(h.status, 200);
		assert.match(h.type, /text\/html/);
		const html = h.bytes.toString('utf8');
		assert.match(html, /家庭经济状况核对报告/);
		assert.match(html, /class="differs"/);
		assert.match(html, /逾期未回复/);
		assert.match(html, /@page/);
		assert.doesNotMatch(html, new RegExp(HEAD), 'ID numbers masked');
		const x = await download(who.town1, `/api/v1/verifications/${st.v.id}/report.xlsx`);
		assert.equal(x.status, 200);
		assert.equal(x.bytes.subarray(0, 2).toString(), 'PK');
	});
});

describe('data protection', () => {
	test('only the case handlers and auditors see it, and every view is audited', async () => {
		const p = `/api/v1/verifications/${st.v.id}`;
		const before = Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'verification.view'"));
		assert.equal((await get(who.auditor, p)).status, 200);
		assert.equal((await get(who.county, p)).status, 200);
		assert.equal((await get(who.village, p)).status, 200);
		assert.equal((await get(who.finance, p)).status, 403);
		assert.equal((await get(who.admin, p)).status, 403);
		assert.equal((await get(who.town2, p)).status, 404);
		const after = Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'verification.view'"));
		assert.equal(after - before, 3);
		assert.equal((await get(who.finance, `${p}/report.html`)).status, 403);
	});

	test('past the retention period the answers and the report are purged, with an audit row', async () => {
		assert.equal((await post(who.town1, '/api/v1/verifications/purge', {})).status, 403);
		let r = await post(who.county, '/api/v1/verifications/purge', {});
		assert.equal(r.body.purged, 0, 'nothing is due yet');
		sql(db.target, `UPDATE verifications SET purge_after = '2026-01-01' WHERE id = ${st.v.id}`);
		r = await post(who.county, '/api/v1/verifications/purge', {});
		assert.equal(r.status, 200);
		assert.equal(r.body.purged, 1);
		assert.equal(sql(db.target, `SELECT count(*) FROM verification_findings WHERE verification_id = ${st.v.id}`), '0');
		const v = await get(who.town1, `/api/v1/verifications/${st.v.id}`);
		assert.equal(v.body.report, null);
		assert.ok(v.body.purged_at);
		assert.equal((await get(who.town1, `/api/v1/verifications/${st.v.id}/report.html`)).status, 422);
		assert.equal(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'verification.purge'"), '1');
		assert.ok(auditIntact(db.target));
	});
});
