/* verification_report.h - the finding items of household economic
 * verification (what a source may report, with their Chinese names) and the
 * consolidated report (核对报告) rendered from its stored JSON as a printable
 * HTML page or an XLSX workbook (verification.h builds the JSON). */
#ifndef DD_SERVICE_VERIFICATION_REPORT_H
#define DD_SERVICE_VERIFICATION_REPORT_H

#include <stddef.h>

#include "core/status.h"
#include "core/strbuf.h"

enum vitem_kind {
	VITEM_INCOME,	    /* a member's income: amount per period (month or year) */
	VITEM_ASSET_AMOUNT, /* the household's financial assets: amount */
	VITEM_ASSET_COUNT,  /* vehicles, houses: quantity */
	VITEM_FACT,	    /* shown in the report, not assessed (enterprise, hukou) */
	VITEM_NONE,	    /* the source holds nothing on the person */
};

struct verification_item {
	const char *code; /* wage, business, property, transfer, basic_pension, financial, vehicle, house,
			     enterprise, hukou, none */
	const char *zh;
	enum vitem_kind kind;
};

/* The item by its code or Chinese name; NULL when neither. */
const struct verification_item *verification_item_find(const char *s);
/* The Chinese name of a code (the code itself when unknown). */
const char *verification_item_zh(const char *code);

/* The report JSON (as verification_report stores it) as one HTML page with
 * print styles (A4), every text escaped. DD_EINVAL when it is not a report. */
dd_status verification_report_html(const char *json, size_t n, struct strbuf *out, dd_error *err) DD_MUST_CHECK;
/* The same as a workbook: one sheet 核对报告. */
dd_status verification_report_xlsx(const char *json, size_t n, struct strbuf *out, dd_error *err) DD_MUST_CHECK;

#endif
