// 转办转介: referrals between departments (issue 9): the list (the sender's
// region, or a department user's office) and one referral with its actions.
import { markRaw } from 'vue';
import { Share } from '@element-plus/icons-vue';

// the sending side and the receiving offices' staff (部门经办人)
const ROLES = ['village', 'township', 'county', 'city', 'auditor', 'department'];

export default [
	{
		path: '/referrals',
		component: () => import('../../pages/referrals/ReferralListPage.vue'),
		meta: { title: '转办转介', menu: '转办转介', icon: markRaw(Share), order: 31, roles: ROLES },
	},
	{
		path: '/referrals/:id(\\d+)',
		component: () => import('../../pages/referrals/ReferralPage.vue'),
		meta: { title: '转介详情', parent: { title: '转办转介', to: '/referrals' }, roles: ROLES },
	},
];
