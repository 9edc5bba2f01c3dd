/* epidemic_aid.c - epidemic patient aid and staged temporary assistance as
 * bank payments (epidemic_aid.h). */
#include "epidemic_aid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil_date.h"
#include "core/epidemic.h"
#include "core/money.h"
#include "core/payroll.h"
#include "core/region.h"
#include "payroll.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

/* in force on date $2 ($3 its month) for person $1 (SQLite numbers the
 * parameters by first appearance: keep them in order) */
#define LINE_IN_FORCE                                                                                                  \
	"l.amount > 0 AND d.effective_from <= $2 AND (d.effective_to IS NULL OR d.effective_to > $2) AND "             \
	"(l.component <> 'gradual_exit' OR d.gradual_exit_until IS NULL OR d.gradual_exit_until >= $3)"

/* The recipient's basis and household on the date: tekun first, then a
 * dibao single-person line, then membership of a household with a dibao
 * household line. */
static const char recipient_sql[] =
    "SELECT basis, household_id FROM ("
    "SELECT 'tekun' AS basis, l.household_id, 1 AS rank FROM decision_lines l JOIN decisions d ON d.id = "
    "l.decision_id WHERE l.person_id = $1 AND l.programme = 'tekun' AND " LINE_IN_FORCE
    " UNION ALL SELECT 'dibao', l.household_id, 2 FROM decision_lines l JOIN decisions d ON d.id = l.decision_id "
    "WHERE l.person_id = $1 AND l.programme = 'dibao' AND l.component = 'single_person' AND " LINE_IN_FORCE
    " UNION ALL SELECT 'dibao', m.household_id, 3 FROM memberships m JOIN decision_lines l ON l.household_id = "
    "m.household_id JOIN decisions d ON d.id = l.decision_id WHERE m.person_id = $1 AND m.from_date <= $2 AND "
    "(m.to_date IS NULL OR m.to_date >= $2) AND l.programme = 'dibao' AND (l.component = 'household' OR "
    "l.component = 'gradual_exit') AND " LINE_IN_FORCE ") r WHERE household_id IS NOT NULL ORDER BY rank, "
    "household_id LIMIT 1";

static bool date_arg(const char *s, dd_date *out)
{
	dd_error err;
	return s && strlen(s) == 10 && date_parse(s, 10, out, &err) == DD_OK;
}

static enum svc_kind fail_tx(struct db *db, enum svc_kind k)
{
	db_rollback(db);
	return k;
}

/* The highest period number paid (live payments) of patient id. */
static dd_status periods_paid(struct db *db, int64_t id, int *max_k, int *count, fen_t *amount, dd_error *err)
{
	char like[48];
	snprintf(like, sizeof like, "epidemic:%lld:%%", (long long)id);
	struct db_stmt *st;
	*max_k = 0;
	*count = 0;
	*amount = 0;
	dd_status rc = db_prepare(db,
				  "SELECT dedup_key, amount FROM payments WHERE kind = 'epidemic' AND state <> "
				  "'cancelled' AND dedup_key LIKE $1",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, like);
	bool row = false;
	while (!(rc = db_step(st, &row, err)) && row) {
		const char *k = db_column_text(st, 0, NULL);
		const char *c = k ? strrchr(k, ':') : NULL;
		int v = c ? (int)strtol(c + 1, NULL, 10) : 0;
		if (v > *max_k)
			*max_k = v;
		(*count)++;
		*amount += db_column_int64(st, 1);
	}
	db_finalize(st);
	return rc;
}

