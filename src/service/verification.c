/* verification.c - household economic verification (verification.h). */
#include "verification.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assessment.h"
#include "casework.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/casework.h"
#include "core/household.h"
#include "core/idnum.h"
#include "core/json.h"
#include "core/money.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "tabular_in.h"
#include "verification_report.h"
#include "xlsx_out.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])
#define SOURCES_MAX 16
#define CODE_MAX 32

static enum svc_kind not_found(struct svc_error *e, const char *what)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该%s", what);
}

static enum svc_kind stale(struct svc_error *e)
{
	return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "核对记录已被他人修改，请重新读取后再操作");
}

static void id_text(int64_t id, char out[24])
{
	snprintf(out, 24, "%" PRId64, id);
}

/* The significant form of a stored region code; false when it is not one. */
static bool region_sig(const char *code, char sig[REGION_TEXT_MAX])
{
	return code && region_significant(code, strlen(code), sig) > 0;
}

/* --- sources ------------------------------------------------------------- */

struct source {
	char code[CODE_MAX];
	char name[64];
	char department[96];
	char items[128]; /* comma-separated */
	int sort;
};

static dd_status load_sources(struct db *db, struct source *out, int *n, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*n = 0;
	dd_status rc = db_prepare_cached(db,
					 "SELECT code, name, department, items, sort FROM verification_sources "
					 "WHERE active = 1 ORDER BY sort, code",
					 &st, err);
	while (!rc && !(rc = db_step(st, &row, err)) && row && *n < SOURCES_MAX) {
		struct source *s = &out[(*n)++];
		db_column_copy(st, 0, s->code, sizeof s->code);
		db_column_copy(st, 1, s->name, sizeof s->name);
		db_column_copy(st, 2, s->department, sizeof s->department);
		db_column_copy(st, 3, s->items, sizeof s->items);
		s->sort = (int)db_column_int64(st, 4);
	}
	if (st)
		db_finalize(st);
	return rc;
}

/* The bit mask of every one of n sources. */
static uint32_t all_sources(int n)
{
	return n >= 32 ? 0xffffffffu : (1u << n) - 1;
}

static const struct source *find_source(const struct source *s, int n, const char *code)
{
	for (int i = 0; code && i < n; i++)
		if (strcmp(s[i].code, code) == 0)
			return &s[i];
	return NULL;
}

/* True when token (no commas) is one of the comma-separated list's. */
static bool list_has(const char *list, const char *token)
{
	size_t t = strlen(token);
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n == t && memcmp(p, token, t) == 0)
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

/* The reply deadline of a source for region sig: verification.reply_workdays.<code>. */
static int64_t reply_workdays(const struct verification_env *env, const char *code, const char *sig)
{
	char name[96];
	snprintf(name, sizeof name, "verification.reply_workdays.%s", code);
	const struct policy_entry *p = env->policy ? policy_lookup(env->policy, name, sig, env->today) : NULL;
	return p && p->value.i >= 1 && p->value.i <= 60 ? p->value.i : 0;
}

enum svc_kind verification_sources(struct db *db, const struct verification_env *env, const struct principal *actor,
				   struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_view(actor, e);
	if (k)
		return k;
	struct source src[SOURCES_MAX];
	int n = 0;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = load_sources(db, src, &n, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_adds(out, "{\"items\":[");
	for (int i = 0; i < n; i++) {
		strbuf_adds(out, i ? ",{\"code\":" : "{\"code\":");
		strbuf_add_json_string_or_null(out, src[i].code);
		strbuf_add_json_member_text(out, "name", src[i].name);
		strbuf_add_json_member_text(out, "department", src[i].department);
		strbuf_adds(out, ",\"items\":[");
		int m = 0;
		for (const char *p = src[i].items; *p;) {
			const char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);
			if (m++)
				strbuf_addc(out, ',');
			strbuf_add_json_string(out, p, len);
			p = c ? c + 1 : p + len;
		}
		strbuf_addf(out, "],\"reply_workdays\":%" PRId64 "}", reply_workdays(env, src[i].code, actor->scope));
	}
	strbuf_adds(out, "]}");
	return SVC_OK;
}

/* --- members and authorisations ------------------------------------------- */

struct vmember {
	int64_t person_id;
	char id_number[IDNUM_LEN + 1];
	char name[101];
	char relation[24];
	bool adult;
};

struct household_members {
	struct vmember m[HOUSEHOLD_MAX_MEMBERS];
	int n;
};

/* The household's members on day (active membership, alive), the head first. */
static dd_status load_members(struct db *db, int64_t hid, dd_date day, struct household_members *hm, dd_error *err)
{
	char d[DATE_TEXT_MAX];
	date_format(day, d);
	struct db_stmt *st;
	bool row = false;
	hm->n = 0;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT p.id, p.id_number, p.name, m.relation, p.birth_date FROM memberships m "
	    "JOIN persons p ON p.id = m.person_id WHERE m.household_id = $1 AND m.from_date <= $2 "
	    "AND (m.to_date IS NULL OR m.to_date > $2) AND (p.death_date IS NULL OR p.death_date > $2) "
	    "ORDER BY CASE WHEN m.relation = 'head' THEN 0 ELSE 1 END, p.id",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hid);
	db_bind_str(st, 2, d);
	while (!(rc = db_step(st, &row, err)) && row && hm->n < HOUSEHOLD_MAX_MEMBERS) {
		struct vmember *m = &hm->m[hm->n++];
		m->person_id = db_column_int64(st, 0);
		db_column_copy(st, 1, m->id_number, sizeof m->id_number);
		db_column_copy(st, 2, m->name, sizeof m->name);
		db_column_copy(st, 3, m->relation, sizeof m->relation);
		const char *b = db_column_text(st, 4, NULL);
		dd_date birth = 0;
		struct idnum idn;
		bool known = false;
		if (b && date_parse(b, strlen(b), &birth, NULL) == DD_OK)
			known = true;
		else if (idnum_parse(m->id_number, strlen(m->id_number), &idn, NULL) == DD_OK) {
			birth = idn.birth;
			known = true;
		}
		/* an unknown birth date counts as an adult: the authorisation is asked for */
		m->adult = !known || date_age(birth, day) >= 18;
	}
	db_finalize(st);
	return rc;
}

static int member_index(const struct household_members *hm, int64_t person_id)
{
	for (int i = 0; i < hm->n; i++)
		if (hm->m[i].person_id == person_id)
			return i;
	return -1;
}

/* covered[i] bit s: member i holds an authorisation valid on day whose scope
 * holds source s. */
static dd_status load_coverage(struct db *db, int64_t hid, dd_date day, const struct household_members *hm,
			       const struct source *src, int nsrc, uint32_t *covered, dd_error *err)
{
	char d[DATE_TEXT_MAX];
	date_format(day, d);
	memset(covered, 0, sizeof *covered * (size_t)hm->n);
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT person_id, scope FROM verification_authorisations WHERE household_id = "
			      "$1 AND revoked_at IS NULL AND signed_on <= $2 AND valid_until >= $2",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hid);
	db_bind_str(st, 2, d);
	while (!(rc = db_step(st, &row, err)) && row) {
		int i = member_index(hm, db_column_int64(st, 0));
		const char *scope = db_column_text(st, 1, NULL);
		if (i < 0 || !scope)
			continue;
		for (int s = 0; s < nsrc; s++)
			if (strcmp(scope, "all") == 0 || list_has(scope, src[s].code))
				covered[i] |= 1u << s;
	}
	db_finalize(st);
	return rc;
}

/* The number of adult members lacking an authorisation for one of the
 * sources (bit mask want). */
static int missing_authorisations(const struct household_members *hm, const uint32_t *covered, uint32_t want)
{
	int missing = 0;
	for (int i = 0; i < hm->n; i++)
		if (hm->m[i].adult && (covered[i] & want) != want)
			missing++;
	return missing;
}

/* A household in the caller's scope: its region (stored) and sig. */
static enum svc_kind household_in_scope(struct db *db, const struct principal *actor, int64_t hid,
					char region[REGION_TEXT_MAX], struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(db, "SELECT region_code FROM households WHERE id = $1", &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, hid);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			db_column_copy(st, 0, region, REGION_TEXT_MAX);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char sig[REGION_TEXT_MAX];
	if (!row || !region_sig(region, sig) || !authz_in_scope(actor, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "household_id", "未找到该家庭");
	return SVC_OK;
}

static bool scope_ok(const char *scope, const struct source *src, int nsrc)
{
	if (strcmp(scope, "all") == 0)
		return true;
	if (!*scope || strlen(scope) > 200)
		return false;
	for (const char *p = scope; *p;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		bool found = false;
		for (int i = 0; i < nsrc && !found; i++)
			found = strlen(src[i].code) == n && memcmp(src[i].code, p, n) == 0;
		if (!found)
			return false;
		p = c ? c + 1 : p + n;
	}
	return true;
}

enum svc_kind verification_authorisations(struct db *db, const struct verification_env *env,
					  const struct principal *actor, int64_t household_id, struct strbuf *out,
					  struct svc_error *e)
{
	enum svc_kind k = authz_verification_view(actor, e);
	char region[REGION_TEXT_MAX];
	if (k || (k = household_in_scope(db, actor, household_id, region, e)))
		return k;
	struct household_members *hm = calloc(1, sizeof *hm);
	if (!hm)
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
	struct source src[SOURCES_MAX];
	int nsrc = 0;
	uint32_t covered[HOUSEHOLD_MAX_MEMBERS];
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = load_sources(db, src, &nsrc, &err);
	if (!rc)
		rc = load_members(db, household_id, env->today, hm, &err);
	if (!rc)
		rc = load_coverage(db, household_id, env->today, hm, src, nsrc, covered, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT a.id, a.person_id, p.name, p.id_number, a.application_id, a.method, "
				       "a.scope, a.signed_on, a.valid_until, a.document, a.revoked_at, a.created_at, "
				       "(SELECT u.username FROM users u WHERE u.id = a.recorded_by) FROM "
				       "verification_authorisations a JOIN persons p ON p.id = a.person_id WHERE "
				       "a.household_id = $1 ORDER BY a.id",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, household_id);
		strbuf_adds(out, "{\"items\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			char masked[IDNUM_LEN + 1] = "";
			const char *idn = db_column_text(st, 3, NULL);
			if (idn && strlen(idn) == IDNUM_LEN)
				idnum_mask(idn, masked);
			strbuf_addf(out, "%s{\"id\":%" PRId64 ",\"person_id\":%" PRId64, n ? "," : "",
				    db_column_int64(st, 0), db_column_int64(st, 1));
			strbuf_add_json_member_text(out, "name", db_column_text(st, 2, NULL));
			strbuf_add_json_member_text(out, "id_number", masked);
			svc_json_member_id(out, "application_id", st, 4);
			strbuf_add_json_member_text(out, "method", db_column_text(st, 5, NULL));
			strbuf_add_json_member_text(out, "scope", db_column_text(st, 6, NULL));
			strbuf_add_json_member_text(out, "signed_on", db_column_text(st, 7, NULL));
			strbuf_add_json_member_text(out, "valid_until", db_column_text(st, 8, NULL));
			strbuf_add_json_member_text(out, "document", db_column_text(st, 9, NULL));
			strbuf_add_json_member_text(out, "revoked_at", db_column_text(st, 10, NULL));
			strbuf_add_json_member_text(out, "recorded_at", db_column_text(st, 11, NULL));
			strbuf_add_json_member_text(out, "recorded_by", db_column_text(st, 12, NULL));
			strbuf_addc(out, '}');
		}
		db_finalize(st);
	}
	if (!rc) {
		uint32_t all = all_sources(nsrc);
		strbuf_adds(out, "],\"adults\":[");
		int a = 0;
		for (int i = 0; i < hm->n; i++) {
			if (!hm->m[i].adult)
				continue;
			strbuf_addf(out, "%s{\"person_id\":%" PRId64, a++ ? "," : "", hm->m[i].person_id);
			strbuf_add_json_member_text(out, "name", hm->m[i].name);
			strbuf_add_json_member_text(out, "relation", hm->m[i].relation);
			strbuf_addf(out, ",\"authorised\":%s}", (covered[i] & all) == all ? "true" : "false");
		}
		strbuf_addf(out, "],\"complete\":%s}", missing_authorisations(hm, covered, all) ? "false" : "true");
		db_rollback(db);
	}
	free(hm);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

enum svc_kind verification_authorise(struct db *db, const struct verification_env *env, const struct principal *actor,
				     const struct verification_auth_new *req, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_write(actor, "登记授权书", e);
	if (k)
		return k;
	if (req->household_id <= 0)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "household_id", "缺少家庭 household_id");
	if (!req->n_persons)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "person_ids", "缺少签署授权书的成员 person_ids");
	if (req->n_persons > HOUSEHOLD_MAX_MEMBERS)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "person_ids", "签署成员 person_ids 过多");
	static const char *const methods[] = {"paper", "online"};
	if (!req->method)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "method", "缺少签署方式 method");
	if (!svc_one_of(req->method, methods, COUNT(methods)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "method",
				"签署方式 method 应为 paper（纸质签字扫描）或 online（网上签署）");
	dd_date signed_on = 0, valid_until = 0;
	if (!req->signed_on)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "signed_on", "缺少签署日期 signed_on");
	if (date_parse(req->signed_on, strlen(req->signed_on), &signed_on, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "signed_on", "签署日期 signed_on 应为 YYYY-MM-DD");
	if (signed_on > env->today)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "signed_on", "签署日期 signed_on 不能晚于今天");
	if (!req->valid_until)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "valid_until", "缺少有效期至 valid_until");
	if (date_parse(req->valid_until, strlen(req->valid_until), &valid_until, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "valid_until", "有效期至 valid_until 应为 YYYY-MM-DD");
	if (valid_until < signed_on)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "valid_until", "有效期至 valid_until 不能早于签署日期");
	if ((k = svc_check_text(req->document, "document", "授权书扫描件", 200, e)))
		return k;
	if (strcmp(req->method, "paper") == 0 && svc_blank(req->document))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "document", "纸质授权书须登记扫描件编号 document");
	const char *scope = req->scope && *req->scope ? req->scope : "all";
	char region[REGION_TEXT_MAX];
	if ((k = household_in_scope(db, actor, req->household_id, region, e)))
		return k;

	struct household_members *hm = calloc(1, sizeof *hm);
	if (!hm)
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
	struct source src[SOURCES_MAX];
	int nsrc = 0;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	char now[STORE_TIME_MAX], idt[24];
	store_now(now);
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_sources(db, src, &nsrc, &err);
	if (!rc)
		rc = load_members(db, req->household_id, env->today, hm, &err);
	if (rc)
		goto fail;
	if (!scope_ok(scope, src, nsrc)) {
		free(hm);
		return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "scope",
						 "授权范围 scope 应为 all 或以逗号分隔的核对来源代码"));
	}
	for (size_t i = 0; i < req->n_persons; i++)
		if (member_index(hm, req->person_ids[i]) < 0) {
			free(hm);
			return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "NOT_MEMBER", "person_ids",
							 "person_ids[%zu] 不是该家庭的现有成员", i));
		}
	if (req->application_id > 0) {
		rc = db_prepare_cached(db, "SELECT household_id FROM applications WHERE id = $1", &st, &err);
		if (rc)
			goto fail;
		db_bind_int64(st, 1, req->application_id);
		rc = db_step(st, &row, &err);
		bool same = !rc && row && db_column_int64(st, 0) == req->household_id;
		db_finalize(st);
		if (rc)
			goto fail;
		if (!same) {
			free(hm);
			return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "application_id",
							 "申请 application_id 不是该家庭的申请"));
		}
	}
	rc = db_prepare_cached(db,
			       "INSERT INTO verification_authorisations (household_id, person_id, application_id, "
			       "region_code, method, scope, signed_on, valid_until, document, recorded_by, created_at) "
			       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			       &st, &err);
	for (size_t i = 0; !rc && i < req->n_persons; i++) {
		db_reset(st);
		db_bind_int64(st, 1, req->household_id);
		db_bind_int64(st, 2, req->person_ids[i]);
		if (req->application_id > 0)
			db_bind_int64(st, 3, req->application_id);
		else
			db_bind_null(st, 3);
		db_bind_str(st, 4, region);
		db_bind_str(st, 5, req->method);
		db_bind_str(st, 6, scope);
		db_bind_str(st, 7, req->signed_on);
		db_bind_str(st, 8, req->valid_until);
		db_bind_str(st, 9, req->document);
		db_bind_int64(st, 10, actor->id);
		db_bind_str(st, 11, now);
		rc = db_run(st, &err);
	}
	if (st)
		db_finalize(st);
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail, "{\"persons\":%zu,\"method\":\"%s\",\"valid_until\":\"%s\"}",
			 req->n_persons, req->method, req->valid_until);
		id_text(req->household_id, idt);
		rc = audit_append_region(db, region, actor->username, "verification.authorise", "household", idt,
					 detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
fail:
	free(hm);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return verification_authorisations(db, env, actor, req->household_id, out, e);
}

