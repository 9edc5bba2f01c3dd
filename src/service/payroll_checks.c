/* payroll_checks.c - the checks before approval (payroll_checks.h). Each check
 * is one SELECT over the batch's payments; the rows found (few) are
 * collected, given their Chinese detail here, and inserted with ON CONFLICT
 * DO NOTHING on (batch_id, finding_key), so a re-run adds only new ones. */
#include "payroll_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil_date.h"
#include "core/idnum.h"
#include "core/money.h"
#include "core/payroll.h"
#include "core/region.h"
#include "payroll.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

static const struct {
	const char *code, *zh;
} check_names[] = {
    {"exclusive_decisions", "互斥待遇重复享受"},
    {"paid_twice", "同月重复发放"},
    {"deceased", "收款人已死亡"},
    {"exited", "收款人已不在户内"},
    {"shared_account", "多户共用银行账户"},
    {"over_limit", "金额超过标准上限"},
    {"staff_relative", "工作人员近亲属"},
};
#define N_CHECKS (sizeof check_names / sizeof check_names[0])

const char *payroll_check_zh(const char *check)
{
	for (size_t i = 0; check && i < N_CHECKS; i++)
		if (strcmp(check, check_names[i].code) == 0)
			return check_names[i].zh;
	return "";
}

/* --- the checks ------------------------------------------------------------ */

/* The SQL parameters of a check are named by letters in the order they
 * first appear ($1, $2 …; SQLite numbers them by first appearance): b the
 * batch, p the period YYYY-MM, f the month's first day, n the next month's. */
#define BASE(b) "y.batch_id = " b " AND y.amount > 0 AND y.state <> 'cancelled' AND y.person_id IS NOT NULL"
#define MEMBER_IN_MONTH(m, f, n) "(" m ".to_date IS NULL OR " m ".to_date >= " f ") AND " m ".from_date < " n
/* a dibao household (or gradual-exit) line in force for the month in household h */
#define DIBAO_HOUSEHOLD_LINE(h, p, f)                                                                                  \
	"EXISTS (SELECT 1 FROM decisions d JOIN decision_lines l ON l.decision_id = d.id WHERE d.household_id = " h    \
	" AND l.programme = 'dibao' AND (l.component = 'household' OR l.component = 'gradual_exit') "                  \
	"AND l.amount > 0 AND d.effective_from <= " f " AND (d.effective_to IS NULL OR d.effective_to > " f ") "       \
	"AND (l.component <> 'gradual_exit' OR d.gradual_exit_until IS NULL OR d.gradual_exit_until >= " p "))"
/* one kind of benefit: the dibao components are one */
#define BENEFIT(x)                                                                                                     \
	"CASE WHEN " x ".component = 'household' OR " x ".component = 'gradual_exit' OR " x                            \
	".component = 'single_person' THEN 'dibao' ELSE " x ".component END"

/* Every query: payment id, person, household, amount, then f1, f2 (text),
 * f3, f4 (integers) as the check's detail uses them. */
