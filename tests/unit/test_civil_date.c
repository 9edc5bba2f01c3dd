/* test_civil_date.c - date parsing, month arithmetic, ages, weekdays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/civil_date.h"

static dd_date D(const char *s)
{
	dd_date t;
	dd_error err;
	if (date_parse(s, strlen(s), &t, &err))
		fail_msg("bad date in test: %s", s);
	return t;
}

static void parse_rules(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int ok;
		const char *why;
	} rows[] = {
	    {"2022-09-01", 1, "plain"},		  {"2020-02-29", 1, "leap day"},   {"2000-02-29", 1, "400-year leap"},
	    {"2021-02-29", 0, "not leap"},	  {"1900-02-29", 0, "century"},	   {"2022-13-01", 0, "month 13"},
	    {"2022-04-31", 0, "April 31"},	  {"2022-9-01", 0, "short month"}, {"2022/09/01", 0, "slashes"},
	    {"2022-09-01 ", 0, "trailing space"}, {"0000-01-01", 0, "year zero"},  {"", 0, "empty"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		dd_date t;
		dd_error err;
		int ok = date_parse(rows[i].text, strlen(rows[i].text), &t, &err) == DD_OK;
		if (ok != rows[i].ok)
			fail_msg("%s (%s)", rows[i].text, rows[i].why);
	}
}

static void round_trip_and_weekday(void **state)
{
	(void)state;
	char buf[DATE_TEXT_MAX];
	for (dd_date t = D("1899-12-25"); t < D("2101-01-10"); t += 13) {
		date_format(t, buf);
		assert_int_equal(D(buf), t);
	}
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(date_weekday(D("2026-11-22")), 7); /* a Sunday */
	assert_int_equal(date_weekday(D("2022-01-31")), 1); /* a Monday */
}

static void months_and_age(void **state)
{
	(void)state;
	char buf[DATE_TEXT_MAX];
	date_format(date_add_months(D("2022-01-31"), 1), buf);
	assert_string_equal(buf, "2022-02-28");
	date_format(date_add_months(D("2024-01-31"), 1), buf);
	assert_string_equal(buf, "2024-02-29");
	date_format(date_add_months(D("2022-11-15"), 3), buf);
	assert_string_equal(buf, "2023-02-15");
	date_format(date_add_months(D("2022-03-31"), -1), buf);
	assert_string_equal(buf, "2022-02-28");
	dd_month m;
	dd_error err;
	assert_int_equal(month_parse("2022-08", 7, &m, &err), DD_OK);
	char mb[MONTH_TEXT_MAX];
	month_format(m + 6, mb);
	assert_string_equal(mb, "2023-02");
	assert_int_not_equal(month_parse("2022-13", 7, &m, &err), DD_OK);
	assert_int_equal(date_age(D("1962-09-01"), D("2022-09-01")), 60);
	assert_int_equal(date_age(D("1962-09-02"), D("2022-09-01")), 59);
	/* a 02-29 birthday is reached on 03-01 in a common year */
	assert_int_equal(date_age(D("2004-02-29"), D("2022-02-28")), 17);
	assert_int_equal(date_age(D("2004-02-29"), D("2022-03-01")), 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_rules),
	    cmocka_unit_test(round_trip_and_weekday),
	    cmocka_unit_test(months_and_age),
	};
	return cmocka_run_group_tests_name("civil_date", tests, NULL, NULL);
}
