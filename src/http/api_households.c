/* api_households.c - the registry endpoints (households) and the audit
 * trail: requests into registry.h / audit_trail.h calls, their answers into
 * replies. Every permission and region check is in the services. */
#include <string.h>

#include "api_internal.h"
#include "service/audit_trail.h"
#include "service/registry.h"

/* {id} of the route. False after replying 404 (cannot happen: the router
 * matched digits). */
static bool route_id(struct call *c, long long *id)
{
	if (route_param_id(c->match, "id", id))
		return true;
	reply_error(c->rep, 404, "NOT_FOUND", "未找到该家庭", NULL);
	return false;
}

/* The service's error replaces the answer begun. */
static void answer(struct call *c, enum svc_kind k, const struct svc_error *e)
{
	if (k)
		reply_svc_error(c->rep, e);
}

/* POST /api/v1/households */
void api_households_create(struct call *c)
{
	const struct json_value *o;
	struct registry_new req = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "household_no", &req.household_no, NULL) ||
	    !api_member_string(c, o, "address", &req.address, NULL))
		return;
	req.doc = o;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	answer(c, registry_create(c->db, &c->session.user, &req, &c->rep->body, &e), &e);
}

/* GET /api/v1/households?region=&q=&page=&per_page= */
void api_households_list(struct call *c)
{
	char region[REGION_TEXT_MAX], q[REGISTRY_Q_MAX + 1];
	struct registry_list_query lq = {.region = region, .q = q};
	struct svc_error e;
	svc_error_clear(&e);
	const struct http_query *hq = c->req->query;
	enum svc_kind k = query_page(hq, &lq.page, &lq.per_page, &e);
	if (!k)
		k = query_text(hq, "region", REGION_MAX, region, &e);
	if (!k)
		k = query_text(hq, "q", REGISTRY_Q_MAX, q, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = registry_list(c->db, &c->session.user, &lq, &c->rep->body, &e);
	answer(c, k, &e);
}

/* GET /api/v1/households/{id}[?reveal=1] */
void api_households_get(struct call *c)
{
	long long id;
	bool reveal = false;
	struct svc_error e;
	svc_error_clear(&e);
	if (!route_id(c, &id))
		return;
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_flag(c->req->query, "reveal", &reveal, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = registry_get(c->db, &c->session.user, id, reveal, &c->rep->body, &e);
	answer(c, k, &e);
}

/* A field of a PATCH body: *set when present (null included). False after
 * replying 400 for a value that is neither a string nor null. */
static bool patch_field(struct call *c, const struct json_value *o, const char *key, bool *set, const char **s)
{
	const struct json_value *v;
	*set = false;
	if (!api_member(c, o, key, &v))
		return false;
	*set = v != NULL;
	return api_member_string(c, o, key, s, NULL);
}

/* PATCH /api/v1/households/{id}: {"version", "address"?, "area"?} */
void api_households_update(struct call *c)
{
	long long id;
	const struct json_value *o;
	struct registry_change req = {0};
	if (!route_id(c, &id) || !api_body_object(c, &o) ||
	    !patch_field(c, o, "address", &req.set_address, &req.address) ||
	    !patch_field(c, o, "area", &req.set_area, &req.area))
		return;
	const struct json_value *v;
	if (!api_member(c, o, "version", &v))
		return;
	if (v && v->type != JSON_NULL) {
		if (v->type != JSON_NUMBER || !json_int64(v, &req.version)) {
			reply_error(c->rep, 400, "BAD_TYPE", "version 应为整数", "version");
			return;
		}
		req.has_version = true;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	answer(c, registry_update(c->db, &c->session.user, id, &req, &c->rep->body, &e), &e);
}

/* GET /api/v1/audit?entity=&id=&page=&per_page= */
void api_audit_list(struct call *c)
{
	char entity[65], entity_id[65], actor[65], action[65], from[11], to[11];
	struct audit_trail_query aq = {
	    .entity = entity, .entity_id = entity_id, .actor = actor, .action = action, .from = from, .to = to};
	struct svc_error e;
	svc_error_clear(&e);
	const struct http_query *hq = c->req->query;
	enum svc_kind k = query_page(hq, &aq.page, &aq.per_page, &e);
	if (!k)
		k = query_text(hq, "entity", sizeof entity - 1, entity, &e);
	if (!k)
		k = query_text(hq, "id", sizeof entity_id - 1, entity_id, &e);
	if (!k)
		k = query_text(hq, "actor", sizeof actor - 1, actor, &e);
	if (!k)
		k = query_text(hq, "action", sizeof action - 1, action, &e);
	if (!k)
		k = query_text(hq, "from", sizeof from - 1, from, &e);
	if (!k)
		k = query_text(hq, "to", sizeof to - 1, to, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = audit_trail_list(c->db, &c->session.user, &aq, &c->rep->body, &e);
	answer(c, k, &e);
}
