/* store.c - applying the schema migrations, the store's time stamps and
 * region-scope ranges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "core/civil_date.h"
#include "core/strbuf.h"
#include "store.h"

static void put_digits(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void store_time_text(int64_t ms, char out[STORE_TIME_MAX])
{
	if (ms < 0)
		ms = 0;
	int64_t secs = ms / 1000;
	int y, mo, d;
	date_to_ymd((dd_date)(secs / 86400), &y, &mo, &d);
	int sod = (int)(secs % 86400);
	char *p = out;
	put_digits(p, y, 4);
	p[4] = '-';
	put_digits(p + 5, mo, 2);
	p[7] = '-';
	put_digits(p + 8, d, 2);
	p[10] = 'T';
	put_digits(p + 11, sod / 3600, 2);
	p[13] = ':';
	put_digits(p + 14, sod / 60 % 60, 2);
	p[16] = ':';
	put_digits(p + 17, sod % 60, 2);
	p[19] = '.';
	put_digits(p + 20, (int)(ms % 1000), 3);
	p[23] = 'Z';
	p[24] = '\0';
}

/* The demo clock (store_clock_shift_days): 0 in normal use. Set once at
 * start, before any thread. */
static int64_t clock_shift_ms;

void store_clock_shift_days(int days)
{
	clock_shift_ms = (int64_t)days * 86400 * 1000;
}

bool store_clock_shifted(void)
{
	return clock_shift_ms != 0;
}

int64_t store_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_shift_ms;
}

void store_now(char out[STORE_TIME_MAX])
{
	store_time_text(store_now_ms(), out);
}

