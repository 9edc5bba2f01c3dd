/* test_registry.c - the pure parts of the registry: what a search text asks
 * for, the name prefix bound, masking. Its permissions are in
 * test_accounts.c (authz.h); the store side in tests/api/households. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/idnum.h"
#include "service/registry.h"

static void search_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *q;
		enum registry_q_kind kind;
		const char *norm;
		const char *why;
	} rows[] = {
	    {"", REGISTRY_Q_NONE, "", "no search"},
	    {"张", REGISTRY_Q_NAME, "张", "a surname"},
	    {"张大山", REGISTRY_Q_NAME, "张大山", "a whole name"},
	    {"Li Wei", REGISTRY_Q_NAME, "Li Wei", "latin letters are a name"},
	    {"500154198001010016", REGISTRY_Q_ID, "500154198001010016", "a whole ID number"},
	    {"11010519491231002x", REGISTRY_Q_ID, "11010519491231002X", "lower-case check character upper-cased"},
	    {"11010519491231002X", REGISTRY_Q_ID, "11010519491231002X", "upper-case check character"},
	    {"0016", REGISTRY_Q_ID_TAIL, "0016", "the last four"},
	    {"10016", REGISTRY_Q_ID_TAIL, "10016", "the last five"},
	    {"02x", REGISTRY_Q_BAD, "02X", "three characters are too few"},
	    {"00x", REGISTRY_Q_BAD, "00X", "with a check character too"},
	    {"1002x", REGISTRY_Q_ID_TAIL, "1002X", "a tail ending in the check character"},
	    {"010016", REGISTRY_Q_ID_TAIL, "010016", "the last six"},
	    {"123", REGISTRY_Q_BAD, "123", "three digits: too short for a tail"},
	    {"1234567", REGISTRY_Q_BAD, "1234567", "seven digits: neither tail nor number"},
	    {"50015419800101001", REGISTRY_Q_BAD, "50015419800101001", "17 digits"},
	    {"5001541980010100166", REGISTRY_Q_BAD, "5001541980010100166", "19 digits"},
	    {"12x4", REGISTRY_Q_NAME, "12x4", "an x inside is not a check character"},
	    {"X", REGISTRY_Q_NAME, "X", "a lone X is a name"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char norm[REGISTRY_Q_MAX + 1];
		enum registry_q_kind k = registry_q_kind(rows[i].q, norm);
		if (k != rows[i].kind || strcmp(norm, rows[i].norm) != 0)
			fail_msg("\"%s\" (%s): kind %d norm \"%s\"", rows[i].q, rows[i].why, (int)k, norm);
	}
	char long_q[REGISTRY_Q_MAX + 2];
	memset(long_q, 'a', sizeof long_q - 1);
	long_q[sizeof long_q - 1] = '\0';
	char norm[REGISTRY_Q_MAX + 1];
	assert_int_equal(registry_q_kind(long_q, norm), REGISTRY_Q_BAD);
}

static void name_bound(void **state)
{
	(void)state;
	char b[REGISTRY_NAME_BOUND_MAX];
	registry_name_bound("张", b);
	assert_string_equal(b, "张\xF4\x8F\xBF\xBF");
	/* every name that starts with the prefix sorts (bytewise) below the bound,
	 * and the next name that does not is above it */
	static const char *const inside[] = {"张", "张三", "张\xEF\xBF\xBF", "张a", "张\xF0\x9F\x98\x80"};
	for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
		if (strcmp(inside[i], "张") < 0 || strcmp(inside[i], b) >= 0)
			fail_msg("%s not inside [张, bound)", inside[i]);
	}
	/* the neighbours of 张 (U+5F20): 弟 (U+5F1F) below it, 弡 (U+5F21) above the bound */
	assert_true(strcmp("弟", "张") < 0);
	assert_true(strcmp("弡", b) > 0);
	registry_name_bound("", b);
	assert_string_equal(b, "\xF4\x8F\xBF\xBF");
}

static void masking(void **state)
{
	(void)state;
	static const struct {
		const char *id, *masked;
	} rows[] = {
	    {"500154198001010016", "500154********0016"},
	    {"11010519491231002X", "110105********002X"},
	    {"000000000000000000", "000000********0000"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[IDNUM_LEN + 1];
		idnum_mask(rows[i].id, out);
		assert_string_equal(out, rows[i].masked);
		assert_int_equal(strlen(out), IDNUM_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(search_kinds),
	    cmocka_unit_test(name_bound),
	    cmocka_unit_test(masking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
