/* test_store.c - the db interface, migrations and the audit chain on a real
 * store: a fresh SQLite file per test, or, when DOUDI_TEST_PG holds a libpq
 * URI (tests/pg.sh sets it), the same tests on PostgreSQL with the public
 * schema dropped and recreated before each. No mocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

struct fx {
	char dir[256];
	char target[1024];
	bool pg;
};

static const char *pg_uri(void)
{
	const char *s = getenv("DOUDI_TEST_PG");
	return s && *s ? s : NULL;
}

/* Runs a call that takes &err last and fails the test with its message. */
#define CHECK(call)                                                                                                    \
	do {                                                                                                           \
		dd_error err_;                                                                                         \
		dd_error_clear(&err_);                                                                                 \
		dd_status rc_ = call;                                                                                  \
		if (rc_)                                                                                               \
			fail_msg("%s:%d: %s failed (%d): %s: %s", __FILE__, __LINE__, #call, rc_, err_.field,          \
				 err_.message);                                                                        \
	} while (0)
#define E (&err_)

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	const char *uri = pg_uri();
	if (uri) {
		f->pg = true;
		snprintf(f->target, sizeof f->target, "%s", uri);
		struct db *db;
		CHECK(db_open(uri, 0, &db, E));
		CHECK(db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;", E));
		db_close(db);
	} else {
		snprintf(f->dir, sizeof f->dir, "%s/doudi-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(f->dir))
			fail_msg("mkdtemp failed");
		snprintf(f->target, sizeof f->target, "%s/test.db", f->dir);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (!f->pg) {
		static const char *const files[] = {"test.db",	 "test.db-wal",	  "test.db-shm",   "test.db-journal",
						    "backup.db", "backup.db-wal", "backup.db-shm", "other.db"};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			char p[512];
			snprintf(p, sizeof p, "%s/%s", f->dir, files[i]);
			unlink(p);
		}
		rmdir(f->dir);
	}
	free(f);
	return 0;
}

static struct db *open_db(struct fx *f)
{
	struct db *db;
	CHECK(db_open(f->target, DB_OPEN_CREATE, &db, E));
	return db;
}

static struct db *migrated(struct fx *f)
{
	struct db *db = open_db(f);
	struct store_migrate_result r;
	CHECK(store_migrate(db, "test", &r, NULL, NULL, E));
	return db;
}

static int64_t count(struct db *db, const char *sql)
{
	int64_t v = -1;
	CHECK(db_query_int64(db, sql, &v, NULL, E));
	return v;
}

static struct audit_report verify(struct db *db)
{
	struct audit_report rep;
	CHECK(audit_verify(db, &rep, E));
	return rep;
}

static void exec(struct db *db, const char *sql)
{
	CHECK(db_exec(db, sql, E));
}

/* Inserts a person and returns its id. */
static int64_t add_person(struct db *db, const char *id_number, const char *name, const char *region)
{
	struct db_stmt *st;
	bool row = false;
	int64_t id = 0;
	CHECK(db_prepare(db,
			 "INSERT INTO persons (id_number, name, birth_date, sex, region_code, created_at, updated_at) "
			 "VALUES ($1, $2, '1980-01-01', 'male', $3, '2024-01-01T00:00:00.000Z', "
			 "'2024-01-01T00:00:00.000Z') RETURNING id",
			 0, &st, E));
	db_bind_str(st, 1, id_number);
	db_bind_str(st, 2, name);
	db_bind_str(st, 3, region);
	CHECK(db_step(st, &row, E));
	assert_true(row);
	id = db_column_int64(st, 0);
	db_finalize(st);
	return id;
}

static int64_t add_household(struct db *db, const char *no, const char *region)
{
	struct db_stmt *st;
	bool row = false;
	CHECK(
	    db_prepare(db,
		       "INSERT INTO households (region_code, household_no, area, created_at, updated_at) "
		       "VALUES ($1, $2, 'rural', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z') RETURNING id",
		       0, &st, E));
	db_bind_str(st, 1, region);
	db_bind_str(st, 2, no);
	CHECK(db_step(st, &row, E));
	assert_true(row);
	int64_t id = db_column_int64(st, 0);
	db_finalize(st);
	return id;
}

/* Adds an active membership; returns the status (and fills err). */
static dd_status add_member(struct db *db, int64_t hh, int64_t person, const char *relation, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare(db,
		       "INSERT INTO memberships (household_id, person_id, region_code, relation, from_date, "
		       "created_at) VALUES ($1, $2, '500154001001', $3, '2024-01-01', '2024-01-01T00:00:00.000Z')",
		       0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hh);
	db_bind_int64(st, 2, person);
	db_bind_str(st, 3, relation);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

static void migrate_idempotent(void **state)
{
	struct fx *f = *state;
	struct db *db = open_db(f);
	int v = -1;
	dd_error err;
	CHECK(store_schema_version(db, &v, E));
	assert_int_equal(v, 0);
	assert_int_equal(store_check_schema(db, &err), DD_ENOTFOUND);

	struct store_migrate_result r;
	CHECK(store_migrate(db, "test", &r, NULL, NULL, E));
	assert_int_equal(r.from_version, 0);
	assert_int_equal(r.to_version, store_schema_latest());
	size_t n;
	store_migrations(&n);
	assert_int_equal(r.applied, (int)n);
	CHECK(store_check_schema(db, E));
	int64_t audit_rows = count(db, "SELECT count(*) FROM audit_log");
	assert_int_equal(audit_rows, (int64_t)n);

	/* the second run changes nothing: no migration, no audit row */
	CHECK(store_migrate(db, "test", &r, NULL, NULL, E));
	assert_int_equal(r.applied, 0);
	assert_int_equal(r.from_version, store_schema_latest());
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), audit_rows);
	db_close(db);

	/* and on a new connection too */
	db = migrated(f);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), audit_rows);
	assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations"), (int64_t)n);

	/* Chongqing: the city, two groupings, 38 districts and counties */
	assert_int_equal(count(db, "SELECT count(*) FROM regions"), 41);
	assert_int_equal(count(db, "SELECT count(*) FROM regions WHERE level = 3 AND code >= '5001' AND code < '5003'"),
			 38);
	struct db_stmt *st;
	bool row = false;
	CHECK(db_prepare(db, "SELECT name, parent_code FROM regions WHERE code = $1", 0, &st, E));
	db_bind_str(st, 1, "500154");
	CHECK(db_step(st, &row, E));
	assert_true(row);
	assert_string_equal(db_column_text(st, 0, NULL), "开州区");
	assert_string_equal(db_column_text(st, 1, NULL), "500100");
	db_reset(st);
	db_bind_str(st, 1, "500243");
	CHECK(db_step(st, &row, E));
	assert_true(row);
	assert_string_equal(db_column_text(st, 0, NULL), "彭水苗族土家族自治县");
	db_finalize(st);

	struct audit_report rep = verify(db);
	assert_true(rep.intact);
	assert_int_equal(rep.count, audit_rows);
	db_close(db);
}

