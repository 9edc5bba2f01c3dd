/* temporary_case.c - temporary assistance cases (temporary_case.h): first
 * aid from the reserve fund, tiered approval, staged payments. The tier rule
 * itself is core/temporary.c; the money out is reserve_fund.c. */
#include "temporary_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotline.h"
#include "referral.h"
#include "registry.h"
#include "reserve_fund.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

dd_date temporary_today(void)
{
	return store_today();
}

/* Fails e after rolling back the open transaction. */
static enum svc_kind tx_fail(struct db *db, enum svc_kind k)
{
	if (db_in_transaction(db))
		db_rollback(db);
	return k;
}

static void copy_text(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static enum temp_actor actor_of(const struct principal *p)
{
	switch (p->role) {
	case ROLE_VILLAGE:
		return TEMP_ACTOR_VILLAGE;
	case ROLE_TOWNSHIP:
		return TEMP_ACTOR_TOWNSHIP;
	case ROLE_COUNTY:
		return TEMP_ACTOR_COUNTY;
	default:
		return TEMP_ACTOR_OTHER;
	}
}

static enum svc_kind param_money(const struct temporary_env *env, const char *name, const char *sig, fen_t *out,
				 struct svc_error *e)
{
	const struct policy_entry *pe = env->policy ? policy_lookup(env->policy, name, sig, env->today) : NULL;
	if (!pe || (pe->value.kind != POLICY_MONEY && pe->value.kind != POLICY_INTEGER))
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "该地区当日没有生效的政策参数 %s，请先由区县或市设定",
				name);
	*out = pe->value.i; /* fen for money, the number for integers */
	return SVC_OK;
}

enum svc_kind temporary_limits(const struct temporary_env *env, const char *region_sig, const char *area,
			       struct temp_limits *out, struct svc_error *e)
{
	char sname[40];
	snprintf(sname, sizeof sname, "dibao.standard.%s", area && strcmp(area, "urban") == 0 ? "urban" : "rural");
	enum svc_kind k;
	if ((k = param_money(env, "temp.first_aid_limit", region_sig, &out->first_aid_limit, e)) ||
	    (k = param_money(env, "temp.township_limit", region_sig, &out->township_limit, e)) ||
	    (k = param_money(env, "temp.max_multiple", region_sig, &out->max_multiple, e)) ||
	    (k = param_money(env, sname, region_sig, &out->standard, e)))
		return k;
	return SVC_OK;
}

enum svc_kind temporary_check_approval(const struct temporary_env *env, const struct principal *actor,
				       const char *region_sig, const char *area, enum temp_action action, fen_t amount,
				       bool has_note, struct temp_verdict *v, struct svc_error *e)
{
	struct temp_limits l;
	enum svc_kind k = temporary_limits(env, region_sig, area, &l, e);
	if (k)
		return k;
	struct temp_verdict local;
	if (!v)
		v = &local;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = temp_check(&l, actor_of(actor), action, amount, has_note, v, &err);
	if (rc == DD_EINVAL && strcmp(err.field, "amount") == 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", "amount", "%s", err.message);
	if (rc)
		return svc_fail(e, SVC_RULE, "BAD_POLICY", NULL, "%s", err.message);
	if (!v->allowed)
		return svc_fail(e, SVC_RULE, v->code,
				action == TEMP_ACTION_APPROVE && v->note_required &&
					actor_of(actor) == TEMP_ACTOR_COUNTY
				    ? "case_by_case_note"
				    : "amount",
				"%s", v->reason);
	return SVC_OK;
}

static bool text_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return false;
	return true;
}

#define NOTE_MAX 2000

