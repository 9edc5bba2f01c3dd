/* temporary.h - temporary assistance (临时救助) as computation: the case
 * types, the tier rule of tiered approval (分级审批) and first aid (先行救助),
 * and staged payment plans (一次审批、分阶段救助). Pure: no I/O, no store.
 *
 * Every limit is a policy parameter (PARAMETERS.md), passed in by the caller:
 *   temp.first_aid_limit   village or township first aid, per case
 *   temp.township_limit    township approval, per case
 *   temp.max_multiple      × S (the local dibao standard): above it only the
 *                          county decides, case by case (一事一议), with a note
 *   temp.multiples.<sev>   the usual amount of a severity, × S
 *
 * Decision: the amount checked against a tier is the case's whole amount,
 * first aid included, so splitting a case into first aid plus an approval
 * never lifts it out of its tier. */
#ifndef DD_TEMPORARY_H
#define DD_TEMPORARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "money.h"
#include "status.h"

/* 急难型 or 支出型 (DOMAIN.md §3). */
enum temp_kind {
	TEMP_KIND_NONE = 0,
	TEMP_KIND_EMERGENCY,   /* emergency: a sudden event */
	TEMP_KIND_EXPENDITURE, /* expenditure: a rigid expense beyond what the household can bear */
};

/* What happened (emergency) or what the money goes to (expenditure): one
 * table, each cause belongs to one kind. */
struct temp_cause {
	const char *code; /* stable English code */
	const char *name; /* Chinese */
	enum temp_kind kind;
};

/* severities and their multiple parameter (temp.multiples.<code>) */
enum temp_severity {
	TEMP_SEVERITY_NONE = 0,
	TEMP_SEVERITY_GENERAL, /* 一般 */
	TEMP_SEVERITY_SERIOUS, /* 较重 */
	TEMP_SEVERITY_GRAVE,   /* 严重 */
};

enum temp_kind temp_kind_parse(const char *s);
const char *temp_kind_name(enum temp_kind k);  /* "emergency" … ("" for NONE) */
const char *temp_kind_label(enum temp_kind k); /* "急难型" … */
/* The cause of that code, or NULL. */
const struct temp_cause *temp_cause_find(const char *code);
/* The whole table; *n gets its length. */
const struct temp_cause *temp_causes(size_t *n);
enum temp_severity temp_severity_parse(const char *s);
const char *temp_severity_name(enum temp_severity s);  /* "general" … */
const char *temp_severity_label(enum temp_severity s); /* "一般" … */

/* Who acts, as far as the tier rule is concerned. */
enum temp_actor {
	TEMP_ACTOR_OTHER = 0, /* finance, city, auditor, admin: may do neither */
	TEMP_ACTOR_VILLAGE,
	TEMP_ACTOR_TOWNSHIP,
	TEMP_ACTOR_COUNTY,
};

/* The limits in force for the case's region and date. */
struct temp_limits {
	fen_t first_aid_limit; /* temp.first_aid_limit */
	fen_t township_limit;  /* temp.township_limit */
	int64_t max_multiple;  /* temp.max_multiple */
	fen_t standard;	       /* S, yuan per person per month, in fen */
};

/* The tier an amount falls in (the lowest level that may decide it). */
enum temp_tier {
	TEMP_TIER_FIRST_AID = 1, /* ≤ first-aid limit: village/township at once */
	TEMP_TIER_TOWNSHIP,	 /* ≤ township limit (and ≤ max_multiple × S) */
	TEMP_TIER_COUNTY,	 /* above the township limit, ≤ max_multiple × S */
	TEMP_TIER_CASE_BY_CASE,	 /* above max_multiple × S: county, 一事一议, with a note */
};
const char *temp_tier_name(enum temp_tier t);  /* "first_aid", "township", "county", "case_by_case" */
const char *temp_tier_label(enum temp_tier t); /* "先行救助" … */

/* max_multiple × S into *cap; DD_ERANGE on overflow, DD_EINVAL when the
 * limits are negative or inconsistent (first aid above the township limit). */
dd_status temp_limits_check(const struct temp_limits *l, fen_t *cap, dd_error *err) DD_MUST_CHECK;

/* The tier of amount (> 0). DD_EINVAL for amount ≤ 0 (field "amount"),
 * errors of temp_limits_check. */
dd_status temp_tier_of(const struct temp_limits *l, fen_t amount, enum temp_tier *out, dd_error *err) DD_MUST_CHECK;

enum temp_action {
	TEMP_ACTION_FIRST_AID, /* pay at once, paperwork follows */
	TEMP_ACTION_APPROVE,   /* decide the case's whole amount */
};

#define TEMP_REASON_MAX 320

/* The answer of the tier rule for one act. */
struct temp_verdict {
	bool allowed;
	enum temp_tier tier; /* of the amount */
	bool note_required;  /* above max_multiple × S: 一事一议 note needed */
	fen_t cap;	     /* max_multiple × S */
	const char *
	    code; /* when refused: ROLE_CANNOT_*, ABOVE_ROLE_LIMIT, FIRST_AID_ABOVE_LIMIT, CASE_BY_CASE_NOTE_REQUIRED */
	char reason[TEMP_REASON_MAX]; /* when refused: Chinese, names the amount and the limit */
};

/* May actor do action for amount (> 0, the case's whole amount for
 * APPROVE, this payment for FIRST_AID)? has_note: a case-by-case note was
 * given. The verdict is filled on DD_OK; a refusal is allowed = false with
 * code and reason, not an error. Errors: bad amount or limits. */
dd_status temp_check(const struct temp_limits *l, enum temp_actor actor, enum temp_action action, fen_t amount,
		     bool has_note, struct temp_verdict *out, dd_error *err) DD_MUST_CHECK;

/* The usual amount of a severity: multiple × S; false on overflow. */
bool temp_amount_for(fen_t standard, int64_t multiple, fen_t *out) DD_MUST_CHECK;

#define TEMP_STAGES_MAX 12

/* Splits total (> 0) into n (1..TEMP_STAGES_MAX) stages as equal as fen
 * allow: the first total % n stages get one fen more. The sum is exactly
 * total; every stage is > 0 (so total ≥ n). */
dd_status temp_stage_plan(fen_t total, int n, fen_t out[TEMP_STAGES_MAX], dd_error *err) DD_MUST_CHECK;

/* Checks stages given one by one: 1..TEMP_STAGES_MAX, each > 0, the sum
 * (checked for overflow) equal to total. err->field names "stages[i]" or
 * "stages". */
dd_status temp_stages_check(fen_t total, const fen_t *stages, int n, dd_error *err) DD_MUST_CHECK;

#endif
