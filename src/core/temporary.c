/* temporary.c - temporary assistance: case types, the tier rule, staged
 * payment plans. Pure: no I/O. */
#include "temporary.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct temp_cause causes[] = {
    /* 急难型: DOMAIN.md §3; 000 §二; 004 §一(五) */
    {"fire", "火灾", TEMP_KIND_EMERGENCY},
    {"natural_disaster", "自然灾害", TEMP_KIND_EMERGENCY},
    {"accident", "意外事故", TEMP_KIND_EMERGENCY},
    {"illness", "突发重大疾病", TEMP_KIND_EMERGENCY},
    {"epidemic", "疫情影响", TEMP_KIND_EMERGENCY},
    {"unemployment", "失业无收入来源", TEMP_KIND_EMERGENCY},
    {"stranded", "临时遇困外来人员", TEMP_KIND_EMERGENCY},
    {"other_emergency", "其他急难情形", TEMP_KIND_EMERGENCY},
    /* 支出型: rigid expenditure beyond what the household can bear */
    {"medical", "医疗支出", TEMP_KIND_EXPENDITURE},
    {"education", "教育支出", TEMP_KIND_EXPENDITURE},
    {"basic_living", "基本生活支出", TEMP_KIND_EXPENDITURE},
    {"other_expenditure", "其他刚性支出", TEMP_KIND_EXPENDITURE},
};

static const char *const kind_names[] = {
    [TEMP_KIND_NONE] = "", [TEMP_KIND_EMERGENCY] = "emergency", [TEMP_KIND_EXPENDITURE] = "expenditure"};
static const char *const kind_labels[] = {
    [TEMP_KIND_NONE] = "", [TEMP_KIND_EMERGENCY] = "急难型", [TEMP_KIND_EXPENDITURE] = "支出型"};
static const char *const severity_names[] = {[TEMP_SEVERITY_NONE] = "",
					     [TEMP_SEVERITY_GENERAL] = "general",
					     [TEMP_SEVERITY_SERIOUS] = "serious",
					     [TEMP_SEVERITY_GRAVE] = "grave"};
static const char *const severity_labels[] = {[TEMP_SEVERITY_NONE] = "",
					      [TEMP_SEVERITY_GENERAL] = "一般",
					      [TEMP_SEVERITY_SERIOUS] = "较重",
					      [TEMP_SEVERITY_GRAVE] = "严重"};
static const char *const tier_names[] = {[TEMP_TIER_FIRST_AID] = "first_aid",
					 [TEMP_TIER_TOWNSHIP] = "township",
					 [TEMP_TIER_COUNTY] = "county",
					 [TEMP_TIER_CASE_BY_CASE] = "case_by_case"};
static const char *const tier_labels[] = {[TEMP_TIER_FIRST_AID] = "先行救助（村、乡镇可先行发放）",
					  [TEMP_TIER_TOWNSHIP] = "乡镇（街道）审批",
					  [TEMP_TIER_COUNTY] = "区县民政局审批",
					  [TEMP_TIER_CASE_BY_CASE] = "区县民政局一事一议"};

