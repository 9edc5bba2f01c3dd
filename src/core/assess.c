/* assess.c - the assessment engine (ASSESS.md rules 1-9, RULES.md). No I/O.
 * The order of the rules is the contract's; every step records a trace entry
 * with the numbers it used. */
#include "assess.h"

#include <stdio.h>
#include <string.h>

/* --- policy resolution --- */

struct resolver {
	const struct policy *p;
	const char *region;
	dd_date date;
	dd_error *err;
	dd_status rc;
	dd_error *missing;
	dd_status missing_rc;
};

static const struct policy_entry *need(struct resolver *rs, const char *name, bool required)
{
	const struct policy_entry *e = policy_lookup(rs->p, name, rs->region, rs->date);
	if (!e && required && !rs->missing_rc) {
		char d[DATE_TEXT_MAX];
		date_format(rs->date, d);
		rs->missing_rc =
		    dd_fail(rs->missing, DD_ENOTFOUND, name, "地区 %s 在 %s 没有生效的政策参数值 (no value in force)",
			    rs->region[0] ? rs->region : "全国", d);
	}
	return e;
}

static fen_t money_of(struct resolver *rs, const char *name, bool required, fen_t dflt)
{
	const struct policy_entry *e = need(rs, name, required);
	return e ? e->value.i : dflt;
}

static int64_t int_of(struct resolver *rs, const char *name)
{
	const struct policy_entry *e = need(rs, name, true);
	return e ? e->value.i : 0;
}

static struct ratio ratio_of(struct resolver *rs, const char *name)
{
	const struct policy_entry *e = need(rs, name, true);
	return e ? e->value.ratio : (struct ratio){0, 1};
}

static bool bool_of(struct resolver *rs, const char *name)
{
	const struct policy_entry *e = need(rs, name, true);
	return e && e->value.i;
}

/* A list of codes or small integers as a bit set; unknown codes are refused. */
static unsigned bits_of(struct resolver *rs, const char *name, bool (*code)(const char *, int *))
{
	const struct policy_entry *e = need(rs, name, true);
	unsigned bits = 0;
	if (!e)
		return 0;
	for (size_t i = 0; i < e->value.n_items; i++) {
		const struct policy_item *it = &e->value.items[i];
		int bit = -1;
		if (it->is_int && !code && it->i >= 0 && it->i < 16)
			bit = (int)it->i;
		else if (!it->is_int && code && !code(it->s, &bit))
			bit = -1;
		if (bit < 0) {
			if (!rs->rc)
				rs->rc = dd_fail(rs->err, DD_EINVAL, name, "列表第 %zu 项无效 (invalid list item)", i);
			return 0;
		}
		bits |= 1u << bit;
	}
	return bits;
}

static bool income_code(const char *s, int *out)
{
	enum income_type t;
	if (!income_type_from_code(s, &t))
		return false;
	*out = (int)t;
	return true;
}

static bool expense_code(const char *s, int *out)
{
	enum expense_type t;
	if (!expense_type_from_code(s, &t))
		return false;
	*out = (int)t;
	return true;
}

static bool kind_code(const char *s, int *out)
{
	enum disability_kind k;
	if (!disability_kind_from_code(s, &k))
		return false;
	*out = (int)k;
	return true;
}

