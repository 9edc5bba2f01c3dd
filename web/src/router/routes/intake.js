// 受理申请: the intake wizard (household facts → live assessment with its
// trace → register the household and submit the application).
import { markRaw } from 'vue';
import { EditPen } from '@element-plus/icons-vue';

export default [
	{
		path: '/intake',
		component: () => import('../../pages/intake/IntakePage.vue'),
		meta: { title: '受理申请', menu: '受理申请', icon: markRaw(EditPen), order: 15, roles: ['village', 'township'] },
	},
];
