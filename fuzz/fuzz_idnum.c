/* fuzz_idnum.c - libFuzzer target: ID numbers, dates, months, region codes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/civil_date.h"
#include "core/idnum.h"
#include "core/region.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	dd_error err;
	struct idnum id;
	if (idnum_parse(s, size, &id, &err) == DD_OK) {
		/* a parsed number round-trips and its check character agrees */
		if (idnum_check_char(id.text) != id.text[17])
			__builtin_trap();
		char masked[IDNUM_LEN + 1];
		idnum_mask(id.text, masked);
	}
	dd_date d;
	if (date_parse(s, size, &d, &err) == DD_OK) {
		char buf[DATE_TEXT_MAX];
		date_format(d, buf);
		if (size != 10 || memcmp(buf, s, 10) != 0)
			__builtin_trap();
	}
	dd_month m;
	(void)month_parse(s, size, &m, &err);
	char sig[REGION_TEXT_MAX], parent[REGION_TEXT_MAX];
	if (region_parse(s, size, 0, sig, &err) == DD_OK)
		(void)region_parent(sig, parent);
	return 0;
}
