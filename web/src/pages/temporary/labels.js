// The Chinese words of temporary assistance (the server's src/core/temporary.c
// uses the same ones in cause_label and tier_label).
export const CAUSES = {
	fire: '火灾',
	natural_disaster: '自然灾害',
	accident: '意外事故',
	illness: '突发重大疾病',
	epidemic: '疫情影响',
	unemployment: '失业无收入来源',
	stranded: '临时遇困外来人员',
	other_emergency: '其他急难情形',
	medical: '医疗支出',
	education: '教育支出',
	basic_living: '基本生活支出',
	other_expenditure: '其他刚性支出',
};
export const EMERGENCY = ['fire', 'natural_disaster', 'accident', 'illness', 'epidemic', 'unemployment', 'stranded', 'other_emergency'];
export const CASE_KINDS = { emergency: '急难型', expenditure: '支出型' };
export const SEVERITIES = { general: '一般', serious: '较重', grave: '严重' };
export const TIERS = {
	first_aid: '先行救助（村、乡镇可先行发放）',
	township: '乡镇（街道）审批',
	county: '区县民政局审批',
	case_by_case: '区县民政局一事一议',
};
export const ACTIONS = {
	first_aid: '先行救助',
	paperwork: '补充说明',
	approve: '审批',
	reject: '不予批准',
	pay_stage: '分阶段发放',
	create: '登记',
	submit: '登记',
};
export const ENTRY_KINDS = { advance: '下拨', replenish: '回补', draw: '支取', return: '退回' };
// Who may post which kind of reserve-fund entry (the server checks it again).
export const ENTRY_ROLES = {
	advance: ['county', 'finance'],
	replenish: ['county', 'finance'],
	draw: ['township'],
	return: ['township', 'county', 'finance'],
};
// Two decimals at most, positive: the form of a money amount the API takes.
export const MONEY_RE = /^\d{1,10}(\.\d{1,2})?$/;
