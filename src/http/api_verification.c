/* api_verification.c - household economic verification (issue 9,
 * docs/verification.md): sources, authorisations, verifications, their
 * requests and answers (JSON or a file), reports and their exports,
 * batches and the purge. Parses and renders only; every check is in
 * service/verification.c. */
#include "api_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/household.h"
#include "core/json.h"
#include "core/money.h"
#include "service/casework.h"
#include "service/verification.h"

#define NOT_FOUND_TEXT "未找到该核对记录"
#define REQUEST_NOT_FOUND "未找到该核对请求"
#define BATCH_NOT_FOUND "未找到该批量核对"

static void env_of(const struct call *c, struct verification_env *env)
{
	env->policy = c->policy;
	env->cal = c->cfg->calendar;
	env->today = casework_today();
}

static void done(struct call *c, enum svc_kind k, const struct svc_error *e)
{
	if (k)
		reply_svc_error(c->rep, e);
}

/* The shape of a service call on one record: GET or a bodiless POST. */
typedef enum svc_kind (*by_id_fn)(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t id, struct strbuf *out, struct svc_error *e);

/* Answers 200 with fn on the route's {id} (404 not_found for a bad id). */
static void by_id(struct call *c, const char *not_found, by_id_fn fn)
{
	long long id = 0;
	if (!api_path_id(c, &id, not_found))
		return;
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	done(c, fn(c->db, &env, &c->session.user, id, &c->rep->body, &e), &e);
}

/* GET /api/v1/verification/sources */
void api_verification_sources(struct call *c)
{
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	done(c, verification_sources(c->db, &env, &c->session.user, &c->rep->body, &e), &e);
}

/* GET /api/v1/households/{id}/authorisations */
void api_verification_authorisations(struct call *c)
{
	by_id(c, "未找到该家庭", verification_authorisations);
}

/* POST /api/v1/households/{id}/authorisations {"person_ids":[…],"method",
 * "scope","signed_on","valid_until","document","application_id"} */
void api_verification_authorise(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该家庭"))
		return;
	const struct json_value *o, *persons = NULL;
	struct verification_auth_new req = {.household_id = id};
	bool has_app = false;
	if (!api_body_object(c, &o) || !api_member(c, o, "person_ids", &persons) ||
	    !api_member_string(c, o, "method", &req.method, NULL) ||
	    !api_member_string(c, o, "scope", &req.scope, NULL) ||
	    !api_member_string(c, o, "signed_on", &req.signed_on, NULL) ||
	    !api_member_string(c, o, "valid_until", &req.valid_until, NULL) ||
	    !api_member_string(c, o, "document", &req.document, NULL) ||
	    !api_member_int(c, o, "application_id", &req.application_id, &has_app))
		return;
	if (!has_app)
		req.application_id = 0;
	int64_t ids[HOUSEHOLD_MAX_MEMBERS];
	size_t n = 0;
	if (persons && persons->type != JSON_ARRAY) {
		reply_error(c->rep, 400, "BAD_TYPE", "person_ids 应为成员编号数组", "person_ids");
		return;
	}
	for (const struct json_value *v = persons ? persons->child : NULL; v; v = v->next) {
		if (n == HOUSEHOLD_MAX_MEMBERS || v->type != JSON_NUMBER || !json_int64(v, &ids[n]) || ids[n] <= 0) {
			reply_error(c->rep, 400, "BAD_VALUE", "person_ids 应为不超过 100 个正整数", "person_ids");
			return;
		}
		n++;
	}
	req.person_ids = ids;
	req.n_persons = n;
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	done(c, verification_authorise(c->db, &env, &c->session.user, &req, &c->rep->body, &e), &e);
}

/* POST /api/v1/verifications {"application_id","sources":[…]} */
void api_verification_start(struct call *c)
{
	const struct json_value *o, *sources = NULL;
	int64_t app = 0;
	bool has_app = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "application_id", &app, &has_app) ||
	    !api_member(c, o, "sources", &sources))
		return;
	const char *codes[16];
	size_t n = 0;
	if (sources && sources->type != JSON_ARRAY) {
		reply_error(c->rep, 400, "BAD_TYPE", "sources 应为核对来源代码数组", "sources");
		return;
	}
	for (const struct json_value *v = sources ? sources->child : NULL; v; v = v->next) {
		if (n == 16 || v->type != JSON_STRING) {
			reply_error(c->rep, 400, "BAD_VALUE", "sources 应为不超过 16 个核对来源代码", "sources");
			return;
		}
		codes[n++] = v->str;
	}
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	enum svc_kind k = verification_start(c->db, &env, &c->session.user, has_app ? app : 0, codes, n, &id, &e);
	if (!k) {
		reply_status(c->rep, 201);
		k = verification_get(c->db, &env, &c->session.user, id, &c->rep->body, &e);
	}
	done(c, k, &e);
}

