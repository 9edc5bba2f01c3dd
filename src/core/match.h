/* match.h - data matching for low-income population monitoring (issue 7):
 * the 64-bit key of an ID number, dataset kinds and rules as data, the
 * monitored population as an open-addressing table, a fast CSV record
 * scanner and the test of one record against one rule. Pure: no I/O.
 *
 * ID key: the 17 digits of a valid 18-character number read as an integer,
 * plus 1 (0 marks an empty slot). The check character is verified and then
 * implied, so the key is unique per valid number and fits 57 bits.
 *
 * Kind: a dataset declares its columns as JSON,
 *   [{"name":"id_number","type":"id","label":"身份证号码","headers":["公民身份号码"]}, …]
 * types: id (exactly one, the key), text, date (YYYY-MM-DD, also YYYYMMDD
 * and YYYY/MM/DD), money (yuan with up to 2 decimals), int, region (a
 * region code of 6..12 digits). A file's header cell names a column by its
 * name, label or any of its headers. Columns marked "required": true must be
 * in the file; the key column always is.
 *
 * Rule: for the records of one kind, a population (monitored: the person is
 * in the table and of one of the rule's programmes; uncovered: the person is
 * not in the table, a lead for the record's region; duplicate: the person is
 * in the table and the record's region column names another county), an
 * optional date window (the record's date column within window_months
 * before the as-of date) and a condition on one column: present, a
 * comparison (gt ge lt le eq ne) with a value of the column's type, or
 * sum_gt (the column summed over the person's records in the window). */
#ifndef DD_MATCH_H
#define DD_MATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil_date.h"
#include "status.h"
#include "strbuf.h"

#define MATCH_MAX_COLUMNS 32
#define MATCH_NAME_MAX 48
#define MATCH_MAX_HEADERS 6
#define MATCH_TEXT_MAX 128

/* The key of an ID number (s[0..n), 18 characters, lower-case x allowed);
 * false when it is not a valid number (length, digits, check character). */
bool match_idkey(const char *s, size_t n, uint64_t *key);
/* The number of a key, NUL-terminated (19 bytes). */
void match_idtext(uint64_t key, char out[19]);

enum match_type { MT_TEXT, MT_ID, MT_DATE, MT_MONEY, MT_INT, MT_REGION };

struct match_column {
	char name[MATCH_NAME_MAX];
	char label[MATCH_TEXT_MAX];
	char headers[MATCH_MAX_HEADERS][MATCH_TEXT_MAX];
	int nheaders;
	enum match_type type;
	bool required;
};

struct match_kind {
	char code[MATCH_NAME_MAX];
	struct match_column col[MATCH_MAX_COLUMNS];
	int ncol;
	int key; /* the id column */
};

/* Parses a kind's columns JSON; err names the column or member at fault. */
dd_status match_kind_parse(const char *code, const char *json, size_t n, struct match_kind *out,
			   dd_error *err) DD_MUST_CHECK;
/* The column named name, or -1. */
int match_kind_column(const struct match_kind *k, const char *name);
const char *match_type_name(enum match_type t);

/* Maps a file's header (cells[i] of len[i], UTF-8, n cells) to the kind's
 * columns: map[i] = column index or -1 (a column the kind does not know is
 * ignored). A required column missing, or one named twice, is an error
 * naming it. */
dd_status match_header_map(const struct match_kind *k, const char *const *cells, const size_t *len, int n, int *map,
			   dd_error *err) DD_MUST_CHECK;

/* The header record of a file: at[c] = the file column of the kind's column
 * c, or -1 when the file lacks it. A malformed header record, a missing
 * required column or one named twice is an error (match_header_map). */
struct match_fields;
dd_status match_header_columns(const struct match_kind *k, const struct match_fields *f, int at[MATCH_MAX_COLUMNS],
			       dd_error *err) DD_MUST_CHECK;

/* A typed value of one cell. */
struct match_value {
	bool present; /* a non-empty cell */
	int64_t num;  /* date: days (dd_date); money: fen; int; region: the 12-digit code as a number; id: key */
	const char *text;
	size_t n;
};
/* Parses a cell of type t (empty: not present, fine). */
dd_status match_value_parse(enum match_type t, const char *s, size_t n, struct match_value *out,
			    dd_error *err) DD_MUST_CHECK;

enum match_population { POP_MONITORED, POP_UNCOVERED, POP_DUPLICATE };
enum match_op { OP_PRESENT, OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE, OP_SUM_GT };

/* Programme bits of a member of the monitored population. */
enum {
	PROG_DIBAO = 1u << 0,
	PROG_TEKUN = 1u << 1,
	PROG_MARGINAL = 1u << 2,
	PROG_RURAL_MONITORING = 1u << 3, /* 防止返贫监测对象 */
	PROG_HARDSHIP = 1u << 4,	 /* 支出型困难 */
	PROG_OTHER = 1u << 5,		 /* other low-income people */
	PROG_ALL = (1u << 6) - 1,
};
/* "dibao" … "other" → bit; 0 when unknown. */
unsigned match_programme_bit(const char *s, size_t n);
const char *match_programme_name(unsigned bit);

