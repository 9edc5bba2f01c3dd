/* household.c - validating household JSON into struct household. No I/O. */
#include "household.h"

#include <stdio.h>
#include <string.h>

struct code_name {
	const char *code;
	const char *zh;
};

static const struct code_name income_types[INC__COUNT] = {
    [INC_WAGE] = {"wage", "工资性收入"},
    [INC_BUSINESS] = {"business", "经营净收入"},
    [INC_PROPERTY] = {"property", "财产净收入"},
    [INC_TRANSFER] = {"transfer", "转移净收入"},
    [INC_BASIC_PENSION] = {"basic_pension", "城乡居民基础养老金"},
    [INC_REWARD] = {"reward", "奖励性补助"},
    [INC_SPECIAL_CARE] = {"special_care", "优待抚恤金"},
    [INC_FAMILY_PLANNING] = {"family_planning", "计划生育奖励扶助金"},
};
static const struct code_name expense_types[EXP__COUNT] = {
    [EXP_MEDICAL] = {"medical", "医疗支出"},
    [EXP_EDUCATION] = {"education", "教育支出"},
    [EXP_EPIDEMIC] = {"epidemic", "疫情相关支出"},
    [EXP_OTHER] = {"other", "其他支出"},
};
static const char *const disability_kinds[] = {
    [DIS_NONE] = "none",     [DIS_PHYSICAL] = "physical",	  [DIS_VISUAL] = "visual", [DIS_HEARING] = "hearing",
    [DIS_SPEECH] = "speech", [DIS_INTELLECTUAL] = "intellectual", [DIS_MENTAL] = "mental", [DIS_MULTIPLE] = "multiple",
};
static const char *const levels[] = {[LEVEL_FULL] = "full", [LEVEL_PARTIAL] = "partial", [LEVEL_NONE] = "none"};
static const char *const supporters_codes[] = {
    [SUPPORTERS_ABLE] = "able", [SUPPORTERS_UNABLE] = "unable", [SUPPORTERS_NONE] = "none"};
static const char *const relations[] = {
    [REL_HEAD] = "head",
    [REL_SPOUSE] = "spouse",
    [REL_CHILD] = "child",
    [REL_PARENT] = "parent",
    [REL_GRANDPARENT] = "grandparent",
    [REL_GRANDCHILD] = "grandchild",
    [REL_SIBLING] = "sibling",
    [REL_OTHER] = "other",
};
static const char *const areas[] = {[AREA_URBAN] = "urban", [AREA_RURAL] = "rural"};

const char *income_type_code(enum income_type t)
{
	return income_types[t].code;
}
const char *income_type_zh(enum income_type t)
{
	return income_types[t].zh;
}
const char *expense_type_code(enum expense_type t)
{
	return expense_types[t].code;
}
const char *expense_type_zh(enum expense_type t)
{
	return expense_types[t].zh;
}
const char *disability_kind_code(enum disability_kind k)
{
	return disability_kinds[k];
}
const char *level_code(enum level l)
{
	return levels[l];
}
const char *area_code(enum area a)
{
	return areas[a];
}

static int find_code(const char *const *codes, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (codes[i] && strcmp(codes[i], s) == 0)
			return (int)i;
	return -1;
}

bool income_type_from_code(const char *s, enum income_type *out)
{
	for (int i = 0; i < INC__COUNT; i++)
		if (strcmp(income_types[i].code, s) == 0) {
			*out = (enum income_type)i;
			return true;
		}
	return false;
}

bool expense_type_from_code(const char *s, enum expense_type *out)
{
	for (int i = 0; i < EXP__COUNT; i++)
		if (strcmp(expense_types[i].code, s) == 0) {
			*out = (enum expense_type)i;
			return true;
		}
	return false;
}

bool disability_kind_from_code(const char *s, enum disability_kind *out)
{
	int i = find_code(disability_kinds, sizeof disability_kinds / sizeof disability_kinds[0], s);
	if (i <= 0)
		return false;
	*out = (enum disability_kind)i;
	return true;
}

/* --- field readers: each fills err with the field name on failure --- */

#define FIELD_FAIL(err, field, ...) dd_fail(err, DD_EINVAL, field, __VA_ARGS__)

/* An object's members picked out by name in one pass: slot i holds the member
 * named keys[i] (NULL when absent). Any key given twice is refused, known or
 * not: which value was meant is unknowable. Unknown keys are ignored. */
