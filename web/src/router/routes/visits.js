// 走访探视 (issue 8): who must be visited and recording visits, care
// agreements of dispersed tekun persons, the centralised-support register.
import { markRaw } from 'vue';
import { Location, Handbag, OfficeBuilding } from '@element-plus/icons-vue';

const ROLES = ['village', 'township', 'county', 'city', 'auditor'];

export default [
	{
		path: '/visits',
		component: () => import('../../pages/visits/VisitDuePage.vue'),
		meta: { title: '走访探视', menu: '走访探视', icon: markRaw(Location), order: 50, roles: ROLES },
	},
	{
		path: '/care-agreements',
		component: () => import('../../pages/visits/CareListPage.vue'),
		meta: { title: '照料服务协议', menu: '照料服务协议', icon: markRaw(Handbag), order: 51, roles: ROLES },
	},
	{
		path: '/centralised-support',
		component: () => import('../../pages/visits/CentralisedPage.vue'),
		meta: { title: '集中供养意愿登记', menu: '集中供养登记', icon: markRaw(OfficeBuilding), order: 52, roles: ROLES },
	},
];
