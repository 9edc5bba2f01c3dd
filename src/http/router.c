/* router.c - method and path matching. No I/O. */
#include "router.h"

#include <stdio.h>
#include <string.h>

static const struct {
	enum http_method m;
	const char *name;
} methods[] = {
    {HTTP_GET, "GET"},	   {HTTP_HEAD, "HEAD"},	    {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_OPTIONS, "OPTIONS"},
};

enum http_method http_method_parse(const char *s)
{
	if (!s)
		return HTTP_OTHER;
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(s, methods[i].name) == 0)
			return methods[i].m;
	return HTTP_OTHER;
}

void http_methods_text(unsigned mask, char *out, size_t cap)
{
	size_t n = 0;
	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (!(mask & (unsigned)methods[i].m))
			continue;
		int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", methods[i].name);
		if (w < 0 || (size_t)w >= cap - n)
			return;
		n += (size_t)w;
	}
}

bool router_path_ok(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	size_t n = strlen(path);
	if (n > ROUTE_PATH_MAX)
		return false;
	if (n == 1)
		return true;
	if (path[n - 1] == '/')
		return false;
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '%')
			return false;
	}
	/* segments: none empty, none "." or ".." */
	for (const char *seg = path + 1;;) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (!end)
			break;
		seg = end + 1;
	}
	return true;
}

/* Matches path against one pattern, filling out's params. */
static bool match_one(const char *pattern, const char *path, struct route_match *out)
{
	const char *p = pattern, *s = path;
	out->nparams = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++, s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p), sl = se ? (size_t)(se - s) : strlen(s);
		if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
			bool word = pl >= 3 && p[1] == '*';
			if (sl == 0 || sl > (word ? 96u : 19u) || out->nparams >= ROUTE_PARAMS_MAX)
				return false;
			for (size_t i = 0; i < sl; i++) {
				char ch = s[i];
				bool digit = ch >= '0' && ch <= '9';
				if (!digit && !(word && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
							 ch == '.' || ch == '_' || ch == '-')))
					return false;
			}
			struct route_param *rp = &out->params[out->nparams++];
			rp->name = p + 1 + word;
			rp->name_len = pl - 2 - word;
			rp->value = s;
			rp->len = sl;
		} else if (pl != sl || memcmp(p, s, pl) != 0) {
			return false;
		}
		p += pl, s += sl;
	}
	return *p == '\0' && *s == '\0';
}

enum route_result router_match(const struct route *routes, size_t n, enum http_method m, const char *path,
			       struct route_match *out, unsigned *allowed)
{
	unsigned mask = 0;
	if (allowed)
		*allowed = 0;
	memset(out, 0, sizeof *out);
	if (!router_path_ok(path))
		return ROUTE_NOT_FOUND;
	enum http_method want = m == HTTP_HEAD ? HTTP_GET : m;
	struct route_match tmp;
	for (size_t i = 0; i < n; i++) {
		if (!match_one(routes[i].pattern, path, &tmp))
			continue;
		mask |= (unsigned)routes[i].method;
		if (routes[i].method == HTTP_GET)
			mask |= HTTP_HEAD;
		if (routes[i].method == want && !out->route) {
			*out = tmp;
			out->route = &routes[i];
		}
	}
	if (allowed)
		*allowed = mask;
	if (out->route)
		return ROUTE_OK;
	return mask ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}

bool route_param_id(const struct route_match *m, const char *name, long long *out)
{
	size_t nl = strlen(name);
	for (int i = 0; i < m->nparams; i++) {
		const struct route_param *p = &m->params[i];
		if (p->name_len != nl || memcmp(p->name, name, nl) != 0)
			continue;
		long long v = 0;
		for (size_t k = 0; k < p->len; k++) {
			int d = p->value[k] - '0';
			if (v > (9223372036854775807LL - d) / 10)
				return false;
			v = v * 10 + d;
		}
		if (v <= 0)
			return false;
		*out = v;
		return true;
	}
	return false;
}
