/* temporary_case.h - temporary assistance cases (临时救助) over the store:
 * a case where the emergency happens (急难发生地, whatever the household
 * registration), first aid (先行救助) drawn at once from the township reserve
 * fund with the paperwork afterwards, tiered approval (分级审批) with the
 * case-by-case note (一事一议) above temp.max_multiple × S, and payment in
 * stages (一次审批、分阶段救助).
 *
 * A temporary case is an applications row (programme 'temporary') plus a
 * temporary_cases row and its temporary_stages (schema/006_temporary.sql).
 * States: submitted → approved → closed (all stages paid), or rejected.
 *
 * Actions (temporary_act):
 *   first_aid   village/township, state submitted; {amount}: the case's first
 *               aid in total stays ≤ temp.first_aid_limit; drawn from the
 *               township's reserve fund in the same transaction (same day)
 *   paperwork   village/township after first aid; {note}: 事后补充说明
 *   approve     township ≤ temp.township_limit, county above, county with
 *               {case_by_case_note} above temp.max_multiple × S; {amount}:
 *               the case's whole amount, first aid included (≥ it);
 *               {stages}: a count (default 1) or a list of amounts for the
 *               rest; after first aid the paperwork must be done first
 *   reject      township/county, state submitted; {note} required
 *   pay_stage   {stage}: the stage number; township-tier cases are paid by
 *               the township from its reserve fund, county-tier ones by the
 *               county or finance (from the county's account)
 * A refusal by role, state or limit is SVC_RULE (422) with a stable code
 * (ABOVE_ROLE_LIMIT, FIRST_AID_ABOVE_LIMIT, CASE_BY_CASE_NOTE_REQUIRED,
 * ROLE_CANNOT_*, STATE_NOT_ALLOWED, PAPERWORK_PENDING,
 * RESERVE_INSUFFICIENT) and the reason in Chinese; a stale version is
 * SVC_CONFLICT (STALE_VERSION); a case outside the caller's region is
 * SVC_NOT_FOUND. Every action is one transaction with its history and
 * audit rows. */
#ifndef DD_SERVICE_TEMPORARY_CASE_H
#define DD_SERVICE_TEMPORARY_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/civil_date.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "core/temporary.h"
#include "svc.h"

struct db;

struct temporary_env {
	const struct policy *policy; /* temp.* and dibao.standard.* */
	dd_date today;		     /* the civil date of the request (temporary_today) */
};

/* Today in China standard time (UTC+8). */
dd_date temporary_today(void);

/* The limits in force for a region (significant form), area ("urban" or
 * "rural") and date. SVC_RULE (NO_POLICY) when a parameter is missing. */
enum svc_kind temporary_limits(const struct temporary_env *env, const char *region_sig, const char *area,
			       struct temp_limits *out, struct svc_error *e);

/* The tier rule for actor (its role) as a service answer: SVC_OK when
 * allowed, SVC_RULE with the verdict's code and reason when not. v (may be
 * NULL) gets the verdict. For casework's approve of a temporary case. */
enum svc_kind temporary_check_approval(const struct temporary_env *env, const struct principal *actor,
				       const char *region_sig, const char *area, enum temp_action action, fen_t amount,
				       bool has_note, struct temp_verdict *v, struct svc_error *e);

/* POST /api/v1/temporary-cases. Fields may be NULL (missing). */
struct temporary_new {
	const char *region;		 /* where the emergency happened: 9 or 12 digits; NULL = the household's */
	const char *case_kind;		 /* emergency, expenditure */
	const char *cause;		 /* core/temporary.h causes, of that kind */
	const char *severity;		 /* general (default), serious, grave */
	const char *area;		 /* urban, rural: which S applies */
	int64_t household_id;		 /* 0 = none (e.g. a migrant without a household here) */
	const char *registration_region; /* household registration (户籍地), may be NULL */
	const char *requested_amount;	 /* may be NULL */
	const char *note;		 /* may be NULL */
};
/* Village or township (else SVC_FORBIDDEN), region inside the caller's
 * (else SVC_NOT_FOUND). *id gets the application id. */
enum svc_kind temporary_create(struct db *db, const struct temporary_env *env, const struct principal *actor,
			       const struct temporary_new *req, int64_t *id, struct svc_error *e);

/* The case as JSON: the application's state and version, the temporary
 * fields, the limits and tier, first aid, stages, history, and the
 * township's reserve fund balance. SVC_NOT_FOUND outside the region. */
enum svc_kind temporary_get(struct db *db, const struct temporary_env *env, const struct principal *actor, int64_t id,
			    struct strbuf *out, struct svc_error *e);

/* GET /api/v1/temporary-cases: a page of the temporary cases in actor's
 * scope, newest first, optionally of one state (submitted, approved,
 * closed, rejected; "" = any): {"items":[{"id","household_id","head_name",
 * "region","state","amount","requested_amount","approved_amount","tier",
 * "case_kind","cause","first_aid_amount","created_at"}],"total","page",
 * "per_page"}. amount is the approved amount once approved, else the
 * requested one (null when neither). */
enum svc_kind temporary_list(struct db *db, const struct principal *actor, const char *state, int64_t page,
			     int64_t per_page, struct strbuf *out, struct svc_error *e);

/* Appends the members "temporary":{…},"reserve_fund":{…} (no braces
 * around) of case id, no permission check: for casework_get, which has
 * checked. SVC_NOT_FOUND when the case has no temporary row. */
enum svc_kind temporary_render(struct db *db, const struct temporary_env *env, int64_t id, struct strbuf *out,
			       struct svc_error *e);

/* Appends the actions actor may take on case id in its state, as JSON
 * strings separated by commas (no brackets): casework_get's
 * allowed_actions for a temporary case. Nothing when it is none. */
enum svc_kind temporary_allowed_actions(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
					struct svc_error *e);

struct temporary_action {
	const char *action;
	int64_t version; /* < 1 = missing */
	const char *amount;
	const char *note;
	const char *case_by_case_note;
	int stages_count;			    /* 0 = absent */
	const char *stage_amounts[TEMP_STAGES_MAX]; /* when n_stage_amounts > 0 */
	int n_stage_amounts;
	int64_t stage; /* pay_stage: the stage number */
};

/* *yes: application id is a temporary case (has its temporary row), so
 * casework routes its actions here. No permission check. */
enum svc_kind temporary_case_exists(struct db *db, int64_t id, bool *yes, struct svc_error *e);

/* True for the actions above (casework can route them here). */
bool temporary_action_known(const char *action);

/* Takes an action in its own transaction. */
enum svc_kind temporary_act(struct db *db, const struct temporary_env *env, const struct principal *actor, int64_t id,
			    const struct temporary_action *req, struct svc_error *e);

#endif
