/* fuzz_bank_return.c - libFuzzer target: a bank's return file read with the
 * default template's return columns (bank_file.h), and a template's JSON
 * parts. Whatever the bytes, no crash; every row handed on has either an
 * error or a non-empty account and a positive amount. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/bank_file.h"

static const char COLUMNS[] =
    "[{\"title\":\"银行账号\",\"field\":\"account\"},{\"title\":\"金额\",\"field\":\"amount\"}]";
static const char RETURN[] = "{\"account\":\"银行账号\",\"amount\":\"金额\",\"result\":\"处理结果\","
			     "\"reason\":\"失败原因\",\"bank_ref\":\"流水号\"}";

static dd_status on_row(void *ctx, const struct bank_return_row *row, dd_error *err)
{
	(void)ctx;
	(void)err;
	if (!row->error && (!row->account || !row->account[0] || row->amount <= 0 || !row->reason || !row->bank_ref))
		__builtin_trap();
	return DD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 4096, 1 << 20);
	struct bank_template t;
	dd_error err;
	dd_error_clear(&err);
	if (bank_template_parse(COLUMNS, NULL, RETURN, &a, &t, &err) != DD_OK)
		__builtin_trap();
	bool found = false;
	(void)bank_return_parse((const char *)data, size, &t, on_row, NULL, &found, &err);
	/* the same bytes as a template's columns, header and return columns */
	struct arena b;
	arena_init(&b, 4096, 1 << 20);
	char *text = arena_strndup(&b, (const char *)data, size);
	if (text && strlen(text) == size) {
		struct bank_template u;
		(void)bank_template_parse(text, text, text, &b, &u, &err);
	}
	arena_release(&b);
	arena_release(&a);
	return 0;
}
