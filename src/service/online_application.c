/* online_application.c - the citizen portal's applications and their
 * acceptance by staff (online_application.h). */
#include "online_application.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/children.h"
#include "core/household.h"
#include "core/idnum.h"
#include "core/region.h"
#include "children_allowance.h"
#include "registry.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "verification.h"

#define NAME_MAX_BYTES 100
#define PHONE_MAX 20
#define REASON_MAX 2000
#define NOTE_MAX 2000
#define HASH_HEX 65

/* ---- tracking numbers ---- */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int crockford_value(char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (char)(ch - 'a' + 'A');
	if (ch == 'O')
		return 0;
	if (ch == 'I' || ch == 'L')
		return 1;
	const char *p = ch ? strchr(crockford, ch) : NULL;
	return p ? (int)(p - crockford) : -1;
}

/* Luhn mod 32 over the 15 values: the check value. */
static int luhn32(const int v[ONLINE_TRACKING_LEN - 1])
{
	int factor = 2, sum = 0;
	for (int i = ONLINE_TRACKING_LEN - 2; i >= 0; i--) {
		int addend = factor * v[i];
		factor = factor == 2 ? 1 : 2;
		sum += addend / 32 + addend % 32;
	}
	return (32 - sum % 32) % 32;
}

void online_tracking_from_bytes(const unsigned char rnd[10], char out[ONLINE_TRACKING_LEN + 1])
{
	int v[ONLINE_TRACKING_LEN - 1];
	for (int i = 0; i < ONLINE_TRACKING_LEN - 1; i++) { /* 5 bits each, from bit 5i */
		int bit = 5 * i, byte = bit / 8, shift = bit % 8;
		unsigned two = (unsigned)rnd[byte] << 8 | (byte + 1 < 10 ? rnd[byte + 1] : 0);
		v[i] = (int)((two >> (11 - shift)) & 31);
		out[i] = crockford[v[i]];
	}
	out[ONLINE_TRACKING_LEN - 1] = crockford[luhn32(v)];
	out[ONLINE_TRACKING_LEN] = '\0';
}

bool online_tracking_normalize(const char *in, char out[ONLINE_TRACKING_LEN + 1])
{
	int v[ONLINE_TRACKING_LEN];
	size_t n = 0;
	if (!in)
		return false;
	for (const char *p = in; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		int x = crockford_value(*p);
		if (x < 0 || n == ONLINE_TRACKING_LEN)
			return false;
		v[n++] = x;
	}
	if (n != ONLINE_TRACKING_LEN || luhn32(v) != v[ONLINE_TRACKING_LEN - 1])
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = crockford[v[i]];
	out[n] = '\0';
	return true;
}

/* BLAKE2b of the tracking number and the ID number, as hex. */
static void id_hash(const char *tracking, const char *id_number, char out[HASH_HEX])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)"doudi-online-v1", 15);
	crypto_generichash_update(&st, (const unsigned char *)tracking, strlen(tracking));
	crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
	crypto_generichash_update(&st, (const unsigned char *)id_number, strlen(id_number));
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, HASH_HEX, h, sizeof h);
}

/* ---- the citizen's words ---- */

const char *online_status_text(const char *state, const char *case_state)
{
	static const struct {
		const char *state, *text;
	} portal[] = {{"submitted", "已提交，等待乡镇（街道）受理"}, {"rejected", "未予受理"}},
	  cases[] = {
	      {"submitted", "已受理，等待审核"},
	      {"accepted", "已受理，正在核对家庭经济状况"},
	      {"verified", "家庭经济状况已核对，等待入户调查"},
	      {"investigated", "已入户调查，乡镇（街道）审核中"},
	      {"reviewed", "乡镇（街道）已审核，等待公示"},
	      {"in_notice", "正在公示，公示期满后审批"},
	      {"approved", "已批准"},
	      {"rejected", "不予批准，将书面告知理由"},
	      {"withdrawn", "申请已撤回"},
	  };
	if (!case_state) {
		for (size_t i = 0; i < sizeof portal / sizeof portal[0]; i++)
			if (strcmp(state, portal[i].state) == 0)
				return portal[i].text;
		return "已受理";
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (strcmp(case_state, cases[i].state) == 0)
			return cases[i].text;
	return "办理中";
}

/* The citizen's words for a step of the case's history (by the state it
 * entered). */
static const char *step_text(const char *to_state)
{
	static const struct {
		const char *state, *text;
	} steps[] = {
	    {"accepted", "乡镇（街道）受理"}, {"verified", "家庭经济状况核对完成"},
	    {"investigated", "入户调查完成"}, {"reviewed", "乡镇（街道）审核完成"},
	    {"in_notice", "开始公示"},	      {"approved", "审批通过"},
	    {"rejected", "不予批准"},	      {"withdrawn", "申请撤回"},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (strcmp(to_state, steps[i].state) == 0)
			return steps[i].text;
	return NULL;
}

/* ---- JSON out ---- */

static bool key_is(const struct json_value *v, const char *k)
{
	size_t n = strlen(k);
	return v->key && v->key_len == n && memcmp(v->key, k, n) == 0;
}

/* The ID numbers ("id", "id_number" strings) masked (json_write_hooked). */
static bool mask_id(struct strbuf *o, const struct json_value *v, void *ctx)
{
	(void)ctx;
	if (!(key_is(v, "id") || key_is(v, "id_number")) || v->len != IDNUM_LEN)
		return false;
	char m[IDNUM_LEN + 1];
	idnum_mask(v->str, m);
	strbuf_add_json_string(o, m, strlen(m));
	return true;
}

static void add_str(struct strbuf *o, const char *key, const char *s)
{
	strbuf_addf(o, "\"%s\":", key);
	strbuf_add_json_string_or_null(o, s);
}

static void add_col(struct strbuf *o, const char *key, struct db_stmt *st, int col)
{
	add_str(o, key, db_column_is_null(st, col) ? NULL : db_column_text(st, col, NULL));
}

static void add_id_col(struct strbuf *o, const char *key, struct db_stmt *st, int col)
{
	strbuf_addf(o, "\"%s\":", key);
	if (db_column_is_null(st, col))
		strbuf_adds(o, "null");
	else
		strbuf_add_int(o, db_column_int64(st, col));
}

static enum svc_kind fail_store(struct svc_error *e, struct db *db, dd_status rc, const dd_error *err)
{
	return svc_store_fail(e, db, rc, err);
}

/* ---- submit ---- */

/* Is the village known, with its county in the regions table? A county
 * whose villages are not listed at all (a store without them) takes any
 * village code. */
static dd_status village_known(struct db *db, const char *village, bool *ok, dd_error *err)
{
	char county[7], lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	snprintf(county, sizeof county, "%.6s", village);
	store_region_range(county, lo, hi);
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_prepare_cached(db,
					 "SELECT (SELECT count(*) FROM regions WHERE code = $1), "
					 "(SELECT count(*) FROM regions WHERE code = $2), "
					 "(SELECT count(*) FROM regions WHERE level = 5 AND code >= $3 AND code < $4)",
					 &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, county);
	db_bind_str(st, 2, village);
	db_bind_str(st, 3, lo);
	db_bind_str(st, 4, hi);
	rc = db_step(st, &row, err);
	*ok = !rc && row && db_column_int64(st, 0) > 0 && (db_column_int64(st, 1) > 0 || db_column_int64(st, 2) == 0);
	db_finalize(st);
	return rc;
}

/* The household to store: the members as sent with the region of the
 * application (a "region" or "date" sent is dropped). */
static void household_text(struct strbuf *o, const struct json_value *h, const char *region)
{
	strbuf_adds(o, "{\"region\":");
	strbuf_add_json_string(o, region, strlen(region));
	for (const struct json_value *c = h->child; c; c = c->next) {
		if (key_is(c, "region") || key_is(c, "date"))
			continue;
		strbuf_addc(o, ',');
		strbuf_add_json_string(o, c->key, c->key_len);
		strbuf_addc(o, ':');
		json_write(o, c);
	}
	strbuf_addc(o, '}');
}

static bool programme_ok(const char *p)
{
	return p && (strcmp(p, "dibao") == 0 || strcmp(p, "tekun") == 0 || strcmp(p, "temporary") == 0 ||
		     strcmp(p, "children") == 0);
}

static bool phone_ok(const char *p)
{
	size_t n = strlen(p);
	if (n < 5 || n > PHONE_MAX)
		return false;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == ' '))
			return false;
	return true;
}

