/* referral.c - referrals between departments (referral.h). */
#include "referral.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "core/calendar.h"
#include "core/civil_date.h"
#include "core/money.h"
#include "core/policy.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/store.h"

static const char *const states[] = {"sent", "accepted", "answered", "closed", "returned", "cancelled"};
static const char *const outcomes[] = {"assisted", "not_eligible", "transferred", "other"};
static const char *const kinds[] = {"medical", "education", "housing", "employment", "disability", "charity", "other"};
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static enum svc_kind not_found(struct svc_error *e)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该转介");
}

static enum svc_kind stale(struct svc_error *e)
{
	return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "转介已被他人修改，请重新读取后再操作");
}

/* The visibility of a referral to actor: its office (department) or its
 * region inside the scope (everyone else; a department user's scope covers
 * nothing). Binds $first..$first+2. */
#define VISIBLE(a, b, c)                                                                                               \
	"((CAST(" a " AS TEXT) <> '' AND r.office_code = " a ") OR (r.region_code >= " b " AND r.region_code < " c ")" \
	")"

static void bind_visible(struct db_stmt *st, int first, const struct principal *actor)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	db_bind_str(st, first, actor->role == ROLE_DEPARTMENT ? actor->office : "");
	db_bind_str(st, first + 1, lo);
	db_bind_str(st, first + 2, hi);
}

