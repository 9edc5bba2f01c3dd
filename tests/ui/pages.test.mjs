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

async function visit(page, p, shot, problems, regionNamed) {
	await page.goto(`${ctx.url}${p}`);
	await page.waitForLoadState('networkidle');
	await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'));
	const { text, codes } = await mainText(page);
	const allowed = new Set(latinRuns(codes));
	const words = latinRuns(text).filter((w) => !allowed.has(w));
	if (words.length) problems.push(`${p}: ${[...new Set(words)].join(' ')}`);
	if (regionNamed) {
		// the region by its name (stores/regions.js), not its code
		const named = page.locator('[data-test=region-name]').first();
		await page.waitForFunction((el) => /[\u4e00-\u9fff]/.test(el.innerText), await named.elementHandle());
	}
	await screenshot(page, shot);
}

const PAGES = {
	township01: () => [
		['/workbench', 'township-workbench'],
		['/households', 'township-households'],
		[`/households/${ids.household}`, 'township-household', true],
		['/intake', 'township-intake'],
		['/cases', 'township-cases'],
		[`/cases/${ids.case}`, 'township-case', true],
		['/queue', 'township-queue'],
		['/temporary', 'township-temporary'],
		[`/temporary/${ids.temporary}`, 'township-temporary-case', true],
		['/reserve-funds', 'township-reserve-funds'],
		['/hotline', 'township-hotline'],
		['/online-applications', 'township-online'],
		[`/online-applications/${ids.online}`, 'township-online-application', true],
		['/policy', 'township-policy'],
	],
	county: () => [
		['/workbench', 'county-workbench'],
		['/queue', 'county-queue'],
		['/cases', 'county-cases'],
		['/hotline', 'county-hotline'],
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
		for (const [p, shot, regionNamed] of pages()) await visit(page, p, shot, problems, regionNamed);
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

// The month after the demo's (its decisions have no end): not generated yet.
function nextMonth() {
	const d = new Date(Date.now() + 8 * 3600 * 1000); // China time, as the server
	const m = d.getUTCMonth() + 2;
	return m > 12 ? `${d.getUTCFullYear() + 1}-01` : `${d.getUTCFullYear()}-${String(m).padStart(2, '0')}`;
}

test('payroll: the county generates a month and checks it, finance approves, the auditor only looks', async () => {
	const period = nextMonth();
	const county = await openPage(ctx);
	await loginAs(county, ctx, user('county'));
	await county.waitForURL(/\/workbench$/);
	await county.locator('.el-menu-item', { hasText: '发放管理' }).click();
	await county.waitForURL(/\/payroll$/);
	await county.locator('[data-test=generate]').click();
	const dlg = county.locator('[data-test=generate-dialog]');
	const picker = dlg.getByLabel('生成月份');
	await picker.fill(period);
	await picker.press('Enter');
	await dlg.getByText('最低生活保障', { exact: true }).click();
	await county.locator('[data-test=generate-submit]').click();
	// one new batch: its page opens
	await county.waitForURL(/\/payroll\/\d+$/);
	const batchId = Number(county.url().match(/(\d+)$/)[1]);
	const head = county.locator('.page-title').first();
	await head.filter({ hasText: `${Number(period.slice(0, 4))}年${Number(period.slice(5))}月` }).waitFor();
	assert.match(await head.innerText(), /最低生活保障/);
	assert.equal(await county.locator('[data-test=batch-region]').innerText(), '开州区');
	assert.match(await county.locator('[data-test=batch-state]').innerText(), /草稿/);
	assert.match(await county.locator('[data-test=batch-total]').innerText(), /^¥[\d,]+\.\d{2}$/);
	// the payments, accounts masked (or none on file): never a whole account number
	const accts = await county.locator('[data-test=payments] [data-test=account]').allInnerTexts();
	assert.ok(accts.length > 0);
	for (const a of accts) assert.ok(a === '—' || (/\*/.test(a) && !/\d{12}/.test(a)), a);
	await county.locator('[data-test=run-checks]').click();
	await county.getByText(/核查完成/).waitFor();
	// the demo's dibao batch has findings (amounts above the programme's limit)
	await county.locator('[data-test=findings] [data-test=finding-state]').first().waitFor();
	assert.deepEqual(latinRuns(await county.locator('[data-test=findings]').innerText()), []);
	// resolve every open finding: override with a reason
	for (;;) {
		const btn = county.locator('[data-test=finding-override]').first();
		if (!(await btn.count())) break;
		await btn.click();
		const box = county.locator('.el-message-box');
		await box.locator('input').fill('经核实，情况属实，照常发放');
		await box.getByRole('button', { name: '确定' }).click();
		await box.waitFor({ state: 'hidden' });
		await county.getByText('已确认照常发放').last().waitFor();
		await county.waitForLoadState('networkidle');
	}
	await screenshot(county, 'county-payroll-checks');
	await county.locator('[data-test=action-check]').click();
	await county.locator('[data-test=batch-state]', { hasText: '已核对' }).waitFor();
	assert.equal(await county.locator('[data-test=action-approve]').count(), 0, 'the county does not approve');
	assertClean(county);
	await county.closeAll();

	const finance = await openPage(ctx);
	await loginAs(finance, ctx, user('finance'));
	await finance.waitForURL(/\/workbench$/);
	await finance.goto(`${ctx.url}/payroll?period=${period}`);
	await finance.locator(`[data-test=batches] a[href="/payroll/${batchId}"]`).click();
	await finance.waitForURL(new RegExp(`/payroll/${batchId}$`));
	assert.equal(await finance.locator('[data-test=run-checks]').count(), 0);
	await finance.locator('[data-test=action-approve]').click();
	await finance.locator('[data-test=batch-state]', { hasText: '已审核' }).waitFor();
	await finance.locator('[data-test=action-export]').waitFor();
	await screenshot(finance, 'finance-payroll-approved');
	assertClean(finance);
	await finance.closeAll();

	const auditor = await openPage(ctx);
	await loginAs(auditor, ctx, user('auditor'));
	await auditor.waitForURL(/\/workbench$/);
	await auditor.goto(`${ctx.url}/payroll`);
	await auditor.locator(`[data-test=batches] a[href="/payroll/${batchId}"]`).waitFor();
	assert.equal(await auditor.locator('[data-test=generate]').count(), 0, 'no generate button for the auditor');
	await auditor.goto(`${ctx.url}/payroll/${batchId}`);
	await auditor.locator('[data-test=no-actions]').waitFor();
	assert.equal(await auditor.locator('[data-test=actions] button').count(), 0);
	assert.match(await auditor.locator('[data-test=batch-state]').innerText(), /已审核/);
	await screenshot(auditor, 'auditor-payroll-batch');
	assertClean(auditor);
	await auditor.closeAll();
});
