/* payroll.c - monthly payroll batches (payroll.h). */
#include "payroll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idnum.h"
#include "core/payroll.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "payroll_checks.h"

enum svc_kind payroll_authz_read(const struct principal *actor, const char *region_sig, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY && actor->role != ROLE_FINANCE && actor->role != ROLE_CITY &&
	    actor->role != ROLE_AUDITOR && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政、财政、市级民政、审计和系统管理员可以查看发放数据");
	if (region_sig && !authz_in_scope(actor, region_sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
	return SVC_OK;
}

/* --- generation ----------------------------------------------------------- */

/* The lines of the decisions in force for the month: $1 period YYYY-MM,
 * $2 programme, $3/$4 the county's region range, $5 the month's first day.
 * A household under a payment hold (payment_holds, an alert's "suspend")
 * is left out until the hold is released. */
#define IN_FORCE_COND                                                                                                  \
	"l.region_code >= $3 AND l.region_code < $4 AND l.amount > 0 "                                                 \
	"AND d.effective_from <= $5 AND (d.effective_to IS NULL OR d.effective_to > $5) "                              \
	"AND (l.component <> 'gradual_exit' OR d.gradual_exit_until IS NULL OR d.gradual_exit_until >= $1) "           \
	"AND NOT EXISTS (SELECT 1 FROM payment_holds h WHERE h.household_id = l.household_id "                         \
	"AND h.released_at IS NULL)"
#define LINES_JOIN                                                                                                     \
	" FROM decision_lines l JOIN decisions d ON d.id = l.decision_id JOIN persons p ON p.id = l.person_id "
#define IN_FORCE_FROM LINES_JOIN "WHERE l.programme = $2 AND " IN_FORCE_COND

#define KEY_EXPR                                                                                                       \
	"l.programme || ':' || l.component || ':' || COALESCE(l.household_id, 0) || ':' || l.person_id || ':' || "     \
	"CAST($1 AS TEXT)"

/* The first batch of the month: every line in force. $6 batch, $7 now. */
static const char regular_sql[] =
    "INSERT INTO payments (batch_id, decision_id, line_id, household_id, person_id, region_code, programme, kind, "
    "component, category, period, amount, dedup_key, state, bank_name, bank_account, created_at, updated_at) "
    "SELECT $6, d.id, l.id, l.household_id, l.person_id, l.region_code, l.programme, 'regular', l.component, "
    "l.category, CAST($1 AS TEXT), l.amount, " KEY_EXPR ", 'pending', p.bank_name, p.bank_account, "
    "CAST($7 AS TEXT), CAST($7 AS TEXT)" IN_FORCE_FROM " ORDER BY l.id";

/* A later run: what the lines in force give (want) against what the
 * county's live batches of the month hold (paid), per key, in one sorted
 * grouping (no join, so no quadratic plan): the difference where they
 * differ. The current decision's ids and bank account come from the
 * lines' side (max over the NULLs of the payments' side). $6 batch, $7 now,
 * $8 the county's code. A held household is on neither side: a hold stops
 * what is still to be generated and takes back nothing already in a batch. */
static const char adjust_sql[] =
    "WITH u AS (SELECT " KEY_EXPR " AS k, l.amount AS want, 0 AS paid, d.id AS decision_id, l.id AS line_id, "
    "l.household_id, l.person_id, l.region_code, l.component, l.category, p.bank_name, p.bank_account" IN_FORCE_FROM
    " UNION ALL SELECT y.dedup_key, 0, y.amount, y.decision_id, NULL, y.household_id, y.person_id, y.region_code, "
    "y.component, y.category, NULL, NULL FROM payments y JOIN payroll_batches b ON b.id = y.batch_id "
    "WHERE b.region_code = $8 AND b.programme = $2 AND b.period = $1 AND (b.kind = 'regular' OR "
    "b.kind = 'adjustment') AND b.state <> 'cancelled' AND y.state <> 'cancelled' AND NOT EXISTS (SELECT 1 FROM "
    "payment_holds h WHERE h.household_id = y.household_id AND h.released_at IS NULL)) "
    "INSERT INTO payments (batch_id, decision_id, line_id, household_id, person_id, region_code, programme, kind, "
    "component, category, period, amount, dedup_key, state, bank_name, bank_account, created_at, updated_at) "
    "SELECT $6, max(decision_id), max(line_id), max(household_id), max(person_id), max(region_code), $2, "
    "'adjustment', max(component), max(category), CAST($1 AS TEXT), sum(want) - sum(paid), k, 'pending', "
    "max(bank_name), max(bank_account), CAST($7 AS TEXT), CAST($7 AS TEXT) FROM u GROUP BY k "
    "HAVING sum(want) <> sum(paid)";

struct gen {
	struct db *db;
	const char *programme, *period;
	char first_day[11];
	char county[REGION_TEXT_MAX];
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	const char *actor;
	int64_t actor_id;
	dd_error err;
};

static dd_status query_pair(struct gen *g, const char *sql, int nbind, const char *const *binds, int64_t *a, int64_t *b)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(g->db, sql, 0, &st, &g->err);
	if (rc)
		return rc;
	for (int i = 0; i < nbind; i++)
		db_bind_str(st, i + 1, binds[i]);
	if (!(rc = db_step(st, &row, &g->err)) && row) {
		*a = db_column_int64(st, 0);
		if (b)
			*b = db_column_int64(st, 1);
	}
	db_finalize(st);
	return rc;
}

static dd_status batches_held(struct gen *g, int64_t *live, int64_t *regular);

/* --- fingerprints (payroll_sources) ---------------------------------------- */

/* What a county's payroll of a month was generated from: v[0..2] the lines in
 * force (count, sum of amounts, sum of a hash of their ids), v[3..4] the live
 * payments (count, sum). Right after a generation the payments match the
 * lines key by key; while both fingerprints stay the same a new run would
 * find nothing to adjust. The hash squares the id modulo primes below 2^31,
 * so no step overflows int64 on either backend. */
#define LINE_HASH(col) "(((" col " % 2147483647) * (" col " % 2147483647)) % 2147483629)"
#define FP_LINES 3
#define FP_ALL 5

struct fp {
	char county[REGION_TEXT_MAX];
	char programme[16];
	int64_t v[FP_ALL];
};

struct fpset {
	struct fp *v;
	size_t n, cap;
};

/* $1 period, $2 programme or '', $3/$4 the region range, $5 the first day */
static const char fp_lines_sql[] =
    "SELECT substr(l.region_code, 1, 6), l.programme, count(*), COALESCE(sum(l.amount), 0), "
    "COALESCE(sum(" LINE_HASH("l.id") "), 0)" LINES_JOIN "WHERE ($2 = '' OR l.programme = $2) AND " IN_FORCE_COND
				      " GROUP BY substr(l.region_code, 1, 6), l.programme";

/* $1 period, $2 programme or '', $3/$4 the region range */
static const char fp_paid_sql[] =
    "SELECT b.region_code, b.programme, count(*), COALESCE(sum(y.amount), 0) FROM payroll_batches b "
    "JOIN payments y ON y.batch_id = b.id WHERE b.period = $1 AND ($2 = '' OR b.programme = $2) "
    "AND b.region_code >= $3 AND b.region_code < $4 AND (b.kind = 'regular' OR b.kind = 'adjustment') "
    "AND b.state <> 'cancelled' AND y.state <> 'cancelled' GROUP BY b.region_code, b.programme";

static const char fp_stored_sql[] =
    "SELECT region_code, programme, lines_count, lines_amount, lines_hash, paid_count, paid_amount "
    "FROM payroll_sources WHERE period = $1 AND ($2 = '' OR programme = $2) AND region_code >= $3 "
    "AND region_code < $4";

static int fp_cmp(const void *a, const void *b)
{
	const struct fp *x = a, *y = b;
	int c = strcmp(x->county, y->county);
	return c ? c : strcmp(x->programme, y->programme);
}

static const struct fp *fp_find(const struct fpset *set, const char *county, const char *programme)
{
	struct fp key = {0};
	snprintf(key.county, sizeof key.county, "%s", county);
	snprintf(key.programme, sizeof key.programme, "%s", programme);
	return set->n ? bsearch(&key, set->v, set->n, sizeof *set->v, fp_cmp) : NULL;
}

/* Reads rows of (county, programme, k numbers) into v[at..at+k), sorted. */
static dd_status fp_read(struct gen *g, const char *sql, int nbind, const char *const *binds, int at, int k,
			 struct fpset *out)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(g->db, sql, 0, &st, &g->err);
	if (rc)
		return rc;
	for (int i = 0; i < nbind; i++)
		db_bind_str(st, i + 1, binds[i]);
	while (!(rc = db_step(st, &row, &g->err)) && row) {
		if (out->n == out->cap) {
			size_t nc = out->cap ? out->cap * 2 : 64;
			void *p = realloc(out->v, nc * sizeof *out->v);
			if (!p) {
				rc = dd_fail(&g->err, DD_ENOMEM, "db", "内存不足 (out of memory)");
				break;
			}
			out->v = p;
			out->cap = nc;
		}
		struct fp *f = &out->v[out->n++];
		memset(f, 0, sizeof *f);
		db_column_copy(st, 0, f->county, sizeof f->county);
		db_column_copy(st, 1, f->programme, sizeof f->programme);
		for (int j = 0; j < k; j++)
			f->v[at + j] = db_column_int64(st, 2 + j);
	}
	db_finalize(st);
	if (!rc && out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, fp_cmp);
	return rc;
}