enum svc_kind online_submit(struct db *db, const struct online_new *req, struct strbuf *out, struct svc_error *e)
{
	if (!req->programme)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "programme", "缺少救助项目 programme");
	if (!programme_ok(req->programme))
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_VALUE", "programme",
		    "救助项目应为 dibao（低保）、tekun（特困）、temporary（临时救助）或 children（儿童基本生活保障）");
	if (!req->region)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "region", "缺少所在村（社区）区划代码 region");
	size_t rl = strlen(req->region);
	bool digits = rl == 12;
	for (size_t i = 0; digits && i < rl; i++)
		digits = req->region[i] >= '0' && req->region[i] <= '9';
	if (!digits || memcmp(req->region + 9, "000", 3) == 0 || memcmp(req->region + 6, "000", 3) == 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "region 应为 12 位的村（社区）区划代码");
	if (!req->applicant_name || !*req->applicant_name || !svc_text_clean(req->applicant_name, NAME_MAX_BYTES))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NAME", "applicant.name",
				"请填写申请人姓名（最多 %d 字节，不能包含控制字符）", NAME_MAX_BYTES);
	if (!req->applicant_id)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "applicant.id_number", "请填写申请人身份证号码");
	struct idnum applicant;
	dd_error err;
	dd_error_clear(&err);
	if (idnum_parse(req->applicant_id, strlen(req->applicant_id), &applicant, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ID_NUMBER", "applicant.id_number", "申请人身份证号码无效：%s",
				err.message);
	if (req->phone && !phone_ok(req->phone))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PHONE", "applicant.phone", "联系电话应为 5 到 %d 位数字",
				PHONE_MAX);
	if (req->reason && !svc_text_clean(req->reason, REASON_MAX)) {
		/* line breaks are allowed in a reason */
		for (const char *p = req->reason; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
				return svc_fail(e, SVC_BAD_INPUT, "BAD_REASON", "reason", "申请理由不能包含控制字符");
		if (strlen(req->reason) > REASON_MAX)
			return svc_fail(e, SVC_BAD_INPUT, "TOO_LONG", "reason", "申请理由不能超过 %d 字节", REASON_MAX);
	}
	if (req->commitment < 0)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "commitment", "请阅读并签署告知承诺（commitment: true）");
	if (req->commitment == 0)
		return svc_fail(e, SVC_RULE, "COMMITMENT_REQUIRED", "commitment",
				"须签署告知承诺书（证明事项告知承诺制）后才能提交申请");
	if (!req->household || req->household->type != JSON_OBJECT)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "household", "请填写家庭成员及收入情况 household");
	bool children = strcmp(req->programme, "children") == 0;
	if (!children && (req->children || req->child_id_number))
		return svc_fail(e, SVC_BAD_INPUT, "NOT_ALLOWED", "child",
				"child 仅用于儿童基本生活保障申请（children）");
	if (children && !req->children)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "child",
				"请填写申请保障的儿童 child（身份证号码、儿童类别、养育方式和认定事实）");
	if (children && (!req->child_id_number || !*req->child_id_number))
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "child.id_number", "请填写儿童的身份证号码");
	if (children) {
		enum svc_kind ck = children_request_check(req->children, e);
		if (ck) {
			svc_error_prefix(e, "child");
			return ck;
		}
	}

	/* the household as it will be stored, read by the same reader as the
	 * registry's: its errors name the field inside household */
	struct strbuf data, signers, child;
	strbuf_init(&data, 1024);
	strbuf_init(&signers, 64);
	strbuf_init(&child, 256);
	household_text(&data, req->household, req->region);
	struct arena a;
	arena_init(&a, 16 * 1024, 4 * 1024 * 1024);
	enum svc_kind k = SVC_OK;
	if (data.failed) {
		k = svc_from_status(e, DD_ENOMEM, NULL);
		goto done;
	}
	struct household h;
	dd_date today = store_today();
	dd_status rc = household_parse(data.buf, data.len, &today, &a, &h, &err);
	if (rc) {
		dd_error_prefix(&err, "household");
		k = svc_from_status(e, rc, &err);
		goto done;
	}
	size_t heads = 0;
	for (size_t i = 0; i < h.n_members; i++) {
		const struct member *m = &h.members[i];
		if (m->relation == REL_HEAD)
			heads++;
		if (!m->name || !*m->name || !svc_text_clean(m->name, REGISTRY_NAME_MAX)) {
			char field[48];
			snprintf(field, sizeof field, "household.members[%zu].name", i);
			k = svc_fail(e, SVC_BAD_INPUT, "BAD_NAME", field, "请填写家庭成员姓名");
			goto done;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(h.members[j].id.text, m->id.text) == 0) {
				char field[48];
				snprintf(field, sizeof field, "household.members[%zu].id", i);
				k = svc_fail(e, SVC_BAD_INPUT, "DUPLICATE_MEMBER", field, "同一身份证号码填写了两次");
				goto done;
			}
	}
	if (h.n_members == 0 || heads != 1) {
		k = svc_fail(e, SVC_BAD_INPUT, "NO_HEAD", "household.members", "家庭成员中须有且只有一名户主");
		goto done;
	}
	/* the child: one of the members, under 18 today */
	if (children) {
		struct idnum cid;
		if (idnum_parse(req->child_id_number, strlen(req->child_id_number), &cid, &err)) {
			k = svc_fail(e, SVC_BAD_INPUT, "BAD_ID_NUMBER", "child.id_number", "儿童身份证号码无效：%s",
				     err.message);
			goto done;
		}
		const struct member *who = NULL;
		for (size_t i = 0; i < h.n_members && !who; i++)
			if (strcmp(h.members[i].id.text, cid.text) == 0)
				who = &h.members[i];
		if (!who) {
			k = svc_fail(e, SVC_BAD_INPUT, "NOT_A_MEMBER", "child.id_number",
				     "申请保障的儿童须为所填家庭成员之一（身份证号码与家庭成员不符）");
			goto done;
		}
		int age = date_age(who->id.birth, today);
		if (age < 0 || age >= CHILDREN_EXIT_AGE) {
			k = svc_fail(e, SVC_RULE, "NOT_A_CHILD", "child.id_number", "申请对象须为未满18周岁的儿童");
			goto done;
		}
		children_request_json(&child, who->id.text, req->children);
		if (child.failed) {
			k = svc_from_status(e, DD_ENOMEM, NULL);
			goto done;
		}
	}
	/* the verification authorisation signed online: adult members, each once */
	const struct json_value *sv = req->verification_signers;
	if (sv && sv->type != JSON_NULL) {
		if (sv->type != JSON_ARRAY) {
			k = svc_fail(e, SVC_BAD_INPUT, "BAD_TYPE", "verification_signers",
				     "verification_signers 应为身份证号码数组");
			goto done;
		}
		size_t n = 0;
		strbuf_addc(&signers, '[');
		for (const struct json_value *x = sv->child; x; x = x->next, n++) {
			char field[48];
			snprintf(field, sizeof field, "verification_signers[%zu]", n);
			const struct member *who = NULL;
			for (size_t i = 0; x->type == JSON_STRING && i < h.n_members && !who; i++)
				if (strcmp(h.members[i].id.text, x->str) == 0)
					who = &h.members[i];
			const char *why = !who ? "不是所填家庭成员的身份证号码"
					  : date_age(who->id.birth, today) < 18 ? "未成年家庭成员无需签署授权书"
					  : strstr(signers.buf ? signers.buf : "", who->id.text) ? "重复签署"
												 : NULL;
			if (why) {
				k = svc_fail(e, SVC_BAD_INPUT, "BAD_SIGNER", field, "%s %s", field, why);
				goto done;
			}
			if (n)
				strbuf_addc(&signers, ',');
			strbuf_add_json_string(&signers, who->id.text, strlen(who->id.text));
		}
		strbuf_addc(&signers, ']');
		if (!n)
			signers.len = 0;
	}
	bool known = false;
	if ((rc = village_known(db, req->region, &known, &err))) {
		k = fail_store(e, db, rc, &err);
		goto done;
	}
	if (!known) {
		k = svc_fail(e, SVC_BAD_INPUT, "REGION_UNKNOWN", "region", "未找到该村（社区），请从列表中选择");
		goto done;
	}

	char now[STORE_TIME_MAX], tracking[ONLINE_TRACKING_LEN + 1], hash[HASH_HEX];
	store_now(now);
	int64_t id = 0;
	for (int attempt = 0; attempt < 3 && !id; attempt++) {
		unsigned char rnd[10];
		randombytes_buf(rnd, sizeof rnd);
		online_tracking_from_bytes(rnd, tracking);
		id_hash(tracking, applicant.text, hash);
		struct db_stmt *st = NULL;
		bool row = false;
		if ((rc = db_begin(db, &err)))
			break;
		rc = db_prepare(db,
				"INSERT INTO online_applications (region_code, tracking_no, programme, state, "
				"applicant_name, applicant_id_number, applicant_id_hash, phone, data, reason, "
				"commitment_signed, submitted_at, updated_at) "
				"VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
				0, &st, &err);
		if (!rc) {
			db_bind_str(st, 1, req->region);
			db_bind_str(st, 2, tracking);
			db_bind_str(st, 3, req->programme);
			db_bind_str(st, 4, req->applicant_name);
			db_bind_str(st, 5, applicant.text);
			db_bind_str(st, 6, hash);
			db_bind_str(st, 7, req->phone);
			db_bind_text(st, 8, data.buf, data.len);
			db_bind_str(st, 9, req->reason);
			db_bind_str(st, 10, now);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				id = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc && signers.len) { /* the verification authorisation signed online */
			rc = db_prepare(
			    db,
			    "INSERT INTO online_verification_signers (online_application_id, signers) VALUES "
			    "($1, $2)",
			    0, &st, &err);
			if (!rc) {
				db_bind_int64(st, 1, id);
				db_bind_text(st, 2, signers.buf, signers.len);
				rc = db_run(st, &err);
				db_finalize(st);
			}
		}
		if (!rc && child.len) { /* the child's part of a children application */
			rc = db_prepare(
			    db, "INSERT INTO online_children_requests (online_application_id, data) VALUES ($1, $2)", 0,
			    &st, &err);
			if (!rc) {
				db_bind_int64(st, 1, id);
				db_bind_text(st, 2, child.buf, child.len);
				rc = db_run(st, &err);
				db_finalize(st);
			}
		}
		if (!rc) {
			char id_text[24], detail[96];
			snprintf(id_text, sizeof id_text, "%" PRId64, id);
			snprintf(detail, sizeof detail, "{\"programme\":\"%s\",\"members\":%zu}", req->programme,
				 h.n_members);
			rc = audit_append_region(db, req->region, "portal", "online_application.create",
						 "online_application", id_text, detail, &err);
		}
		if (!rc)
			rc = db_commit(db, &err);
		if (rc) {
			bool again = db_last_fault(db) == DB_FAULT_UNIQUE; /* the same tracking number: 2^-75 */
			db_rollback(db);
			id = 0;
			if (!again)
				break;
		}
	}
	if (!id) {
		k = fail_store(e, db, rc ? rc : DD_EIO, &err);
		goto done;
	}
	strbuf_adds(out, "{\"tracking_no\":\"");
	strbuf_adds(out, tracking);
	strbuf_adds(out, "\",\"status\":\"submitted\",\"status_text\":");
	const char *text = online_status_text("submitted", NULL);
	strbuf_add_json_string(out, text, strlen(text));
	strbuf_adds(out, ",\"submitted_at\":\"");
	strbuf_adds(out, now);
	strbuf_adds(out, "\"}");