static dd_status add_event(struct db *db, int64_t id, const char *region, const char *action, const char *from,
			   const char *to, int64_t actor, const char *at, const char *note, dd_error *err)
{
	return svc_event_insert(
	    db,
	    "INSERT INTO referral_events (referral_id, region_code, action, from_state, to_state, actor_id, at, note) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	    id, region, action, from, to, actor, at, note, err);
}

/* --- create --- */

/* The source's region, household and person, inside actor's scope: *found
 * false otherwise. */
static dd_status load_source(struct db *db, const struct principal *actor, bool application, int64_t id,
			     char region[REGION_TEXT_MAX], int64_t *household, int64_t *person, bool *found,
			     dd_error *err)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	struct db_stmt *st;
	*found = false;
	dd_status rc = db_prepare_cached(
	    db,
	    application ? "SELECT region_code, household_id, person_id FROM applications WHERE id = $1 AND "
			  "region_code >= $2 AND region_code < $3"
			: "SELECT region_code, NULL, NULL FROM hotline_orders WHERE id = $1 AND region_code >= $2 AND "
			  "region_code < $3",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	rc = db_step(st, found, err);
	if (!rc && *found) {
		db_column_copy(st, 0, region, REGION_TEXT_MAX);
		*household = db_column_is_null(st, 1) ? 0 : db_column_int64(st, 1);
		*person = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
	}
	db_finalize(st);
	return rc;
}

/* The office: its name, county and reply time limit (0: the policy's);
 * *found false when unknown or inactive. */
static dd_status load_office(struct db *db, const char *code, char name[128], char region[REGION_TEXT_MAX],
			     int64_t *workdays, bool *found, dd_error *err)
{
	struct db_stmt *st;
	*found = false;
	dd_status rc = db_prepare_cached(
	    db, "SELECT name, region_code, reply_workdays FROM referral_offices WHERE code = $1 AND active = 1", &st,
	    err);
	if (rc)
		return rc;
	db_bind_str(st, 1, code);
	rc = db_step(st, found, err);
	if (!rc && *found) {
		db_column_copy(st, 0, name, 128);
		db_column_copy(st, 1, region, REGION_TEXT_MAX);
		*workdays = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
	}
	db_finalize(st);
	return rc;
}

enum svc_kind referral_create(struct db *db, const struct policy *policy, const struct calendar *cal,
			      const struct principal *actor, const struct referral_new *req, int64_t *id,
			      struct svc_error *e)
{
	*id = 0;
	enum svc_kind k = authz_referral_send(actor, e);
	if (k)
		return k;
	if (req->application_id < 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "application_id", "申请编号 application_id 无效");
	if (req->hotline_order_id < 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "hotline_order_id", "工单编号 hotline_order_id 无效");
	if (!req->application_id && !req->hotline_order_id)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "application_id",
				"须给出转介来源：申请 application_id 或12345工单 hotline_order_id");
	if (req->application_id && req->hotline_order_id)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "hotline_order_id",
				"转介来源只能有一个：application_id 或 hotline_order_id");
	if (svc_blank(req->office_code))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "office_code", "缺少接收部门 office_code");
	if (!office_code_valid(req->office_code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "office_code", "接收部门代码 office_code 格式无效");
	if (svc_blank(req->reason))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "reason", "缺少转介事由 reason");
	if (!svc_text_block_ok(req->reason, REFERRAL_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "reason", "转介事由 reason 过长或含控制字符");
	if (!cal)
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少工作日历，无法计算答复期限");

	bool application = req->application_id != 0;
	int64_t source = application ? req->application_id : req->hotline_order_id;
	char now[STORE_TIME_MAX], today_text[DATE_TEXT_MAX], due[DATE_TEXT_MAX], idt[24];
	store_now(now);
	dd_date today = store_today();
	date_format(today, today_text);
	dd_error err;
	dd_error_clear(&err);
	char src_region[REGION_TEXT_MAX] = "", office_name[128] = "", office_region[REGION_TEXT_MAX] = "";
	int64_t household = 0, person = 0, workdays = 0;
	bool found = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_source(db, actor, application, source, src_region, &household, &person, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND",
						 application ? "application_id" : "hotline_order_id",
						 application ? "未找到该申请或不在本辖区内" : "未找到该12345工单"));
	rc = load_office(db, req->office_code, office_name, office_region, &workdays, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_OFFICE", "office_code",
						 "接收部门 %s 不存在或已停用", req->office_code));
	char src_sig[REGION_TEXT_MAX], office_sig[REGION_TEXT_MAX];
	if (region_parse(src_region, strlen(src_region), 6, src_sig, NULL) != DD_OK ||
	    region_parse(office_region, strlen(office_region), 6, office_sig, NULL) != DD_OK ||
	    !region_covers(office_sig, src_sig))
		return svc_rollback(db, svc_fail(e, SVC_BAD_INPUT, "OFFICE_OUT_OF_AREA", "office_code",
						 "接收部门 %s 不负责该地区（%s）", req->office_code, src_region));
	/* the sending side: the source's township for village and township
	 * staff, the county for county staff */
	char region[REGION_TEXT_MAX];
	if (actor->role == ROLE_COUNTY || strlen(src_region) < 9)
		snprintf(region, sizeof region, "%.6s", actor->role == ROLE_COUNTY ? actor->region : src_region);
	else
		snprintf(region, sizeof region, "%.9s", src_region);
	if (!workdays) {
		char tsig[REGION_TEXT_MAX];
		snprintf(tsig, sizeof tsig, "%s", src_sig);
		const struct policy_entry *pe =
		    policy ? policy_lookup(policy, "referral.reply_workdays", tsig, today) : NULL;
		if (!pe || pe->value.i < 1 || pe->value.i > 120)
			return svc_rollback(
			    db, svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少政策参数 referral.reply_workdays"));
		workdays = pe->value.i;
	}
	date_format(calendar_add_workdays(cal, today, (int)workdays), due);

	struct db_stmt *st;
	bool row = false;
	rc = db_prepare_cached(db,
			       "INSERT INTO referrals (region_code, office_code, application_id, hotline_order_id, "
			       "household_id, person_id, reason, sent_at, due_date, sent_by, created_at, updated_at) "
			       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8, $8) RETURNING id",
			       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, region);
		db_bind_str(st, 2, req->office_code);
		if (application)
			db_bind_int64(st, 3, source);
		else
			db_bind_null(st, 3);
		if (application)
			db_bind_null(st, 4);
		else
			db_bind_int64(st, 4, source);
		if (household)
			db_bind_int64(st, 5, household);
		else
			db_bind_null(st, 5);
		if (person)
			db_bind_int64(st, 6, person);
		else
			db_bind_null(st, 6);
		db_bind_str(st, 7, req->reason);
		db_bind_str(st, 8, now);
		db_bind_str(st, 9, due);
		db_bind_int64(st, 10, actor->id);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc)
		rc = add_event(db, *id, region, "create", NULL, "sent", actor->id, now, NULL, &err);
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail,
			 "{\"office_code\":\"%s\",\"source\":\"%s\",\"source_id\":%" PRId64 ",\"due_date\":\"%s\"}",
			 req->office_code, application ? "application" : "hotline_order", source, due);
		snprintf(idt, sizeof idt, "%" PRId64, *id);
		rc = audit_append_region(db, region, actor->username, "referral.create", "referral", idt, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		*id = 0;
		return svc_store_fail(e, db, rc, &err);
	}
	(void)today_text;
	return SVC_OK;
}

