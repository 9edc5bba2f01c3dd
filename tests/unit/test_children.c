/* test_children.c - the last month of the children's allowance (issue 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/children.h"

static dd_date D(const char *s)
{
	dd_date t;
	dd_error err;
	if (date_parse(s, strlen(s), &t, &err))
		fail_msg("bad date in test: %s", s);
	return t;
}

static dd_month M(const char *s)
{
	dd_month m;
	dd_error err;
	if (month_parse(s, strlen(s), &m, &err))
		fail_msg("bad month in test: %s", s);
	return m;
}

/* Done-when of issue 10: born 2004-02-10, 18 in February 2022. */
static void postponed_to_month_after_period(void **state)
{
	(void)state;
	struct children_period p = {D("2022-01-01"), D("2022-05-31"), false};
	bool open;
	assert_int_equal(children_last_month(D("2004-02-10"), false, false, &p, 1, &open), M("2022-06"));
	assert_false(open);
	assert_int_equal(children_last_month(D("2004-02-10"), false, false, NULL, 0, &open), M("2022-02"));
	assert_false(open);
}

static void period_edges(void **state)
{
	(void)state;
	struct children_period p = {D("2022-01-01"), D("2022-05-31"), false};
	bool open;
	/* 18 the day before / after the period: not postponed */
	assert_int_equal(children_last_month(D("2003-12-31"), false, false, &p, 1, &open), M("2021-12"));
	assert_int_equal(children_last_month(D("2004-06-01"), false, false, &p, 1, &open), M("2022-06"));
	/* first and last day of the period: postponed */
	assert_int_equal(children_last_month(D("2004-01-01"), false, false, &p, 1, &open), M("2022-06"));
	assert_int_equal(children_last_month(D("2004-05-31"), false, false, &p, 1, &open), M("2022-06"));
	/* a period ending mid-month: the month after that month */
	struct children_period q = {D("2022-01-01"), D("2022-05-10"), false};
	assert_int_equal(children_last_month(D("2004-02-10"), false, false, &q, 1, &open), M("2022-06"));
	/* still on: no end yet */
	struct children_period o = {D("2022-01-01"), 0, true};
	children_last_month(D("2004-02-10"), false, false, &o, 1, &open);
	assert_true(open);
}

static void school_and_leap_day(void **state)
{
	(void)state;
	bool open;
	children_last_month(D("2004-02-10"), true, true, NULL, 0, &open);
	assert_true(open);
	/* in school but the rule is off: exits at 18 */
	assert_int_equal(children_last_month(D("2004-02-10"), true, false, NULL, 0, &open), M("2022-02"));
	assert_false(open);
	/* 2004-02-29: 18 on 2022-03-01 */
	assert_int_equal(children_adult_on(D("2004-02-29")), D("2022-03-01"));
	assert_int_equal(children_last_month(D("2004-02-29"), false, false, NULL, 0, &open), M("2022-03"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(postponed_to_month_after_period),
	    cmocka_unit_test(period_edges),
	    cmocka_unit_test(school_and_leap_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