/* --- the verification row ------------------------------------------------ */

struct vrow {
	int64_t id, application_id, household_id, batch_id, version;
	char region[REGION_TEXT_MAX];
	char state[16];
	char programme[16];
	bool purged;
};

/* The verification id in the caller's scope (SVC_NOT_FOUND otherwise). */
static enum svc_kind load_vrow(struct db *db, const struct principal *actor, int64_t id, struct vrow *v,
			       struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT v.id, v.application_id, v.household_id, v.batch_id, v.version, v.region_code, v.state, "
	    "a.programme, v.purged_at FROM verifications v JOIN applications a ON a.id = v.application_id "
	    "WHERE v.id = $1 AND v.region_code >= $2 AND v.region_code < $3",
	    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			v->id = db_column_int64(st, 0);
			v->application_id = db_column_int64(st, 1);
			v->household_id = db_column_int64(st, 2);
			v->batch_id = db_column_is_null(st, 3) ? 0 : db_column_int64(st, 3);
			v->version = db_column_int64(st, 4);
			db_column_copy(st, 5, v->region, sizeof v->region);
			db_column_copy(st, 6, v->state, sizeof v->state);
			db_column_copy(st, 7, v->programme, sizeof v->programme);
			v->purged = !db_column_is_null(st, 8);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return row ? SVC_OK : not_found(e, "核对记录");
}

/* --- start ------------------------------------------------------------------ */

/* Writes a verification with its requests for one household (inside the
 * caller's transaction). want: the sources (bits of src). */
static dd_status insert_verification(struct db *db, const struct verification_env *env, const struct principal *actor,
				     int64_t application_id, int64_t household_id, const char *region, int64_t batch_id,
				     const struct source *src, int nsrc, uint32_t want, const char *now, int64_t *id,
				     dd_error *err)
{
	char today[DATE_TEXT_MAX], sig[REGION_TEXT_MAX];
	date_format(env->today, today);
	region_sig(region, sig);
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "INSERT INTO verifications (application_id, household_id, region_code, batch_id, "
			      "requested_on, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
			      "$6, $7, $7) RETURNING id",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, application_id);
	db_bind_int64(st, 2, household_id);
	db_bind_str(st, 3, region);
	if (batch_id > 0)
		db_bind_int64(st, 4, batch_id);
	else
		db_bind_null(st, 4);
	db_bind_str(st, 5, today);
	db_bind_int64(st, 6, actor->id);
	db_bind_str(st, 7, now);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*id = db_column_int64(st, 0);
	while (!rc && row)
		rc = db_step(st, &row, err);
	db_finalize(st);
	if (rc)
		return rc;
	rc = db_prepare_cached(db,
			       "INSERT INTO verification_requests (verification_id, region_code, source_code, "
			       "request_no, sent_on, due_date) VALUES ($1, $2, $3, $4, $5, $6)",
			       &st, err);
	for (int s = 0; !rc && s < nsrc; s++) {
		if (!(want & (1u << s)))
			continue;
		char no[40], due[DATE_TEXT_MAX];
		snprintf(no, sizeof no, "HC%08" PRId64 "-%d", *id, src[s].sort);
		int64_t days = reply_workdays(env, src[s].code, sig);
		date_format(calendar_add_workdays(env->cal, env->today, (int)days), due);
		db_reset(st);
		db_bind_int64(st, 1, *id);
		db_bind_str(st, 2, region);
		db_bind_str(st, 3, src[s].code);
		db_bind_str(st, 4, no);
		db_bind_str(st, 5, today);
		db_bind_str(st, 6, due);
		rc = db_run(st, err);
	}
	db_finalize(st);
	return rc;
}

/* Every source has its reply deadline in the policy (else SVC_RULE NO_POLICY). */
static enum svc_kind check_deadlines(const struct verification_env *env, const struct source *src, int nsrc,
				     uint32_t want, const char *sig, struct svc_error *e)
{
	if (!env->cal)
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少工作日历，无法计算回复期限");
	for (int s = 0; s < nsrc; s++)
		if ((want & (1u << s)) && !reply_workdays(env, src[s].code, sig))
			return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少政策参数 verification.reply_workdays.%s",
					src[s].code);
	return SVC_OK;
}

enum svc_kind verification_start(struct db *db, const struct verification_env *env, const struct principal *actor,
				 int64_t application_id, const char *const *sources, size_t n_sources, int64_t *id,
				 struct svc_error *e)
{
	*id = 0;
	enum svc_kind k = authz_verification_write(actor, "发起核对", e);
	if (k)
		return k;
	if (application_id <= 0)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "application_id", "缺少申请 application_id");
	struct source src[SOURCES_MAX];
	int nsrc = 0;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_sources(db, src, &nsrc, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	uint32_t want = 0;
	for (size_t i = 0; i < n_sources; i++) {
		const struct source *s = find_source(src, nsrc, sources[i]);
		if (!s)
			return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "sources",
							 "sources[%zu] 不是已配置的核对来源", i));
		want |= 1u << (s - src);
	}
	if (!n_sources)
		want = all_sources(nsrc);

	char region[REGION_TEXT_MAX] = "", state[32] = "", sig[REGION_TEXT_MAX];
	int64_t hid = 0;
	rc =
	    db_prepare_cached(db, "SELECT household_id, region_code, state FROM applications WHERE id = $1", &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, application_id);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			hid = db_column_is_null(st, 0) ? 0 : db_column_int64(st, 0);
			db_column_copy(st, 1, region, sizeof region);
			db_column_copy(st, 2, state, sizeof state);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row || !region_sig(region, sig) || !authz_in_scope(actor, sig))
		return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "application_id", "未找到该申请"));
	if (!hid)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_HOUSEHOLD", "application_id",
						 "该申请没有关联家庭，无法核对家庭经济状况"));
	if (case_state_final(case_state_parse(state)))
		return svc_rollback(
		    db, svc_fail(e, SVC_RULE, "APPLICATION_CLOSED", "application_id", "申请已办结，不能再发起核对"));
	if ((k = check_deadlines(env, src, nsrc, want, sig, e)))
		return svc_rollback(db, k);
	/* one open verification per application */
	rc = db_prepare_cached(db,
			       "SELECT id FROM verifications WHERE application_id = $1 AND state <> 'cancelled' "
			       "AND state <> 'adopted'",
			       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, application_id);
		rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (row)
		return svc_rollback(
		    db, svc_fail(e, SVC_CONFLICT, "VERIFICATION_OPEN", "application_id", "该申请已有进行中的核对"));
	struct household_members *hm = calloc(1, sizeof *hm);
	if (!hm)
		return svc_rollback(db, svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足"));
	uint32_t covered[HOUSEHOLD_MAX_MEMBERS];
	rc = load_members(db, hid, env->today, hm, &err);
	if (!rc)
		rc = load_coverage(db, hid, env->today, hm, src, nsrc, covered, &err);
	int missing = rc ? 0 : missing_authorisations(hm, covered, want);
	int members = hm->n;
	free(hm);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!members)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_MEMBERS", "application_id", "该家庭没有现有成员"));
	if (missing)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "AUTHORISATION_MISSING", "application_id",
						 "有 %d 名成年家庭成员未签署有效的核对授权书，不能发起核对", missing));
	char now[STORE_TIME_MAX];
	store_now(now);
	rc = insert_verification(db, env, actor, application_id, hid, region, 0, src, nsrc, want, now, id, &err);
	if (!rc) {
		char idt[24], detail[96];
		id_text(*id, idt);
		snprintf(detail, sizeof detail, "{\"application_id\":%" PRId64 ",\"sources\":%d}", application_id,
			 __builtin_popcount(want));
		rc = audit_append_region(db, region, actor->username, "verification.start", "verification", idt, detail,
					 &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		*id = 0;
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

/* --- reading ------------------------------------------------------------------ */

/* ,"requests":[…] of verification id, overdue as of today. */
static dd_status render_requests(struct db *db, int64_t id, const char *today, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT r.id, r.source_code, s.name, s.department, r.request_no, r.state, r.sent_on, r.due_date, "
	    "r.resent, r.answered_at, r.answer_channel, r.answer_file, r.version, (SELECT count(*) FROM "
	    "verification_findings f WHERE f.request_id = r.id) FROM verification_requests r JOIN "
	    "verification_sources s ON s.code = r.source_code WHERE r.verification_id = $1 ORDER BY s.sort, r.id",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	strbuf_adds(out, ",\"requests\":[");
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		const char *state = db_column_text(st, 5, NULL), *due = db_column_text(st, 7, NULL);
		bool overdue = state && strcmp(state, "sent") == 0 && due && strcmp(due, today) < 0;
		strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "source", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "source_name", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "department", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "request_no", db_column_text(st, 4, NULL));
		strbuf_add_json_member_text(out, "state", state);
		strbuf_add_json_member_text(out, "sent_on", db_column_text(st, 6, NULL));
		strbuf_add_json_member_text(out, "due_date", due);
		strbuf_addf(out, ",\"overdue\":%s,\"resent\":%" PRId64, overdue ? "true" : "false",
			    db_column_int64(st, 8));
		strbuf_add_json_member_text(out, "answered_at", db_column_text(st, 9, NULL));
		strbuf_add_json_member_text(out, "answer_channel", db_column_text(st, 10, NULL));
		strbuf_add_json_member_text(out, "answer_file", db_column_text(st, 11, NULL));
		strbuf_addf(out, ",\"version\":%" PRId64 ",\"findings\":%" PRId64 "}", db_column_int64(st, 12),
			    db_column_int64(st, 13));
	}
	db_finalize(st);
	if (!rc)
		strbuf_adds(out, "]");
	return rc;
}

