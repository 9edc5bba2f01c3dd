/* audit.c - appending to and verifying the hash chain. The head (last seq and
 * hash) is read and locked by the first append of a transaction (a no-op
 * UPDATE … RETURNING, portable and a row lock on PostgreSQL), kept in memory
 * for the following appends, and written back by db_commit's hook: one
 * INSERT per appended row. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "core/arena.h"
#include "core/json.h"
#include "store.h"

#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static void put_netstring(crypto_generichash_state *h, const char *s, size_t n)
{
	char len[32];
	int k = snprintf(len, sizeof len, "%zu:", n);
	crypto_generichash_update(h, (const unsigned char *)len, (unsigned long long)k);
	crypto_generichash_update(h, (const unsigned char *)s, n);
	crypto_generichash_update(h, (const unsigned char *)",", 1);
}

static void put_str(crypto_generichash_state *h, const char *s)
{
	put_netstring(h, s ? s : "", s ? strlen(s) : 0);
}

void audit_hash(const struct audit_row *r, char out[AUDIT_HASH_HEX])
{
	crypto_generichash_state h;
	unsigned char bin[32];
	char seq[24];
	snprintf(seq, sizeof seq, "%" PRId64, r->seq);
	crypto_generichash_init(&h, NULL, 0, sizeof bin);
	put_str(&h, "doudi-audit-v1");
	put_str(&h, r->prev_hash);
	put_str(&h, seq);
	put_str(&h, r->at);
	put_str(&h, r->actor);
	put_str(&h, r->action);
	put_str(&h, r->entity);
	put_str(&h, r->entity_id);
	put_str(&h, r->region_code);
	put_netstring(&h, r->detail ? r->detail : "", r->detail ? r->detail_len : 0);
	crypto_generichash_final(&h, bin, sizeof bin);
	sodium_bin2hex(out, AUDIT_HASH_HEX, bin, sizeof bin);
}

/* The chain head as this transaction sees it. */
struct audit_tx {
	int64_t seq;
	char hash[AUDIT_HASH_HEX];
	bool dirty;
};

static dd_status head_write(struct db *db, void *ctx, dd_error *err)
{
	struct audit_tx *tx = ctx;
	if (!tx->dirty)
		return DD_OK;
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(db, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, tx->seq);
	db_bind_str(st, 2, tx->hash);
	rc = db_run(st, err);
	if (!rc && db_changes(st) != 1)
		rc = dd_fail(err, DD_EIO, "db", "审计链头缺失 (audit_head row missing)");
	db_finalize(st);
	if (!rc)
		tx->dirty = false;
	return rc;
}

static const struct db_tx_hook audit_hook = {head_write, free};

/* With the demo clock (store_clock_shifted): refuses to write before the
 * chain's last row, so the clock can build a history in date order on a new
 * store but never backdate one that has lived in the present. */
static dd_status shifted_clock_check(struct db *db, int64_t seq, dd_error *err)
{
	if (seq <= 0)
		return DD_OK;
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(db, "SELECT at FROM audit_log WHERE seq = $1", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, seq);
	rc = db_step(st, &row, err);
	char now[STORE_TIME_MAX];
	store_now(now);
	const char *last = row && !rc ? db_column_text(st, 0, NULL) : NULL;
	if (last && strcmp(now, last) < 0)
		rc = dd_fail(
		    err, DD_EINVAL, "DOUDI_DEMO_CLOCK_DAYS",
		    "演示时钟早于审计链最后一条记录 (%s)，拒绝写入 (demo clock before the audit chain's last row)",
		    last);
	db_finalize(st);
	return rc;
}

