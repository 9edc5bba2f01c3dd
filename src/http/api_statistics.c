/* api_statistics.c - the monthly statistics (issue 8): the table as JSON,
 * CSV or XLSX, and building its snapshot. Parsing and rendering only: the
 * figures and every permission and region check are in service/statistics. */
#include "api_internal.h"
#include "service/statistics.h"
#include "service/xlsx_out.h"

static enum svc_kind table_query(struct call *c, char region[16], char period[8], struct svc_error *e)
{
	enum svc_kind k = query_check(c->req->query, e);
	if (!k)
		k = query_text(c->req->query, "region", 12, region, e);
	if (!k)
		k = query_text(c->req->query, "period", 7, period, e);
	return k;
}

/* GET /api/v1/statistics/monthly?period=YYYY-MM&region= */
void api_stats_monthly_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[16], period[8];
	enum svc_kind k = table_query(c, region, period, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = stats_monthly_get(c->db, &c->session.user, region, period, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

static void file(struct call *c, enum stats_format format)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[16], period[8], name[96], display[256];
	enum svc_kind k = table_query(c, region, period, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = stats_monthly_export(c->db, &c->session.user, region, period, format, &c->rep->body, name, display,
					 &e);
	if (k)
		reply_svc_error(c->rep, &e);
	else
		api_attachment(c->rep, format == STATS_XLSX ? XLSX_CONTENT_TYPE : "text/csv; charset=utf-8", name,
			       display);
}

/* GET /api/v1/statistics/monthly.csv?period=&region= */
void api_stats_monthly_csv(struct call *c)
{
	file(c, STATS_CSV);
}

/* GET /api/v1/statistics/monthly.xlsx?period=&region= */
void api_stats_monthly_xlsx(struct call *c)
{
	file(c, STATS_XLSX);
}

/* POST /api/v1/statistics/monthly {"period","region"}: builds the snapshot. */
void api_stats_build(struct call *c)
{
	const struct json_value *o;
	const char *period = NULL, *region = NULL;
	if (!api_body_object(c, &o) || !api_member_string(c, o, "period", &period, NULL) ||
	    !api_member_string(c, o, "region", &region, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	struct stats_env env = {.policy = c->policy, .cal = c->cfg->calendar};
	reply_status(c->rep, 201);
	if (stats_build(c->db, &env, &c->session.user, region, period, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}
