/* db_sqlite.c - the SQLite backend: one file, WAL, foreign keys on, a busy
 * timeout, synchronous=FULL (a committed household survives a power cut),
 * multi-thread mode (one connection per thread). A new file is created with
 * mode 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
 * same mode. `$N` placeholders are SQLite named parameters, numbered by first
 * appearance, so each statement keeps a map from N to SQLite's index. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/strbuf.h"
#include "db_internal.h"

#define SQLITE_BUSY_MS 10000

/* The transaction statements, prepared once per connection: a read that
 * opens and ends a snapshot per request then parses no SQL for it. */
static const char *const tx_sql[] = {"BEGIN DEFERRED", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
#define TX_SQL_N (sizeof tx_sql / sizeof tx_sql[0])

/* A bulk writer's checkpointer (db_tune_bulk): a thread with a connection of
 * its own copies the WAL into the database while the writer goes on. */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	char *path;
};

struct sqlite_db {
	struct db base;
	sqlite3 *h;
	sqlite3_stmt *tx[TX_SQL_N]; /* prepared on first use */
	struct checkpointer *ckpt;  /* running, or NULL */
};

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
	int nparams; /* highest $N */
	int *pmap;   /* pmap[N] = SQLite's parameter index of $N */
	bool done;
	bool row; /* a row is current */
};

static const struct db_ops sqlite_ops;

static sqlite3 *H(const struct db *db)
{
	return ((const struct sqlite_db *)db)->h;
}

/* Maps the connection's last error to a fault and a message without values:
 * SQLite's own messages name tables, columns and constraints, never values. */
static dd_status sqlite_error(struct db *db, int code, dd_error *err)
{
	sqlite3 *h = H(db);
	int ext = h ? sqlite3_extended_errcode(h) : code;
	const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(code);
	if ((ext & 0xff) != (code & 0xff))
		ext = code;
	const char *what = msg;
	const char *colon = strstr(msg, "failed: ");
	switch (ext) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return db_fail_classified(db, DB_FAULT_UNIQUE, colon ? colon + 8 : what, err);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return db_fail_classified(db, DB_FAULT_FOREIGN_KEY, "", err);
	case SQLITE_CONSTRAINT_CHECK:
		return db_fail_classified(db, DB_FAULT_CHECK, colon ? colon + 8 : what, err);
	case SQLITE_CONSTRAINT_NOTNULL:
		return db_fail_classified(db, DB_FAULT_NOT_NULL, colon ? colon + 8 : what, err);
	default:
		break;
	}
	switch (ext & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return db_fail_classified(db, DB_FAULT_BUSY, what, err);
	case SQLITE_NOMEM:
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	case SQLITE_MISUSE:
		return db_fail_classified(db, DB_FAULT_MISUSE, what, err);
	case SQLITE_CONSTRAINT:
		return db_fail_classified(db, DB_FAULT_CHECK, what, err);
	case SQLITE_NOTADB:
		return db_fail(db, DB_FAULT_OTHER, DD_EINVAL, err, "不是 SQLite 数据库文件 (not an SQLite database)");
	default:
		return db_fail_classified(db, DB_FAULT_OTHER, what, err);
	}
}

