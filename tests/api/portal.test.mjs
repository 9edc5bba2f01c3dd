// tests/api/portal.test.mjs - the citizen portal (no session, limited per
// client address) and the staff's online applications: submission checks,
// the registry untouched, the same 404 for an unknown number and a wrong ID
// number, region scope, accept (household created or linked and a case
// opened, in one transaction), reject with a note the citizen sees, audit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
const V1 = '500154001001';
const V2 = '500154002001';
let db, srv, base;
const who = {};

function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}
const HEAD = idnum('50015519500101031');
const SPOUSE = idnum('50015519520202042');
const OTHER = idnum('50015519600303051');

function application(extra = {}, members = [[HEAD, '王大山', 'head'], [SPOUSE, '李小花', 'spouse']]) {
	return {
		programme: 'dibao',
		region: V1,
		applicant: { name: members[0][1], id_number: members[0][0], phone: '13900001111' },
		household: {
			area: 'rural',
			members: members.map(([id, name, relation]) => ({
				id,
				name,
				relation,
				labor_capacity: 'none',
				incomes: [{ type: 'basic_pension', amount: '150.00' }],
			})),
		},
		reason: '老两口无劳动能力，收入低',
		commitment: true,
		...extra,
	};
}
const submit = (body, url = base) => call(url, 'POST', '/api/v1/public/applications', { body });
const status = (no, id, url = base) =>
	call(url, 'GET', `/api/v1/public/applications/${encodeURIComponent(no)}?id_number=${encodeURIComponent(id)}`);
const staff = (as, method, p, body) => call(base, method, p, { cookie: as.cookie, csrf: as.csrf, body });

async function makeUser(username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: who.admin.cookie,
		csrf: who.admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	return login(base, username, PW);
}

before(async () => {
	db = freshDb('portal');
	init(db.target);
	sql(
		db.target,
		"INSERT INTO regions (code, name, level, parent_code, area) VALUES ('500154001', '汉丰街道', 4, '500154', NULL), " +
			"('500154002', '文峰街道', 4, '500154', NULL), ('500154001001', '青龙社区', 5, '500154001', 'urban'), " +
			"('500154001002', '白果村', 5, '500154001', 'rural'), ('500154002001', '红花村', 5, '500154002', 'rural')",
	);
	srv = await startServer(db.target, ['--ip-max-failures', '1000', '--portal-create-per-hour', '1000', '--portal-lookup-per-minute', '1000']);
	base = srv.url;
	who.admin = await login(base, 'admin', ADMIN_PASSWORD);
	who.village = await makeUser('p_village', 'village', V1);
	who.township = await makeUser('p_township', 'township', '500154001');
	who.township2 = await makeUser('p_township2', 'township', '500154002');
	who.county = await makeUser('p_county', 'county', '500154');
	who.finance = await makeUser('p_finance', 'finance', '500154');
});

after(async () => {
	const { code } = await srv.stop();
	try {
		assert.equal(code, 0);
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
		for (const id of [HEAD, SPOUSE, OTHER]) assert.ok(!srv.log().includes(id), 'no ID number in the log');
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
	}
});

let first; // { tracking_no, id }

