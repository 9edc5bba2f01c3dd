/* policy.c - loading, validating and looking up policy parameters. No I/O. */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Known names and their kinds; a trailing '*' matches a prefix. Adding a
 * parameter the code relies on is one line here. */
static const struct {
	const char *name;
	enum policy_kind kind;
} known[] = {
    {"dibao.standard.*", POLICY_MONEY},
    {"dibao.benefit_rounding", POLICY_CODE},
    {"dibao.benefit_min", POLICY_MONEY},
    {"dibao.addon.disabled", POLICY_MONEY},
    {"dibao.addon.severe", POLICY_MONEY},
    {"dibao.addon.child_student", POLICY_MONEY},
    {"dibao.addon.elderly_age", POLICY_INTEGER},
    {"dibao.addon.child_age", POLICY_INTEGER},
    {"income.employment_cost_ratio", POLICY_RATIO},
    {"income.excluded_types", POLICY_LIST},
    {"income.rigid_expense_types", POLICY_LIST},
    {"income.rigid_expense_cap", POLICY_MONEY},
    {"assets.financial_months", POLICY_INTEGER},
    {"assets.vehicles_max", POLICY_INTEGER},
    {"assets.houses_max", POLICY_INTEGER},
    {"exit.suspended", POLICY_BOOLEAN},
    {"exit.gradual_ratio", POLICY_RATIO},
    {"exit.gradual_months", POLICY_INTEGER},
    {"marginal.ratio", POLICY_RATIO},
    {"single_person.enabled", POLICY_BOOLEAN},
    {"single_person.disability_grades", POLICY_LIST},
    {"tekun.elderly_age", POLICY_INTEGER},
    {"tekun.minor_age", POLICY_INTEGER},
    {"tekun.no_labor_age", POLICY_INTEGER},
    {"tekun.disability_grades", POLICY_LIST},
    {"tekun.grade3_kinds", POLICY_LIST},
    {"tekun.financial_months", POLICY_INTEGER},
    {"tekun.basic.*", POLICY_MONEY},
    {"tekun.care.*", POLICY_MONEY},
    {"temp.covid_multiple", POLICY_INTEGER},
    {"temp.first_aid_limit", POLICY_MONEY},
    {"temp.township_limit", POLICY_MONEY},
    {"temp.multiples.*", POLICY_INTEGER},
    {"temp.max_multiple", POLICY_INTEGER},
    {"price.trigger_cpi", POLICY_RATIO},
    {"price.trigger_food", POLICY_RATIO},
    {"price.floor", POLICY_MONEY},
    {"price.groups", POLICY_LIST},
    {"subsidy.*", POLICY_MONEY},
    {"children.standard.*", POLICY_MONEY},
    {"children.exit_postponed", POLICY_BOOLEAN},
    {"children.same_month", POLICY_BOOLEAN},
    {"children.continue_in_school", POLICY_BOOLEAN},
    {"procedure.*_workdays", POLICY_INTEGER},
    {"procedure.public_notice_days", POLICY_INTEGER},
    {"procedure.township_approves", POLICY_BOOLEAN},
    {"procedure.waive_investigation", POLICY_BOOLEAN},
};

static bool name_matches(const char *pattern, const char *name)
{
	const char *star = strchr(pattern, '*');
	if (!star)
		return strcmp(pattern, name) == 0;
	size_t pre = (size_t)(star - pattern), post = strlen(star + 1), n = strlen(name);
	return n > pre + post && strncmp(pattern, name, pre) == 0 && strcmp(name + n - post, star + 1) == 0;
}

bool policy_known_kind(const char *name, enum policy_kind *out)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (name_matches(known[i].name, name)) {
			*out = known[i].kind;
			return true;
		}
	return false;
}

static const char *const kind_names[] = {
    [POLICY_MONEY] = "money",	  [POLICY_RATIO] = "ratio", [POLICY_INTEGER] = "integer",
    [POLICY_BOOLEAN] = "boolean", [POLICY_LIST] = "list",   [POLICY_CODE] = "code",
};

const char *policy_kind_name(enum policy_kind k)
{
	return kind_names[k];
}

