/* db.h - the one small database interface: SQLite (embedded) and PostgreSQL
 * (libpq) behind it, chosen by the target string:
 *   "var/doudi.db"                    an SQLite file
 *   "postgresql://…", "postgres://…"  a libpq connection URI
 *
 * A `struct db` is one connection, used by one thread at a time: every worker
 * opens its own (SQLite is opened in multi-thread mode, WAL, foreign keys on,
 * a busy timeout; a new SQLite file is created with mode 0600).
 *
 * Portable SQL, written once for both backends: `$1, $2 …` placeholders
 * (each of $1..$N must appear; any order, repeats allowed), TEXT / INTEGER /
 * BIGINT columns, booleans as INTEGER 0/1, times as ISO-8601 TEXT, money as
 * BIGINT fen, ON CONFLICT … DO NOTHING, RETURNING, partial indexes, CAST(x AS
 * T) instead of `::`. Values are never spliced into SQL text: bind them.
 *
 * Errors: every fallible call fills dd_error (field "db") with a Chinese
 * message, English in parentheses, that never contains a bound value (no ID
 * numbers, no names): a constraint failure names the constraint only.
 * db_last_fault() tells which kind of failure it was.
 *
 * Ownership: db_open returns a handle freed by db_close. A statement from
 * db_prepare is freed by db_finalize, before db_close. Text from
 * db_column_text lives until the next step, reset or finalize of that
 * statement. Bound values are copied at bind time. */
#ifndef DD_STORE_DB_H
#define DD_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

struct db;
struct db_stmt;
struct db_bulk;

enum db_backend {
	DB_SQLITE,
	DB_POSTGRES,
};

/* What the last failure on a connection was, for callers that react to it
 * (a unique violation is a conflict, a busy database may be retried). */
enum db_fault {
	DB_FAULT_NONE,
	DB_FAULT_UNIQUE,      /* unique or primary key */
	DB_FAULT_FOREIGN_KEY, /* a reference to a missing row, or a referenced row removed */
	DB_FAULT_CHECK,	      /* a CHECK constraint */
	DB_FAULT_NOT_NULL,    /* a NOT NULL column left empty */
	DB_FAULT_BUSY,	      /* locked, deadlock or serialization failure: retry the transaction */
	DB_FAULT_CONNECTION,  /* cannot connect, or the connection was lost */
	DB_FAULT_MISUSE,      /* the API was used wrongly (bad parameter index, no transaction …) */
	DB_FAULT_OTHER,
};

/* The default target when no --db is given. */
#define DB_DEFAULT_PATH "var/doudi.db"

enum db_open_flags {
	DB_OPEN_CREATE = 1, /* SQLite: create the file (mode 0600) when missing; otherwise it must exist */
};

/* True when target is a PostgreSQL URI rather than an SQLite path. */
bool db_target_is_postgres(const char *target);

/* Opens a connection. A missing SQLite file is an error unless DB_OPEN_CREATE
 * (DD_ENOTFOUND); err names no password and no URI. */
dd_status db_open(const char *target, unsigned flags, struct db **out, dd_error *err) DD_MUST_CHECK;
/* Closes the connection, rolling back an open transaction. NULL is fine. */
void db_close(struct db *db);
enum db_backend db_backend(const struct db *db);
enum db_fault db_last_fault(const struct db *db);

/* Runs SQL text without parameters, several statements allowed (DDL,
 * migrations, PRAGMA-free settings). */
dd_status db_exec(struct db *db, const char *sql, dd_error *err) DD_MUST_CHECK;

/* Transactions. db_begin opens a write transaction (SQLite: BEGIN IMMEDIATE,
 * so writers queue up front instead of failing on upgrade); db_begin_read a
 * read-only snapshot (PostgreSQL: REPEATABLE READ READ ONLY). No nesting.
 * A statement that fails inside a transaction dooms it on both backends (as
 * PostgreSQL does): later statements and db_commit fail, db_rollback ends
 * it. db_commit reports a transaction that was aborted (and rolled back) as
 * an error. db_rollback is harmless when no transaction is open. Commit with
 * db_commit, never with db_exec("COMMIT"): it runs the transaction's hook. */
