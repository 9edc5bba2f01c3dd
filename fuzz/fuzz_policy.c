/* fuzz_policy.c - libFuzzer target: the policy loader and a lookup, and the
 * calendar loader, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	dd_error err;
	if (policy_load(&p, (const char *)data, size, &err) == DD_OK) {
		(void)policy_lookup(&p, "dibao.standard.rural", "500154001", 19000);
		(void)policy_region_key(&p, "500154001");
		(void)policy_epoch(&p, 19000);
		policy_release(&p);
	}
	struct calendar cal;
	if (calendar_load(&cal, (const char *)data, size, &err) == DD_OK) {
		(void)calendar_add_workdays(&cal, 19000, 10);
		calendar_release(&cal);
	}
	return 0;
}
