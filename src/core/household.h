/* household.h - the household facts the assessment reads (ASSESS.md input),
 * and the reader that validates a parsed JSON document into them.
 *
 * Every refusal names the field path ("members[1].incomes[0].amount") and the
 * reason. Ownership: everything lives in the arena passed to household_read.
 * No I/O. */
#ifndef DD_HOUSEHOLD_H
#define DD_HOUSEHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "civil_date.h"
#include "idnum.h"
#include "json.h"
#include "money.h"
#include "region.h"

enum area { AREA_URBAN, AREA_RURAL };
enum level { LEVEL_FULL, LEVEL_PARTIAL, LEVEL_NONE }; /* labor capacity, self care */
enum supporters { SUPPORTERS_ABLE, SUPPORTERS_UNABLE, SUPPORTERS_NONE };
enum relation { REL_HEAD, REL_SPOUSE, REL_CHILD, REL_PARENT, REL_GRANDPARENT, REL_GRANDCHILD, REL_SIBLING, REL_OTHER };
enum disability_kind {
	DIS_NONE,
	DIS_PHYSICAL,
	DIS_VISUAL,
	DIS_HEARING,
	DIS_SPEECH,
	DIS_INTELLECTUAL,
	DIS_MENTAL,
	DIS_MULTIPLE
};
enum income_type {
	INC_WAGE,
	INC_BUSINESS,
	INC_PROPERTY,
	INC_TRANSFER,
	INC_BASIC_PENSION,
	INC_REWARD,
	INC_SPECIAL_CARE,
	INC_FAMILY_PLANNING,
	INC__COUNT
};
enum expense_type { EXP_MEDICAL, EXP_EDUCATION, EXP_EPIDEMIC, EXP_OTHER, EXP__COUNT };

struct income {
	enum income_type type;
	fen_t amount;
	bool yearly;
	bool imputed;
};

struct expense {
	enum expense_type type;
	fen_t amount;
	bool yearly;
};

struct member {
	struct idnum id;
	const char *name;
	enum relation relation;
	int disability_grade; /* 0 none, 1-4 */
	enum disability_kind disability_kind;
	bool severe_illness;
	enum level labor_capacity;
	enum level self_care;
	bool in_school;
	enum supporters supporters;
	fen_t financial_assets;
	struct income *incomes;
	size_t n_incomes;
};

struct household {
	char region[REGION_TEXT_MAX]; /* as given (validated digits) */
	char region_sig[REGION_TEXT_MAX];
	enum area area;
	dd_date date;
	bool has_current;
	const char *current_programme;
	fen_t current_benefit;
	bool has_rise_month;
	dd_month rise_month;
	struct member *members;
	size_t n_members;
	fen_t assets_financial;
	int64_t vehicles;
	int64_t extra_houses;
	struct expense *expenses;
	size_t n_expenses;
};

#define HOUSEHOLD_MAX_MEMBERS 100
#define HOUSEHOLD_MAX_ITEMS 200

/* Reads doc into h. date_override (when not NULL) replaces the household's
 * date, which may then be absent. */
dd_status household_read(const struct json_value *doc, const dd_date *date_override, struct arena *a,
			 struct household *h, dd_error *err) DD_MUST_CHECK;

/* JSON text → h: household_scan when it takes the text, else json_parse +
 * household_read (whose error, with its field path, is the answer). */
dd_status household_parse(const char *text, size_t n, const dd_date *date_override, struct arena *a,
			  struct household *h, dd_error *err) DD_MUST_CHECK;
/* The single-pass reader alone: true when it took the text, with h exactly as
 * json_parse + household_read would fill it; false means "not sure: use the
 * general path", never a verdict on the input. */
bool household_scan(const char *text, size_t n, const dd_date *date_override, struct arena *a, struct household *h);

/* Names of enum values as they appear in the JSON, and in Chinese. */
const char *income_type_code(enum income_type t);
const char *income_type_zh(enum income_type t);
const char *expense_type_code(enum expense_type t);
const char *expense_type_zh(enum expense_type t);
const char *disability_kind_code(enum disability_kind k);
const char *level_code(enum level l);
const char *area_code(enum area a);
bool income_type_from_code(const char *s, enum income_type *out);
bool expense_type_from_code(const char *s, enum expense_type *out);
bool disability_kind_from_code(const char *s, enum disability_kind *out);

#endif
