/* api_temporary.c - the temporary-assistance endpoints: the township reserve
 * fund (GET /api/v1/reserve-funds/{region}, POST …/entries) and the
 * temporary cases (POST /api/v1/temporary-cases, GET …/{id}, POST
 * …/{id}/actions). Parses and
 * renders only; every check is in service/reserve_fund.c and authz.c. */
#include "api_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "service/reserve_fund.h"
#include "service/temporary_case.h"

/* The {name} path parameter as text (digits only, the router saw to it). */
static void param_text(const struct call *c, char *out, size_t cap)
{
	out[0] = '\0';
	if (c->match->nparams < 1)
		return;
	size_t n = c->match->params[0].len;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, c->match->params[0].value, n);
	out[n] = '\0';
}

/* An integer member (absent or null: *out 0). False after replying 400. */
static bool member_id(struct call *c, const struct json_value *obj, const char *key, int64_t *out)
{
	*out = 0;
	const struct json_value *found;
	if (!api_member(c, obj, key, &found))
		return false;
	if (!found || found->type == JSON_NULL)
		return true;
	if (found->type != JSON_NUMBER || !json_int64(found, out) || *out < 1) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为正整数", key);
		return false;
	}
	return true;
}

static void add_money(struct strbuf *b, const char *key, fen_t v)
{
	char t[MONEY_TEXT_MAX];
	money_format(v, t);
	strbuf_addf(b, "\"%s\":\"%s\"", key, t);
}

static void add_fund(struct strbuf *b, const struct reserve_fund *f)
{
	strbuf_addf(b, "\"region\":\"%s\",", f->region);
	add_money(b, "balance", f->balance);
	strbuf_addc(b, ',');
	add_money(b, "advanced_total", f->advanced_total);
	strbuf_addc(b, ',');
	add_money(b, "drawn_total", f->drawn_total);
	strbuf_addc(b, ',');
	add_money(b, "returned_total", f->returned_total);
	strbuf_addf(b, ",\"version\":%lld,\"updated_at\":", (long long)f->version);
	if (f->updated_at[0])
		strbuf_add_json_string(b, f->updated_at, strlen(f->updated_at));
	else
		strbuf_adds(b, "null");
}

static void add_entry(struct strbuf *b, const struct reserve_entry *x)
{
	strbuf_addf(b, "{\"id\":%lld,\"kind\":\"%s\",", (long long)x->id, reserve_kind_name(x->kind));
	add_money(b, "amount", x->amount);
	strbuf_addc(b, ',');
	add_money(b, "balance_after", x->balance_after);
	if (x->application_id > 0)
		strbuf_addf(b, ",\"application_id\":%lld", (long long)x->application_id);
	else
		strbuf_adds(b, ",\"application_id\":null");
	strbuf_adds(b, ",\"actor\":");
	strbuf_add_json_string(b, x->actor, strlen(x->actor));
	strbuf_adds(b, ",\"note\":");
	if (x->note[0])
		strbuf_add_json_string(b, x->note, strlen(x->note));
	else
		strbuf_adds(b, "null");
	strbuf_adds(b, ",\"created_at\":");
	strbuf_add_json_string(b, x->created_at, strlen(x->created_at));
	strbuf_addc(b, '}');
}

