/* care_emergency.h - guardianship and care emergencies (监护/照料缺失应急
 * 处置, issue 10 item 3; seed 004 §三(二)-(四); docs/care_emergencies.md): a
 * child whose guardian is hospitalised, quarantined, deceased or detained,
 * or an elderly person who cannot care for themselves or a severely
 * disabled person whose carer is taken away, is reported and must be given
 * temporary care within care_emergency.response_hours: who takes over care,
 * where the person stays, visits until the carer returns, closure.
 *
 * A case belongs to the person's village (care_emergencies.region_code, 12
 * digits): a principal sees the cases whose village is inside its scope; one
 * outside is SVC_NOT_FOUND. Village, township and county staff and the
 * child directors and supervisors report and handle them
 * (authz_care_emergency_write). An unregistered person's ID number is shown
 * masked; a reveal (authz_household_reveal) is audited
 * (care_emergency.reveal).
 *
 * States: open → care_arranged → closed. arrange records the carer (kind,
 * name, phone) and the placement (kind and address); arranging again
 * replaces them. visit records a visit (open or care_arranged). close needs
 * a carer and a placement (else SVC_RULE CARE_NOT_ARRANGED) and a note.
 * Overdue: still open after respond_due (reported_at + response_hours).
 *
 * Every change is one transaction with its event row (care_emergency_events)
 * and audit row (care_emergency.report, .arrange, .visit, .close); a stale
 * version is SVC_CONFLICT (STALE_VERSION); a step from the wrong state
 * SVC_RULE (STATE_NOT_ALLOWED, field "state"). */
#ifndef DD_SERVICE_CARE_EMERGENCY_H
#define DD_SERVICE_CARE_EMERGENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "svc.h"

struct policy;

#define CARE_EMERGENCY_TEXT_MAX 4000 /* bytes of a description or note */

/* POST /api/v1/care-emergencies. Fields may be NULL (missing). */
struct care_emergency_new {
	const char *subject_kind; /* child, elderly, disabled */
	int64_t person_id;	  /* a registered person (0: none) */
	const char *name;	  /* required without person_id */
	const char *id_number;	  /* optional without person_id: a valid ID number */
	const char *region;	  /* the village (12 digits); without person_id required, with it
				     optional (must be the person's) */
	const char *channel;	  /* child_director, visit, hotline, hospital, other */
	int64_t hotline_order_id; /* channel hotline: the work order (0: none) */
	const char *reason;	  /* guardian_hospitalised, guardian_quarantined, guardian_deceased,
				     guardian_detained, carer_unable, other */
	const char *description;  /* required */
};

/* *id gets the case's id. policy: care_emergency.response_hours. */
enum svc_kind care_emergency_report(struct db *db, const struct policy *policy, const struct principal *actor,
				    const struct care_emergency_new *req, int64_t *id, struct svc_error *e);

struct care_emergency_filter {
	const char *state;	  /* open, care_arranged, closed; NULL/"" any */
	bool overdue;		  /* only the overdue ones */
	const char *region;	  /* 6-12 digits inside the caller's scope; NULL/"" the whole scope */
	int64_t hotline_order_id; /* > 0: only the cases reported from that 12345 order */
	int64_t page, per_page;
};

/* {"items":[{"id","region","village","subject_kind","person_id","subject_name",
 * "subject_id_number" (masked),"channel","hotline_order_id","reason",
 * "description","state","reported_at","respond_due","overdue","carer_kind",
 * "carer_name","carer_phone","placement","placement_address","arranged_at",
 * "closure_note","closed_at","version"}],"total","page","per_page"}: open first
 * (overdue before the others), then care_arranged, then closed; by
 * respond_due, id. */
enum svc_kind care_emergency_list(struct db *db, const struct principal *actor, const struct care_emergency_filter *f,
				  struct strbuf *out, struct svc_error *e);

/* One case: the list's fields and reported_by (username), visits
 * ([{"visit_date","visitor","note","recorded_by"}]), events and
 * allowed_actions (arrange, visit, close as actor may now). reveal: the
 * whole ID number, audited first. */
enum svc_kind care_emergency_get(struct db *db, const struct principal *actor, int64_t id, bool reveal,
				 struct strbuf *out, struct svc_error *e);

struct care_emergency_action {
	const char *action; /* arrange, visit, close */
	int64_t version;    /* < 1 = missing */
	/* arrange */
	const char *carer_kind; /* relative, village, institution, other */
	const char *carer_name;
	const char *carer_phone; /* optional */
	const char *placement;	 /* home, relative_home, institution, hospital, other */
	const char *placement_address;
	/* visit */
	const char *visit_date; /* YYYY-MM-DD, not after today */
	const char *visitor;
	/* visit, close: required */
	const char *note;
};

/* Takes an action in its own transaction; out (may be NULL) gets
 * {"id","state","version"}. */
enum svc_kind care_emergency_act(struct db *db, const struct principal *actor, int64_t id,
				 const struct care_emergency_action *req, struct strbuf *out, struct svc_error *e);

/* The workbench block (workbench.c), in the open read transaction: {"open",
 * "overdue","items":[{"id","region","village","subject_kind","subject_name",
 * "reason","state","reported_at","respond_due","overdue"}]} of the cases not
 * closed in [lo, hi), open ones first (overdue first), by respond_due; at
 * most max items. */
dd_status care_emergency_workbench(struct db *db, const char *lo, const char *hi, const char *now, int64_t max,
				   struct strbuf *out, dd_error *err);

#endif
