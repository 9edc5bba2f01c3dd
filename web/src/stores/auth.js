// stores/auth.js - who is logged in: the user, role and region (and the
// region's name when the server can give it), login, logout and me.
import { defineStore } from 'pinia';
import { ApiError, del, get, post, setCsrf } from '../api';
import { useRegionStore } from './regions';

export const useAuthStore = defineStore('auth', {
	state: () => ({
		user: null, // {id, username, name, role, region}
		regionName: '',
		checked: false, // GET /me has answered once (logged in or not)
	}),
	getters: {
		loggedIn: (s) => s.user !== null,
		role: (s) => (s.user ? s.user.role : ''),
		region: (s) => (s.user ? s.user.region : ''),
	},
	actions: {
		async login(username, password) {
			const r = await post('/session', { username, password }, { auth: false });
			setCsrf(r.csrf);
			this.user = r.user;
			this.checked = true;
			await this.loadRegionName();
			return r.user;
		},
		async logout() {
			try {
				await del('/session', { auth: false });
			} catch (e) {
				// an expired session is as good as a logout
				if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
			} finally {
				this.clear();
			}
		},
		// Asks the server who the cookie belongs to; false when nobody.
		async me() {
			try {
				const r = await get('/me', undefined, { auth: false });
				if (r.csrf) setCsrf(r.csrf); // the session's token again (a reload, a new tab)
				this.user = r.user || r;
				this.checked = true;
				await this.loadRegionName();
				return true;
			} catch (e) {
				this.checked = true;
				if (e instanceof ApiError && e.status === 401) {
					this.clear();
					return false;
				}
				throw e;
			}
		},
		// The name of the user's region (GET /api/v1/regions/…). The region
		// table may know only the counties (townships and villages come with
		// the register): the county is asked by code, a township or village
		// among its parent's children, so an unknown one costs no 404; what
		// is not found is shown by its code after the known names.
		async loadRegionName() {
			this.regionName = '';
			const code = this.region;
			if (!code) return;
			if (/^0+$/.test(code)) {
				this.regionName = '全国';
				return;
			}
			try {
				const county = await get(`/regions/${encodeURIComponent(code.slice(0, 6))}`, undefined, { auth: false });
				const names = [county && county.name].filter(Boolean);
				let parent = code.slice(0, 6);
				let known = true;
				for (const len of [9, 12]) {
					if (code.length < len) break;
					const part = code.slice(0, len);
					const kids = known ? await get('/regions', { parent }, { auth: false }) : null;
					const hit = kids && (kids.items || []).find((r) => r.code === part);
					known = !!hit;
					if (!hit) {
						names.push(code);
						break;
					}
					names.push(hit.name);
					parent = part;
				}
				this.regionName = names.join(' ');
			} catch {
				this.regionName = ''; // the code is shown instead
			}
		},
		clear() {
			setCsrf('');
			useRegionStore().clear();
			this.user = null;
			this.regionName = '';
		},
	},
});
