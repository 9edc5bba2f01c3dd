/* encoding.c - UTF-8 validation, GB18030 <-> UTF-8 through iconv, encoding
 * detection; chunk by chunk. No I/O.
 *
 * Both directions share one loop (struct text_conv): a UTF-8 pass-through
 * that validates and hands out slices of the input, or an iconv conversion
 * into a 64 KiB output buffer. A character cut by a chunk's end is kept in
 * `carry` and completed from the next chunk through a small temporary
 * buffer, so neither path ever sees a split character. */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long ull;

#define NO_CD ((void *)-1)

bool text_encoding_parse(const char *s, enum text_encoding *out)
{
	static const struct {
		const char *name;
		enum text_encoding enc;
	} names[] = {
	    {"utf-8", TEXT_UTF8},  {"utf8", TEXT_UTF8},	     {"gb18030", TEXT_GB18030},
	    {"gbk", TEXT_GB18030}, {"gb2312", TEXT_GB18030}, {"auto", TEXT_AUTO},
	};
	char low[16];
	size_t n = strlen(s);
	if (n >= sizeof low)
		return false;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(low, names[i].name) == 0) {
			*out = names[i].enc;
			return true;
		}
	return false;
}

const char *text_encoding_name(enum text_encoding e)
{
	switch (e) {
	case TEXT_UTF8:
		return "utf-8";
	case TEXT_GB18030:
		return "gb18030";
	case TEXT_AUTO:
		break;
	}
	return "auto";
}

/* --- UTF-8 --- */

static inline uint64_t load64(const unsigned char *s)
{
	uint64_t w;
	memcpy(&w, s, 8);
	return w;
}

#define HIGH_BITS 0x8080808080808080ull
#define LOW7 0x7F7F7F7F7F7F7F7Full

/* LF bytes in s[0..n): eight at a time, exact (no carries between bytes). */
static uint64_t count_lf(const unsigned char *s, size_t n)
{
	uint64_t count = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t t = load64(s + i) ^ 0x0A0A0A0A0A0A0A0Aull;
		/* 0x80 in each byte of t that is zero */
		uint64_t z = ~(((t & LOW7) + LOW7) | t | LOW7);
		/* the 0x80 bits summed into the top byte (at most 8: no overflow);
		 * no popcount instruction is assumed (a libgcc call without -mpopcnt) */
		count += ((z >> 7) * 0x0101010101010101ull) >> 56;
	}
	for (; i < n; i++)
		count += s[i] == '\n';
	return count;
}

/* Length of s's ASCII prefix. */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i + 8 <= n && !(load64(s + i) & HIGH_BITS))
		i += 8;
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

enum { U8_OK, U8_INCOMPLETE, U8_INVALID };

/* Length of the longest prefix of s made of complete, valid UTF-8
 * characters; *st tells what follows it: nothing, a valid but incomplete
 * character at the very end, or an invalid sequence. (Unicode table 3-7.) */
static size_t utf8_prefix(const unsigned char *s, size_t n, int *st)
{
	size_t i = 0;
	for (;;) {
		i += ascii_prefix(s + i, n - i);
		if (i == n)
			break;
		unsigned c = s[i], lo = 0x80, hi = 0xBF;
		size_t len;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F; /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F; /* nothing above U+10FFFF */
		} else {
			*st = U8_INVALID;
			return i;
		}
		for (size_t k = 1; k < len; k++) {
			if (i + k >= n) {
				*st = U8_INCOMPLETE;
				return i;
			}
			unsigned b = s[i + k];
			if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
				*st = U8_INVALID;
				return i;
			}
		}
		i += len;
	}
	*st = U8_OK;
	return n;
}

bool utf8_valid(const char *s, size_t n)
{
	int st;
	return utf8_prefix((const unsigned char *)s, n, &st) == n && st == U8_OK;
}

/* --- the shared conversion loop --- */

enum conv_result { CONV_OK, CONV_BAD_INPUT, CONV_SINK_FAILED, CONV_NOMEM };

static void conv_init(struct text_conv *c, text_sink_fn sink, void *ctx)
{
	memset(c, 0, sizeof *c);
	c->cd = NO_CD;
	c->line = 1;
	c->sink = sink;
	c->ctx = ctx;
}

