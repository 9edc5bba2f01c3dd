/* import_row.h - the household import of IMPORT.md, without the I/O and the
 * store: the column table, one CSV record → struct import_person, the
 * household rules, the file-wide ID index, and the export / rejects rows.
 *
 * Header (import_header_read): every column is recognised by its English
 * name (case-insensitive) or its Chinese name, mixed freely; cells are
 * trimmed (ASCII white space, U+00A0, U+3000; a BOM left on the first cell
 * is dropped). A column given twice (also once in English and once in
 * Chinese) is an error naming it, a required column missing is an error
 * naming every missing one, other columns are ignored.
 *
 * Cells (import_row_read): trimmed the same way; one apostrophe before
 * = + - @ is dropped (what the exporter's formula protection added, so an
 * export imports back unchanged). An empty optional cell, or an optional
 * column not in the header, takes the ASSESS.md default: disability_grade
 * 0, disability_kind none, booleans false, labor_capacity and self_care
 * full, supporters able, amounts absent. English words are matched
 * case-insensitively. Beyond IMPORT.md: disability_kind also takes
 * "none"/"无" (= no disability); amounts must not be negative (the store
 * refuses negative incomes, as household.c does); household_no is at most
 * 64 bytes and name at most 120 bytes, neither may contain control
 * characters; a non-empty cell beyond the header's last column is an error
 * (usually an unquoted comma that shifted the row). The disability grade
 * and kind are not cross-checked (household.c does not either).
 *
 * A household in the file is all rows with the same household_no (exact
 * bytes after trimming), contiguous or not. Its rules (import_household_*):
 * at most HOUSEHOLD_MAX_MEMBERS rows, all rows agree on region (compared by
 * significant form: "500154001" = "500154001000") and area, exactly one
 * head, no ID number twice. When the rows disagree on region or area the
 * household is rejected whole ("rejected whole with a reason"): there is no
 * way to know which row is right.
 *
 * Messages are Chinese first, English in parentheses, and name the column
 * both ways: "身份证号 (id): 身份证号校验码错误 (check digit mismatch)". No I/O.
 */
#ifndef DD_IMPORT_ROW_H
#define DD_IMPORT_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil_date.h"
#include "csv.h"
#include "household.h"
#include "idnum.h"
#include "money.h"
#include "region.h"
#include "status.h"
#include "strbuf.h"

/* The columns in IMPORT.md's order (also the export's order). */
enum import_col {
	IMPORT_COL_HOUSEHOLD_NO,
	IMPORT_COL_REGION,
	IMPORT_COL_AREA,
	IMPORT_COL_ID,
	IMPORT_COL_NAME,
	IMPORT_COL_RELATION,
	IMPORT_COL_DISABILITY_GRADE,
	IMPORT_COL_DISABILITY_KIND,
	IMPORT_COL_SEVERE_ILLNESS,
	IMPORT_COL_LABOR_CAPACITY,
	IMPORT_COL_SELF_CARE,
	IMPORT_COL_IN_SCHOOL,
	IMPORT_COL_SUPPORTERS,
	IMPORT_COL_WAGE_MONTH,
	IMPORT_COL_BUSINESS_MONTH,
	IMPORT_COL_PROPERTY_MONTH,
	IMPORT_COL_TRANSFER_MONTH,
	IMPORT_COL_BASIC_PENSION_MONTH,
	IMPORT_COL__COUNT
};

/* The five monthly amount columns, in order from IMPORT_COL_WAGE_MONTH. */
#define IMPORT_AMOUNTS 5

const char *import_col_name(enum import_col c); /* "household_no" */
const char *import_col_zh(enum import_col c);	/* "户编号" */
bool import_col_required(enum import_col c);
/* The income type of amount k (0 = wage … 4 = basic_pension). */
enum income_type import_amount_income(int k);

/* The English code of value v of an enumerated column (area, relation,
 * disability_kind, labor_capacity, self_care, supporters: the enum of
 * household.h), as the export writes and the store keeps it; NULL when the
 * column is not enumerated or v is out of range. */