/* GET /api/v1/reserve-funds/{region}?page=&per_page= */
void api_reserve_fund_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page = 1, per_page = 50;
	char region[24];
	param_text(c, region, sizeof region);
	if (query_page(c->req->query, &page, &per_page, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	struct reserve_page p;
	if (reserve_fund_get(c->db, &c->session.user, region, page, per_page, &p, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	struct strbuf *b = &c->rep->body;
	reply_status(c->rep, 200);
	strbuf_addc(b, '{');
	add_fund(b, &p.fund);
	strbuf_addf(b, ",\"page\":%lld,\"per_page\":%lld,\"total\":%lld,\"items\":[", (long long)page,
		    (long long)per_page, (long long)p.total);
	for (size_t i = 0; i < p.n; i++) {
		if (i)
			strbuf_addc(b, ',');
		add_entry(b, &p.items[i]);
	}
	strbuf_adds(b, "]}");
	reserve_page_release(&p);
}

/* POST /api/v1/reserve-funds/{region}/entries {"kind","amount","note","application_id"} */
void api_reserve_fund_post(struct call *c)
{
	const struct json_value *o;
	struct reserve_entry_new req = {0};
	char region[24];
	param_text(c, region, sizeof region);
	if (!api_body_object(c, &o) || !api_member_string(c, o, "kind", &req.kind, NULL) ||
	    !api_member_string(c, o, "amount", &req.amount, NULL) ||
	    !api_member_string(c, o, "note", &req.note, NULL) ||
	    !member_id(c, o, "application_id", &req.application_id))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	struct reserve_entry entry;
	struct reserve_fund fund;
	if (reserve_fund_post(c->db, &c->session.user, region, &req, &entry, &fund, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	struct strbuf *b = &c->rep->body;
	reply_status(c->rep, 201);
	strbuf_adds(b, "{\"entry\":");
	add_entry(b, &entry);
	strbuf_adds(b, ",\"fund\":{");
	add_fund(b, &fund);
	strbuf_adds(b, "}}");
}

/* ---- temporary cases ---- */

static void env_init(const struct call *c, struct temporary_env *env)
{
	env->policy = c->policy;
	env->today = temporary_today();
}

bool api_temporary_new_members(struct call *c, const struct json_value *o, struct temporary_new *req)
{
	return api_member_string(c, o, "region", &req->region, NULL) &&
	       api_member_string(c, o, "case_kind", &req->case_kind, NULL) &&
	       api_member_string(c, o, "cause", &req->cause, NULL) &&
	       api_member_string(c, o, "severity", &req->severity, NULL) &&
	       api_member_string(c, o, "area", &req->area, NULL) &&
	       api_member_string(c, o, "registration_region", &req->registration_region, NULL) &&
	       api_member_string(c, o, "requested_amount", &req->requested_amount, NULL);
}

/* POST /api/v1/temporary-cases */
void api_temporary_create(struct call *c)
{
	const struct json_value *o;
	struct temporary_new req = {0};
	if (!api_body_object(c, &o) || !api_temporary_new_members(c, o, &req) ||
	    !api_member_string(c, o, "note", &req.note, NULL) || !member_id(c, o, "household_id", &req.household_id))
		return;
	struct temporary_env env;
	env_init(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	if (temporary_create(c->db, &env, &c->session.user, &req, &id, &e) ||
	    (reply_status(c->rep, 201), temporary_get(c->db, &env, &c->session.user, id, &c->rep->body, &e)))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/temporary-cases/{id} */
void api_temporary_get(struct call *c)
{
	long long id = 0;
	struct svc_error e;
	svc_error_clear(&e);
	if (!route_param_id(c->match, "id", &id)) {
		reply_error(c->rep, 404, "NOT_FOUND", "未找到该临时救助案件", NULL);
		return;
	}
	struct temporary_env env;
	env_init(c, &env);
	reply_status(c->rep, 200);
	if (temporary_get(c->db, &env, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

bool api_temporary_action_members(struct call *c, const struct json_value *o, struct temporary_action *req)
{
	if (!api_member_string(c, o, "amount", &req->amount, NULL) ||
	    !api_member_string(c, o, "case_by_case_note", &req->case_by_case_note, NULL) ||
	    !member_id(c, o, "stage", &req->stage))
		return false;
	const struct json_value *stages;
	if (!api_member(c, o, "stages", &stages))
		return false;
	if (stages && stages->type == JSON_NUMBER) {
		int64_t n = 0;
		if (!json_int64(stages, &n) || n < 1 || n > TEMP_STAGES_MAX) {
			reply_error(c->rep, 400, "BAD_STAGES", "stages 应为 1 到 12 的阶段数，或各阶段金额的数组",
				    "stages");
			return false;
		}
		req->stages_count = (int)n;
	} else if (stages && stages->type == JSON_ARRAY) {
		if (stages->len < 1 || stages->len > TEMP_STAGES_MAX) {
			reply_error(c->rep, 400, "BAD_STAGES", "阶段数应为 1 到 12", "stages");
			return false;
		}
		int i = 0;
		for (const struct json_value *s = stages->child; s; s = s->next, i++) {
			if (s->type != JSON_STRING) {
				char f[24];
				snprintf(f, sizeof f, "stages[%d]", i);
				reply_error(c->rep, 400, "BAD_TYPE", "阶段金额应为字符串（如 \"500.00\"）", f);
				return false;
			}
			req->stage_amounts[i] = s->str;
		}
		req->n_stage_amounts = i;
	} else if (stages && stages->type != JSON_NULL) {
		reply_error(c->rep, 400, "BAD_STAGES", "stages 应为阶段数或各阶段金额的数组", "stages");
		return false;
	}
	return true;
}

/* POST /api/v1/temporary-cases/{id}/actions
 * {"action","version","amount","note","case_by_case_note","stages","stage"} */
void api_temporary_act(struct call *c)
{
	long long id = 0;
	if (!route_param_id(c->match, "id", &id)) {
		reply_error(c->rep, 404, "NOT_FOUND", "未找到该临时救助案件", NULL);
		return;
	}
	const struct json_value *o;
	struct temporary_action req = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "action", &req.action, NULL) ||
	    !api_member_string(c, o, "note", &req.note, NULL) || !member_id(c, o, "version", &req.version) ||
	    !api_temporary_action_members(c, o, &req))
		return;
	struct temporary_env env;
	env_init(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	if (temporary_act(c->db, &env, &c->session.user, id, &req, &e) ||
	    (reply_status(c->rep, 200), temporary_get(c->db, &env, &c->session.user, id, &c->rep->body, &e)))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/temporary-cases?state=&page=&per_page= */
void api_temporary_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page, per_page;
	char state[17];
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	if (!k)
		k = query_text(c->req->query, "state", 16, state, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = temporary_list(c->db, &c->session.user, state, page, per_page, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/reserve-funds: the funds in the caller's view */
void api_reserve_funds_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t n = 0;
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	strbuf_adds(&c->rep->body, "{\"items\":[");
	if (!k)
		k = reserve_fund_list(c->db, &c->session.user, &c->rep->body, &n, &e);
	strbuf_addf(&c->rep->body, "],\"total\":%lld}", (long long)n);
	if (k)
		reply_svc_error(c->rep, &e);
}
