/* fuzz_household.c - libFuzzer target: JSON parser + household reader +
 * engine + renderer on arbitrary bytes. Must never crash or leak, and the
 * single-pass household_scan must never take a text the general path
 * refuses or reads differently. */
#include <stddef.h>
#include <stdint.h>

#include "core/assess.h"
#include "core/household.h"
#include "core/json.h"
#include "../tests/include/household_eq.h"

extern const char dd_default_policy[];
extern const char dd_default_policy_end[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy pol;
	static int loaded;
	dd_error err;
	if (!loaded) {
		if (policy_load(&pol, dd_default_policy, (size_t)(dd_default_policy_end - dd_default_policy), &err))
			__builtin_trap();
		loaded = 1;
	}
	struct arena a;
	arena_init(&a, 4096, 64u << 20);
	struct json_value *doc;
	struct household h;
	struct assess_params p;
	struct assess_result r;
	if (json_parse((const char *)data, size, &a, NULL, &doc, &err) == DD_OK &&
	    household_read(doc, NULL, &a, &h, &err) == DD_OK &&
	    assess_params_resolve(&pol, h.region_sig, h.date, &p, &err) == DD_OK &&
	    household_assess(&h, &p, &a, &r, &err) == DD_OK) {
		struct strbuf sb;
		strbuf_init(&sb, 0);
		assess_render(&h, &r, size & 1, &sb);
		strbuf_release(&sb);
	}
	struct arena b;
	arena_init(&b, 4096, 64u << 20);
	struct household hs;
	if (household_scan((const char *)data, size, NULL, &b, &hs)) {
		arena_reset(&a);
		if (json_parse((const char *)data, size, &a, NULL, &doc, &err) != DD_OK ||
		    household_read(doc, NULL, &a, &h, &err) != DD_OK || !household_eq(&hs, &h))
			__builtin_trap();
	}
	arena_release(&b);
	arena_release(&a);
	return 0;
}
