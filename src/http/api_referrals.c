/* api_referrals.c - referrals between departments (转办转介, issue 9):
 * GET/POST /api/v1/referrals, GET /api/v1/referrals/{id}, POST
 * /api/v1/referrals/{id}/actions, GET/POST /api/v1/referral-offices. Parses
 * and renders only; every check is in service/referral.c. */
#include "api_internal.h"

#include <string.h>

#include "service/referral.h"

#define NOT_FOUND_TEXT "未找到该转介"

/* GET /api/v1/referrals?state=&overdue=&office_code=&page=&per_page= */
void api_referrals_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct referral_filter f = {0};
	char state[17], office[OFFICE_CODE_MAX + 1];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "state", 16, state, &e);
	if (!k)
		k = query_text(q, "office_code", OFFICE_CODE_MAX, office, &e);
	if (!k)
		k = query_flag(q, "overdue", &f.overdue, &e);
	f.state = state;
	f.office = office;
	reply_status(c->rep, 200);
	if (!k)
		k = referral_list(c->db, &c->session.user, &f, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/referrals {"application_id" | "hotline_order_id",
 * "office_code","reason"}: 201 with the referral. */
void api_referrals_create(struct call *c)
{
	const struct json_value *o;
	struct referral_new req = {0};
	bool has_app = false, has_order = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "application_id", &req.application_id, &has_app) ||
	    !api_member_int(c, o, "hotline_order_id", &req.hotline_order_id, &has_order) ||
	    !api_member_string(c, o, "office_code", &req.office_code, NULL) ||
	    !api_member_string(c, o, "reason", &req.reason, NULL))
		return;
	if (!has_app)
		req.application_id = 0;
	if (!has_order)
		req.hotline_order_id = 0;
	if ((has_app && req.application_id < 1) || (has_order && req.hotline_order_id < 1)) {
		reply_error(c->rep, 400, "BAD_VALUE", "编号应为正整数",
			    has_app && req.application_id < 1 ? "application_id" : "hotline_order_id");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	if (referral_create(c->db, c->policy, c->cfg->calendar, &c->session.user, &req, &id, &e) ||
	    (reply_status(c->rep, 201), referral_get(c->db, &c->session.user, id, &c->rep->body, &e)))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/referrals/{id} */
void api_referrals_get(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (referral_get(c->db, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/referrals/{id}/actions {"action","version","answer",
 * "outcome","amount","note"} */
void api_referrals_act(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	const struct json_value *o;
	struct referral_action req = {0};
	bool has_version = false;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "action", &req.action, NULL) ||
	    !api_member_int(c, o, "version", &req.version, &has_version) ||
	    !api_member_string(c, o, "answer", &req.answer, NULL) ||
	    !api_member_string(c, o, "outcome", &req.outcome, NULL) ||
	    !api_member_string(c, o, "amount", &req.amount, NULL) || !api_member_string(c, o, "note", &req.note, NULL))
		return;
	if (!has_version)
		req.version = 0;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (referral_act(c->db, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/referral-offices?region= */
void api_referral_offices_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[13];
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_text(c->req->query, "region", 12, region, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = referral_offices_list(c->db, &c->session.user, region, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/referral-offices {"code","name","kind","region","reply_workdays"} */
void api_referral_offices_create(struct call *c)
{
	const struct json_value *o;
	struct referral_office_new req = {0};
	bool has_days = false;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "code", &req.code, NULL) ||
	    !api_member_string(c, o, "name", &req.name, NULL) || !api_member_string(c, o, "kind", &req.kind, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_int(c, o, "reply_workdays", &req.reply_workdays, &has_days))
		return;
	if (!has_days)
		req.reply_workdays = 0;
	else if (req.reply_workdays < 1) {
		reply_error(c->rep, 400, "BAD_VALUE", "答复时限 reply_workdays 应为 1-60 个工作日", "reply_workdays");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	if (referral_office_create(c->db, &c->session.user, &req, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	reply_status(c->rep, 201);
	if (referral_offices_list(c->db, &c->session.user, req.region, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
