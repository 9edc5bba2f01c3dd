/* care_emergency.c - guardianship and care emergencies (care_emergency.h). */
#include "care_emergency.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil_date.h"
#include "core/idnum.h"
#include "core/policy.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/store.h"

static const char *const kinds[] = {"child", "elderly", "disabled"};
static const char *const channels[] = {"child_director", "visit", "hotline", "hospital", "other"};
static const char *const reasons[] = {"guardian_hospitalised", "guardian_quarantined", "guardian_deceased",
				      "guardian_detained",     "carer_unable",	       "other"};
static const char *const states[] = {"open", "care_arranged", "closed"};
static const char *const carer_kinds[] = {"relative", "village", "institution", "other"};
static const char *const placements[] = {"home", "relative_home", "institution", "hospital", "other"};
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static enum svc_kind not_found(struct svc_error *e)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该监护照料应急事件");
}

static enum svc_kind stale(struct svc_error *e)
{
	return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "应急事件已被他人修改，请重新读取后再操作");
}

static bool phone_ok(const char *s)
{
	size_t n = strlen(s), digits = 0;
	if (n < 3 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] != '-' && s[i] != '+' && s[i] != ' ')
			return false;
	}
	return digits >= 3;
}

static dd_status add_event(struct db *db, int64_t id, const char *region, const char *action, const char *from,
			   const char *to, int64_t actor, const char *at, const char *note, dd_error *err)
{
	return svc_event_insert(db,
				"INSERT INTO care_emergency_events (emergency_id, region_code, action, from_state, "
				"to_state, actor_id, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				id, region, action, from, to, actor, at, note, err);
}

/* A 12-digit village code (and its significant form). */
static bool village_ok(const char *region, char sig[REGION_TEXT_MAX])
{
	return region && strlen(region) == 12 && region_parse(region, 12, 6, sig, NULL) == DD_OK &&
	       region_level(sig) == 5;
}

/* --- report --- */

/* The registered person (in the open transaction): name, ID number and
 * the village of its active household (else its own region code). */
static dd_status load_person(struct db *db, int64_t person_id, char name[128], char idn[IDNUM_LEN + 1],
			     char village[REGION_TEXT_MAX], bool *found, dd_error *err)
{
	struct db_stmt *st;
	*found = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT p.name, p.id_number, COALESCE((SELECT h.region_code FROM memberships m "
			      "JOIN households h ON h.id = m.household_id WHERE m.person_id = p.id AND "
			      "m.to_date IS NULL), p.region_code) FROM persons p WHERE p.id = $1",
			      &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, person_id);
	rc = db_step(st, found, err);
	if (!rc && *found) {
		db_column_copy(st, 0, name, 128);
		db_column_copy(st, 1, idn, IDNUM_LEN + 1);
		db_column_copy(st, 2, village, REGION_TEXT_MAX);
	}
	db_finalize(st);
	return rc;
}

enum svc_kind care_emergency_report(struct db *db, const struct policy *policy, const struct principal *actor,
				    const struct care_emergency_new *req, int64_t *id, struct svc_error *e)
{
	*id = 0;
	enum svc_kind k = authz_care_emergency_write(actor, e);
	if (k)
		return k;
	if (!req->subject_kind)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "subject_kind", "缺少对象类别 subject_kind");
	if (!svc_one_of(req->subject_kind, kinds, COUNT(kinds)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "subject_kind",
				"对象类别 subject_kind 应为 child、elderly 或 disabled");
	if (req->person_id < 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "person_id", "人员 person_id 应为正整数");
	struct idnum idn;
	const char *id_number = NULL;
	if (!req->person_id) {
		if (svc_blank(req->name))
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "name",
					"未登记人员 person_id 时须填写姓名 name");
		if (!svc_text_clean(req->name, 100))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "name", "姓名 name 过长或含控制字符");
		if (req->id_number && *req->id_number) {
			if (idnum_parse(req->id_number, strlen(req->id_number), &idn, NULL) != DD_OK)
				return svc_fail(e, SVC_BAD_INPUT, "BAD_ID_NUMBER", "id_number",
						"身份证号码 id_number 无效");
			id_number = idn.text;
		}
	}
	char vsig[REGION_TEXT_MAX];
	if (!req->person_id && !req->region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少所在村（居）region");
	if (req->region && !village_ok(req->region, vsig))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "所在村（居）region 应为 12 位村（居）代码");
	if (!req->channel)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "channel", "缺少报告来源 channel");
	if (!svc_one_of(req->channel, channels, COUNT(channels)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "channel",
				"报告来源 channel 应为 child_director、visit、hotline、hospital 或 other");
	if (req->hotline_order_id && strcmp(req->channel, "hotline") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "hotline_order_id",
				"只有来源为 hotline 的报告可关联12345工单 hotline_order_id");
	if (req->hotline_order_id < 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "hotline_order_id", "工单 hotline_order_id 应为正整数");
	if (!req->reason)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "reason", "缺少缺失原因 reason");
	if (!svc_one_of(req->reason, reasons, COUNT(reasons)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "reason",
				"缺失原因 reason 应为 guardian_hospitalised、guardian_quarantined、"
				"guardian_deceased、guardian_detained、carer_unable 或 other");
	if (svc_blank(req->description))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "description", "缺少情况说明 description");
	if (!svc_text_block_ok(req->description, CARE_EMERGENCY_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "description", "情况说明 description 过长或含控制字符");

	dd_error err;
	dd_error_clear(&err);
	char name[128] = "", pidn[IDNUM_LEN + 1] = "", village[REGION_TEXT_MAX] = "";
	bool found = false;
	struct db_stmt *st;
	dd_status rc = db_begin(db, &err);
	if (!rc && req->person_id) {
		rc = load_person(db, req->person_id, name, pidn, village, &found, &err);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
		if (!found || !village_ok(village, vsig) || !authz_in_scope(actor, vsig))
			return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "person_id",
							 "人员 person_id 不存在或不在本辖区内"));
		if (req->region && strcmp(req->region, village) != 0)
			return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region",
							 "所在村（居）region 与该人员的户籍村（居）%s 不符", village));
		id_number = pidn[0] ? pidn : NULL;
	} else if (!rc) {
		snprintf(village, sizeof village, "%s", req->region);
		snprintf(name, sizeof name, "%s", req->name);
		if (!authz_in_scope(actor, vsig))
			return svc_rollback(
			    db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "所在村（居）region 不在本辖区内"));
	}
	if (!rc && req->hotline_order_id) {
		rc = db_prepare_cached(db, "SELECT id FROM hotline_orders WHERE id = $1", &st, &err);
		bool row = false;
		if (!rc) {
			db_bind_int64(st, 1, req->hotline_order_id);
			rc = db_step(st, &row, &err);
			db_finalize(st);
		}
		if (!rc && !row)
			return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_ORDER", "hotline_order_id",
							 "12345工单 hotline_order_id 不存在"));
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	dd_date today = store_today();
	const struct policy_entry *rh =
	    policy ? policy_lookup(policy, "care_emergency.response_hours", vsig, today) : NULL;
	if (!rh || rh->value.i < 1 || rh->value.i > 24 * 30)
		return svc_rollback(
		    db, svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少政策参数 care_emergency.response_hours"));
	char now[STORE_TIME_MAX], due[STORE_TIME_MAX];
	int64_t now_ms = store_now_ms();
	store_time_text(now_ms, now);
	store_time_text(now_ms + rh->value.i * 3600000, due);

	bool row = false;
	rc = db_prepare_cached(
	    db,
	    "INSERT INTO care_emergencies (region_code, subject_kind, person_id, subject_name, subject_id_number, "
	    "reported_by_channel, hotline_order_id, reason, description, reported_at, respond_due, reported_by, "
	    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10, $10) "
	    "RETURNING id",
	    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, village);
		db_bind_str(st, 2, req->subject_kind);
		if (req->person_id)
			db_bind_int64(st, 3, req->person_id);
		else
			db_bind_null(st, 3);
		db_bind_str(st, 4, name);
		db_bind_str(st, 5, id_number);
		db_bind_str(st, 6, req->channel);
		if (req->hotline_order_id)
			db_bind_int64(st, 7, req->hotline_order_id);
		else
			db_bind_null(st, 7);
		db_bind_str(st, 8, req->reason);
		db_bind_str(st, 9, req->description);
		db_bind_str(st, 10, now);
		db_bind_str(st, 11, due);
		db_bind_int64(st, 12, actor->id);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc)
		rc = add_event(db, *id, village, "report", NULL, "open", actor->id, now, NULL, &err);
	if (!rc) {
		struct strbuf d;
		strbuf_init(&d, 128);
		strbuf_adds(&d, "{\"subject_kind\":");
		strbuf_add_json_string_or_null(&d, req->subject_kind);
		strbuf_add_json_member_text(&d, "reason", req->reason);
		strbuf_add_json_member_text(&d, "channel", req->channel);
		strbuf_add_json_member_text(&d, "respond_due", due);
		strbuf_addc(&d, '}');
		char idt[24];
		snprintf(idt, sizeof idt, "%" PRId64, *id);
		rc = d.failed ? DD_ENOMEM
			      : audit_append_region(db, village, actor->username, "care_emergency.report",
						    "care_emergency", idt, d.buf, &err);
		strbuf_release(&d);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		*id = 0;
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

/* --- reading --- */

#define COLS                                                                                                           \
	"c.id, c.region_code, (SELECT r.name FROM regions r WHERE r.code = c.region_code), c.subject_kind, "           \
	"c.person_id, c.subject_name, c.subject_id_number, c.reported_by_channel, c.hotline_order_id, c.reason, "      \
	"c.description, c.state, c.reported_at, c.respond_due, c.carer_kind, c.carer_name, c.carer_phone, "            \
	"c.placement, c.placement_address, c.arranged_at, c.closure_note, c.closed_at, c.version, "                    \
	"(SELECT u.username FROM users u WHERE u.id = c.reported_by)"
#define OVERDUE(now) "(c.state = 'open' AND c.respond_due < " now ")"
#define ORDER(now)                                                                                                     \
	" ORDER BY CASE WHEN c.state = 'open' THEN 0 WHEN c.state = 'care_arranged' THEN 1 ELSE 2 END, "               \
	"CASE WHEN " OVERDUE(now) " THEN 0 ELSE 1 END, c.respond_due, c.id"

static void render_row(struct strbuf *b, const struct db_stmt *st, bool reveal, const char *now)
{
	strbuf_addf(b, "{\"id\":%" PRId64, db_column_int64(st, 0));
	strbuf_add_json_member_text(b, "region", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(b, "village", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(b, "subject_kind", db_column_text(st, 3, NULL));
	svc_json_member_id(b, "person_id", st, 4);
	strbuf_add_json_member_text(b, "subject_name", db_column_text(st, 5, NULL));
	const char *idn = db_column_text(st, 6, NULL);
	char masked[IDNUM_LEN + 1];
	if (idn && !reveal && strlen(idn) == IDNUM_LEN) {
		idnum_mask(idn, masked);
		idn = masked;
	}
	strbuf_add_json_member_text(b, "subject_id_number", idn);
	strbuf_add_json_member_text(b, "channel", db_column_text(st, 7, NULL));
	svc_json_member_id(b, "hotline_order_id", st, 8);
	strbuf_add_json_member_text(b, "reason", db_column_text(st, 9, NULL));
	strbuf_add_json_member_text(b, "description", db_column_text(st, 10, NULL));
	const char *state = db_column_text(st, 11, NULL), *due = db_column_text(st, 13, NULL);
	strbuf_add_json_member_text(b, "state", state);
	strbuf_add_json_member_text(b, "reported_at", db_column_text(st, 12, NULL));
	strbuf_add_json_member_text(b, "respond_due", due);
	bool overdue = state && strcmp(state, "open") == 0 && due && strcmp(due, now) < 0;
	strbuf_addf(b, ",\"overdue\":%s", overdue ? "true" : "false");
	strbuf_add_json_member_text(b, "carer_kind", db_column_text(st, 14, NULL));
	strbuf_add_json_member_text(b, "carer_name", db_column_text(st, 15, NULL));
	strbuf_add_json_member_text(b, "carer_phone", db_column_text(st, 16, NULL));
	strbuf_add_json_member_text(b, "placement", db_column_text(st, 17, NULL));
	strbuf_add_json_member_text(b, "placement_address", db_column_text(st, 18, NULL));
	strbuf_add_json_member_text(b, "arranged_at", db_column_text(st, 19, NULL));
	strbuf_add_json_member_text(b, "closure_note", db_column_text(st, 20, NULL));
	strbuf_add_json_member_text(b, "closed_at", db_column_text(st, 21, NULL));
	strbuf_addf(b, ",\"version\":%" PRId64, db_column_int64(st, 22));
}

#define LIST_WHERE                                                                                                     \
	" FROM care_emergencies c WHERE c.region_code >= $1 AND c.region_code < $2 AND (CAST($3 AS TEXT) = '' OR "     \
	"c.state = $3) AND (CAST($4 AS INTEGER) = 0 OR " OVERDUE("$5") ") AND (CAST($6 AS BIGINT) = 0 OR "             \
								       "c.hotline_order_id = $6)"

static void bind_filter(struct db_stmt *st, const char *lo, const char *hi, const struct care_emergency_filter *f,
			const char *now)
{
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, f->state ? f->state : "");
	db_bind_int64(st, 4, f->overdue);
	db_bind_str(st, 5, now);
	db_bind_int64(st, 6, f->hotline_order_id > 0 ? f->hotline_order_id : 0);
}

enum svc_kind care_emergency_list(struct db *db, const struct principal *actor, const struct care_emergency_filter *f,
				  struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_emergency_write(actor, e);
	if (k)
		return k;
	if ((k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	if (f->state && *f->state && !svc_one_of(f->state, states, COUNT(states)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 open、care_arranged 或 closed");
	char scope[REGION_TEXT_MAX];
	bool visible = true;
	snprintf(scope, sizeof scope, "%s", actor->scope);
	if (f->region && *f->region) {
		char sig[REGION_TEXT_MAX];
		if (region_parse(f->region, strlen(f->region), 6, sig, NULL) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码 region 应为 6-12 位数字");
		visible = authz_scope_narrow(actor, sig, scope);
	}
	char now[STORE_TIME_MAX];
	store_now(now);
	int64_t total = 0;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	if (visible) {
		char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
		store_region_range(scope, lo, hi);
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		if (!rc)
			rc = db_prepare_cached(db, "SELECT count(*)" LIST_WHERE, &st, &err);
		if (!rc) {
			bind_filter(st, lo, hi, f, now);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc)
			rc = db_prepare_cached(db, "SELECT " COLS LIST_WHERE ORDER("$5") " LIMIT $7 OFFSET $8", &st,
					       &err);
		if (!rc) {
			bind_filter(st, lo, hi, f, now);
			db_bind_int64(st, 7, f->per_page);
			db_bind_int64(st, 8, (f->page - 1) * f->per_page);
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (n)
					strbuf_addc(out, ',');
				render_row(out, st, false, now);
				strbuf_addc(out, '}');
			}
			db_finalize(st);
		}
		if (!rc)
			rc = db_commit(db, &err);
		if (rc) {
			out->len = mark;
			if (out->buf)
				out->buf[mark] = 0;
			return svc_store_fail(e, db, rc, &err);
		}
	}
	strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, f->page,
		    f->per_page);
	return SVC_OK;
}

enum svc_kind care_emergency_get(struct db *db, const struct principal *actor, int64_t id, bool reveal,
				 struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_emergency_write(actor, e);
	if (k)
		return k;
	if (reveal && (k = authz_household_reveal(actor, e)))
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], idt[24];
	store_region_range(actor->scope, lo, hi);
	store_now(now);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	size_t mark = out->len;
	dd_status rc = reveal ? db_begin(db, &err) : db_begin_read(db, &err);
	if (!rc)
		rc =
		    db_prepare_cached(db,
				      "SELECT " COLS " FROM care_emergencies c WHERE c.id = $1 AND c.region_code >= $2 "
				      "AND c.region_code < $3",
				      &st, &err);
	char region[REGION_TEXT_MAX] = "", state[16] = "";
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 1, region, sizeof region);
			db_column_copy(st, 11, state, sizeof state);
			render_row(out, st, reveal, now);
			strbuf_add_json_member_text(out, "reported_by", db_column_text(st, 23, NULL));
		}
		db_finalize(st);
	}
	if (!rc && row) {
		rc = db_prepare_cached(db,
				       "SELECT v.visit_date, v.visitor, v.note, u.username, v.created_at FROM "
				       "care_emergency_visits v LEFT JOIN users u ON u.id = v.recorded_by WHERE "
				       "v.emergency_id = $1 ORDER BY v.visit_date, v.id",
				       &st, &err);
		if (!rc) {
			strbuf_adds(out, ",\"visits\":[");
			db_bind_int64(st, 1, id);
			bool r = false;
			for (int i = 0; !(rc = db_step(st, &r, &err)) && r; i++) {
				strbuf_addf(out, "%s{\"visit_date\":", i ? "," : "");
				strbuf_add_json_string_or_null(out, db_column_text(st, 0, NULL));
				strbuf_add_json_member_text(out, "visitor", db_column_text(st, 1, NULL));
				strbuf_add_json_member_text(out, "note", db_column_text(st, 2, NULL));
				strbuf_add_json_member_text(out, "recorded_by", db_column_text(st, 3, NULL));
				strbuf_add_json_member_text(out, "recorded_at", db_column_text(st, 4, NULL));
				strbuf_addc(out, '}');
			}
			db_finalize(st);
			strbuf_addc(out, ']');
		}
	}
	if (!rc && row) {
		rc = db_prepare_cached(db,
				       "SELECT e.action, e.from_state, e.to_state, u.username, e.at, e.note FROM "
				       "care_emergency_events e LEFT JOIN users u ON u.id = e.actor_id WHERE "
				       "e.emergency_id = $1 ORDER BY e.id",
				       &st, &err);
		if (!rc) {
			strbuf_adds(out, ",\"events\":[");
			db_bind_int64(st, 1, id);
			bool r = false;
			for (int i = 0; !(rc = db_step(st, &r, &err)) && r; i++) {
				strbuf_addf(out, "%s{\"action\":", i ? "," : "");
				strbuf_add_json_string_or_null(out, db_column_text(st, 0, NULL));
				strbuf_add_json_member_text(out, "from_state", db_column_text(st, 1, NULL));
				strbuf_add_json_member_text(out, "to_state", db_column_text(st, 2, NULL));
				strbuf_add_json_member_text(out, "actor", db_column_text(st, 3, NULL));
				strbuf_add_json_member_text(out, "at", db_column_text(st, 4, NULL));
				strbuf_add_json_member_text(out, "note", db_column_text(st, 5, NULL));
				strbuf_addc(out, '}');
			}
			db_finalize(st);
			strbuf_addc(out, ']');
		}
		if (strcmp(state, "open") == 0)
			strbuf_adds(out, ",\"allowed_actions\":[\"arrange\",\"visit\"]}");
		else if (strcmp(state, "care_arranged") == 0)
			strbuf_adds(out, ",\"allowed_actions\":[\"arrange\",\"visit\",\"close\"]}");
		else
			strbuf_adds(out, ",\"allowed_actions\":[]}");
	}
	if (!rc && row && reveal)
		rc = audit_append_region(db, region, actor->username, "care_emergency.reveal", "care_emergency", idt,
					 "{}", &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		out->len = mark;
		if (out->buf)
			out->buf[mark] = 0;
		return svc_store_fail(e, db, rc, &err);
	}
	if (!row)
		return not_found(e);
	return SVC_OK;
}

/* --- actions --- */

static enum svc_kind check_action(const struct care_emergency_action *req, const char *today, struct svc_error *e)
{
	const char *a = req->action;
	if (strcmp(a, "arrange") == 0) {
		if (!req->carer_kind)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "carer_kind", "缺少照料人类别 carer_kind");
		if (!svc_one_of(req->carer_kind, carer_kinds, COUNT(carer_kinds)))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "carer_kind",
					"照料人类别 carer_kind 应为 relative、village、institution 或 other");
		if (svc_blank(req->carer_name))
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "carer_name", "缺少照料人姓名 carer_name");
		if (!svc_text_clean(req->carer_name, 100))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "carer_name",
					"照料人姓名 carer_name 过长或含控制字符");
		if (req->carer_phone && *req->carer_phone && !phone_ok(req->carer_phone))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_PHONE", "carer_phone",
					"照料人电话 carer_phone 应为 3-20 位数字（可含 -、+ 和空格）");
		if (!req->placement)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "placement", "缺少安置地点 placement");
		if (!svc_one_of(req->placement, placements, COUNT(placements)))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "placement",
					"安置地点 placement 应为 home、relative_home、institution、hospital 或 other");
		if (strcmp(req->placement, "home") != 0 && svc_blank(req->placement_address))
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "placement_address",
					"安置在本人家以外时须填写安置地址 placement_address");
		return svc_check_text(req->placement_address, "placement_address", "安置地址", 500, e);
	}
	if (strcmp(a, "visit") == 0) {
		if (!req->visit_date)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "visit_date", "缺少走访日期 visit_date");
		dd_date d;
		char t[DATE_TEXT_MAX];
		if (date_parse(req->visit_date, strlen(req->visit_date), &d, NULL) != DD_OK ||
		    (date_format(d, t), strcmp(t, today) > 0))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "visit_date",
					"走访日期 visit_date 应为 YYYY-MM-DD，且不晚于今天");
		if (svc_blank(req->visitor))
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "visitor", "缺少走访人 visitor");
		if (!svc_text_clean(req->visitor, 100))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "visitor", "走访人 visitor 过长或含控制字符");
	}
	/* visit and close */
	if (svc_blank(req->note))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "note",
				strcmp(a, "visit") == 0 ? "缺少走访情况 note"
							: "结案须在 note 中说明（如监护人已返回）");
	if (!svc_text_block_ok(req->note, CARE_EMERGENCY_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "note", "note 过长或含控制字符");
	return SVC_OK;
}