struct key {
	const char *s;
	size_t n;
};
#define K(lit)                                                                                                         \
	{                                                                                                              \
		lit, sizeof lit - 1                                                                                    \
	}

static dd_status collect(const struct json_value *v, const char *field, const struct key *keys, size_t nkeys,
			 const struct json_value **slot, dd_error *err)
{
	if (v->type != JSON_OBJECT)
		return FIELD_FAIL(err, field, "应为对象，实际为%s (expected an object)", json_type_name(v->type));
	for (size_t i = 0; i < nkeys; i++)
		slot[i] = NULL;
	size_t next = 0; /* members usually come in table order: try the next key first */
	for (const struct json_value *m = v->child; m; m = m->next) {
		size_t i = next, tries = 0;
		while (tries < nkeys && !(m->key_len == keys[i].n && memcmp(m->key, keys[i].s, keys[i].n) == 0)) {
			tries++;
			i = i + 1 == nkeys ? 0 : i + 1;
		}
		bool dup = false;
		if (tries < nkeys) {
			next = i + 1 == nkeys ? 0 : i + 1;
			dup = slot[i] != NULL;
			slot[i] = m;
		} else {
			for (const struct json_value *k = m->next; k && !dup; k = k->next)
				dup = k->key_len == m->key_len && memcmp(k->key, m->key, m->key_len) == 0;
		}
		if (dup) {
			char name[DD_FIELD_MAX];
			snprintf(name, sizeof name, "%.*s", (int)m->key_len, m->key);
			return FIELD_FAIL(err, name, "字段重复 (duplicate key)");
		}
	}
	return DD_OK;
}

/* A member given as JSON null is the same as an absent one. */
static const struct json_value *present(const struct json_value *v)
{
	return v && v->type != JSON_NULL ? v : NULL;
}

static dd_status read_string(const struct json_value *v, const char *key, bool required, const char **out,
			     dd_error *err)
{
	if (!(v = present(v))) {
		if (required)
			return FIELD_FAIL(err, key, "缺少必填字段 (missing required field)");
		return DD_OK;
	}
	if (v->type != JSON_STRING)
		return FIELD_FAIL(err, key, "应为字符串，实际为%s (expected a string)", json_type_name(v->type));
	*out = v->str;
	return DD_OK;
}

static dd_status read_enum(const struct json_value *v, const char *key, const char *const *codes, size_t n,
			   bool required, int *out, dd_error *err)
{
	const char *s = NULL;
	dd_status rc = read_string(v, key, required, &s, err);
	if (rc || !s)
		return rc;
	int i = find_code(codes, n, s);
	if (i < 0) {
		char list[160] = "";
		size_t used = 0;
		for (size_t k = 0; k < n; k++)
			if (codes[k] && used < sizeof list)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
							 codes[k]);
		return FIELD_FAIL(err, key, "取值无效，应为 %s 之一 (unknown value)", list);
	}
	*out = i;
	return DD_OK;
}

static dd_status read_bool(const struct json_value *v, const char *key, bool *out, dd_error *err)
{
	if (!(v = present(v)))
		return DD_OK;
	if (v->type != JSON_TRUE && v->type != JSON_FALSE)
		return FIELD_FAIL(err, key, "应为 true 或 false (expected a boolean)");
	*out = v->type == JSON_TRUE;
	return DD_OK;
}

static dd_status read_int(const struct json_value *v, const char *key, int64_t lo, int64_t hi, int64_t *out,
			  dd_error *err)
{
	if (!(v = present(v)))
		return DD_OK;
	int64_t i;
	if (!json_int64(v, &i))
		return FIELD_FAIL(err, key, "应为整数 (expected an integer)");
	if (i < lo || i > hi)
		return FIELD_FAIL(err, key, "应在 %lld 至 %lld 之间 (out of range)", (long long)lo, (long long)hi);
	*out = i;
	return DD_OK;
}

