/* test_csv.c - the chunked CSV parser: grammar, line numbers, errors, limits,
 * recovery, and results independent of how the input is chunked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"
#include "core/strbuf.h"

/* Every record and error rendered as text, so two parses compare with one
 * string comparison: "L<line>@<offset>:<len>[bytes]<len>[bytes]…\n". */
struct trace {
	struct strbuf sb;
	int stop_after; /* on_record fails after this many records (0 = never) */
	int seen;
};

static void put_fields(struct strbuf *sb, const struct csv_record *rec)
{
	strbuf_addf(sb, "L%llu@%llu:", (unsigned long long)rec->line, (unsigned long long)rec->offset);
	for (size_t i = 0; i < rec->n_fields; i++) {
		/* every field is NUL-terminated at its length */
		assert_int_equal(rec->fields[i].p[rec->fields[i].n], '\0');
		strbuf_addf(&*sb, "%zu[", rec->fields[i].n);
		strbuf_add(sb, rec->fields[i].p, rec->fields[i].n);
		strbuf_addc(sb, ']');
	}
}

static dd_status on_record(void *ctx, const struct csv_record *rec, dd_error *err)
{
	struct trace *t = ctx;
	put_fields(&t->sb, rec);
	strbuf_addc(&t->sb, '\n');
	if (t->stop_after && ++t->seen >= t->stop_after)
		return dd_fail(err, DD_EINVAL, NULL, "stop");
	return DD_OK;
}

static dd_status on_error(void *ctx, const struct csv_record *rec, const dd_error *why, dd_error *err)
{
	(void)err;
	struct trace *t = ctx;
	strbuf_adds(&t->sb, "ERR ");
	put_fields(&t->sb, rec);
	strbuf_addf(&t->sb, " %d %s\n", why->code, why->message);
	return DD_OK;
}

/* Parses doc fed in pieces at the given cut points (sorted, within doc);
 * returns the trace, ending with "END <status> <message>". */
static char *parse_cuts(const char *doc, size_t n, const size_t *cuts, size_t ncuts, unsigned flags, size_t max_field,
			size_t max_fields, size_t max_record)
{
	struct trace t = {0};
	strbuf_init(&t.sb, 256);
	struct csv_options o = {.on_record = on_record,
				.on_error = on_error,
				.ctx = &t,
				.flags = flags,
				.max_field = max_field,
				.max_fields = max_fields,
				.max_record = max_record};
	struct csv_parser p;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(csv_init(&p, &o, &err), DD_OK);
	size_t at = 0;
	dd_status rc = DD_OK;
	for (size_t k = 0; k <= ncuts && !rc; k++) {
		size_t end = k < ncuts ? cuts[k] : n;
		rc = csv_feed(&p, doc + at, end - at, &err);
		at = end;
	}
	if (!rc)
		rc = csv_finish(&p, &err);
	strbuf_addf(&t.sb, "END %d %s", rc, rc ? err.message : "");
	csv_release(&p);
	assert_false(t.sb.failed);
	return t.sb.buf;
}

static char *parse_all(const char *doc, unsigned flags)
{
	return parse_cuts(doc, strlen(doc), NULL, 0, flags, 0, 0, 0);
}

/* The one-shot parse equals the parse split at every single offset, at
 * every pair of offsets (for short documents) and in 1-byte chunks. */
static void check_all_splits(const char *doc, size_t n, unsigned flags, size_t mf, size_t mfs, size_t mr)
{
	char *whole = parse_cuts(doc, n, NULL, 0, flags, mf, mfs, mr);
	for (size_t c = 0; c <= n; c++) {
		char *s = parse_cuts(doc, n, &c, 1, flags, mf, mfs, mr);
		if (strcmp(s, whole) != 0)
			fail_msg("split at %zu differs:\n%s\n--- one shot:\n%s", c, s, whole);
		free(s);
	}
	if (n <= 200)
		for (size_t a = 0; a <= n; a++)
			for (size_t b = a; b <= n; b++) {
				size_t cuts[2] = {a, b};
				char *s = parse_cuts(doc, n, cuts, 2, flags, mf, mfs, mr);
				if (strcmp(s, whole) != 0)
					fail_msg("split at %zu,%zu differs:\n%s\n--- one shot:\n%s", a, b, s, whole);
				free(s);
			}
	size_t *ones = malloc((n ? n : 1) * sizeof *ones);
	for (size_t c = 0; c < n; c++)
		ones[c] = c;
	char *s = parse_cuts(doc, n, ones, n, flags, mf, mfs, mr);
	if (strcmp(s, whole) != 0)
		fail_msg("1-byte chunks differ:\n%s\n--- one shot:\n%s", s, whole);
	free(s);
	free(ones);
	free(whole);
}

