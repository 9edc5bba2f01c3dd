/* xlsx_out.h - an XLSX workbook written with libxlsxwriter in
 * constant_memory mode (rows in order, inline strings, memory flat) into a
 * temporary file, then read back into a buffer for the caller (an HTTP body
 * or a file the CLI writes). Text cells that a spreadsheet would take for a
 * formula (= + - @ first) get a leading apostrophe. */
#ifndef DD_SERVICE_XLSX_OUT_H
#define DD_SERVICE_XLSX_OUT_H

#include <stdint.h>

#include "core/money.h"
#include "core/status.h"
#include "core/strbuf.h"

struct xlsx_out;

/* Opens a workbook with one sheet named sheet (UTF-8). */
dd_status xlsx_out_open(struct xlsx_out **out, const char *sheet, dd_error *err) DD_MUST_CHECK;
/* Starts a further sheet; later cells go there. */
dd_status xlsx_out_sheet(struct xlsx_out *x, const char *sheet, dd_error *err) DD_MUST_CHECK;
/* Cells of the current sheet, row by row in order (row, col from 0). */
void xlsx_out_text(struct xlsx_out *x, uint32_t row, uint16_t col, const char *s);
void xlsx_out_bold(struct xlsx_out *x, uint32_t row, uint16_t col, const char *s);
/* money as a number with two decimals (format 0.00) */
void xlsx_out_money(struct xlsx_out *x, uint32_t row, uint16_t col, fen_t v);
void xlsx_out_int(struct xlsx_out *x, uint32_t row, uint16_t col, int64_t v);
void xlsx_out_width(struct xlsx_out *x, uint16_t first, uint16_t last, double width);
/* Closes the workbook and appends the file's bytes to body; frees x. */
dd_status xlsx_out_finish(struct xlsx_out *x, struct strbuf *body, dd_error *err) DD_MUST_CHECK;
/* Frees x without output (after an error). */
void xlsx_out_abort(struct xlsx_out *x);

#define XLSX_CONTENT_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#endif
