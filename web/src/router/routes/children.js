// 儿童名册 and 监护照料应急 (issue 10): the children of the user's area, the
// guardianship and care emergencies and one case with its actions. The child
// roles (儿童主任, 儿童督导员) see these and the workbench only.
import { markRaw } from 'vue';
import { User, FirstAidKit } from '@element-plus/icons-vue';

const ROLES = ['village', 'township', 'county', 'child_director', 'child_supervisor'];

export default [
	{
		path: '/children',
		component: () => import('../../pages/children/ChildrenListPage.vue'),
		meta: { title: '儿童名册', menu: '儿童名册', icon: markRaw(User), order: 27, roles: ROLES },
	},
	{
		path: '/care-emergencies',
		component: () => import('../../pages/children/CareEmergencyListPage.vue'),
		meta: { title: '监护照料应急', menu: '监护照料应急', icon: markRaw(FirstAidKit), order: 28, roles: ROLES },
	},
	{
		path: '/care-emergencies/:id(\\d+)',
		component: () => import('../../pages/children/CareEmergencyPage.vue'),
		meta: { title: '应急事件详情', parent: { title: '监护照料应急', to: '/care-emergencies' }, roles: ROLES },
	},
];
