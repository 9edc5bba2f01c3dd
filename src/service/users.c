/* users.c - account administration: the list and changes to one account. */
#include "users.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "accounts.h"
#include "password.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

#define USER_COLS                                                                                                      \
	"u.id, u.username, u.name, u.role, u.region_code, r.name, u.active, t.locked_until, u.created_at, "            \
	"u.office_code"
#define USER_FROM                                                                                                      \
	" FROM users u LEFT JOIN regions r ON r.code = u.region_code LEFT JOIN login_throttle t ON "                   \
	"t.throttle_key = 'user:' || u.username AND t.locked_until > $1"

static void add_text(struct strbuf *b, const char *s)
{
	if (s && *s)
		strbuf_add_json_string(b, s, strlen(s));
	else
		strbuf_adds(b, "null");
}

/* One row of USER_COLS as the user object. */
static void add_user_row(struct strbuf *b, struct db_stmt *st)
{
	const char *name = db_column_text(st, 2, NULL);
	strbuf_addf(b, "{\"id\":%lld,\"username\":", (long long)db_column_int64(st, 0));
	add_text(b, db_column_text(st, 1, NULL));
	strbuf_adds(b, ",\"name\":");
	strbuf_add_json_string(b, name ? name : "", name ? strlen(name) : 0);
	strbuf_adds(b, ",\"role\":");
	add_text(b, db_column_text(st, 3, NULL));
	strbuf_adds(b, ",\"region\":");
	add_text(b, db_column_text(st, 4, NULL));
	strbuf_adds(b, ",\"region_name\":");
	add_text(b, db_column_text(st, 5, NULL));
	strbuf_addf(b, ",\"disabled\":%s,\"locked_until\":", db_column_int64(st, 6) == 1 ? "false" : "true");
	add_text(b, db_column_text(st, 7, NULL));
	strbuf_adds(b, ",\"created_at\":");
	add_text(b, db_column_text(st, 8, NULL));
	strbuf_adds(b, ",\"office_code\":");
	add_text(b, db_column_text(st, 9, NULL));
	strbuf_addc(b, '}');
}