/* ,"findings":[…] of verification id, ID numbers masked. */
static dd_status render_findings(struct db *db, int64_t id, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT f.id, r.source_code, f.person_id, p.name, p.id_number, f.item, f.amount, "
			      "f.quantity, f.period, f.note FROM verification_findings f JOIN "
			      "verification_requests r ON r.id = f.request_id JOIN persons p ON p.id = "
			      "f.person_id WHERE f.verification_id = $1 ORDER BY f.id",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	strbuf_adds(out, ",\"findings\":[");
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		char masked[IDNUM_LEN + 1] = "";
		const char *idn = db_column_text(st, 4, NULL);
		if (idn && strlen(idn) == IDNUM_LEN)
			idnum_mask(idn, masked);
		strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "source", db_column_text(st, 1, NULL));
		strbuf_addf(out, ",\"person_id\":%" PRId64, db_column_int64(st, 2));
		strbuf_add_json_member_text(out, "name", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "id_number", masked);
		strbuf_add_json_member_text(out, "item", db_column_text(st, 5, NULL));
		strbuf_add_json_member_money(out, "amount", db_column_int64(st, 6));
		strbuf_addf(out, ",\"quantity\":%" PRId64, db_column_int64(st, 7));
		strbuf_add_json_member_text(out, "period", db_column_text(st, 8, NULL));
		strbuf_add_json_member_text(out, "note", db_column_text(st, 9, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (!rc)
		strbuf_adds(out, "]");
	return rc;
}

/* The verification's own columns as the start of an object. */
static dd_status render_head(struct db *db, int64_t id, struct strbuf *out, bool with_report, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT v.id, v.application_id, v.household_id, v.region_code, v.batch_id, v.state, v.requested_on, "
	    "v.reported_at, v.adopted_at, v.purge_after, v.purged_at, v.version, a.programme, a.state, "
	    "(SELECT u.username FROM users u WHERE u.id = v.created_by), v.report FROM verifications v "
	    "JOIN applications a ON a.id = v.application_id WHERE v.id = $1",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, err);
	if (!rc && !row)
		rc = dd_fail(err, DD_ENOTFOUND, "id", "核对记录不存在");
	if (!rc) {
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"application_id\":%" PRId64 ",\"household_id\":%" PRId64,
			    db_column_int64(st, 0), db_column_int64(st, 1), db_column_int64(st, 2));
		strbuf_add_json_member_text(out, "region", db_column_text(st, 3, NULL));
		svc_json_member_id(out, "batch_id", st, 4);
		strbuf_add_json_member_text(out, "state", db_column_text(st, 5, NULL));
		strbuf_add_json_member_text(out, "requested_on", db_column_text(st, 6, NULL));
		strbuf_add_json_member_text(out, "reported_at", db_column_text(st, 7, NULL));
		strbuf_add_json_member_text(out, "adopted_at", db_column_text(st, 8, NULL));
		strbuf_add_json_member_text(out, "purge_after", db_column_text(st, 9, NULL));
		strbuf_add_json_member_text(out, "purged_at", db_column_text(st, 10, NULL));
		strbuf_addf(out, ",\"version\":%" PRId64, db_column_int64(st, 11));
		strbuf_add_json_member_text(out, "programme", db_column_text(st, 12, NULL));
		strbuf_add_json_member_text(out, "application_state", db_column_text(st, 13, NULL));
		strbuf_add_json_member_text(out, "created_by", db_column_text(st, 14, NULL));
		if (with_report) {
			size_t n = 0;
			const char *rep = db_column_text(st, 15, &n);
			strbuf_adds(out, ",\"report\":");
			if (rep)
				strbuf_add(out, rep, n);
			else
				strbuf_adds(out, "null");
		}
	}
	db_finalize(st);
	return rc;
}

