/* visits.c - visits, care agreements and the centralised-support register
 * (visits.h). */
#include "visits.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/idnum.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

/* --- helpers --- */

static enum svc_kind need_text(const char *s, const char *field, const char *label, size_t max, struct svc_error *e)
{
	if (svc_blank(s))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", field, "缺少%s %s", label, field);
	return svc_check_text(s, field, label, max, e);
}

/* A date field: NULL/"" gives dflt (when dflt >= 0), else a real date. */
static enum svc_kind parse_day(const char *s, const char *field, const char *label, dd_date dflt, dd_date *out,
			       struct svc_error *e)
{
	if (!s || !*s) {
		if (dflt < 0)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", field, "缺少%s %s", label, field);
		*out = dflt;
		return SVC_OK;
	}
	dd_error err;
	if (date_parse(s, strlen(s), out, &err) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", field, "%s %s 应为 YYYY-MM-DD 格式的日期", label, field);
	return SVC_OK;
}

static void add_masked_id(struct strbuf *b, const char *idn)
{
	char masked[IDNUM_LEN + 1];
	if (idn && strlen(idn) == IDNUM_LEN) {
		idnum_mask(idn, masked);
		idn = masked;
	}
	strbuf_add_json_member_text(b, "id_number", idn);
}

/* 138****5678: the first three and the last four digits. */
static void add_masked_phone(struct strbuf *b, const char *key, const char *phone)
{
	char m[40];
	size_t n = phone ? strlen(phone) : 0;
	if (phone && n >= 8 && n < sizeof m) {
		for (size_t i = 0; i < n; i++)
			m[i] = i < 3 || i + 4 >= n ? phone[i] : '*';
		m[n] = 0;
		phone = m;
	} else if (phone && n) {
		snprintf(m, sizeof m, "****");
		phone = m;
	}
	strbuf_add_json_member_text(b, key, phone);
}

static enum svc_kind stale(struct svc_error *e)
{
	return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "记录已被他人修改，请重新读取后再操作");
}

/* The region range to read: the caller's scope, narrowed to region. False
 * (nothing visible) for ROLE_NONE or a region outside the scope. */
static enum svc_kind scope_range(const struct principal *actor, const char *region, bool *visible,
				 char lo[STORE_REGION_BOUND_MAX], char hi[STORE_REGION_BOUND_MAX], struct svc_error *e)
{
	char scope[REGION_TEXT_MAX];
	*visible = actor->role != ROLE_NONE;
	snprintf(scope, sizeof scope, "%s", actor->scope);
	if (region && *region) {
		char sig[REGION_TEXT_MAX];
		dd_error perr;
		if (region_parse(region, strlen(region), 6, sig, &perr) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码 region 应为 6-12 位数字");
		*visible = *visible && authz_scope_narrow(actor, sig, scope);
	}
	store_region_range(scope, lo, hi);
	return SVC_OK;
}

static void finish_list(struct strbuf *out, int64_t total, int64_t page, int64_t per_page)
{
	strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64, total, page, per_page);
}

static void truncate_to(struct strbuf *out, size_t mark)
{
	out->len = mark;
	if (out->buf)
		out->buf[mark] = 0;
}

/* --- parameters --- */

static enum svc_kind param_int(const struct policy *p, const char *name, const char *sig, dd_date today, int64_t *out,
			       struct svc_error *e)
{
	const struct policy_entry *pe = p ? policy_lookup(p, name, sig, today) : NULL;
	if (!pe || pe->value.kind != POLICY_INTEGER)
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "该地区当日没有生效的政策参数 %s，请先由区县或市设定",
				name);
	*out = pe->value.i;
	return SVC_OK;
}

enum svc_kind visit_rules_get(const struct policy *p, const char *region_sig, dd_date today, struct visit_rules *out,
			      struct svc_error *e)
{
	enum svc_kind k;
	if ((k = param_int(p, "visit.interval_days.tekun_dispersed", region_sig, today, &out->tekun_days, e)) ||
	    (k = param_int(p, "visit.interval_days.elderly_alone", region_sig, today, &out->elderly_days, e)) ||
	    (k = param_int(p, "visit.interval_days.severe_disability", region_sig, today, &out->severe_days, e)) ||
	    (k = param_int(p, "visit.elderly_age", region_sig, today, &out->elderly_age, e)) ||
	    (k = param_int(p, "care.expiry_warning_days", region_sig, today, &out->care_warning_days, e)))
		return k;
	return SVC_OK;
}

/* --- the visit population --- */

enum { G_TEKUN = 1, G_ELDERLY = 2, G_SEVERE = 4 };

struct subject {
	int64_t person, household;
	unsigned groups;
	dd_date since, last, next;
	bool visited;
	int64_t interval;
	char name[96], idn[24], region[REGION_TEXT_MAX], region_name[96];
};

struct subjects {
	struct subject *v;
	size_t n, cap;
};

/* $1 today, $2/$3 the region range, $4 the latest birth date of the elderly.
 * One row per person and group; a person's rows are consecutive. */
#define POPULATION_SQL                                                                                                 \
	"SELECT p.id, p.name, p.id_number, p.region_code, r.name, x.household_id, x.grp, x.since, "                    \
	"(SELECT max(v.visited_on) FROM visits v WHERE v.person_id = p.id) FROM ("                                     \
	"SELECT l.person_id AS person_id, l.household_id AS household_id, 1 AS grp, d.effective_from AS since "        \
	"FROM decision_lines l JOIN decisions d ON d.id = l.decision_id WHERE l.programme = 'tekun' AND "              \
	"l.region_code >= $2 AND l.region_code < $3 AND d.effective_from <= $1 AND (d.effective_to IS NULL OR "        \
	"d.effective_to > $1) AND NOT EXISTS (SELECT 1 FROM centralised_requests c WHERE c.person_id = l.person_id "   \
	"AND c.state = 'placed') "                                                                                     \
	"UNION ALL SELECT l.person_id, l.household_id, 4, d.effective_from FROM decision_lines l JOIN decisions d ON " \
	"d.id = l.decision_id JOIN persons q ON q.id = l.person_id WHERE l.programme = 'tekun' AND "                   \
	"l.region_code >= $2 AND l.region_code < $3 AND d.effective_from <= $1 AND (d.effective_to IS NULL OR "        \
	"d.effective_to > $1) AND (q.disability_grade BETWEEN 1 AND 2 OR q.severe_illness = 1) "                       \
	"UNION ALL SELECT m.person_id, m.household_id, CASE WHEN q.birth_date <= $4 AND (SELECT count(*) FROM "        \
	"memberships m2 WHERE m2.household_id = m.household_id AND m2.to_date IS NULL) = 1 THEN 2 ELSE 0 END + "       \
	"CASE WHEN q.disability_grade BETWEEN 1 AND 2 OR q.severe_illness = 1 THEN 4 ELSE 0 END, d.effective_from "    \
	"FROM decisions d JOIN memberships m ON m.household_id = d.household_id AND m.to_date IS NULL JOIN persons q " \
	"ON q.id = m.person_id WHERE (d.determination = 'dibao' OR d.determination = 'dibao_gradual_exit') AND "       \
	"d.region_code >= $2 AND d.region_code < $3 AND d.effective_from <= $1 AND (d.effective_to IS NULL OR "        \
	"d.effective_to > $1)) x JOIN persons p ON p.id = x.person_id LEFT JOIN regions r ON r.code = p.region_code "  \
	"WHERE x.grp > 0 AND p.death_date IS NULL AND p.region_code >= $2 AND p.region_code < $3 ORDER BY p.id"

