// 审批队列: the cases awaiting the user's step of the procedure (township:
// acceptance to public notice; county: verification and approval), by due
// date, overdue first.
import { markRaw } from 'vue';
import { Stamp } from '@element-plus/icons-vue';

export default [
	{
		path: '/queue',
		component: () => import('../../pages/cases/QueuePage.vue'),
		meta: { title: '审批队列', menu: '审批队列', icon: markRaw(Stamp), order: 18, roles: ['township', 'county'] },
	},
];