const char *import_code(enum import_col c, int v);
/* The value of an English code (exact bytes, as import_code gives it), or -1. */
int import_code_value(enum import_col c, const char *code);

struct import_header {
	int32_t field_of[IMPORT_COL__COUNT]; /* record field of each column, -1 = absent */
	size_t n_fields;		     /* cells in the header record */
};

dd_status import_header_read(const struct csv_record *rec, struct import_header *h, dd_error *err) DD_MUST_CHECK;

#define IMPORT_HOUSEHOLD_NO_MAX 64
#define IMPORT_NAME_MAX 120

struct import_person {
	uint64_t line; /* the record's physical line */
	char household_no[IMPORT_HOUSEHOLD_NO_MAX + 1];
	char region[REGION_TEXT_MAX];	  /* digits as given */
	char region_sig[REGION_TEXT_MAX]; /* significant form */
	enum area area;
	struct idnum id; /* id.text normalised (upper-case X) */
	char name[IMPORT_NAME_MAX + 1];
	enum relation relation;
	int disability_grade; /* 0-4 */
	enum disability_kind disability_kind;
	bool severe_illness;
	enum level labor_capacity;
	enum level self_care;
	bool in_school;
	enum supporters supporters;
	fen_t amount[IMPORT_AMOUNTS]; /* monthly fen; meaningful when present */
	uint32_t present;	      /* bit (1u << col): the cell was not empty */
	uint32_t valid;		      /* bit (1u << col): the column's value is usable */
};

#define IMPORT_BIT(col) (1u << (col))

static inline bool import_has_amount(const struct import_person *p, int k)
{
	return p->present & IMPORT_BIT(IMPORT_COL_WAGE_MONTH + k);
}

/* A record whose cells are all empty (after trimming): a spreadsheet's
 * empty row ",,,,". Skip it; it is neither a person nor a rejected row. */
bool import_row_blank(const struct csv_record *rec);

/* Reads one data record. On failure returns DD_EINVAL with err naming the
 * first bad column (err->field = its English name; the message says how
 * many more cells are bad); *out is still filled as far as possible, and
 * out->valid tells which columns can be used: household_no (to reject the
 * right household) and id (for the file-wide ID index) especially. today
 * bounds birth dates (core has no clock). */
dd_status import_row_read(const struct import_header *h, const struct csv_record *rec, dd_date today,
			  struct import_person *out, dd_error *err) DD_MUST_CHECK;

/* --- households --- */

enum import_hh_reason {
	IMPORT_HH_OK = 0,
	IMPORT_HH_ROW_REJECTED,	    /* one of its rows failed import_row_read */
	IMPORT_HH_DUPLICATE_ID,	    /* an ID number of it appears more than once in the file */
	IMPORT_HH_TOO_MANY_MEMBERS, /* more than HOUSEHOLD_MAX_MEMBERS rows */
	IMPORT_HH_REGION_MISMATCH,
	IMPORT_HH_AREA_MISMATCH,
	IMPORT_HH_NO_HEAD,
	IMPORT_HH_MULTIPLE_HEADS,
	IMPORT_HH_STORE,	  /* a member is already in another active household in the store */
	IMPORT_HH_CHANGED,	  /* the store holds this household_no in this region with other content */
	IMPORT_HH_REGION_UNKNOWN, /* its county (first 6 digits) is not in the store's region table */
};

/* What a first pass needs to know of one household, built row by row
 * (rows need not be contiguous): 32 bytes. */
struct import_household_state {
	char region_sig[REGION_TEXT_MAX];
	uint8_t area;
	uint8_t heads; /* saturates at 2 */
	uint8_t reason;
	uint8_t has_first; /* region_sig and area are set */
	uint32_t rows;
	uint32_t reason_line; /* the row that made reason (0 = none) */
	uint32_t head_line;   /* the first head's line */
};

