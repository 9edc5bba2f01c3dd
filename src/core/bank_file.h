/* bank_file.h - bank file templates (issue 6), pure: what a template holds
 * (columns over a fixed set of fields, header lines, format and encoding,
 * the columns of the bank's return file), reading and validating it from
 * JSON, writing it back as canonical JSON, filling the header placeholders,
 * and reading a bank's return file (UTF-8 or GB18030 CSV) row by row.
 * No I/O: the service renders the files and writes the store. */
#ifndef DD_CORE_BANK_FILE_H
#define DD_CORE_BANK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "csv.h"
#include "encoding.h"
#include "json.h"
#include "money.h"
#include "status.h"
#include "strbuf.h"

/* What a column of a bank file holds. */
enum bank_field {
	BF_SEQ = 0,	   /* 序号: 1, 2, … within the file */
	BF_NAME,	   /* the payee's name */
	BF_ID_NUMBER,	   /* the payee's full ID number */
	BF_ACCOUNT,	   /* the bank account of the payment (full) */
	BF_AMOUNT,	   /* yuan with two decimals */
	BF_PROGRAMME_NAME, /* 城乡低保 … */
	BF_PERIOD,	   /* YYYY-MM the payment is for */
	BF_VILLAGE,	   /* the payee's village (name, else code) */
	BF_MEMO,	   /* 摘要: programme and month */
	BF_COUNT
};

/* "seq" … "memo"; false for anything else. */
bool bank_field_parse(const char *s, enum bank_field *out);
const char *bank_field_code(enum bank_field f);

/* The columns of a bank's return file, found by their titles. */
enum bank_return_col {
	BRC_ACCOUNT = 0,
	BRC_AMOUNT,
	BRC_RESULT, /* 成功 or 失败 */
	BRC_REASON, /* optional */
	BRC_BANK_REF,
	BRC_COUNT
};
const char *bank_return_col_code(enum bank_return_col c); /* "account" … "bank_ref" */

#define BANK_CODE_MAX 32
#define BANK_COLUMNS_MAX 32
#define BANK_HEADER_LINES_MAX 8
#define BANK_HEADER_CELLS_MAX 16
#define BANK_TITLE_MAX 96 /* bytes of a title or header cell */

struct bank_column {
	const char *title;
	enum bank_field field;
};

struct bank_header_line {
	size_t ncells;
	const char **cells;
};

/* A template's layout; the strings live in the arena it was read into. */
struct bank_template {
	size_t ncolumns;
	struct bank_column columns[BANK_COLUMNS_MAX];
	size_t nheader;
	struct bank_header_line header[BANK_HEADER_LINES_MAX];
	const char *return_titles[BRC_COUNT]; /* NULL: not in the return file (reason, bank_ref) */
};

/* A template code: 1..BANK_CODE_MAX of [a-z0-9_-]. */
bool bank_code_valid(const char *s);

/* Reads and checks a template's columns (JSON array of {"title","field"}),
 * header (array of arrays of strings, or NULL) and return columns (object
 * {"account","amount","result","reason","bank_ref"} of titles; account,
 * amount and result required). DD_EINVAL with err->field naming the
 * member at fault ("columns[2].field") and a Chinese message. */
dd_status bank_template_read(const struct json_value *columns, const struct json_value *header,
			     const struct json_value *return_columns, struct arena *a, struct bank_template *t,
			     dd_error *err) DD_MUST_CHECK;
/* The same from the stored JSON texts (header may be NULL). */
dd_status bank_template_parse(const char *columns, const char *header, const char *return_columns, struct arena *a,
			      struct bank_template *t, dd_error *err) DD_MUST_CHECK;

/* Canonical JSON of the three parts, as stored and returned by the API. */
void bank_template_columns_json(const struct bank_template *t, struct strbuf *out);
void bank_template_header_json(const struct bank_template *t, struct strbuf *out);
void bank_template_return_json(const struct bank_template *t, struct strbuf *out);

/* The values a header cell's placeholders take. */
struct bank_header_vars {
	const char *county_name, *county, *period, *programme_name, *bank_name, *count, *total, *batch;
};
/* Appends cell to out with {name} replaced by its value. */
void bank_header_expand(const char *cell, const struct bank_header_vars *v, struct strbuf *out);

/* True when a spreadsheet would take text for a formula (= + - @ first):
 * such a text cell is written with a leading apostrophe. */
bool bank_text_formula_like(const char *s);

/* One row of a bank's return file. */
struct bank_return_row {
	uint64_t line;	     /* physical line in the file */
	const char *account; /* trimmed */
	fen_t amount;
	bool paid;	      /* 成功; false: 失败 */
	const char *reason;   /* "" when none */
	const char *bank_ref; /* "" when none */
	const char *error;    /* set: the row is unusable, why (Chinese); the rest may be unset */
};
typedef dd_status (*bank_return_fn)(void *ctx, const struct bank_return_row *row, dd_error *err);

/* Reads a return file (bytes of UTF-8, or GB18030, decided as IMPORT.md's
 * auto): lines before the title row (the first with the account, amount
 * and result titles of t) are skipped; each later non-blank row goes to fn,
 * with error set when its amount or result is unreadable. DD_EINVAL when
 * the file is not text or CSV, or has no title row (*found false). */
dd_status bank_return_parse(const char *data, size_t n, const struct bank_template *t, bank_return_fn fn, void *ctx,
			    bool *found, dd_error *err) DD_MUST_CHECK;

#endif
