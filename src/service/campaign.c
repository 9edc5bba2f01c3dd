/* campaign.c - holiday relief campaigns (campaign.h). */
#include "campaign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "xlsx_out.h"

static const struct {
	const char *code, *zh;
} categories[] = {
    {"dibao", "低保对象"},
    {"tekun", "特困人员"},
    {"marginal", "低保边缘对象"},
    {"other", "其他困难群众"},
};
#define NCAT (sizeof categories / sizeof categories[0])

static int category_index(const char *c)
{
	for (size_t i = 0; c && i < NCAT; i++)
		if (strcmp(c, categories[i].code) == 0)
			return (int)i;
	return -1;
}

static bool valid_date(const char *s, dd_date *out)
{
	dd_error err;
	return s && strlen(s) == 10 && !date_parse(s, 10, out, &err);
}

/* The next date of a JSON array of dates on or after today ("" for none). */
static void next_date(const char *json, dd_date today, char out[DATE_TEXT_MAX])
{
	out[0] = '\0';
	char t[DATE_TEXT_MAX];
	date_format(today, t);
	for (const char *p = json ? strchr(json, '"') : NULL; p; p = strchr(p + 12, '"')) {
		if (strlen(p) < 12 || p[11] != '"')
			break;
		if (strncmp(p + 1, t, 10) >= 0 && (!out[0] || strncmp(p + 1, out, 10) < 0))
			snprintf(out, DATE_TEXT_MAX, "%.10s", p + 1);
	}
}

#define CAMPAIGN_COLS                                                                                                  \
	"c.id, c.region_code, r.name, c.name, c.starts_on, c.ends_on, c.report_dates, c.categories, c.state, "         \
	"c.version, (SELECT count(*) FROM campaign_recipients x WHERE x.campaign_id = c.id AND x.state <> "            \
	"'cancelled') FROM relief_campaigns c LEFT JOIN regions r ON r.code = c.region_code "

