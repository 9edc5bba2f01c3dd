/* children_allowance.c - applications and awards of the children's basic
 * living allowance (docs/children.md). */
#include "children_allowance.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/children.h"
#include "core/json.h"

static bool one_of(const char *s, const char *const *ok, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, ok[i]) == 0)
			return true;
	return false;
}

#define ONE_OF(s, ...)                                                                                                 \
	one_of((s), (const char *const[]){__VA_ARGS__},                                                                \
	       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* The child: alive, with an active membership. */
#define CHILD_SQL                                                                                                      \
	"SELECT p.id, p.id_number, p.birth_date, p.in_school, p.death_date, m.household_id, h.region_code "            \
	"FROM persons p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL "                               \
	"JOIN households h ON h.id = m.household_id WHERE p.id = $1"

struct child {
	int64_t id, household_id;
	char id_number[IDNUM_LEN + 1], region[REGION_TEXT_MAX];
	dd_date birth;
	bool in_school, dead;
};

static dd_status child_read(struct db *db, int64_t person_id, struct child *c, bool *found, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*found = false;
	dd_status rc = db_prepare(db, CHILD_SQL, 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person_id);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		c->id = db_column_int64(st, 0);
		db_column_copy(st, 1, c->id_number, sizeof c->id_number);
		size_t n = 0;
		const char *b = db_column_text(st, 2, &n);
		dd_error perr;
		*found = b && date_parse(b, n, &c->birth, &perr) == DD_OK;
		c->in_school = db_column_int64(st, 3) != 0;
		c->dead = db_column_text(st, 4, NULL) != NULL;
		c->household_id = db_column_int64(st, 5);
		db_column_copy(st, 6, c->region, sizeof c->region);
	}
	db_finalize(st);
	return rc;
}

enum svc_kind children_request_check(const struct children_application *req, struct svc_error *e)
{
	if (!ONE_OF(req->category, "orphan", "unsupported"))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "category",
				"儿童类别 category 应为 orphan（孤儿）或 unsupported（事实无人抚养儿童）");
	if (!ONE_OF(req->care_type, "institution", "dispersed"))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "care_type",
				"养育方式 care_type 应为 institution（机构集中养育）或 dispersed（社会散居）");
	if (req->too_many_facts)
		return svc_fail(e, SVC_BAD_INPUT, "TOO_MANY", "facts", "认定事实 facts 最多 %d 条", CHILDREN_FACTS_MAX);
	if (req->n_facts == 0)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "facts",
				"缺少认定事实 facts（父母死亡、失踪、服刑、重残、失联等）");
	bool death = false;
	for (size_t i = 0; i < req->n_facts; i++) {
		const struct children_fact *f = &req->facts[i];
		if (!ONE_OF(f->kind, "death", "missing", "imprisoned", "severely_disabled", "lost_contact", "other"))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "facts",
					"认定事实 kind 应为 death、missing、imprisoned、severely_disabled、"
					"lost_contact 或 other");
		if (f->parent && !ONE_OF(f->parent, "father", "mother", "both"))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "facts",
					"认定事实 parent 应为 father、mother 或 both");
		bool ev = f->evidence && f->evidence[0];
		if (!ev && f->commitment != 1)
			return svc_fail(e, SVC_BAD_INPUT, "EVIDENCE_REQUIRED", "facts",
					"每条认定事实须有证明材料 evidence 或以个人承诺 commitment 代替");
		if (f->evidence && strlen(f->evidence) > 500)
			return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "facts", "证明材料说明不能超过 500 字节");
		death = death || strcmp(f->kind, "death") == 0 || strcmp(f->kind, "missing") == 0;
	}
	if (strcmp(req->category, "orphan") == 0 && !death)
		return svc_fail(e, SVC_BAD_INPUT, "ORPHAN_FACT_REQUIRED", "facts",
				"孤儿须有父母死亡或宣告失踪的认定事实（kind 为 death 或 missing）");
	return SVC_OK;
}

