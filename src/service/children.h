/* children.h - the children of an area (issue 10, item 4): the register a
 * child director (儿童主任, a village) or child supervisor (儿童督导员, a
 * township) keeps, also read by village, township and county staff
 * (authz_children_view). A child is a person under 18 today, alive, with an
 * active membership in a household inside the caller's scope. */
#ifndef DD_SERVICE_CHILDREN_H
#define DD_SERVICE_CHILDREN_H

#include <stdint.h>

#include "authz.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "svc.h"

struct children_filter {
	const char *region; /* 6-12 digits narrowing the caller's scope; NULL/"" the whole scope */
	const char *name;   /* a part of the child's name; NULL/"" any */
	int64_t page, per_page;
};

/* GET /api/v1/children: {"items":[{"person_id","name","id_number" (masked),
 * "birth_date","age","sex","household_id","household_no","region",
 * "village" (its name),"head_name"}],"total","page","per_page"}, by village,
 * household number, birth date. */
enum svc_kind children_list(struct db *db, const struct principal *actor, const struct children_filter *f,
			    struct strbuf *out, struct svc_error *e);

#endif
