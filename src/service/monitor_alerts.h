/* monitor_alerts.h - handling the alerts data matching raises (issue 7,
 * monitor.h): open → verifying → actioned → closed.
 *
 * An alert is assigned to a region (alerts.region_code: the township of the
 * person's household, or a county): a principal sees the alerts whose region
 * starts with its scope; an alert outside it is SVC_NOT_FOUND.
 *
 * Steps (monitor_alerts_step), township or county staff only (else
 * SVC_FORBIDDEN ROLE_NOT_ALLOWED), each one transaction with its audit row
 * (alert.verify, alert.action, alert.close), a stale version SVC_CONFLICT
 * (STALE_VERSION):
 *   verify  open → verifying; records who verifies (assigned_to)
 *   action  verifying → actioned; action review (start a review: recorded in
 *           the note), suspend (a payment hold on the household that payroll
 *           generation honours; needs a household), temporary (temporary
 *           assistance: case_id links an existing temporary case in the
 *           caller's scope, else recorded), none (no action: note required);
 *           records who (handled_by)
 *   close   actioned → closed with a result text; records who (closed_by)
 * Any other step from a state is SVC_RULE (STATE_NOT_ALLOWED, field
 * "state"). */
#ifndef DD_SERVICE_MONITOR_ALERTS_H
#define DD_SERVICE_MONITOR_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/civil_date.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define ALERT_TEXT_MAX 2000 /* bytes of a note or result */

struct alert_filter {
	const char *state;  /* open, verifying, actioned, closed; NULL/"" any */
	const char *kind;   /* an alert kind (death, vehicle …); NULL/"" any */
	int lead;	    /* -1 any, 0 alerts only, 1 proactive-discovery leads only */
	bool overdue;	    /* not closed and due_date before today */
	const char *region; /* 6-12 digits inside the caller's scope; NULL/"" the whole scope */
	int64_t page, per_page;
};

/* {"items":[{"id","kind","rule_code","source","region","person_id",
 * "household_id","id_number" (masked),"name","lead","severity","state",
 * "action","raised_at","due_date","overdue","version"}],"total","page",
 * "per_page"}, ordered by due date (none last), then id. today decides
 * overdue. */
enum svc_kind monitor_alerts_list(struct db *db, const struct principal *actor, const struct alert_filter *f,
				  dd_date today, struct strbuf *out, struct svc_error *e);

/* One alert: the list's fields and detail (JSON), action_note, assigned_to,
 * handled_by, closed_by, closed_at, result, case_id, hold (the payment hold
 * it placed: {"id","released_at"} or null), allowed_steps (what actor may
 * do now: verify, action or close, and release_hold while its hold is in
 * force). reveal: the whole ID number (authz_household_reveal), audited
 * (alert.reveal) before it is shown. */
enum svc_kind monitor_alerts_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, dd_date today,
				 struct strbuf *out, struct svc_error *e);

struct alert_step {
	const char *step;   /* verify, action, close */
	int64_t version;    /* < 1 = missing */
	const char *action; /* action: review, suspend, temporary, none */
	const char *note;   /* action: required for none */
	const char *result; /* close: required */
	int64_t case_id;    /* action temporary: an existing temporary case, 0 = none */
};

/* Takes a step in its own transaction; out (may be NULL) gets
 * {"id","state","version"}. */
enum svc_kind monitor_alerts_step(struct db *db, const struct principal *actor, int64_t id,
				  const struct alert_step *req, struct strbuf *out, struct svc_error *e);

/* Releases the payment hold alert id's suspend placed (township or county
 * staff, alert in scope, else as the steps): payroll generation pays the
 * household again from the next run. SVC_RULE (NO_HOLD, field "hold") when
 * the alert has no hold in force; note is required (NOTE_REQUIRED). One
 * transaction with its audit row (payment_hold.release). out (may be NULL)
 * gets {"id","hold_id","released_at"}. */
enum svc_kind monitor_alerts_release_hold(struct db *db, const struct principal *actor, int64_t id, const char *note,
					  struct strbuf *out, struct svc_error *e);

#endif
