/* assess.h - the household assessment of ASSESS.md and RULES.md.
 *
 * assess_params_resolve turns a policy into the typed values in force for one
 * region and date; household_assess applies the rules in their fixed order
 * and records a structured trace (rule, member, numbers) that assess_render
 * turns into Chinese text with citations. The engine itself builds no text,
 * allocates nothing but from the arena, and does no I/O. */
#ifndef DD_ASSESS_H
#define DD_ASSESS_H

#include <stdbool.h>
#include <stdint.h>

#include "household.h"
#include "policy.h"
#include "strbuf.h"

struct assess_params {
	fen_t standard[2];    /* by area; -1 when no value is in force */
	fen_t tekun_basic[2]; /* by area; -1 when none */
	fen_t tekun_care[3];  /* by self_care level */
	bool round_yuan;
	fen_t benefit_min;
	fen_t addon_disabled, addon_severe, addon_child_student;
	int64_t addon_elderly_age, addon_child_age;
	struct ratio employment_cost;
	unsigned excluded_incomes; /* bit per enum income_type */
	unsigned rigid_expenses;   /* bit per enum expense_type */
	bool has_rigid_cap;
	fen_t rigid_cap;
	int64_t financial_months, vehicles_max, houses_max;
	bool exit_suspended;
	struct ratio gradual_ratio;
	int64_t gradual_months;
	struct ratio marginal_ratio;
	bool single_enabled;
	unsigned single_grades; /* bit per disability grade */
	int64_t tekun_elderly_age, tekun_minor_age, tekun_no_labor_age;
	unsigned tekun_grades;
	unsigned tekun_grade3_kinds; /* bit per enum disability_kind */
	int64_t tekun_financial_months;
	const char *missing_standard[2], *missing_basic[2]; /* the parameter names, for the error */
	dd_status missing_rc; /* first required parameter without a value, reported after the standard */
	dd_error missing;
};

/* Resolves every parameter the engine uses for region_sig on date. A missing
 * required value is recorded in out->missing and reported by household_assess
 * (after the area's standard, which is named first); a malformed value fails
 * here with the parameter's name as the field. */
dd_status assess_params_resolve(const struct policy *p, const char *region_sig, dd_date date, struct assess_params *out,
				dd_error *err) DD_MUST_CHECK;

enum determination { DET_NONE, DET_DIBAO, DET_GRADUAL_EXIT, DET_MARGINAL };

enum trace_rule {
	TR_STANDARD,
	TR_TEKUN_MEMBER,    /* member qualifies: a = counted income, b = benefit, c = basic, d = care */
	TR_TEKUN_NOT,	    /* member does not: a = reason code */
	TR_INCOME_ITEM,	    /* item: a = amount, b = monthly, c = counted, flags */
	TR_INCOME_MEMBER,   /* member total: a */
	TR_DEDUCTION,	    /* a = yearly sum, b = monthly sum, c = deduction, d = capped? */
	TR_SIZE,	    /* a = n */
	TR_PER_CAPITA,	    /* a = counted, b = deduction, c = n, d = P */
	TR_ASSET_FINANCIAL, /* a = financial, b = n, c = months, d = limit total */
	TR_ASSET_VEHICLES,  /* a = vehicles, b = max */
	TR_ASSET_HOUSES,    /* a = houses, b = max */
	TR_DET_EMPTY,
	TR_DET_SUSPENDED, /* a = D, b = current, c = benefit */
	TR_DET_DIBAO,	  /* a = P, b = S */
	TR_DET_GRADUAL,	  /* a = P, b = S, c = until month, d = current benefit */
	TR_DET_MARGINAL,  /* a = P, b = limit (ratio × S) */
	TR_DET_NONE,	  /* a = P, b = S, c = asset test */
	TR_BENEFIT_BASE,  /* a = S, b = P, c = n, d = base */
	TR_ADDON,	  /* member: a = severe/child part, b = disabled part, c = kind */
	TR_BENEFIT_ROUND, /* a = before, b = after */
	TR_BENEFIT_MIN,	  /* a = before, b = min */
	TR_SINGLE_PERSON, /* member: a = own income, b = benefit */
};

struct trace_entry {
	uint8_t rule;
	uint8_t flags;
	int16_t member;
	int16_t item;
	int64_t a, b, c, d;
};

struct person_benefit {
	int member;
	fen_t benefit;
	fen_t basic, care; /* tekun only */
};

struct assess_result {
	enum determination determination;
	fen_t standard;
	int household_size;
	fen_t counted_income, deduction, per_capita_income;
	bool asset_test;
	fen_t monthly_benefit;
	bool has_gradual_exit_until;
	dd_month gradual_exit_until;
	struct person_benefit *single_person, *tekun;
	int n_single_person, n_tekun;
	struct trace_entry *trace;
	int n_trace, cap_trace;
};

dd_status household_assess(const struct household *h, const struct assess_params *p, struct arena *a,
			   struct assess_result *r, dd_error *err) DD_MUST_CHECK;

const char *determination_code(enum determination d);

/* Appends the result as one JSON object (ASSESS.md output), compact or
 * pretty, trace included. */
void assess_render(const struct household *h, const struct assess_result *r, bool pretty, struct strbuf *out);

/* Epidemic patient aid: the number of month-periods counted from the day of
 * diagnosis, a period begun before discharge counting whole (RULES.md).
 * Period k begins k months after diagnosis (clamped to the month's end).
 * Returns 0 when discharge precedes diagnosis. */
int epidemic_aid_periods(dd_date diagnosed, dd_date discharged);

#endif
