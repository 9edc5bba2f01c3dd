// usePagedList: one list page's server-side pages. The filters, page and
// per_page live in the URL (?…&page=&per_page=); each change of the URL on the
// page's own path reloads the list from the API.
//   path      the page's route path ('/cases'): a change elsewhere does not load
//   endpoint  the API list ('/applications'), answering {items, total}
//   fromRoute(query)  copies the URL's filters into the page's form (optional)
//   params(query)     the API parameters besides page and per_page (optional)
// fromRoute and params run at once (the list loads during setup): declare what
// they use before calling.
import { computed, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { get } from '../api';

export function usePagedList(path, endpoint, { fromRoute = () => {}, params = () => ({}) } = {}) {
	const route = useRoute();
	const router = useRouter();
	const items = ref([]);
	const total = ref(0);
	const loading = ref(false);
	const error = ref('');
	const page = computed(() => Math.max(1, Number(route.query.page) || 1));
	const perPage = computed(() => Math.min(500, Math.max(1, Number(route.query.per_page) || 20)));

	async function load() {
		fromRoute(route.query);
		loading.value = true;
		error.value = '';
		try {
			const r = await get(endpoint, { ...params(route.query), page: page.value, per_page: perPage.value });
			items.value = r.items || [];
			total.value = r.total || 0;
		} catch (e) {
			items.value = [];
			total.value = 0;
			error.value = e.message;
		} finally {
			loading.value = false;
		}
	}
	watch(
		() => route.query,
		() => route.path === path && load(),
		{ immediate: true },
	);

	// Merges query into the URL; '', undefined and null remove a key.
	function go(query) {
		const next = { ...route.query, ...query };
		for (const k of Object.keys(next)) if (next[k] === '' || next[k] === undefined || next[k] === null) delete next[k];
		router.push({ path, query: next });
	}

	return { items, total, loading, error, page, perPage, load, go };
}
