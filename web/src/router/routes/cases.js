// 案件办理: the casework applications (list with filters, the case page with
// its timeline, deadlines, the actions the user may take and the decision's
// trace).
import { markRaw } from 'vue';
import { Tickets } from '@element-plus/icons-vue';

const ROLES = ['village', 'township', 'county', 'city', 'auditor'];

export default [
	{
		path: '/cases',
		component: () => import('../../pages/cases/CaseListPage.vue'),
		meta: { title: '案件办理', menu: '案件办理', icon: markRaw(Tickets), order: 20, roles: ROLES },
	},
	{
		path: '/cases/:id(\\d+)',
		component: () => import('../../pages/cases/CasePage.vue'),
		meta: { title: '案件详情', parent: { title: '案件办理', to: '/cases' }, roles: ROLES },
	},
];
