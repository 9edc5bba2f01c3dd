// 12345工单: the 12345 hotline work orders (issue 8): the list with its
// filters and the create form, and one order with its steps (签收, 答复, 转办, 办结).
import { markRaw } from 'vue';
import { Phone } from '@element-plus/icons-vue';

// the orders belong to townships: a village sees none, finance has no part in them
const ROLES = ['township', 'county', 'city', 'auditor'];

export default [
	{
		path: '/hotline',
		component: () => import('../../pages/hotline/HotlineListPage.vue'),
		meta: { title: '12345工单', menu: '12345工单', icon: markRaw(Phone), order: 29, roles: ROLES },
	},
	{
		path: '/hotline/:id(\\d+)',
		component: () => import('../../pages/hotline/HotlineOrderPage.vue'),
		meta: { title: '12345工单详情', parent: { title: '12345工单', to: '/hotline' }, roles: ROLES },
	},
];