void children_request_json(struct strbuf *data, const char *id_number, const struct children_application *req)
{
	strbuf_adds(data, "{");
	if (id_number) {
		strbuf_adds(data, "\"id_number\":");
		strbuf_add_json_string(data, id_number, strlen(id_number));
		strbuf_addc(data, ',');
	}
	strbuf_adds(data, "\"category\":");
	strbuf_add_json_string_or_null(data, req->category);
	strbuf_adds(data, ",\"care_type\":");
	strbuf_add_json_string_or_null(data, req->care_type);
	strbuf_adds(data, ",\"facts\":[");
	for (size_t i = 0; i < req->n_facts; i++) {
		const struct children_fact *f = &req->facts[i];
		strbuf_adds(data, i ? ",{\"kind\":" : "{\"kind\":");
		strbuf_add_json_string_or_null(data, f->kind);
		strbuf_add_json_member_text(data, "parent", f->parent);
		strbuf_add_json_member_text(data, "evidence", f->evidence && f->evidence[0] ? f->evidence : NULL);
		strbuf_addf(data, ",\"commitment\":%s}", f->commitment == 1 ? "true" : "false");
	}
	strbuf_adds(data, "]}");
}

static const char *doc_text(const struct json_value *o, const char *key)
{
	const struct json_value *v = json_get(o, key);
	return v && v->type == JSON_STRING ? v->str : NULL;
}

const char *children_request_read(const struct json_value *doc, struct children_application *req)
{
	memset(req, 0, sizeof *req);
	if (!doc || doc->type != JSON_OBJECT)
		return NULL;
	req->category = doc_text(doc, "category");
	req->care_type = doc_text(doc, "care_type");
	const struct json_value *facts = json_get(doc, "facts");
	for (const struct json_value *f = facts && facts->type == JSON_ARRAY ? facts->child : NULL; f; f = f->next) {
		if (req->n_facts == CHILDREN_FACTS_MAX) {
			req->too_many_facts = true;
			break;
		}
		struct children_fact *x = &req->facts[req->n_facts++];
		x->kind = doc_text(f, "kind");
		x->parent = doc_text(f, "parent");
		x->evidence = doc_text(f, "evidence");
		const struct json_value *c = json_get(f, "commitment");
		x->commitment = c && c->type == JSON_TRUE;
	}
	return doc_text(doc, "id_number");
}

enum svc_kind children_application_check(struct db *db, const struct principal *actor,
					 const struct children_application *req, dd_date today, int64_t *household_id,
					 char region[REGION_TEXT_MAX], struct strbuf *data, struct svc_error *e)
{
	if (req->person_id <= 0)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "person_id", "缺少儿童的人员编号 person_id");
	enum svc_kind k = children_request_check(req, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct child c = {0};
	bool found = false;
	dd_status rc = child_read(db, req->person_id, &c, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found || !authz_in_scope(actor, c.region))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "person_id", "人员不存在或不在您的辖区内");
	if (c.dead || date_age(c.birth, today) >= CHILDREN_EXIT_AGE || date_age(c.birth, today) < 0)
		return svc_fail(e, SVC_RULE, "NOT_A_CHILD", "person_id", "申请对象须为在世的未满18周岁儿童");
	*household_id = c.household_id;
	snprintf(region, REGION_TEXT_MAX, "%s", c.region);
	children_request_json(data, NULL, req);
	return SVC_OK;
}

static bool pol_get(const struct policy *p, const char *name, const char *region, dd_date d, int64_t *out)
{
	const struct policy_entry *en = policy_lookup(p, name, region, d);
	if (!en)
		return false;
	*out = en->value.i;
	return true;
}

static bool switch_on(const struct policy *p, const char *name, const char *region, dd_date d)
{
	int64_t v = 0;
	return pol_get(p, name, region, d, &v) && v != 0;
}

/* The postponement period the 18th birthday falls in, from the switch's
 * dated values: on at adult, off from the first later day it is off (looked
 * for over ten years). */
