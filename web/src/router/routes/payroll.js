// 发放管理: the monthly payroll batches (generate, checks, approval, bank
// files, reconciliation) and the county fund ledger (资金台账).
import { markRaw } from 'vue';
import { Money, Notebook } from '@element-plus/icons-vue';

const ROLES = ['county', 'finance', 'city', 'auditor', 'admin'];

export default [
	{
		path: '/payroll',
		component: () => import('../../pages/payroll/PayrollListPage.vue'),
		meta: { title: '发放管理', menu: '发放管理', icon: markRaw(Money), order: 40, roles: ROLES },
	},
	{
		path: '/payroll/:id(\\d+)',
		component: () => import('../../pages/payroll/PayrollBatchPage.vue'),
		meta: { title: '发放批次', parent: { title: '发放管理', to: '/payroll' }, roles: ROLES },
	},
	{
		path: '/funds',
		component: () => import('../../pages/payroll/FundLedgerPage.vue'),
		meta: { title: '资金台账', menu: '资金台账', icon: markRaw(Notebook), order: 42, roles: ROLES },
	},
];
