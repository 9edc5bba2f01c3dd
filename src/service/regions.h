/* regions.h - the region tree (regions table) as the caller may see it:
 * the regions inside its scope, and the ancestors of its own region (their
 * names are shown on its pages, e.g. 重庆市 › 武隆区). Anything else is
 * SVC_NOT_FOUND, as for records. */
#ifndef DD_SERVICE_REGIONS_H
#define DD_SERVICE_REGIONS_H

#include <stdbool.h>

#include "authz.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define REGIONS_CHILDREN_MAX 1000

/* GET /api/v1/regions?parent=CODE: {"items":[{"code","name","level",
 * "parent","area"}]}, the children of parent (NULL or "": the caller's own
 * region; "000000": the top of the tree) that the caller may see, by code.
 * SVC_BAD_INPUT (BAD_REGION, field "parent"); SVC_NOT_FOUND when parent is
 * unknown or out of sight. */
enum svc_kind regions_children(struct db *db, const struct principal *actor, const char *parent, struct strbuf *out,
			       struct svc_error *e);

/* GET /api/v1/regions/{code}: {"code","name","level","parent","area",
 * "path":[{"code","name"}…]}, path the ancestors from the top down (the
 * region itself not included). SVC_BAD_INPUT (BAD_REGION, field "code"),
 * SVC_NOT_FOUND when unknown or out of sight. */
enum svc_kind regions_get(struct db *db, const struct principal *actor, const char *code, struct strbuf *out,
			  struct svc_error *e);

#endif