static enum svc_kind patient_json(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
				  struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(
	    db,
	    "SELECT e.person_id, p.name, e.household_id, e.region_code, e.area, e.basis, e.diagnosed_on, "
	    "e.discharged_on, e.standard, e.multiple, e.version, e.note FROM epidemic_patients e JOIN persons p ON "
	    "p.id = e.person_id WHERE e.id = $1",
	    0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	if ((rc = db_step(st, &row, &err)) || !row) {
		db_finalize(st);
		return rc ? svc_store_fail(e, db, rc, &err)
			  : svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "id", "没有这条确诊患者记录");
	}
	char region[REGION_TEXT_MAX + 8], sig[REGION_TEXT_MAX];
	db_column_copy(st, 3, region, sizeof region);
	region_significant(region, strlen(region), sig);
	enum svc_kind k = payroll_authz_read(actor, sig, e);
	if (k) {
		db_finalize(st);
		return k;
	}
	fen_t standard = db_column_int64(st, 8);
	int64_t multiple = db_column_int64(st, 9);
	strbuf_addf(out, "{\"id\":%lld,\"person_id\":%lld", (long long)id, (long long)db_column_int64(st, 0));
	strbuf_add_json_member_text(out, "name", db_column_text(st, 1, NULL));
	strbuf_addf(out, ",\"household_id\":%lld", (long long)db_column_int64(st, 2));
	strbuf_add_json_member_text(out, "region", region);
	strbuf_add_json_member_text(out, "area", db_column_text(st, 4, NULL));
	strbuf_add_json_member_text(out, "basis", db_column_text(st, 5, NULL));
	strbuf_add_json_member_text(out, "diagnosed_on", db_column_text(st, 6, NULL));
	strbuf_add_json_member_text(out, "discharged_on", db_column_text(st, 7, NULL));
	strbuf_add_json_member_money(out, "standard", standard);
	strbuf_addf(out, ",\"multiple\":%lld", (long long)multiple);
	strbuf_add_json_member_money(out, "period_amount", standard * multiple);
	strbuf_add_json_member_text(out, "note", db_column_text(st, 11, NULL));
	int64_t version = db_column_int64(st, 10);
	db_finalize(st);
	int max_k, count;
	fen_t paid;
	if ((rc = periods_paid(db, id, &max_k, &count, &paid, &err)))
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, ",\"periods_paid\":%d", count);
	strbuf_add_json_member_money(out, "amount_paid", paid);
	strbuf_addf(out, ",\"version\":%lld}", (long long)version);
	return SVC_OK;
}

enum svc_kind epidemic_patient_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
				   struct svc_error *e)
{
	return patient_json(db, actor, id, out, e);
}

