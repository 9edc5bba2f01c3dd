/* monitor_alerts.c - handling alerts (monitor_alerts.h). */
#include "monitor_alerts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/idnum.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

static const char *const states[] = {"open", "verifying", "actioned", "closed"};
static const char *const actions[] = {"review", "suspend", "temporary", "none"};

static enum svc_kind not_found(struct svc_error *e)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该预警");
}

/* The columns both the list and one alert show, then the detail's. */
#define LIST_COLS                                                                                                      \
	"id, kind, rule_code, source, region_code, person_id, household_id, id_number, name, lead, severity, state, "  \
	"action, raised_at, due_date, version"
#define DETAIL_COLS ", detail, action_note, assigned_to, handled_by, closed_by, closed_at, result, case_id"

static void render_row(struct strbuf *b, const struct db_stmt *st, bool reveal, const char *today)
{
	strbuf_addf(b, "{\"id\":%" PRId64, db_column_int64(st, 0));
	strbuf_add_json_member_text(b, "kind", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(b, "rule_code", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(b, "source", db_column_text(st, 3, NULL));
	strbuf_add_json_member_text(b, "region", db_column_text(st, 4, NULL));
	svc_json_member_id(b, "person_id", st, 5);
	svc_json_member_id(b, "household_id", st, 6);
	const char *idn = db_column_text(st, 7, NULL);
	char masked[IDNUM_LEN + 1];
	if (idn && !reveal && strlen(idn) == IDNUM_LEN) {
		idnum_mask(idn, masked);
		idn = masked;
	}
	strbuf_add_json_member_text(b, "id_number", idn);
	strbuf_add_json_member_text(b, "name", db_column_text(st, 8, NULL));
	strbuf_addf(b, ",\"lead\":%s", db_column_int64(st, 9) ? "true" : "false");
	strbuf_add_json_member_text(b, "severity", db_column_text(st, 10, NULL));
	const char *state = db_column_text(st, 11, NULL);
	strbuf_add_json_member_text(b, "state", state);
	strbuf_add_json_member_text(b, "action", db_column_text(st, 12, NULL));
	strbuf_add_json_member_text(b, "raised_at", db_column_text(st, 13, NULL));
	const char *due = db_column_text(st, 14, NULL);
	strbuf_add_json_member_text(b, "due_date", due);
	bool overdue = state && strcmp(state, "closed") != 0 && due && strcmp(due, today) < 0;
	strbuf_addf(b, ",\"overdue\":%s,\"version\":%" PRId64, overdue ? "true" : "false", db_column_int64(st, 15));
}

/* --- list --- */

#define LIST_WHERE                                                                                                     \
	" FROM alerts WHERE region_code >= $1 AND region_code < $2 AND (CAST($3 AS TEXT) = '' OR state = $3) "         \
	"AND (CAST($4 AS TEXT) = '' OR kind = $4) AND (CAST($5 AS INTEGER) < 0 OR lead = $5) "                         \
	"AND (CAST($6 AS INTEGER) = 0 OR (state <> 'closed' AND due_date < $7))"

static void bind_filter(struct db_stmt *st, const char *lo, const char *hi, const struct alert_filter *f,
			const char *today)
{
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, f->state ? f->state : "");
	db_bind_str(st, 4, f->kind ? f->kind : "");
	db_bind_int64(st, 5, f->lead < 0 ? -1 : f->lead > 0);
	db_bind_int64(st, 6, f->overdue);
	db_bind_str(st, 7, today);
}

enum svc_kind monitor_alerts_list(struct db *db, const struct principal *actor, const struct alert_filter *f,
				  dd_date today, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	if (f->state && *f->state && !svc_one_of(f->state, states, 4))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 open、verifying、actioned 或 closed");
	if (f->kind && (strlen(f->kind) > 40 || !svc_text_clean(f->kind, 40)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "kind", "预警类型 kind 无效");
	char scope[REGION_TEXT_MAX];
	bool visible = actor->role != ROLE_NONE;
	snprintf(scope, sizeof scope, "%s", actor->scope);
	if (f->region && *f->region) {
		char sig[REGION_TEXT_MAX];
		dd_error perr;
		if (region_parse(f->region, strlen(f->region), 6, sig, &perr) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码 region 应为 6-12 位数字");
		visible = visible && authz_scope_narrow(actor, sig, scope);
	}
	char day[DATE_TEXT_MAX];
	date_format(today, day);
	int64_t total = 0;
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
			bind_filter(st, lo, hi, f, day);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc)
			rc = db_prepare_cached(db,
					       "SELECT " LIST_COLS LIST_WHERE
					       " ORDER BY due_date IS NULL, due_date, id LIMIT $8 OFFSET $9",
					       &st, &err);
		if (!rc) {
			bind_filter(st, lo, hi, f, day);
			db_bind_int64(st, 8, f->per_page);
			db_bind_int64(st, 9, (f->page - 1) * f->per_page);
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (n)
					strbuf_addc(out, ',');
				render_row(out, st, false, day);
				strbuf_addc(out, '}');
			}
			db_finalize(st);
		}
		if (!rc)
			rc = db_commit(db, &err);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
	}
	strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, f->page,
		    f->per_page);
	return SVC_OK;
}

