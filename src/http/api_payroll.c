/* api_payroll.c - the payroll endpoints (issue 6): generate a month's
 * batches, list and read them with their payments, and take the workflow
 * actions. Parses and renders only; every check is in service/payroll.c. */
#include "api_internal.h"

#include <stdio.h>
#include <string.h>

#include "service/payroll.h"

struct generated_list {
	struct strbuf *b;
	int n;
};

static void add_generated(const struct payroll_generated *g, void *ctx)
{
	struct generated_list *l = ctx;
	char total[MONEY_TEXT_MAX], month_total[MONEY_TEXT_MAX];
	money_format(g->total, total);
	money_format(g->month_total, month_total);
	char id[24] = "null";
	if (g->batch_id)
		snprintf(id, sizeof id, "%lld", (long long)g->batch_id);
	strbuf_addf(l->b,
		    "%s{\"region\":\"%s\",\"programme\":\"%s\",\"period\":\"%s\",\"result\":\"%s\",\"batch_id\":%s,"
		    "\"payments\":%lld,\"total\":\"%s\",\"month_total\":\"%s\"}",
		    l->n++ ? "," : "", g->county, g->programme, g->period, g->kind, id, (long long)g->payments, total,
		    month_total);
}

/* POST /api/v1/payroll/batches {"region","programme","period"} */
void api_payroll_generate(struct call *c)
{
	const struct json_value *o;
	const char *region = NULL, *programme = NULL, *period = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "region", &region, NULL) ||
	    !api_member_string(c, o, "programme", &programme, NULL) ||
	    !api_member_string(c, o, "period", &period, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	struct generated_list l = {&c->rep->body, 0};
	strbuf_adds(l.b, "{\"items\":[");
	if (payroll_generate(c->db, &c->session.user, region, programme && programme[0] ? programme : NULL, period,
			     add_generated, &l, &e)) {
		reply_svc_error(c->rep, &e);
		return;
	}
	strbuf_adds(l.b, "]}");
}

/* GET /api/v1/payroll/batches?region=&programme=&period=&state=&kind=&page=&per_page= */
void api_payroll_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[16], programme[16], period[16], state[16], kind[16];
	struct payroll_filter f = {region, programme, period, state, kind, 1, SVC_PER_PAGE_DEFAULT};
	enum svc_kind k = query_page(c->req->query, &f.page, &f.per_page, &e);
	if (!k)
		k = query_text(c->req->query, "region", 12, region, &e);
	if (!k)
		k = query_text(c->req->query, "programme", 12, programme, &e);
	if (!k)
		k = query_text(c->req->query, "period", 7, period, &e);
	if (!k)
		k = query_text(c->req->query, "state", 12, state, &e);
	if (!k)
		k = query_text(c->req->query, "kind", 14, kind, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = payroll_batches_list(c->db, &c->session.user, &f, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/batches/{id} */
void api_payroll_get(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (payroll_batch_get(c->db, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/batches/{id}/payments?state=&page=&per_page= */
void api_payroll_payments(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	int64_t page, per_page;
	char state[16];
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	if (!k)
		k = query_text(c->req->query, "state", 12, state, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = payroll_payments_list(c->db, &c->session.user, id, state, page, per_page, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/batches/{id}/actions {"action","version","note"} */
void api_payroll_act(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	const struct json_value *o;
	const char *action = NULL, *note = NULL;
	int64_t version = 0;
	bool has_version = false;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "action", &action, NULL) ||
	    !api_member_string(c, o, "note", &note, NULL) || !api_member_int(c, o, "version", &version, &has_version))
		return;
	if (!has_version) {
		reply_error(c->rep, 400, "MISSING_FIELD", "缺少字段 version（批次的当前版本号）", "version");
		return;
	}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (payroll_batch_act(c->db, &c->session.user, c->policy, id, action, version, note, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