enum svc_kind care_emergency_act(struct db *db, const struct principal *actor, int64_t id,
				 const struct care_emergency_action *req, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_care_emergency_write(actor, e);
	if (k)
		return k;
	const char *a = req->action;
	if (!a)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "action", "缺少操作 action");
	if (strcmp(a, "arrange") != 0 && strcmp(a, "visit") != 0 && strcmp(a, "close") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "action", "操作 action 应为 arrange、visit 或 close");
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	char now[STORE_TIME_MAX], today[DATE_TEXT_MAX], idt[24];
	store_now(now);
	date_format(store_today(), today);
	if ((k = check_action(req, today, e)))
		return k;
	snprintf(idt, sizeof idt, "%" PRId64, id);

	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool found = false, arranged = false;
	char state[16] = "", region[REGION_TEXT_MAX] = "";
	int64_t version = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc =
		    db_prepare_cached(db,
				      "SELECT state, version, region_code, carer_name IS NOT NULL AND placement IS NOT "
				      "NULL FROM care_emergencies WHERE id = $1 AND region_code >= $2 AND "
				      "region_code < $3",
				      &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &found, &err);
		if (!rc && found) {
			db_column_copy(st, 0, state, sizeof state);
			version = db_column_int64(st, 1);
			db_column_copy(st, 2, region, sizeof region);
			arranged = db_column_int64(st, 3) != 0;
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, not_found(e));
	if (version != req->version)
		return svc_rollback(db, stale(e));
	if (strcmp(state, "closed") == 0)
		return svc_rollback(
		    db, svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state", "应急事件已结案，不能再执行 %s", a));
	const char *to = state;
	if (strcmp(a, "arrange") == 0) {
		to = "care_arranged";
		rc = db_prepare_cached(db,
				       "UPDATE care_emergencies SET state = 'care_arranged', carer_kind = $5, "
				       "carer_name = $6, carer_phone = $7, placement = $8, placement_address = $9, "
				       "arranged_at = COALESCE(arranged_at, $3), arranged_by = $4, updated_at = $3, "
				       "version = version + 1 WHERE id = $1 AND version = $2",
				       &st, &err);
	} else if (strcmp(a, "visit") == 0) {
		rc = db_prepare_cached(
		    db,
		    "UPDATE care_emergencies SET updated_at = $3, version = version + 1 WHERE id = $1 "
		    "AND version = $2 AND CAST($4 AS BIGINT) > 0",
		    &st, &err);
	} else {
		if (!arranged || strcmp(state, "care_arranged") != 0)
			return svc_rollback(db, svc_fail(e, SVC_RULE, "CARE_NOT_ARRANGED", "state",
							 "尚未落实临时照料人和安置地点，不能结案"));
		to = "closed";
		rc = db_prepare_cached(
		    db,
		    "UPDATE care_emergencies SET state = 'closed', closure_note = $5, closed_at = $3, "
		    "closed_by = $4, updated_at = $3, version = version + 1 WHERE id = $1 AND "
		    "version = $2",
		    &st, &err);
	}
	int64_t changed = 0;
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, version);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, actor->id);
		if (strcmp(a, "arrange") == 0) {
			db_bind_str(st, 5, req->carer_kind);
			db_bind_str(st, 6, req->carer_name);
			db_bind_str(st, 7, req->carer_phone && *req->carer_phone ? req->carer_phone : NULL);
			db_bind_str(st, 8, req->placement);
			db_bind_str(st, 9, req->placement_address);
		} else if (strcmp(a, "close") == 0)
			db_bind_str(st, 5, req->note);
		rc = db_run(st, &err);
		if (!rc)
			changed = db_changes(st);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changed != 1)
		return svc_rollback(db, stale(e));
	if (strcmp(a, "visit") == 0) {
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO care_emergency_visits (emergency_id, region_code, visit_date, visitor, "
		    "note, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		    &st, &err);
		if (!rc) {
			db_bind_int64(st, 1, id);
			db_bind_str(st, 2, region);
			db_bind_str(st, 3, req->visit_date);
			db_bind_str(st, 4, req->visitor);
			db_bind_str(st, 5, req->note);
			db_bind_int64(st, 6, actor->id);
			db_bind_str(st, 7, now);
			rc = db_run(st, &err);
			db_finalize(st);
		}
	}
	char note[160] = "";
	if (strcmp(a, "arrange") == 0)
		snprintf(note, sizeof note, "%s %s", req->carer_kind, req->placement);
	if (!rc)
		rc = add_event(db, id, region, a, state, to, actor->id, now,
			       strcmp(a, "arrange") == 0 ? note : req->note, &err);
	if (!rc) {
		char detail[128], action[40];
		snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\"}", state, to);
		snprintf(action, sizeof action, "care_emergency.%s", a);
		rc = audit_append_region(db, region, actor->username, action, "care_emergency", idt, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out)
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"state\":\"%s\",\"version\":%" PRId64 "}", id, to, version + 1);
	return SVC_OK;
}

