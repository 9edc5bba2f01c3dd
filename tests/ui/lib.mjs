// tests/ui/lib.mjs - shared by the browser tests: a fresh store (tests/api/lib.mjs)
// with a small generated county register imported, a real `doudi serve`, the
// built web/dist in front of it, users made by role through the API, and
// headless chromium (Debian's, driven by playwright-core from web/node_modules)
// whose pages record every console error, page error and failed request.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, DOUDI, call, freshDb, init, login, startServer } from '../api/lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(ROOT, 'web/dist');
// issue 5 §5: one screenshot per main page, kept out of git (.gitignore)
export const SHOTS = path.join(ROOT, 'tests/e2e/screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const COUNTY = '500154';
export const PASSWORD = 'Ui-Test-Pass-2026';
const { chromium } = createRequire(path.join(ROOT, 'web/package.json'))('playwright-core');

// Imports a generated register of `households` households in COUNTY.
function importHouseholds(target, dir, households) {
	const csv = path.join(dir, 'households.csv');
	let r = spawnSync('python3', [path.join(ROOT, 'bench/gen_import_csv.py'), '--seed', '5', '--households',
		String(households), '--county', COUNTY, '--out', csv, '--quiet'], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`gen_import_csv failed: ${r.stderr}`);
	r = spawnSync(DOUDI, ['import', 'households', '--db', target, csv], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`doudi import failed (${r.status}): ${r.stderr}`);
	return csv;
}

// A fresh store with `households` imported, the server (`doudi serve --web
// web/dist`: the UI and the API on one port) and a browser. Returns
// { url (the web), api (doudi, the same), db, users, browser, page(), stop() }.
export async function startUi({ households = 40 } = {}) {
	if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is missing: run `make web` first');
	const db = freshDb('ui');
	init(db.target);
	const dir = path.dirname(db.target);
	const csv = households ? importHouseholds(db.target, dir, households) : null;
	const server = await startServer(db.target, ['--web', WEB_DIST]);
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
	mkdirSync(SHOTS, { recursive: true });
	const ctx = {
		url: server.url,
		api: server.url,
		db,
		csv,
		browser,
		server,
		async stop() {
			await browser.close();
			await server.stop();
			db.cleanup();
		},
	};
	return ctx;
}

let userSeq = 0;
// Creates a user of `role` in `region` through the API as the bootstrap
// admin; returns { username, password, name, role, region }.
export async function createUser(api, role, region, name, extra = {}) {
	const admin = await login(api, 'admin', ADMIN_PASSWORD);
	if (admin.res.status !== 200) throw new Error(`admin login: ${admin.res.status}`);
	const username = `${role}${++userSeq}_${process.pid}`;
	const body = { username, password: PASSWORD, role, region, name: name || `测试${role}`, ...extra };
	const r = await call(api, 'POST', '/api/v1/users', { body, cookie: admin.cookie, csrf: admin.csrf });
	if (r.status !== 201) throw new Error(`create user: ${r.status} ${JSON.stringify(r.body)}`);
	await call(api, 'DELETE', '/api/v1/session', { cookie: admin.cookie, csrf: admin.csrf });
	return { ...body };
}

// A new page (own context: own cookies and sessionStorage) that records
// problems: console errors, uncaught page errors, failed requests and HTTP
// answers ≥ 400. Chromium also logs each answer ≥ 400 as a console error
// ("Failed to load resource"); those are checked through `responses`
// instead, so a test can expect a 401 without hiding other console errors.
export async function openPage(ctx) {
	const context = await ctx.browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 800 } });
	const page = await context.newPage();
	const problems = { console: [], pageErrors: [], failed: [], responses: [] };
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		if (/^Failed to load resource: the server responded with a status of \d+/.test(m.text())) return;
		problems.console.push(m.text());
	});
	page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
	page.on('requestfailed', (r) => {
		const f = r.failure();
		// a navigation that replaces a pending request aborts it: not a failure of the app
		if (f && /ERR_ABORTED/.test(f.errorText)) return;
		problems.failed.push(`${r.method()} ${r.url()} ${f ? f.errorText : ''}`);
	});
	page.on('response', (r) => {
		if (r.status() >= 400) problems.responses.push({ status: r.status(), method: r.request().method(), path: new URL(r.url()).pathname });
	});
	page.problems = problems;
	page.closeAll = () => context.close();
	return page;
}

// Fails unless the page stayed clean: no console error, no page error, no
// failed request, and every answer ≥ 400 listed in `allow`
// ([{status, path: RegExp}]).
export function assertClean(page, allow = []) {
	const p = page.problems;
	const unexpected = p.responses.filter((r) => !allow.some((a) => a.status === r.status && a.path.test(r.path)));
	const msg = [];
	if (p.console.length) msg.push(`console errors:\n  ${p.console.join('\n  ')}`);
	if (p.pageErrors.length) msg.push(`page errors:\n  ${p.pageErrors.join('\n  ')}`);
	if (p.failed.length) msg.push(`failed requests:\n  ${p.failed.join('\n  ')}`);
	if (unexpected.length) msg.push(`unexpected answers:\n  ${unexpected.map((r) => `${r.status} ${r.method} ${r.path}`).join('\n  ')}`);
	if (msg.length) throw new Error(msg.join('\n'));
}

// Endpoints of the UI contract that other work adds to the server, allowed
// to answer 404 until they are there (none now: kept for the tests that pass it).
export const NOT_YET = [];

export async function screenshot(page, name) {
	await page.evaluate(() => document.fonts.ready);
	await page.waitForTimeout(300); // Element Plus's enter transitions
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Logs in through the form and waits for the page after the login.
export async function loginAs(page, ctx, user) {
	await page.goto(`${ctx.url}/login`);
	await page.getByLabel('用户名').fill(user.username);
	await page.getByLabel('密码').fill(user.password);
	await page.getByRole('button', { name: '登 录' }).click();
}

// The township (9-digit code) of the first household of the generated register.
export function firstTownship(csv) {
	const r = spawnSync('sed', ['-n', '2p', csv], { encoding: 'utf8' });
	const region = r.stdout.split(',')[1];
	return region.slice(0, 9);
}
