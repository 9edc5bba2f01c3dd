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

enum { EX_TYPE = IN_TYPE, EX_AMOUNT = IN_AMOUNT, EX_PERIOD = IN_PERIOD, EX__N };
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

/* --- the single-pass reader ---
 *
 * household_scan reads the JSON text straight into struct household without
 * building a tree. It takes only what it is sure of: every key known and
 * given once, strings without escapes, every value valid exactly as
 * household_read would have it. Anything else (an error, an escape, an
 * unknown key, a byte-order mark) makes it return false, and household_parse
 * then runs json_parse + household_read, whose verdict and message stand.
 * So the two paths can only differ in speed; tests/unit/test_household_scan.c
 * and fuzz/fuzz_household.c hold them to that. */

struct scan {
	const unsigned char *p, *end;
	struct arena *a;
	dd_error err; /* scratch for the field parsers; never reported */
};

struct tok {
	const char *s;
	size_t n;
};

static inline void sc_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static inline bool sc_char(struct scan *s, unsigned char c)
{
	sc_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

static inline int sc_peek(struct scan *s)
{
	sc_ws(s);
	return s->p < s->end ? *s->p : -1;
}

#define SC_ONES 0x0101010101010101ULL
#define SC_HIGH 0x8080808080808080ULL

/* Bit 7 of each byte of w that is '"', '\\', below 0x20 or above 0x7F. A
 * byte's bit may also be set just above a true hit (a borrow), never below,
 * so the lowest set bit is exact. */
static inline uint64_t sc_special8(uint64_t w)
{
	uint64_t q = w ^ (SC_ONES * '"'), b = w ^ (SC_ONES * '\\');
	return (w | ((q - SC_ONES) & ~q) | ((b - SC_ONES) & ~b) | ((w - SC_ONES * 0x20) & ~w)) & SC_HIGH;
}

static inline bool sc_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* A string without escapes: *t is its content. */
static bool sc_string(struct scan *s, struct tok *t)
{
	if (sc_peek(s) != '"')
		return false;
	const unsigned char *b = ++s->p;
	for (;;) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (s->end - s->p >= 8) {
			uint64_t w;
			memcpy(&w, s->p, 8);
			uint64_t m = sc_special8(w);
			if (!m) {
				s->p += 8;
				continue;
			}
			s->p += __builtin_ctzll(m) >> 3;
		}
#endif
		while (s->p < s->end && sc_plain(*s->p))
			s->p++;
		if (s->p >= s->end)
			return false;
		unsigned char c = *s->p;
		if (c == '"')
			break;
		if (c < 0x20 || c == '\\')
			return false;
		size_t k = json_utf8_len(s->p, s->end);
		if (!k)
			return false;
		s->p += k;
	}
	t->s = (const char *)b;
	t->n = (size_t)(s->p - b);
	s->p++;
	return true;
}

/* Whether the string at s->p (its opening quote) is exactly lit, which holds
 * no quote or backslash; if so, steps over it. No scan of the content. */
static inline bool sc_is(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n + 2 || s->p[n + 1] != '"')
		return false;
	const unsigned char *a = s->p + 1;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, lit + i, 8);
		if (x != y)
			return false;
	}
	for (; i < n; i++)
		if (a[i] != (unsigned char)lit[i])
			return false;
	s->p += n + 2;
	return true;
}

static bool sc_digits(struct scan *s)
{
	const unsigned char *f = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > f;
}

/* A number lexeme with the grammar and length limit of json_parse. */
static bool sc_number(struct scan *s, struct tok *t)
{
	sc_ws(s);
	const unsigned char *b = s->p;
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return false;
	if (*s->p == '0') {
		s->p++;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return false;
	} else {
		sc_digits(s);
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!sc_digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!sc_digits(s))
			return false;
	}
	t->s = (const char *)b;
	t->n = (size_t)(s->p - b);
	return t->n <= 4096;
}

