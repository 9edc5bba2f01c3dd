/* strbuf.c - growable buffer. No I/O. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->failed = false;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb, 0);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

bool strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->failed)
		return false;
	if (sb->cap && extra < sb->cap - sb->len)
		return true;
	if (extra > SIZE_MAX / 2 - sb->len - 1) {
		sb->failed = true;
		return false;
	}
	size_t want = sb->len + extra + 1;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < want)
		cap *= 2;
	char *p = realloc(sb->buf, cap);
	if (!p) {
		sb->failed = true;
		return false;
	}
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !strbuf_grow(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_add_int(struct strbuf *sb, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	strbuf_add(sb, p, (size_t)(tmp + sizeof tmp - p));
}

void strbuf_add_json_string(struct strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_grow(sb, n + 2))
		return;
	strbuf_addc(sb, '"');
	strbuf_add_json_escaped(sb, s, n);
	strbuf_addc(sb, '"');
}

void strbuf_add_json_string_or_null(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add_json_string(sb, s, strlen(s));
	else
		strbuf_adds(sb, "null");
}

void strbuf_add_json_member_text(struct strbuf *sb, const char *key, const char *v)
{
	strbuf_addf(sb, ",\"%s\":", key);
	strbuf_add_json_string_or_null(sb, v);
}

void strbuf_add_json_member_money(struct strbuf *sb, const char *key, fen_t v)
{
	char m[MONEY_TEXT_MAX];
	money_format(v, m);
	strbuf_addf(sb, ",\"%s\":\"%s\"", key, m);
}

void strbuf_add_json_escaped(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0, i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* eight bytes at a time while none is '"', '\\' or a control character */
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	for (; i + 8 <= n; i += 8) {
		uint64_t w, q, b;
		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & high)
			break;
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(sb, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"':
			strbuf_add(sb, "\\\"", 2);
			break;
		case '\\':
			strbuf_add(sb, "\\\\", 2);
			break;
		case '\n':
			strbuf_add(sb, "\\n", 2);
			break;
		case '\r':
			strbuf_add(sb, "\\r", 2);
			break;
		case '\t':
			strbuf_add(sb, "\\t", 2);
			break;
		default: {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			strbuf_add(sb, esc, 6);
		}
		}
	}
	strbuf_add(sb, s + start, n - start);
}
