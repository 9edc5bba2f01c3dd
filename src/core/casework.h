/* casework.h - the procedure of a dibao / tekun case (审核确认) as data: its
 * states, its actions, and one transition table state × action × role →
 * next state, with the conditions (guards) a row needs; the deadline rule
 * of each state; the periodic-review interval of a decision.
 *
 * docs/casework.md holds the table as casework_describe prints it, and
 * tests/unit/test_casework.c fails when the two differ.
 *
 * Pure: no I/O, no store. Roles are the codes of DOMAIN.md ("township"), so
 * this module does not depend on the service layer. */
#ifndef DD_CASEWORK_H
#define DD_CASEWORK_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "civil_date.h"
#include "strbuf.h"

enum case_state {
	CS_SUBMITTED,	 /* 已提交 */
	CS_ACCEPTED,	 /* 已受理: economic verification pending */
	CS_VERIFIED,	 /* 已核对: home investigation pending */
	CS_INVESTIGATED, /* 已调查 (or waived): township review pending */
	CS_REVIEWED,	 /* 乡镇已审核: public notice pending */
	CS_IN_NOTICE,	 /* 公示中: decision pending */
	CS_APPROVED,	 /* 已批准 (final) */
	CS_REJECTED,	 /* 不予批准 (final) */
	CS_WITHDRAWN,	 /* 已撤回 (final) */
	CS_COUNT
};

enum case_action {
	CA_ACCEPT,
	CA_VERIFY,
	CA_INVESTIGATE,
	CA_WAIVE_INVESTIGATION,
	CA_REVIEW,
	CA_PUBLISH_NOTICE,
	CA_APPROVE,
	CA_REJECT,
	CA_WITHDRAW,
	CA_COUNT
};

/* Role bits of the table (DOMAIN.md codes). */
enum case_role_bit {
	CR_VILLAGE = 1,
	CR_TOWNSHIP = 2,
	CR_COUNTY = 4,
};

/* Conditions a transition row needs besides state and role. */
enum case_guard {
	CG_WAIVER = 1,	   /* the epidemic waiver of home investigations is in force */
	CG_DELEGATED = 2,  /* procedure.township_approves, and not a close-relative case */
	CG_NOTICE_OVER = 4 /* the public notice period has ended */
};

struct case_transition {
	enum case_state from;
	enum case_action action;
	unsigned roles;	 /* case_role_bit */
	unsigned guards; /* case_guard */
	enum case_state to;
};

/* The one table. *n gets its length. */
const struct case_transition *casework_transitions(size_t *n);

/* Codes and Chinese names. NULL / CS_COUNT / CA_COUNT for unknown codes. */
const char *case_state_code(enum case_state s);
const char *case_state_zh(enum case_state s);
enum case_state case_state_parse(const char *s);
const char *case_action_code(enum case_action a);
const char *case_action_zh(enum case_action a);
enum case_action case_action_parse(const char *s);
/* CR_* bit of a role code, 0 for roles the procedure does not know. */
unsigned case_role_bit(const char *role);
bool case_state_final(enum case_state s);

/* What the guards look at. */
struct case_facts {
	bool waiver_in_force;	/* policy procedure.waive_investigation */
	bool township_approves; /* policy procedure.township_approves */
	bool close_relative;	/* the case is flagged 近亲属备案 */
	bool notice_over;	/* today is after the last day of the notice */
};

enum case_refusal {
	CW_OK = 0,
	CW_BAD_STATE,	    /* the action is not possible in this state */
	CW_BAD_ROLE,	    /* the role may not take this action here */
	CW_WAIVER_OFF,	    /* no waiver of investigations in force */
	CW_NOT_DELEGATED,   /* township approval not delegated */
	CW_CLOSE_RELATIVE,  /* a close-relative case: only the county approves */
	CW_NOTICE_NOT_OVER, /* approval before the notice period ends */
};

/* The next state for action taken by role (code) in from, or a refusal.
 * Rows for the role are tried in table order; when none passes its guards,
 * the refusal names the first failing guard (delegation, waiver, notice). */
enum case_refusal casework_step(enum case_state from, enum case_action action, const char *role,
				const struct case_facts *facts, enum case_state *to);
/* Stable English code ("STATE_NOT_ALLOWED") and Chinese reason of a refusal. */
const char *case_refusal_code(enum case_refusal r);
const char *case_refusal_zh(enum case_refusal r);

/* The actions role may take in state s given the facts (bit per action). */
unsigned casework_allowed(enum case_state s, const char *role, const struct case_facts *facts);

/* Procedure parameters (PARAMETERS.md "Procedure"). */
struct case_times {
	int start_verification_workdays; /* procedure.start_verification_workdays */
	int data_check_workdays;	 /* procedure.data_check_workdays */
	int public_notice_days;		 /* procedure.public_notice_days (calendar days) */
	int county_decision_workdays;	 /* procedure.county_decision_workdays */
	int refusal_notice_workdays;	 /* procedure.refusal_notice_workdays */
	int total_workdays;		 /* procedure.total_workdays */
	int total_workdays_delegated;	 /* procedure.total_workdays_delegated */
	bool township_approves;		 /* procedure.township_approves */
};

#define CASE_NO_DATE INT32_MIN

/* The last day of the public notice published on `published`: published +
 * public_notice_days calendar days (the day of publishing not counted).
 * Approval is possible from the day after. */
dd_date casework_notice_until(const struct case_times *t, dd_date published);

/* The due date of the work pending in state s, entered on `entered`, for a
 * case accepted on `accepted` (CASE_NO_DATE before acceptance). Working days
 * come from cal. CASE_NO_DATE for states with nothing pending (approved,
 * withdrawn). See docs/casework.md for the rule of each state. */
dd_date casework_due(const struct calendar *cal, const struct case_times *t, enum case_state s, dd_date entered,
		     dd_date accepted);

/* Periodic reviews (动态管理). */
enum review_kind {
	RK_STABLE,     /* review.stable_months: tekun, households whose situation changes little */
	RK_VARIABLE,   /* review.variable_months: members able to work, irregular income */
	RK_AFTER_DEATH /* review.after_death_months: a member died after the decision */
};
struct review_times {
	int stable_months, variable_months, after_death_months;
};
/* The kind of review a decision's household needs. */
enum review_kind casework_review_kind(bool tekun, bool member_able_to_work, bool death_after_decision);
const char *review_kind_code(enum review_kind k);
/* When the review is due: from the decision date (stable, variable) or from
 * the death (after_death), plus the kind's months (clamped to month end). */
dd_date casework_review_due(const struct review_times *t, enum review_kind k, dd_date decided, dd_date death);

/* The transition table and the deadline rules as Markdown (docs/casework.md
 * between its "generated" markers). */
void casework_describe(struct strbuf *out);

#endif
