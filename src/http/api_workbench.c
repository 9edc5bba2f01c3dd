/* api_workbench.c - GET /api/v1/workbench: the staff workbench of
 * service/workbench in one call. */
#include "api_internal.h"
#include "service/casework.h"
#include "service/workbench.h"

void api_workbench_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = workbench_get(c->db, &c->session.user, casework_today(), &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}
