/* accounts.c - accounts, logins, sessions and login throttling. */
#include "accounts.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/strbuf.h"
#include "password.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

void accounts_policy_default(struct accounts_policy *p)
{
	p->max_failures = 5;
	p->ip_max_failures = 20;
	p->window = 900;
	p->lock = 900;
	p->idle = 1800;
	p->absolute = 43200;
}

/* The store's time stamp form of now + offset_ms. */
static void time_text(int64_t offset_ms, char out[STORE_TIME_MAX])
{
	store_time_text(store_now_ms() + offset_ms, out);
}

void accounts_token_hash(const char *token, size_t n, char out[SESSION_TOKEN_HEX])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
	sodium_bin2hex(out, SESSION_TOKEN_HEX, h, sizeof h);
}

void accounts_csrf_of(const char *token, char csrf[SESSION_TOKEN_HEX])
{
	/* a keyed hash: the key only separates this use of the token from the
	 * store's hash of it (accounts_token_hash), it is not a secret */
	static const unsigned char key[32] = "doudi csrf token of a session 1";
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), key, sizeof key);
	sodium_bin2hex(csrf, SESSION_TOKEN_HEX, h, sizeof h);
	sodium_memzero(h, sizeof h);
}

static void token_new(char out[SESSION_TOKEN_HEX])
{
	unsigned char b[32];
	randombytes_buf(b, sizeof b);
	sodium_bin2hex(out, SESSION_TOKEN_HEX, b, sizeof b);
	sodium_memzero(b, sizeof b);
}

/* Runs one statement with text parameters (NULL binds NULL). */
static dd_status run_text(struct db *db, const char *sql, const char *const *args, int n, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(db, sql, &st, err);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		db_bind_str(st, i + 1, args[i]);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

/* detail JSON: {"ip":"…","reason":"…"} (either may be NULL). */
static void detail_json(struct strbuf *d, const char *ip, const char *reason, const char *scope)
{
	strbuf_addc(d, '{');
	bool first = true;
	if (ip && *ip) {
		strbuf_adds(d, "\"ip\":");
		strbuf_add_json_string(d, ip, strlen(ip));
		first = false;
	}
	if (reason) {
		strbuf_adds(d, first ? "\"reason\":" : ",\"reason\":");
		strbuf_add_json_string(d, reason, strlen(reason));
		first = false;
	}
	if (scope) {
		strbuf_adds(d, first ? "\"scope\":" : ",\"scope\":");
		strbuf_add_json_string(d, scope, strlen(scope));
	}
	strbuf_addc(d, '}');
}

static dd_status audit_event(struct db *db, const char *region, const char *actor, const char *action, int64_t user_id,
			     const char *ip, const char *reason, const char *scope, dd_error *err)
{
	struct strbuf d;
	char id[24] = "";
	if (user_id > 0)
		snprintf(id, sizeof id, "%lld", (long long)user_id);
	strbuf_init(&d, 96);
	detail_json(&d, ip, reason, scope);
	dd_status rc = d.failed ? dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)")
				: audit_append_region(db, region ? region : "", actor, action, "user", id, d.buf, err);
	strbuf_release(&d);
	return rc;
}

/* Reads the account by user name. *found false when none. The hash is
 * copied into hash (PASSWORD_HASH_MAX). */
static dd_status user_by_name(struct db *db, const char *username, struct principal *u, char *hash, bool *active,
			      bool *found, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*found = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT id, username, name, password_hash, role, region_code, active, office_code FROM users "
	    "WHERE username = $1",
	    &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, username);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		const char *s;
		memset(u, 0, sizeof *u);
		u->id = db_column_int64(st, 0);
		snprintf(u->username, sizeof u->username, "%s", (s = db_column_text(st, 1, NULL)) ? s : "");
		snprintf(u->name, sizeof u->name, "%s", (s = db_column_text(st, 2, NULL)) ? s : "");
		snprintf(hash, PASSWORD_HASH_MAX, "%s", (s = db_column_text(st, 3, NULL)) ? s : "");
		u->role = role_parse(db_column_text(st, 4, NULL));
		*found = principal_set_region(u, db_column_text(st, 5, NULL)) && u->role != ROLE_NONE;
		*active = db_column_int64(st, 6) == 1;
		snprintf(u->office, sizeof u->office, "%s", (s = db_column_text(st, 7, NULL)) ? s : "");
	}
	db_finalize(st);
	return rc;
}

