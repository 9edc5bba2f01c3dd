/* payroll_checks.h - the checks before approval (issue 6 §2): every check runs
 * on a batch's payments (amount > 0, not cancelled) and writes one
 * payroll_findings row per payment and check (finding_key check:payment id).
 * Re-running adds only what is new: a finding once cleared or overridden
 * stays so. payroll_batches.findings_open follows.
 *
 *   exclusive_decisions  a tekun payee who, in the month, is a member of a
 *                        household with a dibao household / gradual-exit line
 *                        in force; a single-person enrolment paid in a
 *                        household that has such a line itself
 *   paid_twice           the payee has another live base payment of the same
 *                        programme, month and kind of benefit (dibao:
 *                        household, gradual exit and single person are one
 *                        kind) in any batch of any county
 *   deceased             persons.death_date before the end of the month
 *   exited               no membership of the payee in the payment's household
 *                        that overlaps the month
 *   shared_account       the bank account is on the month's payments to other
 *                        households and other payees
 *   over_limit           above what the programme allows under the policy in
 *                        force for the payment's region on the month's first
 *                        day: household line > dibao.standard.<area> × members
 *                        in the month, single person > dibao.standard.<area>,
 *                        tekun basic > tekun.basic.<area>, tekun care >
 *                        tekun.care.none, a subsidy > subsidy.<campaign>.<category>
 *                        (an adjustment line: the line in force it tops up)
 *   staff_relative       the payee's ID number is in the active close-relatives
 *                        register
 *
 * Who: run and resolve - county (own county), only while the batch is draft;
 * read - as batches (payroll_authz_read). */
#ifndef DD_SERVICE_PAYROLL_CHECKS_H
#define DD_SERVICE_PAYROLL_CHECKS_H

#include <stdint.h>

#include "authz.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "core/status.h"
#include "svc.h"

struct db;

/* Runs every check on the batch inside the caller's open transaction and
 * sets payroll_batches.findings_open (not its version). *added: findings
 * new in this run; *open: open findings after it. */
dd_status payroll_checks_apply(struct db *db, const struct policy *policy, int64_t batch_id, int64_t *added,
			       int64_t *open, dd_error *err) DD_MUST_CHECK;

/* POST /api/v1/payroll/batches/{id}/checks: runs the checks now (audited
 * payroll.checks) and writes the summary {"batch_id","added","open",
 * "checks":[{"check","check_name","open","cleared","overridden"}…]}. */
enum svc_kind payroll_checks_run(struct db *db, const struct principal *actor, const struct policy *policy,
				 int64_t batch_id, struct strbuf *out, struct svc_error *e);

/* GET /api/v1/payroll/batches/{id}/findings: {"items":[{"id","batch_id","check","check_name","state",
 * "state_name","payment_id","person_id","name","id_number" (masked),"household_id","household_no",
 * "component","amount","payment_state","detail":{…},"reason","resolved_by","resolved_at","created_at"}],
 * "total","page","per_page"}. state, check: "" or NULL for any. */
enum svc_kind payroll_findings_list(struct db *db, const struct principal *actor, int64_t batch_id, const char *state,
				    const char *check, int64_t page, int64_t per_page, struct strbuf *out,
				    struct svc_error *e);

/* POST /api/v1/payroll/findings/{id} {"action":"clear"|"override","reason"}:
 * clear withholds the payment (state withheld) and updates the batch's total
 * and count; override leaves it to be paid. Audited payroll.finding.<action>.
 * Writes the finding as in the list. */
enum svc_kind payroll_finding_resolve(struct db *db, const struct principal *actor, int64_t finding_id,
				      const char *action, const char *reason, struct strbuf *out, struct svc_error *e);

/* The Chinese name of a check code ("" for an unknown one). */
const char *payroll_check_zh(const char *check);

#endif