dd_status assess_params_resolve(const struct policy *p, const char *region_sig, dd_date date, struct assess_params *o,
				dd_error *err)
{
	memset(o, 0, sizeof *o);
	struct resolver rs = {.p = p, .region = region_sig, .date = date, .err = err, .missing = &o->missing};
	static const char *const std_names[2] = {"dibao.standard.urban", "dibao.standard.rural"};
	static const char *const basic_names[2] = {"tekun.basic.urban", "tekun.basic.rural"};
	for (int a = 0; a < 2; a++) {
		o->standard[a] = money_of(&rs, std_names[a], false, -1);
		o->tekun_basic[a] = money_of(&rs, basic_names[a], false, -1);
		o->missing_standard[a] = std_names[a];
		o->missing_basic[a] = basic_names[a];
	}
	o->tekun_care[LEVEL_FULL] = money_of(&rs, "tekun.care.full", true, 0);
	o->tekun_care[LEVEL_PARTIAL] = money_of(&rs, "tekun.care.partial", true, 0);
	o->tekun_care[LEVEL_NONE] = money_of(&rs, "tekun.care.none", true, 0);
	const struct policy_entry *e = need(&rs, "dibao.benefit_rounding", true);
	if (e && e->value.text && strcmp(e->value.text, "yuan") == 0)
		o->round_yuan = true;
	else if (e && !(e->value.text && strcmp(e->value.text, "fen") == 0) && !rs.rc)
		rs.rc =
		    dd_fail(err, DD_EINVAL, "dibao.benefit_rounding", "应为 \"fen\" 或 \"yuan\" (must be fen or yuan)");
	o->benefit_min = money_of(&rs, "dibao.benefit_min", true, 0);
	o->addon_disabled = money_of(&rs, "dibao.addon.disabled", false, 0);
	o->addon_severe = money_of(&rs, "dibao.addon.severe", false, 0);
	o->addon_child_student = money_of(&rs, "dibao.addon.child_student", false, 0);
	const struct policy_entry *age = need(&rs, "dibao.addon.elderly_age", false);
	o->addon_elderly_age = age ? age->value.i : 1000;
	age = need(&rs, "dibao.addon.child_age", false);
	o->addon_child_age = age ? age->value.i : 0;
	o->employment_cost = ratio_of(&rs, "income.employment_cost_ratio");
	o->excluded_incomes = bits_of(&rs, "income.excluded_types", income_code);
	o->rigid_expenses = bits_of(&rs, "income.rigid_expense_types", expense_code);
	const struct policy_entry *cap = need(&rs, "income.rigid_expense_cap", false);
	o->has_rigid_cap = cap != NULL;
	o->rigid_cap = cap ? cap->value.i : 0;
	o->financial_months = int_of(&rs, "assets.financial_months");
	o->vehicles_max = int_of(&rs, "assets.vehicles_max");
	o->houses_max = int_of(&rs, "assets.houses_max");
	o->exit_suspended = bool_of(&rs, "exit.suspended");
	o->gradual_ratio = ratio_of(&rs, "exit.gradual_ratio");
	o->gradual_months = int_of(&rs, "exit.gradual_months");
	o->marginal_ratio = ratio_of(&rs, "marginal.ratio");
	o->single_enabled = bool_of(&rs, "single_person.enabled");
	o->single_grades = bits_of(&rs, "single_person.disability_grades", NULL);
	o->tekun_elderly_age = int_of(&rs, "tekun.elderly_age");
	o->tekun_minor_age = int_of(&rs, "tekun.minor_age");
	o->tekun_no_labor_age = int_of(&rs, "tekun.no_labor_age");
	o->tekun_grades = bits_of(&rs, "tekun.disability_grades", NULL);
	o->tekun_grade3_kinds = bits_of(&rs, "tekun.grade3_kinds", kind_code);
	o->tekun_financial_months = int_of(&rs, "tekun.financial_months");
	o->missing_rc = rs.missing_rc;
	return rs.rc;
}

/* --- the engine --- */

struct engine {
	const struct household *h;
	const struct assess_params *p;
	struct assess_result *r;
	dd_error *err;
};

static void trace(struct engine *g, enum trace_rule rule, int member, int item, int64_t a, int64_t b, int64_t c,
		  int64_t d, uint8_t flags)
{
	struct assess_result *r = g->r;
	if (r->n_trace >= r->cap_trace)
		return; /* capacity is sized from the household; never reached */
	r->trace[r->n_trace++] = (struct trace_entry){.rule = (uint8_t)rule,
						      .flags = flags,
						      .member = (int16_t)member,
						      .item = (int16_t)item,
						      .a = a,
						      .b = b,
						      .c = c,
						      .d = d};
}

static dd_status overflow(struct engine *g, const char *what)
{
	return dd_fail(g->err, DD_ERANGE, what, "金额合计超出可表示范围 (sum too large for int64 fen)");
}

/* Rule 3: one member's monthly counted income; traces each item. */
static dd_status member_income(struct engine *g, int mi, bool do_trace, fen_t *out)
{
	const struct member *m = &g->h->members[mi];
	fen_t total = 0;
	for (size_t k = 0; k < m->n_incomes; k++) {
		const struct income *in = &m->incomes[k];
		fen_t monthly = in->yearly ? money_div_round(in->amount, 12) : in->amount;
		fen_t counted = monthly;
		uint8_t flags = (uint8_t)(in->yearly ? 1 : 0);
		if (g->p->excluded_incomes & (1u << in->type)) {
			counted = 0;
			flags |= 2;
		} else if ((in->type == INC_WAGE || in->type == INC_BUSINESS) && !in->imputed) {
			if (!money_mul_one_minus_ratio(monthly, g->p->employment_cost, &counted))
				return overflow(g, "members.incomes");
			flags |= 4;
		} else if (in->imputed) {
			flags |= 8;
		}
		if (!money_add(total, counted, &total)) {
			char field[48];
			snprintf(field, sizeof field, "members[%d].incomes", mi);
			return overflow(g, field);
		}
		if (do_trace)
			trace(g, TR_INCOME_ITEM, mi, (int)k, in->amount, monthly, counted, 0, flags);
	}
	*out = total;
	return DD_OK;
}

