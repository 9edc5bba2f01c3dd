// tests/api/server.test.mjs - the server itself: health, limits, routing,
// request ids, the log, address lockout and the graceful stop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { ADMIN_PASSWORD, call, freshDb, init, login, rawRequest, sleep, startServer } from './lib.mjs';

let db, srv, base;

before(async () => {
	db = freshDb('server');
	init(db.target);
	srv = await startServer(db.target);
	base = srv.url;
});

after(async () => {
	const { code } = await srv.stop();
	db.cleanup();
	assert.equal(code, 0);
});

describe('server', () => {
	test('GET /healthz', async () => {
		const r = await call(base, 'GET', '/healthz');
		assert.equal(r.status, 200);
		assert.deepEqual(r.body, { status: 'ok' });
		assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
	});

	test('unknown paths 404, wrong methods 405, both with the error body', async () => {
		for (const p of ['/', '/api/v1/nope', '/api/v1/me/', '/healthz/x', '/api/v2/me']) {
			const r = await call(base, 'GET', p);
			assert.equal(r.status, 404, p);
			assert.equal(r.body.error.code, 'NOT_FOUND');
			assert.equal(typeof r.body.error.message, 'string');
		}
		const m = await call(base, 'PUT', '/api/v1/session', { raw: '{}' });
		assert.equal(m.status, 405);
		assert.match(m.headers.get('allow'), /POST/);
		assert.equal(m.body.error.code, 'METHOD_NOT_ALLOWED');
	});

	test('path traversal is 404', async () => {
		for (const p of [
			'/api/v1/../healthz',
			'/api/v1/%2e%2e/healthz',
			'/../../etc/passwd',
			'/%2e%2e/%2e%2e/etc/passwd',
			'/api/v1/users/..%2f..%2fetc%2fpasswd',
			'/healthz/.',
			'//healthz',
		]) {
			const raw = await rawRequest(base, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
			assert.match(raw, /^HTTP\/1\.1 404 /, p);
			assert.match(raw, /"NOT_FOUND"/, p);
		}
	});

	test('a 20 MiB body is 413 and the server lives on', async () => {
		const big = new Uint8Array(20 * 1024 * 1024).fill(0x20);
		const r = await fetch(base + '/api/v1/session', { method: 'POST', body: big });
		assert.equal(r.status, 413);
		const body = await r.json();
		assert.equal(body.error.code, 'TOO_LARGE');
		// announced with Expect: 100-continue, answered before any body is sent
		const raw = await rawRequest(
			base,
			'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: 20971520\r\nExpect: 100-continue\r\n\r\n',
		);
		assert.match(raw, /^HTTP\/1\.1 413 /);
		// a length beyond 64 bits, and one beyond what is read and dropped
		for (const len of ['99999999999999999999999999', String(1024 ** 3)]) {
			const r2 = await rawRequest(base, `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: ${len}\r\n\r\n{}`);
			assert.match(r2, /^HTTP\/1\.1 4(00|13) /, len);
		}
		assert.equal((await call(base, 'GET', '/healthz')).status, 200);
		assert.equal((await login(base, 'admin', ADMIN_PASSWORD)).res.status, 200);
	});

	test('oversized headers are refused and the server lives on', async () => {
		const r = await fetch(base + '/healthz', { headers: { 'x-big': 'a'.repeat(100 * 1024) } }).catch(() => null);
		if (r) assert.ok(r.status >= 400, `status ${r.status}`);
		assert.equal((await call(base, 'GET', '/healthz')).status, 200);
	});

	test('the log has request ids and no secrets or query strings', async () => {
		await call(base, 'POST', '/api/v1/session', { body: { username: 'admin', password: 'Secret-In-Body-1' } });
		await call(base, 'GET', '/api/v1/me?q=500154198001010016');
		const r = await call(base, 'GET', '/healthz');
		await sleep(100);
		const log = srv.log();
		assert.ok(log.includes(`req=${r.headers.get('x-request-id')}`));
		assert.doesNotMatch(log, /Secret-In-Body|Admin-Pass|500154198001010016|doudi_session=/);
	});
});

describe('address lockout', () => {
	test('failures from one address under many names lock the address', async () => {
		const d = freshDb('iplock');
		init(d.target);
		const s = await startServer(d.target, ['--ip-max-failures', '3', '--max-failures', '10']);
		try {
			for (let i = 0; i < 3; i++) {
				const r = await call(s.url, 'POST', '/api/v1/session', { body: { username: `u${i}`, password: 'x' } });
				assert.equal(r.status, 401);
			}
			const r = await call(s.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: ADMIN_PASSWORD } });
			assert.equal(r.status, 429);
		} finally {
			assert.equal((await s.stop()).code, 0);
			d.cleanup();
		}
	});
});

describe('store down', { skip: !process.env.DOUDI_TEST_PG && 'PostgreSQL only' }, () => {
	test('healthz is 503 while the store is gone, the server lives on', async () => {
		const d = freshDb('down');
		init(d.target);
		const s = await startServer(d.target);
		try {
			assert.equal((await call(s.url, 'GET', '/healthz')).status, 200);
			const name = d.name;
			const pgbin = process.env.PGBIN || '/usr/lib/postgresql/15/bin';
			const r = spawnSync(`${pgbin}/psql`, [process.env.DOUDI_TEST_PG_ADMIN, '-qAt', '-c', `DROP DATABASE ${name} WITH (FORCE)`]);
			assert.equal(r.status, 0, String(r.stderr));
			for (let i = 0; i < 3; i++) {
				const h = await call(s.url, 'GET', '/healthz');
				assert.equal(h.status, 503);
				assert.equal(h.body.error.code, 'STORE_UNAVAILABLE');
			}
			const l = await call(s.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: ADMIN_PASSWORD } });
			assert.equal(l.status, 503);
			assert.doesNotMatch(s.log(), /postgresql:\/\//);
		} finally {
			assert.equal((await s.stop()).code, 0);
		}
	});
});

