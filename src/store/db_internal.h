/* db_internal.h - what the two backends share with db.c: the method table
 * (struct db_ops), the common parts of a connection, a statement and a bulk
 * insert, and error helpers. Only src/store/db*.c include it. */
#ifndef DD_STORE_DB_INTERNAL_H
#define DD_STORE_DB_INTERNAL_H

#include "db.h"

#define DB_CACHE_SLOTS 32
#define DB_RESERVE_SLOTS 8
#define DB_IDENT_MAX 64

struct db_ops {
	void (*close)(struct db *db);
	dd_status (*exec)(struct db *db, const char *sql, dd_error *err);
	bool (*in_transaction)(const struct db *db);
	/* called after every commit or rollback (PostgreSQL: deferred DEALLOCATEs) */
	void (*tx_ended)(struct db *db);
	const char *begin_sql, *begin_read_sql;
	/* COMMIT, with the backend's check that it really committed */
	dd_status (*commit)(struct db *db, dd_error *err);

	dd_status (*prepare)(struct db *db, const char *sql, unsigned flags, struct db_stmt **out, dd_error *err);
	void (*finalize)(struct db_stmt *st);
	void (*bind_text)(struct db_stmt *st, int i, const char *s, size_t n);
	void (*bind_int64)(struct db_stmt *st, int i, int64_t v);
	void (*bind_null)(struct db_stmt *st, int i);
	dd_status (*step)(struct db_stmt *st, bool *has_row, dd_error *err);
	void (*reset)(struct db_stmt *st);
	int (*column_count)(const struct db_stmt *st);
	bool (*column_is_null)(const struct db_stmt *st, int col);
	int64_t (*column_int64)(const struct db_stmt *st, int col);
	const char *(*column_text)(const struct db_stmt *st, int col, size_t *len);

	const char *table_exists_sql; /* $1 = table name → count */

	dd_status (*bulk_begin)(struct db *db, const char *table, const char *const *columns, int ncolumns,
				struct db_bulk **out, dd_error *err);
	void (*bulk_text)(struct db_bulk *b, const char *s, size_t n);
	void (*bulk_int64)(struct db_bulk *b, int64_t v);
	void (*bulk_null)(struct db_bulk *b);
	dd_status (*bulk_row_end)(struct db_bulk *b, dd_error *err);
	dd_status (*bulk_finish)(struct db_bulk *b, int64_t *rows, dd_error *err);
	void (*bulk_abort)(struct db_bulk *b);

	dd_status (*reserve_ids)(struct db *db, const char *table, int64_t n, int64_t *ids, dd_error *err);
	dd_status (*backup)(struct db *db, const char *path, bool overwrite, dd_error *err);
	dd_status (*tune_bulk)(struct db *db, dd_error *err); /* NULL: nothing to do */
};

struct db {
	const struct db_ops *ops;
	enum db_backend backend;
	enum db_fault fault;
	/* a statement failed inside the open transaction: like PostgreSQL, only
	 * a rollback is allowed now (SQLite would let the rest commit) */
	bool tx_failed;
	bool tx_open; /* a transaction was opened by db_begin/db_begin_read and not yet ended */
	/* db_begin_enclosing: the use cases' own begin/commit pairs inside it
	 * (inner of them open now) join it instead of failing */
	bool enclosing;
	int inner;
	/* the transaction attachment (audit chain head) */
	const struct db_tx_hook *hook;
	void *hook_ctx;
	/* statements kept by db_prepare_cached */
	struct db_stmt *cache[DB_CACHE_SLOTS];
	unsigned cache_clock;
	/* ids handed out by db_reserve_ids in this transaction (SQLite) */
	struct {
		char table[DB_IDENT_MAX];
		int64_t next;
	} reserved[DB_RESERVE_SLOTS];
	int nreserved;
};

struct db_stmt {
	struct db *db;
	char *cache_sql; /* set when owned by the cache (malloc'd copy of the SQL) */
	bool in_use;	 /* cached: handed out and not yet given back */
	unsigned last_use;
	int64_t changes;
	dd_error bind_err; /* the first failed bind, reported by the next step */
};

struct db_bulk {
	struct db *db;
	int ncolumns;
	int col;      /* values added to the current row */
	int64_t rows; /* rows ended */
	dd_error err; /* a deferred value error */
};

/* Fills err with field "db", sets db->fault, returns code. */
dd_status db_fail(struct db *db, enum db_fault fault, dd_status code, dd_error *err, const char *fmt, ...)
    DD_PRINTF(5, 6);
/* Records a failed bind on st (first one wins). */
void db_stmt_bind_fail(struct db_stmt *st, const char *fmt, ...) DD_PRINTF(2, 3);
void db_bulk_value_fail(struct db_bulk *b, const char *fmt, ...) DD_PRINTF(2, 3);
/* The message for a constraint or other classified failure, without values. */
dd_status db_fail_classified(struct db *db, enum db_fault fault, const char *what, dd_error *err);
/* True when s is a plain identifier [a-z_][a-z0-9_]* shorter than DB_IDENT_MAX. */
bool db_ident_ok(const char *s);
/* Parses the highest $N in sql (skipping quotes and comments) and checks that
 * every $1..$N appears; *count gets N. */
dd_status db_scan_params(struct db *db, const char *sql, int *count, dd_error *err);

dd_status db_sqlite_open(const char *path, unsigned flags, struct db **out, dd_error *err);
dd_status db_pg_open(const char *uri, unsigned flags, struct db **out, dd_error *err);

#endif