static bool in_bits(unsigned bits, int v)
{
	return v >= 0 && v < 32 && (bits & (1u << v));
}

/* Rule 8: tekun check for one member. */
static dd_status tekun_check(struct engine *g, int mi, fen_t S, bool *qualifies)
{
	const struct member *m = &g->h->members[mi];
	const struct assess_params *p = g->p;
	int age = date_age(m->id.birth, g->h->date);
	fen_t own;
	dd_status rc = member_income(g, mi, false, &own);
	if (rc)
		return rc;
	bool category = age >= p->tekun_elderly_age || in_bits(p->tekun_grades, m->disability_grade) ||
			(m->disability_grade == 3 && in_bits(p->tekun_grade3_kinds, (int)m->disability_kind)) ||
			age < p->tekun_minor_age;
	bool no_labor = m->labor_capacity == LEVEL_NONE || age < p->tekun_no_labor_age;
	bool low_income = own < S;
	__int128 limit = (__int128)p->tekun_financial_months * S;
	bool low_assets = (__int128)m->financial_assets <= limit;
	bool unsupported = m->supporters != SUPPORTERS_ABLE;
	*qualifies = category && no_labor && low_income && low_assets && unsupported;
	if (*qualifies) {
		fen_t basic = p->tekun_basic[g->h->area], care = p->tekun_care[m->self_care], benefit;
		if (basic < 0)
			return dd_fail(g->err, DD_ENOTFOUND, p->missing_basic[g->h->area],
				       "没有生效的政策参数值 (no value in force)");
		if (!money_add(basic, care, &benefit))
			return overflow(g, "tekun");
		struct person_benefit *t = &g->r->tekun[g->r->n_tekun++];
		*t = (struct person_benefit){.member = mi, .benefit = benefit, .basic = basic, .care = care};
		trace(g, TR_TEKUN_MEMBER, mi, age, own, benefit, basic, care, 0);
	} else {
		uint8_t why = !category ? 1 : !no_labor ? 2 : !low_income ? 3 : !low_assets ? 4 : 5;
		trace(g, TR_TEKUN_NOT, mi, age, own, S, (int64_t)limit, why, why);
	}
	return DD_OK;
}

/* Rule 9: add-ons for one member (dibao only). */
static fen_t member_addon(struct engine *g, int mi)
{
	const struct member *m = &g->h->members[mi];
	const struct assess_params *p = g->p;
	int age = date_age(m->id.birth, g->h->date);
	fen_t severe =
	    (m->disability_grade == 1 || m->disability_grade == 2 || m->severe_illness || age >= p->addon_elderly_age)
		? p->addon_severe
		: 0;
	fen_t child = (age < p->addon_child_age || m->in_school) ? p->addon_child_student : 0;
	fen_t first = severe > child ? severe : child;
	fen_t disabled = m->disability_grade >= 1 ? p->addon_disabled : 0;
	if (first || disabled)
		trace(g, TR_ADDON, mi, age, first, disabled, severe >= child ? 1 : 2, 0, 0);
	fen_t sum;
	return money_add(first, disabled, &sum) ? sum : INT64_MAX;
}

/* D: the dibao amount (rule 6 / 9) when P < S. */
static dd_status dibao_amount(struct engine *g, fen_t S, fen_t P, int n, const bool *in_household, fen_t *out)
{
	fen_t base;
	if (!money_mul_int(S - P, n, &base))
		return overflow(g, "monthly_benefit");
	trace(g, TR_BENEFIT_BASE, -1, -1, S, P, n, base, 0);
	fen_t total = base;
	for (size_t i = 0; i < g->h->n_members; i++) {
		if (!in_household[i])
			continue;
		fen_t add = member_addon(g, (int)i);
		if (!money_add(total, add, &total))
			return overflow(g, "monthly_benefit");
	}
	if (g->p->round_yuan) {
		fen_t rounded = money_div_round(total, 100) * 100;
		trace(g, TR_BENEFIT_ROUND, -1, -1, total, rounded, 0, 0, 0);
		total = rounded;
	}
	if (total < g->p->benefit_min) {
		trace(g, TR_BENEFIT_MIN, -1, -1, total, g->p->benefit_min, 0, 0, 0);
		total = g->p->benefit_min;
	}
	*out = total;
	return DD_OK;
}

