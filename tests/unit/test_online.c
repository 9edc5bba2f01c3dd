/* test_online.c - the pure parts of the citizen portal: tracking numbers
 * (Crockford base32, Luhn mod 32 check character, normalising what people
 * type) and the citizen's words for the states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "service/online_application.h"

static void tracking_numbers(void **state)
{
	(void)state;
	unsigned char zero[10] = {0}, ones[10], rnd[10];
	memset(ones, 0xff, sizeof ones);
	char t[ONLINE_TRACKING_LEN + 1], n[ONLINE_TRACKING_LEN + 1];
	online_tracking_from_bytes(zero, t);
	assert_string_equal(t, "0000000000000000");
	online_tracking_from_bytes(ones, t);
	assert_int_equal(strlen(t), ONLINE_TRACKING_LEN);
	assert_memory_equal(t, "ZZZZZZZZZZZZZZZ", 15);
	/* every byte pattern: valid, canonical, and any one character changed is refused */
	for (int k = 0; k < 200; k++) {
		for (int i = 0; i < 10; i++)
			rnd[i] = (unsigned char)(k * 37 + i * 101 + (k >> 3));
		online_tracking_from_bytes(rnd, t);
		assert_true(online_tracking_normalize(t, n));
		assert_string_equal(t, n);
		for (int pos = 0; pos < ONLINE_TRACKING_LEN; pos++) {
			char bad[ONLINE_TRACKING_LEN + 1];
			memcpy(bad, t, sizeof bad);
			bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
			assert_false(online_tracking_normalize(bad, n));
		}
	}
	/* typed: lower case, groups, O for 0, I and L for 1 */
	online_tracking_from_bytes(ones, t);
	char typed[40];
	snprintf(typed, sizeof typed, "%.4s-%.4s %.4s-%.4s", t, t + 4, t + 8, t + 12);
	for (char *p = typed; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	assert_true(online_tracking_normalize(typed, n));
	assert_string_equal(n, t);
	assert_true(online_tracking_normalize("OOOO-OOOO-OOOO-OOOO", n));
	assert_string_equal(n, "0000000000000000");
	assert_false(online_tracking_normalize("000000000000000", n));	 /* 15 */
	assert_false(online_tracking_normalize("00000000000000000", n)); /* 17 */
	assert_false(online_tracking_normalize("000000000000000U", n));	 /* U is not a digit */
	assert_false(online_tracking_normalize("", n));
	assert_false(online_tracking_normalize(NULL, n));
}

static void words(void **state)
{
	(void)state;
	assert_string_equal(online_status_text("submitted", NULL), "已提交，等待乡镇（街道）受理");
	assert_string_equal(online_status_text("rejected", NULL), "未予受理");
	assert_string_equal(online_status_text("accepted", "in_notice"), "正在公示，公示期满后审批");
	assert_string_equal(online_status_text("accepted", "approved"), "已批准");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(tracking_numbers), cmocka_unit_test(words)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
