/* api_portal.c - the citizen portal (no session; limited per client
 * address: 429 with Retry-After) and the staff endpoints of online
 * applications. Parsing and rendering only: the rules are in
 * service/online_application. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_internal.h"
#include "ratelimit.h"
#include "service/children_allowance.h"
#include "service/online_application.h"

static void answer(struct call *c, enum svc_kind k, const struct svc_error *e)
{
	if (k)
		reply_svc_error(c->rep, e);
}

/* False after replying 429 when the client's address is over rl's limit. */
static bool within_limit(struct call *c, struct rate_limiter *rl)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	unsigned wait = 0;
	if (rate_limiter_hit(rl, c->req->ip, (int64_t)ts.tv_sec, &wait))
		return true;
	reply_error(c->rep, 429, "TOO_MANY_REQUESTS", "请求过于频繁，请稍后再试", NULL);
	c->rep->retry_after = wait;
	return false;
}

/* Content-Type: application/json (with parameters), else 415. */
static bool json_content(struct call *c)
{
	const char *ct = c->req->content_type;
	size_t n = strlen("application/json");
	if (ct && strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
		return true;
	reply_error(c->rep, 415, "UNSUPPORTED_MEDIA_TYPE", "请求体应为 JSON（Content-Type: application/json）", NULL);
	return false;
}

/* An object member (absent or null: NULL). False after 400. */
static bool member_object(struct call *c, const struct json_value *o, const char *key, const struct json_value **out)
{
	if (!api_member(c, o, key, out))
		return false;
	if (*out && (*out)->type == JSON_NULL)
		*out = NULL;
	if (*out && (*out)->type != JSON_OBJECT) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为对象", key);
		return false;
	}
	return true;
}

/* POST /api/v1/public/applications */
void api_public_applications_create(struct call *c)
{
	if (!within_limit(c, c->cfg->portal_create) || !json_content(c))
		return;
	const struct json_value *o, *applicant, *commitment;
	struct online_new req = {.commitment = -1};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "programme", &req.programme, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_string(c, o, "reason", &req.reason, NULL) || !member_object(c, o, "applicant", &applicant) ||
	    !member_object(c, o, "household", &req.household) || !api_member(c, o, "commitment", &commitment) ||
	    !api_member(c, o, "verification_signers", &req.verification_signers))
		return;
	if (!applicant) {
		reply_error(c->rep, 400, "REQUIRED", "请填写申请人信息 applicant", "applicant");
		return;
	}
	/* the applicant's members, their field names with the prefix */
	static const char *const keys[] = {"name", "id_number", "phone"};
	const char **dst[] = {&req.applicant_name, &req.applicant_id, &req.phone};
	for (size_t i = 0; i < 3; i++) {
		const char *s;
		if (!api_member_string(c, applicant, keys[i], &s, NULL)) {
			char field[40];
			snprintf(field, sizeof field, "applicant.%s", keys[i]);
			reply_error(c->rep, 400, "BAD_TYPE", "字段应为字符串", field);
			return;
		}
		*dst[i] = s;
	}
	if (commitment && commitment->type != JSON_NULL) {
		if (commitment->type != JSON_TRUE && commitment->type != JSON_FALSE) {
			reply_error(c->rep, 400, "BAD_TYPE", "字段应为 true 或 false", "commitment");
			return;
		}
		req.commitment = commitment->type == JSON_TRUE;
	}
	/* a children application: the child's ID number, category, care type and facts */
	const struct json_value *child;
	struct children_application ch = {0};
	if (!member_object(c, o, "child", &child))
		return;
	if (child) {
		if (!api_member_string(c, child, "id_number", &req.child_id_number, NULL) ||
		    !api_children_application_members(c, child, &ch))
			return;
		req.children = &ch;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	answer(c, online_submit(c->db, &req, &c->rep->body, &e), &e);
}

/* GET /api/v1/public/applications/{tracking_no}?id_number= */
void api_public_applications_get(struct call *c)
{
	if (!within_limit(c, c->cfg->portal_lookup))
		return;
	char tracking[40] = "";
	for (int i = 0; i < c->match->nparams; i++) {
		const struct route_param *p = &c->match->params[i];
		if (p->len < sizeof tracking) {
			memcpy(tracking, p->value, p->len);
			tracking[p->len] = '\0';
		}
	}
	const char *id_number = NULL;
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_find(c->req->query, "id_number", &id_number, &e);
	if (!k && (!id_number || !*id_number))
		k = svc_fail(&e, SVC_BAD_INPUT, "REQUIRED", "id_number", "请填写申请人身份证号码 id_number");
	reply_status(c->rep, 200);
	if (!k)
		k = online_status(c->db, tracking, id_number, &c->rep->body, &e);
	answer(c, k, &e);
}

/* GET /api/v1/public/regions?parent= */
void api_public_regions(struct call *c)
{
	if (!within_limit(c, c->cfg->portal_regions))
		return;
	const char *parent = NULL;
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	if (!k)
		k = query_find(c->req->query, "parent", &parent, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = online_regions(c->db, parent, &c->rep->body, &e);
	answer(c, k, &e);
}

/* GET /api/v1/online-applications?state=&page=&per_page= */
void api_online_list(struct call *c)
{
	char state[16] = "";
	struct online_query q = {.state = state};
	struct svc_error e;
	svc_error_clear(&e);
	const struct http_query *hq = c->req->query;
	enum svc_kind k = query_check(hq, &e);
	if (!k)
		k = query_int(hq, "page", 1, 1000000000, 1, &q.page, &e);
	if (!k)
		k = query_int(hq, "per_page", 1, ONLINE_PER_PAGE_MAX, 20, &q.per_page, &e);
	if (!k)
		k = query_text(hq, "state", sizeof state - 1, state, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = online_list(c->db, &c->session.user, &q, &c->rep->body, &e);
	answer(c, k, &e);
}

static bool route_id(struct call *c, long long *id)
{
	if (route_param_id(c->match, "id", id))
		return true;
	reply_error(c->rep, 404, "NOT_FOUND", "未找到该网上申请", NULL);
	return false;
}

/* GET /api/v1/online-applications/{id}[?reveal=1] */
void api_online_get(struct call *c)
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
		k = online_get(c->db, &c->session.user, id, reveal, &c->rep->body, &e);
	answer(c, k, &e);
}

/* POST /api/v1/online-applications/{id}/actions
 * {"action":"accept"|"reject","note","version"?,"case_kind"?,"cause"?,"severity"?} */
void api_online_action(struct call *c)
{
	long long id;
	const struct json_value *o;
	struct online_action req = {0};
	if (!route_id(c, &id) || !api_body_object(c, &o) || !api_member_string(c, o, "action", &req.action, NULL) ||
	    !api_member_string(c, o, "note", &req.note, NULL) ||
	    !api_member_string(c, o, "case_kind", &req.case_kind, NULL) ||
	    !api_member_string(c, o, "cause", &req.cause, NULL) ||
	    !api_member_string(c, o, "severity", &req.severity, NULL))
		return;
	const struct json_value *v = json_get(o, "version");
	if (v && v->type != JSON_NULL && (v->type != JSON_NUMBER || !json_int64(v, &req.version))) {
		reply_error(c->rep, 400, "BAD_TYPE", "version 应为整数", "version");
		return;
	}
	struct casework_env env = {.policy = c->cfg->assess_policy, .cal = c->cfg->calendar, .today = casework_today()};
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	answer(c, online_act(c->db, &env, &c->session.user, id, &req, &c->rep->body, &e), &e);
}
