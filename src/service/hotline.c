/* hotline.c - the 12345 hotline work orders (hotline.h). */
#include "hotline.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "casework.h"
#include "referral.h"
#include "core/calendar.h"
#include "core/civil_date.h"
#include "core/idnum.h"
#include "core/policy.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/store.h"
#include "temporary_case.h"

static const char *const states[] = {"received", "accepted", "replied", "closed", "returned"};
static const char *const categories[] = {"dibao",     "tekun",	      "temporary", "marginal",
					 "complaint", "consultation", "other"};
static const char *const channels[] = {"phone", "web", "wechat", "letter", "visit"};
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static enum svc_kind not_found(struct svc_error *e)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该12345工单");
}

static enum svc_kind stale(struct svc_error *e)
{
	return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "工单已被他人修改，请重新读取后再操作");
}

/* A phone as shown: the first 3 and last 4 characters of 11 or more, the
 * last 4 of 5-10, nothing of fewer; the rest '*'. */
static void phone_mask(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s);
	if (n >= cap)
		n = cap - 1;
	size_t head = n >= 11 ? 3 : 0, tail = n >= 5 ? 4 : 0;
	for (size_t i = 0; i < n; i++)
		out[i] = i < head || i >= n - tail ? s[i] : '*';
	out[n] = '\0';
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

static bool order_no_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

