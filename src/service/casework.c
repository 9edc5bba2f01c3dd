/* casework.c - see casework.h. */
#include "casework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/assess.h"
#include "core/casework.h"
#include "core/household.h"
#include "core/idnum.h"
#include "core/money.h"
#include "core/region.h"
#include "hotline.h"
#include "referral.h"
#include "registry.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

#define TS_MAX 40

dd_date casework_today(void)
{
	return store_today();
}

/* The civil date (UTC+8) of a store time stamp "YYYY-MM-DDTHH:…Z". */
static dd_date china_date(const char *ts)
{
	dd_date d;
	return store_time_china_date(ts, &d) ? d : CASE_NO_DATE;
}

static void add_date(struct strbuf *o, dd_date d)
{
	if (d == CASE_NO_DATE) {
		strbuf_adds(o, "null");
		return;
	}
	char b[DATE_TEXT_MAX];
	date_format(d, b);
	strbuf_addf(o, "\"%s\"", b);
}

static void add_money(struct strbuf *o, fen_t v)
{
	char b[MONEY_TEXT_MAX];
	money_format(v, b);
	strbuf_addf(o, "\"%s\"", b);
}

static enum svc_kind store_fail(struct svc_error *e, dd_status rc, const dd_error *err)
{
	return svc_from_status(e, rc == DD_ENOTFOUND ? DD_EIO : rc, err);
}

/* --- policy ------------------------------------------------------------ */

static bool pol_int(const struct policy *p, const char *name, const char *region, dd_date d, int64_t *out)
{
	const struct policy_entry *en = policy_lookup(p, name, region, d);
	if (!en)
		return false;
	*out = en->value.i;
	return true;
}

static enum svc_kind load_times(const struct casework_env *env, const char *region, struct case_times *t, bool *waiver,
				struct svc_error *e)
{
	static const struct {
		const char *name;
		size_t off;
	} ints[] = {
	    {"procedure.start_verification_workdays", offsetof(struct case_times, start_verification_workdays)},
	    {"procedure.data_check_workdays", offsetof(struct case_times, data_check_workdays)},
	    {"procedure.public_notice_days", offsetof(struct case_times, public_notice_days)},
	    {"procedure.county_decision_workdays", offsetof(struct case_times, county_decision_workdays)},
	    {"procedure.refusal_notice_workdays", offsetof(struct case_times, refusal_notice_workdays)},
	    {"procedure.total_workdays", offsetof(struct case_times, total_workdays)},
	    {"procedure.total_workdays_delegated", offsetof(struct case_times, total_workdays_delegated)},
	};
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		int64_t v;
		if (!pol_int(env->policy, ints[i].name, region, env->today, &v) || v < 0 || v > 1000)
			return svc_fail(e, SVC_RULE, "POLICY_MISSING", ints[i].name,
					"政策参数 %s 在本地区和日期没有有效值", ints[i].name);
		int iv = (int)v;
		memcpy((char *)t + ints[i].off, &iv, sizeof iv);
	}
	int64_t b = 0;
	t->township_approves = pol_int(env->policy, "procedure.township_approves", region, env->today, &b) && b != 0;
	b = 0;
	*waiver = pol_int(env->policy, "procedure.waive_investigation", region, env->today, &b) && b != 0;
	return SVC_OK;
}

/* The value of a policy entry as JSON. */
static void add_policy_value(struct strbuf *o, const struct policy_value *v)
{
	switch (v->kind) {
	case POLICY_INTEGER:
		strbuf_add_int(o, v->i);
		return;
	case POLICY_BOOLEAN:
		strbuf_adds(o, v->i ? "true" : "false");
		return;
	case POLICY_LIST:
		strbuf_addc(o, '[');
		for (size_t i = 0; i < v->n_items; i++) {
			if (i)
				strbuf_addc(o, ',');
			if (v->items[i].is_int)
				strbuf_add_int(o, v->items[i].i);
			else
				strbuf_add_json_string_or_null(o, v->items[i].s);
		}
		strbuf_addc(o, ']');
		return;
	case POLICY_MONEY:
	case POLICY_RATIO:
	case POLICY_CODE:
		break;
	}
	strbuf_add_json_string_or_null(o, v->text ? v->text : "");
}

/* {"name": value, …}: every parameter in force for region on date. */
static void params_in_force(const struct policy *p, const char *region, dd_date d, struct strbuf *o)
{
	strbuf_addc(o, '{');
	const char *last = NULL;
	bool first = true;
	for (size_t i = 0; i < p->n; i++) {
		const char *name = p->entries[i].name;
		if (last && strcmp(last, name) == 0)
			continue;
		last = name;
		const struct policy_entry *en = policy_lookup(p, name, region, d);
		if (!en)
			continue;
		if (!first)
			strbuf_addc(o, ',');
		first = false;
		strbuf_add_json_string_or_null(o, name);
		strbuf_addc(o, ':');
		add_policy_value(o, &en->value);
	}
	strbuf_addc(o, '}');
}

/* --- the household as ASSESS.md input, from the store -------------------- */

