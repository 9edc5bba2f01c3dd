/* reserve_fund.c - the township reserve fund ledger (reserve_fund.h).
 * Money out is one conditional UPDATE whose row count decides; no balance
 * is ever read, checked and written back in two steps. */
#include "reserve_fund.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/audit.h"
#include "store/db.h"

static const char *const kind_names[] = {
    [RESERVE_NONE] = "",     [RESERVE_ADVANCE] = "advance", [RESERVE_REPLENISH] = "replenish",
    [RESERVE_DRAW] = "draw", [RESERVE_RETURN] = "return",
};

enum reserve_kind reserve_kind_parse(const char *s)
{
	for (int k = RESERVE_ADVANCE; s && k <= RESERVE_RETURN; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (enum reserve_kind)k;
	return RESERVE_NONE;
}

const char *reserve_kind_name(enum reserve_kind k)
{
	return k >= RESERVE_NONE && k <= RESERVE_RETURN ? kind_names[k] : "";
}

void reserve_page_release(struct reserve_page *p)
{
	free(p->items);
	p->items = NULL;
	p->n = 0;
}

bool reserve_fund_township(const char *region, char township[REGION_TEXT_MAX])
{
	char sig[REGION_TEXT_MAX];
	size_t n = region ? strlen(region) : 0;
	if ((n != 9 && n != 12) || region_parse(region, n, 9, sig, NULL) != DD_OK || region_level(sig) < 4)
		return false;
	memcpy(township, region, 9);
	township[9] = '\0';
	/* the township part itself must not be 000 */
	return strcmp(township + 6, "000") != 0;
}

/* The township code of a request's region: exactly 9 digits, township level. */
static enum svc_kind parse_township(const char *region, char code[REGION_TEXT_MAX], char sig[REGION_TEXT_MAX],
				    struct svc_error *e)
{
	if (!region || strlen(region) != 9 || !reserve_fund_township(region, code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region",
				"备用金按乡镇（街道）设立，地区代码应为 9 位乡镇（街道）代码");
	region_significant(code, 9, sig);
	return SVC_OK;
}

static void copy_text(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static dd_status fund_read(struct db *db, const char *code, struct reserve_fund *out, dd_error *err)
{
	memset(out, 0, sizeof *out);
	copy_text(out->region, sizeof out->region, code);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(db,
					 "SELECT balance, advanced_total, drawn_total, returned_total, version, "
					 "updated_at FROM reserve_funds WHERE region_code = $1",
					 &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, code);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		out->exists = true;
		out->balance = db_column_int64(st, 0);
		out->advanced_total = db_column_int64(st, 1);
		out->drawn_total = db_column_int64(st, 2);
		out->returned_total = db_column_int64(st, 3);
		out->version = db_column_int64(st, 4);
		copy_text(out->updated_at, sizeof out->updated_at, db_column_text(st, 5, NULL));
	}
	db_finalize(st);
	return rc;
}

enum svc_kind reserve_fund_state(struct db *db, const char *township_code, struct reserve_fund *out,
				 struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = fund_read(db, township_code, out, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

enum svc_kind reserve_fund_get(struct db *db, const struct principal *actor, const char *region, int64_t page,
			       int64_t per_page, struct reserve_page *out, struct svc_error *e)
{
	memset(out, 0, sizeof *out);
	char code[REGION_TEXT_MAX], sig[REGION_TEXT_MAX];
	enum svc_kind k = parse_township(region, code, sig, e);
	if (k)
		return k;
	if ((k = authz_reserve_view(actor, sig, e)))
		return k;
	if ((k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = fund_read(db, code, &out->fund, &err);
	struct db_stmt *st = NULL;
	bool row = false;
	if (!rc)
		rc = db_prepare_cached(db, "SELECT count(*) FROM reserve_fund_entries WHERE region_code = $1", &st,
				       &err);
	if (!rc) {
		db_bind_str(st, 1, code);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			out->total = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (!rc && out->total > 0) {
		out->items = calloc((size_t)per_page, sizeof *out->items);
		if (!out->items)
			rc = dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	}
	if (!rc && out->items)
		rc = db_prepare_cached(db,
				       "SELECT e.id, e.kind, e.amount, e.balance_after, e.application_id, u.username, "
				       "e.note, e.created_at FROM reserve_fund_entries e LEFT JOIN users u ON u.id = "
				       "e.actor_id WHERE e.region_code = $1 ORDER BY e.id DESC LIMIT $2 OFFSET $3",
				       &st, &err);
	if (!rc && out->items) {
		db_bind_str(st, 1, code);
		db_bind_int64(st, 2, per_page);
		db_bind_int64(st, 3, (page - 1) * per_page);
		while (!(rc = db_step(st, &row, &err)) && row && out->n < (size_t)per_page) {
			struct reserve_entry *x = &out->items[out->n++];
			x->id = db_column_int64(st, 0);
			x->kind = reserve_kind_parse(db_column_text(st, 1, NULL));
			x->amount = db_column_int64(st, 2);
			x->balance_after = db_column_int64(st, 3);
			x->application_id = db_column_int64(st, 4);
			copy_text(x->actor, sizeof x->actor, db_column_text(st, 5, NULL));
			copy_text(x->note, sizeof x->note, db_column_text(st, 6, NULL));
			copy_text(x->created_at, sizeof x->created_at, db_column_text(st, 7, NULL));
		}
		db_finalize(st);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		reserve_page_release(out);
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

enum svc_kind reserve_fund_list(struct db *db, const struct principal *actor, struct strbuf *out, int64_t *n,
				struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], own[REGION_TEXT_MAX];
	*n = 0;
	if (actor->role == ROLE_NONE)
		return SVC_OK;
	if (actor->role == ROLE_VILLAGE && reserve_fund_township(actor->region, own)) {
		/* a village sees its own township's fund: exactly that code */
		snprintf(lo, sizeof lo, "%s", own);
		snprintf(hi, sizeof hi, "%s0", own);
	} else {
		store_region_range(actor->scope, lo, hi);
	}
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(db,
					 "SELECT f.region_code, r.name, f.balance, f.advanced_total, f.drawn_total, "
					 "f.returned_total, f.updated_at FROM reserve_funds f LEFT JOIN regions r ON "
					 "r.code = f.region_code WHERE f.region_code >= $1 AND f.region_code < $2 "
					 "ORDER BY f.region_code LIMIT $3",
					 &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_int64(st, 3, RESERVE_LIST_MAX);
	while (!(rc = db_step(st, &row, &err)) && row) {
		const char *code = db_column_text(st, 0, NULL), *name = db_column_text(st, 1, NULL),
			   *at = db_column_text(st, 6, NULL);
		char m[4][MONEY_TEXT_MAX];
		for (int i = 0; i < 4; i++)
			money_format(db_column_int64(st, 2 + i), m[i]);
		if ((*n)++)
			strbuf_addc(out, ',');
		strbuf_adds(out, "{\"region\":");
		strbuf_add_json_string(out, code ? code : "", code ? strlen(code) : 0);
		strbuf_adds(out, ",\"region_name\":");
		if (name)
			strbuf_add_json_string(out, name, strlen(name));
		else
			strbuf_adds(out, "null");
		strbuf_addf(out,
			    ",\"balance\":\"%s\",\"advanced_total\":\"%s\",\"drawn_total\":\"%s\","
			    "\"returned_total\":\"%s\",\"updated_at\":",
			    m[0], m[1], m[2], m[3]);
		strbuf_add_json_string(out, at ? at : "", at ? strlen(at) : 0);
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

static bool note_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return false;
	return true;
}

/* Money in: creates the fund on its first advance; refuses totals that
 * would overflow (the WHERE) rather than let SQLite turn them into reals. */
static const char sql_in[] = "UPDATE reserve_funds SET balance = balance + $2, advanced_total = advanced_total + $2, "
			     "updated_at = $4, version = version + 1 WHERE region_code = $1 AND balance <= $3 AND "
			     "advanced_total <= $3 RETURNING balance";
/* Money out: the row count decides; never below zero. */
static const char sql_draw[] = "UPDATE reserve_funds SET balance = balance - $2, drawn_total = drawn_total + $2, "
			       "updated_at = $4, version = version + 1 WHERE region_code = $1 AND balance >= $2 AND "
			       "drawn_total <= $3 RETURNING balance";
static const char sql_return[] = "UPDATE reserve_funds SET balance = balance - $2, returned_total = returned_total "
				 "+ $2, updated_at = $4, version = version + 1 WHERE region_code = $1 AND balance "
				 ">= $2 AND returned_total <= $3 RETURNING balance";

enum svc_kind reserve_fund_post_tx(struct db *db, const struct principal *actor, const char *township_code,
				   enum reserve_kind kind, fen_t amount, int64_t application_id, const char *note,
				   struct reserve_entry *entry, struct svc_error *e)
{
	char code[REGION_TEXT_MAX];
	if (!reserve_fund_township(township_code, code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "备用金按乡镇（街道）设立");
	if (amount <= 0 || amount > RESERVE_ENTRY_MAX)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", "amount", "金额应大于 0 且不超过 1000000000.00 元");
	if (kind < RESERVE_ADVANCE || kind > RESERVE_RETURN)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_KIND", "kind", "类型应为 advance、replenish、draw 或 return");
	dd_error err;
	dd_error_clear(&err);
	char now[STORE_TIME_MAX];
	store_now(now);
	dd_status rc = DD_OK;
	struct db_stmt *st;
	bool row = false;
	bool in = kind == RESERVE_ADVANCE || kind == RESERVE_REPLENISH;
	if (in) {
		rc =
		    db_prepare_cached(db,
				      "INSERT INTO reserve_funds (region_code, created_at, updated_at) VALUES ($1, $2, "
				      "$2) ON CONFLICT DO NOTHING",
				      &st, &err);
		if (!rc) {
			db_bind_str(st, 1, code);
			db_bind_str(st, 2, now);
			rc = db_run(st, &err);
			db_finalize(st);
		}
	}
	fen_t balance = 0;
	if (!rc)
		rc = db_prepare_cached(db, in ? sql_in : kind == RESERVE_DRAW ? sql_draw : sql_return, &st, &err);
	if (!rc) {
		db_bind_str(st, 1, code);
		db_bind_int64(st, 2, amount);
		db_bind_int64(st, 3, INT64_MAX - amount);
		db_bind_str(st, 4, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			balance = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row) {
		struct reserve_fund f;
		if ((rc = fund_read(db, code, &f, &err)))
			return svc_store_fail(e, db, rc, &err);
		char have[MONEY_TEXT_MAX], want[MONEY_TEXT_MAX];
		money_format(f.balance, have);
		money_format(amount, want);
		if (in)
			return svc_fail(e, SVC_RULE, "RESERVE_OVERFLOW", "amount", "备用金累计金额超出可记录范围");
		return svc_fail(e, SVC_RULE, "RESERVE_INSUFFICIENT", "amount",
				"备用金余额不足：当前余额 %s 元，本次需 %s 元，请先由区县下拨或回补", have, want);
	}
	memset(entry, 0, sizeof *entry);
	rc = db_prepare_cached(db,
			       "INSERT INTO reserve_fund_entries (region_code, kind, amount, balance_after, "
			       "application_id, actor_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
			       "RETURNING id",
			       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, code);
		db_bind_str(st, 2, reserve_kind_name(kind));
		db_bind_int64(st, 3, amount);
		db_bind_int64(st, 4, balance);
		if (application_id > 0)
			db_bind_int64(st, 5, application_id);
		else
			db_bind_null(st, 5);
		if (actor->id > 0)
			db_bind_int64(st, 6, actor->id);
		else
			db_bind_null(st, 6);
		db_bind_str(st, 7, note && *note ? note : NULL);
		db_bind_str(st, 8, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			entry->id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc) {
		/* no note in the audit detail: it may name people */
		char detail[256], a[MONEY_TEXT_MAX], b[MONEY_TEXT_MAX], eid[24];
		money_format(amount, a);
		money_format(balance, b);
		if (application_id > 0)
			snprintf(detail, sizeof detail,
				 "{\"entry_id\":%lld,\"kind\":\"%s\",\"amount\":\"%s\",\"balance_after\":\"%s\","
				 "\"application_id\":%lld}",
				 (long long)entry->id, reserve_kind_name(kind), a, b, (long long)application_id);
		else
			snprintf(detail, sizeof detail,
				 "{\"entry_id\":%lld,\"kind\":\"%s\",\"amount\":\"%s\",\"balance_after\":\"%s\"}",
				 (long long)entry->id, reserve_kind_name(kind), a, b);
		char action[48];
		snprintf(action, sizeof action, "reserve_fund.%s", reserve_kind_name(kind));
		snprintf(eid, sizeof eid, "%s", code);
		rc = audit_append_region(db, code, actor->username, action, "reserve_fund", eid, detail, &err);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	entry->kind = kind;
	entry->amount = amount;
	entry->balance_after = balance;
	entry->application_id = application_id > 0 ? application_id : 0;
	copy_text(entry->actor, sizeof entry->actor, actor->username);
	copy_text(entry->note, sizeof entry->note, note);
	copy_text(entry->created_at, sizeof entry->created_at, now);
	return SVC_OK;
}

/* The application must be a temporary case inside the township. */
static enum svc_kind check_application(struct db *db, const struct principal *actor, const char *township_sig,
				       int64_t id, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	char region[REGION_TEXT_MAX] = "", programme[16] = "";
	dd_status rc =
	    db_prepare_cached(db, "SELECT region_code, programme FROM applications WHERE id = $1", &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, &err);
	if (!rc && row) {
		copy_text(region, sizeof region, db_column_text(st, 0, NULL));
		copy_text(programme, sizeof programme, db_column_text(st, 1, NULL));
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char sig[REGION_TEXT_MAX] = "";
	if (row)
		region_significant(region, strlen(region), sig);
	if (!row || !authz_in_scope(actor, sig) || !region_covers(township_sig, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "application_id", "未找到该乡镇（街道）的这个救助案件");
	if (strcmp(programme, "temporary") != 0)
		return svc_fail(e, SVC_RULE, "NOT_TEMPORARY", "application_id", "备用金只用于临时救助案件");
	return SVC_OK;
}

enum svc_kind reserve_fund_post(struct db *db, const struct principal *actor, const char *region,
				const struct reserve_entry_new *req, struct reserve_entry *entry,
				struct reserve_fund *fund, struct svc_error *e)
{
	char code[REGION_TEXT_MAX], sig[REGION_TEXT_MAX];
	enum svc_kind k = parse_township(region, code, sig, e);
	if (k)
		return k;
	if ((k = authz_reserve_view(actor, sig, e)))
		return k;
	if (!req->kind)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "kind", "缺少类型 kind");
	enum reserve_kind kind = reserve_kind_parse(req->kind);
	if (kind == RESERVE_NONE)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_KIND", "kind", "类型应为 advance、replenish、draw 或 return");
	enum authz_reserve_act act = kind == RESERVE_DRAW     ? AUTHZ_RESERVE_DRAW
				     : kind == RESERVE_RETURN ? AUTHZ_RESERVE_RETURN
							      : AUTHZ_RESERVE_IN;
	if ((k = authz_reserve_post(actor, act, sig, e)))
		return k;
	if (!req->amount)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "amount", "缺少金额 amount");
	fen_t amount = 0;
	dd_error err;
	dd_error_clear(&err);
	if (money_parse(req->amount, strlen(req->amount), MONEY_PLAIN, &amount, &err) != DD_OK || amount <= 0 ||
	    amount > RESERVE_ENTRY_MAX)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", "amount",
				"金额应为大于 0、不超过 1000000000.00 的元金额，最多两位小数（如 \"500.00\"）");
	const char *note = req->note ? req->note : "";
	if (strlen(note) > RESERVE_NOTE_MAX || !note_clean(note))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NOTE", "note", "备注最多 %d 字节，且不能包含控制字符",
				RESERVE_NOTE_MAX);
	if (req->application_id < 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_INPUT", "application_id", "案件编号应为正整数");
	if (req->application_id > 0 && (k = check_application(db, actor, sig, req->application_id, e)))
		return k;
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	k = reserve_fund_post_tx(db, actor, code, kind, amount, req->application_id, note, entry, e);
	if (k) {
		db_rollback(db);
		return k;
	}
	if ((rc = fund_read(db, code, fund, &err)) || (rc = db_commit(db, &err)))
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}
