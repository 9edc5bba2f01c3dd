/* test_epidemic.c - epidemic patient aid: periods from the day of diagnosis,
 * a period begun before discharge counting whole, month ends, amounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/epidemic.h"

static dd_date D(const char *s)
{
	dd_date t;
	dd_error err;
	if (date_parse(s, strlen(s), &t, &err))
		fail_msg("bad date in test: %s", s);
	return t;
}

static int stay(const char *diag, const char *discharge, const char *through)
{
	int n = -1;
	dd_error err;
	dd_date dis = discharge ? D(discharge) : 0;
	if (epidemic_periods(D(diag), discharge != NULL, dis, D(through), &n, &err))
		fail_msg("refused %s → %s", diag, discharge ? discharge : "-");
	return n;
}

static void rules_example(void **state)
{
	(void)state;
	/* RULES.md: diagnosed 2020-02-03, discharged 2020-03-10 → 2 periods → 2 × 2 × S */
	assert_int_equal(stay("2020-02-03", "2020-03-10", "2020-12-31"), 2);
	fen_t per = 0;
	dd_error err;
	assert_int_equal(epidemic_period_amount(62000, 2, &per, &err), DD_OK);
	assert_int_equal(per * stay("2020-02-03", "2020-03-10", "2020-12-31"), 248000);
	/* the second period begins on 03-03: discharged the day before, one */
	assert_int_equal(stay("2020-02-03", "2020-03-02", "2020-12-31"), 1);
	assert_int_equal(stay("2020-02-03", "2020-03-03", "2020-12-31"), 2);
	assert_int_equal(stay("2020-02-03", "2020-04-03", "2020-12-31"), 3);
}

static void same_day_and_open(void **state)
{
	(void)state;
	assert_int_equal(stay("2020-02-03", "2020-02-03", "2020-12-31"), 1);
	/* still in hospital: the periods begun by the end of the month paid */
	assert_int_equal(stay("2020-02-03", NULL, "2020-02-29"), 1);
	assert_int_equal(stay("2020-02-03", NULL, "2020-03-31"), 2);
	assert_int_equal(stay("2020-02-03", NULL, "2020-03-02"), 1);
	assert_int_equal(stay("2020-02-03", NULL, "2020-01-31"), 0);
	/* a discharge after `through` counts through `through` only */
	assert_int_equal(stay("2020-02-03", "2020-06-30", "2020-03-31"), 2);
	/* across a year end */
	assert_int_equal(stay("2019-12-20", NULL, "2020-02-29"), 3);
}

static void month_ends(void **state)
{
	(void)state;
	char buf[DATE_TEXT_MAX];
	static const char *const want[] = {"2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30", "2020-05-31"};
	for (int k = 0; k < 5; k++) {
		date_format(epidemic_period_start(D("2020-01-31"), k), buf);
		assert_string_equal(buf, want[k]);
	}
	date_format(epidemic_period_start(D("2021-01-31"), 1), buf);
	assert_string_equal(buf, "2021-02-28");
	/* diagnosed 01-31: 02-28 begins period 2 in 2021, 02-29 in 2020 */
	assert_int_equal(stay("2021-01-31", "2021-02-28", "2021-12-31"), 2);
	assert_int_equal(stay("2020-01-31", "2020-02-28", "2020-12-31"), 1);
	assert_int_equal(stay("2020-01-31", "2020-02-29", "2020-12-31"), 2);
	/* 04-30 begins period 4, not 04-28 or 04-29 */
	assert_int_equal(stay("2020-01-31", "2020-04-29", "2020-12-31"), 3);
	assert_int_equal(stay("2020-01-31", "2020-04-30", "2020-12-31"), 4);
	/* a 30th diagnosis: February clamps, March is back on the 30th */
	assert_int_equal(stay("2020-01-30", "2020-03-29", "2020-12-31"), 2);
	assert_int_equal(stay("2020-01-30", "2020-03-30", "2020-12-31"), 3);
}

static void refusals(void **state)
{
	(void)state;
	int n = 7;
	dd_error err;
	assert_int_equal(epidemic_periods(D("2020-02-03"), true, D("2020-02-02"), D("2020-12-31"), &n, &err),
			 DD_EINVAL);
	assert_string_equal(err.field, "discharged_on");
	assert_int_equal(n, 0);
	fen_t a = 1;
	assert_int_equal(epidemic_period_amount(0, 2, &a, &err), DD_EINVAL);
	assert_int_equal(epidemic_period_amount(62000, 0, &a, &err), DD_EINVAL);
	assert_int_equal(epidemic_period_amount(INT64_MAX / 2 + 1, 2, &a, &err), DD_ERANGE);
	assert_int_equal(epidemic_period_amount(62000, 2, &a, &err), DD_OK);
	assert_int_equal(a, 124000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rules_example),
	    cmocka_unit_test(same_day_and_open),
	    cmocka_unit_test(month_ends),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