/* Reads and locks the head on the first append of the transaction. */
static dd_status head_get(struct db *db, struct audit_tx **out, dd_error *err)
{
	struct audit_tx *tx = db_tx_attached(db, &audit_hook);
	if (tx) {
		*out = tx;
		return DD_OK;
	}
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash", &st, err);
	if (rc)
		return rc;
	tx = calloc(1, sizeof *tx);
	if (!tx) {
		db_finalize(st);
		return dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	}
	rc = db_step(st, &row, err);
	if (!rc && !row)
		rc = dd_fail(err, DD_EIO, "db", "审计链头缺失，请运行 doudi init (audit_head row missing)");
	if (!rc) {
		size_t n = 0;
		const char *h = db_column_text(st, 1, &n);
		tx->seq = db_column_int64(st, 0);
		if (!h || n != AUDIT_HASH_HEX - 1)
			rc = dd_fail(err, DD_EIO, "db", "审计链头已损坏 (audit_head hash malformed)");
		else
			memcpy(tx->hash, h, n + 1);
	}
	if (!rc) { /* step to the end so the UPDATE completes on every backend */
		while (row && !rc)
			rc = db_step(st, &row, err);
	}
	db_finalize(st);
	if (!rc && store_clock_shifted())
		rc = shifted_clock_check(db, tx->seq, err);
	if (!rc)
		rc = db_tx_attach(db, &audit_hook, tx, err);
	if (rc) {
		free(tx);
		return rc;
	}
	*out = tx;
	return DD_OK;
}

static dd_status check_json(const char *detail, dd_error *err)
{
	size_t n = strlen(detail);
	if (n > AUDIT_DETAIL_MAX)
		return dd_fail(err, DD_ELIMIT, "detail", "审计详情过长 (audit detail too long)");
	struct arena a;
	struct json_value *v;
	arena_init(&a, 4096, 4 * (size_t)AUDIT_DETAIL_MAX);
	dd_status rc = json_parse(detail, n, &a, NULL, &v, err);
	arena_release(&a);
	if (rc)
		dd_error_prefix(err, "detail");
	return rc;
}

static bool text_ok(const char *s, size_t max)
{
	return s && strlen(s) <= max;
}

