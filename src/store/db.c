/* db.c - the backend-independent half of the db interface: choosing the
 * backend, transactions and their hooks, the statement cache, and the error
 * helpers. Everything backend-specific goes through struct db_ops. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db_internal.h"

bool db_target_is_postgres(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

dd_status db_fail(struct db *db, enum db_fault fault, dd_status code, dd_error *err, const char *fmt, ...)
{
	char msg[DD_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (db)
		db->fault = fault;
	return dd_fail(err, code, "db", "%s", msg);
}

void db_stmt_bind_fail(struct db_stmt *st, const char *fmt, ...)
{
	if (st->bind_err.code)
		return;
	char msg[DD_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dd_fail(&st->bind_err, DD_EINVAL, "db", "%s", msg);
}

void db_bulk_value_fail(struct db_bulk *b, const char *fmt, ...)
{
	if (b->err.code)
		return;
	char msg[DD_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dd_fail(&b->err, DD_EINVAL, "db", "%s", msg);
}

dd_status db_fail_classified(struct db *db, enum db_fault fault, const char *what, dd_error *err)
{
	if (!what)
		what = "";
	switch (fault) {
	case DB_FAULT_UNIQUE:
		return db_fail(db, fault, DD_EINVAL, err, "数据重复，违反唯一约束 (unique constraint failed: %s)",
			       what);
	case DB_FAULT_FOREIGN_KEY:
		return db_fail(db, fault, DD_EINVAL, err,
			       "引用的记录不存在或仍被引用 (foreign key constraint failed%s%s)", *what ? ": " : "",
			       what);
	case DB_FAULT_CHECK:
		return db_fail(db, fault, DD_EINVAL, err, "数据不符合约束 (check constraint failed: %s)", what);
	case DB_FAULT_NOT_NULL:
		return db_fail(db, fault, DD_EINVAL, err, "缺少必填字段 (not-null constraint failed: %s)", what);
	case DB_FAULT_BUSY:
		return db_fail(db, fault, DD_EIO, err, "数据库正忙，请稍后重试 (database busy: %s)", what);
	case DB_FAULT_CONNECTION:
		return db_fail(db, fault, DD_EIO, err, "数据库连接失败 (database connection failed: %s)", what);
	case DB_FAULT_MISUSE:
		return db_fail(db, fault, DD_EINVAL, err, "数据库接口使用错误 (database API misuse: %s)", what);
	case DB_FAULT_NONE:
	case DB_FAULT_OTHER:
		break;
	}
	return db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "数据库错误 (database error: %s)", what);
}

bool db_ident_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= DB_IDENT_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

#define DB_PARAMS_MAX 65535

dd_status db_scan_params(struct db *db, const char *sql, int *count, dd_error *err)
{
	/* a bitmap of the $N seen; statements rarely have more than a few hundred */
	size_t cap = 64;
	unsigned char *seen = calloc(cap, 1);
	int max = 0;
	dd_status rc = DD_OK;
	if (!seen)
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	for (const char *p = sql; *p && !rc;) {
		if (*p == '\'' || *p == '"') { /* a string or quoted identifier; doubled quote escapes */
			char q = *p++;
			while (*p && !(*p == q && p[1] != q))
				p += (*p == q) ? 2 : 1;
			if (*p)
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			p = end ? end + 2 : p + strlen(p);
		} else if (*p == '?') { /* SQLite would take it as a parameter: keep one syntax */
			rc = db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err,
				     "只支持 $1、$2 … 形式的参数 (only $1, $2 … placeholders, numbered from 1)");
		} else if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
			long v = 0;
			p++;
			while (*p >= '0' && *p <= '9' && v <= DB_PARAMS_MAX)
				v = v * 10 + (*p++ - '0');
			if (v > DB_PARAMS_MAX) {
				rc = db_fail(db, DB_FAULT_MISUSE, DD_ELIMIT, err, "参数过多 (too many parameters)");
				break;
			}
			if ((size_t)v >= cap * 8) {
				size_t ncap = cap;
				while ((size_t)v >= ncap * 8)
					ncap *= 2;
				unsigned char *ns = realloc(seen, ncap);
				if (!ns) {
					rc = db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
					break;
				}
				memset(ns + cap, 0, ncap - cap);
				seen = ns;
				cap = ncap;
			}
			seen[v / 8] |= (unsigned char)(1u << (v % 8));
			if (v > max)
				max = (int)v;
		} else {
			p++;
		}
	}
	for (int v = 1; v <= max && !rc; v++)
		if (!(seen[v / 8] & (1u << (v % 8))))
			rc = db_fail(
			    db, DB_FAULT_MISUSE, DD_EINVAL, err,
			    "SQL 参数 $%d 未出现，参数必须从 $1 连续编号 (parameter $%d missing: number them $1, $2 …)",
			    v, v);
	free(seen);
	if (!rc)
		*count = max;
	return rc;
}