static void grammar(void **state)
{
	(void)state;
	char *s = parse_all("a,b,c\nd,,f\r\n\"g\",\"h,\"\"i\"\"\",\"j\r\nk\"\nlast,no,newline", 0);
	assert_string_equal(s, "L1@0:1[a]1[b]1[c]\n"
			       "L2@6:1[d]0[]1[f]\n"
			       "L3@12:1[g]5[h,\"i\"]4[j\r\nk]\n"
			       "L5@33:4[last]2[no]7[newline]\n"
			       "END 0 ");
	free(s);
	/* blank lines are skipped (LF and CRLF), "" is a record; trailing comma = empty last field */
	s = parse_all("\n\r\na\n\n\"\"\nb,\n\n", 0);
	assert_string_equal(s, "L3@3:1[a]\nL5@6:0[]\nL6@9:1[b]0[]\nEND 0 ");
	free(s);
	s = parse_all("\n\na\n", CSV_KEEP_EMPTY_LINES);
	assert_string_equal(s, "L1@0:0[]\nL2@1:0[]\nL3@2:1[a]\nEND 0 ");
	free(s);
	/* a final CR ends the record; an empty document has no record */
	s = parse_all("x,y\r", 0);
	assert_string_equal(s, "L1@0:1[x]1[y]\nEND 0 ");
	free(s);
	s = parse_all("", 0);
	assert_string_equal(s, "END 0 ");
	free(s);
	/* "a," at the very end: two fields */
	s = parse_all("a,", 0);
	assert_string_equal(s, "L1@0:1[a]0[]\nEND 0 ");
	free(s);
	/* UTF-8 and NUL bytes pass through; the length is authoritative */
	char doc[] = "张三,x\0y\n";
	s = parse_cuts(doc, sizeof doc - 1, NULL, 0, 0, 0, 0, 0);
	assert_int_equal(memcmp(s, "L1@0:6[张三]3[x\0y]\nEND 0 ", 25), 0);
	free(s);
}

