/* children_review.c - the monthly review of the children's allowance
 * decisions (children_review.h). */
#include "children_review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "children_allowance.h"
#include "core/arena.h"
#include "core/json.h"
#include "core/money.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/store.h"

#define DATE_NONE INT32_MIN

/* A children decision running into the month, with its child. */
struct running {
	int64_t id, person_id;
	char region[REGION_TEXT_MAX];
	fen_t amount;
	dd_date from, to; /* to: exclusive end, DATE_NONE when open */
	char category[24];
	dd_date birth, death; /* DATE_NONE when unknown / alive */
	bool in_school;
};

static dd_date date_or_none(const char *s, size_t n)
{
	dd_date d;
	dd_error err;
	return s && date_parse(s, n, &d, &err) == DD_OK ? d : DATE_NONE;
}

static dd_date month_first(dd_month m)
{
	return date_from_ymd(m / 12, m % 12 + 1, 1);
}

static void text_or_null(struct strbuf *b, const char *key, dd_date d)
{
	char t[DATE_TEXT_MAX];
	if (d != DATE_NONE)
		date_format(d, t);
	strbuf_add_json_member_text(b, key, d != DATE_NONE ? t : NULL);
}

/* The decisions of the scope running into the month (first = its first
 * day): in force on first or later, not superseded; an end on first itself
 * is read too, so that a postponement extended reopens it. */
static dd_status running_read(struct db *db, const char *lo, const char *hi, const char *first, struct running **out,
			      size_t *n, dd_error *err)
{
	struct db_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	dd_status rc =
	    db_prepare(db,
		       "SELECT d.id, d.person_id, d.region_code, d.monthly_benefit, d.effective_from, d.effective_to, "
		       "l.category, p.birth_date, p.in_school, p.death_date FROM decisions d JOIN decision_lines l ON "
		       "l.decision_id = d.id AND l.component = 'children_allowance' JOIN persons p ON p.id = "
		       "d.person_id WHERE d.programme = 'children' AND d.superseded_by IS NULL AND d.region_code >= $1 "
		       "AND d.region_code < $2 AND (d.effective_to IS NULL OR d.effective_to >= $3) ORDER BY d.id",
		       DB_STMT_STREAM, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, first);
	bool row = false;
	while (!(rc = db_step(st, &row, err)) && row) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct running *p = realloc(*out, nc * sizeof *p);
			if (!p) {
				rc = dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
				break;
			}
			*out = p;
			cap = nc;
		}
		struct running *r = &(*out)[(*n)++];
		memset(r, 0, sizeof *r);
		size_t len = 0;
		const char *s;
		r->id = db_column_int64(st, 0);
		r->person_id = db_column_int64(st, 1);
		db_column_copy(st, 2, r->region, sizeof r->region);
		r->amount = db_column_int64(st, 3);
		s = db_column_text(st, 4, &len);
		r->from = date_or_none(s, len);
		s = db_column_text(st, 5, &len);
		r->to = date_or_none(s, len);
		db_column_copy(st, 6, r->category, sizeof r->category);
		s = db_column_text(st, 7, &len);
		r->birth = date_or_none(s, len);
		r->in_school = db_column_int64(st, 8) != 0;
		s = db_column_text(st, 9, &len);
		r->death = date_or_none(s, len);
	}
	db_finalize(st);
	return rc;
}

/* The decision's result with monthly_benefit and effective_from replaced
 * and uprated_from added at the top level. */
static void uprated_result(const char *old, size_t n, fen_t amount, int64_t old_id, const char *first,
			   struct strbuf *out)
{
	struct arena a;
	arena_init(&a, 4096, 1024 * 1024);
	struct json_value *doc = NULL;
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	dd_error jerr;
	strbuf_addc(out, '{');
	size_t start = out->len;
	if (old && !json_parse(old, n, &a, &lim, &doc, &jerr) && doc && doc->type == JSON_OBJECT) {
		for (const struct json_value *c = doc->child; c; c = c->next) {
			if ((c->key_len == 15 && memcmp(c->key, "monthly_benefit", 15) == 0) ||
			    (c->key_len == 12 && memcmp(c->key, "uprated_from", 12) == 0) ||
			    (c->key_len == 14 && memcmp(c->key, "effective_from", 14) == 0))
				continue;
			if (out->len > start)
				strbuf_addc(out, ',');
			strbuf_add_json_string(out, c->key, c->key_len);
			strbuf_addc(out, ':');
			json_write(out, c);
		}
	}
	arena_release(&a);
	if (out->len > start)
		strbuf_addc(out, ',');
	strbuf_adds(out, "\"monthly_benefit\":");
	char money[MONEY_TEXT_MAX];
	money_format(amount, money);
	strbuf_add_json_string_or_null(out, money);
	strbuf_add_json_member_text(out, "effective_from", first);
	strbuf_addf(out, ",\"uprated_from\":%lld}", (long long)old_id);
}

/* The new decision from first with the standard amount: a copy of the old
 * one as stored (its end already reviewed), its line at the new amount; the
 * old one superseded and ended on first. */
