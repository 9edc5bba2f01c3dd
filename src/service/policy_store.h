/* policy_store.h - the policy in force: the file's parameters (policy/
 * default.json built in, or --policy FILE) with the entries of the store's
 * policy_params table merged over them (core/policy.h policy_load_merged:
 * the same name, region and from: the store's wins).
 *
 * The merged policy is built once at start and again after every entry
 * added through policy_store_add, and swapped in under a lock: a request
 * takes a reference (policy_store_acquire) for its whole run and gives it
 * back (policy_store_release); the old policy is freed when its last
 * request is done. Reloads are serialised, so the newest store state wins.
 *
 * Who may add an entry: an admin for any region ("" national included), a
 * county for its own county from today on. Everyone staff reads. Every
 * entry added is audited (policy.set) in its transaction. */
#ifndef DD_SERVICE_POLICY_STORE_H
#define DD_SERVICE_POLICY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "authz.h"
#include "core/civil_date.h"
#include "core/json.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;
struct policy_store;

#define POLICY_NOTE_MAX 500

/* Copies the file's text, reads the store's entries (db NULL: none) and
 * builds the merged policy. SVC_BAD_INPUT with the parser's field when the
 * file or the store does not load. */
enum svc_kind policy_store_open(struct policy_store **out, const char *file, size_t n, struct db *db,
				struct svc_error *e);
/* Frees the store (no request may hold a reference any more). */
void policy_store_close(struct policy_store *ps);

/* The policy in force now; valid until policy_store_release. */
const struct policy *policy_store_acquire(struct policy_store *ps);
void policy_store_release(struct policy_store *ps, const struct policy *p);

/* Rebuilds from the store (e.g. after another process added entries). On
 * failure the policy in force stays. */
enum svc_kind policy_store_reload(struct policy_store *ps, struct db *db, struct svc_error *e);

/* GET /api/v1/policy/parameters?region=&date=: the value in force of every
 * parameter for region (NULL or "": the caller's own) on date, and the
 * names of the demo values among them. SVC_BAD_INPUT (region, date),
 * SVC_NOT_FOUND for a region the caller does not see (outside its scope and
 * not an ancestor of it). */
enum svc_kind policy_store_in_force(struct policy_store *ps, const struct principal *actor, const char *region,
				    dd_date date, struct strbuf *out, struct svc_error *e);

/* GET /api/v1/policy/parameters/{name}?region=: every entry of name (file
 * and store) that applies to region or lies inside it. SVC_NOT_FOUND for an
 * unknown name. */
enum svc_kind policy_store_entries(struct policy_store *ps, const struct principal *actor, const char *name,
				   const char *region, struct strbuf *out, struct svc_error *e);

/* POST /api/v1/policy/parameters. Fields may be NULL (missing). */
struct policy_entry_new {
	const char *name;
	const char *region; /* "" national, or a 2-12 digit code */
	const char *from;   /* YYYY-MM-DD */
	const struct json_value *value;
	const char *note;
};
/* Adds the entry (checked by its parameter's kind by the policy parser),
 * swaps in the new merged policy, and appends the entry as JSON to out.
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED; REGION_OUT_OF_SCOPE, field region),
 * SVC_BAD_INPUT naming the field, SVC_RULE (FROM_IN_PAST, field from: a
 * county enters values from today on), SVC_CONFLICT (ENTRY_EXISTS: the
 * store has this name, region and from already). */
enum svc_kind policy_store_add(struct policy_store *ps, struct db *db, const struct principal *actor, dd_date today,
			       const struct policy_entry_new *req, struct strbuf *out, struct svc_error *e);

/* The value as JSON (money and ratios as decimal strings, lists as arrays)
 * and as text for people. */
void policy_value_json(struct strbuf *b, const struct policy_value *v);
void policy_value_text(struct strbuf *b, const struct policy_value *v);

#endif
