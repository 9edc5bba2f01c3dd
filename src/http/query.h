/* query.h - the query string of a request as typed, checked values. Pure:
 * no I/O. server.c fills a struct http_query from libmicrohttpd's decoded
 * arguments; handlers read them through the getters, which refuse bad input
 * with a 400-kind svc_error naming the parameter ("per_page") and saying why
 * in Chinese. Unknown parameters are ignored; a parameter given twice is
 * refused (which one was meant is unknowable). */
#ifndef DD_HTTP_QUERY_H
#define DD_HTTP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/svc.h"

#define QUERY_MAX_PARAMS 32
#define QUERY_VALUE_MAX 256 /* bytes of one value */

struct http_query {
	size_t n;
	bool too_many; /* more than QUERY_MAX_PARAMS were sent */
	struct {
		const char *key;
		const char *value; /* "" for "?key" without '=' */
	} kv[QUERY_MAX_PARAMS];
};

/* Adds one decoded pair (the strings must outlive the query). */
void query_add(struct http_query *q, const char *key, const char *value);

/* Checks the whole query once: not too many parameters. */
enum svc_kind query_check(const struct http_query *q, struct svc_error *e);

/* *out = the value of key, or NULL when absent. A repeated key is refused. */
enum svc_kind query_find(const struct http_query *q, const char *key, const char **out, struct svc_error *e);

/* An integer in [lo, hi]; def when absent or empty. */
enum svc_kind query_int(const struct http_query *q, const char *key, int64_t lo, int64_t hi, int64_t def, int64_t *out,
			struct svc_error *e);

/* page and per_page of a list, the one parser of every list endpoint:
 * page 1..SVC_PAGE_MAX (default 1), per_page 1..SVC_PER_PAGE_MAX (default
 * SVC_PER_PAGE_DEFAULT); 400 naming the one at fault. Also query_check. */
enum svc_kind query_page(const struct http_query *q, int64_t *page, int64_t *per_page, struct svc_error *e);

/* Text of at most max_bytes (≤ QUERY_VALUE_MAX) bytes, valid UTF-8 without
 * control characters, spaces at both ends trimmed into out (size max_bytes +
 * 1); "" when absent. */
enum svc_kind query_text(const struct http_query *q, const char *key, size_t max_bytes, char *out, struct svc_error *e);

/* A true/false flag: "1", "true" or "" (present without value) are true;
 * "0" or "false" false; absent is false; anything else is refused. */
enum svc_kind query_flag(const struct http_query *q, const char *key, bool *out, struct svc_error *e);

#endif
