/* api_cases.c - the casework endpoints: applications, their actions and
 * lists, and the close-relatives register. Parsing and rendering only: the
 * rules and every permission and region check are in service/casework. */
#include <string.h>

#include "api_internal.h"
#include "service/casework.h"

static void env_of(const struct call *c, struct casework_env *env)
{
	env->policy = c->policy;
	env->cal = c->cfg->calendar;
	env->today = casework_today();
}

/* A boolean member: -1 absent or null, 0, 1. False after 400. */
static bool member_bool(struct call *c, const struct json_value *o, const char *key, int *out)
{
	const struct json_value *v;
	*out = -1;
	if (!api_member(c, o, key, &v))
		return false;
	if (!v || v->type == JSON_NULL)
		return true;
	if (v->type != JSON_TRUE && v->type != JSON_FALSE) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为 true 或 false", key);
		return false;
	}
	*out = v->type == JSON_TRUE;
	return true;
}

static bool path_id(struct call *c, int64_t *id)
{
	long long v;
	if (!route_param_id(c->match, "id", &v)) {
		reply_error(c->rep, 404, "NOT_FOUND", "申请不存在或不在您的辖区内", NULL);
		return false;
	}
	*id = v;
	return true;
}

static void render_case(struct call *c, int status, int64_t id)
{
	struct casework_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, status);
	if (casework_get(c->db, &env, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* programme children: person_id, category, care_type and facts
 * ([{kind, parent, evidence, commitment}]) into req */
bool api_children_application_members(struct call *c, const struct json_value *o, struct children_application *req)
{
	bool has = false;
	if (!api_member_int(c, o, "person_id", &req->person_id, &has) ||
	    !api_member_string(c, o, "category", &req->category, NULL) ||
	    !api_member_string(c, o, "care_type", &req->care_type, NULL))
		return false;
	if (!has)
		req->person_id = 0;
	const struct json_value *facts;
	if (!api_member(c, o, "facts", &facts))
		return false;
	if (!facts || facts->type == JSON_NULL)
		return true;
	if (facts->type != JSON_ARRAY) {
		reply_error(c->rep, 400, "BAD_TYPE", "facts 应为数组", "facts");
		return false;
	}
	for (const struct json_value *f = facts->child; f; f = f->next) {
		if (req->n_facts == CHILDREN_FACTS_MAX) {
			req->too_many_facts = true;
			break;
		}
		if (f->type != JSON_OBJECT) {
			reply_error(c->rep, 400, "BAD_TYPE", "facts 的每一项应为对象", "facts");
			return false;
		}
		struct children_fact *x = &req->facts[req->n_facts++];
		if (!api_member_string(c, f, "kind", &x->kind, NULL) ||
		    !api_member_string(c, f, "parent", &x->parent, NULL) ||
		    !api_member_string(c, f, "evidence", &x->evidence, NULL) ||
		    !member_bool(c, f, "commitment", &x->commitment))
			return false;
	}
	return true;
}

void api_applications_create(struct call *c)
{
	const struct json_value *o;
	struct application_new req = {0};
	bool has_id = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "household_id", &req.household_id, &has_id) ||
	    !api_member_string(c, o, "programme", &req.programme, NULL) ||
	    !member_bool(c, o, "commitment", &req.commitment) ||
	    !api_member_string(c, o, "channel", &req.channel, NULL) ||
	    !api_member_string(c, o, "note", &req.note, NULL))
		return;
	struct temporary_new t = {0};
	if (req.programme && strcmp(req.programme, "temporary") == 0) {
		if (!api_temporary_new_members(c, o, &t))
			return;
		req.temporary = &t;
	}
	struct children_application ch = {0};
	if (req.programme && strcmp(req.programme, "children") == 0) {
		if (!api_children_application_members(c, o, &ch))
			return;
		req.children = &ch;
	}
	struct casework_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	if (casework_create(c->db, &env, &c->session.user, &req, &id, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	render_case(c, 201, id);
}

void api_applications_get(struct call *c)
{
	int64_t id;
	if (path_id(c, &id))
		render_case(c, 200, id);
}

void api_applications_action(struct call *c)
{
	int64_t id;
	const struct json_value *o;
	struct application_action req = {0};
	bool has_version = false;
	if (!path_id(c, &id) || !api_body_object(c, &o) || !api_member_string(c, o, "action", &req.action, NULL) ||
	    !api_member_int(c, o, "version", &req.version, &has_version) ||
	    !api_member_string(c, o, "note", &req.note, NULL) ||
	    !api_member_string(c, o, "keep_programme", &req.keep_programme, NULL))
		return;
	struct temporary_action t = {0};
	if (!api_temporary_action_members(c, o, &t))
		return;
	req.temporary = &t;
	if (!has_version)
		req.version = 0;
	struct casework_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	if (casework_act(c->db, &env, &c->session.user, id, &req, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	render_case(c, 200, id);
}

void api_applications_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char state[33], programme[17], due[17], queue[17], sort[17];
	struct application_query q = {.state = state, .programme = programme, .due = due, .queue = queue, .sort = sort};
	const struct http_query *hq = c->req->query;
	if (query_page(hq, &q.page, &q.per_page, &e) || query_text(hq, "state", 32, state, &e) ||
	    query_text(hq, "programme", 16, programme, &e) || query_text(hq, "due", 16, due, &e) ||
	    query_text(hq, "queue", 16, queue, &e) || query_text(hq, "sort", 16, sort, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	struct casework_env env;
	env_of(c, &env);
	reply_status(c->rep, 200);
	if (casework_list(c->db, &env, &c->session.user, &q, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

void api_close_relatives_create(struct call *c)
{
	const struct json_value *o;
	struct close_relative_new req = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "id_number", &req.id_number, NULL) ||
	    !api_member_string(c, o, "name", &req.name, NULL) ||
	    !api_member_string(c, o, "staff_name", &req.staff_name, NULL) ||
	    !api_member_string(c, o, "staff_post", &req.staff_post, NULL) ||
	    !api_member_string(c, o, "relation", &req.relation, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) || !api_member_string(c, o, "note", &req.note, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	if (casework_relative_add(c->db, &c->session.user, &req, &id, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	reply_status(c->rep, 201);
	strbuf_addf(&c->rep->body, "{\"id\":%lld}", (long long)id);
}

/* GET /api/v1/close-relatives?id_number=&page=&per_page= */
void api_close_relatives_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page, per_page;
	char id_number[32];
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	if (!k)
		k = query_text(c->req->query, "id_number", 31, id_number, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = casework_relative_list(c->db, &c->session.user, id_number, page, per_page, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}