static size_t postponement(const struct policy *p, const char *region, dd_date adult, struct children_period *out)
{
	if (!switch_on(p, "children.exit_postponed", region, adult))
		return 0;
	out->from = adult;
	out->open = true;
	for (dd_date d = adult + 1; d <= adult + 3660; d++)
		if (!switch_on(p, "children.exit_postponed", region, d)) {
			out->to = d - 1;
			out->open = false;
			break;
		}
	return 1;
}

const char *children_standard_param(const char *category)
{
	if (category && strcmp(category, "orphan_institution") == 0)
		return "children.standard.orphan.institution";
	if (category && strcmp(category, "orphan_dispersed") == 0)
		return "children.standard.orphan.dispersed";
	return "children.standard.unsupported";
}

dd_month children_policy_last_month(const struct policy *pol, const char *region, dd_date birth, bool in_school,
				    dd_date on, bool *open_ended, bool *postponed)
{
	struct children_period per;
	size_t np = postponement(pol, region, children_adult_on(birth), &per);
	bool school = switch_on(pol, "children.continue_in_school", region, on);
	*postponed = np > 0;
	return children_last_month(birth, in_school, school, &per, np, open_ended);
}

static void first_of_month(dd_month m, char out[DATE_TEXT_MAX])
{
	char t[MONTH_TEXT_MAX];
	month_format(m, t);
	snprintf(out, DATE_TEXT_MAX, "%s-01", t);
}

dd_status children_application_render(struct db *db, int64_t application_id, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db,
				  "SELECT a.person_id, p.name, p.id_number, p.birth_date, a.data FROM applications a "
				  "LEFT JOIN persons p ON p.id = a.person_id WHERE a.id = $1",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, application_id);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		strbuf_adds(out, ",\"children\":{\"person_id\":");
		if (db_column_is_null(st, 0))
			strbuf_adds(out, "null");
		else
			strbuf_addf(out, "%lld", (long long)db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "name", db_column_text(st, 1, NULL));
		const char *idn = db_column_text(st, 2, NULL);
		char masked[IDNUM_LEN + 1];
		if (idn && strlen(idn) == IDNUM_LEN) {
			idnum_mask(idn, masked);
			idn = masked;
		}
		strbuf_add_json_member_text(out, "id_number", idn);
		strbuf_add_json_member_text(out, "birth_date", db_column_text(st, 3, NULL));
		size_t n = 0;
		const char *data = db_column_text(st, 4, &n);
		/* the data object's members (written by children_application_check) */
		if (data && n > 2 && data[0] == '{' && data[n - 1] == '}') {
			strbuf_addc(out, ',');
			strbuf_add(out, data + 1, n - 1);
		} else {
			strbuf_addc(out, '}');
		}
	}
	db_finalize(st);
	return rc;
}

void children_award_release(struct children_award *a)
{
	strbuf_release(&a->result);
	strbuf_release(&a->params);
}

