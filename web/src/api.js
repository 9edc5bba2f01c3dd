// api.js - the one way the pages talk to `doudi serve`: JSON in and out,
// the session cookie (same origin), the CSRF token on every change, errors
// as Error objects carrying the server's code, field and Chinese message.
//
//   import { get, post, patch, del } from '@/api';
//   const page = await get('/households', { q: '张', page: 1, per_page: 20 });
//
// Paths are relative to /api/v1 (a path starting with /api/ or /healthz is
// taken as it is).

const BASE = '/api/v1';
const HINT_KEY = 'doudi.session';

let csrf = '';
let onUnauthorized = null;

// Keeps the CSRF token of the session in memory: login answers it, and GET
// /me answers it again after a reload or in a new tab (the cookie is the
// same), so it is never written to storage; setCsrf('') forgets it.
// localStorage keeps only a hint that this browser logged in (shared by
// its tabs), so a visitor who never logged in is not asked GET /me.
export function setCsrf(token) {
	csrf = token || '';
	try {
		if (csrf) localStorage.setItem(HINT_KEY, '1');
		else localStorage.removeItem(HINT_KEY);
	} catch {
		/* storage disabled: every new page asks for a login */
	}
}

export function hasCsrf() {
	return csrf !== '';
}

// True when this tab holds the token or the browser logged in earlier (a
// reloaded page, a new tab): then GET /me is worth asking.
export function mayHaveSession() {
	if (csrf) return true;
	try {
		return localStorage.getItem(HINT_KEY) === '1';
	} catch {
		return false;
	}
}

// fn(error) is called when the server says the session is gone (401, or a
// CSRF refusal because this tab has no token): main.js sends the user to
// /login?next=….
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

// An error of the API: message in Chinese for people, code and field for
// programs; status the HTTP status (0 when the server could not be reached).
export class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.field = field || '';
	}
}

const STATUS_TEXT = {
	400: '请求内容有误',
	401: '尚未登录或登录已过期，请重新登录',
	403: '没有权限进行此操作',
	404: '未找到相应记录',
	409: '记录已被他人修改，请刷新后重试',
	413: '提交的内容过大',
	422: '不符合业务规则，无法办理',
	429: '尝试次数过多，请稍后再试',
	500: '服务器内部错误，请稍后再试',
	503: '服务暂不可用，请稍后再试',
};

function url(path, params) {
	let u = path.startsWith('/api/') || path === '/healthz' ? path : BASE + path;
	if (params) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(params)) {
			if (v === undefined || v === null || v === '') continue;
			q.append(k, String(v));
		}
		const s = q.toString();
		if (s) u += (u.includes('?') ? '&' : '?') + s;
	}
	return u;
}

async function request(method, path, { params, body, raw, auth = true } = {}) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, credentials: 'same-origin' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	} else if (raw !== undefined) {
		headers['Content-Type'] = raw.type || 'application/octet-stream';
		init.body = raw;
	}
	if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
	let res;
	try {
		res = await fetch(url(path, params), init);
	} catch {
		throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
	}
	const text = await res.text();
	let data = null;
	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = null;
		}
	}
	if (res.ok) return data;
	const e = data && data.error ? data.error : {};
	const err = new ApiError(
		res.status,
		e.code || `HTTP_${res.status}`,
		e.message || STATUS_TEXT[res.status] || `请求失败（${res.status}）`,
		e.field,
	);
	const lost = res.status === 401 || (res.status === 403 && err.code === 'CSRF');
	if (lost && auth) {
		setCsrf('');
		if (onUnauthorized) onUnauthorized(err);
	}
	throw err;
}

export const get = (path, params, opts = {}) => request('GET', path, { ...opts, params });
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => request('PATCH', path, { ...opts, body });
export const del = (path, opts = {}) => request('DELETE', path, opts);
// A file as the request body (a visit photo): its own Content-Type.
export const upload = (path, file, opts = {}) => request('POST', path, { ...opts, raw: file });
