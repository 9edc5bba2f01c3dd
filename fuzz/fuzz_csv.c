/* fuzz_csv.c - libFuzzer target: the chunked CSV parser. The first 4 bytes
 * pick the options and the chunking; the parse of the rest must not depend
 * on the chunking (records, lines, offsets, errors), and every record
 * written back with csv_append_field must parse to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/strbuf.h"

static dd_status on_record(void *ctx, const struct csv_record *rec, dd_error *err)
{
	(void)err;
	struct strbuf *sb = ctx;
	strbuf_addf(sb, "R%llu@%llu:%zu", (unsigned long long)rec->line, (unsigned long long)rec->offset,
		    rec->n_fields);
	for (size_t i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].p[rec->fields[i].n] != '\0')
			__builtin_trap();
		strbuf_addf(sb, "/%zu:", rec->fields[i].n);
		strbuf_add(sb, rec->fields[i].p, rec->fields[i].n);
	}
	strbuf_addc(sb, '\n');
	return DD_OK;
}

static dd_status on_error(void *ctx, const struct csv_record *rec, const dd_error *why, dd_error *err)
{
	struct strbuf *sb = ctx;
	strbuf_addf(sb, "E%d %s|", why->code, why->message);
	return on_record(ctx, rec, err);
}

/* Fields only, for the write-back check. */
static dd_status on_fields(void *ctx, const struct csv_record *rec, dd_error *err)
{
	(void)err;
	struct strbuf *sb = ctx;
	strbuf_addf(sb, "%zu", rec->n_fields);
	for (size_t i = 0; i < rec->n_fields; i++) {
		strbuf_addf(sb, "/%zu:", rec->fields[i].n);
		strbuf_add(sb, rec->fields[i].p, rec->fields[i].n);
	}
	strbuf_addc(sb, '\n');
	return DD_OK;
}

/* Also collects what a writer would produce for each record. */
struct both {
	struct strbuf fields, written;
};

static dd_status on_write(void *ctx, const struct csv_record *rec, dd_error *err)
{
	struct both *b = ctx;
	for (size_t i = 0; i < rec->n_fields; i++) {
		if (i)
			strbuf_addc(&b->written, ',');
		csv_append_field(&b->written, rec->fields[i].p, rec->fields[i].n, 0);
	}
	strbuf_adds(&b->written, "\r\n");
	return on_fields(&b->fields, rec, err);
}

static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void parse(const uint8_t *d, size_t n, const struct csv_options *base, csv_record_fn fn, void *ctx,
		  uint32_t seed, unsigned mode, struct strbuf *trace)
{
	struct csv_options o = *base;
	o.on_record = fn;
	o.ctx = ctx;
	struct csv_parser p;
	dd_error err;
	if (csv_init(&p, &o, &err))
		__builtin_trap();
	size_t at = 0;
	dd_status rc = DD_OK;
	while (at < n && !rc) {
		size_t k = n - at;
		if (seed) {
			uint32_t r = next(&seed);
			size_t c = mode == 0 ? 1 : mode == 1 ? r % 8 + 1 : r % 300 + 1;
			if (c < k)
				k = c;
		}
		rc = csv_feed(&p, (const char *)d + at, k, &err);
		at += k;
	}
	if (!rc)
		rc = csv_finish(&p, &err);
	if (trace)
		strbuf_addf(trace, "END %d %s", rc, rc ? err.message : "");
	csv_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | 1u;
	unsigned opt = data[3];
	data += 4;
	size -= 4;
	struct csv_options base = {0};
	base.flags = (opt & 1 ? CSV_RECOVER : 0) | (opt & 2 ? CSV_KEEP_EMPTY_LINES : 0);
	base.on_error = on_error;
	if (opt & 4) { /* small limits, so they are reached */
		base.max_field = (opt >> 4) + 1;
		base.max_fields = (opt >> 5) + 2;
		base.max_record = (opt >> 3) * 3 + 4;
	}
	struct strbuf one, many;
	strbuf_init(&one, 256);
	strbuf_init(&many, 256);
	parse(data, size, &base, on_record, &one, 0, 0, &one);
	parse(data, size, &base, on_record, &many, seed, (opt >> 6) % 3, &many);
	if (one.failed || many.failed || one.len != many.len || memcmp(one.buf, many.buf, one.len) != 0)
		__builtin_trap();

	/* write-back: what csv_append_field writes parses to the same fields */
	struct csv_options wb = {0};
	wb.flags = CSV_KEEP_EMPTY_LINES;
	struct both b;
	strbuf_init(&b.fields, 256);
	strbuf_init(&b.written, 256);
	parse(data, size, &wb, on_write, &b, 0, 0, NULL);
	struct strbuf again;
	strbuf_init(&again, 256);
	parse((const uint8_t *)b.written.buf, b.written.len, &wb, on_fields, &again, 0, 0, NULL);
	if (b.fields.len != again.len || (again.len && memcmp(b.fields.buf, again.buf, again.len) != 0))
		__builtin_trap();
	strbuf_release(&one);
	strbuf_release(&many);
	strbuf_release(&b.fields);
	strbuf_release(&b.written);
	strbuf_release(&again);
	return 0;
}