static const struct check_sql {
	const char *code;
	const char *sql;
	const char *params;
} checks[] = {
    {"exclusive_decisions",
     "SELECT y.id, y.person_id, y.household_id, y.amount, 'tekun', NULL, m.household_id, 0 FROM payments y "
     "JOIN memberships m ON m.person_id = y.person_id WHERE " BASE("$1") " AND y.period = $2 AND " MEMBER_IN_MONTH(
	 "m", "$3",
	 "$4") " AND y.programme = 'tekun' AND " DIBAO_HOUSEHOLD_LINE("m.household_id", "$2",
								      "$3") " UNION ALL SELECT y.id, y.person_id, "
									    "y.household_id, y.amount, "
									    "'single_person', NULL, y.household_id, 0 "
									    "FROM payments y WHERE " BASE(
										"$1") " AND y.component = "
										      "'single_person' "
										      "AND " DIBAO_HOUSEHOLD_LINE("y."
														  "hous"
														  "ehol"
														  "d_"
														  "id",
														  "$2",
														  "$3"),
     "bpfn"},
    {"paid_twice",
     "SELECT id, person_id, household_id, amount, NULL, NULL, n, other FROM (SELECT y.id, y.person_id, "
     "y.household_id, y.amount, (SELECT count(*) FROM payments z WHERE z.person_id = y.person_id AND z.period = "
     "y.period AND z.programme = y.programme AND z.kind <> 'adjustment' AND z.kind <> 'reissue' AND z.state <> "
     "'cancelled' AND z.amount > 0 AND " BENEFIT("z") " = " BENEFIT(
	 "y") ") AS n, (SELECT min(z.batch_id) FROM "
	      "payments z WHERE z.person_id = y.person_id AND z.period = y.period AND z.programme = y.programme AND "
	      "z.kind "
	      "<> 'adjustment' AND z.kind <> 'reissue' AND z.state <> 'cancelled' AND z.amount > 0 AND z.id <> y.id "
	      "AND "
	      "" BENEFIT("z") " = " BENEFIT("y") ") AS other FROM payments y WHERE " BASE(
		  "$1") " AND y.kind <> 'adjustment' AND y.kind <> 'reissue') t WHERE n > 1",
     "b"},
    {"deceased",
     "SELECT y.id, y.person_id, y.household_id, y.amount, p.death_date, NULL, 0, 0 FROM payments y JOIN persons p "
     "ON p.id = y.person_id WHERE " BASE("$1") " AND p.death_date IS NOT NULL AND p.death_date < $2",
     "bn"},
    {"exited",
     "SELECT y.id, y.person_id, y.household_id, y.amount, (SELECT max(m.to_date) FROM memberships m WHERE "
     "m.person_id = y.person_id AND m.household_id = y.household_id), NULL, 0, 0 FROM payments y WHERE " BASE(
	 "$1") " AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = y.person_id AND m.household_id = "
	       "y.household_id AND " MEMBER_IN_MONTH("m", "$2", "$3") ")",
     "bfn"},
    {"shared_account",
     "WITH a AS (SELECT z.bank_account, count(DISTINCT z.household_id) AS households, count(DISTINCT z.person_id) "
     "AS persons FROM payments z WHERE z.bank_account IN (SELECT x.bank_account FROM payments x WHERE x.batch_id = "
     "$1 AND x.bank_account <> '') AND z.period = $2 AND z.state <> 'cancelled' AND z.amount > 0 "
     "GROUP BY z.bank_account HAVING count(DISTINCT z.household_id) > 1 AND count(DISTINCT z.person_id) > 1) "
     "SELECT y.id, y.person_id, y.household_id, y.amount, y.bank_account, NULL, a.households, a.persons FROM "
     "payments y JOIN a ON a.bank_account = y.bank_account WHERE " BASE("$1"),
     "bp"},
    {"staff_relative",
     "SELECT y.id, y.person_id, y.household_id, y.amount, c.staff_name, c.relation, 0, 0 FROM payments y JOIN "
     "persons p ON p.id = y.person_id JOIN close_relatives c ON c.id_number = p.id_number AND c.active = 1 "
     "WHERE " BASE("$1"),
     "b"},
};

struct found {
	const char *check;
	int64_t payment, person, household;
	char *detail;
};

struct run {
	struct db *db;
	const struct policy *policy;
	int64_t batch;
	char region[REGION_TEXT_MAX];
	char period[8], first[DATE_TEXT_MAX], next[DATE_TEXT_MAX];
	dd_date first_date;
	struct found *v;
	size_t n, cap;
	dd_error *err;
};

static dd_status found_add(struct run *r, const char *check, int64_t payment, int64_t person, int64_t household,
			   struct strbuf *detail)
{
	if (detail->failed)
		return dd_fail(r->err, DD_ENOMEM, "payroll", "内存不足 (out of memory)");
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		void *p = realloc(r->v, nc * sizeof *r->v);
		if (!p)
			return dd_fail(r->err, DD_ENOMEM, "payroll", "内存不足 (out of memory)");
		r->v = p;
		r->cap = nc;
	}
	char *d = strdup(detail->buf);
	if (!d)
		return dd_fail(r->err, DD_ENOMEM, "payroll", "内存不足 (out of memory)");
	r->v[r->n++] = (struct found){check, payment, person, household, d};
	return DD_OK;
}

/* {"text":"…","amount":"…",…}: the Chinese text and the figures. */
static void detail_start(struct strbuf *d, const char *text)
{
	strbuf_reset(d);
	strbuf_adds(d, "{\"text\":");
	strbuf_add_json_string_or_null(d, text);
}

static void detail_money(struct strbuf *d, const char *key, fen_t v)
{
	char m[MONEY_TEXT_MAX];
	money_format(v, m);
	strbuf_addf(d, ",\"%s\":\"%s\"", key, m);
}