static void campaign_json(struct strbuf *out, struct db_stmt *st, dd_date today)
{
	char next[DATE_TEXT_MAX];
	strbuf_addf(out, "{\"id\":%lld", (long long)db_column_int64(st, 0));
	strbuf_add_json_member_text(out, "region", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(out, "region_name", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(out, "name", db_column_text(st, 3, NULL));
	strbuf_add_json_member_text(out, "starts_on", db_column_text(st, 4, NULL));
	strbuf_add_json_member_text(out, "ends_on", db_column_text(st, 5, NULL));
	/* both arrays were written by campaign_create from validated values */
	strbuf_addf(out, ",\"report_dates\":%s", db_column_text(st, 6, NULL));
	next_date(db_column_text(st, 6, NULL), today, next);
	strbuf_add_json_member_text(out, "next_report_date", next[0] ? next : NULL);
	strbuf_addf(out, ",\"categories\":%s", db_column_text(st, 7, NULL));
	strbuf_add_json_member_text(out, "state", db_column_text(st, 8, NULL));
	strbuf_addf(out, ",\"version\":%lld,\"recipients\":%lld}", (long long)db_column_int64(st, 9),
		    (long long)db_column_int64(st, 10));
}

enum svc_kind campaign_create(struct db *db, const struct principal *actor, const struct campaign_new *c, dd_date today,
			      struct strbuf *out, struct svc_error *e)
{
	if (actor && actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "走访慰问活动由区县民政部门制定");
	char sig[REGION_TEXT_MAX];
	dd_error err;
	dd_error_clear(&err);
	if (!c->region || region_parse(c->region, strlen(c->region), 2, sig, &err) || region_level(sig) != 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为区县的行政区划代码");
	if (actor && !authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	if (!c->name || !c->name[0] || !svc_text_clean(c->name, 200))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NAME", "name", "活动名称不能为空，不超过 200 字节");
	dd_date from, to, d;
	if (!valid_date(c->starts_on, &from))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "starts_on", "开始日期须为 YYYY-MM-DD 格式的有效日期");
	if (!valid_date(c->ends_on, &to) || to < from)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "ends_on", "结束日期须为有效日期，且不早于开始日期");
	if (c->n_report_dates < 1 || c->n_report_dates > 4)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REPORT_DATES", "report_dates", "报送日期须为 1 至 4 个日期");
	if (c->n_categories < 1 || c->n_categories > 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CATEGORIES", "categories",
				"慰问对象类别须为 dibao、tekun、marginal 中的 1 至 3 个");
	struct strbuf dates, cats;
	strbuf_init(&dates, 64);
	strbuf_init(&cats, 64);
	strbuf_addc(&dates, '[');
	for (size_t i = 0; i < c->n_report_dates; i++) {
		if (!valid_date(c->report_dates[i], &d) || d < from) {
			strbuf_release(&dates);
			strbuf_release(&cats);
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REPORT_DATES", "report_dates",
					"报送日期须为 YYYY-MM-DD 格式的有效日期，且不早于开始日期");
		}
		strbuf_addf(&dates, "%s\"%s\"", i ? "," : "", c->report_dates[i]);
	}
	strbuf_addc(&dates, ']');
	strbuf_addc(&cats, '[');
	for (size_t i = 0; i < c->n_categories; i++) {
		int k = category_index(c->categories[i]);
		if (k < 0 || k == 3 || (strstr(cats.buf, categories[k].code) != NULL)) {
			strbuf_release(&dates);
			strbuf_release(&cats);
			return svc_fail(e, SVC_BAD_INPUT, "BAD_CATEGORIES", "categories",
					"慰问对象类别须为 dibao、tekun、marginal，且不重复");
		}
		strbuf_addf(&cats, "%s\"%s\"", i ? "," : "", categories[k].code);
	}
	strbuf_addc(&cats, ']');
	char now[STORE_TIME_MAX], id_text[24];
	store_now(now);
	struct db_stmt *st;
	bool row = false;
	int64_t id = 0;
	dd_status rc = dates.failed || cats.failed ? dd_fail(&err, DD_ENOMEM, NULL, "内存不足") : db_begin(db, &err);
	if (rc)
		goto fail;
	if ((rc = db_prepare(db,
			     "INSERT INTO relief_campaigns (region_code, name, starts_on, ends_on, report_dates, "
			     "categories, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
			     "$8) RETURNING id",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, sig);
	db_bind_str(st, 2, c->name);
	db_bind_str(st, 3, c->starts_on);
	db_bind_str(st, 4, c->ends_on);
	db_bind_str(st, 5, dates.buf);
	db_bind_str(st, 6, cats.buf);
	if (actor)
		db_bind_int64(st, 7, actor->id);
	else
		db_bind_null(st, 7);
	db_bind_str(st, 8, now);
	if (!(rc = db_step(st, &row, &err)) && row)
		id = db_column_int64(st, 0);
	db_finalize(st);
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	if (rc ||
	    (rc = audit_append_region(db, sig, actor ? actor->username : "operator", "campaign.create",
				      "relief_campaign", id_text, cats.buf, &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	strbuf_release(&dates);
	strbuf_release(&cats);
	return campaign_get(db, actor, id, today, out, e);
fail:
	strbuf_release(&dates);
	strbuf_release(&cats);
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* Loads the campaign's region and dates; SVC_NOT_FOUND outside the actor's scope. */
static enum svc_kind load(struct db *db, const struct principal *actor, int64_t id, char region[REGION_TEXT_MAX],
			  char starts[DATE_TEXT_MAX], char ends[DATE_TEXT_MAX], char cats[64], struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(
	    db, "SELECT region_code, starts_on, ends_on, categories FROM relief_campaigns WHERE id = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	region[0] = '\0';
	if (!(rc = db_step(st, &row, &err)) && row) {
		db_column_copy(st, 0, region, REGION_TEXT_MAX);
		db_column_copy(st, 1, starts, DATE_TEXT_MAX);
		db_column_copy(st, 2, ends, DATE_TEXT_MAX);
		db_column_copy(st, 3, cats, 64);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	/* a township or village sees its county's campaigns: its scope lies inside the county */
	if (!region[0] || (actor && !authz_in_scope(actor, region) && strncmp(actor->scope, region, strlen(region))))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "走访慰问活动不存在");
	return SVC_OK;
}

enum svc_kind campaign_get(struct db *db, const struct principal *actor, int64_t id, dd_date today, struct strbuf *out,
			   struct svc_error *e)
{
	char region[REGION_TEXT_MAX], starts[DATE_TEXT_MAX], ends[DATE_TEXT_MAX], cats[64];
	enum svc_kind k = load(db, actor, id, region, starts, ends, cats, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT " CAMPAIGN_COLS "WHERE c.id = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	if (!(rc = db_step(st, &row, &err)) && row)
		campaign_json(out, st, today);
	db_finalize(st);
	return rc ? svc_store_fail(e, db, rc, &err) : SVC_OK;
}

enum svc_kind campaign_list(struct db *db, const struct principal *actor, dd_date today, struct strbuf *out,
			    struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	/* the campaigns of the counties in scope, and of the county around a township or village */
	char county[REGION_TEXT_MAX] = "", lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	const char *scope = actor ? actor->scope : "";
	snprintf(county, sizeof county, "%.6s", scope);
	store_region_range(strlen(scope) > 6 ? county : scope, lo, hi);
	dd_status rc = db_prepare(db,
				  "SELECT " CAMPAIGN_COLS "WHERE c.region_code >= $1 AND c.region_code < $2 ORDER BY "
				  "c.starts_on DESC, c.id DESC LIMIT 200",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	strbuf_adds(out, "{\"items\":[");
	for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
		if (n)
			strbuf_addc(out, ',');
		campaign_json(out, st, today);
	}
	db_finalize(st);
	strbuf_adds(out, "]}");
	return rc ? svc_store_fail(e, db, rc, &err) : SVC_OK;
}

enum svc_kind campaign_plan(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
			    struct svc_error *e)
{
	if (actor && actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "慰问名单由区县民政部门生成");
	char region[REGION_TEXT_MAX], starts[DATE_TEXT_MAX], ends[DATE_TEXT_MAX], cats[64];
	enum svc_kind k = load(db, actor, id, region, starts, ends, cats, e);
	if (k)
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], id_text[24];
	store_region_range(region, lo, hi);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	int64_t added = 0, total = 0;
	/* $1 campaign, $2 now, $3/$4 the county's range, $5 the first day, $6 its month */
	static const char household_sql[] =
	    "INSERT INTO campaign_recipients (campaign_id, person_id, household_id, region_code, category, created_at, "
	    "updated_at) SELECT $1, m.person_id, d.household_id, d.region_code, CASE WHEN d.determination = "
	    "'marginal' THEN 'marginal' ELSE 'dibao' END, $2, $2 FROM decisions d JOIN memberships m ON "
	    "m.household_id = d.household_id AND m.to_date IS NULL AND m.relation = 'head' WHERE d.region_code >= $3 "
	    "AND d.region_code < $4 AND d.effective_from <= $5 AND (d.effective_to IS NULL OR d.effective_to > $5) "
	    "AND (d.gradual_exit_until IS NULL OR d.gradual_exit_until >= $6) AND d.determination IN %s "
	    "ON CONFLICT (campaign_id, person_id) DO NOTHING";
	static const char tekun_sql[] =
	    "INSERT INTO campaign_recipients (campaign_id, person_id, household_id, region_code, category, created_at, "
	    "updated_at) SELECT $1, l.person_id, l.household_id, d.region_code, 'tekun', $2, $2 FROM decisions d "
	    "JOIN decision_lines l ON l.decision_id = d.id AND l.component = 'tekun_basic' WHERE d.region_code >= $3 "
	    "AND d.region_code < $4 AND d.effective_from <= $5 AND (d.effective_to IS NULL OR d.effective_to > $5) "
	    "AND (d.gradual_exit_until IS NULL OR d.gradual_exit_until >= $6) AND d.determination = 'tekun' "
	    "ON CONFLICT (campaign_id, person_id) DO NOTHING";
	bool dibao = strstr(cats, "\"dibao\"") != NULL, marginal = strstr(cats, "\"marginal\"") != NULL;
	char sql[sizeof household_sql + 64];
	snprintf(sql, sizeof sql, household_sql,
		 dibao && marginal ? "('dibao', 'dibao_gradual_exit', 'single_person', 'marginal')"
		 : dibao	   ? "('dibao', 'dibao_gradual_exit', 'single_person')"
				   : "('marginal')");
	const char *stmts[2] = {dibao || marginal ? sql : NULL, strstr(cats, "\"tekun\"") ? tekun_sql : NULL};
	char month[8];
	snprintf(month, sizeof month, "%.7s", starts);
	struct db_stmt *st;
	dd_status rc = db_begin(db, &err);
	for (int i = 0; i < 2 && !rc; i++) {
		if (!stmts[i])
			continue;
		if ((rc = db_prepare(db, stmts[i], 0, &st, &err)))
			break;
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, now);
		db_bind_str(st, 3, lo);
		db_bind_str(st, 4, hi);
		db_bind_str(st, 5, starts);
		db_bind_str(st, 6, month);
		if (!(rc = db_run(st, &err)))
			added += db_changes(st);
		db_finalize(st);
	}
	if (rc)
		goto fail;
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	char detail[64];
	snprintf(detail, sizeof detail, "{\"added\":%lld}", (long long)added);
	if ((rc = audit_append_region(db, region, actor ? actor->username : "operator", "campaign.plan",
				      "relief_campaign", id_text, detail, &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	if ((rc = db_prepare(db, "SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1", 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	bool row = false;
	if (!(rc = db_step(st, &row, &err)) && row)
		total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "{\"id\":%lld,\"added\":%lld,\"recipients\":%lld}", (long long)id, (long long)added,
		    (long long)total);
	return SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

#define RECIPIENT_COLS                                                                                                 \
	"x.id, x.person_id, p.name, x.region_code, x.category, x.state, x.visited_on, x.money, x.goods, "              \
	"x.goods_value, x.version FROM campaign_recipients x JOIN persons p ON p.id = x.person_id "

static void recipient_json(struct strbuf *out, struct db_stmt *st)
{
	strbuf_addf(out, "{\"id\":%lld,\"person_id\":%lld", (long long)db_column_int64(st, 0),
		    (long long)db_column_int64(st, 1));
	strbuf_add_json_member_text(out, "name", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(out, "region", db_column_text(st, 3, NULL));
	strbuf_add_json_member_text(out, "category", db_column_text(st, 4, NULL));
	strbuf_add_json_member_text(out, "state", db_column_text(st, 5, NULL));
	strbuf_add_json_member_text(out, "visited_on", db_column_text(st, 6, NULL));
	strbuf_add_json_member_money(out, "money", db_column_int64(st, 7));
	strbuf_add_json_member_text(out, "goods", db_column_text(st, 8, NULL));
	strbuf_add_json_member_money(out, "goods_value", db_column_int64(st, 9));
	strbuf_addf(out, ",\"version\":%lld}", (long long)db_column_int64(st, 10));
}

enum svc_kind campaign_recipients(struct db *db, const struct principal *actor, int64_t id,
				  const struct campaign_recipient_query *q, struct strbuf *out, struct svc_error *e)
{
	char region[REGION_TEXT_MAX], starts[DATE_TEXT_MAX], ends[DATE_TEXT_MAX], cats[64];
	enum svc_kind k = load(db, actor, id, region, starts, ends, cats, e);
	if (!k)
		k = svc_page_check(q->page, q->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	if (q->state && q->state[0] && strcmp(q->state, "planned") && strcmp(q->state, "visited") &&
	    strcmp(q->state, "cancelled"))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_STATE", "state", "状态须为 planned、visited 或 cancelled");
	dd_error err;
	dd_error_clear(&err);
	char want[REGION_TEXT_MAX] = "", scope[REGION_TEXT_MAX], lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	if (q->region && q->region[0] && region_parse(q->region, strlen(q->region), 2, want, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为有效的行政区划代码");
	if (actor && !authz_scope_narrow(actor, want, scope)) {
		strbuf_addf(out, "{\"items\":[],\"total\":0,\"page\":%lld,\"per_page\":%lld}", (long long)q->page,
			    (long long)q->per_page);
		return SVC_OK;
	}
	if (!actor)
		snprintf(scope, sizeof scope, "%s", want);
	store_region_range(scope, lo, hi);
	struct db_stmt *st;
	bool row = false;
	int64_t total = 0;
	const char *state = q->state && q->state[0] ? q->state : NULL;
	dd_status rc =
	    db_prepare(db,
		       "SELECT count(*) FROM campaign_recipients x WHERE x.campaign_id = $1 AND "
		       "x.region_code >= $2 AND x.region_code < $3 AND (CAST($4 AS TEXT) IS NULL OR x.state = $4)",
		       0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	db_bind_str(st, 4, state);
	if (!(rc = db_step(st, &row, &err)) && row)
		total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc || (rc = db_prepare(
		       db,
		       "SELECT " RECIPIENT_COLS "WHERE x.campaign_id = $1 AND x.region_code >= $2 AND "
		       "x.region_code < $3 AND (CAST($4 AS TEXT) IS NULL OR x.state = $4) ORDER BY x.region_code, x.id "
		       "LIMIT $5 OFFSET $6",
		       0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	db_bind_str(st, 4, state);
	db_bind_int64(st, 5, q->per_page);
	db_bind_int64(st, 6, (q->page - 1) * q->per_page);
	strbuf_adds(out, "{\"items\":[");
	for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
		if (n)
			strbuf_addc(out, ',');
		recipient_json(out, st);
	}
	db_finalize(st);
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)q->page,
		    (long long)q->per_page);
	return rc ? svc_store_fail(e, db, rc, &err) : SVC_OK;
}

static bool money_member(const char *s, const char *field, fen_t *out, struct svc_error *e)
{
	dd_error err;
	*out = 0;
	if (!s || !s[0])
		return true;
	if (money_parse(s, strlen(s), MONEY_PLAIN, out, &err) || *out < 0 || *out > 100000000) {
		svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", field,
			 "金额须为 0 至 1000000 元，至多两位小数（如 \"200.00\"）");
		return false;
	}
	return true;
}

enum svc_kind campaign_visit(struct db *db, const struct principal *actor, int64_t id, const struct campaign_visit *v,
			     struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = actor ? authz_household_write(actor, e) : SVC_OK;
	if (k)
		return k;
	char region[REGION_TEXT_MAX], starts[DATE_TEXT_MAX], ends[DATE_TEXT_MAX], cats[64];
	if ((k = load(db, actor, id, region, starts, ends, cats, e)))
		return k;
	dd_date day, from, to;
	if (!valid_date(v->visited_on, &day))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "visited_on", "走访日期须为 YYYY-MM-DD 格式的有效日期");
	if (!valid_date(starts, &from) || !valid_date(ends, &to) || day < from || day > to)
		return svc_fail(e, SVC_RULE, "OUTSIDE_CAMPAIGN", "visited_on", "走访日期不在活动期间（%s 至 %s）内",
				starts, ends);
	fen_t money, goods_value;
	if (!money_member(v->money, "money", &money, e) ||
	    !money_member(v->goods_value, "goods_value", &goods_value, e))
		return SVC_BAD_INPUT;
	if (v->goods && !svc_text_clean(v->goods, 200))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_GOODS", "goods",
				"慰问品说明过长或含有控制字符（不超过 200 字节）");
	if (goods_value > 0 && (!v->goods || !v->goods[0]))
		return svc_fail(e, SVC_BAD_INPUT, "GOODS_REQUIRED", "goods", "填写了慰问品价值时须写明慰问品");
	if (money == 0 && goods_value == 0 && (!v->goods || !v->goods[0]))
		return svc_fail(e, SVC_BAD_INPUT, "NOTHING_GIVEN", "money", "须填写慰问金或慰问品");
	dd_error err;
	dd_error_clear(&err);
	char now[STORE_TIME_MAX], id_text[24], lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_now(now);
	store_region_range(actor ? actor->scope : "", lo, hi);
	struct db_stmt *st;
	bool row = false;
	int64_t rid = v->recipient_id;
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (rid <= 0) {
		/* a person outside the plan: the region of the active household */
		int c = category_index(v->category);
		if (v->person_id <= 0) {
			db_rollback(db);
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_PERSON", "person_id",
					"须指明慰问名单中的对象或人员");
		}
		if (c < 0) {
			db_rollback(db);
			return svc_fail(e, SVC_BAD_INPUT, "BAD_CATEGORY", "category",
					"类别须为 dibao、tekun、marginal 或 other");
		}
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO campaign_recipients (campaign_id, person_id, household_id, region_code, "
			 "category, created_at, updated_at) SELECT $1, m.person_id, m.household_id, "
			 "h.region_code, $2, $3, $3 FROM memberships m JOIN households h ON h.id = "
			 "m.household_id WHERE m.person_id = $4 AND m.to_date IS NULL AND h.region_code >= $5 "
			 "AND h.region_code < $6 ON CONFLICT (campaign_id, person_id) DO NOTHING RETURNING id",
			 0, &st, &err)))
			goto fail;
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, categories[c].code);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, v->person_id);
		db_bind_str(st, 5, lo);
		db_bind_str(st, 6, hi);
		if (!(rc = db_step(st, &row, &err)) && row)
			rid = db_column_int64(st, 0);
		db_finalize(st);
		if (rc)
			goto fail;
		if (rid <= 0) {
			db_rollback(db);
			return svc_fail(e, SVC_CONFLICT, "NOT_ADDED", "person_id",
					"该人员不在本辖区的在册家庭中，或已在慰问名单中（请在名单中登记）");
		}
	}
	/* the recipient, inside the actor's scope, at the version the caller read */
	if ((rc = db_prepare(
		 db,
		 "UPDATE campaign_recipients SET state = 'visited', visited_on = $1, money = $2, goods = $3, "
		 "goods_value = $4, visited_by = $5, updated_at = $6, version = version + 1 WHERE id = $7 "
		 "AND campaign_id = $8 AND region_code >= $9 AND region_code < $10 AND state <> 'cancelled' "
		 "AND (version = $11 OR $12 = 1) RETURNING region_code",
		 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, v->visited_on);
	db_bind_int64(st, 2, money);
	db_bind_str(st, 3, v->goods && v->goods[0] ? v->goods : NULL);
	db_bind_int64(st, 4, goods_value);
	if (actor)
		db_bind_int64(st, 5, actor->id);
	else
		db_bind_null(st, 5);
	db_bind_str(st, 6, now);
	db_bind_int64(st, 7, rid);
	db_bind_int64(st, 8, id);
	db_bind_str(st, 9, lo);
	db_bind_str(st, 10, hi);
	db_bind_int64(st, 11, v->version);
	db_bind_int64(st, 12, v->recipient_id <= 0 ? 1 : 0);
	char rregion[REGION_TEXT_MAX] = "";
	if (!(rc = db_step(st, &row, &err)) && row)
		db_column_copy(st, 0, rregion, sizeof rregion);
	db_finalize(st);
	if (rc)
		goto fail;
	if (!rregion[0]) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "VERSION_CONFLICT", "version",
				"慰问对象不存在、不在本辖区，或已被他人修改：请刷新后重试");
	}
	snprintf(id_text, sizeof id_text, "%lld", (long long)rid);
	char money_text[MONEY_TEXT_MAX], goods_text[MONEY_TEXT_MAX], detail[160];
	money_format(money, money_text);
	money_format(goods_value, goods_text);
	snprintf(detail, sizeof detail,
		 "{\"campaign\":%lld,\"visited_on\":\"%s\",\"money\":\"%s\",\"goods_value\":\"%s\"}", (long long)id,
		 v->visited_on, money_text, goods_text);
	if ((rc = audit_append_region(db, rregion, actor ? actor->username : "operator", "campaign.visit",
				      "campaign_recipient", id_text, detail, &err)))
		goto fail;
	if ((rc = db_prepare(db, "SELECT " RECIPIENT_COLS "WHERE x.id = $1", 0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, rid);
	if (!(rc = db_step(st, &row, &err)) && row)
		recipient_json(out, st);
	db_finalize(st);
	if (rc || (rc = db_commit(db, &err)))
		goto fail;
	return SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* --- the statistics table --------------------------------------------------- */

enum { T_PLANNED, T_VISITED, T_MONEY_PERSONS, T_MONEY, T_GOODS_PERSONS, T_GOODS_VALUE, T_N };
static const char *const t_codes[T_N] = {"planned", "visited",	     "money_persons",
					 "money",   "goods_persons", "goods_value"};
static const char *const t_zh[T_N] = {"计划慰问人数", "走访慰问人数",	"发放慰问金人数",
				      "慰问金（元）", "发放慰问品人数", "慰问品折价（元）"};

struct trow {
	char region[REGION_TEXT_MAX];
	char name[96];
	int64_t v[NCAT][T_N];
	int64_t temp_cases, temp_amount;
};

struct tbl {
	char name[256], county_name[96], starts[DATE_TEXT_MAX], ends[DATE_TEXT_MAX];
	struct trow *rows;
	size_t n, cap;
	struct trow total;
};

static struct trow *trow_at(struct tbl *t, const char *region, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].region, region ? region : "") == 0)
			return &t->rows[i];
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		struct trow *p = realloc(t->rows, nc * sizeof *p);
		if (!p)
			return NULL;
		t->rows = p;
		t->cap = nc;
	}
	struct trow *r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->region, sizeof r->region, "%s", region ? region : "");
	snprintf(r->name, sizeof r->name, "%s", name ? name : "");
	return r;
}

static int trow_cmp(const void *a, const void *b)
{
	return strcmp(((const struct trow *)a)->region, ((const struct trow *)b)->region);
}

static enum svc_kind table_load(struct db *db, const struct principal *actor, int64_t id, struct tbl *t,
				struct svc_error *e)
{
	memset(t, 0, sizeof *t);
	enum svc_kind k = actor ? authz_stats_read(actor, e) : SVC_OK;
	char region[REGION_TEXT_MAX], cats[64], scope[REGION_TEXT_MAX], lo[STORE_REGION_BOUND_MAX],
	    hi[STORE_REGION_BOUND_MAX];
	if (k || (k = load(db, actor, id, region, t->starts, t->ends, cats, e)))
		return k;
	if (!actor || !authz_scope_narrow(actor, region, scope))
		snprintf(scope, sizeof scope, "%s", region);
	store_region_range(scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db,
				  "SELECT c.name, r.name FROM relief_campaigns c LEFT JOIN regions r ON r.code = "
				  "c.region_code WHERE c.id = $1",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	if (!(rc = db_step(st, &row, &err)) && row) {
		db_column_copy(st, 0, t->name, sizeof t->name);
		db_column_copy(st, 1, t->county_name, sizeof t->county_name);
	}
	db_finalize(st);
	if (rc || (rc = db_prepare(db,
				   "SELECT substr(x.region_code, 1, 9), r.name, x.category, count(*), sum(CASE WHEN "
				   "x.state = 'visited' THEN 1 ELSE 0 END), sum(CASE WHEN x.money > 0 THEN 1 ELSE 0 "
				   "END), sum(x.money), sum(CASE WHEN x.goods IS NOT NULL THEN 1 ELSE 0 END), "
				   "sum(x.goods_value) FROM campaign_recipients x LEFT JOIN regions r ON r.code = "
				   "substr(x.region_code, 1, 9) WHERE x.campaign_id = $1 AND x.region_code >= $2 AND "
				   "x.region_code < $3 AND x.state <> 'cancelled' GROUP BY 1, 2, 3",
				   0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	while (!(rc = db_step(st, &row, &err)) && row) {
		int c = category_index(db_column_text(st, 2, NULL));
		struct trow *r = trow_at(t, db_column_text(st, 0, NULL), db_column_text(st, 1, NULL));
		if (!r) {
			rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足");
			break;
		}
		for (int m = 0; c >= 0 && m < T_N; m++) {
			r->v[c][m] += db_column_int64(st, 3 + m);
			t->total.v[c][m] += db_column_int64(st, 3 + m);
		}
	}
	db_finalize(st);
	if (rc)
		goto fail;
	/* temporary assistance approved in the period (China time) */
	char from_ts[STORE_TIME_MAX], to_ts[STORE_TIME_MAX];
	dd_date d0, d1;
	if (valid_date(t->starts, &d0) && valid_date(t->ends, &d1)) {
		store_china_midnight(d0, from_ts);
		store_china_midnight(d1 + 1, to_ts);
		if ((rc = db_prepare(
			 db,
			 "SELECT substr(t.region_code, 1, 9), r.name, count(*), sum(t.approved_amount) FROM "
			 "temporary_cases t LEFT JOIN regions r ON r.code = substr(t.region_code, 1, 9) WHERE "
			 "t.region_code >= $1 AND t.region_code < $2 AND t.approved_at >= $3 AND t.approved_at "
			 "< $4 AND t.approved_amount IS NOT NULL GROUP BY 1, 2",
			 0, &st, &err)))
			goto fail;
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, from_ts);
		db_bind_str(st, 4, to_ts);
		while (!(rc = db_step(st, &row, &err)) && row) {
			struct trow *r = trow_at(t, db_column_text(st, 0, NULL), db_column_text(st, 1, NULL));
			if (!r) {
				rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足");
				break;
			}
			r->temp_cases += db_column_int64(st, 2);
			r->temp_amount += db_column_int64(st, 3);
			t->total.temp_cases += db_column_int64(st, 2);
			t->total.temp_amount += db_column_int64(st, 3);
		}
		db_finalize(st);
		if (rc)
			goto fail;
	}
	if (t->n)
		qsort(t->rows, t->n, sizeof t->rows[0], trow_cmp);
	return SVC_OK;
fail:
	free(t->rows);
	t->rows = NULL;
	return svc_store_fail(e, db, rc, &err);
}

static void trow_json(struct strbuf *out, const struct trow *r)
{
	strbuf_adds(out, "\"categories\":{");
	for (size_t c = 0; c < NCAT; c++) {
		strbuf_addf(out, "%s\"%s\":{", c ? "," : "", categories[c].code);
		for (int m = 0; m < T_N; m++) {
			if (m == T_MONEY || m == T_GOODS_VALUE) {
				char money[MONEY_TEXT_MAX];
				money_format(r->v[c][m], money);
				strbuf_addf(out, "%s\"%s\":\"%s\"", m ? "," : "", t_codes[m], money);
			} else {
				strbuf_addf(out, "%s\"%s\":%lld", m ? "," : "", t_codes[m], (long long)r->v[c][m]);
			}
		}
		strbuf_addc(out, '}');
	}
	strbuf_addf(out, "},\"temporary_cases\":%lld", (long long)r->temp_cases);
	strbuf_add_json_member_money(out, "temporary_amount", r->temp_amount);
}

enum svc_kind campaign_table(struct db *db, const struct principal *actor, int64_t id, dd_date today,
			     struct strbuf *out, struct svc_error *e)
{
	struct tbl t;
	enum svc_kind k = table_load(db, actor, id, &t, e);
	if (k)
		return k;
	strbuf_adds(out, "{\"campaign\":");
	k = campaign_get(db, actor, id, today, out, e);
	if (k) {
		free(t.rows);
		return k;
	}
	strbuf_adds(out, ",\"category_names\":{");
	for (size_t c = 0; c < NCAT; c++)
		strbuf_addf(out, "%s\"%s\":\"%s\"", c ? "," : "", categories[c].code, categories[c].zh);
	strbuf_adds(out, "},\"rows\":[");
	for (size_t i = 0; i < t.n; i++) {
		strbuf_addf(out, "%s{\"region\":", i ? "," : "");
		strbuf_add_json_string_or_null(out, t.rows[i].region);
		strbuf_add_json_member_text(out, "region_name", t.rows[i].name[0] ? t.rows[i].name : NULL);
		strbuf_addc(out, ',');
		trow_json(out, &t.rows[i]);
		strbuf_addc(out, '}');
	}
	strbuf_adds(out, "],\"total\":{");
	trow_json(out, &t.total);
	strbuf_adds(out, "}}");
	free(t.rows);
	return SVC_OK;
}

static void xlsx_trow(struct xlsx_out *x, uint32_t r, const char *code, const char *name, const struct trow *t)
{
	xlsx_out_text(x, r, 0, code);
	xlsx_out_text(x, r, 1, name);
	uint16_t col = 2;
	for (size_t c = 0; c < NCAT; c++)
		for (int m = 0; m < T_N; m++, col++) {
			if (m == T_MONEY || m == T_GOODS_VALUE)
				xlsx_out_money(x, r, col, t->v[c][m]);
			else
				xlsx_out_int(x, r, col, t->v[c][m]);
		}
	xlsx_out_int(x, r, col++, t->temp_cases);
	xlsx_out_money(x, r, col, t->temp_amount);
}

enum svc_kind campaign_table_xlsx(struct db *db, const struct principal *actor, int64_t id, dd_date today,
				  struct strbuf *body, char file_name[96], char display_name[256], struct svc_error *e)
{
	struct tbl t;
	enum svc_kind k = table_load(db, actor, id, &t, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct xlsx_out *x = NULL;
	dd_status rc = xlsx_out_open(&x, "统计表", &err);
	if (rc) {
		free(t.rows);
		return svc_from_status(e, rc, &err);
	}
	char title[512], line[256], td[DATE_TEXT_MAX];
	date_format(today, td);
	snprintf(title, sizeof title, "%s%s工作开展情况统计表", t.county_name, t.name);
	snprintf(line, sizeof line, "活动期间：%s 至 %s；填报日期：%s", t.starts, t.ends, td);
	xlsx_out_bold(x, 0, 0, title);
	xlsx_out_text(x, 1, 0, line);
	xlsx_out_width(x, 0, 0, 12);
	xlsx_out_width(x, 1, 1, 16);
	xlsx_out_width(x, 2, (uint16_t)(2 + NCAT * T_N + 1), 13);
	xlsx_out_bold(x, 2, 0, "地区代码");
	xlsx_out_bold(x, 2, 1, "乡镇（街道）");
	uint16_t col = 2;
	for (size_t c = 0; c < NCAT; c++)
		for (int m = 0; m < T_N; m++, col++) {
			char h[128];
			snprintf(h, sizeof h, "%s：%s", categories[c].zh, t_zh[m]);
			xlsx_out_bold(x, 2, col, h);
		}
	xlsx_out_bold(x, 2, col++, "临时救助人次");
	xlsx_out_bold(x, 2, col, "临时救助金额（元）");
	uint32_t r = 3;
	for (size_t i = 0; i < t.n; i++)
		xlsx_trow(x, r++, t.rows[i].region, t.rows[i].name, &t.rows[i]);
	xlsx_trow(x, r, "", "合计", &t.total);
	free(t.rows);
	if ((rc = xlsx_out_finish(x, body, &err)))
		return svc_from_status(e, rc, &err);
	snprintf(file_name, 96, "campaign-%lld-%s.xlsx", (long long)id, td);
	snprintf(display_name, 256, "%.200s统计表（%s）.xlsx", t.name, td);
	return SVC_OK;
}
