/* json.h - a strict RFC 8259 JSON parser into an arena-allocated tree.
 *
 * Why ours and not jansson: money must be read from a number's exact text
 * (jansson turns it into a double), the household batch path needs arena
 * allocation with no per-node malloc, and one small parser is easy to fuzz.
 * It rejects invalid UTF-8, unpaired surrogates, "\u0000", control
 * characters in strings, leading zeros, trailing garbage, and nesting deeper
 * than the limit. Duplicate keys are left for the schema reader to refuse.
 *
 * Ownership: every node and string lives in the arena passed in. No I/O. */
#ifndef DD_JSON_H
#define DD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "status.h"

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value {
	enum json_type type;
	uint32_t len;	 /* string/number: bytes; array/object: children */
	const char *str; /* string (decoded, NUL-terminated) or number lexeme */
	const char *key; /* set when this value is an object member; NOT NUL-terminated: use key_len */
	uint32_t key_len;
	struct json_value *child; /* first element or member */
	struct json_value *next;  /* next sibling */
};

struct json_limits {
	unsigned max_depth; /* arrays/objects nested deeper are refused */
};

#define JSON_DEFAULT_DEPTH 32

/* Parses text[0..n). On error fills err with the byte offset in the message
 * and field "$", and returns DD_EINVAL / DD_ELIMIT / DD_ENOMEM. */
dd_status json_parse(const char *text, size_t n, struct arena *a, const struct json_limits *lim,
		     struct json_value **out, dd_error *err) DD_MUST_CHECK;

/* Member of an object by key, or NULL. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
const char *json_type_name(enum json_type t);
/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated at end). */
size_t json_utf8_len(const unsigned char *p, const unsigned char *end);
/* Parses an integer number lexeme (no fraction, no exponent) into *out. */
bool json_int64(const struct json_value *v, int64_t *out);

struct strbuf;
/* Writes v back as JSON (compact; numbers as their lexemes, strings
 * escaped). */
void json_write(struct strbuf *b, const struct json_value *v);
/* The same, each string offered to hook first: it returns true when it
 * wrote the string itself (a masked ID number, say). */
typedef bool (*json_string_hook)(struct strbuf *b, const struct json_value *v, void *ctx);
void json_write_hooked(struct strbuf *b, const struct json_value *v, json_string_hook hook, void *ctx);

#endif
