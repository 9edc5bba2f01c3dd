/* statistics.c - the monthly statistics (statistics.h). */
#include "statistics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/calendar.h"
#include "core/civil_date.h"
#include "core/json.h"
#include "core/money.h"
#include "core/payroll.h"
#include "core/policy.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "xlsx_out.h"

enum measure {
	M_HOUSEHOLDS,
	M_PERSONS,
	M_PAYMENT_LINES,
	M_AMOUNT,
	M_AMOUNT_PAID,
	M_LINES_ON_TIME,
	M_CASES,
	M_CASE_AMOUNT,
	M_DECIDED,
	M_DECISION_DAYS,
	M_DECIDED_IN_TIME,
	M_REGISTERED,
	M_ARRANGED_IN_TIME,
	M_CLOSED,
	M_ORPHAN_INSTITUTION,
	M_ORPHAN_DISPERSED,
	M_UNSUPPORTED_INSTITUTION,
	M_UNSUPPORTED_DISPERSED,
	M_COUNT
};

/* A measure with an owner belongs to that programme only; the others are
 * shown for every programme (but registered_persons, the population's). */
static const struct {
	const char *code;
	const char *zh;
	bool money;
	const char *owner;
} measures[M_COUNT] = {
    [M_HOUSEHOLDS] = {"households", "户数", false},
    [M_PERSONS] = {"persons", "人数", false},
    [M_PAYMENT_LINES] = {"payment_lines", "发放笔数", false},
    [M_AMOUNT] = {"amount", "发放金额（元）", true},
    [M_AMOUNT_PAID] = {"amount_paid", "银行已支付（元）", true},
    [M_LINES_ON_TIME] = {"lines_on_time", "按时发放笔数", false},
    [M_CASES] = {"cases", "救助人次", false},
    [M_CASE_AMOUNT] = {"case_amount", "救助金额（元）", true},
    [M_DECIDED] = {"decided", "审批件数", false},
    [M_DECISION_DAYS] = {"decision_days", "审批天数合计", false},
    [M_DECIDED_IN_TIME] = {"decided_in_time", "按时审批件数", false},
    [M_REGISTERED] = {"registered_persons", "登记人数", false},
    [M_ARRANGED_IN_TIME] = {"arranged_in_time", "按时落实照料件数", false, "care_emergency"},
    [M_CLOSED] = {"closed", "办结件数", false, "care_emergency"},
    [M_ORPHAN_INSTITUTION] = {"orphan_institution", "孤儿（机构集中养育）人数", false, "children"},
    [M_ORPHAN_DISPERSED] = {"orphan_dispersed", "孤儿（社会散居）人数", false, "children"},
    [M_UNSUPPORTED_INSTITUTION] = {"unsupported_institution", "事实无人抚养儿童（机构集中养育）人数", false,
				   "children"},
    [M_UNSUPPORTED_DISPERSED] = {"unsupported_dispersed", "事实无人抚养儿童（社会散居）人数", false, "children"},
};

static int measure_index(const char *code)
{
	for (int i = 0; code && i < M_COUNT; i++)
		if (strcmp(code, measures[i].code) == 0)
			return i;
	return -1;
}

/* Programmes in report order; "all" holds the population measures. */
static const struct {
	const char *code;
	const char *zh;
} programmes[] = {
    {"dibao", "低保"},
    {"tekun", "特困"},
    {"marginal", "低保边缘"},
    {"temporary", "临时救助"},
    {"subsidy", "补贴"},
    {"children", "儿童基本生活保障"},
    {"care_emergency", "监护照料应急"},
    {"all", "合计"},
};
#define NPROG (sizeof programmes / sizeof programmes[0])

static int programme_index(const char *p)
{
	for (size_t i = 0; p && i < NPROG; i++)
		if (strcmp(p, programmes[i].code) == 0)
			return (int)i;
	return -1;
}

/* --- the groups: one per township, each with every programme's measures -- */

struct group {
	char region[REGION_TEXT_MAX];
	char name[96];
	int64_t v[NPROG][M_COUNT];
};

struct groups {
	struct group *g;
	size_t n, cap;
	uint32_t *slot; /* open addressing over g, 0 = empty, else index + 1 */
	size_t nslot;
};

static uint32_t hash_text(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void groups_release(struct groups *gs)
{
	free(gs->g);
	free(gs->slot);
	memset(gs, 0, sizeof *gs);
}

static bool groups_rehash(struct groups *gs, size_t nslot)
{
	uint32_t *s = calloc(nslot, sizeof *s);
	if (!s)
		return false;
	for (size_t i = 0; i < gs->n; i++) {
		size_t h = hash_text(gs->g[i].region) & (nslot - 1);
		while (s[h])
			h = (h + 1) & (nslot - 1);
		s[h] = (uint32_t)(i + 1);
	}
	free(gs->slot);
	gs->slot = s;
	gs->nslot = nslot;
	return true;
}

/* The group of a region (created empty); NULL when out of memory. */
static struct group *groups_at(struct groups *gs, const char *region)
{
	if (!region)
		region = "";
	if (gs->nslot) {
		for (size_t h = hash_text(region) & (gs->nslot - 1); gs->slot[h]; h = (h + 1) & (gs->nslot - 1))
			if (strcmp(gs->g[gs->slot[h] - 1].region, region) == 0)
				return &gs->g[gs->slot[h] - 1];
	}
	if ((gs->n + 1) * 2 > gs->nslot && !groups_rehash(gs, gs->nslot ? gs->nslot * 2 : 64))
		return NULL;
	if (gs->n == gs->cap) {
		size_t nc = gs->cap ? gs->cap * 2 : 32;
		struct group *p = realloc(gs->g, nc * sizeof *p);
		if (!p)
			return NULL;
		gs->g = p;
		gs->cap = nc;
	}
	struct group *g = &gs->g[gs->n];
	memset(g, 0, sizeof *g);
	snprintf(g->region, sizeof g->region, "%s", region);
	size_t h = hash_text(g->region) & (gs->nslot - 1);
	while (gs->slot[h])
		h = (h + 1) & (gs->nslot - 1);
	gs->slot[h] = (uint32_t)(++gs->n);
	return g;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->region, ((const struct group *)b)->region);
}