dd_status audit_append_region(struct db *db, const char *region_code, const char *actor, const char *action,
			      const char *entity, const char *entity_id, const char *detail_json, dd_error *err)
{
	if (!db_in_transaction(db))
		return dd_fail(err, DD_EINVAL, "db",
			       "审计记录必须在事务内写入 (audit_append needs an open transaction)");
	if (!text_ok(actor, 256) || !*actor || !text_ok(action, 128) || !*action || !text_ok(entity, 128) || !*entity ||
	    !text_ok(entity_id, 256) || !text_ok(region_code, 12))
		return dd_fail(err, DD_EINVAL, "audit",
			       "审计记录缺少操作者、动作或对象，或过长 (audit row: actor, action, entity required)");
	const char *detail = detail_json ? detail_json : "{}";
	dd_status rc = check_json(detail, err);
	if (rc)
		return rc;
	struct audit_tx *tx = NULL;
	if ((rc = head_get(db, &tx, err)))
		return rc;
	char at[STORE_TIME_MAX], hash[AUDIT_HASH_HEX];
	store_now(at);
	struct audit_row row = {
	    .seq = tx->seq + 1,
	    .prev_hash = tx->hash,
	    .at = at,
	    .actor = actor,
	    .action = action,
	    .entity = entity,
	    .entity_id = entity_id,
	    .region_code = region_code,
	    .detail = detail,
	    .detail_len = strlen(detail),
	};
	audit_hash(&row, hash);
	struct db_stmt *st;
	rc = db_prepare_cached(db,
			       "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, region_code, detail, "
			       "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			       &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, row.seq);
	db_bind_str(st, 2, at);
	db_bind_str(st, 3, actor);
	db_bind_str(st, 4, action);
	db_bind_str(st, 5, entity);
	db_bind_str(st, 6, entity_id);
	db_bind_str(st, 7, region_code);
	db_bind_str(st, 8, detail);
	db_bind_str(st, 9, tx->hash);
	db_bind_str(st, 10, hash);
	rc = db_run(st, err);
	db_finalize(st);
	if (rc)
		return rc;
	tx->seq = row.seq;
	memcpy(tx->hash, hash, sizeof hash);
	tx->dirty = true;
	return DD_OK;
}

dd_status audit_append(struct db *db, const char *actor, const char *action, const char *entity, const char *entity_id,
		       const char *detail_json, dd_error *err)
{
	return audit_append_region(db, "", actor, action, entity, entity_id, detail_json, err);
}

dd_status audit_append_batch(struct db *db, const struct audit_entry *rows, size_t n, dd_error *err)
{
	if (!db_in_transaction(db))
		return dd_fail(err, DD_EINVAL, "db",
			       "审计记录必须在事务内写入 (audit_append needs an open transaction)");
	dd_status rc = DD_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct audit_entry *e = &rows[i];
		const char *region = e->region_code ? e->region_code : "";
		if (!text_ok(e->actor, 256) || !*e->actor || !text_ok(e->action, 128) || !*e->action ||
		    !text_ok(e->entity, 128) || !*e->entity || !text_ok(e->entity_id, 256) || !text_ok(region, 12))
			return dd_fail(
			    err, DD_EINVAL, "audit",
			    "审计记录缺少操作者、动作或对象，或过长 (audit row: actor, action, entity required)");
		rc = check_json(e->detail_json ? e->detail_json : "{}", err);
	}
	if (rc || n == 0)
		return rc;
	struct audit_tx *tx = NULL;
	if ((rc = head_get(db, &tx, err)))
		return rc;
	static const char *const cols[] = {"seq",	"at",	       "actor",	 "action",    "entity",
					   "entity_id", "region_code", "detail", "prev_hash", "hash"};
	struct db_bulk *b;
	if ((rc = db_bulk_begin(db, "audit_log", cols, 10, &b, err)))
		return rc;
	char at[STORE_TIME_MAX];
	store_now(at);
	int64_t seq = tx->seq;
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
	memcpy(prev, tx->hash, sizeof prev);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct audit_entry *e = &rows[i];
		const char *detail = e->detail_json ? e->detail_json : "{}";
		struct audit_row row = {
		    .seq = seq + 1,
		    .prev_hash = prev,
		    .at = at,
		    .actor = e->actor,
		    .action = e->action,
		    .entity = e->entity,
		    .entity_id = e->entity_id,
		    .region_code = e->region_code ? e->region_code : "",
		    .detail = detail,
		    .detail_len = strlen(detail),
		};
		audit_hash(&row, hash);
		db_bulk_int64(b, row.seq);
		db_bulk_str(b, at);
		db_bulk_str(b, row.actor);
		db_bulk_str(b, row.action);
		db_bulk_str(b, row.entity);
		db_bulk_str(b, row.entity_id);
		db_bulk_str(b, row.region_code);
		db_bulk_text(b, detail, row.detail_len);
		db_bulk_str(b, prev);
		db_bulk_str(b, hash);
		rc = db_bulk_row_end(b, err);
		seq++;
		memcpy(prev, hash, sizeof prev);
	}
	if (rc) {
		db_bulk_abort(b);
		return rc;
	}
	if ((rc = db_bulk_finish(b, NULL, err)))
		return rc;
	tx->seq = seq;
	memcpy(tx->hash, prev, sizeof prev);
	tx->dirty = true;
	return DD_OK;
}

static void bad(struct audit_report *rep, int64_t seq, const char *fmt, ...) DD_PRINTF(3, 4);
static void bad(struct audit_report *rep, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	rep->intact = false;
	rep->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(rep->reason, sizeof rep->reason, fmt, ap);
	va_end(ap);
}

static const char *col(struct db_stmt *st, int i)
{
	const char *s = db_column_text(st, i, NULL);
	return s ? s : "";
}