static void migrate_refuses_changed_or_newer(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	dd_error err;
	exec(db, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
	assert_int_equal(store_migrate(db, "test", NULL, NULL, NULL, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "001_init"));
	exec(db,
	     "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 'y')");
	assert_int_equal(store_migrate(db, "test", NULL, NULL, NULL, &err), DD_EINVAL);
	assert_int_equal(store_check_schema(db, &err), DD_EINVAL);
	db_close(db);
}

static void placeholders_and_values(void **state)
{
	struct fx *f = *state;
	struct db *db = open_db(f);
	exec(db, "CREATE TABLE t (a TEXT, b BIGINT, c TEXT)");
	struct db_stmt *st;
	bool row = false;
	/* $2 appears before $1 and $1 twice */
	CHECK(db_prepare(db, "INSERT INTO t (b, a, c) VALUES ($2, $1, $1)", 0, &st, E));
	static const char tricky[] = "张某\t\\N\n'\"; DROP TABLE t; --\r\\";
	db_bind_str(st, 1, tricky);
	db_bind_int64(st, 2, INT64_MAX);
	CHECK(db_run(st, E));
	assert_int_equal(db_changes(st), 1);
	db_bind_text(st, 1, "abc", 2); /* a length, not NUL-terminated */
	db_bind_int64(st, 2, INT64_MIN);
	CHECK(db_run(st, E));
	db_bind_null(st, 1);
	db_bind_int64(st, 2, 0);
	CHECK(db_run(st, E));
	db_finalize(st);

	CHECK(db_prepare(db, "SELECT a, b, c FROM t WHERE b = $1 OR a = $2 ORDER BY b", 0, &st, E));
	db_bind_int64(st, 1, INT64_MAX);
	db_bind_str(st, 2, "ab");
	CHECK(db_step(st, &row, E));
	assert_true(row);
	size_t len = 0;
	assert_string_equal(db_column_text(st, 0, &len), "ab");
	assert_int_equal(len, 2);
	assert_int_equal(db_column_int64(st, 1), INT64_MIN);
	CHECK(db_step(st, &row, E));
	assert_true(row);
	assert_string_equal(db_column_text(st, 0, &len), tricky);
	assert_int_equal(len, strlen(tricky));
	assert_string_equal(db_column_text(st, 2, NULL), tricky);
	assert_int_equal(db_column_int64(st, 1), INT64_MAX);
	assert_int_equal(db_column_count(st), 3);
	CHECK(db_step(st, &row, E));
	assert_false(row);
	CHECK(db_step(st, &row, E)); /* stays done */
	assert_false(row);
	db_finalize(st);

	assert_int_equal(count(db, "SELECT count(*) FROM t WHERE a IS NULL"), 1);
	CHECK(db_prepare(db, "SELECT a FROM t WHERE a IS NULL", 0, &st, E));
	CHECK(db_step(st, &row, E));
	assert_true(row);
	assert_true(db_column_is_null(st, 0));
	assert_null(db_column_text(st, 0, NULL));
	db_finalize(st);

	/* misuse is an error value, not a crash */
	dd_error err;
	assert_int_not_equal(db_prepare(db, "SELECT $2", 0, &st, &err), DD_OK); /* $1 missing */
	assert_int_equal(db_last_fault(db), DB_FAULT_MISUSE);
	assert_int_not_equal(db_prepare(db, "SELECT a FROM t WHERE a = ?", 0, &st, &err), DD_OK);
	CHECK(db_prepare(db, "SELECT a FROM t WHERE a = $1", 0, &st, E));
	db_bind_str(st, 2, "x");
	assert_int_equal(db_step(st, &row, &err), DD_EINVAL);
	assert_false(row);
	db_reset(st);
	db_bind_text(st, 1, "a\0b", 3);
	assert_int_equal(db_step(st, &row, &err), DD_EINVAL);
	db_finalize(st);
	assert_int_not_equal(db_exec(db, "SELECT * FROM no_such_table", &err), DD_OK);
	assert_string_equal(err.field, "db");

	/* the cache hands the same statement back */
	struct db_stmt *c1, *c2;
	CHECK(db_prepare_cached(db, "SELECT count(*) FROM t WHERE b > $1", &c1, E));
	db_bind_int64(c1, 1, -1);
	CHECK(db_step(c1, &row, E));
	assert_int_equal(db_column_int64(c1, 0), 2);
	db_finalize(c1);
	CHECK(db_prepare_cached(db, "SELECT count(*) FROM t WHERE b > $1", &c2, E));
	assert_ptr_equal(c1, c2);
	db_bind_int64(c2, 1, 0);
	CHECK(db_step(c2, &row, E));
	assert_int_equal(db_column_int64(c2, 0), 1);
	db_finalize(c2);
	db_close(db);
}

static void transaction_rolls_back_whole(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	int64_t audit0 = count(db, "SELECT count(*) FROM audit_log");
	dd_error err;

	CHECK(db_begin(db, E));
	assert_true(db_in_transaction(db));
	assert_int_equal(db_begin(db, &err), DD_EINVAL); /* no nesting */
	int64_t hh = add_household(db, "H001", "500154001001");
	int64_t p = add_person(db, "500154198001010016", "张某", "500154001001");
	CHECK(add_member(db, hh, p, "head", E));
	CHECK(audit_append_region(db, "500154001001", "tester", "household.create", "household", "1", "{\"n\":1}", E));
	db_rollback(db);
	assert_false(db_in_transaction(db));
	assert_int_equal(count(db, "SELECT count(*) FROM households"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM persons"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM memberships"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), audit0);

	/* a failure half-way: the caller rolls back and nothing of it stays */
	CHECK(db_begin(db, E));
	hh = add_household(db, "H002", "500154001001");
	p = add_person(db, "500154198001010016", "张某", "500154001001");
	assert_int_equal(add_member(db, hh, 424242, "head", &err), DD_EINVAL); /* no such person */
	assert_int_equal(db_last_fault(db), DB_FAULT_FOREIGN_KEY);
	db_rollback(db);
	assert_int_equal(count(db, "SELECT count(*) FROM households"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM persons"), 0);

	/* a failed statement dooms the transaction on both backends: no partial commit */
	CHECK(db_begin(db, E));
	add_household(db, "H003", "500154001001");
	assert_int_not_equal(db_exec(db, "INSERT INTO households (id) VALUES (NULL)", &err), DD_OK);
	assert_int_not_equal(db_exec(db, "UPDATE households SET area = 'urban'", &err), DD_OK);
	assert_int_not_equal(db_commit(db, &err), DD_OK);
	assert_false(db_in_transaction(db));
	assert_int_equal(count(db, "SELECT count(*) FROM households"), 0);

	/* and a commit keeps all of it, audit row included */
	CHECK(db_begin(db, E));
	hh = add_household(db, "H004", "500154001001");
	p = add_person(db, "500154198001010016", "张某", "500154001001");
	CHECK(add_member(db, hh, p, "head", E));
	CHECK(audit_append(db, "tester", "household.create", "household", "4", NULL, E));
	CHECK(db_commit(db, E));
	assert_int_equal(count(db, "SELECT count(*) FROM memberships"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), audit0 + 1);
	assert_int_equal(verify(db).intact, true);
	db_close(db);
}

static void one_active_household(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	dd_error err;
	int64_t h1 = add_household(db, "H1", "500154001001");
	int64_t h2 = add_household(db, "H2", "500154001001");
	int64_t p = add_person(db, "500154198001010016", "张某", "500154001001");
	int64_t q = add_person(db, "500154198503030011", "李某", "500154001001");
	CHECK(add_member(db, h1, p, "head", E));
	assert_int_equal(add_member(db, h2, p, "head", &err), DD_EINVAL);
	assert_int_equal(db_last_fault(db), DB_FAULT_UNIQUE);
	assert_null(strstr(err.message, "500154198001010016")); /* no ID number in messages */
	assert_null(strstr(err.message, "张某"));
	/* a second head in the same household */
	assert_int_equal(add_member(db, h1, q, "head", &err), DD_EINVAL);
	assert_int_equal(db_last_fault(db), DB_FAULT_UNIQUE);
	CHECK(add_member(db, h1, q, "spouse", E));
	/* ending the first membership frees the person for another household */
	exec(db, "UPDATE memberships SET to_date = '2024-06-30' WHERE person_id IN (SELECT id FROM persons WHERE "
		 "id_number = '500154198001010016')");
	CHECK(add_member(db, h2, p, "head", E));
	assert_int_equal(count(db, "SELECT count(*) FROM memberships WHERE to_date IS NULL"), 2);
	/* the same household number in another region is another household */
	add_household(db, "H1", "500101001001");
	/* but not twice in one region */
	struct db_stmt *st;
	CHECK(db_prepare(db,
			 "INSERT INTO households (region_code, household_no, area, created_at, updated_at) "
			 "VALUES ('500154001001', 'H1', 'urban', 'x', 'x')",
			 0, &st, E));
	assert_int_equal(db_run(st, &err), DD_EINVAL);
	assert_int_equal(db_last_fault(db), DB_FAULT_UNIQUE);
	db_finalize(st);
	/* a unique person: the message names the constraint, never the value */
	CHECK(db_prepare(db,
			 "INSERT INTO persons (id_number, name, birth_date, sex, region_code, created_at, updated_at) "
			 "VALUES ($1, $2, '1980-01-01', 'male', '500154', 'x', 'x')",
			 0, &st, E));
	db_bind_str(st, 1, "500154198001010016");
	db_bind_str(st, 2, "王某");
	assert_int_equal(db_run(st, &err), DD_EINVAL);
	assert_int_equal(db_last_fault(db), DB_FAULT_UNIQUE);
	assert_null(strstr(err.message, "500154198001010016"));
	assert_null(strstr(err.message, "王某"));
	/* a CHECK constraint */
	db_bind_str(st, 1, "500154198001010024");
	db_bind_str(st, 2, "王某");
	CHECK(db_run(st, E));
	db_finalize(st);
	assert_int_not_equal(db_exec(db, "UPDATE persons SET sex = 'x'", &err), DD_OK);
	assert_int_equal(db_last_fault(db), DB_FAULT_CHECK);
	db_close(db);
}

static void id_number(char out[32], int64_t i)
{
	snprintf(out, 32, "5001541980%08d", (int)(i % 100000000));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const person_cols[] = {"id",		 "id_number",	     "name",	   "birth_date", "sex",
					  "region_code", "disability_grade", "created_at", "updated_at"};

static void bulk_insert(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	dd_error err;
	const int64_t n = 20000;
	int64_t *ids = calloc((size_t)n, sizeof *ids);
	struct db_bulk *b;
	char idn[32];
	/* a NULL in a NOT NULL column fails (on PostgreSQL perhaps only at finish) */
	CHECK(db_begin(db, E));
	CHECK(db_reserve_ids(db, "persons", 1, ids, E));
	CHECK(db_bulk_begin(db, "persons", person_cols, 9, &b, E));
	db_bulk_int64(b, ids[0]);
	db_bulk_str(b, "500154198001010016");
	db_bulk_str(b, "李某");
	db_bulk_str(b, "1980-01-01");
	db_bulk_str(b, "male");
	db_bulk_str(b, "500154");
	db_bulk_int64(b, 0);
	db_bulk_str(b, "x");
	db_bulk_null(b);
	dd_status rc = db_bulk_row_end(b, &err);
	if (!rc)
		rc = db_bulk_finish(b, NULL, &err);
	else
		db_bulk_abort(b);
	assert_int_equal(rc, DD_EINVAL);
	assert_int_equal(db_last_fault(db), DB_FAULT_NOT_NULL);
	db_rollback(db);

	/* the real run */
	double t0 = now_s();
	CHECK(db_begin(db, E));
	CHECK(db_reserve_ids(db, "persons", n, ids, E));
	for (int64_t i = 1; i < n; i++)
		assert_true(ids[i] != ids[i - 1]);
	CHECK(db_bulk_begin(db, "persons", person_cols, 9, &b, E));
	for (int64_t i = 0; i < n; i++) {
		id_number(idn, i);
		db_bulk_int64(b, ids[i]);
		db_bulk_str(b, idn);
		db_bulk_str(b, i == 7 ? "张\t某\\N\n\r" : "李某");
		db_bulk_str(b, "1980-01-01");
		db_bulk_str(b, "male");
		db_bulk_str(b, i % 2 ? "500154001001" : "500101002003");
		db_bulk_int64(b, i % 5);
		db_bulk_str(b, "2024-01-01T00:00:00.000Z");
		db_bulk_str(b, "2024-01-01T00:00:00.000Z");
		CHECK(db_bulk_row_end(b, E));
	}
	int64_t rows = 0;
	CHECK(db_bulk_finish(b, &rows, E));
	assert_int_equal(rows, n);
	/* memberships referencing the reserved ids, in the same transaction */
	int64_t hh = add_household(db, "H1", "500154001001");
	CHECK(add_member(db, hh, ids[7], "head", E));
	CHECK(db_commit(db, E));
	double dt = now_s() - t0;
	print_message("bulk insert (%s, sanitizers on): %lld rows in %.3f s = %.0f rows/s\n",
		      f->pg ? "PostgreSQL" : "SQLite", (long long)n, dt, (double)n / dt);
	assert_int_equal(count(db, "SELECT count(*) FROM persons"), n);
	assert_int_equal(count(db, "SELECT count(*) FROM persons WHERE region_code = '500154001001'"), n / 2);
	struct db_stmt *st;
	bool row = false;
	CHECK(db_prepare(db, "SELECT name, disability_grade FROM persons WHERE id = $1", 0, &st, E));
	db_bind_int64(st, 1, ids[7]);
	CHECK(db_step(st, &row, E));
	assert_true(row);
	assert_string_equal(db_column_text(st, 0, NULL), "张\t某\\N\n\r");
	assert_int_equal(db_column_int64(st, 1), 2);
	db_finalize(st);
	/* ids given by the database after the reserved ones do not collide */
	int64_t later = add_person(db, "500154199001010010", "赵某", "500154");
	assert_true(later > 0);

	/* a duplicate in a bulk insert fails, and the rollback takes the batch back */
	CHECK(db_begin(db, E));
	CHECK(db_bulk_begin(db, "persons", person_cols + 1, 8, &b, E));
	rc = DD_OK;
	for (int64_t i = n; i < n + 1000 && !rc; i++) {
		id_number(idn, i == n + 500 ? 3 : i); /* row 500 repeats an existing ID number */
		db_bulk_str(b, idn);
		db_bulk_str(b, "李某");
		db_bulk_str(b, "1980-01-01");
		db_bulk_str(b, "female");
		db_bulk_str(b, "500154");
		db_bulk_int64(b, 0);
		db_bulk_str(b, "x");
		db_bulk_str(b, "x");
		rc = db_bulk_row_end(b, &err);
	}
	if (!rc)
		rc = db_bulk_finish(b, NULL, &err);
	else
		db_bulk_abort(b);
	assert_int_equal(rc, DD_EINVAL);
	assert_int_equal(db_last_fault(db), DB_FAULT_UNIQUE);
	assert_null(strstr(err.message, "5001541980"));
	db_rollback(db);
	assert_int_equal(count(db, "SELECT count(*) FROM persons"), n + 1);

	/* wrong shapes are refused before they reach the database */
	CHECK(db_begin(db, E));
	CHECK(db_bulk_begin(db, "persons", person_cols + 1, 8, &b, E));
	db_bulk_str(b, "x");
	assert_int_equal(db_bulk_row_end(b, &err), DD_EINVAL);
	db_bulk_abort(b);
	db_rollback(db);
	static const char *const bad_cols[] = {"name; DROP TABLE persons"};
	assert_int_equal(db_bulk_begin(db, "persons", bad_cols, 1, &b, &err), DD_EINVAL);
	assert_int_equal(db_reserve_ids(db, "persons", 3, ids, &err), DD_EINVAL); /* outside a transaction */

	/* streaming a large result in constant memory */
	CHECK(db_prepare(db, "SELECT id, id_number FROM persons ORDER BY id", DB_STMT_STREAM, &st, E));
	int64_t seen = 0, last = 0;
	for (;;) {
		CHECK(db_step(st, &row, E));
		if (!row)
			break;
		assert_true(db_column_int64(st, 0) > last);
		last = db_column_int64(st, 0);
		if (seen == 0 && f->pg) /* the connection is busy meanwhile */
			assert_int_equal(db_exec(db, "SELECT 1", &err), DD_EINVAL);
		seen++;
	}
	db_finalize(st);
	assert_int_equal(seen, n + 1);
	assert_int_equal(count(db, "SELECT 1"), 1); /* usable again */
	free(ids);
	db_close(db);
}

static void region_scope_ranges(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *scope, *lo, *hi;
	} rows[] = {
	    {"500154", "500154", "500155"}, {"5001", "5001", "5002"}, {"50", "50", "51"},
	    {"500159", "500159", "50016"},  {"59", "59", "6"},	      {"", "", "9999999999999"},
	    {"99", "99", "9999999999999"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
		store_region_range(rows[i].scope, lo, hi);
		if (strcmp(lo, rows[i].lo) != 0 || strcmp(hi, rows[i].hi) != 0)
			fail_msg("scope %s: [%s, %s)", rows[i].scope, lo, hi);
	}
	struct db *db = migrated(f);
	static const char *const codes[] = {"500154", "500154001", "500154001001", "500155", "500101",	 "5001",
					    "500100", "510000",	   "500154999999", "50015",  "500153999"};
	char idn[32];
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		id_number(idn, (int64_t)i);
		add_person(db, idn, "某", codes[i]);
	}
	static const char *const scopes[] = {"", "50", "5001", "500154", "500154001", "51", "500159"};
	struct db_stmt *st;
	CHECK(db_prepare(db, "SELECT count(*) FROM persons WHERE region_code >= $1 AND region_code < $2", 0, &st, E));
	for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++) {
		int64_t want = 0;
		for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
			want += strncmp(codes[i], scopes[s], strlen(scopes[s])) == 0;
		char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
		bool row = false;
		store_region_range(scopes[s], lo, hi);
		db_reset(st);
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		CHECK(db_step(st, &row, E));
		if (db_column_int64(st, 0) != want)
			fail_msg("scope '%s': %lld rows, want %lld", scopes[s], (long long)db_column_int64(st, 0),
				 (long long)want);
	}
	db_finalize(st);

	/* the plan uses the region index */
	bool row = false, used = false;
	if (f->pg) {
		exec(db, "SET enable_seqscan = off");
		CHECK(db_prepare(
		    db, "EXPLAIN SELECT id FROM persons WHERE region_code >= '500154' AND region_code < '500155'", 0,
		    &st, E));
	} else {
		CHECK(db_prepare(db,
				 "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE region_code >= '500154' AND "
				 "region_code < '500155'",
				 0, &st, E));
	}
	for (;;) {
		CHECK(db_step(st, &row, E));
		if (!row)
			break;
		for (int c = 0; c < db_column_count(st); c++) {
			const char *t = db_column_text(st, c, NULL);
			if (t && strstr(t, "persons_region"))
				used = true;
		}
	}
	db_finalize(st);
	assert_true(used);
	db_close(db);
}

/* Runs SQL that tampers with the audit log, then expects verify to name seq. */
static void expect_bad(struct db *db, const char *sql, int64_t seq)
{
	exec(db, sql);
	struct audit_report rep = verify(db);
	if (rep.intact || rep.bad_seq != seq)
		fail_msg("after \"%s\": bad_seq %lld, want %lld (%s)", sql, (long long)rep.bad_seq, (long long)seq,
			 rep.reason);
}

/* The demo clock builds a history in date order but never writes before the
 * audit chain's last row: it cannot backdate a store that lived in the present. */
static void demo_clock_never_backdates(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	dd_error err;
	CHECK(db_begin(db, E)); /* the present */
	CHECK(audit_append(db, "tester", "test.append", "thing", "1", NULL, E));
	CHECK(db_commit(db, E));
	int64_t before = count(db, "SELECT count(*) FROM audit_log");
	store_clock_shift_days(-1); /* before the last row: refused */
	CHECK(db_begin(db, E));
	assert_int_equal(audit_append(db, "demo", "test.append", "thing", "2", NULL, &err), DD_EINVAL);
	assert_string_equal(err.field, "DOUDI_DEMO_CLOCK_DAYS");
	db_rollback(db);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), before);
	store_clock_shift_days(2); /* a shifted clock after the last row: allowed */
	CHECK(db_begin(db, E));
	CHECK(audit_append(db, "demo", "test.append", "thing", "3", NULL, E));
	CHECK(db_commit(db, E));
	store_clock_shift_days(1); /* and then before it again: refused */
	CHECK(db_begin(db, E));
	assert_int_equal(audit_append(db, "demo", "test.append", "thing", "4", NULL, &err), DD_EINVAL);
	db_rollback(db);
	store_clock_shift_days(0);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), before + 1);
	db_close(db);
}

