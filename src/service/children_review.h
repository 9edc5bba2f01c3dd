/* children_review.h - the monthly review of the children's allowance decisions
 * (docs/children.md, issue 10): before a month's payroll, every children
 * decision running into the month is checked against the policy and the
 * registry as they stand then.
 *  - The end: the exit rule (18th birthday, postponement periods, school) and
 *    the child's death give the legal end; a decision approved with no end
 *    gets it once it is known, one whose end moved (a postponement period
 *    extended, schooling) follows it. An end is never set before the month
 *    reviewed: months already paid are not undone; such a late end is
 *    reported (late) so that the office can recover an overpayment.
 *  - The amount: when the standard in force on the month's first day differs
 *    from the decision's, a new decision from that day replaces it (the old
 *    one superseded and ended there), with the same end.
 * One transaction, one audit row per change; a re-run changes nothing. */
#ifndef DD_SERVICE_CHILDREN_REVIEW_H
#define DD_SERVICE_CHILDREN_REVIEW_H

#include <stdint.h>

#include "authz.h"
#include "core/civil_date.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "svc.h"

/* Reviews the decisions of month (YYYY-MM) inside region (NULL or "" = the
 * actor's scope; actor NULL = the system, every region). County, city and
 * admin staff only. Appends to out the summary JSON: month, region,
 * examined, ended, extended, shortened, uprated, late and the changes. */
enum svc_kind children_review(struct db *db, const struct policy *pol, const struct principal *actor,
			      const char *region, const char *month, dd_date today, struct strbuf *out,
			      struct svc_error *e);

#endif
