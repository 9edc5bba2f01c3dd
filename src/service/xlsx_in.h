/* xlsx_in.h - the first worksheet of an XLSX workbook held in memory, row by
 * row (libminizip for the zip, expat for the XML; no temporary file).
 *
 * Which sheet: the first <sheet> of xl/workbook.xml (tab order, hidden or
 * not), resolved through xl/_rels/workbook.xml.rels; when the workbook or
 * its relationships do not lead to an existing part, xl/worksheets/sheet1.xml.
 * Further sheets are ignored. Shared strings: the part the relationships
 * name (else xl/sharedStrings.xml), when present.
 *
 * Rows: the callback gets each row that has at least one non-empty cell
 * (rows with no cell, or only empty cells, are skipped), with its number
 * (1-based, from <row r>; a row without r is the previous one + 1) and its
 * cells positioned by column from the cell reference (r="C5" is cells[2]; a
 * cell without r is the column after the previous cell). Gaps are empty
 * strings; trailing empty cells are not counted (n = the last non-empty
 * column). Rows must come in increasing order and cells in increasing
 * columns within a row, with references on the row's own number.
 *
 * Cell text by type (t attribute):
 *   s          the shared string at that index (rich text runs concatenated,
 *              phonetic runs <rPh> left out); an index that is not a number
 *              below the count of shared strings is an error
 *   inlineStr  the text of <is> (<t>, or its runs concatenated)
 *   str, e, d  the stored text as is (formula string result, error such as
 *              "#N/A", ISO 8601 date)
 *   b          "TRUE" or "FALSE" (as Excel shows and exports them to CSV);
 *              a value other than 0/1 is an error
 *   n or none  the stored text exactly as written (e.g. "1234.5", "1E-3"):
 *              never converted through a double
 * In string texts (s, inlineStr, str) the _xHHHH_ escapes Excel writes for
 * control characters are undone (_x000D_ is a CR, _x005F_ a literal "_").
 * Formulas (<f>) are ignored: the cached value is what is read. Styles are
 * ignored (a date is its serial number, e.g. "45292").
 *
 * Errors are DD_EINVAL (not a zip, no worksheet, malformed XML, a DOCTYPE,
 * bad reference or value: the message names the part and, for a cell, the
 * row and column, e.g. "第 12 行 C 列：…"; err->field is the part, or the cell
 * reference "C12"), DD_ELIMIT (a limit below), DD_ENOMEM, or what the
 * callback returned. Never a crash on any input. */
#ifndef DD_SERVICE_XLSX_IN_H
#define DD_SERVICE_XLSX_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "core/status.h"

#define XLSX_IN_MAX_PART ((size_t)64 * 1024 * 1024) /* uncompressed bytes of one part */
#define XLSX_IN_MAX_ROWS ((uint32_t)1048576)	    /* highest row number (Excel's) */
#define XLSX_IN_MAX_COLS ((uint32_t)512)	    /* highest column (SR) */
#define XLSX_IN_MAX_CELL ((size_t)32767)	    /* bytes of one cell's text (Excel: characters) */
#define XLSX_IN_MAX_SHARED ((size_t)1000000)	    /* shared strings */
#define XLSX_IN_COLS_CAP ((uint32_t)16384)	    /* max_cols above this is taken as this (XFD) */

/* Limits; a zero member takes the default above. The part limit is checked
 * against the declared size and again while inflating (a zip bomb stops at
 * the limit, whatever its headers say). */
struct xlsx_in_limits {
	size_t max_part_bytes;
	uint32_t max_rows;
	uint32_t max_cols;
	size_t max_cell_bytes;
	size_t max_shared;
};

/* One row: cells[0..n) (n >= 1), each a NUL-terminated UTF-8 text with its
 * length (struct csv_field, core/csv.h), valid during the call only. Return
 * DD_OK to go on; anything else (fill err) stops the read and is returned
 * by xlsx_in_read as it is. */
typedef dd_status (*xlsx_in_row_fn)(void *ctx, uint32_t row, const struct csv_field *cells, size_t n, dd_error *err);

/* True when data starts like a zip archive (PK\3\4, or PK\5\6: empty). */
bool xlsx_in_is_zip(const void *data, size_t len);

/* Reads the first worksheet of the XLSX in data[0..len) and calls on_row for
 * each non-empty row, in order. lim may be NULL (defaults). */
dd_status xlsx_in_read(const void *data, size_t len, const struct xlsx_in_limits *lim, xlsx_in_row_fn on_row, void *ctx,
		       dd_error *err) DD_MUST_CHECK;

#endif
