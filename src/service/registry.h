/* registry.h - the household registry over the store (API.md: households):
 * create, list and search, detail with masked or revealed ID numbers, and
 * update with optimistic locking. Answers are JSON written into a strbuf
 * (their shapes are in docs/openapi.yaml).
 *
 * Every permission and region check is made here (through authz.h), so the
 * HTTP API and any CLI obey the same rules: every staff role reads inside its
 * scope; village, township and county staff create and change households; a
 * household outside the caller's scope is answered SVC_NOT_FOUND exactly as a
 * missing id. ID numbers are masked (idnum_mask: "500154********0016", and
 * no birth date or sex beside them) unless revealed, which is audited
 * (action household.reveal, no number in the row). Every change is audited
 * in its own transaction. Messages never hold ID numbers or names. */
#ifndef DD_SERVICE_REGISTRY_H
#define DD_SERVICE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define REGISTRY_PER_PAGE_MAX 500
#define REGISTRY_Q_MAX 64	     /* bytes of a search text */
#define REGISTRY_HOUSEHOLD_NO_MAX 64 /* as the import's (IMPORT.md) */
#define REGISTRY_NAME_MAX 120	     /* bytes of a member's name, as the import's */
#define REGISTRY_ADDRESS_MAX 300     /* bytes */

/* --- pure helpers (no I/O), exposed for the unit tests --- */

enum registry_q_kind {
	REGISTRY_Q_NONE,    /* empty: no search */
	REGISTRY_Q_NAME,    /* a member's name starts with it */
	REGISTRY_Q_ID,	    /* a whole ID number (18 characters): exact */
	REGISTRY_Q_ID_TAIL, /* the last 4-6 characters of an ID number */
	REGISTRY_Q_BAD,	    /* digits of another length: neither a name nor an ID number */
};
/* What the search text q (trimmed, valid UTF-8) asks for; norm gets it
 * normalised (a lower-case x of an ID number upper-cased). */
enum registry_q_kind registry_q_kind(const char *q, char norm[REGISTRY_Q_MAX + 1]);

#define REGISTRY_NAME_BOUND_MAX (REGISTRY_Q_MAX + 5)
/* The exclusive upper bound, in byte order, of the names that start with
 * prefix: prefix + U+10FFFF (valid UTF-8, so PostgreSQL takes it; only a
 * name with U+10FFFF right after the prefix falls outside). */
void registry_name_bound(const char *prefix, char out[REGISTRY_NAME_BOUND_MAX]);

/* --- the use cases --- */

/* A new household: ASSESS.md's household (doc, already parsed; "date" may
 * be left out: today) plus these strings, which the caller read from doc.
 * household_no NULL = missing. */
struct registry_new {
	const struct json_value *doc;
	const char *household_no;
	const char *address; /* NULL = none */
	int64_t *id_out;     /* NULL, or gets the new household's id */
};
/* Stores the household, its persons, memberships, incomes, assets and
 * expenses and an audit row (household.create) in one transaction, and
 * writes the stored household as registry_get does (masked).
 * SVC_FORBIDDEN (role; REGION_OUT_OF_SCOPE with field region), SVC_BAD_INPUT
 * with the field path (the core reader's, or household_no, members[i].name,
 * members for the head count, address), SVC_RULE (REGION_UNKNOWN: the
 * county is not in the region table), SVC_CONFLICT (PERSON_IN_OTHER_HOUSEHOLD
 * with field members[i].id; HOUSEHOLD_NO_TAKEN with field household_no). */
enum svc_kind registry_create(struct db *db, const struct principal *actor, const struct registry_new *req,
			      struct strbuf *out, struct svc_error *e);

/* The household with its active members, their incomes and financial
 * assets, the household's assets and expenses, and version. reveal: whole ID
 * numbers with birth date and sex (authz_household_reveal), audited before
 * anything is written out. SVC_NOT_FOUND when missing or outside scope. */
enum svc_kind registry_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			   struct svc_error *e);

struct registry_list_query {
	const char *region; /* "" = the caller's scope; one outside it lists nothing */
	const char *q;	    /* "" = all (registry_q_kind) */
	int64_t page;	    /* from 1 */
	int64_t per_page;   /* 1..REGISTRY_PER_PAGE_MAX */
};
/* {"items":[{id, household_no, region, area, version, members:[{name, id
 * (masked), relation}]}], "total", "page", "per_page"}, ordered by region and
 * household number. A name matches by prefix (indexed, byte order); an ID
 * number whole (unique index) or by its last 4-6 characters (a scan of the
 * active members inside the scope). */
enum svc_kind registry_list(struct db *db, const struct principal *actor, const struct registry_list_query *lq,
			    struct strbuf *out, struct svc_error *e);

/* A change: the version read, and the fields to set (present; NULL value =
 * clear). At least one field. */
struct registry_change {
	bool has_version;
	int64_t version;
	bool set_address, set_area;
	const char *address, *area; /* area may not be cleared */
};
/* Applies the change if version is the stored one (else SVC_CONFLICT
 * STALE_VERSION), bumps version, clears the import digest (a re-import no
 * longer counts the household as unchanged), audits household.update (the
 * names of the fields changed, not their values) and writes the household
 * as registry_get does. SVC_FORBIDDEN (role), SVC_NOT_FOUND (missing or
 * outside scope), SVC_BAD_INPUT naming the field. */
enum svc_kind registry_update(struct db *db, const struct principal *actor, int64_t id,
			      const struct registry_change *req, struct strbuf *out, struct svc_error *e);

/* The stored region (significant form) of household id, for the services
 * that act on a household (applications, temporary assistance). Runs inside
 * the caller's transaction when one is open. SVC_NOT_FOUND (field
 * "household_id") when it is missing or outside actor's scope; a store
 * failure as svc_store_fail (which rolls the open transaction back). */
enum svc_kind registry_household_region(struct db *db, const struct principal *actor, int64_t id,
					char region[REGION_TEXT_MAX], struct svc_error *e);

#endif
