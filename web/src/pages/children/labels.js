// The labels of the guardianship and care emergencies (监护照料应急, issue 10);
// the server's codes are in src/service/care_emergency.c.
export const SUBJECT_KINDS = { child: '儿童', elderly: '失能老年人', disabled: '重度残疾人' };
export const CHANNELS = { child_director: '儿童主任', visit: '走访发现', hotline: '12345热线', hospital: '医疗机构', other: '其他' };
export const REASONS = {
	guardian_hospitalised: '监护人住院治疗',
	guardian_quarantined: '监护人被隔离',
	guardian_deceased: '监护人死亡',
	guardian_detained: '监护人被羁押',
	carer_unable: '照料人无法照料',
	other: '其他',
};
export const EM_STATES = { open: '待落实照料', care_arranged: '已落实照料', closed: '已结案' };
export const EM_STATE_TAGS = { open: 'danger', care_arranged: 'warning', closed: 'info' };
export const CARER_KINDS = { relative: '亲属', village: '村（居）委会', institution: '福利机构', other: '其他' };
export const PLACEMENTS = { home: '本人家中', relative_home: '亲属家中', institution: '福利机构', hospital: '医院', other: '其他' };
export const EVENTS = { report: '报告', arrange: '落实照料', visit: '走访', close: '结案' };

// decision line categories of the children's allowance (children_allowance.c)
export const ALLOWANCE_CATEGORIES = { orphan_institution: '孤儿（机构集中养育）', orphan_dispersed: '孤儿（社会散居）', unsupported_child: '事实无人抚养儿童' };

export const label = (t, c) => t[c] || c || '—';

// "还剩 5 小时" / "已逾期 3 小时" from respond_due (an ISO time stamp) and now.
export function hoursLeft(due, state, now = Date.now()) {
	if (state !== 'open') return '';
	const h = (Date.parse(due) - now) / 3600000;
	if (Number.isNaN(h)) return '';
	if (h >= 0) return `还剩 ${h < 1 ? '不到 1' : Math.floor(h)} 小时`;
	return `已逾期 ${-h < 1 ? '不到 1' : Math.floor(-h)} 小时`;
}
