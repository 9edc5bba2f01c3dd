/* cookie.c - Cookie header parsing and the Set-Cookie value. No I/O. */
#include "cookie.h"

#include <stdio.h>
#include <string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

bool cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	if (!header || !name || !cap)
		return false;
	size_t nl = strlen(name);
	const char *p = header;
	while (*p) {
		while (is_space(*p) || *p == ';')
			p++;
		const char *pair = p;
		while (*p && *p != ';')
			p++;
		const char *end = p; /* pair .. end is "name=value" */
		const char *eq = memchr(pair, '=', (size_t)(end - pair));
		if (!eq)
			continue;
		const char *ke = eq;
		while (ke > pair && is_space(ke[-1]))
			ke--;
		if ((size_t)(ke - pair) != nl || memcmp(pair, name, nl) != 0)
			continue;
		const char *v = eq + 1, *ve = end;
		while (v < ve && is_space(*v))
			v++;
		while (ve > v && is_space(ve[-1]))
			ve--;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"')
			v++, ve--;
		size_t len = (size_t)(ve - v);
		if (len == 0 || len >= cap)
			return false;
		memcpy(out, v, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

bool cookie_session_value(char *out, size_t cap, const char *token, long max_age, bool secure)
{
	int n = snprintf(out, cap, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s", SESSION_COOKIE,
			 token ? token : "", token ? max_age : 0L, secure ? "; Secure" : "");
	return n > 0 && (size_t)n < cap;
}
