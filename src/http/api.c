/* api.c - the route table, the dispatch, and the handlers of health,
 * session, users and assess (the registry's are in api_households.c). */
#include "api.h"
#include "api_internal.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "core/arena.h"
#include "core/json.h"
#include "service/assessment.h"
#include "service/policy_store.h"
#include "service/visits.h"
#include "store/db.h"

enum route_id {
	R_HEALTHZ,
	R_LOGIN,
	R_LOGOUT,
	R_ME,
	R_USERS_CREATE,
	R_ASSESS,
	R_APPS_CREATE,
	R_APPS_LIST,
	R_APPS_GET,
	R_APPS_ACTION,
	R_RELATIVES_CREATE,
	R_RELATIVES_LIST,
	R_RESERVE_FUND_GET,
	R_RESERVE_FUND_POST,
	R_TEMPORARY_CREATE,
	R_TEMPORARY_GET,
	R_TEMPORARY_ACT,
	R_HOUSEHOLDS_CREATE,
	R_HOUSEHOLDS_LIST,
	R_HOUSEHOLD_GET,
	R_HOUSEHOLD_UPDATE,
	R_AUDIT_LIST,
	R_PUBLIC_APPS_CREATE,
	R_PUBLIC_APPS_GET,
	R_PUBLIC_REGIONS,
	R_ONLINE_LIST,
	R_ONLINE_GET,
	R_ONLINE_ACTION,
	R_WORKBENCH,
	R_TEMPORARY_LIST,
	R_RESERVE_FUNDS_LIST,
	R_REGIONS_CHILDREN,
	R_REGIONS_GET,
	R_USERS_LIST,
	R_USERS_UPDATE,
	R_POLICY_IN_FORCE,
	R_POLICY_ENTRIES,
	R_POLICY_ADD,
	R_PAYROLL_GENERATE,
	R_PAYROLL_LIST,
	R_PAYROLL_GET,
	R_PAYROLL_PAYMENTS,
	R_PAYROLL_ACT,
	R_PAYROLL_CHECKS,
	R_PAYROLL_FINDINGS,
	R_PAYROLL_FINDING_RESOLVE,
	R_PAYROLL_CAMPAIGN,
	R_PAYROLL_PRICE_INDEX,
	R_BANK_TEMPLATES,
	R_BANK_TEMPLATE_PUT,
	R_BANK_FILES,
	R_BANK_FILE_GET,
	R_BANK_RETURN,
	R_RECONCILIATION,
	R_REISSUES_LIST,
	R_REISSUES_CREATE,
	R_FUND_ALLOCATION,
	R_FUND_LEDGER,
	R_FUND_LEDGER_XLSX,
	R_EPIDEMIC_PATIENT_CREATE,
	R_EPIDEMIC_PATIENT_GET,
	R_EPIDEMIC_PATIENT_DISCHARGE,
	R_PAYROLL_EPIDEMIC,
	R_PAYROLL_TEMPORARY,
	R_ALERTS_LIST,
	R_ALERT_GET,
	R_ALERT_VERIFY,
	R_ALERT_ACTION,
	R_ALERT_CLOSE,
	R_ALERT_RELEASE_HOLD,
	R_STATS_MONTHLY,
	R_STATS_MONTHLY_CSV,
	R_STATS_MONTHLY_XLSX,
	R_STATS_BUILD,
	R_CAMPAIGNS_CREATE,
	R_CAMPAIGNS_LIST,
	R_CAMPAIGN_GET,
	R_CAMPAIGN_PLAN,
	R_CAMPAIGN_RECIPIENTS,
	R_CAMPAIGN_VISIT,
	R_CAMPAIGN_TABLE,
	R_CAMPAIGN_TABLE_XLSX,
	R_VISITS_DUE,
	R_VISITS_CREATE,
	R_VISITS_RECORDS,
	R_VISIT_GET,
	R_VISIT_FOLLOW_UP_DONE,
	R_VISIT_PHOTO_PUT,
	R_VISIT_PHOTO_GET,
	R_CARE_LIST,
	R_CARE_CREATE,
	R_CARE_GET,
	R_CARE_UNABLE,
	R_CARE_REPLACE,
	R_CENTRALISED_LIST,
	R_CENTRALISED_CREATE,
	R_CENTRALISED_CLOSE,
	R_HOTLINE_LIST,
	R_HOTLINE_CREATE,
	R_HOTLINE_GET,
	R_HOTLINE_ACCEPT,
	R_HOTLINE_REPLY,
	R_HOTLINE_CLOSE,
	R_HOTLINE_CONVERT,
	R_HOTLINE_REVEAL,
	R_HOTLINE_RETURN,
	R_HOTLINE_REASSIGN,
	R_VER_SOURCES,
	R_VER_AUTHS,
	R_VER_AUTHORISE,
	R_VER_LIST,
	R_VER_START,
	R_VER_PURGE,
	R_VER_GET,
	R_VER_REPORT,
	R_VER_ADOPT,
	R_VER_HTML,
	R_VER_XLSX,
	R_VER_OVERDUE,
	R_VER_ANSWER,
	R_VER_ANSWER_FILE,
	R_VER_RESEND,
	R_VER_BATCH,
	R_VER_BATCH_LIST,
	R_VER_BATCH_GET,
	R_VER_BATCH_FILE,
	R_VER_BATCH_ANSWERS,
	R_REFERRALS_LIST,
	R_REFERRALS_CREATE,
	R_REFERRALS_GET,
	R_REFERRALS_ACT,
	R_REFERRAL_OFFICES_LIST,
	R_REFERRAL_OFFICES_CREATE,
	R_CHILDREN_LIST,
	R_CARE_EM_LIST,
	R_CARE_EM_REPORT,
	R_CARE_EM_GET,
	R_CARE_EM_ACT,
	R_CHILDREN_REVIEW,
	R_COUNT
};

