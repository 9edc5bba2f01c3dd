/* fuzz_xlsx_in.c - libFuzzer target: the XLSX reader (xlsx_in) and the
 * table reader (tabular_in).
 *
 * An input starting with "PK" is taken as the zip itself. Any other input is
 * split at "\n@@\n" into the XML of xl/worksheets/sheet1.xml,
 * xl/sharedStrings.xml, xl/workbook.xml and xl/_rels/workbook.xml.rels,
 * which are packed here into a zip (stored entries), so the fuzzer works on
 * the XML rather than on deflate streams. Either way the zip is read with
 * default and with small limits, and through tabular_read; every row must
 * satisfy the documented shape (increasing rows, n within the column limit,
 * last cell non-empty, NUL-terminated valid UTF-8 cells), and every error
 * must carry a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/encoding.h"
#include "core/strbuf.h"
#include "service/tabular_in.h"
#include "service/xlsx_in.h"

#define SEP "\n@@\n"

struct check {
	uint64_t last;
	size_t max_cols;
	uint64_t rows;
};

static void check_cells(const struct csv_field *cells, size_t n, size_t max_cols)
{
	if (n == 0 || n > max_cols || cells[n - 1].n == 0)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (cells[i].p[cells[i].n] != '\0' || !utf8_valid(cells[i].p, cells[i].n))
			__builtin_trap();
}

static dd_status on_row(void *ctx, uint32_t row, const struct csv_field *cells, size_t n, dd_error *err)
{
	(void)err;
	struct check *c = ctx;
	if (row == 0 || row <= c->last)
		__builtin_trap();
	c->last = row;
	c->rows++;
	check_cells(cells, n, c->max_cols);
	return DD_OK;
}

static dd_status on_record(void *ctx, uint64_t record, const struct csv_field *cells, size_t n, dd_error *err)
{
	(void)err;
	struct check *c = ctx;
	if (record == 0 || (c->rows && record <= c->last))
		__builtin_trap();
	c->last = record;
	c->rows++;
	check_cells(cells, n, c->max_cols);
	return DD_OK;
}

static void put16(struct strbuf *sb, unsigned v)
{
	unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	strbuf_add(sb, b, 2);
}

static void put32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	strbuf_add(sb, b, 4);
}

/* A zip of stored entries: names[i] with data[i] (len[i] bytes). */
static void pack(struct strbuf *zip, const char *const *names, const uint8_t *const *data, const size_t *len, size_t n)
{
	struct strbuf cd;
	strbuf_init(&cd, 256);
	for (size_t i = 0; i < n; i++) {
		uint32_t crc = (uint32_t)crc32(0L, data[i], (uInt)len[i]);
		uint32_t off = (uint32_t)zip->len;
		size_t nl = strlen(names[i]);
		put32(zip, 0x04034b50);
		put16(zip, 20);
		put16(zip, 0);
		put16(zip, 0);
		put16(zip, 0);
		put16(zip, 0);
		put32(zip, crc);
		put32(zip, (uint32_t)len[i]);
		put32(zip, (uint32_t)len[i]);
		put16(zip, (unsigned)nl);
		put16(zip, 0);
		strbuf_add(zip, names[i], nl);
		strbuf_add(zip, data[i], len[i]);
		put32(&cd, 0x02014b50);
		put16(&cd, 20);
		put16(&cd, 20);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, crc);
		put32(&cd, (uint32_t)len[i]);
		put32(&cd, (uint32_t)len[i]);
		put16(&cd, (unsigned)nl);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, 0);
		put32(&cd, off);
		strbuf_add(&cd, names[i], nl);
	}
	uint32_t cd_off = (uint32_t)zip->len;
	strbuf_add(zip, cd.buf ? cd.buf : "", cd.len);
	put32(zip, 0x06054b50);
	put16(zip, 0);
	put16(zip, 0);
	put16(zip, (unsigned)n);
	put16(zip, (unsigned)n);
	put32(zip, (uint32_t)cd.len);
	put32(zip, cd_off);
	put16(zip, 0);
	strbuf_release(&cd);
}

static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(p + i, SEP, 4) == 0)
			return p + i;
	return NULL;
}

static void read_all(const char *zip, size_t len)
{
	dd_error err;
	struct check c = {.max_cols = XLSX_IN_MAX_COLS};
	dd_status c_rc = xlsx_in_read(zip, len, NULL, on_row, &c, &err);
	if (c_rc && !err.message[0])
		__builtin_trap();
	dd_status rc;

	struct xlsx_in_limits small = {
	    .max_part_bytes = 4096, .max_rows = 50, .max_cols = 6, .max_cell_bytes = 12, .max_shared = 5};
	struct check s = {.max_cols = 6};
	rc = xlsx_in_read(zip, len, &small, on_row, &s, &err);
	if (rc && !err.message[0])
		__builtin_trap();
	/* within the small limits, the defaults read the same rows */
	if (!rc && (c_rc || s.rows != c.rows || s.last > 50))
		__builtin_trap();

	/* on a zip, tabular_read uses the default limits: the same outcome */
	struct check t = {.max_cols = 512};
	struct tabular_info info;
	rc = tabular_read(zip, len, on_record, &t, &info, &err);
	if (rc && !err.message[0])
		__builtin_trap();
	if (info.records != t.rows)
		__builtin_trap();
	if (xlsx_in_is_zip(zip, len) && ((rc != DD_OK) != (c_rc != DD_OK) || t.rows != c.rows))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		read_all((const char *)data, size);
		return 0;
	}
	static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml",
					    "xl/_rels/workbook.xml.rels"};
	const uint8_t *part[4];
	size_t len[4];
	size_t n = 0;
	const uint8_t *p = data, *end = data + size;
	while (n < 4) {
		const uint8_t *s = n < 3 ? find_sep(p, (size_t)(end - p)) : NULL;
		part[n] = p;
		len[n] = s ? (size_t)(s - p) : (size_t)(end - p);
		n++;
		if (!s)
			break;
		p = s + 4;
	}
	struct strbuf zip;
	strbuf_init(&zip, size + 512);
	pack(&zip, names, part, len, n);
	if (!zip.failed)
		read_all(zip.buf, zip.len);
	strbuf_release(&zip);
	/* the input as a table too (CSV, mostly) */
	struct check t = {.max_cols = 512};
	dd_error err;
	dd_status rc = tabular_read(data, size, on_record, &t, NULL, &err);
	if (rc && !err.message[0])
		__builtin_trap();
	return 0;
}