/* The lines fingerprint of one county and programme (zeros: nothing in force). */
static dd_status fp_county_lines(struct gen *g, struct fp *f)
{
	struct fpset set = {0};
	const char *b[] = {g->period, g->programme, g->lo, g->hi, g->first_day};
	dd_status rc = fp_read(g, fp_lines_sql, 5, b, 0, FP_LINES, &set);
	memset(f, 0, sizeof *f);
	snprintf(f->county, sizeof f->county, "%s", g->county);
	snprintf(f->programme, sizeof f->programme, "%s", g->programme);
	const struct fp *got = rc ? NULL : fp_find(&set, g->county, g->programme);
	if (got)
		memcpy(f->v, got->v, sizeof f->v);
	free(set.v);
	return rc;
}

/* Records f for g's period (lines and payments), in the caller's transaction. */
static dd_status fp_store(struct gen *g, const struct fp *f, const char *now)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    g->db,
	    "INSERT INTO payroll_sources (region_code, programme, period, lines_count, lines_amount, lines_hash, "
	    "paid_count, paid_amount, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
	    "ON CONFLICT (region_code, programme, period) DO UPDATE SET lines_count = excluded.lines_count, "
	    "lines_amount = excluded.lines_amount, lines_hash = excluded.lines_hash, paid_count = excluded.paid_count, "
	    "paid_amount = excluded.paid_amount, updated_at = excluded.updated_at",
	    0, &st, &g->err);
	if (rc)
		return rc;
	db_bind_str(st, 1, f->county);
	db_bind_str(st, 2, f->programme);
	db_bind_str(st, 3, g->period);
	for (int j = 0; j < FP_ALL; j++)
		db_bind_int64(st, 4 + j, f->v[j]);
	db_bind_str(st, 9, now);
	rc = db_run(st, &g->err);
	db_finalize(st);
	return rc;
}

/* Completes f with the county's live payments and records it. */
static dd_status fp_store_paid(struct gen *g, struct fp *f, const char *now)
{
	struct fpset set = {0};
	const char *b[] = {g->period, g->programme, g->lo, g->hi};
	dd_status rc = fp_read(g, fp_paid_sql, 4, b, FP_LINES, FP_ALL - FP_LINES, &set);
	const struct fp *got = rc ? NULL : fp_find(&set, g->county, g->programme);
	f->v[3] = got ? got->v[3] : 0;
	f->v[4] = got ? got->v[4] : 0;
	free(set.v);
	return rc ? rc : fp_store(g, f, now);
}