static void describe(struct run *r, const char *check, fen_t amount, const char *f1, const char *f2, int64_t f3,
		     int64_t f4, struct strbuf *d)
{
	char text[512], m[MONEY_TEXT_MAX];
	money_format(amount, m);
	if (strcmp(check, "exclusive_decisions") == 0) {
		if (f1 && strcmp(f1, "tekun") == 0)
			snprintf(text, sizeof text,
				 "特困供养人员在 %s 同时是享受低保的家庭（户 ID %lld）的在册成员：特困供养与低保不能"
				 "同时享受；本笔发放 %s 元",
				 r->period, (long long)f3, m);
		else
			snprintf(text, sizeof text,
				 "单人保人员所在家庭（户 ID %lld）在 %s 另有整户低保决定：单人保与整户低保不能同时"
				 "享受；本笔发放 %s 元",
				 (long long)f3, r->period, m);
		detail_start(d, text);
		strbuf_addf(d, ",\"kind\":\"%s\",\"other_household_id\":%lld", f1 ? f1 : "", (long long)f3);
	} else if (strcmp(check, "paid_twice") == 0) {
		snprintf(text, sizeof text, "收款人 %s 同一项目共有 %lld 笔基本发放（另见批次 %lld）；本笔 %s 元",
			 r->period, (long long)f3, (long long)f4, m);
		detail_start(d, text);
		strbuf_addf(d, ",\"payments\":%lld,\"other_batch_id\":%lld", (long long)f3, (long long)f4);
	} else if (strcmp(check, "deceased") == 0) {
		snprintf(text, sizeof text, "收款人已于 %s 死亡，仍列入 %s 发放 %s 元", f1 ? f1 : "", r->period, m);
		detail_start(d, text);
		strbuf_adds(d, ",\"death_date\":");
		strbuf_add_json_string_or_null(d, f1);
	} else if (strcmp(check, "exited") == 0) {
		if (f1)
			snprintf(text, sizeof text, "收款人已于 %s 退出该户，%s 不是该户在册成员，仍发放 %s 元", f1,
				 r->period, m);
		else
			snprintf(text, sizeof text, "收款人 %s 不是该户在册成员，仍发放 %s 元", r->period, m);
		detail_start(d, text);
		strbuf_adds(d, ",\"left_on\":");
		strbuf_add_json_string_or_null(d, f1);
	} else if (strcmp(check, "shared_account") == 0) {
		char acct[32];
		payroll_mask_account(f1, acct);
		snprintf(text, sizeof text, "银行账户 %s 在 %s 收取 %lld 户、%lld 名收款人的发放；本笔 %s 元", acct,
			 r->period, (long long)f3, (long long)f4, m);
		detail_start(d, text);
		strbuf_addf(d, ",\"bank_account\":\"%s\",\"households\":%lld,\"payees\":%lld", acct, (long long)f3,
			    (long long)f4);
	} else { /* staff_relative */
		snprintf(text, sizeof text, "收款人是工作人员 %s 的近亲属（%s），已在近亲属备案；本笔 %s 元",
			 f1 ? f1 : "", f2 ? f2 : "", m);
		detail_start(d, text);
		strbuf_adds(d, ",\"staff_name\":");
		strbuf_add_json_string_or_null(d, f1);
		strbuf_adds(d, ",\"relation\":");
		strbuf_add_json_string_or_null(d, f2);
	}
	detail_money(d, "amount", amount);
	strbuf_addc(d, '}');
}

static void bind_run(struct run *r, struct db_stmt *st, const char *params)
{
	for (int i = 0; params[i]; i++) {
		if (params[i] == 'b')
			db_bind_int64(st, i + 1, r->batch);
		else
			db_bind_str(st, i + 1, params[i] == 'p' ? r->period : params[i] == 'f' ? r->first : r->next);
	}
}

static dd_status run_sql_check(struct run *r, const struct check_sql *c)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(r->db, c->sql, 0, &st, r->err);
	if (rc)
		return rc;
	bind_run(r, st, c->params);
	struct strbuf d;
	strbuf_init(&d, 256);
	bool row = false;
	while (!(rc = db_step(st, &row, r->err)) && row) {
		describe(r, c->code, db_column_int64(st, 3), db_column_text(st, 4, NULL), db_column_text(st, 5, NULL),
			 db_column_int64(st, 6), db_column_int64(st, 7), &d);
		if ((rc = found_add(r, c->code, db_column_int64(st, 0), db_column_int64(st, 1), db_column_int64(st, 2),
				    &d)))
			break;
	}
	strbuf_release(&d);
	db_finalize(st);
	return rc;
}

/* The limit of one payment under the policy, or false when the policy
 * names none for it. */