static int64_t interval_of(unsigned groups, const struct visit_rules *r)
{
	int64_t best = INT64_MAX;
	if ((groups & G_TEKUN) && r->tekun_days < best)
		best = r->tekun_days;
	if ((groups & G_ELDERLY) && r->elderly_days < best)
		best = r->elderly_days;
	if ((groups & G_SEVERE) && r->severe_days < best)
		best = r->severe_days;
	return best < 1 ? 1 : best;
}

static dd_date parse_or(const char *s, dd_date dflt)
{
	dd_date d;
	dd_error err;
	if (!s || date_parse(s, strlen(s), &d, &err) != DD_OK)
		return dflt;
	return d;
}

/* Loads the population of lo..hi on today (inside a read transaction). */
static dd_status load_population(struct db *db, const char *lo, const char *hi, dd_date today,
				 const struct visit_rules *rules, struct subjects *out, dd_error *err)
{
	char day[DATE_TEXT_MAX], cutoff[DATE_TEXT_MAX];
	date_format(today, day);
	date_format(date_add_months(today, -(int)(12 * rules->elderly_age)), cutoff);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_prepare(db, POPULATION_SQL, 0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, day);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	db_bind_str(st, 4, cutoff);
	while (!(rc = db_step(st, &row, err)) && row) {
		int64_t pid = db_column_int64(st, 0);
		unsigned g = (unsigned)db_column_int64(st, 6);
		dd_date since = parse_or(db_column_text(st, 7, NULL), today);
		struct subject *s = out->n ? &out->v[out->n - 1] : NULL;
		if (!s || s->person != pid) {
			if (out->n == out->cap) {
				size_t cap = out->cap ? out->cap * 2 : 64;
				struct subject *v = realloc(out->v, cap * sizeof *v);
				if (!v) {
					rc = dd_fail(err, DD_ENOMEM, "visits", "内存不足 (out of memory)");
					break;
				}
				out->v = v;
				out->cap = cap;
			}
			s = &out->v[out->n++];
			memset(s, 0, sizeof *s);
			s->person = pid;
			s->since = since;
			db_column_copy(st, 1, s->name, sizeof s->name);
			db_column_copy(st, 2, s->idn, sizeof s->idn);
			db_column_copy(st, 3, s->region, sizeof s->region);
			db_column_copy(st, 4, s->region_name, sizeof s->region_name);
			const char *last = db_column_text(st, 8, NULL);
			s->visited = last != NULL;
			s->last = parse_or(last, today);
		}
		if (!db_column_is_null(st, 5) && !s->household)
			s->household = db_column_int64(st, 5);
		s->groups |= g;
		if (since < s->since)
			s->since = since;
	}
	db_finalize(st);
	for (size_t i = 0; i < out->n; i++) {
		struct subject *s = &out->v[i];
		s->interval = interval_of(s->groups, rules);
		s->next = s->visited ? s->last + (dd_date)s->interval : s->since;
	}
	return rc;
}

static int by_due(const void *a, const void *b)
{
	const struct subject *x = a, *y = b;
	if (x->next != y->next)
		return x->next < y->next ? -1 : 1;
	return x->person < y->person ? -1 : x->person > y->person;
}

static void render_subject(struct strbuf *b, const struct subject *s, dd_date today)
{
	char d[DATE_TEXT_MAX];
	strbuf_addf(b, "{\"person_id\":%" PRId64, s->person);
	strbuf_add_json_member_text(b, "name", s->name);
	add_masked_id(b, s->idn);
	strbuf_add_json_member_text(b, "region", s->region);
	strbuf_add_json_member_text(b, "region_name", s->region_name[0] ? s->region_name : NULL);
	strbuf_adds(b, ",\"household_id\":");
	if (s->household)
		strbuf_add_int(b, s->household);
	else
		strbuf_adds(b, "null");
	strbuf_adds(b, ",\"groups\":[");
	const char *sep = "";
	if (s->groups & G_TEKUN)
		strbuf_addf(b, "%s\"tekun_dispersed\"", sep), sep = ",";
	if (s->groups & G_ELDERLY)
		strbuf_addf(b, "%s\"elderly_alone\"", sep), sep = ",";
	if (s->groups & G_SEVERE)
		strbuf_addf(b, "%s\"severe_disability\"", sep);
	strbuf_addf(b, "],\"interval_days\":%" PRId64, s->interval);
	if (s->visited) {
		date_format(s->last, d);
		strbuf_add_json_member_text(b, "last_visit", d);
	} else
		strbuf_add_json_member_text(b, "last_visit", NULL);
	date_format(s->next, d);
	strbuf_add_json_member_text(b, "next_due", d);
	strbuf_addf(b, ",\"overdue\":%s,\"days_overdue\":%d}", s->next < today ? "true" : "false",
		    s->next < today ? (int)(today - s->next) : 0);
}

struct village {
	char region[REGION_TEXT_MAX], name[96];
	int64_t due, overdue;
};

static int by_region(const void *a, const void *b)
{
	return strcmp(((const struct village *)a)->region, ((const struct village *)b)->region);
}

enum svc_kind visits_due_list(struct db *db, const struct principal *actor, const struct policy *policy,
			      const struct visit_due_filter *f, dd_date today, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	static const char *const statuses[] = {"overdue", "due", "all"};
	const char *status = f->status && *f->status ? f->status : "due";
	if (!svc_one_of(status, statuses, 3))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "status", "status 应为 overdue、due 或 all");
	if (f->within_days < 0 || f->within_days > 366)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "within_days", "within_days 应为 0 至 366 的整数");
	bool visible;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	if ((k = scope_range(actor, f->region, &visible, lo, hi, e)))
		return k;
	if (visible && !(f->region && *f->region) && strlen(actor->scope) < VISIT_SCOPE_MIN)
		return svc_fail(e, SVC_BAD_INPUT, "REGION_REQUIRED", "region",
				"请选择一个区县或更小的地区（region）查看走访名单");
	struct visit_rules rules;
	if ((k = visit_rules_get(policy, actor->scope, today, &rules, e)))
		return k;
	struct subjects subs = {0};
	if (visible) {
		dd_error err;
		dd_error_clear(&err);
		dd_status rc = db_begin_read(db, &err);
		if (!rc)
			rc = load_population(db, lo, hi, today, &rules, &subs, &err);
		db_rollback(db);
		if (rc) {
			free(subs.v);
			return svc_store_fail(e, db, rc, &err);
		}
	}
	if (subs.n)
		qsort(subs.v, subs.n, sizeof *subs.v, by_due);
	dd_date horizon = today + (dd_date)f->within_days;
	struct village *vs = calloc(subs.n + 1, sizeof *vs);
	size_t nv = 0;
	if (!vs) {
		free(subs.v);
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
	}
	int64_t total = 0, skip = (f->page - 1) * f->per_page, shown = 0;
	strbuf_addf(out, "{\"items\":[");
	for (size_t i = 0; i < subs.n; i++) {
		const struct subject *s = &subs.v[i];
		bool overdue = s->next < today, due = s->next <= horizon;
		/* the villages' figures: a linear search is fine for the villages of a county */
		size_t j = 0;
		while (j < nv && strcmp(vs[j].region, s->region) != 0)
			j++;
		if (j == nv) {
			snprintf(vs[nv].region, sizeof vs[nv].region, "%s", s->region);
			snprintf(vs[nv].name, sizeof vs[nv].name, "%s", s->region_name);
			nv++;
		}
		vs[j].due += due;
		vs[j].overdue += overdue;
		bool take = strcmp(status, "all") == 0 || (strcmp(status, "overdue") == 0 ? overdue : due);
		if (!take)
			continue;
		if (total++ < skip || shown >= f->per_page)
			continue;
		if (shown++)
			strbuf_addc(out, ',');
		render_subject(out, s, today);
	}
	finish_list(out, total, f->page, f->per_page);
	qsort(vs, nv, sizeof *vs, by_region);
	strbuf_adds(out, ",\"villages\":[");
	for (size_t j = 0; j < nv; j++) {
		strbuf_addf(out, "%s{\"region\":\"%s\"", j ? "," : "", vs[j].region);
		strbuf_add_json_member_text(out, "region_name", vs[j].name[0] ? vs[j].name : NULL);
		strbuf_addf(out, ",\"due\":%" PRId64 ",\"overdue\":%" PRId64 "}", vs[j].due, vs[j].overdue);
	}
	char day[DATE_TEXT_MAX];
	date_format(today, day);
	strbuf_addf(out, "],\"today\":\"%s\"}", day);
	free(vs);
	free(subs.v);
	return SVC_OK;
}

