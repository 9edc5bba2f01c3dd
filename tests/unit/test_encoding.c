/* test_encoding.c - UTF-8 / GB18030 decoding (chunked, BOM, auto detection,
 * errors naming the line) and UTF-8 → GB18030 encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"
#include "core/encoding.h"
#include "core/strbuf.h"

/* "户编号,姓名\n1,张三·é𠀀\n2,\"李四\"\n": 𠀀 (U+20000) is a 4-byte GB18030
 * character, the others 2 bytes. */
static const char utf8_doc[] = "户编号,姓名\n1,张三·é𠀀\n2,\"李四\"\n";
static const char gb_doc[] = "\xBB\xA7\xB1\xE0\xBA\xC5,\xD0\xD5\xC3\xFB\n1,\xD5\xC5\xC8\xFD\xA1\xA4\xA8\xA6\x95"
			     "2\x82"
			     "6\n2,\"\xC0\xEE\xCB\xC4\"\n";
#define GB_BOM "\x84\x31\x95\x33"

struct result {
	struct strbuf out;
	dd_status rc;
	dd_error err;
	enum text_encoding chosen;
};

/* Decodes doc cut at the given offsets; the result's out holds all the sink got. */
static struct result decode_cuts(enum text_encoding enc, const char *doc, size_t n, const size_t *cuts, size_t ncuts)
{
	struct result r;
	memset(&r, 0, sizeof r);
	strbuf_init(&r.out, 64);
	struct text_decoder d;
	assert_int_equal(text_decoder_init(&d, enc, text_sink_strbuf, &r.out, &r.err), DD_OK);
	size_t at = 0;
	for (size_t k = 0; k <= ncuts && !r.rc; k++) {
		size_t end = k < ncuts ? cuts[k] : n;
		r.rc = text_decoder_feed(&d, doc + at, end - at, &r.err);
		at = end;
	}
	if (!r.rc)
		r.rc = text_decoder_finish(&d, &r.err);
	r.chosen = text_decoder_encoding(&d);
	text_decoder_release(&d);
	assert_false(r.out.failed);
	if (r.out.len)
		assert_true(utf8_valid(r.out.buf, r.out.len));
	return r;
}

static struct result decode(enum text_encoding enc, const char *doc, size_t n)
{
	return decode_cuts(enc, doc, n, NULL, 0);
}

/* The one-shot result, compared with every 2-piece split and 1-byte chunks. */
static void same_at_every_split(enum text_encoding enc, const char *doc, size_t n)
{
	struct result whole = decode(enc, doc, n);
	for (size_t c = 0; c <= n; c++) {
		struct result r = decode_cuts(enc, doc, n, &c, 1);
		if (r.rc != whole.rc || r.out.len != whole.out.len || memcmp(r.out.buf, whole.out.buf, r.out.len) ||
		    strcmp(r.err.message, whole.err.message) || r.chosen != whole.chosen)
			fail_msg("split at %zu differs: rc %d/%d, %s / %s", c, r.rc, whole.rc, r.err.message,
				 whole.err.message);
		strbuf_release(&r.out);
	}
	size_t *ones = malloc((n ? n : 1) * sizeof *ones);
	for (size_t c = 0; c < n; c++)
		ones[c] = c;
	struct result r = decode_cuts(enc, doc, n, ones, n);
	assert_int_equal(r.rc, whole.rc);
	assert_int_equal(r.out.len, whole.out.len);
	assert_memory_equal(r.out.buf, whole.out.buf, r.out.len);
	assert_string_equal(r.err.message, whole.err.message);
	strbuf_release(&r.out);
	free(ones);
	strbuf_release(&whole.out);
}

static void names(void **state)
{
	(void)state;
	enum text_encoding e;
	assert_true(text_encoding_parse("UTF-8", &e));
	assert_int_equal(e, TEXT_UTF8);
	assert_true(text_encoding_parse("utf8", &e));
	assert_true(text_encoding_parse("GB18030", &e));
	assert_int_equal(e, TEXT_GB18030);
	assert_true(text_encoding_parse("gbk", &e));
	assert_int_equal(e, TEXT_GB18030);
	assert_true(text_encoding_parse("auto", &e));
	assert_int_equal(e, TEXT_AUTO);
	assert_false(text_encoding_parse("latin1", &e));
	assert_false(text_encoding_parse("", &e));
	assert_false(text_encoding_parse("utf-8-and-something-long", &e));
	assert_string_equal(text_encoding_name(TEXT_GB18030), "gb18030");
	assert_string_equal(text_encoding_name(TEXT_UTF8), "utf-8");
	assert_string_equal(text_encoding_name(TEXT_AUTO), "auto");
}

