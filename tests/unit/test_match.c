/* test_match.c - data matching core: ID keys, the record scanner (quotes,
 * CRLF, records split across pushes at every byte), kinds, rules and the
 * population table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/match.h"

static void idkeys(void **state)
{
	(void)state;
	uint64_t k;
	assert_true(match_idkey("11010519491231002X", 18, &k));
	char back[19];
	match_idtext(k, back);
	assert_string_equal(back, "11010519491231002X");
	uint64_t k2;
	assert_true(match_idkey("11010519491231002x", 18, &k2));
	assert_true(k == k2);
	assert_false(match_idkey("110105194912310021", 18, &k));  /* wrong check */
	assert_false(match_idkey("11010519491231002", 17, &k));	  /* short */
	assert_false(match_idkey("1101051949123100AX", 18, &k));  /* a letter */
	assert_false(match_idkey("11010519491231002X ", 19, &k)); /* long */
}

struct got {
	char text[4096];
	int records;
	uint64_t lines[16];
};

static dd_status collect(void *ctx, const struct match_fields *f, dd_error *err)
{
	(void)err;
	struct got *g = ctx;
	size_t n = strlen(g->text);
	if (g->records < 16)
		g->lines[g->records] = f->line;
	g->records++;
	if (f->count < 0) {
		snprintf(g->text + n, sizeof g->text - n, "BAD|");
		return DD_OK;
	}
	for (int i = 0; i < f->count; i++) {
		n = strlen(g->text);
		snprintf(g->text + n, sizeof g->text - n, "[%.*s]", (int)f->n[i], f->p[i]);
	}
	n = strlen(g->text);
	snprintf(g->text + n, sizeof g->text - n, "|");
	return DD_OK;
}

/* Scans input pushed in pieces of `step` bytes. */
static void scan_in_steps(const char *in, size_t step, struct got *g)
{
	memset(g, 0, sizeof *g);
	struct match_scanner s;
	match_scanner_init(&s, collect, g);
	dd_error err;
	size_t n = strlen(in);
	for (size_t i = 0; i < n; i += step) {
		size_t k = n - i < step ? n - i : step;
		assert_int_equal(match_scanner_feed(&s, in + i, k, &err), DD_OK);
	}
	assert_int_equal(match_scanner_finish(&s, &err), DD_OK);
	match_scanner_release(&s);
}

static void scanner(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"a,b,c\n1,2,3\n", "[a][b][c]|[1][2][3]|"},
	    {"a,b\r\n1,2\r\n", "[a][b]|[1][2]|"},
	    {"a,b\n1,2", "[a][b]|[1][2]|"},				  /* no final LF */
	    {"a,,\n", "[a][][]|"},					  /* empty fields */
	    {"\"x,y\",z\n", "[x,y][z]|"},				  /* a quoted comma */
	    {"\"say \"\"hi\"\"\",2\n", "[say \"hi\"][2]|"},		  /* doubled quotes */
	    {"\"two\nlines\",3\nnext,4\n", "[two\nlines][3]|[next][4]|"}, /* a quoted LF */
	    {"\"q\"\r\n1\n", "[q]|[1]|"},
	    {"a\n\nb\n", "[a]|[b]|"},		 /* an empty line is skipped */
	    {"ab\"c,d\n1,2\n", "BAD|[1][2]|"},	 /* a quote inside an unquoted field */
	    {"\"ab\"c,d\n1,2\n", "BAD|[1][2]|"}, /* text after the closing quote */
	    {"\"open\n", "BAD|"},		 /* an unterminated quote at the end */
	    {"名字,号码\n张三,1\n", "[名字][号码]|[张三][1]|"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t n = strlen(cases[c].in);
		for (size_t step = 1; step <= n; step++) {
			struct got g;
			scan_in_steps(cases[c].in, step, &g);
			if (strcmp(g.text, cases[c].want) != 0)
				fail_msg("case %zu step %zu: got %s want %s", c, step, g.text, cases[c].want);
		}
	}
	struct got g;
	scan_in_steps("a\n\"b\nc\"\nd\n", 3, &g);
	assert_int_equal(g.records, 3);
	assert_int_equal(g.lines[0], 1);
	assert_int_equal(g.lines[1], 2);
	assert_int_equal(g.lines[2], 4); /* the record after a two-line field */
}

static void too_many_fields(void **state)
{
	(void)state;
	char in[400] = "";
	for (int i = 0; i < MATCH_MAX_FIELDS + 1; i++)
		strcat(in, i ? ",x" : "x");
	strcat(in, "\nok\n");
	struct got g;
	scan_in_steps(in, 7, &g);
	assert_string_equal(g.text, "BAD|[ok]|");
}

