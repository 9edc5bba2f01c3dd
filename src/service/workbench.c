/* workbench.c - the staff workbench: a handful of grouped counts and sums
 * over the region range of the caller, in one read transaction. */
#include "workbench.h"

#include <stdio.h>
#include <string.h>

#include "care_emergency.h"
#include "core/casework.h"
#include "core/money.h"
#include "hotline.h"
#include "referral.h"
#include "reserve_fund.h"
#include "store/db.h"
#include "store/store.h"
#include "verification.h"

static const char *const programmes[] = {"dibao", "tekun", "temporary", "children"};
#define N_PROGRAMMES (sizeof programmes / sizeof programmes[0])

static int programme_index(const char *p)
{
	for (size_t i = 0; p && i < N_PROGRAMMES; i++)
		if (strcmp(p, programmes[i]) == 0)
			return (int)i;
	return -1;
}

struct wb {
	struct db *db;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	char today[DATE_TEXT_MAX];
	char from_ts[32]; /* the first day of the first of the 12 months */
	dd_month month0;
	dd_error err;
};

/* Prepares sql (cached) and binds $1 lo, $2 hi, $3 third. */
static dd_status prep(struct wb *w, const char *sql, const char *third, struct db_stmt **st)
{
	dd_status rc = db_prepare_cached(w->db, sql, st, &w->err);
	if (rc)
		return rc;
	db_bind_str(*st, 1, w->lo);
	db_bind_str(*st, 2, w->hi);
	if (third)
		db_bind_str(*st, 3, third);
	return DD_OK;
}

/* "cases": the open cases (not closed) by state, due today and overdue. */
static dd_status cases(struct wb *w, struct strbuf *out)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = prep(w,
			    "SELECT state, count(*), sum(CASE WHEN due_date < $3 THEN 1 ELSE 0 END), "
			    "sum(CASE WHEN due_date = $3 THEN 1 ELSE 0 END) FROM applications "
			    "WHERE region_code >= $1 AND region_code < $2 AND closed_at IS NULL GROUP BY state "
			    "ORDER BY state",
			    w->today, &st);
	if (rc)
		return rc;
	int64_t open = 0, overdue = 0, due_today = 0;
	struct strbuf by;
	strbuf_init(&by, 256);
	int n = 0;
	while (!(rc = db_step(st, &row, &w->err)) && row) {
		const char *state = db_column_text(st, 0, NULL);
		int64_t c = db_column_int64(st, 1);
		open += c;
		overdue += db_column_int64(st, 2);
		due_today += db_column_int64(st, 3);
		if (n++)
			strbuf_addc(&by, ',');
		strbuf_add_json_string_or_null(&by, state ? state : "");
		strbuf_addf(&by, ":%lld", (long long)c);
	}
	db_finalize(st);
	strbuf_addf(out, "\"cases\":{\"open\":%lld,\"due_today\":%lld,\"overdue\":%lld,\"by_state\":{", (long long)open,
		    (long long)due_today, (long long)overdue);
	if (by.failed)
		out->failed = true;
	else
		strbuf_add(out, by.buf, by.len);
	strbuf_adds(out, "}}");
	strbuf_release(&by);
	return rc;
}

/* "due": the first cases to act on, overdue first, then due today. */
static dd_status due(struct wb *w, struct strbuf *out)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = prep(w,
			    "SELECT a.id, a.household_id, a.programme, a.state, a.due_date, "
			    "(SELECT p.name FROM memberships m JOIN persons p ON p.id = m.person_id "
			    "WHERE m.household_id = a.household_id AND m.to_date IS NULL AND m.relation = 'head') "
			    "FROM applications a WHERE a.region_code >= $1 AND a.region_code < $2 "
			    "AND a.closed_at IS NULL AND a.due_date <= $3 ORDER BY a.due_date, a.id LIMIT $4",
			    w->today, &st);
	if (rc)
		return rc;
	db_bind_int64(st, 4, WORKBENCH_DUE_MAX);
	strbuf_adds(out, ",\"due\":[");
	for (int n = 0; !(rc = db_step(st, &row, &w->err)) && row; n++) {
		const char *d = db_column_text(st, 4, NULL);
		enum case_state s = case_state_parse(db_column_text(st, 3, NULL));
		if (n)
			strbuf_addc(out, ',');
		strbuf_addf(out, "{\"id\":%lld,\"household_id\":", (long long)db_column_int64(st, 0));
		if (db_column_is_null(st, 1))
			strbuf_adds(out, "null");
		else
			strbuf_add_int(out, db_column_int64(st, 1));
		strbuf_adds(out, ",\"head_name\":");
		strbuf_add_json_string_or_null(out, db_column_text(st, 5, NULL));
		strbuf_adds(out, ",\"programme\":");
		strbuf_add_json_string_or_null(out, db_column_text(st, 2, NULL));
		strbuf_adds(out, ",\"state\":");
		strbuf_add_json_string_or_null(out, db_column_text(st, 3, NULL));
		strbuf_adds(out, ",\"state_name\":");
		strbuf_add_json_string_or_null(out, s != CS_COUNT ? case_state_zh(s) : db_column_text(st, 3, NULL));
		strbuf_adds(out, ",\"deadline\":");
		strbuf_add_json_string_or_null(out, d);
		strbuf_addf(out, ",\"overdue\":%s}", d && strcmp(d, w->today) < 0 ? "true" : "false");
	}
	db_finalize(st);
	strbuf_addc(out, ']');
	return rc;
}

