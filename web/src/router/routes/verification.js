// 家庭经济状况核对: household economic verification (issue 9): the
// verifications of the user's region with the overdue requests and the
// batch verification of a township, one verification with its requests,
// answers, findings and consolidated report, and one batch.
import { markRaw } from 'vue';
import { DocumentChecked } from '@element-plus/icons-vue';

// the server answers 403 to finance, city and admin (authz_verification_view)
const ROLES = ['village', 'township', 'county', 'auditor'];

export default [
	{
		path: '/verifications',
		component: () => import('../../pages/verification/VerificationListPage.vue'),
		meta: { title: '家庭经济状况核对', menu: '家庭经济状况核对', icon: markRaw(DocumentChecked), order: 22, roles: ROLES },
	},
	{
		path: '/verifications/:id(\\d+)',
		component: () => import('../../pages/verification/VerificationPage.vue'),
		meta: { title: '核对详情', parent: { title: '家庭经济状况核对', to: '/verifications' }, roles: ROLES },
	},
	{
		path: '/verification-batches/:id(\\d+)',
		component: () => import('../../pages/verification/VerificationBatchPage.vue'),
		meta: { title: '批量核对', parent: { title: '家庭经济状况核对', to: '/verifications' }, roles: ROLES },
	},
];