/* --- persons --- */

struct person_ref {
	char region[REGION_TEXT_MAX];
	int64_t household;
	bool dead;
};

/* A person in lo..hi: SVC_RULE-free lookup; *found false when not visible. */
static dd_status find_person(struct db *db, int64_t id, const char *lo, const char *hi, struct person_ref *p,
			     bool *found, dd_error *err)
{
	struct db_stmt *st = NULL;
	*found = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT p.region_code, p.death_date, m.household_id FROM persons p LEFT JOIN "
			      "memberships m ON m.person_id = p.id AND m.to_date IS NULL WHERE p.id = $1 AND "
			      "p.region_code >= $2 AND p.region_code < $3",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	rc = db_step(st, found, err);
	if (!rc && *found) {
		db_column_copy(st, 0, p->region, sizeof p->region);
		p->dead = !db_column_is_null(st, 1);
		p->household = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
	}
	db_finalize(st);
	return rc;
}

static dd_status is_tekun(struct db *db, int64_t person, const char *day, bool *yes, dd_error *err)
{
	struct db_stmt *st = NULL;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT 1 FROM decision_lines l JOIN decisions d ON d.id = l.decision_id WHERE "
			      "l.person_id = $1 AND l.programme = 'tekun' AND d.effective_from <= $2 AND "
			      "(d.effective_to IS NULL OR d.effective_to > $2) LIMIT 1",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person);
	db_bind_str(st, 2, day);
	rc = db_step(st, yes, err);
	db_finalize(st);
	return rc;
}

/* Opens a write transaction and finds person (in scope, alive): SVC_OK with
 * the transaction open, else rolled back. */
static enum svc_kind begin_with_person(struct db *db, const struct principal *actor, int64_t person,
				       struct person_ref *p, bool need_tekun, const char *day, struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	bool found = false, tekun = true;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = find_person(db, person, lo, hi, p, &found, &err);
	if (!rc && found && need_tekun)
		rc = is_tekun(db, person, day, &tekun, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "PERSON_NOT_FOUND", "person_id",
						 "未找到该人员（person_id），或不在本辖区内"));
	if (p->dead)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "PERSON_DECEASED", "person_id", "该人员已死亡登记"));
	if (!tekun)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "NOT_TEKUN", "person_id",
						 "该人员当前不是在保的特困供养人员（person_id）"));
	return SVC_OK;
}

