/* test_policy.c - policy loading, validation and the lookup rule, plus the
 * working-day calendar, on the shipped files and on small inline ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "core/policy.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

static dd_date D(const char *s)
{
	dd_date t;
	dd_error err;
	if (date_parse(s, strlen(s), &t, &err))
		fail_msg("bad date %s", s);
	return t;
}

static void shipped_policy(void **state)
{
	(void)state;
	size_t n;
	char *text = slurp("policy/default.json", &n);
	struct policy p;
	dd_error err;
	if (policy_load(&p, text, n, &err))
		fail_msg("%s: %s", err.field, err.message);
	const struct policy_entry *e = policy_lookup(&p, "dibao.standard.rural", "500154001", D("2022-09-01"));
	assert_non_null(e);
	assert_int_equal(e->value.i, 58100);
	e = policy_lookup(&p, "dibao.standard.urban", "500154", D("2025-07-01"));
	assert_int_equal(e->value.i, 77000);
	assert_null(policy_lookup(&p, "dibao.standard.urban", "500154", D("2019-01-01")));
	assert_null(policy_lookup(&p, "dibao.standard.urban", "110101", D("2022-09-01")));
	e = policy_lookup(&p, "income.employment_cost_ratio", "110101", D("2022-09-01"));
	assert_non_null(e);
	assert_int_equal(e->value.ratio.num * 100 / e->value.ratio.den, 30);
	e = policy_lookup(&p, "assets.financial_months", "500154", D("2022-09-01"));
	assert_int_equal(e->value.i, 12); /* Chongqing beats the national demo value 24 */
	e = policy_lookup(&p, "assets.financial_months", "110101", D("2022-09-01"));
	assert_int_equal(e->value.i, 24);
	assert_true(e->demo);
	policy_release(&p);
	free(text);
}

static void lookup_rule(void **state)
{
	(void)state;
	const char *doc =
	    "{\"parameters\":["
	    "{\"name\":\"exit.suspended\",\"region\":\"\",\"from\":\"2000-01-01\",\"value\":false},"
	    "{\"name\":\"exit.suspended\",\"region\":\"500154\",\"from\":\"2020-01-24\",\"value\":true},"
	    "{\"name\":\"exit.suspended\",\"region\":\"500154000000\",\"from\":\"2020-07-01\",\"value\":false},"
	    "{\"name\":\"exit.suspended\",\"region\":\"500000\",\"from\":\"2021-01-01\",\"value\":true}"
	    "]}";
	struct policy p;
	dd_error err;
	assert_int_equal(policy_load(&p, doc, strlen(doc), &err), DD_OK);
	/* the county's entries win over the city's later one: longest region first */
	assert_int_equal(policy_lookup(&p, "exit.suspended", "500154001", D("2020-03-01"))->value.i, 1);
	assert_int_equal(policy_lookup(&p, "exit.suspended", "500154001", D("2021-03-01"))->value.i, 0);
	assert_int_equal(policy_lookup(&p, "exit.suspended", "500101", D("2021-03-01"))->value.i, 1);
	assert_int_equal(policy_lookup(&p, "exit.suspended", "500101", D("2020-03-01"))->value.i, 0);
	assert_null(policy_lookup(&p, "exit.suspended", "500101", D("1999-03-01")));
	policy_release(&p);
}

