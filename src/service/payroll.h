/* payroll.h - monthly payroll (issue 6): batches per county, programme and
 * month generated from the decisions in force (decision_lines, schema/010),
 * their workflow (core/payroll.h), and reading them.
 *
 * Generation is idempotent. The first run for a county, programme and month
 * writes the regular batch: one payment per line of every decision in force
 * that month, its key (payments.dedup_key) programme:component:household:
 * person:month. Later runs compare what the decisions in force give now with
 * what the county's batches of that month already hold per key (cancelled
 * batches and re-issues aside): equal everywhere → nothing is written; else
 * one adjustment batch with the signed differences (a raise pays the
 * difference, an ended or lowered decision recovers it). The counties of the
 * region with no batch yet for the month get theirs in one pass over the
 * decision lines, one statement in one transaction; each county that has one
 * is compared in its own transaction. A crash leaves whole batches or none,
 * and a re-run completes the work. The SQL runs in the store (INSERT …
 * SELECT), so doudi's memory does not grow with the roll.
 *
 * Who: generate, check, cancel, reopen - county (own county) and the
 * scheduler (CLI without --as); approve, export - finance; read - county,
 * finance, city, auditor, admin inside their scope (SVC_NOT_FOUND outside). */
#ifndef DD_SERVICE_PAYROLL_H
#define DD_SERVICE_PAYROLL_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/money.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

struct payroll_generated {
	char county[REGION_TEXT_MAX];
	char programme[16];
	char period[8];
	int64_t batch_id;  /* 0: nothing written */
	const char *kind;  /* "regular", "adjustment", or "unchanged" */
	int64_t payments;  /* lines in the batch */
	fen_t total;	   /* their signed sum */
	fen_t month_total; /* what the decisions in force give for the month */
};

typedef void (*payroll_generated_fn)(const struct payroll_generated *g, void *ctx);

/* Generates the payroll of period ("YYYY-MM") for region (a county, or a
 * city/province: each county under it) and programme ("dibao", "tekun" or
 * NULL for both). actor NULL: the scheduler. Calls fn after each committed
 * county and programme. */
enum svc_kind payroll_generate(struct db *db, const struct principal *actor, const char *region, const char *programme,
			       const char *period, payroll_generated_fn fn, void *ctx, struct svc_error *e);

/* One batch as JSON: {"id","region","region_name","programme","programme_name","period","kind","seq",
 * "campaign","state","state_name","total","payments_count","findings_open","version",…}. */
enum svc_kind payroll_batch_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
				struct svc_error *e);

struct payroll_filter {
	const char *region, *programme, *period, *state, *kind;
	int64_t page, per_page;
};
/* {"items":[batch…],"total","page","per_page"} newest first. */
enum svc_kind payroll_batches_list(struct db *db, const struct principal *actor, const struct payroll_filter *f,
				   struct strbuf *out, struct svc_error *e);

/* A page of a batch's payments: {"items":[{"id","person_id","name","id_number" (masked),
 * "household_id","region","component","component_name","category","amount","state",
 * "bank_name","bank_account" (masked),"dedup_key"}],"total","page","per_page"}. */
enum svc_kind payroll_payments_list(struct db *db, const struct principal *actor, int64_t batch_id, const char *state,
				    int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e);

/* Takes a workflow action (core/payroll.h) on the batch at version;
 * SVC_CONFLICT when the version moved. Writes the batch JSON to out. check
 * runs the checks before approval first (payroll_checks.h, under policy) in
 * the same transaction; what they find is kept (committed) and the check is
 * refused while any finding is open. */
struct policy;
enum svc_kind payroll_batch_act(struct db *db, const struct principal *actor, const struct policy *policy, int64_t id,
				const char *action, int64_t version, const char *note, struct strbuf *out,
				struct svc_error *e);

/* May actor read payroll data of region (significant form)? SVC_FORBIDDEN
 * for a role that may not, SVC_NOT_FOUND outside the scope. */
enum svc_kind payroll_authz_read(const struct principal *actor, const char *region_sig, struct svc_error *e);

#endif