static enum svc_kind commit_audit(struct db *db, const char *region, const struct principal *actor, const char *action,
				  const char *entity, int64_t id, const char *detail, struct svc_error *e)
{
	char idt[24];
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = audit_append_region(db, region, actor->username, action, entity, idt, detail, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* --- visits --- */

#define VISIT_COLS                                                                                                     \
	"v.id, v.person_id, p.name, p.id_number, v.household_id, v.region_code, v.visited_on, v.visitor_id, "          \
	"v.health, "                                                                                                   \
	"v.housing_safe, v.fire_safe, v.hygiene_ok, v.needs, v.result, v.note, v.photo_ref, v.photo_type, "            \
	"v.follow_up, v.follow_up_due, v.follow_up_done_at, v.follow_up_note, v.version, v.visited_on"

static void render_visit(struct strbuf *b, const struct db_stmt *st, const char *today)
{
	strbuf_addf(b, "{\"id\":%" PRId64 ",\"person_id\":%" PRId64, db_column_int64(st, 0), db_column_int64(st, 1));
	strbuf_add_json_member_text(b, "name", db_column_text(st, 2, NULL));
	add_masked_id(b, db_column_text(st, 3, NULL));
	svc_json_member_id(b, "household_id", st, 4);
	strbuf_add_json_member_text(b, "region", db_column_text(st, 5, NULL));
	strbuf_add_json_member_text(b, "visited_on", db_column_text(st, 6, NULL));
	svc_json_member_id(b, "visitor_id", st, 7);
	strbuf_add_json_member_text(b, "health", db_column_text(st, 8, NULL));
	strbuf_addf(b, ",\"housing_safe\":%s,\"fire_safe\":%s,\"hygiene_ok\":%s",
		    db_column_int64(st, 9) ? "true" : "false", db_column_int64(st, 10) ? "true" : "false",
		    db_column_int64(st, 11) ? "true" : "false");
	strbuf_add_json_member_text(b, "needs", db_column_text(st, 12, NULL));
	strbuf_add_json_member_text(b, "result", db_column_text(st, 13, NULL));
	strbuf_add_json_member_text(b, "note", db_column_text(st, 14, NULL));
	strbuf_addf(b, ",\"photo\":%s", db_column_is_null(st, 15) ? "false" : "true");
	strbuf_add_json_member_text(b, "photo_type", db_column_text(st, 16, NULL));
	bool fu = db_column_int64(st, 17) != 0;
	const char *due = db_column_text(st, 18, NULL);
	bool done = !db_column_is_null(st, 19);
	strbuf_addf(b, ",\"follow_up\":%s", fu ? "true" : "false");
	strbuf_add_json_member_text(b, "follow_up_due", due);
	strbuf_add_json_member_text(b, "follow_up_done_at", db_column_text(st, 19, NULL));
	strbuf_add_json_member_text(b, "follow_up_note", db_column_text(st, 20, NULL));
	strbuf_addf(b, ",\"follow_up_overdue\":%s,\"version\":%" PRId64 "}",
		    fu && !done && due && strcmp(due, today) < 0 ? "true" : "false", db_column_int64(st, 21));
}

static dd_status read_visit(struct db *db, int64_t id, const char *lo, const char *hi, const char *today,
			    struct strbuf *out, bool *found, dd_error *err)
{
	struct db_stmt *st = NULL;
	dd_status rc = db_prepare_cached(db,
					 "SELECT " VISIT_COLS " FROM visits v JOIN persons p ON p.id = v.person_id "
					 "WHERE v.id = $1 AND v.region_code >= $2 AND v.region_code < $3",
					 &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	rc = db_step(st, found, err);
	if (!rc && *found)
		render_visit(out, st, today);
	db_finalize(st);
	return rc;
}

static enum svc_kind bool_field(int v, const char *field, const char *label, struct svc_error *e)
{
	if (v < 0)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", field, "缺少检查项%s %s（true 或 false）", label,
				field);
	return SVC_OK;
}

enum svc_kind visits_record(struct db *db, const struct principal *actor, const struct visit_new *req, dd_date today,
			    struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	static const char *const healths[] = {"good", "fair", "poor"};
	static const char *const results[] = {"normal", "attention", "urgent"};
	if (req->person_id < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "person_id", "缺少被走访人员 person_id");
	dd_date on, fdue = 0;
	if ((k = parse_day(req->visited_on, "visited_on", "走访日期", today, &on, e)))
		return k;
	if (on > today)
		return svc_fail(e, SVC_BAD_INPUT, "FUTURE_DATE", "visited_on", "走访日期 visited_on 不能晚于今天");
	if (!req->health)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "health",
				"缺少健康状况 health（good、fair 或 poor）");
	if (!svc_one_of(req->health, healths, 3))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "health", "健康状况 health 应为 good、fair 或 poor");
	if ((k = bool_field(req->housing_safe, "housing_safe", "住房安全", e)) ||
	    (k = bool_field(req->fire_safe, "fire_safe", "消防安全", e)) ||
	    (k = bool_field(req->hygiene_ok, "hygiene_ok", "卫生安全", e)))
		return k;
	if (!req->result)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "result",
				"缺少走访结论 result（normal、attention 或 urgent）");
	if (!svc_one_of(req->result, results, 3))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "result",
				"走访结论 result 应为 normal、attention 或 urgent");
	if ((k = svc_check_text(req->needs, "needs", "发现的需求", VISIT_TEXT_MAX, e)) ||
	    (k = svc_check_text(req->note, "note", "备注", VISIT_TEXT_MAX, e)))
		return k;
	if (req->follow_up) {
		if ((k = parse_day(req->follow_up_due, "follow_up_due", "跟进期限", -1, &fdue, e)))
			return k;
		if (fdue < on)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "follow_up_due",
					"跟进期限 follow_up_due 不能早于走访日期");
	} else if (req->follow_up_due && *req->follow_up_due)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "follow_up_due",
				"只有需要跟进（follow_up 为 true）时才填写 follow_up_due");
	char day[DATE_TEXT_MAX], onday[DATE_TEXT_MAX], fday[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	date_format(today, day);
	date_format(on, onday);
	date_format(fdue, fday);
	store_now(now);
	struct person_ref p;
	if ((k = begin_with_person(db, actor, req->person_id, &p, false, day, e)))
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t id = 0;
	dd_status rc = db_prepare_cached(
	    db,
	    "INSERT INTO visits (person_id, household_id, region_code, visited_on, visitor_id, health, housing_safe, "
	    "fire_safe, hygiene_ok, needs, result, note, follow_up, follow_up_due, created_at, updated_at) VALUES ($1, "
	    "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
	    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, req->person_id);
		if (p.household)
			db_bind_int64(st, 2, p.household);
		else
			db_bind_null(st, 2);
		db_bind_str(st, 3, p.region);
		db_bind_str(st, 4, onday);
		db_bind_int64(st, 5, actor->id);
		db_bind_str(st, 6, req->health);
		db_bind_int64(st, 7, req->housing_safe != 0);
		db_bind_int64(st, 8, req->fire_safe != 0);
		db_bind_int64(st, 9, req->hygiene_ok != 0);
		db_bind_str(st, 10, svc_blank(req->needs) ? NULL : req->needs);
		db_bind_str(st, 11, req->result);
		db_bind_str(st, 12, svc_blank(req->note) ? NULL : req->note);
		db_bind_int64(st, 13, req->follow_up);
		db_bind_str(st, 14, req->follow_up ? fday : NULL);
		db_bind_str(st, 15, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[160];
	snprintf(detail, sizeof detail, "{\"person_id\":%" PRId64 ",\"visited_on\":\"%s\",\"result\":\"%s\"}",
		 req->person_id, onday, req->result);
	if ((k = commit_audit(db, p.region, actor, "visit.record", "visit", id, detail, e)))
		return k;
	return out ? visits_get(db, actor, id, today, out, e) : SVC_OK;
}

enum svc_kind visits_get(struct db *db, const struct principal *actor, int64_t id, dd_date today, struct strbuf *out,
			 struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该走访记录");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], day[DATE_TEXT_MAX];
	store_region_range(actor->scope, lo, hi);
	date_format(today, day);
	dd_error err;
	dd_error_clear(&err);
	bool found = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = read_visit(db, id, lo, hi, day, out, &found, &err);
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该走访记录");
	return SVC_OK;
}

#define RECORDS_WHERE                                                                                                  \
	" FROM visits v JOIN persons p ON p.id = v.person_id WHERE v.region_code >= $1 AND v.region_code < $2 AND "    \
	"(CAST($3 AS BIGINT) = 0 OR v.person_id = $3) AND (CAST($4 AS INTEGER) = 0 OR (v.follow_up = 1 AND "           \
	"v.follow_up_done_at IS NULL))"

enum svc_kind visits_records(struct db *db, const struct principal *actor, const struct visit_record_filter *f,
			     dd_date today, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	bool visible;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], day[DATE_TEXT_MAX];
	if ((k = scope_range(actor, f->region, &visible, lo, hi, e)))
		return k;
	date_format(today, day);
	int64_t total = 0;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	if (visible) {
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		for (int q = 0; !rc && q < 2; q++) {
			rc = db_prepare_cached(db,
					       q == 0 ? "SELECT count(*)" RECORDS_WHERE
						      : "SELECT " VISIT_COLS RECORDS_WHERE
							" ORDER BY v.visited_on DESC, v.id DESC LIMIT $5 OFFSET $6",
					       &st, &err);
			if (rc)
				break;
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_int64(st, 3, f->person_id);
			db_bind_int64(st, 4, f->follow_up_open);
			if (q == 1) {
				db_bind_int64(st, 5, f->per_page);
				db_bind_int64(st, 6, (f->page - 1) * f->per_page);
			}
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (q == 0) {
					total = db_column_int64(st, 0);
					continue;
				}
				if (n)
					strbuf_addc(out, ',');
				render_visit(out, st, day);
			}
			db_finalize(st);
		}
		db_rollback(db);
		if (rc) {
			truncate_to(out, mark);
			return svc_store_fail(e, db, rc, &err);
		}
	}
	finish_list(out, total, f->page, f->per_page);
	strbuf_addc(out, '}');
	return SVC_OK;
}

/* Locks visit id in scope for a write: its region, version and what the
 * caller needs. The transaction is open on SVC_OK. */
static enum svc_kind begin_visit(struct db *db, const struct principal *actor, int64_t id, char region[REGION_TEXT_MAX],
				 int64_t *version, bool *follow_open, char photo[80], struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT region_code, version, follow_up = 1 AND follow_up_done_at IS NULL, "
				       "photo_ref FROM visits WHERE id = $1 AND region_code >= $2 AND region_code < $3",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, region, REGION_TEXT_MAX);
			*version = db_column_int64(st, 1);
			*follow_open = db_column_int64(st, 2) != 0;
			db_column_copy(st, 3, photo, 80);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该走访记录"));
	return SVC_OK;
}

enum svc_kind visits_follow_up_done(struct db *db, const struct principal *actor, int64_t id, int64_t version,
				    const char *note, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	if ((k = need_text(note, "note", "跟进情况", VISIT_TEXT_MAX, e)))
		return k;
	char region[REGION_TEXT_MAX] = "", photo[80] = "", now[STORE_TIME_MAX];
	int64_t have = 0;
	bool open = false;
	if ((k = begin_visit(db, actor, id, region, &have, &open, photo, e)))
		return k;
	if (have != version)
		return svc_rollback(db, stale(e));
	if (!open)
		return svc_rollback(db,
				    svc_fail(e, SVC_RULE, "NO_FOLLOW_UP", "follow_up", "该走访记录没有待办的跟进事项"));
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	dd_status rc =
	    db_prepare_cached(db,
			      "UPDATE visits SET follow_up_done_at = $2, follow_up_by = $3, follow_up_note = "
			      "$4, updated_at = $2, version = version + 1 WHERE id = $1",
			      &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, now);
		db_bind_int64(st, 3, actor->id);
		db_bind_str(st, 4, note);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if ((k = commit_audit(db, region, actor, "visit.follow_up_done", "visit", id, "{}", e)))
		return k;
	if (out)
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"follow_up_done_at\":\"%s\",\"version\":%" PRId64 "}", id, now,
			    version + 1);
	return SVC_OK;
}

/* --- photos --- */

const char *visit_photo_type(const unsigned char *p, size_t n)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (n >= 8 && memcmp(p, png, 8) == 0)
		return "image/png";
	if (n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	return NULL;
}