static dd_status household_json(struct db *db, int64_t hid, dd_date d, struct strbuf *o, dd_error *err)
{
	char day[DATE_TEXT_MAX], month[MONTH_TEXT_MAX];
	date_format(d, day);
	month_format(date_month(d), month);
	struct db_stmt *st = NULL, *in = NULL;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT region_code, area FROM households WHERE id = $1", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hid);
	rc = db_step(st, &row, err);
	if (!rc && !row)
		rc = dd_fail(err, DD_ENOTFOUND, "household_id", "家庭不存在");
	if (rc) {
		db_finalize(st);
		return rc;
	}
	char sig[REGION_TEXT_MAX], full[REGION_TEXT_MAX];
	db_column_copy(st, 0, sig, sizeof sig);
	region_full_code(sig, full);
	strbuf_addf(o, "{\"region\":\"%s\",\"area\":", full);
	strbuf_add_json_string_or_null(o, db_column_text(st, 1, NULL));
	strbuf_addf(o, ",\"date\":\"%s\",\"members\":[", day);
	db_finalize(st);
	st = NULL;

	rc = db_prepare(db,
			"SELECT p.id, p.id_number, p.name, m.relation, p.disability_grade, p.disability_kind, "
			"p.severe_illness, p.labor_capacity, p.self_care, p.in_school, p.supporters "
			"FROM memberships m JOIN persons p ON p.id = m.person_id "
			"WHERE m.household_id = $1 AND m.from_date <= $2 AND (m.to_date IS NULL OR m.to_date > $2) "
			"AND (p.death_date IS NULL OR p.death_date > $2) ORDER BY p.id",
			0, &st, err);
	if (!rc)
		rc = db_prepare(db,
				"SELECT type, amount, period, imputed FROM incomes WHERE person_id = $1 "
				"AND (from_month IS NULL OR from_month <= $2) AND (to_month IS NULL OR to_month >= $2) "
				"ORDER BY id",
				0, &in, err);
	if (rc)
		goto done;
	db_bind_int64(st, 1, hid);
	db_bind_str(st, 2, day);
	for (int n = 0;; n++) {
		if ((rc = db_step(st, &row, err)) || !row)
			break;
		if (n)
			strbuf_addc(o, ',');
		strbuf_adds(o, "{\"id\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 1, NULL));
		strbuf_adds(o, ",\"name\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 2, NULL));
		strbuf_adds(o, ",\"relation\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 3, NULL));
		strbuf_addf(o, ",\"disability_grade\":%lld,\"disability_kind\":", (long long)db_column_int64(st, 4));
		strbuf_add_json_string_or_null(o, db_column_text(st, 5, NULL));
		strbuf_addf(o, ",\"severe_illness\":%s,\"labor_capacity\":", db_column_int64(st, 6) ? "true" : "false");
		strbuf_add_json_string_or_null(o, db_column_text(st, 7, NULL));
		strbuf_adds(o, ",\"self_care\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 8, NULL));
		strbuf_addf(o, ",\"in_school\":%s,\"supporters\":", db_column_int64(st, 9) ? "true" : "false");
		strbuf_add_json_string_or_null(o, db_column_text(st, 10, NULL));
		strbuf_adds(o, ",\"incomes\":[");
		db_reset(in);
		db_bind_int64(in, 1, db_column_int64(st, 0));
		db_bind_str(in, 2, month);
		bool irow = false;
		for (int k = 0;; k++) {
			if ((rc = db_step(in, &irow, err)) || !irow)
				break;
			if (k)
				strbuf_addc(o, ',');
			strbuf_adds(o, "{\"type\":");
			strbuf_add_json_string_or_null(o, db_column_text(in, 0, NULL));
			strbuf_adds(o, ",\"amount\":");
			add_money(o, db_column_int64(in, 1));
			strbuf_adds(o, ",\"period\":");
			strbuf_add_json_string_or_null(o, db_column_text(in, 2, NULL));
			strbuf_addf(o, ",\"imputed\":%s}", db_column_int64(in, 3) ? "true" : "false");
		}
		if (rc)
			goto done;
		strbuf_adds(o, "]}");
	}
	if (rc)
		goto done;
	strbuf_adds(o, "]");
	db_finalize(st);
	st = NULL;

	/* assets: non-exempt amounts and counts by kind */
	rc = db_prepare(db,
			"SELECT kind, COALESCE(SUM(amount), 0), COALESCE(SUM(quantity), 0) FROM assets "
			"WHERE household_id = $1 AND exempt = 0 GROUP BY kind",
			0, &st, err);
	if (rc)
		goto done;
	db_bind_int64(st, 1, hid);
	fen_t financial = 0;
	int64_t vehicles = 0, houses = 0;
	while (!(rc = db_step(st, &row, err)) && row) {
		const char *k = db_column_text(st, 0, NULL);
		if (k && strcmp(k, "financial") == 0)
			financial = db_column_int64(st, 1);
		else if (k && strcmp(k, "vehicle") == 0)
			vehicles = db_column_int64(st, 2);
		else if (k && strcmp(k, "house") == 0)
			houses = db_column_int64(st, 2);
	}
	if (rc)
		goto done;
	strbuf_adds(o, ",\"assets\":{\"financial\":");
	add_money(o, financial);
	strbuf_addf(o, ",\"vehicles\":%lld,\"extra_houses\":%lld},\"expenses\":[", (long long)vehicles,
		    (long long)houses);
	db_finalize(st);
	st = NULL;

	rc = db_prepare(db,
			"SELECT type, amount, period FROM expenditures WHERE household_id = $1 "
			"AND (incurred_on IS NULL OR incurred_on <= $2) ORDER BY id",
			0, &st, err);
	if (rc)
		goto done;
	db_bind_int64(st, 1, hid);
	db_bind_str(st, 2, day);
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		if (n)
			strbuf_addc(o, ',');
		strbuf_adds(o, "{\"type\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 0, NULL));
		strbuf_adds(o, ",\"amount\":");
		add_money(o, db_column_int64(st, 1));
		strbuf_adds(o, ",\"period\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 2, NULL));
		strbuf_addc(o, '}');
	}
	if (!rc)
		strbuf_adds(o, "]}");
done:
	db_finalize(st);
	db_finalize(in);
	if (!rc && o->failed)
		rc = dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
	return rc;
}

/* What a decision pays each month, per payee and component (decision_lines,
 * schema/010): the household benefit goes to the head, a tekun person's basic
 * and care standards and a single-person enrolment to the person. */
#define ASSESSED_LINES_MAX (2 * HOUSEHOLD_MAX_MEMBERS)
struct assessed_line {
	char id_number[IDNUM_LEN + 1];
	const char *component, *category;
	fen_t amount;
};

struct assessed {
	struct assessed_line lines[ASSESSED_LINES_MAX];
	int n_lines;
	struct strbuf result; /* ASSESS.md result JSON */
	const char *trace;    /* inside result: the trace array */
	size_t trace_len;
	const char *determination;
	fen_t benefit;
	bool admits; /* the rules admit the household to the programme */
	char gradual_until[MONTH_TEXT_MAX];
};

static void add_line(struct assessed *out, const struct household *h, int member, const char *component,
		     const char *category, fen_t amount)
{
	if (amount <= 0 || member < 0 || (size_t)member >= h->n_members || out->n_lines >= ASSESSED_LINES_MAX)
		return;
	struct assessed_line *l = &out->lines[out->n_lines++];
	memcpy(l->id_number, h->members[member].id.text, sizeof l->id_number);
	l->component = component;
	l->category = category;
	l->amount = amount;
}

/* Assesses the stored household as of d. SVC_RULE when the rules cannot run
 * on it (no members, a policy value missing). */
static enum svc_kind assess_household(struct db *db, const struct policy *pol, int64_t hid, const char *programme,
				      dd_date d, struct assessed *out, struct svc_error *e)
{
	struct strbuf in;
	strbuf_init(&in, 1024); /* out->result: initialised by the caller */
	out->trace = NULL;
	out->gradual_until[0] = '\0';
	dd_error err;
	dd_error_clear(&err);
	enum svc_kind k = SVC_OK;
	dd_status rc = household_json(db, hid, d, &in, &err);
	if (rc) {
		k = store_fail(e, rc, &err);
		goto out;
	}
	struct arena a;
	arena_init(&a, 16 * 1024, 16u * 1024 * 1024);
	struct household h;
	struct assess_params p;
	struct assess_result r;
	rc = household_parse(in.buf, in.len, NULL, &a, &h, &err);
	if (!rc)
		rc = assess_params_resolve(pol, h.region_sig, h.date, &p, &err);
	if (!rc)
		rc = household_assess(&h, &p, &a, &r, &err);
	if (rc) {
		k = svc_fail(e, SVC_RULE, rc == DD_ENOTFOUND ? "POLICY_MISSING" : "ASSESSMENT_FAILED", err.field,
			     "无法按登记的家庭数据进行核算：%s", err.message);
		arena_release(&a);
		goto out;
	}
	assess_render(&h, &r, false, &out->result);
	const char *dibao_category = h.area == AREA_URBAN ? "dibao_urban" : "dibao_rural";
	out->n_lines = 0;
	if (strcmp(programme, "tekun") == 0) {
		fen_t sum = 0;
		for (int i = 0; i < r.n_tekun; i++) {
			if (!money_add(sum, r.tekun[i].benefit, &sum))
				sum = 0;
			add_line(out, &h, r.tekun[i].member, "tekun_basic", "tekun", r.tekun[i].basic);
			add_line(out, &h, r.tekun[i].member, "tekun_care", "tekun", r.tekun[i].care);
		}
		out->determination = r.n_tekun ? "tekun" : "none";
		out->benefit = sum;
		out->admits = r.n_tekun > 0;
	} else if (r.determination == DET_MARGINAL && r.n_single_person > 0 && strcmp(programme, "dibao") == 0) {
		/* single-person enrolment (单人保): the marginal household's severely
		 * disabled or ill members, each enrolled alone */
		fen_t sum = 0;
		for (int i = 0; i < r.n_single_person; i++) {
			if (!money_add(sum, r.single_person[i].benefit, &sum))
				sum = 0;
			add_line(out, &h, r.single_person[i].member, "single_person", dibao_category,
				 r.single_person[i].benefit);
		}
		out->determination = "single_person";
		out->benefit = sum;
		out->admits = sum > 0;
	} else {
		out->determination = determination_code(r.determination);
		out->benefit = r.monthly_benefit;
		out->admits = strcmp(programme, "temporary") == 0 || r.determination == DET_DIBAO ||
			      r.determination == DET_GRADUAL_EXIT;
		for (size_t i = 0; i < h.n_members && strcmp(programme, "dibao") == 0; i++)
			if (h.members[i].relation == REL_HEAD)
				add_line(out, &h, (int)i,
					 r.determination == DET_GRADUAL_EXIT ? "gradual_exit" : "household",
					 dibao_category, r.monthly_benefit);
	}
	if (r.has_gradual_exit_until)
		month_format(r.gradual_exit_until, out->gradual_until);
	arena_release(&a);
	const char *t = out->result.buf ? strstr(out->result.buf, ",\"trace\":[") : NULL;
	if (!t || out->result.failed) {
		k = svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "服务器内部错误");
		goto out;
	}
	out->trace = t + 9;
	out->trace_len = out->result.len - (size_t)(out->trace - out->result.buf) - 1; /* without the final '}' */
out:
	strbuf_release(&in);
	return k;
}

enum svc_kind casework_assess_brief(struct db *db, const struct policy *pol, int64_t hid, const char *programme,
				    dd_date d, const char **determination, fen_t *benefit, struct svc_error *e)
{
	struct assessed *as = calloc(1, sizeof *as);
	if (!as)
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "服务器内部错误");
	strbuf_init(&as->result, 4096);
	enum svc_kind k = assess_household(db, pol, hid, programme, d, as, e);
	if (!k) {
		*determination = as->determination;
		*benefit = as->benefit;
	}
	strbuf_release(&as->result);
	free(as);
	return k;
}

/* --- applications -------------------------------------------------------- */

struct app;
/* A children's allowance decision in force on or after first_day for a
 * person of the new tekun decision's lines? Its id, or 0. */
static dd_status tekun_children_in_force(struct db *db, int64_t tekun_decision, const char *first_day,
					 int64_t *decision_id, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*decision_id = 0;
	dd_status rc =
	    db_prepare(db,
		       "SELECT d.id FROM decision_lines l JOIN decisions d ON d.person_id = l.person_id AND "
		       "d.programme = 'children' AND d.superseded_by IS NULL AND (d.effective_to IS NULL OR "
		       "d.effective_to > $2) WHERE l.decision_id = $1 AND l.programme = 'tekun' ORDER BY d.id "
		       "LIMIT 1",
		       0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, tekun_decision);
	db_bind_str(st, 2, first_day);
	if (!(rc = db_step(st, &row, err)) && row)
		*decision_id = db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}

/* The person keeps tekun: their children's allowance decisions end on the
 * tekun decision's first day. */
static dd_status tekun_children_end(struct db *db, int64_t tekun_decision, const char *first_day, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare(db,
		       "UPDATE decisions SET effective_to = $2 WHERE programme = 'children' AND superseded_by "
		       "IS NULL AND (effective_to IS NULL OR effective_to > $2) AND person_id IN (SELECT "
		       "person_id FROM decision_lines WHERE decision_id = $1 AND programme = 'tekun')",
		       0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, tekun_decision);
	db_bind_str(st, 2, first_day);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

static dd_status decision_lines_insert(struct db *db, int64_t decision_id, const struct app *a,
				       const struct assessed *as, const char *now, dd_error *err);

struct app {
	int64_t id, household_id, version;
	char region[REGION_TEXT_MAX];
	char programme[16], kind[16], state[24], channel[16];
	bool close_relative, commitment;
	char submitted_at[TS_MAX], accepted_at[TS_MAX], decided_at[TS_MAX], closed_at[TS_MAX], due_date[16];
};

/* Writes the decision's monthly lines (decision_lines), the payee found by
 * ID number among the household's members. */
static dd_status decision_lines_insert(struct db *db, int64_t decision_id, const struct app *a,
				       const struct assessed *as, const char *now, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(
	    db,
	    "INSERT INTO decision_lines (decision_id, household_id, person_id, region_code, programme, component, "
	    "category, amount, created_at) SELECT $1, $2, p.id, $3, $4, $5, $6, $7, $8 FROM persons p "
	    "WHERE p.id_number = $9",
	    0, &st, err);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < as->n_lines; i++) {
		const struct assessed_line *l = &as->lines[i];
		db_reset(st);
		db_bind_int64(st, 1, decision_id);
		db_bind_int64(st, 2, a->household_id);
		db_bind_str(st, 3, a->region);
		db_bind_str(st, 4, a->programme);
		db_bind_str(st, 5, l->component);
		db_bind_str(st, 6, l->category);
		db_bind_int64(st, 7, l->amount);
		db_bind_str(st, 8, now);
		db_bind_str(st, 9, l->id_number);
		if (!(rc = db_run(st, err)) && db_changes(st) != 1)
			rc = dd_fail(err, DD_ENOTFOUND, "decision_lines", "决定的发放对象不在人员登记中");
	}
	db_finalize(st);
	return rc;
}

#define APP_COLS                                                                                                       \
	"id, household_id, version, region_code, programme, kind, state, channel, close_relative, commitment_signed, " \
	"submitted_at, accepted_at, decided_at, closed_at, due_date"

static void app_read(struct db_stmt *st, struct app *a)
{
	a->id = db_column_int64(st, 0);
	a->household_id = db_column_int64(st, 1);
	a->version = db_column_int64(st, 2);
	db_column_copy(st, 3, a->region, sizeof a->region);
	db_column_copy(st, 4, a->programme, sizeof a->programme);
	db_column_copy(st, 5, a->kind, sizeof a->kind);
	db_column_copy(st, 6, a->state, sizeof a->state);
	db_column_copy(st, 7, a->channel, sizeof a->channel);
	a->close_relative = db_column_int64(st, 8) != 0;
	a->commitment = db_column_int64(st, 9) != 0;
	db_column_copy(st, 10, a->submitted_at, sizeof a->submitted_at);
	db_column_copy(st, 11, a->accepted_at, sizeof a->accepted_at);
	db_column_copy(st, 12, a->decided_at, sizeof a->decided_at);
	db_column_copy(st, 13, a->closed_at, sizeof a->closed_at);
	db_column_copy(st, 14, a->due_date, sizeof a->due_date);
}

/* The case id inside the actor's scope; SVC_NOT_FOUND otherwise. */
static enum svc_kind app_load(struct db *db, const struct principal *actor, int64_t id, struct app *a,
			      struct svc_error *e)
{
	struct db_stmt *st;
	dd_error err;
	dd_error_clear(&err);
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT " APP_COLS " FROM applications WHERE id = $1", 0, &st, &err);
	if (rc)
		return store_fail(e, rc, &err);
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, &err);
	if (!rc && row)
		app_read(st, a);
	db_finalize(st);
	if (rc)
		return store_fail(e, rc, &err);
	if (!row || (actor && !authz_in_scope(actor, a->region)))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "申请不存在或不在您的辖区内");
	return SVC_OK;
}

/* True when an active member of the household is in the close-relatives register. */
static dd_status relative_registered(struct db *db, int64_t hid, bool *yes, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*yes = false;
	dd_status rc = db_prepare(db,
				  "SELECT count(*) FROM memberships m JOIN persons p ON p.id = m.person_id "
				  "JOIN close_relatives c ON c.id_number = p.id_number AND c.active = 1 "
				  "WHERE m.household_id = $1 AND m.to_date IS NULL",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hid);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*yes = db_column_int64(st, 0) > 0;
	db_finalize(st);
	return rc;
}

/* The date of the latest public notice, CASE_NO_DATE when none. */
static dd_status notice_published(struct db *db, int64_t id, dd_date *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*out = CASE_NO_DATE;
	dd_status rc = db_prepare(db,
				  "SELECT at FROM case_history WHERE application_id = $1 AND action = 'publish_notice' "
				  "ORDER BY id DESC LIMIT 1",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*out = china_date(db_column_text(st, 0, NULL));
	db_finalize(st);
	return rc;
}

static dd_status history_add(struct db *db, const struct app *a, const char *action, const char *from, const char *to,
			     const struct principal *actor, const char *at, const char *note, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare(db,
		       "INSERT INTO case_history (application_id, region_code, action, from_state, to_state, "
		       "actor_id, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		       0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, a->id);
	db_bind_str(st, 2, a->region);
	db_bind_str(st, 3, action);
	db_bind_str(st, 4, from);
	db_bind_str(st, 5, to);
	if (actor)
		db_bind_int64(st, 6, actor->id);
	else
		db_bind_null(st, 6);
	db_bind_str(st, 7, at);
	db_bind_str(st, 8, note && note[0] ? note : NULL);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

static dd_status audit_case(struct db *db, const struct app *a, const struct principal *actor, const char *action,
			    const char *from, const char *to, dd_error *err)
{
	char id[24], detail[256];
	snprintf(id, sizeof id, "%lld", (long long)a->id);
	snprintf(detail, sizeof detail, "{\"programme\":\"%s\",\"kind\":\"%s\",\"from\":%s%s%s,\"to\":\"%s\"}",
		 a->programme, a->kind, from ? "\"" : "", from ? from : "null", from ? "\"" : "", to);
	return audit_append_region(db, a->region, actor ? actor->username : "system", action, "application", id, detail,
				   err);
}

static bool programme_known(const char *p)
{
	return p && (strcmp(p, "dibao") == 0 || strcmp(p, "tekun") == 0 || strcmp(p, "temporary") == 0 ||
		     strcmp(p, "children") == 0);
}

static bool channel_known(const char *c)
{
	static const char *const ok[] = {"counter", "online", "visit", "hotline", "referral"};
	for (size_t i = 0; c && i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(c, ok[i]) == 0)
			return true;
	return false;
}

/* An open case of the programme for the household? */
static dd_status open_case_exists(struct db *db, int64_t hid, const char *programme, bool *yes, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*yes = false;
	dd_status rc = db_prepare(db,
				  "SELECT count(*) FROM applications WHERE household_id = $1 AND programme = $2 "
				  "AND closed_at IS NULL",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hid);
	db_bind_str(st, 2, programme);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*yes = db_column_int64(st, 0) > 0;
	db_finalize(st);
	return rc;
}

/* An open children case for the child? */
static dd_status open_child_case_exists(struct db *db, int64_t person_id, bool *yes, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*yes = false;
	dd_status rc = db_prepare(db,
				  "SELECT count(*) FROM applications WHERE person_id = $1 AND programme = 'children' "
				  "AND closed_at IS NULL",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person_id);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*yes = db_column_int64(st, 0) > 0;
	db_finalize(st);
	return rc;
}

enum svc_kind casework_create(struct db *db, const struct casework_env *env, const struct principal *actor,
			      const struct application_new *req, int64_t *id, struct svc_error *e)
{
	if (actor->role != ROLE_VILLAGE && actor->role != ROLE_TOWNSHIP)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有村（居）委会和乡镇（街道）可以登记申请");
	if (req->programme && strcmp(req->programme, "temporary") == 0 && req->temporary) {
		struct temporary_new t = *req->temporary;
		struct temporary_env tenv = {.policy = env->policy, .today = env->today};
		t.household_id = req->household_id;
		t.note = req->note;
		return temporary_create(db, &tenv, actor, &t, id, e);
	}
	bool children = req->programme && strcmp(req->programme, "children") == 0;
	if (children && !req->children)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "person_id", "缺少儿童的人员编号 person_id");
	if (req->household_id <= 0 && !children)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "household_id", "缺少家庭编号 household_id");
	if (!req->programme)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "programme", "缺少救助项目 programme");
	if (!programme_known(req->programme))
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_VALUE", "programme",
		    "救助项目应为 dibao（低保）、tekun（特困）、temporary（临时救助）或 children（儿童基本生活保障）");
	if (req->channel && !channel_known(req->channel))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "channel",
				"申请渠道应为 counter、online、visit、hotline 或 referral");
	if (req->commitment < 0)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "commitment", "缺少告知承诺 commitment（true/false）");
	if (req->note && strlen(req->note) > 2000)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "note", "备注不能超过 2000 字节");

	dd_error err;
	dd_error_clear(&err);
	struct app a = {0};
	struct db_stmt *st = NULL;
	bool row = false, rel = false, open = false;
	enum svc_kind k = SVC_OK;
	int64_t hid = req->household_id;
	struct strbuf data;
	strbuf_init(&data, 0);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return store_fail(e, rc, &err);
	if (children)
		k = children_application_check(db, actor, req->children, env->today, &hid, a.region, &data, e);
	else
		k = registry_household_region(db, actor, req->household_id, a.region, e);
	if (k) {
		strbuf_release(&data);
		if (db_in_transaction(db)) /* not after a store failure: rolled back already */
			db_rollback(db);
		return k;
	}
	if (req->commitment == 0) {
		k = svc_fail(e, SVC_RULE, "COMMITMENT_REQUIRED", "commitment",
			     "申请人须签署告知承诺书（证明事项告知承诺制）后才能登记申请");
		goto refused;
	}
	if ((rc = children ? open_child_case_exists(db, req->children->person_id, &open, &err)
			   : open_case_exists(db, hid, req->programme, &open, &err)))
		goto fail;
	if (open && children) {
		k = svc_fail(e, SVC_CONFLICT, "OPEN_APPLICATION_EXISTS", "person_id",
			     "该儿童已有在办的儿童基本生活保障申请，不能重复申请");
		goto refused;
	}
	if (open && strcmp(req->programme, "temporary") != 0) {
		k = svc_fail(e, SVC_CONFLICT, "OPEN_APPLICATION_EXISTS", "household_id",
			     "该家庭已有同一救助项目的在办申请，不能重复申请");
		goto refused;
	}
	if ((rc = relative_registered(db, hid, &rel, &err)))
		goto fail;
	struct case_times times;
	bool waiver;
	if ((k = load_times(env, a.region, &times, &waiver, e)))
		goto refused;
	char now[STORE_TIME_MAX], due[DATE_TEXT_MAX];
	store_now(now);
	date_format(casework_due(env->cal, &times, CS_SUBMITTED, env->today, CASE_NO_DATE), due);
	rc = db_prepare(
	    db,
	    "INSERT INTO applications (household_id, region_code, programme, kind, state, channel, "
	    "close_relative, commitment_signed, due_date, submitted_at, created_by, created_at, updated_at, "
	    "person_id, data) VALUES ($1, $2, $3, 'new', 'submitted', $4, $5, 1, $6, $7, $8, $7, $7, $9, $10) "
	    "RETURNING id",
	    0, &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, hid);
		db_bind_str(st, 2, a.region);
		db_bind_str(st, 3, req->programme);
		if (children) {
			db_bind_int64(st, 9, req->children->person_id);
			db_bind_text(st, 10, data.buf, data.len);
		} else {
			db_bind_null(st, 9);
			db_bind_null(st, 10);
		}
		db_bind_str(st, 4, req->channel ? req->channel : "counter");
		db_bind_int64(st, 5, rel);
		db_bind_str(st, 6, due);
		db_bind_str(st, 7, now);
		db_bind_int64(st, 8, actor->id);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			a.id = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (rc)
		goto fail;
	snprintf(a.programme, sizeof a.programme, "%s", req->programme);
	snprintf(a.kind, sizeof a.kind, "new");
	rc = history_add(db, &a, "submit", NULL, "submitted", actor, now, req->note, &err);
	if (!rc)
		rc = audit_case(db, &a, actor, "application.create", NULL, "submitted", &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		goto fail;
	strbuf_release(&data);
	*id = a.id;
	return SVC_OK;
fail:
	strbuf_release(&data);
	db_rollback(db);
	if (db_last_fault(db) == DB_FAULT_UNIQUE)
		return children ? svc_fail(e, SVC_CONFLICT, "OPEN_APPLICATION_EXISTS", "person_id",
					   "该儿童已有在办的儿童基本生活保障申请，不能重复申请")
				: svc_fail(e, SVC_CONFLICT, "OPEN_APPLICATION_EXISTS", "household_id",
					   "该家庭已有同一救助项目的在办申请，不能重复申请");
	return store_fail(e, rc, &err);
refused:
	strbuf_release(&data);
	db_rollback(db);
	return k;
}