/* Is either key locked now? */
static dd_status throttle_locked(struct db *db, const char *ukey, const char *ikey, const char *now, bool *locked,
				 dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*locked = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT count(*) FROM login_throttle WHERE (throttle_key = $1 OR throttle_key = $2) "
			      "AND locked_until IS NOT NULL AND locked_until > $3",
			      &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, ukey);
	db_bind_str(st, 2, ikey ? ikey : ukey);
	db_bind_str(st, 3, now);
	rc = db_step(st, &row, err);
	if (!rc && row)
		*locked = db_column_int64(st, 0) > 0;
	db_finalize(st);
	return rc;
}

/* Counts one failure of key; *locked_now true when this one locks it. */
static dd_status throttle_fail(struct db *db, const char *key, int limit, const char *now, const char *cutoff,
			       const char *until, bool *locked_now, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*locked_now = false;
	dd_status rc = db_prepare_cached(
	    db,
	    "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL) "
	    "ON CONFLICT (throttle_key) DO UPDATE SET "
	    "failures = CASE WHEN login_throttle.window_start < $3 OR login_throttle.locked_until <= $2 "
	    "THEN 1 ELSE login_throttle.failures + 1 END, "
	    "window_start = CASE WHEN login_throttle.window_start < $3 OR login_throttle.locked_until <= $2 "
	    "THEN $2 ELSE login_throttle.window_start END, "
	    "locked_until = CASE WHEN login_throttle.window_start < $3 OR login_throttle.locked_until <= $2 "
	    "THEN NULL ELSE login_throttle.locked_until END "
	    "RETURNING failures, locked_until",
	    &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, key);
	db_bind_str(st, 2, now);
	db_bind_str(st, 3, cutoff);
	int64_t failures = 0;
	bool already = false;
	rc = db_step(st, &row, err);
	if (!rc && row) {
		failures = db_column_int64(st, 0);
		already = !db_column_is_null(st, 1);
	}
	while (!rc && row)
		rc = db_step(st, &row, err);
	db_finalize(st);
	if (rc || already || failures < limit)
		return rc;
	const char *args[] = {key, until};
	rc = run_text(db, "UPDATE login_throttle SET locked_until = $2 WHERE throttle_key = $1", args, 2, err);
	if (!rc)
		*locked_now = true;
	return rc;
}

/* Records a failed or refused login: counts (unless refused), audits. */
static dd_status login_failed(struct db *db, const struct accounts_policy *pol, const char *ukey, const char *ikey,
			      const struct principal *u, const char *ip, const char *reason, bool count, dd_error *err)
{
	char now[STORE_TIME_MAX], cutoff[STORE_TIME_MAX], until[STORE_TIME_MAX];
	time_text(0, now);
	time_text(-1000LL * pol->window, cutoff);
	time_text(1000LL * pol->lock, until);
	const char *region = u ? u->region : "";
	const char *actor = u ? u->username : "-";
	int64_t id = u ? u->id : 0;
	dd_status rc = db_begin(db, err);
	bool user_locked = false, ip_locked = false;
	if (!rc && count)
		rc = throttle_fail(db, ukey, pol->max_failures, now, cutoff, until, &user_locked, err);
	if (!rc && count && ikey)
		rc = throttle_fail(db, ikey, pol->ip_max_failures, now, cutoff, until, &ip_locked, err);
	if (!rc)
		rc = audit_event(db, region, actor, "auth.login_failed", id, ip, reason, NULL, err);
	if (!rc && user_locked)
		rc = audit_event(db, region, actor, "auth.lockout", id, ip, NULL, "account", err);
	if (!rc && ip_locked)
		rc = audit_event(db, region, actor, "auth.lockout", id, ip, NULL, "ip", err);
	if (!rc)
		rc = db_commit(db, err);
	return rc;
}