done:
	arena_release(&a);
	strbuf_release(&data);
	strbuf_release(&signers);
	strbuf_release(&child);
	return k;
}

/* ---- the citizen's status ---- */

static enum svc_kind not_found_status(struct svc_error *e)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该申请：请核对受理编号和身份证号码");
}

enum svc_kind online_status(struct db *db, const char *tracking_in, const char *id_number, struct strbuf *out,
			    struct svc_error *e)
{
	char tracking[ONLINE_TRACKING_LEN + 1], want[HASH_HEX], have[HASH_HEX];
	struct idnum idn;
	dd_error err;
	dd_error_clear(&err);
	bool tracking_ok = online_tracking_normalize(tracking_in, tracking);
	bool id_ok = id_number && !idnum_parse(id_number, strlen(id_number), &idn, &err);
	if (!tracking_ok)
		snprintf(tracking, sizeof tracking, "%s", "0000000000000000");
	id_hash(tracking, id_ok ? idn.text : "-", want);
	memset(have, '0', sizeof have - 1);
	have[HASH_HEX - 1] = '\0';

	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = DD_OK;
	if (tracking_ok) {
		rc =
		    db_prepare_cached(db,
				      "SELECT o.applicant_id_hash, o.programme, o.state, o.submitted_at, o.updated_at, "
				      "o.decided_at, o.note, o.application_id, a.state "
				      "FROM online_applications o LEFT JOIN applications a ON a.id = o.application_id "
				      "WHERE o.tracking_no = $1",
				      &st, &err);
		if (rc)
			return fail_store(e, db, rc, &err);
		db_bind_str(st, 1, tracking);
		rc = db_step(st, &row, &err);
		if (rc) {
			db_finalize(st);
			return fail_store(e, db, rc, &err);
		}
		if (row) {
			size_t n = 0;
			const char *h = db_column_text(st, 0, &n);
			if (h && n == HASH_HEX - 1)
				memcpy(have, h, n);
		}
	}
	/* the same work whether the number exists or not: one compare */
	bool match = sodium_memcmp(want, have, HASH_HEX - 1) == 0;
	if (!row || !match || !id_ok) {
		db_finalize(st);
		return not_found_status(e);
	}
	const char *state = db_column_text(st, 2, NULL);
	bool has_case = !db_column_is_null(st, 8);
	const char *case_state = has_case ? db_column_text(st, 8, NULL) : NULL;
	const char *text = online_status_text(state, case_state);
	strbuf_adds(out, "{\"tracking_no\":\"");
	strbuf_adds(out, tracking);
	strbuf_adds(out, "\",");
	add_col(out, "programme", st, 1);
	strbuf_addc(out, ',');
	add_str(out, "status", case_state ? case_state : state);
	strbuf_addc(out, ',');
	if (strcmp(state, "rejected") == 0 && !db_column_is_null(st, 6)) {
		struct strbuf t;
		strbuf_init(&t, 128);
		strbuf_addf(&t, "%s：%s", text, db_column_text(st, 6, NULL));
		add_str(out, "status_text", t.buf ? t.buf : text);
		strbuf_release(&t);
	} else {
		add_str(out, "status_text", text);
	}
	strbuf_addc(out, ',');
	add_col(out, "submitted_at", st, 3);
	strbuf_addc(out, ',');
	add_col(out, "updated_at", st, 4);
	strbuf_adds(out, ",\"steps\":[{\"at\":");
	const char *sub = db_column_text(st, 3, NULL);
	strbuf_add_json_string(out, sub, strlen(sub));
	strbuf_adds(out, ",\"text\":\"网上申请已提交\"}");
	if (!db_column_is_null(st, 5)) {
		strbuf_adds(out, ",{\"at\":");
		const char *at = db_column_text(st, 5, NULL);
		strbuf_add_json_string(out, at, strlen(at));
		strbuf_adds(out, ",\"text\":");
		if (strcmp(state, "rejected") == 0) {
			struct strbuf t;
			strbuf_init(&t, 128);
			strbuf_addf(&t, "未予受理：%s", db_column_is_null(st, 6) ? "" : db_column_text(st, 6, NULL));
			strbuf_add_json_string(out, t.buf ? t.buf : "未予受理", t.buf ? t.len : strlen("未予受理"));
			strbuf_release(&t);
		} else {
			strbuf_adds(out, "\"已受理，转入审核确认\"");
		}
		strbuf_addc(out, '}');
	}
	int64_t app_id = has_case ? db_column_int64(st, 7) : 0;
	db_finalize(st);
	if (app_id) {
		rc = db_prepare_cached(
		    db, "SELECT to_state, at FROM case_history WHERE application_id = $1 ORDER BY id", &st, &err);
		if (rc)
			return fail_store(e, db, rc, &err);
		db_bind_int64(st, 1, app_id);
		while (!(rc = db_step(st, &row, &err)) && row) {
			const char *to = db_column_is_null(st, 0) ? "" : db_column_text(st, 0, NULL);
			const char *t = step_text(to);
			if (!t)
				continue;
			strbuf_adds(out, ",{\"at\":");
			const char *at = db_column_text(st, 1, NULL);
			strbuf_add_json_string(out, at, strlen(at));
			strbuf_adds(out, ",\"text\":");
			strbuf_add_json_string(out, t, strlen(t));
			strbuf_addc(out, '}');
		}
		db_finalize(st);
		if (rc)
			return fail_store(e, db, rc, &err);
	}
	strbuf_adds(out, "]}");
	return SVC_OK;
}