static dd_status add_event(struct db *db, int64_t id, const char *region, const char *action, const char *from,
			   const char *to, int64_t actor, const char *at, const char *note, dd_error *err)
{
	return svc_event_insert(db,
				"INSERT INTO hotline_order_events (order_id, region_code, action, from_state, "
				"to_state, actor_id, at, note) "
				"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				id, region, action, from, to, actor, at, note, err);
}

/* The township (9 digits, and its significant form) of region, a 9-digit
 * township or a 12-digit village inside actor's scope. */
static enum svc_kind parse_township(const struct principal *actor, const char *region, char township[REGION_TEXT_MAX],
				    char tsig[REGION_TEXT_MAX], struct svc_error *e)
{
	if (!region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少所属乡镇（街道）region");
	size_t rn = strlen(region);
	char sig[REGION_TEXT_MAX];
	if ((rn != 9 && rn != 12) || region_parse(region, rn, 9, sig, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region",
				"所属地区 region 应为 9 位乡镇（街道）或 12 位村（居）代码");
	memcpy(township, region, 9);
	township[9] = '\0';
	if (region_significant(township, 9, tsig) < 7)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region",
				"所属地区 region 应为 9 位乡镇（街道）或 12 位村（居）代码");
	if (!authz_in_scope(actor, tsig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "所属乡镇（街道）region 不在本辖区内");
	return SVC_OK;
}

/* The response deadline from now for township tsig: *hours of
 * hotline.response_hours (and *workdays of hotline.close_workdays). */
static enum svc_kind deadlines(const struct policy *policy, const char *tsig, dd_date today, int64_t *hours,
			       int64_t *workdays, struct svc_error *e)
{
	const struct policy_entry *rh = policy ? policy_lookup(policy, "hotline.response_hours", tsig, today) : NULL;
	const struct policy_entry *cw = policy ? policy_lookup(policy, "hotline.close_workdays", tsig, today) : NULL;
	if (!rh || !cw || rh->value.i < 1 || cw->value.i < 1 || rh->value.i > 24 * 60 || cw->value.i > 120)
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL,
				"缺少政策参数 hotline.response_hours 或 hotline.close_workdays");
	*hours = rh->value.i;
	*workdays = cw->value.i;
	return SVC_OK;
}

/* --- create --- */

enum svc_kind hotline_create(struct db *db, const struct policy *policy, const struct calendar *cal,
			     const struct principal *actor, const struct hotline_new *req, int64_t *id,
			     struct svc_error *e)
{
	*id = 0;
	enum svc_kind k = authz_hotline_write(actor, "登记", e);
	if (k)
		return k;
	if (req->order_no && !order_no_ok(req->order_no))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "order_no",
				"工单编号 order_no 应为 1-40 位字母、数字或连字符");
	if (svc_blank(req->caller_name))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "caller_name", "缺少来电人姓名 caller_name");
	if (!svc_text_clean(req->caller_name, 100))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "caller_name", "来电人姓名 caller_name 过长或含控制字符");
	if (!req->caller_phone)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "caller_phone", "缺少来电号码 caller_phone");
	if (!phone_ok(req->caller_phone))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PHONE", "caller_phone",
				"来电号码 caller_phone 应为 3-20 位数字（可含 -、+ 和空格）");
	struct idnum idn;
	const char *id_number = NULL;
	if (req->caller_id_number && *req->caller_id_number) {
		if (idnum_parse(req->caller_id_number, strlen(req->caller_id_number), &idn, NULL) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_ID_NUMBER", "caller_id_number",
					"来电人身份证号码 caller_id_number 无效");
		id_number = idn.text;
	}
	char township[REGION_TEXT_MAX], tsig[REGION_TEXT_MAX];
	if ((k = parse_township(actor, req->region, township, tsig, e)))
		return k;
	if (!req->category)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "category", "缺少诉求类别 category");
	if (!svc_one_of(req->category, categories, COUNT(categories)))
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_VALUE", "category",
		    "诉求类别 category 应为 dibao、tekun、temporary、marginal、complaint、consultation 或 other");
	const char *channel = req->channel ? req->channel : "phone";
	if (!svc_one_of(channel, channels, COUNT(channels)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "channel",
				"来源渠道 channel 应为 phone、web、wechat、letter 或 visit");
	if (svc_blank(req->description))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "description", "缺少诉求内容 description");
	if (!svc_text_block_ok(req->description, HOTLINE_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "description", "诉求内容 description 过长或含控制字符");

	dd_date today = store_today();
	int64_t hours = 0, workdays = 0;
	if ((k = deadlines(policy, tsig, today, &hours, &workdays, e)))
		return k;
	if (!cal)
		return svc_fail(e, SVC_RULE, "NO_POLICY", NULL, "缺少工作日历，无法计算办结期限");
	char now[STORE_TIME_MAX], response_due[STORE_TIME_MAX], close_due[DATE_TEXT_MAX];
	int64_t now_ms = store_now_ms();
	store_time_text(now_ms, now);
	store_time_text(now_ms + hours * 3600000, response_due);
	date_format(calendar_add_workdays(cal, today, (int)workdays), close_due);

	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc && req->order_no) {
		rc = db_prepare_cached(db, "SELECT id FROM hotline_orders WHERE order_no = $1", &st, &err);
		if (!rc) {
			db_bind_str(st, 1, req->order_no);
			rc = db_step(st, &row, &err);
			db_finalize(st);
		}
		if (!rc && row)
			return svc_rollback(db, svc_fail(e, SVC_CONFLICT, "DUPLICATE_ORDER_NO", "order_no",
							 "工单编号 order_no 已登记"));
	}
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO hotline_orders (order_no, caller_name, caller_phone, "
		    "caller_id_number, region_code, category, channel, description, received_at, "
		    "response_due, close_due, created_by, created_at, updated_at) VALUES ($1, $2, $3, "
		    "$4, $5, $6, $7, $8, $9, $10, $11, $12, $9, $9) RETURNING id",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, req->order_no);
		db_bind_str(st, 2, req->caller_name);
		db_bind_str(st, 3, req->caller_phone);
		db_bind_str(st, 4, id_number);
		db_bind_str(st, 5, township);
		db_bind_str(st, 6, req->category);
		db_bind_str(st, 7, channel);
		db_bind_str(st, 8, req->description);
		db_bind_str(st, 9, now);
		db_bind_str(st, 10, response_due);
		db_bind_str(st, 11, close_due);
		db_bind_int64(st, 12, actor->id);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	char order_no[48];
	if (!rc && !req->order_no) {
		/* RX, the day of receipt, the id */
		char day[DATE_TEXT_MAX];
		date_format(today, day);
		snprintf(order_no, sizeof order_no, "RX%.4s%.2s%.2s%06" PRId64, day, day + 5, day + 8, *id);
		rc = db_prepare_cached(db, "UPDATE hotline_orders SET order_no = $2 WHERE id = $1", &st, &err);
		if (!rc) {
			db_bind_int64(st, 1, *id);
			db_bind_str(st, 2, order_no);
			rc = db_run(st, &err);
			db_finalize(st);
		}
	} else
		snprintf(order_no, sizeof order_no, "%s", req->order_no ? req->order_no : "");
	if (!rc)
		rc = add_event(db, *id, township, "create", NULL, "received", actor->id, now, NULL, &err);
	if (!rc) {
		struct strbuf d;
		strbuf_init(&d, 128);
		strbuf_adds(&d, "{\"order_no\":");
		strbuf_add_json_string_or_null(&d, order_no);
		strbuf_add_json_member_text(&d, "category", req->category);
		strbuf_add_json_member_text(&d, "channel", channel);
		strbuf_addc(&d, '}');
		char idt[24];
		snprintf(idt, sizeof idt, "%" PRId64, *id);
		rc = d.failed ? DD_ENOMEM
			      : audit_append_region(db, township, actor->username, "hotline_order.create",
						    "hotline_order", idt, d.buf, &err);
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

#define LIST_COLS                                                                                                      \
	"o.id, o.order_no, o.caller_name, o.caller_phone, o.caller_id_number, o.region_code, o.category, o.channel, "  \
	"o.description, o.state, o.received_at, o.response_due, o.close_due, o.application_id, o.converted_to, "       \
	"o.version"
#define DETAIL_COLS                                                                                                    \
	", o.accepted_at, o.reply, o.replied_at, o.result, o.closed_at, (SELECT u.username FROM users u WHERE u.id = " \
	"o.created_by), a.programme, a.state, o.return_note"
/* overdue, with $now (a time stamp) and $today (a date) */
#define OVERDUE(now, today)                                                                                            \
	"((o.state = 'received' AND o.response_due < " now ") OR (o.state <> 'closed' AND o.close_due < " today "))"

static void render_row(struct strbuf *b, const struct db_stmt *st, bool reveal, const char *now, const char *today)
{
	strbuf_addf(b, "{\"id\":%" PRId64, db_column_int64(st, 0));
	strbuf_add_json_member_text(b, "order_no", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(b, "caller_name", db_column_text(st, 2, NULL));
	const char *phone = db_column_text(st, 3, NULL);
	char masked[32];
	if (phone && !reveal) {
		phone_mask(phone, masked, sizeof masked);
		phone = masked;
	}
	strbuf_add_json_member_text(b, "caller_phone", phone);
	const char *idn = db_column_text(st, 4, NULL);
	char imasked[IDNUM_LEN + 1];
	if (idn && !reveal && strlen(idn) == IDNUM_LEN) {
		idnum_mask(idn, imasked);
		idn = imasked;
	}
	strbuf_add_json_member_text(b, "caller_id_number", idn);
	strbuf_add_json_member_text(b, "region", db_column_text(st, 5, NULL));
	strbuf_add_json_member_text(b, "category", db_column_text(st, 6, NULL));
	strbuf_add_json_member_text(b, "channel", db_column_text(st, 7, NULL));
	strbuf_add_json_member_text(b, "description", db_column_text(st, 8, NULL));
	const char *state = db_column_text(st, 9, NULL);
	strbuf_add_json_member_text(b, "state", state);
	strbuf_add_json_member_text(b, "received_at", db_column_text(st, 10, NULL));
	const char *rdue = db_column_text(st, 11, NULL), *cdue = db_column_text(st, 12, NULL);
	strbuf_add_json_member_text(b, "response_due", rdue);
	strbuf_add_json_member_text(b, "close_due", cdue);
	bool late_response = state && strcmp(state, "received") == 0 && rdue && strcmp(rdue, now) < 0;
	bool late_close = state && strcmp(state, "closed") != 0 && cdue && strcmp(cdue, today) < 0;
	strbuf_addf(b, ",\"overdue\":%s,\"overdue_kind\":%s", late_response || late_close ? "true" : "false",
		    late_close	    ? "\"close\""
		    : late_response ? "\"response\""
				    : "null");
	svc_json_member_id(b, "application_id", st, 13);
	strbuf_add_json_member_text(b, "converted_to", db_column_text(st, 14, NULL));
	strbuf_addf(b, ",\"version\":%" PRId64, db_column_int64(st, 15));
}

#define LIST_WHERE                                                                                                     \
	" FROM hotline_orders o WHERE o.region_code >= $1 AND o.region_code < $2 AND (CAST($3 AS TEXT) = '' OR "       \
	"o.state = $3) AND (CAST($4 AS TEXT) = '' OR o.category = $4) AND (CAST($5 AS INTEGER) = 0 OR " OVERDUE(       \
	    "$6", "$7") ")"

static void bind_filter(struct db_stmt *st, const char *lo, const char *hi, const struct hotline_filter *f,
			const char *now, const char *today)
{
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, f->state ? f->state : "");
	db_bind_str(st, 4, f->category ? f->category : "");
	db_bind_int64(st, 5, f->overdue);
	db_bind_str(st, 6, now);
	db_bind_str(st, 7, today);
}

enum svc_kind hotline_list(struct db *db, const struct principal *actor, const struct hotline_filter *f,
			   struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e);
	if (k)
		return k;
	if (f->state && *f->state && !svc_one_of(f->state, states, COUNT(states)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state",
				"状态 state 应为 received、accepted、replied、closed 或 returned");
	if (f->category && *f->category && !svc_one_of(f->category, categories, COUNT(categories)))
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_VALUE", "category",
		    "诉求类别 category 应为 dibao、tekun、temporary、marginal、complaint、consultation 或 other");
	char scope[REGION_TEXT_MAX];
	bool visible = actor->role != ROLE_NONE;
	snprintf(scope, sizeof scope, "%s", actor->scope);
	if (f->region && *f->region) {
		char sig[REGION_TEXT_MAX];
		if (region_parse(f->region, strlen(f->region), 6, sig, NULL) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码 region 应为 6-12 位数字");
		visible = visible && authz_scope_narrow(actor, sig, scope);
	}
	char now[STORE_TIME_MAX], today[DATE_TEXT_MAX];
	store_now(now);
	date_format(store_today(), today);
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
			bind_filter(st, lo, hi, f, now, today);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc)
			rc = db_prepare_cached(
			    db,
			    "SELECT " LIST_COLS LIST_WHERE " ORDER BY CASE WHEN " OVERDUE(
				"$6", "$7") " THEN 0 ELSE 1 END, o.close_due, o.id LIMIT $8 OFFSET $9",
			    &st, &err);
		if (!rc) {
			bind_filter(st, lo, hi, f, now, today);
			db_bind_int64(st, 8, f->per_page);
			db_bind_int64(st, 9, (f->page - 1) * f->per_page);
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				if (n)
					strbuf_addc(out, ',');
				render_row(out, st, false, now, today);
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

enum svc_kind hotline_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			  struct svc_error *e)
{
	enum svc_kind k;
	if (reveal && (k = authz_household_reveal(actor, e)))
		return k;
	if (actor->role == ROLE_NONE)
		return not_found(e);
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], today[DATE_TEXT_MAX], idt[24];
	store_region_range(actor->scope, lo, hi);
	store_now(now);
	date_format(store_today(), today);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	size_t mark = out->len;
	/* revealing writes its audit row in the same transaction as the read */
	dd_status rc = reveal ? db_begin(db, &err) : db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT " LIST_COLS DETAIL_COLS
				       " FROM hotline_orders o LEFT JOIN applications a ON a.id = o.application_id "
				       "WHERE o.id = $1 AND o.region_code >= $2 AND o.region_code < $3",
				       &st, &err);
	char region[REGION_TEXT_MAX] = "", state[16] = "";
	bool converted = false;
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			db_column_copy(st, 5, region, sizeof region);
			db_column_copy(st, 9, state, sizeof state);
			converted = !db_column_is_null(st, 13);
			render_row(out, st, reveal, now, today);
			strbuf_add_json_member_text(out, "accepted_at", db_column_text(st, 16, NULL));
			strbuf_add_json_member_text(out, "reply", db_column_text(st, 17, NULL));
			strbuf_add_json_member_text(out, "replied_at", db_column_text(st, 18, NULL));
			strbuf_add_json_member_text(out, "result", db_column_text(st, 19, NULL));
			strbuf_add_json_member_text(out, "closed_at", db_column_text(st, 20, NULL));
			strbuf_add_json_member_text(out, "created_by", db_column_text(st, 21, NULL));
			strbuf_add_json_member_text(out, "return_note", db_column_text(st, 24, NULL));
			strbuf_adds(out, ",\"case\":");
			if (converted) {
				strbuf_addf(out, "{\"id\":%" PRId64, db_column_int64(st, 13));
				strbuf_add_json_member_text(out, "programme", db_column_text(st, 22, NULL));
				strbuf_add_json_member_text(out, "state", db_column_text(st, 23, NULL));
				strbuf_addc(out, '}');
			} else
				strbuf_adds(out, "null");
		}
		db_finalize(st);
	}
	if (!rc && row) {
		rc = db_prepare_cached(
		    db,
		    "SELECT e.action, e.from_state, e.to_state, u.username, e.at, e.note FROM "
		    "hotline_order_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.order_id = "
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
		if (!rc) /* the referrals to other departments made from it */
			rc = referral_links_append(db, "hotline_order_id", id, out, &err);
		strbuf_adds(out, ",\"allowed_steps\":[");
		if (actor->role == ROLE_TOWNSHIP || actor->role == ROLE_COUNTY) {
			if (strcmp(state, "received") == 0)
				strbuf_adds(out, "\"accept\"");
			else if (strcmp(state, "accepted") == 0)
				strbuf_adds(out, "\"reply\"");
			else if (strcmp(state, "replied") == 0)
				strbuf_adds(out, "\"close\"");
			if (!converted && (strcmp(state, "received") == 0 || strcmp(state, "accepted") == 0))
				strbuf_adds(out, ",\"return\"");
			if (!converted && actor->role == ROLE_COUNTY &&
			    (strcmp(state, "received") == 0 || strcmp(state, "returned") == 0))
				strbuf_adds(out, strcmp(state, "returned") == 0 ? "\"reassign\"" : ",\"reassign\"");
			/* the target services let the township (not the county) open cases */
			if (!converted && actor->role == ROLE_TOWNSHIP &&
			    (strcmp(state, "accepted") == 0 || strcmp(state, "replied") == 0))
				strbuf_adds(out, ",\"convert\"");
		}
		strbuf_adds(out, "]}");
	}
	if (!rc && row && reveal)
		rc = audit_append_region(db, region, actor->username, "hotline_order.reveal", "hotline_order", idt,
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

/* --- steps --- */

/* Reads the order for a change (in the open write transaction): its state,
 * version, township and link. *found false outside actor's scope. */
static dd_status load_for_change(struct db *db, const struct principal *actor, int64_t id, char state[16],
				 int64_t *version, char region[REGION_TEXT_MAX], int64_t *application_id,
				 char order_no[48], bool *found, dd_error *err)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	struct db_stmt *st;
	*found = false;
	dd_status rc = db_prepare_cached(db,
					 "SELECT state, version, region_code, application_id, order_no FROM "
					 "hotline_orders WHERE id = $1 AND region_code >= $2 AND region_code < $3",
					 &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	rc = db_step(st, found, err);
	if (!rc && *found) {
		db_column_copy(st, 0, state, 16);
		*version = db_column_int64(st, 1);
		db_column_copy(st, 2, region, REGION_TEXT_MAX);
		*application_id = db_column_is_null(st, 3) ? 0 : db_column_int64(st, 3);
		db_column_copy(st, 4, order_no, 48);
	}
	db_finalize(st);
	return rc;
}

enum svc_kind hotline_step(struct db *db, const struct principal *actor, int64_t id, const struct hotline_step *req,
			   struct strbuf *out, struct svc_error *e)
{
	const char *step = req->step ? req->step : "";
	const char *from, *to, *field = NULL;
	if (strcmp(step, "accept") == 0)
		from = "received", to = "accepted";
	else if (strcmp(step, "reply") == 0)
		from = "accepted", to = "replied", field = "reply";
	else if (strcmp(step, "close") == 0)
		from = "replied", to = "closed", field = "result";
	else if (strcmp(step, "return") == 0)
		from = "received", to = "returned", field = "note"; /* or from accepted */
	else
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "step", "操作 step 应为 accept、reply、close 或 return");
	enum svc_kind k = authz_hotline_write(actor, "办理", e);
	if (k)
		return k;
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	if (field && svc_blank(req->text))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", field,
				strcmp(field, "reply") == 0    ? "答复工单须填写答复内容 reply"
				: strcmp(field, "result") == 0 ? "办结工单须填写办结结果 result"
							       : "退回工单须在 note 中说明理由（如不属本乡镇管辖）");
	if (field && !svc_text_block_ok(req->text, HOTLINE_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", field, "%s 过长或含控制字符", field);

	char now[STORE_TIME_MAX], idt[24], state[16] = "", region[REGION_TEXT_MAX] = "", order_no[48] = "";
	store_now(now);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	int64_t version = 0, app = 0;
	bool found = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_for_change(db, actor, id, state, &version, region, &app, order_no, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, not_found(e));
	if (version != req->version)
		return svc_rollback(db, stale(e));
	bool returning = strcmp(step, "return") == 0;
	if (returning && strcmp(state, "accepted") == 0)
		from = "accepted";
	if (strcmp(state, from) != 0)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
						 "工单当前状态 state 为 %s，不能执行 %s（须为 %s）", state, step,
						 returning ? "received 或 accepted" : from));
	if (returning && app)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "ALREADY_CONVERTED", "state",
						 "工单已转为案件 %" PRId64 "，不能退回", app));
	struct db_stmt *st;
	if (returning)
		rc = db_prepare_cached(
		    db,
		    "UPDATE hotline_orders SET state = 'returned', returned_by = $4, return_note = $5, "
		    "updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2",
		    &st, &err);
	else if (strcmp(step, "accept") == 0)
		rc = db_prepare_cached(
		    db,
		    "UPDATE hotline_orders SET state = 'accepted', accepted_at = $3, accepted_by = $4, "
		    "updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2",
		    &st, &err);
	else if (strcmp(step, "reply") == 0)
		rc = db_prepare_cached(
		    db,
		    "UPDATE hotline_orders SET state = 'replied', replied_at = $3, replied_by = $4, "
		    "reply = $5, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2",
		    &st, &err);
	else
		rc = db_prepare_cached(
		    db,
		    "UPDATE hotline_orders SET state = 'closed', closed_at = $3, closed_by = $4, "
		    "result = $5, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $2",
		    &st, &err);
	int64_t changed = 0;
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, version);
		db_bind_str(st, 3, now);
		db_bind_int64(st, 4, actor->id);
		if (field)
			db_bind_str(st, 5, req->text);
		rc = db_run(st, &err);
		if (!rc)
			changed = db_changes(st);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changed != 1)
		return svc_rollback(db, stale(e));
	rc = add_event(db, id, region, step, from, to, actor->id, now, field ? req->text : NULL, &err);
	if (!rc) {
		char detail[96], action[32];
		snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\"}", from, to);
		snprintf(action, sizeof action, "hotline_order.%s", step);
		rc = audit_append_region(db, region, actor->username, action, "hotline_order", idt, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out)
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"state\":\"%s\",\"version\":%" PRId64 "}", id, to, version + 1);
	return SVC_OK;
}

