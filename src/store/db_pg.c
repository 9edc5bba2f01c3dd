/* db_pg.c - the PostgreSQL backend over libpq. Statements are prepared on
 * the server when first run (named "dd<N>"), with $N typed int8 when an
 * integer was bound and left to the server otherwise; every value travels in
 * text format. Results are buffered, or streamed row by row with
 * DB_STMT_STREAM (single-row mode). Bulk insert is COPY FROM STDIN, in
 * binary format when every column's type allows it, else in text. Server
 * messages are passed on only for classes that cannot hold row data
 * (connection, syntax, resources); data errors are reported by SQLSTATE and
 * constraint name, never with the DETAIL line (it quotes values). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/strbuf.h"
#include "db_internal.h"

#define PG_INT8OID 20
#define PG_COPY_FLUSH (256 * 1024)

struct pg_db {
	struct db base;
	PGconn *conn;
	unsigned next_id;
	struct strbuf pending; /* DEALLOCATE statements deferred by an aborted transaction */
	bool busy;	       /* a streaming statement or COPY owns the connection */
};

struct pg_param {
	char *val; /* NUL-terminated text, or NULL for SQL NULL */
	bool is_int;
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;
	char name[24];
	unsigned flags;
	bool prepared, executed, done, streaming;
	int nparams;
	struct pg_param *params;
	const char **values;
	PGresult *res;
	int row, nrows;
};

/* Column types binary COPY writes; any other makes the COPY text. */
enum { PGT_TEXT, PGT_INT2, PGT_INT4, PGT_INT8 };

struct pg_bulk {
	struct db_bulk base;
	struct strbuf buf;
	bool binary;
	unsigned char *types; /* binary: PGT_* per column */
};

static const struct db_ops pg_ops;

static struct pg_db *P(struct db *db)
{
	return (struct pg_db *)db;
}

static PGconn *C(const struct db *db)
{
	return ((const struct pg_db *)db)->conn;
}

static void silent_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* First line of a libpq message, bounded. */
static void first_line(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	if (s)
		while (s[n] && s[n] != '\n' && n + 1 < cap)
			n++;
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

/* Classes whose primary message names only objects of our SQL or the
 * connection, never a bound value. */
static bool message_is_safe(const char *state)
{
	static const char *const safe[] = {"08", "28", "3D", "3F", "42", "53", "54", "55", "57", "58", "0A", "25"};
	for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
		if (state[0] == safe[i][0] && state[1] == safe[i][1])
			return true;
	return false;
}

/* Maps a failed result (or, when res is NULL, the connection's error). */
static dd_status pg_error(struct db *db, const PGresult *res, dd_error *err)
{
	char line[200];
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state) {
		first_line(PQerrorMessage(C(db)), line, sizeof line);
		if (PQstatus(C(db)) == CONNECTION_BAD)
			return db_fail_classified(db, DB_FAULT_CONNECTION, line, err);
		return db_fail_classified(db, DB_FAULT_OTHER, line, err);
	}
	const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
	const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
	if (strcmp(state, "23505") == 0)
		return db_fail_classified(db, DB_FAULT_UNIQUE, constraint, err);
	if (strcmp(state, "23503") == 0)
		return db_fail_classified(db, DB_FAULT_FOREIGN_KEY, constraint, err);
	if (strcmp(state, "23514") == 0)
		return db_fail_classified(db, DB_FAULT_CHECK, constraint, err);
	if (strcmp(state, "23502") == 0) {
		snprintf(line, sizeof line, "%s.%s", table ? table : "", column ? column : "");
		return db_fail_classified(db, DB_FAULT_NOT_NULL, line, err);
	}
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0) {
		snprintf(line, sizeof line, "SQLSTATE %s", state);
		return db_fail_classified(db, DB_FAULT_BUSY, line, err);
	}
	if (strcmp(state, "25P02") == 0)
		return db_fail(db, DB_FAULT_OTHER, DD_EIO, err,
			       "事务已因先前的错误中止 (transaction aborted by an earlier error)");
	if (state[0] == '0' && state[1] == '8') {
		first_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), line, sizeof line);
		return db_fail_classified(db, DB_FAULT_CONNECTION, line, err);
	}
	if (state[0] == '2' && state[1] == '2')
		return db_fail(db, DB_FAULT_OTHER, DD_EINVAL, err, "数据格式或取值错误 (data exception, SQLSTATE %s)",
			       state);
	if (message_is_safe(state)) {
		char msg[160];
		first_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof msg);
		snprintf(line, sizeof line, "%s, SQLSTATE %s", msg, state);
	} else {
		snprintf(line, sizeof line, "SQLSTATE %s", state);
	}
	return db_fail_classified(db, DB_FAULT_OTHER, line, err);
}

