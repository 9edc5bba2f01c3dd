// tests/api/payroll_bank.test.mjs - bank files of a payroll batch (issue 6):
// templates kept as data, one file per paying bank (GB18030 CSV and XLSX,
// checked cell by cell against the store), the bank's return files (paid,
// failed, unknown rows; the same file twice changes nothing), the re-issue
// of returned payments, the reconciliation report and the reconcile step,
// and the county fund ledger (JSON and XLSX) against sums taken with SQL.
// A real `doudi serve` on SQLite, then on PostgreSQL through tests/pg.sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ADMIN_PASSWORD, DOUDI, auditIntact, call, freshDb, init, login, sql, startServer } from './lib.mjs';

const PW = 'Strong-Pass-123';
const COUNTY = '500154'; // 开州区
const VILLAGE = '500154001001';
const RCB = '重庆农村商业银行';
const PSBC = '中国邮政储蓄银行';
const ICBC = '中国工商银行';
let db, srv, base, dibao, tekun;
const u = {};

// id, name, id_number, bank, account, programme, lines [component, category, amount fen]
const ROLL = [
	[1, '张三', '500234195001010011', RCB, '6217000000000001', 'dibao', [['household', 'dibao_rural', 60000]]],
	[2, '=HYPERLINK("http://x")', '500234195001010022', RCB, '6217000000000002', 'dibao', [['household', 'dibao_rural', 45050]]],
	[3, '李四', '500234195001010033', PSBC, '6221000000000003', 'tekun', [['tekun_basic', 'tekun', 100100], ['tekun_care', 'tekun', 20000]]],
	[4, '王五', '500234195001010044', PSBC, '6221000000000004', 'dibao', [['household', 'dibao_urban', 38000]]],
	[5, '赵六', '500234195001010055', ICBC, '6222000000000005', 'dibao', [['household', 'dibao_rural', 50000]]],
	[6, '钱七', '500234195001010066', RCB, '6217000000000006', 'dibao', [['household', 'dibao_rural', 52000]]],
];

function seed(target) {
	const now = "'2026-01-01T00:00:00.000Z'";
	const q = [];
	let line = 1;
	for (const [id, name, idn, bank, acct, programme, lines] of ROLL) {
		const nm = name.replace(/'/g, "''");
		q.push(`INSERT INTO persons (id, id_number, name, birth_date, sex, region_code, bank_name, bank_account, created_at, updated_at)
			VALUES (${id}, '${idn}', '${nm}', '1950-01-01', 'male', '${VILLAGE}', '${bank}', '${acct}', ${now}, ${now})`);
		q.push(`INSERT INTO households (id, region_code, household_no, area, created_at, updated_at)
			VALUES (${id}, '${VILLAGE}', 'B${id}', 'rural', ${now}, ${now})`);
		q.push(`INSERT INTO memberships (id, household_id, person_id, region_code, relation, from_date, created_at)
			VALUES (${id}, ${id}, ${id}, '${VILLAGE}', 'head', '2020-01-01', ${now})`);
		const total = lines.reduce((s, l) => s + l[2], 0);
		q.push(`INSERT INTO decisions (id, household_id, region_code, programme, determination, monthly_benefit, effective_from,
			assessed_on, result, trace, params, created_at)
			VALUES (${id}, ${id}, '${VILLAGE}', '${programme}', '${programme}', ${total}, '2026-01-01', '2025-12-15', '{}', '[]', '{}', ${now})`);
		for (const [component, category, amount] of lines)
			q.push(`INSERT INTO decision_lines (id, decision_id, household_id, person_id, region_code, programme, component, category, amount, created_at)
				VALUES (${line++}, ${id}, ${id}, ${id}, '${VILLAGE}', '${programme}', '${component}', '${category}', ${amount}, ${now})`);
	}
	q.push(`INSERT INTO reserve_funds (region_code, balance, advanced_total, drawn_total, returned_total, created_at, updated_at)
		VALUES ('500154001', 70000, 100000, 25000, 5000, ${now}, ${now})`);
	sql(target, q.join(';\n') + ';');
}

async function makeUser(admin, username, role, region) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password: PW, role, region, name: '测试' },
		cookie: admin.cookie,
		csrf: admin.csrf,
	});
	assert.equal(r.status, 201, JSON.stringify(r.body));
	const s = await login(base, username, PW);
	assert.equal(s.res.status, 200);
	return s;
}