static dd_status sqlite_exec(struct db *db, const char *sql, dd_error *err)
{
	struct sqlite_db *s = (struct sqlite_db *)db;
	for (size_t k = 0; k < TX_SQL_N; k++) {
		if (strcmp(sql, tx_sql[k]) != 0)
			continue;
		if (!s->tx[k] && sqlite3_prepare_v2(s->h, sql, -1, &s->tx[k], NULL) != SQLITE_OK)
			break;
		int rc = sqlite3_step(s->tx[k]);
		sqlite3_reset(s->tx[k]);
		return rc == SQLITE_DONE ? DD_OK : sqlite_error(db, rc, err);
	}
	int rc = sqlite3_exec(H(db), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? DD_OK : sqlite_error(db, rc, err);
}

/* Once per process, before the first connection: no memory statistics.
 * With them on (the default) every allocation of every connection takes one
 * process-wide mutex, which the server's worker threads then contend for
 * (futex calls on every request). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_global_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static dd_status pragma_expect(struct db *db, const char *sql, const char *want, dd_error *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(H(db), sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlite_error(db, rc, err);
	rc = sqlite3_step(st);
	dd_status out = DD_OK;
	if (rc == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(st, 0);
		if (want && (!got || strcmp(got, want) != 0))
			out = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "无法设置 %s (cannot set: got %s)", sql,
				      got ? got : "NULL");
	} else if (rc != SQLITE_DONE) {
		out = sqlite_error(db, rc, err);
	}
	sqlite3_finalize(st);
	return out;
}

dd_status db_sqlite_open(const char *path, unsigned flags, struct db **out, dd_error *err)
{
	struct stat sb;
	if (flags & DB_OPEN_CREATE) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			/* the umask may have taken bits away; 0600 exactly */
			int frc = fchmod(fd, 0600);
			close(fd);
			if (frc != 0)
				return db_fail(NULL, DB_FAULT_OTHER, DD_EIO, err,
					       "无法设置数据库文件权限 (cannot chmod database file: %s)",
					       strerror(errno));
		} else if (errno != EEXIST) {
			return db_fail(NULL, DB_FAULT_OTHER, DD_EIO, err,
				       "无法创建数据库文件 %s (cannot create database file: %s)", path,
				       strerror(errno));
		}
	}
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return db_fail(
			    NULL, DB_FAULT_OTHER, DD_ENOTFOUND, err,
			    "数据库文件 %s 不存在，请先运行 doudi init (database file not found; run doudi init first)",
			    path);
		return db_fail(NULL, DB_FAULT_OTHER, DD_EIO, err, "无法访问数据库文件 %s (cannot access: %s)", path,
			       strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return db_fail(NULL, DB_FAULT_OTHER, DD_EINVAL, err, "%s 不是普通文件 (not a regular file)", path);

	pthread_once(&sqlite_once, sqlite_global_config);
	struct sqlite_db *s = calloc(1, sizeof *s);
	if (!s)
		return db_fail(NULL, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	s->base.ops = &sqlite_ops;
	s->base.backend = DB_SQLITE;
	int rc = sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	dd_status out_rc = DD_OK;
	if (rc != SQLITE_OK) {
		out_rc = db_fail(&s->base, DB_FAULT_CONNECTION, DD_EIO, err, "无法打开数据库 %s (cannot open: %s)",
				 path, s->h ? sqlite3_errmsg(s->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->h, 1);
	sqlite3_busy_timeout(s->h, SQLITE_BUSY_MS);
	sqlite3_db_config(s->h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(s->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	if ((out_rc = pragma_expect(&s->base, "PRAGMA journal_mode=WAL", "wal", err)))
		goto fail;
	if ((out_rc = sqlite_exec(
		 &s->base,
		 "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; "
		 "PRAGMA mmap_size=1073741824;",
		 err)))
		goto fail;
	if ((out_rc = pragma_expect(&s->base, "PRAGMA foreign_keys", "1", err)))
		goto fail;
	*out = &s->base;
	return DD_OK;
fail:
	sqlite3_close_v2(s->h);
	free(s);
	return out_rc;
}

static void checkpointer_stop(struct sqlite_db *s);

static void sqlite_close(struct db *db)
{
	/* first: the connection closed last checkpoints what is left */
	checkpointer_stop((struct sqlite_db *)db);
	for (size_t k = 0; k < TX_SQL_N; k++)
		sqlite3_finalize(((struct sqlite_db *)db)->tx[k]);
	sqlite3_close_v2(H(db));
	free(db);
}

static bool sqlite_in_transaction(const struct db *db)
{
	return !sqlite3_get_autocommit(H(db));
}

static dd_status sqlite_commit(struct db *db, dd_error *err)
{
	return sqlite_exec(db, "COMMIT", err);
}

static dd_status sqlite_prepare(struct db *db, const char *sql, unsigned flags, struct db_stmt **out, dd_error *err)
{
	(void)flags; /* SQLite always steps row by row */
	struct sqlite_stmt *s = calloc(1, sizeof *s);
	if (!s)
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	s->base.db = db;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->h, &tail);
	dd_status out_rc = DD_OK;
	if (rc != SQLITE_OK) {
		out_rc = sqlite_error(db, rc, err);
		goto fail;
	}
	if (!s->h) {
		out_rc = db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err, "SQL 语句为空 (empty statement)");
		goto fail;
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';' || *tail == '\r'))
		tail++;
	if (tail && *tail) {
		out_rc = db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err,
				 "一次只能准备一条 SQL 语句 (one statement per prepare)");
		goto fail;
	}
	int n = sqlite3_bind_parameter_count(s->h);
	int max = 0;
	for (int i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(s->h, i);
		char *end = NULL;
		long v = name && name[0] == '$' && name[1] >= '1' && name[1] <= '9' ? strtol(name + 1, &end, 10) : 0;
		if (v <= 0 || !end || *end || v > n) {
			out_rc = db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err,
					 "只支持 $1、$2 … 形式的参数 (only $1, $2 … placeholders, numbered from 1)");
			goto fail;
		}
		if (v > max)
			max = (int)v;
	}
	/* n distinct names, each $v with v ≤ n: they are exactly $1..$n */
	s->nparams = max;
	if (max) {
		s->pmap = calloc((size_t)max + 1, sizeof *s->pmap);
		if (!s->pmap) {
			out_rc = db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
			goto fail;
		}
		for (int i = 1; i <= n; i++)
			s->pmap[strtol(sqlite3_bind_parameter_name(s->h, i) + 1, NULL, 10)] = i;
	}
	*out = &s->base;
	return DD_OK;
fail:
	sqlite3_finalize(s->h);
	free(s->pmap);
	free(s);
	return out_rc;
}

