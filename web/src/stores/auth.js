// stores/auth.js - who is logged in: the user, role and region (and the
// region's name when the server can give it), login, logout and me.
import { defineStore } from 'pinia';
import { ApiError, del, get, post, setCsrf } from '../api';

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
		async loadRegionName() {
			this.regionName = '';
			const code = this.region;
			if (!code) return;
			if (/^0+$/.test(code)) {
				this.regionName = '全国';
				return;
			}
			try {
				const r = await get(`/regions/${encodeURIComponent(code)}`, undefined, { auth: false });
				this.regionName = (r && r.name) || '';
			} catch {
				this.regionName = ''; // the region endpoint may be missing: the code is shown instead
			}
		},
		clear() {
			setCsrf('');
			this.user = null;
			this.regionName = '';
		},
	},
});