static enum svc_kind facts_load(struct db *db, const struct casework_env *env, const struct app *a,
				const struct case_times *t, bool waiver, struct case_facts *f, dd_date *notice_until,
				struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	dd_date pub;
	dd_status rc = notice_published(db, a->id, &pub, &err);
	if (rc)
		return store_fail(e, rc, &err);
	*notice_until = pub == CASE_NO_DATE ? CASE_NO_DATE : casework_notice_until(t, pub);
	f->waiver_in_force = waiver;
	f->township_approves = t->township_approves;
	f->close_relative = a->close_relative;
	f->notice_over = *notice_until != CASE_NO_DATE && env->today > *notice_until;
	return SVC_OK;
}

enum svc_kind casework_act(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			   const struct application_action *req, struct svc_error *e)
{
	if (!req->action)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "action", "缺少操作 action");
	bool temporary = false;
	enum svc_kind tk = temporary_case_exists(db, id, &temporary, e);
	if (tk)
		return tk;
	if (temporary) { /* first aid, tiered approval, stages: temporary_case.h */
		struct temporary_action t = {0};
		if (req->temporary)
			t = *req->temporary;
		t.action = req->action;
		t.version = req->version;
		t.note = req->note;
		struct temporary_env tenv = {.policy = env->policy, .today = env->today};
		return temporary_act(db, &tenv, actor, id, &t, e);
	}
	enum case_action act = case_action_parse(req->action);
	if (act == CA_COUNT)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "action",
				"未知的操作，应为 accept、verify、investigate、waive_investigation、review、"
				"publish_notice、approve、reject 或 withdraw");
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "version",
				"缺少版本号 version（读取案件时得到的 version）");
	if (act == CA_REJECT && (!req->note || !req->note[0]))
		return svc_fail(e, SVC_BAD_INPUT, "REASON_REQUIRED", "note", "不予批准必须在 note 中写明理由");
	if (req->note && strlen(req->note) > 2000)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "note", "备注不能超过 2000 字节");

	dd_error err;
	dd_error_clear(&err);
	struct app a;
	struct assessed as = {0};
	strbuf_init(&as.result, 0);
	struct strbuf params;
	strbuf_init(&params, 0);
	struct children_award aw = {0};
	strbuf_init(&aw.result, 0);
	strbuf_init(&aw.params, 0);
	enum svc_kind k;
	dd_status rc = db_begin(db, &err);
	if (rc)
		return store_fail(e, rc, &err);
	if ((k = app_load(db, actor, id, &a, e)))
		goto refused;
	if (a.version != req->version) {
		k = svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version",
			     "案件已被他人更新（当前版本 %lld），请刷新后重试", (long long)a.version);
		goto refused;
	}
	enum case_state from = case_state_parse(a.state);
	if (from == CS_COUNT) {
		k = svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "案件状态无法识别");
		goto refused;
	}
	struct case_times times;
	bool waiver;
	if ((k = load_times(env, a.region, &times, &waiver, e)))
		goto refused;
	if (act == CA_APPROVE && !a.close_relative) { /* registered since the application? */
		bool rel = false;
		if ((rc = relative_registered(db, a.household_id, &rel, &err)))
			goto fail;
		a.close_relative = rel;
	}
	struct case_facts f;
	dd_date notice_until;
	if ((k = facts_load(db, env, &a, &times, waiver, &f, &notice_until, e)))
		goto refused;
	enum case_state to;
	enum case_refusal why = casework_step(from, act, role_name(actor->role), &f, &to);
	if (why) {
		if (why == CW_NOTICE_NOT_OVER && notice_until != CASE_NO_DATE) {
			char d[DATE_TEXT_MAX];
			date_format(notice_until + 1, d);
			k = svc_fail(e, SVC_RULE, case_refusal_code(why), "action", "%s（最早可于 %s 审批）",
				     case_refusal_zh(why), d);
		} else {
			k = svc_fail(e, SVC_RULE, case_refusal_code(why), "action", "%s（当前状态：%s，操作：%s）",
				     case_refusal_zh(why), case_state_zh(from), case_action_zh(act));
		}
		goto refused;
	}
	char now[STORE_TIME_MAX], today[DATE_TEXT_MAX], due[DATE_TEXT_MAX] = "";
	store_now(now);
	date_format(env->today, today);
	dd_date accepted = act == CA_ACCEPT ? env->today : china_date(a.accepted_at[0] ? a.accepted_at : NULL);
	dd_date dd = casework_due(env->cal, &times, to, env->today, accepted);
	if (dd != CASE_NO_DATE)
		date_format(dd, due);

	int64_t decision_id = 0, tekun_id = 0;
	bool children = strcmp(a.programme, "children") == 0;
	if (act == CA_APPROVE && children) { /* the child's allowance: children_allowance.h */
		if ((k = children_award_compute(db, env->policy, a.id, env->today, &aw, e)))
			goto refused;
		as.determination = "children";
		as.benefit = aw.amount;
		as.admits = true;
		as.n_lines = 1;
		memcpy(as.lines[0].id_number, aw.id_number, sizeof as.lines[0].id_number);
		as.lines[0].component = "children_allowance";
		as.lines[0].category = aw.category;
		as.lines[0].amount = aw.amount;
		strbuf_add(&as.result, aw.result.buf, aw.result.len);
		as.trace = "[]";
		as.trace_len = 2;
		strbuf_add(&params, aw.params.buf, aw.params.len);
		/* one programme: a child in a tekun decision in force chooses */
		if ((rc = children_tekun_in_force(db, aw.person_id, aw.effective_from, &tekun_id, &err)))
			goto fail;
		if (tekun_id && (!req->keep_programme || strcmp(req->keep_programme, "children") != 0)) {
			k = svc_fail(
			    e, SVC_RULE, "CHOOSE_ONE_PROGRAMME", "keep_programme",
			    "该儿童已在特困人员救助供养中（决定 %lld），两项只能选择其一：keep_programme 为 "
			    "children 时批准本申请并自本决定生效之日起终止特困供养；保留特困供养请不予批准本申请",
			    (long long)tekun_id);
			goto refused;
		}
	}
	if (act == CA_APPROVE) {
		if (!children &&
		    (k = assess_household(db, env->policy, a.household_id, a.programme, env->today, &as, e)))
			goto refused;
		if (!as.admits) {
			k = svc_fail(
			    e, SVC_RULE, "NOT_ELIGIBLE", "action",
			    "按登记的家庭数据核算，该家庭不符合%s条件（核算结果：%s），不能批准，请核实数据或不予批准",
			    strcmp(a.programme, "tekun") == 0 ? "特困供养" : "低保", as.determination);
			goto refused;
		}
		if (!children)
			params_in_force(env->policy, a.region, env->today, &params);
		char from_month[DATE_TEXT_MAX];
		date_format(date_add_months(env->today, 1), from_month);
		memcpy(from_month + 8, "01", 3);
		if (children) /* the approval month when children.same_month is on */
			memcpy(from_month, aw.effective_from, sizeof from_month);
		struct db_stmt *st;
		bool row = false;
		rc = db_prepare(
		    db,
		    "INSERT INTO decisions (application_id, household_id, region_code, programme, determination, "
		    "monthly_benefit, effective_from, gradual_exit_until, assessed_on, result, trace, params, "
		    "decided_by, decided_at, created_at, verification_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
		    "$10, $11, $12, $13, $14, $14, (SELECT MAX(v.id) FROM verifications v WHERE v.application_id = $1 "
		    "AND v.state = 'adopted')) RETURNING id",
		    0, &st, &err);
		if (rc)
			goto fail;
		db_bind_int64(st, 1, a.id);
		db_bind_int64(st, 2, a.household_id);
		db_bind_str(st, 3, a.region);
		db_bind_str(st, 4, a.programme);
		db_bind_str(st, 5, as.determination);
		db_bind_int64(st, 6, as.benefit);
		db_bind_str(st, 7, from_month);
		db_bind_str(st, 8, as.gradual_until[0] ? as.gradual_until : NULL);
		db_bind_str(st, 9, today);
		db_bind_text(st, 10, as.result.buf, as.result.len);
		db_bind_text(st, 11, as.trace, as.trace_len);
		db_bind_text(st, 12, params.buf ? params.buf : "{}", params.buf ? params.len : 2);
		db_bind_int64(st, 13, actor->id);
		db_bind_str(st, 14, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			decision_id = db_column_int64(st, 0);
		db_finalize(st);
		if (rc)
			goto fail;
		if ((rc = decision_lines_insert(db, decision_id, &a, &as, now, &err)))
			goto fail;
		if (strcmp(a.programme, "tekun") == 0) { /* one programme: a child with the children's allowance */
			int64_t child_decision = 0;
			if ((rc = tekun_children_in_force(db, decision_id, from_month, &child_decision, &err)))
				goto fail;
			bool keep_tekun = req->keep_programme && strcmp(req->keep_programme, "tekun") == 0;
			if (child_decision && !keep_tekun) {
				k = svc_fail(
				    e, SVC_RULE, "CHOOSE_ONE_PROGRAMME", "keep_programme",
				    "供养对象中有儿童正在享受孤儿或事实无人抚养儿童基本生活保障（决定 %lld），两项只能"
				    "选择其一：keep_programme 为 tekun 时批准本申请并自本决定生效之日起终止儿童基本"
				    "生活保障；保留儿童基本生活保障请不予批准本申请",
				    (long long)child_decision);
				goto refused;
			}
			if (child_decision && (rc = tekun_children_end(db, decision_id, from_month, &err)))
				goto fail;
		}
		if (children) { /* the child, and the end from the exit rule */
			rc = db_prepare(db, "UPDATE decisions SET person_id = $1, effective_to = $2 WHERE id = $3", 0,
					&st, &err);
			if (rc)
				goto fail;
			db_bind_int64(st, 1, aw.person_id);
			db_bind_str(st, 2, aw.effective_to[0] ? aw.effective_to : NULL);
			db_bind_int64(st, 3, decision_id);
			rc = db_run(st, &err);
			db_finalize(st);
			if (rc)
				goto fail;
		}
		if (tekun_id) { /* the child keeps the children's allowance: tekun ends */
			rc =
			    db_prepare(db,
				       "UPDATE decisions SET effective_to = $1 WHERE id = $2 AND (effective_to IS NULL "
				       "OR effective_to > $1)",
				       0, &st, &err);
			if (rc)
				goto fail;
			db_bind_str(st, 1, from_month);
			db_bind_int64(st, 2, tekun_id);
			rc = db_run(st, &err);
			db_finalize(st);
			if (rc)
				goto fail;
		}
		/* the household's earlier decision of the programme gives way to this
		 * one: it stays in force up to this one's first day (effective_to is
		 * the exclusive end, schema/010); a child's earlier children decision
		 * to the child's new one */
		rc = db_prepare(
		    db,
		    children
			? "UPDATE decisions SET superseded_by = $1, effective_to = CASE WHEN effective_to IS NULL "
			  "OR effective_to > $4 THEN $4 ELSE effective_to END WHERE person_id = $2 AND programme = $3 "
			  "AND superseded_by IS NULL AND id <> $1"
			: "UPDATE decisions SET superseded_by = $1, effective_to = CASE WHEN effective_to IS NULL "
			  "OR effective_to > $4 THEN $4 ELSE effective_to END WHERE household_id = $2 AND programme = "
			  "$3 "
			  "AND superseded_by IS NULL AND id <> $1",
		    0, &st, &err);
		if (rc)
			goto fail;
		db_bind_int64(st, 1, decision_id);
		db_bind_int64(st, 2, children ? aw.person_id : a.household_id);
		db_bind_str(st, 3, a.programme);
		db_bind_str(st, 4, from_month);
		rc = db_run(st, &err);
		db_finalize(st);
		if (rc)
			goto fail;
	}

	bool final = case_state_final(to);
	struct db_stmt *st;
	rc =
	    db_prepare(db,
		       "UPDATE applications SET state = $1, version = version + 1, due_date = $2, updated_at = $3, "
		       "close_relative = $4, accepted_at = COALESCE(accepted_at, $5), decided_at = $6, closed_at = $7, "
		       "approved_amount = $8 WHERE id = $9 AND version = $10",
		       0, &st, &err);
	if (rc)
		goto fail;
	db_bind_str(st, 1, case_state_code(to));
	db_bind_str(st, 2, due[0] ? due : NULL);
	db_bind_str(st, 3, now);
	db_bind_int64(st, 4, a.close_relative);
	db_bind_str(st, 5, act == CA_ACCEPT ? now : NULL);
	db_bind_str(st, 6, to == CS_APPROVED || to == CS_REJECTED ? now : NULL);
	db_bind_str(st, 7, final ? now : NULL);
	if (act == CA_APPROVE)
		db_bind_int64(st, 8, as.benefit);
	else
		db_bind_null(st, 8);
	db_bind_int64(st, 9, a.id);
	db_bind_int64(st, 10, a.version);
	rc = db_run(st, &err);
	int64_t changed = rc ? 0 : db_changes(st);
	db_finalize(st);
	if (rc)
		goto fail;
	if (changed != 1) {
		k = svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "案件已被他人更新，请刷新后重试");
		goto refused;
	}
	rc = history_add(db, &a, case_action_code(act), a.state, case_state_code(to), actor, now, req->note, &err);
	if (!rc) {
		char action[48];
		snprintf(action, sizeof action, "application.%s", case_action_code(act));
		rc = audit_case(db, &a, actor, action, a.state, case_state_code(to), &err);
	}
	if (!rc && decision_id) {
		char did[24], detail[160];
		snprintf(did, sizeof did, "%lld", (long long)decision_id);
		snprintf(detail, sizeof detail, "{\"application_id\":%lld,\"determination\":\"%s\"}", (long long)a.id,
			 as.determination);
		rc = audit_append_region(db, a.region, actor->username, "decision.create", "decision", did, detail,
					 &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		goto fail;
	strbuf_release(&as.result);
	strbuf_release(&params);
	children_award_release(&aw);
	return SVC_OK;
fail:
	k = store_fail(e, rc, &err);
refused:
	db_rollback(db);
	strbuf_release(&as.result);
	strbuf_release(&params);
	children_award_release(&aw);
	return k;
}

/* --- the case as JSON -------------------------------------------------- */

struct hrow {
	char action[32], to[24];
	dd_date date;
};

static dd_status render_history(struct db *db, const struct casework_env *env, const struct app *a,
				const struct case_times *t, struct strbuf *o, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(db,
				  "SELECT h.action, h.from_state, h.to_state, h.at, h.note, u.username, u.role "
				  "FROM case_history h LEFT JOIN users u ON u.id = h.actor_id "
				  "WHERE h.application_id = $1 ORDER BY h.id",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, a->id);
	struct hrow *rows = NULL;
	size_t n = 0, cap = 0;
	bool row = false;
	strbuf_adds(o, ",\"history\":[");
	while (!(rc = db_step(st, &row, err)) && row) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct hrow *p = realloc(rows, nc * sizeof *p);
			if (!p) {
				rc = dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
				break;
			}
			rows = p;
			cap = nc;
		}
		struct hrow *h = &rows[n];
		db_column_copy(st, 0, h->action, sizeof h->action);
		db_column_copy(st, 2, h->to, sizeof h->to);
		h->date = china_date(db_column_text(st, 3, NULL));
		if (n)
			strbuf_addc(o, ',');
		n++;
		enum case_action ca = case_action_parse(h->action);
		strbuf_adds(o, "{\"action\":");
		strbuf_add_json_string_or_null(o, h->action);
		strbuf_adds(o, ",\"action_name\":");
		strbuf_add_json_string_or_null(o, ca != CA_COUNT		     ? case_action_zh(ca)
						  : strcmp(h->action, "submit") == 0 ? "提交申请"
										     : "安排定期复核");
		strbuf_adds(o, ",\"from_state\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 1, NULL));
		strbuf_adds(o, ",\"to_state\":");
		strbuf_add_json_string_or_null(o, h->to);
		strbuf_adds(o, ",\"at\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 3, NULL));
		strbuf_adds(o, ",\"date\":");
		add_date(o, h->date);
		strbuf_adds(o, ",\"actor\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 5, NULL));
		strbuf_adds(o, ",\"actor_role\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 6, NULL));
		strbuf_adds(o, ",\"note\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 4, NULL));
		strbuf_addc(o, '}');
	}
	db_finalize(st);
	strbuf_addc(o, ']');
	if (rc) {
		free(rows);
		return rc;
	}
	/* deadlines: one per state entered, due by its rule, met when left */
	dd_date accepted = CASE_NO_DATE;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].action, "accept") == 0 || (i == 0 && strcmp(rows[i].to, "accepted") == 0)) {
			accepted = rows[i].date;
			break;
		}
	strbuf_adds(o, ",\"deadlines\":[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		enum case_state s = case_state_parse(rows[i].to);
		dd_date due = casework_due(env->cal, t, s, rows[i].date, accepted);
		if (due == CASE_NO_DATE)
			continue;
		dd_date met = i + 1 < n ? rows[i + 1].date : CASE_NO_DATE;
		if (!first)
			strbuf_addc(o, ',');
		first = false;
		strbuf_adds(o, "{\"state\":");
		strbuf_add_json_string_or_null(o, rows[i].to);
		strbuf_adds(o, ",\"entered\":");
		add_date(o, rows[i].date);
		strbuf_adds(o, ",\"due\":");
		add_date(o, due);
		strbuf_adds(o, ",\"met\":");
		add_date(o, met);
		bool late = met != CASE_NO_DATE ? met > due : env->today > due;
		strbuf_addf(o, ",\"overdue\":%s}", late ? "true" : "false");
	}
	strbuf_addc(o, ']');
	(void)a;
	free(rows);
	return DD_OK;
}

static dd_status render_assessment(struct db *db, const struct casework_env *env, const struct app *a, struct strbuf *o,
				   dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare(db,
		       "SELECT id, determination, monthly_benefit, assessed_on, result, trace, params, "
		       "effective_from, decided_at FROM decisions WHERE application_id = $1 ORDER BY id DESC LIMIT 1",
		       0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, a->id);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		size_t rl = 0, tl = 0, pl = 0;
		const char *res = db_column_text(st, 4, &rl), *tr = db_column_text(st, 5, &tl),
			   *pa = db_column_text(st, 6, &pl);
		strbuf_addf(o, ",\"assessment\":{\"source\":\"decision\",\"decision_id\":%lld,\"determination\":",
			    (long long)db_column_int64(st, 0));
		strbuf_add_json_string_or_null(o, db_column_text(st, 1, NULL));
		strbuf_adds(o, ",\"monthly_benefit\":");
		add_money(o, db_column_int64(st, 2));
		strbuf_adds(o, ",\"assessed_on\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 3, NULL));
		strbuf_adds(o, ",\"effective_from\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 7, NULL));
		strbuf_adds(o, ",\"decided_at\":");
		strbuf_add_json_string_or_null(o, db_column_text(st, 8, NULL));
		strbuf_adds(o, ",\"result\":");
		strbuf_add(o, res ? res : "null", res ? rl : 4);
		strbuf_adds(o, ",\"trace\":");
		strbuf_add(o, tr ? tr : "[]", tr ? tl : 2);
		strbuf_adds(o, ",\"params\":");
		strbuf_add(o, pa ? pa : "{}", pa ? pl : 2);
		strbuf_addc(o, '}');
		db_finalize(st);
		return DD_OK;
	}
	db_finalize(st);
	if (rc)
		return rc;
	if (strcmp(a->programme, "children") == 0) { /* decided at approval: children_allowance.h */
		strbuf_adds(o, ",\"assessment\":null");
		return DD_OK;
	}
	/* no decision yet: the rules applied to today's stored data */
	struct assessed as;
	strbuf_init(&as.result, 2048);
	struct svc_error e;
	svc_error_clear(&e);
	if (assess_household(db, env->policy, a->household_id, a->programme, env->today, &as, &e) == SVC_OK) {
		strbuf_adds(o, ",\"assessment\":{\"source\":\"preview\",\"determination\":");
		strbuf_add_json_string_or_null(o, as.determination);
		strbuf_adds(o, ",\"monthly_benefit\":");
		add_money(o, as.benefit);
		strbuf_adds(o, ",\"assessed_on\":");
		add_date(o, env->today);
		strbuf_adds(o, ",\"result\":");
		strbuf_add(o, as.result.buf, as.result.len);
		strbuf_adds(o, ",\"trace\":");
		strbuf_add(o, as.trace, as.trace_len);
		strbuf_adds(o, ",\"params\":null}");
	} else {
		strbuf_adds(o, ",\"assessment\":null,\"assessment_error\":");
		strbuf_add_json_string_or_null(o, e.message);
	}
	strbuf_release(&as.result);
	return DD_OK;
}

static void render_summary(struct strbuf *o, const struct casework_env *env, const struct app *a)
{
	enum case_state s = case_state_parse(a->state);
	strbuf_addf(o, "{\"id\":%lld,\"household_id\":%lld,\"programme\":\"%s\",\"kind\":\"%s\",\"state\":",
		    (long long)a->id, (long long)a->household_id, a->programme, a->kind);
	strbuf_add_json_string_or_null(o, a->state);
	strbuf_adds(o, ",\"state_name\":");
	strbuf_add_json_string_or_null(o, s != CS_COUNT ? case_state_zh(s) : a->state);
	char full[REGION_TEXT_MAX];
	region_full_code(a->region, full);
	strbuf_addf(o,
		    ",\"version\":%lld,\"region\":\"%s\",\"channel\":\"%s\",\"close_relative\":%s,"
		    "\"commitment_signed\":%s,\"due_date\":",
		    (long long)a->version, full, a->channel, a->close_relative ? "true" : "false",
		    a->commitment ? "true" : "false");
	strbuf_add_json_string_or_null(o, a->due_date[0] ? a->due_date : NULL);
	char today[DATE_TEXT_MAX];
	date_format(env->today, today);
	bool overdue = a->due_date[0] && !a->closed_at[0] && strcmp(a->due_date, today) < 0;
	strbuf_addf(o, ",\"overdue\":%s", overdue ? "true" : "false");
	static const struct {
		const char *key;
		size_t off;
	} times[] = {
	    {"submitted_at", offsetof(struct app, submitted_at)},
	    {"accepted_at", offsetof(struct app, accepted_at)},
	    {"decided_at", offsetof(struct app, decided_at)},
	    {"closed_at", offsetof(struct app, closed_at)},
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		const char *v = (const char *)a + times[i].off;
		strbuf_addf(o, ",\"%s\":", times[i].key);
		strbuf_add_json_string_or_null(o, v[0] ? v : NULL);
	}
}

enum svc_kind casework_get(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			   struct strbuf *out, struct svc_error *e)
{
	struct app a;
	dd_error err;
	dd_error_clear(&err);
	enum svc_kind k;
	dd_status rc = db_begin_read(db, &err);
	if (rc)
		return store_fail(e, rc, &err);
	if ((k = app_load(db, actor, id, &a, e)))
		goto done;
	struct case_times t;
	bool waiver;
	if ((k = load_times(env, a.region, &t, &waiver, e)))
		goto done;
	struct case_facts f;
	dd_date until;
	if ((k = facts_load(db, env, &a, &t, waiver, &f, &until, e)))
		goto done;
	render_summary(out, env, &a);
	strbuf_adds(out, ",\"notice_until\":");
	add_date(out, until);
	strbuf_adds(out, ",\"allowed_actions\":[");
	bool temporary_case = false;
	if (strcmp(a.programme, "temporary") == 0 && (k = temporary_case_exists(db, id, &temporary_case, e)))
		goto done;
	if (temporary_case && (k = temporary_allowed_actions(db, actor, id, out, e)))
		goto done;
	enum case_state s = case_state_parse(a.state);
	unsigned allowed = s == CS_COUNT || temporary_case ? 0 : casework_allowed(s, role_name(actor->role), &f);
	bool first = true;
	for (int i = 0; i < CA_COUNT; i++)
		if (allowed & (1u << i)) {
			strbuf_addf(out, "%s\"%s\"", first ? "" : ",", case_action_code((enum case_action)i));
			first = false;
		}
	strbuf_addc(out, ']');
	rc = render_history(db, env, &a, &t, out, &err);
	if (!rc)
		rc = render_assessment(db, env, &a, out, &err);
	if (!rc && strcmp(a.programme, "children") == 0) /* the child, category, care type, facts */
		rc = children_application_render(db, id, out, &err);
	if (!rc) /* the 12345 work order it came from */
		rc = hotline_source_append(db, id, out, &err);
	if (!rc) /* the referrals to other departments made from it */
		rc = referral_links_append(db, "application_id", id, out, &err);
	if (rc) {
		k = store_fail(e, rc, &err);
		goto done;
	}
	if (temporary_case) { /* first aid, tier, stages, reserve fund */
		struct temporary_env tenv = {.policy = env->policy, .today = env->today};
		strbuf_addc(out, ',');
		if ((k = temporary_render(db, &tenv, id, out, e)))
			goto done;
	}
	strbuf_addc(out, '}');
done:
	db_rollback(db);
	return k;
}

/* The states in which role may take a step other than reject / withdraw
 * (the approval queue), at most CS_COUNT, into states[]; *close_relatives
 * false when the role's approval in in_notice excludes close-relative cases
 * (delegated township approval). */
static int queue_states(const struct casework_env *env, const struct principal *actor, const char *states[CS_COUNT],
			bool *close_relatives)
{
	unsigned bit = case_role_bit(role_name(actor->role));
	*close_relatives = true;
	int64_t b = 0;
	bool delegated = pol_int(env->policy, "procedure.township_approves", actor->scope, env->today, &b) && b != 0;
	bool in[CS_COUNT] = {false};
	size_t n = 0;
	const struct case_transition *t = casework_transitions(&n);
	for (size_t i = 0; bit && i < n; i++) {
		if (!(t[i].roles & bit) || t[i].action == CA_REJECT || t[i].action == CA_WITHDRAW)
			continue;
		if (t[i].guards & CG_DELEGATED) {
			if (!delegated)
				continue;
			*close_relatives = false;
		}
		in[t[i].from] = true;
	}
	int k = 0;
	for (int s = 0; s < CS_COUNT; s++)
		if (in[s])
			states[k++] = case_state_code((enum case_state)s);
	return k;
}

enum svc_kind casework_list(struct db *db, const struct casework_env *env, const struct principal *actor,
			    const struct application_query *q, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind pk = svc_page_check(q->page, q->per_page, SVC_PER_PAGE_MAX, e);
	if (pk)
		return pk;
	if (q->state[0] && case_state_parse(q->state) == CS_COUNT)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state", "未知的案件状态");
	if (q->programme[0] && !programme_known(q->programme))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "programme",
				"救助项目应为 dibao、tekun、temporary 或 children");
	int64_t due_mode = 0;
	if (strcmp(q->due, "overdue") == 0)
		due_mode = 1;
	else if (strcmp(q->due, "today") == 0)
		due_mode = 2;
	else if (q->due[0])
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "due", "due 应为 overdue（已逾期）或 today（今日到期）");
	bool queue = q->queue && q->queue[0];
	if (queue && strcmp(q->queue, "mine") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "queue", "queue 应为 mine（待我办理）");
	bool by_due = q->sort && q->sort[0];
	if (by_due && strcmp(q->sort, "due") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "sort", "sort 应为 due（按办理期限）");
	/* the queue's states bind $10…$18 ('' where fewer); $9 switches it on */
	const char *states[CS_COUNT];
	bool close_relatives = true;
	int n_states = queue ? queue_states(env, actor, states, &close_relatives) : 0;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], today[DATE_TEXT_MAX];
	store_region_range(actor->scope, lo, hi);
	date_format(env->today, today);
	static const char *const where =
	    " FROM applications WHERE region_code >= $1 AND region_code < $2 "
	    "AND (CAST($3 AS TEXT) = '' OR state = $3) AND (CAST($4 AS TEXT) = '' OR programme = $4) "
	    "AND (CAST($5 AS INTEGER) = 0 OR (closed_at IS NULL AND ((CAST($5 AS INTEGER) = 1 AND due_date < $6) "
	    "OR (CAST($5 AS INTEGER) = 2 AND due_date = $6)))) "
	    "AND (CAST($9 AS INTEGER) = 0 OR (closed_at IS NULL AND programme <> 'temporary' "
	    "AND state IN ($10, $11, $12, $13, $14, $15, $16, $17, $18) "
	    "AND (CAST($19 AS INTEGER) = 1 OR state <> 'in_notice' OR close_relative = 0)))";
	char sql_count[1200], sql_items[1400];
	snprintf(sql_count, sizeof sql_count,
		 "SELECT count(*), CAST($6 AS TEXT), CAST($7 AS BIGINT), CAST($8 AS BIGINT)%s", where);
	snprintf(sql_items, sizeof sql_items, "SELECT " APP_COLS "%s ORDER BY %s LIMIT $7 OFFSET $8", where,
		 by_due ? "CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, id" : "id DESC");
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare(db, sql_count, 0, &st, &err);
	for (int pass = 0; !rc && pass < 2; pass++) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, q->state);
		db_bind_str(st, 4, q->programme);
		db_bind_int64(st, 5, due_mode);
		db_bind_str(st, 6, today);
		db_bind_int64(st, 7, q->per_page);
		db_bind_int64(st, 8, (q->page - 1) * q->per_page);
		db_bind_int64(st, 9, queue);
		for (int i = 0; i < CS_COUNT; i++)
			db_bind_str(st, 10 + i, i < n_states ? states[i] : "");
		db_bind_int64(st, 19, close_relatives);
		if (pass == 0) {
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
			st = NULL;
			if (!rc)
				rc = db_prepare(db, sql_items, 0, &st, &err);
			continue;
		}
		strbuf_adds(out, "{\"items\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			struct app a;
			app_read(st, &a);
			if (n)
				strbuf_addc(out, ',');
			render_summary(out, env, &a);
			strbuf_addc(out, '}');
		}
		strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total,
			    (long long)q->page, (long long)q->per_page);
	}
	db_finalize(st);
	db_rollback(db);
	if (rc)
		return store_fail(e, rc, &err);
	return SVC_OK;
}