dd_status db_open(const char *target, unsigned flags, struct db **out, dd_error *err)
{
	*out = NULL;
	if (!target || !*target)
		return db_fail(NULL, DB_FAULT_MISUSE, DD_EINVAL, err, "缺少数据库参数 (missing database target)");
	if (sodium_init() < 0)
		return db_fail(NULL, DB_FAULT_OTHER, DD_EIO, err, "无法初始化 libsodium (libsodium init failed)");
	if (db_target_is_postgres(target))
		return db_pg_open(target, flags, out, err);
	return db_sqlite_open(target, flags, out, err);
}

/* A failure inside a transaction dooms it on both backends. */
static dd_status tx_note(struct db *db, dd_status rc)
{
	if (rc && db->ops->in_transaction(db))
		db->tx_failed = true;
	return rc;
}

static dd_status tx_usable(struct db *db, dd_error *err)
{
	if (db->tx_failed && db->ops->in_transaction(db))
		return db_fail(db, DB_FAULT_MISUSE, DD_EIO, err,
			       "事务已因先前的错误中止，只能回滚 (transaction aborted by an earlier error: roll back)");
	return DD_OK;
}

static void tx_clear(struct db *db)
{
	db->tx_failed = false;
	db->tx_open = false;
	const struct db_tx_hook *hook = db->hook;
	void *ctx = db->hook_ctx;
	db->hook = NULL;
	db->hook_ctx = NULL;
	db->nreserved = 0;
	if (hook && hook->release)
		hook->release(ctx);
	if (db->ops->tx_ended)
		db->ops->tx_ended(db);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->ops->in_transaction(db))
		db_rollback(db);
	tx_clear(db);
	for (int i = 0; i < DB_CACHE_SLOTS; i++) {
		struct db_stmt *st = db->cache[i];
		if (st) {
			free(st->cache_sql);
			st->cache_sql = NULL;
			db->ops->finalize(st);
			db->cache[i] = NULL;
		}
	}
	db->ops->close(db);
}

enum db_backend db_backend(const struct db *db)
{
	return db->backend;
}

enum db_fault db_last_fault(const struct db *db)
{
	return db->fault;
}

dd_status db_exec(struct db *db, const char *sql, dd_error *err)
{
	db->fault = DB_FAULT_NONE;
	dd_status rc = tx_usable(db, err);
	return rc ? rc : tx_note(db, db->ops->exec(db, sql, err));
}

bool db_in_transaction(const struct db *db)
{
	return db->ops->in_transaction(db);
}

static dd_status begin_with(struct db *db, const char *sql, dd_error *err)
{
	if (db->enclosing && db->ops->in_transaction(db)) {
		if (db->tx_failed)
			return db_fail(db, DB_FAULT_OTHER, DD_EIO, err,
				       "事务中有语句失败 (a statement in the transaction failed)");
		db->inner++;
		return DD_OK;
	}
	if (db->ops->in_transaction(db))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "事务已在进行中 (a transaction is already open)");
	tx_clear(db);
	dd_status rc = db_exec(db, sql, err);
	db->tx_open = !rc;
	return rc;
}

dd_status db_begin(struct db *db, dd_error *err)
{
	return begin_with(db, db->ops->begin_sql, err);
}