static bool conv_open(struct text_conv *c, const char *to, const char *from)
{
	c->cd = iconv_open(to, from);
	if (c->cd == NO_CD)
		return false;
	c->out = malloc(TEXT_OUT_CHUNK);
	if (!c->out) {
		iconv_close(c->cd);
		c->cd = NO_CD;
		return false;
	}
	return true;
}

static void conv_release(struct text_conv *c)
{
	if (c->cd != NO_CD)
		iconv_close(c->cd);
	c->cd = NO_CD;
	free(c->out);
	c->out = NULL;
}

/* Hands converted text to the sink, dropping a BOM that starts the output
 * (every hand-out holds whole characters, so a BOM is never split). */
static enum conv_result conv_emit(struct text_conv *c, const char *p, size_t n, dd_error *err)
{
	if (!n)
		return CONV_OK;
	if (!c->first_out_seen) {
		c->first_out_seen = true;
		if (c->strip_bom && n >= 3 && memcmp(p, UTF8_BOM, 3) == 0) {
			p += 3;
			n -= 3;
			if (!n)
				return CONV_OK;
		}
	}
	return c->sink(c->ctx, p, n, err) ? CONV_SINK_FAILED : CONV_OK;
}

static enum conv_result conv_flush(struct text_conv *c, dd_error *err)
{
	size_t n = c->olen;
	c->olen = 0;
	return conv_emit(c, c->out, n, err);
}

/* UTF-8 pass-through of s[0..n) (no carry): the valid prefix is handed on,
 * an incomplete tail carried. */
static enum conv_result utf8_pass(struct text_conv *c, const unsigned char *s, size_t n, dd_error *err)
{
	int st;
	size_t k = utf8_prefix(s, n, &st);
	c->line += count_lf(s, k);
	c->offset += k;
	enum conv_result r = conv_emit(c, (const char *)s, k, err);
	if (r)
		return r;
	if (st == U8_INVALID)
		return CONV_BAD_INPUT;
	memcpy(c->carry, s + k, n - k); /* at most 3 bytes when incomplete */
	c->ncarry = n - k;
	c->offset += n - k;
	return CONV_OK;
}

/* One iconv call on [*in, *in + *left); consumed bytes leave *in. Output
 * goes to c->out, flushed when full. Returns the errno of a stop (0 when
 * all input was converted). */
static int iconv_step(struct text_conv *c, const unsigned char **in, size_t *left, enum conv_result *r, dd_error *err)
{
	*r = CONV_OK;
	for (;;) {
		char *ip = (char *)(uintptr_t)*in; /* iconv's prototype lacks const */
		char *op = c->out + c->olen;
		size_t oleft = TEXT_OUT_CHUNK - c->olen;
		size_t rc = iconv(c->cd, &ip, left, &op, &oleft);
		int e = rc == (size_t)-1 ? errno : 0;
		*in = (const unsigned char *)ip;
		c->olen = TEXT_OUT_CHUNK - oleft;
		if (e != E2BIG)
			return e;
		if ((*r = conv_flush(c, err)))
			return 0;
	}
}

/* iconv conversion of s[0..n) (no carry). */
static enum conv_result iconv_pass(struct text_conv *c, const unsigned char *s, size_t n, dd_error *err)
{
	const unsigned char *in = s;
	size_t left = n;
	enum conv_result r;
	int e = iconv_step(c, &in, &left, &r, err);
	size_t used = (size_t)(in - s);
	c->line += count_lf(s, used);
	c->offset += used;
	if (r)
		return r;
	if (e == EINVAL && left < sizeof c->carry) { /* a character cut by the end */
		memcpy(c->carry, in, left);
		c->ncarry = left;
		c->offset += left;
		return CONV_OK;
	}
	return e ? CONV_BAD_INPUT : CONV_OK;
}

