/* api_admin.c - the region tree and account administration: GET
 * /api/v1/regions[/{code}], GET /api/v1/users, PATCH /api/v1/users/{id}.
 * Parsing and rendering only: the rules are in service/regions and
 * service/users. */
#include <string.h>

#include "api_internal.h"
#include "service/regions.h"
#include "service/users.h"

/* The route's first parameter as text ("" when absent or too long). */
static void param_text(const struct call *c, char *out, size_t cap)
{
	out[0] = '\0';
	if (c->match->nparams < 1 || c->match->params[0].len >= cap)
		return;
	memcpy(out, c->match->params[0].value, c->match->params[0].len);
	out[c->match->params[0].len] = '\0';
}

/* GET /api/v1/regions?parent= */
void api_regions_children(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char parent[REGION_MAX + 2];
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_text(c->req->query, "parent", REGION_MAX + 1, parent, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = regions_children(c->db, &c->session.user, parent, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/regions/{code} */
void api_regions_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char code[REGION_MAX + 2];
	param_text(c, code, sizeof code);
	reply_status(c->rep, 200);
	if (regions_get(c->db, &c->session.user, code, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/users?q=&page=&per_page= */
void api_users_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page, per_page;
	char q[USERS_Q_MAX + 1];
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	if (!k)
		k = query_text(c->req->query, "q", USERS_Q_MAX, q, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = users_list(c->db, &c->session.user, q, page, per_page, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* PATCH /api/v1/users/{id}: any of name, role, region, disabled, password,
 * unlock */
void api_users_update(struct call *c)
{
	long long id;
	if (!route_param_id(c->match, "id", &id)) {
		reply_error(c->rep, 404, "NOT_FOUND", "账户不存在或不在您的辖区内", NULL);
		return;
	}
	const struct json_value *o, *disabled, *unlock;
	struct user_change req = {.disabled = -1};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "name", &req.name, NULL) ||
	    !api_member_string(c, o, "role", &req.role, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_string(c, o, "password", &req.password, &req.password_len) ||
	    !api_member(c, o, "disabled", &disabled) || !api_member(c, o, "unlock", &unlock))
		return;
	if (disabled && disabled->type != JSON_NULL) {
		if (disabled->type != JSON_TRUE && disabled->type != JSON_FALSE) {
			reply_error(c->rep, 400, "BAD_TYPE", "字段应为 true 或 false", "disabled");
			return;
		}
		req.disabled = disabled->type == JSON_TRUE;
	}
	if (unlock && unlock->type != JSON_NULL) {
		if (unlock->type != JSON_TRUE && unlock->type != JSON_FALSE) {
			reply_error(c->rep, 400, "BAD_TYPE", "字段应为 true 或 false", "unlock");
			return;
		}
		req.unlock = unlock->type == JSON_TRUE;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (users_update(c->db, &c->session.user, id, &req, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