/* ---- the region picker ---- */

enum svc_kind online_regions(struct db *db, const char *parent, struct strbuf *out, struct svc_error *e)
{
	if (!parent || !*parent)
		parent = "500000";
	size_t n = strlen(parent);
	bool digits = n == 6 || n == 9;
	for (size_t i = 0; digits && i < n; i++)
		digits = parent[i] >= '0' && parent[i] <= '9';
	if (!digits)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "parent", "parent 应为 6 位或 9 位区划代码");
	struct db_stmt *st = NULL;
	bool row = false;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_prepare_cached(
	    db, "SELECT code, name, level FROM regions WHERE parent_code = $1 AND valid_to IS NULL ORDER BY code", &st,
	    &err);
	if (rc)
		return fail_store(e, db, rc, &err);
	db_bind_str(st, 1, parent);
	strbuf_adds(out, "{\"parent\":");
	strbuf_add_json_string(out, parent, n);
	strbuf_adds(out, ",\"items\":[");
	bool first = true;
	while (!(rc = db_step(st, &row, &err)) && row) {
		strbuf_adds(out, first ? "{" : ",{");
		first = false;
		add_col(out, "code", st, 0);
		strbuf_addc(out, ',');
		add_col(out, "name", st, 1);
		strbuf_addf(out, ",\"level\":%" PRId64 "}", db_column_int64(st, 2));
	}
	db_finalize(st);
	if (rc)
		return fail_store(e, db, rc, &err);
	strbuf_adds(out, "]}");
	return SVC_OK;
}

