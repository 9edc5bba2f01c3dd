/* api_visits.c - visits, care agreements and the centralised-support
 * register (issue 8): GET/POST /api/v1/visits, GET /api/v1/visits/records,
 * GET /api/v1/visits/{id}, POST /api/v1/visits/{id}/follow-up-done,
 * POST/GET /api/v1/visits/{id}/photo, GET/POST /api/v1/care-agreements,
 * GET /api/v1/care-agreements/{id}, POST …/{id}/unable and …/{id}/replace,
 * GET/POST /api/v1/centralised-support and POST …/{id}/close. Parses and
 * renders only; every check is in service/visits.c. */
#include "api_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "service/casework.h"
#include "service/visits.h"

/* A boolean member: *out -1 when absent or null. False after replying 400. */
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

static void finish(struct call *c, enum svc_kind k, const struct svc_error *e)
{
	if (k)
		reply_svc_error(c->rep, e);
}

static int64_t warn_days(struct call *c)
{
	struct visit_rules r;
	struct svc_error e;
	svc_error_clear(&e);
	if (visit_rules_get(c->policy, c->session.user.scope, casework_today(), &r, &e))
		return 30;
	return r.care_warning_days;
}

/* GET /api/v1/visits?status=&within_days=&region=&page=&per_page= */
void api_visits_due(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct visit_due_filter f = {0};
	char status[17], region[13];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "status", 16, status, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_int(q, "within_days", 0, 366, 7, &f.within_days, &e);
	f.status = status;
	f.region = region;
	reply_status(c->rep, 200);
	if (!k)
		k = visits_due_list(c->db, &c->session.user, c->policy, &f, casework_today(), &c->rep->body, &e);
	finish(c, k, &e);
}

/* POST /api/v1/visits {"person_id","visited_on","health","housing_safe",
 * "fire_safe","hygiene_ok","needs","result","note","follow_up",
 * "follow_up_due"} */
void api_visits_create(struct call *c)
{
	const struct json_value *o;
	struct visit_new r = {0};
	bool has_person = false;
	int fu = -1;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "person_id", &r.person_id, &has_person) ||
	    !api_member_string(c, o, "visited_on", &r.visited_on, NULL) ||
	    !api_member_string(c, o, "health", &r.health, NULL) ||
	    !member_bool(c, o, "housing_safe", &r.housing_safe) || !member_bool(c, o, "fire_safe", &r.fire_safe) ||
	    !member_bool(c, o, "hygiene_ok", &r.hygiene_ok) || !api_member_string(c, o, "needs", &r.needs, NULL) ||
	    !api_member_string(c, o, "result", &r.result, NULL) || !api_member_string(c, o, "note", &r.note, NULL) ||
	    !member_bool(c, o, "follow_up", &fu) || !api_member_string(c, o, "follow_up_due", &r.follow_up_due, NULL))
		return;
	if (!has_person)
		r.person_id = 0;
	r.follow_up = fu == 1;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	finish(c, visits_record(c->db, &c->session.user, &r, casework_today(), &c->rep->body, &e), &e);
}

/* GET /api/v1/visits/records?person_id=&region=&follow_up_open=&page=&per_page= */
void api_visits_records(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct visit_record_filter f = {0};
	char region[13];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_int(q, "person_id", 0, INT64_MAX, 0, &f.person_id, &e);
	if (!k)
		k = query_flag(q, "follow_up_open", &f.follow_up_open, &e);
	f.region = region;
	reply_status(c->rep, 200);
	if (!k)
		k = visits_records(c->db, &c->session.user, &f, casework_today(), &c->rep->body, &e);
	finish(c, k, &e);
}

/* GET /api/v1/visits/{id} */
void api_visit_get(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该走访记录"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = visits_get(c->db, &c->session.user, id, casework_today(), &c->rep->body, &e);
	finish(c, k, &e);
}

/* POST /api/v1/visits/{id}/follow-up-done {"version","note"} */
void api_visit_follow_up_done(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该走访记录"))
		return;
	const struct json_value *o;
	int64_t version = 0;
	bool has_version = false;
	const char *note = NULL;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &version, &has_version) ||
	    !api_member_string(c, o, "note", &note, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	finish(c,
	       visits_follow_up_done(c->db, &c->session.user, id, has_version ? version : 0, note, &c->rep->body, &e),
	       &e);
}

/* POST /api/v1/visits/{id}/photo: the body is the JPEG or PNG itself. */
void api_visit_photo_put(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该走访记录"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	finish(c,
	       visits_photo_put(c->db, &c->session.user, id, c->cfg->data_dir, (const unsigned char *)c->req->body,
				c->req->body ? c->req->body_len : 0, &c->rep->body, &e),
	       &e);
}

/* GET /api/v1/visits/{id}/photo */
void api_visit_photo_get(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该走访照片"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char type[32];
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = visits_photo_get(c->db, &c->session.user, id, c->cfg->data_dir, &c->rep->body, type, &e);
	if (k) {
		reply_svc_error(c->rep, &e);
		return;
	}
	snprintf(c->rep->content_type, sizeof c->rep->content_type, "%s", type);
	snprintf(c->rep->disposition, sizeof c->rep->disposition, "inline");
}