static dd_status session_open(struct db *db, const struct accounts_policy *pol, const struct principal *u,
			      const char *ukey, const char *ip, struct session *out, char token[SESSION_TOKEN_HEX],
			      char csrf[SESSION_TOKEN_HEX], dd_error *err)
{
	char now[STORE_TIME_MAX];
	store_now(now);
	time_text(1000LL * pol->absolute, out->expires_at);
	token_new(token);
	accounts_csrf_of(token, csrf);
	accounts_token_hash(token, strlen(token), out->token_hash);
	accounts_token_hash(csrf, strlen(csrf), out->csrf_hash);
	out->user = *u;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)u->id);
	dd_status rc = db_begin(db, err);
	if (!rc) {
		const char *args[] = {ukey};
		rc = run_text(db, "DELETE FROM login_throttle WHERE throttle_key = $1", args, 1, err);
	}
	if (!rc) {
		const char *args[] = {id, now};
		rc = run_text(db, "DELETE FROM sessions WHERE user_id = CAST($1 AS BIGINT) AND expires_at < $2", args,
			      2, err);
	}
	if (!rc) {
		const char *args[] = {id, now};
		rc = run_text(db,
			      "UPDATE users SET last_login_at = $2, failed_logins = 0, locked_until = NULL "
			      "WHERE id = CAST($1 AS BIGINT)",
			      args, 2, err);
	}
	if (!rc) {
		const char *args[] = {out->token_hash, id, out->csrf_hash, now, out->expires_at, ip};
		rc = run_text(db,
			      "INSERT INTO sessions (token_hash, user_id, csrf_hash, created_at, last_seen_at, "
			      "expires_at, ip) VALUES ($1, CAST($2 AS BIGINT), $3, $4, $4, $5, $6)",
			      args, 6, err);
	}
	if (!rc)
		rc = audit_event(db, u->region, u->username, "auth.login", u->id, ip, NULL, NULL, err);
	if (!rc)
		rc = db_commit(db, err);
	return rc;
}