enum svc_kind verification_get(struct db *db, const struct verification_env *env, const struct principal *actor,
			       int64_t id, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_view(actor, e);
	struct vrow v;
	if (k || (k = load_vrow(db, actor, id, &v, e)))
		return k;
	char today[DATE_TEXT_MAX], idt[24];
	date_format(env->today, today);
	id_text(id, idt);
	dd_error err;
	dd_error_clear(&err);
	size_t mark = out->len;
	/* the view's audit row is written in the same transaction as the read */
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = render_head(db, id, out, true, &err);
	if (!rc)
		rc = render_requests(db, id, today, out, &err);
	if (!rc)
		rc = render_findings(db, id, out, &err);
	if (!rc) {
		strbuf_addc(out, '}');
		rc = audit_append_region(db, v.region, actor->username, "verification.view", "verification", idt, NULL,
					 &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		out->len = mark;
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

enum svc_kind verification_list(struct db *db, const struct verification_env *env, const struct principal *actor,
				const struct verification_filter *f, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_view(actor, e);
	if (k || (k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	static const char *const states[] = {"requested", "reported", "adopted", "cancelled"};
	const char *state = f->state && *f->state ? f->state : NULL;
	if (state && !svc_one_of(state, states, COUNT(states)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 requested、reported、adopted 或 cancelled");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], today[DATE_TEXT_MAX];
	store_region_range(actor->scope, lo, hi);
	date_format(env->today, today);
#define VLIST_WHERE                                                                                                    \
	" FROM verifications v WHERE v.region_code >= $1 AND v.region_code < $2 AND (CAST($3 AS TEXT) IS NULL OR "     \
	"v.state = $3) AND ($4 = 0 OR v.application_id = $4) AND ($5 = 0 OR v.batch_id = $5) AND ($6 = 0 OR "          \
	"EXISTS (SELECT 1 FROM verification_requests r WHERE r.verification_id = v.id AND r.state = 'sent' AND "       \
	"r.due_date < $7))"
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_begin_read(db, &err);
	for (int pass = 0; !rc && pass < 2; pass++) {
		rc = db_prepare_cached(
		    db,
		    pass == 0 ? "SELECT count(*)" VLIST_WHERE
			      : "SELECT v.id, v.application_id, v.household_id, v.region_code, v.batch_id, v.state, "
				"v.requested_on, v.reported_at, v.adopted_at, v.version, (SELECT count(*) FROM "
				"verification_requests r WHERE r.verification_id = v.id), (SELECT count(*) FROM "
				"verification_requests r WHERE r.verification_id = v.id AND r.state = 'answered'), "
				"(SELECT count(*) FROM verification_requests r WHERE r.verification_id = v.id AND "
				"r.state = 'sent' AND r.due_date < $7), (SELECT h.household_no FROM households h WHERE "
				"h.id = v.household_id)" VLIST_WHERE " ORDER BY v.id DESC LIMIT $8 OFFSET $9",
		    &st, &err);
		if (rc)
			break;
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, state);
		db_bind_int64(st, 4, f->application_id);
		db_bind_int64(st, 5, f->batch_id);
		db_bind_int64(st, 6, f->overdue ? 1 : 0);
		db_bind_str(st, 7, today);
		if (pass == 0) {
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
			continue;
		}
		db_bind_int64(st, 8, f->per_page);
		db_bind_int64(st, 9, (f->page - 1) * f->per_page);
		strbuf_adds(out, "{\"items\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			strbuf_addf(
			    out, "%s{\"id\":%" PRId64 ",\"application_id\":%" PRId64 ",\"household_id\":%" PRId64,
			    n ? "," : "", db_column_int64(st, 0), db_column_int64(st, 1), db_column_int64(st, 2));
			strbuf_add_json_member_text(out, "region", db_column_text(st, 3, NULL));
			svc_json_member_id(out, "batch_id", st, 4);
			strbuf_add_json_member_text(out, "state", db_column_text(st, 5, NULL));
			strbuf_add_json_member_text(out, "requested_on", db_column_text(st, 6, NULL));
			strbuf_add_json_member_text(out, "reported_at", db_column_text(st, 7, NULL));
			strbuf_add_json_member_text(out, "adopted_at", db_column_text(st, 8, NULL));
			strbuf_addf(out,
				    ",\"version\":%" PRId64 ",\"requests\":%" PRId64 ",\"answered\":%" PRId64
				    ",\"overdue\":%" PRId64,
				    db_column_int64(st, 9), db_column_int64(st, 10), db_column_int64(st, 11),
				    db_column_int64(st, 12));
			strbuf_add_json_member_text(out, "household_no", db_column_text(st, 13, NULL));
			strbuf_addc(out, '}');
		}
		db_finalize(st);
		strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total,
			    f->page, f->per_page);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

enum svc_kind verification_overdue(struct db *db, const struct verification_env *env, const struct principal *actor,
				   int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_view(actor, e);
	if (k || (k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], today[DATE_TEXT_MAX];
	store_region_range(actor->scope, lo, hi);
	date_format(env->today, today);
#define OVERDUE_WHERE                                                                                                  \
	" FROM verification_requests r WHERE r.region_code >= $1 AND r.region_code < $2 AND r.state = 'sent' AND "     \
	"r.due_date < $3"
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT count(*)" OVERDUE_WHERE, &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, today);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			total = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT r.id, r.verification_id, r.source_code, (SELECT s.name FROM "
				       "verification_sources s WHERE s.code = r.source_code), r.request_no, r.sent_on, "
				       "r.due_date, r.resent, r.region_code, r.version" OVERDUE_WHERE
				       " ORDER BY r.due_date, r.id LIMIT $4 OFFSET $5",
				       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, today);
		db_bind_int64(st, 4, per_page);
		db_bind_int64(st, 5, (page - 1) * per_page);
		strbuf_adds(out, "{\"items\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			strbuf_addf(out, "%s{\"id\":%" PRId64 ",\"verification_id\":%" PRId64, n ? "," : "",
				    db_column_int64(st, 0), db_column_int64(st, 1));
			strbuf_add_json_member_text(out, "source", db_column_text(st, 2, NULL));
			strbuf_add_json_member_text(out, "source_name", db_column_text(st, 3, NULL));
			strbuf_add_json_member_text(out, "request_no", db_column_text(st, 4, NULL));
			strbuf_add_json_member_text(out, "sent_on", db_column_text(st, 5, NULL));
			strbuf_add_json_member_text(out, "due_date", db_column_text(st, 6, NULL));
			strbuf_addf(out, ",\"resent\":%" PRId64, db_column_int64(st, 7));
			strbuf_add_json_member_text(out, "region", db_column_text(st, 8, NULL));
			strbuf_addf(out, ",\"version\":%" PRId64 "}", db_column_int64(st, 9));
		}
		db_finalize(st);
		strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, page,
			    per_page);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* --- answers ------------------------------------------------------------------ */

/* One member a request asks about: the request, the person. */
struct target {
	int64_t request_id, verification_id, person_id;
	char request_no[24];
	char id_number[IDNUM_LEN + 1];
	char region[REGION_TEXT_MAX];
	bool answered;
};

struct targets {
	struct target *t;
	size_t n, cap;
	char source[CODE_MAX];
	char source_items[128];
};

static int target_cmp(const void *a, const void *b)
{
	return strcmp(((const struct target *)a)->id_number, ((const struct target *)b)->id_number);
}

/* The members the request (request_id > 0) or the batch's requests to source
 * ask about, in the caller's scope, sorted by ID number. */
static dd_status load_targets(struct db *db, const struct principal *actor, int64_t request_id, int64_t batch_id,
			      const char *source, struct targets *tg, dd_error *err)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	struct db_stmt *st;
	bool row = false;
#define TARGET_COLS                                                                                                    \
	"SELECT r.id, r.verification_id, p.id, r.request_no, p.id_number, r.region_code, r.state, r.source_code, "     \
	"s.items FROM verification_requests r JOIN verification_sources s ON s.code = r.source_code JOIN "             \
	"verifications v ON v.id = r.verification_id JOIN memberships m ON m.household_id = v.household_id AND "       \
	"m.from_date <= v.requested_on AND (m.to_date IS NULL OR m.to_date > v.requested_on) JOIN persons p ON p.id "  \
	"= m.person_id "
	/* two statements, so that each gets its own plan: the batch's through verifications_batch,
	 * its scope checked once on the batch (a region range on the requests would let the planner
	 * AND a whole township's range into every probe) */
	dd_status rc = db_prepare_cached(db,
					 batch_id > 0 ? TARGET_COLS "WHERE v.batch_id = $1 AND r.source_code = $2 AND "
								    "v.state <> 'cancelled' AND EXISTS (SELECT 1 FROM "
								    "verification_batches b WHERE b.id = $1 AND "
								    "b.region_code >= $3 AND b.region_code < $4)"
						      : TARGET_COLS "WHERE r.id = $1 AND r.region_code >= $2 AND "
								    "r.region_code < $3 AND v.state <> 'cancelled'",
					 &st, err);
	if (rc)
		return rc;
	int k = 1;
	db_bind_int64(st, k++, batch_id > 0 ? batch_id : request_id);
	if (batch_id > 0)
		db_bind_str(st, k++, source ? source : "");
	db_bind_str(st, k++, lo);
	db_bind_str(st, k, hi);
	while (!(rc = db_step(st, &row, err)) && row) {
		if (tg->n == tg->cap) {
			size_t cap = tg->cap ? tg->cap * 2 : 64;
			struct target *t = realloc(tg->t, cap * sizeof *t);
			if (!t) {
				rc = dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
				break;
			}
			tg->t = t;
			tg->cap = cap;
		}
		struct target *t = &tg->t[tg->n++];
		t->request_id = db_column_int64(st, 0);
		t->verification_id = db_column_int64(st, 1);
		t->person_id = db_column_int64(st, 2);
		db_column_copy(st, 3, t->request_no, sizeof t->request_no);
		db_column_copy(st, 4, t->id_number, sizeof t->id_number);
		db_column_copy(st, 5, t->region, sizeof t->region);
		const char *state = db_column_text(st, 6, NULL);
		t->answered = state && strcmp(state, "answered") == 0;
		db_column_copy(st, 7, tg->source, sizeof tg->source);
		db_column_copy(st, 8, tg->source_items, sizeof tg->source_items);
	}
	db_finalize(st);
	if (!rc && tg->n)
		qsort(tg->t, tg->n, sizeof *tg->t, target_cmp);
	return rc;
}

/* The first target with this ID number and (when given) request number. */
static const struct target *find_target(const struct targets *tg, const char *idn, const char *request_no)
{
	struct target key;
	snprintf(key.id_number, sizeof key.id_number, "%s", idn);
	const struct target *t = bsearch(&key, tg->t, tg->n, sizeof *tg->t, target_cmp);
	if (!t)
		return NULL;
	while (t > tg->t && strcmp(t[-1].id_number, idn) == 0)
		t--;
	for (; t < tg->t + tg->n && strcmp(t->id_number, idn) == 0; t++)
		if (!request_no || !*request_no || strcmp(t->request_no, request_no) == 0)
			return t;
	return NULL;
}

/* Checks one finding against the source; NULL when good, else the reason
 * (*field names the column). */
static const char *finding_problem(const struct targets *tg, const struct verification_item *it, int64_t amount,
				   int64_t quantity, const char *period, const char **field)
{
	if (!it) {
		*field = "item";
		return "核对项目无法识别";
	}
	if (it->kind != VITEM_NONE && !list_has(tg->source_items, it->code)) {
		*field = "item";
		return "该核对来源不提供此项目";
	}
	if (amount < 0 || amount > 100000000000LL) {
		*field = "amount";
		return "金额应在 0 至 10 亿元之间";
	}
	if (quantity < 0 || quantity > 1000) {
		*field = "quantity";
		return "数量应在 0 至 1000 之间";
	}
	if (period && strcmp(period, "month") != 0 && strcmp(period, "year") != 0) {
		*field = "period";
		return "周期应为 month（月）或 year（年）";
	}
	if (it->kind == VITEM_INCOME && quantity) {
		*field = "quantity";
		return "收入项目不填数量";
	}
	return NULL;
}

static dd_status insert_finding(struct db *db, const struct target *t, const struct verification_item *it,
				int64_t amount, int64_t quantity, const char *period, const char *note, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare_cached(db,
			      "INSERT INTO verification_findings (request_id, verification_id, person_id, "
			      "region_code, item, amount, quantity, period, note) VALUES ($1, $2, $3, $4, $5, "
			      "$6, $7, $8, $9)",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, t->request_id);
	db_bind_int64(st, 2, t->verification_id);
	db_bind_int64(st, 3, t->person_id);
	db_bind_str(st, 4, t->region);
	db_bind_str(st, 5, it->code);
	db_bind_int64(st, 6, amount);
	db_bind_int64(st, 7, quantity);
	db_bind_str(st, 8, period ? period : "month");
	db_bind_str(st, 9, note && *note ? note : NULL);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

/* Marks every distinct request of tg answered, with one audit row each. */
static dd_status mark_answered(struct db *db, const struct principal *actor, const struct targets *tg, int64_t batch_id,
			       const char *channel, const char *file_name, int64_t *answered, dd_error *err)
{
	char now[STORE_TIME_MAX];
	store_now(now);
	struct db_stmt *st;
	*answered = 0;
	if (batch_id > 0) {
		/* every request of the batch to the source: one statement */
		dd_status rc = db_prepare_cached(
		    db,
		    "UPDATE verification_requests SET state = 'answered', answered_at = $3, answer_channel = $4, "
		    "answer_file = $5, answered_by = $6, version = version + 1 WHERE state = 'sent' AND source_code = "
		    "$2 AND verification_id IN (SELECT v.id FROM verifications v WHERE v.batch_id = $1 AND v.state <> "
		    "'cancelled')",
		    &st, err);
		if (rc)
			return rc;
		db_bind_int64(st, 1, batch_id);
		db_bind_str(st, 2, tg->source);
		db_bind_str(st, 3, now);
		db_bind_str(st, 4, channel);
		db_bind_str(st, 5, file_name);
		db_bind_int64(st, 6, actor->id);
		rc = db_run(st, err);
		if (!rc)
			*answered = db_changes(st);
		db_finalize(st);
		return rc;
	}
	dd_status rc =
	    db_prepare_cached(db,
			      "UPDATE verification_requests SET state = 'answered', answered_at = $2, "
			      "answer_channel = $3, answer_file = $4, answered_by = $5, version = version + 1 "
			      "WHERE id = $1 AND state = 'sent'",
			      &st, err);
	if (rc)
		return rc;
	/* one request: every target has the same request id */
	if (tg->n) {
		db_bind_int64(st, 1, tg->t[0].request_id);
		db_bind_str(st, 2, now);
		db_bind_str(st, 3, channel);
		db_bind_str(st, 4, file_name);
		db_bind_int64(st, 5, actor->id);
		rc = db_run(st, err);
		if (!rc)
			*answered = db_changes(st);
	}
	db_finalize(st);
	return rc;
}

static void targets_release(struct targets *tg)
{
	free(tg->t);
	memset(tg, 0, sizeof *tg);
}

/* Refuses an answer to a request already answered (SVC_CONFLICT). */
static enum svc_kind check_unanswered(const struct targets *tg, struct svc_error *e)
{
	for (size_t i = 0; i < tg->n; i++)
		if (tg->t[i].answered)
			return svc_fail(e, SVC_CONFLICT, "ALREADY_ANSWERED", NULL, "核对请求 %s 已有回复，不能重复导入",
					tg->t[i].request_no);
	return SVC_OK;
}

static dd_status audit_answer(struct db *db, const struct principal *actor, const struct targets *tg,
			      int64_t request_id, int64_t batch_id, const char *channel, int64_t findings,
			      int64_t rejected, dd_error *err)
{
	char detail[200], idt[24];
	snprintf(detail, sizeof detail,
		 "{\"source\":\"%s\",\"channel\":\"%s\",\"findings\":%" PRId64 ",\"rejected\":%" PRId64 "}", tg->source,
		 channel, findings, rejected);
	id_text(batch_id > 0 ? batch_id : request_id, idt);
	return audit_append_region(db, tg->n ? tg->t[0].region : "", actor->username, "verification.answer",
				   batch_id > 0 ? "verification_batch" : "verification_request", idt, detail, err);
}

enum svc_kind verification_answer(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t request_id, const struct verification_finding *f, size_t n,
				  struct strbuf *out, struct svc_error *e)
{
	(void)env;
	enum svc_kind k = authz_verification_write(actor, "登记核对回复", e);
	if (k)
		return k;
	if (n > 10000)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_MANY", "findings", "findings 最多 10000 条");
	struct targets tg = {0};
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_targets(db, actor, request_id, 0, NULL, &tg, &err);
	if (rc)
		goto fail;
	if (!tg.n) {
		targets_release(&tg);
		return svc_rollback(db, not_found(e, "核对请求"));
	}
	if ((k = check_unanswered(&tg, e))) {
		targets_release(&tg);
		return svc_rollback(db, k);
	}
	for (size_t i = 0; i < n; i++) {
		char field[48];
		const char *col = NULL, *why = NULL;
		struct idnum idn;
		const struct verification_item *it = f[i].item ? verification_item_find(f[i].item) : NULL;
		const struct target *t = NULL;
		if (!f[i].id_number || idnum_parse(f[i].id_number, strlen(f[i].id_number), &idn, NULL) != DD_OK) {
			col = "id_number";
			why = "身份证号码无效";
		} else if (!(t = find_target(&tg, idn.text, NULL))) {
			col = "id_number";
			why = "不是该核对请求的家庭成员";
		} else if (!f[i].item) {
			col = "item";
			why = "缺少核对项目";
		} else if (svc_check_text(f[i].note, "note", "备注", 200, NULL)) {
			col = "note";
			why = "备注过长或含控制字符";
		} else
			why = finding_problem(&tg, it, f[i].amount, f[i].quantity, f[i].period, &col);
		if (why) {
			snprintf(field, sizeof field, "findings[%zu].%s", i, col);
			targets_release(&tg);
			return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "BAD_FINDING", field, "%s %s", field, why));
		}
		if (it->kind == VITEM_NONE)
			continue;
		if ((rc = insert_finding(db, t, it, f[i].amount, f[i].quantity, f[i].period, f[i].note, &err)))
			goto fail;
	}
	int64_t answered = 0;
	rc = mark_answered(db, actor, &tg, 0, "api", NULL, &answered, &err);
	if (!rc)
		rc = audit_answer(db, actor, &tg, request_id, 0, "api", (int64_t)n, 0, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (!rc)
		strbuf_addf(out, "{\"request_id\":%" PRId64 ",\"findings\":%zu,\"requests_answered\":%" PRId64 "}",
			    request_id, n, answered);
fail:
	targets_release(&tg);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* --- answer files ----------------------------------------------------------- */

enum answer_col { AC_REQUEST_NO, AC_ID_NUMBER, AC_NAME, AC_ITEM, AC_AMOUNT, AC_QUANTITY, AC_PERIOD, AC_NOTE, AC_N };
static const struct {
	const char *en, *zh;
} answer_headers[AC_N] = {
    {"request_no", "请求编号"}, {"id_number", "身份证号"}, {"name", "姓名"},   {"item", "核对项目"},
    {"amount", "金额"},		{"quantity", "数量"},	   {"period", "周期"}, {"note", "备注"},
};

#define REJECTS_LISTED 1000

struct answer_ctx {
	struct db *db;
	struct targets *tg;
	int col[AC_N]; /* the file's column of each, -1 absent */
	bool header_seen;
	int64_t rows, matched, rejected, findings;
	struct strbuf *rejects; /* JSON array members */
	struct db_bulk *bulk;	/* the findings (verification_findings) */
};

static void trim_copy(const char *s, char *out, size_t cap)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void reject(struct answer_ctx *c, uint64_t line, const char *field, const char *reason)
{
	c->rejected++;
	if (c->rejected > REJECTS_LISTED)
		return;
	strbuf_addf(c->rejects, "%s{\"line\":%" PRIu64, c->rejected > 1 ? "," : "", line);
	strbuf_add_json_member_text(c->rejects, "field", field);
	strbuf_add_json_member_text(c->rejects, "reason", reason);
	strbuf_addc(c->rejects, '}');
}

static dd_status answer_header(struct answer_ctx *c, const struct csv_field *cells, size_t n, dd_error *err)
{
	for (int k = 0; k < AC_N; k++)
		c->col[k] = -1;
	for (size_t i = 0; i < n; i++) {
		char h[64];
		trim_copy(cells[i].p, h, sizeof h);
		const char *p = h;
		if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
			p += 3;
		for (int k = 0; k < AC_N; k++)
			if (strcmp(p, answer_headers[k].en) == 0 || strcmp(p, answer_headers[k].zh) == 0)
				c->col[k] = (int)i;
	}
	if (c->col[AC_ID_NUMBER] < 0 || c->col[AC_ITEM] < 0)
		return dd_fail(err, DD_EINVAL, "file", "回复文件第 1 行应为表头，至少包含“身份证号”和“核对项目”两列");
	c->header_seen = true;
	return DD_OK;
}

static const char *cell(const struct answer_ctx *c, const struct csv_field *cells, size_t n, enum answer_col k)
{
	int i = c->col[k];
	return i >= 0 && (size_t)i < n ? cells[i].p : "";
}

/* One record of an answer file (tabular_read's callback; never empty). */
static dd_status answer_record(void *ctx, uint64_t line, const struct csv_field *cells, size_t n, dd_error *err)
{
	struct answer_ctx *c = ctx;
	if (!c->header_seen)
		return answer_header(c, cells, n, err);
	c->rows++;
	char idtext[40], item[64], amount_text[40], qty_text[24], period_text[16], request_no[40], note[256];
	trim_copy(cell(c, cells, n, AC_ID_NUMBER), idtext, sizeof idtext);
	trim_copy(cell(c, cells, n, AC_ITEM), item, sizeof item);
	trim_copy(cell(c, cells, n, AC_AMOUNT), amount_text, sizeof amount_text);
	trim_copy(cell(c, cells, n, AC_QUANTITY), qty_text, sizeof qty_text);
	trim_copy(cell(c, cells, n, AC_PERIOD), period_text, sizeof period_text);
	trim_copy(cell(c, cells, n, AC_REQUEST_NO), request_no, sizeof request_no);
	trim_copy(cell(c, cells, n, AC_NOTE), note, sizeof note);
	struct idnum idn;
	if (!idtext[0]) {
		reject(c, line, "身份证号", "缺少身份证号");
		return DD_OK;
	}
	if (idnum_parse(idtext, strlen(idtext), &idn, NULL) != DD_OK) {
		reject(c, line, "身份证号", "身份证号码无效（位数或校验码错误）");
		return DD_OK;
	}
	const struct target *t = find_target(c->tg, idn.text, request_no);
	if (!t) {
		reject(c, line, request_no[0] && find_target(c->tg, idn.text, NULL) ? "请求编号" : "身份证号",
		       request_no[0] && find_target(c->tg, idn.text, NULL) ? "请求编号与该身份证号的核对请求不符"
									   : "该身份证号不在本次核对请求的对象中");
		return DD_OK;
	}
	const struct verification_item *it = verification_item_find(item);
	fen_t amount = 0;
	int64_t quantity = 0;
	if (amount_text[0] && money_parse(amount_text, strlen(amount_text), MONEY_PLAIN, &amount, NULL) != DD_OK) {
		reject(c, line, "金额", "金额应为以元为单位、最多两位小数的数字");
		return DD_OK;
	}
	if (qty_text[0]) {
		char *end = NULL;
		long long q = strtoll(qty_text, &end, 10);
		if (!end || *end || q < 0 || q > 1000) {
			reject(c, line, "数量", "数量应为 0 至 1000 的整数");
			return DD_OK;
		}
		quantity = q;
	}
	const char *period = NULL;
	if (period_text[0]) {
		if (strcmp(period_text, "month") == 0 || strcmp(period_text, "月") == 0)
			period = "month";
		else if (strcmp(period_text, "year") == 0 || strcmp(period_text, "年") == 0)
			period = "year";
		else {
			reject(c, line, "周期", "周期应为“月”或“年”");
			return DD_OK;
		}
	}
	if (!svc_text_clean(note, 200)) {
		reject(c, line, "备注", "备注过长或含控制字符");
		return DD_OK;
	}
	const char *col = NULL;
	const char *why = finding_problem(c->tg, it, amount, quantity, period, &col);
	if (why) {
		const char *zh = strcmp(col, "item") == 0	? "核对项目"
				 : strcmp(col, "amount") == 0	? "金额"
				 : strcmp(col, "quantity") == 0 ? "数量"
								: "周期";
		reject(c, line, zh, why);
		return DD_OK;
	}
	c->matched++;
	if (it->kind == VITEM_NONE)
		return DD_OK;
	c->findings++;
	db_bulk_int64(c->bulk, t->request_id);
	db_bulk_int64(c->bulk, t->verification_id);
	db_bulk_int64(c->bulk, t->person_id);
	db_bulk_str(c->bulk, t->region);
	db_bulk_str(c->bulk, it->code);
	db_bulk_int64(c->bulk, amount);
	db_bulk_int64(c->bulk, quantity);
	db_bulk_str(c->bulk, period ? period : "month");
	db_bulk_str(c->bulk, note[0] ? note : NULL);
	return db_bulk_row_end(c->bulk, err);
}

enum svc_kind verification_answer_file(struct db *db, const struct verification_env *env, const struct principal *actor,
				       int64_t request_id, int64_t batch_id, const char *source, const char *file_name,
				       const char *data, size_t len, struct strbuf *out, struct svc_error *e)
{
	(void)env;
	enum svc_kind k = authz_verification_write(actor, "导入核对回复", e);
	if (k)
		return k;
	if (!data || !len)
		return svc_fail(e, SVC_BAD_INPUT, "EMPTY_FILE", "file", "回复文件为空");
	if (batch_id > 0 && (!source || !*source))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "source", "缺少核对来源 source");
	const char *fname = file_name && *file_name ? file_name : NULL;
	if (fname && !svc_text_clean(fname, 200))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "file_name", "文件名 file_name 过长或含控制字符");
	struct targets tg = {0};
	struct strbuf rejects;
	strbuf_init(&rejects, 256);
	struct answer_ctx c = {.db = db, .tg = &tg, .rejects = &rejects};
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_targets(db, actor, batch_id > 0 ? 0 : request_id, batch_id > 0 ? batch_id : 0, source, &tg,
				  &err);
	if (rc)
		goto fail;
	if (!tg.n) {
		k = batch_id > 0 ? svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "source", "本批次没有该来源的核对请求")
				 : not_found(e, "核对请求");
		goto refuse;
	}
	if ((k = check_unanswered(&tg, e)))
		goto refuse;
	static const char *const cols[] = {"request_id", "verification_id", "person_id", "region_code", "item",
					   "amount",	 "quantity",	    "period",	 "note"};
	rc = db_bulk_begin(db, "verification_findings", cols, 9, &c.bulk, &err);
	if (rc)
		goto fail;
	rc = tabular_read(data, len, answer_record, &c, NULL, &err);
	if (!rc)
		rc = db_bulk_finish(c.bulk, NULL, &err);
	else
		db_bulk_abort(c.bulk); /* the transaction is rolled back below */
	c.bulk = NULL;
	if (rc == DD_EINVAL || rc == DD_ELIMIT || (!rc && !c.header_seen)) {
		if (!rc)
			k = svc_fail(e, SVC_BAD_INPUT, "EMPTY_FILE", "file", "回复文件没有表头");
		else
			k = svc_fail(e, SVC_BAD_INPUT, "BAD_FILE", "file", "%s", err.message);
		goto refuse;
	}
	if (rc)
		goto fail;
	int64_t answered = 0;
	rc = mark_answered(db, actor, &tg, batch_id, "file", fname, &answered, &err);
	if (!rc)
		rc = audit_answer(db, actor, &tg, request_id, batch_id, "file", c.findings, c.rejected, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		goto fail;
	strbuf_addf(out,
		    "{\"source\":\"%s\",\"rows\":%" PRId64 ",\"matched\":%" PRId64 ",\"rejected\":%" PRId64
		    ",\"findings\":%" PRId64 ",\"requests_answered\":%" PRId64 ",\"rejects\":[",
		    tg.source, c.rows, c.matched, c.rejected, c.findings, answered);
	strbuf_add(out, rejects.buf ? rejects.buf : "", rejects.len);
	strbuf_adds(out, "]}");
	strbuf_release(&rejects);
	targets_release(&tg);
	return SVC_OK;
refuse:
	strbuf_release(&rejects);
	targets_release(&tg);
	return svc_rollback(db, k);
fail:
	strbuf_release(&rejects);
	targets_release(&tg);
	return svc_store_fail(e, db, rc, &err);
}

enum svc_kind verification_resend(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t request_id, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_write(actor, "重发核对请求", e);
	if (k)
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	char region[REGION_TEXT_MAX] = "", source[CODE_MAX] = "", state[16] = "", sig[REGION_TEXT_MAX];
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc =
		    db_prepare_cached(db,
				      "SELECT region_code, source_code, state FROM verification_requests WHERE id = $1 "
				      "AND region_code >= $2 AND region_code < $3",
				      &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, request_id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, region, sizeof region);
			db_column_copy(st, 1, source, sizeof source);
			db_column_copy(st, 2, state, sizeof state);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, not_found(e, "核对请求"));
	if (strcmp(state, "sent") != 0)
		return svc_rollback(db,
				    svc_fail(e, SVC_RULE, "ALREADY_ANSWERED", NULL, "该核对请求已有回复，无需重发"));
	region_sig(region, sig);
	int64_t days = reply_workdays(env, source, sig);
	if (!days || !env->cal)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_POLICY", NULL,
						 "缺少政策参数 verification.reply_workdays.%s", source));
	char today[DATE_TEXT_MAX], due[DATE_TEXT_MAX], idt[24];
	date_format(env->today, today);
	date_format(calendar_add_workdays(env->cal, env->today, (int)days), due);
	rc = db_prepare_cached(db,
			       "UPDATE verification_requests SET sent_on = $2, due_date = $3, resent = resent + 1, "
			       "version = version + 1 WHERE id = $1",
			       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, request_id);
		db_bind_str(st, 2, today);
		db_bind_str(st, 3, due);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc) {
		char detail[96];
		snprintf(detail, sizeof detail, "{\"due_date\":\"%s\"}", due);
		id_text(request_id, idt);
		rc = audit_append_region(db, region, actor->username, "verification.resend", "verification_request",
					 idt, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "{\"id\":%" PRId64 ",\"due_date\":\"%s\",\"state\":\"sent\"}", request_id, due);
	return SVC_OK;
}

/* --- the consolidated report --------------------------------------------------- */

static const char *const income_types[] = {"wage",	    "business", "property",	"transfer",
					   "basic_pension", "reward",	"special_care", "family_planning"};
#define NTYPES (sizeof income_types / sizeof income_types[0])
enum { A_FINANCIAL, A_VEHICLE, A_HOUSE, NASSETS };
static const char *const asset_kinds[NASSETS] = {"financial", "vehicle", "house"};

static int income_type(const char *s)
{
	for (size_t i = 0; s && i < NTYPES; i++)
		if (strcmp(s, income_types[i]) == 0)
			return (int)i;
	return -1;
}

static int asset_kind(const char *s)
{
	for (int i = 0; s && i < NASSETS; i++)
		if (strcmp(s, asset_kinds[i]) == 0)
			return i;
	return -1;
}

struct report_req {
	int64_t id;
	char source[CODE_MAX], name[64], department[96], request_no[24], state[16], due[DATE_TEXT_MAX],
	    answered_at[STORE_TIME_MAX];
	bool overdue, pending;
};

struct report_data {
	struct household_members hm;
	struct report_req req[SOURCES_MAX];
	int nreq;
	fen_t declared[HOUSEHOLD_MAX_MEMBERS][NTYPES];
	bool has_declared[HOUSEHOLD_MAX_MEMBERS][NTYPES];
	/* per request: a member's monthly sum of an item */
	fen_t found[HOUSEHOLD_MAX_MEMBERS][NTYPES][SOURCES_MAX];
	bool has_found[HOUSEHOLD_MAX_MEMBERS][NTYPES][SOURCES_MAX];
	int64_t asset_declared[NASSETS], asset_exempt[NASSETS];
	int64_t asset_found[NASSETS][SOURCES_MAX];
	bool has_asset_found[NASSETS][SOURCES_MAX];
};

static int req_index(const struct report_data *d, int64_t request_id)
{
	for (int i = 0; i < d->nreq; i++)
		if (d->req[i].id == request_id)
			return i;
	return -1;
}

static dd_status load_report_data(struct db *db, const struct vrow *v, dd_date today, struct report_data *d,
				  dd_error *err)
{
	char day[DATE_TEXT_MAX], month[MONTH_TEXT_MAX];
	date_format(today, day);
	month_format(date_month(today), month);
	dd_status rc = load_members(db, v->household_id, today, &d->hm, err);
	struct db_stmt *st = NULL;
	bool row = false;
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT type, amount, period FROM incomes WHERE person_id = $1 AND (from_month IS "
		    "NULL OR from_month <= $2) AND (to_month IS NULL OR to_month >= $2)",
		    &st, err);
	for (int i = 0; !rc && i < d->hm.n; i++) {
		db_reset(st);
		db_bind_int64(st, 1, d->hm.m[i].person_id);
		db_bind_str(st, 2, month);
		while (!(rc = db_step(st, &row, err)) && row) {
			int t = income_type(db_column_text(st, 0, NULL));
			const char *period = db_column_text(st, 2, NULL);
			fen_t a = db_column_int64(st, 1);
			if (period && strcmp(period, "year") == 0)
				a = money_div_round(a, 12);
			if (t >= 0 && money_add(d->declared[i][t], a, &d->declared[i][t]))
				d->has_declared[i][t] = true;
		}
	}
	if (st)
		db_finalize(st);
	st = NULL;
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT kind, exempt, COALESCE(SUM(amount), 0), COALESCE(SUM(quantity), 0) FROM "
				       "assets WHERE household_id = $1 GROUP BY kind, exempt",
				       &st, err);
	if (!rc) {
		db_bind_int64(st, 1, v->household_id);
		while (!(rc = db_step(st, &row, err)) && row) {
			int k = asset_kind(db_column_text(st, 0, NULL));
			if (k < 0)
				continue;
			int64_t val = db_column_int64(st, k == A_FINANCIAL ? 2 : 3);
			if (db_column_int64(st, 1))
				d->asset_exempt[k] += val;
			else
				d->asset_declared[k] += val;
		}
		db_finalize(st);
		st = NULL;
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT r.id, r.source_code, s.name, s.department, r.request_no, r.state, "
		    "r.due_date, r.answered_at FROM verification_requests r JOIN verification_sources "
		    "s ON s.code = r.source_code WHERE r.verification_id = $1 ORDER BY s.sort, r.id",
		    &st, err);
	if (!rc) {
		db_bind_int64(st, 1, v->id);
		while (!(rc = db_step(st, &row, err)) && row && d->nreq < SOURCES_MAX) {
			struct report_req *r = &d->req[d->nreq++];
			r->id = db_column_int64(st, 0);
			db_column_copy(st, 1, r->source, sizeof r->source);
			db_column_copy(st, 2, r->name, sizeof r->name);
			db_column_copy(st, 3, r->department, sizeof r->department);
			db_column_copy(st, 4, r->request_no, sizeof r->request_no);
			db_column_copy(st, 5, r->state, sizeof r->state);
			db_column_copy(st, 6, r->due, sizeof r->due);
			db_column_copy(st, 7, r->answered_at, sizeof r->answered_at);
			bool sent = strcmp(r->state, "sent") == 0;
			r->overdue = sent && strcmp(r->due, day) < 0;
			r->pending = sent && !r->overdue;
		}
		db_finalize(st);
		st = NULL;
	}
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT request_id, person_id, item, amount, quantity, period FROM "
				       "verification_findings WHERE verification_id = $1",
				       &st, err);
	if (!rc) {
		db_bind_int64(st, 1, v->id);
		while (!(rc = db_step(st, &row, err)) && row) {
			int r = req_index(d, db_column_int64(st, 0));
			int m = member_index(&d->hm, db_column_int64(st, 1));
			const char *item = db_column_text(st, 2, NULL), *period = db_column_text(st, 5, NULL);
			if (r < 0)
				continue;
			int t = income_type(item), k = asset_kind(item);
			fen_t a = db_column_int64(st, 3);
			if (t >= 0 && m >= 0) {
				if (period && strcmp(period, "year") == 0)
					a = money_div_round(a, 12);
				if (money_add(d->found[m][t][r], a, &d->found[m][t][r]))
					d->has_found[m][t][r] = true;
			} else if (k >= 0) {
				int64_t val = k == A_FINANCIAL ? a : db_column_int64(st, 4);
				d->asset_found[k][r] += val;
				d->has_asset_found[k][r] = true;
			}
		}
		db_finalize(st);
	}
	return rc;
}

