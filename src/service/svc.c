/* svc.c - service errors. */
#include "svc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"

void svc_error_clear(struct svc_error *e)
{
	memset(e, 0, sizeof *e);
}

void svc_error_prefix(struct svc_error *e, const char *prefix)
{
	if (e)
		dd_field_prefix(e->field, prefix);
}

enum svc_kind svc_fail(struct svc_error *e, enum svc_kind kind, const char *code, const char *field, const char *fmt,
		       ...)
{
	if (!e)
		return kind;
	e->kind = kind;
	snprintf(e->code, sizeof e->code, "%s", code ? code : "");
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return kind;
}

enum svc_kind svc_from_status(struct svc_error *e, dd_status rc, const dd_error *err)
{
	switch (rc) {
	case DD_OK:
		return SVC_OK;
	case DD_EINVAL:
	case DD_ERANGE:
	case DD_ELIMIT:
		return svc_fail(e, SVC_BAD_INPUT, "BAD_INPUT", err && err->field[0] ? err->field : "$", "%s",
				err && err->message[0] ? err->message : "输入有误");
	case DD_ENOTFOUND:
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到");
	case DD_ENOMEM:
	case DD_EIO:
		break;
	}
	return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "服务器内部错误，请稍后重试");
}

enum svc_kind svc_store_fail(struct svc_error *e, struct db *db, dd_status rc, const dd_error *err)
{
	if (db_in_transaction(db))
		db_rollback(db);
	if (db_last_fault(db) == DB_FAULT_CONNECTION)
		return svc_fail(e, SVC_UNAVAILABLE, "STORE_UNAVAILABLE", NULL, "数据库暂时无法访问，请稍后重试");
	if (db_last_fault(db) == DB_FAULT_BUSY)
		return svc_fail(e, SVC_CONFLICT, "BUSY", NULL, "数据库繁忙，请稍后重试");
	return svc_from_status(e, rc == DD_EINVAL ? DD_EIO : rc, err);
}

enum svc_kind svc_page_check(int64_t page, int64_t per_page, int64_t max, struct svc_error *e)
{
	if (page < 1 || page > SVC_PAGE_MAX)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PAGE", "page", "page 应为从 1 起的页码");
	if (max > SVC_PER_PAGE_MAX)
		max = SVC_PER_PAGE_MAX;
	if (per_page < 1 || per_page > max)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PAGE", "per_page", "per_page 应为 1-%lld", (long long)max);
	return SVC_OK;
}

bool svc_text_clean(const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return n <= max;
}

bool svc_one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

bool svc_blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

enum svc_kind svc_check_text(const char *s, const char *field, const char *label, size_t max, struct svc_error *e)
{
	if (s && (strlen(s) > max || !svc_text_clean(s, max)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", field, "%s %s 过长或含控制字符", label, field);
	return SVC_OK;
}

enum svc_kind svc_rollback(struct db *db, enum svc_kind k)
{
	db_rollback(db);
	return k;
}

int svc_http_status(enum svc_kind kind)
{
	switch (kind) {
	case SVC_OK:
		return 200;
	case SVC_BAD_INPUT:
		return 400;
	case SVC_UNAUTHENTICATED:
		return 401;
	case SVC_FORBIDDEN:
		return 403;
	case SVC_NOT_FOUND:
		return 404;
	case SVC_CONFLICT:
		return 409;
	case SVC_RULE:
		return 422;
	case SVC_TOO_MANY:
		return 429;
	case SVC_UNAVAILABLE:
		return 503;
	case SVC_INTERNAL:
		break;
	}
	return 500;
}

void svc_json_member_id(struct strbuf *b, const char *key, const struct db_stmt *st, int col)
{
	strbuf_addf(b, ",\"%s\":", key);
	if (db_column_is_null(st, col))
		strbuf_adds(b, "null");
	else
		strbuf_add_int(b, db_column_int64(st, col));
}

dd_status svc_event_insert(struct db *db, const char *insert_sql, int64_t id, const char *region, const char *action,
			   const char *from, const char *to, int64_t actor, const char *at, const char *note,
			   dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(db, insert_sql, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, region);
	db_bind_str(st, 3, action);
	db_bind_str(st, 4, from);
	db_bind_str(st, 5, to);
	db_bind_int64(st, 6, actor);
	db_bind_str(st, 7, at);
	db_bind_str(st, 8, note);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

bool svc_text_block_ok(const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
			return false;
	return n <= max;
}
