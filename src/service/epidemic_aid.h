/* epidemic_aid.h - epidemic patient aid and staged temporary assistance as
 * bank payments (issue 6 §3; docs/payroll.md "Epidemic patient aid and
 * staged temporary assistance"; schema/012_epidemic.sql).
 *
 * Epidemic patient aid (RULES.md, core/epidemic.h): a confirmed patient
 * (epidemic_patients) who on the day of diagnosis is a dibao or tekun
 * recipient per the decisions in force is paid temp.covid_multiple × S
 * (dibao.standard.<area of the household>, both in force on the diagnosis
 * date and kept with the record) per month-period from the day of diagnosis;
 * a period begun on or before the discharge (or death) counts whole.
 *
 * Staged temporary assistance: stage n of an approved temporary case falls
 * due in the month of approval + (n − 1) (one stage a month, the first in
 * the month of approval); a due stage not paid in cash from the reserve fund
 * (pay_stage) is paid by the bank to the head of the case's household.
 *
 * Generation for a month M (payroll_aid_run): per county, one transaction;
 * what has fallen due by the end of M and has no live payment yet (dedup_key
 * epidemic:<patient>:<period> or temporary:stage:<stage>, unique among live
 * payments: payments_aid_once) goes into the county's draft batch of the
 * kind for M (created when none, seq after the batches that left draft).
 * Running again adds nothing. Batches: programme temporary, kind epidemic or
 * temporary; the regular workflow, checks and bank files apply unchanged.
 *
 * Who: patients are entered and discharged by county users (own county);
 * generation by county (own county), admin, or the scheduler (actor NULL).
 * Audited: epidemic_patient.create, epidemic_patient.discharge,
 * payroll.epidemic, payroll.temporary. */
#ifndef DD_SERVICE_EPIDEMIC_AID_H
#define DD_SERVICE_EPIDEMIC_AID_H

#include <stdint.h>

#include "authz.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

/* Records a confirmed patient. discharged_on may be NULL (in hospital).
 * Refused: bad or future dates (field named), discharge before diagnosis,
 * an unknown person or one outside the scope (SVC_NOT_FOUND, person_id),
 * a person who is not a dibao or tekun recipient on the diagnosis date
 * (SVC_RULE NOT_RECIPIENT), a stay overlapping one already recorded
 * (SVC_CONFLICT OVERLAPPING_STAY). Writes the patient JSON (see get). */
enum svc_kind epidemic_patient_add(struct db *db, const struct principal *actor, const struct policy *policy,
				   int64_t person_id, const char *diagnosed_on, const char *discharged_on,
				   const char *note, struct strbuf *out, struct svc_error *e);

/* Enters the discharge date of a patient still in hospital; refused when
 * periods after it have already been paid (PERIODS_PAID). */
enum svc_kind epidemic_patient_discharge(struct db *db, const struct principal *actor, int64_t id,
					 const char *discharged_on, struct strbuf *out, struct svc_error *e);

/* {"id","person_id","name","household_id","region","area","basis","diagnosed_on","discharged_on",
 * "standard","multiple","period_amount","periods_paid","amount_paid","version"}; read by county,
 * finance, city, auditor, admin inside their scope. */
enum svc_kind epidemic_patient_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
				   struct svc_error *e);

/* Generates the month's payments of kind "epidemic" or "temporary" for
 * region (a county, or each county under a city/province). Writes
 * {"kind","region","period","added","total_added","counties":[{"region","batch_id","created",
 * "added","added_total","payments","total"}…]} (a county appears when it has a batch of the
 * kind for the month), for temporary also "no_payee": due stages without a household head. */
enum svc_kind payroll_aid_run(struct db *db, const struct principal *actor, const char *kind, const char *region,
			      const char *period, struct strbuf *out, struct svc_error *e);

#endif