static bool kind_from_name(const char *s, enum policy_kind *out)
{
	for (size_t k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++)
		if (strcmp(kind_names[k], s) == 0) {
			*out = (enum policy_kind)k;
			return true;
		}
	return false;
}

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > 96)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static dd_status parse_value(struct policy *p, const struct json_value *v, enum policy_kind kind,
			     struct policy_value *out, dd_error *err)
{
	out->kind = kind;
	out->text = NULL;
	switch (kind) {
	case POLICY_MONEY:
		if (v->type != JSON_STRING && v->type != JSON_NUMBER)
			return dd_fail(err, DD_EINVAL, "value",
				       "金额应为字符串，如 \"620.00\" (money must be a decimal string)");
		if (money_parse(v->str, v->len, v->type == JSON_NUMBER ? MONEY_JSON_NUMBER : MONEY_PLAIN, &out->i, err))
			return dd_fail(err, err->code, "value", "%s", err->message);
		if (out->i < 0)
			return dd_fail(err, DD_EINVAL, "value", "金额不能为负 (money must not be negative)");
		out->text = v->str;
		return DD_OK;
	case POLICY_RATIO:
		if (v->type != JSON_STRING && v->type != JSON_NUMBER)
			return dd_fail(err, DD_EINVAL, "value",
				       "比例应为字符串，如 \"0.30\" (ratio must be a decimal string)");
		if (ratio_parse(v->str, v->len, &out->ratio, err))
			return dd_fail(err, err->code, "value", "%s", err->message);
		out->text = v->str;
		return DD_OK;
	case POLICY_INTEGER:
		if (!json_int64(v, &out->i) || out->i < -1000000000 || out->i > 1000000000)
			return dd_fail(err, DD_EINVAL, "value", "应为整数 (integer expected)");
		out->text = v->str;
		return DD_OK;
	case POLICY_BOOLEAN:
		if (v->type != JSON_TRUE && v->type != JSON_FALSE)
			return dd_fail(err, DD_EINVAL, "value", "应为 true 或 false (boolean expected)");
		out->i = v->type == JSON_TRUE;
		out->text = out->i ? "true" : "false";
		return DD_OK;
	case POLICY_CODE:
		if (v->type != JSON_STRING)
			return dd_fail(err, DD_EINVAL, "value", "应为字符串 (string expected)");
		out->text = v->str;
		return DD_OK;
	case POLICY_LIST: {
		if (v->type != JSON_ARRAY)
			return dd_fail(err, DD_EINVAL, "value", "应为数组 (list expected)");
		struct policy_item *items = arena_calloc(&p->arena, v->len ? v->len : 1, sizeof *items);
		if (!items)
			return dd_fail(err, DD_ENOMEM, "value", "内存不足 (out of memory)");
		size_t i = 0;
		for (const struct json_value *e = v->child; e; e = e->next, i++) {
			if (e->type == JSON_STRING) {
				items[i].s = e->str;
			} else if (json_int64(e, &items[i].i)) {
				items[i].is_int = true;
			} else {
				return dd_fail(err, DD_EINVAL, "value",
					       "列表第 %zu 项应为字符串或整数 (list items must be strings or integers)",
					       i);
			}
		}
		out->items = items;
		out->n_items = v->len;
		return DD_OK;
	}
	}
	return DD_EINVAL;
}

