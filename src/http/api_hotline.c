/* api_hotline.c - the 12345 hotline work orders (issue 8): GET/POST
 * /api/v1/hotline/orders, GET /api/v1/hotline/orders/{id}[?reveal=1], POST
 * …/{id}/accept|reply|close|return|reassign|convert|reveal. Parses and renders only; every
 * check is in service/hotline.c. */
#include "api_internal.h"

#include <string.h>

#include "service/casework.h"
#include "service/children_allowance.h"
#include "service/hotline.h"
#include "service/temporary_case.h"
#include "store/store.h"

#define NOT_FOUND_TEXT "未找到该12345工单"

/* GET /api/v1/hotline/orders?state=&category=&overdue=&region=&page=&per_page= */
void api_hotline_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct hotline_filter f = {0};
	char state[17], category[17], region[13];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "state", 16, state, &e);
	if (!k)
		k = query_text(q, "category", 16, category, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_flag(q, "overdue", &f.overdue, &e);
	f.state = state;
	f.category = category;
	f.region = region;
	reply_status(c->rep, 200);
	if (!k)
		k = hotline_list(c->db, &c->session.user, &f, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/hotline/orders {"order_no","caller_name","caller_phone",
 * "caller_id_number","region","category","channel","description"} */
void api_hotline_create(struct call *c)
{
	const struct json_value *o;
	struct hotline_new req = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "order_no", &req.order_no, NULL) ||
	    !api_member_string(c, o, "caller_name", &req.caller_name, NULL) ||
	    !api_member_string(c, o, "caller_phone", &req.caller_phone, NULL) ||
	    !api_member_string(c, o, "caller_id_number", &req.caller_id_number, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_string(c, o, "category", &req.category, NULL) ||
	    !api_member_string(c, o, "channel", &req.channel, NULL) ||
	    !api_member_string(c, o, "description", &req.description, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	if (hotline_create(c->db, c->policy, c->cfg->calendar, &c->session.user, &req, &id, &e) ||
	    (reply_status(c->rep, 201), hotline_get(c->db, &c->session.user, id, false, &c->rep->body, &e)))
		reply_svc_error(c->rep, &e);
}

static void get(struct call *c, bool reveal)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (hotline_get(c->db, &c->session.user, id, reveal, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/hotline/orders/{id}[?reveal=1] */
void api_hotline_get(struct call *c)
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
	get(c, reveal);
}

/* POST /api/v1/hotline/orders/{id}/reveal: the order with the whole phone
 * and ID number, audited. */
void api_hotline_reveal(struct call *c)
{
	get(c, true);
}

/* POST /api/v1/hotline/orders/{id}/STEP {"version", "reply" | "result"} */
static void step(struct call *c, const char *name, const char *text_key)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	const struct json_value *o;
	struct hotline_step req = {.step = name};
	bool has_version = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &req.version, &has_version) ||
	    (text_key && !api_member_string(c, o, text_key, &req.text, NULL)))
		return;
	if (!has_version)
		req.version = 0;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (hotline_step(c->db, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

void api_hotline_accept(struct call *c)
{
	step(c, "accept", NULL);
}

void api_hotline_reply(struct call *c)
{
	step(c, "reply", "reply");
}

void api_hotline_close(struct call *c)
{
	step(c, "close", "result");
}

void api_hotline_return(struct call *c)
{
	step(c, "return", "note");
}

/* POST /api/v1/hotline/orders/{id}/reassign {"version","region","note"} */
void api_hotline_reassign(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	const struct json_value *o;
	struct hotline_reassign_req req = {0};
	bool has_version = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &req.version, &has_version) ||
	    !api_member_string(c, o, "region", &req.region, NULL) || !api_member_string(c, o, "note", &req.note, NULL))
		return;
	if (!has_version)
		req.version = 0;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (hotline_reassign(c->db, c->policy, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/hotline/orders/{id}/convert {"version","target":"temporary",
 * "case_kind","cause","severity","area","region","household_id",
 * "registration_region","requested_amount","note"} or {"version",
 * "target":"application","household_id","programme","commitment"}, with
 * programme children "person_id","category","care_type","facts" instead of
 * the household */
void api_hotline_convert(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	const struct json_value *o, *commit = NULL;
	struct temporary_new t = {0};
	struct hotline_convert req = {.temporary = &t, .commitment = -1};
	bool has_version = false, has_household = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &req.version, &has_version) ||
	    !api_member_string(c, o, "target", &req.target, NULL) || !api_temporary_new_members(c, o, &t) ||
	    !api_member_string(c, o, "note", &t.note, NULL) ||
	    !api_member_int(c, o, "household_id", &req.household_id, &has_household) ||
	    !api_member_string(c, o, "programme", &req.programme, NULL) || !api_member(c, o, "commitment", &commit))
		return;
	if (!has_version)
		req.version = 0;
	if (has_household && req.household_id < 1) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为正整数", "household_id");
		return;
	}
	if (!has_household)
		req.household_id = 0;
	t.household_id = req.household_id;
	if (commit && commit->type != JSON_NULL) {
		if (commit->type != JSON_TRUE && commit->type != JSON_FALSE) {
			reply_error(c->rep, 400, "BAD_TYPE", "字段应为 true 或 false", "commitment");
			return;
		}
		req.commitment = commit->type == JSON_TRUE;
	}
	struct children_application ch = {0};
	if (req.programme && strcmp(req.programme, "children") == 0) {
		if (!api_children_application_members(c, o, &ch))
			return;
		req.children = &ch;
	}
	struct casework_env env = {.policy = c->policy, .cal = c->cfg->calendar, .today = casework_today()};
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (hotline_convert(c->db, &env, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
