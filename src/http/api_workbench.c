/* api_workbench.c - GET /api/v1/workbench: the staff workbench of
 * service/workbench in one call. */
#include "api_internal.h"
#include "service/casework.h"
#include "service/visits.h"
#include "service/workbench.h"

void api_workbench_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = workbench_get(c->db, &c->session.user, casework_today(), &c->rep->body, &e);
	struct strbuf *b = &c->rep->body;
	if (!k && b->len && b->buf[b->len - 1] == '}') {
		/* the visits due and the care agreements to act on (issue 8), as
		 * more members of the same document; left out when the policy
		 * lacks their parameters */
		size_t mark = --b->len;
		struct svc_error ve;
		svc_error_clear(&ve);
		if (visits_workbench(c->db, &c->session.user, c->policy, casework_today(), b, &ve)) {
			b->len = mark;
			b->buf[mark] = 0;
		}
		strbuf_addc(b, '}');
	}
	if (k)
		reply_svc_error(c->rep, &e);
}