static dd_status uprate(struct db *db, const struct principal *actor, const struct running *r, fen_t amount,
			const char *param, const char *first, const char *today, const char *now, int64_t *new_id,
			dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	char *result = NULL;
	size_t result_n = 0;
	dd_status rc = db_prepare(db, "SELECT result FROM decisions WHERE id = $1", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, r->id);
	if (!(rc = db_step(st, &row, err)) && row) {
		const char *s = db_column_text(st, 0, &result_n);
		if (s && (result = malloc(result_n + 1)))
			memcpy(result, s, result_n + 1);
	}
	db_finalize(st);
	if (rc) {
		free(result);
		return rc;
	}
	struct strbuf res, params;
	strbuf_init(&res, 512);
	strbuf_init(&params, 128);
	uprated_result(result, result ? result_n : 0, amount, r->id, first, &res);
	free(result);
	char money[MONEY_TEXT_MAX];
	money_format(amount, money);
	strbuf_addf(&params, "{\"%s\":\"%s\",\"uprated_from\":%lld}", param, money, (long long)r->id);
	if (res.failed || params.failed) {
		rc = dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		goto done;
	}
	rc =
	    db_prepare(db,
		       "INSERT INTO decisions (application_id, household_id, person_id, region_code, programme, "
		       "determination, monthly_benefit, effective_from, effective_to, assessed_on, result, trace, "
		       "params, decided_by, decided_at, created_at) SELECT application_id, household_id, person_id, "
		       "region_code, programme, determination, CAST($1 AS BIGINT), $2, effective_to, $3, $4, '[]', $5, "
		       "CAST($6 AS BIGINT), $7, $7 FROM "
		       "decisions WHERE id = $8 RETURNING id",
		       0, &st, err);
	if (rc)
		goto done;
	db_bind_int64(st, 1, amount);
	db_bind_str(st, 2, first);
	db_bind_str(st, 3, today);
	db_bind_text(st, 4, res.buf, res.len);
	db_bind_text(st, 5, params.buf, params.len);
	if (actor)
		db_bind_int64(st, 6, actor->id);
	else
		db_bind_null(st, 6);
	db_bind_str(st, 7, now);
	db_bind_int64(st, 8, r->id);
	row = false;
	if (!(rc = db_step(st, &row, err)) && row)
		*new_id = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		goto done;
	if (!*new_id) {
		rc = dd_fail(err, DD_EINVAL, NULL, "决定 %lld 不存在 (decision vanished)", (long long)r->id);
		goto done;
	}
	rc = db_prepare(db,
			"INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, "
			"component, category, amount, created_at) SELECT CAST($1 AS BIGINT), household_id, person_id, "
			"region_code, programme, component, category, CAST($2 AS BIGINT), $3 FROM decision_lines WHERE "
			"decision_id = $4",
			0, &st, err);
	if (rc)
		goto done;
	db_bind_int64(st, 1, *new_id);
	db_bind_int64(st, 2, amount);
	db_bind_str(st, 3, now);
	db_bind_int64(st, 4, r->id);
	rc = db_run(st, err);
	db_finalize(st);
	if (rc)
		goto done;
	rc = db_prepare(db, "UPDATE decisions SET superseded_by = $1, effective_to = $2 WHERE id = $3", 0, &st, err);
	if (rc)
		goto done;
	db_bind_int64(st, 1, *new_id);
	db_bind_str(st, 2, first);
	db_bind_int64(st, 3, r->id);
	rc = db_run(st, err);
	db_finalize(st);
done:
	strbuf_release(&res);
	strbuf_release(&params);
	return rc;
}