dd_status db_begin_read(struct db *db, dd_error *err)
{
	return begin_with(db, db->ops->begin_read_sql, err);
}

dd_status db_begin_enclosing(struct db *db, dd_error *err)
{
	dd_status rc = db_begin(db, err);
	if (!rc) {
		db->enclosing = true;
		db->inner = 0;
	}
	return rc;
}

dd_status db_commit(struct db *db, dd_error *err)
{
	db->fault = DB_FAULT_NONE;
	if (db->enclosing && db->inner > 0 && db->ops->in_transaction(db)) {
		db->inner--; /* an inner use case's commit: the enclosing one commits */
		return db->tx_failed ? db_fail(db, DB_FAULT_OTHER, DD_EIO, err,
					       "事务中有语句失败 (a statement in the transaction failed)")
				     : DD_OK;
	}
	db->enclosing = false;
	db->inner = 0;
	if (!db->ops->in_transaction(db))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "没有进行中的事务 (no transaction is open)");
	dd_status rc = DD_OK;
	if (db->tx_failed)
		rc = db_fail(db, DB_FAULT_OTHER, DD_EIO, err,
			     "事务中有语句失败，已回滚 (a statement in the transaction failed: rolled back)");
	if (!rc && db->hook && db->hook->pre_commit)
		rc = db->hook->pre_commit(db, db->hook_ctx, err);
	if (!rc)
		rc = db->ops->commit(db, err);
	if (rc && db->ops->in_transaction(db)) {
		enum db_fault fault = db->fault;
		db_rollback(db);
		db->fault = fault;
	}
	tx_clear(db);
	return rc;
}

void db_rollback(struct db *db)
{
	db->enclosing = false; /* an inner rollback ends the enclosing transaction too */
	db->inner = 0;
	if (db->ops->in_transaction(db)) {
		dd_error ignored;
		(void)db->ops->exec(db, "ROLLBACK", &ignored);
	}
	tx_clear(db);
}

dd_status db_tx_attach(struct db *db, const struct db_tx_hook *hook, void *ctx, dd_error *err)
{
	if (!db->ops->in_transaction(db))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "没有进行中的事务 (no transaction is open)");
	if (db->hook)
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err,
			       "事务已有挂接 (the transaction already has an attachment)");
	db->hook = hook;
	db->hook_ctx = ctx;
	return DD_OK;
}

void *db_tx_attached(const struct db *db, const struct db_tx_hook *hook)
{
	return db->hook == hook ? db->hook_ctx : NULL;
}

dd_status db_prepare(struct db *db, const char *sql, unsigned flags, struct db_stmt **out, dd_error *err)
{
	*out = NULL;
	db->fault = DB_FAULT_NONE;
	return db->ops->prepare(db, sql, flags, out, err);
}

dd_status db_prepare_cached(struct db *db, const char *sql, struct db_stmt **out, dd_error *err)
{
	int free_slot = -1, victim = -1;
	for (int i = 0; i < DB_CACHE_SLOTS; i++) {
		struct db_stmt *st = db->cache[i];
		if (!st) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (!st->in_use && strcmp(st->cache_sql, sql) == 0) {
			st->in_use = true;
			st->last_use = ++db->cache_clock;
			*out = st;
			return DD_OK;
		}
		if (!st->in_use && (victim < 0 || st->last_use < db->cache[victim]->last_use))
			victim = i;
	}
	dd_status rc = db_prepare(db, sql, 0, out, err);
	if (rc)
		return rc;
	char *copy = strdup(sql);
	if (!copy) /* still usable, just not cached */
		return DD_OK;
	int slot = free_slot >= 0 ? free_slot : victim;
	if (slot < 0) { /* every slot in use: hand out an uncached statement */
		free(copy);
		return DD_OK;
	}
	if (db->cache[slot]) {
		struct db_stmt *old = db->cache[slot];
		free(old->cache_sql);
		old->cache_sql = NULL;
		db->ops->finalize(old);
	}
	(*out)->cache_sql = copy;
	(*out)->in_use = true;
	(*out)->last_use = ++db->cache_clock;
	db->cache[slot] = *out;
	return DD_OK;
}