/* The verified value of an item: the largest any answering source reports
 * (each source's own rows summed); *sources gets them; false when none. */
static bool verified_income(const struct report_data *d, int m, int t, fen_t *v, struct strbuf *by)
{
	bool any = false;
	for (int r = 0; r < d->nreq; r++) {
		if (!d->has_found[m][t][r])
			continue;
		if (!any || d->found[m][t][r] > *v)
			*v = d->found[m][t][r];
		strbuf_adds(by, any ? "," : "");
		strbuf_add_json_string_or_null(by, d->req[r].source);
		any = true;
	}
	return any;
}

static bool verified_asset(const struct report_data *d, int k, int64_t *v, struct strbuf *by)
{
	bool any = false;
	for (int r = 0; r < d->nreq; r++) {
		if (!d->has_asset_found[k][r])
			continue;
		if (!any || d->asset_found[k][r] > *v)
			*v = d->asset_found[k][r];
		strbuf_adds(by, any ? "," : "");
		strbuf_add_json_string_or_null(by, d->req[r].source);
		any = true;
	}
	if (any && k != A_FINANCIAL) /* exempt ones (the home lived in, a disability vehicle) are not counted */
		*v = *v > d->asset_exempt[k] ? *v - d->asset_exempt[k] : 0;
	return any;
}

static void add_amount_or_count(struct strbuf *o, const char *key, int k, int64_t v)
{
	if (k == A_FINANCIAL)
		strbuf_add_json_member_money(o, key, v);
	else
		strbuf_addf(o, ",\"%s\":%" PRId64, key, v);
}

/* The facts (enterprise, hukou) as ,"facts":[…]. */
static dd_status render_facts(struct db *db, int64_t vid, struct strbuf *o, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT f.person_id, p.name, f.item, r.source_code, f.quantity, f.amount, f.note "
			      "FROM verification_findings f JOIN persons p ON p.id = f.person_id JOIN "
			      "verification_requests r ON r.id = f.request_id WHERE f.verification_id = $1 AND "
			      "(f.item = 'enterprise' OR f.item = 'hukou') ORDER BY f.id",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, vid);
	strbuf_adds(o, ",\"facts\":[");
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		strbuf_addf(o, "%s{\"person_id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(o, "name", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(o, "item", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(o, "source", db_column_text(st, 3, NULL));
		strbuf_addf(o, ",\"quantity\":%" PRId64, db_column_int64(st, 4));
		strbuf_add_json_member_money(o, "amount", db_column_int64(st, 5));
		strbuf_add_json_member_text(o, "note", db_column_text(st, 6, NULL));
		strbuf_addc(o, '}');
	}
	db_finalize(st);
	if (!rc)
		strbuf_adds(o, "]");
	return rc;
}

