/* authz.c - roles and permissions. No I/O. */
#include "authz.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {
    [ROLE_NONE] = "",
    [ROLE_VILLAGE] = "village",
    [ROLE_TOWNSHIP] = "township",
    [ROLE_COUNTY] = "county",
    [ROLE_FINANCE] = "finance",
    [ROLE_CITY] = "city",
    [ROLE_AUDITOR] = "auditor",
    [ROLE_ADMIN] = "admin",
    [ROLE_DEPARTMENT] = "department",
    [ROLE_CHILD_DIRECTOR] = "child_director",
    [ROLE_CHILD_SUPERVISOR] = "child_supervisor",
};

enum role role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	for (int r = ROLE_VILLAGE; r <= ROLE_LAST; r++)
		if (strcmp(s, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	if ((int)r < ROLE_NONE || r > ROLE_LAST)
		return "";
	return role_names[r];
}

bool principal_set_region(struct principal *p, const char *region)
{
	char sig[REGION_TEXT_MAX];
	if (!region || region_parse(region, strlen(region), 6, sig, NULL) != DD_OK)
		return false;
	snprintf(p->region, sizeof p->region, "%s", region);
	if (p->role == ROLE_DEPARTMENT)
		snprintf(p->scope, sizeof p->scope, "%s", AUTHZ_SCOPE_NONE);
	else
		memcpy(p->scope, sig, sizeof sig);
	return true;
}

bool authz_in_scope(const struct principal *p, const char *region_sig)
{
	return region_covers(p->scope, region_sig);
}

enum svc_kind authz_user_manage(const struct principal *p, struct svc_error *e)
{
	if (p->role == ROLE_ADMIN || p->role == ROLE_COUNTY)
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "FORBIDDEN", NULL,
			"当前角色无权管理账户，仅系统管理员和区县民政局可以创建账户");
}

enum svc_kind authz_user_create(const struct principal *p, enum role role, const char *region_sig, struct svc_error *e)
{
	enum svc_kind k = authz_user_manage(p, e);
	if (k)
		return k;
	/* the child roles' regions: a village, a township */
	int level = region_level(region_sig);
	if (role == ROLE_CHILD_DIRECTOR && level != 5)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION_LEVEL", "region",
				"儿童主任账户的地区应为 12 位村（居）代码");
	if (role == ROLE_CHILD_SUPERVISOR && level != 4)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION_LEVEL", "region",
				"儿童督导员账户的地区应为 9 位乡镇（街道）代码");
	if (p->role == ROLE_ADMIN)
		return SVC_OK;
	if (role != ROLE_VILLAGE && role != ROLE_TOWNSHIP && role != ROLE_COUNTY && role != ROLE_CHILD_DIRECTOR &&
	    role != ROLE_CHILD_SUPERVISOR)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", "role",
				"区县账户只能创建村（居）、乡镇（街道）、区县、儿童主任或儿童督导员角色的账户");
	if (!authz_in_scope(p, region_sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "只能在本辖区内创建账户");
	return SVC_OK;
}

enum svc_kind authz_reserve_view(const struct principal *p, const char *township_sig, struct svc_error *e)
{
	if (p->role != ROLE_NONE && p->role != ROLE_DEPARTMENT && !authz_child_role(p) &&
	    (authz_in_scope(p, township_sig) || (p->role == ROLE_VILLAGE && region_covers(township_sig, p->scope))))
		return SVC_OK;
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "未找到该乡镇（街道）的临时救助备用金");
}

enum svc_kind authz_reserve_post(const struct principal *p, enum authz_reserve_act act, const char *township_sig,
				 struct svc_error *e)
{
	enum svc_kind k = authz_reserve_view(p, township_sig, e);
	if (k)
		return k;
	bool ok = false;
	const char *who = "";
	switch (act) {
	case AUTHZ_RESERVE_IN:
		ok = p->role == ROLE_COUNTY || p->role == ROLE_FINANCE;
		who = "备用金的下拨和回补由区县民政局或财政局办理";
		break;
	case AUTHZ_RESERVE_DRAW:
		ok = p->role == ROLE_TOWNSHIP;
		who = "备用金由乡镇（街道）支取；村（居）委会的先行救助请在救助案件中办理";
		break;
	case AUTHZ_RESERVE_RETURN:
		ok = p->role == ROLE_TOWNSHIP || p->role == ROLE_COUNTY || p->role == ROLE_FINANCE;
		who = "备用金的退回由乡镇（街道）、区县民政局或财政局办理";
		break;
	}
	if (!ok)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", "kind", "%s", who);
	return SVC_OK;
}
bool authz_scope_narrow(const struct principal *p, const char *region_sig, char out[REGION_TEXT_MAX])
{
	const char *narrow;
	if (region_covers(p->scope, region_sig))
		narrow = region_sig;
	else if (region_covers(region_sig, p->scope))
		narrow = p->scope;
	else
		return false;
	snprintf(out, REGION_TEXT_MAX, "%s", narrow);
	return true;
}