static const char kind_json[] =
    "[{\"name\":\"id_number\",\"type\":\"id\",\"label\":\"身份证号码\",\"headers\":[\"公民身份号码\"]},"
    "{\"name\":\"paid\",\"type\":\"money\",\"label\":\"金额\",\"required\":true},"
    "{\"name\":\"on\",\"type\":\"date\",\"label\":\"日期\"},"
    "{\"name\":\"place\",\"type\":\"region\",\"label\":\"区划\"},"
    "{\"name\":\"kind\",\"type\":\"text\",\"label\":\"类型\"}]";

static void kinds_and_headers(void **state)
{
	(void)state;
	struct match_kind k;
	dd_error err;
	assert_int_equal(match_kind_parse("t", kind_json, strlen(kind_json), &k, &err), DD_OK);
	assert_int_equal(k.ncol, 5);
	assert_int_equal(k.key, 0);
	const char *cells[] = {"\xEF\xBB\xBF日期", " 公民身份号码 ", "other", "金额"};
	size_t len[] = {strlen(cells[0]), strlen(cells[1]), 5, strlen(cells[3])};
	int map[4];
	assert_int_equal(match_header_map(&k, cells, len, 4, map, &err), DD_OK);
	assert_int_equal(map[0], 2);
	assert_int_equal(map[1], 0);
	assert_int_equal(map[2], -1);
	assert_int_equal(map[3], 1);
	/* a required column missing, and the key missing, each named */
	assert_int_equal(match_header_map(&k, cells, len, 2, map, &err), DD_EINVAL);
	assert_string_equal(err.field, "paid");
	assert_int_equal(match_header_map(&k, cells + 2, len + 2, 2, map, &err), DD_EINVAL);
	assert_string_equal(err.field, "id_number");
	/* twice */
	const char *twice[] = {"身份证号码", "金额", "paid"};
	size_t tl[] = {strlen(twice[0]), strlen(twice[1]), 4};
	assert_int_equal(match_header_map(&k, twice, tl, 3, map, &err), DD_EINVAL);
	/* bad kinds */
	static const char *const bad[] = {
	    "[]",
	    "[{\"name\":\"a\",\"type\":\"text\"}]",				     /* no id */
	    "[{\"name\":\"a\",\"type\":\"id\"},{\"name\":\"b\",\"type\":\"id\"}]",   /* two ids */
	    "[{\"name\":\"a\",\"type\":\"id\"},{\"name\":\"a\",\"type\":\"text\"}]", /* a name twice */
	    "[{\"name\":\"A-b\",\"type\":\"id\"}]",				     /* a bad name */
	    "[{\"name\":\"a\",\"type\":\"float\"}]",				     /* a bad type */
	    "{\"name\":\"a\"}",
	    "[{\"name\":\"a\",\"type\":\"id\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (match_kind_parse("t", bad[i], strlen(bad[i]), &k, &err) == DD_OK)
			fail_msg("accepted kind %s", bad[i]);
}

static void values(void **state)
{
	(void)state;
	struct match_value v;
	dd_error err;
	assert_int_equal(match_value_parse(MT_MONEY, " 20000.01 ", 10, &v, &err), DD_OK);
	assert_int_equal(v.num, 2000001);
	assert_int_equal(match_value_parse(MT_MONEY, "-1", 2, &v, &err), DD_EINVAL);
	assert_int_equal(match_value_parse(MT_MONEY, "1.234", 5, &v, &err), DD_EINVAL);
	assert_int_equal(match_value_parse(MT_DATE, "20260301", 8, &v, &err), DD_OK);
	int64_t d = v.num;
	assert_int_equal(match_value_parse(MT_DATE, "2026/03/01", 10, &v, &err), DD_OK);
	assert_int_equal(v.num, d);
	assert_int_equal(match_value_parse(MT_DATE, "2026-02-30", 10, &v, &err), DD_EINVAL);
	assert_int_equal(match_value_parse(MT_REGION, "500101", 6, &v, &err), DD_OK);
	assert_int_equal(v.num, 500101000000LL);
	assert_int_equal(match_value_parse(MT_REGION, "5001", 4, &v, &err), DD_EINVAL);
	assert_int_equal(match_value_parse(MT_INT, "12a", 3, &v, &err), DD_EINVAL);
	assert_int_equal(match_value_parse(MT_DATE, "", 0, &v, &err), DD_OK);
	assert_false(v.present);
}

static void rules(void **state)
{
	(void)state;
	struct match_kind k;
	dd_error err;
	assert_int_equal(match_kind_parse("t", kind_json, strlen(kind_json), &k, &err), DD_OK);
	struct match_rule r = {.population = POP_MONITORED, .window_months = 12};
	assert_int_equal(match_rule_prepare(&r, &k, "paid", "gt", "100.00", "on", NULL, &err), DD_OK);
	struct match_value v;
	assert_int_equal(match_value_parse(MT_MONEY, "100.01", 6, &v, &err), DD_OK);
	assert_true(match_condition(&r, &v));
	assert_int_equal(match_value_parse(MT_MONEY, "100.00", 6, &v, &err), DD_OK);
	assert_false(match_condition(&r, &v));
	/* the window: (as_of - 12 months, as_of] */
	dd_date as_of = date_from_ymd(2026, 11, 1);
	assert_true(match_in_window(&r, as_of, as_of));
	assert_true(match_in_window(&r, date_from_ymd(2025, 11, 2), as_of));
	assert_false(match_in_window(&r, date_from_ymd(2025, 11, 1), as_of));
	assert_false(match_in_window(&r, date_from_ymd(2026, 11, 2), as_of));
	/* text: eq/ne only; sum on money */
	struct match_rule t = {.population = POP_MONITORED};
	assert_int_equal(match_rule_prepare(&t, &k, "kind", "ne", "残疾人专用车", NULL, NULL, &err), DD_OK);
	assert_int_equal(match_value_parse(MT_TEXT, "小型轿车", strlen("小型轿车"), &v, &err), DD_OK);
	assert_true(match_condition(&t, &v));
	assert_int_equal(match_value_parse(MT_TEXT, "残疾人专用车", strlen("残疾人专用车"), &v, &err), DD_OK);
	assert_false(match_condition(&t, &v));
	assert_int_equal(match_rule_prepare(&t, &k, "kind", "gt", "a", NULL, NULL, &err), DD_EINVAL);
	assert_int_equal(match_rule_prepare(&t, &k, "kind", "sum_gt", "1", NULL, NULL, &err), DD_EINVAL);
	assert_int_equal(match_rule_prepare(&t, &k, "nope", "present", NULL, NULL, NULL, &err), DD_EINVAL);
	assert_int_equal(match_rule_prepare(&t, &k, "paid", "gt", "abc", NULL, NULL, &err), DD_EINVAL);
	assert_string_equal(err.field, "value");
	assert_int_equal(match_rule_prepare(&t, &k, "paid", "gt", NULL, NULL, NULL, &err), DD_EINVAL);
	struct match_rule lead = {.population = POP_UNCOVERED};
	assert_int_equal(match_rule_prepare(&lead, &k, NULL, "present", NULL, NULL, NULL, &err), DD_EINVAL);
	assert_string_equal(err.field, "region_field");
	assert_int_equal(match_rule_prepare(&lead, &k, NULL, "present", NULL, NULL, "place", &err), DD_OK);
	struct match_rule sum = {.population = POP_MONITORED, .window_months = 12};
	assert_int_equal(match_rule_prepare(&sum, &k, "paid", "sum_gt", "20000.00", "on", NULL, &err), DD_OK);
	assert_false(match_sum_reached(&sum, 2000000));
	assert_true(match_sum_reached(&sum, 2000001));
}

static void population(void **state)
{
	(void)state;
	struct match_pop p;
	match_pop_init(&p);
	dd_error err;
	for (uint64_t i = 1; i <= 100000; i++) {
		struct match_member m = {.person_id = (int64_t)i, .programmes = PROG_DIBAO};
		assert_int_equal(match_pop_add(&p, i * 7919, &m, &err), DD_OK);
	}
	struct match_member again = {.person_id = 0, .programmes = PROG_HARDSHIP};
	assert_int_equal(match_pop_add(&p, 7919 * 5, &again, &err), DD_OK); /* merged */
	assert_int_equal(p.n, 100000);
	const struct match_member *m = match_pop_find(&p, 7919 * 5);
	assert_non_null(m);
	assert_int_equal(m->person_id, 5);
	assert_int_equal(m->programmes, PROG_DIBAO | PROG_HARDSHIP);
	for (uint64_t i = 1; i <= 100000; i += 997)
		assert_int_equal(match_pop_find(&p, i * 7919)->person_id, (int64_t)i);
	assert_null(match_pop_find(&p, 7919 * 100001));
	assert_null(match_pop_find(&p, 3));
	/* sealed (the filter built): every member still found, strangers not */
	assert_int_equal(match_pop_seal(&p, &err), DD_OK);
	for (uint64_t i = 1; i <= 100000; i++)
		if (!match_pop_find(&p, i * 7919) || match_pop_find(&p, i * 7919)->person_id != (int64_t)i)
			fail_msg("member %llu lost after seal", (unsigned long long)i);
	size_t strangers = 0;
	for (uint64_t i = 1; i <= 100000; i++)
		strangers += match_pop_find(&p, i * 7919 + 1) != NULL;
	assert_int_equal(strangers, 0);
	match_pop_release(&p);
	struct match_sums s;
	match_sums_init(&s);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(match_sums_add(&s, (uint64_t)(i % 100) + 1, 10, i, 0, &err), DD_OK);
	assert_int_equal(s.n, 100);
	for (size_t i = 0; i <= s.mask; i++)
		if (s.s[i].key)
			assert_int_equal(s.s[i].sum, 500);
	match_sums_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(idkeys),	       cmocka_unit_test(scanner),
	    cmocka_unit_test(too_many_fields), cmocka_unit_test(kinds_and_headers),
	    cmocka_unit_test(values),	       cmocka_unit_test(rules),
	    cmocka_unit_test(population),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
