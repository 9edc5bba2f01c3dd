/* audit_trail.h - reading the audit log (store/audit.h) for people: GET
 * /api/v1/audit. Auditors and admins only (authz_audit_read). A caller sees
 * the rows whose region is inside its scope; rows without a region (schema
 * migrations, import summaries) only a caller with the national scope. */
#ifndef DD_SERVICE_AUDIT_TRAIL_H
#define DD_SERVICE_AUDIT_TRAIL_H

#include <stdint.h>

#include "authz.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define AUDIT_TRAIL_PER_PAGE_MAX 500

struct audit_trail_query {
	const char *entity;    /* "" = any ("household", "user", …) */
	const char *entity_id; /* "" = any; needs entity */
	const char *actor;     /* "" = any: the user name exactly */
	const char *action;    /* "" = any: the action exactly ("user.update") */
	const char *from;      /* "" = any, else YYYY-MM-DD: rows at or after that day (UTC) */
	const char *to;	       /* "" = any, else YYYY-MM-DD: rows on or before that day (UTC) */
	int64_t page;	       /* from 1 */
	int64_t per_page;      /* 1..AUDIT_TRAIL_PER_PAGE_MAX */
};

/* {"items":[{seq, at, actor, action, entity, entity_id, region, detail
 * (the stored JSON), hash}], "total", "page", "per_page"}, newest first.
 * SVC_FORBIDDEN for other roles, SVC_BAD_INPUT (id without entity, a bad
 * from or to date, from after to). NULL filters count as "". */
enum svc_kind audit_trail_list(struct db *db, const struct principal *actor, const struct audit_trail_query *q,
			       struct strbuf *out, struct svc_error *e);

#endif