static dd_status read_money(const struct json_value *v, const char *key, bool required, fen_t *out, dd_error *err)
{
	if (!(v = present(v))) {
		if (required)
			return FIELD_FAIL(err, key, "缺少必填字段 (missing required field)");
		return DD_OK;
	}
	if (v->type != JSON_STRING && v->type != JSON_NUMBER)
		return FIELD_FAIL(err, key, "金额应为字符串或数字 (amount must be a string or number)");
	dd_status rc = money_parse(v->str, v->len, v->type == JSON_NUMBER ? MONEY_JSON_NUMBER : MONEY_PLAIN, out, err);
	if (rc)
		return dd_fail(err, rc, key, "%s", err->message);
	if (*out < 0)
		return FIELD_FAIL(err, key, "金额不能为负数 (negative amount)");
	return DD_OK;
}

static dd_status read_period(const struct json_value *v, bool *yearly, dd_error *err)
{
	static const char *const periods[] = {"month", "year"};
	int p = 0;
	dd_status rc = read_enum(v, "period", periods, 2, false, &p, err);
	*yearly = p == 1;
	return rc;
}

static dd_status read_list(const struct json_value *v, const char *key, const struct json_value **out, dd_error *err)
{
	*out = NULL;
	if (!(v = present(v)))
		return DD_OK;
	if (v->type != JSON_ARRAY)
		return FIELD_FAIL(err, key, "应为数组 (expected an array)");
	if (v->len > HOUSEHOLD_MAX_ITEMS)
		return dd_fail(err, DD_ELIMIT, key, "最多 %d 项 (too many items)", HOUSEHOLD_MAX_ITEMS);
	*out = v;
	return DD_OK;
}

enum { IN_TYPE, IN_AMOUNT, IN_PERIOD, IN_IMPUTED, IN__N };
static const struct key income_keys[IN__N] = {K("type"), K("amount"), K("period"), K("imputed")};

static dd_status read_income(const struct json_value *v, struct income *in, dd_error *err)
{
	const struct json_value *f[IN__N];
	dd_status rc = collect(v, "", income_keys, IN__N, f, err);
	if (rc)
		return rc;
	const char *type = NULL;
	if ((rc = read_string(f[IN_TYPE], "type", true, &type, err)))
		return rc;
	if (!income_type_from_code(type, &in->type))
		return FIELD_FAIL(err, "type", "未知的收入类型 \"%s\" (unknown income type)", type);
	if ((rc = read_money(f[IN_AMOUNT], "amount", true, &in->amount, err)) ||
	    (rc = read_period(f[IN_PERIOD], &in->yearly, err)))
		return rc;
	in->imputed = false;
	return read_bool(f[IN_IMPUTED], "imputed", &in->imputed, err);
}

enum { EX_TYPE, EX_AMOUNT, EX_PERIOD, EX__N };
static const struct key expense_keys[EX__N] = {K("type"), K("amount"), K("period")};

static dd_status read_expense(const struct json_value *v, struct expense *ex, dd_error *err)
{
	const struct json_value *f[EX__N];
	dd_status rc = collect(v, "", expense_keys, EX__N, f, err);
	if (rc)
		return rc;
	const char *type = NULL;
	if ((rc = read_string(f[EX_TYPE], "type", true, &type, err)))
		return rc;
	if (!expense_type_from_code(type, &ex->type))
		return FIELD_FAIL(err, "type", "未知的支出类型 \"%s\" (unknown expense type)", type);
	if ((rc = read_money(f[EX_AMOUNT], "amount", true, &ex->amount, err)))
		return rc;
	return read_period(f[EX_PERIOD], &ex->yearly, err); /* "month" unless given (ASSESS.md defaults) */
}

enum {
	M_ID,
	M_NAME,
	M_RELATION,
	M_DIS_GRADE,
	M_DIS_KIND,
	M_SEVERE,
	M_LABOR,
	M_SELF_CARE,
	M_IN_SCHOOL,
	M_SUPPORTERS,
	M_FINANCIAL,
	M_INCOMES,
	M__N
};
static const struct key member_keys[M__N] = {K("id"),
					     K("name"),
					     K("relation"),
					     K("disability_grade"),
					     K("disability_kind"),
					     K("severe_illness"),
					     K("labor_capacity"),
					     K("self_care"),
					     K("in_school"),
					     K("supporters"),
					     K("financial_assets"),
					     K("incomes")};

