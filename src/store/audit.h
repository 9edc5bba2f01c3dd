/* audit.h - the hash-chained audit log (IMPORT.md "Audit chain").
 *
 * Every change to the store appends one row in the same transaction as the
 * change: seq 1, 2, 3 … without gaps, hash = hex BLAKE2b-256 over the previous
 * row's hash and this row's fields in the canonical form below. The last seq
 * and hash are also kept in audit_head, whose row lock makes concurrent
 * writers queue, and which lets verify notice a removed tail.
 *
 * Canonical form (docs/ARCHITECTURE.md): the netstrings ("<len>:<bytes>,",
 * len = decimal byte count) of "doudi-audit-v1", prev_hash, seq (decimal),
 * at, actor, action, entity, entity_id, region_code, detail, concatenated.
 * The first row's prev_hash is 64 zeros. Hashes are lower-case hex.
 *
 * The detail is JSON written by the caller; keep ID numbers and names out of
 * it where an internal id will do. */
#ifndef DD_STORE_AUDIT_H
#define DD_STORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "db.h"

#define AUDIT_HASH_HEX 65 /* 64 hex digits and NUL */
#define AUDIT_DETAIL_MAX (1024 * 1024)

/* Appends one row inside the caller's open db_begin transaction (refused
 * outside one). detail_json NULL means "{}"; it must be valid JSON. The row
 * commits or rolls back with the caller's change; the head is written by
 * db_commit. */
dd_status audit_append(struct db *db, const char *actor, const char *action, const char *entity, const char *entity_id,
		       const char *detail_json, dd_error *err) DD_MUST_CHECK;
/* The same with the region code of the record changed, for region-scoped
 * audit views ('' when none). */
dd_status audit_append_region(struct db *db, const char *region_code, const char *actor, const char *action,
			      const char *entity, const char *entity_id, const char *detail_json,
			      dd_error *err) DD_MUST_CHECK;

/* Many rows at once (a bulk import: one row per household): the same as
 * calling audit_append_region for each in order, but written with one bulk
 * insert (COPY on PostgreSQL). Inside the caller's transaction; no bulk
 * insert may be open on the connection. */
struct audit_entry {
	const char *region_code; /* NULL = '' */
	const char *actor, *action, *entity, *entity_id;
	const char *detail_json; /* NULL = "{}" */
};
dd_status audit_append_batch(struct db *db, const struct audit_entry *rows, size_t n, dd_error *err) DD_MUST_CHECK;

/* One row's fields, for hashing. */
struct audit_row {
	int64_t seq;
	const char *prev_hash, *at, *actor, *action, *entity, *entity_id, *region_code, *detail;
	size_t detail_len; /* detail may hold any bytes; the others are NUL-terminated */
};
void audit_hash(const struct audit_row *row, char out[AUDIT_HASH_HEX]);

struct audit_report {
	bool intact;
	int64_t count;	 /* rows checked and found good */
	int64_t bad_seq; /* when not intact: the first bad seq (0 for an inserted seq 0) */
	char head_hash[AUDIT_HASH_HEX];
	char reason[200]; /* Chinese, English in parentheses */
};

/* Checks the whole chain in one read snapshot. Returns DD_OK when it could
 * be read; rep->intact tells whether the chain is whole. */
dd_status audit_verify(struct db *db, struct audit_report *rep, dd_error *err) DD_MUST_CHECK;

#endif