/* Completes a carried character from the start of s; advances *s, *n. */
static enum conv_result conv_uncarry(struct text_conv *c, const unsigned char **s, size_t *n, dd_error *err)
{
	unsigned char tmp[16];
	size_t have = c->ncarry;
	size_t take = *n < sizeof tmp - have - 8 ? *n : sizeof tmp - have - 8; /* ≥ 4 more when available */
	memcpy(tmp, c->carry, have);
	memcpy(tmp + have, *s, take);
	size_t total = have + take, done;
	enum conv_result r = CONV_OK;
	bool incomplete, bad;
	if (c->cd == NO_CD) {
		int st;
		done = utf8_prefix(tmp, total, &st);
		incomplete = done == 0 && st == U8_INCOMPLETE;
		bad = done == 0 && st == U8_INVALID;
		if (done && (r = conv_emit(c, (const char *)tmp, done, err)))
			return r;
	} else {
		const unsigned char *in = tmp;
		size_t left = total;
		int e = iconv_step(c, &in, &left, &r, err);
		if (r)
			return r;
		done = total - left;
		incomplete = done == 0 && e == EINVAL;
		bad = done == 0 && e && e != EINVAL;
	}
	if (incomplete && take == *n) { /* still cut: the whole chunk joins the carry */
		memcpy(c->carry + have, *s, take);
		c->ncarry += take;
		c->offset += take;
		*s += take;
		*n = 0;
		return CONV_OK;
	}
	if (bad || done < have) /* the carried bytes themselves are bad */
		return CONV_BAD_INPUT;
	size_t used = done - have;
	c->ncarry = 0;
	c->line += count_lf(*s, used);
	c->offset += used;
	*s += used;
	*n -= used;
	return CONV_OK;
}

static enum conv_result conv_feed(struct text_conv *c, const unsigned char *s, size_t n, dd_error *err)
{
	enum conv_result r = CONV_OK;
	if (c->ncarry && n)
		r = conv_uncarry(c, &s, &n, err);
	if (!r && n)
		r = c->cd == NO_CD ? utf8_pass(c, s, n, err) : iconv_pass(c, s, n, err);
	/* before an error, what was converted up to the bad byte still goes
	 * out, however the input was chunked */
	if (r == CONV_BAD_INPUT && c->cd != NO_CD) {
		enum conv_result f = conv_flush(c, err);
		if (f)
			return f;
	}
	return r;
}

/* --- decoder --- */

