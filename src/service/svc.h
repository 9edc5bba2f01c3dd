/* svc.h - how a service call says no: a kind that the HTTP layer maps to a
 * status (and the CLI to an exit code), a stable English code for programs,
 * the JSON path at fault and a message in Chinese for people.
 *
 * Messages never hold personal data (no names, ID numbers or passwords). */
#ifndef DD_SERVICE_SVC_H
#define DD_SERVICE_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "core/strbuf.h"

enum svc_kind {
	SVC_OK = 0,
	SVC_BAD_INPUT,	     /* 400 */
	SVC_UNAUTHENTICATED, /* 401 */
	SVC_FORBIDDEN,	     /* 403 */
	SVC_NOT_FOUND,	     /* 404, also for records outside the caller's region */
	SVC_CONFLICT,	     /* 409 */
	SVC_RULE,	     /* 422 */
	SVC_TOO_MANY,	     /* 429 */
	SVC_UNAVAILABLE,     /* 503: the store does not answer */
	SVC_INTERNAL,	     /* 500 */
};

#define SVC_CODE_MAX 40

struct svc_error {
	enum svc_kind kind;
	char code[SVC_CODE_MAX];
	char field[DD_FIELD_MAX];
	char message[DD_MESSAGE_MAX];
};

void svc_error_clear(struct svc_error *e);
/* Prefixes e->field with prefix ("child" + "." + "facts"), as dd_error_prefix. */
void svc_error_prefix(struct svc_error *e, const char *prefix);
/* Fills e (when not NULL) and returns kind. field may be NULL (none). */
enum svc_kind svc_fail(struct svc_error *e, enum svc_kind kind, const char *code, const char *field, const char *fmt,
		       ...) DD_PRINTF(5, 6);
/* A failed store or library call: DD_EINVAL/DD_ELIMIT/DD_ERANGE become
 * BAD_INPUT with err's field and message; the rest become INTERNAL with a
 * generic message. */
enum svc_kind svc_from_status(struct svc_error *e, dd_status rc, const dd_error *err);
struct db;
/* A failed store call: rolls back the open transaction; SVC_UNAVAILABLE
 * when the connection is gone, SVC_CONFLICT (BUSY: try again) when the
 * store was locked or the transaction lost a serialization race, else
 * svc_from_status (a store DD_EINVAL is not the client's fault: INTERNAL). */
enum svc_kind svc_store_fail(struct svc_error *e, struct db *db, dd_status rc, const dd_error *err);
/* The bounds of every list page (HTTP query_page and the services):
 * page 1..SVC_PAGE_MAX, per_page 1..SVC_PER_PAGE_MAX, per_page
 * SVC_PER_PAGE_DEFAULT when not given. */
#define SVC_PAGE_MAX 1000000000LL
#define SVC_PER_PAGE_MAX 500
#define SVC_PER_PAGE_DEFAULT 50
/* A list page: page 1..SVC_PAGE_MAX, per_page 1..max (max ≤
 * SVC_PER_PAGE_MAX); SVC_BAD_INPUT (BAD_PAGE) naming the one at fault. */
enum svc_kind svc_page_check(int64_t page, int64_t per_page, int64_t max, struct svc_error *e);
/* True when s has at most max bytes and no control characters (names,
 * numbers and addresses people type). */
bool svc_text_clean(const char *s, size_t max);
struct db_stmt;
/* A further member of an object being written from a row: ,"key":1234, or
 * null when column col is NULL (an optional reference). */
void svc_json_member_id(struct strbuf *b, const char *key, const struct db_stmt *st, int col);
/* True when s is one of the n strings of set (false for NULL). */
bool svc_one_of(const char *s, const char *const *set, size_t n);
/* True when s is NULL or only spaces, tabs and line breaks. */
bool svc_blank(const char *s);
/* Free text of several lines (a description, a reply): at most max bytes,
 * no control characters but tab and line breaks. */
bool svc_text_block_ok(const char *s, size_t max);
/* Optional free text (NULL passes): at most max bytes and svc_text_clean,
 * else SVC_BAD_INPUT (BAD_TEXT) naming field, the message "label field …". */
enum svc_kind svc_check_text(const char *s, const char *field, const char *label, size_t max, struct svc_error *e);
/* Rolls the open transaction back and returns k: a refusal found inside it. */
enum svc_kind svc_rollback(struct db *db, enum svc_kind k);
/* Appends one row to an event table (a record's history: hotline orders,
 * referrals): insert_sql is the caller's constant INSERT with the eight
 * parameters in this order: the record's id, region, action, from state, to
 * state, actor, time stamp, note. Inside the caller's transaction. */
dd_status svc_event_insert(struct db *db, const char *insert_sql, int64_t id, const char *region, const char *action,
			   const char *from, const char *to, int64_t actor, const char *at, const char *note,
			   dd_error *err) DD_MUST_CHECK;
/* The HTTP status of a kind. */
int svc_http_status(enum svc_kind kind);

#endif