static dd_status read_member(const struct json_value *v, dd_date date, struct arena *a, struct member *m, dd_error *err)
{
	const struct json_value *f[M__N];
	dd_status rc = collect(v, "", member_keys, M__N, f, err);
	if (rc)
		return rc;
	const char *id = NULL;
	if ((rc = read_string(f[M_ID], "id", true, &id, err)))
		return rc;
	if ((rc = idnum_parse(id, strlen(id), &m->id, err)))
		return dd_fail(err, rc, "id", "%s", err->message);
	if (m->id.birth > date)
		return FIELD_FAIL(err, "id", "出生日期晚于评估日期 (birth date after the assessment date)");
	if ((rc = read_string(f[M_NAME], "name", true, &m->name, err)))
		return rc;
	int rel = 0, kind = 0, labor = 0, care = 0, sup = 0;
	if ((rc = read_enum(f[M_RELATION], "relation", relations, sizeof relations / sizeof relations[0], true, &rel,
			    err)))
		return rc;
	m->relation = (enum relation)rel;
	int64_t grade = 0;
	if ((rc = read_int(f[M_DIS_GRADE], "disability_grade", 0, 4, &grade, err)))
		return rc;
	m->disability_grade = (int)grade;
	if ((rc = read_enum(f[M_DIS_KIND], "disability_kind", disability_kinds + 1, DIS_MULTIPLE, false, &kind, err)))
		return rc;
	m->disability_kind = present(f[M_DIS_KIND]) ? (enum disability_kind)(kind + 1) : DIS_NONE;
	if ((rc = read_bool(f[M_SEVERE], "severe_illness", &m->severe_illness, err)) ||
	    (rc = read_enum(f[M_LABOR], "labor_capacity", levels, 3, false, &labor, err)) ||
	    (rc = read_enum(f[M_SELF_CARE], "self_care", levels, 3, false, &care, err)) ||
	    (rc = read_bool(f[M_IN_SCHOOL], "in_school", &m->in_school, err)) ||
	    (rc = read_enum(f[M_SUPPORTERS], "supporters", supporters_codes, 3, false, &sup, err)) ||
	    (rc = read_money(f[M_FINANCIAL], "financial_assets", false, &m->financial_assets, err)))
		return rc;
	m->labor_capacity = (enum level)labor;
	m->self_care = (enum level)care;
	m->supporters = (enum supporters)sup;
	const struct json_value *list;
	if ((rc = read_list(f[M_INCOMES], "incomes", &list, err)))
		return rc;
	m->n_incomes = list ? list->len : 0;
	m->incomes = arena_calloc(a, m->n_incomes ? m->n_incomes : 1, sizeof *m->incomes);
	if (!m->incomes)
		return dd_fail(err, DD_ENOMEM, "incomes", "内存不足 (out of memory)");
	size_t i = 0;
	for (const struct json_value *e = list ? list->child : NULL; e; e = e->next, i++) {
		if ((rc = read_income(e, &m->incomes[i], err))) {
			char idx[40];
			snprintf(idx, sizeof idx, "incomes[%zu]", i);
			dd_error_prefix(err, idx);
			return rc;
		}
	}
	return DD_OK;
}

enum { H_REGION, H_AREA, H_DATE, H_CURRENT, H_MEMBERS, H_ASSETS, H_EXPENSES, H__N };
static const struct key household_keys[H__N] = {K("region"),  K("area"),   K("date"),	 K("current"),
						K("members"), K("assets"), K("expenses")};
enum { C_PROGRAMME, C_BENEFIT, C_RISE, C__N };
static const struct key current_keys[C__N] = {K("programme"), K("monthly_benefit"), K("income_rise_month")};
enum { A_FINANCIAL, A_VEHICLES, A_HOUSES, A__N };
static const struct key asset_keys[A__N] = {K("financial"), K("vehicles"), K("extra_houses")};