/* One county and programme in one transaction. */
static dd_status generate_one(struct gen *g, struct payroll_generated *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->county, sizeof out->county, "%s", g->county);
	snprintf(out->programme, sizeof out->programme, "%s", g->programme);
	snprintf(out->period, sizeof out->period, "%s", g->period);
	out->kind = "unchanged";
	dd_status rc = db_begin(g->db, &g->err);
	if (rc)
		return rc;
	int64_t live = 0, regular = 0, adjustments = 0, month_total = 0;
	const char *key3[] = {g->county, g->programme, g->period};
	rc = batches_held(g, &live, &regular);
	if (!rc)
		rc = query_pair(g,
				"SELECT count(*) FROM payroll_batches WHERE region_code = $1 AND programme = $2 "
				"AND period = $3 AND kind = 'adjustment'",
				3, key3, &adjustments, NULL);
	/* the fingerprint before the comparison: a line committed in between is
	 * paid now and changes the fingerprint, so it is looked at again */
	struct fp f;
	if (!rc)
		rc = fp_county_lines(g, &f);
	if (rc)
		goto fail;
	month_total = f.v[1];
	out->month_total = month_total;
	const char *kind = live ? "adjustment" : "regular";
	char key[128], now[STORE_TIME_MAX];
	snprintf(key, sizeof key, "%s:%s:%s:%s:%lld", kind, g->county, g->programme, g->period,
		 (long long)(live ? adjustments + 1 : regular));
	store_now(now);
	struct db_stmt *st;
	bool row = false;
	rc = db_prepare(g->db,
			"INSERT INTO payroll_batches (batch_key, region_code, programme, period, kind, seq, state, "
			"created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8) "
			"RETURNING id",
			0, &st, &g->err);
	if (rc)
		goto fail;
	db_bind_str(st, 1, key);
	db_bind_str(st, 2, g->county);
	db_bind_str(st, 3, g->programme);
	db_bind_str(st, 4, g->period);
	db_bind_str(st, 5, kind);
	db_bind_int64(st, 6, live ? adjustments + 1 : regular);
	if (g->actor_id)
		db_bind_int64(st, 7, g->actor_id);
	else
		db_bind_null(st, 7);
	db_bind_str(st, 8, now);
	int64_t batch = 0;
	if (!(rc = db_step(st, &row, &g->err)) && row)
		batch = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		goto fail;
	if ((rc = db_prepare(g->db, live ? adjust_sql : regular_sql, 0, &st, &g->err)))
		goto fail;
	db_bind_str(st, 1, g->period);
	db_bind_str(st, 2, g->programme);
	db_bind_str(st, 3, g->lo);
	db_bind_str(st, 4, g->hi);
	db_bind_str(st, 5, g->first_day);
	db_bind_int64(st, 6, batch);
	db_bind_str(st, 7, now);
	if (live)
		db_bind_str(st, 8, g->county);
	rc = db_run(st, &g->err);
	int64_t inserted = rc ? 0 : db_changes(st);
	db_finalize(st);
	if (rc)
		goto fail;
	char id_text[24];
	snprintf(id_text, sizeof id_text, "%lld", (long long)batch);
	const char *bid[] = {id_text};
	if (inserted == 0) { /* nothing to pay or to adjust: leave no empty batch */
		if ((rc = db_prepare(g->db, "DELETE FROM payroll_batches WHERE id = $1", 0, &st, &g->err)))
			goto fail;
		db_bind_int64(st, 1, batch);
		rc = db_run(st, &g->err);
		db_finalize(st);
		if (rc || (rc = fp_store_paid(g, &f, now)) || (rc = db_commit(g->db, &g->err)))
			goto fail;
		return DD_OK;
	}
	int64_t count = 0, total = 0;
	if ((rc = query_pair(g, "SELECT count(*), COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1", 1, bid,
			     &count, &total)))
		goto fail;
	if ((rc = db_prepare(g->db, "UPDATE payroll_batches SET payments_count = $1, total_amount = $2 WHERE id = $3",
			     0, &st, &g->err)))
		goto fail;
	db_bind_int64(st, 1, count);
	db_bind_int64(st, 2, total);
	db_bind_int64(st, 3, batch);
	rc = db_run(st, &g->err);
	db_finalize(st);
	if (rc)
		goto fail;
	char detail[320], money[MONEY_TEXT_MAX], mt[MONEY_TEXT_MAX];
	money_format(total, money);
	money_format(month_total, mt);
	snprintf(detail, sizeof detail,
		 "{\"batch_key\":\"%s\",\"kind\":\"%s\",\"payments\":%lld,\"total\":\"%s\",\"month_total\":\"%s\"}",
		 key, kind, (long long)count, money, mt);
	if ((rc = audit_append_region(g->db, g->county, g->actor, "payroll.generate", "payroll_batch", id_text, detail,
				      &g->err)))
		goto fail;
	if ((rc = fp_store_paid(g, &f, now)))
		goto fail;
	if ((rc = db_commit(g->db, &g->err)))
		goto fail;
	out->batch_id = batch;
	out->kind = kind;
	out->payments = count;
	out->total = total;
	return DD_OK;
fail:
	db_rollback(g->db);
	return rc;
}

/* The first batches of the month for many counties at once: one pass over
 * the decision lines in table order (the decisions and payees they join are
 * then read nearly in order too), each line into its county's new batch. A
 * province in one statement and one transaction: a crash leaves none of
 * these batches, a re-run writes them all. $1 period, $2 programme or '',
 * $3/$4 the region range, $5 the month's first day, $6/$7 the new batches'
 * ids, $8 now. SQLite follows the CROSS JOIN order, reading the lines in
 * id order; PostgreSQL hashes the decisions and payees and streams the lines
 * past them in table order, so an ORDER BY there would only add an external
 * sort of the whole month. */
#define FRESH_SQL                                                                                                      \
	"INSERT INTO payments (batch_id, decision_id, line_id, household_id, person_id, region_code, programme, "      \
	"kind, "                                                                                                       \
	"component, category, period, amount, dedup_key, state, bank_name, bank_account, created_at, updated_at) "     \
	"SELECT b.id, d.id, l.id, l.household_id, l.person_id, l.region_code, l.programme, 'regular', l.component, "   \
	"l.category, CAST($1 AS TEXT), l.amount, " KEY_EXPR ", 'pending', p.bank_name, p.bank_account, "               \
	"CAST($8 AS TEXT), CAST($8 AS TEXT) FROM decision_lines l CROSS JOIN decisions d CROSS JOIN persons p "        \
	"CROSS JOIN payroll_batches b WHERE d.id = l.decision_id AND p.id = l.person_id "                              \
	"AND ($2 = '' OR l.programme = $2) AND " IN_FORCE_COND                                                         \
	" AND b.region_code = substr(l.region_code, 1, 6) AND b.period = $1 AND b.programme = l.programme "            \
	"AND b.kind = 'regular' AND b.id >= $6 AND b.id <= $7"
