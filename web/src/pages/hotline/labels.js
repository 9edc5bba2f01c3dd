// The labels of the 12345 hotline work orders (12345工单, issue 8); the
// server's codes are in src/service/hotline.c.
export const CATEGORIES = {
	dibao: '低保',
	tekun: '特困供养',
	temporary: '临时救助',
	marginal: '低保边缘',
	complaint: '投诉举报',
	consultation: '政策咨询',
	other: '其他',
};
export const CHANNELS = { phone: '电话', web: '网站', wechat: '微信', letter: '来信', visit: '来访' };
export const ORDER_STATES = { received: '待签收', accepted: '办理中', replied: '已答复', closed: '已办结', returned: '已退回' };
export const ORDER_STATE_TAGS = { received: 'danger', accepted: 'warning', replied: 'primary', closed: 'info', returned: 'danger' };
export const EVENTS = { create: '登记', accept: '签收', reply: '答复', convert: '转办', close: '办结', return: '退回', reassign: '改派' };
export const OVERDUE_KINDS = { response: '签收逾期', close: '办结逾期' };
export const CONVERTED_TO = { temporary: '临时救助', application: '救助申请' };

export const category = (c) => CATEGORIES[c] || c || '—';