static bool photo_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 5 || n > 70)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '.' || s[i] == 'j' ||
		      s[i] == 'p' || s[i] == 'g' || s[i] == 'n'))
			return false;
	return strstr(s, "..") == NULL;
}

static bool write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

enum svc_kind visits_photo_put(struct db *db, const struct principal *actor, int64_t id, const char *data_dir,
			       const unsigned char *data, size_t n, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (!data || n == 0)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "photo", "缺少照片内容（photo）");
	if (n > VISIT_PHOTO_MAX)
		return svc_fail(e, SVC_BAD_INPUT, "PHOTO_TOO_LARGE", "photo", "照片不能超过 %d MiB（photo）",
				VISIT_PHOTO_MAX >> 20);
	const char *type = visit_photo_type(data, n);
	if (!type)
		return svc_fail(e, SVC_BAD_INPUT, "PHOTO_TYPE", "photo", "照片只接受 JPEG 或 PNG 格式（photo）");
	if (!data_dir || !*data_dir)
		return svc_fail(e, SVC_UNAVAILABLE, "NO_DATA_DIR", NULL, "服务器未配置数据目录，无法保存照片");
	char dir[1024], file[1200], name[80];
	unsigned char rnd[16];
	randombytes_buf(rnd, sizeof rnd);
	char hex[33];
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(name, sizeof name, "%s.%s", hex, strcmp(type, "image/png") == 0 ? "png" : "jpg");
	if ((size_t)snprintf(dir, sizeof dir, "%s/%s", data_dir, VISIT_PHOTO_DIR) >= sizeof dir ||
	    (size_t)snprintf(file, sizeof file, "%s/%s", dir, name) >= sizeof file)
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "数据目录路径过长");
	char region[REGION_TEXT_MAX] = "", old[80] = "";
	int64_t version = 0;
	bool fu_open = false;
	if ((k = begin_visit(db, actor, id, region, &version, &fu_open, old, e)))
		return k;
	(void)mkdir(data_dir, 0700);
	(void)mkdir(dir, 0700);
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = fd >= 0 && write_all(fd, data, n) && fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (!ok) {
		if (fd >= 0)
			unlink(file);
		return svc_rollback(db, svc_fail(e, SVC_UNAVAILABLE, "PHOTO_STORE", NULL, "照片保存失败，请稍后重试"));
	}
	char now[STORE_TIME_MAX];
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	dd_status rc =
	    db_prepare_cached(db,
			      "UPDATE visits SET photo_ref = $2, photo_type = $3, photo_size = $4, updated_at = "
			      "$5, version = version + 1 WHERE id = $1",
			      &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, name);
		db_bind_str(st, 3, type);
		db_bind_int64(st, 4, (int64_t)n);
		db_bind_str(st, 5, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (rc) {
		unlink(file);
		return svc_store_fail(e, db, rc, &err);
	}
	char detail[160];
	snprintf(detail, sizeof detail, "{\"photo\":\"%s\",\"type\":\"%s\",\"size\":%zu}", name, type, n);
	if ((k = commit_audit(db, region, actor, "visit.photo", "visit", id, detail, e))) {
		unlink(file);
		return k;
	}
	if (old[0] && photo_name_ok(old)) {
		snprintf(file, sizeof file, "%s/%s", dir, old);
		unlink(file);
	}
	if (out)
		strbuf_addf(out,
			    "{\"id\":%" PRId64 ",\"photo\":true,\"photo_type\":\"%s\",\"size\":%zu,\"version\":%" PRId64
			    "}",
			    id, type, n, version + 1);
	return SVC_OK;
}

enum svc_kind visits_photo_get(struct db *db, const struct principal *actor, int64_t id, const char *data_dir,
			       struct strbuf *body, char type[32], struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该走访照片");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], name[80] = "";
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	type[0] = 0;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT photo_ref, photo_type FROM visits WHERE id = $1 AND region_code >= $2 AND "
		    "region_code < $3 AND photo_ref IS NOT NULL",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, name, sizeof name);
			db_column_copy(st, 1, type, 32);
		}
		db_finalize(st);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row || !photo_name_ok(name) || !data_dir)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该走访照片");
	char file[1200];
	snprintf(file, sizeof file, "%s/%s/%s", data_dir, VISIT_PHOTO_DIR, name);
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该走访照片文件");
	char buf[65536];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			strbuf_add(body, buf, (size_t)r);
	close(fd);
	if (r < 0 || body->failed)
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "读取照片失败");
	return SVC_OK;
}

/* --- care agreements --- */

#define CARE_COLS                                                                                                      \
	"c.id, c.person_id, p.name, p.id_number, c.region_code, c.caregiver_name, c.caregiver_phone, "                 \
	"c.caregiver_relation, c.term_start, c.term_end, c.duties, c.care_level, c.state, c.unable_reason, "           \
	"c.unable_since, c.replaced_by, c.replaces, c.ended_on, c.version"

static void render_care(struct strbuf *b, const struct db_stmt *st, dd_date today, int64_t warn_days)
{
	strbuf_addf(b, "{\"id\":%" PRId64 ",\"person_id\":%" PRId64, db_column_int64(st, 0), db_column_int64(st, 1));
	strbuf_add_json_member_text(b, "name", db_column_text(st, 2, NULL));
	add_masked_id(b, db_column_text(st, 3, NULL));
	strbuf_add_json_member_text(b, "region", db_column_text(st, 4, NULL));
	strbuf_add_json_member_text(b, "caregiver_name", db_column_text(st, 5, NULL));
	add_masked_phone(b, "caregiver_phone", db_column_text(st, 6, NULL));
	strbuf_add_json_member_text(b, "caregiver_relation", db_column_text(st, 7, NULL));
	strbuf_add_json_member_text(b, "term_start", db_column_text(st, 8, NULL));
	const char *end = db_column_text(st, 9, NULL);
	strbuf_add_json_member_text(b, "term_end", end);
	strbuf_add_json_member_text(b, "duties", db_column_text(st, 10, NULL));
	strbuf_add_json_member_text(b, "care_level", db_column_text(st, 11, NULL));
	const char *stored = db_column_text(st, 12, NULL);
	dd_date e = parse_or(end, today);
	bool active = stored && strcmp(stored, "active") == 0;
	const char *state = active && e < today ? "expired" : stored;
	strbuf_add_json_member_text(b, "state", state);
	strbuf_add_json_member_text(b, "stored_state", stored);
	bool expiring = active && e >= today && e - today <= warn_days;
	strbuf_addf(b, ",\"expiring\":%s,\"days_left\":", expiring ? "true" : "false");
	if (active)
		strbuf_add_int(b, (int64_t)(e - today));
	else
		strbuf_adds(b, "null");
	strbuf_add_json_member_text(b, "unable_reason", db_column_text(st, 13, NULL));
	strbuf_add_json_member_text(b, "unable_since", db_column_text(st, 14, NULL));
	svc_json_member_id(b, "replaced_by", st, 15);
	svc_json_member_id(b, "replaces", st, 16);
	strbuf_add_json_member_text(b, "ended_on", db_column_text(st, 17, NULL));
	strbuf_addf(b, ",\"version\":%" PRId64 "}", db_column_int64(st, 18));
}

#define CARE_WHERE                                                                                                     \
	" FROM care_agreements c JOIN persons p ON p.id = c.person_id WHERE c.region_code >= $1 AND c.region_code < "  \
	"$2 AND (CAST($3 AS BIGINT) = 0 OR c.person_id = $3) AND (CAST($4 AS TEXT) = '' OR (CAST($4 AS TEXT) = "       \
	"'active' AND c.state = 'active' AND c.term_end >= $5) OR (CAST($4 AS TEXT) = 'expired' AND (c.state = "       \
	"'expired' OR (c.state = 'active' AND c.term_end < $5))) OR (CAST($4 AS TEXT) = 'expiring' AND c.state = "     \
	"'active' AND c.term_end >= $5 AND c.term_end <= $6) OR (CAST($4 AS TEXT) = 'needs_replacement' AND "          \
	"c.state = 'needs_replacement') OR (CAST($4 AS TEXT) = 'ended' AND c.state = 'ended') OR (CAST($4 AS TEXT) "   \
	"= 'current' AND (c.state = 'active' OR c.state = 'needs_replacement')))"

