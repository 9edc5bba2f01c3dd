/* bench_store.c - bulk-insert rate into the persons table (with its unique
 * ID-number index and region index) through db_bulk, one transaction, ids
 * reserved first, ID numbers in random order, rows grouped by village as a
 * county's export file is. Usage: bench_store TARGET [ROWS]; TARGET an SQLite path
 * (created) or a PostgreSQL URI (the public schema is dropped and recreated:
 * use a throwaway database, e.g. under tests/pg.sh). Prints one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/store.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const dd_error *err)
{
	fprintf(stderr, "bench_store: %s: %s\n", err->field, err->message);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_store TARGET [ROWS]\n");
		return 2;
	}
	long long n = argc > 2 ? strtoll(argv[2], NULL, 10) : 200000;
	if (n <= 0 || n > 100000000)
		n = 200000;
	dd_error err;
	struct db *db;
	if (db_open(argv[1], DB_OPEN_CREATE, &db, &err))
		return die(&err);
	if (db_backend(db) == DB_POSTGRES &&
	    db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;", &err))
		return die(&err);
	if (store_migrate(db, "bench", NULL, NULL, NULL, &err))
		return die(&err);
	static const char *const cols[] = {
	    "id",	   "id_number",	       "name",		 "birth_date",	   "sex",
	    "region_code", "disability_grade", "severe_illness", "labor_capacity", "created_at",
	    "updated_at"};
	int64_t *ids = malloc((size_t)n * sizeof *ids);
	if (!ids)
		return 1;
	double t0 = now_s();
	struct db_bulk *b;
	if (db_begin(db, &err) || db_reserve_ids(db, "persons", n, ids, &err) ||
	    db_bulk_begin(db, "persons", cols, 11, &b, &err))
		return die(&err);
	char idn[32], region[32], stamp[STORE_TIME_MAX];
	store_now(stamp);
	for (long long i = 0; i < n; i++) {
		/* spread like real ID numbers so the unique index is not fed in order */
		unsigned long long k = ((unsigned long long)i * 2654435761ull) % 100000000ull;
		snprintf(idn, sizeof idn, "5001541980%08llu", k);
		/* a county's file comes village by village: ~500 persons each */
		snprintf(region, sizeof region, "500154%03lld%03lld", (i / 15000) % 1000, (i / 500) % 30);
		db_bulk_int64(b, ids[i]);
		db_bulk_str(b, idn);
		db_bulk_str(b, "张某某");
		db_bulk_str(b, "1980-01-01");
		db_bulk_str(b, i % 2 ? "male" : "female");
		db_bulk_str(b, region);
		db_bulk_int64(b, i % 5);
		db_bulk_int64(b, i % 7 == 0);
		db_bulk_str(b, "full");
		db_bulk_str(b, stamp);
		db_bulk_str(b, stamp);
		if (db_bulk_row_end(b, &err))
			return die(&err);
	}
	int64_t rows = 0;
	if (db_bulk_finish(b, &rows, &err) || db_commit(db, &err))
		return die(&err);
	double dt = now_s() - t0;
	printf("bulk insert into persons (%s): %lld rows in %.2f s = %.0f rows/s\n",
	       db_backend(db) == DB_POSTGRES ? "PostgreSQL" : "SQLite", (long long)rows, dt, (double)rows / dt);
	free(ids);
	db_close(db);
	return 0;
}