static void sqlite_finalize(struct db_stmt *st)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	sqlite3_finalize(s->h);
	free(s->pmap);
	free(s);
}

static int param_index(struct sqlite_stmt *s, int i)
{
	if (i < 1 || i > s->nparams) {
		db_stmt_bind_fail(&s->base, "参数序号 $%d 超出范围 (parameter index out of range)", i);
		return 0;
	}
	return s->pmap[i];
}

static void bind_result(struct sqlite_stmt *s, int i, int rc)
{
	if (rc == SQLITE_NOMEM)
		db_stmt_bind_fail(&s->base, "内存不足 (out of memory)");
	else if (rc != SQLITE_OK)
		db_stmt_bind_fail(&s->base, "无法绑定参数 $%d (cannot bind: %s)", i, sqlite3_errstr(rc));
}

static void sqlite_bind_text(struct db_stmt *st, int i, const char *v, size_t n)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	int idx = param_index(s, i);
	if (idx)
		bind_result(s, i, sqlite3_bind_text64(s->h, idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static void sqlite_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	int idx = param_index(s, i);
	if (idx)
		bind_result(s, i, sqlite3_bind_int64(s->h, idx, v));
}

static void sqlite_bind_null(struct db_stmt *st, int i)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	int idx = param_index(s, i);
	if (idx)
		bind_result(s, i, sqlite3_bind_null(s->h, idx));
}

static dd_status sqlite_step(struct db_stmt *st, bool *has_row, dd_error *err)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	s->row = false;
	if (s->done)
		return DD_OK;
	int rc = sqlite3_step(s->h);
	if (rc == SQLITE_ROW) {
		s->row = true;
		*has_row = true;
		return DD_OK;
	}
	s->done = true;
	if (rc == SQLITE_DONE) {
		st->changes = sqlite3_stmt_readonly(s->h) ? 0 : sqlite3_changes64(H(st->db));
		return DD_OK;
	}
	dd_status out = sqlite_error(st->db, rc, err);
	sqlite3_reset(s->h);
	return out;
}

static void sqlite_reset(struct db_stmt *st)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	sqlite3_reset(s->h);
	s->done = false;
	s->row = false;
	st->changes = 0;
}

