/* accounts.h - staff accounts, logins and sessions over the store.
 *
 * Login: a user name and password checked against the argon2id hash
 * (password.h). Failed logins are counted per user name and per source
 * address in login_throttle (schema/003): after max_failures failures of a
 * name (ip_max_failures of an address) within window seconds, that name
 * (address) is refused with SVC_TOO_MANY until lock seconds have passed.
 * Every login, logout, failed login, refusal and lockout is audited.
 *
 * Sessions: the cookie token is 32 random bytes (hex); the CSRF token is
 * derived from it (accounts_csrf_of: a keyed BLAKE2b-256, one-way), so GET
 * /api/v1/me can give a reloaded page the token of its cookie's session
 * again; the store keeps only the BLAKE2b-256 hashes of both. A session ends after
 * idle seconds without a request or absolute seconds after login, whichever
 * comes first, or at logout.
 *
 * Every permission and region check is made here (through authz.h), so the
 * HTTP layer and the CLI only translate requests into these calls. */
#ifndef DD_SERVICE_ACCOUNTS_H
#define DD_SERVICE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "svc.h"

struct db;

struct accounts_policy {
	int max_failures;    /* failed logins of one user name before it is locked (5) */
	int ip_max_failures; /* failed logins from one address before it is locked (20) */
	int window;	     /* seconds in which failures are counted (900) */
	int lock;	     /* seconds a lock lasts (900) */
	int idle;	     /* session idle expiry, seconds (1800) */
	int absolute;	     /* session absolute expiry, seconds (43200) */
};
void accounts_policy_default(struct accounts_policy *p);

#define SESSION_TOKEN_HEX 65 /* 64 hex digits and NUL */

struct session {
	struct principal user;
	char token_hash[SESSION_TOKEN_HEX];
	char csrf_hash[SESSION_TOKEN_HEX];
	char expires_at[32];
};

/* Checks the pair and opens a session: *user gets the account, token and
 * csrf the new tokens (to give to the client once). ip may be NULL.
 * SVC_UNAUTHENTICATED (code BAD_CREDENTIALS, the same for an unknown name,
 * a wrong password and a disabled account), SVC_TOO_MANY (TOO_MANY_ATTEMPTS). */
enum svc_kind accounts_login(struct db *db, const struct accounts_policy *pol, const char *username,
			     const char *password, size_t password_len, const char *ip, struct session *out,
			     char token[SESSION_TOKEN_HEX], char csrf[SESSION_TOKEN_HEX], struct svc_error *e);

/* The live session of a cookie token (NULL or malformed: none). Refreshes
 * its idle clock. SVC_UNAUTHENTICATED (NOT_LOGGED_IN / SESSION_EXPIRED). */
enum svc_kind accounts_session(struct db *db, const struct accounts_policy *pol, const char *token, struct session *out,
			       struct svc_error *e);

/* The CSRF token of the session whose cookie token is token (64 hex
 * digits): what login answered. */
void accounts_csrf_of(const char *token, char csrf[SESSION_TOKEN_HEX]);

/* True when csrf (the X-CSRF-Token header, may be NULL) is the session's. */
bool accounts_csrf_ok(const struct session *s, const char *csrf);

/* Forgets every session the threads of this process have cached (see
 * accounts_session): called by anything that ends or changes sessions or
 * accounts, so the change takes effect at once in this process. */
void accounts_session_cache_drop(void);

/* Ends the session (audited). */
enum svc_kind accounts_logout(struct db *db, const struct session *s, const char *ip, struct svc_error *e);

/* A new account. Fields may be NULL (missing); name may be NULL or "". */
struct account_new {
	const char *username;
	const char *password;
	size_t password_len;
	const char *role;
	const char *region;
	const char *name;
	const char *office; /* office_code: required for role department, refused for the others */
};

/* Is s a well-formed office code (1-OFFICE_CODE_MAX letters, digits, '-', '_')? */
bool office_code_valid(const char *s);

/* Creates an account as actor: SVC_FORBIDDEN when actor may not manage
 * accounts or not this role/region (authz_user_create), SVC_BAD_INPUT naming
 * the field, SVC_CONFLICT (USERNAME_TAKEN). *created (may be NULL) gets it. */
enum svc_kind accounts_create(struct db *db, const struct principal *actor, const struct account_new *req,
			      struct principal *created, struct svc_error *e);

/* The active account named username, as a principal (for the CLI, which
 * acts as a named account and so obeys the same checks). SVC_NOT_FOUND
 * (code UNKNOWN_USER) when there is none or it is disabled. */
enum svc_kind accounts_principal(struct db *db, const char *username, struct principal *out, struct svc_error *e);

/* Token hashing (BLAKE2b-256, hex), exposed for tests. */
void accounts_token_hash(const char *token, size_t n, char out[SESSION_TOKEN_HEX]);

#endif