/* --- reassign --- */

enum svc_kind hotline_reassign(struct db *db, const struct policy *policy, const struct principal *actor, int64_t id,
			       const struct hotline_reassign_req *req, struct strbuf *out, struct svc_error *e)
{
	if (actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "12345工单由区县民政部门改派");
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	char township[REGION_TEXT_MAX], tsig[REGION_TEXT_MAX];
	enum svc_kind k = parse_township(actor, req->region, township, tsig, e);
	if (k)
		return k;
	if (req->note && !svc_text_block_ok(req->note, HOTLINE_TEXT_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "note", "note 过长或含控制字符");
	int64_t hours = 0, workdays = 0;
	if ((k = deadlines(policy, tsig, store_today(), &hours, &workdays, e)))
		return k;
	char now[STORE_TIME_MAX], response_due[STORE_TIME_MAX], idt[24];
	int64_t now_ms = store_now_ms();
	store_time_text(now_ms, now);
	store_time_text(now_ms + hours * 3600000, response_due);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	char state[16] = "", region[REGION_TEXT_MAX] = "", order_no[48] = "";
	dd_error err;
	dd_error_clear(&err);
	int64_t version = 0, app = 0;
	bool found = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = load_for_change(db, actor, id, state, &version, region, &app, order_no, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, not_found(e));
	if (version != req->version)
		return svc_rollback(db, stale(e));
	if ((strcmp(state, "returned") != 0 && strcmp(state, "received") != 0) || app)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
						 "工单当前状态 state 为 %s，只有待签收或已退回且未转办的工单可以改派",
						 state));
	if (strcmp(region, township) == 0)
		return svc_rollback(db,
				    svc_fail(e, SVC_RULE, "SAME_REGION", "region", "工单已在该乡镇（街道），无需改派"));
	struct db_stmt *st;
	int64_t changed = 0;
	rc = db_prepare_cached(db,
			       "UPDATE hotline_orders SET region_code = $3, state = 'received', response_due = $4, "
			       "accepted_at = NULL, accepted_by = NULL, updated_at = $5, version = version + 1 "
			       "WHERE id = $1 AND version = $2",
			       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, version);
		db_bind_str(st, 3, township);
		db_bind_str(st, 4, response_due);
		db_bind_str(st, 5, now);
		rc = db_run(st, &err);
		if (!rc)
			changed = db_changes(st);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changed != 1)
		return svc_rollback(db, stale(e));
	char detail[96];
	snprintf(detail, sizeof detail, "{\"from_region\":\"%s\",\"to_region\":\"%s\"}", region, township);
	rc = add_event(db, id, township, "reassign", state, "received", actor->id, now,
		       req->note && !svc_blank(req->note) ? req->note : NULL, &err);
	if (!rc)
		rc = audit_append_region(db, township, actor->username, "hotline_order.reassign", "hotline_order", idt,
					 detail, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out) {
		strbuf_addf(out, "{\"id\":%" PRId64 ",\"state\":\"received\",\"version\":%" PRId64, id, version + 1);
		strbuf_add_json_member_text(out, "region", township);
		strbuf_add_json_member_text(out, "response_due", response_due);
		strbuf_addc(out, '}');
	}
	return SVC_OK;
}