enum temp_kind temp_kind_parse(const char *s)
{
	for (int k = TEMP_KIND_EMERGENCY; s && k <= TEMP_KIND_EXPENDITURE; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (enum temp_kind)k;
	return TEMP_KIND_NONE;
}

const char *temp_kind_name(enum temp_kind k)
{
	return k >= TEMP_KIND_NONE && k <= TEMP_KIND_EXPENDITURE ? kind_names[k] : "";
}

const char *temp_kind_label(enum temp_kind k)
{
	return k >= TEMP_KIND_NONE && k <= TEMP_KIND_EXPENDITURE ? kind_labels[k] : "";
}

const struct temp_cause *temp_cause_find(const char *code)
{
	for (size_t i = 0; code && i < sizeof causes / sizeof causes[0]; i++)
		if (strcmp(code, causes[i].code) == 0)
			return &causes[i];
	return NULL;
}

const struct temp_cause *temp_causes(size_t *n)
{
	*n = sizeof causes / sizeof causes[0];
	return causes;
}

enum temp_severity temp_severity_parse(const char *s)
{
	for (int k = TEMP_SEVERITY_GENERAL; s && k <= TEMP_SEVERITY_GRAVE; k++)
		if (strcmp(s, severity_names[k]) == 0)
			return (enum temp_severity)k;
	return TEMP_SEVERITY_NONE;
}

const char *temp_severity_name(enum temp_severity s)
{
	return s >= TEMP_SEVERITY_NONE && s <= TEMP_SEVERITY_GRAVE ? severity_names[s] : "";
}

const char *temp_severity_label(enum temp_severity s)
{
	return s >= TEMP_SEVERITY_NONE && s <= TEMP_SEVERITY_GRAVE ? severity_labels[s] : "";
}

const char *temp_tier_name(enum temp_tier t)
{
	return t >= TEMP_TIER_FIRST_AID && t <= TEMP_TIER_CASE_BY_CASE ? tier_names[t] : "";
}

const char *temp_tier_label(enum temp_tier t)
{
	return t >= TEMP_TIER_FIRST_AID && t <= TEMP_TIER_CASE_BY_CASE ? tier_labels[t] : "";
}

dd_status temp_limits_check(const struct temp_limits *l, fen_t *cap, dd_error *err)
{
	if (l->first_aid_limit < 0 || l->township_limit < 0 || l->max_multiple < 0 || l->standard <= 0)
		return dd_fail(err, DD_EINVAL, "policy", "临时救助参数无效：限额和倍数不能为负，低保标准须大于 0");
	if (l->first_aid_limit > l->township_limit)
		return dd_fail(err, DD_EINVAL, "policy", "临时救助参数无效：先行救助限额高于乡镇审批限额");
	if (!money_mul_int(l->standard, l->max_multiple, cap))
		return dd_fail(err, DD_ERANGE, "policy", "临时救助参数无效：最高倍数乘以低保标准超出金额范围");
	return DD_OK;
}

dd_status temp_tier_of(const struct temp_limits *l, fen_t amount, enum temp_tier *out, dd_error *err)
{
	fen_t cap;
	dd_status rc = temp_limits_check(l, &cap, err);
	if (rc)
		return rc;
	if (amount <= 0)
		return dd_fail(err, DD_EINVAL, "amount", "金额须大于 0");
	if (amount > cap)
		*out = TEMP_TIER_CASE_BY_CASE;
	else if (amount > l->township_limit)
		*out = TEMP_TIER_COUNTY;
	else if (amount > l->first_aid_limit)
		*out = TEMP_TIER_TOWNSHIP;
	else
		*out = TEMP_TIER_FIRST_AID;
	return DD_OK;
}

static void refuse(struct temp_verdict *v, const char *code, const char *fmt, ...) DD_PRINTF(3, 4);

static void refuse(struct temp_verdict *v, const char *code, const char *fmt, ...)
{
	v->allowed = false;
	v->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof v->reason, fmt, ap);
	va_end(ap);
}