enum svc_kind care_list(struct db *db, const struct principal *actor, const struct care_filter *f, int64_t warn_days,
			dd_date today, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	static const char *const states[] = {"active", "needs_replacement", "ended", "expired", "expiring", "current"};
	if (f->state && *f->state && !svc_one_of(f->state, states, 6))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 active、needs_replacement、ended、expired、expiring 或 current");
	bool visible;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], day[DATE_TEXT_MAX], until[DATE_TEXT_MAX];
	if ((k = scope_range(actor, f->region, &visible, lo, hi, e)))
		return k;
	date_format(today, day);
	date_format(today + (dd_date)warn_days, until);
	int64_t total = 0;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	if (visible) {
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		for (int q = 0; !rc && q < 2; q++) {
			rc =
			    db_prepare_cached(db,
					      q == 0 ? "SELECT count(*)" CARE_WHERE
						     : "SELECT " CARE_COLS CARE_WHERE
						       " ORDER BY c.state = 'needs_replacement' DESC, c.term_end, c.id "
						       "LIMIT $7 OFFSET $8",
					      &st, &err);
			if (rc)
				break;
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_int64(st, 3, f->person_id);
			db_bind_str(st, 4, f->state ? f->state : "");
			db_bind_str(st, 5, day);
			db_bind_str(st, 6, until);
			if (q == 1) {
				db_bind_int64(st, 7, f->per_page);
				db_bind_int64(st, 8, (f->page - 1) * f->per_page);
			}
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (q == 0) {
					total = db_column_int64(st, 0);
					continue;
				}
				if (n)
					strbuf_addc(out, ',');
				render_care(out, st, today, warn_days);
			}
			db_finalize(st);
		}
		db_rollback(db);
		if (rc) {
			truncate_to(out, mark);
			return svc_store_fail(e, db, rc, &err);
		}
	}
	finish_list(out, total, f->page, f->per_page);
	strbuf_addc(out, '}');
	return SVC_OK;
}

enum svc_kind care_get(struct db *db, const struct principal *actor, int64_t id, int64_t warn_days, dd_date today,
		       struct strbuf *out, struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该照料服务协议");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT " CARE_COLS
				       " FROM care_agreements c JOIN persons p ON p.id = c.person_id "
				       "WHERE c.id = $1 AND c.region_code >= $2 AND c.region_code < $3",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			render_care(out, st, today, warn_days);
		db_finalize(st);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该照料服务协议");
	return SVC_OK;
}

static enum svc_kind check_care(const struct care_new *r, dd_date *start, dd_date *end, struct svc_error *e)
{
	static const char *const relations[] = {"relative", "neighbour", "village", "organisation", "other"};
	static const char *const levels[] = {"full", "partial", "none"};
	enum svc_kind k;
	if ((k = need_text(r->caregiver_name, "caregiver_name", "照料人姓名", 60, e)))
		return k;
	if (r->caregiver_phone && *r->caregiver_phone) {
		size_t n = strlen(r->caregiver_phone);
		bool ok = n >= 7 && n <= 20;
		for (size_t i = 0; ok && i < n; i++)
			ok = (r->caregiver_phone[i] >= '0' && r->caregiver_phone[i] <= '9') ||
			     r->caregiver_phone[i] == '-';
		if (!ok)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_PHONE", "caregiver_phone",
					"照料人电话 caregiver_phone 应为 7-20 位数字");
	}
	if (!r->caregiver_relation)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "caregiver_relation",
				"缺少照料人关系 caregiver_relation");
	if (!svc_one_of(r->caregiver_relation, relations, 5))
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_VALUE", "caregiver_relation",
		    "照料人关系 caregiver_relation 应为 relative、neighbour、village、organisation 或 other");
	if ((k = parse_day(r->term_start, "term_start", "协议开始日期", -1, start, e)) ||
	    (k = parse_day(r->term_end, "term_end", "协议结束日期", -1, end, e)))
		return k;
	if (*end < *start)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "term_end", "协议结束日期 term_end 不能早于开始日期");
	if ((k = need_text(r->duties, "duties", "照料职责", VISIT_TEXT_MAX, e)))
		return k;
	if (!r->care_level)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "care_level",
				"缺少照料等级 care_level（full、partial 或 none）");
	if (!svc_one_of(r->care_level, levels, 3))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "care_level",
				"照料等级 care_level 应为 full（全自理）、partial（半护理）或 none（全护理）");
	return SVC_OK;
}

/* Inserts an agreement (transaction open); *id gets it. */
static dd_status insert_care(struct db *db, const struct principal *actor, int64_t person, const char *region,
			     const struct care_new *r, const char *start, const char *end, int64_t replaces,
			     int64_t *id, dd_error *err)
{
	char now[STORE_TIME_MAX];
	store_now(now);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "INSERT INTO care_agreements (person_id, region_code, caregiver_name, caregiver_phone, caregiver_relation, "
	    "term_start, term_end, duties, care_level, replaces, created_by, created_at, updated_at) VALUES ($1, $2, "
	    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person);
	db_bind_str(st, 2, region);
	db_bind_str(st, 3, r->caregiver_name);
	db_bind_str(st, 4, r->caregiver_phone && *r->caregiver_phone ? r->caregiver_phone : NULL);
	db_bind_str(st, 5, r->caregiver_relation);
	db_bind_str(st, 6, start);
	db_bind_str(st, 7, end);
	db_bind_str(st, 8, r->duties);
	db_bind_str(st, 9, r->care_level);
	if (replaces)
		db_bind_int64(st, 10, replaces);
	else
		db_bind_null(st, 10);
	db_bind_int64(st, 11, actor->id);
	db_bind_str(st, 12, now);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*id = db_column_int64(st, 0);
	while (!rc && row)
		rc = db_step(st, &row, err);
	db_finalize(st);
	return rc;
}

static dd_status has_current(struct db *db, int64_t person, bool *yes, dd_error *err)
{
	struct db_stmt *st = NULL;
	dd_status rc = db_prepare_cached(db,
					 "SELECT 1 FROM care_agreements WHERE person_id = $1 AND (state = 'active' OR "
					 "state = 'needs_replacement') LIMIT 1",
					 &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person);
	rc = db_step(st, yes, err);
	db_finalize(st);
	return rc;
}

