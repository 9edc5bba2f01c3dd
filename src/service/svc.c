/* svc.c - service errors. */
#include "svc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void svc_error_clear(struct svc_error *e)
{
	memset(e, 0, sizeof *e);
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