dd_status db_begin(struct db *db, dd_error *err) DD_MUST_CHECK;
/* A write transaction that encloses use cases which open and commit their
 * own (two of them committed together, e.g. a household and its case): until
 * it ends, their db_begin/db_begin_read join it and their db_commit only
 * leaves it to the enclosing db_commit; any db_rollback, theirs included,
 * rolls the whole transaction back and ends it (the caller then sees its
 * use case fail and must stop). */
dd_status db_begin_enclosing(struct db *db, dd_error *err) DD_MUST_CHECK;
dd_status db_begin_read(struct db *db, dd_error *err) DD_MUST_CHECK;
dd_status db_commit(struct db *db, dd_error *err) DD_MUST_CHECK;
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);

/* Transaction hooks: a module attaches one context to the open transaction;
 * pre_commit (may be NULL) runs inside it just before COMMIT, and release
 * (may be NULL) frees the context after commit or rollback. The audit chain
 * keeps its head there. One attachment per transaction. */
struct db_tx_hook {
	dd_status (*pre_commit)(struct db *db, void *ctx, dd_error *err);
	void (*release)(void *ctx);
};
dd_status db_tx_attach(struct db *db, const struct db_tx_hook *hook, void *ctx, dd_error *err) DD_MUST_CHECK;
/* The context attached with this hook, or NULL. */
void *db_tx_attached(const struct db *db, const struct db_tx_hook *hook);

/* Statements. */
enum db_stmt_flags {
	/* Stream rows instead of buffering the whole result (PostgreSQL single-row
	 * mode): constant memory for exports, but no other statement may run on
	 * the connection until this one is done, reset or finalized. */
	DB_STMT_STREAM = 1,
};

dd_status db_prepare(struct db *db, const char *sql, unsigned flags, struct db_stmt **out, dd_error *err) DD_MUST_CHECK;
/* Like db_prepare, but the statement is kept by the connection and reused the
 * next time the same SQL text is asked for (saves a round trip on
 * PostgreSQL). db_finalize on it only resets it. */
dd_status db_prepare_cached(struct db *db, const char *sql, struct db_stmt **out, dd_error *err) DD_MUST_CHECK;
void db_finalize(struct db_stmt *st);

/* Binds $i (1-based). A bind cannot fail on the spot: a bad index, a NUL byte
 * inside text or a lack of memory is reported by the next db_step. */
void db_bind_text(struct db_stmt *st, int i, const char *s, size_t n);
void db_bind_str(struct db_stmt *st, int i, const char *s); /* NUL-terminated; NULL binds NULL */
void db_bind_int64(struct db_stmt *st, int i, int64_t v);
void db_bind_null(struct db_stmt *st, int i);

/* Executes on the first call, then moves to the next row: *has_row is true
 * while there is one. After the last row (or an error), the statement stays
 * done until db_reset. */
dd_status db_step(struct db_stmt *st, bool *has_row, dd_error *err) DD_MUST_CHECK;
/* Makes the statement ready to run again; bindings are kept. */
void db_reset(struct db_stmt *st);
/* Steps to the end (ignoring rows) and resets: for INSERT/UPDATE/DELETE. */
dd_status db_run(struct db_stmt *st, dd_error *err) DD_MUST_CHECK;
/* Rows changed by the last completed run of st. */
int64_t db_changes(const struct db_stmt *st);

/* Columns of the current row (0-based). Out of range or NULL: 0 / NULL. */
int db_column_count(const struct db_stmt *st);
bool db_column_is_null(const struct db_stmt *st, int col);
int64_t db_column_int64(const struct db_stmt *st, int col);
/* Text of the column (NULL for SQL NULL); *len (may be NULL) gets its length. */
const char *db_column_text(const struct db_stmt *st, int col, size_t *len);
/* The column's text copied into out (cap bytes, cut to fit, NUL-terminated;
 * "" for NULL). */
