/* api_children.c - the children of an area and guardianship and care
 * emergencies (issue 10): GET /api/v1/children; POST
 * /api/v1/children/review; GET/POST
 * /api/v1/care-emergencies, GET …/{id}[?reveal=1], POST …/{id}/actions.
 * Parses and renders only; every check is in service/children.c and
 * service/care_emergency.c. */
#include "api_internal.h"

#include "service/care_emergency.h"
#include "service/casework.h"
#include "service/children.h"
#include "service/children_review.h"

/* POST /api/v1/children/review {"month":"YYYY-MM","region":CODE}: the
 * monthly review of the children's allowance decisions (county, city,
 * admin); month defaults to this month. */
void api_children_review(struct call *c)
{
	const struct json_value *o;
	const char *month = NULL, *region = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "month", &month, NULL) ||
	    !api_member_string(c, o, "region", &region, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	dd_date today = casework_today();
	char this_month[MONTH_TEXT_MAX];
	month_format(date_month(today), this_month);
	reply_status(c->rep, 200);
	if (children_review(c->db, c->policy, &c->session.user, region, month ? month : this_month, today,
			    &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/children?region=&name=&page=&per_page= */
void api_children_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct children_filter f = {0};
	char region[13], name[101];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_text(q, "name", 100, name, &e);
	f.region = region;
	f.name = name;
	reply_status(c->rep, 200);
	if (!k)
		k = children_list(c->db, &c->session.user, &f, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* --- guardianship and care emergencies: /api/v1/care-emergencies --- */

#define NOT_FOUND_TEXT "未找到该监护照料应急事件"

/* GET /api/v1/care-emergencies?state=&overdue=&region=&page=&per_page= */
void api_care_emergencies_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct care_emergency_filter f = {0};
	char state[17], region[13];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "state", 16, state, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_flag(q, "overdue", &f.overdue, &e);
	if (!k)
		k = query_int(q, "hotline_order_id", 1, INT64_MAX, 0, &f.hotline_order_id, &e);
	f.state = state;
	f.region = region;
	reply_status(c->rep, 200);
	if (!k)
		k = care_emergency_list(c->db, &c->session.user, &f, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/care-emergencies {"subject_kind","person_id","name","id_number",
 * "region","channel","hotline_order_id","reason","description"} */
void api_care_emergencies_report(struct call *c)
{
	const struct json_value *o;
	struct care_emergency_new req = {0};
	bool has_person = false, has_order = false;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "subject_kind", &req.subject_kind, NULL) ||
	    !api_member_int(c, o, "person_id", &req.person_id, &has_person) ||
	    !api_member_string(c, o, "name", &req.name, NULL) ||
	    !api_member_string(c, o, "id_number", &req.id_number, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_string(c, o, "channel", &req.channel, NULL) ||
	    !api_member_int(c, o, "hotline_order_id", &req.hotline_order_id, &has_order) ||
	    !api_member_string(c, o, "reason", &req.reason, NULL) ||
	    !api_member_string(c, o, "description", &req.description, NULL))
		return;
	if (!has_person)
		req.person_id = 0;
	else if (req.person_id < 1) {
		reply_error(c->rep, 400, "BAD_VALUE", "人员 person_id 应为正整数", "person_id");
		return;
	}
	if (!has_order)
		req.hotline_order_id = 0;
	else if (req.hotline_order_id < 1) {
		reply_error(c->rep, 400, "BAD_VALUE", "工单 hotline_order_id 应为正整数", "hotline_order_id");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	if (care_emergency_report(c->db, c->policy, &c->session.user, &req, &id, &e) ||
	    (reply_status(c->rep, 201), care_emergency_get(c->db, &c->session.user, id, false, &c->rep->body, &e)))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/care-emergencies/{id}[?reveal=1] */
void api_care_emergencies_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	bool reveal = false;
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_flag(c->req->query, "reveal", &reveal, &e);
	if (k) {
		reply_svc_error(c->rep, &e);
		return;
	}
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	reply_status(c->rep, 200);
	if (care_emergency_get(c->db, &c->session.user, id, reveal, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/care-emergencies/{id}/actions {"action","version",
 * "carer_kind","carer_name","carer_phone","placement","placement_address",
 * "visit_date","visitor","note"} */
void api_care_emergencies_act(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	const struct json_value *o;
	struct care_emergency_action req = {0};
	bool has_version = false;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "action", &req.action, NULL) ||
	    !api_member_int(c, o, "version", &req.version, &has_version) ||
	    !api_member_string(c, o, "carer_kind", &req.carer_kind, NULL) ||
	    !api_member_string(c, o, "carer_name", &req.carer_name, NULL) ||
	    !api_member_string(c, o, "carer_phone", &req.carer_phone, NULL) ||
	    !api_member_string(c, o, "placement", &req.placement, NULL) ||
	    !api_member_string(c, o, "placement_address", &req.placement_address, NULL) ||
	    !api_member_string(c, o, "visit_date", &req.visit_date, NULL) ||
	    !api_member_string(c, o, "visitor", &req.visitor, NULL) ||
	    !api_member_string(c, o, "note", &req.note, NULL))
		return;
	if (!has_version)
		req.version = 0;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (care_emergency_act(c->db, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