static bool limit_of(struct run *r, const char *region, const char *component, const char *category, const char *area,
		     int64_t members, fen_t *limit, char name[96])
{
	char sig[REGION_TEXT_MAX];
	region_significant(region, strlen(region), sig);
	bool household = strcmp(component, "household") == 0 || strcmp(component, "gradual_exit") == 0;
	if (household || strcmp(component, "single_person") == 0)
		snprintf(name, 96, "dibao.standard.%s", area);
	else if (strcmp(component, "tekun_basic") == 0)
		snprintf(name, 96, "tekun.basic.%s", area);
	else if (strcmp(component, "tekun_care") == 0)
		snprintf(name, 96, "tekun.care.none");
	else if (strcmp(component, "children_allowance") == 0 && category) /* docs/children.md */
		snprintf(name, 96, "%s",
			 strcmp(category, "orphan_institution") == 0 ? "children.standard.orphan.institution"
			 : strcmp(category, "orphan_dispersed") == 0 ? "children.standard.orphan.dispersed"
								     : "children.standard.unsupported");
	else if (category && category[0])
		snprintf(name, 96, "subsidy.%s.%s", component, category);
	else
		return false;
	const struct policy_entry *en = policy_lookup(r->policy, name, sig, r->first_date);
	if (!en)
		return false;
	fen_t v = en->value.i;
	if (household) {
		if (members > 0 && v > INT64_MAX / members)
			return false;
		v *= members;
	}
	*limit = v;
	return true;
}

static dd_status run_over_limit(struct run *r)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    r->db,
	    "SELECT y.id, y.person_id, y.household_id, y.region_code, y.component, y.category, "
	    "CASE WHEN y.kind = 'adjustment' THEN COALESCE(l.amount, y.amount) ELSE y.amount END, "
	    "COALESCE(h.area, 'rural'), CASE WHEN y.component = 'household' OR y.component = 'gradual_exit' THEN "
	    "(SELECT count(*) FROM memberships m WHERE m.household_id = y.household_id AND " MEMBER_IN_MONTH(
		"m", "$1",
		"$2") ") ELSE 1 END FROM payments y LEFT JOIN households h ON h.id = y.household_id LEFT JOIN "
		      "decision_lines l ON l.id = y.line_id WHERE " BASE(
			  "$3") " AND y.component IS NOT NULL ORDER BY y.id",
	    0, &st, r->err);
	if (rc)
		return rc;
	bind_run(r, st, "fnb");
	struct strbuf d;
	strbuf_init(&d, 256);
	bool row = false;
	while (!(rc = db_step(st, &row, r->err)) && row) {
		const char *region = db_column_text(st, 3, NULL), *component = db_column_text(st, 4, NULL);
		const char *category = db_column_text(st, 5, NULL), *area = db_column_text(st, 7, NULL);
		fen_t amount = db_column_int64(st, 6), limit = 0;
		int64_t members = db_column_int64(st, 8);
		char name[96];
		if (!region || !component || !area ||
		    !limit_of(r, region, component, category, area, members, &limit, name) || amount <= limit)
			continue;
		char text[512], m[MONEY_TEXT_MAX], lm[MONEY_TEXT_MAX];
		money_format(amount, m);
		money_format(limit, lm);
		if (strcmp(component, "household") == 0 || strcmp(component, "gradual_exit") == 0)
			snprintf(text, sizeof text, "%s %s 元超过上限 %s 元（%s × 在册成员 %lld 人，%s 执行的标准）",
				 payroll_component_zh(component), m, lm, name, (long long)members, r->period);
		else
			snprintf(text, sizeof text, "%s %s 元超过上限 %s 元（%s，%s 执行的标准）",
				 payroll_component_zh(component)[0] ? payroll_component_zh(component) : "补贴", m, lm,
				 name, r->period);
		detail_start(&d, text);
		detail_money(&d, "amount", amount);
		detail_money(&d, "limit", limit);
		strbuf_addf(&d, ",\"parameter\":\"%s\",\"members\":%lld}", name, (long long)members);
		if ((rc = found_add(r, "over_limit", db_column_int64(st, 0), db_column_int64(st, 1),
				    db_column_int64(st, 2), &d)))
			break;
	}
	strbuf_release(&d);
	db_finalize(st);
	return rc;
}

static dd_status count_open(struct db *db, int64_t batch, int64_t *open, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare(db, "SELECT count(*) FROM payroll_findings WHERE batch_id = $1 AND state = 'open'", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, batch);
	*open = 0;
	if (!(rc = db_step(st, &row, err)) && row)
		*open = db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}

