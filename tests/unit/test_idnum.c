/* test_idnum.c - GB 11643 identity numbers and region codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/idnum.h"
#include "core/region.h"

static void check_digits(void **state)
{
	(void)state;
	struct idnum id;
	dd_error err;
	/* ASSESS.md's example "500154198001010019" fails its check digit; 6 is right */
	assert_int_equal(idnum_parse("500154198001010016", 18, &id, &err), DD_OK);
	assert_string_equal(id.text, "500154198001010016");
	assert_int_equal(idnum_parse("500154198001010019", 18, &id, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "校验码"));
	assert_true(id.male);
	/* a check character X, given lower-case, is normalised */
	char x[19] = "11010519491231002";
	x[17] = idnum_check_char(x);
	x[18] = '\0';
	if (x[17] == 'X') {
		x[17] = 'x';
		assert_int_equal(idnum_parse(x, 18, &id, &err), DD_OK);
		assert_int_equal(id.text[17], 'X');
	}
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
	    {"500154198001010018", "check digit mismatch"},
	    {"500154180001010010", "born before 1850, valid check digit"},
	    {"50015419800101001", "17 characters"},
	    {"5001541980010100190", "19 characters"},
	    {"500154198002300012", "February 30"},
	    {"50015419800101001Y", "bad check character"},
	    {"5001541980A1010019", "letter inside"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (idnum_parse(bad[i].text, strlen(bad[i].text), &id, &err) == DD_OK)
			fail_msg("%s accepted (%s)", bad[i].text, bad[i].why);
	char masked[19];
	idnum_mask("500154198001010019", masked);
	assert_string_equal(masked, "500154********0019");
	/* anything but 18 characters is hidden whole, never read past its end */
	idnum_mask("T1000000001", masked);
	assert_string_equal(masked, "******************");
	idnum_mask("", masked);
	assert_string_equal(masked, "******************");
	assert_true(idnum_province_known("500154198001010019"));
	assert_false(idnum_province_known("990154198001010019"));
}

static void regions(void **state)
{
	(void)state;
	char sig[REGION_TEXT_MAX];
	static const struct {
		const char *code, *sig;
	} rows[] = {
	    {"500000", "50"},
	    {"500154000000", "500154"},
	    {"500154001", "500154001"},
	    {"000000", ""},
	    {"", ""},
	    {"500100", "5001"},
	    {"500154001001", "500154001001"},
	    {"500154001000", "500154001"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		region_significant(rows[i].code, strlen(rows[i].code), sig);
		assert_string_equal(sig, rows[i].sig);
	}
	assert_true(region_covers("50", "500154001"));
	assert_true(region_covers("", "500154001"));
	assert_false(region_covers("500155", "500154001"));
	char parent[REGION_TEXT_MAX];
	assert_true(region_parent("500154001", parent));
	assert_string_equal(parent, "500154");
	assert_false(region_parent("", parent));
	assert_int_equal(region_level("500154001001"), 5);
	char full[REGION_TEXT_MAX];
	region_full_code("50", full);
	assert_string_equal(full, "500000");
	dd_error err;
	assert_int_not_equal(region_parse("5001", 4, 6, sig, &err), DD_OK);
	assert_int_not_equal(region_parse("50015a", 6, 6, sig, &err), DD_OK);
	assert_int_equal(region_parse("500154001", 9, 6, sig, &err), DD_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(check_digits),
	    cmocka_unit_test(regions),
	};
	return cmocka_run_group_tests_name("idnum_region", tests, NULL, NULL);
}