void db_column_copy(const struct db_stmt *st, int col, char *out, size_t cap);

/* One integer from a parameterless query (e.g. SELECT count(*) …); *found is
 * false when it returned no row or NULL. */
dd_status db_query_int64(struct db *db, const char *sql, int64_t *out, bool *found, dd_error *err) DD_MUST_CHECK;
/* True when the table exists (in the current schema). */
dd_status db_table_exists(struct db *db, const char *table, bool *exists, dd_error *err) DD_MUST_CHECK;

/* Bulk insert into one table, fastest path per backend: SQLite reuses one
 * prepared statement, PostgreSQL streams COPY FROM STDIN (text format).
 * Call inside a transaction (db_begin … db_commit) to be fast and atomic.
 * Add each row's values in column order, then db_bulk_row_end. Between
 * db_bulk_begin and db_bulk_finish/db_bulk_abort no other statement may run on
 * the connection. A failure (e.g. a unique violation) may surface only at a
 * later row or at db_bulk_finish; the transaction must then be rolled back.
 * Table and column names must be plain identifiers ([a-z_][a-z0-9_]*). */
dd_status db_bulk_begin(struct db *db, const char *table, const char *const *columns, int ncolumns,
			struct db_bulk **out, dd_error *err) DD_MUST_CHECK;
void db_bulk_text(struct db_bulk *b, const char *s, size_t n);
void db_bulk_str(struct db_bulk *b, const char *s); /* NULL adds NULL */
void db_bulk_int64(struct db_bulk *b, int64_t v);
void db_bulk_null(struct db_bulk *b);
dd_status db_bulk_row_end(struct db_bulk *b, dd_error *err) DD_MUST_CHECK;
/* Ends the bulk insert and frees b; *rows (may be NULL) gets the count. */
dd_status db_bulk_finish(struct db_bulk *b, int64_t *rows, dd_error *err) DD_MUST_CHECK;
/* Abandons and frees b (after an error); roll the transaction back after. */
void db_bulk_abort(struct db_bulk *b);

/* Reserves n fresh ids of table's `id` column (auto-assigned primary key) so
 * rows can be bulk-inserted with their ids known (e.g. persons before their
 * memberships). Inside a db_begin transaction only; insert the reserved rows
 * in that transaction before any other insert into that table that leaves id
 * to the database. ids receives n values (not always consecutive). */
dd_status db_reserve_ids(struct db *db, const char *table, int64_t n, int64_t *ids, dd_error *err) DD_MUST_CHECK;

/* A bulk writer's session (an import), on its own connection: SQLite keeps
 * up to 256 MiB of pages (the default is 32) and commits with
 * synchronous=NORMAL, so a power cut may lose the last committed chunks but
 * never part of one (WAL), and running the import again restores them;
 * checkpoints on a thread of its own with its own connection (the commits
 * never wait for the copy into the database and its fsync; past 128 MiB of
 * WAL a commit waits for it once, so the WAL starts again from its
 * beginning), stopped by db_close; sorts and groupings larger than memory
 * spill to temporary files instead of growing the heap (temp_store=FILE), so
 * the process stays within the page cache whatever the size of the data.
 * PostgreSQL: nothing (the server decides). */
dd_status db_tune_bulk(struct db *db, dd_error *err) DD_MUST_CHECK;

/* After a bulk load: refreshes the planner's statistics of table
 * (PostgreSQL: ANALYZE, which autovacuum would do only later; SQLite:
 * PRAGMA optimize). Outside a transaction. */
dd_status db_analyze(struct db *db, const char *table, dd_error *err) DD_MUST_CHECK;

/* SQLite online backup into a new file (mode 0600; an existing file is
 * refused unless overwrite). PostgreSQL: DD_EINVAL, use pg_dump. */
dd_status db_backup(struct db *db, const char *path, bool overwrite, dd_error *err) DD_MUST_CHECK;

#endif
