// stores/regions.js - the names of region codes for the lists (a village
// shown as "白鹤街道 李家社区" instead of 500154001003), resolved in the
// browser from GET /api/v1/regions?parent=… and kept for the session: one
// request per county and per township met, however many rows and pages.
//
// A township is looked up among its county's children, a village among its
// township's, and a township's children are asked for only once the township
// is known, so codes outside the region table (townships and villages that
// came with the register only) cost no 404: they are shown as codes.
import { defineStore } from 'pinia';
import { get } from '../api';

const pending = new Map(); // parent code → Promise of its children's load

export const useRegionStore = defineStore('regions', {
	state: () => ({
		names: {}, // code (6, 9 or 12 digits) → its own name
		areas: {}, // code → 'urban' | 'rural' (villages: 社区 / 村), when the table says
		kids: {}, // parent code → [child codes] (loaded parents only)
	}),
	getters: {
		// The name to show for code: the township and village names for a
		// village, the township's for a township; the code when unknown.
		label: (s) => (code) => {
			if (typeof code !== 'string' || !code) return '';
			const own = s.names[code];
			if (!own) return code;
			if (code.length === 12 && s.names[code.slice(0, 9)]) return `${s.names[code.slice(0, 9)]} ${own}`;
			return own;
		},
	},
	actions: {
		// Loads the children of parent once (a failure is remembered too:
		// the codes stay codes).
		children(parent) {
			if (!pending.has(parent)) {
				pending.set(
					parent,
					get('/regions', { parent }, { auth: false })
						.then((r) => {
							const add = {};
							const area = {};
							const items = (r && r.items) || [];
							for (const it of items) {
								add[it.code] = it.name;
								if (it.area) area[it.code] = it.area;
							}
							this.names = { ...this.names, ...add };
							this.areas = { ...this.areas, ...area };
							this.kids = { ...this.kids, [parent]: items.map((it) => it.code) };
						})
						.catch(() => {
							this.kids = { ...this.kids, [parent]: [] };
						}),
				);
			}
			return pending.get(parent);
		},
		// Resolves the names of codes (townships and villages): the county's
		// children first, then the children of each township found.
		async resolve(codes) {
			const wanted = [...new Set((codes || []).filter((c) => typeof c === 'string' && /^\d{9}(\d{3})?$/.test(c)))];
			if (!wanted.length) return;
			const counties = [...new Set(wanted.map((c) => c.slice(0, 6)))];
			await Promise.all(counties.map((c) => this.children(c)));
			const towns = [...new Set(wanted.filter((c) => c.length === 12).map((c) => c.slice(0, 9)))];
			await Promise.all(towns.filter((t) => this.names[t]).map((t) => this.children(t)));
		},
		clear() {
			pending.clear();
			this.names = {};
			this.areas = {};
			this.kids = {};
		},
	},
});
