/* policy.h - policy parameters as data: (name, region, from, value).
 *
 * The value in force for a region and date is, among entries whose region's
 * significant form is a prefix of the region's and whose `from` ≤ date, the
 * one with the longest region, then the latest `from` (ASSESS.md). Values are
 * typed: money (fen), ratio (exact decimal), integer, boolean, list (of
 * strings or integers), code (string). The kind comes from a table of known
 * names, an entry's optional "kind", or the JSON type.
 *
 * Ownership: a loaded policy owns all its memory; policy_release frees it.
 * No I/O: the caller passes the file's bytes. */
#ifndef DD_POLICY_H
#define DD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "civil_date.h"
#include "money.h"
#include "region.h"
#include "status.h"

enum policy_kind {
	POLICY_MONEY,
	POLICY_RATIO,
	POLICY_INTEGER,
	POLICY_BOOLEAN,
	POLICY_LIST,
	POLICY_CODE,
};

struct policy_item {
	bool is_int;
	int64_t i;
	const char *s;
};

struct policy_value {
	enum policy_kind kind;
	int64_t i;	    /* money in fen, integer, boolean 0/1 */
	struct ratio ratio; /* ratio */
	const char *text;   /* code; also the value's text as written, for display */
	const struct policy_item *items;
	size_t n_items;
};

struct policy_entry {
	const char *name;
	char region[REGION_TEXT_MAX]; /* significant form */
	dd_date from;
	struct policy_value value;
	bool demo; /* a demo value a county must confirm */
	bool unconfirmed;
	const char *source; /* citation, may be NULL */
	const char *note;   /* may be NULL */
	/* from the store (policy_load_merged's second document) rather than the
	 * file; then who entered it and when (may be NULL) */
	bool stored;
	const char *created_by;
	const char *created_at;
	const char *label; /* the Chinese name shown to users (file), may be NULL */
};

struct policy {
	struct arena arena;
	struct policy_entry *entries; /* sorted by name, region length, from */
	size_t n;
	dd_date *froms; /* distinct `from` dates, ascending */
	size_t n_froms;
	const char **regions; /* distinct entry regions (significant forms) */
	size_t n_regions;
};

dd_status policy_load(struct policy *p, const char *json, size_t n, dd_error *err) DD_MUST_CHECK;
/* The file's entries (json) merged with the store's (store, the same
 * {"parameters":[…]} shape; NULL = none): an entry of the store replaces the
 * file's of the same name, region and from; the store's entries are marked
 * stored and may carry "created_by" and "created_at". Every entry is checked
 * as policy_load checks the file's; an error in the store's document has its
 * field prefixed "store.". */
dd_status policy_load_merged(struct policy *p, const char *json, size_t n, const char *store, size_t store_n,
			     dd_error *err) DD_MUST_CHECK;
void policy_release(struct policy *p);

/* The entry in force, or NULL. region_sig is a significant form. */
const struct policy_entry *policy_lookup(const struct policy *p, const char *name, const char *region_sig,
					 dd_date date);

/* The number of distinct `from` dates ≤ date. Two dates with the same epoch
 * see exactly the same values everywhere, so lookups may be cached by
 * (region, epoch) instead of (region, date). */
size_t policy_epoch(const struct policy *p, dd_date date);

/* The longest entry region covering region_sig ("" when none). Looking up
 * with it gives the same answers as with region_sig itself, so caches can be
 * keyed by it: a county's thousand villages share one key. */
const char *policy_region_key(const struct policy *p, const char *region_sig);

const char *policy_kind_name(enum policy_kind k);
/* The kind of a name ("money", …); false for anything else. */
bool policy_kind_parse(const char *s, enum policy_kind *out);
/* The kind a known parameter name must have; false for unknown names. */
bool policy_known_kind(const char *name, enum policy_kind *out);

#endif