void db_finalize(struct db_stmt *st)
{
	if (!st)
		return;
	if (st->cache_sql) {
		db_reset(st);
		st->in_use = false;
		return;
	}
	st->db->ops->finalize(st);
}

void db_bind_text(struct db_stmt *st, int i, const char *s, size_t n)
{
	if (!s) {
		st->db->ops->bind_null(st, i);
		return;
	}
	if (memchr(s, '\0', n)) {
		db_stmt_bind_fail(st, "参数 $%d 的文本中含有空字符 (NUL byte in text parameter)", i);
		return;
	}
	st->db->ops->bind_text(st, i, s, n);
}

void db_bind_str(struct db_stmt *st, int i, const char *s)
{
	if (!s)
		st->db->ops->bind_null(st, i);
	else
		st->db->ops->bind_text(st, i, s, strlen(s));
}

void db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	st->db->ops->bind_int64(st, i, v);
}

void db_bind_null(struct db_stmt *st, int i)
{
	st->db->ops->bind_null(st, i);
}

dd_status db_step(struct db_stmt *st, bool *has_row, dd_error *err)
{
	*has_row = false;
	st->db->fault = DB_FAULT_NONE;
	if (st->bind_err.code) {
		st->db->fault = DB_FAULT_MISUSE;
		if (err)
			*err = st->bind_err;
		return tx_note(st->db, st->bind_err.code);
	}
	dd_status rc = tx_usable(st->db, err);
	return rc ? rc : tx_note(st->db, st->db->ops->step(st, has_row, err));
}

void db_reset(struct db_stmt *st)
{
	dd_error_clear(&st->bind_err);
	st->db->ops->reset(st);
}

dd_status db_run(struct db_stmt *st, dd_error *err)
{
	bool row = true;
	dd_status rc = DD_OK;
	while (row && !rc)
		rc = db_step(st, &row, err);
	int64_t changes = st->changes;
	db_reset(st);
	st->changes = changes;
	return rc;
}

int64_t db_changes(const struct db_stmt *st)
{
	return st->changes;
}

int db_column_count(const struct db_stmt *st)
{
	return st->db->ops->column_count(st);
}

bool db_column_is_null(const struct db_stmt *st, int col)
{
	return st->db->ops->column_is_null(st, col);
}

int64_t db_column_int64(const struct db_stmt *st, int col)
{
	return st->db->ops->column_int64(st, col);
}

const char *db_column_text(const struct db_stmt *st, int col, size_t *len)
{
	return st->db->ops->column_text(st, col, len);
}

void db_column_copy(const struct db_stmt *st, int col, char *out, size_t cap)
{
	const char *s = db_column_text(st, col, NULL);
	snprintf(out, cap, "%s", s ? s : "");
}

dd_status db_query_int64(struct db *db, const char *sql, int64_t *out, bool *found, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*out = 0;
	if (found)
		*found = false;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	rc = db_step(st, &row, err);
	if (!rc && row && !db_column_is_null(st, 0)) {
		*out = db_column_int64(st, 0);
		if (found)
			*found = true;
	}
	db_finalize(st);
	return rc;
}

dd_status db_table_exists(struct db *db, const char *table, bool *exists, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*exists = false;
	dd_status rc = db_prepare(db, db->ops->table_exists_sql, 0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, table);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*exists = db_column_int64(st, 0) > 0;
	db_finalize(st);
	return rc;
}

dd_status db_bulk_begin(struct db *db, const char *table, const char *const *columns, int ncolumns,
			struct db_bulk **out, dd_error *err)
{
	*out = NULL;
	db->fault = DB_FAULT_NONE;
	if (ncolumns < 1 || ncolumns > 1000)
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "列数不正确 (bad column count)");
	if (!db_ident_ok(table))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "表名不合法 (bad table name)");
	for (int i = 0; i < ncolumns; i++)
		if (!db_ident_ok(columns[i]))
			return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "列名不合法 (bad column name)");
	dd_status rc = tx_usable(db, err);
	return rc ? rc : tx_note(db, db->ops->bulk_begin(db, table, columns, ncolumns, out, err));
}