static const struct route routes[] = {
    {HTTP_GET, "/healthz", R_HEALTHZ, 0},
    {HTTP_POST, "/api/v1/session", R_LOGIN, R_SLOW},
    {HTTP_DELETE, "/api/v1/session", R_LOGOUT, R_SESSION | R_CSRF | R_CHILD},
    {HTTP_GET, "/api/v1/me", R_ME, R_SESSION | R_CHILD},
    {HTTP_POST, "/api/v1/users", R_USERS_CREATE, R_SESSION | R_CSRF | R_SLOW},
    /* a computation that changes nothing: no CSRF token needed */
    {HTTP_POST, "/api/v1/assess", R_ASSESS, R_SESSION},
    {HTTP_POST, "/api/v1/applications", R_APPS_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/applications", R_APPS_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/applications/{id}", R_APPS_GET, R_SESSION},
    {HTTP_POST, "/api/v1/applications/{id}/actions", R_APPS_ACTION, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/close-relatives", R_RELATIVES_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/close-relatives", R_RELATIVES_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/reserve-funds/{region}", R_RESERVE_FUND_GET, R_SESSION},
    {HTTP_POST, "/api/v1/reserve-funds/{region}/entries", R_RESERVE_FUND_POST, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/temporary-cases", R_TEMPORARY_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/temporary-cases/{id}", R_TEMPORARY_GET, R_SESSION},
    {HTTP_POST, "/api/v1/temporary-cases/{id}/actions", R_TEMPORARY_ACT, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/households", R_HOUSEHOLDS_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/households", R_HOUSEHOLDS_LIST, R_SESSION},
    /* a reveal writes an audit row, but reads: no CSRF token needed */
    {HTTP_GET, "/api/v1/households/{id}", R_HOUSEHOLD_GET, R_SESSION},
    {HTTP_PATCH, "/api/v1/households/{id}", R_HOUSEHOLD_UPDATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/audit", R_AUDIT_LIST, R_SESSION},
    /* the citizen portal: no session, limited per client address */
    {HTTP_POST, "/api/v1/public/applications", R_PUBLIC_APPS_CREATE, 0},
    {HTTP_GET, "/api/v1/public/applications/{*tracking_no}", R_PUBLIC_APPS_GET, 0},
    {HTTP_GET, "/api/v1/public/regions", R_PUBLIC_REGIONS, 0},
    {HTTP_GET, "/api/v1/online-applications", R_ONLINE_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/online-applications/{id}", R_ONLINE_GET, R_SESSION},
    {HTTP_POST, "/api/v1/online-applications/{id}/actions", R_ONLINE_ACTION, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/workbench", R_WORKBENCH, R_SESSION | R_CHILD},
    {HTTP_GET, "/api/v1/temporary-cases", R_TEMPORARY_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/reserve-funds", R_RESERVE_FUNDS_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/regions", R_REGIONS_CHILDREN, R_SESSION | R_CHILD},
    {HTTP_GET, "/api/v1/regions/{code}", R_REGIONS_GET, R_SESSION | R_CHILD},
    {HTTP_GET, "/api/v1/users", R_USERS_LIST, R_SESSION},
    {HTTP_PATCH, "/api/v1/users/{id}", R_USERS_UPDATE, R_SESSION | R_CSRF | R_SLOW | R_CHILD},
    {HTTP_GET, "/api/v1/policy/parameters", R_POLICY_IN_FORCE, R_SESSION},
    /* {*name}: a parameter name (router.h), not a number */
    {HTTP_GET, "/api/v1/policy/parameters/{*name}", R_POLICY_ENTRIES, R_SESSION},
    {HTTP_POST, "/api/v1/policy/parameters", R_POLICY_ADD, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/payroll/batches", R_PAYROLL_GENERATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/payroll/batches", R_PAYROLL_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/payroll/batches/{id}", R_PAYROLL_GET, R_SESSION},
    {HTTP_GET, "/api/v1/payroll/batches/{id}/payments", R_PAYROLL_PAYMENTS, R_SESSION},
    {HTTP_POST, "/api/v1/payroll/batches/{id}/actions", R_PAYROLL_ACT, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/payroll/batches/{id}/checks", R_PAYROLL_CHECKS, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/payroll/batches/{id}/findings", R_PAYROLL_FINDINGS, R_SESSION},
    {HTTP_POST, "/api/v1/payroll/findings/{id}", R_PAYROLL_FINDING_RESOLVE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/payroll/campaigns", R_PAYROLL_CAMPAIGN, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/payroll/price-indices", R_PAYROLL_PRICE_INDEX, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/payroll/bank-templates", R_BANK_TEMPLATES, R_SESSION},
    {HTTP_PUT, "/api/v1/payroll/bank-templates/{*code}", R_BANK_TEMPLATE_PUT, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/payroll/batches/{id}/bank-files", R_BANK_FILES, R_SESSION},
    /* a download writes an audit row, but reads: no CSRF token needed */
    {HTTP_GET, "/api/v1/payroll/batches/{id}/bank-files/{*code}", R_BANK_FILE_GET, R_SESSION},
    {HTTP_POST, "/api/v1/payroll/batches/{id}/returns", R_BANK_RETURN, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/payroll/batches/{id}/reconciliation", R_RECONCILIATION, R_SESSION},
    {HTTP_GET, "/api/v1/payroll/reissues", R_REISSUES_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/payroll/reissues", R_REISSUES_CREATE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/funds/allocations", R_FUND_ALLOCATION, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/funds/ledger", R_FUND_LEDGER, R_SESSION},
    {HTTP_GET, "/api/v1/funds/ledger.xlsx", R_FUND_LEDGER_XLSX, R_SESSION},
    {HTTP_POST, "/api/v1/payroll/epidemic-patients", R_EPIDEMIC_PATIENT_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/payroll/epidemic-patients/{id}", R_EPIDEMIC_PATIENT_GET, R_SESSION},
    {HTTP_POST, "/api/v1/payroll/epidemic-patients/{id}/discharge", R_EPIDEMIC_PATIENT_DISCHARGE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/payroll/epidemic", R_PAYROLL_EPIDEMIC, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/payroll/temporary", R_PAYROLL_TEMPORARY, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/alerts", R_ALERTS_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/alerts/{id}", R_ALERT_GET, R_SESSION},
    {HTTP_POST, "/api/v1/alerts/{id}/verify", R_ALERT_VERIFY, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/alerts/{id}/action", R_ALERT_ACTION, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/alerts/{id}/close", R_ALERT_CLOSE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/alerts/{id}/release-hold", R_ALERT_RELEASE_HOLD, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/statistics/monthly", R_STATS_MONTHLY, R_SESSION},
    {HTTP_GET, "/api/v1/statistics/monthly.csv", R_STATS_MONTHLY_CSV, R_SESSION},
    {HTTP_GET, "/api/v1/statistics/monthly.xlsx", R_STATS_MONTHLY_XLSX, R_SESSION},
    {HTTP_POST, "/api/v1/statistics/monthly", R_STATS_BUILD, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/campaigns", R_CAMPAIGNS_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/campaigns", R_CAMPAIGNS_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/campaigns/{id}", R_CAMPAIGN_GET, R_SESSION},
    {HTTP_POST, "/api/v1/campaigns/{id}/plan", R_CAMPAIGN_PLAN, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/campaigns/{id}/recipients", R_CAMPAIGN_RECIPIENTS, R_SESSION},
    {HTTP_POST, "/api/v1/campaigns/{id}/recipients", R_CAMPAIGN_VISIT, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/campaigns/{id}/table", R_CAMPAIGN_TABLE, R_SESSION},
    {HTTP_GET, "/api/v1/campaigns/{id}/table.xlsx", R_CAMPAIGN_TABLE_XLSX, R_SESSION},
    {HTTP_GET, "/api/v1/visits", R_VISITS_DUE, R_SESSION},
    {HTTP_POST, "/api/v1/visits", R_VISITS_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/visits/records", R_VISITS_RECORDS, R_SESSION},
    {HTTP_GET, "/api/v1/visits/{id}", R_VISIT_GET, R_SESSION},
    {HTTP_POST, "/api/v1/visits/{id}/follow-up-done", R_VISIT_FOLLOW_UP_DONE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/visits/{id}/photo", R_VISIT_PHOTO_PUT, R_SESSION | R_CSRF | R_UPLOAD},
    {HTTP_GET, "/api/v1/visits/{id}/photo", R_VISIT_PHOTO_GET, R_SESSION},
    {HTTP_GET, "/api/v1/care-agreements", R_CARE_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/care-agreements", R_CARE_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/care-agreements/{id}", R_CARE_GET, R_SESSION},
    {HTTP_POST, "/api/v1/care-agreements/{id}/unable", R_CARE_UNABLE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/care-agreements/{id}/replace", R_CARE_REPLACE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/centralised-support", R_CENTRALISED_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/centralised-support", R_CENTRALISED_CREATE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/centralised-support/{id}/close", R_CENTRALISED_CLOSE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/hotline/orders", R_HOTLINE_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/hotline/orders", R_HOTLINE_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/hotline/orders/{id}", R_HOTLINE_GET, R_SESSION},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/accept", R_HOTLINE_ACCEPT, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/reply", R_HOTLINE_REPLY, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/close", R_HOTLINE_CLOSE, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/convert", R_HOTLINE_CONVERT, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/reveal", R_HOTLINE_REVEAL, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/return", R_HOTLINE_RETURN, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/hotline/orders/{id}/reassign", R_HOTLINE_REASSIGN, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/verification/sources", R_VER_SOURCES, R_SESSION},
    {HTTP_GET, "/api/v1/households/{id}/authorisations", R_VER_AUTHS, R_SESSION},
    {HTTP_POST, "/api/v1/households/{id}/authorisations", R_VER_AUTHORISE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/verifications", R_VER_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/verifications", R_VER_START, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/verifications/purge", R_VER_PURGE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/verifications/{id}", R_VER_GET, R_SESSION},
    {HTTP_POST, "/api/v1/verifications/{id}/report", R_VER_REPORT, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/verifications/{id}/adopt", R_VER_ADOPT, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/verifications/{id}/report.html", R_VER_HTML, R_SESSION},
    {HTTP_GET, "/api/v1/verifications/{id}/report.xlsx", R_VER_XLSX, R_SESSION},
    {HTTP_GET, "/api/v1/verification-requests/overdue", R_VER_OVERDUE, R_SESSION},
    {HTTP_POST, "/api/v1/verification-requests/{id}/answer", R_VER_ANSWER, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/verification-requests/{id}/answer-file", R_VER_ANSWER_FILE, R_SESSION | R_CSRF | R_FILE},
    {HTTP_POST, "/api/v1/verification-requests/{id}/resend", R_VER_RESEND, R_SESSION | R_CSRF},
    {HTTP_POST, "/api/v1/verification-batches", R_VER_BATCH, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/verification-batches", R_VER_BATCH_LIST, R_SESSION},
    {HTTP_GET, "/api/v1/verification-batches/{id}", R_VER_BATCH_GET, R_SESSION},
    {HTTP_GET, "/api/v1/verification-batches/{id}/request-file", R_VER_BATCH_FILE, R_SESSION},
    {HTTP_POST, "/api/v1/verification-batches/{id}/answers", R_VER_BATCH_ANSWERS, R_SESSION | R_CSRF | R_FILE},
    {HTTP_GET, "/api/v1/referrals", R_REFERRALS_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/referrals", R_REFERRALS_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/referrals/{id}", R_REFERRALS_GET, R_SESSION},
    {HTTP_POST, "/api/v1/referrals/{id}/actions", R_REFERRALS_ACT, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/referral-offices", R_REFERRAL_OFFICES_LIST, R_SESSION},
    {HTTP_POST, "/api/v1/referral-offices", R_REFERRAL_OFFICES_CREATE, R_SESSION | R_CSRF},
    {HTTP_GET, "/api/v1/children", R_CHILDREN_LIST, R_SESSION | R_CHILD},
    {HTTP_GET, "/api/v1/care-emergencies", R_CARE_EM_LIST, R_SESSION | R_CHILD},
    {HTTP_POST, "/api/v1/care-emergencies", R_CARE_EM_REPORT, R_SESSION | R_CSRF | R_CHILD},
    {HTTP_GET, "/api/v1/care-emergencies/{id}", R_CARE_EM_GET, R_SESSION | R_CHILD},
    {HTTP_POST, "/api/v1/care-emergencies/{id}/actions", R_CARE_EM_ACT, R_SESSION | R_CSRF | R_CHILD},
    {HTTP_POST, "/api/v1/children/review", R_CHILDREN_REVIEW, R_SESSION | R_CSRF},
};

static void add_user(struct strbuf *b, const struct principal *u)
{
	strbuf_addf(b, "{\"id\":%lld,\"username\":", (long long)u->id);
	strbuf_add_json_string(b, u->username, strlen(u->username));
	strbuf_adds(b, ",\"name\":");
	strbuf_add_json_string(b, u->name, strlen(u->name));
	strbuf_addf(b, ",\"role\":\"%s\",\"region\":\"%s\"", role_name(u->role), u->region);
	if (u->office[0])
		strbuf_addf(b, ",\"office_code\":\"%s\"", u->office); /* office_code_valid: no escaping */
	strbuf_addc(b, '}');
}

/* {"user":{…}, "id":…, "username":…, "name":…, "role":…, "region":…}: the
 * user both nested (as the login answers) and flat. */
static void add_user_doc(struct strbuf *b, const struct principal *u)
{
	strbuf_adds(b, "{\"user\":");
	add_user(b, u);
	strbuf_addc(b, ',');
	struct strbuf flat;
	strbuf_init(&flat, 128);
	add_user(&flat, u);
	if (!flat.failed)
		strbuf_add(b, flat.buf + 1, flat.len - 1); /* without its '{' */
	else
		b->failed = true;
	strbuf_release(&flat);
}

bool api_path_id(struct call *c, long long *id, const char *not_found)
{
	if (route_param_id(c->match, "id", id))
		return true;
	reply_error(c->rep, 404, "NOT_FOUND", not_found, NULL);
	return false;
}

/* Parses the body as a JSON object. False after replying 400/413. */
bool api_body_object(struct call *c, const struct json_value **out)
{
	const struct api_request *r = c->req;
	if (!r->body || r->body_len == 0) {
		reply_error(c->rep, 400, "BAD_JSON", "请求体应为 JSON 对象", "$");
		return false;
	}
	struct json_limits lim = {.max_depth = c->cfg->json_depth ? c->cfg->json_depth : 16};
	struct json_value *v = NULL;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = json_parse(r->body, r->body_len, &c->arena, &lim, &v, &err);
	if (rc) {
		reply_error(c->rep, rc == DD_ENOMEM ? 413 : 400, rc == DD_ENOMEM ? "TOO_LARGE" : "BAD_JSON",
			    err.message[0] ? err.message : "JSON 格式错误", err.field[0] ? err.field : "$");
		return false;
	}
	if (v->type != JSON_OBJECT) {
		reply_error(c->rep, 400, "BAD_JSON", "请求体应为 JSON 对象", "$");
		return false;
	}
	*out = v;
	return true;
}

/* A string member (absent: *s NULL). False after replying 400 for another
 * type or a repeated key. */
bool api_member(struct call *c, const struct json_value *obj, const char *key, const struct json_value **out)
{
	const struct json_value *found = NULL;
	size_t kl = strlen(key);
	*out = NULL;
	for (const struct json_value *m = obj->child; m; m = m->next) {
		if (m->key_len != kl || memcmp(m->key, key, kl) != 0)
			continue;
		if (found) {
			reply_error(c->rep, 400, "DUPLICATE_KEY", "字段重复", key);
			return false;
		}
		found = m;
	}
	*out = found;
	return true;
}

bool api_member_int(struct call *c, const struct json_value *o, const char *key, int64_t *out, bool *present)
{
	const struct json_value *v;
	*present = false;
	if (!api_member(c, o, key, &v))
		return false;
	*present = v && v->type != JSON_NULL;
	if (!*present)
		return true;
	if (v->type != JSON_NUMBER || !json_int64(v, out)) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为整数", key);
		return false;
	}
	return true;
}

bool api_member_string(struct call *c, const struct json_value *obj, const char *key, const char **s, size_t *n)
{
	const struct json_value *found;
	*s = NULL;
	if (n)
		*n = 0;
	if (!api_member(c, obj, key, &found))
		return false;
	if (!found || found->type == JSON_NULL)
		return true;
	if (found->type != JSON_STRING) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为字符串", key);
		return false;
	}
	*s = found->str;
	if (n)
		*n = found->len;
	return true;
}

static void healthz(struct call *c)
{
	int64_t one = 0;
	bool found = false;
	dd_error err;
	dd_error_clear(&err);
	if (!c->db || db_query_int64(c->db, "SELECT 1", &one, &found, &err) != DD_OK || !found || one != 1) {
		reply_error(c->rep, 503, "STORE_UNAVAILABLE", "数据库暂时无法访问", NULL);
		return;
	}
	reply_status(c->rep, 200);
	strbuf_adds(&c->rep->body, "{\"status\":\"ok\"}");
}

static void login(struct call *c)
{
	const struct json_value *o;
	const char *user, *pw;
	size_t pw_n;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "username", &user, NULL) ||
	    !api_member_string(c, o, "password", &pw, &pw_n))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char token[SESSION_TOKEN_HEX], csrf[SESSION_TOKEN_HEX];
	if (accounts_login(c->db, c->cfg->policy, user, pw, pw_n, c->req->ip, &c->session, token, csrf, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	struct http_reply *rep = c->rep;
	reply_status(rep, 200);
	rep->user_id = c->session.user.id;
	cookie_session_value(rep->set_cookie, sizeof rep->set_cookie, token, c->cfg->policy->absolute,
			     c->cfg->cookie_secure);
	strbuf_adds(&rep->body, "{\"user\":");
	add_user(&rep->body, &c->session.user);
	strbuf_addf(&rep->body, ",\"csrf\":\"%s\",\"expires_at\":\"%s\"}", csrf, c->session.expires_at);
}

static void logout(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	if (accounts_logout(c->db, &c->session, c->req->ip, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	reply_status(c->rep, 204);
	cookie_session_value(c->rep->set_cookie, sizeof c->rep->set_cookie, NULL, 0, c->cfg->cookie_secure);
}

/* GET /api/v1/me: the user, and the CSRF token of the session (the same
 * login answered) when it is derived from the cookie's token, so a reloaded
 * page or a new tab keeps working without a new login. Only a page of this
 * origin can read the answer. */
static void me(struct call *c)
{
	reply_status(c->rep, 200);
	struct strbuf *b = &c->rep->body;
	add_user_doc(b, &c->session.user);
	char token[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX];
	if (b->failed || b->len == 0 || !cookie_get(c->req->cookie, SESSION_COOKIE, token, sizeof token))
		return;
	accounts_csrf_of(token, csrf);
	sodium_memzero(token, sizeof token);
	if (accounts_csrf_ok(&c->session, csrf)) { /* a session opened before csrf was derived: none */
		b->len--;			   /* the document's closing '}' */
		strbuf_addf(b, ",\"csrf\":\"%s\"}", csrf);
	}
	sodium_memzero(csrf, sizeof csrf);
}

static void users_create(struct call *c)
{
	const struct json_value *o;
	struct account_new req = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "username", &req.username, NULL) ||
	    !api_member_string(c, o, "password", &req.password, &req.password_len) ||
	    !api_member_string(c, o, "role", &req.role, NULL) ||
	    !api_member_string(c, o, "region", &req.region, NULL) ||
	    !api_member_string(c, o, "name", &req.name, NULL) ||
	    !api_member_string(c, o, "office_code", &req.office, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	struct principal created;
	if (accounts_create(c->db, &c->session.user, &req, &created, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	reply_status(c->rep, 201);
	add_user_doc(&c->rep->body, &created);
}

/* POST /api/v1/assess: the household of the body → ASSESS.md's result. */
static void assess(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	if (!c->req->body || !c->req->body_len) {
		reply_error(c->rep, 400, "BAD_INPUT", "请求体为空，应为家庭 JSON", "$");
		return;
	}
	reply_status(c->rep, 200);
	if (assessment_run(c->policy, c->req->body, c->req->body_len, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* Indexed by enum route_id; every route id needs its handler here. */
static void (*const handlers[R_COUNT])(struct call *) = {
    [R_HEALTHZ] = healthz,
    [R_LOGIN] = login,
    [R_LOGOUT] = logout,
    [R_ME] = me,
    [R_USERS_CREATE] = users_create,
    [R_ASSESS] = assess,
    [R_APPS_CREATE] = api_applications_create,
    [R_APPS_LIST] = api_applications_list,
    [R_APPS_GET] = api_applications_get,
    [R_APPS_ACTION] = api_applications_action,
    [R_RELATIVES_CREATE] = api_close_relatives_create,
    [R_RELATIVES_LIST] = api_close_relatives_list,
    [R_RESERVE_FUND_GET] = api_reserve_fund_get,
    [R_RESERVE_FUND_POST] = api_reserve_fund_post,
    [R_TEMPORARY_CREATE] = api_temporary_create,
    [R_TEMPORARY_GET] = api_temporary_get,
    [R_TEMPORARY_ACT] = api_temporary_act,
    [R_HOUSEHOLDS_CREATE] = api_households_create,
    [R_HOUSEHOLDS_LIST] = api_households_list,
    [R_HOUSEHOLD_GET] = api_households_get,
    [R_HOUSEHOLD_UPDATE] = api_households_update,
    [R_AUDIT_LIST] = api_audit_list,
    [R_PUBLIC_APPS_CREATE] = api_public_applications_create,
    [R_PUBLIC_APPS_GET] = api_public_applications_get,
    [R_PUBLIC_REGIONS] = api_public_regions,
    [R_ONLINE_LIST] = api_online_list,
    [R_ONLINE_GET] = api_online_get,
    [R_ONLINE_ACTION] = api_online_action,
    [R_WORKBENCH] = api_workbench_get,
    [R_TEMPORARY_LIST] = api_temporary_list,
    [R_RESERVE_FUNDS_LIST] = api_reserve_funds_list,
    [R_REGIONS_CHILDREN] = api_regions_children,
    [R_REGIONS_GET] = api_regions_get,
    [R_USERS_LIST] = api_users_list,
    [R_USERS_UPDATE] = api_users_update,
    [R_POLICY_IN_FORCE] = api_policy_in_force,
    [R_POLICY_ENTRIES] = api_policy_entries,
    [R_POLICY_ADD] = api_policy_add,
    [R_PAYROLL_GENERATE] = api_payroll_generate,
    [R_PAYROLL_LIST] = api_payroll_list,
    [R_PAYROLL_GET] = api_payroll_get,
    [R_PAYROLL_PAYMENTS] = api_payroll_payments,
    [R_PAYROLL_ACT] = api_payroll_act,
    [R_PAYROLL_CHECKS] = api_payroll_checks_run,
    [R_PAYROLL_FINDINGS] = api_payroll_findings,
    [R_PAYROLL_FINDING_RESOLVE] = api_payroll_finding_resolve,
    [R_PAYROLL_CAMPAIGN] = api_payroll_campaign,
    [R_PAYROLL_PRICE_INDEX] = api_payroll_price_index,
    [R_BANK_TEMPLATES] = api_bank_templates_list,
    [R_BANK_TEMPLATE_PUT] = api_bank_template_put,
    [R_BANK_FILES] = api_bank_files_list,
    [R_BANK_FILE_GET] = api_bank_file_get,
    [R_BANK_RETURN] = api_bank_return_post,
    [R_RECONCILIATION] = api_bank_reconciliation,
    [R_REISSUES_LIST] = api_reissues_list,
    [R_REISSUES_CREATE] = api_reissues_create,
    [R_FUND_ALLOCATION] = api_fund_allocation_post,
    [R_FUND_LEDGER] = api_fund_ledger_get,
    [R_FUND_LEDGER_XLSX] = api_fund_ledger_xlsx,
    [R_EPIDEMIC_PATIENT_CREATE] = api_epidemic_patient_create,
    [R_EPIDEMIC_PATIENT_GET] = api_epidemic_patient_get,
    [R_EPIDEMIC_PATIENT_DISCHARGE] = api_epidemic_patient_discharge,
    [R_PAYROLL_EPIDEMIC] = api_payroll_epidemic,
    [R_PAYROLL_TEMPORARY] = api_payroll_temporary,
    [R_ALERTS_LIST] = api_alerts_list,
    [R_ALERT_GET] = api_alert_get,
    [R_ALERT_VERIFY] = api_alert_verify,
    [R_ALERT_ACTION] = api_alert_action,
    [R_ALERT_CLOSE] = api_alert_close,
    [R_ALERT_RELEASE_HOLD] = api_alert_release_hold,
    [R_STATS_MONTHLY] = api_stats_monthly_get,
    [R_STATS_MONTHLY_CSV] = api_stats_monthly_csv,
    [R_STATS_MONTHLY_XLSX] = api_stats_monthly_xlsx,
    [R_STATS_BUILD] = api_stats_build,
    [R_CAMPAIGNS_CREATE] = api_campaigns_create,
    [R_CAMPAIGNS_LIST] = api_campaigns_list,
    [R_CAMPAIGN_GET] = api_campaign_get,
    [R_CAMPAIGN_PLAN] = api_campaign_plan,
    [R_CAMPAIGN_RECIPIENTS] = api_campaign_recipients,
    [R_CAMPAIGN_VISIT] = api_campaign_visit,
    [R_CAMPAIGN_TABLE] = api_campaign_table,
    [R_CAMPAIGN_TABLE_XLSX] = api_campaign_table_xlsx,
    [R_VISITS_DUE] = api_visits_due,
    [R_VISITS_CREATE] = api_visits_create,
    [R_VISITS_RECORDS] = api_visits_records,
    [R_VISIT_GET] = api_visit_get,
    [R_VISIT_FOLLOW_UP_DONE] = api_visit_follow_up_done,
    [R_VISIT_PHOTO_PUT] = api_visit_photo_put,
    [R_VISIT_PHOTO_GET] = api_visit_photo_get,
    [R_CARE_LIST] = api_care_list,
    [R_CARE_CREATE] = api_care_create,
    [R_CARE_GET] = api_care_get,
    [R_CARE_UNABLE] = api_care_unable,
    [R_CARE_REPLACE] = api_care_replace,
    [R_CENTRALISED_LIST] = api_centralised_list,
    [R_CENTRALISED_CREATE] = api_centralised_create,
    [R_CENTRALISED_CLOSE] = api_centralised_close,
    [R_HOTLINE_LIST] = api_hotline_list,
    [R_HOTLINE_CREATE] = api_hotline_create,
    [R_HOTLINE_GET] = api_hotline_get,
    [R_HOTLINE_ACCEPT] = api_hotline_accept,
    [R_HOTLINE_REPLY] = api_hotline_reply,
    [R_HOTLINE_CLOSE] = api_hotline_close,
    [R_HOTLINE_CONVERT] = api_hotline_convert,
    [R_HOTLINE_REVEAL] = api_hotline_reveal,
    [R_HOTLINE_RETURN] = api_hotline_return,
    [R_HOTLINE_REASSIGN] = api_hotline_reassign,
    [R_VER_SOURCES] = api_verification_sources,
    [R_VER_AUTHS] = api_verification_authorisations,
    [R_VER_AUTHORISE] = api_verification_authorise,
    [R_VER_LIST] = api_verification_list,
    [R_VER_START] = api_verification_start,
    [R_VER_PURGE] = api_verification_purge,
    [R_VER_GET] = api_verification_get,
    [R_VER_REPORT] = api_verification_report,
    [R_VER_ADOPT] = api_verification_adopt,
    [R_VER_HTML] = api_verification_report_html,
    [R_VER_XLSX] = api_verification_report_xlsx,
    [R_VER_OVERDUE] = api_verification_overdue,
    [R_VER_ANSWER] = api_verification_answer,
    [R_VER_ANSWER_FILE] = api_verification_answer_file,
    [R_VER_RESEND] = api_verification_resend,
    [R_VER_BATCH] = api_verification_batch_create,
    [R_VER_BATCH_LIST] = api_verification_batch_list,
    [R_VER_BATCH_GET] = api_verification_batch_get,
    [R_VER_BATCH_FILE] = api_verification_batch_file,
    [R_VER_BATCH_ANSWERS] = api_verification_batch_answers,
    [R_REFERRALS_LIST] = api_referrals_list,
    [R_REFERRALS_CREATE] = api_referrals_create,
    [R_REFERRALS_GET] = api_referrals_get,
    [R_REFERRALS_ACT] = api_referrals_act,
    [R_REFERRAL_OFFICES_LIST] = api_referral_offices_list,
    [R_REFERRAL_OFFICES_CREATE] = api_referral_offices_create,
    [R_CHILDREN_LIST] = api_children_list,
    [R_CHILDREN_REVIEW] = api_children_review,
    [R_CARE_EM_LIST] = api_care_emergencies_list,
    [R_CARE_EM_REPORT] = api_care_emergencies_report,
    [R_CARE_EM_GET] = api_care_emergencies_get,
    [R_CARE_EM_ACT] = api_care_emergencies_act,
};

bool api_route_slow(enum http_method method, const char *path)
{
	struct route_match m;
	unsigned allowed = 0;
	return router_match(routes, sizeof routes / sizeof routes[0], method, path, &m, &allowed) == ROUTE_OK &&
	       (m.route->flags & R_SLOW);
}

size_t api_route_body_max(enum http_method method, const char *path, size_t dflt)
{
	struct route_match m;
	unsigned allowed = 0;
	if (router_match(routes, sizeof routes / sizeof routes[0], method, path, &m, &allowed) == ROUTE_OK &&
	    (m.route->flags & R_UPLOAD) && dflt < VISIT_PHOTO_MAX + 1024)
		return VISIT_PHOTO_MAX + 1024; /* a little more: the service names the limit */
	if (router_match(routes, sizeof routes / sizeof routes[0], method, path, &m, &allowed) == ROUTE_OK &&
	    (m.route->flags & R_FILE) && dflt < API_FILE_MAX)
		return API_FILE_MAX;
	return dflt;
}

void api_handle(const struct api_config *cfg, struct db *db, const struct api_request *req, struct http_reply *rep,
		const char **route)
{
	struct route_match m;
	unsigned allowed = 0;
	*route = "-";
	switch (router_match(routes, sizeof routes / sizeof routes[0], req->method, req->path, &m, &allowed)) {
	case ROUTE_NOT_FOUND:
		reply_error(rep, 404, "NOT_FOUND", "请求的地址不存在", NULL);
		return;
	case ROUTE_METHOD_NOT_ALLOWED:
		http_methods_text(allowed, rep->allow, sizeof rep->allow);
		reply_error(rep, 405, "METHOD_NOT_ALLOWED", "该地址不支持此请求方法", NULL);
		return;
	case ROUTE_OK:
		break;
	}
	*route = m.route->pattern;
	struct call c = {.cfg = cfg, .db = db, .req = req, .rep = rep, .match = &m};
	if (!db && m.route->id != R_HEALTHZ) {
		reply_error(rep, 503, "STORE_UNAVAILABLE", "数据库暂时无法访问，请稍后重试", NULL);
		return;
	}
	if (m.route->flags & R_SESSION) {
		char token[SESSION_TOKEN_HEX + 1];
		struct svc_error e;
		svc_error_clear(&e);
		if (!cookie_get(req->cookie, SESSION_COOKIE, token, sizeof token))
			token[0] = '\0';
		if (accounts_session(db, cfg->policy, token, &c.session, &e)) {
			reply_svc_error(rep, &e);
			return;
		}
		rep->user_id = c.session.user.id;
		if (authz_child_role(&c.session.user) && !(m.route->flags & R_CHILD)) {
			reply_error(rep, 403, "ROLE_NOT_ALLOWED", "儿童主任和儿童督导员只能查看儿童名册和监护照料应急",
				    NULL);
			return;
		}
		if ((m.route->flags & R_CSRF) && !accounts_csrf_ok(&c.session, req->csrf)) {
			reply_error(rep, 403, "CSRF", "缺少或错误的 X-CSRF-Token 请求头", NULL);
			return;
		}
	}
	arena_init(&c.arena, 16 * 1024, 4 * 1024 * 1024);
	/* one policy for the whole request, even if a newer one is swapped in */
	c.policy = cfg->policies ? policy_store_acquire(cfg->policies) : cfg->assess_policy;
	handlers[m.route->id](&c);
	if (cfg->policies)
		policy_store_release(cfg->policies, c.policy);
	arena_release(&c.arena);
	if (rep->body.failed)
		reply_error(rep, 500, "INTERNAL", "服务器内部错误", NULL);
}