void import_household_init(struct import_household_state *s);
/* A row that import_row_read accepted. */
void import_household_add(struct import_household_state *s, const struct import_person *p);
/* A row that import_row_read refused. */
void import_household_add_rejected(struct import_household_state *s, uint64_t line);
/* Records a reason found elsewhere (the ID index, the store); the first
 * reason recorded is kept. */
void import_household_mark(struct import_household_state *s, enum import_hh_reason r, uint64_t line);
/* The household's fate once all its rows were added: the first reason
 * recorded, else the head count (none, or more than one). */
enum import_hh_reason import_household_verdict(const struct import_household_state *s);
/* The verdict as a message for the rejects file (DD_OK and an empty err
 * when the household is fine). The line in it is the row that caused it. */
dd_status import_household_reason(const struct import_household_state *s, dd_error *err) DD_MUST_CHECK;

/* All rules over the rows of one household at once (rows of one
 * household_no, each accepted by import_row_read): DD_OK, or DD_EINVAL with
 * the reason and *culprit = index of the row that caused it (SIZE_MAX when
 * no single row did, e.g. no head). Duplicate IDs inside the household are
 * found here too; duplicates across households need the ID index. */
dd_status import_household_check(const struct import_person *rows, size_t n, size_t *culprit,
				 dd_error *err) DD_MUST_CHECK;

/* --- the file-wide ID index --- */

/* An open-addressing hash set (linear probing, at most 3/4 full) of valid
 * ID numbers → the first household (the caller's number for it) and line
 * where each was seen. A valid ID number is fixed by its first 17 digits,
 * stored as one integer: a slot is 16 bytes, ~21-43 bytes per ID number
 * with the table's slack (33.5 at 1,000,000: a 2^21-slot table, 32 MiB). */
struct id_index_slot {
	uint64_t key; /* 17 digits + 1 (0 = empty) | flags in bits 62-63 */
	uint32_t household;
	uint32_t line;
};

struct id_index {
	struct id_index_slot *slots;
	size_t mask; /* slots - 1 (a power of two minus one) */
	size_t count;
};

struct id_index_entry {
	uint32_t household; /* where it was first seen */
	uint64_t line;
	bool repeated;	      /* seen more than once */
	bool other_household; /* seen in more than one household */
};

/* expected: a size hint (0 = small start; the table grows by doubling). */
dd_status id_index_init(struct id_index *x, size_t expected, dd_error *err) DD_MUST_CHECK;
/* Adds a validated ID number (struct idnum.text) seen in household at
 * line. *repeat gets false when it is new; true when it was seen before,
 * and then *first holds where (and the flags as they are now). Lines above
 * 4,294,967,295 are DD_ELIMIT. */
dd_status id_index_add(struct id_index *x, const char id[IDNUM_LEN], uint32_t household, uint64_t line, bool *repeat,
		       struct id_index_entry *first, dd_error *err) DD_MUST_CHECK;
bool id_index_find(const struct id_index *x, const char id[IDNUM_LEN], struct id_index_entry *out);
size_t id_index_count(const struct id_index *x);
size_t id_index_bytes(const struct id_index *x);
void id_index_release(struct id_index *x);

/* The rejects-file reason for a row whose ID number is repeated: names the
 * first line it was seen on (or says it is seen again later). */
void import_duplicate_reason(const struct id_index_entry *e, uint64_t this_line, dd_error *err);

/* --- output rows (CSV, CRLF line ends) --- */

/* The export's header: IMPORT.md's English column names. */
void import_export_header(struct strbuf *sb);
/* One member; household_no and name get the formula protection. */
void import_export_row(struct strbuf *sb, const struct import_person *p);

/* The rejects file's start: UTF-8 BOM (so Excel opens it), then
 * "行号,原因," and the input's header cells. The extra columns are unknown
 * to import_header_read, so a corrected rejects file imports as it is. */
void import_rejects_header(struct strbuf *sb, const struct csv_record *header);
/* One rejected row: its line, the reason, its original cells (all with the
 * formula protection: the file is opened in Excel). */
void import_rejects_row(struct strbuf *sb, uint64_t line, const char *reason, const struct csv_record *rec);

#endif
