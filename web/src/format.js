// format.js - how values are shown: money, dates, masked ID numbers and
// the Chinese names of codes (programmes, states, roles, relations …). The
// tables live here, in one place, so every page says the same thing.

// Money: an integer (fen) or a decimal string in yuan ("1234.5", "-3.00") →
// "¥1,234.50". Works on the digits, never through floating point.
export function money(v) {
	if (v === null || v === undefined || v === '') return '—';
	let s;
	if (typeof v === 'number' || typeof v === 'bigint') {
		if (typeof v === 'number' && !Number.isInteger(v)) return '—';
		const fen = BigInt(v);
		const neg = fen < 0n;
		const a = neg ? -fen : fen;
		s = `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
	} else {
		s = String(v).trim();
	}
	const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(s);
	if (!m) return '—';
	const frac = ((m[3] || '') + '00').slice(0, 2);
	const int = m[2].replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	const neg = m[1] === '-' && /[1-9]/.test(m[2] + frac);
	return `${neg ? '-' : ''}¥${int}.${frac}`;
}

function parts(v) {
	if (!v) return null;
	const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(String(v));
	return m ? m.slice(1) : null;
}

// "2026-11-23" (or a timestamp) → "2026年11月23日"; style 'iso' → "2026-11-23".
export function date(v, style = 'zh') {
	const p = parts(v);
	if (!p) return '—';
	if (style === 'iso') return `${p[0]}-${p[1]}-${p[2]}`;
	return `${p[0]}年${Number(p[1])}月${Number(p[2])}日`;
}

// A timestamp as the server writes it (UTC, "2026-11-23T08:05:00.000Z") →
// local "2026-11-23 16:05".
export function datetime(v) {
	if (!v) return '—';
	const d = new Date(v);
	if (Number.isNaN(d.getTime())) return date(v, 'iso');
	const z = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())} ${z(d.getHours())}:${z(d.getMinutes())}`;
}

// "2026-11" → "2026年11月"
export function month(v) {
	const m = /^(\d{4})-(\d{2})/.exec(String(v || ''));
	return m ? `${m[1]}年${Number(m[2])}月` : '—';
}

// An ID number with all but the first 6 and last 4 characters hidden
// (500154********0016); a number already masked by the server stays as it is.
export function maskId(id) {
	if (!id) return '—';
	const s = String(id);
	if (s.length <= 10) return s;
	return s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4);
}

export const PROGRAMMES = {
	dibao: '最低生活保障',
	tekun: '特困人员救助供养',
	temporary: '临时救助',
	children: '儿童基本生活保障',
	marginal: '低保边缘家庭',
	subsidy: '一次性及价格补贴',
};
export const PROGRAMMES_SHORT = { dibao: '低保', tekun: '特困', temporary: '临时救助', children: '儿童保障', marginal: '低保边缘', subsidy: '补贴' };

// Case states (casework and temporary assistance) in the words of the procedure.
export const STATES = {
	submitted: '已提交申请',
	accepted: '已受理',
	verified: '已核对',
	investigated: '已入户调查',
	reviewed: '乡镇已审核',
	in_notice: '公示中',
	approved: '已审批',
	rejected: '不予批准',
	withdrawn: '已撤回',
	planned: '待发放',
	paid: '已发放',
	cancelled: '已取消',
	open: '待处理',
	assigned: '已分派',
	handling: '处理中',
	closed: '已办结',
	draft: '草稿',
	sent: '已报送',
	reconciled: '已对账',
	pending: '待发放',
	returned: '已退回',
};

export const ROLES = {
	village: '村（居）社会救助协理员',
	township: '乡镇（街道）经办人',
	county: '区县民政局',
	finance: '财政部门',
	city: '市民政局',
	auditor: '审计监督',
	admin: '系统管理员',
	department: '部门经办人',
	child_director: '儿童主任',
	child_supervisor: '儿童督导员',
};

export const RELATIONS = {
	head: '户主',
	spouse: '配偶',
	child: '子女',
	parent: '父母',
	grandparent: '祖父母/外祖父母',
	grandchild: '孙子女/外孙子女',
	sibling: '兄弟姐妹',
	other: '其他',
};

export const AREAS = { urban: '城市', rural: '农村' };

export const INCOME_TYPES = {
	wage: '工资性收入',
	business: '经营净收入',
	property: '财产净收入',
	transfer: '转移净收入',
	basic_pension: '城乡居民基础养老金',
	reward: '奖励性补助',
	special_care: '优待抚恤金',
	family_planning: '计划生育奖励与扶助金',
};

export const EXPENSE_TYPES = { medical: '医疗支出', education: '教育支出', epidemic: '疫情相关支出', other: '其他刚性支出' };

export const PERIODS = { month: '每月', year: '每年' };

export const LABOR = { full: '有劳动能力', partial: '部分丧失劳动能力', none: '无劳动能力' };
export const SELF_CARE = { full: '生活自理', partial: '部分失能', none: '完全失能' };
export const SUPPORTERS = { able: '有赡养（抚养、扶养）能力', unable: '无能力', none: '无法定义务人' };
export const DISABILITY_KINDS = {
	physical: '肢体残疾',
	visual: '视力残疾',
	hearing: '听力残疾',
	speech: '言语残疾',
	intellectual: '智力残疾',
	mental: '精神残疾',
	multiple: '多重残疾',
};
export const SEX = { male: '男', female: '女' };

// label(table, code): the Chinese word, or the code itself when the table
// does not know it yet (never an empty cell).
export function label(table, code) {
	if (code === null || code === undefined || code === '') return '—';
	return table[code] || String(code);
}

export const programme = (c) => label(PROGRAMMES, c);
export const state = (c) => label(STATES, c);
export const role = (c) => label(ROLES, c);
export const relation = (c) => label(RELATIONS, c);
