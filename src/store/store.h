/* store.h - the schema and its migrations, and small helpers every store
 * user needs (the time stamp format, region-scope ranges).
 *
 * Migrations are the numbered files in schema/ (embedded in the binary, so
 * build/doudi works from any directory); each is applied once, in its own
 * transaction, recorded in schema_migrations with its checksum, and audited.
 * Running store_migrate again changes nothing. */
#ifndef DD_STORE_STORE_H
#define DD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil_date.h"
#include "core/status.h"
#include "db.h"

/* "YYYY-MM-DDTHH:MM:SS.mmmZ", UTC: every time stamp the store writes. */
#define STORE_TIME_MAX 32
void store_now(char out[STORE_TIME_MAX]);
/* The same form of ms milliseconds since 1970-01-01T00:00:00Z (years
 * 1970-9999). Pure arithmetic: no gmtime/strftime, so none of glibc's
 * time-zone lock, which every request thread would otherwise take. */
void store_time_text(int64_t ms, char out[STORE_TIME_MAX]);
/* Now, in milliseconds since the epoch (CLOCK_REALTIME). */
int64_t store_now_ms(void);
/* Moves the clock of store_now, store_now_ms and store_today (and so of
 * every time stamp, session and civil date of the program) by days: the
 * demo (tools/demo.py) builds its history in the past through the real
 * rules (DOUDI_DEMO_CLOCK_DAYS, src/cli/main.c). Call before any thread. */
void store_clock_shift_days(int days);
/* Whether the clock is shifted: then the audit chain refuses a row older
 * than its last one (audit.c), so the demo clock cannot backdate a store
 * that has lived in the present. */
bool store_clock_shifted(void);
/* Today in China (UTC+8 all year): the date memberships start on. */
dd_date store_today(void);
/* The China civil date (UTC+8) of a store time stamp "YYYY-MM-DDTHH:…Z";
 * false when ts is NULL or not of that form. */
bool store_time_china_date(const char *ts, dd_date *out);
/* The store time stamp of midnight in China starting day t (16:00 UTC the
 * day before): the lower bound of t's time stamps, the upper of t - 1's. */
void store_china_midnight(dd_date t, char out[STORE_TIME_MAX]);

struct store_migration {
	int version;
	const char *name; /* "001_init" */
	const char *sql;  /* the file's text, NUL-terminated */
	/* A migration that cannot run twice (it rebuilds tables) names a table it
	 * creates: when that table exists, its effects are already there and it
	 * is recorded as applied without running. NULL: re-runnable (IF NOT
	 * EXISTS throughout). */
	const char *present_table;
	/* SQLite: the migration rebuilds a table others reference (the
	 * documented 12-step rebuild): it runs with foreign keys off (set
	 * outside its transaction), and PRAGMA foreign_key_check must find
	 * nothing before it commits. PostgreSQL ignores it. */
	bool foreign_keys_off;
};

/* The shipped migrations in order; *n gets their count. */
const struct store_migration *store_migrations(size_t *n);
/* The schema version this program expects (the last migration's number). */
int store_schema_latest(void);

struct store_migrate_result {
	int from_version; /* 0 on an empty database */
	int to_version;
	int applied; /* migrations applied by this call */
};

/* Applies the pending migrations. Each runs in its own transaction with its
 * audit row (actor, action "schema.migrate"); report (may be NULL) is called
 * after each one commits. Refuses a database newer than this program and a
 * migration whose text changed after it was applied. */
dd_status store_migrate(struct db *db, const char *actor, struct store_migrate_result *res,
			void (*report)(const struct store_migration *m, void *ctx), void *ctx,
			dd_error *err) DD_MUST_CHECK;
/* The applied version (0 when the database is empty). */
dd_status store_schema_version(struct db *db, int *version, dd_error *err) DD_MUST_CHECK;
/* DD_OK when the schema is exactly current; otherwise an error asking to run
 * `doudi init` (older) or to upgrade the program (newer). */
dd_status store_check_schema(struct db *db, dd_error *err) DD_MUST_CHECK;

/* Bulk mode of a large import (015_deferred_indexes). Inside a write
 * transaction: drops the non-unique indexes of the n tables (except those
 * named in keep, NULL-terminated, may be NULL) and, on PostgreSQL, their
 * foreign keys, and records their CREATE INDEX / ALTER TABLE … ADD
 * CONSTRAINT statements in deferred_indexes, so that a crash leaves them
 * recorded; *count gets how many were set aside. */
dd_status store_defer_indexes(struct db *db, const char *const *tables, size_t n, const char *const *keep, int *count,
			      dd_error *err) DD_MUST_CHECK;
/* Outside a transaction: creates every index (and foreign key, which checks
 * every row) recorded in deferred_indexes again and deletes its row, in one
 * transaction (nothing to do, no write);
 * *count (may be NULL) gets how many. Harmless when another process did it
 * first. store_check_schema and store_migrate call it. */
dd_status store_restore_indexes(struct db *db, int *count, dd_error *err) DD_MUST_CHECK;

/* Region scope as an index range: a region code c is inside scope when
 * lo <= c < hi (byte order). scope is a significant form ("5001", "" =
 * everything). Holds for any collation, because codes are digits only. */
#define STORE_REGION_BOUND_MAX 16
void store_region_range(const char *scope, char lo[STORE_REGION_BOUND_MAX], char hi[STORE_REGION_BOUND_MAX]);

#endif