/* --- one alert --- */

static bool may_step(const struct principal *p)
{
	return p->role == ROLE_TOWNSHIP || p->role == ROLE_COUNTY;
}

enum svc_kind monitor_alerts_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, dd_date today,
				 struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k;
	if (reveal && (k = authz_household_reveal(actor, e)))
		return k;
	if (actor->role == ROLE_NONE)
		return not_found(e);
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], day[DATE_TEXT_MAX], idt[24];
	store_region_range(actor->scope, lo, hi);
	date_format(today, day);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	size_t mark = out->len;
	/* a write transaction when revealing: the audit row first, in the same
	 * transaction as the read */
	dd_status rc = reveal ? db_begin(db, &err) : db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT " LIST_COLS DETAIL_COLS
				       " FROM alerts WHERE id = $1 AND region_code >= $2 AND region_code < $3",
				       &st, &err);
	char region[REGION_TEXT_MAX] = "", state[16] = "";
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 4, region, sizeof region);
			db_column_copy(st, 11, state, sizeof state);
			render_row(out, st, reveal, day);
			size_t dn = 0;
			const char *detail = db_column_text(st, 16, &dn);
			strbuf_adds(out, ",\"detail\":");
			if (detail && dn)
				strbuf_add(out, detail, dn);
			else
				strbuf_adds(out, "null");
			strbuf_add_json_member_text(out, "action_note", db_column_text(st, 17, NULL));
			svc_json_member_id(out, "assigned_to", st, 18);
			svc_json_member_id(out, "handled_by", st, 19);
			svc_json_member_id(out, "closed_by", st, 20);
			strbuf_add_json_member_text(out, "closed_at", db_column_text(st, 21, NULL));
			strbuf_add_json_member_text(out, "result", db_column_text(st, 22, NULL));
			svc_json_member_id(out, "case_id", st, 23);
		}
		db_finalize(st);
	}
	bool hold_open = false;
	if (!rc && row) {
		strbuf_adds(out, ",\"hold\":");
		rc = db_prepare_cached(db,
				       "SELECT id, released_at FROM payment_holds WHERE alert_id = $1 ORDER BY id DESC "
				       "LIMIT 1",
				       &st, &err);
		if (!rc) {
			bool h = false;
			db_bind_int64(st, 1, id);
			rc = db_step(st, &h, &err);
			if (!rc && h) {
				hold_open = db_column_is_null(st, 1);
				strbuf_addf(out, "{\"id\":%" PRId64, db_column_int64(st, 0));
				strbuf_add_json_member_text(out, "released_at", db_column_text(st, 1, NULL));
				strbuf_addc(out, '}');
			} else
				strbuf_adds(out, "null");
			db_finalize(st);
		}
		strbuf_adds(out, ",\"allowed_steps\":[");
		if (may_step(actor)) {
			if (strcmp(state, "open") == 0)
				strbuf_adds(out, "\"verify\"");
			else if (strcmp(state, "verifying") == 0)
				strbuf_adds(out, "\"action\"");
			else if (strcmp(state, "actioned") == 0)
				strbuf_adds(out, "\"close\"");
			if (hold_open)
				strbuf_adds(out,
					    strcmp(state, "closed") == 0 ? "\"release_hold\"" : ",\"release_hold\"");
		}
		strbuf_adds(out, "]}");
	}
	if (!rc && row && reveal)
		rc = audit_append_region(db, region, actor->username, "alert.reveal", "alert", idt, "{}", &err);
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