dd_date store_today(void)
{
	time_t t = (time_t)(store_now_ms() / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

bool store_time_china_date(const char *ts, dd_date *out)
{
	dd_error err;
	if (!ts || strlen(ts) < 13 || date_parse(ts, 10, out, &err) != DD_OK)
		return false;
	int hour = (ts[11] - '0') * 10 + (ts[12] - '0');
	if (hour >= 16)
		(*out)++;
	return true;
}

void store_china_midnight(dd_date t, char out[STORE_TIME_MAX])
{
	char d[DATE_TEXT_MAX];
	date_format(t - 1, d);
	snprintf(out, STORE_TIME_MAX, "%sT16:00:00.000Z", d);
}

void store_region_range(const char *scope, char lo[STORE_REGION_BOUND_MAX], char hi[STORE_REGION_BOUND_MAX])
{
	snprintf(lo, STORE_REGION_BOUND_MAX, "%.12s", scope);
	size_t n = strlen(lo);
	memcpy(hi, lo, n + 1);
	while (n > 0 && hi[n - 1] == '9')
		hi[--n] = '\0';
	if (n == 0) /* "" or all nines: above every code of at most 12 digits */
		snprintf(hi, STORE_REGION_BOUND_MAX, "9999999999999");
	else
		hi[n - 1]++;
}

static const char migrations_table[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
				       "checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

dd_status store_schema_version(struct db *db, int *version, dd_error *err)
{
	bool exists = false;
	int64_t v = 0;
	*version = 0;
	dd_status rc = db_table_exists(db, "schema_migrations", &exists, err);
	if (rc || !exists)
		return rc;
	rc = db_query_int64(db, "SELECT MAX(version) FROM schema_migrations", &v, NULL, err);
	if (!rc)
		*version = (int)v;
	return rc;
}

dd_status store_check_schema(struct db *db, dd_error *err)
{
	int v = 0, latest = store_schema_latest();
	dd_status rc = store_schema_version(db, &v, err);
	if (rc)
		return rc;
	if (v == 0)
		return dd_fail(err, DD_ENOTFOUND, "db",
			       "数据库尚未初始化，请先运行 doudi init (database not initialised: run doudi init)");
	if (v < latest)
		return dd_fail(err, DD_EINVAL, "db",
			       "数据库结构版本 %d 低于程序所需的 %d，请运行 doudi init 升级 "
			       "(schema version %d is older than %d: run doudi init)",
			       v, latest, v, latest);
	if (v > latest)
		return dd_fail(err, DD_EINVAL, "db",
			       "数据库结构版本 %d 高于本程序支持的 %d，请升级 doudi "
			       "(schema version %d is newer than this program's %d)",
			       v, latest, v, latest);
	return store_restore_indexes(db, NULL, err);
}

/* A plain identifier ([a-z_][a-z0-9_]*, at most 63 bytes), safe to splice. */
static bool plain_ident(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* A foreign key set aside on PostgreSQL: ALTER TABLE t ADD CONSTRAINT c
 * FOREIGN KEY … as store_defer_indexes wrote it. */
static bool is_fk_ddl(const char *ddl)
{
	if (strncmp(ddl, "ALTER TABLE ", 12) != 0)
		return false;
	const char *p = ddl + 12;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	if (strncmp(p, " ADD CONSTRAINT ", 16) != 0)
		return false;
	p += 16;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return strncmp(p, " FOREIGN KEY (", 14) == 0 && !strchr(p, ';');
}

struct index_def {
	char name[64];
	const char *table; /* NULL when restoring: the DDL names it */
	char *ddl;
	bool fk; /* a foreign key (PostgreSQL), not an index */
};

/* Appends a definition, taking ddl (malloc'd; NULL when its allocation
 * failed: DD_ENOMEM). */
static dd_status defs_push(struct index_def **defs, size_t *n, size_t *cap, const char *name, const char *table,
			   bool fk, char *ddl, dd_error *err)
{
	if (ddl && *n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct index_def *d = realloc(*defs, nc * sizeof *d);
		if (!d) {
			free(ddl);
			ddl = NULL;
		} else {
			*defs = d;
			*cap = nc;
		}
	}
	if (!ddl)
		return dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	struct index_def *x = &(*defs)[(*n)++];
	snprintf(x->name, sizeof x->name, "%s", name);
	x->table = table;
	x->fk = fk;
	x->ddl = ddl;
	return DD_OK;
}

dd_status store_defer_indexes(struct db *db, const char *const *tables, size_t n, const char *const *keep, int *count,
			      dd_error *err)
{
	*count = 0;
	if (!db_in_transaction(db))
		return dd_fail(err, DD_EINVAL, "db", "须在事务内进行 (store_defer_indexes needs a transaction)");
	const char *list = db_backend(db) == DB_POSTGRES
			       ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
				 "AND tablename = $1 AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname"
			       : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 "
				 "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name";
	struct index_def *defs = NULL;
	size_t ndefs = 0, cap = 0;
	dd_status rc = DD_OK;
	for (size_t t = 0; !rc && t < n; t++) {
		struct db_stmt *st;
		bool row = false;
		if ((rc = db_prepare(db, list, 0, &st, err)))
			break;
		db_bind_str(st, 1, tables[t]);
		while (!rc && !(rc = db_step(st, &row, err)) && row) {
			const char *name = db_column_text(st, 0, NULL);
			const char *ddl = db_column_text(st, 1, NULL);
			bool kept = false;
			for (size_t k = 0; keep && keep[k] && !kept; k++)
				kept = name && strcmp(name, keep[k]) == 0;
			if (kept || !plain_ident(name) || !ddl || strncmp(ddl, "CREATE INDEX ", 13) != 0)
				continue;
			rc = defs_push(&defs, &ndefs, &cap, name, tables[t], false, strdup(ddl), err);
		}
		db_finalize(st);
	}
	/* PostgreSQL: the foreign keys of the tables too. Each row checked locks
	 * its parent row (SELECT … FOR KEY SHARE, a WAL record per row): 40 % of
	 * a million-person import's server time. ADD CONSTRAINT at the end
	 * checks every row again in one join, so nothing goes unchecked. */
	for (size_t t = 0; !rc && db_backend(db) == DB_POSTGRES && t < n; t++) {
		struct db_stmt *st;
		bool row = false;
		if ((rc = db_prepare(
			 db,
			 "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
			 "JOIN pg_class r ON r.oid = c.conrelid "
			 "WHERE c.contype = 'f' AND r.relname = $1 AND r.relnamespace = current_schema()::regnamespace "
			 "ORDER BY c.conname",
			 0, &st, err)))
			break;
		db_bind_str(st, 1, tables[t]);
		while (!rc && !(rc = db_step(st, &row, err)) && row) {
			const char *name = db_column_text(st, 0, NULL);
			const char *def = db_column_text(st, 1, NULL);
			if (!plain_ident(name) || !plain_ident(tables[t]) || !def ||
			    strncmp(def, "FOREIGN KEY ", 12) != 0)
				continue;
			size_t len = strlen(tables[t]) + strlen(name) + strlen(def) + 64;
			char *ddl = malloc(len);
			if (ddl)
				snprintf(ddl, len, "ALTER TABLE %s ADD CONSTRAINT %s %s", tables[t], name, def);
			rc = defs_push(&defs, &ndefs, &cap, name, tables[t], true, ddl, err);
		}
		db_finalize(st);
	}
	char at[STORE_TIME_MAX];
	store_now(at);
	for (size_t i = 0; !rc && i < ndefs; i++) {
		struct db_stmt *st;
		rc = db_prepare(
		    db,
		    "INSERT INTO deferred_indexes (name, table_name, ddl, deferred_at) VALUES ($1, $2, $3, $4) "
		    "ON CONFLICT (name) DO NOTHING",
		    0, &st, err);
		if (rc)
			break;
		db_bind_str(st, 1, defs[i].name);
		db_bind_str(st, 2, defs[i].table);
		db_bind_str(st, 3, defs[i].ddl);
		db_bind_str(st, 4, at);
		rc = db_run(st, err);
		db_finalize(st);
		char sql[200];
		if (defs[i].fk)
			snprintf(sql, sizeof sql, "ALTER TABLE %s DROP CONSTRAINT %s", defs[i].table, defs[i].name);
		else
			snprintf(sql, sizeof sql, "DROP INDEX %s", defs[i].name);
		if (!rc)
			rc = db_exec(db, sql, err);
		if (!rc)
			(*count)++;
	}
	for (size_t i = 0; i < ndefs; i++)
		free(defs[i].ddl);
	free(defs);
	return rc;
}

dd_status store_restore_indexes(struct db *db, int *count, dd_error *err)
{
	if (count)
		*count = 0;
	int v = 0;
	dd_status rc = store_schema_version(db, &v, err);
	if (rc || v < 15)
		return rc;
	int64_t any = 0;
	bool found = false;
	if ((rc = db_query_int64(db, "SELECT 1 FROM deferred_indexes LIMIT 1", &any, &found, err)) || !found)
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	/* PostgreSQL: each index sorted in memory (the default 64 MB spills a
	 * million keys to disk); the transaction's setting only */
	if (db_backend(db) == DB_POSTGRES)
		rc = db_exec(db, "SET LOCAL maintenance_work_mem = '256MB'", err);
	struct index_def *defs = NULL;
	size_t ndefs = 0, cap = 0;
	struct db_stmt *st = NULL;
	bool row = false;
	if (!rc)
		rc = db_prepare(db, "SELECT name, ddl FROM deferred_indexes ORDER BY name", 0, &st, err);
	while (!rc && !(rc = db_step(st, &row, err)) && row) {
		const char *name = db_column_text(st, 0, NULL);
		const char *ddl = db_column_text(st, 1, NULL);
		bool fk = ddl && is_fk_ddl(ddl);
		if (!plain_ident(name) || !ddl || (!fk && strncmp(ddl, "CREATE INDEX ", 13) != 0)) {
			rc = dd_fail(err, DD_EINVAL, "db",
				     "deferred_indexes 中有无法识别的记录 (an unreadable row in deferred_indexes)");
			break;
		}
		/* IF NOT EXISTS: another process may have restored it already (a
		 * foreign key: looked up first, below) */
		size_t len = strlen(ddl) + 16;
		char *x = malloc(len);
		if (x && fk)
			snprintf(x, len, "%s", ddl);
		else if (x)
			snprintf(x, len, "CREATE INDEX IF NOT EXISTS %s", ddl + 13);
		rc = defs_push(&defs, &ndefs, &cap, name, NULL, fk, x, err);
	}
	db_finalize(st);
	for (size_t i = 0; !rc && i < ndefs; i++) {
		bool exists = false;
		if (defs[i].fk) { /* a foreign key: ADD CONSTRAINT has no IF NOT EXISTS */
			int64_t one = 0;
			rc = db_prepare(db,
					"SELECT 1 FROM pg_constraint WHERE conname = $1 "
					"AND connamespace = current_schema()::regnamespace",
					0, &st, err);
			if (!rc) {
				db_bind_str(st, 1, defs[i].name);
				rc = db_step(st, &exists, err);
				one = exists ? db_column_int64(st, 0) : 0;
				db_finalize(st);
			}
			exists = one == 1;
		}
		if (!rc && !exists)
			rc = db_exec(db, defs[i].ddl, err);
		if (!rc)
			rc = db_prepare(db, "DELETE FROM deferred_indexes WHERE name = $1", 0, &st, err);
		if (!rc) {
			db_bind_str(st, 1, defs[i].name);
			rc = db_run(st, err);
			db_finalize(st);
		}
		if (!rc && count)
			(*count)++;
	}
	for (size_t i = 0; i < ndefs; i++)
		free(defs[i].ddl);
	free(defs);
	if (!rc)
		rc = db_commit(db, err);
	else
		db_rollback(db);
	if (rc)
		dd_error_prefix(err, "恢复导入时暂缓的索引 (restoring the indexes an import set aside)");
	return rc;
}

static void checksum_hex(const char *text, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* The backend differences in migration text: @ID@, a 64-bit primary key the
 * database assigns; @KEY64@, a 64-bit primary key the program assigns (on
 * SQLite both are the rowid, so no second index is kept for the key);
 * @BYTES@, the collation that compares text byte by byte (for prefix ranges
 * on an index whatever the PostgreSQL locale); @PG@ at the start of a line,
 * a statement for PostgreSQL only (SQLite reads the line as a comment), and
 * @SQLITE@ the same for SQLite only. */
static char *backend_sql(struct db *db, const char *sql)
{
	bool pg = db_backend(db) == DB_POSTGRES;
	static const char *const names[] = {"@ID@", "@KEY64@", "@BYTES@", "@PG@", "@SQLITE@"};
	enum { NAMES = sizeof names / sizeof names[0] };
	const char *values[NAMES] = {pg ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY",
				     pg ? "BIGINT PRIMARY KEY" : "INTEGER PRIMARY KEY",
				     pg ? "COLLATE \"C\"" : "COLLATE BINARY", pg ? "" : "-- ", pg ? "-- " : ""};
	struct strbuf sb;
	strbuf_init(&sb, strlen(sql) + 1024);
	for (const char *p = sql;;) {
		const char *m = strchr(p, '@');
		size_t k = 0;
		while (m) {
			for (k = 0; k < NAMES && strncmp(m, names[k], strlen(names[k])) != 0; k++)
				;
			if (k < NAMES)
				break;
			m = strchr(m + 1, '@');
		}
		if (!m) {
			strbuf_adds(&sb, p);
			break;
		}
		strbuf_add(&sb, p, (size_t)(m - p));
		strbuf_adds(&sb, values[k]);
		p = m + strlen(names[k]);
	}
	if (sb.failed) {
		strbuf_release(&sb);
		return NULL;
	}
	return sb.buf ? sb.buf : strdup("");
}

/* Looks up an applied migration's checksum; *found false when not applied. */
static dd_status applied_checksum(struct db *db, int version, char out[65], bool *found, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*found = false;
	dd_status rc = db_prepare(db, "SELECT checksum FROM schema_migrations WHERE version = $1", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, version);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		const char *c = db_column_text(st, 0, NULL);
		snprintf(out, 65, "%s", c ? c : "");
		*found = true;
	}
	db_finalize(st);
	return rc;
}

/* Inside the migration's transaction, with foreign keys off: the rebuilt
 * tables must leave no dangling reference (PRAGMA foreign_key_check). */
static dd_status foreign_keys_intact(struct db *db, const char *name, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "PRAGMA foreign_key_check", 0, &st, err);
	if (rc)
		return rc;
	rc = db_step(st, &row, err);
	if (!rc && row) {
		const char *t = db_column_text(st, 0, NULL);
		rc = dd_fail(err, DD_EINVAL, "db",
			     "迁移 %s 后表 %s 存在无效的外键引用 (migration %s leaves a broken foreign key in %s)",
			     name, t ? t : "", name, t ? t : "");
	}
	db_finalize(st);
	return rc;
}

static dd_status apply_one_tx(struct db *db, const struct store_migration *m, const char *actor, bool fk_off,
			      bool *applied, dd_error *err);

static dd_status apply_one(struct db *db, const struct store_migration *m, const char *actor, bool *applied,
			   dd_error *err)
{
	/* PRAGMA foreign_keys is a no-op inside a transaction: set it around */
	bool fk_off = m->foreign_keys_off && db_backend(db) == DB_SQLITE;
	if (fk_off) {
		dd_status rc = db_exec(db, "PRAGMA foreign_keys=OFF", err);
		if (rc)
			return rc;
	}
	dd_status rc = apply_one_tx(db, m, actor, fk_off, applied, err);
	if (fk_off) {
		dd_error err2;
		dd_error_clear(&err2);
		dd_status rc2 = db_exec(db, "PRAGMA foreign_keys=ON", rc ? &err2 : err);
		if (!rc)
			rc = rc2;
	}
	return rc;
}

static dd_status apply_one_tx(struct db *db, const struct store_migration *m, const char *actor, bool fk_off,
			      bool *applied, dd_error *err)
{
	char sum[65], have[65], at[STORE_TIME_MAX], vtext[16];
	bool found = false;
	*applied = false;
	checksum_hex(m->sql, sum);
	dd_status rc = db_begin(db, err);
	if (rc)
		return rc;
	/* one migrator at a time (SQLite: BEGIN IMMEDIATE already is) */
	if (db_backend(db) == DB_POSTGRES)
		rc = db_exec(db, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE", err);
	if (!rc)
		rc = applied_checksum(db, m->version, have, &found, err);
	if (!rc && found) {
		if (strcmp(have, sum) != 0)
			rc = dd_fail(err, DD_EINVAL, "db",
				     "迁移 %s 在应用后被修改，拒绝继续 (migration %s changed after it was applied)",
				     m->name, m->name);
		db_rollback(db);
		return rc;
	}
	bool present = false;
	if (!rc && m->present_table)
		rc = db_table_exists(db, m->present_table, &present, err);
	char *sql = rc || present ? NULL : backend_sql(db, m->sql);
	if (!rc && !present && !sql)
		rc = dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	if (!rc && !present) {
		rc = db_exec(db, sql, err);
		if (rc)
			dd_error_prefix(err, m->name);
		if (!rc && fk_off)
			rc = foreign_keys_intact(db, m->name, err);
	}
	free(sql);
	store_now(at);
	snprintf(vtext, sizeof vtext, "%03d", m->version);
	if (!rc) {
		struct db_stmt *st;
		rc = db_prepare(db,
				"INSERT INTO schema_migrations (version, name, checksum, applied_at) "
				"VALUES ($1, $2, $3, $4)",
				0, &st, err);
		if (!rc) {
			db_bind_int64(st, 1, m->version);
			db_bind_str(st, 2, m->name);
			db_bind_str(st, 3, sum);
			db_bind_str(st, 4, at);
			rc = db_run(st, err);
			db_finalize(st);
		}
	}
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail, "{\"version\":%d,\"name\":\"%s\",\"checksum\":\"%s\"}", m->version,
			 m->name, sum);
		rc = audit_append(db, actor, "schema.migrate", "schema", vtext, detail, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	else
		db_rollback(db);
	if (!rc)
		*applied = true;
	return rc;
}

dd_status store_migrate(struct db *db, const char *actor, struct store_migrate_result *res,
			void (*report)(const struct store_migration *m, void *ctx), void *ctx, dd_error *err)
{
	struct store_migrate_result r = {0, 0, 0};
	size_t n;
	const struct store_migration *ms = store_migrations(&n);
	dd_status rc = store_schema_version(db, &r.from_version, err);
	if (rc)
		return rc;
	if (r.from_version > store_schema_latest())
		return dd_fail(err, DD_EINVAL, "db",
			       "数据库结构版本 %d 高于本程序支持的 %d，请升级 doudi "
			       "(schema version %d is newer than this program's %d)",
			       r.from_version, store_schema_latest(), r.from_version, store_schema_latest());
	if ((rc = db_exec(db, migrations_table, err)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		bool applied = false;
		rc = apply_one(db, &ms[i], actor, &applied, err);
		if (!rc && applied) {
			r.applied++;
			if (report)
				report(&ms[i], ctx);
		}
	}
	if (!rc)
		rc = store_schema_version(db, &r.to_version, err);
	if (!rc)
		rc = store_restore_indexes(db, NULL, err);
	if (res)
		*res = r;
	return rc;
}