describe('graceful stop', () => {
	test('SIGTERM lets the request in flight finish, then exits 0', async () => {
		const d = freshDb('stop');
		init(d.target);
		const s = await startServer(d.target);
		try {
			const body = JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD });
			const half = Math.floor(body.length / 2);
			const u = new URL(s.url);
			const net = await import('node:net');
			const sock = net.connect(Number(u.port), u.hostname);
			await new Promise((r) => sock.on('connect', r));
			let answer = '';
			sock.setEncoding('utf8');
			sock.on('data', (x) => (answer += x));
			const closed = new Promise((r) => sock.on('close', r));
			sock.write(
				`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
					`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
					body.slice(0, half),
			);
			await sleep(300); // the server has the headers: the request is in flight
			s.proc.kill('SIGTERM');
			await sleep(300);
			assert.equal(s.proc.exitCode, null, 'still running while the request is in flight');
			sock.write(body.slice(half));
			await closed;
			assert.match(answer, /^HTTP\/1\.1 200 /);
			assert.match(answer, /"csrf"/);
			const { code } = await s.exited;
			assert.equal(code, 0);
			assert.match(s.log(), /stopped/);
		} finally {
			await s.stop();
			d.cleanup();
		}
	});
});

describe('a stopped server leaves one file', { skip: !!process.env.DOUDI_TEST_PG && 'SQLite only' }, () => {
	// Sixteen workers and eight password threads, each with its own connection,
	// exit together at the stop; SQLite folds the WAL in only on the close it
	// sees as the last, and threads closing at once can each see another open
	// (without the server's own fold, a sixth to a fifth of such stops left
	// the WAL). The server folds in what is left before it exits: a copy of
	// the database file alone (the demo's rename, a backup by cp) then holds
	// every commit.
	test('after SIGTERM no WAL is left beside the database, and every commit is in the file', async () => {
		const d = freshDb('wal');
		init(d.target);
		try {
			for (let round = 0; round < 10; round++) {
				const s = await startServer(d.target, ['--threads', '16']);
				// eight logins at once: each password thread stores a session on a connection of its own
				const logins = await Promise.all(Array.from({ length: 8 }, () => login(s.url, 'admin', ADMIN_PASSWORD)));
				for (const l of logins) assert.equal(l.res.status, 200);
				const a = logins[0];
				const name = `停止检查${round}`;
				const w = await call(s.url, 'POST', '/api/v1/users', {
					cookie: a.cookie,
					csrf: a.csrf,
					body: { username: `walcheck${round}`, password: 'Wal-Check-Pass-2026', role: 'county', region: '500154', name },
				});
				assert.equal(w.status, 201, JSON.stringify(w.body));
				// every worker reads the store, so each holds a connection when the stop comes
				const reads = await Promise.all(
					Array.from({ length: 128 }, () => call(s.url, 'GET', '/api/v1/me', { cookie: a.cookie })),
				);
				for (const r of reads) assert.equal(r.status, 200);
				s.proc.kill('SIGTERM');
				assert.equal((await s.exited).code, 0);
				assert.equal(existsSync(`${d.target}-wal`), false, `round ${round}: the WAL is left beside the file`);
				const q = spawnSync('sqlite3', ['-readonly', d.target, `SELECT name FROM users WHERE username = 'walcheck${round}'`], {
					encoding: 'utf8',
				});
				assert.equal(q.stdout.trim(), name, q.stderr);
			}
		} finally {
			d.cleanup();
		}
	});
});

describe('password hashing off the pool threads', () => {
	test('logins wait in their own queue; other requests are answered meanwhile; a stop answers the queue', async () => {
		const d = freshDb('slow');
		init(d.target);
		const s = await startServer(d.target, ['--threads', '2']);
		try {
			assert.match(s.log(), /password-threads=1/);
			// one password thread: eight logins take eight argon2id hashes (≥ 50 ms each) in a row
			let done = 0;
			const logins = Array.from({ length: 8 }, () =>
				login(s.url, 'admin', ADMIN_PASSWORD).then((r) => {
					done++;
					return r;
				}),
			);
			await sleep(20);
			for (const p of ['/healthz', '/healthz', '/api/v1/me']) {
				const r = await call(s.url, 'GET', p);
				assert.equal(r.status, p === '/healthz' ? 200 : 401);
			}
			// (on the pool threads they would wait behind most of the eight hashes)
			assert.ok(done <= 2, `answered while the logins were hashing (${done} of 8 through)`);
			for (const r of await Promise.all(logins)) assert.equal(r.res.status, 200);
			// logins still queued when the server is told to stop are answered, then it stops
			const late = Array.from({ length: 3 }, () => login(s.url, 'admin', ADMIN_PASSWORD));
			await sleep(20);
			s.proc.kill('SIGTERM');
			for (const r of await Promise.all(late)) assert.equal(r.res.status, 200);
			assert.equal((await s.exited).code, 0);
			assert.doesNotMatch(s.log(), /runtime error|AddressSanitizer|LeakSanitizer/);
		} finally {
			await s.stop();
			d.cleanup();
		}
	});
});
