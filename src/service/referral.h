/* referral.h - referrals between departments (转办转介, issue 9 item 5;
 * docs/referrals.md): a township or county hands a case, from an
 * application or a 12345 work order it can see, to a receiving office
 * (referral_offices: 医保局, 教育局, 住建, 人社, 残联, 慈善会…), whose
 * department users (ROLE_DEPARTMENT, principal.office) accept it and answer
 * it with an outcome, or return it; the sender closes it.
 *
 * Who sees a referral: the sender side, by region (referrals.region_code:
 * the source's township when village or township staff send it, the county
 * when county staff do; inside the principal's scope), and the receiving
 * side, by office (referrals.office_code = principal.office). Anyone else
 * gets SVC_NOT_FOUND.
 *
 * States: sent → accepted → answered → closed; sent or accepted → returned
 * (the office declines, with a note); sent or accepted → cancelled (the
 * sender withdraws). due_date: the office's reply_workdays, else the policy
 * parameter referral.reply_workdays, working days after the day sent.
 * Overdue: sent or accepted after due_date.
 *
 * Every step is one transaction with its event row (referral_events) and
 * audit row (referral.create, .accept, .answer, .return, .close, .cancel);
 * a stale version is SVC_CONFLICT (STALE_VERSION), a step from the wrong
 * state SVC_RULE (STATE_NOT_ALLOWED, field "state"), a step by the wrong
 * side SVC_FORBIDDEN (ROLE_NOT_ALLOWED). */
#ifndef DD_SERVICE_REFERRAL_H
#define DD_SERVICE_REFERRAL_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "svc.h"

struct calendar;
struct policy;

#define REFERRAL_TEXT_MAX 4000 /* bytes of a reason, answer or note */

/* POST /api/v1/referrals. Exactly one source; fields may be NULL/0 (missing). */
struct referral_new {
	int64_t application_id;	  /* an application or temporary case the actor can see; 0 none */
	int64_t hotline_order_id; /* a 12345 work order the actor can see; 0 none */
	const char *office_code;  /* an active office whose county covers the source */
	const char *reason;	  /* required */
};

/* Village, township or county staff (authz_referral_send). *id gets the
 * referral's id. */
enum svc_kind referral_create(struct db *db, const struct policy *policy, const struct calendar *cal,
			      const struct principal *actor, const struct referral_new *req, int64_t *id,
			      struct svc_error *e);

struct referral_filter {
	const char *state;  /* sent, accepted, answered, closed, returned, cancelled; NULL/"" any */
	bool overdue;	    /* only the overdue ones */
	const char *office; /* an office code; NULL/"" any */
	int64_t page, per_page;
};

/* {"items":[referral…],"total","page","per_page"}, overdue first, then by
 * due_date, then id; the sender's by region, a department user's by office. */
enum svc_kind referral_list(struct db *db, const struct principal *actor, const struct referral_filter *f,
			    struct strbuf *out, struct svc_error *e);

/* One referral: the list's fields, the source ({"kind","id","label","state"}),
 * events and allowed_actions (as actor may now). */
enum svc_kind referral_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
			   struct svc_error *e);

struct referral_action {
	const char *action;  /* accept, answer, return (the office); close, cancel (the sender) */
	int64_t version;     /* < 1 = missing */
	const char *answer;  /* answer: required */
	const char *outcome; /* answer: assisted, not_eligible, transferred, other; required */
	const char *amount;  /* answer: optional, yuan "1234.50" (stored in fen) */
	const char *note;    /* return: required; close, cancel: optional */
};

/* Takes a step in its own transaction; out (may be NULL) gets
 * {"id","state","version"}. */
enum svc_kind referral_act(struct db *db, const struct principal *actor, int64_t id, const struct referral_action *req,
			   struct strbuf *out, struct svc_error *e);

/* GET /api/v1/referral-offices: {"items":[{"code","name","kind","region",
 * "reply_workdays"}]}, the active offices, those whose county covers region
 * (6-12 digits) when region is not NULL/"". Any logged-in principal. */
enum svc_kind referral_offices_list(struct db *db, const struct principal *actor, const char *region,
				    struct strbuf *out, struct svc_error *e);

struct referral_office_new {
	const char *code;	/* office_code_valid */
	const char *name;	/* required */
	const char *kind;	/* medical, education, housing, employment, disability, charity, other */
	const char *region;	/* the county, 6 digits, inside the actor's scope */
	int64_t reply_workdays; /* 1-60; 0 = the policy's */
};

/* Admin, or county staff for its own county: registers an office (audited
 * referral_office.create); SVC_CONFLICT (OFFICE_EXISTS) for a code in use. */
enum svc_kind referral_office_create(struct db *db, const struct principal *actor,
				     const struct referral_office_new *req, struct svc_error *e);

/* Appends ,"referrals":[{"id","office_code","office_name","state",
 * "due_date","overdue","outcome"}] of the referrals whose column
 * ("application_id" or "hotline_order_id") is id, no permission check: for
 * the detail of an application, a temporary case or a work order, inside
 * their read transaction. */
dd_status referral_links_append(struct db *db, const char *column, int64_t id, struct strbuf *out, dd_error *err);

/* The workbench's "referrals" member, no leading comma: {"open","overdue",
 * "overdue_items":[{"id","office_code","office_name","state","region",
 * "due_date"}…]}: of the referrals sent from [lo, hi) when office is NULL
 * or "", else of those to office; at most max items; today YYYY-MM-DD. */
dd_status referral_workbench(struct db *db, const char *lo, const char *hi, const char *office, const char *today,
			     int64_t max, struct strbuf *out, dd_error *err);

#endif
