/* json.c - recursive-descent JSON parser with explicit depth limit. No I/O. */
#include "json.h"

#include "strbuf.h"

#include <string.h>

struct parser {
	const unsigned char *p, *end, *start;
	struct arena *a;
	unsigned depth, max_depth;
	dd_error *err;
};

static dd_status fail(struct parser *ps, dd_status code, const char *what)
{
	return dd_fail(ps->err, code, "$", "JSON 格式错误，第 %zu 字节：%s", (size_t)(ps->p - ps->start), what);
}

static void skip_ws(struct parser *ps)
{
	if (ps->p<ps->end && * ps->p> ' ')
		return; /* compact JSON: the usual case */
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json_value *node(struct parser *ps, enum json_type t)
{
	struct json_value *v = arena_alloc(ps->a, sizeof *v);
	if (v) {
		memset(v, 0, sizeof *v);
		v->type = t;
	}
	return v;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(struct parser *ps, unsigned *out)
{
	if (ps->end - ps->p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(ps->p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	ps->p += 4;
	*out = v;
	return true;
}

size_t json_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	unsigned min;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static size_t put_utf8(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* 1 for bytes a string may hold as they are: 0x20..0x7F except '"' and '\\'. */
static const unsigned char ascii_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* At the opening quote. Decodes into the arena; *out NUL-terminated. When
 * key_mode is set and the string has no escapes, *out points into the input
 * instead (not NUL-terminated: keys are compared by length). */
static dd_status parse_string(struct parser *ps, const char **out, uint32_t *out_len, bool key_mode)
{
	ps->p++;
	const unsigned char *s = ps->p;
	bool plain = true;
	for (;;) {
		/* fast path: printable ASCII other than '"' and '\\' */
		while (ps->end - ps->p >= 4 && ascii_plain[ps->p[0]] && ascii_plain[ps->p[1]] &&
		       ascii_plain[ps->p[2]] && ascii_plain[ps->p[3]])
			ps->p += 4;
		while (ps->p < ps->end && ascii_plain[*ps->p])
			ps->p++;
		if (ps->p >= ps->end || *ps->p == '"')
			break;
		unsigned char c = *ps->p;
		if (c < 0x20)
			return fail(ps, DD_EINVAL, "字符串中有控制字符 (control character in string)");
		if (c == '\\') {
			plain = false;
			ps->p += 2;
			continue;
		}
		if (c < 0x80) {
			ps->p++;
			continue;
		}
		size_t k = json_utf8_len(ps->p, ps->end);
		if (!k)
			return fail(ps, DD_EINVAL, "非法 UTF-8 编码 (invalid UTF-8)");
		ps->p += k;
	}
	if (ps->p >= ps->end)
		return fail(ps, DD_EINVAL, "字符串未结束 (unterminated string)");
	size_t raw = (size_t)(ps->p - s);
	if (raw > UINT32_MAX - 1)
		return fail(ps, DD_ELIMIT, "字符串过长 (string too long)");
	if (plain && key_mode) {
		ps->p++;
		*out = (const char *)s;
		*out_len = (uint32_t)raw;
		return DD_OK;
	}
	unsigned char *o = arena_alloc(ps->a, raw + 1);
	if (!o)
		return fail(ps, DD_ENOMEM, "内存不足 (out of memory)");
	size_t len = 0;
	if (plain) {
		memcpy(o, s, raw);
		len = raw;
	} else {
		const unsigned char *q = s;
		while (q < ps->p) {
			if (*q != '\\') {
				o[len++] = *q++;
				continue;
			}
			q++;
			unsigned char e = *q++;
			switch (e) {
			case '"':
				o[len++] = '"';
				break;
			case '\\':
				o[len++] = '\\';
				break;
			case '/':
				o[len++] = '/';
				break;
			case 'b':
				o[len++] = '\b';
				break;
			case 'f':
				o[len++] = '\f';
				break;
			case 'n':
				o[len++] = '\n';
				break;
			case 'r':
				o[len++] = '\r';
				break;
			case 't':
				o[len++] = '\t';
				break;
			case 'u': {
				const unsigned char *save = ps->p;
				ps->p = q;
				unsigned cp, lo;
				if (!read_hex4(ps, &cp)) {
					ps->p = q;
					return fail(ps, DD_EINVAL, "\\u 转义格式错误 (bad \\u escape)");
				}
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
						return fail(ps, DD_EINVAL, "代理对不完整 (unpaired surrogate)");
					ps->p += 2;
					if (!read_hex4(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						return fail(ps, DD_EINVAL, "代理对不完整 (unpaired surrogate)");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return fail(ps, DD_EINVAL, "代理对不完整 (unpaired surrogate)");
				} else if (cp == 0) {
					return fail(ps, DD_EINVAL, "不允许 \\u0000 (NUL not allowed)");
				}
				q = ps->p;
				ps->p = save;
				len += put_utf8(o + len, cp);
				break;
			}
			default: {
				ps->p = q - 1;
				return fail(ps, DD_EINVAL, "非法转义字符 (invalid escape)");
			}
			}
		}
	}
	o[len] = '\0';
	ps->p++; /* closing quote */
	*out = (const char *)o;
	*out_len = (uint32_t)len;
	return DD_OK;
}

static dd_status parse_number(struct parser *ps, struct json_value *v)
{
	const unsigned char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return fail(ps, DD_EINVAL, "数字格式错误 (invalid number)");
	if (*ps->p == '0') {
		ps->p++;
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			return fail(ps, DD_EINVAL, "数字不能有前导零 (leading zero)");
	} else {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		const unsigned char *f = ps->p;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
		if (ps->p == f)
			return fail(ps, DD_EINVAL, "数字格式错误 (invalid number)");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		const unsigned char *f = ps->p;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
		if (ps->p == f)
			return fail(ps, DD_EINVAL, "数字格式错误 (invalid number)");
	}
	size_t n = (size_t)(ps->p - s);
	if (n > 4096)
		return fail(ps, DD_ELIMIT, "数字过长 (number too long)");
	v->str = arena_strndup(ps->a, (const char *)s, n);
	if (!v->str)
		return fail(ps, DD_ENOMEM, "内存不足 (out of memory)");
	v->len = (uint32_t)n;
	return DD_OK;
}

static bool literal(struct parser *ps, const char *word, size_t n)
{
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static dd_status parse_value(struct parser *ps, struct json_value **out);

static dd_status parse_container(struct parser *ps, struct json_value *v, bool is_object)
{
	char close = is_object ? '}' : ']';
	if (++ps->depth > ps->max_depth)
		return fail(ps, DD_ELIMIT, "嵌套层数过深 (nesting too deep)");
	ps->p++;
	skip_ws(ps);
	struct json_value **tail = &v->child;
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return DD_OK;
	}
	for (;;) {
		const char *key = NULL;
		uint32_t key_len = 0;
		dd_status rc;
		if (is_object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, DD_EINVAL, "应为字段名 (expected a key string)");
			rc = parse_string(ps, &key, &key_len, true);
			if (rc)
				return rc;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, DD_EINVAL, "缺少冒号 (expected ':')");
			ps->p++;
		}
		struct json_value *child;
		rc = parse_value(ps, &child);
		if (rc)
			return rc;
		child->key = key;
		child->key_len = key_len;
		*tail = child;
		tail = &child->next;
		if (v->len == UINT32_MAX)
			return fail(ps, DD_ELIMIT, "元素过多 (too many elements)");
		v->len++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return DD_OK;
		}
		return fail(ps, DD_EINVAL,
			    is_object ? "缺少逗号或 } (expected ',' or '}')" : "缺少逗号或 ] (expected ',' or ']')");
	}
}

static dd_status parse_value(struct parser *ps, struct json_value **out)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, DD_EINVAL, "意外结束 (unexpected end of input)");
	struct json_value *v;
	dd_status rc = DD_OK;
	switch (*ps->p) {
	case '{':
	case '[':
		v = node(ps, *ps->p == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (!v)
			return fail(ps, DD_ENOMEM, "内存不足 (out of memory)");
		rc = parse_container(ps, v, v->type == JSON_OBJECT);
		break;
	case '"':
		v = node(ps, JSON_STRING);
		if (!v)
			return fail(ps, DD_ENOMEM, "内存不足 (out of memory)");
		rc = parse_string(ps, &v->str, &v->len, false);
		break;
	case 't':
	case 'f':
	case 'n': {
		enum json_type t = *ps->p == 't' ? JSON_TRUE : *ps->p == 'f' ? JSON_FALSE : JSON_NULL;
		static const char *const words[] = {[JSON_TRUE] = "true", [JSON_FALSE] = "false", [JSON_NULL] = "null"};
		if (!literal(ps, words[t], strlen(words[t])))
			return fail(ps, DD_EINVAL, "非法字面量 (invalid literal)");
		v = node(ps, t);
		if (!v)
			return fail(ps, DD_ENOMEM, "内存不足 (out of memory)");
		break;
	}
	default:
		if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9'))
			return fail(ps, DD_EINVAL, "非法字符 (unexpected character)");
		v = node(ps, JSON_NUMBER);
		if (!v)
			return fail(ps, DD_ENOMEM, "内存不足 (out of memory)");
		rc = parse_number(ps, v);
		break;
	}
	if (rc)
		return rc;
	*out = v;
	return DD_OK;
}

dd_status json_parse(const char *text, size_t n, struct arena *a, const struct json_limits *lim,
		     struct json_value **out, dd_error *err)
{
	struct parser ps = {
	    .p = (const unsigned char *)text,
	    .end = (const unsigned char *)text + n,
	    .start = (const unsigned char *)text,
	    .a = a,
	    .max_depth = lim ? lim->max_depth : JSON_DEFAULT_DEPTH,
	    .err = err,
	};
	/* a UTF-8 byte-order mark is tolerated at the very start */
	if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;
	struct json_value *v;
	dd_status rc = parse_value(&ps, &v);
	if (rc)
		return rc;
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, DD_EINVAL, "多余的内容 (trailing characters)");
	*out = v;
	return DD_OK;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	size_t kl = strlen(key);
	for (const struct json_value *m = obj->child; m; m = m->next)
		if (m->key_len == kl && memcmp(m->key, key, kl) == 0)
			return m;
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_FALSE:
	case JSON_TRUE:
		return "布尔值 (boolean)";
	case JSON_NUMBER:
		return "数字 (number)";
	case JSON_STRING:
		return "字符串 (string)";
	case JSON_ARRAY:
		return "数组 (array)";
	case JSON_OBJECT:
		return "对象 (object)";
	}
	return "?";
}

