/* csv.c - chunked strict RFC 4180 parser and field writer. No I/O.
 *
 * The state survives between chunks: which part of a field we are in, the
 * current record's unescaped bytes (fields NUL-separated in one buffer) and
 * the end offset of each completed field. The hot loops scan runs of plain
 * bytes with a class table and copy them in one memcpy. */
#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_FIELD_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN, ST_CR, ST_SKIP };

enum { CLS_U = 1, CLS_Q = 2 }; /* ends an unquoted run / a quoted run */

static const unsigned char cls[256] = {
    ['\n'] = CLS_U | CLS_Q,
    ['\r'] = CLS_U,
    [','] = CLS_U,
    ['"'] = CLS_U | CLS_Q,
};

typedef unsigned long long ull;

dd_status csv_init(struct csv_parser *p, const struct csv_options *opt, dd_error *err)
{
	memset(p, 0, sizeof *p);
	if (!opt || !opt->on_record)
		return dd_fail(err, DD_EINVAL, NULL, "CSV 解析器缺少回调 (csv: on_record missing)");
	if ((opt->flags & CSV_RECOVER) && !opt->on_error)
		return dd_fail(err, DD_EINVAL, NULL, "CSV 解析器缺少错误回调 (csv: on_error missing)");
	p->opt = *opt;
	if (!p->opt.max_field)
		p->opt.max_field = CSV_DEFAULT_MAX_FIELD;
	if (!p->opt.max_fields)
		p->opt.max_fields = CSV_DEFAULT_MAX_FIELDS;
	if (!p->opt.max_record)
		p->opt.max_record = CSV_DEFAULT_MAX_RECORD;
	p->line = 1;
	p->state = ST_FIELD_START;
	return DD_OK;
}

void csv_release(struct csv_parser *p)
{
	free(p->buf);
	free(p->ends);
	free(p->out);
	p->buf = NULL;
	p->ends = NULL;
	p->out = NULL;
	p->cap = p->ends_cap = p->out_cap = 0;
	p->len = p->n_fields = p->field_start = 0;
}

uint64_t csv_line(const struct csv_parser *p)
{
	return p->line;
}

uint64_t csv_records(const struct csv_parser *p)
{
	return p->records;
}

static void reset_record(struct csv_parser *p)
{
	p->len = 0;
	p->field_start = 0;
	p->n_fields = 0;
	p->in_record = false;
	p->had_quote = false;
}

