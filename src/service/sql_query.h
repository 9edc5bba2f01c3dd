/* sql_query.h - SQL text built from optional filters, with its $n
 * placeholders numbered as they are added and their values bound in one go
 * (db.h wants exactly $1..$N). Only fixed SQL fragments go into the text;
 * every value is a bound parameter. The texts a service builds are few and
 * repeat, so the statement is prepared through the connection's cache. */
#ifndef DD_SERVICE_SQL_QUERY_H
#define DD_SERVICE_SQL_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "core/strbuf.h"

struct db;
struct db_stmt;

#define SQL_QUERY_PARAMS 8

struct sql_query {
	struct strbuf text;
	int n;
	bool overflow; /* more than SQL_QUERY_PARAMS values */
	struct {
		const char *s; /* NULL: the integer v */
		int64_t v;
	} p[SQL_QUERY_PARAMS];
};

void sql_query_init(struct sql_query *q);
void sql_query_release(struct sql_query *q);
/* Appends fixed SQL text. */
void sql_query_sql(struct sql_query *q, const char *sql);
/* Appends the next placeholder, bound to text s (kept by pointer until
 * sql_query_prepare) or to the integer v. */
void sql_query_text(struct sql_query *q, const char *s);
void sql_query_int(struct sql_query *q, int64_t v);
/* Prepares (cached) and binds; db_finalize the statement after use. */
dd_status sql_query_prepare(struct db *db, const struct sql_query *q, struct db_stmt **out,
			    dd_error *err) DD_MUST_CHECK;

/* Runs a query of one integer (SELECT count(*) …): *out, 0 when no row. */
dd_status sql_query_int64(struct db *db, const struct sql_query *q, int64_t *out, dd_error *err) DD_MUST_CHECK;

#endif