/* --- care agreements --- */

/* GET /api/v1/care-agreements?state=&region=&person_id=&page=&per_page= */
void api_care_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct care_filter f = {0};
	char state[24], region[13];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "state", 23, state, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_int(q, "person_id", 0, INT64_MAX, 0, &f.person_id, &e);
	f.state = state;
	f.region = region;
	reply_status(c->rep, 200);
	if (!k)
		k = care_list(c->db, &c->session.user, &f, warn_days(c), casework_today(), &c->rep->body, &e);
	finish(c, k, &e);
}

static bool care_body(struct call *c, const struct json_value **o, struct care_new *r)
{
	bool has_person = false;
	if (!api_body_object(c, o) || !api_member_int(c, *o, "person_id", &r->person_id, &has_person) ||
	    !api_member_string(c, *o, "caregiver_name", &r->caregiver_name, NULL) ||
	    !api_member_string(c, *o, "caregiver_phone", &r->caregiver_phone, NULL) ||
	    !api_member_string(c, *o, "caregiver_relation", &r->caregiver_relation, NULL) ||
	    !api_member_string(c, *o, "term_start", &r->term_start, NULL) ||
	    !api_member_string(c, *o, "term_end", &r->term_end, NULL) ||
	    !api_member_string(c, *o, "duties", &r->duties, NULL) ||
	    !api_member_string(c, *o, "care_level", &r->care_level, NULL))
		return false;
	if (!has_person)
		r->person_id = 0;
	return true;
}

/* POST /api/v1/care-agreements {"person_id","caregiver_name",
 * "caregiver_phone","caregiver_relation","term_start","term_end","duties",
 * "care_level"} */
void api_care_create(struct call *c)
{
	const struct json_value *o;
	struct care_new r = {0};
	if (!care_body(c, &o, &r))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	finish(c, care_create(c->db, &c->session.user, &r, casework_today(), warn_days(c), &c->rep->body, &e), &e);
}

/* GET /api/v1/care-agreements/{id} */
void api_care_get(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该照料服务协议"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = care_get(c->db, &c->session.user, id, warn_days(c), casework_today(), &c->rep->body, &e);
	finish(c, k, &e);
}

/* POST /api/v1/care-agreements/{id}/unable {"version","reason","since"} */
void api_care_unable(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该照料服务协议"))
		return;
	const struct json_value *o;
	int64_t version = 0;
	bool has_version = false;
	const char *reason = NULL, *since = NULL;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &version, &has_version) ||
	    !api_member_string(c, o, "reason", &reason, NULL) || !api_member_string(c, o, "since", &since, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	finish(c,
	       care_unable(c->db, &c->session.user, id, has_version ? version : 0, reason, since, casework_today(),
			   warn_days(c), &c->rep->body, &e),
	       &e);
}

/* POST /api/v1/care-agreements/{id}/replace {"version", the new agreement's
 * fields but person_id} */
void api_care_replace(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该照料服务协议"))
		return;
	const struct json_value *o;
	struct care_new r = {0};
	int64_t version = 0;
	bool has_version = false;
	if (!care_body(c, &o, &r) || !api_member_int(c, o, "version", &version, &has_version))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	finish(c,
	       care_replace(c->db, &c->session.user, id, has_version ? version : 0, &r, casework_today(), warn_days(c),
			    &c->rep->body, &e),
	       &e);
}

/* --- the centralised-support register --- */

/* GET /api/v1/centralised-support?state=&region=&page=&per_page= */
void api_centralised_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page = 1, per_page = 20;
	char state[17], region[13];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &page, &per_page, &e);
	if (!k)
		k = query_text(q, "state", 16, state, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = centralised_list(c->db, &c->session.user, state, region, page, per_page, &c->rep->body, &e);
	finish(c, k, &e);
}

/* POST /api/v1/centralised-support {"person_id","requested_on","reason"} */
void api_centralised_create(struct call *c)
{
	const struct json_value *o;
	int64_t person = 0;
	bool has_person = false;
	const char *on = NULL, *reason = NULL;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "person_id", &person, &has_person) ||
	    !api_member_string(c, o, "requested_on", &on, NULL) || !api_member_string(c, o, "reason", &reason, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	finish(c,
	       centralised_create(c->db, &c->session.user, has_person ? person : 0, on, reason, casework_today(),
				  &c->rep->body, &e),
	       &e);
}

/* POST /api/v1/centralised-support/{id}/close {"version","outcome",
 * "institution","note"} */
void api_centralised_close(struct call *c)
{
	long long id = 0;
	if (!api_path_id(c, &id, "未找到该集中供养意愿登记"))
		return;
	const struct json_value *o;
	int64_t version = 0;
	bool has_version = false;
	const char *outcome = NULL, *institution = NULL, *note = NULL;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "version", &version, &has_version) ||
	    !api_member_string(c, o, "outcome", &outcome, NULL) ||
	    !api_member_string(c, o, "institution", &institution, NULL) ||
	    !api_member_string(c, o, "note", &note, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	finish(c,
	       centralised_close(c->db, &c->session.user, id, has_version ? version : 0, outcome, institution, note,
				 casework_today(), &c->rep->body, &e),
	       &e);
}
