// 用户管理 and 审计日志: staff accounts (admin; county for its own region)
// and the audit trail (auditor and admin, as the API allows).
import { markRaw } from 'vue';
import { Document, User } from '@element-plus/icons-vue';

export default [
	{
		path: '/users',
		component: () => import('../../pages/admin/UsersPage.vue'),
		meta: { title: '用户管理', menu: '用户管理', icon: markRaw(User), order: 80, roles: ['admin', 'county'] },
	},
	{
		path: '/audit',
		component: () => import('../../pages/admin/AuditPage.vue'),
		meta: { title: '审计日志', menu: '审计日志', icon: markRaw(Document), order: 90, roles: ['auditor', 'admin'] },
	},
];
