/* subsidy.c - one-time subsidy campaigns (subsidy.h). */
#include "subsidy.h"

#include <stdio.h>
#include <string.h>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/payroll.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

/* The payments of one category: $1 batch, $2 campaign code, $3 category,
 * $4 period, $5 amount, $6 now, $7/$8 the county's region range, $9 the
 * reference date, $10 its month. Persons already paid in the campaign (any
 * batch) are skipped; dibao skips tekun persons (tekun comes first). $11
 * the household's area (urban, rural): each category is paid by area. */
#define PAY_INSERT                                                                                                     \
	"INSERT INTO payments (batch_id, household_id, person_id, region_code, programme, kind, component, category, " \
	"period, amount, dedup_key, state, bank_name, bank_account, created_at, updated_at) "                          \
	"SELECT $1, t.household_id, t.person_id, t.region_code, 'subsidy', 'one_time', CAST($2 AS TEXT), "             \
	"CAST($3 AS TEXT), CAST($4 AS TEXT), $5, 'subsidy:' || CAST($2 AS TEXT) || ':' || t.household_id || ':' || "   \
	"t.person_id, 'pending', p.bank_name, p.bank_account, CAST($6 AS TEXT), CAST($6 AS TEXT) FROM "
#define IN_FORCE(d, l)                                                                                                 \
	l ".region_code >= $7 AND " l ".region_code < $8 AND " l ".amount > 0 AND " d ".effective_from <= $9 AND (" d  \
	  ".effective_to IS NULL OR " d ".effective_to > $9) AND (" l ".component <> 'gradual_exit' OR " d             \
	  ".gradual_exit_until IS NULL OR " d ".gradual_exit_until >= $10)"
#define PAY_TAIL                                                                                                       \
	" JOIN persons p ON p.id = t.person_id WHERE (p.death_date IS NULL OR p.death_date > $9) AND NOT EXISTS "      \
	"(SELECT 1 FROM payments z WHERE z.person_id = t.person_id AND z.programme = 'subsidy' AND z.component = $2 "  \
	"AND z.state <> 'cancelled') ORDER BY t.person_id"

static const char tekun_sql[] =
    PAY_INSERT "(SELECT l.person_id, min(l.household_id) AS household_id, min(l.region_code) AS region_code FROM "
	       "decision_lines l JOIN decisions d ON d.id = l.decision_id JOIN households h ON h.id = l.household_id "
	       "WHERE l.programme = 'tekun' AND " IN_FORCE("d", "l") " GROUP BY l.person_id HAVING min(h.area) = $11) "
								     "t" PAY_TAIL;

static const char dibao_sql[] = PAY_INSERT
    "(SELECT person_id, min(household_id) AS household_id, min(region_code) AS region_code FROM ("
    "SELECT m.person_id, m.household_id, h.region_code, h.area FROM decision_lines l JOIN decisions d ON d.id = "
    "l.decision_id JOIN memberships m ON m.household_id = l.household_id JOIN households h ON h.id = "
    "m.household_id WHERE l.programme = 'dibao' AND (l.component = 'household' OR l.component = 'gradual_exit') "
    "AND " IN_FORCE(
	"d",
	"l") " AND m.from_date <= $9 AND (m.to_date IS NULL OR m.to_date >= $9) UNION ALL "
	     "SELECT l.person_id, l.household_id, h.region_code, h.area FROM decision_lines l JOIN decisions d ON d.id "
	     "= "
	     "l.decision_id JOIN households h ON h.id = l.household_id WHERE l.programme = 'dibao' AND l.component = "
	     "'single_person' AND " IN_FORCE(
		 "d",
		 "l") ") u WHERE u.person_id NOT IN (SELECT l.person_id FROM "
		      "decision_lines l JOIN decisions d ON d.id = l.decision_id WHERE l.programme = 'tekun' AND "
		      "l.amount > 0 AND "
		      "d.effective_from <= $9 AND (d.effective_to IS NULL OR d.effective_to > $9)) GROUP BY person_id "
		      "HAVING min(area) = $11) t" PAY_TAIL;

