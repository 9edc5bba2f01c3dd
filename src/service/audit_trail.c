/* audit_trail.c - the audit log as pages (audit_trail.h). Filters use the
 * audit_log_entity and audit_log_region indexes; the national scope reads
 * by seq alone. */
#include "audit_trail.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil_date.h"

#include "sql_query.h"
#include "store/db.h"
#include "store/store.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The WHERE clause (or nothing): scope, entity, entity id, actor, action,
 * days. `at` is text "YYYY-MM-DDThh:mm:ss.mmmZ" (UTC), so a day's rows are
 * those >= "YYYY-MM-DD" and < "YYYY-MM-DDU" ('U' sorts right after 'T'):
 * aq->to here is already that end (audit_trail_list). */
static void trail_filter(struct sql_query *q, const char *scope, const char *lo, const char *hi,
			 const struct audit_trail_query *aq)
{
	const char *and = " WHERE ";
	if (*scope) {
		sql_query_sql(q, " WHERE region_code >= ");
		sql_query_text(q, lo);
		sql_query_sql(q, " AND region_code < ");
		sql_query_text(q, hi);
		and = " AND ";
	}
	if (*aq->entity) {
		sql_query_sql(q, and);
		sql_query_sql(q, "entity = ");
		sql_query_text(q, aq->entity);
		if (*aq->entity_id) {
			sql_query_sql(q, " AND entity_id = ");
			sql_query_text(q, aq->entity_id);
		}
		and = " AND ";
	}
	const char *col[] = {"actor = ", "action = ", "at >= ", "at < "};
	const char *val[] = {or_empty(aq->actor), or_empty(aq->action), or_empty(aq->from), or_empty(aq->to)};
	for (int i = 0; i < 4; i++) {
		if (!*val[i])
			continue;
		sql_query_sql(q, and);
		sql_query_sql(q, col[i]);
		sql_query_text(q, val[i]);
		and = " AND ";
	}
}

/* A day filter: "" or a valid YYYY-MM-DD. */
static bool day_ok(const char *s)
{
	if (!s || !*s)
		return true;
	dd_date d;
	dd_error err;
	dd_error_clear(&err);
	return strlen(s) == 10 && date_parse(s, 10, &d, &err) == DD_OK;
}

static void add_str(struct strbuf *b, const char *s)
{
	strbuf_add_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

static dd_status trail_page(struct db *db, const char *scope, const char *lo, const char *hi,
			    const struct audit_trail_query *aq, struct strbuf *out, dd_error *err)
{
	struct sql_query q;
	sql_query_init(&q);
	sql_query_sql(&q, "SELECT seq, at, actor, action, entity, entity_id, region_code, detail, hash FROM audit_log");
	trail_filter(&q, scope, lo, hi, aq);
	sql_query_sql(&q, " ORDER BY seq DESC LIMIT ");
	sql_query_int(&q, aq->per_page);
	sql_query_sql(&q, " OFFSET ");
	sql_query_int(&q, (aq->page - 1) * aq->per_page);
	struct db_stmt *st = NULL;
	bool row = false, first = true;
	dd_status rc = sql_query_prepare(db, &q, &st, err);
	while (!rc && !(rc = db_step(st, &row, err)) && row) {
		strbuf_adds(out, first ? "{\"seq\":" : ",{\"seq\":");
		first = false;
		strbuf_add_int(out, db_column_int64(st, 0));
		static const char *const keys[] = {
		    ",\"at\":", ",\"actor\":", ",\"action\":", ",\"entity\":", ",\"entity_id\":", ",\"region\":"};
		for (int k = 0; k < 6; k++) {
			strbuf_adds(out, keys[k]);
			add_str(out, db_column_text(st, 1 + k, NULL));
		}
		/* the detail is JSON already (audit_append checks it) */
		size_t n = 0;
		const char *detail = db_column_text(st, 7, &n);
		strbuf_adds(out, ",\"detail\":");
		if (detail && n)
			strbuf_add(out, detail, n);
		else
			strbuf_adds(out, "{}");
		strbuf_adds(out, ",\"hash\":");
		add_str(out, db_column_text(st, 8, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	sql_query_release(&q);
	return rc;
}

static dd_status trail_count(struct db *db, const char *scope, const char *lo, const char *hi,
			     const struct audit_trail_query *aq, int64_t *total, dd_error *err)
{
	struct sql_query q;
	sql_query_init(&q);
	sql_query_sql(&q, "SELECT count(*) FROM audit_log");
	trail_filter(&q, scope, lo, hi, aq);
	dd_status rc = sql_query_int64(db, &q, total, err);
	sql_query_release(&q);
	return rc;
}

enum svc_kind audit_trail_list(struct db *db, const struct principal *actor, const struct audit_trail_query *aq,
			       struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_audit_read(actor, e);
	if (k)
		return k;
	if ((k = svc_page_check(aq->page, aq->per_page, AUDIT_TRAIL_PER_PAGE_MAX, e)))
		return k;
	if (*aq->entity_id && !*aq->entity)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "entity", "按 id 查询时须同时给出 entity");
	if (!day_ok(aq->from))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "from", "起始日期应为 YYYY-MM-DD 格式的有效日期");
	if (!day_ok(aq->to))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "to", "截止日期应为 YYYY-MM-DD 格式的有效日期");
	if (aq->from && aq->to && *aq->from && *aq->to && strcmp(aq->from, aq->to) > 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "to", "截止日期不能早于起始日期");
	/* the filter compares with the end of the `to` day; the text outlives the query */
	struct audit_trail_query fq = *aq;
	char end[16] = "";
	if (aq->to && *aq->to)
		snprintf(end, sizeof end, "%.10sU", aq->to);
	fq.to = end;
	aq = &fq;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	int64_t total = 0;
	strbuf_adds(out, "{\"items\":[");
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = trail_page(db, actor->scope, lo, hi, aq, out, &err);
	if (!rc)
		rc = trail_count(db, actor->scope, lo, hi, aq, &total, &err);
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, aq->page,
		    aq->per_page);
	return SVC_OK;
}