enum svc_kind monitor_alerts_step(struct db *db, const struct principal *actor, int64_t id,
				  const struct alert_step *req, struct strbuf *out, struct svc_error *e)
{
	const char *step = req->step ? req->step : "";
	const char *from, *to;
	if (strcmp(step, "verify") == 0)
		from = "open", to = "verifying";
	else if (strcmp(step, "action") == 0)
		from = "verifying", to = "actioned";
	else if (strcmp(step, "close") == 0)
		from = "actioned", to = "closed";
	else
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "step", "操作 step 应为 verify、action 或 close");
	if (!may_step(actor))
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "预警由乡镇（街道）或区县民政部门处置");
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	enum svc_kind k;
	if ((k = svc_check_text(req->note, "note", "说明", ALERT_TEXT_MAX, e)) ||
	    (k = svc_check_text(req->result, "result", "处置结果", ALERT_TEXT_MAX, e)))
		return k;
	const char *action = NULL;
	if (strcmp(step, "action") == 0) {
		action = req->action;
		if (!action)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "action",
					"缺少处置措施 action（review、suspend、temporary 或 none）");
		if (!svc_one_of(action, actions, 4))
			return svc_fail(
			    e, SVC_BAD_INPUT, "BAD_VALUE", "action",
			    "处置措施 action 应为 review（启动复核）、suspend（暂停发放）、temporary（临时救助）"
			    "或 none（不予处置）");
		if (strcmp(action, "none") == 0 && svc_blank(req->note))
			return svc_fail(e, SVC_RULE, "NOTE_REQUIRED", "note", "不予处置时须在 note 中说明理由");
		if (req->case_id < 0 || (req->case_id > 0 && strcmp(action, "temporary") != 0))
			return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "case_id",
					"case_id 只用于临时救助（action 为 temporary）");
	}
	if (strcmp(step, "close") == 0 && svc_blank(req->result))
		return svc_fail(e, SVC_RULE, "RESULT_REQUIRED", "result", "办结预警须在 result 中填写处置结果");

	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], idt[24];
	store_region_range(actor->scope, lo, hi);
	store_now(now);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	char state[16] = "", region[REGION_TEXT_MAX] = "";
	int64_t version = 0, household = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT state, version, region_code, household_id FROM alerts WHERE id = $1 AND "
				       "region_code >= $2 AND region_code < $3",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, state, sizeof state);
			version = db_column_int64(st, 1);
			db_column_copy(st, 2, region, sizeof region);
			household = db_column_is_null(st, 3) ? 0 : db_column_int64(st, 3);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, not_found(e));
	if (version != req->version)
		return svc_rollback(
		    db, svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "预警已被他人修改，请重新读取后再操作"));
	if (strcmp(state, from) != 0)
		return svc_rollback(db,
				    svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
					     "预警当前状态 state 为 %s，不能执行 %s（须为 %s）", state, step, from));

	int64_t hold_id = 0;
	if (action && strcmp(action, "suspend") == 0) {
		if (!household)
			return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_HOUSEHOLD", "action",
							 "该预警对象不在救助家庭中，无法暂停发放（action）"));
		rc = db_prepare_cached(db,
				       "INSERT INTO payment_holds (household_id, region_code, alert_id, reason, "
				       "created_by, created_at) SELECT id, region_code, $1, $2, $3, $4 FROM "
				       "households WHERE id = $5 RETURNING id",
				       &st, &err);
		if (!rc) {
			db_bind_int64(st, 1, id);
			db_bind_str(st, 2, svc_blank(req->note) ? "预警处置：暂停发放" : req->note);
			db_bind_int64(st, 3, actor->id);
			db_bind_str(st, 4, now);
			db_bind_int64(st, 5, household);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				hold_id = db_column_int64(st, 0);
			while (!rc && row)
				rc = db_step(st, &row, &err);
			db_finalize(st);
		}
		if (rc)
			return svc_store_fail(e, db, rc, &err);
		if (!hold_id)
			return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_HOUSEHOLD", "action",
							 "该预警对象的家庭不存在，无法暂停发放（action）"));
	}
	if (req->case_id > 0) {
		/* a temporary case the caller may see, of the alert's household */
		rc = db_prepare_cached(db,
				       "SELECT a.household_id FROM applications a JOIN temporary_cases t ON "
				       "t.application_id = a.id WHERE a.id = $1 AND a.programme = 'temporary' AND "
				       "a.region_code >= $2 AND a.region_code < $3",
				       &st, &err);
		int64_t case_household = 0;
		if (!rc) {
			db_bind_int64(st, 1, req->case_id);
			db_bind_str(st, 2, lo);
			db_bind_str(st, 3, hi);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				case_household = db_column_is_null(st, 0) ? 0 : db_column_int64(st, 0);
			db_finalize(st);
		}
		if (rc)
			return svc_store_fail(e, db, rc, &err);
		if (!row)
			return svc_rollback(
			    db, svc_fail(e, SVC_RULE, "BAD_CASE", "case_id", "case_id 不是本辖区内的临时救助案件"));
		if (household && case_household && household != case_household)
			return svc_rollback(db, svc_fail(e, SVC_RULE, "CASE_OTHER_HOUSEHOLD", "case_id",
							 "case_id 所指临时救助案件属于其他家庭"));
	}

	if (strcmp(step, "verify") == 0)
		rc = db_prepare_cached(db,
				       "UPDATE alerts SET state = 'verifying', assigned_to = $3, updated_at = $4, "
				       "version = version + 1 WHERE id = $1 AND version = $2",
				       &st, &err);
	else if (strcmp(step, "action") == 0)
		rc = db_prepare_cached(
		    db,
		    "UPDATE alerts SET state = 'actioned', handled_by = $3, updated_at = $4, "
		    "action = $5, action_note = $6, case_id = $7, version = version + 1 WHERE id = $1 "
		    "AND version = $2",
		    &st, &err);
	else
		rc = db_prepare_cached(
		    db,
		    "UPDATE alerts SET state = 'closed', closed_by = $3, updated_at = $4, closed_at = "
		    "$4, result = $5, version = version + 1 WHERE id = $1 AND version = $2",
		    &st, &err);
	int64_t changed = 0;
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, version);
		db_bind_int64(st, 3, actor->id);
		db_bind_str(st, 4, now);
		if (action) {
			db_bind_str(st, 5, action);
			db_bind_str(st, 6, svc_blank(req->note) ? NULL : req->note);
			if (req->case_id > 0)
				db_bind_int64(st, 7, req->case_id);
			else
				db_bind_null(st, 7);
		} else if (strcmp(step, "close") == 0)
			db_bind_str(st, 5, req->result);
		rc = db_run(st, &err);
		if (!rc)
			changed = db_changes(st);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changed != 1)
		return svc_rollback(
		    db, svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "预警已被他人修改，请重新读取后再操作"));
	struct strbuf detail;
	strbuf_init(&detail, 128);
	strbuf_adds(&detail, "{\"from\":");
	strbuf_add_json_string_or_null(&detail, from);
	strbuf_add_json_member_text(&detail, "to", to);
	if (action) {
		strbuf_add_json_member_text(&detail, "action", action);
		if (hold_id)
			strbuf_addf(&detail, ",\"hold_id\":%" PRId64, hold_id);
		if (req->case_id > 0)
			strbuf_addf(&detail, ",\"case_id\":%" PRId64, req->case_id);
	}
	strbuf_addc(&detail, '}');
	char audit_action[24];
	snprintf(audit_action, sizeof audit_action, "alert.%s", step);
	rc = audit_append_region(db, region, actor->username, audit_action, "alert", idt, detail.buf, &err);
	strbuf_release(&detail);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out)
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"state\":\"%s\",\"version\":%" PRId64 "}", id, to, version + 1);
	return SVC_OK;
}