static void refuses_bad_files(void **state)
{
	(void)state;
	static const struct {
		const char *doc, *field;
	} rows[] = {
	    {"[]", "parameters"},
	    {"{\"parameters\":[{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2022-02-30\",\"value\":"
	     "\"1.00\"}]}",
	     "parameters[0].from"},
	    {"{\"parameters\":[{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2022-02-01\",\"value\":"
	     "\"1.001\"}]}",
	     "parameters[0].value"},
	    {"{\"parameters\":[{\"name\":\"exit.suspended\",\"region\":\"50\",\"from\":\"2022-02-01\",\"value\":"
	     "\"yes\"}]}",
	     "parameters[0].value"},
	    {"{\"parameters\":[{\"name\":\"x\",\"region\":\"5a\",\"from\":\"2022-02-01\",\"value\":1}]}",
	     "parameters[0].region"},
	    {"{\"parameters\":[{\"name\":\"x\",\"region\":\"50\",\"from\":\"2022-02-01\",\"value\":1},"
	     "{\"name\":\"x\",\"region\":\"500000\",\"from\":\"2022-02-01\",\"value\":2}]}",
	     "x"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct policy p;
		dd_error err;
		if (policy_load(&p, rows[i].doc, strlen(rows[i].doc), &err) == DD_OK)
			fail_msg("accepted row %zu", i);
		assert_string_equal(err.field, rows[i].field);
	}
}

/* policy_load_merged: the store's entry replaces the file's of the same
 * name, region and from, adds the others, and is checked like the file's. */
static void merge_file_and_store(void **state)
{
	(void)state;
	static const char file[] =
	    "{\"parameters\":["
	    "{\"name\":\"dibao.standard.urban\",\"region\":\"\",\"from\":\"2020-01-01\",\"value\":\"500.00\"},"
	    "{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2022-01-01\",\"value\":\"700.00\","
	    "\"demo\":true,\"note\":\"file\"}]}";
	static const char store[] =
	    "{\"parameters\":["
	    "{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2022-01-01\",\"value\":\"720.00\","
	    "\"kind\":\"money\",\"note\":\"store\",\"created_by\":\"admin\",\"created_at\":\"2026-01-01T00:00:00Z\"},"
	    "{\"name\":\"dibao.standard.urban\",\"region\":\"500154\",\"from\":\"2023-01-01\",\"value\":\"800.00\"}]}";
	struct policy p;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(policy_load_merged(&p, file, strlen(file), store, strlen(store), &err), DD_OK);
	assert_int_equal(p.n, 3); /* the file's 50/2022-01-01 entry is gone */
	const struct policy_entry *e = policy_lookup(&p, "dibao.standard.urban", "500101", D("2022-06-01"));
	assert_non_null(e);
	assert_int_equal(e->value.i, 72000);
	assert_true(e->stored);
	assert_false(e->demo); /* the store's entry as a whole, not the file's flags */
	assert_string_equal(e->note, "store");
	assert_string_equal(e->created_by, "admin");
	e = policy_lookup(&p, "dibao.standard.urban", "500154001", D("2023-06-01"));
	assert_int_equal(e->value.i, 80000);
	e = policy_lookup(&p, "dibao.standard.urban", "51", D("2023-06-01"));
	assert_int_equal(e->value.i, 50000);
	assert_false(e->stored);
	policy_release(&p);

	/* without the store: the file as it is */
	assert_int_equal(policy_load_merged(&p, file, strlen(file), NULL, 0, &err), DD_OK);
	e = policy_lookup(&p, "dibao.standard.urban", "500101", D("2022-06-01"));
	assert_int_equal(e->value.i, 70000);
	assert_true(e->demo);
	policy_release(&p);

	/* the store's entries are checked by kind like the file's */
	static const struct {
		const char *doc, *field;
	} bad[] = {
	    {"{\"parameters\":[{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2023-01-01\","
	     "\"value\":\"1.001\"}]}",
	     "store.parameters[0].value"},
	    {"{\"parameters\":[{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2023-01-01\","
	     "\"value\":true}]}",
	     "store.parameters[0].value"},
	    {"{\"parameters\":[{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2023-01-01\","
	     "\"value\":\"1.00\",\"kind\":\"ratio\"}]}",
	     "store.parameters[0].kind"},
	    {"{\"parameters\":{}}", "store.parameters"},
	    /* two store entries for one name, region and date */
	    {"{\"parameters\":[{\"name\":\"dibao.standard.urban\",\"region\":\"50\",\"from\":\"2023-01-01\","
	     "\"value\":\"1.00\"},{\"name\":\"dibao.standard.urban\",\"region\":\"500000\",\"from\":"
	     "\"2023-01-01\",\"value\":\"2.00\"}]}",
	     "dibao.standard.urban"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dd_error_clear(&err);
		if (policy_load_merged(&p, file, strlen(file), bad[i].doc, strlen(bad[i].doc), &err) == DD_OK)
			fail_msg("accepted store %zu", i);
		assert_string_equal(err.field, bad[i].field);
	}
}

static void calendar(void **state)
{
	(void)state;
	size_t n;
	char *text = slurp("policy/calendar-cn.json", &n);
	struct calendar cal;
	dd_error err;
	if (calendar_load(&cal, text, n, &err))
		fail_msg("%s: %s", err.field, err.message);
	assert_true(calendar_covers(&cal, D("2022-10-01")));
	assert_false(calendar_is_workday(&cal, D("2022-10-03"))); /* National Day, a Monday */
	assert_true(calendar_is_workday(&cal, D("2022-10-08")));  /* make-up Saturday */
	assert_false(calendar_is_workday(&cal, D("2022-10-15"))); /* ordinary Saturday */
	/* 2022-09-30 (Fri) + 1 working day skips the holiday to Sat 10-08 */
	char buf[DATE_TEXT_MAX];
	date_format(calendar_add_workdays(&cal, D("2022-09-30"), 1), buf);
	assert_string_equal(buf, "2022-10-08");
	date_format(calendar_add_workdays(&cal, D("2022-10-08"), -1), buf);
	assert_string_equal(buf, "2022-09-30");
	assert_int_equal(calendar_workdays_between(&cal, D("2022-09-30"), D("2022-10-10")), 3);
	calendar_release(&cal);
	free(text);
	const char *bad = "{\"holidays\":[],\"workdays\":[{\"date\":\"2022-10-10\",\"name\":\"x\"}]}";
	assert_int_equal(calendar_load(&cal, bad, strlen(bad), &err), DD_EINVAL);
	assert_string_equal(err.field, "workdays[0].date");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_policy),	    cmocka_unit_test(lookup_rule), cmocka_unit_test(refuses_bad_files),
	    cmocka_unit_test(merge_file_and_store), cmocka_unit_test(calendar),
	};
	return cmocka_run_group_tests_name("policy_calendar", tests, NULL, NULL);
}
