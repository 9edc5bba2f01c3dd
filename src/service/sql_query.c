/* sql_query.c - SQL text with numbered placeholders (sql_query.h). */
#include "sql_query.h"

#include "store/db.h"

void sql_query_init(struct sql_query *q)
{
	memset(q, 0, sizeof *q);
	strbuf_init(&q->text, 512);
}

void sql_query_release(struct sql_query *q)
{
	strbuf_release(&q->text);
}

void sql_query_sql(struct sql_query *q, const char *sql)
{
	strbuf_adds(&q->text, sql);
}

static void placeholder(struct sql_query *q, const char *s, int64_t v)
{
	if (q->n >= SQL_QUERY_PARAMS) {
		q->overflow = true;
		return;
	}
	q->p[q->n].s = s;
	q->p[q->n].v = v;
	strbuf_addf(&q->text, "$%d", ++q->n);
}

void sql_query_text(struct sql_query *q, const char *s)
{
	placeholder(q, s ? s : "", 0);
}

void sql_query_int(struct sql_query *q, int64_t v)
{
	placeholder(q, NULL, v);
}

dd_status sql_query_prepare(struct db *db, const struct sql_query *q, struct db_stmt **out, dd_error *err)
{
	if (q->overflow || q->text.failed)
		return dd_fail(err, q->text.failed ? DD_ENOMEM : DD_EINVAL, "db",
			       "查询语句构造失败 (the query could not be built)");
	dd_status rc = db_prepare_cached(db, q->text.buf, out, err);
	if (rc)
		return rc;
	for (int i = 0; i < q->n; i++) {
		if (q->p[i].s)
			db_bind_str(*out, i + 1, q->p[i].s);
		else
			db_bind_int64(*out, i + 1, q->p[i].v);
	}
	return DD_OK;
}

dd_status sql_query_int64(struct db *db, const struct sql_query *q, int64_t *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*out = 0;
	dd_status rc = sql_query_prepare(db, q, &st, err);
	if (rc)
		return rc;
	rc = db_step(st, &row, err);
	if (!rc && row)
		*out = db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}