static void errors(void **state)
{
	(void)state;
	static const struct {
		const char *doc, *want;
	} cases[] = {
	    {"a,b\nc,d\"e\n", "第2行：未加引号的字段中出现双引号"},
	    {"a\n\"b\"x,c\n", "第2行：右引号后出现多余字符"},
	    {"a\n\"b\nc\"x\n", "第3行：右引号后出现多余字符"},
	    {"a\nb\rc\n", "第2行：回车符后缺少换行符"},
	    {"a\nb,\"c\nd\n", "第2行：引号未闭合"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *s = parse_all(cases[k].doc, 0);
		if (!strstr(s, "END 1 ") || !strstr(s, cases[k].want))
			fail_msg("case %zu: %s", k, s);
		free(s);
	}
	/* the error is sticky: feeding more returns it again */
	struct trace t = {0};
	strbuf_init(&t.sb, 64);
	struct csv_options o = {.on_record = on_record, .ctx = &t};
	struct csv_parser p;
	dd_error err;
	assert_int_equal(csv_init(&p, &o, &err), DD_OK);
	assert_int_equal(csv_feed(&p, "a\"\n", 3, &err), DD_EINVAL);
	assert_int_equal(csv_feed(&p, "b\n", 2, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "line 1"));
	assert_int_equal(csv_finish(&p, &err), DD_EINVAL);
	csv_release(&p);
	strbuf_release(&t.sb);
	/* bad options */
	struct csv_options none = {0};
	assert_int_equal(csv_init(&p, &none, &err), DD_EINVAL);
	struct csv_options rec = {.on_record = on_record, .flags = CSV_RECOVER};
	assert_int_equal(csv_init(&p, &rec, &err), DD_EINVAL);
}

static void limits(void **state)
{
	(void)state;
	/* field of 5 bytes allowed, 6 refused; quoted or not */
	char *s = parse_cuts("abcde,x\n", 8, NULL, 0, 0, 5, 0, 0);
	assert_non_null(strstr(s, "END 0"));
	free(s);
	s = parse_cuts("abcdef,x\n", 9, NULL, 0, 0, 5, 0, 0);
	assert_non_null(strstr(s, "END 6 第1行：字段超过5字节"));
	free(s);
	s = parse_cuts("x\n\"ab\ncdef\"\n", 12, NULL, 0, 0, 5, 0, 0);
	assert_non_null(strstr(s, "END 6 第3行：字段超过5字节"));
	free(s);
	/* 3 fields allowed, 4 refused (also a trailing empty one) */
	s = parse_cuts("a,b,c\n", 6, NULL, 0, 0, 0, 3, 0);
	assert_non_null(strstr(s, "END 0"));
	free(s);
	s = parse_cuts("a,b,c,\n", 7, NULL, 0, 0, 0, 3, 0);
	assert_non_null(strstr(s, "END 6 第1行：字段数超过3"));
	free(s);
	/* record bytes: fields plus one separator each */
	s = parse_cuts("ab,cd\n", 6, NULL, 0, 0, 0, 0, 5);
	assert_non_null(strstr(s, "END 0"));
	free(s);
	s = parse_cuts("ab,cde\n", 7, NULL, 0, 0, 0, 0, 5);
	assert_non_null(strstr(s, "END 6 第1行：记录超过5字节"));
	free(s);
	/* a huge unterminated field stops at the limit, not at memory */
	size_t big = 1 << 20;
	char *doc = malloc(big);
	memset(doc, 'x', big);
	doc[0] = '"';
	s = parse_cuts(doc, big, NULL, 0, 0, 1000, 0, 0);
	assert_non_null(strstr(s, "END 6 "));
	free(s);
	free(doc);
}

static void recovery(void **state)
{
	(void)state;
	char *s = parse_all("h1,h2\nok,1\nbad,x\"y\nok,2\n\"q\"z,3\nlast,\"open\n", CSV_RECOVER);
	assert_string_equal(
	    s, "L1@0:2[h1]2[h2]\n"
	       "L2@6:2[ok]1[1]\n"
	       "ERR L3@11:3[bad] 1 第3行：未加引号的字段中出现双引号 (line 3: quote inside an unquoted field)\n"
	       "L4@19:2[ok]1[2]\n"
	       "ERR L5@24: 1 第5行：右引号后出现多余字符 (line 5: text after a closing quote)\n"
	       "ERR L6@31:4[last] 1 第6行：引号未闭合，直到文件结束 (line 6: quoted field not closed before "
	       "the end)\n"
	       "END 0 ");
	free(s);
	s = parse_cuts("a,bcdefgh,c\nok\n", 15, NULL, 0, CSV_RECOVER, 4, 0, 0);
	assert_string_equal(
	    s, "ERR L1@0:1[a] 6 第1行：字段超过4字节 (line 1: field longer than 4 bytes)\nL2@12:2[ok]\nEND 0 ");
	free(s);
}

static void callback_stops(void **state)
{
	(void)state;
	struct trace t = {.stop_after = 2};
	strbuf_init(&t.sb, 64);
	struct csv_options o = {.on_record = on_record, .ctx = &t};
	struct csv_parser p;
	dd_error err;
	assert_int_equal(csv_init(&p, &o, &err), DD_OK);
	assert_int_equal(csv_feed(&p, "a\nb\nc\n", 6, &err), DD_EINVAL);
	assert_string_equal(err.message, "stop");
	assert_int_equal(csv_records(&p), 1);
	assert_string_equal(t.sb.buf, "L1@0:1[a]\nL2@2:1[b]\n");
	csv_release(&p);
	strbuf_release(&t.sb);
}

static const char tricky[] = "household_no,name,\"note\"\r\n"
			     "\"H-1\",\"张三\",\"say \"\"hi\"\"\r\nand\nbye\"\r\n"
			     "H-2,李四,\n"
			     "\n"
			     "H-3,\"\",\"\"\"\"\r\n"
			     "\"\",,\r\n"
			     "H-4,王五,\"a,b,c\"\n"
			     "H-5,赵六,tail-without-newline";

static void chunking(void **state)
{
	(void)state;
	check_all_splits(tricky, sizeof tricky - 1, 0, 0, 0, 0);
	check_all_splits(tricky, sizeof tricky - 1, CSV_KEEP_EMPTY_LINES, 0, 0, 0);
	/* errors and recovery too, and limits hit at chunk boundaries */
	static const char bad[] = "a,b\r\nc,\"d\"\"e\"x,f\ng,h\"i\nj\rk\nok,\"x\ny\"\n\"unterminated\nz";
	check_all_splits(bad, sizeof bad - 1, 0, 0, 0, 0);
	check_all_splits(bad, sizeof bad - 1, CSV_RECOVER, 0, 0, 0);
	check_all_splits(tricky, sizeof tricky - 1, CSV_RECOVER, 6, 0, 0);
	check_all_splits(tricky, sizeof tricky - 1, CSV_RECOVER, 0, 2, 0);
	check_all_splits(tricky, sizeof tricky - 1, CSV_RECOVER, 0, 0, 12);
	check_all_splits(tricky, sizeof tricky - 1, 0, 0, 0, 12);
}

static void writer(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 64);
	static const char *const in[] = {"plain", "a,b", "say \"hi\"", "two\r\nlines", "=SUM(A1)", "-1",
					 "@x",	  "+1",	 "",	       "\"=1\""};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		if (i)
			strbuf_addc(&sb, ',');
		csv_append_field(&sb, in[i], strlen(in[i]), CSV_OUT_PROTECT);
	}
	strbuf_adds(&sb, "\r\n");
	assert_string_equal(
	    sb.buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",'=SUM(A1),'-1,'@x,'+1,,\"\"\"=1\"\"\"\r\n");
	/* what the writer wrote parses back to the (protected) values */
	char *s = parse_all(sb.buf, 0);
	assert_string_equal(
	    s, "L1@0:5[plain]3[a,b]8[say \"hi\"]10[two\r\nlines]9['=SUM(A1)]3['-1]3['@x]3['+1]0[]4[\"=1\"]\n"
	       "END 0 ");
	free(s);
	strbuf_reset(&sb);
	csv_append_field(&sb, "\t=x,y", 5, CSV_OUT_PROTECT);
	assert_string_equal(sb.buf, "\"'\t=x,y\"");
	strbuf_reset(&sb);
	csv_append_field(&sb, "=x", 2, 0);
	assert_string_equal(sb.buf, "=x");
	assert_true(csv_formula_like("=", 1));
	assert_false(csv_formula_like("", 0));
	assert_false(csv_needs_quotes("abc", 3));
	strbuf_release(&sb);
}

