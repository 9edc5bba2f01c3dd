// 政策参数: the policy values in force (view for every staff role; new
// values with an effective date for county and admin, checked by the server).
import { markRaw } from 'vue';
import { SetUp } from '@element-plus/icons-vue';

export default [
	{
		path: '/policy',
		component: () => import('../../pages/policy/PolicyPage.vue'),
		meta: { title: '政策参数', menu: '政策参数', icon: markRaw(SetUp), order: 70 },
	},
];