/* ,"KEY":{"determination","monthly_benefit"} of the stored household now,
 * or {"error": message} when the rules cannot run on it. */
static void render_assessment(struct db *db, const struct verification_env *env, const struct vrow *v, const char *key,
			      struct strbuf *o)
{
	const char *det = NULL;
	fen_t benefit = 0;
	struct svc_error ae;
	svc_error_clear(&ae);
	strbuf_addf(o, ",\"%s\":", key);
	if (casework_assess_brief(db, env->policy, v->household_id, v->programme, env->today, &det, &benefit, &ae)) {
		strbuf_adds(o, "{\"error\":");
		strbuf_add_json_string_or_null(o, ae.message);
		strbuf_addc(o, '}');
		return;
	}
	strbuf_adds(o, "{\"determination\":");
	strbuf_add_json_string_or_null(o, det);
	strbuf_add_json_member_money(o, "monthly_benefit", benefit);
	strbuf_addc(o, '}');
}

/* The report JSON of v as of env->today into o; *pending: requests neither
 * answered nor overdue (the report cannot be built yet). */
static dd_status build_report(struct db *db, const struct verification_env *env, const struct vrow *v, struct strbuf *o,
			      int *pending, int *differences, dd_error *err)
{
	struct report_data *d = calloc(1, sizeof *d);
	if (!d)
		return dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	dd_status rc = load_report_data(db, v, env->today, d, err);
	*pending = 0;
	*differences = 0;
	for (int r = 0; !rc && r < d->nreq; r++)
		*pending += d->req[r].pending;
	if (rc || *pending) {
		free(d);
		return rc;
	}
	char day[DATE_TEXT_MAX];
	date_format(env->today, day);
	strbuf_addf(o, "{\"verification_id\":%" PRId64 ",\"application_id\":%" PRId64 ",\"household_id\":%" PRId64,
		    v->id, v->application_id, v->household_id);
	strbuf_add_json_member_text(o, "region", v->region);
	strbuf_add_json_member_text(o, "programme", v->programme);
	strbuf_add_json_member_text(o, "built_on", day);
	strbuf_adds(o, ",\"sources\":[");
	int overdue = 0;
	for (int r = 0; r < d->nreq; r++) {
		const struct report_req *q = &d->req[r];
		overdue += q->overdue;
		strbuf_adds(o, r ? ",{\"code\":" : "{\"code\":");
		strbuf_add_json_string_or_null(o, q->source);
		strbuf_add_json_member_text(o, "name", q->name);
		strbuf_add_json_member_text(o, "department", q->department);
		strbuf_add_json_member_text(o, "request_no", q->request_no);
		strbuf_add_json_member_text(o, "state", q->overdue ? "overdue" : "answered");
		strbuf_add_json_member_text(o, "due_date", q->due);
		strbuf_add_json_member_text(o, "answered_at", q->answered_at[0] ? q->answered_at : NULL);
		strbuf_addc(o, '}');
	}
	strbuf_addf(o, "],\"overdue_sources\":%d,\"members\":[", overdue);
	struct strbuf by;
	strbuf_init(&by, 64);
	for (int m = 0; m < d->hm.n; m++) {
		const struct vmember *mm = &d->hm.m[m];
		char masked[IDNUM_LEN + 1] = "";
		if (strlen(mm->id_number) == IDNUM_LEN)
			idnum_mask(mm->id_number, masked);
		strbuf_addf(o, "%s{\"person_id\":%" PRId64, m ? "," : "", mm->person_id);
		strbuf_add_json_member_text(o, "name", mm->name);
		strbuf_add_json_member_text(o, "id_number", masked);
		strbuf_add_json_member_text(o, "relation", mm->relation);
		strbuf_adds(o, ",\"incomes\":[");
		int n = 0;
		for (size_t t = 0; t < NTYPES; t++) {
			fen_t ver = 0;
			strbuf_reset(&by);
			bool has_ver = verified_income(d, m, (int)t, &ver, &by);
			if (!has_ver && !d->has_declared[m][t])
				continue;
			fen_t dec = d->declared[m][t];
			bool differs = has_ver && ver != dec;
			*differences += differs;
			strbuf_adds(o, n++ ? ",{\"item\":" : "{\"item\":");
			strbuf_add_json_string_or_null(o, income_types[t]);
			strbuf_add_json_member_money(o, "declared", dec);
			if (has_ver) {
				strbuf_add_json_member_money(o, "verified", ver);
				strbuf_add_json_member_money(o, "difference", ver - dec);
			} else
				strbuf_adds(o, ",\"verified\":null,\"difference\":null");
			strbuf_addf(o, ",\"differs\":%s,\"by\":[", differs ? "true" : "false");
			strbuf_add(o, by.buf ? by.buf : "", by.len);
			strbuf_adds(o, "]}");
		}
		strbuf_adds(o, "]}");
	}
	strbuf_adds(o, "],\"assets\":[");
	for (int k = 0; k < NASSETS; k++) {
		int64_t ver = 0;
		strbuf_reset(&by);
		bool has_ver = verified_asset(d, k, &ver, &by);
		bool differs = has_ver && ver != d->asset_declared[k];
		*differences += differs;
		strbuf_adds(o, k ? ",{\"item\":" : "{\"item\":");
		strbuf_add_json_string_or_null(o, asset_kinds[k]);
		add_amount_or_count(o, "declared", k, d->asset_declared[k]);
		add_amount_or_count(o, "exempt", k, d->asset_exempt[k]);
		if (has_ver) {
			add_amount_or_count(o, "verified", k, ver);
			add_amount_or_count(o, "difference", k, ver - d->asset_declared[k]);
		} else
			strbuf_adds(o, ",\"verified\":null,\"difference\":null");
		strbuf_addf(o, ",\"differs\":%s,\"by\":[", differs ? "true" : "false");
		strbuf_add(o, by.buf ? by.buf : "", by.len);
		strbuf_adds(o, "]}");
	}
	strbuf_release(&by);
	strbuf_addc(o, ']');
	free(d);
	rc = render_facts(db, v->id, o, err);
	if (rc)
		return rc;
	strbuf_addf(o, ",\"differences\":%d", *differences);
	render_assessment(db, env, v, "assessment_before", o);
	strbuf_adds(o, ",\"assessment_after\":null}");
	if (o->failed)
		return dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	return DD_OK;
}

static int64_t retention_days(const struct verification_env *env, const char *region)
{
	char sig[REGION_TEXT_MAX];
	region_sig(region, sig);
	const struct policy_entry *p =
	    env->policy ? policy_lookup(env->policy, "verification.retention_days", sig, env->today) : NULL;
	return p && p->value.i >= 1 ? p->value.i : 0;
}

