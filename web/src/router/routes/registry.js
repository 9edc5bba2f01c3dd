// 家庭档案: the household registry (search list, detail with the audited reveal).
import { markRaw } from 'vue';
import { House } from '@element-plus/icons-vue';

export default [
	{
		path: '/households',
		component: () => import('../../pages/registry/HouseholdListPage.vue'),
		meta: { title: '家庭档案', menu: '家庭档案', icon: markRaw(House), order: 10 },
	},
	{
		path: '/households/:id(\\d+)',
		component: () => import('../../pages/registry/HouseholdPage.vue'),
		meta: { title: '家庭详情', parent: { title: '家庭档案', to: '/households' } },
	},
];
