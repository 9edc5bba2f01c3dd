/* monitor_register.h - the monitoring register (低收入人口库) beyond the
 * assistance registry: people at risk of falling back into poverty, in
 * hardship from rigid expenditure, other low-income people (issue 7,
 * docs/monitor.md). Loaded from a CSV file with the columns 身份证号码
 * (id_number), 姓名 (name), 区划代码 (region_code), 类别 (category: dibao,
 * tekun, marginal, rural_monitoring, hardship, other, or their Chinese
 * names) and optionally 纳入日期 (since; default today), UTF-8 or GB18030.
 * A known ID number is updated; chunks of 5,000 rows commit with their audit
 * rows, so a run cut short leaves whole rows and a re-run completes it. Rows
 * with a bad value go to FILE.rejects.csv naming the column. */
#ifndef DD_SERVICE_MONITOR_REGISTER_H
#define DD_SERVICE_MONITOR_REGISTER_H
#include "authz.h"
#include "core/encoding.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

/* actor NULL: the system; otherwise county level or above, and every row's
 * region inside the actor's scope (else rejected). out: {"rows", "stored",
 * "rejected", "rejects"}. */
enum svc_kind monitor_register_import(struct db *db, const struct principal *actor, const char *path,
				      enum text_encoding enc, struct strbuf *out, struct svc_error *e);
#endif