static dd_status pg_check(struct db *db, PGresult *res, dd_error *err)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
		return DD_OK;
	return pg_error(db, res, err);
}

static dd_status pg_exec(struct db *db, const char *sql, dd_error *err)
{
	if (P(db)->busy)
		return db_fail(
		    db, DB_FAULT_MISUSE, DD_EINVAL, err,
		    "连接正被流式查询或批量写入占用 (connection busy with a streaming query or bulk insert)");
	PGresult *res = PQexec(C(db), sql);
	dd_status rc = pg_check(db, res, err);
	PQclear(res);
	return rc;
}

dd_status db_pg_open(const char *uri, unsigned flags, struct db **out, dd_error *err)
{
	(void)flags; /* the database itself is created by the administrator (docs/operations.md) */
	struct pg_db *p = calloc(1, sizeof *p);
	if (!p)
		return db_fail(NULL, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	p->base.ops = &pg_ops;
	p->base.backend = DB_POSTGRES;
	strbuf_init(&p->pending, 0);
	p->conn = PQconnectdb(uri);
	dd_status rc = DD_OK;
	if (!p->conn) {
		rc = db_fail(NULL, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
		goto fail;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		char line[200];
		first_line(PQerrorMessage(p->conn), line, sizeof line);
		rc = db_fail(NULL, DB_FAULT_CONNECTION, DD_EIO, err,
			     "无法连接 PostgreSQL (cannot connect to PostgreSQL: %s)", line);
		goto fail;
	}
	PQsetNoticeProcessor(p->conn, silent_notice, NULL);
	if (PQsetClientEncoding(p->conn, "UTF8") != 0) {
		rc = db_fail(NULL, DB_FAULT_CONNECTION, DD_EIO, err,
			     "无法设置客户端编码 UTF8 (cannot set client encoding)");
		goto fail;
	}
	if ((rc = pg_exec(&p->base, "SET TIME ZONE 'UTC'", err)))
		goto fail;
	*out = &p->base;
	return DD_OK;
fail:
	PQfinish(p->conn);
	strbuf_release(&p->pending);
	free(p);
	return rc;
}

static void pg_close(struct db *db)
{
	PQfinish(C(db));
	strbuf_release(&P(db)->pending);
	free(db);
}

static bool pg_in_transaction(const struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(C(db));
	/* ACTIVE only says a command is running (e.g. a streaming SELECT), which
	 * may be outside any transaction: ask whether db_begin opened one */
	if (t == PQTRANS_ACTIVE)
		return db->tx_open;
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static void pg_tx_ended(struct db *db)
{
	struct pg_db *p = P(db);
	if (!p->pending.len || p->busy || PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		return;
	PQclear(PQexec(p->conn, p->pending.buf));
	strbuf_reset(&p->pending);
}

static dd_status pg_commit(struct db *db, dd_error *err)
{
	if (P(db)->busy)
		return db_fail(
		    db, DB_FAULT_MISUSE, DD_EINVAL, err,
		    "连接正被流式查询或批量写入占用 (connection busy with a streaming query or bulk insert)");
	PGresult *res = PQexec(C(db), "COMMIT");
	dd_status rc = pg_check(db, res, err);
	/* COMMIT of an aborted transaction "succeeds" as ROLLBACK */
	if (!rc && strcmp(PQcmdStatus(res), "COMMIT") != 0)
		rc = db_fail(db, DB_FAULT_OTHER, DD_EIO, err,
			     "事务已因先前的错误中止并回滚 (transaction was aborted and rolled back)");
	PQclear(res);
	return rc;
}

static dd_status pg_prepare(struct db *db, const char *sql, unsigned flags, struct db_stmt **out, dd_error *err)
{
	int n = 0;
	dd_status rc = db_scan_params(db, sql, &n, err);
	if (rc)
		return rc;
	struct pg_stmt *s = calloc(1, sizeof *s);
	if (s) {
		s->sql = strdup(sql);
		s->params = calloc((size_t)n + 1, sizeof *s->params);
		s->values = calloc((size_t)n + 1, sizeof *s->values);
	}
	if (!s || !s->sql || !s->params || !s->values) {
		if (s) {
			free(s->sql);
			free(s->params);
			free(s->values);
		}
		free(s);
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	}
	s->base.db = db;
	s->flags = flags;
	s->nparams = n;
	s->row = -1;
	snprintf(s->name, sizeof s->name, "dd%u", ++P(db)->next_id);
	*out = &s->base;
	return DD_OK;
}

static void pg_drain(struct pg_stmt *s)
{
	struct pg_db *p = P(s->base.db);
	PQclear(s->res);
	s->res = NULL;
	if (s->streaming) {
		PGresult *r;
		while ((r = PQgetResult(p->conn)))
			PQclear(r);
		s->streaming = false;
		p->busy = false;
	}
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	pg_drain(s);
	s->executed = false;
	s->done = false;
	s->row = -1;
	s->nrows = 0;
	st->changes = 0;
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	struct pg_db *p = P(st->db);
	pg_drain(s);
	if (s->prepared) {
		char sql[48];
		snprintf(sql, sizeof sql, "DEALLOCATE %s;", s->name);
		if (PQtransactionStatus(p->conn) == PQTRANS_INERROR || p->busy) {
			strbuf_adds(&p->pending, sql);
		} else {
			PQclear(PQexec(p->conn, sql));
		}
	}
	for (int i = 1; i <= s->nparams; i++)
		free(s->params[i].val);
	free(s->params);
	free(s->values);
	free(s->sql);
	free(s);
}

static struct pg_param *param_slot(struct pg_stmt *s, int i)
{
	if (i < 1 || i > s->nparams) {
		db_stmt_bind_fail(&s->base, "参数序号 $%d 超出范围 (parameter index out of range)", i);
		return NULL;
	}
	return &s->params[i];
}

static void set_param(struct pg_stmt *s, int i, const char *v, size_t n, bool is_int)
{
	struct pg_param *pp = param_slot(s, i);
	if (!pp)
		return;
	free(pp->val);
	pp->val = NULL;
	pp->is_int = is_int;
	if (!v)
		return;
	pp->val = malloc(n + 1);
	if (!pp->val) {
		db_stmt_bind_fail(&s->base, "内存不足 (out of memory)");
		return;
	}
	memcpy(pp->val, v, n);
	pp->val[n] = '\0';
}

static void pg_bind_text(struct db_stmt *st, int i, const char *v, size_t n)
{
	set_param((struct pg_stmt *)st, i, v, n, false);
}

static void pg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%" PRId64, v);
	set_param((struct pg_stmt *)st, i, buf, (size_t)n, true);
}

static void pg_bind_null(struct db_stmt *st, int i)
{
	set_param((struct pg_stmt *)st, i, NULL, 0, false);
}

/* Rows changed: INSERT/UPDATE/DELETE (with or without RETURNING); 0 for SELECT. */
static int64_t result_changes(PGresult *res)
{
	const char *ct = PQcmdTuples(res);
	if (strncmp(PQcmdStatus(res), "SELECT", 6) == 0 || !ct || !*ct)
		return 0;
	return strtoll(ct, NULL, 10);
}

static dd_status pg_execute(struct pg_stmt *s, dd_error *err)
{
	struct db *db = s->base.db;
	struct pg_db *p = P(db);
	if (p->busy)
		return db_fail(
		    db, DB_FAULT_MISUSE, DD_EINVAL, err,
		    "连接正被流式查询或批量写入占用 (connection busy with a streaming query or bulk insert)");
	if (!s->prepared) {
		Oid *types = calloc((size_t)s->nparams + 1, sizeof *types);
		if (!types)
			return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
		for (int i = 1; i <= s->nparams; i++)
			types[i - 1] = s->params[i].is_int ? PG_INT8OID : 0;
		PGresult *res = PQprepare(p->conn, s->name, s->sql, s->nparams, types);
		free(types);
		dd_status rc = pg_check(db, res, err);
		PQclear(res);
		if (rc)
			return rc;
		s->prepared = true;
	}
	for (int i = 1; i <= s->nparams; i++)
		s->values[i - 1] = s->params[i].val;
	s->executed = true;
	if (s->flags & DB_STMT_STREAM) {
		if (!PQsendQueryPrepared(p->conn, s->name, s->nparams, s->values, NULL, NULL, 0))
			return pg_error(db, NULL, err);
		PQsetSingleRowMode(p->conn);
		s->streaming = true;
		p->busy = true;
		return DD_OK;
	}
	s->res = PQexecPrepared(p->conn, s->name, s->nparams, s->values, NULL, NULL, 0);
	dd_status rc = pg_check(db, s->res, err);
	if (rc)
		return rc;
	s->nrows = PQresultStatus(s->res) == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
	s->base.changes = result_changes(s->res);
	return DD_OK;
}

static dd_status pg_step(struct db_stmt *st, bool *has_row, dd_error *err)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	struct db *db = st->db;
	if (s->done)
		return DD_OK;
	if (!s->executed) {
		dd_status rc = pg_execute(s, err);
		if (rc) {
			s->done = true;
			return rc;
		}
	}
	if (!s->streaming) {
		if (++s->row < s->nrows) {
			*has_row = true;
			return DD_OK;
		}
		s->done = true;
		return DD_OK;
	}
	PQclear(s->res);
	s->res = PQgetResult(C(db));
	ExecStatusType t = s->res ? PQresultStatus(s->res) : PGRES_COMMAND_OK;
	if (t == PGRES_SINGLE_TUPLE) {
		s->row = 0;
		s->nrows = 1;
		*has_row = true;
		return DD_OK;
	}
	s->done = true;
	s->row = -1;
	s->nrows = 0;
	dd_status rc = DD_OK;
	if (s->res && t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK)
		rc = pg_error(db, s->res, err);
	else if (s->res)
		st->changes = result_changes(s->res);
	PQclear(s->res);
	s->res = NULL;
	pg_drain(s);
	return rc;
}

static bool pg_col_ok(const struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static int pg_column_count(const struct db_stmt *st)
{
	const struct pg_stmt *s = (const struct pg_stmt *)st;
	return s->res && s->row >= 0 && s->row < s->nrows ? PQnfields(s->res) : 0;
}

static bool pg_column_is_null(const struct db_stmt *st, int col)
{
	const struct pg_stmt *s = (const struct pg_stmt *)st;
	return !pg_col_ok(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_column_int64(const struct db_stmt *st, int col)
{
	const struct pg_stmt *s = (const struct pg_stmt *)st;
	if (!pg_col_ok(s, col) || PQgetisnull(s->res, s->row, col))
		return 0;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && !v[1])
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *pg_column_text(const struct db_stmt *st, int col, size_t *len)
{
	const struct pg_stmt *s = (const struct pg_stmt *)st;
	if (len)
		*len = 0;
	if (!pg_col_ok(s, col) || PQgetisnull(s->res, s->row, col))
		return NULL;
	if (len)
		*len = (size_t)PQgetlength(s->res, s->row, col);
	return PQgetvalue(s->res, s->row, col);
}

/* The columns' types when every one has a binary form written here (bigint,
 * integer, smallint, text, varchar); false otherwise (or on any failure:
 * the COPY is then text). */
static bool bulk_types(struct db *db, const char *table, const char *const *columns, int ncolumns, unsigned char *types)
{
	const char *params[1] = {table};
	PGresult *res = PQexecParams(C(db),
				     "SELECT a.attname, a.atttypid::int8 FROM pg_attribute a "
				     "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
				     1, NULL, params, NULL, NULL, 0);
	bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK;
	for (int i = 0; ok && i < ncolumns; i++) {
		ok = false;
		for (int r = 0; r < PQntuples(res); r++) {
			if (strcmp(PQgetvalue(res, r, 0), columns[i]) != 0)
				continue;
			long oid = strtol(PQgetvalue(res, r, 1), NULL, 10);
			ok = true;
			if (oid == 20)
				types[i] = PGT_INT8;
			else if (oid == 23)
				types[i] = PGT_INT4;
			else if (oid == 21)
				types[i] = PGT_INT2;
			else if (oid == 25 || oid == 1043)
				types[i] = PGT_TEXT;
			else
				ok = false;
			break;
		}
	}
	PQclear(res);
	return ok;
}

static void bulk_free(struct pg_bulk *b)
{
	strbuf_release(&b->buf);
	free(b->types);
	free(b);
}

/* COPY FROM STDIN in binary format when the columns allow it (the server
 * then parses no text: a tenth of its time in a large import), else in text
 * format: fields separated by tabs, rows by newlines, NULL as \N, and
 * backslash, tab, newline and carriage return escaped. */
static dd_status pg_bulk_begin(struct db *db, const char *table, const char *const *columns, int ncolumns,
			       struct db_bulk **out, dd_error *err)
{
	struct pg_db *p = P(db);
	if (p->busy)
		return db_fail(
		    db, DB_FAULT_MISUSE, DD_EINVAL, err,
		    "连接正被流式查询或批量写入占用 (connection busy with a streaming query or bulk insert)");
	struct pg_bulk *b = calloc(1, sizeof *b);
	if (b)
		b->types = calloc((size_t)ncolumns, 1);
	if (!b || !b->types) {
		free(b);
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	}
	b->binary = bulk_types(db, table, columns, ncolumns, b->types);
	strbuf_init(&b->buf, PG_COPY_FLUSH + 4096);
	strbuf_addf(&b->buf, "COPY %s (", table);
	for (int i = 0; i < ncolumns; i++)
		strbuf_addf(&b->buf, "%s%s", i ? ", " : "", columns[i]);
	strbuf_adds(&b->buf, b->binary ? ") FROM STDIN (FORMAT binary)" : ") FROM STDIN");
	if (b->buf.failed) {
		bulk_free(b);
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	}
	PGresult *res = PQexec(p->conn, b->buf.buf);
	dd_status rc = DD_OK;
	if (!res || PQresultStatus(res) != PGRES_COPY_IN)
		rc = pg_error(db, res, err);
	PQclear(res);
	if (rc) {
		bulk_free(b);
		return rc;
	}
	strbuf_reset(&b->buf);
	if (b->binary) /* signature, flags, header extension length */
		strbuf_add(&b->buf, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
	p->busy = true;
	b->base.db = db;
	b->base.ncolumns = ncolumns;
	*out = &b->base;
	return DD_OK;
}

static void put_be(struct strbuf *sb, uint64_t v, int bytes)
{
	unsigned char x[8];
	for (int i = 0; i < bytes; i++)
		x[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	strbuf_add(sb, x, (size_t)bytes);
}

/* Binary: the row's field count before its first value. */
static void bin_field(struct pg_bulk *b)
{
	if (!b->base.col)
		put_be(&b->buf, (uint64_t)b->base.ncolumns, 2);
}

static void bin_int(struct pg_bulk *b, int64_t v)
{
	int t = b->types[b->base.col];
	int bytes = t == PGT_INT8 ? 8 : t == PGT_INT4 ? 4 : 2;
	int64_t lo = t == PGT_INT8 ? INT64_MIN : t == PGT_INT4 ? INT32_MIN : INT16_MIN;
	int64_t hi = t == PGT_INT8 ? INT64_MAX : t == PGT_INT4 ? INT32_MAX : INT16_MAX;
	if (v < lo || v > hi)
		db_bulk_value_fail(&b->base, "第 %d 列的整数超出范围 (integer out of range)", b->base.col + 1);
	put_be(&b->buf, (uint64_t)bytes, 4);
	put_be(&b->buf, (uint64_t)v, bytes);
}

static void bulk_sep(struct pg_bulk *b)
{
	if (b->base.col)
		strbuf_addc(&b->buf, '\t');
}

static void pg_bulk_text(struct db_bulk *bb, const char *v, size_t n)
{
	struct pg_bulk *b = (struct pg_bulk *)bb;
	if (b->binary) {
		bin_field(b);
		if (b->types[bb->col] == PGT_TEXT) {
			put_be(&b->buf, (uint64_t)n, 4);
			strbuf_add(&b->buf, v, n);
			return;
		}
		/* text for an integer column: its decimal value */
		char num[32], *end = NULL;
		long long x = 0;
		if (n && n < sizeof num) {
			memcpy(num, v, n);
			num[n] = '\0';
			errno = 0;
			x = strtoll(num, &end, 10);
		}
		if (!end || *end || errno)
			db_bulk_value_fail(bb, "第 %d 列须为整数 (column %d must be an integer)", bb->col + 1,
					   bb->col + 1);
		bin_int(b, (int64_t)x);
		return;
	}
	bulk_sep(b);
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		char c = v[i], e;
		switch (c) {
		case '\\':
			e = '\\';
			break;
		case '\t':
			e = 't';
			break;
		case '\n':
			e = 'n';
			break;
		case '\r':
			e = 'r';
			break;
		default:
			continue;
		}
		strbuf_add(&b->buf, v + start, i - start);
		strbuf_addc(&b->buf, '\\');
		strbuf_addc(&b->buf, e);
		start = i + 1;
	}
	strbuf_add(&b->buf, v + start, n - start);
}

static void pg_bulk_int64(struct db_bulk *bb, int64_t v)
{
	struct pg_bulk *b = (struct pg_bulk *)bb;
	if (b->binary) {
		bin_field(b);
		if (b->types[bb->col] != PGT_TEXT) {
			bin_int(b, v);
			return;
		}
		char num[24];
		int n = snprintf(num, sizeof num, "%" PRId64, v);
		put_be(&b->buf, (uint64_t)n, 4);
		strbuf_add(&b->buf, num, (size_t)n);
		return;
	}
	bulk_sep(b);
	strbuf_add_int(&b->buf, v);
}

static void pg_bulk_null(struct db_bulk *bb)
{
	struct pg_bulk *b = (struct pg_bulk *)bb;
	if (b->binary) {
		bin_field(b);
		put_be(&b->buf, UINT32_MAX, 4); /* -1 */
		return;
	}
	bulk_sep(b);
	strbuf_add(&b->buf, "\\N", 2);
}

static dd_status bulk_flush(struct pg_bulk *b, dd_error *err)
{
	struct db *db = b->base.db;
	if (b->buf.failed)
		return db_fail(db, DB_FAULT_OTHER, DD_ENOMEM, err, "内存不足 (out of memory)");
	if (b->buf.len && PQputCopyData(C(db), b->buf.buf, (int)b->buf.len) != 1)
		return pg_error(db, NULL, err);
	strbuf_reset(&b->buf);
	return DD_OK;
}

static dd_status pg_bulk_row_end(struct db_bulk *bb, dd_error *err)
{
	struct pg_bulk *b = (struct pg_bulk *)bb;
	if (!b->binary)
		strbuf_addc(&b->buf, '\n');
	if (b->buf.len >= PG_COPY_FLUSH || b->buf.failed)
		return bulk_flush(b, err);
	return DD_OK;
}

/* Ends COPY (with an error message when abort_msg) and collects its result. */
static dd_status copy_end(struct pg_bulk *b, const char *abort_msg, int64_t *rows, dd_error *err)
{
	struct db *db = b->base.db;
	PGconn *conn = C(db);
	dd_status rc = DD_OK;
	if (PQputCopyEnd(conn, abort_msg) != 1)
		rc = pg_error(db, NULL, err);
	PGresult *res;
	while ((res = PQgetResult(conn))) {
		if (!rc && !abort_msg) {
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				rc = pg_error(db, res, err);
			else if (rows) {
				const char *ct = PQcmdTuples(res);
				*rows = ct && *ct ? strtoll(ct, NULL, 10) : b->base.rows;
			}
		}
		PQclear(res);
	}
	P(db)->busy = false;
	bulk_free(b);
	return rc;
}

static dd_status pg_bulk_finish(struct db_bulk *bb, int64_t *rows, dd_error *err)
{
	struct pg_bulk *b = (struct pg_bulk *)bb;
	if (rows)
		*rows = 0;
	if (b->binary) /* the trailer: a field count of -1 */
		put_be(&b->buf, UINT16_MAX, 2);
	dd_status rc = bulk_flush(b, err);
	if (rc) {
		(void)copy_end(b, "doudi: bulk insert abandoned", NULL, NULL);
		return rc;
	}
	return copy_end(b, NULL, rows, err);
}

static void pg_bulk_abort(struct db_bulk *bb)
{
	(void)copy_end((struct pg_bulk *)bb, "doudi: bulk insert abandoned", NULL, NULL);
}

static dd_status pg_reserve_ids(struct db *db, const char *table, int64_t n, int64_t *ids, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    /* the sequence is looked up once: pg_get_serial_sequence per row was
	     * most of the time of a large reservation (6 s per 1.35 million ids) */
	    db_prepare(db,
		       "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq) "
		       "SELECT nextval(s.seq) FROM s, generate_series(1, $2)",
		       0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, table);
	db_bind_int64(st, 2, n);
	int64_t got = 0;
	bool row = true;
	while (!rc && (rc = db_step(st, &row, err)) == DD_OK && row) {
		if (got < n)
			ids[got] = db_column_int64(st, 0);
		got++;
	}
	db_finalize(st);
	if (!rc && got != n)
		rc = db_fail(db, DB_FAULT_OTHER, DD_EIO, err, "预留编号数量不符 (reserved id count mismatch)");
	return rc;
}

static dd_status pg_backup(struct db *db, const char *path, bool overwrite, dd_error *err)
{
	(void)path;
	(void)overwrite;
	return db_fail(db, DB_FAULT_MISUSE, DD_EINVAL, err,
		       "PostgreSQL 数据库请用 pg_dump 备份，见 docs/operations.md (use pg_dump for PostgreSQL)");
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .exec = pg_exec,
    .in_transaction = pg_in_transaction,
    .tx_ended = pg_tx_ended,
    .begin_sql = "BEGIN",
    .begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .commit = pg_commit,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .column_count = pg_column_count,
    .column_is_null = pg_column_is_null,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .table_exists_sql = "SELECT count(*) FROM information_schema.tables "
			"WHERE table_schema = current_schema() AND table_name = $1",
    .bulk_begin = pg_bulk_begin,
    .bulk_text = pg_bulk_text,
    .bulk_int64 = pg_bulk_int64,
    .bulk_null = pg_bulk_null,
    .bulk_row_end = pg_bulk_row_end,
    .bulk_finish = pg_bulk_finish,
    .bulk_abort = pg_bulk_abort,
    .reserve_ids = pg_reserve_ids,
    .backup = pg_backup,
};