/* Records a recoverable error (syntax or limit) in p->error; returns code. */
static dd_status bad(struct csv_parser *p, dd_status code, const char *fmt, ...) DD_PRINTF(3, 4);
static dd_status bad(struct csv_parser *p, dd_status code, const char *fmt, ...)
{
	char msg[DD_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return dd_fail(&p->error, code, NULL, "%s", msg);
}

static dd_status grow_buf(struct csv_parser *p, size_t need)
{
	size_t cap = p->cap ? p->cap : 256;
	while (cap < need)
		cap *= 2;
	char *nb = realloc(p->buf, cap);
	if (!nb)
		return dd_fail(&p->error, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	p->buf = nb;
	p->cap = cap;
	return DD_OK;
}

/* Appends n bytes to the current field, enforcing the limits. */
static inline dd_status add(struct csv_parser *p, const unsigned char *s, size_t n)
{
	/* room left before each limit; the one reached first (byte by byte) is
	 * reported, so the error does not depend on the chunking */
	size_t field_room = p->opt.max_field - (p->len - p->field_start);
	size_t record_room = p->opt.max_record - p->len;
	if (n > field_room && field_room <= record_room)
		return bad(p, DD_ELIMIT, "第%llu行：字段超过%zu字节 (line %llu: field longer than %zu bytes)",
			   (ull)p->line, p->opt.max_field, (ull)p->line, p->opt.max_field);
	if (n > record_room)
		return bad(p, DD_ELIMIT, "第%llu行：记录超过%zu字节 (line %llu: record longer than %zu bytes)",
			   (ull)p->line, p->opt.max_record, (ull)p->line, p->opt.max_record);
	/* +1: room for the field's NUL */
	if (p->len + n + 1 > p->cap) {
		dd_status rc = grow_buf(p, p->len + n + 1);
		if (rc)
			return rc;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	return DD_OK;
}

static dd_status end_field(struct csv_parser *p)
{
	if (p->n_fields >= p->opt.max_fields)
		return bad(p, DD_ELIMIT, "第%llu行：字段数超过%zu (line %llu: more than %zu fields)", (ull)p->line,
			   p->opt.max_fields, (ull)p->line, p->opt.max_fields);
	if (p->n_fields == p->ends_cap) {
		size_t cap = p->ends_cap ? p->ends_cap * 2 : 32;
		size_t *ne = realloc(p->ends, cap * sizeof *ne);
		if (!ne)
			return dd_fail(&p->error, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		p->ends = ne;
		p->ends_cap = cap;
	}
	if (p->len + 1 > p->cap) {
		dd_status rc = grow_buf(p, p->len + 1);
		if (rc)
			return rc;
	}
	p->buf[p->len] = '\0';
	p->ends[p->n_fields++] = p->len;
	p->len++;
	p->field_start = p->len;
	return DD_OK;
}

/* Builds the callback's view of the completed fields. */
static dd_status make_record(struct csv_parser *p, struct csv_record *rec)
{
	if (p->n_fields > p->out_cap) {
		size_t cap = p->ends_cap;
		struct csv_field *no = realloc(p->out, cap * sizeof *no);
		if (!no)
			return dd_fail(&p->error, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		p->out = no;
		p->out_cap = cap;
	}
	size_t start = 0;
	for (size_t k = 0; k < p->n_fields; k++) {
		p->out[k].p = p->buf + start;
		p->out[k].n = p->ends[k] - start;
		start = p->ends[k] + 1;
	}
	rec->fields = p->n_fields ? p->out : NULL;
	rec->n_fields = p->n_fields;
	rec->line = p->rec_line;
	rec->offset = p->rec_offset;
	return DD_OK;
}

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The fast path for a whole record inside the chunk with no quote and no CR
 * but a final one: one copy, then the commas become NULs. Returns false,
 * having consumed nothing, whenever the record needs the state machine
 * (quotes, a bare CR, a limit reached: the slow path reports it exactly). */
static bool fast_record(struct csv_parser *p, const unsigned char *seg, size_t body)
{
	if (body && seg[body - 1] == '\r')
		body--;
	if (body > p->opt.max_record)
		return false;
	if (body + 17 > p->cap && grow_buf(p, body + 17))
		return false; /* the slow path meets the same failure and reports it */
	char *b = p->buf;
	memcpy(b, seg, body);
	memset(b + body, 0, 16);
	size_t nf = 0, prev = 0, max_field = p->opt.max_field, max_fields = p->opt.max_fields;
	for (size_t k = 0; k < body; k += 16) {
		unsigned mq, mc;
#if defined(__SSE2__)
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + k));
		mq = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
		mc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
#else
		mq = mc = 0;
		for (unsigned t = 0; t < 16; t++) {
			char c = b[k + t];
			mq |= (unsigned)(c == '"' || c == '\r') << t;
			mc |= (unsigned)(c == ',') << t;
		}
#endif
		if (body - k < 16) {
			unsigned keep = (1u << (body - k)) - 1;
			mq &= keep;
			mc &= keep;
		}
		if (mq)
			return false;
		while (mc) {
			size_t pos = k + (size_t)__builtin_ctz(mc);
			mc &= mc - 1;
			/* this field and at least one more must fit */
			if (pos - prev > max_field || nf + 2 > max_fields)
				return false;
			if (nf == p->ends_cap) {
				size_t cap = p->ends_cap ? p->ends_cap * 2 : 32;
				size_t *ne = realloc(p->ends, cap * sizeof *ne);
				if (!ne)
					return false;
				p->ends = ne;
				p->ends_cap = cap;
			}
			b[pos] = '\0';
			p->ends[nf++] = pos;
			prev = pos + 1;
		}
	}
	if (body - prev > max_field || nf + 1 > max_fields)
		return false;
	if (nf == p->ends_cap) {
		size_t cap = p->ends_cap ? p->ends_cap * 2 : 32;
		size_t *ne = realloc(p->ends, cap * sizeof *ne);
		if (!ne)
			return false;
		p->ends = ne;
		p->ends_cap = cap;
	}
	b[body] = '\0';
	p->ends[nf++] = body;
	p->n_fields = nf;
	p->len = body + 1;
	p->field_start = p->len;
	return true;
}

/* A fatal error: remembered, returned now and by every later call. */
static dd_status fatal(struct csv_parser *p, dd_status rc, dd_error *err)
{
	p->failed = rc;
	if (err && err != &p->error)
		*err = p->error;
	return rc;
}

static dd_status end_record(struct csv_parser *p, dd_error *err)
{
	bool blank = p->n_fields == 1 && p->ends[0] == 0 && !p->had_quote;
	if (blank && !(p->opt.flags & CSV_KEEP_EMPTY_LINES)) {
		reset_record(p);
		return DD_OK;
	}
	struct csv_record rec;
	dd_status rc = make_record(p, &rec);
	if (rc)
		return fatal(p, rc, err);
	dd_error cb_err;
	dd_error_clear(&cb_err);
	rc = p->opt.on_record(p->opt.ctx, &rec, &cb_err);
	reset_record(p);
	if (rc) {
		if (!cb_err.code)
			dd_fail(&cb_err, rc, NULL, "记录处理中止 (record callback stopped the parse)");
		p->error = cb_err;
		return fatal(p, rc, err);
	}
	p->records++;
	return DD_OK;
}

/* After bad() filled p->error with code: either report the record and skip
 * to the next LF (CSV_RECOVER), or stop for good. */
static dd_status recover(struct csv_parser *p, dd_status code, dd_error *err)
{
	if (code == DD_ENOMEM || !(p->opt.flags & CSV_RECOVER))
		return fatal(p, code, err);
	struct csv_record rec;
	dd_status rc = make_record(p, &rec);
	if (rc)
		return fatal(p, rc, err);
	if (!p->in_record) { /* cannot happen: errors arise inside a record */
		rec.line = p->line;
		rec.offset = p->offset;
	}
	dd_error cb_err;
	dd_error_clear(&cb_err);
	rc = p->opt.on_error(p->opt.ctx, &rec, &p->error, &cb_err);
	reset_record(p);
	if (rc) {
		if (!cb_err.code)
			dd_fail(&cb_err, rc, NULL, "记录处理中止 (error callback stopped the parse)");
		p->error = cb_err;
		return fatal(p, rc, err);
	}
	dd_error_clear(&p->error);
	p->state = ST_SKIP;
	return DD_OK;
}

/* Error handling inside csv_feed's loop: a recoverable error switches to
 * ST_SKIP and continues at byte i (not consumed); anything else returns. */
#define TRY(expr)                                                                                                      \
	do {                                                                                                           \
		dd_status rc_ = (expr);                                                                                \
		if (rc_) {                                                                                             \
			if ((rc_ = recover(p, rc_, err)))                                                              \
				return rc_;                                                                            \
			goto next;                                                                                     \
		}                                                                                                      \
	} while (0)
#define TRY_RECORD()                                                                                                   \
	do {                                                                                                           \
		dd_status rc_ = end_record(p, err);                                                                    \
		if (rc_)                                                                                               \
			return rc_;                                                                                    \
	} while (0)

dd_status csv_feed(struct csv_parser *p, const char *data, size_t n, dd_error *err)
{
	if (p->failed)
		return fatal(p, p->failed, err);
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;
	while (i < n) {
		switch (p->state) {
		case ST_FIELD_START:
			if (!p->in_record) {
				/* whole plain records first */
				const unsigned char *nl;
				while (i < n && (nl = memchr(s + i, '\n', n - i)) &&
				       fast_record(p, s + i, (size_t)(nl - (s + i)))) {
					p->in_record = true;
					p->rec_line = p->line++;
					p->rec_offset = p->offset + i;
					i = (size_t)(nl - s) + 1;
					TRY_RECORD();
				}
				if (i == n)
					break;
				p->in_record = true;
				p->rec_line = p->line;
				p->rec_offset = p->offset + i;
			}
			if (s[i] == '"') {
				p->had_quote = true;
				p->state = ST_QUOTED;
				i++;
			} else {
				p->state = ST_UNQUOTED;
			}
			break;
		case ST_UNQUOTED: {
			size_t j = i;
			while (j < n && !(cls[s[j]] & CLS_U))
				j++;
			if (j > i) {
				TRY(add(p, s + i, j - i));
				i = j;
				if (i == n)
					break;
			}
			unsigned char c = s[i];
			if (c == ',') {
				TRY(end_field(p));
				i++;
				p->state = ST_FIELD_START;
			} else if (c == '\n') {
				TRY(end_field(p));
				i++;
				p->line++;
				p->state = ST_FIELD_START;
				TRY_RECORD();
			} else if (c == '\r') {
				i++;
				p->state = ST_CR;
			} else {
				TRY(bad(
				    p, DD_EINVAL,
				    "第%llu行：未加引号的字段中出现双引号 (line %llu: quote inside an unquoted field)",
				    (ull)p->line, (ull)p->line));
			}
			break;
		}
		case ST_QUOTED: {
			size_t j = i;
			while (j < n && !(cls[s[j]] & CLS_Q))
				j++;
			if (j == n) {
				TRY(add(p, s + i, j - i));
				i = j;
			} else if (s[j] == '\n') {
				TRY(add(p, s + i, j + 1 - i));
				i = j + 1;
				p->line++;
			} else {
				if (j > i)
					TRY(add(p, s + i, j - i));
				i = j + 1;
				p->state = ST_QUOTE_SEEN;
			}
			break;
		}
		case ST_QUOTE_SEEN: {
			unsigned char c = s[i];
			if (c == '"') {
				TRY(add(p, s + i, 1));
				i++;
				p->state = ST_QUOTED;
			} else if (c == ',') {
				TRY(end_field(p));
				i++;
				p->state = ST_FIELD_START;
			} else if (c == '\n') {
				TRY(end_field(p));
				i++;
				p->line++;
				p->state = ST_FIELD_START;
				TRY_RECORD();
			} else if (c == '\r') {
				i++;
				p->state = ST_CR;
			} else {
				TRY(bad(p, DD_EINVAL,
					"第%llu行：右引号后出现多余字符 (line %llu: text after a closing quote)",
					(ull)p->line, (ull)p->line));
			}
			break;
		}
		case ST_CR:
			if (s[i] != '\n')
				TRY(bad(p, DD_EINVAL, "第%llu行：回车符后缺少换行符 (line %llu: CR not followed by LF)",
					(ull)p->line, (ull)p->line));
			TRY(end_field(p));
			i++;
			p->line++;
			p->state = ST_FIELD_START;
			TRY_RECORD();
			break;
		case ST_SKIP: {
			const unsigned char *nl = memchr(s + i, '\n', n - i);
			if (!nl) {
				i = n;
			} else {
				i = (size_t)(nl - s) + 1;
				p->line++;
				p->state = ST_FIELD_START;
			}
			break;
		}
		}
	next:;
	}
	p->offset += n;
	return DD_OK;
}

dd_status csv_finish(struct csv_parser *p, dd_error *err)
{
	if (p->failed)
		return fatal(p, p->failed, err);
	dd_status rc = DD_OK;
	switch (p->state) {
	case ST_FIELD_START: /* "a," at the end has a last, empty field */
	case ST_UNQUOTED:
	case ST_QUOTE_SEEN:
	case ST_CR:
		if (!p->in_record)
			break;
		if ((rc = end_field(p))) {
			if ((rc = recover(p, rc, err)))
				return rc;
			break;
		}
		if ((rc = end_record(p, err)))
			return rc;
		break;
	case ST_QUOTED:
		bad(p, DD_EINVAL,
		    "第%llu行：引号未闭合，直到文件结束 (line %llu: quoted field not closed before the end)",
		    (ull)p->rec_line, (ull)p->rec_line);
		if ((rc = recover(p, DD_EINVAL, err)))
			return rc;
		break;
	case ST_SKIP:
		break;
	}
	reset_record(p);
	p->state = ST_FIELD_START;
	return DD_OK;
}

dd_status csv_sink(void *parser, const char *data, size_t n, dd_error *err)
{
	return csv_feed(parser, data, n, err);
}

/* --- writing --- */

bool csv_needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cls[(unsigned char)s[i]] & CLS_U)
			return true;
	return false;
}

bool csv_formula_like(const char *s, size_t n)
{
	if (!n)
		return false;
	switch (s[0]) {
	case '=':
	case '+':
	case '-':
	case '@':
	case '\t':
	case '\r':
		return true;
	default:
		return false;
	}
}

void csv_append_field(struct strbuf *sb, const char *s, size_t n, unsigned flags)
{
	bool protect = (flags & CSV_OUT_PROTECT) && csv_formula_like(s, n);
	if (!csv_needs_quotes(s, n)) {
		if (protect)
			strbuf_addc(sb, '\'');
		strbuf_add(sb, s, n);
		return;
	}
	strbuf_addc(sb, '"');
	if (protect)
		strbuf_addc(sb, '\'');
	size_t start = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '"') {
			strbuf_add(sb, s + start, i + 1 - start); /* the quote, then its double */
			strbuf_addc(sb, '"');
			start = i + 1;
		}
	strbuf_add(sb, s + start, n - start);
	strbuf_addc(sb, '"');
}
