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
	children: '儿童基本生活保障',
};

// The children's basic living allowance (docs/children.md): the request's
// codes and the decision's line categories.
export const CHILD_CATEGORIES = { orphan: '孤儿', unsupported: '事实无人抚养儿童' };
export const CARE_TYPES = { institution: '机构集中养育', dispersed: '社会散居' };
export const FACT_KINDS = {
	death: '父母死亡',
	missing: '宣告失踪',
	imprisoned: '服刑',
	severely_disabled: '重度残疾',
	lost_contact: '失联',
	other: '其他',
};
export const FACT_PARENTS = { father: '父亲', mother: '母亲', both: '双方' };
export const AWARD_CATEGORIES = { orphan_institution: '孤儿（机构集中养育）', orphan_dispersed: '孤儿（社会散居）', unsupported_child: '事实无人抚养儿童' };

// What stops a children application in the browser, as the server checks it
// (src/service/children_allowance.c): [{ field, message }], empty when ready.
export function childProblems(f) {
	const p = [];
	if (!f.child) p.push({ field: 'person_id', message: '请查找并选择申请的儿童' });
	if (!CHILD_CATEGORIES[f.category]) p.push({ field: 'category', message: '请选择儿童类别' });
	if (!CARE_TYPES[f.care_type]) p.push({ field: 'care_type', message: '请选择养育方式' });
	if (!f.facts.length) p.push({ field: 'facts', message: '请至少填写一条认定事实' });
	f.facts.forEach((x, i) => {
		if (!FACT_KINDS[x.kind]) p.push({ field: 'facts', message: `认定事实${i + 1}：请选择事实类别` });
		else if (!String(x.evidence || '').trim() && !x.commitment) p.push({ field: 'facts', message: `认定事实${i + 1}：请填写证明材料，或勾选以个人承诺代替` });
		else if (new TextEncoder().encode(String(x.evidence || '').trim()).length > 500) p.push({ field: 'facts', message: `认定事实${i + 1}：证明材料说明过长` });
	});
	if (f.category === 'orphan' && f.facts.length && !f.facts.some((x) => x.kind === 'death' || x.kind === 'missing'))
		p.push({ field: 'facts', message: '孤儿须有父母死亡或宣告失踪的认定事实' });
	return p;
}

// The request members of a children's form (ChildApplicationForm's model),
// for POST /applications and the 12345 convert alike.
export function childRequest(f) {
	return {
		person_id: f.child.person_id,
		category: f.category,
		care_type: f.care_type,
		facts: f.facts.map((x) => {
			const out = { kind: x.kind, parent: x.parent, commitment: Boolean(x.commitment) };
			if (String(x.evidence || '').trim()) out.evidence = String(x.evidence).trim();
			return out;
		}),
	};
}

// A new children's form (ChildApplicationForm's model).
export const newChildForm = () => ({
	child: null,
	category: 'orphan',
	care_type: 'dispersed',
	facts: [{ kind: 'death', parent: 'both', evidence: '', commitment: false }],
});

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