dd_status household_read(const struct json_value *doc, const dd_date *date_override, struct arena *a,
			 struct household *h, dd_error *err)
{
	memset(h, 0, sizeof *h);
	if (doc->type != JSON_OBJECT)
		return FIELD_FAIL(err, "$", "家庭应为 JSON 对象 (household must be an object)");
	const struct json_value *f[H__N];
	dd_status rc = collect(doc, "", household_keys, H__N, f, err);
	if (rc)
		return rc;
	const char *s = NULL;
	if ((rc = read_string(f[H_REGION], "region", true, &s, err)))
		return rc;
	size_t rl = strlen(s);
	if ((rc = region_parse(s, rl, 6, h->region_sig, err)))
		return dd_fail(err, rc, "region", "%s", err->message);
	memcpy(h->region, s, rl + 1);
	int area = 0;
	if ((rc = read_enum(f[H_AREA], "area", areas, 2, true, &area, err)))
		return rc;
	h->area = (enum area)area;
	if (date_override) {
		h->date = *date_override;
	} else {
		if ((rc = read_string(f[H_DATE], "date", true, &s, err)))
			return rc;
		if ((rc = date_parse(s, strlen(s), &h->date, err)))
			return dd_fail(err, rc, "date", "%s", err->message);
	}
	const struct json_value *cur = present(f[H_CURRENT]);
	if (cur) {
		const struct json_value *c[C__N];
		if ((rc = collect(cur, "current", current_keys, C__N, c, err)) ||
		    (rc = read_string(c[C_PROGRAMME], "programme", true, &h->current_programme, err)) ||
		    (rc = read_money(c[C_BENEFIT], "monthly_benefit", false, &h->current_benefit, err))) {
			dd_error_prefix(err, "current");
			return rc;
		}
		h->has_current = true;
		const char *rise = NULL;
		if ((rc = read_string(c[C_RISE], "income_rise_month", false, &rise, err))) {
			dd_error_prefix(err, "current");
			return rc;
		}
		if (rise) {
			if ((rc = month_parse(rise, strlen(rise), &h->rise_month, err)))
				return dd_fail(err, rc, "current.income_rise_month", "%s", err->message);
			h->has_rise_month = true;
		}
	}
	const struct json_value *members = present(f[H_MEMBERS]);
	if (!members)
		return FIELD_FAIL(err, "members", "缺少必填字段 (missing required field)");
	if (members->type != JSON_ARRAY)
		return FIELD_FAIL(err, "members", "应为数组 (expected an array)");
	if (members->len == 0)
		return FIELD_FAIL(err, "members", "至少需要一名家庭成员 (at least one member)");
	if (members->len > HOUSEHOLD_MAX_MEMBERS)
		return dd_fail(err, DD_ELIMIT, "members", "最多 %d 名成员 (too many members)", HOUSEHOLD_MAX_MEMBERS);
	h->n_members = members->len;
	h->members = arena_calloc(a, h->n_members, sizeof *h->members);
	if (!h->members)
		return dd_fail(err, DD_ENOMEM, "members", "内存不足 (out of memory)");
	size_t i = 0;
	for (const struct json_value *e = members->child; e; e = e->next, i++) {
		char idx[32];
		if ((rc = read_member(e, h->date, a, &h->members[i], err))) {
			snprintf(idx, sizeof idx, "members[%zu]", i);
			dd_error_prefix(err, idx);
			return rc;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(h->members[k].id.text, h->members[i].id.text) == 0) {
				dd_fail(err, DD_EINVAL, "id", "与 members[%zu] 身份证号重复 (duplicate ID number)", k);
				snprintf(idx, sizeof idx, "members[%zu]", i);
				dd_error_prefix(err, idx);
				return DD_EINVAL;
			}
	}
	const struct json_value *assets = present(f[H_ASSETS]);
	if (assets) {
		const struct json_value *x[A__N];
		if ((rc = collect(assets, "assets", asset_keys, A__N, x, err)) ||
		    (rc = read_money(x[A_FINANCIAL], "financial", false, &h->assets_financial, err)) ||
		    (rc = read_int(x[A_VEHICLES], "vehicles", 0, 1000, &h->vehicles, err)) ||
		    (rc = read_int(x[A_HOUSES], "extra_houses", 0, 1000, &h->extra_houses, err))) {
			dd_error_prefix(err, "assets");
			return rc;
		}
	}
	const struct json_value *list;
	if ((rc = read_list(f[H_EXPENSES], "expenses", &list, err)))
		return rc;
	h->n_expenses = list ? list->len : 0;
	h->expenses = arena_calloc(a, h->n_expenses ? h->n_expenses : 1, sizeof *h->expenses);
	if (!h->expenses)
		return dd_fail(err, DD_ENOMEM, "expenses", "内存不足 (out of memory)");
	i = 0;
	for (const struct json_value *e = list ? list->child : NULL; e; e = e->next, i++) {
		if ((rc = read_expense(e, &h->expenses[i], err))) {
			char idx[32];
			snprintf(idx, sizeof idx, "expenses[%zu]", i);
			dd_error_prefix(err, idx);
			return rc;
		}
	}
	return DD_OK;
}
