// router/index.js - the routes of the SPA (history mode), collected from
// router/routes/*.js: each file exports an array of route records for one
// page group (see routes/README.md). meta.layout picks the frame:
//   'staff' (default)  inside StaffLayout (menu, top bar), login required
//   'public'           inside PublicLayout (the citizen portal), no login
//   'bare'             on its own (the login page)
// meta: { title, roles, menu, icon, order, public, group }.
import { createRouter, createWebHistory } from 'vue-router';
import { mayHaveSession } from '../api';
import { useAuthStore } from '../stores/auth';

const APP_TITLE = '社会救助信息系统';

const modules = import.meta.glob('./routes/*.js', { eager: true });
const records = Object.keys(modules)
	.sort()
	.flatMap((k) => modules[k].default || []);

const layoutOf = (r) => (r.meta && r.meta.layout) || 'staff';
const staff = records.filter((r) => layoutOf(r) === 'staff');
const pub = records.filter((r) => layoutOf(r) === 'public');
const bare = records.filter((r) => layoutOf(r) === 'bare');

// public pages are routes of their own layout; their records carry
// meta.public so the guard lets anonymous visitors in.
for (const r of pub) r.meta = { ...r.meta, public: true };

const routes = [
	...bare,
	{
		path: '/',
		component: () => import('../layouts/StaffLayout.vue'),
		children: [{ path: '', redirect: '/workbench' }, ...staff],
	},
	...(pub.length
		? [
				{
					path: '/apply',
					component: () => import('../layouts/PublicLayout.vue'),
					meta: { public: true },
					children: pub,
				},
			]
		: []),
	{
		path: '/:rest(.*)*',
		component: () => import('../pages/NotFoundPage.vue'),
		meta: { title: '页面不存在', public: true, layout: 'bare' },
	},
];

// The staff pages that appear in the left menu, in menu order.
export const menuRoutes = staff
	.filter((r) => r.meta && r.meta.menu)
	.sort((a, b) => (a.meta.order ?? 100) - (b.meta.order ?? 100));

// A department user (部门经办人, a receiving office's staff) has no region,
// and the child roles (儿童主任, 儿童督导员) see their area's children only:
// they get only the pages that name them, and those meant for everyone
// (meta.everyone: the workbench, "not allowed").
const NAMED_ONLY = ['department', 'child_director', 'child_supervisor'];
export function allowed(route, role) {
	const meta = route.meta || {};
	const roles = meta.roles;
	if (NAMED_ONLY.includes(role) && meta.title && !meta.everyone) return !!roles && roles.includes(role);
	return !roles || roles.includes(role);
}

const router = createRouter({
	history: createWebHistory(),
	routes,
	scrollBehavior: () => ({ top: 0 }),
});

// Where to go after the login: a path of this site (?next=), else the workbench.
export function safeNext(next) {
	if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login'))
		return '/workbench';
	return next;
}

router.beforeEach(async (to) => {
	const isPublic = to.matched.some((r) => r.meta && r.meta.public);
	const auth = useAuthStore();
	// A browser that never logged in is not asked for its session (no 401
	// in the console); after a reload or in a new tab GET /me answers the
	// user and the session's CSRF token.
	if (!auth.checked && !isPublic && mayHaveSession()) {
		try {
			await auth.me();
		} catch {
			/* the server could not be reached: treated as logged out */
		}
	}
	if (to.path === '/login') {
		if (!auth.loggedIn) return true;
		return safeNext(to.query.next);
	}
	if (isPublic) return true;
	if (!auth.loggedIn) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
	if (!to.matched.every((r) => allowed(r, auth.role))) return { path: '/forbidden', query: { from: to.fullPath } };
	return true;
});

router.afterEach((to) => {
	const t = [...to.matched].reverse().find((r) => r.meta && r.meta.title);
	document.title = t ? `${t.meta.title} - ${APP_TITLE}` : APP_TITLE;
});

export default router;
