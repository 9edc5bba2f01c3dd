/* casework.h - applications (cases) for dibao, tekun and temporary
 * assistance over the store: creation, the procedure's actions through the
 * transition table of core/casework.h, the case as JSON with its deadlines,
 * history and assessment, lists, the close-relatives register (近亲属备案)
 * and the periodic reviews (动态管理).
 *
 * Every permission and region check is made here: a case or household
 * outside the caller's region is SVC_NOT_FOUND; a role or state the table
 * refuses is SVC_RULE (422) with the table's code and Chinese reason.
 * Every change is one transaction with its audit row.
 *
 * Dates of the procedure are civil dates in China standard time (UTC+8):
 * history time stamps (UTC) are read in that zone. */
#ifndef DD_SERVICE_CASEWORK_H
#define DD_SERVICE_CASEWORK_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/calendar.h"
#include "core/civil_date.h"
#include "core/money.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"
#include "children_allowance.h"
#include "temporary_case.h"

struct db;

struct casework_env {
	const struct policy *policy; /* procedure.*, review.* and the assessment's parameters */
	const struct calendar *cal;  /* working days */
	dd_date today;		     /* the civil date of the request (casework_today) */
};

/* Today in China standard time. */
dd_date casework_today(void);

/* POST /api/v1/applications. household_id ≤ 0 or a missing programme or
 * commitment is SVC_BAD_INPUT naming the field. */
struct application_new {
	int64_t household_id;
	const char *programme; /* dibao, tekun, temporary */
	int commitment;	       /* -1 absent, 0 false, 1 true */
	const char *channel;   /* NULL = counter */
	const char *note;      /* may be NULL */
	/* programme temporary: the case's temporary fields; the case is then
	 * made by temporary_create (service/temporary_case.h), where the
	 * emergency happens (region, default the household's) and without
	 * the commitment (the paperwork follows first aid). NULL = none. */
	const struct temporary_new *temporary;
	/* programme children: the child, category, care type and eligibility
	 * facts (service/children_allowance.h); household_id is then the
	 * child's household, found by the service. NULL = none. */
	const struct children_application *children;
};
/* Village or township only (SVC_FORBIDDEN); the household must be in the
 * caller's region (SVC_NOT_FOUND); commitment false is SVC_RULE
 * (COMMITMENT_REQUIRED); an open case of the same programme for the
 * household is SVC_CONFLICT (OPEN_APPLICATION_EXISTS). *id gets the case. */
enum svc_kind casework_create(struct db *db, const struct casework_env *env, const struct principal *actor,
			      const struct application_new *req, int64_t *id, struct svc_error *e);

/* The case as JSON (docs/openapi.yaml Application) appended to out. */
enum svc_kind casework_get(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			   struct strbuf *out, struct svc_error *e);

struct application_action {
	const char *action;
	int64_t version; /* the version the caller read; < 1 = missing */
	const char *note;
	/* a temporary case's action members (amount, stages …); a temporary
	 * case's actions are temporary_act's (service/temporary_case.h) */
	const struct temporary_action *temporary;
	/* approve of a children case for a child who has a tekun decision in
	 * force: "children" keeps the children's allowance and closes the tekun
	 * decision from the new decision's first day; NULL = refused with
	 * CHOOSE_ONE_PROGRAMME */
	const char *keep_programme;
};
/* Takes an action. Stale version: SVC_CONFLICT (STALE_VERSION). The
 * transition table refuses with SVC_RULE and its code. Reject without a
 * note: SVC_BAD_INPUT field "note". Approve runs the assessment on the
 * household's stored data as of today and stores the decision (result,
 * trace, parameter values); a household the rules do not admit to the
 * programme is SVC_RULE (NOT_ELIGIBLE). */
enum svc_kind casework_act(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			   const struct application_action *req, struct svc_error *e);

/* The household hid's stored data on day d assessed for programme as the
 * approval would: *determination (a static code: dibao,
 * dibao_gradual_exit, marginal, none, single_person, tekun) and *benefit
 * (fen a month). SVC_RULE when the rules cannot run on it. */
enum svc_kind casework_assess_brief(struct db *db, const struct policy *pol, int64_t hid, const char *programme,
				    dd_date d, const char **determination, fen_t *benefit, struct svc_error *e);

struct application_query {
	const char *state;     /* "" = any */
	const char *programme; /* "" = any */
	const char *due;       /* "", "overdue", "today" */
	int64_t page, per_page;
	/* NULL or "" = every case; "mine" = the approval queue: the open dibao
	 * and tekun cases in a state where the transition table lets the
	 * caller's role act (other than reject / withdraw); a township sees
	 * in_notice only where approval is delegated to it (policy
	 * procedure.township_approves for its region) and not the
	 * close-relative cases. A role the procedure does not know: none. */
	const char *queue;
	const char *sort; /* NULL or "" = newest first; "due" = by due date, earliest (overdue) first */
};
/* {"items":[…],"total":N} of the cases in the caller's region. */
enum svc_kind casework_list(struct db *db, const struct casework_env *env, const struct principal *actor,
			    const struct application_query *q, struct strbuf *out, struct svc_error *e);

/* The close-relatives register: county or admin, in its own region. */
struct close_relative_new {
	const char *id_number;
	const char *name;
	const char *staff_name;
	const char *staff_post;
	const char *relation;
	const char *region; /* NULL = the caller's */
	const char *note;
};
enum svc_kind casework_relative_add(struct db *db, const struct principal *actor, const struct close_relative_new *req,
				    int64_t *id, struct svc_error *e);
/* {"items":[…],"total":N,"page","per_page"} of the register in the caller's
 * region (county, admin, auditor), newest first, ID numbers masked;
 * id_number (may be NULL or "") keeps only that person's entries. */
enum svc_kind casework_relative_list(struct db *db, const struct principal *actor, const char *id_number, int64_t page,
				     int64_t per_page, struct strbuf *out, struct svc_error *e);

/* Creates a review case (kind review, state accepted) for every current
 * decision inside the actor's region (actor NULL: every region, the
 * scheduler) whose review is due on date: stable/variable months after the
 * decision by the household's type, or after_death months after a member's
 * death. Idempotent: one review per decision. *created gets the count. */
enum svc_kind casework_reviews_run(struct db *db, const struct casework_env *env, const struct principal *actor,
				   dd_date date, int64_t *created, struct svc_error *e);

#endif