static int sqlite_column_count(const struct db_stmt *st)
{
	const struct sqlite_stmt *s = (const struct sqlite_stmt *)st;
	return s->row ? sqlite3_data_count(s->h) : 0;
}

static bool col_ok(const struct sqlite_stmt *s, int col)
{
	return s->row && col >= 0 && col < sqlite3_data_count(s->h);
}

static bool sqlite_column_is_null(const struct db_stmt *st, int col)
{
	const struct sqlite_stmt *s = (const struct sqlite_stmt *)st;
	return !col_ok(s, col) || sqlite3_column_type(s->h, col) == SQLITE_NULL;
}

static int64_t sqlite_column_int64(const struct db_stmt *st, int col)
{
	const struct sqlite_stmt *s = (const struct sqlite_stmt *)st;
	return col_ok(s, col) ? sqlite3_column_int64(s->h, col) : 0;
}

static const char *sqlite_column_text(const struct db_stmt *st, int col, size_t *len)
{
	const struct sqlite_stmt *s = (const struct sqlite_stmt *)st;
	if (len)
		*len = 0;
	if (!col_ok(s, col) || sqlite3_column_type(s->h, col) == SQLITE_NULL)
		return NULL;
	const char *t = (const char *)sqlite3_column_text(s->h, col);
	if (len && t)
		*len = (size_t)sqlite3_column_bytes(s->h, col);
	return t;
}

/* Bulk: values are buffered for BULK_ROWS rows, then bound without copying
 * (SQLITE_STATIC, pointing into the buffer) to one multi-row INSERT prepared
 * once, and stepped; a last partial batch goes row by row through a one-row
 * INSERT. All inside the caller's transaction. */
#define BULK_ROWS 64

struct bulk_value {
	enum { BV_NULL, BV_INT, BV_TEXT } kind;
	int64_t i;  /* BV_INT value, or BV_TEXT offset into text */
	size_t len; /* BV_TEXT */
};

struct sqlite_bulk {
	struct db_bulk base;
	sqlite3_stmt *many, *one;
	int batch; /* rows per `many` */
	int pending;
	struct bulk_value *vals; /* batch × ncolumns */
	struct strbuf text;
};