static void audit_chain(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	dd_error err;
	int64_t base = count(db, "SELECT count(*) FROM audit_log");
	assert_int_equal(audit_append(db, "a", "b", "c", "1", NULL, &err), DD_EINVAL); /* outside a transaction */

	CHECK(db_begin(db, E));
	assert_int_equal(audit_append(db, "a", "b", "c", "1", "{not json", &err), DD_EINVAL);
	assert_int_equal(audit_append(db, "", "b", "c", "1", NULL, &err), DD_EINVAL);
	for (int i = 0; i < 3; i++) {
		char d[64];
		snprintf(d, sizeof d, "{\"i\":%d,\"名\":\"值\\n\"}", i);
		CHECK(audit_append_region(db, "500154", "tester", "test.append", "thing", "7", d, E));
	}
	CHECK(db_commit(db, E));
	/* a rolled-back append leaves no gap */
	CHECK(db_begin(db, E));
	CHECK(audit_append(db, "tester", "test.append", "thing", "8", NULL, E));
	db_rollback(db);
	CHECK(db_begin(db, E));
	CHECK(audit_append(db, "tester", "test.append", "thing", "9", "[1,2]", E));
	CHECK(audit_append(db, "tester", "test.append", "thing", "10", "\"x\"", E));
	CHECK(db_commit(db, E));
	/* a batch (bulk insert, COPY on PostgreSQL) continues the same chain, mixed
	 * with single appends in one transaction; a bad row refuses the batch */
	const struct audit_entry batch[] = {
	    {.region_code = "500154001",
	     .actor = "importer",
	     .action = "household.import",
	     .entity = "household",
	     .entity_id = "11",
	     .detail_json = "{\"household_no\":\"KZ-1\",\"members\":3}"},
	    {.actor = "importer", .action = "household.import", .entity = "household", .entity_id = "12"},
	};
	const struct audit_entry bad_batch[] = {
	    {.actor = "importer", .action = "x", .entity = "household", .entity_id = "13", .detail_json = "{oops"}};
	CHECK(db_begin(db, E));
	assert_int_equal(audit_append_batch(db, bad_batch, 1, &err), DD_EINVAL);
	CHECK(audit_append_batch(db, batch, 2, E));
	CHECK(audit_append(db, "tester", "test.append", "thing", "14", NULL, E));
	CHECK(audit_append_batch(db, batch, 1, E));
	CHECK(db_commit(db, E));
	assert_int_equal(audit_append_batch(db, batch, 1, &err), DD_EINVAL); /* outside a transaction */
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE region_code = '500154001'"), 2);
	int64_t n = base + 5;	    /* the length of each fresh chain below */
	int64_t all = base + 5 + 4; /* and of this one, with the batches */
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), all);
	assert_int_equal(count(db, "SELECT max(seq) FROM audit_log"), all);
	assert_int_equal(count(db, "SELECT seq FROM audit_head"), all);
	struct audit_report rep = verify(db);
	assert_true(rep.intact);
	assert_int_equal(rep.count, all);

	char sql[512];
	int64_t k = base + 2;
	/* changed: any field */
	snprintf(sql, sizeof sql, "UPDATE audit_log SET detail = '{\"i\":9}' WHERE seq = %lld", (long long)k);
	expect_bad(db, sql, k);
	snprintf(sql, sizeof sql, "UPDATE audit_log SET detail = '{\"i\":1,\"名\":\"值\\n\"}' WHERE seq = %lld",
		 (long long)k);
	exec(db, sql); /* restored: intact again */
	assert_int_equal(verify(db).intact, true);
	snprintf(sql, sizeof sql, "UPDATE audit_log SET actor = 'mallory' WHERE seq = %lld", (long long)base);
	expect_bad(db, sql, base);
	snprintf(sql, sizeof sql, "UPDATE audit_log SET actor = 'test' WHERE seq = %lld", (long long)base);
	exec(db, sql);
	assert_int_equal(verify(db).intact, true);

	/* changed with its own hash recomputed: the next row no longer links */
	struct db_stmt *st;
	bool row = false;
	CHECK(db_prepare(db,
			 "SELECT at, actor, action, entity, entity_id, region_code, detail, prev_hash FROM audit_log "
			 "WHERE seq = $1",
			 0, &st, E));
	db_bind_int64(st, 1, k);
	CHECK(db_step(st, &row, E));
	assert_true(row);
	struct audit_row r = {.seq = k,
			      .at = db_column_text(st, 0, NULL),
			      .actor = db_column_text(st, 1, NULL),
			      .action = db_column_text(st, 2, NULL),
			      .entity = db_column_text(st, 3, NULL),
			      .entity_id = "999",
			      .region_code = db_column_text(st, 5, NULL),
			      .detail = db_column_text(st, 6, &r.detail_len),
			      .prev_hash = db_column_text(st, 7, NULL)};
	char forged[AUDIT_HASH_HEX];
	audit_hash(&r, forged);
	db_finalize(st);
	snprintf(sql, sizeof sql, "UPDATE audit_log SET entity_id = '999', hash = '%s' WHERE seq = %lld", forged,
		 (long long)k);
	expect_bad(db, sql, k + 1);
	db_close(db);

	/* removed (a gap), removed at the end, inserted: each on a fresh chain */
	struct {
		const char *what;
		int64_t bad;
	} cases[] = {
	    {"DELETE FROM audit_log WHERE seq = %lld", k},
	    {"DELETE FROM audit_log WHERE seq = %lld", n},
	    {"INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, region_code, detail, prev_hash, "
	     "hash) SELECT seq + 1, at, actor, action, entity, entity_id, region_code, detail, hash, hash "
	     "FROM audit_log WHERE seq = %lld",
	     n + 1},
	    {"INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, region_code, detail, prev_hash, "
	     "hash) SELECT 0, at, actor, action, entity, entity_id, region_code, detail, hash, hash "
	     "FROM audit_log WHERE seq = %lld",
	     0}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		teardown(state);
		setup(state);
		f = *state;
		db = migrated(f);
		CHECK(db_begin(db, E));
		for (int i = 0; i < 5; i++)
			CHECK(audit_append(db, "tester", "test.append", "thing", "1", NULL, E));
		CHECK(db_commit(db, E));
		assert_int_equal(verify(db).intact, true);
		snprintf(sql, sizeof sql, cases[c].what, (long long)(c == 2 || c == 3 ? n : cases[c].bad));
		expect_bad(db, sql, cases[c].bad);
		db_close(db);
	}
}

