/* api_campaigns.c - holiday relief campaigns (issue 8): GET/POST
 * /api/v1/campaigns, GET /api/v1/campaigns/{id}, POST …/{id}/plan, GET/POST
 * …/{id}/recipients, GET …/{id}/table and …/{id}/table.xlsx. Parsing and
 * rendering only: every check is in service/campaign. */
#include "api_internal.h"

#include "service/campaign.h"
#include "service/casework.h"
#include "service/xlsx_out.h"

#define NOT_FOUND "走访慰问活动不存在"
#define LIST_MAX 4

/* A member that is an array of at most max strings into out; false after
 * replying 400 naming it. */
static bool string_array(struct call *c, const struct json_value *o, const char *key, const char **out, size_t max,
			 size_t *n)
{
	const struct json_value *v;
	*n = 0;
	if (!api_member(c, o, key, &v))
		return false;
	if (!v || v->type == JSON_NULL)
		return true;
	if (v->type != JSON_ARRAY || v->len > max) {
		reply_error(c->rep, 400, "BAD_TYPE", "字段应为字符串数组（不超过 4 项）", key);
		return false;
	}
	for (const struct json_value *x = v->child; x; x = x->next) {
		if (x->type != JSON_STRING) {
			reply_error(c->rep, 400, "BAD_TYPE", "数组的每一项应为字符串", key);
			return false;
		}
		out[(*n)++] = x->str;
	}
	return true;
}

/* POST /api/v1/campaigns {"region","name","starts_on","ends_on","report_dates":[…],"categories":[…]} */
void api_campaigns_create(struct call *c)
{
	const struct json_value *o;
	const char *dates[LIST_MAX], *cats[LIST_MAX];
	struct campaign_new n = {.report_dates = dates, .categories = cats};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "region", &n.region, NULL) ||
	    !api_member_string(c, o, "name", &n.name, NULL) ||
	    !api_member_string(c, o, "starts_on", &n.starts_on, NULL) ||
	    !api_member_string(c, o, "ends_on", &n.ends_on, NULL) ||
	    !string_array(c, o, "report_dates", dates, LIST_MAX, &n.n_report_dates) ||
	    !string_array(c, o, "categories", cats, LIST_MAX, &n.n_categories))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (campaign_create(c->db, &c->session.user, &n, casework_today(), &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/campaigns */
void api_campaigns_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	enum svc_kind k = query_check(c->req->query, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = campaign_list(c->db, &c->session.user, casework_today(), &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/campaigns/{id} */
void api_campaign_get(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (campaign_get(c->db, &c->session.user, id, casework_today(), &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/campaigns/{id}/plan */
void api_campaign_plan(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (campaign_plan(c->db, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/campaigns/{id}/recipients?region=&state=&page=&per_page= */
void api_campaign_recipients(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char region[13], state[17];
	struct campaign_recipient_query q = {.region = region, .state = state};
	enum svc_kind k = query_page(c->req->query, &q.page, &q.per_page, &e);
	if (!k)
		k = query_text(c->req->query, "region", 12, region, &e);
	if (!k)
		k = query_text(c->req->query, "state", 16, state, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = campaign_recipients(c->db, &c->session.user, id, &q, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/campaigns/{id}/recipients {"recipient_id"|"person_id","category","visited_on","money","goods",
 * "goods_value","version"} */
void api_campaign_visit(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, NOT_FOUND))
		return;
	const struct json_value *o;
	struct campaign_visit v = {0};
	bool has;
	if (!api_body_object(c, &o) || !api_member_int(c, o, "recipient_id", &v.recipient_id, &has) ||
	    !api_member_int(c, o, "person_id", &v.person_id, &has) ||
	    !api_member_int(c, o, "version", &v.version, &has) ||
	    !api_member_string(c, o, "category", &v.category, NULL) ||
	    !api_member_string(c, o, "visited_on", &v.visited_on, NULL) ||
	    !api_member_string(c, o, "money", &v.money, NULL) || !api_member_string(c, o, "goods", &v.goods, NULL) ||
	    !api_member_string(c, o, "goods_value", &v.goods_value, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (campaign_visit(c->db, &c->session.user, id, &v, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/campaigns/{id}/table */
void api_campaign_table(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (campaign_table(c->db, &c->session.user, id, casework_today(), &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/campaigns/{id}/table.xlsx */
void api_campaign_table_xlsx(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, NOT_FOUND))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char name[96], display[256];
	reply_status(c->rep, 200);
	if (campaign_table_xlsx(c->db, &c->session.user, id, casework_today(), &c->rep->body, name, display, &e))
		reply_svc_error(c->rep, &e);
	else
		api_attachment(c->rep, XLSX_CONTENT_TYPE, name, display);
}