/* Long documents cross the fast path (whole plain records) and the state
 * machine at every chunk size. */
static void fast_and_slow_agree(void **state)
{
	(void)state;
	struct strbuf doc;
	strbuf_init(&doc, 4096);
	for (int r = 0; r < 300; r++) {
		for (int f = 0; f < (r % 7) + 1; f++) {
			if (f)
				strbuf_addc(&doc, ',');
			if (r % 11 == 3 && f == 1)
				strbuf_addf(&doc, "\"q%d,\"\"x\"\"\"", r);
			else
				strbuf_addf(&doc, "%*d", (r * 7 + f) % 40, r);
		}
		strbuf_adds(&doc, r % 3 ? "\n" : "\r\n");
	}
	char *whole = parse_cuts(doc.buf, doc.len, NULL, 0, 0, 0, 0, 0);
	for (size_t step = 1; step < 200; step += 7) {
		size_t ncuts = doc.len / step;
		size_t *cuts = malloc((ncuts + 1) * sizeof *cuts);
		for (size_t k = 0; k < ncuts; k++)
			cuts[k] = (k + 1) * step;
		char *s = parse_cuts(doc.buf, doc.len, cuts, ncuts, 0, 0, 0, 0);
		if (strcmp(s, whole) != 0)
			fail_msg("chunks of %zu differ", step);
		free(s);
		free(cuts);
	}
	/* field and record limits agree across both paths */
	for (size_t lim = 1; lim < 45; lim += 4) {
		char *a = parse_cuts(doc.buf, doc.len, NULL, 0, CSV_RECOVER, lim, 5, lim * 4);
		size_t *cuts = malloc(doc.len * sizeof *cuts);
		for (size_t k = 0; k + 1 < doc.len; k++)
			cuts[k] = k + 1;
		char *b = parse_cuts(doc.buf, doc.len, cuts, doc.len - 1, CSV_RECOVER, lim, 5, lim * 4);
		if (strcmp(a, b) != 0)
			fail_msg("limits %zu differ between one shot and 1-byte chunks", lim);
		free(a);
		free(b);
		free(cuts);
	}
	free(whole);
	strbuf_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(grammar),	      cmocka_unit_test(errors),
	    cmocka_unit_test(limits),	      cmocka_unit_test(recovery),
	    cmocka_unit_test(callback_stops), cmocka_unit_test(chunking),
	    cmocka_unit_test(writer),	      cmocka_unit_test(fast_and_slow_agree),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