static dd_status bulk_prepare(struct db *db, const char *table, const char *const *columns, int ncolumns, int rows,
			      sqlite3_stmt **out, dd_error *err)
{
	struct strbuf sql;
	strbuf_init(&sql, 256);
	strbuf_addf(&sql, "INSERT OR FAIL INTO %s (", table);
	for (int i = 0; i < ncolumns; i++)
		strbuf_addf(&sql, "%s%s", i ? ", " : "", columns[i]);
	strbuf_adds(&sql, ") VALUES ");
	for (int r = 0; r < rows; r++) {
		strbuf_adds(&sql, r ? ", (" : "(");
		for (int i = 0; i < ncolumns; i++)
			strbuf_adds(&sql, i ? ", ?" : "?");
		strbuf_addc(&sql, ')');
	}
	dd_status rc = DD_OK;
	if (sql.failed)
		rc = db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	else {
		int src = sqlite3_prepare_v3(H(db), sql.buf, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
		if (src != SQLITE_OK)
			rc = sqlite_error(db, src, err);
	}
	strbuf_release(&sql);
	return rc;
}

static void bulk_free(struct sqlite_bulk *b)
{
	sqlite3_finalize(b->many);
	sqlite3_finalize(b->one);
	free(b->vals);
	strbuf_release(&b->text);
	free(b);
}

static dd_status sqlite_bulk_begin(struct db *db, const char *table, const char *const *columns, int ncolumns,
				   struct db_bulk **out, dd_error *err)
{
	struct sqlite_bulk *b = calloc(1, sizeof *b);
	if (!b)
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	b->base.db = db;
	b->base.ncolumns = ncolumns;
	b->batch = BULK_ROWS * ncolumns > 30000 ? 1 : BULK_ROWS;
	strbuf_init(&b->text, 64 * 1024);
	b->vals = calloc((size_t)b->batch * (size_t)ncolumns, sizeof *b->vals);
	dd_status rc = DD_OK;
	if (!b->vals)
		rc = db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	if (!rc)
		rc = bulk_prepare(db, table, columns, ncolumns, 1, &b->one, err);
	if (!rc && b->batch > 1)
		rc = bulk_prepare(db, table, columns, ncolumns, b->batch, &b->many, err);
	if (rc) {
		bulk_free(b);
		return rc;
	}
	*out = &b->base;
	return DD_OK;
}

static struct bulk_value *bulk_slot(struct db_bulk *bb)
{
	struct sqlite_bulk *b = (struct sqlite_bulk *)bb;
	return &b->vals[(size_t)b->pending * (size_t)bb->ncolumns + (size_t)bb->col];
}

static void sqlite_bulk_text(struct db_bulk *bb, const char *v, size_t n)
{
	struct sqlite_bulk *b = (struct sqlite_bulk *)bb;
	struct bulk_value *x = bulk_slot(bb);
	x->kind = BV_TEXT;
	x->i = (int64_t)b->text.len;
	x->len = n;
	strbuf_add(&b->text, v, n);
}

static void sqlite_bulk_int64(struct db_bulk *bb, int64_t v)
{
	struct bulk_value *x = bulk_slot(bb);
	x->kind = BV_INT;
	x->i = v;
}

static void sqlite_bulk_null(struct db_bulk *bb)
{
	bulk_slot(bb)->kind = BV_NULL;
}

/* Binds rows [first, first+rows) of the buffer to st and runs it once. */
static dd_status bulk_run(struct sqlite_bulk *b, sqlite3_stmt *st, int first, int rows, dd_error *err)
{
	int nc = b->base.ncolumns, rc = SQLITE_OK;
	for (int r = 0; r < rows && rc == SQLITE_OK; r++)
		for (int c = 0; c < nc && rc == SQLITE_OK; c++) {
			const struct bulk_value *x = &b->vals[(size_t)(first + r) * (size_t)nc + (size_t)c];
			int idx = r * nc + c + 1;
			if (x->kind == BV_INT)
				rc = sqlite3_bind_int64(st, idx, x->i);
			else if (x->kind == BV_TEXT)
				rc = sqlite3_bind_text64(st, idx, b->text.buf + x->i, x->len, SQLITE_STATIC,
							 SQLITE_UTF8);
			else
				rc = sqlite3_bind_null(st, idx);
		}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	dd_status out = rc == SQLITE_DONE ? DD_OK : sqlite_error(b->base.db, rc, err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return out;
}

static dd_status bulk_flush(struct sqlite_bulk *b, dd_error *err)
{
	dd_status rc = DD_OK;
	if (b->text.failed)
		rc = db_fail(b->base.db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	else if (b->pending == b->batch && b->many)
		rc = bulk_run(b, b->many, 0, b->batch, err);
	else
		for (int r = 0; r < b->pending && !rc; r++)
			rc = bulk_run(b, b->one, r, 1, err);
	b->pending = 0;
	strbuf_reset(&b->text);
	return rc;
}

static dd_status sqlite_bulk_row_end(struct db_bulk *bb, dd_error *err)
{
	struct sqlite_bulk *b = (struct sqlite_bulk *)bb;
	if (++b->pending == b->batch)
		return bulk_flush(b, err);
	return DD_OK;
}

static dd_status sqlite_bulk_finish(struct db_bulk *bb, int64_t *rows, dd_error *err)
{
	struct sqlite_bulk *b = (struct sqlite_bulk *)bb;
	dd_status rc = bulk_flush(b, err);
	if (rows)
		*rows = rc ? 0 : bb->rows;
	bulk_free(b);
	return rc;
}

static void sqlite_bulk_abort(struct db_bulk *bb)
{
	bulk_free((struct sqlite_bulk *)bb);
}

/* Ids: writers are serialized (BEGIN IMMEDIATE), so MAX(id)+1 … is free until
 * commit; the per-transaction mark keeps two reservations apart. */
static dd_status sqlite_reserve_ids(struct db *db, const char *table, int64_t n, int64_t *ids, dd_error *err)
{
	char sql[DB_IDENT_MAX + 64];
	snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(id), 0) FROM %s", table);
	int64_t max = 0;
	dd_status rc = db_query_int64(db, sql, &max, NULL, err);
	if (rc)
		return rc;
	int slot = -1;
	for (int i = 0; i < db->nreserved; i++)
		if (strcmp(db->reserved[i].table, table) == 0)
			slot = i;
	if (slot < 0) {
		if (db->nreserved == DB_RESERVE_SLOTS)
			return db_fail(db, DB_FAULT_MISUSE, DD_ELIMIT, err,
				       "一个事务内预留编号的表过多 (too many tables with reserved ids)");
		slot = db->nreserved++;
		snprintf(db->reserved[slot].table, sizeof db->reserved[slot].table, "%s", table);
		db->reserved[slot].next = 0;
	}
	int64_t first = max + 1 > db->reserved[slot].next ? max + 1 : db->reserved[slot].next;
	if (first > INT64_MAX - n)
		return db_fail(db, DB_FAULT_OTHER, DD_ERANGE, err, "编号溢出 (id overflow)");
	for (int64_t i = 0; i < n; i++)
		ids[i] = first + i;
	db->reserved[slot].next = first + n;
	return DD_OK;
}

static dd_status sqlite_backup(struct db *db, const char *path, bool overwrite, dd_error *err)
{
	if (overwrite) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
			char p[4096];
			if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffix[i]) < sizeof p)
				unlink(p);
		}
	}
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return db_fail(db, DB_FAULT_OTHER, DD_EINVAL, err,
				       "备份文件 %s 已存在 (backup file exists; use --force to overwrite)", path);
		return db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "无法创建备份文件 %s (cannot create: %s)", path,
			       strerror(errno));
	}
	int frc = fchmod(fd, 0600);
	close(fd);
	sqlite3 *dst = NULL;
	dd_status out = DD_OK;
	if (frc != 0) {
		out = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "无法设置备份文件权限 (cannot chmod: %s)",
			      strerror(errno));
		goto done;
	}
	int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		out = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "无法打开备份文件 (cannot open backup: %s)",
			      dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto done;
	}
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", H(db), "main");
	if (!bk) {
		out = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "无法开始备份 (cannot start backup: %s)",
			      sqlite3_errmsg(dst));
		goto done;
	}
	/* all pages in one step: one consistent snapshot; writers in WAL mode go on */
	for (int tries = 0;; tries++) {
		rc = sqlite3_backup_step(bk, -1);
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 200) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
			continue;
		}
		break;
	}
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE)
		out = db_fail(db, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DB_FAULT_BUSY : DB_FAULT_OTHER, DD_EIO,
			      err, "备份失败 (backup failed: %s)", sqlite3_errstr(rc));
	else if ((rc = sqlite3_errcode(dst)) != SQLITE_OK)
		out = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "备份失败 (backup failed: %s)", sqlite3_errmsg(dst));
