// 统计报表: the monthly statistics (built by the county, read by township and
// above) and the holiday relief campaigns (元旦春节走访慰问) with their tables.
import { markRaw } from 'vue';
import { DataAnalysis, Present } from '@element-plus/icons-vue';

const READERS = ['township', 'county', 'finance', 'city', 'auditor', 'admin'];

export default [
	{
		path: '/statistics',
		component: () => import('../../pages/reports/StatisticsPage.vue'),
		meta: { title: '月度统计', menu: '月度统计', icon: markRaw(DataAnalysis), order: 60, roles: READERS },
	},
	{
		path: '/campaigns',
		component: () => import('../../pages/reports/CampaignListPage.vue'),
		meta: { title: '走访慰问', menu: '走访慰问', icon: markRaw(Present), order: 62, roles: ['village', ...READERS] },
	},
	{
		path: '/campaigns/:id(\\d+)',
		component: () => import('../../pages/reports/CampaignPage.vue'),
		meta: { title: '走访慰问活动', parent: { title: '走访慰问', to: '/campaigns' }, roles: ['village', ...READERS] },
	},
];
