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

/* Writes {"campaign","kind","region","batch_id","created" (the campaign is
 * new),"added","payments","total","groups":[{"category","area","amount","added"}…]}. */
enum svc_kind subsidy_campaign_run(struct db *db, const struct principal *actor, const struct policy *policy,
				   const char *code, const char *county, const char *reference_date, const char *period,
				   struct strbuf *out, struct svc_error *e);

/* Price subsidies (RULES.md): the figures for a region (province, city or
 * county) and month, year-on-year rises as decimal ratios ("0.035"; either
 * may be NULL, not both; a fall is "-0.01"). Entered again: replaced.
 * county or city, for its own region or one above it. Audited
 * payroll.price_index. Writes {"region","month","cpi_rise","food_rise"}. */
enum svc_kind subsidy_price_index_set(struct db *db, const struct principal *actor, const char *region,
				      const char *month, const char *cpi_rise, const char *food_rise,
				      struct strbuf *out, struct svc_error *e);

/* A price subsidy (kind price_subsidy, code price-YYYY-MM) for month in the
 * county, paid in period (NULL: month): when the figures of the most specific
 * region covering the county trigger it (cpi_rise ≥ price.trigger_cpi or
 * food_rise ≥ price.trigger_food; the higher rise when both do), every dibao
 * and tekun recipient on the rolls on the month's first day is paid once
 * dibao.standard.<area> × rise rounded to the yuan, at least price.floor.
 * SVC_RULE NO_PRICE_INDEX / PRICE_NOT_TRIGGERED (with the figures) else.
 * The answer as subsidy_campaign_run's, with "month","index_region",
 * "trigger" (cpi or food) and "rise". Audited payroll.price_subsidy. */
enum svc_kind subsidy_price_run(struct db *db, const struct principal *actor, const struct policy *policy,
				const char *county, const char *month, const char *period, struct strbuf *out,
				struct svc_error *e);

#endif