/* --- close relatives ----------------------------------------------------- */

static bool text_ok(const char *s, size_t max)
{
	return s && s[0] && strlen(s) <= max;
}

enum svc_kind casework_relative_add(struct db *db, const struct principal *actor, const struct close_relative_new *req,
				    int64_t *id, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政局和系统管理员可以登记近亲属备案");
	dd_error err;
	dd_error_clear(&err);
	struct idnum idn;
	if (!req->id_number)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "id_number", "缺少近亲属的身份证号 id_number");
	if (idnum_parse(req->id_number, strlen(req->id_number), &idn, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ID_NUMBER", "id_number", "%s", err.message);
	if (!text_ok(req->staff_name, 100))
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "staff_name", "缺少工作人员或村干部姓名 staff_name");
	if (!text_ok(req->relation, 50))
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "relation", "缺少亲属关系 relation");
	if (req->name && strlen(req->name) > 100)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "name", "姓名过长");
	if (req->staff_post && strlen(req->staff_post) > 100)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "staff_post", "职务过长");
	if (req->note && strlen(req->note) > 2000)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "note", "备注不能超过 2000 字节");
	char sig[REGION_TEXT_MAX];
	if (req->region) {
		if (region_parse(req->region, strlen(req->region), 6, sig, &err))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "区划代码应为 6 至 12 位数字");
	} else {
		snprintf(sig, sizeof sig, "%s", actor->scope);
	}
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "只能在本辖区内登记近亲属备案");
	char now[STORE_TIME_MAX];
	store_now(now);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare(
		    db,
		    "INSERT INTO close_relatives (region_code, id_number, name, staff_name, staff_post, relation, "
		    "note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
		    0, &st, &err);
	if (!rc) {
		db_bind_str(st, 1, sig);
		db_bind_str(st, 2, idn.text);
		db_bind_str(st, 3, req->name ? req->name : "");
		db_bind_str(st, 4, req->staff_name);
		db_bind_str(st, 5, req->staff_post ? req->staff_post : "");
		db_bind_str(st, 6, req->relation);
		db_bind_str(st, 7, req->note);
		db_bind_int64(st, 8, actor->id);
		db_bind_str(st, 9, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (!rc) {
		char sid[24];
		snprintf(sid, sizeof sid, "%lld", (long long)*id);
		rc = audit_append_region(db, sig, actor->username, "close_relative.create", "close_relative", sid, NULL,
					 &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		db_rollback(db);
		return store_fail(e, rc, &err);
	}
	return SVC_OK;
}

/* One text column as a JSON member (,"key":"…" or null). */
static void relative_member(struct strbuf *out, const char *key, struct db_stmt *st, int col)
{
	strbuf_addf(out, ",\"%s\":", key);
	strbuf_add_json_string_or_null(out, db_column_text(st, col, NULL));
}

enum svc_kind casework_relative_list(struct db *db, const struct principal *actor, const char *id_number, int64_t page,
				     int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY && actor->role != ROLE_ADMIN && actor->role != ROLE_AUDITOR)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政局、审计人员和系统管理员可以查看近亲属备案");
	enum svc_kind k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct idnum idn;
	const char *want = "";
	if (id_number && *id_number) {
		if (idnum_parse(id_number, strlen(id_number), &idn, &err))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_ID_NUMBER", "id_number", "%s", err.message);
		want = idn.text;
	}
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT count(*) FROM close_relatives WHERE region_code >= $1 AND region_code < $2 "
		    "AND (CAST($3 AS TEXT) = '' OR id_number = $3)",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, want);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			total = db_column_int64(st, 0);
		db_finalize(st);
	}
	strbuf_adds(out, "{\"items\":[");
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT id, region_code, id_number, name, staff_name, staff_post, relation, note, "
		    "created_at FROM close_relatives WHERE region_code >= $1 AND region_code < $2 "
		    "AND (CAST($3 AS TEXT) = '' OR id_number = $3) ORDER BY id DESC LIMIT $4 OFFSET $5",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, want);
		db_bind_int64(st, 4, per_page);
		db_bind_int64(st, 5, (page - 1) * per_page);
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			char full[REGION_TEXT_MAX], masked[IDNUM_LEN + 1];
			const char *r = db_column_text(st, 1, NULL), *idt = db_column_text(st, 2, NULL);
			region_full_code(r ? r : "", full);
			idnum_mask(idt ? idt : "", masked);
			strbuf_addf(out, "%s{\"id\":%lld,\"region\":\"%s\",\"id_number\":", n ? "," : "",
				    (long long)db_column_int64(st, 0), full);
			strbuf_add_json_string(out, masked, strlen(masked));
			relative_member(out, "name", st, 3);
			relative_member(out, "staff_name", st, 4);
			relative_member(out, "staff_post", st, 5);
			relative_member(out, "relation", st, 6);
			relative_member(out, "note", st, 7);
			relative_member(out, "created_at", st, 8);
			strbuf_addc(out, '}');
		}
		db_finalize(st);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)page,
		    (long long)per_page);
	return SVC_OK;
}

