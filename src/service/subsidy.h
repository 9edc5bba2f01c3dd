/* subsidy.h - one-time subsidy campaigns (issue 6 §3, RULES.md "Subsidies"):
 * a batch kind one_time, programme subsidy, per county and campaign code
 * (subsidy_campaigns UNIQUE (code, region_code)), paying every person on the
 * rolls at the reference date once, under the first matching category:
 *   tekun         a tekun line of a decision in force at the date;
 *   dibao_urban,  an active member at the date of a household with a dibao
 *   dibao_rural   household / gradual-exit line in force (by the household's
 *                 area), or a single-person enrolee; not a tekun person.
 * Persons dead by the reference date are not on the rolls. Amounts are the
 * parameters subsidy.<code>.<category> in force for the county at the date.
 * payments.component is the campaign code, category the category; a person
 * already paid in the campaign (any batch) is not paid again, so a second
 * run gives the same batch and adds nothing (nothing at all once the batch
 * has left draft).
 *
 * Who: county (own county). Audited payroll.campaign. */
#ifndef DD_SERVICE_SUBSIDY_H
#define DD_SERVICE_SUBSIDY_H

#include "authz.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

/* Writes {"campaign","region","batch_id","created" (the campaign is new),
 * "added","payments","total","categories":[{"category","amount","payments"}…]}. */
enum svc_kind subsidy_campaign_run(struct db *db, const struct principal *actor, const struct policy *policy,
				   const char *code, const char *county, const char *reference_date, const char *period,
				   struct strbuf *out, struct svc_error *e);

#endif
