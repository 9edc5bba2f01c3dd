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
 * batch) are skipped; dibao skips tekun persons (tekun comes first). */
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
	       "decision_lines l JOIN decisions d ON d.id = l.decision_id WHERE l.programme = 'tekun' AND "
	       "l.household_id IS NOT NULL AND " IN_FORCE("d", "l") " GROUP BY l.person_id) t" PAY_TAIL;

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
		      "HAVING 'dibao_' || min(area) = $3) t" PAY_TAIL;

static const char *const categories[] = {"tekun", "dibao_urban", "dibao_rural"};

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

enum svc_kind subsidy_campaign_run(struct db *db, const struct principal *actor, const struct policy *policy,
				   const char *code, const char *county, const char *reference_date, const char *period,
				   struct strbuf *out, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "只有区县民政局可以发放一次性补贴");
	if (!code_valid(code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CODE", "code",
				"补贴活动代码须为 1–40 个小写字母、数字、连字符或下划线（如 2022-onetime）");
	char sig[REGION_TEXT_MAX];
	dd_error err;
	dd_error_clear(&err);
	if (!county || strlen(county) != 6 || region_parse(county, 6, 2, sig, &err) || region_level(sig) != 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为 6 位区县代码");
	dd_date ref;
	if (!reference_date || date_parse(reference_date, strlen(reference_date), &ref, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "reference_date", "基准日须为 YYYY-MM-DD 格式的有效日期");
	char first[11];
	if (!payroll_period_parse(period, first))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份须为 YYYY-MM 格式的有效月份");
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	if (!policy)
		return svc_fail(e, SVC_INTERNAL, "NO_POLICY", NULL, "未加载政策参数");
	fen_t amounts[3];
	bool any = false;
	for (int i = 0; i < 3; i++) {
		char name[96];
		snprintf(name, sizeof name, "subsidy.%s.%s", code, categories[i]);
		const struct policy_entry *en = policy_lookup(policy, name, sig, ref);
		amounts[i] = en ? en->value.i : 0;
		any = any || amounts[i] > 0;
	}
	if (!any)
		return svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_CAMPAIGN", "code",
				"政策参数中没有该补贴活动在基准日适用于本区县的标准（subsidy.%s.tekun / dibao_urban / "
				"dibao_rural）",
				code);
	char ref_month[8];
	memcpy(ref_month, reference_date, 7);
	ref_month[7] = '\0';
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX];
	store_region_range(sig, lo, hi);
	store_now(now);

	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct db_stmt *st;
	bool row = false, created = false;
	int64_t batch = 0;
	char state[16] = "";
	if ((rc = db_prepare(db,
			     "SELECT c.batch_id, b.state FROM subsidy_campaigns c JOIN payroll_batches b ON b.id = "
			     "c.batch_id WHERE c.code = $1 AND c.region_code = $2",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, code);
	db_bind_str(st, 2, county);
	if (!(rc = db_step(st, &row, &err)) && row) {
		batch = db_column_int64(st, 0);
		snprintf(state, sizeof state, "%s", db_column_text(st, 1, NULL) ? db_column_text(st, 1, NULL) : "");
	}
	db_finalize(st);
	if (rc)
		goto fail;
	if (!row) {
		char key[160];
		snprintf(key, sizeof key, "one_time:%s:subsidy:%s:%s:0", county, period, code);
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO payroll_batches (batch_key, region_code, programme, period, kind, seq, "
			 "campaign, state, created_by, created_at, updated_at) VALUES ($1, $2, 'subsidy', $3, "
			 "'one_time', 0, $4, 'draft', $5, $6, $6) RETURNING id",
			 0, &st, &err)))
			goto fail;
		db_bind_str(st, 1, key);
		db_bind_str(st, 2, county);
		db_bind_str(st, 3, period);
		db_bind_str(st, 4, code);
		db_bind_int64(st, 5, actor->id);
		db_bind_str(st, 6, now);
		if (!(rc = db_step(st, &row, &err)) && row)
			batch = db_column_int64(st, 0);
		db_finalize(st);
		if (rc)
			goto fail;
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO subsidy_campaigns (code, region_code, kind, reference_date, period, batch_id, "
			 "created_by, created_at) VALUES ($1, $2, 'one_time', $3, $4, $5, $6, $7)",
			 0, &st, &err)))
			goto fail;
		db_bind_str(st, 1, code);
		db_bind_str(st, 2, county);
		db_bind_str(st, 3, reference_date);
		db_bind_str(st, 4, period);
		db_bind_int64(st, 5, batch);
		db_bind_int64(st, 6, actor->id);
		db_bind_str(st, 7, now);
		rc = db_run(st, &err);
		db_finalize(st);
		if (rc)
			goto fail;
		created = true;
		snprintf(state, sizeof state, "draft");
	}
	int64_t added[3] = {0, 0, 0};
	for (int i = 0; strcmp(state, "draft") == 0 && i < 3; i++) {
		if (amounts[i] <= 0)
			continue;
		if ((rc = db_prepare(db, i == 0 ? tekun_sql : dibao_sql, 0, &st, &err)))
			goto fail;
		db_bind_int64(st, 1, batch);
		db_bind_str(st, 2, code);
		db_bind_str(st, 3, categories[i]);
		db_bind_str(st, 4, period);
		db_bind_int64(st, 5, amounts[i]);
		db_bind_str(st, 6, now);
		db_bind_str(st, 7, lo);
		db_bind_str(st, 8, hi);
		db_bind_str(st, 9, reference_date);
		db_bind_str(st, 10, ref_month);
		rc = db_run(st, &err);
		added[i] = rc ? 0 : db_changes(st);
		db_finalize(st);
		if (rc)
			goto fail;
	}
	int64_t count = 0, total = 0;
	if ((rc = one_int(db,
			  "SELECT count(*), COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1 AND state <> "
			  "'withheld' AND state <> 'cancelled'",
			  batch, &count, &total, &err)))
		goto fail;
	int64_t all_added = added[0] + added[1] + added[2];
	if (all_added || created) {
		if ((rc = db_prepare(
			 db,
			 "UPDATE payroll_batches SET payments_count = $1, total_amount = $2, updated_at = $3 "
			 "WHERE id = $4",
			 0, &st, &err)))
			goto fail;
		db_bind_int64(st, 1, count);
		db_bind_int64(st, 2, total);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, batch);
		rc = db_run(st, &err);
		db_finalize(st);
		if (rc)
			goto fail;
		char id_text[24], detail[400], m[MONEY_TEXT_MAX];
		money_format(total, m);
		snprintf(id_text, sizeof id_text, "%lld", (long long)batch);
		snprintf(detail, sizeof detail,
			 "{\"campaign\":\"%s\",\"reference_date\":\"%s\",\"period\":\"%s\",\"added\":{\"tekun\":%lld,"
			 "\"dibao_urban\":%lld,\"dibao_rural\":%lld},\"payments\":%lld,\"total\":\"%s\"}",
			 code, reference_date, period, (long long)added[0], (long long)added[1], (long long)added[2],
			 (long long)count, m);
		if ((rc = audit_append_region(db, county, actor->username, "payroll.campaign", "payroll_batch", id_text,
					      detail, &err)))
			goto fail;
	}
	if ((rc = db_commit(db, &err)))
		goto fail;
	char m[MONEY_TEXT_MAX];
	money_format(total, m);
	strbuf_addf(out,
		    "{\"campaign\":\"%s\",\"region\":\"%s\",\"batch_id\":%lld,\"created\":%s,\"added\":%lld,"
		    "\"payments\":%lld,\"total\":\"%s\",\"categories\":[",
		    code, county, (long long)batch, created ? "true" : "false", (long long)all_added, (long long)count,
		    m);
	for (int i = 0; i < 3; i++) {
		char a[MONEY_TEXT_MAX];
		money_format(amounts[i], a);
		strbuf_addf(out, "%s{\"category\":\"%s\",\"amount\":\"%s\",\"added\":%lld}", i ? "," : "",
			    categories[i], a, (long long)added[i]);
	}
	strbuf_adds(out, "]}");
	return SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}