/* ---- staff ---- */

static enum svc_kind staff_only(const struct principal *p, struct svc_error *e)
{
	if (p->role == ROLE_VILLAGE || p->role == ROLE_TOWNSHIP || p->role == ROLE_COUNTY)
		return SVC_OK;
	return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
			"只有村（社区）、乡镇（街道）和区县经办人员可以办理网上申请");
}

static const char *const list_cols =
    "o.id, o.tracking_no, o.programme, o.state, o.region_code, o.applicant_name, o.applicant_id_number, o.phone, "
    "o.submitted_at, o.updated_at, o.household_id, o.application_id, o.note, o.decided_at, o.version, a.state, "
    "o.reason, o.data, c.data";
/* list_cols' tables */
#define ONLINE_FROM                                                                                                    \
	"online_applications o LEFT JOIN applications a ON a.id = o.application_id "                                   \
	"LEFT JOIN online_children_requests c ON c.online_application_id = o.id"

/* One application's common members (no braces). */
static void render_row(struct strbuf *o, struct db_stmt *st, bool reveal)
{
	strbuf_addf(o, "\"id\":%" PRId64 ",", db_column_int64(st, 0));
	add_col(o, "tracking_no", st, 1);
	strbuf_addc(o, ',');
	add_col(o, "programme", st, 2);
	strbuf_addc(o, ',');
	add_col(o, "state", st, 3);
	strbuf_addc(o, ',');
	const char *case_state = db_column_is_null(st, 15) ? NULL : db_column_text(st, 15, NULL);
	add_str(o, "state_text", online_status_text(db_column_text(st, 3, NULL), case_state));
	strbuf_addc(o, ',');
	add_col(o, "case_state", st, 15);
	strbuf_addc(o, ',');
	add_col(o, "region", st, 4);
	strbuf_adds(o, ",\"applicant\":{");
	add_col(o, "name", st, 5);
	strbuf_addc(o, ',');
	const char *idn = db_column_text(st, 6, NULL);
	char m[IDNUM_LEN + 1];
	if (!reveal && idn && strlen(idn) == IDNUM_LEN) {
		idnum_mask(idn, m);
		idn = m;
	}
	add_str(o, "id_number", idn);
	strbuf_addc(o, ',');
	add_col(o, "phone", st, 7);
	strbuf_adds(o, "},");
	add_col(o, "submitted_at", st, 8);
	strbuf_addc(o, ',');
	add_col(o, "updated_at", st, 9);
	strbuf_addc(o, ',');
	add_id_col(o, "household_id", st, 10);
	strbuf_addc(o, ',');
	add_id_col(o, "application_id", st, 11);
	strbuf_addc(o, ',');
	add_col(o, "note", st, 12);
	strbuf_addc(o, ',');
	add_col(o, "decided_at", st, 13);
	strbuf_addf(o, ",\"version\":%" PRId64, db_column_int64(st, 14));
}