/* GET /api/v1/verifications?state=&application_id=&batch_id=&overdue=&page=&per_page= */
void api_verification_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct verification_filter f = {0};
	char state[17];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "state", 16, state, &e);
	if (!k)
		k = query_int(q, "application_id", 0, INT64_MAX, 0, &f.application_id, &e);
	if (!k)
		k = query_int(q, "batch_id", 0, INT64_MAX, 0, &f.batch_id, &e);
	if (!k)
		k = query_flag(q, "overdue", &f.overdue, &e);
	f.state = state;
	struct verification_env env;
	env_of(c, &env);
	reply_status(c->rep, 200);
	if (!k)
		k = verification_list(c->db, &env, &c->session.user, &f, &c->rep->body, &e);
	done(c, k, &e);
}

/* GET /api/v1/verifications/{id} */
void api_verification_get(struct call *c)
{
	by_id(c, NOT_FOUND_TEXT, verification_get);
}

static void versioned(struct call *c, bool adopt)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	const struct json_value *o;
	int64_t version = 0;
	bool has = false;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &version, &has))
		return;
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	done(c,
	     (adopt ? verification_adopt : verification_report)(c->db, &env, &c->session.user, id, has ? version : 0,
								&c->rep->body, &e),
	     &e);
}

/* POST /api/v1/verifications/{id}/report {"version"} */
void api_verification_report(struct call *c)
{
	versioned(c, false);
}

/* POST /api/v1/verifications/{id}/adopt {"version"} */
void api_verification_adopt(struct call *c)
{
	versioned(c, true);
}

static void export(struct call *c, const char *format)
{
	long long id = 0;
	if (!api_path_id(c, &id, NOT_FOUND_TEXT))
		return;
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	char name[VERIFICATION_NAME_MAX], display[VERIFICATION_NAME_MAX];
	reply_status(c->rep, 200);
	enum svc_kind k =
	    verification_export(c->db, &env, &c->session.user, id, format, &c->rep->body, name, display, &e);
	if (!k)
		api_attachment(c->rep,
			       strcmp(format, "xlsx") == 0
				   ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
				   : "text/html; charset=utf-8",
			       name, display);
	done(c, k, &e);
}

/* GET /api/v1/verifications/{id}/report.html */
void api_verification_report_html(struct call *c)
{
	export(c, "html");
}

/* GET /api/v1/verifications/{id}/report.xlsx */
void api_verification_report_xlsx(struct call *c)
{
	export(c, "xlsx");
}

/* GET /api/v1/verification-requests/overdue?page=&per_page= */
void api_verification_overdue(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page = 0, per_page = 0;
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	struct verification_env env;
	env_of(c, &env);
	reply_status(c->rep, 200);
	if (!k)
		k = verification_overdue(c->db, &env, &c->session.user, page, per_page, &c->rep->body, &e);
	done(c, k, &e);
}

/* POST /api/v1/verification-requests/{id}/answer {"findings":[{"id_number",
 * "item","amount","quantity","period","note"}]} */
void api_verification_answer(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, REQUEST_NOT_FOUND))
		return;
	const struct json_value *o, *list = NULL;
	if (!api_body_object(c, &o) || !api_member(c, o, "findings", &list))
		return;
	if (!list || list->type != JSON_ARRAY) {
		reply_error(c->rep, 400, "MISSING_FIELD", "缺少核对结果 findings（数组，可为空表示无记录）",
			    "findings");
		return;
	}
	size_t n = 0;
	for (const struct json_value *v = list->child; v; v = v->next)
		n++;
	if (n > 10000) {
		reply_error(c->rep, 400, "TOO_MANY", "findings 最多 10000 条", "findings");
		return;
	}
	struct verification_finding *f = n ? arena_calloc(&c->arena, n, sizeof *f) : NULL;
	if (n && !f) {
		reply_error(c->rep, 413, "TOO_LARGE", "请求体过大", NULL);
		return;
	}
	size_t i = 0;
	for (const struct json_value *v = list->child; v; v = v->next, i++) {
		char field[48];
		const char *amount = NULL;
		bool has_q = false;
		snprintf(field, sizeof field, "findings[%zu]", i);
		if (v->type != JSON_OBJECT) {
			reply_error(c->rep, 400, "BAD_TYPE", "findings 的每一项应为对象", field);
			return;
		}
		if (!api_member_string(c, v, "id_number", &f[i].id_number, NULL) ||
		    !api_member_string(c, v, "item", &f[i].item, NULL) ||
		    !api_member_string(c, v, "amount", &amount, NULL) ||
		    !api_member_int(c, v, "quantity", &f[i].quantity, &has_q) ||
		    !api_member_string(c, v, "period", &f[i].period, NULL) ||
		    !api_member_string(c, v, "note", &f[i].note, NULL))
			return;
		if (!has_q)
			f[i].quantity = 0;
		if (amount && money_parse(amount, strlen(amount), MONEY_PLAIN, &f[i].amount, NULL) != DD_OK) {
			snprintf(field, sizeof field, "findings[%zu].amount", i);
			reply_error(c->rep, 400, "BAD_AMOUNT",
				    "金额应为以元为单位、最多两位小数的字符串，如 \"1234.50\"", field);
			return;
		}
	}
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	done(c, verification_answer(c->db, &env, &c->session.user, id, f, n, &c->rep->body, &e), &e);
}

