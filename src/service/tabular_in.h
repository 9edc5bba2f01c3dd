/* tabular_in.h - one reader for a table another department sent back
 * (answers to household economic verification requests): XLSX or CSV,
 * told apart by the bytes, delivered as the same records.
 *
 *  - XLSX (starts with PK\3\4): the first worksheet, through xlsx_in.h
 *    (its rules for cell types, default limits); record = the row number.
 *  - CSV otherwise: UTF-8 with or without BOM, or GB18030, detected as the
 *    household import does (encoding.h TEXT_AUTO), then the strict CSV
 *    parser (csv.h); record = the physical line where the record starts.
 *  - An old binary Excel file (.xls) is refused with a message asking for
 *    .xlsx or CSV.
 *
 * Records are normalised the same way for both formats: trailing empty
 * cells are dropped and a record with no non-empty cell is skipped, so a
 * table saved as CSV and as XLSX gives the same records. Limits for both:
 * 512 columns, 32,767 bytes per cell, 1,048,576 records (rows). Errors as in
 * xlsx_in.h and csv.h (the message names the line, or the part, row and
 * column); the callback may return an error to stop, returned as it is. */
#ifndef DD_SERVICE_TABULAR_IN_H
#define DD_SERVICE_TABULAR_IN_H

#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "core/encoding.h"
#include "core/status.h"

enum tabular_format { TABULAR_CSV, TABULAR_XLSX };

/* What the input turned out to be (filled as soon as known). */
struct tabular_info {
	enum tabular_format format;
	enum text_encoding encoding; /* CSV: TEXT_UTF8 or TEXT_GB18030; XLSX: TEXT_UTF8 */
	uint64_t records;	     /* records delivered */
};

/* One record: cells[0..n) (n >= 1, the last one non-empty), each a
 * NUL-terminated UTF-8 text with its length, valid during the call only.
 * record: the XLSX row number or the CSV line (1-based). */
typedef dd_status (*tabular_record_fn)(void *ctx, uint64_t record, const struct csv_field *cells, size_t n,
				       dd_error *err);

/* Reads data[0..len) and calls on_record once per record, in order. info
 * may be NULL. */
dd_status tabular_read(const void *data, size_t len, tabular_record_fn on_record, void *ctx, struct tabular_info *info,
		       dd_error *err) DD_MUST_CHECK;

const char *tabular_format_name(enum tabular_format f); /* "csv", "xlsx" */

#endif