/* --- building ------------------------------------------------------------- */

struct build {
	struct db *db;
	const struct stats_env *env;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	char period[8];	  /* YYYY-MM */
	char first[11];	  /* YYYY-MM-01 */
	char last[11];	  /* the month's last day */
	char from_ts[32]; /* the month's start in China time, as a UTC time stamp */
	char to_ts[32];	  /* the next month's start, likewise */
	struct groups gs;
	dd_error err;
};

/* The group of the township of a region code (its first nine digits; a
 * shorter code is its own row): the store groups by the plain column. */
static struct group *township_group(struct build *b, const char *region)
{
	char township[10];
	snprintf(township, sizeof township, "%s", region ? region : "");
	return groups_at(&b->gs, township);
}

/* Adds the value of column col to measure m of the programme in column
 * pcol (or the fixed programme prog when pcol < 0) of the township in
 * column 0. */
static dd_status add_rows(struct build *b, struct db_stmt *st, int pcol, const char *prog, const int *cols,
			  const enum measure *ms, int n)
{
	bool row = false;
	dd_status rc;
	while (!(rc = db_step(st, &row, &b->err)) && row) {
		int p = programme_index(pcol >= 0 ? db_column_text(st, pcol, NULL) : prog);
		if (p < 0)
			continue; /* a programme the table has no column for */
		struct group *g = township_group(b, db_column_text(st, 0, NULL));
		if (!g) {
			rc = dd_fail(&b->err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		for (int i = 0; i < n; i++)
			g->v[p][ms[i]] += db_column_int64(st, cols[i]);
	}
	db_finalize(st);
	return rc;
}

/* in force on the month's last day: $3 the last day, $4 the period */
#define IN_FORCE                                                                                                       \
	"d.effective_from <= $3 AND (d.effective_to IS NULL OR d.effective_to > $3) AND (d.gradual_exit_until IS "     \
	"NULL "                                                                                                        \
	"OR d.gradual_exit_until >= $4)"

/* Prepares a streamed statement and binds the texts in order. */
static dd_status prep_with(struct build *b, const char *sql, const char *const *binds, int n, struct db_stmt **st)
{
	dd_status rc = db_prepare(b->db, sql, DB_STMT_STREAM, st, &b->err);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		db_bind_str(*st, i + 1, binds[i]);
	return DD_OK;
}

/* $1/$2 the region range, $3 the month's last day, $4 the period */
static dd_status prep(struct build *b, const char *sql, int nbind, struct db_stmt **st)
{
	const char *const binds[] = {b->lo, b->hi, b->last, b->period};
	return prep_with(b, sql, binds, nbind, st);
}

/* The programme a decision's determination counts under. */
static const char *programme_of(const char *determination)
{
	if (!determination)
		return NULL;
	if (!strcmp(determination, "tekun") || !strcmp(determination, "marginal"))
		return determination;
	if (!strcmp(determination, "dibao") || !strcmp(determination, "dibao_gradual_exit") ||
	    !strcmp(determination, "single_person"))
		return "dibao";
	return NULL;
}

/* Adds count column 2 of rows (region, determination, count) to measure m
 * of the determination's programme; with registered, every row (a NULL
 * determination too: a member of a household without a programme) also to
 * the registered population. Regions are folded into townships here, so the
 * store groups by the plain column. */
static dd_status add_in_force(struct build *b, struct db_stmt *st, enum measure m, bool registered)
{
	bool row = false;
	dd_status rc;
	while (!(rc = db_step(st, &row, &b->err)) && row) {
		struct group *g = township_group(b, db_column_text(st, 0, NULL));
		if (!g) {
			rc = dd_fail(&b->err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		int64_t n = db_column_int64(st, 2);
		int p = programme_index(programme_of(db_column_text(st, 1, NULL)));
		if (p >= 0)
			g->v[p][m] += n;
		if (registered)
			g->v[NPROG - 1][M_REGISTERED] += n;
	}
	db_finalize(st);
	return rc;
}

static dd_status build_in_force(struct build *b)
{
	struct db_stmt *st;
	/* households: the decisions in force */
	dd_status rc =
	    prep(b,
		 "SELECT d.region_code, d.determination, count(*) FROM decisions d WHERE d.region_code >= $1 "
		 "AND d.region_code < $2 AND " IN_FORCE " AND d.determination IN ('dibao', "
		 "'dibao_gradual_exit', 'single_person', 'tekun', 'marginal') GROUP BY 1, 2",
		 4, &st);
	if (rc || (rc = add_in_force(b, st, M_HOUSEHOLDS, false)))
		return rc;
	/* one pass over the members on the last day: all of them are the
	 * registered population; those of a household programme in force are
	 * its persons */
	if ((rc = prep(b,
		       "SELECT m.region_code, d.determination, count(*) FROM memberships m LEFT JOIN decisions d ON "
		       "d.household_id = m.household_id AND d.region_code >= $1 AND d.region_code < $2 AND " IN_FORCE
		       " AND d.determination IN ('dibao', 'dibao_gradual_exit', 'marginal') WHERE m.region_code >= $1 "
		       "AND m.region_code < $2 AND m.from_date <= $3 AND (m.to_date IS NULL OR m.to_date > $3) GROUP "
		       "BY 1, 2",
		       4, &st)) ||
	    (rc = add_in_force(b, st, M_PERSONS, true)))
		return rc;
	/* person programmes: single-person dibao and tekun lines */
	if ((rc = prep(b,
		       "SELECT d.region_code, d.determination, count(*) FROM decisions d JOIN decision_lines l ON "
		       "l.decision_id = d.id WHERE d.region_code >= $1 AND d.region_code < $2 AND " IN_FORCE
		       " AND (l.component = 'single_person' OR l.component = 'tekun_basic') AND (d.determination = "
		       "'single_person' OR d.determination = 'tekun') GROUP BY 1, 2",
		       4, &st)))
		return rc;
	return add_in_force(b, st, M_PERSONS, false);
}

static dd_status build_payments(struct build *b)
{
	struct db_stmt *st;
	const char *const binds[] = {b->to_ts, b->period, b->lo, b->hi};
	dd_status rc =
	    prep_with(b,
		      "SELECT p.region_code, p.programme, count(*), sum(p.amount), sum(CASE WHEN p.state = "
		      "'paid' THEN p.amount ELSE 0 END), sum(CASE WHEN b.exported_at IS NOT NULL AND "
		      "b.exported_at < $1 AND p.state <> 'withheld' THEN 1 ELSE 0 END) FROM payroll_batches b "
		      "JOIN payments p ON p.batch_id = b.id WHERE b.period = $2 AND b.state <> 'cancelled' "
		      "AND p.state <> 'cancelled' AND p.region_code >= $3 AND p.region_code < $4 GROUP BY 1, 2",
		      binds, 4, &st);
	if (rc)
		return rc;
	static const int cols[] = {2, 3, 4, 5};
	static const enum measure ms[] = {M_PAYMENT_LINES, M_AMOUNT, M_AMOUNT_PAID, M_LINES_ON_TIME};
	return add_rows(b, st, 1, NULL, cols, ms, 4);
}

static dd_status build_temporary(struct build *b)
{
	struct db_stmt *st;
	const char *const binds[] = {b->lo, b->hi, b->from_ts, b->to_ts};
	dd_status rc =
	    prep_with(b,
		      "SELECT t.region_code, count(*), sum(t.approved_amount) FROM temporary_cases t WHERE "
		      "t.region_code >= $1 AND t.region_code < $2 AND t.approved_at >= $3 AND t.approved_at < "
		      "$4 AND t.approved_amount IS NOT NULL GROUP BY 1",
		      binds, 4, &st);
	if (rc)
		return rc;
	static const int cols[] = {1, 2};
	static const enum measure ms[] = {M_CASES, M_CASE_AMOUNT};
	return add_rows(b, st, -1, "temporary", cols, ms, 2);
}

/* Guardianship and care emergencies (监护照料应急): reported in the month
 * (cases) and, of those, care arranged by the response deadline; closed in
 * the month. Time stamps compare as text (one format, UTC). */
static dd_status build_emergencies(struct build *b)
{
	struct db_stmt *st;
	const char *const binds[] = {b->lo, b->hi, b->from_ts, b->to_ts};
	dd_status rc = prep_with(
	    b,
	    "SELECT region_code, SUM(CASE WHEN reported_at >= $3 AND reported_at < $4 THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN reported_at >= $3 AND reported_at < $4 AND arranged_at IS NOT NULL AND arranged_at <= "
	    "respond_due THEN 1 ELSE 0 END), SUM(CASE WHEN closed_at >= $3 AND closed_at < $4 THEN 1 ELSE 0 END) "
	    "FROM care_emergencies WHERE region_code >= $1 AND region_code < $2 AND ((reported_at >= $3 AND "
	    "reported_at < $4) OR (closed_at >= $3 AND closed_at < $4)) GROUP BY 1",
	    binds, 4, &st);
	if (rc)
		return rc;
	static const int cols[] = {1, 2, 3};
	static const enum measure ms[] = {M_CASES, M_ARRANGED_IN_TIME, M_CLOSED};
	return add_rows(b, st, -1, "care_emergency", cols, ms, 3);
}

/* The care type of an unsupported child's decision, from its result
 * (children_allowance.c writes "care_type"); NULL when absent. */
static const char *result_care_type(const char *result, size_t n)
{
	static const char *const types[] = {"institution", "dispersed"};
	struct arena a;
	arena_init(&a, 1024, 256 * 1024);
	struct json_value *doc = NULL;
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	dd_error jerr;
	const char *out = NULL;
	if (result && !json_parse(result, n, &a, &lim, &doc, &jerr) && doc && doc->type == JSON_OBJECT) {
		const struct json_value *v = json_get(doc, "care_type");
		for (size_t i = 0; v && v->type == JSON_STRING && i < 2; i++)
			if (strcmp(v->str, types[i]) == 0)
				out = types[i];
	}
	arena_release(&a);
	return out;
}

/* Children covered by the children's allowance (儿童基本生活保障) on the
 * month's last day, by category and care type: the decision lines in force
 * (one per child). An orphan's line category names its care type; an
 * unsupported child's standard does not depend on it, so it is read from the
 * decision's result. */
static dd_status build_children(struct build *b)
{
	struct db_stmt *st;
	dd_status rc = prep(b,
			    "SELECT d.region_code, l.category, CASE WHEN l.category = 'unsupported_child' THEN "
			    "d.result END FROM decisions d JOIN decision_lines l ON l.decision_id = d.id WHERE "
			    "d.region_code >= $1 AND d.region_code < $2 AND " IN_FORCE
			    " AND d.programme = 'children' AND l.component = 'children_allowance'",
			    4, &st);
	if (rc)
		return rc;
	int p = programme_index("children");
	bool row = false;
	while (!(rc = db_step(st, &row, &b->err)) && row) {
		struct group *g = township_group(b, db_column_text(st, 0, NULL));
		if (!g) {
			rc = dd_fail(&b->err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		g->v[p][M_PERSONS]++;
		const char *cat = db_column_text(st, 1, NULL);
		if (cat && strcmp(cat, "orphan_institution") == 0) {
			g->v[p][M_ORPHAN_INSTITUTION]++;
		} else if (cat && strcmp(cat, "orphan_dispersed") == 0) {
			g->v[p][M_ORPHAN_DISPERSED]++;
		} else if (cat && strcmp(cat, "unsupported_child") == 0) {
			size_t n = 0;
			const char *result = db_column_text(st, 2, &n);
			const char *care = result_care_type(result, n);
			if (care)
				g->v[p][strcmp(care, "institution") == 0 ? M_UNSUPPORTED_INSTITUTION
									 : M_UNSUPPORTED_DISPERSED]++;
		}
	}
	db_finalize(st);
	return rc;
}

static dd_status build_decided(struct build *b)
{
	struct db_stmt *st;
	const char *const binds[] = {b->lo, b->hi, b->from_ts, b->to_ts};
	dd_status rc = prep_with(b,
				 "SELECT region_code, programme, submitted_at, decided_at FROM applications WHERE "
				 "region_code >= $1 AND region_code < $2 AND decided_at >= $3 AND decided_at < $4 AND "
				 "submitted_at IS NOT NULL",
				 binds, 4, &st);
	if (rc)
		return rc;
	bool row = false;
	while (!(rc = db_step(st, &row, &b->err)) && row) {
		int p = programme_index(db_column_text(st, 1, NULL));
		dd_date from, to;
		if (p < 0 || !store_time_china_date(db_column_text(st, 2, NULL), &from) ||
		    !store_time_china_date(db_column_text(st, 3, NULL), &to) || to < from)
			continue;
		struct group *g = township_group(b, db_column_text(st, 0, NULL));
		if (!g) {
			rc = dd_fail(&b->err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		g->v[p][M_DECIDED]++;
		g->v[p][M_DECISION_DAYS] += to - from;
		const struct policy_entry *limit =
		    b->env && b->env->policy
			? policy_lookup(b->env->policy, "procedure.total_workdays", db_column_text(st, 0, NULL), to)
			: NULL;
		if (limit && b->env->cal && calendar_workdays_between(b->env->cal, from, to) <= limit->value.i)
			g->v[p][M_DECIDED_IN_TIME]++;
	}
	db_finalize(st);
	return rc;
}

static dd_status write_rows(struct build *b, int64_t *written)
{
	static const char *const cols[] = {"period", "region_code", "programme", "measure", "value"};
	struct db_bulk *bulk;
	dd_status rc = db_bulk_begin(b->db, "stats_monthly", cols, 5, &bulk, &b->err);
	if (rc)
		return rc;
	for (size_t i = 0; i < b->gs.n && !rc; i++)
		for (size_t p = 0; p < NPROG && !rc; p++)
			for (int m = 0; m < M_COUNT && !rc; m++) {
				if (!b->gs.g[i].v[p][m])
					continue;
				db_bulk_str(bulk, b->period);
				db_bulk_str(bulk, b->gs.g[i].region);
				db_bulk_str(bulk, programmes[p].code);
				db_bulk_str(bulk, measures[m].code);
				db_bulk_int64(bulk, b->gs.g[i].v[p][m]);
				rc = db_bulk_row_end(bulk, &b->err);
			}
	if (rc) {
		db_bulk_abort(bulk);
		return rc;
	}
	return db_bulk_finish(bulk, written, &b->err);
}

static bool period_of(const char *period, dd_date *first, dd_date *next, struct svc_error *e)
{
	char f[11];
	dd_error err;
	if (!period || !payroll_period_parse(period, f) || date_parse(f, 10, first, &err)) {
		svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "月份须为 YYYY-MM 格式的有效月份");
		return false;
	}
	*next = date_add_months(*first, 1);
	return true;
}

enum svc_kind stats_build(struct db *db, const struct stats_env *env, const struct principal *actor, const char *region,
			  const char *period, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = actor ? authz_monitor_run(actor, "生成统计报表", e) : SVC_OK;
	if (k)
		return k;
	struct build b;
	memset(&b, 0, sizeof b);
	b.db = db;
	b.env = env;
	dd_error_clear(&b.err);
	char sig[REGION_TEXT_MAX];
	dd_date first, next;
	if (!period_of(period, &first, &next, e))
		return SVC_BAD_INPUT;
	if ((k = authz_region_arg(actor, region, sig, e)))
		return k;
	int64_t t0 = store_now_ms();
	store_region_range(sig, b.lo, b.hi);
	snprintf(b.period, sizeof b.period, "%s", period);
	date_format(first, b.first);
	date_format(next - 1, b.last);
	store_china_midnight(first, b.from_ts);
	store_china_midnight(next, b.to_ts);
	int64_t written = 0;
	char now[STORE_TIME_MAX];
	struct db_stmt *st;
	struct strbuf detail;
	strbuf_init(&detail, 128);
	dd_status rc = db_begin(db, &b.err);
	if (rc || (rc = build_in_force(&b)) || (rc = build_payments(&b)) || (rc = build_temporary(&b)) ||
	    (rc = build_decided(&b)) || (rc = build_emergencies(&b)) || (rc = build_children(&b)))
		goto fail;
	if ((rc = db_prepare(db,
			     "DELETE FROM stats_monthly WHERE period = $1 AND region_code >= $2 AND region_code < $3",
			     0, &st, &b.err)))
		goto fail;
	db_bind_str(st, 1, b.period);
	db_bind_str(st, 2, b.lo);
	db_bind_str(st, 3, b.hi);
	rc = db_run(st, &b.err);
	db_finalize(st);
	if (rc || (rc = write_rows(&b, &written)))
		goto fail;
	store_now(now);
	int64_t millis = store_now_ms() - t0;
	if ((rc =
		 db_prepare(db,
			    "INSERT INTO stats_builds (period, scope, rows_written, millis, built_by, built_at) VALUES "
			    "($1, $2, $3, $4, $5, $6)",
			    0, &st, &b.err)))
		goto fail;
	db_bind_str(st, 1, b.period);
	db_bind_str(st, 2, sig);
	db_bind_int64(st, 3, written);
	db_bind_int64(st, 4, millis);
	if (actor)
		db_bind_int64(st, 5, actor->id);
	else
		db_bind_null(st, 5);
	db_bind_str(st, 6, now);
	rc = db_run(st, &b.err);
	db_finalize(st);
	if (rc)
		goto fail;
	strbuf_addf(&detail, "{\"period\":\"%s\",\"rows\":%lld,\"townships\":%zu}", b.period, (long long)written,
		    b.gs.n);
	rc = detail.failed ? dd_fail(&b.err, DD_ENOMEM, "audit", "内存不足 (out of memory)")
			   : audit_append_region(db, sig[0] ? sig : "000000", actor ? actor->username : "operator",
						 "stats.build", "stats_monthly", b.period, detail.buf, &b.err);
	if (rc || (rc = db_commit(db, &b.err)))
		goto fail;
	strbuf_release(&detail);
	size_t townships = b.gs.n;
	groups_release(&b.gs);
	strbuf_addf(out, "{\"period\":\"%s\",\"region\":", b.period);
	strbuf_add_json_string_or_null(out, sig);
	strbuf_addf(out, ",\"townships\":%zu,\"rows\":%lld,\"millis\":%lld", townships, (long long)written,
		    (long long)(store_now_ms() - t0));
	strbuf_add_json_member_text(out, "built_at", now);
	strbuf_addc(out, '}');
	return SVC_OK;
fail:
	strbuf_release(&detail);
	groups_release(&b.gs);
	db_rollback(db);
	return svc_store_fail(e, db, rc, &b.err);
}

/* --- reading ------------------------------------------------------------- */

struct table {
	char period[8];
	char region[REGION_TEXT_MAX];
	char region_name[96];
	char built_at[STORE_TIME_MAX];
	struct groups gs;
	struct group total;
};

static enum svc_kind table_load(struct db *db, const struct principal *actor, const char *region, const char *period,
				struct table *t, struct svc_error *e)
{
	memset(t, 0, sizeof *t);
	enum svc_kind k = actor ? authz_stats_read(actor, e) : SVC_OK;
	if (k)
		return k;
	dd_date first, next;
	if (!period_of(period, &first, &next, e))
		return SVC_BAD_INPUT;
	if ((k = authz_region_arg(actor, region, t->region, e)))
		return k;
	snprintf(t->period, sizeof t->period, "%s", period);
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(t->region, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	/* the latest build whose scope covers the table's region */
	dd_status rc =
	    db_prepare(db,
		       "SELECT scope, built_at FROM stats_builds WHERE period = $1 ORDER BY built_at DESC, id "
		       "DESC",
		       0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, t->period);
	while (!(rc = db_step(st, &row, &err)) && row) {
		const char *scope = db_column_text(st, 0, NULL);
		if (scope && strncmp(t->region, scope, strlen(scope)) == 0) {
			db_column_copy(st, 1, t->built_at, sizeof t->built_at);
			break;
		}
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!t->built_at[0])
		return svc_fail(e, SVC_NOT_FOUND, "STATS_NOT_BUILT", "period",
				"%s 的统计表尚未生成：请区县民政部门先生成该月统计", t->period);
	if ((rc = db_prepare(db, "SELECT name FROM regions WHERE code = $1", 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, t->region[0] ? t->region : "000000");
	if (!(rc = db_step(st, &row, &err)) && row)
		db_column_copy(st, 0, t->region_name, sizeof t->region_name);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if ((rc = db_prepare(db,
			     "SELECT s.region_code, r.name, s.programme, s.measure, s.value FROM stats_monthly s LEFT "
			     "JOIN regions r ON r.code = s.region_code WHERE s.period = $1 AND s.region_code >= $2 AND "
			     "s.region_code < $3",
			     DB_STMT_STREAM, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, t->period);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	while (!(rc = db_step(st, &row, &err)) && row) {
		int p = programme_index(db_column_text(st, 2, NULL)), m = measure_index(db_column_text(st, 3, NULL));
		if (p < 0 || m < 0)
			continue;
		struct group *g = groups_at(&t->gs, db_column_text(st, 0, NULL));
		if (!g) {
			rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		if (!g->name[0])
			db_column_copy(st, 1, g->name, sizeof g->name);
		int64_t v = db_column_int64(st, 4);
		g->v[p][m] += v;
		t->total.v[p][m] += v;
	}
	db_finalize(st);
	if (rc) {
		groups_release(&t->gs);
		return svc_store_fail(e, db, rc, &err);
	}
	if (t->gs.n)
		qsort(t->gs.g, t->gs.n, sizeof t->gs.g[0], group_cmp);
	return SVC_OK;
}

static int64_t covered(const struct group *g)
{
	return g->v[programme_index("dibao")][M_PERSONS] + g->v[programme_index("tekun")][M_PERSONS] +
	       g->v[programme_index("marginal")][M_PERSONS];
}

/* "12.3" for num/den to one decimal (den > 0), scaled by mul (100 for a
 * percentage); "" when den is 0. Integer arithmetic, rounded half up. */
static void ratio_text(int64_t num, int64_t den, int64_t mul, char out[32])
{
	if (den <= 0) {
		out[0] = '\0';
		return;
	}
	int64_t tenths = (num * mul * 10 * 2 + den) / (den * 2);
	snprintf(out, 32, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
}

static void group_json(struct strbuf *out, const struct group *g)
{
	strbuf_adds(out, "\"programmes\":{");
	int n = 0;
	for (size_t p = 0; p + 1 < NPROG; p++) {
		strbuf_addf(out, "%s\"%s\":{", n++ ? "," : "", programmes[p].code);
		for (int m = 0; m < M_COUNT; m++) {
			if (m == M_REGISTERED || (measures[m].owner && strcmp(measures[m].owner, programmes[p].code)))
				continue;
			if (m)
				strbuf_addc(out, ',');
			if (measures[m].money) {
				char money[MONEY_TEXT_MAX];
				money_format(g->v[p][m], money);
				strbuf_addf(out, "\"%s\":\"%s\"", measures[m].code, money);
			} else {
				strbuf_addf(out, "\"%s\":%lld", measures[m].code, (long long)g->v[p][m]);
			}
		}
		char avg[32], ontime[32];
		ratio_text(g->v[p][M_DECISION_DAYS], g->v[p][M_DECIDED], 1, avg);
		ratio_text(g->v[p][M_LINES_ON_TIME], g->v[p][M_PAYMENT_LINES], 100, ontime);
		strbuf_add_json_member_text(out, "average_decision_days", avg[0] ? avg : NULL);
		strbuf_add_json_member_text(out, "on_time_percent", ontime[0] ? ontime : NULL);
		strbuf_addc(out, '}');
	}
	int64_t reg = g->v[NPROG - 1][M_REGISTERED], cov = covered(g);
	char rate[32];
	ratio_text(cov, reg, 100, rate);
	strbuf_addf(out, "},\"registered_persons\":%lld,\"covered_persons\":%lld", (long long)reg, (long long)cov);
	strbuf_add_json_member_text(out, "coverage_percent", rate[0] ? rate : NULL);
}

enum svc_kind stats_monthly_get(struct db *db, const struct principal *actor, const char *region, const char *period,
				struct strbuf *out, struct svc_error *e)
{
	struct table t;
	enum svc_kind k = table_load(db, actor, region, period, &t, e);
	if (k)
		return k;
	strbuf_addf(out, "{\"period\":\"%s\",\"region\":", t.period);
	strbuf_add_json_string_or_null(out, t.region);
	strbuf_add_json_member_text(out, "region_name", t.region_name[0] ? t.region_name : NULL);
	strbuf_add_json_member_text(out, "built_at", t.built_at);
	strbuf_adds(out, ",\"programme_names\":{");
	for (size_t p = 0; p < NPROG; p++)
		strbuf_addf(out, "%s\"%s\":\"%s\"", p ? "," : "", programmes[p].code, programmes[p].zh);
	strbuf_adds(out, "},\"rows\":[");
	for (size_t i = 0; i < t.gs.n; i++) {
		strbuf_addf(out, "%s{\"region\":", i ? "," : "");
		strbuf_add_json_string_or_null(out, t.gs.g[i].region);
		strbuf_add_json_member_text(out, "region_name", t.gs.g[i].name[0] ? t.gs.g[i].name : NULL);
		strbuf_addc(out, ',');
		group_json(out, &t.gs.g[i]);
		strbuf_addc(out, '}');
	}
	strbuf_adds(out, "],\"total\":{");
	group_json(out, &t.total);
	strbuf_adds(out, "}}");
	groups_release(&t.gs);
	return SVC_OK;
}

/* --- files ------------------------------------------------------------------ */

/* The columns of the file: a programme's measure, or a derived figure. */
enum col_kind { C_MEASURE, C_AVG_DAYS, C_ON_TIME, C_REGISTERED, C_COVERED, C_COVERAGE };
static const struct {
	enum col_kind kind;
	const char *programme;
	enum measure m;
	const char *header;
} file_cols[] = {
    {C_MEASURE, "dibao", M_HOUSEHOLDS, "低保户数"},
    {C_MEASURE, "dibao", M_PERSONS, "低保人数"},
    {C_MEASURE, "dibao", M_AMOUNT, "低保金发放金额（元）"},
    {C_MEASURE, "tekun", M_PERSONS, "特困人数"},
    {C_MEASURE, "tekun", M_AMOUNT, "特困供养金发放金额（元）"},
    {C_MEASURE, "marginal", M_HOUSEHOLDS, "低保边缘户数"},
    {C_MEASURE, "marginal", M_PERSONS, "低保边缘人数"},
    {C_MEASURE, "temporary", M_CASES, "临时救助人次"},
    {C_MEASURE, "temporary", M_CASE_AMOUNT, "临时救助审批金额（元）"},
    {C_MEASURE, "temporary", M_AMOUNT, "临时救助发放金额（元）"},
    {C_MEASURE, "subsidy", M_AMOUNT, "补贴发放金额（元）"},
    {C_MEASURE, "dibao", M_DECIDED, "低保审批件数"},
    {C_AVG_DAYS, "dibao", M_DECIDED, "低保平均审批天数"},
    {C_MEASURE, "dibao", M_DECIDED_IN_TIME, "低保按时审批件数"},
    {C_MEASURE, "tekun", M_DECIDED, "特困审批件数"},
    {C_AVG_DAYS, "tekun", M_DECIDED, "特困平均审批天数"},
    {C_MEASURE, "dibao", M_PAYMENT_LINES, "低保发放笔数"},
    {C_ON_TIME, "dibao", M_PAYMENT_LINES, "低保按时发放率（%）"},
    {C_MEASURE, "tekun", M_PAYMENT_LINES, "特困发放笔数"},
    {C_ON_TIME, "tekun", M_PAYMENT_LINES, "特困按时发放率（%）"},
    {C_REGISTERED, NULL, M_REGISTERED, "登记人数"},
    {C_COVERED, NULL, M_PERSONS, "保障人数"},
    {C_COVERAGE, NULL, M_PERSONS, "保障覆盖率（%）"},
    {C_MEASURE, "care_emergency", M_CASES, "监护照料应急报告件数"},
    {C_MEASURE, "care_emergency", M_ARRANGED_IN_TIME, "按时落实照料件数"},
    {C_MEASURE, "care_emergency", M_CLOSED, "监护照料应急办结件数"},
    {C_MEASURE, "children", M_PERSONS, "儿童基本生活保障人数"},
    {C_MEASURE, "children", M_ORPHAN_INSTITUTION, "孤儿（机构集中养育）人数"},
    {C_MEASURE, "children", M_ORPHAN_DISPERSED, "孤儿（社会散居）人数"},
    {C_MEASURE, "children", M_UNSUPPORTED_INSTITUTION, "事实无人抚养儿童（机构集中养育）人数"},
    {C_MEASURE, "children", M_UNSUPPORTED_DISPERSED, "事实无人抚养儿童（社会散居）人数"},
    {C_MEASURE, "children", M_AMOUNT, "儿童基本生活费发放金额（元）"},
};
#define NCOLS (sizeof file_cols / sizeof file_cols[0])

/* Column c of a row: *is_money, and the value (fen for money), or the
 * text of a derived ratio in text ("" for none). */
static int64_t col_value(const struct group *g, size_t c, bool *is_money, char text[32])
{
	int p = file_cols[c].programme ? programme_index(file_cols[c].programme) : -1;
	*is_money = false;
	text[0] = '\0';
	switch (file_cols[c].kind) {
	case C_MEASURE:
		*is_money = measures[file_cols[c].m].money;
		return g->v[p][file_cols[c].m];
	case C_AVG_DAYS:
		ratio_text(g->v[p][M_DECISION_DAYS], g->v[p][M_DECIDED], 1, text);
		return 0;
	case C_ON_TIME:
		ratio_text(g->v[p][M_LINES_ON_TIME], g->v[p][M_PAYMENT_LINES], 100, text);
		return 0;
	case C_REGISTERED:
		return g->v[NPROG - 1][M_REGISTERED];
	case C_COVERED:
		return covered(g);
	case C_COVERAGE:
		ratio_text(covered(g), g->v[NPROG - 1][M_REGISTERED], 100, text);
		return 0;
	}
	return 0;
}

static bool col_is_ratio(size_t c)
{
	return file_cols[c].kind == C_AVG_DAYS || file_cols[c].kind == C_ON_TIME || file_cols[c].kind == C_COVERAGE;
}

static void csv_cell(struct strbuf *out, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
	if (!quote && !formula) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_addc(out, '"');
	if (formula)
		strbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addc(out, '"');
		strbuf_addc(out, *s);
	}
	strbuf_addc(out, '"');
}

static void csv_row(struct strbuf *out, const char *code, const char *name, const struct group *g)
{
	csv_cell(out, code);
	strbuf_addc(out, ',');
	csv_cell(out, name);
	for (size_t c = 0; c < NCOLS; c++) {
		bool money;
		char text[32];
		int64_t v = col_value(g, c, &money, text);
		strbuf_addc(out, ',');
		if (col_is_ratio(c))
			strbuf_adds(out, text);
		else if (money) {
			char m[MONEY_TEXT_MAX];
			money_format(v, m);
			strbuf_adds(out, m);
		} else
			strbuf_add_int(out, v);
	}
	strbuf_adds(out, "\r\n");
}

static void xlsx_row(struct xlsx_out *x, uint32_t r, const char *code, const char *name, const struct group *g)
{
	xlsx_out_text(x, r, 0, code);
	xlsx_out_text(x, r, 1, name);
	for (size_t c = 0; c < NCOLS; c++) {
		bool money;
		char text[32];
		int64_t v = col_value(g, c, &money, text);
		if (col_is_ratio(c))
			xlsx_out_text(x, r, (uint16_t)(c + 2), text);
		else if (money)
			xlsx_out_money(x, r, (uint16_t)(c + 2), v);
		else
			xlsx_out_int(x, r, (uint16_t)(c + 2), v);
	}
}

enum svc_kind stats_monthly_export(struct db *db, const struct principal *actor, const char *region, const char *period,
				   enum stats_format format, struct strbuf *body, char file_name[96],
				   char display_name[256], struct svc_error *e)
{
	struct table t;
	enum svc_kind k = table_load(db, actor, region, period, &t, e);
	if (k)
		return k;
	const char *ext = format == STATS_XLSX ? "xlsx" : "csv";
	const char *place = t.region_name[0] ? t.region_name : (t.region[0] ? t.region : "全部地区");
	snprintf(file_name, 96, "statistics-%s-%s.%s", t.region[0] ? t.region : "all", t.period, ext);
	snprintf(display_name, 256, "%s%s社会救助月度统计表.%s", place, t.period, ext);
	char title[256];
	snprintf(title, sizeof title, "%s %s 社会救助月度统计表（生成于 %s）", place, t.period, t.built_at);
	if (format == STATS_CSV) {
		strbuf_adds(body, "\xEF\xBB\xBF"); /* a BOM: Excel then reads UTF-8 */
		strbuf_adds(body, "地区代码,地区名称");
		for (size_t c = 0; c < NCOLS; c++) {
			strbuf_addc(body, ',');
			csv_cell(body, file_cols[c].header);
		}
		strbuf_adds(body, "\r\n");
		for (size_t i = 0; i < t.gs.n; i++)
			csv_row(body, t.gs.g[i].region, t.gs.g[i].name, &t.gs.g[i]);
		csv_row(body, "", "合计", &t.total);
		groups_release(&t.gs);
		return body->failed ? svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足") : SVC_OK;
	}
	dd_error err;
	dd_error_clear(&err);
	struct xlsx_out *x = NULL;
	dd_status rc = xlsx_out_open(&x, "月度统计", &err);
	if (rc) {
		groups_release(&t.gs);
		return svc_from_status(e, rc, &err);
	}
	xlsx_out_bold(x, 0, 0, title);
	xlsx_out_width(x, 0, 0, 14);
	xlsx_out_width(x, 1, 1, 18);
	xlsx_out_width(x, 2, (uint16_t)(NCOLS + 1), 14);
	xlsx_out_bold(x, 1, 0, "地区代码");
	xlsx_out_bold(x, 1, 1, "地区名称");
	for (size_t c = 0; c < NCOLS; c++)
		xlsx_out_bold(x, 1, (uint16_t)(c + 2), file_cols[c].header);
	uint32_t r = 2;
	for (size_t i = 0; i < t.gs.n; i++)
		xlsx_row(x, r++, t.gs.g[i].region, t.gs.g[i].name, &t.gs.g[i]);
	xlsx_row(x, r, "", "合计", &t.total);
	groups_release(&t.gs);
	if ((rc = xlsx_out_finish(x, body, &err)))
		return svc_from_status(e, rc, &err);
	return SVC_OK;
}