dd_status household_assess(const struct household *h, const struct assess_params *p, struct arena *a,
			   struct assess_result *r, dd_error *err)
{
	memset(r, 0, sizeof *r);
	struct engine g = {.h = h, .p = p, .r = r, .err = err};
	size_t n_items = 0;
	for (size_t i = 0; i < h->n_members; i++)
		n_items += h->members[i].n_incomes;
	r->cap_trace = (int)(32 + 6 * h->n_members + n_items);
	r->trace = arena_alloc(a, sizeof *r->trace * (size_t)r->cap_trace);
	r->tekun = arena_alloc(a, sizeof *r->tekun * h->n_members);
	r->single_person = arena_alloc(a, sizeof *r->single_person * h->n_members);
	bool *in_household = arena_alloc(a, h->n_members);
	if (!r->trace || !r->tekun || !r->single_person || !in_household)
		return dd_fail(err, DD_ENOMEM, "$", "内存不足 (out of memory)");

	/* Rule 1: the standard */
	fen_t S = p->standard[h->area];
	if (S < 0)
		return dd_fail(err, DD_ENOTFOUND, p->missing_standard[h->area],
			       "地区 %s 没有生效的政策参数值 (no value in force)",
			       h->region_sig[0] ? h->region_sig : "全国");
	if (p->missing_rc) {
		*err = p->missing;
		return p->missing_rc;
	}
	r->standard = S;
	trace(&g, TR_STANDARD, -1, -1, S, h->area, 0, 0, 0);

	/* Rule 2: tekun per member first */
	dd_status rc;
	for (size_t i = 0; i < h->n_members; i++) {
		bool q;
		if ((rc = tekun_check(&g, (int)i, S, &q)))
			return rc;
		in_household[i] = !q;
	}

	/* Rule 3: counted income of the members assessed together */
	int n = 0;
	fen_t counted = 0;
	bool employment = false;
	fen_t *own = arena_alloc(a, sizeof *own * h->n_members);
	if (!own)
		return dd_fail(err, DD_ENOMEM, "$", "内存不足 (out of memory)");
	for (size_t i = 0; i < h->n_members; i++) {
		if (!in_household[i])
			continue;
		n++;
		if ((rc = member_income(&g, (int)i, true, &own[i])))
			return rc;
		trace(&g, TR_INCOME_MEMBER, (int)i, -1, own[i], 0, 0, 0, 0);
		if (!money_add(counted, own[i], &counted))
			return overflow(&g, "counted_income");
		for (size_t k = 0; k < h->members[i].n_incomes; k++) {
			const struct income *in = &h->members[i].incomes[k];
			if ((in->type == INC_WAGE || in->type == INC_BUSINESS) && !in->imputed)
				employment = true;
		}
	}
	r->household_size = n;
	r->counted_income = counted;

	/* Rule 4: rigid expenditure deduction */
	fen_t yearly = 0, monthly = 0;
	for (size_t k = 0; k < h->n_expenses; k++) {
		const struct expense *ex = &h->expenses[k];
		if (!(p->rigid_expenses & (1u << ex->type)))
			continue;
		if (!money_add(ex->yearly ? yearly : monthly, ex->amount, ex->yearly ? &yearly : &monthly))
			return overflow(&g, "deduction");
	}
	fen_t deduction;
	if (!money_add(money_div_round(yearly, 12), monthly, &deduction))
		return overflow(&g, "deduction");
	bool capped = p->has_rigid_cap && deduction > p->rigid_cap;
	if (capped)
		deduction = p->rigid_cap;
	if (n == 0)
		deduction = 0; /* a sum over the members assessed together: none */
	r->deduction = deduction;
	trace(&g, TR_DEDUCTION, -1, -1, yearly, monthly, deduction, capped ? p->rigid_cap : -1, 0);
	trace(&g, TR_SIZE, -1, -1, n, (int64_t)h->n_members - n, 0, 0, 0);

	/* per-capita income */
	fen_t P = 0;
	if (n > 0) {
		fen_t net = counted > deduction ? counted - deduction : 0;
		P = money_div_round(net, n);
	}
	r->per_capita_income = P;
	trace(&g, TR_PER_CAPITA, -1, -1, counted, deduction, n, P, 0);

