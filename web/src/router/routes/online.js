// 网上申请受理: the applications citizens sent through the portal, for the
// staff of the region to accept (household and case created) or refuse.
import { markRaw } from 'vue';
import { Message } from '@element-plus/icons-vue';

const ROLES = ['village', 'township', 'county'];

export default [
	{
		path: '/online-applications',
		component: () => import('../../pages/online/OnlineListPage.vue'),
		meta: { title: '网上申请受理', menu: '网上申请受理', icon: markRaw(Message), order: 25, roles: ROLES },
	},
	{
		path: '/online-applications/:id(\\d+)',
		component: () => import('../../pages/online/OnlinePage.vue'),
		meta: { title: '网上申请详情', parent: { title: '网上申请受理', to: '/online-applications' }, roles: ROLES },
	},
];