/* --- periodic reviews ---------------------------------------------------- */

struct due_decision {
	int64_t id, household_id;
	char region[REGION_TEXT_MAX], programme[16], assessed_on[16];
};

static dd_status one_int(struct db *db, const char *sql, int64_t hid, const char *day, int64_t *out, bool *null,
			 dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, hid);
	if (day)
		db_bind_str(st, 2, day);
	rc = db_step(st, &row, err);
	*null = !row || db_column_is_null(st, 0);
	*out = *null ? 0 : db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}

/* Schedules the review of one decision when due; *made true when created. */
static enum svc_kind review_one(struct db *db, const struct casework_env *env, const struct principal *actor,
				const struct due_decision *d, dd_date date, bool *made, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	*made = false;
	dd_date decided;
	if (date_parse(d->assessed_on, strlen(d->assessed_on), &decided, &err))
		return SVC_OK;
	char day[DATE_TEXT_MAX], dec[DATE_TEXT_MAX];
	date_format(date, day);
	date_format(decided, dec);
	int64_t able = 0;
	bool null;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = one_int(db,
			     "SELECT count(*) FROM memberships m JOIN persons p ON p.id = m.person_id "
			     "WHERE m.household_id = $1 AND m.to_date IS NULL AND p.death_date IS NULL "
			     "AND p.labor_capacity <> 'none'",
			     d->household_id, NULL, &able, &null, &err);
	/* the earliest death of a member after the decision, on or before date */
	struct db_stmt *st = NULL;
	bool row = false;
	dd_date death = CASE_NO_DATE;
	if (!rc)
		rc = db_prepare(db,
				"SELECT MIN(p.death_date) FROM memberships m JOIN persons p ON p.id = m.person_id "
				"WHERE m.household_id = $1 AND p.death_date IS NOT NULL AND p.death_date > $2 "
				"AND p.death_date <= $3",
				0, &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, d->household_id);
		db_bind_str(st, 2, dec);
		db_bind_str(st, 3, day);
		rc = db_step(st, &row, &err);
		const char *dt = !rc && row ? db_column_text(st, 0, NULL) : NULL;
		dd_error ig;
		if (dt && date_parse(dt, strlen(dt), &death, &ig))
			death = CASE_NO_DATE;
		db_finalize(st);
	}
	if (rc)
		goto fail;
	int64_t v;
	struct review_times rt;
	if (!pol_int(env->policy, "review.stable_months", d->region, date, &v))
		goto missing;
	rt.stable_months = (int)v;
	if (!pol_int(env->policy, "review.variable_months", d->region, date, &v))
		goto missing;
	rt.variable_months = (int)v;
	if (!pol_int(env->policy, "review.after_death_months", d->region, date, &v))
		goto missing;
	rt.after_death_months = (int)v;
	enum review_kind kind =
	    casework_review_kind(strcmp(d->programme, "tekun") == 0, able > 0, death != CASE_NO_DATE);
	dd_date due = casework_review_due(&rt, kind, decided, death);
	bool open = false;
	if (kind != RK_AFTER_DEATH && due > date) {
		db_rollback(db);
		return SVC_OK;
	}
	if ((rc = open_case_exists(db, d->household_id, d->programme, &open, &err)))
		goto fail;
	if (open) { /* a case is under way: the review waits for it */
		db_rollback(db);
		return SVC_OK;
	}
	struct case_times times;
	bool waiver;
	struct casework_env at = *env;
	at.today = date;
	enum svc_kind k = load_times(&at, d->region, &times, &waiver, e);
	if (k) {
		db_rollback(db);
		return k;
	}
	char now[STORE_TIME_MAX], sdue[DATE_TEXT_MAX], rdue[DATE_TEXT_MAX];
	store_now(now);
	date_format(casework_due(env->cal, &times, CS_ACCEPTED, date, date), sdue);
	date_format(due, rdue);
	struct app a = {0};
	a.household_id = d->household_id;
	snprintf(a.region, sizeof a.region, "%s", d->region);
	snprintf(a.programme, sizeof a.programme, "%s", d->programme);
	snprintf(a.kind, sizeof a.kind, "review");
	rc = db_prepare(db,
			"INSERT INTO applications (household_id, region_code, programme, kind, state, channel, "
			"commitment_signed, due_date, submitted_at, accepted_at, created_by, created_at, updated_at) "
			"VALUES ($1, $2, $3, 'review', 'accepted', 'visit', 0, $4, $5, $5, $6, $5, $5) RETURNING id",
			0, &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, d->household_id);
		db_bind_str(st, 2, d->region);
		db_bind_str(st, 3, d->programme);
		db_bind_str(st, 4, sdue);
		db_bind_str(st, 5, now);
		if (actor)
			db_bind_int64(st, 6, actor->id);
		else
			db_bind_null(st, 6);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			a.id = db_column_int64(st, 0);
		db_finalize(st);
	}
	if (!rc)
		rc = db_prepare(db,
				"INSERT INTO case_reviews (decision_id, application_id, region_code, kind, due_date, "
				"created_at) VALUES ($1, $2, $3, $4, $5, $6)",
				0, &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, d->id);
		db_bind_int64(st, 2, a.id);
		db_bind_str(st, 3, d->region);
		db_bind_str(st, 4, review_kind_code(kind));
		db_bind_str(st, 5, rdue);
		db_bind_str(st, 6, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc) {
		char note[120];
		snprintf(note, sizeof note, "定期复核（%s），应于 %s 前完成", review_kind_code(kind), rdue);
		rc = history_add(db, &a, "schedule_review", NULL, "accepted", actor, now, note, &err);
	}
	if (!rc)
		rc = audit_case(db, &a, actor, "application.review_scheduled", NULL, "accepted", &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		goto fail;
	*made = true;
	return SVC_OK;
missing:
	db_rollback(db);
	return svc_fail(e, SVC_RULE, "POLICY_MISSING", "review", "复核周期参数（review.*）在本地区没有有效值");
fail:
	db_rollback(db);
	if (db_last_fault(db) == DB_FAULT_UNIQUE) /* scheduled concurrently: nothing to do */
		return SVC_OK;
	return store_fail(e, rc, &err);
}