done:
	if (dst && sqlite3_close(dst) != SQLITE_OK && !out)
		out = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "备份文件关闭失败 (closing backup failed)");
	if (out)
		unlink(path);
	return out;
}

/* The checkpointer's loop: a PASSIVE checkpoint (it never blocks the writer,
 * nor waits for it) whenever the WAL has frames not yet copied, else a short
 * sleep. Its connection keeps synchronous=FULL: the WAL is synced before the
 * copy and the database after it, as any checkpoint. */
static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	sqlite3 *h = NULL;
	/* a connection sees the WAL only once it has read the database */
	if (sqlite3_open_v2(c->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close_v2(h);
		return NULL;
	}
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		pthread_mutex_unlock(&c->mu);
		int nlog = 0, nckpt = 0;
		int rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
		pthread_mutex_lock(&c->mu);
		if (!c->stop && (rc != SQLITE_OK || nckpt >= nlog)) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 20 * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&c->cv, &c->mu, &until);
		}
	}
	pthread_mutex_unlock(&c->mu);
	sqlite3_close_v2(h);
	return NULL;
}

/* The writer's side: the WAL starts again from its beginning only when a
 * write transaction begins with every frame copied, which a checkpointer
 * running behind the writer never sees; so past CKPT_WAL_FRAMES (128 MiB)
 * a commit waits for the checkpointer and copies what is left itself
 * (FULL), and the next transaction restarts the WAL. */