enum svc_kind accounts_login(struct db *db, const struct accounts_policy *pol, const char *username,
			     const char *password, size_t password_len, const char *ip, struct session *out,
			     char token[SESSION_TOKEN_HEX], char csrf[SESSION_TOKEN_HEX], struct svc_error *e)
{
	if (!username || !*username)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_INPUT", "username", "请输入用户名");
	if (!password)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_INPUT", "password", "请输入密码");
	dd_error err;
	dd_error_clear(&err);
	char ukey[PRINCIPAL_USERNAME_MAX + 8], ikey[80];
	bool name_ok = username_valid(username);
	/* an impossible name is still throttled, under one shared key */
	snprintf(ukey, sizeof ukey, "user:%s", name_ok ? username : "\x7f");
	if (ip && *ip)
		snprintf(ikey, sizeof ikey, "ip:%s", ip);
	const char *ik = ip && *ip ? ikey : NULL;

	char now[STORE_TIME_MAX];
	store_now(now);
	bool locked = false;
	dd_status rc = throttle_locked(db, ukey, ik, now, &locked, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);

	struct principal u;
	char hash[PASSWORD_HASH_MAX] = "";
	bool found = false, active = false;
	if (name_ok && (rc = user_by_name(db, username, &u, hash, &active, &found, &err)))
		return svc_store_fail(e, db, rc, &err);
	if (locked) {
		rc = login_failed(db, pol, ukey, ik, found ? &u : NULL, ip, "locked", false, &err);
		sodium_memzero(hash, sizeof hash);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
		return svc_fail(e, SVC_TOO_MANY, "TOO_MANY_ATTEMPTS", NULL,
				"登录失败次数过多，账户已暂时锁定，请 %d 分钟后再试", (pol->lock + 59) / 60);
	}
	bool ok = false;
	if (found && password_len <= PASSWORD_MAX_BYTES)
		ok = password_verify(hash, password, password_len);
	else
		password_verify_dummy(password, password_len > PASSWORD_MAX_BYTES ? PASSWORD_MAX_BYTES : password_len);
	sodium_memzero(hash, sizeof hash);
	if (!ok || !active) {
		const char *reason = !found ? "unknown_user" : !ok ? "bad_password" : "inactive";
		rc = login_failed(db, pol, ukey, ik, found ? &u : NULL, ip, reason, true, &err);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
		return svc_fail(e, SVC_UNAUTHENTICATED, "BAD_CREDENTIALS", NULL, "用户名或密码错误");
	}
	rc = session_open(db, pol, &u, ukey, ip, out, token, csrf, &err);
	if (rc) {
		sodium_memzero(token, SESSION_TOKEN_HEX);
		sodium_memzero(csrf, SESSION_TOKEN_HEX);
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

enum svc_kind accounts_principal(struct db *db, const char *username, struct principal *out, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	char hash[PASSWORD_HASH_MAX];
	bool found = false, active = false;
	if (username && username_valid(username)) {
		dd_status rc = user_by_name(db, username, out, hash, &active, &found, &err);
		sodium_memzero(hash, sizeof hash);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
	}
	if (!found || !active)
		return svc_fail(e, SVC_NOT_FOUND, "UNKNOWN_USER", "--as", "没有这个启用的账户");
	return SVC_OK;
}

static bool is_token(const char *s)
{
	if (!s || strlen(s) != SESSION_TOKEN_HEX - 1)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* --- the per-thread session cache ---
 *
 * A request's session check is one indexed read, but at tens of thousands of
 * requests a second that read (and the read transaction around it) is a large
 * share of a small request. Each thread keeps the sessions it has checked
 * during the last SESSION_CACHE_MS. An entry is used only while:
 *   - it is younger than SESSION_CACHE_MS,
 *   - no logout has happened in this process since it was read (a logout
 *     bumps session_generation, so it takes effect at once everywhere here),
 *   - the absolute and idle expiry still allow it, and the idle clock does not
 *     need refreshing (then the store is asked, and the row updated).
 * Changes made by another process (another server on the same PostgreSQL
 * database, the CLI) are seen within SESSION_CACHE_MS. */
#define SESSION_CACHE_MS 1000
#define SESSION_CACHE_SLOTS 64

struct session_slot {
	struct session s;
	char last_seen[STORE_TIME_MAX];
	int64_t fetched_ms;
	unsigned generation;
	bool used;
};

static atomic_uint session_generation;
static _Thread_local struct session_slot session_cache[SESSION_CACHE_SLOTS];

static struct session_slot *session_slot_of(const char *token_hash)
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(token_hash[i] <= '9' ? token_hash[i] - '0' : token_hash[i] - 'a' + 10);
	return &session_cache[h % SESSION_CACHE_SLOTS];
}

void accounts_session_cache_drop(void)
{
	atomic_fetch_add(&session_generation, 1);
}

static bool session_cached(const char *token_hash, const char *now, const char *idle_cut, const char *touch_cut,
			   int64_t now_ms, struct session *out)
{
	struct session_slot *e = session_slot_of(token_hash);
	if (!e->used || strcmp(e->s.token_hash, token_hash) != 0 || now_ms - e->fetched_ms >= SESSION_CACHE_MS ||
	    now_ms < e->fetched_ms || e->generation != atomic_load(&session_generation))
		return false;
	if (strcmp(e->s.expires_at, now) <= 0 || strcmp(e->last_seen, idle_cut) < 0 ||
	    strcmp(e->last_seen, touch_cut) < 0)
		return false;
	*out = e->s;
	return true;
}

static void session_remember(const struct session *s, const char *last_seen, int64_t fetched_ms, unsigned generation)
{
	struct session_slot *e = session_slot_of(s->token_hash);
	e->s = *s;
	snprintf(e->last_seen, sizeof e->last_seen, "%s", last_seen);
	e->fetched_ms = fetched_ms;
	e->generation = generation;
	e->used = true;
}

enum svc_kind accounts_session(struct db *db, const struct accounts_policy *pol, const char *token, struct session *out,
			       struct svc_error *e)
{
	if (!is_token(token))
		return svc_fail(e, SVC_UNAUTHENTICATED, "NOT_LOGGED_IN", NULL, "请先登录");
	memset(out, 0, sizeof *out);
	accounts_token_hash(token, strlen(token), out->token_hash);
	int64_t now_ms = store_now_ms();
	char now[STORE_TIME_MAX], idle_cut[STORE_TIME_MAX], touch_cut[STORE_TIME_MAX];
	store_time_text(now_ms, now);
	store_time_text(now_ms - 1000LL * pol->idle, idle_cut);
	/* refresh the idle clock at most once a minute (a quarter of a short idle time) */
	store_time_text(now_ms + (pol->idle < 240 ? -250LL * pol->idle : -60000), touch_cut);
	if (session_cached(out->token_hash, now, idle_cut, touch_cut, now_ms, out))
		return SVC_OK;
	unsigned generation = atomic_load(&session_generation); /* before the read: see session_cached */
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false, found = false, active = false;
	char last_seen[STORE_TIME_MAX] = "";
	dd_status rc = db_prepare_cached(
	    db,
	    "SELECT s.csrf_hash, s.last_seen_at, s.expires_at, u.id, u.username, u.name, "
	    "u.role, u.region_code, u.active, u.office_code FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.token_hash = $1",
	    &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, out->token_hash);
	rc = db_step(st, &row, &err);
	if (!rc && row) {
		const char *s;
		struct principal *u = &out->user;
		snprintf(out->csrf_hash, sizeof out->csrf_hash, "%s", (s = db_column_text(st, 0, NULL)) ? s : "");
		snprintf(last_seen, sizeof last_seen, "%s", (s = db_column_text(st, 1, NULL)) ? s : "");
		snprintf(out->expires_at, sizeof out->expires_at, "%s", (s = db_column_text(st, 2, NULL)) ? s : "");
		u->id = db_column_int64(st, 3);
		snprintf(u->username, sizeof u->username, "%s", (s = db_column_text(st, 4, NULL)) ? s : "");
		snprintf(u->name, sizeof u->name, "%s", (s = db_column_text(st, 5, NULL)) ? s : "");
		u->role = role_parse(db_column_text(st, 6, NULL));
		found = principal_set_region(u, db_column_text(st, 7, NULL)) && u->role != ROLE_NONE;
		active = db_column_int64(st, 8) == 1;
		snprintf(u->office, sizeof u->office, "%s", (s = db_column_text(st, 9, NULL)) ? s : "");
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!found)
		return svc_fail(e, SVC_UNAUTHENTICATED, "NOT_LOGGED_IN", NULL, "请先登录");
	if (!active || strcmp(out->expires_at, now) <= 0 || strcmp(last_seen, idle_cut) < 0) {
		const char *args[] = {out->token_hash};
		if (run_text(db, "DELETE FROM sessions WHERE token_hash = $1", args, 1, &err))
			db_rollback(db);
		return svc_fail(e, SVC_UNAUTHENTICATED, "SESSION_EXPIRED", NULL, "登录已过期，请重新登录");
	}
	if (strcmp(last_seen, touch_cut) < 0) {
		const char *args[] = {out->token_hash, now};
		if ((rc = run_text(db, "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", args, 2, &err)))
			return svc_store_fail(e, db, rc, &err);
		snprintf(last_seen, sizeof last_seen, "%s", now);
	}
	session_remember(out, last_seen, now_ms, generation);
	return SVC_OK;
}

bool accounts_csrf_ok(const struct session *s, const char *csrf)
{
	if (!is_token(csrf) || strlen(s->csrf_hash) != SESSION_TOKEN_HEX - 1)
		return false;
	char h[SESSION_TOKEN_HEX];
	accounts_token_hash(csrf, strlen(csrf), h);
	return sodium_memcmp(h, s->csrf_hash, SESSION_TOKEN_HEX - 1) == 0;
}

enum svc_kind accounts_logout(struct db *db, const struct session *s, const char *ip, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin(db, &err);
	if (!rc) {
		const char *args[] = {s->token_hash};
		rc = run_text(db, "DELETE FROM sessions WHERE token_hash = $1", args, 1, &err);
	}
	if (!rc)
		rc = audit_event(db, s->user.region, s->user.username, "auth.logout", s->user.id, ip, NULL, NULL, &err);
	if (!rc)
		rc = db_commit(db, &err);
	accounts_session_cache_drop(); /* after the commit: no thread keeps it, whatever happened */
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

bool office_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > OFFICE_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_'))
			return false;
	}
	return true;
}

enum svc_kind accounts_create(struct db *db, const struct principal *actor, const struct account_new *req,
			      struct principal *created, struct svc_error *e)
{
	enum svc_kind k = authz_user_manage(actor, e);
	if (k)
		return k;
	if (!req->username)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "username", "缺少用户名");
	if (!username_valid(req->username))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_USERNAME", "username",
				"用户名须为 1-%d 字节，不含空白、引号、反斜杠和控制字符", USERNAME_MAX);
	if (!req->role)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "role", "缺少角色");
	enum role role = role_parse(req->role);
	if (role == ROLE_NONE)
		return svc_fail(
		    e, SVC_BAD_INPUT, "BAD_ROLE", "role",
		    "角色无效，应为 village、township、county、finance、city、auditor、admin、department、child_director 或 child_supervisor");
	if (role == ROLE_DEPARTMENT && (!req->office || !*req->office))
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "office_code",
				"部门经办人账户须指定所属部门（office_code）");
	if (role != ROLE_DEPARTMENT && req->office)
		return svc_fail(e, SVC_BAD_INPUT, "OFFICE_NOT_ALLOWED", "office_code",
				"只有部门经办人账户属于某个部门");
	if (req->office && !office_code_valid(req->office))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_OFFICE_CODE", "office_code",
				"部门代码应为 1-%d 个字母、数字、连字符或下划线", OFFICE_CODE_MAX);
	if (!req->region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少地区代码");
	size_t rn = strlen(req->region);
	char sig[REGION_TEXT_MAX];
	if ((rn != 6 && rn != 9 && rn != 12) || region_parse(req->region, rn, 6, sig, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码应为 6、9 或 12 位数字");
	const char *name = req->name ? req->name : "";
	if (!svc_text_clean(name, PRINCIPAL_NAME_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NAME", "name", "姓名最多 %d 字节，且不能包含控制字符",
				PRINCIPAL_NAME_MAX);
	if (!req->password)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "password", "缺少密码");
	dd_error err;
	dd_error_clear(&err);
	if (password_rules_check(req->username, req->password, req->password_len, &err))
		return svc_fail(e, SVC_BAD_INPUT, "WEAK_PASSWORD", "password", "%s", err.message);
	if ((k = authz_user_create(actor, role, sig, e)))
		return k;

	char hash[PASSWORD_HASH_MAX];
	dd_status rc = password_hash(req->password, req->password_len, hash, &err);
	if (rc)
		return svc_from_status(e, DD_ENOMEM, &err);
	char now[STORE_TIME_MAX], id_text[24];
	store_now(now);
	int64_t id = 0;
	rc = db_begin(db, &err);
	if (!rc && req->office) {
		int64_t known = 0;
		const char *sql = "SELECT count(*) FROM referral_offices WHERE code = $1 AND active = 1";
		struct db_stmt *st;
		bool row = false;
		rc = db_prepare_cached(db, sql, &st, &err);
		if (!rc) {
			db_bind_str(st, 1, req->office);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				known = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc && !known) {
			sodium_memzero(hash, sizeof hash);
			db_rollback(db);
			return svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_OFFICE", "office_code", "部门 %s 不存在或已停用",
					req->office);
		}
	}
	if (!rc) {
		struct db_stmt *st;
		bool row = false;
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO users (username, name, password_hash, role, region_code, "
		    "password_changed_at, created_at, updated_at, office_code) VALUES ($1, $2, $3, $4, $5, $6, $6, "
		    "$6, $7) RETURNING id",
		    &st, &err);
		if (!rc) {
			db_bind_str(st, 1, req->username);
			db_bind_str(st, 2, name);
			db_bind_str(st, 3, hash);
			db_bind_str(st, 4, role_name(role));
			db_bind_str(st, 5, req->region);
			db_bind_str(st, 6, now);
			if (req->office)
				db_bind_str(st, 7, req->office);
			else
				db_bind_null(st, 7);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				id = db_column_int64(st, 0);
			while (!rc && row)
				rc = db_step(st, &row, &err);
			db_finalize(st);
		}
	}
	sodium_memzero(hash, sizeof hash);
	if (rc && db_last_fault(db) == DB_FAULT_UNIQUE) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "USERNAME_TAKEN", "username", "用户名已被使用");
	}
	if (!rc) {
		struct strbuf d;
		strbuf_init(&d, 128);
		strbuf_adds(&d, "{\"username\":");
		strbuf_add_json_string(&d, req->username, strlen(req->username));
		strbuf_addf(&d, ",\"role\":\"%s\",\"region\":\"%s\"", role_name(role), req->region);
		if (req->office)
			strbuf_addf(&d, ",\"office_code\":\"%s\"", req->office);
		strbuf_addc(&d, '}');
		snprintf(id_text, sizeof id_text, "%lld", (long long)id);
		rc = d.failed ? dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)")
			      : audit_append_region(db, req->region, actor->username, "user.create", "user", id_text,
						    d.buf, &err);
		strbuf_release(&d);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (created) {
		memset(created, 0, sizeof *created);
		created->id = id;
		snprintf(created->username, sizeof created->username, "%s", req->username);
		snprintf(created->name, sizeof created->name, "%s", name);
		created->role = role;
		principal_set_region(created, req->region);
		snprintf(created->office, sizeof created->office, "%s", req->office ? req->office : "");
	}
	return SVC_OK;
}
