// The labels of referrals between departments (转办转介, issue 9); the
// server's codes are in src/service/referral.c.
export const REFERRAL_STATES = {
	sent: '待签收',
	accepted: '办理中',
	answered: '已答复',
	closed: '已办结',
	returned: '已退回',
	cancelled: '已撤回',
};
export const REFERRAL_STATE_TAGS = {
	sent: 'danger',
	accepted: 'warning',
	answered: 'primary',
	closed: 'info',
	returned: 'danger',
	cancelled: 'info',
};
export const OUTCOMES = { assisted: '已给予帮扶', not_eligible: '不符合条件', transferred: '已转其他渠道', other: '其他' };
export const OFFICE_KINDS = {
	medical: '医疗救助',
	education: '教育救助',
	housing: '住房救助',
	employment: '就业救助',
	disability: '残疾人帮扶',
	charity: '慈善帮扶',
	other: '其他',
};
export const REFERRAL_EVENTS = { create: '发出转介', accept: '签收', answer: '答复', return: '退回', close: '办结', cancel: '撤回' };
// who may refer a case (the server checks again)
export const SENDER_ROLES = ['village', 'township', 'county'];
export const referralState = (s) => REFERRAL_STATES[s] || s || '—';
export const outcome = (o) => OUTCOMES[o] || o || '—';