enum svc_kind authz_region_arg(const struct principal *p, const char *region, char out[REGION_TEXT_MAX],
			       struct svc_error *e)
{
	char want[REGION_TEXT_MAX] = "";
	if (region && region[0] && region_parse(region, strlen(region), 2, want, NULL))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区 region 须为有效的行政区划代码");
	if (!p) {
		snprintf(out, REGION_TEXT_MAX, "%s", want);
		return SVC_OK;
	}
	if (!authz_scope_narrow(p, want, out))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "地区不在本账号的管辖范围内");
	return SVC_OK;
}

/* True when p's role is one of the mask's (1 << role). */
static bool role_in(const struct principal *p, unsigned mask)
{
	return p->role > ROLE_NONE && p->role <= ROLE_LAST && (mask >> p->role & 1u);
}

#define ROLE_BIT(r) (1u << (r))
#define FIELD_STAFF (ROLE_BIT(ROLE_VILLAGE) | ROLE_BIT(ROLE_TOWNSHIP) | ROLE_BIT(ROLE_COUNTY))

enum svc_kind authz_household_write(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"当前角色无权登记或修改家庭，仅村（居）、乡镇（街道）和区县工作人员可以办理");
}

enum svc_kind authz_household_create(const struct principal *p, const char *region_sig, struct svc_error *e)
{
	enum svc_kind k = authz_household_write(p, e);
	if (k)
		return k;
	if (!authz_in_scope(p, region_sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "只能在本辖区内登记家庭");
	return SVC_OK;
}

enum svc_kind authz_household_reveal(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF | ROLE_BIT(ROLE_AUDITOR)))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "REVEAL_NOT_ALLOWED", "reveal",
			"当前角色无权查看完整身份证号，仅经办人员和审计人员可以查看");
}

enum svc_kind authz_monitor_run(const struct principal *p, const char *what, struct svc_error *e)
{
	if (!p || role_in(p, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_COUNTY) | ROLE_BIT(ROLE_CITY)))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "FORBIDDEN", NULL, "只有区县及以上民政部门可以%s", what);
}

enum svc_kind authz_stats_read(const struct principal *p, struct svc_error *e)
{
	if (p && p->role != ROLE_VILLAGE && p->role != ROLE_NONE && p->role != ROLE_DEPARTMENT && !authz_child_role(p))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "统计报表由乡镇及以上人员查看");
}

enum svc_kind authz_hotline_write(const struct principal *p, const char *what, struct svc_error *e)
{
	if (role_in(p, ROLE_BIT(ROLE_TOWNSHIP) | ROLE_BIT(ROLE_COUNTY)))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "12345工单由乡镇（街道）或区县民政部门%s", what);
}

enum svc_kind authz_verification_view(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF | ROLE_BIT(ROLE_AUDITOR)))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"家庭经济状况核对数据仅限经办案件的村（居）、乡镇（街道）、区县工作人员和审计人员查看");
}

enum svc_kind authz_verification_write(const struct principal *p, const char *what, struct svc_error *e)
{
	if (role_in(p, ROLE_BIT(ROLE_TOWNSHIP) | ROLE_BIT(ROLE_COUNTY)))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "家庭经济状况核对由乡镇（街道）或区县民政部门%s",
			what);
}

enum svc_kind authz_audit_read(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, ROLE_BIT(ROLE_AUDITOR) | ROLE_BIT(ROLE_ADMIN)))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"当前角色无权查看审计记录，仅审计人员和系统管理员可以查看");
}

enum svc_kind authz_care_write(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"走访、照料服务协议和集中供养登记由村（居）、乡镇（街道）和区县工作人员办理");
}

enum svc_kind authz_referral_send(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"转介由村（居）、乡镇（街道）或区县民政工作人员发出、办结或撤回");
}

enum svc_kind authz_referral_answer(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, ROLE_BIT(ROLE_DEPARTMENT)) && p->office[0])
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "转介由接收部门的经办人签收、答复或退回");
}

bool authz_child_role(const struct principal *p)
{
	return p && (p->role == ROLE_CHILD_DIRECTOR || p->role == ROLE_CHILD_SUPERVISOR);
}

#define CHILD_ROLES (ROLE_BIT(ROLE_CHILD_DIRECTOR) | ROLE_BIT(ROLE_CHILD_SUPERVISOR))

enum svc_kind authz_children_view(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF | CHILD_ROLES))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"儿童名册由村（居）、乡镇（街道）、区县工作人员和儿童主任、儿童督导员查看");
}

enum svc_kind authz_care_emergency_write(const struct principal *p, struct svc_error *e)
{
	if (role_in(p, FIELD_STAFF | CHILD_ROLES))
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"监护照料应急由村（居）、乡镇（街道）、区县工作人员和儿童主任、儿童督导员报告和处置");
}
