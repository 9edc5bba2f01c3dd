// The Chinese name of a policy parameter's group (the part of its name
// before the first dot: assets.houses_max → 财产状况), for the policy page
// and the demo-value banner.
export const GROUPS = {
	income: '收入核算',
	exit: '低保退出与渐退',
	marginal: '低保边缘家庭',
	single_person: '单人保',
	dibao: '低保标准与待遇',
	assets: '财产状况',
	tekun: '特困人员',
	temp: '临时救助',
	children: '孤儿与事实无人抚养儿童',
	subsidy: '一次性生活补贴',
	price: '价格临时补贴',
	procedure: '审核确认程序时限',
	review: '动态管理与复核',
	work: '就业要求',
	hotline: '12345热线工单',
};

export const group = (name) => GROUPS[String(name).split('.')[0]] || '其他';
