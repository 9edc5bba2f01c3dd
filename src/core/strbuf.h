/* strbuf.h - a growable byte buffer for building output text.
 *
 * Lifecycle: strbuf_init, append…, strbuf_release. On allocation failure the
 * buffer is marked failed and later appends do nothing; check sb->failed once
 * at the end instead of after every append. */
#ifndef DD_STRBUF_H
#define DD_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "money.h"
#include "status.h"

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool failed;
};

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
bool strbuf_grow(struct strbuf *sb, size_t extra);

/* The appends are inline: output is built a few bytes at a time, and the
 * common case (room left) must cost a compare and a copy. The buffer stays
 * NUL-terminated. */
static inline void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	if ((sb->cap - sb->len <= n || !sb->cap) && !strbuf_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

static inline void strbuf_addc(struct strbuf *sb, char c)
{
	if ((sb->cap - sb->len <= 1 || !sb->cap) && !strbuf_grow(sb, 1))
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) DD_PRINTF(2, 3);
void strbuf_add_int(struct strbuf *sb, int64_t v);
/* Appends s escaped for the inside of a JSON string (no quotes). */
void strbuf_add_json_escaped(struct strbuf *sb, const char *s, size_t n);
/* Appends s as a JSON string literal (quotes and escapes included). */
void strbuf_add_json_string(struct strbuf *sb, const char *s, size_t n);
/* Appends the NUL-terminated s as a JSON string literal, or null for NULL. */
void strbuf_add_json_string_or_null(struct strbuf *sb, const char *s);
/* A further member of an object being written: ,"key":"v" (null when v is
 * NULL) and ,"key":"1234.56" (money from fen). key is not escaped: a literal. */
void strbuf_add_json_member_text(struct strbuf *sb, const char *key, const char *v);
void strbuf_add_json_member_money(struct strbuf *sb, const char *key, fen_t v);

#endif