static void utf8_validation(void **state)
{
	(void)state;
	assert_true(utf8_valid(utf8_doc, strlen(utf8_doc)));
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("\xF4\x8F\xBF\xBF", 4));	 /* U+10FFFF */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* beyond */
	assert_false(utf8_valid("\xC0\x80", 2));	 /* overlong NUL */
	assert_false(utf8_valid("\xE0\x80\xAF", 3));	 /* overlong */
	assert_false(utf8_valid("\xED\xA0\x80", 3));	 /* surrogate */
	assert_false(utf8_valid("\xE5\xBC", 2));	 /* cut */
	assert_false(utf8_valid("\x80", 1));
	assert_false(utf8_valid("abc\xFF", 4));
	assert_false(utf8_valid(gb_doc, sizeof gb_doc - 1));
}

static void utf8_in(void **state)
{
	(void)state;
	struct result r = decode(TEXT_UTF8, utf8_doc, strlen(utf8_doc));
	assert_int_equal(r.rc, DD_OK);
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	/* a BOM is dropped, in utf-8 and in auto mode, whatever the chunking */
	char with_bom[128];
	snprintf(with_bom, sizeof with_bom, "%s%s", UTF8_BOM, utf8_doc);
	for (int enc = TEXT_UTF8; enc <= TEXT_AUTO; enc += TEXT_AUTO - TEXT_UTF8) {
		r = decode((enum text_encoding)enc, with_bom, strlen(with_bom));
		assert_int_equal(r.rc, DD_OK);
		assert_string_equal(r.out.buf, utf8_doc);
		assert_int_equal(r.chosen, TEXT_UTF8);
		strbuf_release(&r.out);
		same_at_every_split((enum text_encoding)enc, with_bom, strlen(with_bom));
	}
	/* a BOM elsewhere stays */
	r = decode(TEXT_UTF8, "a" UTF8_BOM, 4);
	assert_int_equal(r.out.len, 4);
	strbuf_release(&r.out);
	same_at_every_split(TEXT_UTF8, utf8_doc, strlen(utf8_doc));
}

static void utf8_errors(void **state)
{
	(void)state;
	static const char bad[] = "a,b\nc,d\n\xE5\xBC\xA0\xFF\n";
	struct result r = decode(TEXT_UTF8, bad, sizeof bad - 1);
	assert_int_equal(r.rc, DD_EINVAL);
	assert_non_null(strstr(r.err.message, "第3行"));
	assert_non_null(strstr(r.err.message, "invalid UTF-8"));
	/* what came before the bad byte was passed on */
	assert_string_equal(r.out.buf, "a,b\nc,d\n张");
	strbuf_release(&r.out);
	same_at_every_split(TEXT_UTF8, bad, sizeof bad - 1);
	/* cut off by the end */
	r = decode(TEXT_UTF8, "ab\n\xE5\xBC", 5);
	assert_int_equal(r.rc, DD_EINVAL);
	assert_non_null(strstr(r.err.message, "第2行：文件末尾的字符不完整"));
	strbuf_release(&r.out);
	same_at_every_split(TEXT_UTF8, "ab\n\xE5\xBC", 5);
	/* errors are sticky */
	struct strbuf sb;
	strbuf_init(&sb, 16);
	struct text_decoder d;
	dd_error err;
	assert_int_equal(text_decoder_init(&d, TEXT_UTF8, text_sink_strbuf, &sb, &err), DD_OK);
	assert_int_equal(text_decoder_feed(&d, "\xFF", 1, &err), DD_EINVAL);
	assert_int_equal(text_decoder_feed(&d, "ok", 2, &err), DD_EINVAL);
	assert_int_equal(text_decoder_finish(&d, &err), DD_EINVAL);
	text_decoder_release(&d);
	strbuf_release(&sb);
}