static enum policy_kind infer_kind(const struct json_value *v)
{
	int64_t i;
	switch (v->type) {
	case JSON_TRUE:
	case JSON_FALSE:
		return POLICY_BOOLEAN;
	case JSON_ARRAY:
		return POLICY_LIST;
	case JSON_NUMBER:
		return json_int64(v, &i) ? POLICY_INTEGER : POLICY_RATIO;
	default:
		return POLICY_CODE;
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct policy_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	size_t lx = strlen(x->region), ly = strlen(y->region);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	c = strcmp(x->region, y->region);
	if (c)
		return c;
	return x->from < y->from ? -1 : x->from > y->from;
}

static int date_cmp(const void *a, const void *b)
{
	dd_date x = *(const dd_date *)a, y = *(const dd_date *)b;
	return x < y ? -1 : x > y;
}

const char *policy_region_key(const struct policy *p, const char *region_sig)
{
	const char *best = "";
	size_t best_len = 0;
	for (size_t i = 0; i < p->n_regions; i++) {
		size_t len = strlen(p->regions[i]);
		if (len >= best_len && region_covers(p->regions[i], region_sig)) {
			best = p->regions[i];
			best_len = len;
		}
	}
	return best;
}

size_t policy_epoch(const struct policy *p, dd_date date)
{
	size_t lo = 0, hi = p->n_froms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->froms[mid] <= date)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static dd_status load_entry(struct policy *p, const struct json_value *e, struct policy_entry *out, dd_error *err)
{
	if (e->type != JSON_OBJECT)
		return dd_fail(err, DD_EINVAL, NULL, "应为对象 (expected an object)");
	const struct json_value *name = json_get(e, "name"), *region = json_get(e, "region"),
				*from = json_get(e, "from"), *value = json_get(e, "value"), *kind = json_get(e, "kind");
	if (!name || name->type != JSON_STRING || !valid_name(name->str, name->len))
		return dd_fail(err, DD_EINVAL, "name", "参数名缺失或不合法 (missing or invalid parameter name)");
	out->name = name->str;
	if (!region || region->type != JSON_STRING)
		return dd_fail(err, DD_EINVAL, "region", "缺少地区代码字符串，全国为 \"\" (missing region string)");
	if (region_parse(region->str, region->len, 0, out->region, err))
		return dd_fail(err, DD_EINVAL, "region", "%s", err->message);
	if (!from || from->type != JSON_STRING)
		return dd_fail(err, DD_EINVAL, "from", "缺少生效日期 (missing effective date)");
	if (date_parse(from->str, from->len, &out->from, err))
		return dd_fail(err, DD_EINVAL, "from", "%s", err->message);
	if (!value)
		return dd_fail(err, DD_EINVAL, "value", "缺少参数值 (missing value)");
	enum policy_kind k, declared;
	bool is_known = policy_known_kind(out->name, &k);
	if (kind) {
		if (kind->type != JSON_STRING || !kind_from_name(kind->str, &declared))
			return dd_fail(err, DD_EINVAL, "kind", "未知的参数类型 (unknown kind)");
		if (is_known && declared != k)
			return dd_fail(err, DD_EINVAL, "kind", "参数 %s 的类型应为 %s (kind must be %s)", out->name,
				       policy_kind_name(k), policy_kind_name(k));
		k = declared;
	} else if (!is_known) {
		k = infer_kind(value);
	}
	dd_status rc = parse_value(p, value, k, &out->value, err);
	if (rc)
		return rc;
	const struct json_value *demo = json_get(e, "demo"), *unconf = json_get(e, "unconfirmed"),
				*source = json_get(e, "source");
	out->demo = demo && demo->type == JSON_TRUE;
	out->unconfirmed = unconf && unconf->type == JSON_TRUE;
	out->source = source && source->type == JSON_STRING ? source->str : NULL;
	const struct json_value *note = json_get(e, "note"), *by = json_get(e, "created_by"),
				*at = json_get(e, "created_at");
	out->note = note && note->type == JSON_STRING ? note->str : NULL;
	out->created_by = by && by->type == JSON_STRING ? by->str : NULL;
	out->created_at = at && at->type == JSON_STRING ? at->str : NULL;
	const struct json_value *label = json_get(e, "label");
	out->label = label && label->type == JSON_STRING ? label->str : NULL;
	return DD_OK;
}

bool policy_kind_parse(const char *s, enum policy_kind *out)
{
	return s && kind_from_name(s, out);
}

/* The parameters array of a document. */
static dd_status doc_params(struct policy *p, const char *text, size_t n, const struct json_value **out, dd_error *err)
{
	struct json_value *root;
	dd_status rc = json_parse(text, n, &p->arena, NULL, &root, err);
	if (rc)
		return rc;
	const struct json_value *params = json_get(root, "parameters");
	if (root->type != JSON_OBJECT || !params || params->type != JSON_ARRAY)
		return dd_fail(err, DD_EINVAL, "parameters",
			       "政策文件应为 {\"parameters\": [...]} (expected a parameters array)");
	*out = params;
	return DD_OK;
}

dd_status policy_load(struct policy *p, const char *text, size_t n, dd_error *err)
{
	return policy_load_merged(p, text, n, NULL, 0, err);
}

dd_status policy_load_merged(struct policy *p, const char *text, size_t n, const char *store, size_t store_n,
			     dd_error *err)
{
	memset(p, 0, sizeof *p);
	arena_init(&p->arena, 64 * 1024, 256 * 1024 * 1024);
	const struct json_value *docs[2] = {NULL, NULL};
	dd_status rc = doc_params(p, text, n, &docs[0], err);
	if (!rc && store) {
		rc = doc_params(p, store, store_n, &docs[1], err);
		if (rc)
			dd_error_prefix(err, "store");
	}
	if (rc)
		goto fail;
	size_t total = docs[0]->len + (docs[1] ? docs[1]->len : 0);
	p->entries = arena_calloc(&p->arena, total ? total : 1, sizeof *p->entries);
	if (!p->entries) {
		rc = dd_fail(err, DD_ENOMEM, "parameters", "内存不足 (out of memory)");
		goto fail;
	}
	size_t i = 0;
	for (int d = 0; d < 2; d++) {
		if (!docs[d])
			continue;
		size_t k = 0;
		for (const struct json_value *e = docs[d]->child; e; e = e->next, k++, i++) {
			rc = load_entry(p, e, &p->entries[i], err);
			if (rc) {
				char idx[48];
				snprintf(idx, sizeof idx, "%sparameters[%zu]", d ? "store." : "", k);
				dd_error_prefix(err, idx);
				goto fail;
			}
			p->entries[i].stored = d == 1;
		}
	}
	p->n = i;
	qsort(p->entries, p->n, sizeof *p->entries, entry_cmp);
	/* the store's entry replaces the file's of the same name, region and from */
	size_t w = 0;
	for (i = 0; i < p->n; i++) {
		if (w && entry_cmp(&p->entries[w - 1], &p->entries[i]) == 0 &&
		    p->entries[w - 1].stored != p->entries[i].stored) {
			if (p->entries[i].stored)
				p->entries[w - 1] = p->entries[i];
			continue;
		}
		p->entries[w++] = p->entries[i];
	}
	p->n = w;
	for (i = 1; i < p->n; i++) {
		if (entry_cmp(&p->entries[i - 1], &p->entries[i]) == 0) {
			char d[DATE_TEXT_MAX];
			date_format(p->entries[i].from, d);
			rc = dd_fail(err, DD_EINVAL, p->entries[i].name,
				     "同一地区 \"%s\"、同一生效日期 %s 有两个值 (duplicate parameter entry)",
				     p->entries[i].region, d);
			goto fail;
		}
		/* one name, one kind */
		if (strcmp(p->entries[i - 1].name, p->entries[i].name) == 0 &&
		    p->entries[i - 1].value.kind != p->entries[i].value.kind) {
			rc = dd_fail(err, DD_EINVAL, p->entries[i].name, "同一参数的值类型不一致 (inconsistent kinds)");
			goto fail;
		}
	}
	p->froms = arena_calloc(&p->arena, p->n ? p->n : 1, sizeof *p->froms);
	if (!p->froms) {
		rc = dd_fail(err, DD_ENOMEM, "parameters", "内存不足 (out of memory)");
		goto fail;
	}
	for (i = 0; i < p->n; i++)
		p->froms[i] = p->entries[i].from;
	qsort(p->froms, p->n, sizeof *p->froms, date_cmp);
	p->n_froms = 0;
	for (i = 0; i < p->n; i++)
		if (!p->n_froms || p->froms[p->n_froms - 1] != p->froms[i])
			p->froms[p->n_froms++] = p->froms[i];
	p->regions = arena_calloc(&p->arena, p->n ? p->n : 1, sizeof *p->regions);
	if (!p->regions) {
		rc = dd_fail(err, DD_ENOMEM, "parameters", "内存不足 (out of memory)");
		goto fail;
	}
	for (i = 0; i < p->n; i++) {
		size_t k = 0;
		while (k < p->n_regions && strcmp(p->regions[k], p->entries[i].region) != 0)
			k++;
		if (k == p->n_regions)
			p->regions[p->n_regions++] = p->entries[i].region;
	}
	return DD_OK;
fail:
	policy_release(p);
	return rc;
}

void policy_release(struct policy *p)
{
	arena_release(&p->arena);
	p->entries = NULL;
	p->n = 0;
	p->froms = NULL;
	p->n_froms = 0;
	p->regions = NULL;
	p->n_regions = 0;
}

const struct policy_entry *policy_lookup(const struct policy *p, const char *name, const char *region_sig, dd_date date)
{
	/* binary search for the first entry with this name */
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(p->entries[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct policy_entry *best = NULL;
	size_t best_len = 0;
	for (size_t i = lo; i < p->n && strcmp(p->entries[i].name, name) == 0; i++) {
		const struct policy_entry *e = &p->entries[i];
		if (e->from > date || !region_covers(e->region, region_sig))
			continue;
		size_t len = strlen(e->region);
		if (!best || len > best_len || (len == best_len && e->from > best->from)) {
			best = e;
			best_len = len;
		}
	}
	return best;
}