/* POST /api/v1/verification-requests/{id}/answer-file?file_name= (the
 * file as the body: CSV or XLSX) */
void api_verification_answer_file(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, REQUEST_NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char file_name[256];
	enum svc_kind k = query_text(c->req->query, "file_name", 200, file_name, &e);
	struct verification_env env;
	env_of(c, &env);
	reply_status(c->rep, 200);
	if (!k)
		k = verification_answer_file(c->db, &env, &c->session.user, id, 0, NULL, file_name, c->req->body,
					     c->req->body_len, &c->rep->body, &e);
	done(c, k, &e);
}

/* POST /api/v1/verification-requests/{id}/resend */
void api_verification_resend(struct call *c)
{
	by_id(c, REQUEST_NOT_FOUND, verification_resend);
}

/* POST /api/v1/verification-batches {"region"} */
void api_verification_batch_create(struct call *c)
{
	const struct json_value *o;
	const char *region = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "region", &region, NULL))
		return;
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	int64_t id = 0;
	reply_status(c->rep, 201);
	done(c, verification_batch_create(c->db, &env, &c->session.user, region, &id, &c->rep->body, &e), &e);
}

/* GET /api/v1/verification-batches?page=&per_page= */
void api_verification_batch_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page = 0, per_page = 0;
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	struct verification_env env;
	env_of(c, &env);
	reply_status(c->rep, 200);
	if (!k)
		k = verification_batches(c->db, &env, &c->session.user, page, per_page, &c->rep->body, &e);
	done(c, k, &e);
}

/* GET /api/v1/verification-batches/{id} */
void api_verification_batch_get(struct call *c)
{
	by_id(c, BATCH_NOT_FOUND, verification_batch_get);
}

/* GET /api/v1/verification-batches/{id}/request-file?source=&format=csv|xlsx */
void api_verification_batch_file(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, BATCH_NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char source[33], format[8];
	enum svc_kind k = query_text(c->req->query, "source", 32, source, &e);
	if (!k)
		k = query_text(c->req->query, "format", 7, format, &e);
	if (!k && !format[0])
		snprintf(format, sizeof format, "csv");
	struct verification_env env;
	env_of(c, &env);
	char name[VERIFICATION_NAME_MAX], display[VERIFICATION_NAME_MAX];
	reply_status(c->rep, 200);
	if (!k)
		k = verification_batch_file(c->db, &env, &c->session.user, id, source, format, &c->rep->body, name,
					    display, &e);
	if (!k)
		api_attachment(c->rep,
			       strcmp(format, "xlsx") == 0
				   ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
				   : "text/csv; charset=utf-8",
			       name, display);
	done(c, k, &e);
}

/* POST /api/v1/verification-batches/{id}/answers?source=&file_name= (the
 * source's answer file as the body) */
void api_verification_batch_answers(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, BATCH_NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char source[33], file_name[256];
	enum svc_kind k = query_text(c->req->query, "source", 32, source, &e);
	if (!k)
		k = query_text(c->req->query, "file_name", 200, file_name, &e);
	struct verification_env env;
	env_of(c, &env);
	reply_status(c->rep, 200);
	if (!k)
		k = verification_answer_file(c->db, &env, &c->session.user, 0, id, source, file_name, c->req->body,
					     c->req->body_len, &c->rep->body, &e);
	done(c, k, &e);
}

/* POST /api/v1/verifications/purge */
void api_verification_purge(struct call *c)
{
	struct verification_env env;
	env_of(c, &env);
	struct svc_error e;
	svc_error_clear(&e);
	int64_t purged = 0;
	enum svc_kind k = verification_purge(c->db, &env, &c->session.user, &purged, &e);
	if (!k) {
		reply_status(c->rep, 200);
		strbuf_addf(&c->rep->body, "{\"purged\":%lld}", (long long)purged);
	}
	done(c, k, &e);
}