static bool bulk_room(struct db_bulk *b)
{
	if (b->col < b->ncolumns)
		return true;
	db_bulk_value_fail(b, "一行的值多于列数 (more values than columns in a row)");
	return false;
}

void db_bulk_text(struct db_bulk *b, const char *s, size_t n)
{
	if (!s) {
		db_bulk_null(b);
		return;
	}
	if (!bulk_room(b))
		return;
	if (memchr(s, '\0', n)) {
		db_bulk_value_fail(b, "第 %d 列的文本中含有空字符 (NUL byte in text)", b->col + 1);
		b->col++;
		return;
	}
	b->db->ops->bulk_text(b, s, n);
	b->col++;
}

void db_bulk_str(struct db_bulk *b, const char *s)
{
	if (!s)
		db_bulk_null(b);
	else
		db_bulk_text(b, s, strlen(s));
}

void db_bulk_int64(struct db_bulk *b, int64_t v)
{
	if (!bulk_room(b))
		return;
	b->db->ops->bulk_int64(b, v);
	b->col++;
}

void db_bulk_null(struct db_bulk *b)
{
	if (!bulk_room(b))
		return;
	b->db->ops->bulk_null(b);
	b->col++;
}

dd_status db_bulk_row_end(struct db_bulk *b, dd_error *err)
{
	if (!b->err.code && b->col != b->ncolumns)
		db_bulk_value_fail(b, "一行的值少于列数 (fewer values than columns in a row)");
	if (b->err.code) {
		b->db->fault = DB_FAULT_MISUSE;
		if (err)
			*err = b->err;
		return tx_note(b->db, b->err.code);
	}
	dd_status rc = tx_note(b->db, b->db->ops->bulk_row_end(b, err));
	b->col = 0;
	if (!rc)
		b->rows++;
	return rc;
}

dd_status db_bulk_finish(struct db_bulk *b, int64_t *rows, dd_error *err)
{
	struct db *db = b->db;
	if (b->err.code || b->col != 0) {
		if (!b->err.code)
			db_bulk_value_fail(b, "最后一行未结束 (last row not ended)");
		dd_error e = b->err;
		db->ops->bulk_abort(b);
		db->fault = DB_FAULT_MISUSE;
		if (err)
			*err = e;
		return tx_note(db, e.code);
	}
	return tx_note(db, db->ops->bulk_finish(b, rows, err));
}

void db_bulk_abort(struct db_bulk *b)
{
	if (b)
		b->db->ops->bulk_abort(b);
}

dd_status db_reserve_ids(struct db *db, const char *table, int64_t n, int64_t *ids, dd_error *err)
{
	db->fault = DB_FAULT_NONE;
	if (!db_ident_ok(table))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "表名不合法 (bad table name)");
	if (n < 0 || n > 10000000)
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "预留数量不正确 (bad id count)");
	if (!db->ops->in_transaction(db))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err,
			       "预留编号须在事务内进行 (reserve ids inside a transaction)");
	if (n == 0)
		return DD_OK;
	return db->ops->reserve_ids(db, table, n, ids, err);
}

dd_status db_backup(struct db *db, const char *path, bool overwrite, dd_error *err)
{
	db->fault = DB_FAULT_NONE;
	return db->ops->backup(db, path, overwrite, err);
}

dd_status db_tune_bulk(struct db *db, dd_error *err)
{
	db->fault = DB_FAULT_NONE;
	return db->ops->tune_bulk ? db->ops->tune_bulk(db, err) : DD_OK;
}

dd_status db_analyze(struct db *db, const char *table, dd_error *err)
{
	if (!db_ident_ok(table))
		return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "表名不合法 (bad table name)");
	if (db->backend == DB_SQLITE)
		return db_exec(db, "PRAGMA optimize", err);
	char sql[160];
	snprintf(sql, sizeof sql, "ANALYZE %s", table);
	return db_exec(db, sql, err);
}