static const char fresh_sql_sqlite[] = FRESH_SQL " ORDER BY l.id";
static const char fresh_sql_pg[] = FRESH_SQL;

struct fresh {
	char county[REGION_TEXT_MAX];
	const char *programme;
	int64_t seq, batch_id, count, total, hash;
};

static dd_status fresh_generate(struct gen *g, struct fresh *f, size_t nf, const char *programme, const char *lo,
				const char *hi, payroll_generated_fn fn, void *ctx)
{
	char now[STORE_TIME_MAX];
	store_now(now);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin(g->db, &g->err);
	if (rc)
		return rc;
	rc = db_prepare(
	    g->db,
	    "INSERT INTO payroll_batches (batch_key, region_code, programme, period, kind, seq, state, "
	    "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'regular', $5, 'draft', $6, $7, $7) "
	    "RETURNING id",
	    0, &st, &g->err);
	int64_t first = 0, last = 0;
	for (size_t i = 0; !rc && i < nf; i++) {
		char key[128];
		snprintf(key, sizeof key, "regular:%s:%s:%s:%lld", f[i].county, f[i].programme, g->period,
			 (long long)f[i].seq);
		db_reset(st);
		db_bind_str(st, 1, key);
		db_bind_str(st, 2, f[i].county);
		db_bind_str(st, 3, f[i].programme);
		db_bind_str(st, 4, g->period);
		db_bind_int64(st, 5, f[i].seq);
		if (g->actor_id)
			db_bind_int64(st, 6, g->actor_id);
		else
			db_bind_null(st, 6);
		db_bind_str(st, 7, now);
		if (!(rc = db_step(st, &row, &g->err)) && row) {
			f[i].batch_id = db_column_int64(st, 0);
			first = first && first < f[i].batch_id ? first : f[i].batch_id;
			last = last > f[i].batch_id ? last : f[i].batch_id;
		}
	}
	db_finalize(st);
	st = NULL;
	/* PostgreSQL plans the pass from the tables' statistics: a roll loaded
	 * since the last autovacuum would be taken for a few rows and joined in
	 * nested loops (on 2,000,000 households: minutes instead of seconds).
	 * ANALYZE samples a fixed number of rows, well under a second each. */
	static const char *const planned[] = {"decision_lines", "decisions", "persons", "payroll_batches"};
	for (size_t i = 0; !rc && db_backend(g->db) == DB_POSTGRES && i < sizeof planned / sizeof planned[0]; i++)
		rc = db_analyze(g->db, planned[i], &g->err);
	if (!rc)
		rc = db_prepare(g->db, db_backend(g->db) == DB_POSTGRES ? fresh_sql_pg : fresh_sql_sqlite, 0, &st,
				&g->err);
	if (!rc) {
		db_bind_str(st, 1, g->period);
		db_bind_str(st, 2, programme ? programme : "");
		db_bind_str(st, 3, lo);
		db_bind_str(st, 4, hi);
		db_bind_str(st, 5, g->first_day);
		db_bind_int64(st, 6, first);
		db_bind_int64(st, 7, last);
		db_bind_str(st, 8, now);
		rc = db_run(st, &g->err);
		db_finalize(st);
		st = NULL;
	}
	/* the new batches' counts, totals and line fingerprints in one pass */
	if (!rc)
		rc = db_prepare(
		    g->db,
		    "SELECT batch_id, count(*), COALESCE(sum(amount), 0), COALESCE(sum(" LINE_HASH(
			"line_id") "), 0) FROM payments WHERE batch_id >= $1 AND batch_id <= $2 GROUP BY batch_id",
		    0, &st, &g->err);
	if (!rc) {
		db_bind_int64(st, 1, first);
		db_bind_int64(st, 2, last);
		while (!(rc = db_step(st, &row, &g->err)) && row) {
			int64_t id = db_column_int64(st, 0);
			for (size_t i = 0; i < nf; i++)
				if (f[i].batch_id == id) {
					f[i].count = db_column_int64(st, 1);
					f[i].total = db_column_int64(st, 2);
					f[i].hash = db_column_int64(st, 3);
					break;
				}
		}
		db_finalize(st);
		st = NULL;
	}
	if (!rc)
		rc =
		    db_prepare(g->db, "UPDATE payroll_batches SET payments_count = $1, total_amount = $2 WHERE id = $3",
			       0, &st, &g->err);
	for (size_t i = 0; !rc && i < nf; i++) {
		db_reset(st);
		db_bind_int64(st, 1, f[i].count);
		db_bind_int64(st, 2, f[i].total);
		db_bind_int64(st, 3, f[i].batch_id);
		rc = db_run(st, &g->err);
	}
	db_finalize(st);
	st = NULL;
	/* a county with nothing to pay keeps no empty batch */
	if (!rc)
		rc = db_prepare(g->db,
				"DELETE FROM payroll_batches WHERE id >= $1 AND id <= $2 AND payments_count = 0 "
				"AND kind = 'regular' AND period = $3",
				0, &st, &g->err);
	if (!rc) {
		db_bind_int64(st, 1, first);
		db_bind_int64(st, 2, last);
		db_bind_str(st, 3, g->period);
		rc = db_run(st, &g->err);
		db_finalize(st);
		st = NULL;
	}
	for (size_t i = 0; !rc && i < nf; i++) {
		struct fp x = {.v = {f[i].count, f[i].total, f[i].hash, f[i].count, f[i].total}};
		snprintf(x.county, sizeof x.county, "%s", f[i].county);
		snprintf(x.programme, sizeof x.programme, "%s", f[i].programme);
		rc = fp_store(g, &x, now);
	}
	for (size_t i = 0; !rc && i < nf; i++) {
		if (!f[i].count)
			continue;
		char detail[320], money[MONEY_TEXT_MAX], id_text[24];
		money_format(f[i].total, money);
		snprintf(id_text, sizeof id_text, "%lld", (long long)f[i].batch_id);
		snprintf(detail, sizeof detail,
			 "{\"batch_key\":\"regular:%s:%s:%s:%lld\",\"kind\":\"regular\",\"payments\":%lld,"
			 "\"total\":\"%s\",\"month_total\":\"%s\"}",
			 f[i].county, f[i].programme, g->period, (long long)f[i].seq, (long long)f[i].count, money,
			 money);
		rc = audit_append_region(g->db, f[i].county, g->actor, "payroll.generate", "payroll_batch", id_text,
					 detail, &g->err);
	}
	if (!rc)
		rc = db_commit(g->db, &g->err);
	if (rc) {
		db_rollback(g->db);
		return rc;
	}
	for (size_t i = 0; fn && i < nf; i++) {
		struct payroll_generated out = {.batch_id = f[i].count ? f[i].batch_id : 0,
						.kind = f[i].count ? "regular" : "unchanged",
						.payments = f[i].count,
						.total = f[i].total,
						.month_total = f[i].total};
		snprintf(out.county, sizeof out.county, "%s", f[i].county);
		snprintf(out.programme, sizeof out.programme, "%s", f[i].programme);
		snprintf(out.period, sizeof out.period, "%s", g->period);
		fn(&out, ctx);
	}
	return DD_OK;
}

