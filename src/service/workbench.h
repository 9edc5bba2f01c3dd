/* workbench.h - the staff workbench (待办) in one read: the open cases of
 * the caller's region counted by state, due today and overdue; the first
 * cases to act on; open and overdue alerts; open and overdue 12345 work orders (hotline.h)
 * with the first overdue ones; the reserve funds in scope; the
 * caseload and the payments of the last 12 months.
 *
 * Every figure is counted or summed by the store (GROUP BY over the region
 * range of an index), never by loading rows; the due list holds at most
 * WORKBENCH_DUE_MAX cases. Everything is restricted to the caller's scope
 * (the reserve funds as authz_reserve_view says). */
#ifndef DD_SERVICE_WORKBENCH_H
#define DD_SERVICE_WORKBENCH_H

#include "authz.h"
#include "core/civil_date.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define WORKBENCH_DUE_MAX 20
#define WORKBENCH_MONTHS 12

/* Appends the workbench document (docs/openapi.yaml, /api/v1/workbench) of
 * actor on today (the civil date in China) to out. */
enum svc_kind workbench_get(struct db *db, const struct principal *actor, dd_date today, struct strbuf *out,
			    struct svc_error *e);

#endif
