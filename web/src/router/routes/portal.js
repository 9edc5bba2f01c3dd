// 网上申请: the citizen portal (no login, PublicLayout): the application form
// and the status lookup by tracking number and ID number.
export default [
	{
		path: '/apply',
		component: () => import('../../pages/portal/ApplyPage.vue'),
		meta: { title: '社会救助网上申请', layout: 'public' },
	},
	{
		path: '/apply/status',
		component: () => import('../../pages/portal/StatusPage.vue'),
		meta: { title: '申请进度查询', layout: 'public' },
	},
];