/* --- reading --- */

#define COLS                                                                                                           \
	"r.id, r.region_code, r.office_code, f.name, f.kind, r.application_id, r.hotline_order_id, r.household_id, "   \
	"r.person_id, r.reason, r.state, r.sent_at, r.due_date, r.answer, r.outcome, r.amount, r.answered_at, "        \
	"r.return_note, r.close_note, r.closed_at, r.version, (SELECT u.username FROM users u WHERE u.id = "           \
	"r.sent_by), r.accepted_at"
#define FROM " FROM referrals r JOIN referral_offices f ON f.code = r.office_code"
#define OVERDUE(today) "((r.state = 'sent' OR r.state = 'accepted') AND r.due_date < " today ")"

static bool is_overdue(const char *state, const char *due, const char *today)
{
	return state && (strcmp(state, "sent") == 0 || strcmp(state, "accepted") == 0) && due && strcmp(due, today) < 0;
}

static void render_row(struct strbuf *b, const struct db_stmt *st, const char *today)
{
	strbuf_addf(b, "{\"id\":%" PRId64, db_column_int64(st, 0));
	strbuf_add_json_member_text(b, "region", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(b, "office_code", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(b, "office_name", db_column_text(st, 3, NULL));
	strbuf_add_json_member_text(b, "office_kind", db_column_text(st, 4, NULL));
	svc_json_member_id(b, "application_id", st, 5);
	svc_json_member_id(b, "hotline_order_id", st, 6);
	svc_json_member_id(b, "household_id", st, 7);
	svc_json_member_id(b, "person_id", st, 8);
	strbuf_add_json_member_text(b, "reason", db_column_text(st, 9, NULL));
	const char *state = db_column_text(st, 10, NULL);
	strbuf_add_json_member_text(b, "state", state);
	strbuf_add_json_member_text(b, "sent_at", db_column_text(st, 11, NULL));
	const char *due = db_column_text(st, 12, NULL);
	strbuf_add_json_member_text(b, "due_date", due);
	strbuf_addf(b, ",\"overdue\":%s", is_overdue(state, due, today) ? "true" : "false");
	strbuf_add_json_member_text(b, "answer", db_column_text(st, 13, NULL));
	strbuf_add_json_member_text(b, "outcome", db_column_text(st, 14, NULL));
	if (db_column_is_null(st, 15))
		strbuf_adds(b, ",\"amount\":null");
	else {
		char m[MONEY_TEXT_MAX];
		money_format(db_column_int64(st, 15), m);
		strbuf_addf(b, ",\"amount\":\"%s\"", m);
	}
	strbuf_add_json_member_text(b, "answered_at", db_column_text(st, 16, NULL));
	strbuf_add_json_member_text(b, "return_note", db_column_text(st, 17, NULL));
	strbuf_add_json_member_text(b, "close_note", db_column_text(st, 18, NULL));
	strbuf_add_json_member_text(b, "closed_at", db_column_text(st, 19, NULL));
	strbuf_addf(b, ",\"version\":%" PRId64, db_column_int64(st, 20));
	strbuf_add_json_member_text(b, "sent_by", db_column_text(st, 21, NULL));
	strbuf_add_json_member_text(b, "accepted_at", db_column_text(st, 22, NULL));
}

#define LIST_WHERE                                                                                                     \
	FROM " WHERE " VISIBLE(                                                                                        \
	    "$1", "$2", "$3") " AND (CAST($4 AS TEXT) = '' OR r.state = $4) AND (CAST($5 AS "                          \
			      "TEXT) = '' OR r.office_code = $5) AND (CAST($6 AS INTEGER) = 0 OR " OVERDUE("$7") ")"

static void bind_filter(struct db_stmt *st, const struct principal *actor, const struct referral_filter *f,
			const char *today)
{
	bind_visible(st, 1, actor);
	db_bind_str(st, 4, f->state ? f->state : "");
	db_bind_str(st, 5, f->office ? f->office : "");
	db_bind_int64(st, 6, f->overdue);
	db_bind_str(st, 7, today);
}

enum svc_kind referral_list(struct db *db, const struct principal *actor, const struct referral_filter *f,
			    struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	if (f->state && *f->state && !svc_one_of(f->state, states, COUNT(states)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 sent、accepted、answered、closed、returned 或 cancelled");
	if (f->office && *f->office && !office_code_valid(f->office))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "office_code", "接收部门代码 office_code 格式无效");
	char today[DATE_TEXT_MAX];
	date_format(store_today(), today);
	int64_t total = 0;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	if (actor->role != ROLE_NONE) {
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		if (!rc)
			rc = db_prepare_cached(db, "SELECT count(*)" LIST_WHERE, &st, &err);
		if (!rc) {
			bind_filter(st, actor, f, today);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc)
			rc = db_prepare_cached(db,
					       "SELECT " COLS LIST_WHERE " ORDER BY CASE WHEN " OVERDUE(
						   "$7") " THEN 0 ELSE 1 END, r.due_date, r.id LIMIT $8 OFFSET $9",
					       &st, &err);
		if (!rc) {
			bind_filter(st, actor, f, today);
			db_bind_int64(st, 8, f->per_page);
			db_bind_int64(st, 9, (f->page - 1) * f->per_page);
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (n)
					strbuf_addc(out, ',');
				render_row(out, st, today);
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

/* The source's summary: {"kind","id","label","state"}. */
static dd_status add_source(struct db *db, bool application, int64_t id, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(db,
					 application ? "SELECT programme, state FROM applications WHERE id = $1"
						     : "SELECT order_no, state FROM hotline_orders WHERE id = $1",
					 &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, err);
	strbuf_addf(out, ",\"source\":{\"kind\":\"%s\",\"id\":%" PRId64, application ? "application" : "hotline_order",
		    id);
	strbuf_add_json_member_text(out, "label", !rc && row ? db_column_text(st, 0, NULL) : NULL);
	strbuf_add_json_member_text(out, "state", !rc && row ? db_column_text(st, 1, NULL) : NULL);
	strbuf_addc(out, '}');
	db_finalize(st);
	return rc;
}

enum svc_kind referral_get(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
			   struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return not_found(e);
	char today[DATE_TEXT_MAX];
	date_format(store_today(), today);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	size_t mark = out->len;
	char state[16] = "";
	int64_t app = 0, order = 0;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT " COLS FROM " WHERE r.id = $4 AND " VISIBLE("$1", "$2", "$3"), &st,
				       &err);
	if (!rc) {
		bind_visible(st, 1, actor);
		db_bind_int64(st, 4, id);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 10, state, sizeof state);
			app = db_column_is_null(st, 5) ? 0 : db_column_int64(st, 5);
			order = db_column_is_null(st, 6) ? 0 : db_column_int64(st, 6);
			render_row(out, st, today);
		}
		db_finalize(st);
	}
	if (!rc && row)
		rc = add_source(db, app != 0, app ? app : order, out, &err);
	if (!rc && row) {
		rc = db_prepare_cached(db,
				       "SELECT e.action, e.from_state, e.to_state, u.username, e.at, e.note FROM "
				       "referral_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.referral_id = "
				       "$1 ORDER BY e.id",
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
		strbuf_adds(out, ",\"allowed_actions\":[");
		bool open = strcmp(state, "sent") == 0 || strcmp(state, "accepted") == 0;
		if (actor->role == ROLE_DEPARTMENT) {
			if (strcmp(state, "sent") == 0)
				strbuf_adds(out, "\"accept\",");
			else if (strcmp(state, "accepted") == 0)
				strbuf_adds(out, "\"answer\",");
			if (open)
				strbuf_adds(out, "\"return\",");
		} else if (actor->role == ROLE_VILLAGE || actor->role == ROLE_TOWNSHIP || actor->role == ROLE_COUNTY) {
			if (strcmp(state, "answered") == 0)
				strbuf_adds(out, "\"close\",");
			if (open)
				strbuf_adds(out, "\"cancel\",");
		}
		if (out->len && out->buf[out->len - 1] == ',')
			out->buf[--out->len] = '\0';
		strbuf_adds(out, "]}");
	}
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

/* --- steps --- */

enum svc_kind referral_act(struct db *db, const struct principal *actor, int64_t id, const struct referral_action *req,
			   struct strbuf *out, struct svc_error *e)
{
	const char *action = req->action ? req->action : "";
	const char *from = NULL, *from2 = NULL, *to;
	bool office_side;
	if (strcmp(action, "accept") == 0)
		from = "sent", to = "accepted", office_side = true;
	else if (strcmp(action, "answer") == 0)
		from = "accepted", to = "answered", office_side = true;
	else if (strcmp(action, "return") == 0)
		from = "sent", from2 = "accepted", to = "returned", office_side = true;
	else if (strcmp(action, "close") == 0)
		from = "answered", to = "closed", office_side = false;
	else if (strcmp(action, "cancel") == 0)
		from = "sent", from2 = "accepted", to = "cancelled", office_side = false;
	else if (!req->action)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "action", "缺少操作 action");
	else
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "action",
				"操作 action 应为 accept、answer、return、close 或 cancel");
	enum svc_kind k = office_side ? authz_referral_answer(actor, e) : authz_referral_send(actor, e);
	if (k)
		return k;
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	bool answering = strcmp(action, "answer") == 0, returning = strcmp(action, "return") == 0;
	fen_t amount = -1;
	if (answering) {
		if (svc_blank(req->answer))
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "answer", "答复转介须填写答复内容 answer");
		if (!svc_text_block_ok(req->answer, REFERRAL_TEXT_MAX))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "answer", "答复内容 answer 过长或含控制字符");
		if (!req->outcome)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "outcome", "缺少办理结果 outcome");
		if (!svc_one_of(req->outcome, outcomes, COUNT(outcomes)))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "outcome",
					"办理结果 outcome 应为 assisted、not_eligible、transferred 或 other");
		if (req->amount && *req->amount) {
			dd_error merr;
			dd_error_clear(&merr);
			if (money_parse(req->amount, strlen(req->amount), MONEY_PLAIN, &amount, &merr) != DD_OK ||
			    amount < 0)
				return svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", "amount",
						"金额 amount 应为不小于 0 的元金额，最多两位小数（如 1200.50）");
		}
	}
	if (returning && svc_blank(req->note))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "note", "退回转介须在 note 中说明理由");
	if (req->note && !svc_text_block_ok(req->note, REFERRAL_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "note", "说明 note 过长或含控制字符");

	char now[STORE_TIME_MAX], idt[24], state[16] = "", region[REGION_TEXT_MAX] = "";
	store_now(now);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	int64_t version = 0;
	bool found = false;
	struct db_stmt *st;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT r.state, r.version, r.region_code FROM referrals r WHERE r.id = $4 AND " VISIBLE("$1", "$2",
													     "$3"),
		    &st, &err);
	if (!rc) {
		bind_visible(st, 1, actor);
		db_bind_int64(st, 4, id);
		rc = db_step(st, &found, &err);
		if (!rc && found) {
			db_column_copy(st, 0, state, sizeof state);
			version = db_column_int64(st, 1);
			db_column_copy(st, 2, region, sizeof region);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, not_found(e));
	if (version != req->version)
		return svc_rollback(db, stale(e));
	if (from2 && strcmp(state, from2) == 0)
		from = from2;
	if (strcmp(state, from) != 0)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
						 "转介当前状态 state 为 %s，不能执行 %s（须为 %s%s%s）", state, action,
						 from, from2 ? " 或 " : "", from2 ? from2 : ""));
	const char *sql;
	if (strcmp(action, "accept") == 0)
		sql = "UPDATE referrals SET state = 'accepted', accepted_at = $3, accepted_by = $4, updated_at = $3, "
		      "version = version + 1 WHERE id = $1 AND version = $2";
	else if (answering)
		sql =
		    "UPDATE referrals SET state = 'answered', answered_at = $3, answered_by = $4, answer = $5, "
		    "outcome = $6, amount = $7, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2";
	else if (returning)
		sql = "UPDATE referrals SET state = 'returned', returned_at = $3, returned_by = $4, return_note = $5, "
		      "updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2";
	else if (strcmp(action, "close") == 0)
		sql = "UPDATE referrals SET state = 'closed', closed_at = $3, closed_by = $4, close_note = $5, "
		      "updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2";
	else
		sql =
		    "UPDATE referrals SET state = 'cancelled', cancelled_at = $3, cancelled_by = $4, close_note = $5, "
		    "updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2";
	int64_t changed = 0;
	rc = db_prepare_cached(db, sql, &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, version);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, actor->id);
		if (answering) {
			db_bind_str(st, 5, req->answer);
			db_bind_str(st, 6, req->outcome);
			if (amount >= 0)
				db_bind_int64(st, 7, amount);
			else
				db_bind_null(st, 7);
		} else if (strcmp(action, "accept") != 0)
			db_bind_str(st, 5, req->note && *req->note ? req->note : NULL);
		rc = db_run(st, &err);
		if (!rc)
			changed = db_changes(st);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changed != 1)
		return svc_rollback(db, stale(e));
	rc = add_event(db, id, region, action, from, to, actor->id, now, answering ? req->answer : req->note, &err);
	if (!rc) {
		char detail[160], audit_action[32];
		snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\"", from, to);
		if (answering)
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), ",\"outcome\":\"%s\"",
				 req->outcome);
		snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "}");
		snprintf(audit_action, sizeof audit_action, "referral.%s", action);
		rc = audit_append_region(db, region, actor->username, audit_action, "referral", idt, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out)
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"state\":\"%s\",\"version\":%" PRId64 "}", id, to, version + 1);
	return SVC_OK;
}

