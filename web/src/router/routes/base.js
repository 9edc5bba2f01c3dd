// The pages every staff user has: login, the workbench, "not allowed".
import { markRaw } from 'vue';
import { Odometer } from '@element-plus/icons-vue';

export default [
	{
		path: '/login',
		component: () => import('../../pages/LoginPage.vue'),
		meta: { title: '登录', layout: 'bare', public: true },
	},
	{
		path: '/workbench',
		component: () => import('../../pages/WorkbenchPage.vue'),
		meta: { title: '工作台', menu: '工作台', icon: markRaw(Odometer), order: 0, everyone: true },
	},
	{
		path: '/forbidden',
		component: () => import('../../pages/ForbiddenPage.vue'),
		meta: { title: '无权访问', everyone: true },
	},
];