enum svc_kind children_award_compute(struct db *db, const struct policy *pol, int64_t application_id, dd_date today,
				     struct children_award *out, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	int64_t person_id = 0;
	char category[16] = "", care[16] = "";
	dd_status rc = db_prepare(db, "SELECT person_id, data FROM applications WHERE id = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, application_id);
	rc = db_step(st, &row, &err);
	if (!rc && row) {
		person_id = db_column_int64(st, 0);
		size_t n = 0;
		const char *data = db_column_text(st, 1, &n);
		struct arena a;
		arena_init(&a, 4096, 1024 * 1024);
		struct json_value *doc = NULL;
		struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
		dd_error jerr;
		if (data && !json_parse(data, n, &a, &lim, &doc, &jerr) && doc && doc->type == JSON_OBJECT) {
			const struct json_value *v = json_get(doc, "category");
			if (v && v->type == JSON_STRING)
				snprintf(category, sizeof category, "%s", v->str);
			v = json_get(doc, "care_type");
			if (v && v->type == JSON_STRING)
				snprintf(care, sizeof care, "%s", v->str);
		}
		arena_release(&a);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	struct child c = {0};
	bool found = false;
	if (person_id > 0 && (rc = child_read(db, person_id, &c, &found, &err)))
		return svc_store_fail(e, db, rc, &err);
	if (!found || !category[0] || !care[0])
		return svc_fail(e, SVC_RULE, "NOT_ELIGIBLE", "action", "申请缺少儿童或其类别、养育方式，不能批准");
	if (c.dead)
		return svc_fail(e, SVC_RULE, "NOT_ELIGIBLE", "action", "儿童已登记死亡，不能批准");

	bool orphan = strcmp(category, "orphan") == 0, institution = strcmp(care, "institution") == 0;
	out->category = orphan ? (institution ? "orphan_institution" : "orphan_dispersed") : "unsupported_child";
	const char *param = children_standard_param(out->category);
	if (!pol_get(pol, param, c.region, today, &out->amount) || out->amount <= 0)
		return svc_fail(e, SVC_RULE, "RULE_PARAM_MISSING", "action", "政策参数 %s 在审批日未设定，不能批准",
				param);
	out->person_id = c.id;
	memcpy(out->id_number, c.id_number, sizeof out->id_number);
	out->in_school = c.in_school;
	out->same_month = switch_on(pol, "children.same_month", c.region, today);
	bool school = switch_on(pol, "children.continue_in_school", c.region, today);
	dd_month from = date_month(today) + (out->same_month ? 0 : 1);
	first_of_month(from, out->effective_from);

	dd_date adult = children_adult_on(c.birth);
	bool open = false, np = false;
	dd_month last = children_policy_last_month(pol, c.region, c.birth, c.in_school, today, &open, &np);
	out->postponed = np && (open || last > date_month(adult));
	out->effective_to[0] = out->last_month[0] = '\0';
	if (!open) {
		month_format(last, out->last_month);
		first_of_month(last + 1, out->effective_to);
		if (last < from)
			return svc_fail(e, SVC_RULE, "NOT_ELIGIBLE", "action",
					"儿童的保障期已于 %s 结束（年满18周岁），不能批准", out->last_month);
	}

	char money[MONEY_TEXT_MAX], adult_s[DATE_TEXT_MAX];
	money_format(out->amount, money);
	date_format(adult, adult_s);
	strbuf_adds(&out->result, "{\"programme\":\"children\",\"determination\":\"children\"");
	strbuf_add_json_member_text(&out->result, "category", out->category);
	strbuf_add_json_member_text(&out->result, "care_type", care);
	strbuf_add_json_member_money(&out->result, "monthly_benefit", out->amount);
	strbuf_add_json_member_text(&out->result, "adult_on", adult_s);
	strbuf_add_json_member_text(&out->result, "effective_from", out->effective_from);
	strbuf_add_json_member_text(&out->result, "last_month", out->last_month[0] ? out->last_month : NULL);
	strbuf_addf(&out->result, ",\"same_month\":%s,\"postponed\":%s,\"in_school\":%s}",
		    out->same_month ? "true" : "false", out->postponed ? "true" : "false",
		    c.in_school ? "true" : "false");
	strbuf_addf(&out->params,
		    "{\"%s\":\"%s\",\"children.same_month\":%s,\"children.exit_postponed\":%s,"
		    "\"children.continue_in_school\":%s}",
		    param, money, out->same_month ? "true" : "false", np ? "true" : "false", school ? "true" : "false");
	return SVC_OK;
}

dd_status children_tekun_in_force(struct db *db, int64_t person_id, const char *first_day, int64_t *decision_id,
				  dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*decision_id = 0;
	dd_status rc = db_prepare(db,
				  "SELECT d.id FROM decision_lines l JOIN decisions d ON d.id = l.decision_id "
				  "WHERE l.person_id = $1 AND l.programme = 'tekun' AND d.superseded_by IS NULL "
				  "AND (d.effective_to IS NULL OR d.effective_to > $2) ORDER BY d.id DESC LIMIT 1",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person_id);
	db_bind_str(st, 2, first_day);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*decision_id = db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}