static dd_status set_end(struct db *db, int64_t id, dd_date end, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(db, "UPDATE decisions SET effective_to = $1 WHERE id = $2", 0, &st, err);
	if (rc)
		return rc;
	char t[DATE_TEXT_MAX];
	if (end != DATE_NONE) {
		date_format(end, t);
		db_bind_str(st, 1, t);
	} else {
		db_bind_null(st, 1);
	}
	db_bind_int64(st, 2, id);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

enum svc_kind children_review(struct db *db, const struct policy *pol, const struct principal *actor,
			      const char *region, const char *month, dd_date today, struct strbuf *out,
			      struct svc_error *e)
{
	if (actor && actor->role != ROLE_COUNTY && actor->role != ROLE_CITY && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"儿童基本生活保障的月度复核由区县、市级民政部门或系统管理员执行");
	dd_error err;
	dd_error_clear(&err);
	dd_month m;
	if (!month || month_parse(month, strlen(month), &m, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_MONTH", "month", "复核月份 month 须为 YYYY-MM 格式的有效月份");
	char sig[REGION_TEXT_MAX];
	enum svc_kind sk = authz_region_arg(actor, region, sig, e);
	if (sk)
		return sk;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], first[DATE_TEXT_MAX], today_s[DATE_TEXT_MAX],
	    now[STORE_TIME_MAX], month_s[MONTH_TEXT_MAX];
	store_region_range(sig, lo, hi);
	dd_date first_d = month_first(m);
	date_format(first_d, first);
	date_format(today, today_s);
	month_format(m, month_s);
	store_now(now);

	struct running *rs = NULL;
	size_t n = 0;
	int64_t ended = 0, extended = 0, shortened = 0, uprated = 0, late = 0;
	struct strbuf changes, detail;
	strbuf_init(&changes, 1024);
	strbuf_init(&detail, 256);
	const char *who = actor ? actor->username : "operator";
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = running_read(db, lo, hi, first, &rs, &n, &err);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct running *r = &rs[i];
		/* the legal end: death, else the exit rule under the policy now */
		dd_date legal = DATE_NONE;
		bool open = false, postponed = false;
		if (r->death != DATE_NONE) {
			legal = month_first(date_month(r->death) + 1);
		} else if (r->birth != DATE_NONE) {
			dd_month last = children_policy_last_month(pol, r->region, r->birth, r->in_school, first_d,
								   &open, &postponed);
			legal = open ? DATE_NONE : month_first(last + 1);
		} else {
			legal = r->to; /* no birth date: leave the end alone */
		}
		bool is_late = legal != DATE_NONE && legal < first_d;
		dd_date end = is_late ? first_d : legal;
		if (end != DATE_NONE && r->from != DATE_NONE && end < r->from)
			end = r->from;
		const char *change = NULL;
		if (end != r->to) {
			change = r->to == DATE_NONE		   ? "ended"
				 : end == DATE_NONE || end > r->to ? "extended"
								   : "shortened";
			if ((rc = set_end(db, r->id, end, &err)))
				break;
		}
		/* the amount: the standard in force on the month's first day */
		const char *param = children_standard_param(r->category);
		const struct policy_entry *pe = policy_lookup(pol, param, r->region, first_d);
		fen_t standard = pe ? pe->value.i : 0;
		int64_t new_id = 0;
		bool runs = end == DATE_NONE || end > first_d;
		if (runs && standard > 0 && standard != r->amount && r->from != DATE_NONE && r->from <= first_d &&
		    (rc = uprate(db, actor, r, standard, param, first, today_s, now, &new_id, &err)))
			break;
		if (!change && !new_id)
			continue;
		ended += change && strcmp(change, "ended") == 0;
		extended += change && strcmp(change, "extended") == 0;
		shortened += change && strcmp(change, "shortened") == 0;
		uprated += new_id != 0;
		late += change && is_late;
		strbuf_reset(&detail);
		strbuf_addf(&detail, "{\"decision_id\":%lld,\"person_id\":%lld", (long long)r->id,
			    (long long)r->person_id);
		strbuf_add_json_member_text(&detail, "month", month_s);
		strbuf_add_json_member_text(&detail, "region", r->region);
		strbuf_add_json_member_text(&detail, "change", change);
		text_or_null(&detail, "effective_to_before", r->to);
		text_or_null(&detail, "effective_to", end);
		text_or_null(&detail, "legal_end", legal);
		strbuf_addf(&detail, ",\"late\":%s,\"postponed\":%s,\"died\":%s", change && is_late ? "true" : "false",
			    postponed ? "true" : "false", r->death != DATE_NONE ? "true" : "false");
		if (new_id) {
			strbuf_add_json_member_money(&detail, "amount_before", r->amount);
			strbuf_add_json_member_money(&detail, "amount", standard);
			strbuf_addf(&detail, ",\"new_decision_id\":%lld", (long long)new_id);
		}
		strbuf_addc(&detail, '}');
		if (detail.failed) {
			rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		char idtext[24];
		snprintf(idtext, sizeof idtext, "%lld", (long long)r->id);
		if ((rc = audit_append_region(db, r->region, who, new_id ? "children.uprate" : "children.exit",
					      "decision", idtext, detail.buf, &err)))
			break;
		if (changes.len)
			strbuf_addc(&changes, ',');
		strbuf_add(&changes, detail.buf, detail.len);
	}
	if (!rc && changes.failed)
		rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	if (!rc)
		rc = db_commit(db, &err);
	enum svc_kind k = SVC_OK;
	if (rc) {
		db_rollback(db);
		k = svc_store_fail(e, db, rc, &err);
	} else {
		strbuf_adds(out, "{\"month\":");
		strbuf_add_json_string_or_null(out, month_s);
		strbuf_add_json_member_text(out, "region", sig);
		strbuf_addf(out,
			    ",\"examined\":%zu,\"ended\":%lld,\"extended\":%lld,\"shortened\":%lld,\"uprated\":%lld,"
			    "\"late\":%lld,\"changes\":[",
			    n, (long long)ended, (long long)extended, (long long)shortened, (long long)uprated,
			    (long long)late);
		strbuf_add(out, changes.buf ? changes.buf : "", changes.len);
		strbuf_adds(out, "]}");
	}
	free(rs);
	strbuf_release(&changes);
	strbuf_release(&detail);
	return k;
}