dd_status payroll_checks_apply(struct db *db, const struct policy *policy, int64_t batch_id, int64_t *added,
			       int64_t *open, dd_error *err)
{
	struct run r = {.db = db, .policy = policy, .batch = batch_id, .err = err};
	*added = 0;
	*open = 0;
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT region_code, period FROM payroll_batches WHERE id = $1", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, batch_id);
	if (!(rc = db_step(st, &row, err)) && row) {
		const char *reg = db_column_text(st, 0, NULL), *per = db_column_text(st, 1, NULL);
		snprintf(r.region, sizeof r.region, "%s", reg ? reg : "");
		snprintf(r.period, sizeof r.period, "%s", per ? per : "");
	}
	db_finalize(st);
	if (rc)
		return rc;
	if (!row)
		return dd_fail(err, DD_ENOTFOUND, "batch", "发放批次不存在");
	dd_month month;
	if (month_parse(r.period, strlen(r.period), &month, err))
		return dd_fail(err, DD_EINVAL, "period", "发放批次的月份无效：%s", r.period);
	r.first_date = date_from_ymd(month / 12, month % 12 + 1, 1);
	date_format(r.first_date, r.first);
	date_format(date_add_months(r.first_date, 1), r.next);

	for (size_t i = 0; !rc && i < sizeof checks / sizeof checks[0]; i++)
		rc = run_sql_check(&r, &checks[i]);
	if (!rc && policy)
		rc = run_over_limit(&r);
	char now[STORE_TIME_MAX];
	store_now(now);
	for (size_t i = 0; !rc && i < r.n; i++) {
		char key[64];
		snprintf(key, sizeof key, "%s:%lld", r.v[i].check, (long long)r.v[i].payment);
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO payroll_findings (batch_id, region_code, check_code, finding_key, "
			 "payment_id, person_id, household_id, detail, state, created_at) VALUES ($1, $2, $3, "
			 "$4, $5, $6, $7, $8, 'open', $9) ON CONFLICT (batch_id, finding_key) DO NOTHING",
			 0, &st, err)))
			break;
		db_bind_int64(st, 1, batch_id);
		db_bind_str(st, 2, r.region);
		db_bind_str(st, 3, r.v[i].check);
		db_bind_str(st, 4, key);
		db_bind_int64(st, 5, r.v[i].payment);
		db_bind_int64(st, 6, r.v[i].person);
		if (r.v[i].household)
			db_bind_int64(st, 7, r.v[i].household);
		else
			db_bind_null(st, 7);
		db_bind_str(st, 8, r.v[i].detail);
		db_bind_str(st, 9, now);
		rc = db_run(st, err);
		if (!rc)
			*added += db_changes(st);
		db_finalize(st);
	}
	for (size_t i = 0; i < r.n; i++)
		free(r.v[i].detail);
	free(r.v);
	if (!rc)
		rc = count_open(db, batch_id, open, err);
	if (!rc && (rc = db_prepare(db, "UPDATE payroll_batches SET findings_open = $1 WHERE id = $2", 0, &st, err)) ==
		       DD_OK) {
		db_bind_int64(st, 1, *open);
		db_bind_int64(st, 2, batch_id);
		rc = db_run(st, err);
		db_finalize(st);
	}
	return rc;
}

/* --- the service ------------------------------------------------------------ */

struct batch_info {
	char region[REGION_TEXT_MAX];
	char state[16];
	bool found;
};