/* "alerts": open (not closed) and, of those, past their due date. */
static dd_status alerts(struct wb *w, struct strbuf *out)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = prep(w,
			    "SELECT count(*), sum(CASE WHEN due_date < $3 THEN 1 ELSE 0 END) FROM alerts "
			    "WHERE region_code >= $1 AND region_code < $2 AND state <> 'closed'",
			    w->today, &st);
	if (rc)
		return rc;
	int64_t open = 0, overdue = 0;
	rc = db_step(st, &row, &w->err);
	if (!rc && row) {
		open = db_column_int64(st, 0);
		overdue = db_column_int64(st, 1);
	}
	db_finalize(st);
	strbuf_addf(out, ",\"alerts\":{\"open\":%lld,\"overdue\":%lld}", (long long)open, (long long)overdue);
	return rc;
}

/* "caseload": per month of the last 12 and programme, the cases opened
 * (created) and those approved and rejected (decided) in that month. */
static dd_status caseload(struct wb *w, struct strbuf *out)
{
	int64_t n[WORKBENCH_MONTHS][N_PROGRAMMES][3];
	memset(n, 0, sizeof n);
	static const char *const sql[2] = {
	    "SELECT substr(created_at, 1, 7), programme, 'opened', count(*) FROM applications "
	    "WHERE region_code >= $1 AND region_code < $2 AND created_at >= $3 GROUP BY substr(created_at, 1, 7), "
	    "programme",
	    "SELECT substr(decided_at, 1, 7), programme, state, count(*) FROM applications "
	    "WHERE region_code >= $1 AND region_code < $2 AND decided_at >= $3 "
	    "AND (state = 'approved' OR state = 'rejected') GROUP BY substr(decided_at, 1, 7), programme, state",
	};
	dd_status rc = DD_OK;
	for (int q = 0; !rc && q < 2; q++) {
		struct db_stmt *st;
		bool row = false;
		if ((rc = prep(w, sql[q], w->from_ts, &st)))
			break;
		while (!(rc = db_step(st, &row, &w->err)) && row) {
			size_t ml = 0;
			const char *mt = db_column_text(st, 0, &ml);
			dd_month m;
			int p = programme_index(db_column_text(st, 1, NULL));
			const char *what = db_column_text(st, 2, NULL);
			int k = !what ? -1 : strcmp(what, "opened") == 0 ? 0 : strcmp(what, "approved") == 0 ? 1 : 2;
			if (!mt || p < 0 || k < 0 || month_parse(mt, ml, &m, NULL) != DD_OK)
				continue;
			int i = (int)(m - w->month0);
			if (i >= 0 && i < WORKBENCH_MONTHS)
				n[i][p][k] += db_column_int64(st, 3);
		}
		db_finalize(st);
	}
	strbuf_adds(out, ",\"caseload\":[");
	for (int i = 0; i < WORKBENCH_MONTHS; i++) {
		char mt[MONTH_TEXT_MAX];
		month_format(w->month0 + i, mt);
		for (size_t p = 0; p < N_PROGRAMMES; p++)
			strbuf_addf(out,
				    "%s{\"month\":\"%s\",\"programme\":\"%s\",\"opened\":%lld,\"approved\":%lld,"
				    "\"rejected\":%lld}",
				    i || p ? "," : "", mt, programmes[p], (long long)n[i][p][0], (long long)n[i][p][1],
				    (long long)n[i][p][2]);
	}
	strbuf_addc(out, ']');
	return rc;
}

/* "payments": the sums paid or to pay (not cancelled or returned) per
 * period of the last 12 months and programme. */