dd_status audit_verify(struct db *db, struct audit_report *rep, dd_error *err)
{
	memset(rep, 0, sizeof *rep);
	rep->intact = true;
	memcpy(rep->head_hash, GENESIS_HASH, sizeof GENESIS_HASH);
	dd_status rc = db_begin_read(db, err);
	if (rc)
		return rc;
	struct db_stmt *st = NULL;
	int64_t head_seq = -1;
	char head_hash[AUDIT_HASH_HEX] = "";
	bool row = false;
	rc = db_prepare(db, "SELECT seq, hash FROM audit_head WHERE id = 1", 0, &st, err);
	if (!rc)
		rc = db_step(st, &row, err);
	if (!rc && row) {
		head_seq = db_column_int64(st, 0);
		snprintf(head_hash, sizeof head_hash, "%s", col(st, 1));
	}
	db_finalize(st);
	st = NULL;
	if (!rc)
		rc =
		    db_prepare(db,
			       "SELECT seq, at, actor, action, entity, entity_id, region_code, detail, prev_hash, hash "
			       "FROM audit_log ORDER BY seq",
			       DB_STMT_STREAM, &st, err);
	int64_t expect = 1;
	char prev[AUDIT_HASH_HEX] = GENESIS_HASH;
	while (!rc && rep->intact) {
		if ((rc = db_step(st, &row, err)) || !row)
			break;
		int64_t seq = db_column_int64(st, 0);
		if (seq != expect) {
			if (seq > expect && head_seq >= 0 && expect > head_seq)
				bad(rep, seq, "第 %" PRId64 " 条是链头之后插入的记录 (row inserted after the head)",
				    seq);
			else if (seq > expect)
				bad(rep, expect, "第 %" PRId64 " 条记录缺失 (row removed: seq gap)", expect);
			else
				bad(rep, seq, "序号 %" PRId64 " 不应出现 (row inserted: unexpected seq)", seq);
			break;
		}
		if (head_seq >= 0 && seq > head_seq) {
			bad(rep, seq, "第 %" PRId64 " 条是链头之后插入的记录 (row inserted after the head)", seq);
			break;
		}
		struct audit_row r = {
		    .seq = seq,
		    .at = col(st, 1),
		    .actor = col(st, 2),
		    .action = col(st, 3),
		    .entity = col(st, 4),
		    .entity_id = col(st, 5),
		    .region_code = col(st, 6),
		    .prev_hash = col(st, 8),
		};
		r.detail = db_column_text(st, 7, &r.detail_len);
		char want[AUDIT_HASH_HEX];
		audit_hash(&r, want);
		if (strcmp(want, col(st, 9)) != 0) {
			bad(rep, seq, "第 %" PRId64 " 条记录的哈希不符，内容被修改 (hash mismatch: row changed)", seq);
			break;
		}
		if (strcmp(r.prev_hash, prev) != 0) {
			bad(rep, seq,
			    "第 %" PRId64 " 条记录与前一条不衔接，之前的记录被修改、删除或插入 "
			    "(prev_hash mismatch: an earlier row was changed, removed or inserted)",
			    seq);
			break;
		}
		memcpy(prev, want, sizeof prev);
		rep->count++;
		expect++;
	}
	db_finalize(st);
	if (!rc && rep->intact) {
		int64_t last = expect - 1;
		if (head_seq < 0)
			bad(rep, last + 1, "审计链头缺失 (audit_head row missing)");
		else if (head_seq > last)
			bad(rep, last + 1, "第 %" PRId64 " 条起的末尾记录被删除 (rows removed at the end)", last + 1);
		else if (head_seq < last)
			bad(rep, head_seq + 1, "第 %" PRId64 " 条是链头之后插入的记录 (row inserted after the head)",
			    head_seq + 1);
		else if (strcmp(head_hash, prev) != 0)
			bad(rep, last, "链头哈希与第 %" PRId64 " 条不符 (head hash mismatch)", last);
	}
	memcpy(rep->head_hash, prev, sizeof prev);
	db_rollback(db);
	return rc;
}