static void gb18030_in(void **state)
{
	(void)state;
	struct result r = decode(TEXT_GB18030, gb_doc, sizeof gb_doc - 1);
	assert_int_equal(r.rc, DD_OK);
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	/* every split, including inside 2- and 4-byte characters, and 1-byte chunks */
	same_at_every_split(TEXT_GB18030, gb_doc, sizeof gb_doc - 1);
	/* GB18030's own BOM is dropped */
	char with_bom[128];
	snprintf(with_bom, sizeof with_bom, "%s%s", GB_BOM, gb_doc);
	r = decode(TEXT_GB18030, with_bom, strlen(with_bom));
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	/* a UTF-8 BOM with gb18030 asked for: the wrong choice, refused */
	char u8bom[128];
	snprintf(u8bom, sizeof u8bom, "%s%s", UTF8_BOM, utf8_doc);
	r = decode(TEXT_GB18030, u8bom, strlen(u8bom));
	assert_int_equal(r.rc, DD_EINVAL);
	assert_non_null(strstr(r.err.message, "UTF-8 BOM"));
	strbuf_release(&r.out);
	same_at_every_split(TEXT_GB18030, u8bom, strlen(u8bom));
	/* short inputs: nothing, one ASCII byte, one cut character */
	r = decode(TEXT_GB18030, "", 0);
	assert_int_equal(r.rc, DD_OK);
	strbuf_release(&r.out);
	r = decode(TEXT_GB18030, "a", 1);
	assert_string_equal(r.out.buf, "a");
	strbuf_release(&r.out);
	r = decode(TEXT_GB18030, "a\n\xD5", 3);
	assert_int_equal(r.rc, DD_EINVAL);
	assert_non_null(strstr(r.err.message, "第2行"));
	strbuf_release(&r.out);
	/* invalid bytes name their line */
	static const char bad[] = "a\nb\n\xD5\xC5\xFF\xFF\n";
	r = decode(TEXT_GB18030, bad, sizeof bad - 1);
	assert_int_equal(r.rc, DD_EINVAL);
	assert_non_null(strstr(r.err.message, "第3行：不是有效的 GB18030"));
	assert_string_equal(r.out.buf, "a\nb\n张");
	strbuf_release(&r.out);
	same_at_every_split(TEXT_GB18030, bad, sizeof bad - 1);
	/* a lead byte at a chunk's end, its bad follower in the next chunk: the
	 * text before it still goes out (found by fuzz_encoding) */
	static const char bad2[] = "a\nb\n\x81\x20x\n";
	r = decode(TEXT_GB18030, bad2, sizeof bad2 - 1);
	assert_string_equal(r.out.buf, "a\nb\n");
	assert_non_null(strstr(r.err.message, "第3行"));
	strbuf_release(&r.out);
	same_at_every_split(TEXT_GB18030, bad2, sizeof bad2 - 1);
	same_at_every_split(TEXT_AUTO, bad2, sizeof bad2 - 1);
}

static void auto_detection(void **state)
{
	(void)state;
	struct result r = decode(TEXT_AUTO, gb_doc, sizeof gb_doc - 1);
	assert_int_equal(r.rc, DD_OK);
	assert_int_equal(r.chosen, TEXT_GB18030);
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	same_at_every_split(TEXT_AUTO, gb_doc, sizeof gb_doc - 1);
	r = decode(TEXT_AUTO, utf8_doc, strlen(utf8_doc));
	assert_int_equal(r.chosen, TEXT_UTF8);
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	same_at_every_split(TEXT_AUTO, utf8_doc, strlen(utf8_doc));
	/* UTF-8 cut off by the end: still UTF-8, and reported */
	r = decode(TEXT_AUTO, "a\n\xE5\xBC\xA0\xE5\xBC", 7);
	assert_int_equal(r.chosen, TEXT_UTF8);
	assert_int_equal(r.rc, DD_EINVAL);
	assert_non_null(strstr(r.err.message, "第2行：文件末尾的字符不完整"));
	strbuf_release(&r.out);
	/* all ASCII: UTF-8; GB18030 with its BOM: GB18030, BOM dropped */
	r = decode(TEXT_AUTO, "id,name\n", 8);
	assert_int_equal(r.chosen, TEXT_UTF8);
	assert_string_equal(r.out.buf, "id,name\n");
	strbuf_release(&r.out);
	char with_bom[128];
	snprintf(with_bom, sizeof with_bom, "%s%s", GB_BOM, gb_doc);
	r = decode(TEXT_AUTO, with_bom, strlen(with_bom));
	assert_int_equal(r.chosen, TEXT_GB18030);
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	same_at_every_split(TEXT_AUTO, with_bom, strlen(with_bom));
	/* a long ASCII start does not force the choice: the window begins at the
	 * first non-ASCII byte */
	size_t pad = 3 * TEXT_AUTO_WINDOW;
	char *big = malloc(pad + sizeof gb_doc);
	memset(big, 'x', pad);
	for (size_t i = 99; i < pad; i += 100)
		big[i] = '\n';
	memcpy(big + pad, gb_doc, sizeof gb_doc);
	r = decode(TEXT_AUTO, big, pad + sizeof gb_doc - 1);
	assert_int_equal(r.rc, DD_OK);
	assert_int_equal(r.chosen, TEXT_GB18030);
	assert_int_equal(r.out.len, pad + strlen(utf8_doc));
	assert_memory_equal(r.out.buf + pad, utf8_doc, strlen(utf8_doc));
	strbuf_release(&r.out);
	free(big);
}