struct writer {
	const char *target;
	int appends;
	dd_status rc;
	dd_error err;
};

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	struct db *db = NULL;
	w->rc = db_open(w->target, 0, &db, &w->err);
	for (int i = 0; i < w->appends && !w->rc; i++) {
		w->rc = db_begin(db, &w->err);
		if (!w->rc)
			w->rc = audit_append(db, "writer", "test.concurrent", "thing", "1", NULL, &w->err);
		if (!w->rc)
			w->rc = audit_append(db, "writer", "test.concurrent", "thing", "2", NULL, &w->err);
		if (!w->rc)
			w->rc = db_commit(db, &w->err);
		else
			db_rollback(db);
	}
	db_close(db);
	return NULL;
}

/* One connection per thread, appending at the same time: the head row
 * serializes them and the chain stays whole. */
static void audit_concurrent_writers(void **state)
{
	struct fx *f = *state;
	struct db *db = migrated(f);
	int64_t base = count(db, "SELECT count(*) FROM audit_log");
	struct writer w[3];
	pthread_t th[3];
	for (int i = 0; i < 3; i++) {
		w[i] = (struct writer){.target = f->target, .appends = 30};
		pthread_create(&th[i], NULL, writer_run, &w[i]);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		if (w[i].rc)
			fail_msg("writer %d: %s", i, w[i].err.message);
	}
	struct audit_report rep = verify(db);
	assert_true(rep.intact);
	assert_int_equal(rep.count, base + 3 * 30 * 2);
	db_close(db);
}

