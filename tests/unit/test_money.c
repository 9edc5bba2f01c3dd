/* test_money.c - exact money parsing, formatting and rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/money.h"

static void parse_ok(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum money_syntax syn;
		fen_t want;
		const char *why;
	} rows[] = {
	    {"0", MONEY_PLAIN, 0, "zero"},
	    {"1500.00", MONEY_PLAIN, 150000, "two decimals"},
	    {"12.5", MONEY_PLAIN, 1250, "one decimal"},
	    {"-3", MONEY_PLAIN, -300, "negative whole"},
	    {"007.10", MONEY_PLAIN, 710, "leading zeros allowed in strings"},
	    {"1.5e3", MONEY_JSON_NUMBER, 150000, "exponent"},
	    {"12345e-2", MONEY_JSON_NUMBER, 12345, "negative exponent exact to fen"},
	    {"1.230", MONEY_JSON_NUMBER, 123, "trailing zero beyond fen is exact"},
	    {"92233720368547758.07", MONEY_PLAIN, INT64_MAX, "largest"},
	    {"-92233720368547758.08", MONEY_PLAIN, INT64_MIN, "smallest"},
	    {"0.000", MONEY_PLAIN, 0, "zero with many decimals"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		fen_t v = 42;
		dd_error err;
		dd_status rc = money_parse(rows[i].text, strlen(rows[i].text), rows[i].syn, &v, &err);
		if (rc != DD_OK || v != rows[i].want)
			fail_msg("%s (%s): rc %d value %lld", rows[i].text, rows[i].why, rc, (long long)v);
	}
}

static void parse_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum money_syntax syn;
		dd_status want;
		const char *why;
	} rows[] = {
	    {"", MONEY_PLAIN, DD_EINVAL, "empty"},
	    {"1.234", MONEY_PLAIN, DD_EINVAL, "three decimals"},
	    {"1e3", MONEY_PLAIN, DD_EINVAL, "exponent in a string"},
	    {"1,000", MONEY_PLAIN, DD_EINVAL, "thousands separator"},
	    {" 1", MONEY_PLAIN, DD_EINVAL, "space"},
	    {"1.", MONEY_PLAIN, DD_EINVAL, "dot without digits"},
	    {".5", MONEY_PLAIN, DD_EINVAL, "no integer part"},
	    {"+1", MONEY_PLAIN, DD_EINVAL, "plus sign"},
	    {"01", MONEY_JSON_NUMBER, DD_EINVAL, "leading zero in a JSON number"},
	    {"92233720368547758.08", MONEY_PLAIN, DD_ERANGE, "one fen past int64"},
	    {"1e30", MONEY_JSON_NUMBER, DD_ERANGE, "huge exponent"},
	    {"99999999999999999999999", MONEY_PLAIN, DD_ERANGE, "23 digits"},
	    {"1e-5", MONEY_JSON_NUMBER, DD_EINVAL, "below a fen"},
	    {"NaN", MONEY_JSON_NUMBER, DD_EINVAL, "not a number"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		fen_t v = 42;
		dd_error err;
		dd_status rc = money_parse(rows[i].text, strlen(rows[i].text), rows[i].syn, &v, &err);
		if (rc != rows[i].want)
			fail_msg("%s (%s): rc %d want %d", rows[i].text, rows[i].why, rc, rows[i].want);
		assert_int_equal(v, 42); /* untouched on failure */
		assert_true(strlen(err.message) > 0);
	}
}

static void format_and_round(void **state)
{
	(void)state;
	char buf[MONEY_TEXT_MAX];
	money_format(159999, buf);
	assert_string_equal(buf, "1599.99");
	money_format(5, buf);
	assert_string_equal(buf, "0.05");
	money_format(-150, buf);
	assert_string_equal(buf, "-1.50");
	money_format(INT64_MIN, buf);
	assert_string_equal(buf, "-92233720368547758.08");
	/* half-up division: 1000 fen / 12 = 83.33 → 83; 1002/12 = 83.5 → 84 */
	assert_int_equal(money_div_round(1000, 12), 83);
	assert_int_equal(money_div_round(1002, 12), 84);
	assert_int_equal(money_div_round(-1002, 12), -84);
	fen_t out;
	assert_false(money_add(INT64_MAX, 1, &out));
	assert_false(money_mul_int(INT64_MAX / 2 + 1, 2, &out));
	assert_true(money_add(1, 2, &out));
	assert_int_equal(out, 3);
}

static void ratios(void **state)
{
	(void)state;
	struct ratio r;
	dd_error err;
	assert_int_equal(ratio_parse("0.30", 4, &r, &err), DD_OK);
	fen_t out;
	/* 1500.05 × 0.7 = 1050.035 → 1050.04 (half-up) */
	assert_true(money_mul_one_minus_ratio(150005, r, &out));
	assert_int_equal(out, 105004);
	assert_int_equal(ratio_parse("1.5", 3, &r, &err), DD_OK);
	assert_int_equal(money_cmp_ratio(87150, r, 58100), 0); /* 871.50 = 1.5 × 581.00 */
	assert_int_equal(money_cmp_ratio(87151, r, 58100), 1);
	char buf[32];
	ratio_format(r, buf, sizeof buf);
	assert_string_equal(buf, "1.5");
	assert_int_not_equal(ratio_parse("-0.3", 4, &r, &err), DD_OK);
	assert_int_not_equal(ratio_parse("0.1234567891", 12, &r, &err), DD_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_ok),
	    cmocka_unit_test(parse_bad),
	    cmocka_unit_test(format_and_round),
	    cmocka_unit_test(ratios),
	};
	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