static dd_status batch_read(struct db *db, int64_t id, struct batch_info *b, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	memset(b, 0, sizeof *b);
	dd_status rc = db_prepare(db, "SELECT region_code, state FROM payroll_batches WHERE id = $1", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	if (!(rc = db_step(st, &row, err)) && row) {
		const char *reg = db_column_text(st, 0, NULL), *s = db_column_text(st, 1, NULL);
		snprintf(b->region, sizeof b->region, "%s", reg ? reg : "");
		snprintf(b->state, sizeof b->state, "%s", s ? s : "");
		b->found = true;
	}
	db_finalize(st);
	return rc;
}

/* A county account of the batch's county, the batch in draft. */
static enum svc_kind may_write(const struct principal *actor, const struct batch_info *b, struct svc_error *e)
{
	char sig[REGION_TEXT_MAX];
	region_significant(b->region, strlen(b->region), sig);
	enum svc_kind k = payroll_authz_read(actor, b->found ? sig : NULL, e);
	if (k)
		return k;
	if (!b->found)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
	if (actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政局可以核查发放批次和处理核查问题");
	if (strcmp(b->state, "draft") != 0)
		return svc_fail(e, SVC_RULE, "BATCH_NOT_DRAFT", NULL,
				"发放批次已不是草稿状态（当前：%s），不能再核查或处理核查问题",
				payroll_state_zh(payroll_state_parse(b->state)));
	return SVC_OK;
}

static dd_status summary_write(struct db *db, int64_t batch, int64_t added, int64_t open, struct strbuf *out,
			       dd_error *err)
{
	int64_t counts[N_CHECKS][3] = {{0}};
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(
	    db,
	    "SELECT check_code, state, count(*) FROM payroll_findings WHERE batch_id = $1 GROUP BY check_code, state",
	    0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, batch);
	while (!(rc = db_step(st, &row, err)) && row) {
		const char *c = db_column_text(st, 0, NULL), *s = db_column_text(st, 1, NULL);
		for (size_t i = 0; c && s && i < N_CHECKS; i++)
			if (strcmp(c, check_names[i].code) == 0)
				counts[i][strcmp(s, "open") == 0      ? 0
					  : strcmp(s, "cleared") == 0 ? 1
								      : 2] += db_column_int64(st, 2);
	}
	db_finalize(st);
	if (rc)
		return rc;
	strbuf_addf(out, "{\"batch_id\":%lld,\"added\":%lld,\"open\":%lld,\"checks\":[", (long long)batch,
		    (long long)added, (long long)open);
	for (size_t i = 0; i < N_CHECKS; i++)
		strbuf_addf(out,
			    "%s{\"check\":\"%s\",\"check_name\":\"%s\",\"open\":%lld,\"cleared\":%lld,\"overridden\":%"
			    "lld}",
			    i ? "," : "", check_names[i].code, check_names[i].zh, (long long)counts[i][0],
			    (long long)counts[i][1], (long long)counts[i][2]);
	strbuf_adds(out, "]}");
	return DD_OK;
}

enum svc_kind payroll_checks_run(struct db *db, const struct principal *actor, const struct policy *policy,
				 int64_t batch_id, struct strbuf *out, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	if (!policy)
		return svc_fail(e, SVC_INTERNAL, "NO_POLICY", NULL, "未加载政策参数");
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct batch_info b;
	if ((rc = batch_read(db, batch_id, &b, &err)))
		goto fail;
	enum svc_kind k = may_write(actor, &b, e);
	if (k) {
		db_rollback(db);
		return k;
	}
	int64_t added = 0, open = 0;
	if ((rc = payroll_checks_apply(db, policy, batch_id, &added, &open, &err)))
		goto fail;
	char id_text[24], detail[128];
	snprintf(id_text, sizeof id_text, "%lld", (long long)batch_id);
	snprintf(detail, sizeof detail, "{\"added\":%lld,\"open\":%lld}", (long long)added, (long long)open);
	if ((rc = audit_append_region(db, b.region, actor->username, "payroll.checks", "payroll_batch", id_text, detail,
				      &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	if ((rc = summary_write(db, batch_id, added, open, out, &err)))
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* --- reading and resolving ----------------------------------------------------- */

#define FINDING_COLS                                                                                                   \
	"f.id, f.batch_id, f.check_code, f.state, f.payment_id, f.person_id, p.name, p.id_number, f.household_id, "    \
	"h.household_no, y.component, y.amount, y.state, f.detail, f.reason, u.username, f.resolved_at, f.created_at"
#define FINDING_FROM                                                                                                   \
	" FROM payroll_findings f LEFT JOIN persons p ON p.id = f.person_id LEFT JOIN households h ON h.id = "         \
	"f.household_id LEFT JOIN payments y ON y.id = f.payment_id LEFT JOIN users u ON u.id = f.resolved_by"

static const char *finding_state_zh(const char *s)
{
	return !s			      ? ""
	       : strcmp(s, "open") == 0	      ? "待处理"
	       : strcmp(s, "cleared") == 0    ? "已剔除（暂停发放）"
	       : strcmp(s, "overridden") == 0 ? "已说明理由照常发放"
					      : "";
}

static void finding_json(struct db_stmt *st, struct strbuf *o)
{
	char masked[IDNUM_LEN + 1], m[MONEY_TEXT_MAX];
	const char *idn = db_column_text(st, 7, NULL), *check = db_column_text(st, 2, NULL);
	const char *state = db_column_text(st, 3, NULL), *component = db_column_text(st, 10, NULL);
	if (idn)
		idnum_mask(idn, masked); /* hides anything but an 18-character number whole */
	else
		masked[0] = '\0';
	strbuf_addf(o, "{\"id\":%lld,\"batch_id\":%lld", (long long)db_column_int64(st, 0),
		    (long long)db_column_int64(st, 1));
	strbuf_add_json_member_text(o, "check", check);
	strbuf_add_json_member_text(o, "check_name", payroll_check_zh(check));
	strbuf_add_json_member_text(o, "state", state);
	strbuf_add_json_member_text(o, "state_name", finding_state_zh(state));
	strbuf_addf(o, ",\"payment_id\":%lld,\"person_id\":%lld", (long long)db_column_int64(st, 4),
		    (long long)db_column_int64(st, 5));
	strbuf_add_json_member_text(o, "name", db_column_text(st, 6, NULL));
	strbuf_add_json_member_text(o, "id_number", idn ? masked : NULL);
	strbuf_addf(o, ",\"household_id\":%lld", (long long)db_column_int64(st, 8));
	strbuf_add_json_member_text(o, "household_no", db_column_text(st, 9, NULL));
	strbuf_add_json_member_text(o, "component", component);
	money_format(db_column_int64(st, 11), m);
	strbuf_add_json_member_text(o, "amount", m);
	strbuf_add_json_member_text(o, "payment_state", db_column_text(st, 12, NULL));
	const char *detail = db_column_text(st, 13, NULL);
	strbuf_addf(o, ",\"detail\":%s", detail && detail[0] == '{' ? detail : "{}");
	strbuf_add_json_member_text(o, "reason", db_column_text(st, 14, NULL));
	strbuf_add_json_member_text(o, "resolved_by", db_column_text(st, 15, NULL));
	strbuf_add_json_member_text(o, "resolved_at", db_column_text(st, 16, NULL));
	strbuf_add_json_member_text(o, "created_at", db_column_text(st, 17, NULL));
	strbuf_addc(o, '}');
}

enum svc_kind payroll_findings_list(struct db *db, const struct principal *actor, int64_t batch_id, const char *state,
				    const char *check, int64_t page, int64_t per_page, struct strbuf *out,
				    struct svc_error *e)
{
	if (state && state[0] && strcmp(state, "open") != 0 && strcmp(state, "cleared") != 0 &&
	    strcmp(state, "overridden") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_STATE", "state", "处理状态须为 open、cleared 或 overridden");
	if (check && check[0] && !payroll_check_zh(check)[0])
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CHECK", "check",
				"核查项须为 exclusive_decisions、paid_twice、deceased、exited、shared_account、"
				"over_limit 或 staff_relative 之一");
	enum svc_kind k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct batch_info b;
	dd_status rc = batch_read(db, batch_id, &b, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	char sig[REGION_TEXT_MAX];
	region_significant(b.region, strlen(b.region), sig);
	if ((k = payroll_authz_read(actor, b.found ? sig : NULL, e)))
		return k;
	if (!b.found)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
	const char *where = " WHERE f.batch_id = $1 AND ($2 = '' OR f.state = $2) AND ($3 = '' OR f.check_code = $3)";
	char sql[1024];
	struct db_stmt *st;
	bool row = false;
	int64_t total = 0;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM payroll_findings f%s", where);
	if ((rc = db_prepare(db, sql, 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch_id);
	db_bind_str(st, 2, state ? state : "");
	db_bind_str(st, 3, check ? check : "");
	if (!(rc = db_step(st, &row, &err)) && row)
		total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	snprintf(sql, sizeof sql, "SELECT " FINDING_COLS FINDING_FROM "%s ORDER BY f.id LIMIT $4 OFFSET $5", where);
	if ((rc = db_prepare(db, sql, 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch_id);
	db_bind_str(st, 2, state ? state : "");
	db_bind_str(st, 3, check ? check : "");
	db_bind_int64(st, 4, per_page);
	db_bind_int64(st, 5, (page - 1) * per_page);
	strbuf_adds(out, "{\"items\":[");
	for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
		if (n)
			strbuf_addc(out, ',');
		finding_json(st, out);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)page,
		    (long long)per_page);
	return SVC_OK;
}

static dd_status run_stmt2(struct db *db, const char *sql, int64_t a, const char *b, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, a);
	if (b)
		db_bind_str(st, 2, b);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

enum svc_kind payroll_finding_resolve(struct db *db, const struct principal *actor, int64_t finding_id,
				      const char *action, const char *reason, struct strbuf *out, struct svc_error *e)
{
	bool clear = action && strcmp(action, "clear") == 0;
	if (!action || (!clear && strcmp(action, "override") != 0))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ACTION", "action",
				"操作须为 clear（剔除，暂停发放）或 override（说明理由后照常发放）");
	if (!reason || !reason[0])
		return svc_fail(e, SVC_BAD_INPUT, "REASON_REQUIRED", "reason", "处理核查问题须填写理由");
	if (!svc_text_clean(reason, 1000))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REASON", "reason", "理由过长或含有控制字符（不超过 1000 字节）");
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct db_stmt *st;
	bool row = false;
	int64_t batch = 0, payment = 0;
	char fstate[16] = "", check[32] = "";
	if ((rc = db_prepare(db, "SELECT batch_id, state, payment_id, check_code FROM payroll_findings WHERE id = $1",
			     0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, finding_id);
	if (!(rc = db_step(st, &row, &err)) && row) {
		batch = db_column_int64(st, 0);
		snprintf(fstate, sizeof fstate, "%s", db_column_text(st, 1, NULL) ? db_column_text(st, 1, NULL) : "");
		payment = db_column_int64(st, 2);
		snprintf(check, sizeof check, "%s", db_column_text(st, 3, NULL) ? db_column_text(st, 3, NULL) : "");
	}
	db_finalize(st);
	if (rc)
		goto fail;
	struct batch_info b = {0};
	if (row && (rc = batch_read(db, batch, &b, &err)))
		goto fail;
	enum svc_kind k =
	    row ? may_write(actor, &b, e) : svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "核查问题不存在");
	if (!k && strcmp(fstate, "open") != 0)
		k = svc_fail(e, SVC_CONFLICT, "FINDING_RESOLVED", "action", "该核查问题已处理（%s）",
			     finding_state_zh(fstate));
	if (k) {
		db_rollback(db);
		return k;
	}
	char now[STORE_TIME_MAX];
	store_now(now);
	if ((rc = db_prepare(db,
			     "UPDATE payroll_findings SET state = $1, reason = $2, resolved_by = $3, resolved_at = $4 "
			     "WHERE id = $5 AND state = 'open'",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, clear ? "cleared" : "overridden");
	db_bind_str(st, 2, reason);
	db_bind_int64(st, 3, actor->id);
	db_bind_str(st, 4, now);
	db_bind_int64(st, 5, finding_id);
	rc = db_run(st, &err);
	db_finalize(st);
	if (rc)
		goto fail;
	if (clear && payment &&
	    (rc = run_stmt2(db,
			    "UPDATE payments SET state = 'withheld', version = version + 1, updated_at = $2 WHERE id = "
			    "$1 AND state = 'pending'",
			    payment, now, &err)))
		goto fail;
	/* the batch: what it pays without the withheld, and its open findings */
	if ((rc = run_stmt2(
		 db,
		 "UPDATE payroll_batches SET total_amount = (SELECT COALESCE(sum(amount), 0) FROM payments "
		 "WHERE batch_id = $1 AND state <> 'withheld' AND state <> 'cancelled'), payments_count = "
		 "(SELECT count(*) FROM payments WHERE batch_id = $1 AND state <> 'withheld' AND state <> "
		 "'cancelled'), findings_open = (SELECT count(*) FROM payroll_findings WHERE batch_id = $1 AND "
		 "state = 'open'), version = version + 1, updated_at = $2 WHERE id = $1",
		 batch, now, &err)))
		goto fail;
	struct strbuf detail;
	strbuf_init(&detail, 256);
	strbuf_addf(&detail, "{\"batch_id\":%lld,\"check\":\"%s\",\"payment_id\":%lld,\"reason\":", (long long)batch,
		    check, (long long)payment);
	strbuf_add_json_string_or_null(&detail, reason);
	strbuf_addc(&detail, '}');
	char id_text[24], action_name[48];
	snprintf(id_text, sizeof id_text, "%lld", (long long)finding_id);
	snprintf(action_name, sizeof action_name, "payroll.finding.%s", clear ? "clear" : "override");
	rc = detail.failed ? dd_fail(&err, DD_ENOMEM, "audit", "内存不足 (out of memory)")
			   : audit_append_region(db, b.region, actor->username, action_name, "payroll_finding", id_text,
						 detail.buf, &err);
	strbuf_release(&detail);
	if (rc || (rc = db_commit(db, &err)))
		goto fail;
	if ((rc = db_prepare(db, "SELECT " FINDING_COLS FINDING_FROM " WHERE f.id = $1", 0, &st, &err)))
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, finding_id);
	if (!(rc = db_step(st, &row, &err)) && row)
		finding_json(st, out);
	db_finalize(st);
	return rc ? svc_store_fail(e, db, rc, &err) : SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}
