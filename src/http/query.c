/* query.c - see query.h. */
#include "query.h"

#include <string.h>

#include "core/json.h"

void query_add(struct http_query *q, const char *key, const char *value)
{
	if (q->n == QUERY_MAX_PARAMS) {
		q->too_many = true;
		return;
	}
	q->kv[q->n].key = key ? key : "";
	q->kv[q->n].value = value ? value : "";
	q->n++;
}

enum svc_kind query_check(const struct http_query *q, struct svc_error *e)
{
	if (q->too_many)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", NULL, "查询参数过多（最多 %d 个）", QUERY_MAX_PARAMS);
	return SVC_OK;
}

enum svc_kind query_find(const struct http_query *q, const char *key, const char **out, struct svc_error *e)
{
	*out = NULL;
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->kv[i].key, key) != 0)
			continue;
		if (*out)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "查询参数重复");
		*out = q->kv[i].value;
	}
	return SVC_OK;
}

enum svc_kind query_int(const struct http_query *q, const char *key, int64_t lo, int64_t hi, int64_t def, int64_t *out,
			struct svc_error *e)
{
	const char *v;
	enum svc_kind k = query_find(q, key, &v, e);
	if (k)
		return k;
	if (!v || !*v) {
		*out = def;
		return SVC_OK;
	}
	int64_t n = 0;
	size_t i = 0, len = strlen(v);
	if (len > 18)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "应为 %lld 至 %lld 之间的整数", (long long)lo,
				(long long)hi);
	for (; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "应为 %lld 至 %lld 之间的整数",
					(long long)lo, (long long)hi);
		n = n * 10 + (v[i] - '0');
	}
	if (n < lo || n > hi)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "应为 %lld 至 %lld 之间的整数", (long long)lo,
				(long long)hi);
	*out = n;
	return SVC_OK;
}

enum svc_kind query_page(const struct http_query *q, int64_t *page, int64_t *per_page, struct svc_error *e)
{
	enum svc_kind k = query_check(q, e);
	if (!k)
		k = query_int(q, "page", 1, SVC_PAGE_MAX, 1, page, e);
	if (!k)
		k = query_int(q, "per_page", 1, SVC_PER_PAGE_MAX, SVC_PER_PAGE_DEFAULT, per_page, e);
	if (!k)
		k = svc_page_check(*page, *per_page, SVC_PER_PAGE_MAX, e);
	return k;
}

enum svc_kind query_text(const struct http_query *q, const char *key, size_t max_bytes, char *out, struct svc_error *e)
{
	const char *v;
	enum svc_kind k = query_find(q, key, &v, e);
	out[0] = '\0';
	if (k || !v)
		return k;
	size_t len = strlen(v);
	while (len && v[len - 1] == ' ')
		len--;
	while (len && *v == ' ') {
		v++;
		len--;
	}
	if (max_bytes > QUERY_VALUE_MAX)
		max_bytes = QUERY_VALUE_MAX;
	if (len > max_bytes)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "过长（最多 %zu 字节）", max_bytes);
	const unsigned char *p = (const unsigned char *)v, *end = p + len;
	while (p < end) {
		if (*p < 0x20 || *p == 0x7F)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "含有控制字符");
		size_t n = json_utf8_len(p, end);
		if (!n)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "不是有效的 UTF-8 文本");
		p += n;
	}
	memcpy(out, v, len);
	out[len] = '\0';
	return SVC_OK;
}

enum svc_kind query_flag(const struct http_query *q, const char *key, bool *out, struct svc_error *e)
{
	const char *v;
	enum svc_kind k = query_find(q, key, &v, e);
	*out = false;
	if (k || !v)
		return k;
	if (!*v || strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", key, "应为 1 或 0");
	return SVC_OK;
}
