/* statistics.h - the monthly statistics (issue 8): per month, township and
 * programme, the households and persons in force, the payments of the
 * month's batches (lines, amount, paid, on time), temporary assistance
 * approved, applications decided (days to decision, in time), and the
 * registered population for coverage. Built as a snapshot into
 * stats_monthly (schema 020) by stats_build; read as JSON, CSV or XLSX.
 *
 * Definitions (docs/statistics.md):
 *  - in force: a decision in force on the month's last day (effective_from on
 *    or before it, effective_to after it; gradual exit until the month or
 *    later). dibao counts dibao, gradual-exit and single-person decisions;
 *    tekun and marginal their own. Households = decisions; persons = the
 *    household's members on that day (dibao, marginal), or the decision's
 *    single_person / tekun_basic lines.
 *  - payments: lines of the month's batches (batch period = the month), not
 *    cancelled; on time = in an exported batch whose export happened before
 *    the month ended (China time) and not withheld.
 *  - temporary assistance: cases approved in the month (China time).
 *  - decided: applications decided in the month; days = calendar days from
 *    submission to decision; in time = within procedure.total_workdays
 *    working days.
 *  - coverage = persons covered (dibao + tekun + marginal) / registered.
 * Money is int64 fen; the store does the grouping (GROUP BY over region
 * ranges), nothing loads the rows. */
#ifndef DD_SERVICE_STATISTICS_H
#define DD_SERVICE_STATISTICS_H

#include "authz.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;
struct policy;
struct calendar;

struct stats_env {
	const struct policy *policy; /* procedure.total_workdays */
	const struct calendar *cal;  /* working days */
};

/* Builds the month's snapshot for region (a region code whose scope the
 * actor covers; NULL or "" = the actor's scope; the system (actor NULL)
 * may build everything). Replaces the scope's earlier rows of the month in
 * one transaction with an audit row. out gets {"period","region","rows",
 * "millis","built_at"}. Who: authz_monitor_run's set (county, city, admin). */
enum svc_kind stats_build(struct db *db, const struct stats_env *env, const struct principal *actor, const char *region,
			  const char *period, struct strbuf *out, struct svc_error *e);

/* The month's table for region (default the actor's scope) as JSON:
 * {"period","region","region_name","built_at","programmes":[…],
 *  "rows":[{"region","region_name","programmes":{"dibao":{measures…},…},
 *           "registered_persons","covered_persons","coverage"}],
 *  "total":{…the same without region…}}. SVC_NOT_FOUND (STATS_NOT_BUILT)
 * when no build covers it. */
enum svc_kind stats_monthly_get(struct db *db, const struct principal *actor, const char *region, const char *period,
				struct strbuf *out, struct svc_error *e);

enum stats_format { STATS_CSV, STATS_XLSX };
/* The same table as a file (CSV with a UTF-8 BOM, or XLSX) into body;
 * file_name an ASCII name, display_name a Chinese one. */
enum svc_kind stats_monthly_export(struct db *db, const struct principal *actor, const char *region, const char *period,
				   enum stats_format format, struct strbuf *body, char file_name[96],
				   char display_name[256], struct svc_error *e);

#endif