/* --- workbench --- */

dd_status care_emergency_workbench(struct db *db, const char *lo, const char *hi, const char *now, int64_t max,
				   struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT count(*), sum(CASE WHEN " OVERDUE(
				  "$3") " THEN 1 ELSE 0 END) FROM "
					"care_emergencies c WHERE c.region_code >= $1 AND c.region_code < $2 AND "
					"c.state <> 'closed'",
			      &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, now);
	int64_t open = 0, overdue = 0;
	rc = db_step(st, &row, err);
	if (!rc && row) {
		open = db_column_int64(st, 0);
		overdue = db_column_is_null(st, 1) ? 0 : db_column_int64(st, 1);
	}
	db_finalize(st);
	if (rc)
		return rc;
	strbuf_addf(out, "{\"open\":%" PRId64 ",\"overdue\":%" PRId64 ",\"items\":[", open, overdue);
	rc = db_prepare_cached(db,
			       "SELECT c.id, c.region_code, (SELECT r.name FROM regions r WHERE r.code = "
			       "c.region_code), c.subject_kind, c.subject_name, c.reason, c.state, c.reported_at, "
			       "c.respond_due FROM care_emergencies c WHERE c.region_code >= $1 AND c.region_code < $2 "
			       "AND c.state <> 'closed'" ORDER("$3") " LIMIT $4",
			       &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, now);
	db_bind_int64(st, 4, max);
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "region", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "village", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "subject_kind", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "subject_name", db_column_text(st, 4, NULL));
		strbuf_add_json_member_text(out, "reason", db_column_text(st, 5, NULL));
		const char *state = db_column_text(st, 6, NULL), *due = db_column_text(st, 8, NULL);
		strbuf_add_json_member_text(out, "state", state);
		strbuf_add_json_member_text(out, "reported_at", db_column_text(st, 7, NULL));
		strbuf_add_json_member_text(out, "respond_due", due);
		strbuf_addf(out, ",\"overdue\":%s",
			    state && strcmp(state, "open") == 0 && due && strcmp(due, now) < 0 ? "true" : "false");
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	strbuf_adds(out, "]}");
	return rc;
}