enum svc_kind casework_reviews_run(struct db *db, const struct casework_env *env, const struct principal *actor,
				   dd_date date, int64_t *created, struct svc_error *e)
{
	*created = 0;
	if (actor && actor->role != ROLE_COUNTY && actor->role != ROLE_TOWNSHIP && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有乡镇（街道）、区县民政局和系统管理员可以安排定期复核");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor ? actor->scope : "", lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	dd_status rc =
	    db_prepare(db,
		       "SELECT d.id, d.household_id, d.region_code, d.programme, d.assessed_on FROM decisions d "
		       "WHERE d.superseded_by IS NULL AND d.household_id IS NOT NULL "
		       "AND (d.determination = 'dibao' OR d.determination = 'dibao_gradual_exit' OR d.determination = "
		       "'single_person' "
		       "OR d.determination = 'tekun') AND d.region_code >= $1 AND d.region_code < $2 "
		       "AND NOT EXISTS (SELECT 1 FROM case_reviews r WHERE r.decision_id = d.id) ORDER BY d.id",
		       0, &st, &err);
	if (rc)
		return store_fail(e, rc, &err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	struct due_decision *list = NULL;
	size_t n = 0, cap = 0;
	bool row = false;
	while (!(rc = db_step(st, &row, &err)) && row) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct due_decision *p = realloc(list, nc * sizeof *p);
			if (!p) {
				rc = dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)");
				break;
			}
			list = p;
			cap = nc;
		}
		struct due_decision *d = &list[n++];
		d->id = db_column_int64(st, 0);
		d->household_id = db_column_int64(st, 1);
		db_column_copy(st, 2, d->region, sizeof d->region);
		db_column_copy(st, 3, d->programme, sizeof d->programme);
		db_column_copy(st, 4, d->assessed_on, sizeof d->assessed_on);
	}
	db_finalize(st);
	enum svc_kind k = rc ? store_fail(e, rc, &err) : SVC_OK;
	for (size_t i = 0; !k && i < n; i++) {
		bool made = false;
		k = review_one(db, env, actor, &list[i], date, &made, e);
		*created += made;
	}
	free(list);
	return k;
}
