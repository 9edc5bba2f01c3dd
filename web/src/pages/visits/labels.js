// Labels of visits, care agreements and the centralised-support register
// (the API's codes → Chinese).
export const GROUPS = {
	tekun_dispersed: '分散供养特困',
	elderly_alone: '独居老人',
	severe_disability: '重病重残',
};
export const HEALTH = { good: '良好', fair: '一般', poor: '较差' };
export const RESULTS = { normal: '正常', attention: '需关注', urgent: '需紧急处理' };
export const RELATIONS = { relative: '亲属', neighbour: '邻居', village: '村（居）干部', organisation: '服务机构', other: '其他' };
export const CARE_LEVELS = { full: '全自理', partial: '半护理', none: '全护理' };
export const CARE_STATES = {
	active: '履行中',
	needs_replacement: '需更换照料人',
	ended: '已终止',
	expired: '已到期',
};
export const CARE_STATE_TAGS = { active: 'success', needs_replacement: 'danger', ended: 'info', expired: 'warning' };
export const CR_STATES = { requested: '待安置', placed: '已集中供养', withdrawn: '已撤回' };
export const CR_STATE_TAGS = { requested: 'warning', placed: 'success', withdrawn: 'info' };
export const PHOTO_MAX = 2 * 1024 * 1024;
