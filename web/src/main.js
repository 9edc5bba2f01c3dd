// main.js - the SPA's entry: Vue, pinia, the router, Element Plus's Chinese
// locale (through ElConfigProvider in App.vue) and the answer to a lost session.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import router from './router';
import { setUnauthorizedHandler } from './api';
import { useAuthStore } from './stores/auth';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(router);

// 401 (or a CSRF refusal) from any call: back to the login page, then here again.
setUnauthorizedHandler(() => {
	useAuthStore(pinia).clear();
	const cur = router.currentRoute.value;
	if (cur.path === '/login' || cur.matched.some((r) => r.meta && r.meta.public)) return;
	router.replace({ path: '/login', query: { next: cur.fullPath, expired: '1' } });
});

app.mount('#app');