struct match_rule {
	char code[MATCH_NAME_MAX];
	char kind[MATCH_NAME_MAX];
	enum match_population population;
	unsigned programmes; /* PROG_* mask (monitored, duplicate) */
	int field;	     /* column of the condition; the region column for duplicate */
	enum match_op op;
	struct match_value value; /* the comparison's value (text points into value_text) */
	char value_text[MATCH_TEXT_MAX];
	int date_field;	   /* -1: no window */
	int window_months; /* with date_field */
	int region_field;  /* uncovered: where the lead goes; -1 = none */
};

/* Checks and completes a rule against its kind: field names → columns, the
 * value parsed as the field's type, op allowed for the type (sum_gt for
 * money and int; duplicate needs a region field). err names the member. */
dd_status match_rule_prepare(struct match_rule *r, const struct match_kind *k, const char *field, const char *op,
			     const char *value, const char *date_field, const char *region_field,
			     dd_error *err) DD_MUST_CHECK;
enum match_population match_population_parse(const char *s, bool *ok);
enum match_op match_op_parse(const char *s, bool *ok);

/* Whether a record's date (days) is inside the rule's window ending at
 * as_of (the window_months before as_of, as_of itself included). True when
 * the rule has no window. */
bool match_in_window(const struct match_rule *r, dd_date d, dd_date as_of);
/* The condition on a record's value (not for sum_gt: see match_sum_reached). */
bool match_condition(const struct match_rule *r, const struct match_value *v);
/* sum_gt: whether a person's sum passes the threshold. */
bool match_sum_reached(const struct match_rule *r, int64_t sum);

/* --- the monitored population --- */
struct match_member {
	int64_t person_id;    /* 0: in the monitoring register only */
	int64_t household_id; /* 0: none */
	int64_t region;	      /* 12-digit region code of the household (or the register entry) */
	unsigned programmes;
};
struct match_pop {
	uint64_t *keys; /* slots; 0 empty */
	uint32_t *idx;	/* slot → member index */
	size_t mask;
	struct match_member *m;
	size_t n, cap;
	/* a blocked Bloom filter (16 bits a member, two bits in one word), built
	 * by match_pop_seal: most records are of nobody watched, and the filter
	 * answers them from cache instead of a slot lookup in memory */
	uint64_t *bloom;
	size_t bloom_mask;
};
void match_pop_init(struct match_pop *p);
void match_pop_release(struct match_pop *p);
/* Adds a member (or merges: programmes or-ed, the first household kept).
 * DD_ENOMEM on allocation failure. */
dd_status match_pop_add(struct match_pop *p, uint64_t key, const struct match_member *m, dd_error *err) DD_MUST_CHECK;
/* Builds the filter once every member is added (no more adds after it);
 * without it, lookups still work, only slower. */
dd_status match_pop_seal(struct match_pop *p, dd_error *err) DD_MUST_CHECK;
/* The member of key, or NULL. */
const struct match_member *match_pop_find(const struct match_pop *p, uint64_t key);

/* --- sums per person (sum_gt), keyed by ID key --- */
struct match_sum {
	uint64_t key;
	int64_t sum;
	dd_date last; /* the latest date summed (0 when no date column) */
	int64_t region;
};
struct match_sums {
	struct match_sum *s;
	size_t mask, n;
};
void match_sums_init(struct match_sums *t);
void match_sums_release(struct match_sums *t);
dd_status match_sums_add(struct match_sums *t, uint64_t key, int64_t v, dd_date d, int64_t region,
			 dd_error *err) DD_MUST_CHECK;

/* --- CSV records, fast: fields split in place ---
 * Push bytes (UTF-8; GB18030 works too, its bytes never look like ',', '"'
 * or LF); each complete record is delivered with its fields (quotes
 * removed: a quoted field is unescaped into the scanner's buffer). Records
 * end at LF (a CR before it is dropped); a quoted field may hold LF. */
#define MATCH_MAX_FIELDS 64
#define MATCH_MAX_RECORD ((size_t)1 << 20)
struct match_fields {
	const char *p[MATCH_MAX_FIELDS];
	size_t n[MATCH_MAX_FIELDS];
	int count;
	uint64_t line; /* physical line where the record starts */
};
/* Return DD_OK to go on. A record that is malformed (too many fields, a
 * quote inside an unquoted field, text after a closing quote) is delivered
 * with count = -1 and line set, so the caller can reject it. */
typedef dd_status (*match_record_fn)(void *ctx, const struct match_fields *f, dd_error *err);
struct match_scanner {
	char *carry; /* the incomplete record from the previous push */
	size_t ncarry, capcarry;
	char *unq; /* unescaped quoted fields */
	size_t capunq;
	uint64_t line;
	match_record_fn fn;
	void *ctx;
};
void match_scanner_init(struct match_scanner *s, match_record_fn fn, void *ctx);
dd_status match_scanner_feed(struct match_scanner *s, const char *data, size_t n, dd_error *err) DD_MUST_CHECK;
/* End of input: a last record without LF; an open quote is malformed. */
dd_status match_scanner_finish(struct match_scanner *s, dd_error *err) DD_MUST_CHECK;
void match_scanner_release(struct match_scanner *s);

/* The rejects file of a dataset or register load (UTF-8 with a BOM, opens
 * in Excel): its header, and one row (line, column, reason) appended to sb. */
#define MATCH_REJECTS_HEADER "\xEF\xBB\xBF行号,字段,原因\r\n"
void match_reject_row(struct strbuf *sb, uint64_t line, const char *field, const char *why);

#endif