/* How many live (not cancelled) and regular batches the county has for the
 * programme and month. */
static dd_status batches_held(struct gen *g, int64_t *live, int64_t *regular)
{
	const char *key3[] = {g->county, g->programme, g->period};
	*live = *regular = 0;
	return query_pair(g,
			  "SELECT COALESCE(sum(CASE WHEN state <> 'cancelled' THEN 1 ELSE 0 END), 0), "
			  "COALESCE(sum(CASE WHEN kind = 'regular' THEN 1 ELSE 0 END), 0) FROM payroll_batches "
			  "WHERE region_code = $1 AND programme = $2 AND period = $3 "
			  "AND (kind = 'regular' OR kind = 'adjustment')",
			  3, key3, live, regular);
}

enum svc_kind payroll_generate(struct db *db, const struct principal *actor, const char *region, const char *programme,
			       const char *period, payroll_generated_fn fn, void *ctx, struct svc_error *e)
{
	struct gen g = {.db = db,
			.period = period,
			.actor = actor ? actor->username : "scheduler",
			.actor_id = actor ? actor->id : 0};
	dd_error_clear(&g.err);
	if (actor && actor->role != ROLE_COUNTY && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政局和系统管理员可以生成发放名册");
	if (!payroll_period_parse(period, g.first_day))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份须为 YYYY-MM 格式的有效月份");
	if (programme && !payroll_programme_valid(programme))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PROGRAMME", "programme",
				"项目须为 dibao（低保）、tekun（特困）或 children（儿童基本生活保障）");
	char sig[REGION_TEXT_MAX];
	dd_error perr;
	if (!region || region_parse(region, strlen(region), 2, sig, &perr))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为区县或更高级别的行政区划代码");
	if (region_level(sig) > 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "发放名册按区县生成：地区须为区县或更高级别");
	if (actor && !authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");

	/* the counties under region, from the regions table */
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(sig, lo, hi);
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    db, "SELECT code FROM regions WHERE level = 3 AND code >= $1 AND code < $2 ORDER BY code", 0, &st, &g.err);
	if (rc)
		return svc_store_fail(e, db, rc, &g.err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	char(*counties)[REGION_TEXT_MAX] = NULL;
	size_t n = 0, cap = 0;
	bool row = false;
	while (!(rc = db_step(st, &row, &g.err)) && row) {
		const char *c = db_column_text(st, 0, NULL);
		if (!c || strlen(c) != 6)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *p = realloc(counties, nc * sizeof *counties);
			if (!p) {
				rc = dd_fail(&g.err, DD_ENOMEM, "db", "内存不足 (out of memory)");
				break;
			}
			counties = p;
			cap = nc;
		}
		memcpy(counties[n++], c, 7);
	}
	db_finalize(st);
	if (rc) {
		free(counties);
		return svc_store_fail(e, db, rc, &g.err);
	}
	if (n == 0) {
		free(counties);
		return svc_fail(e, SVC_NOT_FOUND, "REGION_NOT_FOUND", "region", "地区表中没有该地区下的区县");
	}
	static const char *const both[] = {"dibao", "tekun", "children"};
	enum { NP = sizeof both / sizeof both[0] };
	enum svc_kind k = SVC_OK;
	/* counties with no batch yet for the month: all in one pass; the others
	 * one by one against what they hold */
	struct fresh *fresh = calloc(NP * n, sizeof *fresh);
	bool *skip = calloc(NP * n, sizeof *skip);
	size_t nf = 0;
	if (!fresh || !skip) {
		free(fresh);
		free(skip);
		free(counties);
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "服务器内部错误，请稍后重试");
	}
	/* counties whose lines and payments are as the last run left them have
	 * nothing to adjust: one grouped pass each over the lines and the
	 * payments instead of a comparison per county */
	struct fpset stored = {0}, lines = {0}, paid = {0};
	const char *pb[] = {period, programme ? programme : "", lo, hi, g.first_day};
	rc = fp_read(&g, fp_stored_sql, 4, pb, 0, FP_ALL, &stored);
	if (!rc && stored.n)
		rc = fp_read(&g, fp_lines_sql, 5, pb, 0, FP_LINES, &lines);
	if (!rc && stored.n)
		rc = fp_read(&g, fp_paid_sql, 4, pb, FP_LINES, FP_ALL - FP_LINES, &paid);
	if (rc)
		k = svc_store_fail(e, db, rc, &g.err);
	for (size_t i = 0; !k && i < n; i++)
		for (size_t j = 0; j < NP; j++) {
			if (programme && strcmp(programme, both[j]) != 0)
				continue;
			const struct fp *was = fp_find(&stored, counties[i], both[j]);
			if (!was)
				continue;
			const struct fp *l = fp_find(&lines, counties[i], both[j]),
					*p = fp_find(&paid, counties[i], both[j]);
			int64_t now_v[FP_ALL] = {l ? l->v[0] : 0, l ? l->v[1] : 0, l ? l->v[2] : 0, p ? p->v[3] : 0,
						 p ? p->v[4] : 0};
			if (memcmp(now_v, was->v, sizeof now_v) != 0)
				continue;
			skip[i * NP + j] = true;
			if (fn) {
				struct payroll_generated out = {.kind = "unchanged", .month_total = was->v[1]};
				snprintf(out.county, sizeof out.county, "%s", counties[i]);
				snprintf(out.programme, sizeof out.programme, "%s", both[j]);
				snprintf(out.period, sizeof out.period, "%s", period);
				fn(&out, ctx);
			}
		}
	free(stored.v);
	free(lines.v);
	free(paid.v);
	for (size_t i = 0; !k && i < n; i++)
		for (size_t j = 0; !k && j < NP; j++) {
			if ((programme && strcmp(programme, both[j]) != 0) || skip[i * NP + j])
				continue;
			memcpy(g.county, counties[i], sizeof g.county);
			g.programme = both[j];
			int64_t live = 0, regular = 0;
			if ((rc = batches_held(&g, &live, &regular)))
				k = svc_store_fail(e, db, rc, &g.err);
			else if (!live) {
				memcpy(fresh[nf].county, counties[i], sizeof fresh[nf].county);
				fresh[nf].programme = both[j];
				fresh[nf++].seq = regular;
			}
		}
	if (!k && nf && (rc = fresh_generate(&g, fresh, nf, programme, lo, hi, fn, ctx)))
		k = svc_store_fail(e, db, rc, &g.err);
	for (size_t i = 0; !k && i < n; i++) {
		memcpy(g.county, counties[i], sizeof g.county);
		char csig[REGION_TEXT_MAX];
		region_significant(g.county, strlen(g.county), csig);
		store_region_range(csig, g.lo, g.hi);
		for (size_t j = 0; !k && j < NP; j++) {
			if (programme && strcmp(programme, both[j]) != 0)
				continue;
			bool done = skip[i * NP + j];
			for (size_t x = 0; x < nf && !done; x++)
				done = fresh[x].programme == both[j] && strcmp(fresh[x].county, g.county) == 0;
			if (done)
				continue;
			g.programme = both[j];
			struct payroll_generated out;
			if ((rc = generate_one(&g, &out)))
				k = svc_store_fail(e, db, rc, &g.err);
			else if (fn)
				fn(&out, ctx);
		}
	}
	free(fresh);
	free(skip);
	free(counties);
	return k;
}

