/* test_json.c - the strict JSON parser: accepted and refused documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

static void accepts(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096, 0);
	struct json_value *v;
	dd_error err;
	const char *doc = " {\"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\", true, false, null], \"名\": \"张某\"} ";
	assert_int_equal(json_parse(doc, strlen(doc), &a, NULL, &v, &err), DD_OK);
	const struct json_value *arr = json_get(v, "a");
	assert_non_null(arr);
	assert_int_equal(arr->len, 6);
	assert_string_equal(arr->child->next->str, "-2.5e3"); /* number text kept exactly */
	assert_string_equal(arr->child->next->next->str, "x\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(json_get(v, "名")->str, "张某");
	int64_t i;
	assert_true(json_int64(arr->child, &i));
	assert_int_equal(i, 1);
	assert_false(json_int64(arr->child->next, &i));
	arena_release(&a);
}

static void refuses(void **state)
{
	(void)state;
	static const struct {
		const char *doc;
		size_t len; /* 0 = strlen */
		const char *why;
	} rows[] = {
	    {"", 0, "empty"},
	    {"{", 0, "unterminated object"},
	    {"{\"a\":1,}", 0, "trailing comma"},
	    {"[01]", 0, "leading zero"},
	    {"[1.]", 0, "dot without digits"},
	    {"\"\\u0000\"", 0, "NUL escape"},
	    {"\"\\ud800\"", 0, "lone surrogate"},
	    {"\"\xc0\xaf\"", 0, "overlong UTF-8"},
	    {"\"\xed\xa0\x80\"", 0, "encoded surrogate"},
	    {"\"a\tb\"", 0, "raw control character"},
	    {"[1] x", 0, "trailing garbage"},
	    {"tru", 0, "short literal"},
	    {"{'a':1}", 0, "single quotes"},
	    {"\"\\x\"", 0, "bad escape"},
	    {"[\"a\\", 0, "escape at end"},
	    {"\"ab\0c\"", 6, "raw NUL byte"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct arena a;
		arena_init(&a, 4096, 0);
		struct json_value *v;
		dd_error err;
		size_t n = rows[i].len ? rows[i].len : strlen(rows[i].doc);
		if (json_parse(rows[i].doc, n, &a, NULL, &v, &err) == DD_OK)
			fail_msg("accepted: %s", rows[i].why);
		assert_string_equal(err.field, "$");
		arena_release(&a);
	}
}

static void depth_limit(void **state)
{
	(void)state;
	char doc[200];
	memset(doc, '[', 100);
	memset(doc + 100, ']', 100);
	struct arena a;
	arena_init(&a, 4096, 0);
	struct json_value *v;
	dd_error err;
	struct json_limits lim = {.max_depth = 32};
	assert_int_equal(json_parse(doc, sizeof doc, &a, &lim, &v, &err), DD_ELIMIT);
	lim.max_depth = 100;
	assert_int_equal(json_parse(doc, sizeof doc, &a, &lim, &v, &err), DD_OK);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts),
	    cmocka_unit_test(refuses),
	    cmocka_unit_test(depth_limit),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
