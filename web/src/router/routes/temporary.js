// 临时救助: temporary assistance cases (first aid, tiered approval, staged
// payments) and the township reserve funds (备用金).
import { markRaw } from 'vue';
import { FirstAidKit, Wallet } from '@element-plus/icons-vue';

const ROLES = ['village', 'township', 'county', 'finance', 'city', 'auditor'];

export default [
	{
		path: '/temporary',
		component: () => import('../../pages/temporary/TemporaryListPage.vue'),
		meta: { title: '临时救助', menu: '临时救助', icon: markRaw(FirstAidKit), order: 30, roles: ROLES },
	},
	{
		path: '/temporary/:id(\\d+)',
		component: () => import('../../pages/temporary/TemporaryCasePage.vue'),
		meta: { title: '临时救助案件', parent: { title: '临时救助', to: '/temporary' }, roles: ROLES },
	},
	{
		path: '/reserve-funds',
		component: () => import('../../pages/temporary/ReserveFundsPage.vue'),
		meta: { title: '备用金', menu: '临时救助备用金', icon: markRaw(Wallet), order: 35, roles: ROLES },
	},
];