static void file_mode_and_backup(void **state)
{
	struct fx *f = *state;
	if (f->pg) {
		struct db *db = migrated(f);
		dd_error err;
		assert_int_equal(db_backup(db, "/tmp/never", false, &err), DD_EINVAL);
		assert_non_null(strstr(err.message, "pg_dump"));
		db_close(db);
		return;
	}
	dd_error err;
	struct db *db;
	/* not created without DB_OPEN_CREATE */
	assert_int_equal(db_open(f->target, 0, &db, &err), DD_ENOTFOUND);
	mode_t old = umask(0);
	db = migrated(f);
	umask(old);
	struct stat sb;
	assert_int_equal(stat(f->target, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char p[1100];
	snprintf(p, sizeof p, "%s-wal", f->target);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(db_backend(db), DB_SQLITE);
	assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);

	snprintf(p, sizeof p, "%s/backup.db", f->dir);
	old = umask(0);
	CHECK(db_backup(db, p, false, E));
	umask(old);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(db_backup(db, p, false, &err), DD_EINVAL); /* no silent overwrite */
	CHECK(db_backup(db, p, true, E));
	int64_t rows = count(db, "SELECT count(*) FROM audit_log");
	db_close(db);

	struct db *bk;
	CHECK(db_open(p, 0, &bk, E));
	CHECK(store_check_schema(bk, E));
	struct audit_report rep = verify(bk);
	assert_true(rep.intact);
	assert_int_equal(rep.count, rows);
	db_close(bk);

	/* a file that is not a database is an error, not a crash */
	snprintf(p, sizeof p, "%s/other.db", f->dir);
	FILE *g = fopen(p, "w");
	fputs("this is not a database, just text that is long enough to have a header ......................", g);
	fclose(g);
	assert_int_not_equal(db_open(p, 0, &db, &err), DD_OK);
}

/* store_time_text (arithmetic) against gmtime_r + strftime, over leap
 * days, century years, ends of months and years and random instants. */
static void time_text_matches_gmtime(void **state)
{
	(void)state;
	static const int64_t fixed[] = {0,
					999,
					951782400000LL,	 /* 2000-02-29 */
					4107542399999LL, /* 2100-02-28T23:59:59.999 */
					1795473981329LL,
					253402300799999LL}; /* 9999-12-31T23:59:59.999 */
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		int64_t ms;
		if (i < (int)(sizeof fixed / sizeof fixed[0])) {
			ms = fixed[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			ms = (int64_t)(x % 253402300800000ULL);
		}
		char got[STORE_TIME_MAX], want[STORE_TIME_MAX];
		store_time_text(ms, got);
		time_t t = (time_t)(ms / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + n, sizeof want - n, ".%03dZ", (int)(ms % 1000));
		if (strcmp(got, want) != 0)
			fail_msg("%lld ms: %s, gmtime says %s", (long long)ms, got, want);
	}
	char now[STORE_TIME_MAX];
	store_now(now);
	assert_int_equal(strlen(now), 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(migrate_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(migrate_refuses_changed_or_newer, setup, teardown),
	    cmocka_unit_test_setup_teardown(placeholders_and_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(transaction_rolls_back_whole, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_active_household, setup, teardown),
	    cmocka_unit_test_setup_teardown(bulk_insert, setup, teardown),
	    cmocka_unit_test_setup_teardown(region_scope_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(audit_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(demo_clock_never_backdates, setup, teardown),
	    cmocka_unit_test_setup_teardown(audit_concurrent_writers, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_mode_and_backup, setup, teardown),
	    cmocka_unit_test(time_text_matches_gmtime),
	};
	const char *name = pg_uri() ? "store (PostgreSQL)" : "store (SQLite)";
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