/* Detected as UTF-8 from the window, GB18030 bytes later: an error naming
 * the line, not silent mangling. */
static void auto_late_mismatch(void **state)
{
	(void)state;
	size_t lines = TEXT_AUTO_WINDOW / 16 + 10, n = 0;
	char *doc = malloc(lines * 16 + 64);
	for (size_t i = 0; i < lines; i++)
		n += (size_t)snprintf(doc + n, 32, "%05zu,张三三\n", i); /* 16 bytes */
	memcpy(doc + n, "\xD5\xC5\xC8\xFD\n", 5);
	n += 5;
	struct result r = decode(TEXT_AUTO, doc, n);
	assert_int_equal(r.rc, DD_EINVAL);
	assert_int_equal(r.chosen, TEXT_UTF8);
	char want[64];
	snprintf(want, sizeof want, "第%zu行：不是有效的 UTF-8", lines + 1);
	if (!strstr(r.err.message, want))
		fail_msg("%s", r.err.message);
	assert_non_null(strstr(r.err.message, "--encoding gb18030"));
	assert_int_equal(r.out.len, lines * 16);
	strbuf_release(&r.out);
	/* in 1-byte chunks and split everywhere near the window's end too */
	size_t cuts[1];
	for (size_t c = n - 40; c <= n; c++) {
		cuts[0] = c;
		r = decode_cuts(TEXT_AUTO, doc, n, cuts, 1);
		assert_int_equal(r.rc, DD_EINVAL);
		assert_non_null(strstr(r.err.message, want));
		strbuf_release(&r.out);
	}
	size_t *ones = malloc(n * sizeof *ones);
	for (size_t c = 0; c < n; c++)
		ones[c] = c;
	r = decode_cuts(TEXT_AUTO, doc, n, ones, n);
	assert_non_null(strstr(r.err.message, want));
	strbuf_release(&r.out);
	free(ones);
	free(doc);
}

/* Decoder straight into the CSV parser: GB18030 text with a character split
 * across chunks gives the same records. */
static dd_status count_record(void *ctx, const struct csv_record *rec, dd_error *err)
{
	(void)err;
	struct strbuf *sb = ctx;
	for (size_t i = 0; i < rec->n_fields; i++) {
		strbuf_add(sb, rec->fields[i].p, rec->fields[i].n);
		strbuf_addc(sb, '|');
	}
	strbuf_addc(sb, '\n');
	return DD_OK;
}

static void into_csv(void **state)
{
	(void)state;
	for (size_t chunk = 1; chunk <= sizeof gb_doc; chunk++) {
		struct strbuf sb;
		strbuf_init(&sb, 64);
		struct csv_options o = {.on_record = count_record, .ctx = &sb};
		struct csv_parser p;
		dd_error err;
		assert_int_equal(csv_init(&p, &o, &err), DD_OK);
		struct text_decoder d;
		assert_int_equal(text_decoder_init(&d, TEXT_AUTO, csv_sink, &p, &err), DD_OK);
		for (size_t at = 0; at < sizeof gb_doc - 1; at += chunk) {
			size_t k = sizeof gb_doc - 1 - at < chunk ? sizeof gb_doc - 1 - at : chunk;
			assert_int_equal(text_decoder_feed(&d, gb_doc + at, k, &err), DD_OK);
		}
		assert_int_equal(text_decoder_finish(&d, &err), DD_OK);
		assert_int_equal(csv_finish(&p, &err), DD_OK);
		assert_string_equal(sb.buf, "户编号|姓名|\n1|张三·é𠀀|\n2|李四|\n");
		text_decoder_release(&d);
		csv_release(&p);
		strbuf_release(&sb);
	}
}

static dd_status failing_sink(void *ctx, const char *data, size_t n, dd_error *err)
{
	(void)ctx;
	(void)data;
	(void)n;
	return dd_fail(err, DD_EIO, NULL, "disk full");
}