/* %q% for LIKE … ESCAPE '\', lower-cased when lower (ASCII). */
static void like_pattern(const char *q, bool lower, char *out, size_t cap)
{
	size_t n = 0;
	out[n++] = '%';
	for (const char *p = q; *p && n + 3 < cap; p++) {
		char ch = *p;
		if (ch == '%' || ch == '_' || ch == '\\')
			out[n++] = '\\';
		if (lower && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		out[n++] = ch;
	}
	out[n++] = '%';
	out[n] = '\0';
}

enum svc_kind users_list(struct db *db, const struct principal *actor, const char *q, int64_t page, int64_t per_page,
			 struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_user_manage(actor, e);
	if (k)
		return k;
	if ((k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	if (!q)
		q = "";
	if (strlen(q) > USERS_Q_MAX || !svc_text_clean(q, USERS_Q_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", "q", "搜索内容最多 %d 字节", USERS_Q_MAX);
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX];
	char pat_user[2 * USERS_Q_MAX + 4], pat_name[2 * USERS_Q_MAX + 4];
	store_region_range(actor->scope, lo, hi);
	store_now(now);
	like_pattern(q, true, pat_user, sizeof pat_user);
	like_pattern(q, false, pat_name, sizeof pat_name);
	static const char where[] = " WHERE u.region_code >= $2 AND u.region_code < $3 AND (CAST($4 AS TEXT) = '' "
				    "OR lower(u.username) LIKE $5 ESCAPE '\\' OR u.name LIKE $6 ESCAPE '\\')";
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_begin_read(db, &err);
	for (int pass = 0; !rc && pass < 2; pass++) {
		char sql[1024];
		if (pass == 0)
			snprintf(sql, sizeof sql, "SELECT count(*)" USER_FROM "%s", where);
		else
			snprintf(sql, sizeof sql,
				 "SELECT " USER_COLS USER_FROM "%s ORDER BY u.username LIMIT $7 OFFSET $8", where);
		if ((rc = db_prepare_cached(db, sql, &st, &err)))
			break;
		db_bind_str(st, 1, now);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		db_bind_str(st, 4, q);
		db_bind_str(st, 5, pat_user);
		db_bind_str(st, 6, pat_name);
		if (pass == 0) {
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
			continue;
		}
		db_bind_int64(st, 7, per_page);
		db_bind_int64(st, 8, (page - 1) * per_page);
		strbuf_adds(out, "{\"items\":[");
		for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
			if (n)
				strbuf_addc(out, ',');
			add_user_row(out, st);
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

/* The account as it is: for the checks. */
struct target {
	char username[PRINCIPAL_USERNAME_MAX + 1];
	enum role role;
	char region[REGION_TEXT_MAX], sig[REGION_TEXT_MAX];
	bool active;
};

static dd_status target_load(struct db *db, int64_t id, struct target *t, bool *found, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*found = false;
	dd_status rc =
	    db_prepare_cached(db, "SELECT username, role, region_code, active FROM users WHERE id = $1", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		const char *u = db_column_text(st, 0, NULL), *r = db_column_text(st, 2, NULL);
		snprintf(t->username, sizeof t->username, "%s", u ? u : "");
		t->role = role_parse(db_column_text(st, 1, NULL));
		snprintf(t->region, sizeof t->region, "%s", r ? r : "");
		size_t n = strlen(t->region);
		*found = n >= 6 && n <= REGION_MAX && region_parse(t->region, n, 6, t->sig, NULL) == DD_OK;
		t->active = db_column_int64(st, 3) == 1;
	}
	db_finalize(st);
	return rc;
}

/* Runs one statement with text parameters and the id as the last one. */
static dd_status run(struct db *db, const char *sql, const char *const *args, int n, int64_t id, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(db, sql, &st, err);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		db_bind_str(st, i + 1, args[i]);
	db_bind_int64(st, n + 1, id);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

static enum svc_kind check_change(const struct principal *actor, int64_t id, const struct target *t,
				  const struct user_change *req, enum role *role, char region_sig[REGION_TEXT_MAX],
				  struct svc_error *e)
{
	bool self = actor->id == id;
	/* who may touch this account at all: its current role and region */
	if (!authz_in_scope(actor, t->sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "账户不存在或不在您的辖区内");
	enum svc_kind k = authz_user_create(actor, t->role, t->sig, e);
	if (k)
		return k;
	*role = t->role;
	snprintf(region_sig, REGION_TEXT_MAX, "%s", t->sig);
	if (req->name && !svc_text_clean(req->name, PRINCIPAL_NAME_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NAME", "name", "姓名最多 %d 字节，且不能包含控制字符",
				PRINCIPAL_NAME_MAX);
	if (req->role) {
		*role = role_parse(req->role);
		if (*role == ROLE_NONE)
			return svc_fail(
			    e, SVC_BAD_INPUT, "BAD_ROLE", "role",
			    "角色无效，应为 village、township、county、finance、city、auditor、admin、department、child_director 或 child_supervisor");
		/* a department user's office is set when it is created */
		if ((*role == ROLE_DEPARTMENT) != (t->role == ROLE_DEPARTMENT))
			return svc_fail(e, SVC_BAD_INPUT, "ROLE_CHANGE_NOT_ALLOWED", "role",
					"部门经办人账户不能与其他角色互相转换，请另建账户");
	}
	if (req->region) {
		size_t rn = strlen(req->region);
		if ((rn != 6 && rn != 9 && rn != 12) || region_parse(req->region, rn, 6, region_sig, NULL) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码应为 6、9 或 12 位数字");
	}
	if (req->password) {
		dd_error err;
		dd_error_clear(&err);
		if (password_rules_check(t->username, req->password, req->password_len, &err))
			return svc_fail(e, SVC_BAD_INPUT, "WEAK_PASSWORD", "password", "%s", err.message);
	}
	if (self && req->disabled == 1)
		return svc_fail(e, SVC_FORBIDDEN, "SELF_CHANGE", "disabled", "不能停用自己的账户");
	if (self && *role != t->role)
		return svc_fail(e, SVC_FORBIDDEN, "SELF_CHANGE", "role", "不能更改自己的角色");
	if (self && strcmp(region_sig, t->sig) != 0)
		return svc_fail(e, SVC_FORBIDDEN, "SELF_CHANGE", "region", "不能更改自己的地区");
	/* the account as it will be: the same rules as a new one */
	return authz_user_create(actor, *role, region_sig, e);
}

enum svc_kind users_update(struct db *db, const struct principal *actor, int64_t id, const struct user_change *req,
			   struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_user_manage(actor, e);
	if (k)
		return k;
	if (!req->name && !req->role && !req->region && req->disabled < 0 && !req->password && !req->unlock)
		return svc_fail(e, SVC_BAD_INPUT, "EMPTY_CHANGE", "$",
				"请至少给出一项修改：name、role、region、disabled、password 或 unlock");
	char hash[PASSWORD_HASH_MAX] = "";
	dd_error err;
	dd_error_clear(&err);
	struct target t;
	bool found = false;
	/* the checks first (reading), the password hash outside any transaction */
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = target_load(db, id, &t, &found, &err);
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "账户不存在或不在您的辖区内");
	enum role role = ROLE_NONE;
	char sig[REGION_TEXT_MAX] = "";
	if ((k = check_change(actor, id, &t, req, &role, sig, e)))
		return k;
	if (req->password && (rc = password_hash(req->password, req->password_len, hash, &err)))
		return svc_from_status(e, DD_ENOMEM, &err);

	char now[STORE_TIME_MAX], id_text[24];
	store_now(now);
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	rc = db_begin(db, &err);
	/* re-read inside the transaction: the checks hold for what is changed */
	struct target t2;
	if (!rc)
		rc = target_load(db, id, &t2, &found, &err);
	if (!rc && (!found || t2.role != t.role || strcmp(t2.sig, t.sig) != 0)) {
		db_rollback(db);
		sodium_memzero(hash, sizeof hash);
		return svc_fail(e, SVC_CONFLICT, "STALE", NULL, "账户刚被他人修改，请刷新后重试");
	}
	struct strbuf d;
	strbuf_init(&d, 256);
	strbuf_adds(&d, "{\"changed\":[");
	int nchg = 0;
#define CHANGED(f) strbuf_addf(&d, "%s\"%s\"", nchg++ ? "," : "", f)
	if (!rc && req->name) {
		const char *a[] = {req->name, now};
		rc = run(db, "UPDATE users SET name = $1, updated_at = $2, version = version + 1 WHERE id = $3", a, 2,
			 id, &err);
		CHANGED("name");
	}
	if (!rc && req->role) {
		const char *a[] = {role_name(role), now};
		rc = run(db, "UPDATE users SET role = $1, updated_at = $2, version = version + 1 WHERE id = $3", a, 2,
			 id, &err);
		CHANGED("role");
	}
	if (!rc && req->region) {
		const char *a[] = {req->region, now};
		rc = run(db, "UPDATE users SET region_code = $1, updated_at = $2, version = version + 1 WHERE id = $3",
			 a, 2, id, &err);
		CHANGED("region");
	}
	bool end_sessions = false;
	if (!rc && req->disabled >= 0) {
		const char *a[] = {req->disabled ? "0" : "1", now};
		rc = run(db,
			 "UPDATE users SET active = CAST($1 AS INTEGER), updated_at = $2, version = version + 1 "
			 "WHERE id = $3",
			 a, 2, id, &err);
		CHANGED("disabled");
		end_sessions = end_sessions || req->disabled == 1;
	}
	if (!rc && req->password) {
		const char *a[] = {hash, now};
		rc = run(db,
			 "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2, "
			 "version = version + 1 WHERE id = $3",
			 a, 2, id, &err);
		CHANGED("password");
		end_sessions = true;
	}
	sodium_memzero(hash, sizeof hash);
	if (!rc && req->unlock) {
		char key[PRINCIPAL_USERNAME_MAX + 8];
		snprintf(key, sizeof key, "user:%s", t.username);
		struct db_stmt *st;
		rc = db_prepare_cached(db, "DELETE FROM login_throttle WHERE throttle_key = $1", &st, &err);
		if (!rc) {
			db_bind_str(st, 1, key);
			rc = db_run(st, &err);
			db_finalize(st);
		}
		if (!rc)
			rc = run(db, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", NULL, 0,
				 id, &err);
		CHANGED("unlock");
	}
	if (!rc && end_sessions)
		rc = run(db, "DELETE FROM sessions WHERE user_id = $1", NULL, 0, id, &err);
#undef CHANGED
	strbuf_addf(&d, "],\"role\":\"%s\",\"region\":", role_name(role));
	add_text(&d, req->region ? req->region : t.region);
	if (req->disabled >= 0)
		strbuf_addf(&d, ",\"disabled\":%s", req->disabled ? "true" : "false");
	strbuf_addf(&d, ",\"sessions_ended\":%s}", end_sessions ? "true" : "false");
	if (!rc)
		rc = d.failed ? dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)")
			      : audit_append_region(db, req->region ? req->region : t.region, actor->username,
						    "user.update", "user", id_text, d.buf, &err);
	strbuf_release(&d);
	/* the answer: the account as it now is */
	struct db_stmt *st;
	bool row = false;
	if (!rc)
		rc = db_prepare_cached(db, "SELECT " USER_COLS USER_FROM " WHERE u.id = $2", &st, &err);
	if (!rc) {
		db_bind_str(st, 1, now);
		db_bind_int64(st, 2, id);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			add_user_row(out, st);
		db_finalize(st);
	}
	if (!rc)
		rc = db_commit(db, &err);
	accounts_session_cache_drop(); /* the account's sessions read it afresh */
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}