enum svc_kind verification_report(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t id, int64_t version, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_write(actor, "生成核对报告", e);
	struct vrow v;
	if (k || (k = load_vrow(db, actor, id, &v, e)))
		return k;
	if (version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	if (strcmp(v.state, "requested") != 0 && strcmp(v.state, "reported") != 0)
		return svc_fail(e, SVC_RULE, "BAD_STATE", NULL, "核对结果已采用或已撤销，不能重新生成报告");
	if (v.version != version)
		return stale(e);
	int64_t keep = retention_days(env, v.region);
	if (!keep)
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少政策参数 verification.retention_days");
	struct strbuf rep;
	strbuf_init(&rep, 4096);
	int pending = 0, differences = 0;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	char now[STORE_TIME_MAX], purge[DATE_TEXT_MAX], idt[24];
	store_now(now);
	date_format(env->today + (dd_date)keep, purge);
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = build_report(db, env, &v, &rep, &pending, &differences, &err);
	if (!rc && pending) {
		strbuf_release(&rep);
		return svc_rollback(db, svc_fail(e, SVC_RULE, "ANSWERS_PENDING", NULL,
						 "还有 %d 个核对请求未回复且未逾期，暂不能生成核对报告", pending));
	}
	if (!rc)
		rc = db_prepare_cached(db,
				       "UPDATE verifications SET state = 'reported', report = $2, reported_at = $3, "
				       "purge_after = $4, updated_at = $3, version = version + 1 WHERE id = $1 AND "
				       "version = $5",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_text(st, 2, rep.buf, rep.len);
		db_bind_str(st, 3, now);
		db_bind_str(st, 4, purge);
		db_bind_int64(st, 5, version);
		rc = db_run(st, &err);
		bool changed = !rc && db_changes(st) == 1;
		db_finalize(st);
		if (!rc && !changed) {
			strbuf_release(&rep);
			return svc_rollback(db, stale(e));
		}
	}
	if (!rc) {
		char detail[96];
		snprintf(detail, sizeof detail, "{\"differences\":%d}", differences);
		id_text(id, idt);
		rc = audit_append_region(db, v.region, actor->username, "verification.report", "verification", idt,
					 detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	strbuf_release(&rep);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return verification_get(db, env, actor, id, out, e);
}

/* --- adopting the report ------------------------------------------------------ */

static dd_status adopt_income(struct db *db, const struct vrow *v, int64_t person_id, const char *type, fen_t amount,
			      const char *cur, const char *prev, const char *now, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare_cached(db,
			      "UPDATE incomes SET to_month = $3, updated_at = $5, version = version + 1 WHERE "
			      "person_id = $1 AND type = $2 AND (to_month IS NULL OR to_month >= $4) AND "
			      "(from_month IS NULL OR from_month < $4)",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person_id);
	db_bind_str(st, 2, type);
	db_bind_str(st, 3, prev);
	db_bind_str(st, 4, cur);
	db_bind_str(st, 5, now);
	rc = db_run(st, err);
	db_finalize(st);
	if (!rc)
		rc = db_prepare_cached(
		    db, "DELETE FROM incomes WHERE person_id = $1 AND type = $2 AND from_month >= $3", &st, err);
	if (!rc) {
		db_bind_int64(st, 1, person_id);
		db_bind_str(st, 2, type);
		db_bind_str(st, 3, cur);
		rc = db_run(st, err);
		db_finalize(st);
	}
	if (rc || amount <= 0)
		return rc;
	rc = db_prepare_cached(db,
			       "INSERT INTO incomes (person_id, household_id, region_code, type, amount, period, "
			       "from_month, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'month', $6, "
			       "'verified', $7, $7)",
			       &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person_id);
	db_bind_int64(st, 2, v->household_id);
	db_bind_str(st, 3, v->region);
	db_bind_str(st, 4, type);
	db_bind_int64(st, 5, amount);
	db_bind_str(st, 6, cur);
	db_bind_str(st, 7, now);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

static dd_status adopt_asset(struct db *db, const struct vrow *v, const char *kind, int64_t value, const char *day,
			     const char *now, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare_cached(db, "DELETE FROM assets WHERE household_id = $1 AND kind = $2 AND exempt = 0", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, v->household_id);
	db_bind_str(st, 2, kind);
	rc = db_run(st, err);
	db_finalize(st);
	if (rc || value <= 0)
		return rc;
	rc =
	    db_prepare_cached(db,
			      "INSERT INTO assets (household_id, region_code, kind, amount, quantity, as_of, note, "
			      "source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'verified', $8, $8)",
			      &st, err);
	if (rc)
		return rc;
	char note[64];
	snprintf(note, sizeof note, "家庭经济状况核对结果（核对 %" PRId64 "）", v->id);
	bool amount = strcmp(kind, "financial") == 0;
	db_bind_int64(st, 1, v->household_id);
	db_bind_str(st, 2, v->region);
	db_bind_str(st, 3, kind);
	db_bind_int64(st, 4, amount ? value : 0);
	db_bind_int64(st, 5, amount ? 0 : value);
	db_bind_str(st, 6, day);
	db_bind_str(st, 7, note);
	db_bind_str(st, 8, now);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

/* A verified value of a report line: money text or an integer; false when null. */
static bool line_value(const struct json_value *line, const char *key, bool money, int64_t *out)
{
	const struct json_value *x = json_get(line, key);
	if (!x)
		return false;
	if (money && x->type == JSON_STRING)
		return money_parse(x->str, x->len, MONEY_PLAIN, out, NULL) == DD_OK;
	return !money && x->type == JSON_NUMBER && json_int64(x, out);
}

/* Writes the report's verified figures; *incomes, *assets: lines replaced. */
static dd_status adopt_report(struct db *db, const struct vrow *v, const struct json_value *rep, dd_date today,
			      int *incomes, int *assets, dd_error *err)
{
	char cur[MONTH_TEXT_MAX], prev[MONTH_TEXT_MAX], day[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	month_format(date_month(today), cur);
	month_format(date_month(today) - 1, prev);
	date_format(today, day);
	store_now(now);
	*incomes = *assets = 0;
	dd_status rc = DD_OK;
	const struct json_value *members = json_get(rep, "members"), *as = json_get(rep, "assets");
	if (!members || members->type != JSON_ARRAY || !as || as->type != JSON_ARRAY)
		return dd_fail(err, DD_EINVAL, "report", "核对报告格式错误");
	for (const struct json_value *m = members->child; !rc && m; m = m->next) {
		int64_t pid = 0;
		const struct json_value *lines = json_get(m, "incomes");
		if (!line_value(m, "person_id", false, &pid) || !lines || lines->type != JSON_ARRAY)
			return dd_fail(err, DD_EINVAL, "report", "核对报告格式错误");
		for (const struct json_value *l = lines->child; !rc && l; l = l->next) {
			const struct json_value *item = json_get(l, "item");
			int64_t ver = 0;
			if (!item || item->type != JSON_STRING || income_type(item->str) < 0)
				return dd_fail(err, DD_EINVAL, "report", "核对报告格式错误");
			if (!line_value(l, "verified", true, &ver))
				continue;
			rc = adopt_income(db, v, pid, item->str, ver, cur, prev, now, err);
			(*incomes)++;
		}
	}
	for (const struct json_value *l = as->child; !rc && l; l = l->next) {
		const struct json_value *item = json_get(l, "item");
		if (!item || item->type != JSON_STRING || asset_kind(item->str) < 0)
			return dd_fail(err, DD_EINVAL, "report", "核对报告格式错误");
		int64_t ver = 0;
		if (!line_value(l, "verified", asset_kind(item->str) == A_FINANCIAL, &ver))
			continue;
		rc = adopt_asset(db, v, item->str, ver, day, now, err);
		(*assets)++;
	}
	return rc;
}

enum svc_kind verification_adopt(struct db *db, const struct verification_env *env, const struct principal *actor,
				 int64_t id, int64_t version, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_verification_write(actor, "采用核对结果", e);
	struct vrow v;
	if (k || (k = load_vrow(db, actor, id, &v, e)))
		return k;
	if (version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	if (strcmp(v.state, "reported") != 0)
		return svc_fail(e, SVC_RULE, "BAD_STATE", NULL, "只有已生成核对报告的核对才能采用结果");
	if (v.version != version)
		return stale(e);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	struct arena a;
	arena_init(&a, 64 * 1024, 64u * 1024 * 1024);
	struct strbuf rep;
	strbuf_init(&rep, 4096);
	int incomes = 0, assets = 0;
	char now[STORE_TIME_MAX], idt[24];
	store_now(now);
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT report, version FROM verifications WHERE id = $1", &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		rc = db_step(st, &row, &err);
		if (!rc && row && db_column_int64(st, 1) == version) {
			size_t n = 0;
			const char *text = db_column_text(st, 0, &n);
			if (text)
				strbuf_add(&rep, text, n);
		}
		db_finalize(st);
	}
	if (!rc && !rep.len) {
		arena_release(&a);
		strbuf_release(&rep);
		return svc_rollback(db, stale(e));
	}
	struct json_value *doc = NULL;
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	if (!rc)
		rc = json_parse(rep.buf, rep.len, &a, &lim, &doc, &err);
	if (!rc)
		rc = adopt_report(db, &v, doc, env->today, &incomes, &assets, &err);
	/* the assessment on the adopted figures goes into the report */
	static const char tail[] = ",\"assessment_after\":null}";
	if (!rc && (rep.len < sizeof tail - 1 || memcmp(rep.buf + rep.len - (sizeof tail - 1), tail, sizeof tail - 1)))
		rc = dd_fail(&err, DD_EINVAL, "report", "核对报告格式错误");
	if (!rc) {
		rep.len -= sizeof tail - 1;
		render_assessment(db, env, &v, "assessment_after", &rep);
		strbuf_addc(&rep, '}');
		rc = db_prepare_cached(db,
				       "UPDATE verifications SET state = 'adopted', report = $2, adopted_at = $3, "
				       "adopted_by = $4, updated_at = $3, version = version + 1 WHERE id = $1",
				       &st, &err);
	}
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_text(st, 2, rep.buf, rep.len);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, actor->id);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc) {
		char detail[96];
		snprintf(detail, sizeof detail, "{\"incomes\":%d,\"assets\":%d}", incomes, assets);
		id_text(id, idt);
		rc = audit_append_region(db, v.region, actor->username, "verification.adopt", "verification", idt,
					 detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	arena_release(&a);
	strbuf_release(&rep);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return verification_get(db, env, actor, id, out, e);
}

/* --- export ------------------------------------------------------------------- */

enum svc_kind verification_export(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t id, const char *format, struct strbuf *body,
				  char file_name[VERIFICATION_NAME_MAX], char display_name[VERIFICATION_NAME_MAX],
				  struct svc_error *e)
{
	(void)env;
	enum svc_kind k = authz_verification_view(actor, e);
	struct vrow v;
	if (k || (k = load_vrow(db, actor, id, &v, e)))
		return k;
	bool xlsx = format && strcmp(format, "xlsx") == 0;
	if (!format || (!xlsx && strcmp(format, "html") != 0))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "format", "格式 format 应为 html 或 xlsx");
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	struct strbuf rep;
	strbuf_init(&rep, 4096);
	char idt[24];
	id_text(id, idt);
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT report FROM verifications WHERE id = $1", &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		rc = db_step(st, &row, &err);
		size_t n = 0;
		const char *text = !rc && row ? db_column_text(st, 0, &n) : NULL;
		if (text)
			strbuf_add(&rep, text, n);
		db_finalize(st);
	}
	if (!rc && (!rep.len || v.purged)) {
		strbuf_release(&rep);
		return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_REPORT", NULL,
						 v.purged ? "核对数据已按保存期限清除" : "尚未生成核对报告"));
	}
	size_t mark = body->len;
	if (!rc)
		rc = xlsx ? verification_report_xlsx(rep.buf, rep.len, body, &err)
			  : verification_report_html(rep.buf, rep.len, body, &err);
	if (!rc)
		rc = audit_append_region(db, v.region, actor->username, "verification.export", "verification", idt,
					 xlsx ? "{\"format\":\"xlsx\"}" : "{\"format\":\"html\"}", &err);
	if (!rc)
		rc = db_commit(db, &err);
	strbuf_release(&rep);
	if (rc) {
		body->len = mark;
		return svc_store_fail(e, db, rc, &err);
	}
	snprintf(file_name, VERIFICATION_NAME_MAX, "verification-%" PRId64 ".%s", id, xlsx ? "xlsx" : "html");
	snprintf(display_name, VERIFICATION_NAME_MAX, "家庭经济状况核对报告-%" PRId64 ".%s", id,
		 xlsx ? "xlsx" : "html");
	return SVC_OK;
}

/* --- batches for the periodic reviews --------------------------------------------- */

enum svc_kind verification_batch_create(struct db *db, const struct verification_env *env,
					const struct principal *actor, const char *region, int64_t *id,
					struct strbuf *out, struct svc_error *e)
{
	*id = 0;
	enum svc_kind k = authz_verification_write(actor, "批量核对", e);
	if (k)
		return k;
	char sig[REGION_TEXT_MAX];
	if (!region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少乡镇（街道）region");
	if (strlen(region) != 9 || region_parse(region, 9, 9, sig, NULL) != DD_OK || region_level(sig) != 4)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "region 应为 9 位乡镇（街道）代码");
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "乡镇（街道）region 不在本辖区内");
	struct source src[SOURCES_MAX];
	int nsrc = 0;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], today[DATE_TEXT_MAX];
	store_region_range(sig, lo, hi);
	store_now(now);
	date_format(env->today, today);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_sources(db, src, &nsrc, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	uint32_t want = all_sources(nsrc);
	if ((k = check_deadlines(env, src, nsrc, want, sig, e)))
		return svc_rollback(db, k);
	/* the open review cases of the township without an open or adopted verification */
	struct cand {
		int64_t app, hid;
		char region[REGION_TEXT_MAX];
	} *cands = NULL;
	size_t n = 0, cap = 0;
	rc = db_prepare_cached(
	    db,
	    "SELECT a.id, a.household_id, a.region_code, a.state FROM applications a WHERE "
	    "a.region_code >= $1 AND a.region_code < $2 AND a.kind = 'review' AND a.household_id IS "
	    "NOT NULL AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.application_id = a.id AND "
	    "v.state <> 'cancelled') ORDER BY a.id",
	    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		while (!(rc = db_step(st, &row, &err)) && row) {
			const char *state = db_column_text(st, 3, NULL);
			if (case_state_final(case_state_parse(state ? state : "")))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				struct cand *c2 = realloc(cands, cap * sizeof *c2);
				if (!c2) {
					rc = dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)");
					break;
				}
				cands = c2;
			}
			cands[n].app = db_column_int64(st, 0);
			cands[n].hid = db_column_int64(st, 1);
			db_column_copy(st, 2, cands[n].region, sizeof cands[n].region);
			n++;
		}
		db_finalize(st);
	}
	if (!rc && !n) {
		free(cands);
		return svc_rollback(
		    db, svc_fail(e, SVC_RULE, "NOTHING_DUE", "region", "该乡镇（街道）没有待核对的复核案件"));
	}
	if (!rc)
		rc = db_prepare_cached(db,
				       "INSERT INTO verification_batches (region_code, as_of, created_by, created_at) "
				       "VALUES ($1, $2, $3, $4) RETURNING id",
				       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, region);
		db_bind_str(st, 2, today);
		db_bind_int64(st, 3, actor->id);
		db_bind_str(st, 4, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	struct household_members *hm = calloc(1, sizeof *hm);
	struct strbuf skipped;
	strbuf_init(&skipped, 256);
	int64_t made = 0, skip = 0;
	uint32_t covered[HOUSEHOLD_MAX_MEMBERS];
	if (!rc && !hm)
		rc = dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	for (size_t i = 0; !rc && i < n; i++) {
		rc = load_members(db, cands[i].hid, env->today, hm, &err);
		if (!rc)
			rc = load_coverage(db, cands[i].hid, env->today, hm, src, nsrc, covered, &err);
		if (rc)
			break;
		int missing = missing_authorisations(hm, covered, want);
		if (!hm->n || missing) {
			if (skip++ < 1000)
				strbuf_addf(&skipped,
					    "%s{\"application_id\":%" PRId64 ",\"household_id\":%" PRId64
					    ",\"reason\":\"%s\"}",
					    skip > 1 ? "," : "", cands[i].app, cands[i].hid,
					    hm->n ? "成年成员未签署有效的核对授权书" : "家庭没有现有成员");
			continue;
		}
		int64_t vid = 0;
		rc = insert_verification(db, env, actor, cands[i].app, cands[i].hid, cands[i].region, *id, src, nsrc,
					 want, now, &vid, &err);
		made++;
	}
	free(hm);
	free(cands);
	if (!rc && !made) {
		strbuf_release(&skipped);
		*id = 0;
		return svc_rollback(
		    db, svc_fail(e, SVC_RULE, "NOTHING_DUE", "region",
				 "该乡镇（街道）待核对的 %" PRId64 " 户复核案件均缺少成年成员的核对授权书", skip));
	}
	if (!rc) {
		rc = db_prepare_cached(
		    db,
		    "UPDATE verification_batches SET households = $2, skipped = $3, skipped_detail = $4 "
		    "WHERE id = $1",
		    &st, &err);
		if (!rc) {
			struct strbuf d;
			strbuf_init(&d, skipped.len + 8);
			strbuf_addc(&d, '[');
			strbuf_add(&d, skipped.buf ? skipped.buf : "", skipped.len);
			strbuf_addc(&d, ']');
			db_bind_int64(st, 1, *id);
			db_bind_int64(st, 2, made);
			db_bind_int64(st, 3, skip);
			db_bind_text(st, 4, d.buf, d.len);
			rc = db_run(st, &err);
			db_finalize(st);
			strbuf_release(&d);
		}
	}
	strbuf_release(&skipped);
	if (!rc) {
		char detail[128], idt[24];
		snprintf(detail, sizeof detail, "{\"households\":%" PRId64 ",\"skipped\":%" PRId64 "}", made, skip);
		id_text(*id, idt);
		rc = audit_append_region(db, region, actor->username, "verification.batch", "verification_batch", idt,
					 detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		*id = 0;
		return svc_store_fail(e, db, rc, &err);
	}
	return verification_batch_get(db, env, actor, *id, out, e);
}

enum svc_kind verification_batch_get(struct db *db, const struct verification_env *env, const struct principal *actor,
				     int64_t id, struct strbuf *out, struct svc_error *e)
{
	(void)env;
	enum svc_kind k = authz_verification_view(actor, e);
	if (k)
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	size_t mark = out->len;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT id, region_code, as_of, households, skipped, skipped_detail, created_at, "
		    "(SELECT u.username FROM users u WHERE u.id = created_by) FROM verification_batches "
		    "WHERE id = $1 AND region_code >= $2 AND region_code < $3",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			strbuf_addf(out, "{\"id\":%" PRId64, db_column_int64(st, 0));
			strbuf_add_json_member_text(out, "region", db_column_text(st, 1, NULL));
			strbuf_add_json_member_text(out, "as_of", db_column_text(st, 2, NULL));
			strbuf_addf(out, ",\"households\":%" PRId64 ",\"skipped\":%" PRId64 ",\"skipped_detail\":",
				    db_column_int64(st, 3), db_column_int64(st, 4));
			size_t n = 0;
			const char *sd = db_column_text(st, 5, &n);
			if (sd)
				strbuf_add(out, sd, n);
			else
				strbuf_adds(out, "[]");
			strbuf_add_json_member_text(out, "created_at", db_column_text(st, 6, NULL));
			strbuf_add_json_member_text(out, "created_by", db_column_text(st, 7, NULL));
		}
		db_finalize(st);
	}
	if (!rc && !row) {
		db_rollback(db);
		return not_found(e, "批量核对");
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT r.source_code, s.name, count(*), SUM(CASE WHEN r.state = 'answered' THEN 1 "
		    "ELSE 0 END) FROM verification_requests r JOIN verifications v ON v.id = "
		    "r.verification_id JOIN verification_sources s ON s.code = r.source_code WHERE "
		    "v.batch_id = $1 GROUP BY r.source_code, s.name, s.sort ORDER BY s.sort",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		strbuf_adds(out, ",\"sources\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			strbuf_adds(out, n ? ",{\"code\":" : "{\"code\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 0, NULL));
			strbuf_add_json_member_text(out, "name", db_column_text(st, 1, NULL));
			strbuf_addf(out, ",\"requests\":%" PRId64 ",\"answered\":%" PRId64 "}", db_column_int64(st, 2),
				    db_column_int64(st, 3));
		}
		db_finalize(st);
		strbuf_adds(out, "]}");
	}
	db_rollback(db);
	if (rc) {
		out->len = mark;
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

enum svc_kind verification_batch_file(struct db *db, const struct verification_env *env, const struct principal *actor,
				      int64_t id, const char *source, const char *format, struct strbuf *body,
				      char file_name[VERIFICATION_NAME_MAX], char display_name[VERIFICATION_NAME_MAX],
				      struct svc_error *e)
{
	(void)env;
	enum svc_kind k = authz_verification_write(actor, "导出核对请求", e);
	if (k)
		return k;
	bool xlsx = format && strcmp(format, "xlsx") == 0;
	if (!format || (!xlsx && strcmp(format, "csv") != 0))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "format", "格式 format 应为 csv 或 xlsx");
	struct source src[SOURCES_MAX];
	int nsrc = 0;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], region[REGION_TEXT_MAX] = "";
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_sources(db, src, &nsrc, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT region_code FROM verification_batches WHERE id = $1 AND region_code >= $2 "
		    "AND region_code < $3",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			db_column_copy(st, 0, region, sizeof region);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, not_found(e, "批量核对"));
	const struct source *s = find_source(src, nsrc, source);
	if (!s)
		return svc_rollback(db,
				    svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "source", "source 不是已配置的核对来源"));
	static const char *const head[] = {"请求编号",	   "身份证号", "姓名",	  "与户主关系",
					   "户主身份证号", "所在地区", "核对项目"};
	struct xlsx_out *x = NULL;
	size_t mark = body->len;
	if (xlsx) {
		rc = xlsx_out_open(&x, "核对请求", &err);
		for (uint16_t c = 0; !rc && c < COUNT(head); c++)
			xlsx_out_bold(x, 0, c, head[c]);
	} else {
		strbuf_adds(body, "\xEF\xBB\xBF");
		for (size_t c = 0; c < COUNT(head); c++) {
			strbuf_adds(body, c ? "," : "");
			strbuf_adds(body, head[c]);
		}
		strbuf_adds(body, "\r\n");
	}
	char items_zh[256] = "";
	for (const char *p = s->items; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char code[CODE_MAX];
		snprintf(code, sizeof code, "%.*s", (int)(len < CODE_MAX ? len : CODE_MAX - 1), p);
		size_t used = strlen(items_zh);
		snprintf(items_zh + used, sizeof items_zh - used, "%s%s", used ? "、" : "", verification_item_zh(code));
		p = c ? c + 1 : p + len;
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT r.request_no, p.id_number, p.name, m.relation, (SELECT hp.id_number FROM memberships hm "
		    "JOIN persons hp ON hp.id = hm.person_id WHERE hm.household_id = v.household_id AND hm.relation = "
		    "'head' AND hm.to_date IS NULL), v.region_code FROM verification_requests r JOIN verifications v "
		    "ON v.id = r.verification_id JOIN memberships m ON m.household_id = v.household_id AND m.from_date "
		    "<= v.requested_on AND (m.to_date IS NULL OR m.to_date > v.requested_on) JOIN persons p ON p.id = "
		    "m.person_id WHERE v.batch_id = $1 AND r.source_code = $2 ORDER BY r.id, p.id",
		    &st, &err);
	int64_t rows = 0;
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, s->code);
		while (!(rc = db_step(st, &row, &err)) && row) {
			const char *cells[7];
			for (int c = 0; c < 6; c++)
				cells[c] = db_column_text(st, c, NULL);
			cells[6] = items_zh;
			rows++;
			if (x) {
				for (uint16_t c = 0; c < 7; c++)
					xlsx_out_text(x, (uint32_t)rows, c, cells[c] ? cells[c] : "");
			} else {
				for (int c = 0; c < 7; c++) {
					if (c)
						strbuf_addc(body, ',');
					const char *t = cells[c] ? cells[c] : "";
					csv_append_field(body, t, strlen(t), CSV_OUT_PROTECT);
				}
				strbuf_adds(body, "\r\n");
			}
		}
		db_finalize(st);
	}
	if (x) {
		if (!rc)
			rc = xlsx_out_finish(x, body, &err);
		else
			xlsx_out_abort(x);
	}
	if (!rc) {
		char detail[128], idt[24];
		snprintf(detail, sizeof detail, "{\"source\":\"%s\",\"rows\":%" PRId64 "}", s->code, rows);
		id_text(id, idt);
		rc = audit_append_region(db, region, actor->username, "verification.request_file", "verification_batch",
					 idt, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		body->len = mark;
		return svc_store_fail(e, db, rc, &err);
	}
	snprintf(file_name, VERIFICATION_NAME_MAX, "verification-batch-%" PRId64 "-%s.%s", id, s->code,
		 xlsx ? "xlsx" : "csv");
	snprintf(display_name, VERIFICATION_NAME_MAX, "核对请求-批次%" PRId64 "-%s.%s", id, s->name,
		 xlsx ? "xlsx" : "csv");
	return SVC_OK;
}

