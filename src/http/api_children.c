/* api_children.c - the children of an area (issue 10): GET
 * /api/v1/children. Parses and renders only; every check is in
 * service/children.c. */
#include "api_internal.h"

#include "service/children.h"

/* GET /api/v1/children?region=&name=&page=&per_page= */
void api_children_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct children_filter f = {0};
	char region[13], name[101];
	const struct http_query *q = c->req->query;
	enum svc_kind k = query_page(q, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(q, "region", 12, region, &e);
	if (!k)
		k = query_text(q, "name", 100, name, &e);
	f.region = region;
	f.name = name;
	reply_status(c->rep, 200);
	if (!k)
		k = children_list(c->db, &c->session.user, &f, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}
