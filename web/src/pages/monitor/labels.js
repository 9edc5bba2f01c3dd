// The labels of the alerts of data matching (预警处置, issue 7).
export const ALERT_KINDS = {
	death: '死亡',
	vehicle: '名下有机动车',
	business: '登记市场主体',
	employment: '就业参保',
	real_estate: '新增不动产',
	staff_relative: '干部职工近亲属',
	medical_expense: '自付医疗费用高',
	moved_out: '户籍迁出',
	cross_county: '跨区县重复享受',
	medical_hardship: '医疗支出型困难',
	rural_monitoring: '防止返贫监测对象',
	income_loss: '停保失业',
};

export const ALERT_STATES = { open: '待核实', verifying: '核实中', actioned: '已处置', closed: '已办结' };
export const ALERT_STATE_TAGS = { open: 'danger', verifying: 'warning', actioned: 'primary', closed: 'info' };

export const ALERT_ACTIONS = {
	review: '启动复核',
	suspend: '暂停发放',
	temporary: '给予临时救助',
	none: '不予处置',
};

export const SEVERITIES = { low: '低', normal: '中', high: '高' };

export const alertKind = (k) => ALERT_KINDS[k] || k || '—';

// The kinds of dataset other departments send (schema/016_monitor.sql).
export const DATASETS = {
	deaths: '死亡人员信息',
	social_insurance: '社会保险参保与就业信息',
	vehicles: '机动车登记信息',
	real_estate: '不动产登记信息',
	business: '市场主体登记信息',
	medical: '医疗费用结算信息',
	school: '在校学生信息',
	rural_monitoring: '防止返贫监测对象',
	staff_relatives: '干部职工近亲属备案',
	hukou_moves: '户籍迁移信息',
	assistance_roll: '其他区县救助对象名册',
};