static dd_status dec_fail(struct text_decoder *d, dd_status code, dd_error *err, const char *fmt, ...) DD_PRINTF(4, 5);
static dd_status dec_fail(struct text_decoder *d, dd_status code, dd_error *err, const char *fmt, ...)
{
	char msg[DD_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dd_fail(&d->error, code, NULL, "%s", msg);
	d->failed = code;
	if (err)
		*err = d->error;
	return code;
}

static dd_status dec_sticky(struct text_decoder *d, dd_error *err)
{
	if (err)
		*err = d->error;
	return d->failed;
}

/* Turns a conv_result into the decoder's status and message. */
static dd_status dec_result(struct text_decoder *d, enum conv_result r, dd_error *sink_err, dd_error *err)
{
	ull line = (ull)d->c.line;
	switch (r) {
	case CONV_OK:
		return DD_OK;
	case CONV_SINK_FAILED:
		d->error = *sink_err;
		d->failed = sink_err->code ? sink_err->code : DD_EINVAL;
		if (err)
			*err = d->error;
		return d->failed;
	case CONV_NOMEM:
		return dec_fail(d, DD_ENOMEM, err, "内存不足 (out of memory)");
	case CONV_BAD_INPUT:
		break;
	}
	if (d->chosen == TEXT_GB18030)
		return dec_fail(d, DD_EINVAL, err,
				"第%llu行：不是有效的 GB18030 文本 (line %llu: invalid GB18030 bytes)", line, line);
	if (d->requested == TEXT_AUTO)
		return dec_fail(d, DD_EINVAL, err,
				"第%llu行：不是有效的 UTF-8 文本；文件开头已按 UTF-8 识别，如为 GB18030 编码请指定 "
				"--encoding gb18030 (line %llu: invalid UTF-8 in a file detected as UTF-8)",
				line, line);
	return dec_fail(d, DD_EINVAL, err, "第%llu行：不是有效的 UTF-8 文本 (line %llu: invalid UTF-8 bytes)", line,
			line);
}

static dd_status dec_choose(struct text_decoder *d, enum text_encoding enc, dd_error *err)
{
	d->chosen = enc;
	if (enc == TEXT_GB18030 && !conv_open(&d->c, "UTF-8", "GB18030"))
		return dec_fail(d, DD_EINVAL, err, "无法使用 GB18030 转换 (iconv: GB18030 not available)");
	return DD_OK;
}

dd_status text_decoder_init(struct text_decoder *d, enum text_encoding enc, text_sink_fn sink, void *ctx, dd_error *err)
{
	memset(d, 0, sizeof *d);
	conv_init(&d->c, sink, ctx);
	d->c.strip_bom = true;
	d->requested = enc;
	d->chosen = TEXT_AUTO;
	if (!sink)
		return dd_fail(err, DD_EINVAL, NULL, "缺少输出 (decoder: sink missing)");
	if (enc == TEXT_UTF8) {
		d->chosen = TEXT_UTF8;
		return DD_OK;
	}
	/* auto: a window from the first non-ASCII byte; gb18030: the first 3
	 * bytes, to refuse a UTF-8 BOM */
	d->wcap = enc == TEXT_AUTO ? TEXT_AUTO_WINDOW : 3;
	d->window = malloc(d->wcap);
	if (!d->window) {
		dd_status rc = dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		text_decoder_release(d);
		return rc;
	}
	d->windowing = true;
	return DD_OK;
}

/* The window is complete (or the input ended): choose, then convert it. */
static dd_status dec_decide(struct text_decoder *d, dd_error *err)
{
	d->windowing = false;
	const unsigned char *w = d->window;
	size_t n = d->wlen;
	bool bom = d->c.offset == 0 && n >= 3 && memcmp(w, UTF8_BOM, 3) == 0;
	dd_status rc;
	if (d->requested == TEXT_GB18030) {
		if (bom)
			return dec_fail(d, DD_EINVAL, err,
					"文件以 UTF-8 BOM 开头，但指定了 GB18030 编码 (the file starts with a UTF-8 "
					"byte order mark: use --encoding utf-8 or auto)");
		rc = dec_choose(d, TEXT_GB18030, err);
	} else {
		int st = U8_OK;
		if (!bom)
			utf8_prefix(w, n, &st);
		/* a character cut by the window's end, or by the end of input
		 * (then reported as truncated), still reads as UTF-8 */
		bool utf8 = st != U8_INVALID;
		rc = dec_choose(d, utf8 ? TEXT_UTF8 : TEXT_GB18030, err);
	}
	if (rc)
		return rc;
	dd_error sink_err;
	dd_error_clear(&sink_err);
	d->wlen = 0;
	return dec_result(d, conv_feed(&d->c, w, n, &sink_err), &sink_err, err);
}

dd_status text_decoder_feed(struct text_decoder *d, const char *data, size_t n, dd_error *err)
{
	if (d->failed)
		return dec_sticky(d, err);
	const unsigned char *s = (const unsigned char *)data;
	dd_error sink_err;
	dd_error_clear(&sink_err);
	dd_status rc;
	if (d->windowing) {
		if (d->requested == TEXT_AUTO && d->wlen == 0) {
			/* ASCII reads the same either way: pass it on undecided */
			size_t k = ascii_prefix(s, n);
			d->c.line += count_lf(s, k);
			d->c.offset += k;
			if ((rc = dec_result(d, conv_emit(&d->c, (const char *)s, k, &sink_err), &sink_err, err)))
				return rc;
			s += k;
			n -= k;
			if (!n)
				return DD_OK;
		}
		size_t take = d->wcap - d->wlen < n ? d->wcap - d->wlen : n;
		memcpy(d->window + d->wlen, s, take);
		d->wlen += take;
		s += take;
		n -= take;
		if (d->wlen < d->wcap)
			return DD_OK;
		if ((rc = dec_decide(d, err)))
			return rc;
	}
	return dec_result(d, conv_feed(&d->c, s, n, &sink_err), &sink_err, err);
}

dd_status text_decoder_finish(struct text_decoder *d, dd_error *err)
{
	if (d->failed)
		return dec_sticky(d, err);
	dd_status rc;
	if (d->windowing && (rc = dec_decide(d, err)))
		return rc;
	dd_error sink_err;
	dd_error_clear(&sink_err);
	if (d->c.cd != NO_CD && (rc = dec_result(d, conv_flush(&d->c, &sink_err), &sink_err, err)))
		return rc;
	if (d->c.ncarry) {
		ull line = (ull)d->c.line;
		return dec_fail(
		    d, DD_EINVAL, err,
		    "第%llu行：文件末尾的字符不完整 (line %llu: a character is cut off by the end of the file)", line,
		    line);
	}
	return DD_OK;
}

enum text_encoding text_decoder_encoding(const struct text_decoder *d)
{
	return d->chosen;
}

void text_decoder_release(struct text_decoder *d)
{
	conv_release(&d->c);
	free(d->window);
	d->window = NULL;
	d->wlen = d->wcap = 0;
}

/* --- encoder --- */

static dd_status enc_result(struct text_encoder *e, enum conv_result r, dd_error *sink_err, dd_error *err)
{
	switch (r) {
	case CONV_OK:
		return DD_OK;
	case CONV_SINK_FAILED:
		e->error = *sink_err;
		e->failed = sink_err->code ? sink_err->code : DD_EINVAL;
		break;
	case CONV_NOMEM:
		e->failed = dd_fail(&e->error, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		break;
	case CONV_BAD_INPUT:
		e->failed = dd_fail(&e->error, DD_EINVAL, NULL,
				    "第%llu个字节处不是有效的 UTF-8 文本 (invalid UTF-8 at byte %llu)",
				    (ull)e->c.offset + 1, (ull)e->c.offset + 1);
		break;
	}
	if (err)
		*err = e->error;
	return e->failed;
}

dd_status text_encoder_init(struct text_encoder *e, enum text_encoding enc, bool bom, text_sink_fn sink, void *ctx,
			    dd_error *err)
{
	memset(e, 0, sizeof *e);
	conv_init(&e->c, sink, ctx);
	e->enc = enc;
	e->bom_pending = bom;
	if (!sink)
		return dd_fail(err, DD_EINVAL, NULL, "缺少输出 (encoder: sink missing)");
	if (enc == TEXT_AUTO)
		return dd_fail(err, DD_EINVAL, NULL,
			       "输出编码须为 utf-8 或 gb18030 (output encoding must be utf-8 or gb18030)");
	if (enc == TEXT_GB18030 && !conv_open(&e->c, "GB18030", "UTF-8"))
		return dd_fail(err, DD_EINVAL, NULL, "无法使用 GB18030 转换 (iconv: GB18030 not available)");
	return DD_OK;
}

static dd_status enc_bom(struct text_encoder *e, dd_error *err)
{
	if (!e->bom_pending)
		return DD_OK;
	e->bom_pending = false;
	const char *bom = e->enc == TEXT_GB18030 ? "\x84\x31\x95\x33" : UTF8_BOM;
	dd_error sink_err;
	dd_error_clear(&sink_err);
	e->c.first_out_seen = true;
	return enc_result(e, e->c.sink(e->c.ctx, bom, strlen(bom), &sink_err) ? CONV_SINK_FAILED : CONV_OK, &sink_err,
			  err);
}

dd_status text_encoder_feed(struct text_encoder *e, const char *utf8, size_t n, dd_error *err)
{
	if (e->failed) {
		if (err)
			*err = e->error;
		return e->failed;
	}
	dd_status rc = enc_bom(e, err);
	if (rc)
		return rc;
	dd_error sink_err;
	dd_error_clear(&sink_err);
	return enc_result(e, conv_feed(&e->c, (const unsigned char *)utf8, n, &sink_err), &sink_err, err);
}

dd_status text_encoder_finish(struct text_encoder *e, dd_error *err)
{
	if (e->failed) {
		if (err)
			*err = e->error;
		return e->failed;
	}
	dd_status rc = enc_bom(e, err);
	if (rc)
		return rc;
	dd_error sink_err;
	dd_error_clear(&sink_err);
	if (e->c.cd != NO_CD && (rc = enc_result(e, conv_flush(&e->c, &sink_err), &sink_err, err)))
		return rc;
	if (e->c.ncarry)
		return enc_result(e, CONV_BAD_INPUT, &sink_err, err);
	return DD_OK;
}

void text_encoder_release(struct text_encoder *e)
{
	conv_release(&e->c);
}

dd_status text_sink_strbuf(void *sb, const char *data, size_t n, dd_error *err)
{
	struct strbuf *b = sb;
	strbuf_add(b, data, n);
	if (b->failed)
		return dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	return DD_OK;
}