/* --- convert --- */

enum svc_kind hotline_convert(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			      const struct hotline_convert *req, struct strbuf *out, struct svc_error *e)
{
	const char *target = req->target;
	if (!target)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "target",
				"缺少转办去向 target（temporary 临时救助 或 application 救助申请）");
	bool temporary = strcmp(target, "temporary") == 0;
	if (!temporary && strcmp(target, "application") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "target",
				"转办去向 target 应为 temporary（临时救助）或 application（救助申请）");
	enum svc_kind k = authz_hotline_write(actor, "转办", e);
	if (k)
		return k;
	if (req->version < 1)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少版本号 version");
	if (temporary && !req->temporary)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "case_kind", "缺少临时救助案件信息");
	if (!temporary) {
		if (!req->programme)
			return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "programme",
					"缺少救助项目 programme（dibao、tekun 或 children）");
		if (strcmp(req->programme, "dibao") != 0 && strcmp(req->programme, "tekun") != 0 &&
		    strcmp(req->programme, "children") != 0)
			return svc_fail(
			    e, SVC_BAD_INPUT, "BAD_VALUE", "programme",
			    "救助项目 programme 应为 dibao、tekun 或 children（临时救助请用 target temporary）");
	}

	char now[STORE_TIME_MAX], idt[24], state[16] = "", region[REGION_TEXT_MAX] = "", order_no[48] = "";
	store_now(now);
	snprintf(idt, sizeof idt, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	int64_t version = 0, app = 0, case_id = 0;
	bool found = false;
	dd_status rc = db_begin_enclosing(db, &err);
	if (!rc)
		rc = load_for_change(db, actor, id, state, &version, region, &app, order_no, &found, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_rollback(db, not_found(e));
	if (version != req->version)
		return svc_rollback(db, stale(e));
	if (app)
		return svc_rollback(db, svc_fail(e, SVC_RULE, "ALREADY_CONVERTED", "state",
						 "工单已转为案件 %" PRId64 "，不能重复转办", app));
	if (strcmp(state, "accepted") != 0 && strcmp(state, "replied") != 0)
		return svc_rollback(db,
				    svc_fail(e, SVC_RULE, "STATE_NOT_ALLOWED", "state",
					     "工单当前状态 state 为 %s，须先签收（accepted）且未办结才能转办", state));
	char note[96];
	snprintf(note, sizeof note, "12345工单 %s 转办", order_no);
	if (temporary) {
		struct temporary_new t = *req->temporary;
		if (!t.region)
			t.region = region;
		if (!t.note)
			t.note = note;
		struct temporary_env tenv = {.policy = env->policy, .today = env->today};
		k = temporary_create(db, &tenv, actor, &t, &case_id, e);
	} else {
		struct application_new an = {
		    .household_id = req->household_id,
		    .programme = req->programme,
		    .commitment = req->commitment,
		    .channel = "counter",
		    .note = note,
		    .children = strcmp(req->programme, "children") == 0 ? req->children : NULL,
		};
		k = casework_create(db, env, actor, &an, &case_id, e);
	}
	if (k) {
		db_rollback(db); /* ends the enclosing transaction, if still open */
		return k;
	}
	struct db_stmt *st;
	int64_t changed = 0;
	rc = db_prepare_cached(db,
			       "UPDATE hotline_orders SET application_id = $3, converted_to = $4, updated_at = $5, "
			       "version = version + 1 WHERE id = $1 AND version = $2 AND application_id IS NULL",
			       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, version);
		db_bind_int64(st, 3, case_id);
		db_bind_str(st, 4, target);
		db_bind_str(st, 5, now);
		rc = db_run(st, &err);
		if (!rc)
			changed = db_changes(st);
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (changed != 1)
		return svc_rollback(db, stale(e));
	char detail[96];
	snprintf(detail, sizeof detail, "{\"target\":\"%s\",\"application_id\":%" PRId64 "}", target, case_id);
	rc = add_event(db, id, region, "convert", state, state, actor->id, now, detail, &err);
	if (!rc)
		rc = audit_append_region(db, region, actor->username, "hotline_order.convert", "hotline_order", idt,
					 detail, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (out) {
		strbuf_addf(out, "{\"id\":%" PRId64, id);
		strbuf_add_json_member_text(out, "state", state);
		strbuf_addf(out, ",\"version\":%" PRId64 ",\"application_id\":%" PRId64, version + 1, case_id);
		strbuf_add_json_member_text(out, "converted_to", target);
		strbuf_addc(out, '}');
	}
	return SVC_OK;
}

/* --- links and the workbench --- */

dd_status hotline_source_append(struct db *db, int64_t application_id, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(db,
					 "SELECT id, order_no, category, state FROM hotline_orders WHERE "
					 "application_id = $1 ORDER BY id LIMIT 1",
					 &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, application_id);
	rc = db_step(st, &row, err);
	strbuf_adds(out, ",\"hotline_order\":");
	if (!rc && row) {
		strbuf_addf(out, "{\"id\":%" PRId64, db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "order_no", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "category", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "state", db_column_text(st, 3, NULL));
		strbuf_addc(out, '}');
	} else
		strbuf_adds(out, "null");
	db_finalize(st);
	return rc;
}

dd_status hotline_workbench(struct db *db, const char *lo, const char *hi, const char *now, const char *today,
			    int64_t max, struct strbuf *out, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT count(*), sum(CASE WHEN " OVERDUE(
		"$3", "$4") " THEN 1 ELSE 0 END) "
			    "FROM hotline_orders o WHERE o.region_code >= $1 AND o.region_code < $2 AND "
			    "o.state <> 'closed'",
	    &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, now);
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
	rc = db_prepare_cached(
	    db,
	    "SELECT o.id, o.order_no, o.category, o.state, o.region_code, o.response_due, o.close_due "
	    "FROM hotline_orders o WHERE o.region_code >= $1 AND o.region_code < $2 AND " OVERDUE(
		"$3", "$4") " ORDER BY o.close_due, o.id LIMIT $5",
	    &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, now);
	db_bind_str(st, 4, today);
	db_bind_int64(st, 5, max);
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		strbuf_addf(out, "%s{\"id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "order_no", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "category", db_column_text(st, 2, NULL));
		strbuf_add_json_member_text(out, "state", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "region", db_column_text(st, 4, NULL));
		strbuf_add_json_member_text(out, "response_due", db_column_text(st, 5, NULL));
		strbuf_add_json_member_text(out, "close_due", db_column_text(st, 6, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	strbuf_adds(out, "]}");
	return rc;
}