const post = (who, p, body) => call(base, 'POST', p, { body, cookie: who.cookie, csrf: who.csrf });
const put = (who, p, body) => call(base, 'PUT', p, { body, cookie: who.cookie, csrf: who.csrf });
const get = (who, p) => call(base, 'GET', p, { cookie: who.cookie });
const fen = (s) => {
	assert.match(s, /^-?\d+\.\d\d$/);
	return Math.round(Number(s) * 100);
};

// GET returning the raw bytes
async function download(who, p) {
	const res = await fetch(base + p, { headers: { cookie: who.cookie } });
	return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// POST raw bytes (a return file)
async function upload(who, p, bytes) {
	const res = await fetch(base + p, {
		method: 'POST',
		headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'text/csv' },
		body: bytes,
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function act(who, batch, action) {
	const cur = await get(who, `/api/v1/payroll/batches/${batch}`);
	assert.equal(cur.status, 200, JSON.stringify(cur.body));
	return post(who, `/api/v1/payroll/batches/${batch}/actions`, { action, version: cur.body.version });
}

// a member of an XLSX (zip) as text, through python3's zipfile
function xlsxPart(bytes, part) {
	const dir = mkdtempSync(path.join(tmpdir(), 'doudi-xlsx-'));
	try {
		const f = path.join(dir, 'f.xlsx');
		writeFileSync(f, bytes);
		const r = spawnSync('python3', ['-c', 'import sys,zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode("utf-8"))', f, part], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		return r.stdout;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

// the rows of a sheet (constant_memory: inline strings) as arrays of text
function sheetRows(xml) {
	const rows = [];
	for (const m of xml.matchAll(/<row [^>]*>(.*?)<\/row>/gs)) {
		const cells = [];
		for (const c of m[1].matchAll(/<c r="([A-Z]+)\d+"[^>]*?(?:\/>|>(.*?)<\/c>)/gs)) {
			const col = c[1].charCodeAt(0) - 65;
			const inner = c[2] || '';
			const t = inner.match(/<t[^>]*>(.*?)<\/t>/s);
			const v = inner.match(/<v>(.*?)<\/v>/s);
			cells[col] = t ? t[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>') : v ? v[1] : '';
		}
		rows.push(cells);
	}
	return rows;
}

// a CSV of simple fields (quoted fields with "" inside), CRLF lines
function csvRows(text) {
	return text
		.split('\r\n')
		.filter((l) => l.length)
		.map((l) => {
			const out = [];
			let i = 0;
			while (i <= l.length) {
				if (l[i] === '"') {
					let v = '';
					i++;
					for (;;) {
						if (l[i] === '"' && l[i + 1] === '"') (v += '"'), (i += 2);
						else if (l[i] === '"') {
							i++;
							break;
						} else v += l[i++];
					}
					out.push(v);
					i++;
				} else {
					const j = l.indexOf(',', i);
					const end = j < 0 ? l.length : j;
					out.push(l.slice(i, end));
					i = end + 1;
				}
				if (i > l.length) break;
			}
			return out;
		});
}

const gb = (s) => {
	// encode with iconv (Node has no GB18030 encoder)
	const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: s });
	assert.equal(r.status, 0);
	return r.stdout;
};

before(async () => {
	db = freshDb('payroll_bank');
	init(db.target);
	seed(db.target);
	srv = await startServer(db.target, ['--ip-max-failures', '1000']);
	base = srv.url;
	const admin = await login(base, 'admin', ADMIN_PASSWORD);
	assert.equal(admin.res.status, 200);
	for (const [name, role, region] of [
		['county1', 'county', COUNTY],
		['finance1', 'finance', COUNTY],
		['finance2', 'finance', '500155'],
		['auditor1', 'auditor', COUNTY],
	])
		u[name] = await makeUser(admin, name, role, region);
	const g = await post(u.county1, '/api/v1/payroll/batches', { region: COUNTY, period: '2026-01' });
	assert.equal(g.status, 201, JSON.stringify(g.body));
	dibao = g.body.items.find((i) => i.programme === 'dibao').batch_id;
	tekun = g.body.items.find((i) => i.programme === 'tekun').batch_id;
});

after(async () => {
	const { code } = await srv.stop();
	if (code !== 0) console.error(srv.log());
	try {
		assert.equal(code, 0, 'clean exit');
		assert.doesNotMatch(srv.log(), /runtime error|AddressSanitizer/);
		assert.ok(auditIntact(db.target), 'audit chain intact');
	} finally {
		db.cleanup();
	}
});

describe('bank templates', () => {
	test('the two defaults are there, as data', async () => {
		const r = await get(u.county1, '/api/v1/payroll/bank-templates');
		assert.equal(r.status, 200);
		const byCode = Object.fromEntries(r.body.items.map((t) => [t.code, t]));
		assert.equal(byCode.cqrcb.bank_name, RCB);
		assert.equal(byCode.cqrcb.format, 'csv');
		assert.equal(byCode.cqrcb.encoding, 'gb18030');
		assert.deepEqual(
			byCode.cqrcb.columns.map((c) => c.title),
			['序号', '户名', '身份证号', '银行账号', '金额（元）', '摘要'],
		);
		assert.equal(byCode.psbc.format, 'xlsx');
		assert.equal(byCode.psbc.bank_name, PSBC);
	});

	test('bad templates are refused naming the field; finance may not change them', async () => {
		const good = {
			bank_name: ICBC,
			format: 'csv',
			encoding: 'utf-8',
			columns: [
				{ title: '姓名', field: 'name' },
				{ title: '卡号', field: 'account' },
				{ title: '金额', field: 'amount' },
				{ title: '村', field: 'village' },
			],
			header: [['发放单位', '{county_name}', '月份', '{period}']],
			return_columns: { account: '卡号', amount: '金额', result: '结果', reason: '原因' },
		};
		let r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', { ...good, columns: [{ title: '姓名', field: 'salary' }] });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'columns[0].field');
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', { ...good, columns: good.columns.slice(0, 1) });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'columns');
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', { ...good, header: [['{secret}']] });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'header[0][0]');
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', { ...good, return_columns: { account: '卡号' } });
		assert.equal(r.status, 400);
		assert.match(r.body.error.field, /^return_columns\./);
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', { ...good, format: 'pdf' });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'format');
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', { ...good, bank_name: RCB });
		assert.equal(r.status, 409, 'one template per bank');
		r = await put(u.finance1, '/api/v1/payroll/bank-templates/icbc', good);
		assert.equal(r.status, 403);
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', good);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(r.body.columns, good.columns);
		assert.equal(Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'payroll.bank_template' AND entity_id = 'icbc'")), 1);
		// removed again so the export below meets a bank without a template
		sql(db.target, "DELETE FROM bank_templates WHERE code = 'icbc'");
	});
});

describe('bank files, returns, reissue, reconciliation', () => {
	test('no bank files before the export; then one per bank and an error naming the bank without a template', async () => {
		let r = await get(u.finance1, `/api/v1/payroll/batches/${dibao}/bank-files`);
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'BATCH_NOT_EXPORTED');
		for (const [who, action] of [
			[u.county1, 'check'],
			[u.finance1, 'approve'],
			[u.finance1, 'export'],
		]) {
			r = await act(who, dibao, action);
			assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
		}
		r = await get(u.finance1, `/api/v1/payroll/batches/${dibao}/bank-files`);
		assert.equal(r.status, 200);
		const items = Object.fromEntries(r.body.items.map((i) => [i.bank_code, i]));
		assert.deepEqual(Object.keys(items).sort(), ['cqrcb', 'psbc']);
		assert.equal(items.cqrcb.count, 3);
		assert.equal(fen(items.cqrcb.total), 60000 + 45050 + 52000);
		assert.equal(items.psbc.count, 1);
		assert.equal(r.body.errors.length, 1);
		assert.equal(r.body.errors[0].code, 'NO_TEMPLATE');
		assert.equal(r.body.errors[0].bank_name, ICBC);
		assert.match(r.body.errors[0].message, /中国工商银行/);
		// another county's finance sees nothing
		r = await get(u.finance2, `/api/v1/payroll/batches/${dibao}/bank-files`);
		assert.equal(r.status, 404);
	});

	test('the GB18030 CSV holds, cell by cell, what the store holds; formulas are defused; finance only, audited', async () => {
		let r = await download(u.county1, `/api/v1/payroll/batches/${dibao}/bank-files/cqrcb`);
		assert.equal(r.status, 403, 'full ID numbers and accounts: finance only');
		const before = Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'payroll.bank_file'"));
		r = await download(u.finance1, `/api/v1/payroll/batches/${dibao}/bank-files/cqrcb`);
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /^text\/csv; charset=GB18030/i);
		assert.match(r.headers.get('content-disposition'), /^attachment; filename="payroll-\d+-cqrcb\.csv"; filename\*=UTF-8''/);
		assert.equal(Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'payroll.bank_file'")), before + 1);
		assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(r.bytes), 'not UTF-8');
		const rows = csvRows(new TextDecoder('gb18030').decode(r.bytes));
		assert.deepEqual(rows[0], ['单位名称', '开州区民政局', '发放月份', '2026-01', '笔数', '3', '总金额（元）', '1570.50']);
		assert.deepEqual(rows[1], ['序号', '户名', '身份证号', '银行账号', '金额（元）', '摘要']);
		const store = sql(
			db.target,
			`SELECT p.name, p.id_number, y.bank_account, y.amount FROM payments y JOIN persons p ON p.id = y.person_id
			 WHERE y.batch_id = ${dibao} AND y.bank_name = '${RCB}' ORDER BY y.region_code, y.id`,
		)
			.split('\n')
			.map((l) => l.split('|'));
		assert.equal(rows.length, 2 + store.length);
		store.forEach(([name, idn, acct, amount], i) => {
			const row = rows[2 + i];
			assert.equal(row[0], String(i + 1));
			assert.equal(row[1], name.startsWith('=') ? `'${name}` : name);
			assert.equal(row[2], idn);
			assert.equal(row[3], acct);
			assert.equal(fen(row[4]), Number(amount));
			assert.equal(row[5], '2026-01 低保金');
		});
		assert.ok(rows.some((row) => row[1] === `'=HYPERLINK("http://x")`), 'the formula-like name is prefixed');
	});

	test('the XLSX file (inline strings, amounts as numbers) matches the store', async () => {
		const r = await download(u.finance1, `/api/v1/payroll/batches/${dibao}/bank-files/psbc`);
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		assert.equal(r.bytes.subarray(0, 2).toString(), 'PK');
		const rows = sheetRows(xlsxPart(r.bytes, 'xl/worksheets/sheet1.xml'));
		assert.deepEqual(rows[0], ['开州区最低生活保障代发清单']);
		assert.deepEqual(rows[2], ['序号', '姓名', '证件号码', '账号', '金额', '项目', '所属期', '村（社区）', '备注']);
		assert.equal(rows.length, 4);
		assert.deepEqual(rows[3].slice(0, 7), ['1', '王五', '500234195001010044', '6221000000000004', '380', '最低生活保障', '2026-01']);
	});

	test('the CLI writes the same files', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'doudi-bank-'));
		try {
			const r = spawnSync(DOUDI, ['payroll', 'bank-files', '--db', db.target, '--batch', String(dibao), '--out', dir, '--as', 'finance1'], { encoding: 'utf8' });
			assert.equal(r.status, 2, 'a bank without a template is an error');
			assert.match(r.stderr, /中国工商银行/);
			const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
			assert.deepEqual(lines.map((l) => l.bank_code).sort(), ['cqrcb', 'psbc']);
			const csv = readFileSync(path.join(dir, `payroll-${dibao}-cqrcb.csv`));
			assert.match(new TextDecoder('gb18030').decode(csv), /6217000000000006/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test('a return file: paid, failed, unknown and unreadable rows; the same file again changes nothing', async () => {
		const file = gb(
			[
				'重庆农村商业银行代发回盘',
				'银行账号,金额（元）,处理结果,失败原因,银行流水号',
				'6217000000000001,600.00,成功,,R001',
				'6217000000000002,450.50,成功,,R002',
				'6217000000000006,520.00,失败,账户已销户,R003',
				'6217999999999999,100.00,成功,,R004',
				'6217000000000001,600.01,成功,,R005',
				'6217000000000001,600.00,待定,,R006',
				'',
			].join('\r\n'),
		);
		let r = await upload(u.auditor1, `/api/v1/payroll/batches/${dibao}/returns`, file);
		assert.equal(r.status, 403);
		r = await upload(u.finance1, `/api/v1/payroll/batches/${dibao}/returns?file_name=rcb-return.csv`, file);
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.bank_code, 'cqrcb');
		assert.equal(r.body.paid, 2);
		assert.equal(r.body.returned, 1);
		assert.equal(r.body.rejected_count, 3);
		assert.deepEqual(
			r.body.rejected.map((x) => [x.line, x.code]),
			[
				[6, 'UNKNOWN'],
				[7, 'UNKNOWN'],
				[8, 'BAD_ROW'],
			],
		);
		const states = () => sql(db.target, `SELECT person_id || ':' || state || ':' || COALESCE(bank_ref, '') || ':' || COALESCE(return_reason, '') FROM payments WHERE batch_id = ${dibao} ORDER BY person_id`);
		const after1 = states();
		assert.equal(after1, ['1:paid:R001:', '2:paid:R002:', '4:exported::', '5:exported::', '6:returned:R003:账户已销户'].join('\n'));
		r = await upload(u.finance1, `/api/v1/payroll/batches/${dibao}/returns?file_name=again.csv`, file);
		assert.equal(r.status, 200);
		assert.equal(r.body.duplicate, true);
		assert.equal(states(), after1);
		assert.equal(Number(sql(db.target, `SELECT count(*) FROM bank_returns WHERE batch_id = ${dibao}`)), 1);
		// a later file naming a row already answered: rejected, nothing changes
		r = await upload(u.finance1, `/api/v1/payroll/batches/${dibao}/returns`, gb('银行账号,金额（元）,处理结果\r\n6217000000000001,600.00,失败\r\n'));
		assert.equal(r.status, 201);
		assert.equal(r.body.paid + r.body.returned, 0);
		assert.equal(r.body.rejected[0].code, 'ALREADY_ANSWERED');
		assert.equal(states(), after1);
		// a file with no title row of any template
		r = await upload(u.finance1, `/api/v1/payroll/batches/${dibao}/returns`, Buffer.from('a,b,c\n1,2,3\n'));
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'file');
	});

	test('reconcile waits for every exported payment; the report adds up; then reconcile succeeds', async () => {
		let r = await act(u.finance1, dibao, 'reconcile');
		assert.equal(r.status, 422);
		assert.equal(r.body.error.code, 'PAYMENTS_PENDING');
		// the other two banks answer (psbc in UTF-8; icbc after it gets a template)
		r = await upload(u.finance1, `/api/v1/payroll/batches/${dibao}/returns`, Buffer.from('账号,金额,处理结果,失败原因,交易流水号\n6221000000000004,380.00,成功,,P1\n'));
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.bank_code, 'psbc');
		assert.equal(r.body.paid, 1);
		r = await put(u.county1, '/api/v1/payroll/bank-templates/icbc', {
			bank_name: ICBC,
			columns: [
				{ title: '姓名', field: 'name' },
				{ title: '卡号', field: 'account' },
				{ title: '金额', field: 'amount' },
			],
			return_columns: { account: '卡号', amount: '金额', result: '结果' },
		});
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.encoding, 'gb18030');
		// this one through the command line
		const dir = mkdtempSync(path.join(tmpdir(), 'doudi-return-'));
		try {
			const f = path.join(dir, 'icbc-return.csv');
			writeFileSync(f, gb('卡号,金额,结果\n6222000000000005,500,成功\n'));
			const args = ['payroll', 'return', '--db', db.target, '--batch', String(dibao), '--bank', 'icbc', '--as', 'finance1', f];
			const c = spawnSync(DOUDI, args, { encoding: 'utf8' });
			assert.equal(c.status, 0, c.stderr);
			const out = JSON.parse(c.stdout);
			assert.equal(out.paid, 1);
			assert.equal(out.exported_left, 0);
			const again = spawnSync(DOUDI, args, { encoding: 'utf8' });
			assert.equal(again.status, 0, again.stderr);
			assert.equal(JSON.parse(again.stdout).duplicate, true);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		r = await get(u.auditor1, `/api/v1/payroll/batches/${dibao}/reconciliation`);
		assert.equal(r.status, 200);
		assert.equal(r.body.can_reconcile, true);
		const byState = Object.fromEntries(r.body.by_state.map((s) => [s.state, s]));
		for (const s of ['paid', 'returned']) {
			const [n, sum] = sql(db.target, `SELECT count(*), sum(amount) FROM payments WHERE batch_id = ${dibao} AND state = '${s}'`).split('|');
			assert.equal(byState[s].count, Number(n));
			assert.equal(fen(byState[s].total), Number(sum));
		}
		assert.equal(byState.paid.count, 4);
		const rcb = r.body.by_bank.find((b) => b.bank_name === RCB);
		assert.equal(rcb.paid_count, 2);
		assert.equal(fen(rcb.returned_total), 52000);
		assert.equal(r.body.returns.length, 4);
		r = await act(u.county1, dibao, 'reconcile');
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.state, 'reconciled');
	});

	test('re-issue: the returned payment is listed, paid again to the current account in a reissue batch, once', async () => {
		sql(db.target, "UPDATE persons SET bank_account = '6217000000000099' WHERE id = 6");
		let r = await get(u.county1, `/api/v1/payroll/reissues?region=${COUNTY}`);
		assert.equal(r.status, 200);
		assert.equal(r.body.total, 1);
		const item = r.body.items[0];
		assert.equal(item.person_id, 6);
		assert.equal(item.return_reason, '账户已销户');
		assert.equal(item.account_changed, true);
		assert.equal(item.current_bank_account, '****0099');
		assert.equal(item.id_number, sql(db.target, 'SELECT id_number FROM persons WHERE id = 6').replace(/^(.{6}).{8}/, '$1********'));
		r = await post(u.finance1, '/api/v1/payroll/reissues', { payment_ids: [item.id] });
		assert.equal(r.status, 403);
		r = await post(u.county1, '/api/v1/payroll/reissues', { payment_ids: ['x'] });
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'payment_ids[0]');
		const paid = Number(sql(db.target, `SELECT id FROM payments WHERE batch_id = ${dibao} AND person_id = 1`));
		r = await post(u.county1, '/api/v1/payroll/reissues', { payment_ids: [paid] });
		assert.equal(r.status, 422);
		assert.equal(r.body.error.field, 'payment_ids[0]');
		r = await post(u.county1, '/api/v1/payroll/reissues', { payment_ids: [item.id] });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		assert.equal(r.body.kind, 'reissue');
		assert.equal(r.body.state, 'draft');
		assert.equal(r.body.payments_count, 1);
		assert.equal(fen(r.body.total), 52000);
		assert.equal(
			sql(db.target, `SELECT reissue_of || ':' || bank_account || ':' || state || ':' || period FROM payments WHERE batch_id = ${r.body.id}`),
			`${item.id}:6217000000000099:pending:2026-01`,
		);
		assert.equal(sql(db.target, `SELECT state FROM payments WHERE id = ${item.id}`), 'reissued');
		r = await get(u.county1, `/api/v1/payroll/reissues?region=${COUNTY}`);
		assert.equal(r.body.total, 0);
		r = await post(u.county1, '/api/v1/payroll/reissues', { payment_ids: [item.id] });
		assert.equal(r.status, 422, 'a payment is re-issued once');
	});
});

