// tests/api/static.test.mjs - the static files of `doudi serve --web DIR`
// on a temporary web directory (not the real UI): types, caching, the
// single-page fallback, gzip, traversal refused, the API untouched, and no
// web directory at all.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import { call, freshDb, init, rawRequest, startServer } from './lib.mjs';

let db, srv, base, web, outside;
const INDEX = '<!doctype html><html><body><div id="app"></div><script type="module" src="/assets/app-3f2a.js"></script></body></html>';
const APP_JS = 'console.log("doudi");'.repeat(50);

before(async () => {
	db = freshDb('static');
	init(db.target);
	web = mkdtempSync(path.join(tmpdir(), 'doudi-web-'));
	outside = mkdtempSync(path.join(tmpdir(), 'doudi-outside-'));
	mkdirSync(path.join(web, 'assets'));
	writeFileSync(path.join(web, 'index.html'), INDEX);
	writeFileSync(path.join(web, 'assets', 'app-3f2a.js'), APP_JS);
	writeFileSync(path.join(web, 'assets', 'app-3f2a.js.gz'), gzipSync(APP_JS));
	writeFileSync(path.join(web, 'assets', 'style-99.css'), 'body{margin:0}');
	writeFileSync(path.join(web, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
	writeFileSync(path.join(web, 'assets', 'font.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
	writeFileSync(path.join(web, 'assets', 'app-3f2a.js.map'), '{"version":3}');
	writeFileSync(path.join(web, 'favicon.ico'), Buffer.from([0, 0, 1, 0]));
	writeFileSync(path.join(web, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
	writeFileSync(path.join(web, 'manifest.json'), '{}');
	writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET');
	symlinkSync(path.join(outside, 'secret.txt'), path.join(web, 'leak.txt'));
	symlinkSync(outside, path.join(web, 'out'));
	srv = await startServer(db.target, ['--web', web]);
	base = srv.url;
});

after(async () => {
	const { code } = await srv.stop();
	db.cleanup();
	rmSync(web, { recursive: true, force: true });
	rmSync(outside, { recursive: true, force: true });
	assert.equal(code, 0);
});

async function get(p, headers = {}) {
	const res = await fetch(base + p, { headers });
	return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('static files', () => {
	test('the index: html, no-cache, CSP, nosniff', async () => {
		for (const p of ['/', '/index.html']) {
			const r = await get(p);
			assert.equal(r.status, 200, p);
			assert.equal(r.text, INDEX);
			assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
			assert.equal(r.headers.get('cache-control'), 'no-cache');
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
			const csp = r.headers.get('content-security-policy');
			assert.match(csp, /script-src 'self'(;|$)/);
			assert.match(csp, /style-src 'self' 'unsafe-inline'/);
			assert.match(csp, /frame-ancestors 'none'/);
		}
	});

	test('content types; /assets/ immutable for a year, other files no-cache', async () => {
		const want = {
			'/assets/app-3f2a.js': 'text/javascript; charset=utf-8',
			'/assets/style-99.css': 'text/css; charset=utf-8',
			'/assets/logo.svg': 'image/svg+xml; charset=utf-8',
			'/assets/font.woff2': 'font/woff2',
			'/assets/app-3f2a.js.map': 'application/json; charset=utf-8',
			'/favicon.ico': 'image/x-icon',
			'/logo.png': 'image/png',
			'/manifest.json': 'application/json; charset=utf-8',
		};
		for (const [p, type] of Object.entries(want)) {
			const r = await get(p, { 'accept-encoding': 'identity' });
			assert.equal(r.status, 200, p);
			assert.equal(r.headers.get('content-type'), type, p);
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
			assert.equal(r.headers.get('content-security-policy'), null, p);
			assert.equal(
				r.headers.get('cache-control'),
				p.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
				p,
			);
		}
		const js = await get('/assets/app-3f2a.js', { 'accept-encoding': 'identity' });
		assert.equal(js.text, APP_JS);
		assert.equal(js.headers.get('content-encoding'), null);
	});

	test('gzip when accepted and FILE.gz exists, with Vary', async () => {
		const raw = await rawRequest(
			base,
			'GET /assets/app-3f2a.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n',
		);
		assert.match(raw, /^HTTP\/1\.1 200 /);
		assert.match(raw, /\r\ncontent-encoding: gzip\r\n/i);
		assert.match(raw, /\r\nvary: accept-encoding\r\n/i);
		assert.match(raw, new RegExp(`\\r\\ncontent-length: ${gzipSync(APP_JS).length}\\r\\n`, 'i'));
		// fetch decodes it
		const r = await get('/assets/app-3f2a.js', { 'accept-encoding': 'gzip' });
		assert.equal(r.text, APP_JS);
		const no = await rawRequest(
			base,
			'GET /assets/app-3f2a.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=0\r\nConnection: close\r\n\r\n',
		);
		assert.doesNotMatch(no, /content-encoding/i);
		assert.match(no, new RegExp(`\\r\\ncontent-length: ${APP_JS.length}\\r\\n`, 'i'));
	});

	test('the single-page fallback: routes get index.html; HEAD works', async () => {
		for (const p of ['/apply', '/apply/status', '/households/12', '/workbench?x=1', '/assets/missing.js']) {
			const r = await get(p);
			assert.equal(r.status, 200, p);
			assert.equal(r.text, INDEX, p);
			assert.equal(r.headers.get('cache-control'), 'no-cache', p);
			assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', p);
		}
		const h = await fetch(base + '/apply', { method: 'HEAD' });
		assert.equal(h.status, 200);
		assert.equal(h.headers.get('content-length'), String(INDEX.length));
		assert.equal(await h.text(), '');
	});

	test('the API and /healthz are not files', async () => {
		const h = await call(base, 'GET', '/healthz');
		assert.deepEqual(h.body, { status: 'ok' });
		for (const p of ['/api/v1/nope', '/api', '/api/']) {
			const r = await call(base, 'GET', p);
			assert.equal(r.status, 404, p);
			assert.equal(r.body.error.code, 'NOT_FOUND', p);
		}
		const me = await call(base, 'GET', '/api/v1/me');
		assert.equal(me.status, 401);
		// a POST outside the API is not a file either
		const post = await call(base, 'POST', '/index.html', { raw: 'x' });
		assert.equal(post.status, 404);
	});

	test('traversal, encoded slashes, NUL and symlinks out are refused', async () => {
		for (const p of [
			'/../../etc/passwd',
			'/%2e%2e/%2e%2e/etc/passwd',
			'/assets/..%2f..%2fetc%2fpasswd',
			'/assets%2fapp-3f2a.js',
			'/index.html%00.png',
			'/a%5c..%5cindex.html',
			'/./index.html',
			'//index.html',
		]) {
			const raw = await rawRequest(base, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
			assert.match(raw, /^HTTP\/1\.1 404 /, p);
			assert.doesNotMatch(raw, /root:|TOP-SECRET|<!doctype/, p);
		}
		for (const p of ['/leak.txt', '/out/secret.txt']) {
			const r = await get(p);
			assert.doesNotMatch(r.text, /TOP-SECRET/, p);
			assert.equal(r.text, INDEX, p); // no such file inside: the fallback
		}
	});
});

describe('no web directory', () => {
	test('the API only; a missing --web directory stops the start', async () => {
		const d = freshDb('static_none');
		init(d.target);
		const s = await startServer(d.target);
		try {
			const r = await call(s.url, 'GET', '/');
			assert.equal(r.status, 404);
			assert.equal(r.body.error.code, 'NOT_FOUND');
			assert.match(s.log(), /web: no web directory/);
		} finally {
			await s.stop();
		}
		await assert.rejects(startServer(d.target, ['--web', path.join(tmpdir(), 'no-such-doudi-web')]), /not a readable directory/);
		d.cleanup();
	});
});