static void sink_errors(void **state)
{
	(void)state;
	struct text_decoder d;
	dd_error err;
	assert_int_equal(text_decoder_init(&d, TEXT_GB18030, failing_sink, NULL, &err), DD_OK);
	dd_status rc = text_decoder_feed(&d, gb_doc, sizeof gb_doc - 1, &err);
	if (!rc)
		rc = text_decoder_finish(&d, &err);
	assert_int_equal(rc, DD_EIO);
	assert_string_equal(err.message, "disk full");
	text_decoder_release(&d);
	assert_int_equal(text_decoder_init(&d, TEXT_UTF8, NULL, NULL, &err), DD_EINVAL);
	text_decoder_release(&d);
	struct text_encoder e;
	assert_int_equal(text_encoder_init(&e, TEXT_UTF8, false, failing_sink, NULL, &err), DD_OK);
	assert_int_equal(text_encoder_feed(&e, "x", 1, &err), DD_EIO);
	assert_int_equal(text_encoder_finish(&e, &err), DD_EIO);
	text_encoder_release(&e);
	assert_int_equal(text_encoder_init(&e, TEXT_AUTO, false, failing_sink, NULL, &err), DD_EINVAL);
	text_encoder_release(&e);
}

static struct strbuf encode_cuts(enum text_encoding enc, bool bom, const char *s, size_t n, size_t chunk, dd_status *rc,
				 dd_error *err)
{
	struct strbuf sb;
	strbuf_init(&sb, 64);
	struct text_encoder e;
	assert_int_equal(text_encoder_init(&e, enc, bom, text_sink_strbuf, &sb, err), DD_OK);
	*rc = DD_OK;
	for (size_t at = 0; at < n && !*rc; at += chunk)
		*rc = text_encoder_feed(&e, s + at, n - at < chunk ? n - at : chunk, err);
	if (!*rc)
		*rc = text_encoder_finish(&e, err);
	text_encoder_release(&e);
	return sb;
}

static void encoder(void **state)
{
	(void)state;
	dd_status rc;
	dd_error err;
	size_t n = strlen(utf8_doc);
	for (size_t chunk = 1; chunk <= n; chunk++) {
		struct strbuf sb = encode_cuts(TEXT_GB18030, false, utf8_doc, n, chunk, &rc, &err);
		assert_int_equal(rc, DD_OK);
		assert_int_equal(sb.len, sizeof gb_doc - 1);
		assert_memory_equal(sb.buf, gb_doc, sb.len);
		strbuf_release(&sb);
	}
	struct strbuf sb = encode_cuts(TEXT_GB18030, true, utf8_doc, n, 7, &rc, &err);
	assert_memory_equal(sb.buf, GB_BOM, 4);
	/* and back */
	struct result r = decode(TEXT_AUTO, sb.buf, sb.len);
	assert_string_equal(r.out.buf, utf8_doc);
	strbuf_release(&r.out);
	strbuf_release(&sb);
	sb = encode_cuts(TEXT_UTF8, true, utf8_doc, n, 5, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_memory_equal(sb.buf, UTF8_BOM, 3);
	assert_string_equal(sb.buf + 3, utf8_doc);
	strbuf_release(&sb);
	/* empty input with a BOM: just the BOM */
	sb = encode_cuts(TEXT_UTF8, true, "", 0, 1, &rc, &err);
	assert_string_equal(sb.buf, UTF8_BOM);
	strbuf_release(&sb);
	/* invalid UTF-8 in: refused, both ways */
	for (int enc = TEXT_UTF8; enc <= TEXT_GB18030; enc++) {
		sb = encode_cuts((enum text_encoding)enc, false, "ab\xFF", 3, 1, &rc, &err);
		assert_int_equal(rc, DD_EINVAL);
		assert_non_null(strstr(err.message, "byte 3"));
		strbuf_release(&sb);
		sb = encode_cuts((enum text_encoding)enc, false, "ab\xE5", 3, 2, &rc, &err);
		assert_int_equal(rc, DD_EINVAL);
		strbuf_release(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names),
	    cmocka_unit_test(utf8_validation),
	    cmocka_unit_test(utf8_in),
	    cmocka_unit_test(utf8_errors),
	    cmocka_unit_test(gb18030_in),
	    cmocka_unit_test(auto_detection),
	    cmocka_unit_test(auto_late_mismatch),
	    cmocka_unit_test(into_csv),
	    cmocka_unit_test(sink_errors),
	    cmocka_unit_test(encoder),
	};
	return cmocka_run_group_tests_name("encoding", tests, NULL, NULL);
}