describe('fund ledger', () => {
	test('allocations: finance only, validated, audited', async () => {
		let r = await post(u.county1, '/api/v1/funds/allocations', { region: COUNTY, programme: 'dibao', period: '2026-01', amount: '3000.00' });
		assert.equal(r.status, 403);
		for (const [body, field] of [
			[{ region: '5001', programme: 'dibao', period: '2026-01', amount: '1.00' }, 'region'],
			[{ region: COUNTY, programme: 'bonus', period: '2026-01', amount: '1.00' }, 'programme'],
			[{ region: COUNTY, programme: 'dibao', period: '2026-13', amount: '1.00' }, 'period'],
			[{ region: COUNTY, programme: 'dibao', period: '2026-01', amount: '1.001' }, 'amount'],
			[{ region: COUNTY, programme: 'dibao', period: '2026-01', amount: '-5' }, 'amount'],
		]) {
			r = await post(u.finance1, '/api/v1/funds/allocations', body);
			assert.equal(r.status, 400, JSON.stringify(body));
			assert.equal(r.body.error.field, field);
		}
		r = await post(u.finance2, '/api/v1/funds/allocations', { region: COUNTY, programme: 'dibao', period: '2026-01', amount: '1.00' });
		assert.equal(r.status, 403, 'another county');
		for (const [programme, period, amount] of [
			['dibao', '2026-01', '2000.00'],
			['dibao', '2026-01', '1000.55'],
			['tekun', '2026-01', '1500.00'],
			['dibao', '2026-02', '2500.00'],
			['children', '2026-02', '800.00'],
		]) {
			r = await post(u.finance1, '/api/v1/funds/allocations', { region: COUNTY, programme, period, amount, document: '开财社〔2026〕1号' });
			assert.equal(r.status, 201, JSON.stringify(r.body));
		}
		assert.equal(Number(sql(db.target, "SELECT count(*) FROM audit_log WHERE action = 'funds.allocate'")), 5);
	});

	test('the ledger equals sums taken independently from the store', async () => {
		let r = await get(u.auditor1, `/api/v1/funds/ledger?region=${COUNTY}&year=2026`);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.region_name, '开州区');
		const want = {};
		const slot = (p, m) => (want[`${p}:${m}`] ??= { allocated: 0, paid: 0, returned: 0, pending: 0 });
		for (const l of sql(db.target, `SELECT programme, period, sum(amount) FROM fund_allocations WHERE region_code = '${COUNTY}' GROUP BY programme, period`).split('\n')) {
			const [p, m, s] = l.split('|');
			slot(p, m).allocated = Number(s);
		}
		for (const l of sql(db.target, `SELECT programme, period, state, sum(amount) FROM payments WHERE region_code LIKE '${COUNTY}%' GROUP BY programme, period, state`).split('\n')) {
			const [p, m, st, s] = l.split('|');
			const w = slot(p, m);
			if (st === 'paid') w.paid += Number(s);
			else if (st === 'returned' || st === 'reissued') w.returned += Number(s);
			else if (st === 'pending' || st === 'exported') w.pending += Number(s);
		}
		assert.equal(r.body.items.length, Object.keys(want).length);
		for (const it of r.body.items) {
			const w = want[`${it.programme}:${it.period}`];
			assert.ok(w, `${it.programme} ${it.period}`);
			assert.equal(fen(it.allocated), w.allocated);
			assert.equal(fen(it.paid), w.paid);
			assert.equal(fen(it.returned), w.returned);
			assert.equal(fen(it.pending), w.pending);
			assert.equal(fen(it.balance), w.allocated - w.paid);
		}
		const jan = r.body.items.find((i) => i.programme === 'dibao' && i.period === '2026-01');
		assert.equal(fen(jan.paid), 60000 + 45050 + 38000 + 50000);
		assert.equal(fen(jan.returned), 52000);
		assert.equal(fen(jan.pending), 52000, 'the re-issue waits');
		assert.equal(fen(r.body.total.allocated), 300055 + 150000 + 250000 + 80000);
		assert.ok(r.body.items.some((i) => i.programme === 'children' && i.period === '2026-02'), 'the children programme has its line');
		assert.deepEqual(
			r.body.reserve_funds.map((f) => [f.region, f.balance, f.drawn_total]),
			[['500154001', '700.00', '250.00']],
		);
		r = await get(u.finance2, `/api/v1/funds/ledger?region=${COUNTY}&year=2026`);
		assert.equal(r.status, 404);
		r = await get(u.auditor1, `/api/v1/funds/ledger?region=${COUNTY}&year=26`);
		assert.equal(r.status, 400);
		assert.equal(r.body.error.field, 'year');
	});

	test('the XLSX report has Chinese headers and money as numbers', async () => {
		const r = await download(u.finance1, `/api/v1/funds/ledger.xlsx?region=${COUNTY}&year=2026`);
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		const rows = sheetRows(xlsxPart(r.bytes, 'xl/worksheets/sheet1.xml'));
		assert.equal(rows[0][0], '开州区2026年社会救助资金台账');
		assert.deepEqual(rows[1], ['项目', '月份', '下达资金（元）', '已发放（元）', '银行退回（元）', '待发放（元）', '结余（元）']);
		const jan = rows.find((row) => row[0] === '最低生活保障' && row[1] === '2026-01');
		assert.deepEqual(jan.slice(2).map(Number), [3000.55, 1930.5, 520, 520, 3000.55 - 1930.5].map((v) => Math.round(v * 100) / 100));
		const total = rows.find((row) => row[0] === '合计');
		assert.equal(Math.round(Number(total[2]) * 100), 300055 + 150000 + 250000 + 80000);
		assert.ok(rows.some((row) => row[0] === '孤儿和事实无人抚养儿童基本生活保障' && row[1] === '2026-02'), 'the children line, named');
		const styles = xlsxPart(r.bytes, 'xl/styles.xml');
		assert.match(styles, /formatCode="0\.00"/);
		const reserves = sheetRows(xlsxPart(r.bytes, 'xl/worksheets/sheet2.xml'));
		assert.deepEqual(reserves[1].slice(1).map(String), ['500154001', '1000', '250', '50', '700']);
	});
});