static enum svc_kind check_note(const char *note, const char *field, struct svc_error *e)
{
	if (note && (strlen(note) > NOTE_MAX || !text_clean(note)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NOTE", field, "说明最多 %d 字节，且不能包含控制字符", NOTE_MAX);
	return SVC_OK;
}

static enum svc_kind parse_amount(const char *s, const char *field, fen_t *out, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	if (!s)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", field, "缺少金额");
	if (money_parse(s, strlen(s), MONEY_PLAIN, out, &err) != DD_OK || *out <= 0 || *out > RESERVE_ENTRY_MAX)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", field,
				"金额应为大于 0、不超过 1000000000.00 的元金额，最多两位小数（如 \"500.00\"）");
	return SVC_OK;
}

enum svc_kind temporary_case_exists(struct db *db, int64_t id, bool *yes, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	*yes = false;
	dd_status rc = db_prepare_cached(db, "SELECT 1 FROM temporary_cases WHERE application_id = $1", &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, &err);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	*yes = row;
	return SVC_OK;
}

/* ---- creation ---- */

enum svc_kind temporary_create(struct db *db, const struct temporary_env *env, const struct principal *actor,
			       const struct temporary_new *req, int64_t *id, struct svc_error *e)
{
	(void)env;
	if (actor->role != ROLE_VILLAGE && actor->role != ROLE_TOWNSHIP)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "临时救助由村（居）委会或乡镇（街道）登记");
	char sig[REGION_TEXT_MAX], township[REGION_TEXT_MAX], hregion[REGION_TEXT_MAX] = "";
	const char *region = req->region;
	if (!region && req->household_id > 0) {
		/* through POST /api/v1/applications: where the household lives */
		enum svc_kind hk = registry_household_region(db, actor, req->household_id, hregion, e);
		if (hk)
			return hk;
		region = hregion;
	}
	size_t rn = region ? strlen(region) : 0;
	if (!region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少急难发生地 region");
	if ((rn != 9 && rn != 12) || region_parse(region, rn, 9, sig, NULL) != DD_OK ||
	    !reserve_fund_township(region, township))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region",
				"急难发生地应为 9 位乡镇（街道）或 12 位村（居）代码");
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "急难发生地不在本辖区内");
	enum temp_kind kind = temp_kind_parse(req->case_kind);
	if (kind == TEMP_KIND_NONE)
		return svc_fail(e, SVC_BAD_INPUT, req->case_kind ? "BAD_KIND" : "MISSING_FIELD", "case_kind",
				"救助类型 case_kind 应为 emergency（急难型）或 expenditure（支出型）");
	const struct temp_cause *cause = temp_cause_find(req->cause);
	if (!cause || cause->kind != kind)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CAUSE", "cause", "困难情形 cause 无效，或与救助类型不符");
	enum temp_severity sev = req->severity ? temp_severity_parse(req->severity) : TEMP_SEVERITY_GENERAL;
	if (sev == TEMP_SEVERITY_NONE)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_SEVERITY", "severity", "困难程度应为 general、serious 或 grave");
	if (!req->area || (strcmp(req->area, "urban") != 0 && strcmp(req->area, "rural") != 0))
		return svc_fail(e, SVC_BAD_INPUT, req->area ? "BAD_AREA" : "MISSING_FIELD", "area",
				"area 应为 urban（城市）或 rural（农村），决定适用的低保标准");
	char reg_sig[REGION_TEXT_MAX];
	if (req->registration_region &&
	    region_parse(req->registration_region, strlen(req->registration_region), 6, reg_sig, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "registration_region", "户籍地应为 6 到 12 位地区代码");
	fen_t requested = 0;
	enum svc_kind k;
	if (req->requested_amount && (k = parse_amount(req->requested_amount, "requested_amount", &requested, e)))
		return k;
	if ((k = check_note(req->note, "note", e)))
		return k;
	if (req->region && req->household_id > 0 &&
	    (k = registry_household_region(db, actor, req->household_id, hregion, e)))
		return k; /* a household given must be one the caller may see */
	dd_error err;
	dd_error_clear(&err);
	char now[STORE_TIME_MAX];
	store_now(now);
	dd_status rc = db_begin(db, &err);
	struct db_stmt *st;
	bool row = false;
	*id = 0;
	if (!rc)
		rc =
		    db_prepare_cached(db,
				      "INSERT INTO applications (household_id, region_code, programme, state, channel, "
				      "emergency, requested_amount, submitted_at, created_by, created_at, updated_at) "
				      "VALUES ($1, $2, 'temporary', 'submitted', 'counter', $3, $4, $5, $6, $5, $5) "
				      "RETURNING id",
				      &st, &err);
	if (!rc) {
		if (req->household_id > 0)
			db_bind_int64(st, 1, req->household_id);
		else
			db_bind_null(st, 1);
		db_bind_str(st, 2, region);
		db_bind_int64(st, 3, kind == TEMP_KIND_EMERGENCY);
		if (requested > 0)
			db_bind_int64(st, 4, requested);
		else
			db_bind_null(st, 4);
		db_bind_str(st, 5, now);
		db_bind_int64(st, 6, actor->id);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO temporary_cases (application_id, region_code, case_kind, cause, "
		    "severity, area, registration_region, created_at, updated_at) VALUES ($1, $2, $3, "
		    "$4, $5, $6, $7, $8, $8)",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, *id);
		db_bind_str(st, 2, region);
		db_bind_str(st, 3, temp_kind_name(kind));
		db_bind_str(st, 4, cause->code);
		db_bind_str(st, 5, temp_severity_name(sev));
		db_bind_str(st, 6, req->area);
		db_bind_str(st, 7, req->registration_region);
		db_bind_str(st, 8, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO case_history (application_id, region_code, action, from_state, "
		    "to_state, actor_id, at, note) VALUES ($1, $2, 'submit', NULL, 'submitted', $3, $4, "
		    "$5)",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, *id);
		db_bind_str(st, 2, region);
		db_bind_int64(st, 3, actor->id);
		db_bind_str(st, 4, now);
		db_bind_str(st, 5, req->note);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc) {
		char detail[200], eid[24];
		snprintf(detail, sizeof detail, "{\"programme\":\"temporary\",\"case_kind\":\"%s\",\"cause\":\"%s\"}",
			 temp_kind_name(kind), cause->code);
		snprintf(eid, sizeof eid, "%lld", (long long)*id);
		rc = audit_append_region(db, region, actor->username, "application.create", "application", eid, detail,
					 &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* ---- reading ---- */

struct tcase {
	int64_t id, version, household_id;
	char region[REGION_TEXT_MAX + 8], sig[REGION_TEXT_MAX], township[REGION_TEXT_MAX];
	char state[24], case_kind[16], cause[32], severity[16], area[8], tier[16], registration[REGION_TEXT_MAX + 8];
	char first_aid_at[STORE_TIME_MAX], approved_at[STORE_TIME_MAX], created_at[STORE_TIME_MAX];
	fen_t requested, first_aid, approved, standard;
	bool paperwork;
	char cbc_note[NOTE_MAX + 1];
};

static dd_status case_load(struct db *db, int64_t id, struct tcase *c, bool *found, dd_error *err)
{
	memset(c, 0, sizeof *c);
	*found = false;
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT a.region_code, a.state, a.version, a.household_id, a.requested_amount, t.case_kind, t.cause, "
	    "t.severity, t.area, t.registration_region, t.first_aid_amount, t.first_aid_at, t.paperwork_done, t.tier, "
	    "t.approved_amount, t.approved_at, t.case_by_case_note, t.standard, a.created_at FROM applications a JOIN "
	    "temporary_cases t ON t.application_id = a.id WHERE a.id = $1 AND a.programme = 'temporary'",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		*found = true;
		c->id = id;
		copy_text(c->region, sizeof c->region, db_column_text(st, 0, NULL));
		copy_text(c->state, sizeof c->state, db_column_text(st, 1, NULL));
		c->version = db_column_int64(st, 2);
		c->household_id = db_column_int64(st, 3);
		c->requested = db_column_int64(st, 4);
		copy_text(c->case_kind, sizeof c->case_kind, db_column_text(st, 5, NULL));
		copy_text(c->cause, sizeof c->cause, db_column_text(st, 6, NULL));
		copy_text(c->severity, sizeof c->severity, db_column_text(st, 7, NULL));
		copy_text(c->area, sizeof c->area, db_column_text(st, 8, NULL));
		copy_text(c->registration, sizeof c->registration, db_column_text(st, 9, NULL));
		c->first_aid = db_column_int64(st, 10);
		copy_text(c->first_aid_at, sizeof c->first_aid_at, db_column_text(st, 11, NULL));
		c->paperwork = db_column_int64(st, 12) == 1;
		copy_text(c->tier, sizeof c->tier, db_column_text(st, 13, NULL));
		c->approved = db_column_int64(st, 14);
		copy_text(c->approved_at, sizeof c->approved_at, db_column_text(st, 15, NULL));
		copy_text(c->cbc_note, sizeof c->cbc_note, db_column_text(st, 16, NULL));
		c->standard = db_column_int64(st, 17);
		copy_text(c->created_at, sizeof c->created_at, db_column_text(st, 18, NULL));
		region_significant(c->region, strlen(c->region), c->sig);
		if (!reserve_fund_township(c->region, c->township))
			c->township[0] = '\0';
	}
	db_finalize(st);
	return rc;
}

static void add_money(struct strbuf *b, const char *key, fen_t v)
{
	char t[MONEY_TEXT_MAX];
	money_format(v, t);
	strbuf_addf(b, "\"%s\":\"%s\"", key, t);
}

static void add_str_or_null(struct strbuf *b, const char *key, const char *s)
{
	strbuf_addf(b, "\"%s\":", key);
	if (s && *s)
		strbuf_add_json_string(b, s, strlen(s));
	else
		strbuf_adds(b, "null");
}

static dd_status render_case(struct db *db, const struct temporary_env *env, const struct tcase *c, struct strbuf *b,
			     dd_error *err)
{
	const struct temp_cause *cause = temp_cause_find(c->cause);
	strbuf_adds(b, "\"temporary\":{");
	strbuf_addf(b, "\"case_kind\":\"%s\",\"case_kind_label\":\"%s\",\"cause\":\"%s\",\"cause_label\":\"%s\",",
		    c->case_kind, temp_kind_label(temp_kind_parse(c->case_kind)), c->cause, cause ? cause->name : "");
	enum temp_severity sev = temp_severity_parse(c->severity);
	strbuf_addf(b, "\"severity\":\"%s\",\"severity_label\":\"%s\",\"area\":\"%s\",", c->severity,
		    temp_severity_label(sev), c->area);
	add_str_or_null(b, "registration_region", c->registration);
	/* the limits in force today, and the usual amount of the severity */
	struct temp_limits l;
	struct svc_error pe;
	svc_error_clear(&pe);
	fen_t cap = 0;
	if (temporary_limits(env, c->sig, c->area, &l, &pe) == SVC_OK && temp_limits_check(&l, &cap, NULL) == DD_OK) {
		strbuf_adds(b, ",\"limits\":{");
		add_money(b, "first_aid_limit", l.first_aid_limit);
		strbuf_addc(b, ',');
		add_money(b, "township_limit", l.township_limit);
		strbuf_addf(b, ",\"max_multiple\":%lld,", (long long)l.max_multiple);
		add_money(b, "standard", l.standard);
		strbuf_addc(b, ',');
		add_money(b, "case_by_case_above", cap);
		char mname[48];
		snprintf(mname, sizeof mname, "temp.multiples.%s", c->severity);
		const struct policy_entry *m =
		    env->policy ? policy_lookup(env->policy, mname, c->sig, env->today) : NULL;
		fen_t usual;
		if (m && temp_amount_for(l.standard, m->value.i, &usual)) {
			strbuf_addf(b, ",\"severity_multiple\":%lld,", (long long)m->value.i);
			add_money(b, "usual_amount", usual);
		}
		strbuf_addc(b, '}');
	} else
		strbuf_adds(b, ",\"limits\":null");
	strbuf_adds(b, ",\"first_aid\":{");
	add_money(b, "amount", c->first_aid);
	strbuf_adds(b, ",");
	add_str_or_null(b, "at", c->first_aid_at);
	strbuf_addf(b, ",\"paperwork_done\":%s}", c->paperwork ? "true" : "false");
	strbuf_adds(b, ",\"approval\":");
	if (c->tier[0]) {
		strbuf_addf(b, "{\"tier\":\"%s\",\"tier_label\":\"%s\",", c->tier,
			    temp_tier_label(!strcmp(c->tier, "first_aid")  ? TEMP_TIER_FIRST_AID
					    : !strcmp(c->tier, "township") ? TEMP_TIER_TOWNSHIP
					    : !strcmp(c->tier, "county")   ? TEMP_TIER_COUNTY
									   : TEMP_TIER_CASE_BY_CASE));
		add_money(b, "amount", c->approved);
		strbuf_addc(b, ',');
		add_money(b, "standard", c->standard);
		strbuf_addc(b, ',');
		add_str_or_null(b, "case_by_case_note", c->cbc_note);
		strbuf_addc(b, ',');
		add_str_or_null(b, "at", c->approved_at);
		strbuf_addc(b, '}');
	} else
		strbuf_adds(b, "null");
	/* stages */
	strbuf_adds(b, ",\"stages\":[");
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT s.seq, s.amount, s.state, s.paid_at, s.reserve_entry_id, (SELECT y.id FROM "
			      "payments y WHERE y.id = s.payment_id AND y.state <> 'cancelled') FROM "
			      "temporary_stages s WHERE s.application_id = $1 ORDER BY s.seq",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, c->id);
	fen_t paid = c->first_aid;
	for (int i = 0; !(rc = db_step(st, &row, err)) && row; i++) {
		if (i)
			strbuf_addc(b, ',');
		strbuf_addf(b, "{\"stage\":%lld,", (long long)db_column_int64(st, 0));
		add_money(b, "amount", db_column_int64(st, 1));
		const char *state = db_column_text(st, 2, NULL);
		strbuf_addf(b, ",\"state\":\"%s\",", state ? state : "");
		add_str_or_null(b, "paid_at", db_column_text(st, 3, NULL));
		if (!db_column_is_null(st, 4))
			strbuf_addf(b, ",\"reserve_entry_id\":%lld", (long long)db_column_int64(st, 4));
		else
			strbuf_adds(b, ",\"reserve_entry_id\":null");
		/* paid by the bank: the live payment (epidemic_aid.h) */
		if (!db_column_is_null(st, 5))
			strbuf_addf(b, ",\"payment_id\":%lld", (long long)db_column_int64(st, 5));
		else
			strbuf_adds(b, ",\"payment_id\":null");
		strbuf_addc(b, '}');
		if (state && strcmp(state, "paid") == 0 && !money_add(paid, db_column_int64(st, 1), &paid))
			paid = INT64_MAX;
	}
	db_finalize(st);
	if (rc)
		return rc;
	strbuf_adds(b, "],");
	add_money(b, "paid_total", paid);
	strbuf_addc(b, '}');
	/* the township's reserve fund */
	struct reserve_fund f;
	struct svc_error fe;
	svc_error_clear(&fe);
	strbuf_adds(b, ",\"reserve_fund\":");
	if (c->township[0] && reserve_fund_state(db, c->township, &f, &fe) == SVC_OK) {
		strbuf_addf(b, "{\"region\":\"%s\",", c->township);
		add_money(b, "balance", f.balance);
		strbuf_addc(b, '}');
	} else
		strbuf_adds(b, "null");
	return DD_OK;
}

/* The actions actor may try on the case in its state (the amounts are
 * checked when it does), as JSON strings separated by commas. */
static void add_allowed(struct strbuf *b, const struct principal *actor, const struct tcase *c)
{
	bool local = actor->role == ROLE_VILLAGE || actor->role == ROLE_TOWNSHIP;
	bool decides = actor->role == ROLE_TOWNSHIP || actor->role == ROLE_COUNTY;
	const char *list[5];
	int n = 0;
	if (!strcmp(c->state, "submitted")) {
		if (local)
			list[n++] = "first_aid";
		if (local && c->first_aid > 0 && !c->paperwork)
			list[n++] = "paperwork";
		if (decides && (c->first_aid == 0 || c->paperwork))
			list[n++] = "approve";
		if (decides)
			list[n++] = "reject";
	} else if (!strcmp(c->state, "approved")) {
		bool by_township = !strcmp(c->tier, "first_aid") || !strcmp(c->tier, "township");
		if (by_township ? actor->role == ROLE_TOWNSHIP
				: (actor->role == ROLE_COUNTY || actor->role == ROLE_FINANCE))
			list[n++] = "pay_stage";
	}
	for (int i = 0; i < n; i++)
		strbuf_addf(b, "%s\"%s\"", i ? "," : "", list[i]);
}

enum svc_kind temporary_allowed_actions(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
					struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct tcase c;
	bool found = false;
	dd_status rc = case_load(db, id, &c, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (found)
		add_allowed(out, actor, &c);
	return SVC_OK;
}

enum svc_kind temporary_render(struct db *db, const struct temporary_env *env, int64_t id, struct strbuf *out,
			       struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct tcase c;
	bool found = false;
	dd_status rc = case_load(db, id, &c, &found, &err);
	if (!rc && !found)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该临时救助案件");
	if (!rc)
		rc = render_case(db, env, &c, out, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

enum svc_kind temporary_get(struct db *db, const struct temporary_env *env, const struct principal *actor, int64_t id,
			    struct strbuf *out, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct tcase c;
	bool found = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = case_load(db, id, &c, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found || actor->role == ROLE_NONE || !authz_in_scope(actor, c.sig))
		return tx_fail(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该临时救助案件"));
	strbuf_addf(out,
		    "{\"id\":%lld,\"programme\":\"temporary\",\"region\":\"%s\",\"state\":\"%s\",\"version\":%lld,",
		    (long long)c.id, c.region, c.state, (long long)c.version);
	if (c.household_id > 0)
		strbuf_addf(out, "\"household_id\":%lld,", (long long)c.household_id);
	else
		strbuf_adds(out, "\"household_id\":null,");
	if (c.requested > 0) {
		add_money(out, "requested_amount", c.requested);
		strbuf_addc(out, ',');
	} else
		strbuf_adds(out, "\"requested_amount\":null,");
	add_str_or_null(out, "created_at", c.created_at);
	strbuf_adds(out, ",\"allowed_actions\":[");
	add_allowed(out, actor, &c);
	strbuf_adds(out, "],");
	rc = render_case(db, env, &c, out, &err);
	if (!rc) /* the 12345 work order it came from */
		rc = hotline_source_append(db, c.id, out, &err);
	if (!rc) /* the referrals to other departments made from it */
		rc = referral_links_append(db, "application_id", c.id, out, &err);
	/* history */
	struct db_stmt *st;
	bool row = false;
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT h.action, h.from_state, h.to_state, u.username, h.at, h.note FROM "
				       "case_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.application_id = "
				       "$1 ORDER BY h.id",
				       &st, &err);
	if (!rc) {
		strbuf_adds(out, ",\"history\":[");
		db_bind_int64(st, 1, c.id);
		for (int i = 0; !(rc = db_step(st, &row, &err)) && row; i++) {
			strbuf_adds(out, i ? ",{" : "{");
			add_str_or_null(out, "action", db_column_text(st, 0, NULL));
			strbuf_addc(out, ',');
			add_str_or_null(out, "from_state", db_column_text(st, 1, NULL));
			strbuf_addc(out, ',');
			add_str_or_null(out, "to_state", db_column_text(st, 2, NULL));
			strbuf_addc(out, ',');
			add_str_or_null(out, "actor", db_column_text(st, 3, NULL));
			strbuf_addc(out, ',');
			add_str_or_null(out, "at", db_column_text(st, 4, NULL));
			strbuf_addc(out, ',');
			add_str_or_null(out, "note", db_column_text(st, 5, NULL));
			strbuf_addc(out, '}');
		}
		db_finalize(st);
		strbuf_adds(out, "]}");
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* ---- actions ---- */

static const char *const actions[] = {"first_aid", "paperwork", "approve", "reject", "pay_stage"};

bool temporary_action_known(const char *action)
{
	for (size_t i = 0; action && i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(action, actions[i]) == 0)
			return true;
	return false;
}

static enum svc_kind refuse_state(struct svc_error *e, const char *state)
{
	return svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "action", "案件当前状态（%s）下不能进行此操作", state);
}

static dd_status run_history(struct db *db, const struct tcase *c, const char *action, const char *to,
			     const struct principal *actor, const char *now, const char *note, const char *data,
			     dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare_cached(db,
			      "INSERT INTO case_history (application_id, region_code, action, from_state, "
			      "to_state, actor_id, at, note, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, c->id);
	db_bind_str(st, 2, c->region);
	db_bind_str(st, 3, action);
	db_bind_str(st, 4, c->state);
	db_bind_str(st, 5, to);
	db_bind_int64(st, 6, actor->id);
	db_bind_str(st, 7, now);
	db_bind_str(st, 8, note && *note ? note : NULL);
	db_bind_str(st, 9, data);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

/* Runs one statement whose parameters are given as a printf-free list:
 * text where t[i] is non-NULL, else the integer v[i]. */
static dd_status run_mixed(struct db *db, const char *sql, int n, const char *const *t, const int64_t *v,
			   int64_t *changes, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(db, sql, &st, err);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		if (t[i])
			db_bind_str(st, i + 1, t[i]);
		else
			db_bind_int64(st, i + 1, v[i]);
	}
	rc = db_run(st, err);
	if (changes)
		*changes = db_changes(st);
	db_finalize(st);
	return rc;
}

enum svc_kind temporary_act(struct db *db, const struct temporary_env *env, const struct principal *actor, int64_t id,
			    const struct temporary_action *req, struct svc_error *e)
{
	if (!req->action)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "action", "缺少操作 action");
	if (!temporary_action_known(req->action))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ACTION", "action",
				"临时救助的操作应为 first_aid、paperwork、approve、reject 或 pay_stage");
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version（读取案件时得到）");
	enum svc_kind k;
	if ((k = check_note(req->note, "note", e)) || (k = check_note(req->case_by_case_note, "case_by_case_note", e)))
		return k;
	const char *act = req->action;
	fen_t amount = 0;
	if ((!strcmp(act, "first_aid") || !strcmp(act, "approve")) &&
	    (k = parse_amount(req->amount, "amount", &amount, e)))
		return k;
	dd_error err;
	dd_error_clear(&err);
	char now[STORE_TIME_MAX], eid[24];
	store_now(now);
	snprintf(eid, sizeof eid, "%lld", (long long)id);
	struct tcase c;
	bool found = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = case_load(db, id, &c, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found || !authz_in_scope(actor, c.sig))
		return tx_fail(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该临时救助案件"));
	/* the version first: it also takes the case's row lock */
	int64_t changes = 0;
	{
		const char *t[] = {NULL, NULL, now};
		const int64_t v[] = {id, req->version, 0};
		rc = run_mixed(db,
			       "UPDATE applications SET version = version + 1, updated_at = $3 WHERE id = $1 AND "
			       "version = $2",
			       3, t, v, &changes, &err);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changes != 1)
		return tx_fail(
		    db, svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "案件已被他人修改，请重新读取后再操作"));
	const char *to = c.state;
	char detail[400] = "{}", a_text[MONEY_TEXT_MAX];
	money_format(amount, a_text);
	const char *note = req->note;

	if (!strcmp(act, "first_aid")) {
		if (strcmp(c.state, "submitted") != 0)
			return tx_fail(db, refuse_state(e, c.state));
		fen_t total;
		if (!money_add(c.first_aid, amount, &total))
			return tx_fail(db, svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", "amount", "金额过大"));
		struct temp_verdict v;
		/* the case's first aid in total stays within the limit */
		if ((k = temporary_check_approval(env, actor, c.sig, c.area, TEMP_ACTION_FIRST_AID, total, false, &v,
						  e)))
			return tx_fail(db, k);
		if (!c.township[0])
			return tx_fail(db, svc_fail(e, SVC_RULE, "NO_RESERVE_FUND", NULL, "该地区没有乡镇备用金"));
		struct reserve_entry entry;
		if ((k = reserve_fund_post_tx(db, actor, c.township, RESERVE_DRAW, amount, id, "先行救助", &entry, e)))
			return tx_fail(db, k);
		const char *t[] = {NULL, NULL, now, NULL};
		const int64_t vv[] = {id, total, 0, actor->id};
		rc =
		    run_mixed(db,
			      "UPDATE temporary_cases SET first_aid_amount = $2, first_aid_at = $3, first_aid_by = $4, "
			      "updated_at = $3, version = version + 1 WHERE application_id = $1",
			      4, t, vv, NULL, &err);
		snprintf(detail, sizeof detail, "{\"amount\":\"%s\",\"reserve_entry_id\":%lld}", a_text,
			 (long long)entry.id);
	} else if (!strcmp(act, "paperwork")) {
		if (actor->role != ROLE_VILLAGE && actor->role != ROLE_TOWNSHIP)
			return tx_fail(db, svc_fail(e, SVC_RULE, "ROLE_CANNOT_PAPERWORK", "action",
						    "先行救助的事后补充说明由村（居）委会或乡镇（街道）提交"));
		if (c.first_aid <= 0 || c.paperwork)
			return tx_fail(
			    db, svc_fail(e, SVC_RULE, "NO_PAPERWORK_DUE", "action", "本案没有待补充说明的先行救助"));
		if (!note || !*note)
			return tx_fail(db, svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "note", "请填写事后补充说明"));
		const char *t[] = {NULL, now};
		const int64_t vv[] = {id, 0};
		rc = run_mixed(db,
			       "UPDATE temporary_cases SET paperwork_done = 1, updated_at = $2, version = version + 1 "
			       "WHERE application_id = $1",
			       2, t, vv, NULL, &err);
	} else if (!strcmp(act, "approve")) {
		if (strcmp(c.state, "submitted") != 0)
			return tx_fail(db, refuse_state(e, c.state));
		if (actor->role == ROLE_VILLAGE || (actor->role != ROLE_TOWNSHIP && actor->role != ROLE_COUNTY))
			return tx_fail(db, svc_fail(e, SVC_RULE, "ROLE_CANNOT_APPROVE", "action",
						    "临时救助由乡镇（街道）在限额内审批，超过限额由区县民政局审批"));
		if (c.first_aid > 0 && !c.paperwork)
			return tx_fail(db, svc_fail(e, SVC_RULE, "PAPERWORK_PENDING", "action",
						    "已先行救助，须先提交事后补充说明再审批"));
		if (amount < c.first_aid) {
			char fa[MONEY_TEXT_MAX];
			money_format(c.first_aid, fa);
			return tx_fail(db, svc_fail(e, SVC_RULE, "BELOW_FIRST_AID", "amount",
						    "审批金额不能低于已发放的先行救助金额 %s 元", fa));
		}
		bool has_note = req->case_by_case_note && *req->case_by_case_note;
		struct temp_verdict v;
		if ((k = temporary_check_approval(env, actor, c.sig, c.area, TEMP_ACTION_APPROVE, amount, has_note, &v,
						  e)))
			return tx_fail(db, k);
		struct temp_limits l;
		if ((k = temporary_limits(env, c.sig, c.area, &l, e)))
			return tx_fail(db, k);
		/* the rest after first aid, in stages */
		fen_t rest = amount - c.first_aid, plan[TEMP_STAGES_MAX];
		int n = 0;
		if (rest > 0) {
			if (req->n_stage_amounts > 0) {
				n = req->n_stage_amounts;
				for (int i = 0; i < n; i++) {
					char f[24];
					snprintf(f, sizeof f, "stages[%d]", i);
					if ((k = parse_amount(req->stage_amounts[i], f, &plan[i], e)))
						return tx_fail(db, k);
				}
				if (temp_stages_check(rest, plan, n, &err) != DD_OK)
					return tx_fail(db, svc_fail(e, SVC_BAD_INPUT, "BAD_STAGES", err.field,
								    "%s（应付余额为审批金额减去先行救助金额）",
								    err.message));
			} else {
				n = req->stages_count > 0 ? req->stages_count : 1;
				if (temp_stage_plan(rest, n, plan, &err) != DD_OK)
					return tx_fail(
					    db, svc_fail(e, SVC_BAD_INPUT, "BAD_STAGES", "stages", "%s", err.message));
			}
		} else if (req->n_stage_amounts > 0 || req->stages_count > 0)
			return tx_fail(db, svc_fail(e, SVC_BAD_INPUT, "BAD_STAGES", "stages",
						    "审批金额已全部由先行救助发放，无需分阶段"));
		to = n > 0 ? "approved" : "closed";
		const char *t[] = {
		    NULL, temp_tier_name(v.tier), NULL, has_note ? req->case_by_case_note : NULL, NULL, now, NULL};
		const int64_t vv[] = {id, 0, amount, 0, actor->id, 0, l.standard};
		if (has_note)
			rc = run_mixed(
			    db,
			    "UPDATE temporary_cases SET tier = $2, approved_amount = $3, case_by_case_note = $4, "
			    "approved_by = $5, approved_at = $6, standard = $7, updated_at = $6, version = "
			    "version + 1 WHERE application_id = $1",
			    7, t, vv, NULL, &err);
		else
			rc = run_mixed(db,
				       "UPDATE temporary_cases SET tier = $2, approved_amount = $3, approved_by = $4, "
				       "approved_at = $5, standard = $6, updated_at = $5, version = version + 1 WHERE "
				       "application_id = $1",
				       6, (const char *const[]){NULL, temp_tier_name(v.tier), NULL, NULL, now, NULL},
				       (const int64_t[]){id, 0, amount, actor->id, 0, l.standard}, NULL, &err);
		for (int i = 0; !rc && i < n; i++) {
			const char *ts[] = {NULL, c.region, NULL, NULL, now};
			const int64_t vs[] = {id, 0, i + 1, plan[i], 0};
			rc = run_mixed(
			    db,
			    "INSERT INTO temporary_stages (application_id, region_code, seq, amount, created_at, "
			    "updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
			    5, ts, vs, NULL, &err);
		}
		if (!rc) {
			const char *ta[] = {NULL, now};
			const int64_t va[] = {id, 0};
			rc = run_mixed(db,
				       "UPDATE applications SET approved_amount = (SELECT approved_amount FROM "
				       "temporary_cases WHERE application_id = $1), decided_at = $2 WHERE id = $1",
				       2, ta, va, NULL, &err);
		}
		snprintf(detail, sizeof detail, "{\"amount\":\"%s\",\"tier\":\"%s\",\"stages\":%d,\"case_by_case\":%s}",
			 a_text, temp_tier_name(v.tier), n, has_note ? "true" : "false");
		if (has_note && (!note || !*note))
			note = req->case_by_case_note;
	} else if (!strcmp(act, "reject")) {
		if (strcmp(c.state, "submitted") != 0)
			return tx_fail(db, refuse_state(e, c.state));
		if (actor->role != ROLE_TOWNSHIP && actor->role != ROLE_COUNTY)
			return tx_fail(db, svc_fail(e, SVC_RULE, "ROLE_CANNOT_APPROVE", "action",
						    "不予救助由乡镇（街道）或区县民政局决定"));
		if (!note || !*note)
			return tx_fail(db,
				       svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "note", "不予救助须书面说明理由"));
		to = "rejected";
		const char *ta[] = {NULL, now};
		const int64_t va[] = {id, 0};
		rc = run_mixed(db, "UPDATE applications SET decided_at = $2, closed_at = $2 WHERE id = $1", 2, ta, va,
			       NULL, &err);
	} else { /* pay_stage */
		if (strcmp(c.state, "approved") != 0)
			return tx_fail(db, refuse_state(e, c.state));
		bool by_township = !strcmp(c.tier, "first_aid") || !strcmp(c.tier, "township");
		if (by_township ? actor->role != ROLE_TOWNSHIP
				: (actor->role != ROLE_COUNTY && actor->role != ROLE_FINANCE))
			return tx_fail(db, svc_fail(e, SVC_RULE, "ROLE_CANNOT_PAY", "action",
						    by_township ? "乡镇审批的临时救助由乡镇（街道）从备用金发放"
								: "区县审批的临时救助由区县民政局或财政局发放"));
		struct db_stmt *st;
		bool row = false;
		fen_t stage_amount = 0;
		int64_t planned = 0;
		/* a stage in a live bank payment (epidemic_aid.h) is paid by the bank */
		int64_t bank_batch = 0;
		rc = db_prepare_cached(db,
				       "SELECT s.amount, s.state, (SELECT y.batch_id FROM payments y WHERE y.id = "
				       "s.payment_id AND y.state <> 'cancelled') FROM temporary_stages s WHERE "
				       "s.application_id = $1 AND s.seq = $2",
				       &st, &err);
		char sstate[16] = "";
		if (!rc) {
			db_bind_int64(st, 1, id);
			db_bind_int64(st, 2, req->stage);
			rc = db_step(st, &row, &err);
			if (!rc && row) {
				stage_amount = db_column_int64(st, 0);
				copy_text(sstate, sizeof sstate, db_column_text(st, 1, NULL));
				bank_batch = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
			}
			db_finalize(st);
		}
		if (rc)
			return svc_store_fail(e, db, rc, &err);
		if (!row || strcmp(sstate, "planned") != 0)
			return tx_fail(db, svc_fail(e, SVC_RULE, "STAGE_NOT_PAYABLE", "stage",
						    row ? "该阶段已发放或已取消" : "没有这个阶段"));
		if (bank_batch)
			return tx_fail(
			    db, svc_fail(e, SVC_RULE, "STAGE_IN_BANK_BATCH", "stage",
					 "该阶段已列入银行代发批次（批次 %lld），不能再从备用金发放；如需改为现金发放，"
					 "请先作废该批次",
					 (long long)bank_batch));
		int64_t entry_id = 0;
		if (by_township) {
			struct reserve_entry entry;
			if ((k = reserve_fund_post_tx(db, actor, c.township, RESERVE_DRAW, stage_amount, id,
						      "分阶段救助", &entry, e)))
				return tx_fail(db, k);
			entry_id = entry.id;
		}
		{
			const char *ts[] = {NULL, NULL, now, NULL};
			const int64_t vs[] = {id, req->stage, 0, actor->id};
			rc = run_mixed(
			    db,
			    "UPDATE temporary_stages SET state = 'paid', paid_at = $3, paid_by = $4, updated_at "
			    "= $3, version = version + 1 WHERE application_id = $1 AND seq = $2",
			    4, ts, vs, NULL, &err);
		}
		if (!rc && entry_id) {
			const char *ts[] = {NULL, NULL, NULL};
			const int64_t vs[] = {id, req->stage, entry_id};
			rc =
			    run_mixed(db,
				      "UPDATE temporary_stages SET reserve_entry_id = $3 WHERE application_id = $1 AND "
				      "seq = $2",
				      3, ts, vs, NULL, &err);
		}
		if (!rc) {
			rc = db_prepare_cached(
			    db,
			    "SELECT count(*) FROM temporary_stages WHERE application_id = $1 AND state = "
			    "'planned'",
			    &st, &err);
			if (!rc) {
				db_bind_int64(st, 1, id);
				rc = db_step(st, &row, &err);
				if (!rc && row)
					planned = db_column_int64(st, 0);
				db_finalize(st);
			}
		}
		if (!rc && planned == 0) {
			to = "closed";
			const char *ta[] = {NULL, now};
			const int64_t va[] = {id, 0};
			rc = run_mixed(db, "UPDATE applications SET closed_at = $2 WHERE id = $1", 2, ta, va, NULL,
				       &err);
		}
		char sa[MONEY_TEXT_MAX];
		money_format(stage_amount, sa);
		snprintf(detail, sizeof detail, "{\"stage\":%lld,\"amount\":\"%s\",\"reserve_entry_id\":%lld}",
			 (long long)req->stage, sa, (long long)entry_id);
	}
	if (!rc && strcmp(to, c.state) != 0) {
		const char *ta[] = {NULL, to};
		const int64_t va[] = {id, 0};
		rc = run_mixed(db, "UPDATE applications SET state = $2 WHERE id = $1", 2, ta, va, NULL, &err);
	}
	if (!rc)
		rc = run_history(db, &c, act, to, actor, now, note, detail, &err);
	if (!rc) {
		char action[48];
		snprintf(action, sizeof action, "application.%s", act);
		rc = audit_append_region(db, c.region, actor->username, action, "application", eid, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

static void add_money_or_null(struct strbuf *b, const char *key, struct db_stmt *st, int col)
{
	if (db_column_is_null(st, col))
		strbuf_addf(b, ",\"%s\":null", key);
	else {
		strbuf_addc(b, ',');
		add_money(b, key, db_column_int64(st, col));
	}
}

enum svc_kind temporary_list(struct db *db, const struct principal *actor, const char *state, int64_t page,
			     int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	static const char *const states[] = {"", "submitted", "approved", "closed", "rejected"};
	bool known = false;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		known = known || strcmp(state, states[i]) == 0;
	if (!known)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"state 应为 submitted、approved、closed 或 rejected");
	strbuf_adds(out, "{\"items\":[");
	int64_t total = 0;
	if (actor->role != ROLE_NONE) {
		char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
		store_region_range(actor->scope, lo, hi);
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		if (!rc)
			rc = db_prepare_cached(
			    db,
			    "SELECT count(*) FROM applications a JOIN temporary_cases t ON "
			    "t.application_id = a.id WHERE a.region_code >= $1 AND a.region_code < $2 "
			    "AND a.programme = 'temporary' AND (CAST($3 AS TEXT) = '' OR a.state = $3)",
			    &st, &err);
		if (!rc) {
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_str(st, 3, state);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc)
			rc = db_prepare_cached(
			    db,
			    "SELECT a.id, a.household_id, a.region_code, a.state, a.requested_amount, "
			    "t.approved_amount, "
			    "t.tier, t.case_kind, t.cause, t.first_aid_amount, a.created_at, (SELECT p.name FROM "
			    "memberships m JOIN persons p ON p.id = m.person_id WHERE m.household_id = a.household_id "
			    "AND m.to_date IS NULL AND m.relation = 'head') FROM applications a JOIN temporary_cases t "
			    "ON "
			    "t.application_id = a.id WHERE a.region_code >= $1 AND a.region_code < $2 AND a.programme "
			    "= "
			    "'temporary' AND (CAST($3 AS TEXT) = '' OR a.state = $3) ORDER BY a.id DESC LIMIT $4 "
			    "OFFSET $5",
			    &st, &err);
		if (!rc) {
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_str(st, 3, state);
			db_bind_int64(st, 4, per_page);
			db_bind_int64(st, 5, (page - 1) * per_page);
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (n)
					strbuf_addc(out, ',');
				strbuf_addf(out, "{\"id\":%lld,\"household_id\":", (long long)db_column_int64(st, 0));
				if (db_column_is_null(st, 1))
					strbuf_adds(out, "null");
				else
					strbuf_add_int(out, db_column_int64(st, 1));
				char full[REGION_TEXT_MAX];
				const char *r = db_column_text(st, 2, NULL);
				region_full_code(r ? r : "", full);
				strbuf_addc(out, ',');
				add_str_or_null(out, "head_name", db_column_text(st, 11, NULL));
				strbuf_addf(out, ",\"region\":\"%s\",", full);
				add_str_or_null(out, "state", db_column_text(st, 3, NULL));
				add_money_or_null(out, "amount", st, db_column_is_null(st, 5) ? 4 : 5);
				add_money_or_null(out, "requested_amount", st, 4);
				add_money_or_null(out, "approved_amount", st, 5);
				strbuf_addc(out, ',');
				add_str_or_null(out, "tier", db_column_text(st, 6, NULL));
				strbuf_addc(out, ',');
				add_str_or_null(out, "case_kind", db_column_text(st, 7, NULL));
				strbuf_addc(out, ',');
				add_str_or_null(out, "cause", db_column_text(st, 8, NULL));
				add_money_or_null(out, "first_aid_amount", st, 9);
				strbuf_addc(out, ',');
				add_str_or_null(out, "created_at", db_column_text(st, 10, NULL));
				strbuf_addc(out, '}');
			}
			db_finalize(st);
		}
		db_rollback(db);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
	}
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)page,
		    (long long)per_page);
	return SVC_OK;
}