/* --- offices --- */

enum svc_kind referral_offices_list(struct db *db, const struct principal *actor, const char *region,
				    struct strbuf *out, struct svc_error *e)
{
	if (actor->role == ROLE_NONE)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "无权查看接收部门");
	if (region && *region) {
		char sig[REGION_TEXT_MAX];
		size_t n = strlen(region);
		if (n < 6 || n > 12 || region_parse(region, n, 6, sig, NULL) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码 region 应为 6-12 位数字");
	}
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT code, name, kind, region_code, reply_workdays FROM referral_offices WHERE "
		    "active = 1 AND (CAST($1 AS TEXT) = '' OR substr($1, 1, length(region_code)) = "
		    "region_code) ORDER BY region_code, kind, code",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, region ? region : "");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			strbuf_adds(out, n ? ",{\"code\":" : "{\"code\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 0, NULL));
			strbuf_add_json_member_text(out, "name", db_column_text(st, 1, NULL));
			strbuf_add_json_member_text(out, "kind", db_column_text(st, 2, NULL));
			strbuf_add_json_member_text(out, "region", db_column_text(st, 3, NULL));
			if (db_column_is_null(st, 4))
				strbuf_adds(out, ",\"reply_workdays\":null}");
			else
				strbuf_addf(out, ",\"reply_workdays\":%" PRId64 "}", db_column_int64(st, 4));
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
	strbuf_adds(out, "]}");
	return SVC_OK;
}