/* The four payment groups: category and area. */
static const struct {
	const char *category, *area;
} groups[] = {{"tekun", "urban"}, {"tekun", "rural"}, {"dibao_urban", "urban"}, {"dibao_rural", "rural"}};
#define N_GROUPS 4

static bool code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

static dd_status one_int(struct db *db, const char *sql, int64_t a, int64_t *x, int64_t *y, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, a);
	*x = 0;
	if (y)
		*y = 0;
	if (!(rc = db_step(st, &row, err)) && row) {
		*x = db_column_int64(st, 0);
		if (y)
			*y = db_column_int64(st, 1);
	}
	db_finalize(st);
	return rc;
}

struct campaign {
	const char *kind; /* one_time, price_subsidy */
	const char *code, *county, *reference_date, *period;
	fen_t amounts[N_GROUPS];
	const char *detail; /* JSON members added to the audit row and the answer (may be "") */
};

/* Creates the campaign and its batch once, pays whoever is not yet paid,
 * audits, and writes the answer. */
static enum svc_kind campaign_pay(struct db *db, const struct principal *actor, const struct campaign *c,
				  struct strbuf *out, struct svc_error *e)
{
	char sig[REGION_TEXT_MAX];
	region_significant(c->county, strlen(c->county), sig);
	char ref_month[8];
	memcpy(ref_month, c->reference_date, 7);
	ref_month[7] = '\0';
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX];
	store_region_range(sig, lo, hi);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct db_stmt *st;
	bool row = false, created = false;
	int64_t batch = 0;
	char state[16] = "", kind[16] = "";
	if ((rc = db_prepare(
		 db,
		 "SELECT c.batch_id, b.state, c.kind FROM subsidy_campaigns c JOIN payroll_batches b ON b.id = "
		 "c.batch_id WHERE c.code = $1 AND c.region_code = $2",
		 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, c->code);
	db_bind_str(st, 2, c->county);
	if (!(rc = db_step(st, &row, &err)) && row) {
		batch = db_column_int64(st, 0);
		snprintf(state, sizeof state, "%s", db_column_text(st, 1, NULL) ? db_column_text(st, 1, NULL) : "");
		snprintf(kind, sizeof kind, "%s", db_column_text(st, 2, NULL) ? db_column_text(st, 2, NULL) : "");
	}
	db_finalize(st);
	if (rc)
		goto fail;
	if (row && strcmp(kind, c->kind) != 0) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "CAMPAIGN_EXISTS", "code", "本区县已有同一代码的其他类型补贴活动");
	}
	if (!row) {
		char key[160];
		snprintf(key, sizeof key, "%s:%s:subsidy:%s:%s:0", c->kind, c->county, c->period, c->code);
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO payroll_batches (batch_key, region_code, programme, period, kind, seq, "
			 "campaign, state, created_by, created_at, updated_at) VALUES ($1, $2, 'subsidy', $3, "
			 "$4, 0, $5, 'draft', $6, $7, $7) RETURNING id",
			 0, &st, &err)))
			goto fail;
		db_bind_str(st, 1, key);
		db_bind_str(st, 2, c->county);
		db_bind_str(st, 3, c->period);
		db_bind_str(st, 4, c->kind);
		db_bind_str(st, 5, c->code);
		db_bind_int64(st, 6, actor->id);
		db_bind_str(st, 7, now);
		if (!(rc = db_step(st, &row, &err)) && row)
			batch = db_column_int64(st, 0);
		db_finalize(st);
		if (rc)
			goto fail;
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO subsidy_campaigns (code, region_code, kind, reference_date, period, batch_id, "
			 "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			 0, &st, &err)))
			goto fail;
		db_bind_str(st, 1, c->code);
		db_bind_str(st, 2, c->county);
		db_bind_str(st, 3, c->kind);
		db_bind_str(st, 4, c->reference_date);
		db_bind_str(st, 5, c->period);
		db_bind_int64(st, 6, batch);
		db_bind_int64(st, 7, actor->id);
		db_bind_str(st, 8, now);
		rc = db_run(st, &err);
		db_finalize(st);
		if (rc)
			goto fail;
		created = true;
		snprintf(state, sizeof state, "draft");
	}
	int64_t added[N_GROUPS] = {0};
	for (int i = 0; strcmp(state, "draft") == 0 && i < N_GROUPS; i++) {
		if (c->amounts[i] <= 0)
			continue;
		if ((rc = db_prepare(db, strcmp(groups[i].category, "tekun") == 0 ? tekun_sql : dibao_sql, 0, &st,
				     &err)))
			goto fail;
		db_bind_int64(st, 1, batch);
		db_bind_str(st, 2, c->code);
		db_bind_str(st, 3, groups[i].category);
		db_bind_str(st, 4, c->period);
		db_bind_int64(st, 5, c->amounts[i]);
		db_bind_str(st, 6, now);
		db_bind_str(st, 7, lo);
		db_bind_str(st, 8, hi);
		db_bind_str(st, 9, c->reference_date);
		db_bind_str(st, 10, ref_month);
		db_bind_str(st, 11, groups[i].area);
		rc = db_run(st, &err);
		added[i] = rc ? 0 : db_changes(st);
		db_finalize(st);
		if (rc)
			goto fail;
	}
	int64_t count = 0, total = 0, all_added = 0;
	for (int i = 0; i < N_GROUPS; i++)
		all_added += added[i];
	if ((rc = one_int(db,
			  "SELECT count(*), COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1 AND state <> "
			  "'withheld' AND state <> 'cancelled'",
			  batch, &count, &total, &err)))
		goto fail;
	char m[MONEY_TEXT_MAX];
	money_format(total, m);
	struct strbuf groups_json;
	strbuf_init(&groups_json, 256);
	for (int i = 0; i < N_GROUPS; i++) {
		char a[MONEY_TEXT_MAX];
		money_format(c->amounts[i], a);
		strbuf_addf(&groups_json, "%s{\"category\":\"%s\",\"area\":\"%s\",\"amount\":\"%s\",\"added\":%lld}",
			    i ? "," : "", groups[i].category, groups[i].area, a, (long long)added[i]);
	}
	if (all_added || created) {
		if ((rc = db_prepare(
			 db,
			 "UPDATE payroll_batches SET payments_count = $1, total_amount = $2, updated_at = $3 "
			 "WHERE id = $4",
			 0, &st, &err)))
			goto fail_json;
		db_bind_int64(st, 1, count);
		db_bind_int64(st, 2, total);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, batch);
		rc = db_run(st, &err);
		db_finalize(st);
		if (rc)
			goto fail_json;
		char id_text[24];
		snprintf(id_text, sizeof id_text, "%lld", (long long)batch);
		struct strbuf detail;
		strbuf_init(&detail, 512);
		strbuf_addf(&detail,
			    "{\"campaign\":\"%s\",\"kind\":\"%s\",\"reference_date\":\"%s\",\"period\":\"%s\"%s,"
			    "\"payments\":%lld,\"total\":\"%s\",\"groups\":[%s]}",
			    c->code, c->kind, c->reference_date, c->period, c->detail, (long long)count, m,
			    groups_json.buf ? groups_json.buf : "");
		rc = detail.failed ? dd_fail(&err, DD_ENOMEM, "audit", "内存不足 (out of memory)")
				   : audit_append_region(db, c->county, actor->username,
							 strcmp(c->kind, "one_time") == 0 ? "payroll.campaign"
											  : "payroll.price_subsidy",
							 "payroll_batch", id_text, detail.buf, &err);
		strbuf_release(&detail);
		if (rc)
			goto fail_json;
	}
	if ((rc = db_commit(db, &err)))
		goto fail_json;
	strbuf_addf(
	    out,
	    "{\"campaign\":\"%s\",\"kind\":\"%s\",\"region\":\"%s\",\"batch_id\":%lld,\"created\":%s,\"added\":%"
	    "lld,\"payments\":%lld,\"total\":\"%s\"%s,\"groups\":[%s]}",
	    c->code, c->kind, c->county, (long long)batch, created ? "true" : "false", (long long)all_added,
	    (long long)count, m, c->detail, groups_json.buf ? groups_json.buf : "");
	strbuf_release(&groups_json);
	return SVC_OK;