enum svc_kind online_list(struct db *db, const struct principal *actor, const struct online_query *q,
			  struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = staff_only(actor, e);
	if (!k)
		k = svc_page_check(q->page, q->per_page, ONLINE_PER_PAGE_MAX, e);
	if (k)
		return k;
	const char *state = q->state ? q->state : "";
	if (*state && strcmp(state, "submitted") != 0 && strcmp(state, "accepted") != 0 &&
	    strcmp(state, "rejected") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "state", "state 应为 submitted、accepted 或 rejected");
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	dd_error err;
	dd_error_clear(&err);
	int64_t total = 0;
	struct db_stmt *st = NULL;
	bool row = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT count(*) FROM online_applications WHERE region_code >= $1 AND "
				       "region_code < $2 AND ($3 = '' OR state = $3)",
				       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, state);
		rc = db_step(st, &row, &err);
		total = !rc && row ? db_column_int64(st, 0) : 0;
		db_finalize(st);
	}
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM " ONLINE_FROM " "
		 "WHERE o.region_code >= $1 AND o.region_code < $2 AND ($3 = '' OR o.state = $3) "
		 "ORDER BY o.id DESC LIMIT $4 OFFSET $5",
		 list_cols);
	if (!rc)
		rc = db_prepare_cached(db, sql, &st, &err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
		db_bind_str(st, 3, state);
		db_bind_int64(st, 4, q->per_page);
		db_bind_int64(st, 5, (q->page - 1) * q->per_page);
		strbuf_adds(out, "{\"items\":[");
		bool first = true;
		while (!(rc = db_step(st, &row, &err)) && row) {
			strbuf_adds(out, first ? "{" : ",{");
			first = false;
			render_row(out, st, false);
			strbuf_addc(out, '}');
		}
		db_finalize(st);
		strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total,
			    q->page, q->per_page);
	}
	db_rollback(db);
	if (rc)
		return fail_store(e, db, rc, &err);
	return SVC_OK;
}

/* The application id in actor's scope: its row (st open on it) or
 * SVC_NOT_FOUND. */
static enum svc_kind load_one(struct db *db, const struct principal *actor, int64_t id, struct db_stmt **st,
			      struct svc_error *e)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(actor->scope, lo, hi);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM " ONLINE_FROM " "
		 "WHERE o.id = $1 AND o.region_code >= $2 AND o.region_code < $3",
		 list_cols);
	dd_error err;
	dd_error_clear(&err);
	bool row = false;
	dd_status rc = db_prepare_cached(db, sql, st, &err);
	if (!rc) {
		db_bind_int64(*st, 1, id);
		db_bind_str(*st, 2, lo);
		db_bind_str(*st, 3, hi);
		rc = db_step(*st, &row, &err);
	}
	if (rc || !row) {
		db_finalize(*st);
		*st = NULL;
		return rc ? fail_store(e, db, rc, &err)
			  : svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该网上申请");
	}
	return SVC_OK;
}

/* The application as JSON (after an audit row when revealed). */
static enum svc_kind render_one(struct db *db, const struct principal *actor, int64_t id, bool reveal,
				struct strbuf *out, struct svc_error *e)
{
	struct db_stmt *st = NULL;
	enum svc_kind k = load_one(db, actor, id, &st, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	if (reveal) {
		char id_text[24];
		snprintf(id_text, sizeof id_text, "%" PRId64, id);
		char region[REGION_TEXT_MAX];
		snprintf(region, sizeof region, "%s", db_column_text(st, 4, NULL));
		db_finalize(st);
		dd_status rc = db_begin(db, &err);
		if (!rc)
			rc = audit_append_region(db, region, actor->username, "online_application.reveal",
						 "online_application", id_text, "{}", &err);
		if (!rc)
			rc = db_commit(db, &err);
		if (rc)
			return fail_store(e, db, rc, &err);
		if ((k = load_one(db, actor, id, &st, e)))
			return k;
	}
	strbuf_addc(out, '{');
	render_row(out, st, reveal);
	strbuf_addc(out, ',');
	add_col(out, "reason", st, 16);
	strbuf_adds(out, ",\"household\":");
	size_t n = 0;
	const char *data = db_column_text(st, 17, &n);
	struct arena a;
	arena_init(&a, 8 * 1024, 8 * 1024 * 1024);
	struct json_value *doc = NULL;
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	if (data && !json_parse(data, n, &a, &lim, &doc, &err))
		json_write_hooked(out, doc, reveal ? NULL : mask_id, NULL);
	else
		strbuf_adds(out, "null");
	/* a children application: the child (ID number masked) */
	data = db_column_is_null(st, 18) ? NULL : db_column_text(st, 18, &n);
	if (data && !json_parse(data, n, &a, &lim, &doc, &err)) {
		strbuf_adds(out, ",\"child\":");
		json_write_hooked(out, doc, reveal ? NULL : mask_id, NULL);
	}
	arena_release(&a);
	strbuf_addc(out, '}');
	db_finalize(st);
	return SVC_OK;
}

enum svc_kind online_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			 struct svc_error *e)
{
	enum svc_kind k = staff_only(actor, e);
	if (!k && reveal)
		k = authz_household_reveal(actor, e);
	if (k)
		return k;
	return render_one(db, actor, id, reveal, out, e);
}