#define CKPT_WAL_FRAMES 32768
static int wal_limit_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)arg;
	if (frames >= CKPT_WAL_FRAMES) {
		/* a reader on an old snapshot (the server) is waited for briefly
		 * only: what it still needs is copied later */
		sqlite3_busy_timeout(h, 500);
		(void)sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_FULL, NULL, NULL);
		sqlite3_busy_timeout(h, SQLITE_BUSY_MS);
	}
	return SQLITE_OK;
}

static void checkpointer_stop(struct sqlite_db *s)
{
	struct checkpointer *c = s->ckpt;
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c->path);
	free(c);
	s->ckpt = NULL;
}

/* db_tune_bulk: a larger cache, synchronous=NORMAL, temporary data in files,
 * and the checkpoints moved to a thread of their own, so the writer's commits
 * never wait for a checkpoint's copy and fsyncs (at a million persons, that
 * waiting was a third of the import's wall time). Without the thread,
 * checkpoints every 16384 pages. */
static dd_status sqlite_tune_bulk(struct db *db, dd_error *err)
{
	struct sqlite_db *s = (struct sqlite_db *)db;
	dd_status rc =
	    sqlite_exec(db, "PRAGMA cache_size=-262144; PRAGMA synchronous=NORMAL; PRAGMA temp_store=FILE", err);
	if (rc || s->ckpt)
		return rc;
	const char *path = sqlite3_db_filename(s->h, "main");
	struct checkpointer *c = calloc(1, sizeof *c);
	if (c && path && *path && (c->path = strdup(path)) != NULL) {
		pthread_mutex_init(&c->mu, NULL);
		pthread_cond_init(&c->cv, NULL);
		if (pthread_create(&c->thread, NULL, checkpointer_main, c) == 0) {
			s->ckpt = c;
			dd_status xrc = sqlite_exec(db, "PRAGMA wal_autocheckpoint=0", err);
			if (!xrc) /* after the pragma, which sets a hook of its own */
				sqlite3_wal_hook(s->h, wal_limit_hook, NULL);
			return xrc;
		}
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
	}
	if (c)
		free(c->path);
	free(c);
	return sqlite_exec(db, "PRAGMA wal_autocheckpoint=16384", err);
}

static const struct db_ops sqlite_ops = {
    .close = sqlite_close,
    .exec = sqlite_exec,
    .in_transaction = sqlite_in_transaction,
    .tx_ended = NULL,
    .begin_sql = "BEGIN IMMEDIATE",
    .begin_read_sql = "BEGIN DEFERRED",
    .commit = sqlite_commit,
    .prepare = sqlite_prepare,
    .finalize = sqlite_finalize,
    .bind_text = sqlite_bind_text,
    .bind_int64 = sqlite_bind_int64,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .reset = sqlite_reset,
    .column_count = sqlite_column_count,
    .column_is_null = sqlite_column_is_null,
    .column_int64 = sqlite_column_int64,
    .column_text = sqlite_column_text,
    .table_exists_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
    .bulk_begin = sqlite_bulk_begin,
    .bulk_text = sqlite_bulk_text,
    .bulk_int64 = sqlite_bulk_int64,
    .bulk_null = sqlite_bulk_null,
    .bulk_row_end = sqlite_bulk_row_end,
    .bulk_finish = sqlite_bulk_finish,
    .bulk_abort = sqlite_bulk_abort,
    .reserve_ids = sqlite_reserve_ids,
    .backup = sqlite_backup,
    .tune_bulk = sqlite_tune_bulk,
};