static bool sc_word(struct scan *s, const char *w, size_t n)
{
	sc_ws(s);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* JSON null where a member is optional: the same as absent. */
static bool sc_null(struct scan *s)
{
	return sc_peek(s) == 'n' && sc_word(s, "null", 4);
}

static bool sc_money(struct scan *s, fen_t *out)
{
	struct tok t;
	int c = sc_peek(s);
	if (c == 'n')
		return sc_word(s, "null", 4);
	if (c == '"') {
		if (!sc_string(s, &t) || money_parse(t.s, t.n, MONEY_PLAIN, out, &s->err))
			return false;
	} else if (!sc_number(s, &t) || money_parse(t.s, t.n, MONEY_JSON_NUMBER, out, &s->err)) {
		return false;
	}
	return *out >= 0;
}

/* An integer lexeme (no fraction or exponent) within [lo, hi]. */
static bool sc_int(struct scan *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (sc_null(s))
		return true;
	struct tok t;
	if (!sc_number(s, &t))
		return false;
	size_t i = t.s[0] == '-';
	if (i == t.n || t.n - i > 18)
		return false;
	int64_t v = 0;
	for (; i < t.n; i++) {
		if (t.s[i] < '0' || t.s[i] > '9')
			return false;
		v = v * 10 + (t.s[i] - '0');
	}
	if (t.s[0] == '-')
		v = -v;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool sc_bool(struct scan *s, bool *out)
{
	switch (sc_peek(s)) {
	case 'n':
		return sc_word(s, "null", 4);
	case 't':
		*out = true;
		return sc_word(s, "true", 4);
	case 'f':
		*out = false;
		return sc_word(s, "false", 5);
	default:
		return false;
	}
}

/* Like sc_is for a NUL-terminated lit: compared as it is walked. */
static inline bool sc_is_cstr(struct scan *s, const char *lit)
{
	const unsigned char *a = s->p + 1;
	size_t i = 0;
	for (; lit[i]; i++)
		if (a + i >= s->end || a[i] != (unsigned char)lit[i])
			return false;
	if (a + i >= s->end || a[i] != '"')
		return false;
	s->p = a + i + 1;
	return true;
}

/* A string that must be one of the n codes at base, stride bytes apart: its
 * index, or -1 for null. */
static bool sc_enum_in(struct scan *s, const void *base, size_t stride, size_t n, int *out)
{
	int c = sc_peek(s);
	if (c == 'n' && sc_word(s, "null", 4)) {
		*out = -1;
		return true;
	}
	if (c != '"')
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *code = *(const char *const *)(const void *)((const char *)base + i * stride);
		if (code && sc_is_cstr(s, code)) {
			*out = (int)i;
			return true;
		}
	}
	return false;
}

static bool sc_enum(struct scan *s, const char *const *codes, size_t n, int *out)
{
	return sc_enum_in(s, codes, sizeof *codes, n, out);
}

/* A string (not null), copied NUL-terminated into the arena. */
static bool sc_strdup(struct scan *s, const char **out)
{
	struct tok t;
	if (!sc_string(s, &t))
		return false;
	*out = arena_strndup(s->a, t.s, t.n);
	return *out != NULL;
}

typedef bool (*sc_field_fn)(struct scan *s, void *ctx, int key);

/* An object whose keys all come from keys[]; each given at most once. */
static bool sc_object(struct scan *s, const struct key *keys, size_t nkeys, sc_field_fn field, void *ctx)
{
	if (!sc_char(s, '{'))
		return false;
	if (sc_char(s, '}'))
		return true;
	uint32_t seen = 0;
	size_t next = 0;
	do {
		size_t i = next, tries = 0;
		if (sc_peek(s) != '"')
			return false;
		/* keys mostly come in table order: try the expected one first */
		while (tries < nkeys && !sc_is(s, keys[i].s, keys[i].n)) {
			tries++;
			i = i + 1 == nkeys ? 0 : i + 1;
		}
		if (tries == nkeys || (seen & (1u << i)))
			return false;
		seen |= 1u << i;
		next = i + 1 == nkeys ? 0 : i + 1;
		if (!sc_char(s, ':') || !field(s, ctx, (int)i))
			return false;
	} while (sc_char(s, ','));
	return sc_char(s, '}');
}

/* An array of objects read by item(s, ctx, slot i) into at most max slots;
 * null is an empty list. */
static bool sc_array(struct scan *s, size_t max, bool (*item)(struct scan *, void *, size_t), void *ctx, size_t *count)
{
	*count = 0;
	if (sc_null(s))
		return true;
	if (!sc_char(s, '['))
		return false;
	if (sc_char(s, ']'))
		return true;
	do {
		if (*count == max || !item(s, ctx, *count))
			return false;
		(*count)++;
	} while (sc_char(s, ','));
	return sc_char(s, ']');
}

static bool sc_period(struct scan *s, bool *yearly)
{
	static const char *const periods[] = {"month", "year"};
	int p;
	if (!sc_enum(s, periods, 2, &p))
		return false;
	*yearly = p == 1;
	return true;
}

/* An income or expense item: the two share type, amount and period (and
 * the key indices IN_* = EX_* for those); only incomes have "imputed". */
struct sc_item {
	const struct code_name *types;
	int n_types;
	int type;
	fen_t amount;
	bool yearly, imputed, has_amount;
};

static bool sc_item_field(struct scan *s, void *ctx, int key)
{
	struct sc_item *x = ctx;
	switch (key) {
	case IN_TYPE:
		return sc_enum_in(s, &x->types[0].code, sizeof x->types[0], (size_t)x->n_types, &x->type) &&
		       x->type >= 0;
	case IN_AMOUNT:
		x->has_amount = sc_peek(s) != 'n';
		return x->has_amount && sc_money(s, &x->amount);
	case IN_PERIOD:
		return sc_period(s, &x->yearly);
	default:
		return sc_bool(s, &x->imputed);
	}
}

static bool sc_item(struct scan *s, struct sc_item *x, const struct key *keys, size_t nkeys)
{
	x->type = -1;
	return sc_object(s, keys, nkeys, sc_item_field, x) && x->type >= 0 && x->has_amount;
}

static bool sc_income(struct scan *s, void *ctx, size_t i)
{
	struct sc_item x = {.types = income_types, .n_types = INC__COUNT};
	if (!sc_item(s, &x, income_keys, IN__N))
		return false;
	((struct income *)ctx)[i] = (struct income){
	    .type = (enum income_type)x.type, .amount = x.amount, .yearly = x.yearly, .imputed = x.imputed};
	return true;
}

static bool sc_expense(struct scan *s, void *ctx, size_t i)
{
	struct sc_item x = {.types = expense_types, .n_types = EXP__COUNT};
	if (!sc_item(s, &x, expense_keys, EX__N))
		return false;
	((struct expense *)ctx)[i] =
	    (struct expense){.type = (enum expense_type)x.type, .amount = x.amount, .yearly = x.yearly};
	return true;
}

/* Copies n items of size sz from scratch into the arena, as household_read
 * allocates them (one zeroed slot when the list is empty). */
static void *sc_keep(struct arena *a, const void *scratch, size_t n, size_t sz)
{
	void *p = arena_calloc(a, n ? n : 1, sz);
	if (p && n)
		memcpy(p, scratch, n * sz);
	return p;
}

struct sc_member {
	struct member *m;
	bool has_id, has_name, has_relation;
};

static bool sc_member_field(struct scan *s, void *ctx, int key)
{
	struct sc_member *x = ctx;
	struct member *m = x->m;
	int e = -1;
	int64_t grade = 0;
	switch (key) {
	case M_ID: {
		struct tok t;
		x->has_id = true;
		return sc_string(s, &t) && idnum_parse(t.s, t.n, &m->id, &s->err) == DD_OK;
	}
	case M_NAME:
		x->has_name = true;
		return sc_strdup(s, &m->name);
	case M_RELATION:
		x->has_relation = true;
		if (!sc_enum(s, relations, sizeof relations / sizeof relations[0], &e) || e < 0)
			return false;
		m->relation = (enum relation)e;
		return true;
	case M_DIS_GRADE:
		if (!sc_int(s, 0, 4, &grade))
			return false;
		m->disability_grade = (int)grade;
		return true;
	case M_DIS_KIND:
		if (!sc_enum(s, disability_kinds + 1, DIS_MULTIPLE, &e))
			return false;
		m->disability_kind = e < 0 ? DIS_NONE : (enum disability_kind)(e + 1);
		return true;
	case M_SEVERE:
		return sc_bool(s, &m->severe_illness);
	case M_LABOR:
	case M_SELF_CARE:
		if (!sc_enum(s, levels, 3, &e))
			return false;
		if (e >= 0)
			*(key == M_LABOR ? &m->labor_capacity : &m->self_care) = (enum level)e;
		return true;
	case M_IN_SCHOOL:
		return sc_bool(s, &m->in_school);
	case M_SUPPORTERS:
		if (!sc_enum(s, supporters_codes, 3, &e))
			return false;
		if (e >= 0)
			m->supporters = (enum supporters)e;
		return true;
	case M_FINANCIAL:
		return sc_money(s, &m->financial_assets);
	default: {
		struct income scratch[HOUSEHOLD_MAX_ITEMS];
		if (!sc_array(s, HOUSEHOLD_MAX_ITEMS, sc_income, scratch, &m->n_incomes))
			return false;
		m->incomes = sc_keep(s->a, scratch, m->n_incomes, sizeof *m->incomes);
		return m->incomes != NULL;
	}
	}
}

static bool sc_member(struct scan *s, void *ctx, size_t i)
{
	struct member *m = (struct member *)ctx + i;
	memset(m, 0, sizeof *m);
	struct sc_member x = {.m = m};
	if (!sc_object(s, member_keys, M__N, sc_member_field, &x) || !x.has_id || !x.has_name || !x.has_relation)
		return false;
	if (!m->incomes) /* "incomes" absent: as household_read allocates it */
		m->incomes = arena_calloc(s->a, 1, sizeof *m->incomes);
	return m->incomes != NULL;
}

struct sc_household {
	struct household *h;
	const dd_date *date_override;
	bool has_region, has_area, has_date, has_members;
};

static bool sc_current_field(struct scan *s, void *ctx, int key)
{
	struct household *h = ctx;
	struct tok t;
	switch (key) {
	case C_PROGRAMME:
		return sc_strdup(s, &h->current_programme);
	case C_BENEFIT:
		return sc_money(s, &h->current_benefit);
	default:
		if (sc_null(s))
			return true;
		if (!sc_string(s, &t) || month_parse(t.s, t.n, &h->rise_month, &s->err))
			return false;
		h->has_rise_month = true;
		return true;
	}
}

static bool sc_assets_field(struct scan *s, void *ctx, int key)
{
	struct household *h = ctx;
	switch (key) {
	case A_FINANCIAL:
		return sc_money(s, &h->assets_financial);
	case A_VEHICLES:
		return sc_int(s, 0, 1000, &h->vehicles);
	default:
		return sc_int(s, 0, 1000, &h->extra_houses);
	}
}

static bool sc_household_field(struct scan *s, void *ctx, int key)
{
	struct sc_household *x = ctx;
	struct household *h = x->h;
	struct tok t;
	int e;
	switch (key) {
	case H_REGION:
		x->has_region = true;
		if (!sc_string(s, &t) || t.n >= sizeof h->region ||
		    region_parse(t.s, t.n, 6, h->region_sig, &s->err) != DD_OK)
			return false;
		memcpy(h->region, t.s, t.n);
		h->region[t.n] = '\0';
		return true;
	case H_AREA:
		x->has_area = true;
		if (!sc_enum(s, areas, 2, &e) || e < 0)
			return false;
		h->area = (enum area)e;
		return true;
	case H_DATE:
		x->has_date = true;
		if (!sc_string(s, &t))
			return false;
		return x->date_override || date_parse(t.s, t.n, &h->date, &s->err) == DD_OK;
	case H_CURRENT:
		if (sc_null(s))
			return true;
		h->has_current = true;
		h->current_programme = NULL;
		return sc_object(s, current_keys, C__N, sc_current_field, h) && h->current_programme;
	case H_MEMBERS: {
		struct member scratch[HOUSEHOLD_MAX_MEMBERS];
		x->has_members = true;
		if (sc_peek(s) != '[' || !sc_array(s, HOUSEHOLD_MAX_MEMBERS, sc_member, scratch, &h->n_members) ||
		    h->n_members == 0)
			return false;
		h->members = sc_keep(s->a, scratch, h->n_members, sizeof *h->members);
		return h->members != NULL;
	}
	case H_ASSETS:
		return sc_null(s) || sc_object(s, asset_keys, A__N, sc_assets_field, h);
	default: {
		struct expense scratch[HOUSEHOLD_MAX_ITEMS];
		if (!sc_array(s, HOUSEHOLD_MAX_ITEMS, sc_expense, scratch, &h->n_expenses))
			return false;
		h->expenses = sc_keep(s->a, scratch, h->n_expenses, sizeof *h->expenses);
		return h->expenses != NULL;
	}
	}
}

bool household_scan(const char *text, size_t n, const dd_date *date_override, struct arena *a, struct household *h)
{
	struct scan s = {.p = (const unsigned char *)text, .end = (const unsigned char *)text + n, .a = a};
	struct sc_household x = {.h = h, .date_override = date_override};
	memset(h, 0, sizeof *h);
	if (!sc_object(&s, household_keys, H__N, sc_household_field, &x))
		return false;
	sc_ws(&s);
	if (s.p != s.end || !x.has_region || !x.has_area || !x.has_members || !(x.has_date || date_override))
		return false;
	if (date_override)
		h->date = *date_override;
	if (!h->expenses && !(h->expenses = arena_calloc(a, 1, sizeof *h->expenses)))
		return false;
	for (size_t i = 0; i < h->n_members; i++) {
		if (h->members[i].id.birth > h->date)
			return false;
		for (size_t k = 0; k < i; k++)
			if (strcmp(h->members[k].id.text, h->members[i].id.text) == 0)
				return false;
	}
	return true;
}

dd_status household_parse(const char *text, size_t n, const dd_date *date_override, struct arena *a,
			  struct household *h, dd_error *err)
{
	if (household_scan(text, n, date_override, a, h))
		return DD_OK;
	struct json_value *doc;
	dd_error_clear(err);
	dd_status rc = json_parse(text, n, a, NULL, &doc, err);
	return rc ? rc : household_read(doc, date_override, a, h, err);
}