bool json_int64(const struct json_value *v, int64_t *out)
{
	if (!v || v->type != JSON_NUMBER)
		return false;
	const char *s = v->str;
	bool neg = *s == '-';
	if (neg)
		s++;
	uint64_t u = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (u > (UINT64_MAX - 9) / 10)
			return false;
		u = u * 10 + (uint64_t)(*s - '0');
	}
	if (u > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* A JSON value written back as JSON (the parser keeps number lexemes). */
void json_write_hooked(struct strbuf *b, const struct json_value *v, json_string_hook hook, void *ctx)
{
	switch (v->type) {
	case JSON_STRING:
		if (!hook || !hook(b, v, ctx))
			strbuf_add_json_string(b, v->str, v->len);
		return;
	case JSON_NUMBER:
		strbuf_add(b, v->str, v->len);
		return;
	case JSON_TRUE:
		strbuf_adds(b, "true");
		return;
	case JSON_FALSE:
		strbuf_adds(b, "false");
		return;
	case JSON_ARRAY:
	case JSON_OBJECT:
		strbuf_addc(b, v->type == JSON_ARRAY ? '[' : '{');
		for (const struct json_value *c = v->child; c; c = c->next) {
			if (c != v->child)
				strbuf_addc(b, ',');
			if (v->type == JSON_OBJECT) {
				strbuf_add_json_string(b, c->key, c->key_len);
				strbuf_addc(b, ':');
			}
			json_write_hooked(b, c, hook, ctx);
		}
		strbuf_addc(b, v->type == JSON_ARRAY ? ']' : '}');
		return;
	default:
		strbuf_adds(b, "null");
	}
}

void json_write(struct strbuf *b, const struct json_value *v)
{
	json_write_hooked(b, v, NULL, NULL);
}