fail_json:
	strbuf_release(&groups_json);
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* The county (6 digits, level 3) in the actor's scope: its significant form. */
static enum svc_kind county_check(const struct principal *actor, const char *county, char sig[REGION_TEXT_MAX],
				  struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	if (actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "只有区县民政局可以发放补贴");
	if (!county || strlen(county) != 6 || region_parse(county, 6, 2, sig, &err) || region_level(sig) != 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为 6 位区县代码");
	return SVC_OK;
}

enum svc_kind subsidy_campaign_run(struct db *db, const struct principal *actor, const struct policy *policy,
				   const char *code, const char *county, const char *reference_date, const char *period,
				   struct strbuf *out, struct svc_error *e)
{
	char sig[REGION_TEXT_MAX];
	enum svc_kind k = county_check(actor, county, sig, e);
	if (k)
		return k;
	if (!code_valid(code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CODE", "code",
				"补贴活动代码须为 1–40 个小写字母、数字、连字符或下划线（如 2022-onetime）");
	dd_error err;
	dd_error_clear(&err);
	dd_date ref;
	if (!reference_date || strlen(reference_date) != 10 ||
	    date_parse(reference_date, strlen(reference_date), &ref, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "reference_date", "基准日须为 YYYY-MM-DD 格式的有效日期");
	char first[11];
	if (!payroll_period_parse(period, first))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份须为 YYYY-MM 格式的有效月份");
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	if (!policy)
		return svc_fail(e, SVC_INTERNAL, "NO_POLICY", NULL, "未加载政策参数");
	struct campaign c = {.kind = "one_time",
			     .code = code,
			     .county = county,
			     .reference_date = reference_date,
			     .period = period,
			     .detail = ""};
	bool any = false;
	for (int i = 0; i < N_GROUPS; i++) {
		char name[96];
		snprintf(name, sizeof name, "subsidy.%s.%s", code, groups[i].category);
		const struct policy_entry *en = policy_lookup(policy, name, sig, ref);
		c.amounts[i] = en ? en->value.i : 0;
		any = any || c.amounts[i] > 0;
	}
	if (!any)
		return svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_CAMPAIGN", "code",
				"政策参数中没有该补贴活动在基准日适用于本区县的标准（subsidy.%s.tekun / dibao_urban / "
				"dibao_rural）",
				code);
	return campaign_pay(db, actor, &c, out, e);
}

/* --- price subsidies ----------------------------------------------------------- */

/* A rise as entered: "0.035", "-0.012" (a fall), below 1. */
static bool rise_parse(const char *s, bool *negative, struct ratio *r)
{
	dd_error err;
	*negative = s && s[0] == '-';
	const char *t = *negative ? s + 1 : s;
	return t && t[0] && strlen(t) <= 16 && !ratio_parse(t, strlen(t), r, &err) && r->num < r->den;
}

enum svc_kind subsidy_price_index_set(struct db *db, const struct principal *actor, const char *region,
				      const char *month, const char *cpi_rise, const char *food_rise,
				      struct strbuf *out, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY && actor->role != ROLE_CITY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "只有区县和市级民政部门可以录入价格指数");
	char sig[REGION_TEXT_MAX];
	dd_error err;
	dd_error_clear(&err);
	if (!region || region_parse(region, strlen(region), 2, sig, &err) || region_level(sig) > 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为省、市或区县的行政区划代码");
	/* the actor's own region or one above it (the province's index), or inside its scope */
	size_t n = strlen(sig);
	if (!authz_in_scope(actor, sig) && strncmp(actor->scope, sig, n) != 0)
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	char first[11];
	if (!payroll_period_parse(month, first))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_MONTH", "month", "月份须为 YYYY-MM 格式的有效月份");
	bool neg;
	struct ratio r;
	if (cpi_rise && !rise_parse(cpi_rise, &neg, &r))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_RISE", "cpi_rise",
				"CPI 同比涨幅须为小数形式的比率（如 \"0.035\" 表示 3.5%%，可为负，绝对值小于 1）");
	if (food_rise && !rise_parse(food_rise, &neg, &r))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_RISE", "food_rise",
				"食品价格同比涨幅须为小数形式的比率（如 \"0.06\" 表示 6%%，可为负，绝对值小于 1）");
	if (!cpi_rise && !food_rise)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "cpi_rise", "须录入 CPI 或食品价格的同比涨幅");
	char now[STORE_TIME_MAX];
	store_now(now);
	dd_status rc = db_begin(db, &err);
	struct db_stmt *st;
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if ((rc = db_prepare(
		 db,
		 "INSERT INTO price_indices (region_code, month, cpi_rise, food_rise, created_by, created_at) "
		 "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region_code, month) DO UPDATE SET cpi_rise = "
		 "excluded.cpi_rise, food_rise = excluded.food_rise, created_by = excluded.created_by, "
		 "created_at = excluded.created_at",
		 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, sig);
	db_bind_str(st, 2, month);
	db_bind_str(st, 3, cpi_rise);
	db_bind_str(st, 4, food_rise);
	db_bind_int64(st, 5, actor->id);
	db_bind_str(st, 6, now);
	rc = db_run(st, &err);
	db_finalize(st);
	if (rc)
		goto fail;
	strbuf_addf(out, "{\"region\":\"%s\",\"month\":\"%s\",\"cpi_rise\":", sig, month);
	strbuf_add_json_string_or_null(out, cpi_rise);
	strbuf_adds(out, ",\"food_rise\":");
	strbuf_add_json_string_or_null(out, food_rise);
	strbuf_addc(out, '}');
	char key[40];
	snprintf(key, sizeof key, "%s:%s", sig, month);
	if ((rc = audit_append_region(db, sig, actor->username, "payroll.price_index", "price_index", key,
				      out->buf ? out->buf : "{}", &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	return SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* a ≥ b for rises below 1 (num < den ≤ 10^9: the products fit) */
static bool ratio_ge(struct ratio a, struct ratio b)
{
	return a.num * b.den >= b.num * a.den;
}

enum svc_kind subsidy_price_run(struct db *db, const struct principal *actor, const struct policy *policy,
				const char *county, const char *month, const char *period, struct strbuf *out,
				struct svc_error *e)
{
	char sig[REGION_TEXT_MAX];
	enum svc_kind k = county_check(actor, county, sig, e);
	if (k)
		return k;
	char first[11], pfirst[11];
	if (!payroll_period_parse(month, first))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_MONTH", "month", "价格补贴月份须为 YYYY-MM 格式的有效月份");
	if (period && period[0] && !payroll_period_parse(period, pfirst))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份须为 YYYY-MM 格式的有效月份");
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	if (!policy)
		return svc_fail(e, SVC_INTERNAL, "NO_POLICY", NULL, "未加载政策参数");
	dd_error err;
	dd_error_clear(&err);
	dd_date d;
	if (date_parse(first, 10, &d, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_MONTH", "month", "价格补贴月份无效");
	/* the figures: the most specific region covering the county */
	struct db_stmt *st;
	bool row = false;
	char cpi[24] = "", food[24] = "", from[REGION_TEXT_MAX] = "";
	dd_status rc = db_prepare(db,
				  "SELECT region_code, cpi_rise, food_rise FROM price_indices WHERE month = $1 AND "
				  "substr($2, 1, length(region_code)) = region_code ORDER BY length(region_code) DESC "
				  "LIMIT 1",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, month);
	db_bind_str(st, 2, sig);
	if (!(rc = db_step(st, &row, &err)) && row) {
		const char *a = db_column_text(st, 0, NULL), *b = db_column_text(st, 1, NULL),
			   *f = db_column_text(st, 2, NULL);
		snprintf(from, sizeof from, "%s", a ? a : "");
		snprintf(cpi, sizeof cpi, "%s", b ? b : "");
		snprintf(food, sizeof food, "%s", f ? f : "");
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_fail(e, SVC_RULE, "NO_PRICE_INDEX", "month",
				"尚未录入 %s 适用于本区县的价格指数，不能发放价格临时补贴", month);
	const struct policy_entry *tc = policy_lookup(policy, "price.trigger_cpi", sig, d);
	const struct policy_entry *tf = policy_lookup(policy, "price.trigger_food", sig, d);
	const struct policy_entry *floor_en = policy_lookup(policy, "price.floor", sig, d);
	bool neg = false, hit = false;
	struct ratio r, rise = {0, 1};
	const char *which = "";
	if (cpi[0] && tc && rise_parse(cpi, &neg, &r) && !neg && ratio_ge(r, tc->value.ratio))
		rise = r, hit = true, which = "cpi";
	if (food[0] && tf && rise_parse(food, &neg, &r) && !neg && ratio_ge(r, tf->value.ratio) &&
	    (!hit || ratio_ge(r, rise)))
		rise = r, hit = true, which = "food";
	if (!hit)
		return svc_fail(
		    e, SVC_RULE, "PRICE_NOT_TRIGGERED", "month",
		    "%s 的价格指数未达到启动条件（CPI 同比涨幅 %s，启动条件 ≥ %s；食品价格同比涨幅 %s，启动条件 "
		    "≥ %s），不发放价格临时补贴",
		    month, cpi[0] ? cpi : "未录入", tc && tc->value.text ? tc->value.text : "未设定",
		    food[0] ? food : "未录入", tf && tf->value.text ? tf->value.text : "未设定");
	struct campaign c = {.kind = "price_subsidy",
			     .county = county,
			     .reference_date = first,
			     .period = period && period[0] ? period : month};
	char code[24];
	snprintf(code, sizeof code, "price-%s", month);
	c.code = code;
	for (int i = 0; i < N_GROUPS; i++) {
		char name[48];
		snprintf(name, sizeof name, "dibao.standard.%s", groups[i].area);
		const struct policy_entry *en = policy_lookup(policy, name, sig, d);
		if (!en)
			return svc_fail(e, SVC_RULE, "NO_STANDARD", "region", "政策参数中没有本区县 %s 的低保标准",
					month);
		/* S × rise, rounded half-up to the yuan */
		int64_t yuan = (en->value.i * rise.num * 2 + rise.den * 100) / (rise.den * 200);
		c.amounts[i] = yuan * 100;
		if (floor_en && c.amounts[i] < floor_en->value.i)
			c.amounts[i] = floor_en->value.i;
	}
	char rtext[32], detail[160];
	ratio_format(rise, rtext, sizeof rtext);
	snprintf(detail, sizeof detail, ",\"month\":\"%s\",\"index_region\":\"%s\",\"trigger\":\"%s\",\"rise\":\"%s\"",
		 month, from, which, rtext);
	c.detail = detail;
	return campaign_pay(db, actor, &c, out, e);
}