enum svc_kind care_create(struct db *db, const struct principal *actor, const struct care_new *req, dd_date today,
			  int64_t warn_days, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (req->person_id < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "person_id", "缺少特困供养人员 person_id");
	dd_date s, t;
	if ((k = check_care(req, &s, &t, e)))
		return k;
	char day[DATE_TEXT_MAX], start[DATE_TEXT_MAX], end[DATE_TEXT_MAX];
	date_format(today, day);
	date_format(s, start);
	date_format(t, end);
	struct person_ref p;
	if ((k = begin_with_person(db, actor, req->person_id, &p, true, day, e)))
		return k;
	dd_error err;
	dd_error_clear(&err);
	bool exists = false;
	int64_t id = 0;
	dd_status rc = has_current(db, req->person_id, &exists, &err);
	if (!rc && exists) {
		db_rollback(db);
		return svc_fail(e, SVC_RULE, "AGREEMENT_EXISTS", "person_id",
				"该人员已有有效的照料服务协议；照料人不能履职时请办理更换");
	}
	if (!rc)
		rc = insert_care(db, actor, req->person_id, p.region, req, start, end, 0, &id, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[160];
	snprintf(detail, sizeof detail, "{\"person_id\":%" PRId64 ",\"term_end\":\"%s\",\"care_level\":\"%s\"}",
		 req->person_id, end, req->care_level);
	if ((k = commit_audit(db, p.region, actor, "care.create", "care_agreement", id, detail, e)))
		return k;
	return out ? care_get(db, actor, id, warn_days, today, out, e) : SVC_OK;
}

/* Locks agreement id in scope: transaction open on SVC_OK. */
static enum svc_kind begin_care(struct db *db, const struct principal *actor, int64_t id, int64_t version,
				char region[REGION_TEXT_MAX], char state[24], int64_t *person, struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t have = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT region_code, state, version, person_id FROM care_agreements WHERE id = $1 "
		    "AND region_code >= $2 AND region_code < $3",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, region, REGION_TEXT_MAX);
			db_column_copy(st, 1, state, 24);
			have = db_column_int64(st, 2);
			*person = db_column_int64(st, 3);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该照料服务协议"));
	if (have != version)
		return svc_rollback(db, stale(e));
	return SVC_OK;
}

enum svc_kind care_unable(struct db *db, const struct principal *actor, int64_t id, int64_t version, const char *reason,
			  const char *since, dd_date today, int64_t warn_days, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	if ((k = need_text(reason, "reason", "无法履职的原因", VISIT_TEXT_MAX, e)))
		return k;
	dd_date d;
	if ((k = parse_day(since, "since", "无法履职日期", today, &d, e)))
		return k;
	if (d > today)
		return svc_fail(e, SVC_BAD_INPUT, "FUTURE_DATE", "since", "无法履职日期 since 不能晚于今天");
	char region[REGION_TEXT_MAX] = "", state[24] = "", sday[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	int64_t person = 0;
	if ((k = begin_care(db, actor, id, version, region, state, &person, e)))
		return k;
	if (strcmp(state, "active") != 0)
		return svc_rollback(db,
				    svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
					     "协议当前状态 state 为 %s，只有履行中的协议可登记照料人无法履职", state));
	date_format(d, sday);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	dd_status rc = db_prepare_cached(db,
					 "UPDATE care_agreements SET state = 'needs_replacement', unable_reason = $2, "
					 "unable_since = $3, updated_at = $4, version = version + 1 WHERE id = $1",
					 &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, reason);
		db_bind_str(st, 3, sday);
		db_bind_str(st, 4, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[96];
	snprintf(detail, sizeof detail, "{\"from\":\"active\",\"to\":\"needs_replacement\",\"since\":\"%s\"}", sday);
	if ((k = commit_audit(db, region, actor, "care.unable", "care_agreement", id, detail, e)))
		return k;
	return out ? care_get(db, actor, id, warn_days, today, out, e) : SVC_OK;
}

enum svc_kind care_replace(struct db *db, const struct principal *actor, int64_t id, int64_t version,
			   const struct care_new *req, dd_date today, int64_t warn_days, struct strbuf *out,
			   struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	dd_date s, t;
	if ((k = check_care(req, &s, &t, e)))
		return k;
	char region[REGION_TEXT_MAX] = "", state[24] = "", start[DATE_TEXT_MAX], end[DATE_TEXT_MAX], day[DATE_TEXT_MAX],
	     now[STORE_TIME_MAX];
	int64_t person = 0, nid = 0;
	if ((k = begin_care(db, actor, id, version, region, state, &person, e)))
		return k;
	if (strcmp(state, "active") != 0 && strcmp(state, "needs_replacement") != 0)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
						 "协议当前状态 state 为 %s，已终止的协议不能更换照料人", state));
	date_format(s, start);
	date_format(t, end);
	date_format(today, day);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	/* the old one ends first (the unique index allows one current agreement) */
	dd_status rc = db_prepare_cached(db,
					 "UPDATE care_agreements SET state = 'ended', ended_on = $2, updated_at = $3, "
					 "version = version + 1 WHERE id = $1",
					 &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, day);
		db_bind_str(st, 3, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc)
		rc = insert_care(db, actor, person, region, req, start, end, id, &nid, &err);
	if (!rc)
		rc = db_prepare_cached(db, "UPDATE care_agreements SET replaced_by = $2 WHERE id = $1", &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, nid);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[128];
	snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"ended\",\"replaced_by\":%" PRId64 "}", state, nid);
	if ((k = commit_audit(db, region, actor, "care.replace", "care_agreement", id, detail, e)))
		return k;
	return out ? care_get(db, actor, nid, warn_days, today, out, e) : SVC_OK;
}

/* --- centralised support --- */

#define CR_COLS                                                                                                        \
	"c.id, c.person_id, p.name, p.id_number, c.region_code, c.requested_on, c.reason, c.state, c.institution, "    \
	"c.closed_on, c.close_note, c.version"
#define CR_WHERE                                                                                                       \
	" FROM centralised_requests c JOIN persons p ON p.id = c.person_id WHERE c.region_code >= $1 AND "             \
	"c.region_code < $2 AND (CAST($3 AS TEXT) = '' OR c.state = $3)"

static void render_cr(struct strbuf *b, const struct db_stmt *st)
{
	strbuf_addf(b, "{\"id\":%" PRId64 ",\"person_id\":%" PRId64, db_column_int64(st, 0), db_column_int64(st, 1));
	strbuf_add_json_member_text(b, "name", db_column_text(st, 2, NULL));
	add_masked_id(b, db_column_text(st, 3, NULL));
	strbuf_add_json_member_text(b, "region", db_column_text(st, 4, NULL));
	strbuf_add_json_member_text(b, "requested_on", db_column_text(st, 5, NULL));
	strbuf_add_json_member_text(b, "reason", db_column_text(st, 6, NULL));
	strbuf_add_json_member_text(b, "state", db_column_text(st, 7, NULL));
	strbuf_add_json_member_text(b, "institution", db_column_text(st, 8, NULL));
	strbuf_add_json_member_text(b, "closed_on", db_column_text(st, 9, NULL));
	strbuf_add_json_member_text(b, "close_note", db_column_text(st, 10, NULL));
	strbuf_addf(b, ",\"version\":%" PRId64 "}", db_column_int64(st, 11));
}

enum svc_kind centralised_list(struct db *db, const struct principal *actor, const char *state, const char *region,
			       int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	static const char *const states[] = {"requested", "placed", "withdrawn"};
	if (state && *state && !svc_one_of(state, states, 3))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 requested、placed 或 withdrawn");
	bool visible;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	if ((k = scope_range(actor, region, &visible, lo, hi, e)))
		return k;
	int64_t total = 0;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	if (visible) {
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		for (int q = 0; !rc && q < 2; q++) {
			rc = db_prepare_cached(
			    db,
			    q == 0 ? "SELECT count(*)" CR_WHERE
				   : "SELECT " CR_COLS CR_WHERE
				     " ORDER BY c.state = 'requested' DESC, c.requested_on, c.id LIMIT $4 "
				     "OFFSET $5",
			    &st, &err);
			if (rc)
				break;
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_str(st, 3, state ? state : "");
			if (q == 1) {
				db_bind_int64(st, 4, per_page);
				db_bind_int64(st, 5, (page - 1) * per_page);
			}
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (q == 0) {
					total = db_column_int64(st, 0);
					continue;
				}
				if (n)
					strbuf_addc(out, ',');
				render_cr(out, st);
			}
			db_finalize(st);
		}
		db_rollback(db);
		if (rc) {
			truncate_to(out, mark);
			return svc_store_fail(e, db, rc, &err);
		}
	}
	finish_list(out, total, page, per_page);
	strbuf_addc(out, '}');
	return SVC_OK;
}

