/* api_policy.c - the policy parameters in force and their entries, and
 * new entries stored in the database (service/policy_store). */
#include <string.h>

#include "api_internal.h"
#include "service/casework.h"
#include "service/policy_store.h"

static bool have_store(struct call *c)
{
	if (c->cfg->policies)
		return true;
	reply_error(c->rep, 503, "NO_POLICY_STORE", "政策参数库不可用", NULL);
	return false;
}

/* GET /api/v1/policy/parameters?region=&date= */
void api_policy_in_force(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[REGION_MAX + 1], date[16];
	dd_date d = casework_today();
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_check(q, &e);
	if (!k)
		k = query_text(q, "region", REGION_MAX, region, &e);
	if (!k)
		k = query_text(q, "date", 10, date, &e);
	if (!k && date[0] && date_parse(date, strlen(date), &d, NULL) != DD_OK)
		k = svc_fail(&e, SVC_BAD_INPUT, "BAD_QUERY", "date", "日期应为 YYYY-MM-DD");
	if (!k && !have_store(c))
		return;
	reply_status(c->rep, 200);
	if (!k)
		k = policy_store_in_force(c->cfg->policies, &c->session.user, region, d, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/policy/parameters/{name}?region= */
void api_policy_entries(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char name[128] = "", region[REGION_MAX + 1];
	if (c->match->nparams > 0 && c->match->params[0].len < sizeof name) {
		memcpy(name, c->match->params[0].value, c->match->params[0].len);
		name[c->match->params[0].len] = '\0';
	}
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_text(c->req->query, "region", REGION_MAX, region, &e);
	if (!k && !have_store(c))
		return;
	reply_status(c->rep, 200);
	if (!k)
		k = policy_store_entries(c->cfg->policies, &c->session.user, name, region, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/policy/parameters {"name","region","from","value","note"} */
void api_policy_add(struct call *c)
{
	const struct json_value *o;
	struct policy_entry_new req = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "name", &req.name, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_string(c, o, "from", &req.from, NULL) || !api_member(c, o, "value", &req.value) ||
	    !api_member_string(c, o, "note", &req.note, NULL) || !have_store(c))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (policy_store_add(c->cfg->policies, c->db, &c->session.user, casework_today(), &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