describe('the portal', () => {
	test('the region picker: children with codes and names', async () => {
		const r = await call(base, 'GET', '/api/v1/public/regions?parent=500154001');
		assert.equal(r.status, 200);
		assert.deepEqual(r.body.items.map((i) => [i.code, i.name]), [[V1, '青龙社区'], ['500154001002', '白果村']]);
		const top = await call(base, 'GET', '/api/v1/public/regions');
		assert.ok(top.body.items.some((i) => i.code === '500100'));
		assert.equal((await call(base, 'GET', '/api/v1/public/regions?parent=abc')).status, 400);
	});

	test('201 with a tracking number; the registry is not touched', async () => {
		const households = sql(db.target, 'SELECT count(*) FROM households');
		const r = await submit(application());
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.match(r.body.tracking_no, /^[0-9A-HJKMNP-TV-Z]{16}$/);
		assert.equal(r.body.status, 'submitted');
		assert.ok(r.body.submitted_at);
		assert.equal(sql(db.target, 'SELECT count(*) FROM households'), households);
		assert.equal(sql(db.target, 'SELECT count(*) FROM persons'), '0');
		const again = await submit(application());
		assert.notEqual(again.body.tracking_no, r.body.tracking_no);
		first = { tracking_no: r.body.tracking_no };
		first.id = Number(sql(db.target, `SELECT id FROM online_applications WHERE tracking_no = '${r.body.tracking_no}'`));
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'online_application.create' AND entity_id = '${first.id}' AND actor = 'portal' AND region_code = '${V1}'`),
			'1',
		);
	});

	test('bad input: 415 without JSON, 400 naming the field, 422 without the commitment', async () => {
		const text = await call(base, 'POST', '/api/v1/public/applications', { raw: JSON.stringify(application()) });
		assert.equal(text.status, 415);
		const cases = [
			[{ commitment: undefined }, 400, 'commitment'],
			[{ programme: 'pension' }, 400, 'programme'],
			[{ region: '500154001' }, 400, 'region'],
			[{ region: '500154009009' }, 400, 'region'],
			[{ applicant: { name: '王大山', id_number: '500155195001010310' } }, 400, 'applicant.id_number'],
			[{ applicant: { name: '', id_number: HEAD } }, 400, 'applicant.name'],
			[{ applicant: { name: '王', id_number: HEAD, phone: 'call me' } }, 400, 'applicant.phone'],
			[{ household: undefined }, 400, 'household'],
			[{ household: { area: 'rural', members: [{ id: '500155195001010311', name: '王', relation: 'head' }] } }, 400, 'household.members[0].id'],
			[{ household: { area: 'rural', members: [{ id: HEAD, name: '王', relation: 'spouse' }] } }, 400, 'household.members'],
			[{ commitment: 'yes' }, 400, 'commitment'],
		];
		for (const [extra, code, field] of cases) {
			const body = application(extra);
			for (const k of Object.keys(extra)) if (extra[k] === undefined) delete body[k];
			const r = await submit(body);
			assert.equal(r.status, code, `${JSON.stringify(extra)} ${JSON.stringify(r.body)}`);
			assert.equal(r.body.error.field, field, JSON.stringify(extra));
		}
		const no = await submit(application({ commitment: false }));
		assert.equal(no.status, 422);
		assert.equal(no.body.error.code, 'COMMITMENT_REQUIRED');
		let deep = { x: 1 };
		for (let i = 0; i < 40; i++) deep = { a: deep };
		const d = await submit(application({ reason: '深', extra: deep }));
		assert.equal(d.status, 400);
		const big = await call(base, 'POST', '/api/v1/public/applications', { raw: 'x'.repeat(1100000) });
		assert.equal(big.status, 413);
	});

	test('status: the same 404 for an unknown number, a wrong ID number, a malformed number', async () => {
		const ok = await status(first.tracking_no, HEAD);
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(ok.body.tracking_no, first.tracking_no);
		assert.equal(ok.body.programme, 'dibao');
		assert.equal(ok.body.status, 'submitted');
		assert.match(ok.body.status_text, /等待/);
		assert.equal(ok.body.steps.length, 1);
		assert.ok(!JSON.stringify(ok.body).includes('王大山'), 'no personal data in the status');
		// typed the Chinese way: lower case, in groups
		const typed = first.tracking_no.toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
		assert.equal((await status(typed, HEAD.toLowerCase())).status, 200);
		// an unknown number with a valid check character: change one character and fix the check
		const chars = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
		const luhn = (s) => {
			let f = 2,
				sum = 0;
			for (let i = s.length - 1; i >= 0; i--) {
				const a = f * chars.indexOf(s[i]);
				f = f === 2 ? 1 : 2;
				sum += Math.floor(a / 32) + (a % 32);
			}
			return chars[(32 - (sum % 32)) % 32];
		};
		const body15 = first.tracking_no.slice(0, 14) + (first.tracking_no[14] === '0' ? '1' : '0');
		const unknown = body15 + luhn(body15);
		assert.equal(luhn(first.tracking_no.slice(0, 15)), first.tracking_no[15], 'the check character is Luhn mod 32');
		const answers = [
			await status(unknown, HEAD),
			await status(first.tracking_no, SPOUSE),
			await status(first.tracking_no, OTHER),
			await status(first.tracking_no, '123'),
			await status('NOT-A-NUMBER', HEAD),
			await status(first.tracking_no.slice(0, 15) + (first.tracking_no[15] === '0' ? '1' : '0'), HEAD),
		];
		for (const a of answers) {
			assert.equal(a.status, 404);
			assert.deepEqual(a.body, answers[0].body);
		}
		const missing = await call(base, 'GET', `/api/v1/public/applications/${first.tracking_no}`);
		assert.equal(missing.status, 400);
		assert.equal(missing.body.error.field, 'id_number');
	});
});

describe('staff: online applications', () => {
	test('scope: the township and village see it, another township not, finance may not', async () => {
		const l = await staff(who.township, 'GET', '/api/v1/online-applications?state=submitted');
		assert.equal(l.status, 200);
		assert.ok(l.body.total >= 2);
		assert.equal(l.body.items[0].applicant.id_number.includes('*'), true, 'masked in the list');
		assert.equal((await staff(who.village, 'GET', '/api/v1/online-applications')).body.total, l.body.total);
		const other = await staff(who.township2, 'GET', '/api/v1/online-applications');
		assert.equal(other.body.total, 0);
		assert.equal((await staff(who.township2, 'GET', `/api/v1/online-applications/${first.id}`)).status, 404);
		assert.equal((await staff(who.finance, 'GET', '/api/v1/online-applications')).status, 403);
		assert.equal((await staff(who.township, 'GET', '/api/v1/online-applications?state=odd')).status, 400);
	});

	test('the detail masks ID numbers; the reveal is audited', async () => {
		const g = await staff(who.township, 'GET', `/api/v1/online-applications/${first.id}`);
		assert.equal(g.status, 200);
		assert.equal(g.body.tracking_no, first.tracking_no);
		assert.ok(!JSON.stringify(g.body).includes(HEAD));
		assert.equal(g.body.household.members.length, 2);
		assert.match(g.body.household.members[0].id, /\*/);
		const r = await staff(who.township, 'GET', `/api/v1/online-applications/${first.id}?reveal=1`);
		assert.equal(r.body.applicant.id_number, HEAD);
		assert.equal(r.body.household.members[0].id, HEAD);
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'online_application.reveal' AND entity_id = '${first.id}' AND actor = 'p_township'`),
			'1',
		);
	});

	test('accept: the county may not; the township creates the household and the case in one go', async () => {
		const c = await staff(who.county, 'POST', `/api/v1/online-applications/${first.id}/actions`, { action: 'accept' });
		assert.equal(c.status, 403);
		const before = Number(sql(db.target, 'SELECT count(*) FROM households'));
		const a = await staff(who.township, 'POST', `/api/v1/online-applications/${first.id}/actions`, { action: 'accept' });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.equal(a.body.state, 'accepted');
		assert.ok(a.body.household_id > 0 && a.body.application_id > 0);
		assert.equal(Number(sql(db.target, 'SELECT count(*) FROM households')), before + 1);
		const kase = await staff(who.township, 'GET', `/api/v1/applications/${a.body.application_id}`);
		assert.equal(kase.status, 200);
		assert.equal(kase.body.channel, 'online');
		assert.equal(kase.body.state, 'submitted');
		assert.equal(kase.body.household_id, a.body.household_id);
		first.household = a.body.household_id;
		first.app = a.body.application_id;
		const again = await staff(who.township, 'POST', `/api/v1/online-applications/${first.id}/actions`, { action: 'accept' });
		assert.equal(again.status, 409);
		assert.equal(again.body.error.code, 'NOT_PENDING');
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'online_application.accept' AND entity_id = '${first.id}'`),
			'1',
		);
	});

	test('the citizen sees the case progress in plain Chinese', async () => {
		const s1 = await status(first.tracking_no, HEAD);
		assert.equal(s1.body.status, 'submitted');
		assert.match(s1.body.status_text, /已受理/);
		const kase = await staff(who.township, 'GET', `/api/v1/applications/${first.app}`);
		const acc = await staff(who.township, 'POST', `/api/v1/applications/${first.app}/actions`, { action: 'accept', version: kase.body.version });
		assert.equal(acc.status, 200, JSON.stringify(acc.body));
		const s2 = await status(first.tracking_no, HEAD);
		assert.equal(s2.body.status, 'accepted');
		assert.equal(s2.body.status_text, '已受理，正在核对家庭经济状况');
		assert.deepEqual(s2.body.steps.map((x) => x.text), ['网上申请已提交', '已受理，转入审核确认', '乡镇（街道）受理']);
	});

	test('accept links the household the members already form; a failing case rolls the whole accept back', async () => {
		// the same members again, for tekun: linked, no new household
		const t = await submit(application({ programme: 'tekun' }));
		const tid = Number(sql(db.target, `SELECT id FROM online_applications WHERE tracking_no = '${t.body.tracking_no}'`));
		const before = sql(db.target, 'SELECT count(*) FROM households');
		const a = await staff(who.village, 'POST', `/api/v1/online-applications/${tid}/actions`, { action: 'accept' });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		assert.equal(a.body.household_id, first.household);
		assert.equal(sql(db.target, 'SELECT count(*) FROM households'), before);
		// a new household whose temporary case cannot be made: nothing stays
		const n = await submit(application({ programme: 'temporary', region: '500154001002' }, [[OTHER, '赵三', 'head']]));
		const nid = Number(sql(db.target, `SELECT id FROM online_applications WHERE tracking_no = '${n.body.tracking_no}'`));
		const persons = sql(db.target, 'SELECT count(*) FROM persons');
		const bad = await staff(who.township, 'POST', `/api/v1/online-applications/${nid}/actions`, { action: 'accept', cause: 'lottery' });
		assert.ok(bad.status >= 400 && bad.status < 500, JSON.stringify(bad.body));
		assert.equal(sql(db.target, 'SELECT count(*) FROM households'), before);
		assert.equal(sql(db.target, 'SELECT count(*) FROM persons'), persons);
		assert.equal(sql(db.target, `SELECT state FROM online_applications WHERE id = ${nid}`), 'submitted');
		const ok = await staff(who.township, 'POST', `/api/v1/online-applications/${nid}/actions`, { action: 'accept', case_kind: 'emergency', cause: 'illness' });
		assert.equal(ok.status, 200, JSON.stringify(ok.body));
		assert.equal(Number(sql(db.target, 'SELECT count(*) FROM households')), Number(before) + 1);
	});

	test('reject needs a note, which the citizen sees', async () => {
		const r = await submit(application({ region: V2 }, [[idnum('50015519700101071'), '钱七', 'head']]));
		const rid = Number(sql(db.target, `SELECT id FROM online_applications WHERE tracking_no = '${r.body.tracking_no}'`));
		assert.equal((await staff(who.township, 'POST', `/api/v1/online-applications/${rid}/actions`, { action: 'reject', note: 'x' })).status, 404, 'outside the township');
		const noNote = await staff(who.township2, 'POST', `/api/v1/online-applications/${rid}/actions`, { action: 'reject' });
		assert.equal(noNote.status, 400);
		assert.equal(noNote.body.error.field, 'note');
		const bad = await staff(who.township2, 'POST', `/api/v1/online-applications/${rid}/actions`, { action: 'approve' });
		assert.equal(bad.body.error.field, 'action');
		const ok = await staff(who.township2, 'POST', `/api/v1/online-applications/${rid}/actions`, { action: 'reject', note: '不属于本辖区户籍，请到户籍所在地申请' });
		assert.equal(ok.status, 200);
		assert.equal(ok.body.state, 'rejected');
		const s = await status(r.body.tracking_no, idnum('50015519700101071'));
		assert.equal(s.body.status, 'rejected');
		assert.match(s.body.status_text, /不属于本辖区户籍/);
		assert.equal(s.body.steps.length, 2);
	});
});

describe('rate limits', () => {
	test('429 with Retry-After over the per-address caps', async () => {
		const s = await startServer(db.target, ['--portal-create-per-hour', '2', '--portal-lookup-per-minute', '3']);
		try {
			for (let i = 0; i < 2; i++) assert.equal((await submit(application(), s.url)).status, 201);
			const over = await submit(application(), s.url);
			assert.equal(over.status, 429);
			assert.equal(over.body.error.code, 'TOO_MANY_REQUESTS');
			const ra = Number(over.headers.get('retry-after'));
			assert.ok(ra > 3500 && ra <= 3600, `Retry-After ${ra}`);
			for (let i = 0; i < 3; i++) assert.equal((await status(first.tracking_no, HEAD, s.url)).status, 200);
			const look = await status(first.tracking_no, HEAD, s.url);
			assert.equal(look.status, 429);
			assert.ok(Number(look.headers.get('retry-after')) >= 1);
			// staff endpoints are not limited
			assert.equal((await call(s.url, 'GET', '/healthz')).status, 200);
		} finally {
			await s.stop();
		}
	});
});

describe('the verification authorisation signed online (授权书网上签署)', () => {
	const A = idnum('50015519600303031');
	const B = idnum('50015519620404042');
	const KID = idnum('50015520150505053');
	const family = [
		[A, '赵一', 'head'],
		[B, '钱二', 'spouse'],
		[KID, '赵小', 'child'],
	];

	test('only adult members of the household sign, each once', async () => {
		for (const [signers, field] of [
			[[A, KID], 'verification_signers[1]'],
			[[A, 'x'], 'verification_signers[1]'],
			[[A, A], 'verification_signers[1]'],
			['A', 'verification_signers'],
		]) {
			const r = await submit(application({ verification_signers: signers }, family));
			assert.equal(r.status, 400, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field);
		}
	});

	test('accepting the application records their authorisations; the verification can start', async () => {
		const r = await submit(application({ verification_signers: [A, B] }, family));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const id = sql(db.target, `SELECT id FROM online_applications WHERE tracking_no = '${r.body.tracking_no}'`);
		const a = await staff(who.township, 'POST', `/api/v1/online-applications/${id}/actions`, { action: 'accept' });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		const auth = await staff(who.township, 'GET', `/api/v1/households/${a.body.household_id}/authorisations`);
		assert.equal(auth.status, 200);
		assert.equal(auth.body.complete, true, JSON.stringify(auth.body));
		assert.equal(auth.body.items.length, 2);
		for (const x of auth.body.items) {
			assert.equal(x.method, 'online');
			assert.equal(x.application_id, a.body.application_id);
			assert.equal(x.document, `网上申请 ${r.body.tracking_no}`);
			const days = (Date.parse(x.valid_until) - Date.parse(x.signed_on)) / 86400000;
			assert.equal(days, 365, 'verification.authorisation_valid_days');
		}
		const v = await staff(who.township, 'POST', '/api/v1/verifications', { application_id: a.body.application_id });
		assert.equal(v.status, 201, JSON.stringify(v.body));
		assert.equal(
			sql(db.target, `SELECT count(*) FROM audit_log WHERE action = 'verification.authorise' AND entity_id = '${a.body.household_id}'`),
			'1',
		);
	});
});

describe('the children allowance applied for online (孤儿、事实无人抚养儿童基本生活保障)', () => {
	const GRAN = idnum('50015519560606062');
	const ORPHAN = idnum('50015520140707071');
	const family = [
		[GRAN, '孙奶奶', 'head'],
		[ORPHAN, '孙小宝', 'grandchild'],
	];
	const facts = [{ kind: 'death', parent: 'both', evidence: '父母死亡证明（2023 年）' }];
	const child = (extra = {}) => ({ id_number: ORPHAN, category: 'orphan', care_type: 'dispersed', facts, ...extra });
	const apply = (extra) => application({ programme: 'children', reason: '父母双亡，由祖母抚养', ...extra }, family);

	test('the child is checked before anything is stored: each refusal names the field', async () => {
		const count = () => Number(sql(db.target, 'SELECT count(*) FROM online_applications'));
		const before = count();
		for (const [body, status, code, field] of [
			[apply({}), 400, 'REQUIRED', 'child'],
			[apply({ child: child({ id_number: undefined }) }), 400, 'REQUIRED', 'child.id_number'],
			[apply({ child: child({ id_number: '50015520140707' }) }), 400, 'BAD_ID_NUMBER', 'child.id_number'],
			[apply({ child: child({ category: 'x' }) }), 400, 'BAD_VALUE', 'child.category'],
			[apply({ child: child({ care_type: 'x' }) }), 400, 'BAD_VALUE', 'child.care_type'],
			[apply({ child: child({ facts: [] }) }), 400, 'REQUIRED', 'child.facts'],
			[apply({ child: child({ facts: [{ kind: 'death' }] }) }), 400, 'EVIDENCE_REQUIRED', 'child.facts'],
			[apply({ child: child({ facts: [{ kind: 'imprisoned', commitment: true }] }) }), 400, 'ORPHAN_FACT_REQUIRED', 'child.facts'],
			[apply({ child: child({ id_number: OTHER }) }), 400, 'NOT_A_MEMBER', 'child.id_number'],
			[apply({ child: child({ id_number: GRAN }) }), 422, 'NOT_A_CHILD', 'child.id_number'],
			[application({ child: child() }, family), 400, 'NOT_ALLOWED', 'child'],
		]) {
			const r = await submit(body);
			assert.equal(r.status, status, JSON.stringify(r.body));
			assert.equal(r.body.error.code, code, JSON.stringify(r.body));
			assert.equal(r.body.error.field, field);
			assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
		}
		assert.equal(count(), before, 'nothing stored');
	});

	test('staff see the child (ID masked until revealed); accepting opens the children case for that member', async () => {
		const r = await submit(apply({ child: child({ id_number: ORPHAN.toLowerCase(), facts: [...facts, { kind: 'other', commitment: true }] }) }));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		const id = sql(db.target, `SELECT id FROM online_applications WHERE tracking_no = '${r.body.tracking_no}'`);
		const g = await staff(who.township, 'GET', `/api/v1/online-applications/${id}`);
		assert.equal(g.status, 200);
		assert.equal(g.body.programme, 'children');
		assert.match(g.body.child.id_number, /\*/);
		assert.ok(!JSON.stringify(g.body).includes(ORPHAN));
		assert.equal(g.body.child.category, 'orphan');
		assert.equal(g.body.child.care_type, 'dispersed');
		assert.deepEqual(g.body.child.facts, [
			{ kind: 'death', parent: 'both', evidence: '父母死亡证明（2023 年）', commitment: false },
			{ kind: 'other', parent: null, evidence: null, commitment: true },
		]);
		const rv = await staff(who.township, 'GET', `/api/v1/online-applications/${id}?reveal=1`);
		assert.equal(rv.body.child.id_number, ORPHAN);

		const a = await staff(who.township, 'POST', `/api/v1/online-applications/${id}/actions`, { action: 'accept' });
		assert.equal(a.status, 200, JSON.stringify(a.body));
		const kase = await staff(who.township, 'GET', `/api/v1/applications/${a.body.application_id}`);
		assert.equal(kase.status, 200);
		assert.equal(kase.body.programme, 'children');
		assert.equal(kase.body.channel, 'online');
		const pid = Number(sql(db.target, `SELECT id FROM persons WHERE id_number = '${ORPHAN}'`));
		assert.equal(kase.body.children.person_id, pid);
		assert.equal(kase.body.children.name, '孙小宝');
		assert.equal(kase.body.children.category, 'orphan');
		assert.equal(kase.body.children.facts.length, 2);
		assert.equal(
			sql(db.target, `SELECT m.household_id FROM memberships m WHERE m.person_id = ${pid} AND m.to_date IS NULL`),
			String(a.body.household_id),
		);
		const s = await status(r.body.tracking_no, GRAN);
		assert.equal(s.status, 200);
		assert.equal(s.body.programme, 'children');
	});
});