/* --- reading -------------------------------------------------------------- */

#define BATCH_COLS                                                                                                     \
	"b.id, b.region_code, r.name, b.programme, b.period, b.kind, b.seq, b.campaign, b.state, b.total_amount, "     \
	"b.payments_count, (SELECT count(*) FROM payroll_findings f WHERE f.batch_id = b.id AND f.state = 'open'), "   \
	"b.version, b.created_at, b.updated_at, b.checked_at, b.approved_at, b.exported_at, b.reconciled_at, b.note, " \
	"b.batch_key"

static void batch_json(struct db_stmt *st, struct strbuf *o)
{
	const char *programme = db_column_text(st, 3, NULL);
	enum payroll_state s = payroll_state_parse(db_column_text(st, 8, NULL));
	strbuf_addf(o, "{\"id\":%lld", (long long)db_column_int64(st, 0));
	strbuf_add_json_member_text(o, "region", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(o, "region_name", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(o, "programme", programme);
	strbuf_add_json_member_text(o, "programme_name", payroll_programme_zh(programme));
	strbuf_add_json_member_text(o, "period", db_column_text(st, 4, NULL));
	strbuf_add_json_member_text(o, "kind", db_column_text(st, 5, NULL));
	strbuf_addf(o, ",\"seq\":%lld", (long long)db_column_int64(st, 6));
	strbuf_add_json_member_text(o, "campaign", db_column_text(st, 7, NULL));
	strbuf_add_json_member_text(o, "state", payroll_state_code(s));
	strbuf_add_json_member_text(o, "state_name", payroll_state_zh(s));
	strbuf_add_json_member_money(o, "total", db_column_int64(st, 9));
	strbuf_addf(o, ",\"payments_count\":%lld,\"findings_open\":%lld,\"version\":%lld",
		    (long long)db_column_int64(st, 10), (long long)db_column_int64(st, 11),
		    (long long)db_column_int64(st, 12));
	strbuf_add_json_member_text(o, "created_at", db_column_text(st, 13, NULL));
	strbuf_add_json_member_text(o, "updated_at", db_column_text(st, 14, NULL));
	strbuf_add_json_member_text(o, "checked_at", db_column_text(st, 15, NULL));
	strbuf_add_json_member_text(o, "approved_at", db_column_text(st, 16, NULL));
	strbuf_add_json_member_text(o, "exported_at", db_column_text(st, 17, NULL));
	strbuf_add_json_member_text(o, "reconciled_at", db_column_text(st, 18, NULL));
	strbuf_add_json_member_text(o, "note", db_column_text(st, 19, NULL));
	strbuf_add_json_member_text(o, "batch_key", db_column_text(st, 20, NULL));
	strbuf_addc(o, '}');
}

/* Reads the batch's region and checks the actor may read it. */
static enum svc_kind batch_visible(struct db *db, const struct principal *actor, int64_t id, char region[7],
				   struct svc_error *e)
{
	struct db_stmt *st;
	dd_error err;
	dd_error_clear(&err);
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT region_code FROM payroll_batches WHERE id = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	region[0] = '\0';
	if (!(rc = db_step(st, &row, &err)) && row)
		db_column_copy(st, 0, region, 7);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char sig[REGION_TEXT_MAX];
	region_significant(region, strlen(region), sig);
	enum svc_kind k = payroll_authz_read(actor, row ? sig : NULL, e);
	if (!k && !row)
		k = svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
	return k;
}

static enum svc_kind batch_write(struct db *db, int64_t id, struct strbuf *out, struct svc_error *e)
{
	struct db_stmt *st;
	dd_error err;
	dd_error_clear(&err);
	bool row = false;
	dd_status rc = db_prepare(db,
				  "SELECT " BATCH_COLS " FROM payroll_batches b LEFT JOIN regions r ON r.code = "
				  "b.region_code WHERE b.id = $1",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	if (!(rc = db_step(st, &row, &err)) && row)
		batch_json(st, out);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return row ? SVC_OK : svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
}

enum svc_kind payroll_batch_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
				struct svc_error *e)
{
	char region[7];
	enum svc_kind k = batch_visible(db, actor, id, region, e);
	return k ? k : batch_write(db, id, out, e);
}

enum svc_kind payroll_batches_list(struct db *db, const struct principal *actor, const struct payroll_filter *f,
				   struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = payroll_authz_read(actor, NULL, e);
	if (k || (k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	char sig[REGION_TEXT_MAX] = "", scope[REGION_TEXT_MAX];
	dd_error err;
	dd_error_clear(&err);
	if (f->region && f->region[0] && region_parse(f->region, strlen(f->region), 2, sig, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码无效");
	char first[11];
	if (f->period && f->period[0] && !payroll_period_parse(f->period, first))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份须为 YYYY-MM 格式的有效月份");
	if (f->state && f->state[0] && payroll_state_parse(f->state) == PS_NONE)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_STATE", "state", "批次状态无效");
	if (f->programme && f->programme[0] && !payroll_programme_zh(f->programme)[0])
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PROGRAMME", "programme", "项目无效");
	strbuf_adds(out, "{\"items\":[");
	if (!authz_scope_narrow(actor, sig, scope)) {
		strbuf_addf(out, "],\"total\":0,\"page\":%lld,\"per_page\":%lld}", (long long)f->page,
			    (long long)f->per_page);
		return SVC_OK;
	}
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(scope, lo, hi);
	const char *where = " FROM payroll_batches b LEFT JOIN regions r ON r.code = b.region_code WHERE "
			    "b.region_code >= $1 AND b.region_code < $2 AND ($3 = '' OR b.programme = $3) AND "
			    "($4 = '' OR b.period = $4) AND ($5 = '' OR b.state = $5) AND ($6 = '' OR b.kind = $6)";
	const char *binds[] = {lo,
			       hi,
			       f->programme ? f->programme : "",
			       f->period ? f->period : "",
			       f->state ? f->state : "",
			       f->kind ? f->kind : ""};
	char sql[1024];
	struct db_stmt *st;
	bool row = false;
	int64_t total = 0;
	snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
	dd_status rc = db_prepare(db, sql, 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	for (int i = 0; i < 6; i++)
		db_bind_str(st, i + 1, binds[i]);
	if (!(rc = db_step(st, &row, &err)) && row)
		total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	snprintf(sql, sizeof sql, "SELECT " BATCH_COLS "%s ORDER BY b.period DESC, b.id DESC LIMIT $7 OFFSET $8",
		 where);
	if ((rc = db_prepare(db, sql, 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	for (int i = 0; i < 6; i++)
		db_bind_str(st, i + 1, binds[i]);
	db_bind_int64(st, 7, f->per_page);
	db_bind_int64(st, 8, (f->page - 1) * f->per_page);
	for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
		if (n)
			strbuf_addc(out, ',');
		batch_json(st, out);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)f->page,
		    (long long)f->per_page);
	return SVC_OK;
}

enum svc_kind payroll_payments_list(struct db *db, const struct principal *actor, int64_t batch_id, const char *state,
				    int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	char region[7];
	enum svc_kind k = batch_visible(db, actor, batch_id, region, e);
	if (k || (k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	static const char *const states[] = {"pending",	 "withheld", "exported", "paid",
					     "returned", "reissued", "cancelled"};
	bool ok = !state || !state[0];
	for (size_t i = 0; !ok && i < sizeof states / sizeof states[0]; i++)
		ok = strcmp(state, states[i]) == 0;
	if (!ok)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_STATE", "state", "发放状态无效");
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_prepare(db, "SELECT count(*) FROM payments WHERE batch_id = $1 AND ($2 = '' OR state = $2)",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch_id);
	db_bind_str(st, 2, state ? state : "");
	if (!(rc = db_step(st, &row, &err)) && row)
		total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	rc = db_prepare(
	    db,
	    "SELECT y.id, y.person_id, p.name, p.id_number, y.household_id, y.region_code, y.component, "
	    "y.category, y.amount, y.state, y.bank_name, y.bank_account, y.dedup_key, y.kind, y.return_reason "
	    "FROM payments y LEFT JOIN persons p ON p.id = y.person_id WHERE y.batch_id = $1 "
	    "AND ($2 = '' OR y.state = $2) ORDER BY y.region_code, y.id LIMIT $3 OFFSET $4",
	    0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch_id);
	db_bind_str(st, 2, state ? state : "");
	db_bind_int64(st, 3, per_page);
	db_bind_int64(st, 4, (page - 1) * per_page);
	strbuf_adds(out, "{\"items\":[");
	for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
		char masked[IDNUM_LEN + 1], acct[32];
		idnum_mask(db_column_text(st, 3, NULL) ? db_column_text(st, 3, NULL) : "", masked);
		payroll_mask_account(db_column_text(st, 11, NULL), acct);
		const char *component = db_column_text(st, 6, NULL);
		strbuf_addf(out, "%s{\"id\":%lld,\"person_id\":%lld", n ? "," : "", (long long)db_column_int64(st, 0),
			    (long long)db_column_int64(st, 1));
		strbuf_add_json_member_text(out, "name", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "id_number", masked);
		strbuf_addf(out, ",\"household_id\":%lld", (long long)db_column_int64(st, 4));
		strbuf_add_json_member_text(out, "region", db_column_text(st, 5, NULL));
		strbuf_add_json_member_text(out, "component", component);
		strbuf_add_json_member_text(out, "component_name", payroll_component_zh(component));
		strbuf_add_json_member_text(out, "category", db_column_text(st, 7, NULL));
		strbuf_add_json_member_money(out, "amount", db_column_int64(st, 8));
		strbuf_add_json_member_text(out, "state", db_column_text(st, 9, NULL));
		strbuf_add_json_member_text(out, "bank_name", db_column_text(st, 10, NULL));
		strbuf_add_json_member_text(out, "bank_account", acct);
		strbuf_add_json_member_text(out, "dedup_key", db_column_text(st, 12, NULL));
		strbuf_add_json_member_text(out, "kind", db_column_text(st, 13, NULL));
		strbuf_add_json_member_text(out, "return_reason", db_column_text(st, 14, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)page,
		    (long long)per_page);
	return SVC_OK;
}

/* --- workflow ------------------------------------------------------------- */

static dd_status run_id(struct db *db, const char *sql, int64_t id, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

enum svc_kind payroll_batch_act(struct db *db, const struct principal *actor, const struct policy *policy, int64_t id,
				const char *action, int64_t version, const char *note, struct strbuf *out,
				struct svc_error *e)
{
	enum payroll_action act = payroll_action_parse(action);
	if (act == PA_NONE)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ACTION", "action",
				"操作须为 check、approve、export、reconcile、cancel 或 reopen 之一");
	if (note && !svc_text_clean(note, 1000))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NOTE", "note", "说明过长或含有控制字符（不超过 1000 字节）");
	if (act == PA_CANCEL && (!note || !note[0]))
		return svc_fail(e, SVC_BAD_INPUT, "NOTE_REQUIRED", "note", "作废发放批次须说明理由");
	char region[7];
	enum svc_kind k = batch_visible(db, actor, id, region, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct db_stmt *st;
	bool row = false;
	int64_t cur_version = 0, findings = 0, unanswered = 0;
	enum payroll_state from = PS_NONE, to = PS_NONE;
	rc = db_prepare(db,
			"SELECT state, version, (SELECT count(*) FROM payroll_findings f WHERE f.batch_id = b.id "
			"AND f.state = 'open'), (SELECT count(*) FROM payments y WHERE y.batch_id = b.id "
			"AND y.state = 'exported') FROM payroll_batches b WHERE b.id = $1",
			0, &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		if (!(rc = db_step(st, &row, &err)) && row) {
			from = payroll_state_parse(db_column_text(st, 0, NULL));
			cur_version = db_column_int64(st, 1);
			findings = db_column_int64(st, 2);
			unanswered = db_column_int64(st, 3);
		}
		db_finalize(st);
	}
	if (rc)
		goto fail;
	if (!row) {
		db_rollback(db);
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
	}
	if (cur_version != version) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "VERSION_CONFLICT", "version",
				"发放批次已被他人修改（当前版本 %lld），请刷新后重试", (long long)cur_version);
	}
	/* check: the checks run first, in this transaction (payroll_checks.h) */
	if (act == PA_CHECK && from == PS_DRAFT && actor->role == ROLE_COUNTY) {
		int64_t added = 0;
		if (!policy) {
			db_rollback(db);
			return svc_fail(e, SVC_INTERNAL, "NO_POLICY", NULL, "未加载政策参数，不能核查发放批次");
		}
		if ((rc = payroll_checks_apply(db, policy, id, &added, &findings, &err)))
			goto fail;
		if (findings > 0) { /* keep what the checks found: refused, but committed */
			char id_text[24], detail[128];
			snprintf(id_text, sizeof id_text, "%lld", (long long)id);
			snprintf(detail, sizeof detail, "{\"added\":%lld,\"open\":%lld}", (long long)added,
				 (long long)findings);
			if ((rc = audit_append_region(db, region, actor->username, "payroll.checks", "payroll_batch",
						      id_text, detail, &err)) ||
			    (rc = db_commit(db, &err)))
				goto fail;
			enum payroll_refusal r = PR_FINDINGS_OPEN;
			return svc_fail(e, SVC_RULE, payroll_refusal_code(r), "action", "%s（未处理 %lld 条）",
					payroll_refusal_zh(r), (long long)findings);
		}
	}
	enum payroll_refusal why = payroll_step(from, act, role_name(actor->role), findings, unanswered, &to);
	if (why) {
		db_rollback(db);
		if (why == PR_ROLE)
			return svc_fail(e, SVC_FORBIDDEN, payroll_refusal_code(why), "action", "%s（操作：%s）",
					payroll_refusal_zh(why), payroll_action_zh(act));
		if (why == PR_FINDINGS_OPEN)
			return svc_fail(e, SVC_RULE, payroll_refusal_code(why), "action", "%s（未处理 %lld 条）",
					payroll_refusal_zh(why), (long long)findings);
		if (why == PR_PAYMENTS_PENDING)
			return svc_fail(e, SVC_RULE, payroll_refusal_code(why), "action", "%s（%lld 条）",
					payroll_refusal_zh(why), (long long)unanswered);
		return svc_fail(e, SVC_RULE, payroll_refusal_code(why), "action", "%s（当前状态：%s，操作：%s）",
				payroll_refusal_zh(why), payroll_state_zh(from), payroll_action_zh(act));
	}
	/* the payments follow the batch */
	if (act == PA_CANCEL)
		rc = run_id(db, "UPDATE payments SET state = 'cancelled', version = version + 1 WHERE batch_id = $1",
			    id, &err);
	else if (act == PA_EXPORT)
		rc = run_id(db,
			    "UPDATE payments SET state = 'exported', version = version + 1 WHERE batch_id = $1 "
			    "AND state = 'pending' AND amount > 0",
			    id, &err);
	if (rc)
		goto fail;
	char now[STORE_TIME_MAX];
	store_now(now);
	static const char *const stamp[] = {
	    [PA_CHECK] = "checked_by = $5, checked_at = $3",
	    [PA_APPROVE] = "approved_by = $5, approved_at = $3",
	    [PA_EXPORT] = "exported_by = $5, exported_at = $3",
	    [PA_RECONCILE] = "reconciled_at = $3",
	    [PA_CANCEL] = "note = $5",
	    [PA_REOPEN] = "checked_by = NULL, checked_at = NULL",
	};
	char sql[512];
	snprintf(sql, sizeof sql,
		 "UPDATE payroll_batches SET state = $1, version = version + 1, updated_at = $3, %s "
		 "WHERE id = $2 AND version = $4",
		 stamp[act]);
	if ((rc = db_prepare(db, sql, 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, payroll_state_code(to));
	db_bind_int64(st, 2, id);
	db_bind_str(st, 3, now);
	db_bind_int64(st, 4, version);
	if (act == PA_CANCEL)
		db_bind_str(st, 5, note);
	else if (act != PA_RECONCILE && act != PA_REOPEN)
		db_bind_int64(st, 5, actor->id);
	rc = db_run(st, &err);
	db_finalize(st);
	if (rc)
		goto fail;
	struct strbuf detail;
	strbuf_init(&detail, 256);
	strbuf_addf(&detail, "{\"from\":\"%s\",\"to\":\"%s\",\"note\":", payroll_state_code(from),
		    payroll_state_code(to));
	strbuf_add_json_string_or_null(&detail, note && note[0] ? note : NULL);
	strbuf_addc(&detail, '}');
	char id_text[24], action_name[40];
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	snprintf(action_name, sizeof action_name, "payroll.%s", payroll_action_code(act));
	rc = detail.failed ? dd_fail(&err, DD_ENOMEM, "audit", "内存不足 (out of memory)")
			   : audit_append_region(db, region, actor->username, action_name, "payroll_batch", id_text,
						 detail.buf, &err);
	strbuf_release(&detail);
	if (rc || (rc = db_commit(db, &err)))
		goto fail;
	return batch_write(db, id, out, e);
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}