dd_status temp_check(const struct temp_limits *l, enum temp_actor actor, enum temp_action action, fen_t amount,
		     bool has_note, struct temp_verdict *out, dd_error *err)
{
	memset(out, 0, sizeof *out);
	dd_status rc = temp_tier_of(l, amount, &out->tier, err);
	if (rc)
		return rc;
	rc = temp_limits_check(l, &out->cap, err);
	if (rc)
		return rc;
	char a[MONEY_TEXT_MAX], lim[MONEY_TEXT_MAX];
	money_format(amount, a);
	out->allowed = true;
	out->note_required = out->tier == TEMP_TIER_CASE_BY_CASE;
	if (action == TEMP_ACTION_FIRST_AID) {
		out->note_required = false;
		if (actor != TEMP_ACTOR_VILLAGE && actor != TEMP_ACTOR_TOWNSHIP) {
			refuse(out, "ROLE_CANNOT_FIRST_AID", "先行救助由村（居）委会或乡镇（街道）实施");
			return DD_OK;
		}
		if (amount > l->first_aid_limit) {
			money_format(l->first_aid_limit, lim);
			refuse(out, "FIRST_AID_ABOVE_LIMIT",
			       "先行救助金额 %s 元超过先行救助限额 %s 元，请按分级审批办理", a, lim);
		}
		return DD_OK;
	}
	switch (actor) {
	case TEMP_ACTOR_TOWNSHIP:
		if (out->tier == TEMP_TIER_CASE_BY_CASE) {
			money_format(out->cap, lim);
			refuse(out, "ABOVE_ROLE_LIMIT",
			       "金额 %s 元超过 %lld 倍低保标准（%s 元），须报区县民政局一事一议审批", a,
			       (long long)l->max_multiple, lim);
		} else if (out->tier == TEMP_TIER_COUNTY) {
			money_format(l->township_limit, lim);
			refuse(out, "ABOVE_ROLE_LIMIT", "金额 %s 元超过乡镇（街道）审批限额 %s 元，须报区县民政局审批",
			       a, lim);
		}
		return DD_OK;
	case TEMP_ACTOR_COUNTY:
		if (out->note_required && !has_note) {
			money_format(out->cap, lim);
			refuse(out, "CASE_BY_CASE_NOTE_REQUIRED",
			       "金额 %s 元超过 %lld 倍低保标准（%s 元），须一事一议并填写区县意见", a,
			       (long long)l->max_multiple, lim);
		}
		return DD_OK;
	case TEMP_ACTOR_VILLAGE:
		refuse(out, "ROLE_CANNOT_APPROVE", "村（居）委会只能先行救助，审批由乡镇（街道）或区县民政局作出");
		return DD_OK;
	case TEMP_ACTOR_OTHER:
		break;
	}
	refuse(out, "ROLE_CANNOT_APPROVE", "当前角色不能审批临时救助");
	return DD_OK;
}

bool temp_amount_for(fen_t standard, int64_t multiple, fen_t *out)
{
	if (standard < 0 || multiple < 0)
		return false;
	return money_mul_int(standard, multiple, out);
}

dd_status temp_stage_plan(fen_t total, int n, fen_t out[TEMP_STAGES_MAX], dd_error *err)
{
	if (n < 1 || n > TEMP_STAGES_MAX)
		return dd_fail(err, DD_EINVAL, "stages", "分阶段救助的阶段数应为 1 到 %d", TEMP_STAGES_MAX);
	if (total <= 0)
		return dd_fail(err, DD_EINVAL, "amount", "金额须大于 0");
	if (total < n)
		return dd_fail(err, DD_EINVAL, "stages", "金额不足以分成 %d 个阶段", n);
	fen_t base = total / n, extra = total % n;
	for (int i = 0; i < n; i++)
		out[i] = base + (i < extra ? 1 : 0);
	return DD_OK;
}

dd_status temp_stages_check(fen_t total, const fen_t *stages, int n, dd_error *err)
{
	if (n < 1 || n > TEMP_STAGES_MAX)
		return dd_fail(err, DD_EINVAL, "stages", "分阶段救助的阶段数应为 1 到 %d", TEMP_STAGES_MAX);
	fen_t sum = 0;
	for (int i = 0; i < n; i++) {
		char f[32];
		snprintf(f, sizeof f, "stages[%d]", i);
		if (stages[i] <= 0)
			return dd_fail(err, DD_EINVAL, f, "每个阶段的金额须大于 0");
		if (!money_add(sum, stages[i], &sum))
			return dd_fail(err, DD_ERANGE, f, "阶段金额合计超出金额范围");
	}
	if (sum != total) {
		char s[MONEY_TEXT_MAX], t[MONEY_TEXT_MAX];
		money_format(sum, s);
		money_format(total, t);
		return dd_fail(err, DD_EINVAL, "stages", "各阶段金额合计 %s 元，与救助金额 %s 元不符", s, t);
	}
	return DD_OK;
}