	/* Rule 5: asset test (exact: financial ≤ months × S × n) */
	bool assets_ok = false;
	if (n > 0) {
		__int128 limit = (__int128)p->financial_months * S * n;
		bool fin_ok = (__int128)h->assets_financial <= limit;
		trace(&g, TR_ASSET_FINANCIAL, -1, -1, h->assets_financial, n, p->financial_months,
		      limit > INT64_MAX ? INT64_MAX : (int64_t)limit, fin_ok);
		bool veh_ok = h->vehicles <= p->vehicles_max;
		trace(&g, TR_ASSET_VEHICLES, -1, -1, h->vehicles, p->vehicles_max, 0, 0, veh_ok);
		bool house_ok = h->extra_houses <= p->houses_max;
		trace(&g, TR_ASSET_HOUSES, -1, -1, h->extra_houses, p->houses_max, 0, 0, house_ok);
		assets_ok = fin_ok && veh_ok && house_ok;
	}
	r->asset_test = assets_ok;

	/* Rule 6: determination, the first that holds */
	bool current_dibao = h->has_current && strcmp(h->current_programme, "dibao") == 0;
	dd_month month = date_month(h->date);
	dd_month rise = h->has_rise_month ? h->rise_month : month;
	if (n == 0) {
		r->determination = DET_NONE;
		trace(&g, TR_DET_EMPTY, -1, -1, 0, 0, 0, 0, 0);
	} else if (current_dibao && p->exit_suspended) {
		fen_t D = 0;
		if (P < S && (rc = dibao_amount(&g, S, P, n, in_household, &D)))
			return rc;
		r->determination = DET_DIBAO;
		r->monthly_benefit = D > h->current_benefit ? D : h->current_benefit;
		trace(&g, TR_DET_SUSPENDED, -1, -1, D, h->current_benefit, r->monthly_benefit, P < S, 0);
	} else if (P < S && assets_ok) {
		r->determination = DET_DIBAO;
		trace(&g, TR_DET_DIBAO, -1, -1, P, S, 0, 0, 0);
		if ((rc = dibao_amount(&g, S, P, n, in_household, &r->monthly_benefit)))
			return rc;
	} else if (current_dibao && P >= S && money_cmp_ratio(P, p->gradual_ratio, S) <= 0 && employment &&
		   month <= rise + p->gradual_months) {
		r->determination = DET_GRADUAL_EXIT;
		r->monthly_benefit = h->current_benefit;
		r->has_gradual_exit_until = true;
		r->gradual_exit_until = (dd_month)(rise + p->gradual_months);
		trace(&g, TR_DET_GRADUAL, -1, -1, P, S, r->gradual_exit_until, h->current_benefit, 0);
	} else if (money_cmp_ratio(P, p->marginal_ratio, S) <= 0 && assets_ok) {
		r->determination = DET_MARGINAL;
		fen_t lim;
		if (!money_mul_ratio(S, p->marginal_ratio, &lim))
			lim = INT64_MAX;
		trace(&g, TR_DET_MARGINAL, -1, -1, P, lim, 0, 0, 0);
	} else {
		r->determination = DET_NONE;
		trace(&g, TR_DET_NONE, -1, -1, P, S, assets_ok, 0, 0);
	}

	/* Rule 7: single-person enrolment (marginal only) */
	if (r->determination == DET_MARGINAL && p->single_enabled) {
		for (size_t i = 0; i < h->n_members; i++) {
			const struct member *m = &h->members[i];
			if (!in_household[i] || !(in_bits(p->single_grades, m->disability_grade) || m->severe_illness))
				continue;
			fen_t b = S > own[i] ? S - own[i] : 0;
			r->single_person[r->n_single_person++] =
			    (struct person_benefit){.member = (int)i, .benefit = b};
			trace(&g, TR_SINGLE_PERSON, (int)i, -1, own[i], b, S, 0, 0);
		}
	}
	return DD_OK;
}

const char *determination_code(enum determination d)
{
	switch (d) {
	case DET_DIBAO:
		return "dibao";
	case DET_GRADUAL_EXIT:
		return "dibao_gradual_exit";
	case DET_MARGINAL:
		return "marginal";
	case DET_NONE:
		break;
	}
	return "none";
}

int epidemic_aid_periods(dd_date diagnosed, dd_date discharged)
{
	if (discharged < diagnosed)
		return 0;
	int k = 1;
	while (date_add_months(diagnosed, k) < discharged)
		k++;
	return k;
}
