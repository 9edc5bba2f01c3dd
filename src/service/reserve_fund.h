/* reserve_fund.h - the township reserve fund for temporary assistance
 * (临时救助备用金) as a ledger over the store (schema/006_temporary.sql).
 *
 * One fund per township (9-digit region code). Entries:
 *   advance   下拨   county or finance: money in
 *   replenish 回补   county or finance: money in
 *   draw      支取   township (or a case's first aid / payment): money out
 *   return    退回   township, county or finance: unused money back out
 * The balance never goes below zero, with any number of concurrent draws:
 * money out is one conditional UPDATE ... WHERE balance >= amount whose row
 * count is checked (SQLite serialises writers with BEGIN IMMEDIATE;
 * PostgreSQL's READ COMMITTED re-checks the WHERE on the locked row), and a
 * CHECK (balance >= 0) backs it. Every entry is audited in its transaction.
 *
 * Who sees a fund: any staff role whose scope covers the township, and the
 * township's own villages. Outside that: SVC_NOT_FOUND, never 403. Every
 * permission check is in authz.c (authz_reserve_*). */
#ifndef DD_SERVICE_RESERVE_FUND_H
#define DD_SERVICE_RESERVE_FUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "core/money.h"
#include "core/strbuf.h"
#include "store/store.h"
#include "svc.h"

struct db;

enum reserve_kind {
	RESERVE_NONE = 0,
	RESERVE_ADVANCE,
	RESERVE_REPLENISH,
	RESERVE_DRAW,
	RESERVE_RETURN,
};
enum reserve_kind reserve_kind_parse(const char *s);
const char *reserve_kind_name(enum reserve_kind k); /* "advance" … */

#define RESERVE_NOTE_MAX 500		 /* bytes */
#define RESERVE_ENTRY_MAX 100000000000LL /* 10 亿元 in fen: one entry at most */

struct reserve_entry {
	int64_t id;
	enum reserve_kind kind;
	fen_t amount;
	fen_t balance_after;
	int64_t application_id; /* 0 = none */
	char actor[PRINCIPAL_USERNAME_MAX + 1];
	char note[RESERVE_NOTE_MAX + 1];
	char created_at[STORE_TIME_MAX];
};

struct reserve_fund {
	char region[REGION_TEXT_MAX]; /* 9 digits */
	bool exists;		      /* false: nothing advanced yet (all zero) */
	fen_t balance, advanced_total, drawn_total, returned_total;
	int64_t version;
	char updated_at[STORE_TIME_MAX];
};

/* A page of the ledger, newest first. items is malloc'd: reserve_page_release. */
struct reserve_page {
	struct reserve_fund fund;
	struct reserve_entry *items;
	size_t n;
	int64_t total;
};
void reserve_page_release(struct reserve_page *p);

/* The fund of region (text from the request) and one page of its ledger
 * (page ≥ 1, per_page 1..500). SVC_BAD_INPUT (BAD_REGION, field "region")
 * for anything but a township code; SVC_NOT_FOUND outside the actor's view. */
enum svc_kind reserve_fund_get(struct db *db, const struct principal *actor, const char *region, int64_t page,
			       int64_t per_page, struct reserve_page *out, struct svc_error *e);

/* A new entry as the HTTP body or the CLI gives it (fields may be NULL). */
struct reserve_entry_new {
	const char *kind;
	const char *amount;	/* decimal yuan, at most two fraction digits, > 0 */
	const char *note;	/* optional */
	int64_t application_id; /* 0 = none; else a temporary case inside the township */
};

/* Posts one entry in its own transaction. SVC_BAD_INPUT naming the field,
 * SVC_NOT_FOUND (fund or application outside the actor's view),
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED: the role may not post this kind),
 * SVC_RULE (RESERVE_INSUFFICIENT: the balance would go below zero, with the
 * balance in the message). *entry and *fund get the entry and the fund after. */
enum svc_kind reserve_fund_post(struct db *db, const struct principal *actor, const char *region,
				const struct reserve_entry_new *req, struct reserve_entry *entry,
				struct reserve_fund *fund, struct svc_error *e);

/* The building block for casework (first aid, staged payments): posts one
 * entry inside the caller's open db_begin transaction, with its audit row,
 * and checks no permission (the caller has). region_sig is the township's
 * significant form or 9-digit code; application_id 0 = none. On
 * SVC_RULE (RESERVE_INSUFFICIENT) nothing was written and the transaction
 * is still usable; on other errors the caller must roll back. */
enum svc_kind reserve_fund_post_tx(struct db *db, const struct principal *actor, const char *township_code,
				   enum reserve_kind kind, fen_t amount, int64_t application_id, const char *note,
				   struct reserve_entry *entry, struct svc_error *e);

/* Appends the funds actor sees (authz_reserve_view: the townships in its
 * scope, a village's own township) as JSON objects separated by commas,
 * ordered by region: {"region","region_name","balance","advanced_total",
 * "drawn_total","returned_total","updated_at"}. Inside or outside a read
 * transaction; no more than RESERVE_LIST_MAX funds. *n gets the count. */
#define RESERVE_LIST_MAX 2000
enum svc_kind reserve_fund_list(struct db *db, const struct principal *actor, struct strbuf *out, int64_t *n,
				struct svc_error *e);

/* The township (9-digit code) whose reserve fund serves a region code of
 * 9 or 12 digits; false for anything above township level. */
bool reserve_fund_township(const char *region, char township[REGION_TEXT_MAX]);

/* The fund's current state (zeros when it does not exist), no permission
 * check; inside or outside a transaction. */
enum svc_kind reserve_fund_state(struct db *db, const char *township_code, struct reserve_fund *out,
				 struct svc_error *e);

#endif