enum svc_kind monitor_alerts_release_hold(struct db *db, const struct principal *actor, int64_t id, const char *note,
					  struct strbuf *out, struct svc_error *e)
{
	if (!may_step(actor))
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "暂停发放由乡镇（街道）或区县民政部门解除");
	enum svc_kind k = svc_check_text(note, "note", "说明", ALERT_TEXT_MAX, e);
	if (k)
		return k;
	if (svc_blank(note))
		return svc_fail(e, SVC_RULE, "NOTE_REQUIRED", "note", "解除暂停发放须在 note 中说明理由");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], idt[24];
	store_region_range(actor->scope, lo, hi);
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	char region[REGION_TEXT_MAX] = "";
	int64_t hold = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "SELECT a.region_code, (SELECT max(h.id) FROM payment_holds h WHERE h.alert_id = a.id "
		    "AND h.released_at IS NULL) FROM alerts a WHERE a.id = $1 AND a.region_code >= $2 AND "
		    "a.region_code < $3",
		    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 0, region, sizeof region);
			hold = db_column_is_null(st, 1) ? 0 : db_column_int64(st, 1);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_rollback(db, not_found(e));
	if (!hold)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "NO_HOLD", "hold", "该预警没有未解除的暂停发放（hold）"));
	rc = db_prepare_cached(
	    db,
	    "UPDATE payment_holds SET released_at = $2, released_by = $3, release_note = $4 WHERE id = "
	    "$1 AND released_at IS NULL",
	    &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, hold);
		db_bind_str(st, 2, now);
		db_bind_int64(st, 3, actor->id);
		db_bind_str(st, 4, note);
		rc = db_run(st, &err);
		db_finalize(st);
	}
	char detail[64];
	snprintf(detail, sizeof detail, "{\"alert_id\":%" PRId64 "}", id);
	snprintf(idt, sizeof idt, "%" PRId64, hold);
	if (!rc)
		rc = audit_append_region(db, region, actor->username, "payment_hold.release", "payment_hold", idt,
					 detail, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out) {
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"hold_id\":%" PRId64, id, hold);
		strbuf_add_json_member_text(out, "released_at", now);
		strbuf_addc(out, '}');
	}
	return SVC_OK;
}
