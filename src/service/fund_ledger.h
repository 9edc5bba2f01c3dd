/* fund_ledger.h - the county fund ledger (issue 6): allocations entered by
 * finance (fund_allocations), and per programme and month what was
 * allocated, paid (payments paid), returned by the bank, still pending, and
 * the balance (allocated - paid); with the county's township reserve funds
 * (reserve_funds). As JSON and as the finance bureau's XLSX report.
 *
 * Who: allocations - finance inside its scope; reading - county, finance,
 * city, auditor, admin inside their scope. Money is int64 fen throughout. */
#ifndef DD_SERVICE_FUND_LEDGER_H
#define DD_SERVICE_FUND_LEDGER_H

#include "authz.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

struct fund_allocation_new {
	const char *region;    /* the county */
	const char *programme; /* dibao, tekun, temporary, subsidy */
	const char *period;    /* YYYY-MM */
	const char *amount;    /* "1234.56" yuan, > 0 */
	const char *document;  /* the allocation notice (文号), optional */
	const char *note;      /* optional */
};
/* Records an allocation (audited); writes {"id","region","programme","period","amount","document","note","created_at"}.
 */
enum svc_kind fund_allocation_add(struct db *db, const struct principal *actor, const struct fund_allocation_new *a,
				  struct strbuf *out, struct svc_error *e);

/* {"region","region_name","year","items":[{"programme","programme_name","period","allocated","paid",
 *  "returned","pending","balance"}],"totals":[{"programme",…}],"total":{…},
 *  "reserve_funds":[{"region","region_name","balance","advanced_total","drawn_total","returned_total"}]} */
enum svc_kind fund_ledger_get(struct db *db, const struct principal *actor, const char *region, const char *year,
			      struct strbuf *out, struct svc_error *e);
/* The same as an XLSX workbook (sheets 资金台账 and 乡镇备用金) into body;
 * file_name gets an ASCII name, display_name a Chinese one. */
enum svc_kind fund_ledger_xlsx(struct db *db, const struct principal *actor, const char *region, const char *year,
			       struct strbuf *body, char file_name[96], char display_name[256], struct svc_error *e);

#endif
