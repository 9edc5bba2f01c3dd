// The words of household economic verification (家庭经济状况核对, issue 9);
// the server's codes are in src/service/verification.c and
// schema/021_verification.sql.
import { INCOME_TYPES, money } from '../../format';

export const VERIFICATION_STATES = { requested: '核对中', reported: '已出报告', adopted: '已采用', cancelled: '已撤销' };
export const VERIFICATION_STATE_TAGS = { requested: 'warning', reported: 'primary', adopted: 'success', cancelled: 'info' };
export const REQUEST_STATES = { sent: '待回复', answered: '已回复' };
export const ANSWER_CHANNELS = { file: '文件导入', api: '接口回复' };
export const AUTH_METHODS = { paper: '纸质授权书', online: '网上签署' };

// what a source may report (verification_sources.items), and 'none'
export const ITEMS = {
	...INCOME_TYPES,
	hukou: '户籍',
	vehicle: '机动车辆',
	house: '房产',
	enterprise: '工商登记企业',
	financial: '金融资产（存款等）',
	none: '无记录',
};
export const ASSETS = { financial: '金融资产（存款等）', vehicle: '机动车辆（辆）', house: '房产（套）' };
export const PERIODS = { month: '月', year: '年' };

export const DETERMINATIONS = {
	dibao: '最低生活保障',
	dibao_gradual_exit: '低保渐退',
	marginal: '低保边缘家庭',
	none: '不符合条件',
	single_person: '单人保',
	tekun: '特困人员救助供养',
};

export const SOURCE_NAMES = {
	public_security: '户籍、车辆',
	housing: '不动产登记',
	provident_fund: '住房公积金',
	social_insurance: '社会保险',
	market_regulation: '工商登记',
	tax: '纳税记录',
	bank: '存款',
};

export const item = (c) => ITEMS[c] || c || '—';
export const determination = (c) => DETERMINATIONS[c] || c || '—';
// yuan as the server writes it ("1500.00") → "1,500.00 元"
export function yuan(v) {
	if (v === null || v === undefined || v === '') return '—';
	return `${money(v).replace('¥', '')} 元`;
}
