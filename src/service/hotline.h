/* hotline.h - the 12345 hotline module (12345 社会救助模块, issue 8;
 * docs/hotline.md): a call becomes a work order (工单) routed to the
 * responsible township, which accepts it, replies and closes it, within
 * deadlines that are policy parameters; an order can turn into an
 * application or a temporary-assistance case, and both show the link.
 *
 * An order belongs to a township (hotline_orders.region_code, 9 digits): a
 * principal sees the orders whose township is inside its scope; one outside
 * is SVC_NOT_FOUND. The caller's phone and ID number are shown masked; a
 * reveal (authz_household_reveal) is audited (hotline_order.reveal).
 *
 * States: received → accepted → replied → closed; a township returns an order
 * that is not its own (received or accepted → returned, with a reason) and the
 * county reassigns it to another township (returned or received → received,
 * a new response_due; close_due is kept: the caller's clock runs on).
 * Deadlines, fixed at
 * receipt: response_due = received_at + hotline.response_hours (a time
 * stamp), close_due = hotline.close_workdays working days after the day of
 * receipt (a date). Overdue: still received after response_due, or not
 * closed after close_due.
 *
 * Every change is one transaction with its event row (hotline_order_events)
 * and audit row (hotline_order.create, .accept, .reply, .convert, .close); a
 * stale version is SVC_CONFLICT (STALE_VERSION); a step from the wrong state
 * SVC_RULE (STATE_NOT_ALLOWED, field "state"). */
#ifndef DD_SERVICE_HOTLINE_H
#define DD_SERVICE_HOTLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "svc.h"

struct calendar;
struct casework_env;
struct policy;
struct temporary_new;

#define HOTLINE_TEXT_MAX 4000 /* bytes of a description, reply or result */

/* POST /api/v1/hotline/orders. Fields may be NULL (missing). */
struct hotline_new {
	const char *order_no;	      /* the 12345 platform's number; NULL = generated (RXyyyymmddNNNNNN) */
	const char *caller_name;      /* required */
	const char *caller_phone;     /* required: digits, '-', '+', spaces; 3-20 */
	const char *caller_id_number; /* optional, a valid ID number */
	const char *region;	      /* 9-digit township or 12-digit village (routed to its township) */
	const char *category;	      /* dibao, tekun, temporary, marginal, complaint, consultation, other */
	const char *channel;	      /* phone (default), web, wechat, letter, visit */
	const char *description;      /* required */
};

/* Township or county staff (authz_hotline_write), region inside the caller's
 * scope (else SVC_NOT_FOUND, field "region"). policy: hotline.* for the
 * township; cal: working days. *id gets the order's id. */
enum svc_kind hotline_create(struct db *db, const struct policy *policy, const struct calendar *cal,
			     const struct principal *actor, const struct hotline_new *req, int64_t *id,
			     struct svc_error *e);

struct hotline_filter {
	const char *state;    /* received, accepted, replied, closed; NULL/"" any */
	const char *category; /* NULL/"" any */
	bool overdue;	      /* only the overdue ones */
	const char *region;   /* 6-12 digits inside the caller's scope; NULL/"" the whole scope */
	int64_t page, per_page;
};

/* {"items":[{"id","order_no","caller_name","caller_phone" (masked),
 * "caller_id_number" (masked),"region","category","channel","description",
 * "state","received_at","response_due","close_due","overdue","application_id",
 * "converted_to","version"}],"total","page","per_page"}, overdue first, then
 * by close_due, then id. */
enum svc_kind hotline_list(struct db *db, const struct principal *actor, const struct hotline_filter *f,
			   struct strbuf *out, struct svc_error *e);

/* One order: the list's fields and accepted_at, reply, replied_at, result,
 * closed_at, created_by (username), return_note, case ({"id","programme","state"} of the
 * linked application, or null), events, allowed_steps (accept, reply,
 * convert, close, return, reassign as actor may now). reveal: the whole phone and ID number,
 * audited first (hotline_order.reveal). */
enum svc_kind hotline_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			  struct svc_error *e);

struct hotline_step {
	const char *step; /* accept, reply, close, return */
	int64_t version;  /* < 1 = missing */
	const char *text; /* reply: the reply (field "reply"); close: the result (field "result");
			     return: the reason (field "note"); required */
};

/* Takes a step (township or county staff) in its own transaction; out (may
 * be NULL) gets {"id","state","version"}. */
enum svc_kind hotline_step(struct db *db, const struct principal *actor, int64_t id, const struct hotline_step *req,
			   struct strbuf *out, struct svc_error *e);

struct hotline_reassign_req {
	int64_t version;    /* < 1 = missing */
	const char *region; /* the new township (9 digits) or a village of it, in the county */
	const char *note;   /* may be NULL */
};

/* County staff only: moves a returned or received order not converted to
 * another township (SVC_RULE SAME_REGION for its own) with a new
 * response_due (hotline.response_hours from now). out (may be NULL) gets
 * {"id","state","version","region","response_due"}. Audited
 * hotline_order.reassign. */
enum svc_kind hotline_reassign(struct db *db, const struct policy *policy, const struct principal *actor, int64_t id,
			       const struct hotline_reassign_req *req, struct strbuf *out, struct svc_error *e);

struct children_application;

struct hotline_convert {
	const char *target; /* temporary, application */
	int64_t version;    /* < 1 = missing */
	/* target temporary: the case's fields (temporary_case.h); region NULL =
	 * the order's township */
	struct temporary_new *temporary;
	/* target application: the household and programme (dibao, tekun,
	 * children) and the commitment (casework.h); programme children: the
	 * child and the facts instead of the household (children_allowance.h) */
	int64_t household_id;
	const char *programme;
	int commitment; /* -1 absent, 0, 1 */
	const struct children_application *children;
};

/* Converts an accepted or replied order not yet converted (else SVC_RULE
 * STATE_NOT_ALLOWED / ALREADY_CONVERTED) into a temporary-assistance case
 * (temporary_create) or an application (casework_create), in one
 * transaction with the link (hotline_orders.application_id): the target
 * service's own checks apply (role, region, fields). out (may be NULL) gets
 * {"id","state","version","application_id","converted_to"}. */
enum svc_kind hotline_convert(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			      const struct hotline_convert *req, struct strbuf *out, struct svc_error *e);

/* Appends ,"hotline_order":{"id","order_no","category","state"} (or null)
 * of the order application id was converted from, no permission check: for
 * temporary_get and casework_get inside their read transactions. */
dd_status hotline_source_append(struct db *db, int64_t application_id, struct strbuf *out, dd_error *err);

/* The workbench's "hotline" member, no leading comma: {"open","overdue",
 * "overdue_items":[{"id","order_no","category","state","region",
 * "response_due","close_due"}…]} of the orders in [lo, hi) (a scope's
 * store_region_range), at most max items, inside the caller's read
 * transaction. now: store_now; today: YYYY-MM-DD. */
dd_status hotline_workbench(struct db *db, const char *lo, const char *hi, const char *now, const char *today,
			    int64_t max, struct strbuf *out, dd_error *err);

#endif
