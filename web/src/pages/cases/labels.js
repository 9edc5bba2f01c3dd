// The Chinese words of casework codes that format.js does not hold: the
// actions of the procedure (docs/casework.md), kinds, channels and the
// determinations of the assessment.
export const ACTIONS = {
	create: '提交申请',
	accept: '受理',
	verify: '家庭经济状况核对',
	investigate: '入户调查',
	waive_investigation: '免于入户调查（疫情期间）',
	review: '乡镇审核',
	publish_notice: '公示',
	approve: '审批确认',
	reject: '不予批准',
	withdraw: '撤回申请',
};

export const KINDS = { new: '新申请', review: '定期复核', change: '变更', exit: '退出' };

export const CHANNELS = { counter: '窗口受理', online: '网上申请', visit: '入户走访', hotline: '热线电话', referral: '部门转介' };

export const DETERMINATIONS = {
	dibao: '符合低保条件',
	dibao_gradual_exit: '低保渐退',
	marginal: '低保边缘家庭',
	none: '不符合条件',
};

// Case states in the order of the procedure (the list's filter).
export const CASE_STATES = [
	'submitted',
	'accepted',
	'verified',
	'investigated',
	'reviewed',
	'in_notice',
	'approved',
	'rejected',
	'withdrawn',
];
