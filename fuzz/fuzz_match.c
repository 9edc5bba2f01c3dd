/* fuzz_match.c - the data-matching parsers (core/match.h): the record
 * scanner fed the input in two pieces split at a byte the input chooses,
 * every field of every record parsed as each column type, and the input
 * as a kind's columns JSON. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/match.h"

static dd_status on_record(void *ctx, const struct match_fields *f, dd_error *err)
{
	(void)err;
	size_t *n = ctx;
	(*n)++;
	for (int i = 0; i < f->count; i++) {
		for (int t = MT_TEXT; t <= MT_REGION; t++) {
			struct match_value v;
			dd_error e;
			(void)match_value_parse((enum match_type)t, f->p[i], f->n[i], &v, &e);
		}
		uint64_t k;
		if (match_idkey(f->p[i], f->n[i], &k)) {
			char back[19];
			match_idtext(k, back);
			if (memcmp(back, f->p[i], 17) != 0)
				__builtin_trap(); /* a key must give its number back */
		}
	}
	return DD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split = size ? data[0] % (size + 1) : 0;
	size_t records = 0;
	struct match_scanner s;
	match_scanner_init(&s, on_record, &records);
	dd_error err;
	if (match_scanner_feed(&s, (const char *)data, split, &err) == DD_OK &&
	    match_scanner_feed(&s, (const char *)data + split, size - split, &err) == DD_OK)
		(void)match_scanner_finish(&s, &err);
	match_scanner_release(&s);
	struct match_kind k;
	(void)match_kind_parse("fuzz", (const char *)data, size, &k, &err);
	return 0;
}
