/* test_bank_file.c - bank file templates (reading, validation, canonical
 * JSON, header placeholders) and bank return files (title row found after
 * other lines, GB18030 or UTF-8, paid/failed rows, unreadable rows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/bank_file.h"

static const char COLUMNS[] =
    "[{\"title\":\"序号\",\"field\":\"seq\"},{\"title\":\"户名\",\"field\":\"name\"},"
    "{\"title\":\"银行账号\",\"field\":\"account\"},{\"title\":\"金额\",\"field\":\"amount\"}]";
static const char HEADER[] = "[[\"单位\",\"{county_name}民政局\",\"{period}\"]]";
static const char RETURN[] =
    "{\"account\":\"银行账号\",\"amount\":\"金额\",\"result\":\"处理结果\",\"reason\":\"失败原因\"}";

static void read_and_write_back(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096, 1 << 20);
	struct bank_template t;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(bank_template_parse(COLUMNS, HEADER, RETURN, &a, &t, &err), DD_OK);
	assert_int_equal(t.ncolumns, 4);
	assert_int_equal(t.columns[3].field, BF_AMOUNT);
	assert_string_equal(t.return_titles[BRC_RESULT], "处理结果");
	assert_null(t.return_titles[BRC_BANK_REF]);
	struct strbuf sb;
	strbuf_init(&sb, 256);
	bank_template_columns_json(&t, &sb);
	strbuf_addc(&sb, '\0');
	assert_string_equal(sb.buf, COLUMNS);
	strbuf_reset(&sb);
	struct bank_header_vars v = {.county_name = "开州区", .period = "2026-01"};
	bank_header_expand(t.header[0].cells[1], &v, &sb);
	bank_header_expand("{period}/{count}", &v, &sb);
	strbuf_addc(&sb, '\0');
	assert_string_equal(sb.buf, "开州区民政局2026-01/");
	strbuf_release(&sb);
	arena_release(&a);
}

static void refuses(void **state)
{
	(void)state;
	static const struct {
		const char *columns, *header, *ret, *field, *why;
	} cases[] = {
	    {"[]", NULL, RETURN, "columns", "no columns"},
	    {"[{\"title\":\"x\",\"field\":\"salary\"}]", NULL, RETURN, "columns[0].field", "unknown field"},
	    {"[{\"title\":\"\",\"field\":\"name\"}]", NULL, RETURN, "columns[0].title", "empty title"},
	    {"[{\"title\":\"a\",\"field\":\"amount\"},{\"title\":\"b\",\"field\":\"amount\"}]", NULL, RETURN,
	     "columns[1].field", "a field twice"},
	    {"[{\"title\":\"a\",\"field\":\"name\"}]", NULL, RETURN, "columns", "no account and amount"},
	    {COLUMNS, "[[\"{salary}\"]]", RETURN, "header[0][0]", "unknown placeholder"},
	    {COLUMNS, "[\"line\"]", RETURN, "header[0]", "a line is a list of cells"},
	    {COLUMNS, NULL, "{\"account\":\"a\",\"amount\":\"b\"}", "return_columns.result", "no result column"},
	    {COLUMNS, NULL, "{\"account\":\"a\",\"amount\":\"b\",\"result\":\"c\",\"extra\":\"d\"}",
	     "return_columns.extra", "unknown return column"},
	    {"[{\"title\":\"a\",\"field\":\"account\",\"width\":3},{\"title\":\"b\",\"field\":\"amount\"}]", NULL,
	     RETURN, "columns[0]", "unknown member"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct arena a;
		arena_init(&a, 4096, 1 << 20);
		struct bank_template t;
		dd_error err;
		dd_error_clear(&err);
		if (bank_template_parse(cases[i].columns, cases[i].header, cases[i].ret, &a, &t, &err) != DD_EINVAL)
			fail_msg("%s: accepted", cases[i].why);
		if (strcmp(err.field, cases[i].field) != 0)
			fail_msg("%s: field %s, want %s", cases[i].why, err.field, cases[i].field);
		arena_release(&a);
	}
	assert_true(bank_code_valid("cqrcb"));
	assert_false(bank_code_valid("CQ"));
	assert_false(bank_code_valid(""));
	assert_true(bank_text_formula_like("=1+1"));
	assert_true(bank_text_formula_like("@x"));
	assert_false(bank_text_formula_like("张三"));
}

struct rows {
	struct strbuf sb;
};

static dd_status on_row(void *ctx, const struct bank_return_row *row, dd_error *err)
{
	(void)err;
	struct rows *r = ctx;
	if (row->error)
		strbuf_addf(&r->sb, "%llu:error\n", (unsigned long long)row->line);
	else
		strbuf_addf(&r->sb, "%llu:%s:%lld:%s:%s\n", (unsigned long long)row->line, row->account,
			    (long long)row->amount, row->paid ? "paid" : "returned", row->reason);
	return DD_OK;
}

static void return_file(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096, 1 << 20);
	struct bank_template t;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(bank_template_parse(COLUMNS, NULL, RETURN, &a, &t, &err), DD_OK);
	const char utf8[] = "回盘结果\r\n"
			    "序号,银行账号,金额,处理结果,失败原因\r\n"
			    "1, 6217001 ,600.00,成功,\r\n"
			    "2,'6217002,45.5,失败,账户冻结\r\n"
			    ",,,,\r\n"
			    "3,6217003,1.234,成功,\r\n"
			    "4,6217004,10,待定,\r\n"
			    "5,,10,成功,\r\n";
	struct rows r;
	strbuf_init(&r.sb, 256);
	bool found = false;
	assert_int_equal(bank_return_parse(utf8, strlen(utf8), &t, on_row, &r, &found, &err), DD_OK);
	assert_true(found);
	strbuf_addc(&r.sb, '\0');
	assert_string_equal(r.sb.buf, "3:6217001:60000:paid:\n"
				      "4:6217002:4550:returned:账户冻结\n"
				      "6:error\n"
				      "7:error\n"
				      "8:error\n");
	strbuf_reset(&r.sb);
	/* the same in GB18030 (户名 not needed): 银行账号,金额,处理结果 */
	const char gb[] = "\xD2\xF8\xD0\xD0\xD5\xCB\xBA\xC5,\xBD\xF0\xB6\xEE,\xB4\xA6\xC0\xED\xBD\xE1\xB9\xFB\n"
			  "6217009,1.00,\xB3\xC9\xB9\xA6\n";
	assert_int_equal(bank_return_parse(gb, strlen(gb), &t, on_row, &r, &found, &err), DD_OK);
	strbuf_addc(&r.sb, '\0');
	assert_string_equal(r.sb.buf, "2:6217009:100:paid:\n");
	strbuf_reset(&r.sb);
	const char none[] = "a,b,c\n1,2,3\n";
	assert_int_equal(bank_return_parse(none, strlen(none), &t, on_row, &r, &found, &err), DD_EINVAL);
	assert_false(found);
	assert_string_equal(err.field, "file");
	strbuf_release(&r.sb);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(read_and_write_back),
	    cmocka_unit_test(refuses),
	    cmocka_unit_test(return_file),
	};
	return cmocka_run_group_tests_name("bank_file", tests, NULL, NULL);
}
