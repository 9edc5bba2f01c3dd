// tests/api/lib.mjs - shared by the API tests: a fresh store made by
// `doudi init` (SQLite in a temporary directory, or a new database on the
// PostgreSQL server of tests/pg.sh when DOUDI_TEST_PG is set), a real
// `doudi serve` on a free port, raw HTTP for what fetch will not send.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const DOUDI = path.resolve(process.env.DOUDI || 'build/test/doudi');
export const ADMIN_PASSWORD = 'Admin-Pass-2024';
const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';
let dbSeq = 0;

export function freshDb(name) {
	const pg = process.env.DOUDI_TEST_PG;
	if (pg) {
		const db = `api_${name}_${process.pid}_${++dbSeq}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
		const r = spawnSync(`${PGBIN}/psql`, [process.env.DOUDI_TEST_PG_ADMIN, '-qAt', '-c', `CREATE DATABASE ${db}`]);
		if (r.status !== 0) throw new Error(`CREATE DATABASE failed: ${r.stderr}`);
		return { target: pg.replace('/doudi_test?', `/${db}?`), name: db, cleanup() {} };
	}
	const dir = mkdtempSync(path.join(tmpdir(), 'doudi-api-'));
	return { target: path.join(dir, 'doudi.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function init(target) {
	const r = spawnSync(DOUDI, ['init', '--db', target, '--admin-password-file', '-'], { input: ADMIN_PASSWORD });
	if (r.status !== 0) throw new Error(`doudi init failed (${r.status}): ${r.stderr}`);
}

// Starts `doudi serve --port 0` and resolves once it logs its address. It
// runs in the temporary directory, so a web/dist built in the repository
// (served by default) does not change what the API tests see.
export function startServer(target, args = []) {
	return new Promise((resolve, reject) => {
		const proc = spawn(DOUDI, ['serve', '--db', target, '--port', '0', ...args], {
			stdio: ['ignore', 'ignore', 'pipe'],
			cwd: tmpdir(),
		});
		let log = '';
		let started = false;
		const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
		proc.stderr.setEncoding('utf8');
		proc.stderr.on('data', (chunk) => {
			log += chunk;
			const m = !started && log.match(/listening on (http:\/\/\S+)/);
			if (m) {
				started = true;
				resolve({
					url: m[1],
					proc,
					exited,
					log: () => log,
					async stop() {
						if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
						return exited;
					},
				});
			}
		});
		proc.on('exit', (code) => {
			if (!started) reject(new Error(`doudi serve exited (${code}) before listening:\n${log}`));
		});
	});
}

// fetch with JSON in and out; returns { status, headers, body (parsed or text) }.
export async function call(base, method, p, { body, cookie, csrf, raw } = {}) {
	const headers = {};
	if (cookie) headers.cookie = cookie;
	if (csrf) headers['x-csrf-token'] = csrf;
	let payload;
	if (raw !== undefined) payload = raw;
	else if (body !== undefined) {
		payload = JSON.stringify(body);
		headers['content-type'] = 'application/json';
	}
	const res = await fetch(base + p, { method, headers, body: payload });
	const text = await res.text();
	let parsed = text;
	try {
		parsed = text ? JSON.parse(text) : null;
	} catch {
		/* keep the text */
	}
	return { status: res.status, headers: res.headers, body: parsed };
}

// Logs in; returns { cookie, csrf, user, res }.
export async function login(base, username, password) {
	const res = await call(base, 'POST', '/api/v1/session', { body: { username, password } });
	const set = res.headers.get('set-cookie') || '';
	const cookie = set.split(';')[0];
	return { res, cookie, csrf: res.body && res.body.csrf, user: res.body && res.body.user };
}

// Sends bytes over a plain socket and resolves with the raw answer (until
// the server closes or `until` matches).
export function rawRequest(url, bytes, { until } = {}) {
	const u = new URL(url);
	return new Promise((resolve, reject) => {
		const sock = net.connect(Number(u.port), u.hostname, () => sock.write(bytes));
		let data = '';
		sock.setEncoding('utf8');
		sock.on('data', (d) => {
			data += d;
			if (until && until.test(data)) sock.end();
		});
		sock.on('end', () => resolve(data));
		sock.on('close', () => resolve(data));
		sock.on('error', reject);
	});
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// One SQL query straight into the store (sqlite3 or psql); returns the text.
export function sql(target, query) {
	const r = process.env.DOUDI_TEST_PG
		? spawnSync(`${PGBIN}/psql`, [target, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' })
		: spawnSync('sqlite3', [target, query], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`sql failed: ${r.stderr}`);
	return r.stdout.trim();
}

// `doudi audit verify`: the chain must be whole.
export function auditIntact(target) {
	const r = spawnSync(DOUDI, ['audit', 'verify', '--db', target], { encoding: 'utf8' });
	return r.status === 0;
}

// An 18-character ID number: the 17 digits given and their check character.
export function idnum(seventeen) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(seventeen[i]) * w[i];
	return seventeen + '10X98765432'[s % 11];
}

// Creates an account as admin (a session from login) and logs it in.
export async function makeUser(base, admin, username, role, region, password) {
	const r = await call(base, 'POST', '/api/v1/users', {
		body: { username, password, role, region, name: '测试' },
		cookie: admin.cookie,
		csrf: admin.csrf,
	});
	if (r.status !== 201) throw new Error(`creating ${username}: ${r.status} ${JSON.stringify(r.body)}`);
	return login(base, username, password);
}