static dd_status payments(struct wb *w, struct strbuf *out)
{
	struct db_stmt *st;
	bool row = false;
	/* the month's batches (a few per county), then each batch's payments in
	 * the region range (payments_batch covers it) */
	dd_status rc = prep(w,
			    "SELECT b.period, b.programme, sum(y.amount) FROM payroll_batches b JOIN payments y "
			    "ON y.batch_id = b.id WHERE b.period IN ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
			    "$14) AND b.state <> 'cancelled' AND y.region_code >= $1 AND y.region_code < $2 "
			    "AND y.state <> 'cancelled' AND y.state <> 'returned' "
			    "GROUP BY b.period, b.programme ORDER BY b.period, b.programme",
			    NULL, &st);
	if (rc)
		return rc;
	char months[WORKBENCH_MONTHS][MONTH_TEXT_MAX];
	for (int i = 0; i < WORKBENCH_MONTHS; i++) {
		month_format(w->month0 + i, months[i]);
		db_bind_str(st, 3 + i, months[i]);
	}
	strbuf_adds(out, ",\"payments\":[");
	for (int n = 0; !(rc = db_step(st, &row, &w->err)) && row; n++) {
		char m[MONEY_TEXT_MAX];
		money_format(db_column_int64(st, 2), m);
		if (n)
			strbuf_addc(out, ',');
		strbuf_adds(out, "{\"month\":");
		strbuf_add_json_string_or_null(out, db_column_text(st, 0, NULL));
		strbuf_adds(out, ",\"programme\":");
		strbuf_add_json_string_or_null(out, db_column_text(st, 1, NULL));
		strbuf_addf(out, ",\"amount\":\"%s\"}", m);
	}
	db_finalize(st);
	strbuf_addc(out, ']');
	return rc;
}

enum svc_kind workbench_get(struct db *db, const struct principal *actor, dd_date today, struct strbuf *out,
			    struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "无权查看工作台");
	struct wb w = {.db = db};
	dd_error_clear(&w.err);
	store_region_range(actor->scope, w.lo, w.hi);
	date_format(today, w.today);
	w.month0 = date_month(today) - (WORKBENCH_MONTHS - 1);
	char m0[MONTH_TEXT_MAX];
	month_format(w.month0, m0);
	snprintf(w.from_ts, sizeof w.from_ts, "%s-01", m0);
	dd_status rc = db_begin_read(db, &w.err);
	if (rc)
		return svc_store_fail(e, db, rc, &w.err);
	strbuf_addf(out, "{\"today\":\"%s\",", w.today);
	if (!authz_care_emergency_write(actor, NULL)) { /* guardianship and care emergencies, first */
		char now[STORE_TIME_MAX];
		store_now(now);
		strbuf_adds(out, "\"care_emergencies\":");
		rc = care_emergency_workbench(db, w.lo, w.hi, now, WORKBENCH_DUE_MAX, out, &w.err);
		strbuf_addc(out, ',');
	}
	if (!rc && authz_child_role(actor)) { /* a child director or supervisor: its emergencies only */
		strbuf_adds(out, "\"child_role\":true");
		db_rollback(db);
		strbuf_addc(out, '}');
		return SVC_OK;
	}
	if (!rc)
		rc = cases(&w, out);
	if (!rc)
		rc = due(&w, out);
	if (!rc)
		rc = alerts(&w, out);
	if (!rc) { /* 12345 work orders: open, overdue and the first overdue ones */
		char now[STORE_TIME_MAX];
		store_now(now);
		strbuf_adds(out, ",\"hotline\":");
		rc = hotline_workbench(db, w.lo, w.hi, now, w.today, WORKBENCH_DUE_MAX, out, &w.err);
	}
	if (!rc && !authz_verification_view(actor, NULL)) { /* household economic verification */
		strbuf_adds(out, ",\"verification\":");
		rc = verification_workbench(db, w.lo, w.hi, w.today, WORKBENCH_DUE_MAX, out, &w.err);
	}
	if (!rc) { /* referrals: those sent from the scope, or to a department user's office */
		strbuf_adds(out, ",\"referrals\":");
		rc = referral_workbench(db, w.lo, w.hi, actor->role == ROLE_DEPARTMENT ? actor->office : NULL, w.today,
					WORKBENCH_DUE_MAX, out, &w.err);
	}
	enum svc_kind k = SVC_OK;
	if (!rc) {
		int64_t n = 0;
		strbuf_adds(out, ",\"reserve_funds\":[");
		k = reserve_fund_list(db, actor, out, &n, e);
		strbuf_addc(out, ']');
		if (k)
			return k; /* rolled back */
	}
	if (!rc)
		rc = caseload(&w, out);
	if (!rc)
		rc = payments(&w, out);
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &w.err);
	strbuf_addc(out, '}');
	return SVC_OK;
}
