/* api_alerts.c - handling the alerts of data matching (issue 7): GET
 * /api/v1/alerts, GET /api/v1/alerts/{id}[?reveal=1], POST
 * /api/v1/alerts/{id}/verify|action|close|release-hold. Parses and renders only; every
 * check is in service/monitor_alerts.c. */
#include "api_internal.h"

#include <string.h>

#include "service/monitor_alerts.h"
#include "store/store.h"

/* GET /api/v1/alerts?state=&kind=&lead=&overdue=&region=&page=&per_page= */
void api_alerts_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct alert_filter f = {.lead = -1};
	char state[17], kind[41], region[13], lead[8];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "state", 16, state, &e);
	if (!k)
		k = query_text(q, "kind", 40, kind, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_text(q, "lead", 7, lead, &e);
	if (!k)
		k = query_flag(q, "overdue", &f.overdue, &e);
	if (!k && lead[0]) {
		if (!strcmp(lead, "1") || !strcmp(lead, "true"))
			f.lead = 1;
		else if (!strcmp(lead, "0") || !strcmp(lead, "false"))
			f.lead = 0;
		else
			k = svc_fail(&e, SVC_BAD_INPUT, "BAD_VALUE", "lead", "lead 应为 true 或 false");
	}
	f.state = state;
	f.kind = kind;
	f.region = region;
	reply_status(c->rep, 200);
	if (!k)
		k = monitor_alerts_list(c->db, &c->session.user, &f, store_today(), &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/alerts/{id}[?reveal=1] */
void api_alert_get(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该预警"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	bool reveal = false;
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_flag(c->req->query, "reveal", &reveal, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = monitor_alerts_get(c->db, &c->session.user, id, reveal, store_today(), &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/alerts/{id}/STEP {"version", "action", "note", "result",
 * "case_id"} */
static void step(struct call *c, const char *name)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该预警"))
		return;
	const struct json_value *o;
	struct alert_step req = {.step = name};
	bool has_version = false, has_case = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &req.version, &has_version) ||
	    !api_member_string(c, o, "action", &req.action, NULL) ||
	    !api_member_string(c, o, "note", &req.note, NULL) ||
	    !api_member_string(c, o, "result", &req.result, NULL) ||
	    !api_member_int(c, o, "case_id", &req.case_id, &has_case))
		return;
	if (!has_version)
		req.version = 0;
	if (has_case && req.case_id < 1) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为正整数", "case_id");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (monitor_alerts_step(c->db, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

void api_alert_verify(struct call *c)
{
	step(c, "verify");
}

void api_alert_action(struct call *c)
{
	step(c, "action");
}

void api_alert_close(struct call *c)
{
	step(c, "close");
}

/* POST /api/v1/alerts/{id}/release-hold {"note"} */
void api_alert_release_hold(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该预警"))
		return;
	const struct json_value *o;
	const char *note = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "note", &note, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (monitor_alerts_release_hold(c->db, &c->session.user, id, note, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
