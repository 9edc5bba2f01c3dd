// 预警处置: the alerts of data matching (issue 7): the list with its filters
// and one alert with the steps (核实, 处置, 办结).
import { markRaw } from 'vue';
import { Bell } from '@element-plus/icons-vue';

const ROLES = ['village', 'township', 'county', 'finance', 'city', 'auditor'];

export default [
	{
		path: '/alerts',
		component: () => import('../../pages/monitor/AlertListPage.vue'),
		meta: { title: '预警处置', menu: '预警处置', icon: markRaw(Bell), order: 28, roles: ROLES },
	},
	{
		path: '/alerts/:id(\\d+)',
		component: () => import('../../pages/monitor/AlertPage.vue'),
		meta: { title: '预警详情', parent: { title: '预警处置', to: '/alerts' }, roles: ROLES },
	},
];
