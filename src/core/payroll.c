/* payroll.c - the payroll batch workflow (payroll.h). */
#include "payroll.h"

#include <stdio.h>
#include <string.h>

static const char *const state_codes[] = {"", "draft", "checked", "approved", "exported", "reconciled", "cancelled"};
static const char *const state_zh[] = {"", "草稿", "已核对", "已审核", "已生成银行文件", "已对账", "已作废"};
static const char *const action_codes[] = {"", "check", "approve", "export", "reconcile", "cancel", "reopen"};
static const char *const action_zh[] = {"", "区县核对", "财政审核", "生成银行文件", "对账完成", "作废", "退回修改"};

#define N_STATES (sizeof state_codes / sizeof state_codes[0])
#define N_ACTIONS (sizeof action_codes / sizeof action_codes[0])

enum payroll_state payroll_state_parse(const char *s)
{
	for (size_t i = 1; s && i < N_STATES; i++)
		if (strcmp(s, state_codes[i]) == 0)
			return (enum payroll_state)i;
	return PS_NONE;
}

const char *payroll_state_code(enum payroll_state s)
{
	return (size_t)s < N_STATES ? state_codes[s] : "";
}

const char *payroll_state_zh(enum payroll_state s)
{
	return (size_t)s < N_STATES ? state_zh[s] : "";
}

enum payroll_action payroll_action_parse(const char *s)
{
	for (size_t i = 1; s && i < N_ACTIONS; i++)
		if (strcmp(s, action_codes[i]) == 0)
			return (enum payroll_action)i;
	return PA_NONE;
}

const char *payroll_action_code(enum payroll_action a)
{
	return (size_t)a < N_ACTIONS ? action_codes[a] : "";
}

const char *payroll_action_zh(enum payroll_action a)
{
	return (size_t)a < N_ACTIONS ? action_zh[a] : "";
}

const char *payroll_refusal_code(enum payroll_refusal r)
{
	switch (r) {
	case PR_ROLE:
		return "ROLE_NOT_ALLOWED";
	case PR_STATE:
		return "INVALID_TRANSITION";
	case PR_FINDINGS_OPEN:
		return "FINDINGS_OPEN";
	case PR_PAYMENTS_PENDING:
		return "PAYMENTS_PENDING";
	case PR_OK:
		break;
	}
	return "";
}

const char *payroll_refusal_zh(enum payroll_refusal r)
{
	switch (r) {
	case PR_ROLE:
		return "当前角色不能执行此操作";
	case PR_STATE:
		return "发放批次当前状态下不能执行此操作";
	case PR_FINDINGS_OPEN:
		return "发放批次还有未处理的核查问题，须逐条清除或说明理由后才能核对通过";
	case PR_PAYMENTS_PENDING:
		return "还有银行未回盘的发放记录，不能完成对账";
	case PR_OK:
		break;
	}
	return "";
}

static bool role_is(const char *role, const char *a, const char *b)
{
	return role && ((a && strcmp(role, a) == 0) || (b && strcmp(role, b) == 0));
}

enum payroll_refusal payroll_step(enum payroll_state from, enum payroll_action act, const char *role,
				  int64_t findings_open, int64_t payments_unanswered, enum payroll_state *to)
{
	enum payroll_state want_from = PS_NONE, next = PS_NONE;
	bool role_ok = false;
	switch (act) {
	case PA_CHECK:
		want_from = PS_DRAFT, next = PS_CHECKED, role_ok = role_is(role, "county", NULL);
		break;
	case PA_APPROVE:
		want_from = PS_CHECKED, next = PS_APPROVED, role_ok = role_is(role, "finance", NULL);
		break;
	case PA_EXPORT:
		want_from = PS_APPROVED, next = PS_EXPORTED, role_ok = role_is(role, "finance", NULL);
		break;
	case PA_RECONCILE:
		want_from = PS_EXPORTED, next = PS_RECONCILED, role_ok = role_is(role, "county", "finance");
		break;
	case PA_REOPEN:
		want_from = PS_CHECKED, next = PS_DRAFT, role_ok = role_is(role, "county", NULL);
		break;
	case PA_CANCEL:
		next = PS_CANCELLED, role_ok = role_is(role, "county", NULL);
		break;
	case PA_NONE:
		return PR_STATE;
	}
	if (!role_ok)
		return PR_ROLE;
	if (act == PA_CANCEL ? from != PS_DRAFT && from != PS_CHECKED : from != want_from)
		return PR_STATE;
	if (act == PA_CHECK && findings_open > 0)
		return PR_FINDINGS_OPEN;
	if (act == PA_RECONCILE && payments_unanswered > 0)
		return PR_PAYMENTS_PENDING;
	*to = next;
	return PR_OK;
}

bool payroll_programme_valid(const char *p)
{
	return p && (strcmp(p, "dibao") == 0 || strcmp(p, "tekun") == 0 || strcmp(p, "children") == 0);
}

const char *payroll_programme_zh(const char *p)
{
	static const struct {
		const char *code, *zh;
	} names[] = {{"dibao", "最低生活保障"},
		     {"tekun", "特困人员救助供养"},
		     {"temporary", "临时救助"},
		     {"subsidy", "补贴"},
		     {"children", "孤儿和事实无人抚养儿童基本生活保障"}};
	for (size_t i = 0; p && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(p, names[i].code) == 0)
			return names[i].zh;
	return "";
}

const char *payroll_programme_name(const char *p)
{
	const char *zh = payroll_programme_zh(p);
	return zh[0] ? zh : p;
}

void payroll_mask_account(const char *acct, char out[32])
{
	size_t n = acct ? strlen(acct) : 0;
	if (n == 0)
		out[0] = '\0';
	else
		snprintf(out, 32, "****%s", n > 4 ? acct + n - 4 : acct);
}

const char *payroll_component_zh(const char *c)
{
	static const struct {
		const char *code, *zh;
	} names[] = {{"household", "低保金"},
		     {"gradual_exit", "低保金（渐退期）"},
		     {"single_person", "低保金（单人保）"},
		     {"tekun_basic", "特困基本生活费"},
		     {"tekun_care", "特困照料护理费"}};
	for (size_t i = 0; c && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(c, names[i].code) == 0)
			return names[i].zh;
	/* epidemic:<patient>:<period>, stage:<stage> (service/epidemic_aid.h) */
	if (c && strncmp(c, "epidemic:", 9) == 0)
		return "确诊患者救助";
	if (c && strncmp(c, "stage:", 6) == 0)
		return "分阶段临时救助";
	return "";
}

bool payroll_period_parse(const char *s, char first_day[11])
{
	if (!s || strlen(s) != 7 || s[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 2000 || y > 2099 || m < 1 || m > 12)
		return false;
	memcpy(first_day, s, 7);
	memcpy(first_day + 7, "-01", 4);
	return true;
}