/* The active household that every member's ID number belongs to, when
 * they all belong to the same one inside the actor's scope (0 = none). */
static dd_status household_of_members(struct db *db, const struct principal *actor, const struct household *h,
				      int64_t *hid, dd_error *err)
{
	*hid = 0;
	struct db_stmt *st = NULL;
	dd_status rc = db_prepare_cached(db,
					 "SELECT m.household_id, hh.region_code FROM persons p JOIN memberships m "
					 "ON m.person_id = p.id AND m.to_date IS NULL JOIN households hh "
					 "ON hh.id = m.household_id WHERE p.id_number = $1",
					 &st, err);
	if (rc)
		return rc;
	int64_t same = 0;
	for (size_t i = 0; !rc && i < h->n_members; i++) {
		bool row = false;
		db_reset(st);
		db_bind_str(st, 1, h->members[i].id.text);
		rc = db_step(st, &row, err);
		if (rc)
			break;
		int64_t this_hh = row ? db_column_int64(st, 0) : 0;
		char sig[REGION_TEXT_MAX] = "";
		if (row) {
			size_t n = 0;
			const char *r = db_column_text(st, 1, &n);
			region_significant(r, n, sig);
		}
		if (!this_hh || (same && this_hh != same) || !authz_in_scope(actor, sig)) {
			same = 0;
			break;
		}
		same = this_hh;
	}
	db_finalize(st);
	if (!rc)
		*hid = same;
	return rc;
}

/* The child's part of a children application (text, n: its stored JSON, or
 * NULL) read back into ch (its strings in a), with the child's person id in
 * household hid. */
static enum svc_kind child_of(struct db *db, const char *text, size_t n, struct arena *a, int64_t hid,
			      struct children_application *ch, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct json_value *doc = NULL;
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	dd_status rc = text ? json_parse(text, n, a, &lim, &doc, &err) : DD_OK;
	if (rc) /* stored by online_submit from children_request_json: cannot happen */
		return svc_from_status(e, rc, &err);
	const char *idn = children_request_read(doc, ch);
	if (!idn)
		return svc_fail(e, SVC_CONFLICT, "CHILD_MISSING", "child", "该网上申请缺少申请保障的儿童信息");
	struct db_stmt *st = NULL;
	bool row = false;
	rc = db_prepare(db,
			"SELECT p.id FROM persons p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL "
			"WHERE p.id_number = $1 AND m.household_id = $2",
			0, &st, &err);
	if (!rc) {
		db_bind_str(st, 1, idn);
		db_bind_int64(st, 2, hid);
		rc = db_step(st, &row, &err);
		ch->person_id = !rc && row ? db_column_int64(st, 0) : 0;
		db_finalize(st);
	}
	if (rc)
		return fail_store(e, db, rc, &err);
	if (!ch->person_id)
		return svc_fail(e, SVC_CONFLICT, "CHILD_NOT_IN_HOUSEHOLD", "child.id_number",
				"申请保障的儿童不在受理的家庭中（家庭成员已变更），请核实后办理");
	return SVC_OK;
}

