// The Chinese words of the payroll pages (batch states as src/core/payroll.c names them): batch kinds, states and the
// programmes a batch pays (the server also answers programme_name and
// state_name; these serve the filters and the payments' states).
export const BATCH_PROGRAMMES = { dibao: '最低生活保障', tekun: '特困人员救助供养', children: '儿童基本生活保障', subsidy: '一次性及价格补贴' };
export const BATCH_KINDS = {
	regular: '月度发放',
	adjustment: '补发/扣减调整',
	one_time: '一次性生活补贴',
	price_subsidy: '价格临时补贴',
	reissue: '退回重发',
};
export const BATCH_STATES = {
	draft: '草稿',
	checked: '已核对',
	approved: '已审核',
	exported: '已生成银行文件',
	reconciled: '已对账',
	cancelled: '已作废',
};
export const PAYMENT_STATES = {
	pending: '待发放',
	withheld: '暂停发放',
	exported: '已报银行',
	paid: '已到账',
	returned: '银行退回',
	reissued: '已重发',
	cancelled: '已作废',
};
export const FINDING_STATES = { open: '待处理', cleared: '已剔除', overridden: '已确认照发' };

// The workflow actions: who may take them in which state (src/core/payroll.c
// payroll_step; the server decides, this only picks the buttons to show).
export const ACTIONS = [
	{ action: 'check', label: '核查通过', roles: ['county'], from: ['draft'], type: 'primary' },
	{ action: 'reopen', label: '退回草稿', roles: ['county'], from: ['checked'] },
	{ action: 'approve', label: '审批通过', roles: ['finance'], from: ['checked'], type: 'primary' },
	{ action: 'export', label: '导出银行文件', roles: ['finance'], from: ['approved'], type: 'primary' },
	{ action: 'reconcile', label: '完成对账', roles: ['county', 'finance'], from: ['exported'], type: 'success' },
	{ action: 'cancel', label: '作废批次', roles: ['county'], from: ['draft', 'checked'], type: 'danger', note: true },
];

export const label = (table, code) => (code ? table[code] || code : '—');