static enum svc_kind cr_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
			    struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT " CR_COLS " FROM centralised_requests c JOIN persons p ON p.id = "
				       "c.person_id WHERE c.id = $1 AND c.region_code >= $2 AND c.region_code < $3",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			render_cr(out, st);
		db_finalize(st);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该集中供养意愿登记");
	return SVC_OK;
}

enum svc_kind centralised_create(struct db *db, const struct principal *actor, int64_t person_id,
				 const char *requested_on, const char *reason, dd_date today, struct strbuf *out,
				 struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (person_id < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "person_id", "缺少特困供养人员 person_id");
	dd_date on;
	if ((k = parse_day(requested_on, "requested_on", "登记日期", today, &on, e)))
		return k;
	if (on > today)
		return svc_fail(e, SVC_BAD_INPUT, "FUTURE_DATE", "requested_on", "登记日期 requested_on 不能晚于今天");
	if ((k = need_text(reason, "reason", "集中供养意愿说明", VISIT_TEXT_MAX, e)))
		return k;
	char day[DATE_TEXT_MAX], onday[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	date_format(today, day);
	date_format(on, onday);
	store_now(now);
	struct person_ref p;
	if ((k = begin_with_person(db, actor, person_id, &p, true, day, e)))
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t id = 0;
	dd_status rc = db_prepare_cached(
	    db, "SELECT 1 FROM centralised_requests WHERE person_id = $1 AND state = 'requested'", &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, person_id);
		rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc && row) {
		db_rollback(db);
		return svc_fail(e, SVC_RULE, "REQUEST_EXISTS", "person_id", "该人员已有待安置的集中供养意愿登记");
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO centralised_requests (person_id, region_code, requested_on, reason, "
		    "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, person_id);
		db_bind_str(st, 2, p.region);
		db_bind_str(st, 3, onday);
		db_bind_str(st, 4, reason);
		db_bind_int64(st, 5, actor->id);
		db_bind_str(st, 6, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[96];
	snprintf(detail, sizeof detail, "{\"person_id\":%" PRId64 ",\"requested_on\":\"%s\"}", person_id, onday);
	if ((k = commit_audit(db, p.region, actor, "centralised.create", "centralised_request", id, detail, e)))
		return k;
	return out ? cr_get(db, actor, id, out, e) : SVC_OK;
}

enum svc_kind centralised_close(struct db *db, const struct principal *actor, int64_t id, int64_t version,
				const char *outcome, const char *institution, const char *note, dd_date today,
				struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_write(actor, e);
	if (k)
		return k;
	if (version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	static const char *const outcomes[] = {"placed", "withdrawn"};
	if (!outcome)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "outcome",
				"缺少办理结果 outcome（placed 或 withdrawn）");
	if (!svc_one_of(outcome, outcomes, 2))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "outcome",
				"办理结果 outcome 应为 placed（已集中供养）或 withdrawn（撤回意愿）");
	if (strcmp(outcome, "placed") == 0 && (k = need_text(institution, "institution", "供养机构", 200, e)))
		return k;
	if ((k = svc_check_text(institution, "institution", "供养机构", 200, e)) ||
	    (k = svc_check_text(note, "note", "说明", VISIT_TEXT_MAX, e)))
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], region[REGION_TEXT_MAX] = "", state[16] = "",
								     day[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	store_region_range(actor->scope, lo, hi);
	date_format(today, day);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t have = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT region_code, state, version FROM centralised_requests WHERE id = $1 AND "
				       "region_code >= $2 AND region_code < $3",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, region, sizeof region);
			db_column_copy(st, 1, state, sizeof state);
			have = db_column_int64(st, 2);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该集中供养意愿登记"));
	if (have != version)
		return svc_rollback(db, stale(e));
	if (strcmp(state, "requested") != 0)
		return svc_rollback(
		    db, svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state", "该登记已办结（state 为 %s）", state));
	rc = db_prepare_cached(
	    db,
	    "UPDATE centralised_requests SET state = $2, institution = $3, closed_on = $4, close_note "
	    "= $5, closed_by = $6, updated_at = $7, version = version + 1 WHERE id = $1",
	    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, outcome);
		db_bind_str(st, 3, svc_blank(institution) ? NULL : institution);
		db_bind_str(st, 4, day);
		db_bind_str(st, 5, svc_blank(note) ? NULL : note);
		db_bind_int64(st, 6, actor->id);
		db_bind_str(st, 7, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[64];
	snprintf(detail, sizeof detail, "{\"from\":\"requested\",\"to\":\"%s\"}", outcome);
	if ((k = commit_audit(db, region, actor, "centralised.close", "centralised_request", id, detail, e)))
		return k;
	return out ? cr_get(db, actor, id, out, e) : SVC_OK;
}

/* --- workbench --- */

enum svc_kind visits_workbench(struct db *db, const struct principal *actor, const struct policy *policy, dd_date today,
			       struct strbuf *out, struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return SVC_OK;
	struct visit_rules rules;
	enum svc_kind k = visit_rules_get(policy, actor->scope, today, &rules, e);
	if (k)
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], day[DATE_TEXT_MAX], until[DATE_TEXT_MAX];
	store_region_range(actor->scope, lo, hi);
	date_format(today, day);
	date_format(today + (dd_date)rules.care_warning_days, until);
	struct subjects subs = {0};
	dd_error err;
	dd_error_clear(&err);
	int64_t need = 0, expiring = 0, expired = 0;
	size_t mark = out->len;
	/* the population of a city or the province is too large to compute on
	 * every workbench load (docs/visits.md): counted for counties and below */
	bool counted = strlen(actor->scope) >= VISIT_SCOPE_MIN;
	dd_status rc = db_begin_read(db, &err);
	if (!rc && counted)
		rc = load_population(db, lo, hi, today, &rules, &subs, &err);
	struct db_stmt *st = NULL;
	bool row = false;
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT sum(CASE WHEN state = 'needs_replacement' THEN 1 ELSE 0 END), sum(CASE WHEN "
		    "state = 'active' AND term_end >= $3 AND term_end <= $4 THEN 1 ELSE 0 END), "
		    "sum(CASE WHEN state = 'expired' OR (state = 'active' AND term_end < $3) THEN 1 "
		    "ELSE 0 END) FROM care_agreements WHERE region_code >= $1 AND region_code < $2 AND "
		    "state <> 'ended'",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, day);
		db_bind_str(st, 4, until);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			need = db_column_int64(st, 0);
			expiring = db_column_int64(st, 1);
			expired = db_column_int64(st, 2);
		}
		db_finalize(st);
	}
	int64_t overdue = 0, week = 0;
	for (size_t i = 0; i < subs.n; i++) {
		overdue += subs.v[i].next < today;
		week += subs.v[i].next >= today && subs.v[i].next <= today + 7;
	}
	free(subs.v);
	if (counted)
		strbuf_addf(out, ",\"visits\":{\"overdue\":%" PRId64 ",\"due_week\":%" PRId64 "}", overdue, week);
	else
		strbuf_adds(out, ",\"visits\":null");
	strbuf_addf(out,
		    ",\"care\":{\"needs_replacement\":%" PRId64 ",\"expiring\":%" PRId64 ",\"expired\":%" PRId64
		    ",\"items\":[",
		    need, expiring, expired);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT " CARE_COLS " FROM care_agreements c JOIN persons p ON p.id = c.person_id "
		    "WHERE c.region_code >= $1 AND c.region_code < $2 AND c.state = 'needs_replacement' "
		    "ORDER BY c.unable_since, c.id LIMIT 10",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			if (n)
				strbuf_addc(out, ',');
			render_care(out, st, today, rules.care_warning_days);
		}
		db_finalize(st);
	}
	strbuf_adds(out, "]}");
	db_rollback(db);
	if (rc) {
		truncate_to(out, mark);
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}