static enum svc_kind accept_tx(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			       const struct online_action *req, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	enum svc_kind k = load_one(db, actor, id, &st, e);
	if (k)
		return k;
	char programme[16], tracking[ONLINE_TRACKING_LEN + 1], household_no[40];
	snprintf(programme, sizeof programme, "%s", db_column_text(st, 2, NULL));
	snprintf(tracking, sizeof tracking, "%s", db_column_text(st, 1, NULL));
	bool pending = strcmp(db_column_text(st, 3, NULL), "submitted") == 0;
	int64_t version = db_column_int64(st, 14);
	size_t n = 0, child_n = 0;
	const char *data_col = db_column_text(st, 17, &n);
	struct arena a;
	arena_init(&a, 16 * 1024, 8 * 1024 * 1024);
	char *data = arena_strndup(&a, data_col, n);
	/* a children application's child (online_children_requests), read with the row */
	const char *child_col = db_column_is_null(st, 18) ? NULL : db_column_text(st, 18, &child_n);
	char *child = child_col ? arena_strndup(&a, child_col, child_n) : NULL;
	db_finalize(st);
	if (!data || (child_col && !child)) {
		arena_release(&a);
		return svc_from_status(e, DD_ENOMEM, NULL);
	}
	if (!pending) {
		arena_release(&a);
		return svc_fail(e, SVC_CONFLICT, "NOT_PENDING", NULL, "该网上申请已办理");
	}
	if (req->version > 0 && req->version != version) {
		arena_release(&a);
		return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "该网上申请已被他人修改，请刷新后重试");
	}
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	struct json_value *doc = NULL;
	struct household h;
	dd_date today = store_today();
	dd_status rc = json_parse(data, n, &a, &lim, &doc, &err);
	if (!rc)
		rc = household_read(doc, &today, &a, &h, &err);
	if (rc) { /* stored by online_submit after the same reader: cannot happen */
		arena_release(&a);
		return svc_from_status(e, rc, &err);
	}

	int64_t hid = 0, case_id = 0;
	bool linked = false;
	if ((rc = db_begin_enclosing(db, &err))) {
		arena_release(&a);
		return fail_store(e, db, rc, &err);
	}
	if ((rc = household_of_members(db, actor, &h, &hid, &err))) {
		k = fail_store(e, db, rc, &err);
		goto out;
	}
	linked = hid > 0;
	if (!linked) {
		snprintf(household_no, sizeof household_no, "WS-%s", tracking);
		struct strbuf scratch;
		strbuf_init(&scratch, 1024);
		struct registry_new rn = {.doc = doc, .household_no = household_no, .id_out = &hid};
		k = registry_create(db, actor, &rn, &scratch, e);
		strbuf_release(&scratch);
		if (k) {
			if (strncmp(e->field, "members", 7) == 0) /* the field inside the household */
				svc_error_prefix(e, "household");
			goto out;
		}
	}
	struct temporary_new t = {
	    .case_kind = req->case_kind ? req->case_kind : "emergency",
	    .cause = req->cause ? req->cause : "other_emergency",
	    .severity = req->severity,
	    .area = area_code(h.area),
	};
	struct children_application ch;
	bool children = strcmp(programme, "children") == 0;
	if (children && (k = child_of(db, child, child_n, &a, hid, &ch, e)))
		goto out;
	struct application_new an = {
	    .household_id = hid,
	    .programme = programme,
	    .commitment = 1,
	    .channel = "online",
	    .note = "网上申请受理",
	    .temporary = strcmp(programme, "temporary") == 0 ? &t : NULL,
	    .children = children ? &ch : NULL,
	};
	if ((k = casework_create(db, env, actor, &an, &case_id, e)))
		goto out;
	/* the verification authorisation the members signed online */
	rc = db_prepare(
	    db,
	    "SELECT s.signers, o.submitted_at FROM online_applications o JOIN online_verification_signers s ON "
	    "s.online_application_id = o.id WHERE o.id = $1",
	    0, &st, &err);
	if (!rc) {
		bool row = false;
		db_bind_int64(st, 1, id);
		rc = db_step(st, &row, &err);
		size_t sn = 0;
		const char *signers = !rc && row ? db_column_text(st, 0, &sn) : NULL;
		char document[64];
		snprintf(document, sizeof document, "网上申请 %s", tracking);
		int signed_n = 0;
		if (signers)
			rc = verification_authorise_online(db, env->policy, actor, hid, case_id, signers, sn,
							   db_column_text(st, 1, NULL), document, &signed_n, &err);
		db_finalize(st);
	}
	if (rc) {
		k = fail_store(e, db, rc, &err);
		goto out;
	}
	char now[STORE_TIME_MAX];
	store_now(now);
	rc = db_prepare(db,
			"UPDATE online_applications SET state = 'accepted', household_id = $2, application_id = $3, "
			"decided_by = $4, decided_at = $5, updated_at = $5, version = version + 1 "
			"WHERE id = $1 AND state = 'submitted'",
			0, &st, &err);
	if (!rc) {
		bool row = false;
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, hid);
		db_bind_int64(st, 3, case_id);
		db_bind_int64(st, 4, actor->id);
		db_bind_str(st, 5, now);
		rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc) {
		char id_text[24], detail[160], region[REGION_TEXT_MAX];
		snprintf(id_text, sizeof id_text, "%" PRId64, id);
		snprintf(region, sizeof region, "%s", h.region_sig);
		snprintf(detail, sizeof detail,
			 "{\"household_id\":%" PRId64 ",\"application_id\":%" PRId64 ",\"linked\":%s}", hid, case_id,
			 linked ? "true" : "false");
		rc = audit_append_region(db, region, actor->username, "online_application.accept", "online_application",
					 id_text, detail, &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		k = fail_store(e, db, rc, &err);
out:
	db_rollback(db); /* harmless after the commit; ends the transaction otherwise */
	arena_release(&a);
	return k;
}

static enum svc_kind reject_tx(struct db *db, const struct principal *actor, int64_t id,
			       const struct online_action *req, struct svc_error *e)
{
	if (!req->note || !*req->note)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "note", "不予受理须填写理由（将告知申请人）");
	if (strlen(req->note) > NOTE_MAX || !svc_text_clean(req->note, NOTE_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NOTE", "note", "理由最多 %d 字节，且不能包含控制字符", NOTE_MAX);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	dd_status rc = db_begin(db, &err);
	if (rc)
		return fail_store(e, db, rc, &err);
	enum svc_kind k = load_one(db, actor, id, &st, e);
	if (k) {
		db_rollback(db);
		return k;
	}
	bool pending = strcmp(db_column_text(st, 3, NULL), "submitted") == 0;
	int64_t version = db_column_int64(st, 14);
	char region[REGION_TEXT_MAX];
	snprintf(region, sizeof region, "%s", db_column_text(st, 4, NULL));
	db_finalize(st);
	if (!pending) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "NOT_PENDING", NULL, "该网上申请已办理");
	}
	if (req->version > 0 && req->version != version) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version", "该网上申请已被他人修改，请刷新后重试");
	}
	char now[STORE_TIME_MAX];
	store_now(now);
	rc = db_prepare(
	    db,
	    "UPDATE online_applications SET state = 'rejected', note = $2, decided_by = $3, decided_at = $4, "
	    "updated_at = $4, version = version + 1 WHERE id = $1 AND state = 'submitted'",
	    0, &st, &err);
	if (!rc) {
		bool row = false;
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, req->note);
		db_bind_int64(st, 3, actor->id);
		db_bind_str(st, 4, now);
		rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (!rc) {
		char id_text[24];
		snprintf(id_text, sizeof id_text, "%" PRId64, id);
		rc = audit_append_region(db, region, actor->username, "online_application.reject", "online_application",
					 id_text, "{}", &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return fail_store(e, db, rc, &err);
	return SVC_OK;
}

enum svc_kind online_act(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			 const struct online_action *req, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = staff_only(actor, e);
	if (k)
		return k;
	if (!req->action)
		return svc_fail(e, SVC_BAD_INPUT, "REQUIRED", "action", "缺少 action（accept 或 reject）");
	if (strcmp(req->action, "accept") == 0) {
		if (actor->role == ROLE_COUNTY)
			return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", "action",
					"网上申请由村（社区）或乡镇（街道）受理");
		k = accept_tx(db, env, actor, id, req, e);
	} else if (strcmp(req->action, "reject") == 0) {
		k = reject_tx(db, actor, id, req, e);
	} else {
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", "action", "action 应为 accept 或 reject");
	}
	if (k)
		return k;
	return render_one(db, actor, id, false, out, e);
}
