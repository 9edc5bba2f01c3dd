/* api_payroll_checks.c - the checks before approval (issue 6 §2): run them on
 * a batch, list the findings, clear or override one. Parses and renders
 * only; every rule is in service/payroll_checks.c. */
#include "api_internal.h"

#include <stdio.h>
#include <string.h>

#include "service/payroll_checks.h"
#include "service/subsidy.h"
#include "service/svc.h"

/* POST /api/v1/payroll/batches/{id}/checks */
void api_payroll_checks_run(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (payroll_checks_run(c->db, &c->session.user, c->policy, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/batches/{id}/findings?state=&check=&page=&per_page= */
void api_payroll_findings(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page, per_page;
	char state[16], check[32];
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	if (!k)
		k = query_text(c->req->query, "state", 12, state, &e);
	if (!k)
		k = query_text(c->req->query, "check", 24, check, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = payroll_findings_list(c->db, &c->session.user, id, state, check, page, per_page, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/findings/{id} {"action":"clear"|"override","reason"} */
void api_payroll_finding_resolve(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "核查问题不存在"))
		return;
	const struct json_value *o;
	const char *action = NULL, *reason = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "action", &action, NULL) ||
	    !api_member_string(c, o, "reason", &reason, NULL))
		return;
	if (!action) {
		reply_error(c->rep, 400, "MISSING_FIELD", "缺少字段 action（clear 或 override）", "action");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (payroll_finding_resolve(c->db, &c->session.user, id, action, reason, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/campaigns {"code","region","reference_date","period"}
 * (one-time) or {"kind":"price_subsidy","region","month","period"} */
void api_payroll_campaign(struct call *c)
{
	const struct json_value *o;
	const char *kind = NULL, *code = NULL, *region = NULL, *date = NULL, *period = NULL, *month = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "kind", &kind, NULL) ||
	    !api_member_string(c, o, "code", &code, NULL) || !api_member_string(c, o, "region", &region, NULL) ||
	    !api_member_string(c, o, "reference_date", &date, NULL) ||
	    !api_member_string(c, o, "period", &period, NULL) || !api_member_string(c, o, "month", &month, NULL))
		return;
	bool price = kind && strcmp(kind, "price_subsidy") == 0;
	if (kind && !price && strcmp(kind, "one_time") != 0) {
		reply_error(c->rep, 400, "BAD_KIND",
			    "补贴活动类型须为 one_time（一次性生活补贴）或 price_subsidy（价格临时补贴）", "kind");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	enum svc_kind k =
	    price ? subsidy_price_run(c->db, &c->session.user, c->policy, region, month, period, &c->rep->body, &e)
		  : subsidy_campaign_run(c->db, &c->session.user, c->policy, code, region, date, period, &c->rep->body,
					 &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/price-indices {"region","month","cpi_rise","food_rise"} */
void api_payroll_price_index(struct call *c)
{
	const struct json_value *o;
	const char *region = NULL, *month = NULL, *cpi = NULL, *food = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "region", &region, NULL) ||
	    !api_member_string(c, o, "month", &month, NULL) || !api_member_string(c, o, "cpi_rise", &cpi, NULL) ||
	    !api_member_string(c, o, "food_rise", &food, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (subsidy_price_index_set(c->db, &c->session.user, region, month, cpi, food, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