/* --- purge ----------------------------------------------------------------------- */

enum svc_kind verification_purge(struct db *db, const struct verification_env *env, const struct principal *actor,
				 int64_t *purged, struct svc_error *e)
{
	*purged = 0;
	if (actor && actor->role != ROLE_COUNTY && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"核对数据的到期清除由区县民政部门或系统管理员执行");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], today[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	store_region_range(actor ? actor->scope : "", lo, hi);
	date_format(env->today, today);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL, *del = NULL, *upd = NULL;
	bool row = false;
	int64_t *ids = NULL;
	char(*regions)[REGION_TEXT_MAX] = NULL;
	size_t n = 0, cap = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT id, region_code FROM verifications WHERE purge_after < $1 AND purged_at IS "
		    "NULL AND region_code >= $2 AND region_code < $3 ORDER BY id",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, today);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		while (!(rc = db_step(st, &row, &err)) && row) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				int64_t *i2 = realloc(ids, cap * sizeof *i2);
				char(*r2)[REGION_TEXT_MAX] = i2 ? realloc(regions, cap * sizeof *r2) : NULL;
				if (i2)
					ids = i2;
				if (!r2) {
					rc = dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)");
					break;
				}
				regions = r2;
			}
			ids[n] = db_column_int64(st, 0);
			db_column_copy(st, 1, regions[n], REGION_TEXT_MAX);
			n++;
		}
		db_finalize(st);
	}
	if (!rc)
		rc = db_prepare_cached(db, "DELETE FROM verification_findings WHERE verification_id = $1", &del, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "UPDATE verifications SET report = NULL, purged_at = $2, updated_at = $2, version = "
		    "version + 1 WHERE id = $1",
		    &upd, &err);
	for (size_t i = 0; !rc && i < n; i++) {
		db_reset(del);
		db_bind_int64(del, 1, ids[i]);
		rc = db_run(del, &err);
		if (!rc) {
			db_reset(upd);
			db_bind_int64(upd, 1, ids[i]);
			db_bind_str(upd, 2, now);
			rc = db_run(upd, &err);
		}
		if (!rc) {
			char idt[24];
			id_text(ids[i], idt);
			rc = audit_append_region(db, regions[i], actor ? actor->username : "system",
						 "verification.purge", "verification", idt, NULL, &err);
		}
	}
	if (del)
		db_finalize(del);
	if (upd)
		db_finalize(upd);
	free(ids);
	free(regions);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	*purged = (int64_t)n;
	return SVC_OK;
}

/* --- the workbench ------------------------------------------------------------- */

dd_status verification_workbench(struct db *db, const char *lo, const char *hi, const char *today, int64_t max,
				 struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	int64_t open = 0, overdue = 0;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT count(*) FROM verifications WHERE region_code >= $1 AND region_code < $2 "
			      "AND (state = 'requested' OR state = 'reported')",
			      &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	rc = db_step(st, &row, err);
	if (!rc && row)
		open = db_column_int64(st, 0);
	db_finalize(st);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT count(*)" OVERDUE_WHERE, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, today);
	rc = db_step(st, &row, err);
	if (!rc && row)
		overdue = db_column_int64(st, 0);
	db_finalize(st);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT r.id, r.verification_id, (SELECT s.name FROM verification_sources s WHERE "
		    "s.code = r.source_code), r.request_no, r.due_date, r.region_code" OVERDUE_WHERE
		    " ORDER BY r.due_date, r.id LIMIT $4",
		    &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, today);
	db_bind_int64(st, 4, max);
	strbuf_addf(out, "{\"open\":%" PRId64 ",\"overdue\":%" PRId64 ",\"overdue_items\":[", open, overdue);
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		strbuf_addf(out, "%s{\"id\":%" PRId64 ",\"verification_id\":%" PRId64, n ? "," : "",
			    db_column_int64(st, 0), db_column_int64(st, 1));
		strbuf_add_json_member_text(out, "source_name", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "request_no", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "due_date", db_column_text(st, 4, NULL));
		strbuf_add_json_member_text(out, "region", db_column_text(st, 5, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	strbuf_adds(out, "]}");
	return rc;
}

enum svc_kind verification_batches(struct db *db, const struct verification_env *env, const struct principal *actor,
				   int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	(void)env;
	enum svc_kind k = authz_verification_view(actor, e);
	if (k || (k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db, "SELECT count(*) FROM verification_batches WHERE region_code >= $1 AND region_code < $2", &st,
		    &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			total = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT b.id, b.region_code, (SELECT r.name FROM regions r WHERE r.code = "
		    "b.region_code), b.as_of, b.households, b.skipped, b.created_at, (SELECT u.username "
		    "FROM users u WHERE u.id = b.created_by), (SELECT count(*) FROM verifications v WHERE "
		    "v.batch_id = b.id AND v.state <> 'requested') FROM verification_batches b WHERE "
		    "b.region_code >= $1 AND b.region_code < $2 ORDER BY b.id DESC LIMIT $3 OFFSET $4",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_int64(st, 3, per_page);
		db_bind_int64(st, 4, (page - 1) * per_page);
		strbuf_adds(out, "{\"items\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
			strbuf_add_json_member_text(out, "region", db_column_text(st, 1, NULL));
			strbuf_add_json_member_text(out, "region_name", db_column_text(st, 2, NULL));
			strbuf_add_json_member_text(out, "as_of", db_column_text(st, 3, NULL));
			strbuf_addf(out, ",\"households\":%" PRId64 ",\"skipped\":%" PRId64, db_column_int64(st, 4),
				    db_column_int64(st, 5));
			strbuf_add_json_member_text(out, "created_at", db_column_text(st, 6, NULL));
			strbuf_add_json_member_text(out, "created_by", db_column_text(st, 7, NULL));
			strbuf_addf(out, ",\"reported\":%" PRId64 "}", db_column_int64(st, 8));
		}
		db_finalize(st);
		strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, page,
			    per_page);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* --- authorisations signed online (citizen portal) ---------------------------------- */

dd_status verification_authorise_online(struct db *db, const struct policy *policy, const struct principal *actor,
					int64_t household_id, int64_t application_id, const char *signers, size_t n,
					const char *submitted_at, const char *document, int *count, dd_error *err)
{
	*count = 0;
	dd_date signed_on = 0;
	if (!signers || !n)
		return DD_OK;
	if (!store_time_china_date(submitted_at, &signed_on))
		return dd_fail(err, DD_EINVAL, "submitted_at", "网上申请的提交时间无效");
	char region[REGION_TEXT_MAX] = "", sig[REGION_TEXT_MAX] = "";
	struct db_stmt *st = NULL, *ins = NULL;
	bool row = false;
	dd_status rc = db_prepare_cached(db, "SELECT region_code FROM households WHERE id = $1", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, household_id);
	rc = db_step(st, &row, err);
	if (!rc && row)
		db_column_copy(st, 0, region, sizeof region);
	db_finalize(st);
	if (!rc && (!row || !region_sig(region, sig)))
		rc = dd_fail(err, DD_ENOTFOUND, "household_id", "家庭不存在");
	if (rc)
		return rc;
	const struct policy_entry *days =
	    policy ? policy_lookup(policy, "verification.authorisation_valid_days", sig, signed_on) : NULL;
	if (!days || days->value.i < 1)
		return dd_fail(err, DD_ENOTFOUND, "policy", "缺少政策参数 verification.authorisation_valid_days");
	char from[DATE_TEXT_MAX], until[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	date_format(signed_on, from);
	date_format(signed_on + (dd_date)days->value.i, until);
	store_now(now);
	struct arena a;
	arena_init(&a, 4096, 1024 * 1024);
	struct json_value *doc = NULL;
	struct json_limits lim = {.max_depth = 4};
	rc = json_parse(signers, n, &a, &lim, &doc, err);
	if (!rc && doc->type != JSON_ARRAY)
		rc = dd_fail(err, DD_EINVAL, "verification_signers", "授权签署人格式错误");
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT p.id FROM persons p JOIN memberships m ON m.person_id = p.id WHERE "
				       "m.household_id = $1 AND m.to_date IS NULL AND p.id_number = $2",
				       &st, err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO verification_authorisations (household_id, person_id, application_id, "
		    "region_code, method, scope, signed_on, valid_until, document, recorded_by, "
		    "created_at) VALUES ($1, $2, $3, $4, 'online', 'all', $5, $6, $7, $8, $9)",
		    &ins, err);
	for (const struct json_value *x = rc ? NULL : doc->child; !rc && x; x = x->next) {
		if (x->type != JSON_STRING)
			continue;
		db_reset(st);
		db_bind_int64(st, 1, household_id);
		db_bind_str(st, 2, x->str);
		if ((rc = db_step(st, &row, err)) || !row)
			continue; /* a signer no longer in the household signs nothing */
		int64_t pid = db_column_int64(st, 0);
		db_reset(ins);
		db_bind_int64(ins, 1, household_id);
		db_bind_int64(ins, 2, pid);
		db_bind_int64(ins, 3, application_id);
		db_bind_str(ins, 4, region);
		db_bind_str(ins, 5, from);
		db_bind_str(ins, 6, until);
		db_bind_str(ins, 7, document);
		db_bind_int64(ins, 8, actor->id);
		db_bind_str(ins, 9, now);
		if (!(rc = db_run(ins, err)))
			(*count)++;
	}
	if (st)
		db_finalize(st);
	if (ins)
		db_finalize(ins);
	arena_release(&a);
	if (!rc && *count) {
		char detail[160], idt[24];
		snprintf(detail, sizeof detail, "{\"persons\":%d,\"method\":\"online\",\"valid_until\":\"%s\"}", *count,
			 until);
		id_text(household_id, idt);
		rc = audit_append_region(db, region, actor->username, "verification.authorise", "household", idt,
					 detail, err);
	}
	return rc;
}
