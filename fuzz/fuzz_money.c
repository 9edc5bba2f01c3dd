/* fuzz_money.c - libFuzzer target: amounts. A parsed amount formats back to
 * text that parses to the same fen (round trip), and ratios never crash. */
#include <stddef.h>
#include <stdint.h>

#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	dd_error err;
	for (int syn = MONEY_PLAIN; syn <= MONEY_JSON_NUMBER; syn++) {
		fen_t v, back;
		if (money_parse(s, size, (enum money_syntax)syn, &v, &err) == DD_OK) {
			char buf[MONEY_TEXT_MAX];
			size_t n = money_format(v, buf);
			if (money_parse(buf, n, MONEY_PLAIN, &back, &err) != DD_OK || back != v)
				__builtin_trap();
		}
	}
	struct ratio r;
	if (ratio_parse(s, size, &r, &err) == DD_OK) {
		fen_t out;
		(void)money_mul_ratio(123456, r, &out);
		(void)money_cmp_ratio(100, r, 200);
	}
	return 0;
}