enum svc_kind referral_office_create(struct db *db, const struct principal *actor,
				     const struct referral_office_new *req, struct svc_error *e)
{
	if (actor->role != ROLE_ADMIN && actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "接收部门由系统管理员或区县民政局登记");
	if (!req->code)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "code", "缺少部门代码 code");
	if (!office_code_valid(req->code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "code",
				"部门代码 code 应为 1-%d 个字母、数字、连字符或下划线", OFFICE_CODE_MAX);
	if (svc_blank(req->name))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "name", "缺少部门名称 name");
	if (!svc_text_clean(req->name, 200))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "name", "部门名称 name 过长或含控制字符");
	if (!req->kind)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "kind", "缺少部门类别 kind");
	if (!svc_one_of(req->kind, kinds, COUNT(kinds)))
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_VALUE", "kind",
		    "部门类别 kind 应为 medical、education、housing、employment、disability、charity 或 other");
	char sig[REGION_TEXT_MAX];
	if (!req->region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少所在区县 region");
	if (strlen(req->region) != 6 || region_parse(req->region, 6, 6, sig, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "所在区县 region 应为 6 位区县代码");
	if (!authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "只能登记本辖区的接收部门");
	if (req->reply_workdays < 0 || req->reply_workdays > 60)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "reply_workdays",
				"答复时限 reply_workdays 应为 1-60 个工作日");
	char now[STORE_TIME_MAX];
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT 1 FROM referral_offices WHERE code = $1", &st, &err);
	if (!rc) {
		db_bind_str(st, 1, req->code);
		rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc && row)
		return svc_rollback(
		    db, svc_fail(e, SVC_CONFLICT, "OFFICE_EXISTS", "code", "部门代码 %s 已登记", req->code));
	if (!rc)
		rc = db_prepare_cached(db,
				       "INSERT INTO referral_offices (code, name, kind, region_code, reply_workdays, "
				       "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
				       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, req->code);
		db_bind_str(st, 2, req->name);
		db_bind_str(st, 3, req->kind);
		db_bind_str(st, 4, req->region);
		if (req->reply_workdays > 0)
			db_bind_int64(st, 5, req->reply_workdays);
		else
			db_bind_null(st, 5);
		db_bind_str(st, 6, now);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	if (!rc) {
		struct strbuf d;
		strbuf_init(&d, 128);
		strbuf_adds(&d, "{\"name\":");
		strbuf_add_json_string_or_null(&d, req->name);
		strbuf_add_json_member_text(&d, "kind", req->kind);
		strbuf_addc(&d, '}');
		rc = d.failed ? DD_ENOMEM
			      : audit_append_region(db, req->region, actor->username, "referral_office.create",
						    "referral_office", req->code, d.buf, &err);
		strbuf_release(&d);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

/* --- links and the workbench --- */

dd_status referral_links_append(struct db *db, const char *column, int64_t id, struct strbuf *out, dd_error *err)
{
	bool app = strcmp(column, "application_id") == 0;
	char today[DATE_TEXT_MAX];
	date_format(store_today(), today);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    app ? "SELECT r.id, r.office_code, f.name, r.state, r.due_date, r.outcome FROM referrals r JOIN "
		  "referral_offices f ON f.code = r.office_code WHERE r.application_id = $1 ORDER BY r.id"
		: "SELECT r.id, r.office_code, f.name, r.state, r.due_date, r.outcome FROM referrals r JOIN "
		  "referral_offices f ON f.code = r.office_code WHERE r.hotline_order_id = $1 ORDER BY r.id",
	    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	strbuf_adds(out, ",\"referrals\":[");
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "office_code", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "office_name", db_column_text(st, 2, NULL));
		const char *state = db_column_text(st, 3, NULL), *due = db_column_text(st, 4, NULL);
		strbuf_add_json_member_text(out, "state", state);
		strbuf_add_json_member_text(out, "due_date", due);
		strbuf_addf(out, ",\"overdue\":%s", is_overdue(state, due, today) ? "true" : "false");
		strbuf_add_json_member_text(out, "outcome", db_column_text(st, 5, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	strbuf_addc(out, ']');
	return rc;
}

/* by office ($3 not '') or by region [$1, $2) */
#define WB_WHERE                                                                                                       \
	" FROM referrals r JOIN referral_offices f ON f.code = r.office_code WHERE (CASE WHEN CAST($3 AS TEXT) = '' "  \
	"THEN (r.region_code >= $1 AND r.region_code < $2) ELSE r.office_code = $3 END)"

dd_status referral_workbench(struct db *db, const char *lo, const char *hi, const char *office, const char *today,
			     int64_t max, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT count(*), sum(CASE WHEN " OVERDUE(
				  "$4") " THEN 1 ELSE 0 END)" WB_WHERE
					" AND (r.state = 'sent' OR r.state = 'accepted' OR r.state = 'answered')",
			      &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, office ? office : "");
	db_bind_str(st, 4, today);
	int64_t open = 0, overdue = 0;
	rc = db_step(st, &row, err);
	if (!rc && row) {
		open = db_column_int64(st, 0);
		overdue = db_column_is_null(st, 1) ? 0 : db_column_int64(st, 1);
	}
	db_finalize(st);
	if (rc)
		return rc;
	strbuf_addf(out, "{\"open\":%" PRId64 ",\"overdue\":%" PRId64 ",\"overdue_items\":[", open, overdue);
	rc = db_prepare_cached(db,
			       "SELECT r.id, r.office_code, f.name, r.state, r.region_code, r.due_date" WB_WHERE
			       " AND " OVERDUE("$4") " ORDER BY r.due_date, r.id LIMIT $5",
			       &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, office ? office : "");
	db_bind_str(st, 4, today);
	db_bind_int64(st, 5, max);
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "office_code", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "office_name", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "state", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "region", db_column_text(st, 4, NULL));
		strbuf_add_json_member_text(out, "due_date", db_column_text(st, 5, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	strbuf_adds(out, "]}");
	return rc;
}