enum svc_kind epidemic_patient_add(struct db *db, const struct principal *actor, const struct policy *policy,
				   int64_t person_id, const char *diagnosed_on, const char *discharged_on,
				   const char *note, struct strbuf *out, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "确诊患者由区县民政局登记");
	if (person_id <= 0)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "person_id", "缺少患者的人员编号 person_id");
	dd_date diag, dis = 0, today = store_today();
	if (!date_arg(diagnosed_on, &diag))
		return svc_fail(e, SVC_BAD_INPUT, diagnosed_on ? "BAD_DATE" : "MISSING_FIELD", "diagnosed_on",
				"确诊日期 diagnosed_on 须为 YYYY-MM-DD 格式的有效日期");
	if (diag > today)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "diagnosed_on", "确诊日期不能晚于今天");
	if (discharged_on && !date_arg(discharged_on, &dis))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "discharged_on",
				"出院日期 discharged_on 须为 YYYY-MM-DD 格式的有效日期");
	if (discharged_on && dis < diag)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "discharged_on", "出院日期不能早于确诊日期");
	if (discharged_on && dis > today)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "discharged_on", "出院日期不能晚于今天");
	if (note && strlen(note) > 2000)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "note", "备注不能超过 2000 字节");
	if (!policy)
		return svc_fail(e, SVC_INTERNAL, "NO_POLICY", NULL, "未加载政策参数");
	char month[8];
	memcpy(month, diagnosed_on, 7);
	month[7] = '\0';
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct db_stmt *st;
	bool row = false;
	/* the person, in scope */
	char pregion[REGION_TEXT_MAX + 8] = "", sig[REGION_TEXT_MAX];
	if ((rc = db_prepare(db, "SELECT region_code FROM persons WHERE id = $1", 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, person_id);
	if (!(rc = db_step(st, &row, &err)) && row)
		db_column_copy(st, 0, pregion, sizeof pregion);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	region_significant(pregion, strlen(pregion), sig);
	if (!row || !authz_in_scope(actor, sig))
		return fail_tx(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "person_id", "人员登记中没有这个人员"));
	/* a recipient on the diagnosis date */
	char basis[8] = "";
	int64_t household = 0;
	if ((rc = db_prepare(db, recipient_sql, 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, person_id);
	db_bind_str(st, 2, diagnosed_on);
	db_bind_str(st, 3, month);
	if (!(rc = db_step(st, &row, &err)) && row) {
		db_column_copy(st, 0, basis, sizeof basis);
		household = db_column_int64(st, 1);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return fail_tx(db, svc_fail(e, SVC_RULE, "NOT_RECIPIENT", "person_id",
					    "该人员在确诊日 %s 不是低保或特困供养对象（以当日有效的审批决定为准），"
					    "不能按确诊患者救助发放；困境儿童、建档立卡贫困人口等请按临时救助办理",
					    diagnosed_on));
	char hregion[REGION_TEXT_MAX + 8] = "", area[8] = "", hsig[REGION_TEXT_MAX];
	if ((rc = db_prepare(db, "SELECT region_code, area FROM households WHERE id = $1", 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, household);
	if (!(rc = db_step(st, &row, &err)) && row) {
		db_column_copy(st, 0, hregion, sizeof hregion);
		db_column_copy(st, 1, area, sizeof area);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	region_significant(hregion, strlen(hregion), hsig);
	if (!row || !authz_in_scope(actor, hsig))
		return fail_tx(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "person_id", "人员登记中没有这个人员"));
	/* no overlapping stay */
	int64_t overlap = 0;
	if ((rc = db_prepare(db,
			     "SELECT count(*) FROM epidemic_patients WHERE person_id = $1 AND diagnosed_on <= $2 AND "
			     "(discharged_on IS NULL OR discharged_on >= $3)",
			     0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, person_id);
	db_bind_str(st, 2, discharged_on ? discharged_on : "9999-12-31");
	db_bind_str(st, 3, diagnosed_on);
	if (!(rc = db_step(st, &row, &err)) && row)
		overlap = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (overlap)
		return fail_tx(db, svc_fail(e, SVC_CONFLICT, "OVERLAPPING_STAY", "diagnosed_on",
					    "该人员已有与此住院期间重叠的确诊记录"));
	/* S and the multiple in force on the diagnosis date */
	char name[32];
	snprintf(name, sizeof name, "dibao.standard.%s", area);
	const struct policy_entry *s_en = policy_lookup(policy, name, hsig, diag);
	const struct policy_entry *m_en = policy_lookup(policy, "temp.covid_multiple", hsig, diag);
	fen_t per = 0;
	if (!s_en || !m_en || epidemic_period_amount(s_en->value.i, m_en->value.i, &per, &err))
		return fail_tx(
		    db, svc_fail(e, SVC_RULE, "NO_STANDARD", "diagnosed_on",
				 "政策参数中没有确诊日适用于该户的低保标准或患病救助倍数（temp.covid_multiple）"));
	char now[STORE_TIME_MAX];
	store_now(now);
	int64_t id = 0;
	if ((rc = db_prepare(db,
			     "INSERT INTO epidemic_patients (person_id, household_id, region_code, area, basis, "
			     "diagnosed_on, discharged_on, standard, multiple, note, created_by, created_at, "
			     "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
			     0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, person_id);
	db_bind_int64(st, 2, household);
	db_bind_str(st, 3, hregion);
	db_bind_str(st, 4, area);
	db_bind_str(st, 5, basis);
	db_bind_str(st, 6, diagnosed_on);
	db_bind_str(st, 7, discharged_on);
	db_bind_int64(st, 8, s_en->value.i);
	db_bind_int64(st, 9, m_en->value.i);
	db_bind_str(st, 10, note);
	db_bind_int64(st, 11, actor->id);
	db_bind_str(st, 12, now);
	if (!(rc = db_step(st, &row, &err)) && row)
		id = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char detail[320], id_text[24], s_text[MONEY_TEXT_MAX];
	money_format(s_en->value.i, s_text);
	snprintf(detail, sizeof detail,
		 "{\"person_id\":%lld,\"household_id\":%lld,\"basis\":\"%s\",\"diagnosed_on\":\"%s\","
		 "\"discharged_on\":%s%s%s,\"standard\":\"%s\",\"multiple\":%lld}",
		 (long long)person_id, (long long)household, basis, diagnosed_on, discharged_on ? "\"" : "",
		 discharged_on ? discharged_on : "null", discharged_on ? "\"" : "", s_text, (long long)m_en->value.i);
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	if ((rc = audit_append_region(db, hsig, actor->username, "epidemic_patient.create", "epidemic_patient", id_text,
				      detail, &err)) ||
	    (rc = db_commit(db, &err)))
		return svc_store_fail(e, db, rc, &err);
	return patient_json(db, actor, id, out, e);
}

enum svc_kind epidemic_patient_discharge(struct db *db, const struct principal *actor, int64_t id,
					 const char *discharged_on, struct strbuf *out, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "确诊患者的出院日期由区县民政局登记");
	dd_date dis, diag;
	if (!date_arg(discharged_on, &dis))
		return svc_fail(e, SVC_BAD_INPUT, discharged_on ? "BAD_DATE" : "MISSING_FIELD", "discharged_on",
				"出院日期 discharged_on 须为 YYYY-MM-DD 格式的有效日期");
	if (dis > store_today())
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "discharged_on", "出院日期不能晚于今天");
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct db_stmt *st;
	bool row = false;
	char region[REGION_TEXT_MAX + 8] = "", sig[REGION_TEXT_MAX], diag_text[16] = "";
	bool open = false;
	if ((rc = db_prepare(db, "SELECT region_code, diagnosed_on, discharged_on FROM epidemic_patients WHERE id = $1",
			     0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	if (!(rc = db_step(st, &row, &err)) && row) {
		db_column_copy(st, 0, region, sizeof region);
		db_column_copy(st, 1, diag_text, sizeof diag_text);
		open = db_column_is_null(st, 2);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	region_significant(region, strlen(region), sig);
	if (!row || !authz_in_scope(actor, sig))
		return fail_tx(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "id", "没有这条确诊患者记录"));
	if (!open)
		return fail_tx(db,
			       svc_fail(e, SVC_RULE, "ALREADY_DISCHARGED", "discharged_on", "该患者已登记出院日期"));
	if (!date_arg(diag_text, &diag))
		return fail_tx(db, svc_fail(e, SVC_INTERNAL, "BAD_RECORD", NULL, "确诊日期记录无效"));
	int periods = 0;
	if (epidemic_periods(diag, true, dis, dis, &periods, &err))
		return fail_tx(db, svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "discharged_on",
					    "出院日期不能早于确诊日期 %s", diag_text));
	int max_k, count;
	fen_t paid;
	if ((rc = periods_paid(db, id, &max_k, &count, &paid, &err)))
		return svc_store_fail(e, db, rc, &err);
	if (max_k > periods)
		return fail_tx(db, svc_fail(e, SVC_RULE, "PERIODS_PAID", "discharged_on",
					    "按此出院日期只有 %d 个救助期，但已发放到第 %d 期；请先作废相关发放批次",
					    periods, max_k));
	char now[STORE_TIME_MAX];
	store_now(now);
	if ((rc = db_prepare(db,
			     "UPDATE epidemic_patients SET discharged_on = $1, updated_at = $2, version = version + 1 "
			     "WHERE id = $3",
			     0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, discharged_on);
	db_bind_str(st, 2, now);
	db_bind_int64(st, 3, id);
	rc = db_run(st, &err);
	db_finalize(st);
	char detail[96], id_text[24];
	snprintf(detail, sizeof detail, "{\"discharged_on\":\"%s\",\"periods\":%d}", discharged_on, periods);
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	if (rc ||
	    (rc = audit_append_region(db, sig, actor->username, "epidemic_patient.discharge", "epidemic_patient",
				      id_text, detail, &err)) ||
	    (rc = db_commit(db, &err)))
		return svc_store_fail(e, db, rc, &err);
	return patient_json(db, actor, id, out, e);
}

/* --- generation ------------------------------------------------------------- */

/* One payment to add. */
struct due {
	int64_t household, person, stage; /* stage: temporary only */
	char region[REGION_TEXT_MAX + 8];
	char key[64], component[48];
	char bank_name[128], bank_account[64];
	fen_t amount;
};

struct dues {
	struct due *v;
	size_t n, cap;
	int64_t no_payee;
};

static struct due *due_push(struct dues *d, dd_error *err)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 32;
		void *p = realloc(d->v, nc * sizeof *d->v);
		if (!p) {
			dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
			return NULL;
		}
		d->v = p;
		d->cap = nc;
	}
	struct due *x = &d->v[d->n++];
	memset(x, 0, sizeof *x);
	return x;
}

static dd_status live_key(struct db *db, const char *key, bool *live, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT 1 FROM payments WHERE dedup_key = $1 AND (kind = 'epidemic' OR kind = 'temporary') AND state <> "
	    "'cancelled'",
	    &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, key);
	rc = db_step(st, live, err);
	db_finalize(st);
	return rc;
}

/* The epidemic periods fallen due by last_day with no live payment. */
static dd_status epidemic_dues(struct db *db, const char *lo, const char *hi, const char *last_day, struct dues *d,
			       dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    db,
	    "SELECT e.id, e.person_id, e.household_id, e.region_code, e.diagnosed_on, e.discharged_on, e.standard * "
	    "e.multiple, p.death_date, p.bank_name, p.bank_account FROM epidemic_patients e JOIN persons p ON p.id = "
	    "e.person_id WHERE e.region_code >= $1 AND e.region_code < $2 AND e.diagnosed_on <= $3 ORDER BY e.id",
	    0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, last_day);
	dd_date end;
	if (!date_arg(last_day, &end)) {
		db_finalize(st);
		return dd_fail(err, DD_EINVAL, "period", "发放月份无效");
	}
	size_t first = d->n;
	bool row = false;
	while (!(rc = db_step(st, &row, err)) && row) {
		dd_date diag, dis = 0, death = 0;
		const char *diag_t = db_column_text(st, 4, NULL), *dis_t = db_column_text(st, 5, NULL),
			   *death_t = db_column_text(st, 7, NULL);
		if (!date_arg(diag_t, &diag))
			continue;
		bool has_dis = date_arg(dis_t, &dis);
		dd_date last = end;
		if (death_t && date_arg(death_t, &death) && death < last)
			last = death; /* a period begun on or before the day of death counts */
		int n = 0;
		if (epidemic_periods(diag, has_dis, dis, last, &n, err))
			continue;
		int64_t id = db_column_int64(st, 0);
		for (int k = 1; k <= n; k++) {
			struct due *x = due_push(d, err);
			if (!x) {
				rc = DD_ENOMEM;
				break;
			}
			x->person = db_column_int64(st, 1);
			x->household = db_column_int64(st, 2);
			db_column_copy(st, 3, x->region, sizeof x->region);
			x->amount = db_column_int64(st, 6);
			db_column_copy(st, 8, x->bank_name, sizeof x->bank_name);
			db_column_copy(st, 9, x->bank_account, sizeof x->bank_account);
			snprintf(x->key, sizeof x->key, "epidemic:%lld:%d", (long long)id, k);
			snprintf(x->component, sizeof x->component, "epidemic:%lld:%d", (long long)id, k);
		}
		if (rc)
			break;
	}
	db_finalize(st);
	if (rc)
		return rc;
	/* keep the ones not paid yet */
	size_t w = first;
	for (size_t i = first; i < d->n; i++) {
		bool live = false;
		if ((rc = live_key(db, d->v[i].key, &live, err)))
			return rc;
		if (!live)
			d->v[w++] = d->v[i];
	}
	d->n = w;
	return DD_OK;
}

/* The stages fallen due by month (stage n: approval month + n − 1) that are
 * neither paid in cash nor in a live payment. */
static dd_status temporary_dues(struct db *db, const char *lo, const char *hi, const char *period, struct dues *d,
				dd_error *err)
{
	dd_month m;
	if (month_parse(period, 7, &m, err))
		return DD_EINVAL;
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    db,
	    "SELECT s.id, s.amount, s.seq, t.approved_at, a.household_id FROM temporary_stages s JOIN temporary_cases "
	    "t ON t.application_id = s.application_id JOIN applications a ON a.id = s.application_id WHERE "
	    "s.region_code >= $1 AND s.region_code < $2 AND s.state = 'planned' AND a.state = 'approved' AND "
	    "t.approved_at IS NOT NULL AND (s.payment_id IS NULL OR EXISTS (SELECT 1 FROM payments y WHERE y.id = "
	    "s.payment_id AND y.state = 'cancelled')) ORDER BY s.id",
	    0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	bool row = false;
	size_t first = d->n;
	while (!(rc = db_step(st, &row, err)) && row) {
		const char *at = db_column_text(st, 3, NULL);
		dd_month am;
		dd_error e2;
		if (!at || strlen(at) < 7 || month_parse(at, 7, &am, &e2))
			continue;
		if (am + db_column_int64(st, 2) - 1 > m)
			continue; /* not due yet */
		struct due *x = due_push(d, err);
		if (!x) {
			rc = DD_ENOMEM;
			break;
		}
		x->stage = db_column_int64(st, 0);
		x->amount = db_column_int64(st, 1);
		x->household = db_column_is_null(st, 4) ? 0 : db_column_int64(st, 4);
		snprintf(x->key, sizeof x->key, "temporary:stage:%lld", (long long)x->stage);
		snprintf(x->component, sizeof x->component, "stage:%lld", (long long)x->stage);
	}
	db_finalize(st);
	if (rc)
		return rc;
	/* the payee: the household's head */
	size_t w = first;
	for (size_t i = first; i < d->n; i++) {
		struct due *x = &d->v[i];
		row = false;
		if (x->household) {
			if ((rc = db_prepare_cached(
				 db,
				 "SELECT m.person_id, h.region_code, p.bank_name, p.bank_account FROM memberships m "
				 "JOIN "
				 "households h ON h.id = m.household_id JOIN persons p ON p.id = m.person_id WHERE "
				 "m.household_id = $1 AND m.relation = 'head' AND m.to_date IS NULL ORDER BY "
				 "m.from_date "
				 "DESC LIMIT 1",
				 &st, err)))
				return rc;
			db_bind_int64(st, 1, x->household);
			if (!(rc = db_step(st, &row, err)) && row) {
				x->person = db_column_int64(st, 0);
				db_column_copy(st, 1, x->region, sizeof x->region);
				db_column_copy(st, 2, x->bank_name, sizeof x->bank_name);
				db_column_copy(st, 3, x->bank_account, sizeof x->bank_account);
			}
			db_finalize(st);
			if (rc)
				return rc;
		}
		if (!row) {
			d->no_payee++;
			continue;
		}
		d->v[w++] = *x;
	}
	d->n = w;
	return DD_OK;
}

static dd_status batch_for(struct db *db, const char *kind, const char *county, const char *period, int64_t actor_id,
			   const char *now, int64_t *batch, bool *created, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*batch = 0;
	*created = false;
	dd_status rc = db_prepare(db,
				  "SELECT id FROM payroll_batches WHERE region_code = $1 AND period = $2 AND kind = $3 "
				  "AND state = 'draft' ORDER BY seq DESC LIMIT 1",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, county);
	db_bind_str(st, 2, period);
	db_bind_str(st, 3, kind);
	if (!(rc = db_step(st, &row, err)) && row)
		*batch = db_column_int64(st, 0);
	db_finalize(st);
	if (rc || row)
		return rc;
	int64_t seq = 0;
	if ((rc =
		 db_prepare(db,
			    "SELECT COALESCE(max(seq) + 1, 0) FROM payroll_batches WHERE region_code = $1 AND period = "
			    "$2 AND kind = $3",
			    0, &st, err)))
		return rc;
	db_bind_str(st, 1, county);
	db_bind_str(st, 2, period);
	db_bind_str(st, 3, kind);
	if (!(rc = db_step(st, &row, err)) && row)
		seq = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return rc;
	char key[96];
	snprintf(key, sizeof key, "%s:%s:temporary:%s:%lld", kind, county, period, (long long)seq);
	if ((rc =
		 db_prepare(db,
			    "INSERT INTO payroll_batches (batch_key, region_code, programme, period, kind, seq, state, "
			    "created_by, created_at, updated_at) VALUES ($1, $2, 'temporary', $3, $4, $5, 'draft', $6, "
			    "$7, $7) RETURNING id",
			    0, &st, err)))
		return rc;
	db_bind_str(st, 1, key);
	db_bind_str(st, 2, county);
	db_bind_str(st, 3, period);
	db_bind_str(st, 4, kind);
	db_bind_int64(st, 5, seq);
	if (actor_id)
		db_bind_int64(st, 6, actor_id);
	else
		db_bind_null(st, 6);
	db_bind_str(st, 7, now);
	if (!(rc = db_step(st, &row, err)) && row)
		*batch = db_column_int64(st, 0);
	db_finalize(st);
	*created = !rc;
	return rc;
}

/* One county: its dues, the batch, the payments, the totals, the audit row. */
static dd_status county_run(struct db *db, const struct principal *actor, const char *kind, const char *county,
			    const char *period, const char *last_day, struct strbuf *out, bool *first,
			    int64_t *added_all, fen_t *added_total_all, int64_t *no_payee, dd_error *err)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX];
	store_region_range(county, lo, hi);
	store_now(now);
	bool epidemic = strcmp(kind, "epidemic") == 0;
	struct dues d = {0};
	dd_status rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = epidemic ? epidemic_dues(db, lo, hi, last_day, &d, err) : temporary_dues(db, lo, hi, period, &d, err);
	int64_t batch = 0;
	bool created = false;
	fen_t added_total = 0;
	struct db_stmt *st;
	bool row = false;
	if (!rc && d.n > 0)
		rc = batch_for(db, kind, county, period, actor ? actor->id : 0, now, &batch, &created, err);
	for (size_t i = 0; !rc && i < d.n; i++) {
		struct due *x = &d.v[i];
		if ((rc = db_prepare_cached(
			 db,
			 "INSERT INTO payments (batch_id, household_id, person_id, region_code, programme, kind, "
			 "component, category, period, amount, dedup_key, state, bank_name, bank_account, created_at, "
			 "updated_at) VALUES ($1, $2, $3, $4, 'temporary', $5, $6, $5, $7, $8, $9, 'pending', $10, "
			 "$11, "
			 "$12, $12) RETURNING id",
			 &st, err)))
			break;
		db_bind_int64(st, 1, batch);
		db_bind_int64(st, 2, x->household);
		db_bind_int64(st, 3, x->person);
		db_bind_str(st, 4, x->region);
		db_bind_str(st, 5, kind);
		db_bind_str(st, 6, x->component);
		db_bind_str(st, 7, period);
		db_bind_int64(st, 8, x->amount);
		db_bind_str(st, 9, x->key);
		db_bind_str(st, 10, x->bank_name[0] ? x->bank_name : NULL);
		db_bind_str(st, 11, x->bank_account[0] ? x->bank_account : NULL);
		db_bind_str(st, 12, now);
		int64_t pid = 0;
		if (!(rc = db_step(st, &row, err)) && row)
			pid = db_column_int64(st, 0);
		db_finalize(st);
		added_total += x->amount;
		if (!rc && x->stage) {
			if ((rc = db_prepare_cached(
				 db,
				 "UPDATE temporary_stages SET payment_id = $1, updated_at = $2, version "
				 "= version + 1 WHERE id = $3",
				 &st, err)))
				break;
			db_bind_int64(st, 1, pid);
			db_bind_str(st, 2, now);
			db_bind_int64(st, 3, x->stage);
			rc = db_run(st, err);
			db_finalize(st);
		}
	}
	/* the county's batch of the kind for the month (the newest), for the answer */
	int64_t count = 0;
	fen_t total = 0;
	if (!rc && !batch) {
		if (!(rc = db_prepare(
			  db,
			  "SELECT id FROM payroll_batches WHERE region_code = $1 AND period = $2 AND kind = $3 "
			  "AND state <> 'cancelled' ORDER BY seq DESC LIMIT 1",
			  0, &st, err))) {
			db_bind_str(st, 1, county);
			db_bind_str(st, 2, period);
			db_bind_str(st, 3, kind);
			if (!(rc = db_step(st, &row, err)) && row)
				batch = db_column_int64(st, 0);
			db_finalize(st);
		}
	}
	if (!rc && batch) {
		if (!(rc = db_prepare(db,
				      "SELECT count(*), COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1 AND "
				      "state <> 'withheld' AND state <> 'cancelled'",
				      0, &st, err))) {
			db_bind_int64(st, 1, batch);
			if (!(rc = db_step(st, &row, err)) && row) {
				count = db_column_int64(st, 0);
				total = db_column_int64(st, 1);
			}
			db_finalize(st);
		}
	}
	char m[MONEY_TEXT_MAX], am[MONEY_TEXT_MAX];
	money_format(total, m);
	money_format(added_total, am);
	if (!rc && d.n > 0) {
		if (!(rc = db_prepare(
			  db,
			  "UPDATE payroll_batches SET payments_count = $1, total_amount = $2, updated_at = $3, "
			  "version = version + 1 WHERE id = $4",
			  0, &st, err))) {
			db_bind_int64(st, 1, count);
			db_bind_int64(st, 2, total);
			db_bind_str(st, 3, now);
			db_bind_int64(st, 4, batch);
			rc = db_run(st, err);
			db_finalize(st);
		}
		char detail[256], id_text[24];
		snprintf(detail, sizeof detail,
			 "{\"period\":\"%s\",\"created\":%s,\"added\":%lld,\"added_total\":\"%s\",\"payments\":%lld,"
			 "\"total\":\"%s\"}",
			 period, created ? "true" : "false", (long long)d.n, am, (long long)count, m);
		snprintf(id_text, sizeof id_text, "%lld", (long long)batch);
		if (!rc)
			rc = audit_append_region(db, county, actor ? actor->username : "scheduler",
						 epidemic ? "payroll.epidemic" : "payroll.temporary", "payroll_batch",
						 id_text, detail, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		free(d.v);
		return rc;
	}
	if (batch) {
		strbuf_addf(
		    out,
		    "%s{\"region\":\"%s\",\"batch_id\":%lld,\"created\":%s,\"added\":%lld,\"added_total\":\"%s\","
		    "\"payments\":%lld,\"total\":\"%s\"}",
		    *first ? "" : ",", county, (long long)batch, created ? "true" : "false", (long long)d.n, am,
		    (long long)count, m);
		*first = false;
	}
	*added_all += (int64_t)d.n;
	*added_total_all += added_total;
	*no_payee += d.no_payee;
	free(d.v);
	return DD_OK;
}

enum svc_kind payroll_aid_run(struct db *db, const struct principal *actor, const char *kind, const char *region,
			      const char *period, struct strbuf *out, struct svc_error *e)
{
	if (actor && actor->role != ROLE_COUNTY && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政局和系统管理员可以生成发放名册");
	if (!kind || (strcmp(kind, "epidemic") != 0 && strcmp(kind, "temporary") != 0))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_KIND", "kind",
				"类型须为 epidemic（患病救助）或 temporary（分阶段临时救助）");
	char first_day[11];
	if (!payroll_period_parse(period, first_day))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份须为 YYYY-MM 格式的有效月份");
	char sig[REGION_TEXT_MAX];
	dd_error err;
	dd_error_clear(&err);
	if (!region || region_parse(region, strlen(region), 2, sig, &err) || region_level(sig) > 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为区县或更高级别的行政区划代码");
	if (actor && !authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	dd_date d0;
	if (date_parse(first_day, 10, &d0, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "发放月份无效");
	char last_day[DATE_TEXT_MAX];
	date_format(date_add_months(d0, 1) - 1, last_day);
	/* the counties under region */
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(sig, lo, hi);
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    db, "SELECT code FROM regions WHERE level = 3 AND code >= $1 AND code < $2 ORDER BY code", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	char(*counties)[REGION_TEXT_MAX] = NULL;
	size_t n = 0, cap = 0;
	bool row = false;
	while (!(rc = db_step(st, &row, &err)) && row) {
		const char *c = db_column_text(st, 0, NULL);
		if (!c || strlen(c) != 6)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *p = realloc(counties, nc * sizeof *counties);
			if (!p) {
				rc = dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)");
				break;
			}
			counties = p;
			cap = nc;
		}
		memcpy(counties[n++], c, 7);
	}
	db_finalize(st);
	if (rc) {
		free(counties);
		return svc_store_fail(e, db, rc, &err);
	}
	if (n == 0) {
		free(counties);
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "该地区下没有区县");
	}
	strbuf_addf(out, "{\"kind\":\"%s\",\"region\":\"%s\",\"period\":\"%s\",\"counties\":[", kind, sig, period);
	bool first = true;
	int64_t added = 0, no_payee = 0;
	fen_t added_total = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = county_run(db, actor, kind, counties[i], period, last_day, out, &first, &added, &added_total,
				&no_payee, &err);
	free(counties);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char m[MONEY_TEXT_MAX];
	money_format(added_total, m);
	strbuf_addf(out, "],\"added\":%lld,\"added_total\":\"%s\"", (long long)added, m);
	if (strcmp(kind, "temporary") == 0)
		strbuf_addf(out, ",\"no_payee\":%lld", (long long)no_payee);
	strbuf_addc(out, '}');
	return SVC_OK;
}
